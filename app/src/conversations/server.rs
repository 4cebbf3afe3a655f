//! Conversations in SQL: the list (one indexed query per view), loading
//! with the access check, state changes, and the event each change writes.

use sqlx::{FromRow, SqliteConnection};

use crate::automations::model::Field;
use crate::conversations::model::{Conversation, ConversationPatch, ConversationSummary, Priority, Status};
use crate::conversations::rules::{self, ConvState};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{ChannelId, ContactId, ConversationId, EventId, InboxId, UserId, WorkspaceId};
use crate::live::model::{EventKind, LiveEvent};
use crate::live::server::Hub;
use crate::messages::model::{ChannelKind, Message};
use crate::time::Timestamp;
use crate::users::server::{can_see_inbox, Principal};

// The list's SQL lives in `list.rs`; these paths are where callers know it.
pub use crate::conversations::list::{
    count_query, list, list_query, push_filter, range_column, wire_rows, Narrowing, Reach, FEW, MAX_PAGE, RANGE_FEW,
    SUMMARY_SQL,
};

/// The list row of one conversation (no access check: callers have done it).
pub async fn summary(conn: &mut SqliteConnection, id: ConversationId) -> AppResult<ConversationSummary> {
    sqlx::query_as(&format!("{SUMMARY_SQL} WHERE c.id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::not_found("conversation"))
}

/// A conversation's full row.
#[derive(Debug, Clone, FromRow)]
pub struct ConvRow {
    pub id: ConversationId,
    pub workspace_id: WorkspaceId,
    pub inbox_id: InboxId,
    pub channel_id: ChannelId,
    pub channel_kind: ChannelKind,
    pub contact_id: ContactId,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub assignee_id: Option<UserId>,
    pub spam: bool,
    pub unread: bool,
    pub snoozed_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    pub last_inbound_at: Option<Timestamp>,
    pub last_outbound_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
}

impl ConvRow {
    /// The part the rules work on.
    pub fn state(&self) -> ConvState {
        ConvState {
            status: self.status,
            assignee_id: self.assignee_id,
            snoozed_until: self.snoozed_until,
            first_response_at: self.first_response_at,
            resolved_at: self.resolved_at,
            closed_at: self.closed_at,
            unread: self.unread,
        }
    }

    /// The REST shape.
    pub fn into_wire(self, labels: Vec<String>) -> Conversation {
        Conversation {
            id: self.id,
            inbox_id: self.inbox_id,
            channel_id: self.channel_id,
            contact_id: self.contact_id,
            subject: self.subject,
            status: self.status,
            priority: self.priority,
            assignee_id: self.assignee_id,
            labels,
            spam: self.spam,
            unread: self.unread,
            snoozed_until: self.snoozed_until,
            created_at: self.created_at,
            first_response_at: self.first_response_at,
            last_inbound_at: self.last_inbound_at,
            last_outbound_at: self.last_outbound_at,
            resolved_at: self.resolved_at,
            closed_at: self.closed_at,
        }
    }
}

/// A conversation's row in workspace `ws`, with no access check (ingest
/// acts for a channel, not a user).
pub async fn row_in(conn: &mut SqliteConnection, ws: WorkspaceId, id: ConversationId) -> AppResult<Option<ConvRow>> {
    Ok(sqlx::query_as(&format!("{ROW_SQL} WHERE c.id = ? AND c.workspace_id = ?"))
        .bind(id)
        .bind(ws)
        .fetch_optional(conn)
        .await?)
}

/// The full conversation row (`ConvRow`), without WHERE.
pub(crate) const ROW_SQL: &str =
    "SELECT c.id, c.workspace_id, c.inbox_id, c.channel_id, ch.kind AS channel_kind, c.contact_id, c.subject,
            c.status, c.priority, c.assignee_id, c.spam, c.unread, c.snoozed_until, c.created_at,
            c.first_response_at, c.last_inbound_at, c.last_outbound_at, c.resolved_at, c.closed_at
     FROM conversations c JOIN channels ch ON ch.id = c.channel_id";

/// Loads a conversation `who` may see: `NotFound` when it does not exist in
/// their workspace, `Forbidden` when its inbox is not theirs.
pub async fn load(conn: &mut SqliteConnection, who: &Principal, id: ConversationId) -> AppResult<ConvRow> {
    let row = row_in(&mut *conn, who.workspace_id, id).await?.ok_or_else(|| AppError::not_found("conversation"))?;
    if !can_see_inbox(conn, who, row.inbox_id).await? {
        return Err(AppError::Forbidden);
    }
    Ok(row)
}

/// The labels of a conversation, sorted.
pub async fn labels(conn: &mut SqliteConnection, id: ConversationId) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT label FROM conversation_labels WHERE conversation_id = ? ORDER BY label")
        .bind(id)
        .fetch_all(conn)
        .await?)
}

/// Writes a rules state back to the row.
pub async fn save_state(conn: &mut SqliteConnection, id: ConversationId, s: &ConvState) -> AppResult<()> {
    sqlx::query(
        "UPDATE conversations SET status = ?, assignee_id = ?, snoozed_until = ?, first_response_at = ?,
                resolved_at = ?, closed_at = ?, unread = ? WHERE id = ?",
    )
    .bind(s.status)
    .bind(s.assignee_id)
    .bind(s.snoozed_until)
    .bind(s.first_response_at)
    .bind(s.resolved_at)
    .bind(s.closed_at)
    .bind(s.unread)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends an event for a change made in this transaction and returns it,
/// ready to publish after commit. The payload stores the list row after the
/// change, so catch-up replays what the live stream sent.
pub async fn record_event(
    conn: &mut SqliteConnection,
    kind: EventKind,
    id: ConversationId,
    actor: Option<UserId>,
    change: String,
    message: Option<Message>,
) -> AppResult<LiveEvent> {
    record_event_with(conn, kind, id, actor, change, message, EventExtra::default()).await
}

/// What an event says beyond its kind and change: the fields it changed
/// (automation triggers) and the thread's activity line.
#[derive(Debug, Clone, Default)]
pub struct EventExtra {
    pub fields: Vec<Field>,
    /// The line the thread shows; `None` derives one for conversation
    /// updates ("Status Closed") and shows none for messages.
    pub activity: Option<String>,
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// [`record_event`] with fields and activity. Inside a rule run (see
/// `automations::RULE`) the event names the rule instead of a user and
/// carries the rule chain, which the engine uses to refuse loops.
pub async fn record_event_with(
    conn: &mut SqliteConnection,
    kind: EventKind,
    id: ConversationId,
    actor: Option<UserId>,
    change: String,
    message: Option<Message>,
    extra: EventExtra,
) -> AppResult<LiveEvent> {
    let rule = crate::automations::RuleContext::current();
    let actor = if rule.is_some() { None } else { actor.filter(|u| u.0 != 0) };
    let quiet = matches!(change.as_str(), "" | "read" | "marked read" | "marked unread");
    let mut activity =
        extra.activity.or_else(|| (kind == EventKind::ConversationUpdated && !quiet).then(|| capitalized(&change)));
    if let Some(r) = &rule {
        activity = Some(format!("{} by rule '{}'", activity.unwrap_or_else(|| capitalized(&change)), r.name));
    }
    let chain: Vec<crate::ids::AutomationId> = rule.map(|r| r.chain).unwrap_or_default();
    let summary = summary(&mut *conn, id).await?;
    let ws: WorkspaceId = sqlx::query_scalar("SELECT workspace_id FROM conversations WHERE id = ?")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let now = Timestamp::now();
    let event_id: i64 = sqlx::query_scalar(
        "INSERT INTO events (workspace_id, conversation_id, inbox_id, kind, actor_user_id, payload, created_at,
                             activity, rule_chain, fields)
         VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?) RETURNING id",
    )
    .bind(ws)
    .bind(id)
    .bind(summary.inbox_id)
    .bind(kind.as_str())
    .bind(actor)
    .bind(now)
    .bind(&activity)
    .bind(serde_json::to_string(&chain).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&extra.fields).unwrap_or_else(|_| "[]".into()))
    .fetch_one(&mut *conn)
    .await?;
    let event = LiveEvent {
        id: EventId(event_id),
        kind,
        conversation_id: id,
        inbox_id: summary.inbox_id,
        actor_id: actor,
        change,
        summary,
        message,
    };
    let payload = serde_json::to_string(&event).map_err(|e| {
        tracing::error!(error = %e, "event does not serialize");
        AppError::Internal
    })?;
    sqlx::query("UPDATE events SET payload = ? WHERE id = ?").bind(payload).bind(event_id).execute(conn).await?;
    Ok(event)
}

/// Applies a patch as `who`: checks access to the conversation and to any
/// target inbox or assignee, runs the status rules, writes one event.
pub async fn patch(
    db: &Db,
    hub: &Hub,
    who: &Principal,
    id: ConversationId,
    p: &ConversationPatch,
) -> AppResult<ConversationSummary> {
    let mut tx = db.write().await?;
    let event = patch_in(&mut tx, who, id, p).await?;
    tx.commit().await?;
    let summary = event.summary.clone();
    hub.publish(who.workspace_id, event);
    Ok(summary)
}

/// [`patch`] inside the caller's transaction; the caller publishes the
/// returned event after commit. Every check runs before the first write,
/// so a refusal leaves nothing to undo.
pub async fn patch_in(
    tx: &mut SqliteConnection,
    who: &Principal,
    id: ConversationId,
    p: &ConversationPatch,
) -> AppResult<LiveEvent> {
    let row = load(&mut *tx, who, id).await?;
    let now = Timestamp::now();
    let mut state = row.state();
    let mut changes: Vec<String> = Vec::new();
    let mut fields: Vec<Field> = Vec::new();

    let status_to = match (p.status, &p.snoozed_until) {
        (Some(s), _) => Some(s),
        // Setting a snooze time alone means "snooze until then".
        (None, Some(Some(_))) => Some(Status::Snoozed),
        _ => None,
    };
    if let Some(to) = status_to {
        let until = p.snoozed_until.flatten().or(row.snoozed_until.filter(|_| p.snoozed_until.is_none()));
        state = rules::set_status(&state, to, until, now)?;
        changes.push(format!("status {}", to.label()));
        fields.push(Field::Status);
    }
    let mut inbox_id = row.inbox_id;
    if let Some(target) = p.inbox_id.filter(|t| *t != row.inbox_id) {
        let visible = can_see_inbox(&mut *tx, who, target).await.map_err(|e| match e {
            AppError::NotFound { .. } => AppError::invalid("inboxId", "no such inbox"),
            e => e,
        })?;
        if !visible {
            return Err(AppError::Forbidden);
        }
        inbox_id = target;
        let name: String =
            sqlx::query_scalar("SELECT name FROM inboxes WHERE id = ?").bind(target).fetch_one(&mut *tx).await?;
        changes.push(format!("moved to {name}"));
        fields.push(Field::Inbox);
    }
    if let Some(assignee) = p.assignee_id {
        if let Some(uid) = assignee {
            check_assignable(&mut *tx, who.workspace_id, inbox_id, uid).await?;
        }
        if assignee != state.assignee_id {
            state.assignee_id = assignee;
            changes.push(match assignee {
                Some(uid) => {
                    let name: String =
                        sqlx::query_scalar("SELECT name FROM users WHERE id = ?").bind(uid).fetch_one(&mut *tx).await?;
                    format!("assigned to {name}")
                }
                None => "unassigned".into(),
            });
            fields.push(Field::Assignee);
        }
    }
    if let Some(u) = p.unread {
        state.unread = u;
    }
    let bump = !changes.is_empty() || p.priority.is_some() || p.spam.is_some();
    if let Some(pr) = p.priority.filter(|pr| *pr != row.priority) {
        changes.push(format!("priority {}", pr.label()));
        fields.push(Field::Priority);
    }
    if let Some(s) = p.spam {
        changes.push(if s { "marked spam".into() } else { "not spam".into() });
        crate::conversations::spam::block_sender(&mut *tx, who.workspace_id, row.contact_id, s, now).await?;
    }
    if p.unread.is_some() && changes.is_empty() {
        changes.push(if state.unread { "marked unread".into() } else { "marked read".into() });
    }
    // One UPDATE for the patch and the new state: each UPDATE rewrites
    // the conversation's entry in every list index whose columns it sets,
    // so two statements cost a bulk change of 100 twice the index work.
    sqlx::query(
        "UPDATE conversations SET inbox_id = ?, priority = COALESCE(?, priority), spam = COALESCE(?, spam),
                last_activity_at = CASE WHEN ? THEN ? ELSE last_activity_at END,
                status = ?, assignee_id = ?, snoozed_until = ?, first_response_at = ?,
                resolved_at = ?, closed_at = ?, unread = ? WHERE id = ?",
    )
    .bind(inbox_id)
    .bind(p.priority)
    .bind(p.spam)
    .bind(bump)
    .bind(now)
    .bind(state.status)
    .bind(state.assignee_id)
    .bind(state.snoozed_until)
    .bind(state.first_response_at)
    .bind(state.resolved_at)
    .bind(state.closed_at)
    .bind(state.unread)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let extra = EventExtra { fields, activity: None };
    record_event_with(&mut *tx, EventKind::ConversationUpdated, id, Some(who.id), changes.join(", "), None, extra).await
}

/// Adds or removes a label (automations; the UI's label editing comes
/// with the list views). No event when nothing changed.
pub async fn set_label(
    db: &Db,
    hub: &Hub,
    who: &Principal,
    id: ConversationId,
    label: &str,
    add: bool,
) -> AppResult<()> {
    let label = label.trim();
    let mut tx = db.write().await?;
    load(&mut tx, who, id).await?;
    let q = if add {
        "INSERT OR IGNORE INTO conversation_labels (conversation_id, label) VALUES (?, ?)"
    } else {
        "DELETE FROM conversation_labels WHERE conversation_id = ? AND label = ?"
    };
    let changed = sqlx::query(q).bind(id).bind(label).execute(&mut *tx).await?.rows_affected();
    if changed == 0 {
        return Ok(());
    }
    let change = if add { format!("label {label} added") } else { format!("label {label} removed") };
    let extra = EventExtra { fields: vec![Field::Label], activity: None };
    let event =
        record_event_with(&mut tx, EventKind::ConversationUpdated, id, Some(who.id), change, None, extra).await?;
    tx.commit().await?;
    hub.publish(who.workspace_id, event);
    Ok(())
}

/// The user must exist in the workspace and be able to see the inbox.
async fn check_assignable(conn: &mut SqliteConnection, ws: WorkspaceId, inbox: InboxId, uid: UserId) -> AppResult<()> {
    let assignee = crate::users::server::principal_in(conn, ws, uid)
        .await?
        .ok_or_else(|| AppError::invalid("assigneeId", "no such user"))?;
    if !can_see_inbox(conn, &assignee, inbox).await? {
        return Err(AppError::invalid("assigneeId", "that user has no access to this inbox"));
    }
    Ok(())
}

/// Marks a conversation read when an agent opens it (no event if it already was).
pub async fn mark_read(db: &Db, hub: &Hub, who: &Principal, id: ConversationId) -> AppResult<()> {
    let mut tx = db.write().await?;
    let row = load(&mut tx, who, id).await?;
    if !row.unread {
        return Ok(());
    }
    sqlx::query("UPDATE conversations SET unread = 0 WHERE id = ?").bind(id).execute(&mut *tx).await?;
    let event = record_event(&mut tx, EventKind::ConversationUpdated, id, Some(who.id), "read".into(), None).await?;
    tx.commit().await?;
    hub.publish(who.workspace_id, event);
    Ok(())
}

/// Wakes every snoozed conversation due by `now`; returns how many woke.
pub async fn wake_due(db: &Db, hub: &Hub, now: Timestamp) -> AppResult<usize> {
    let due: Vec<ConversationId> = sqlx::query_scalar(
        "SELECT id FROM conversations WHERE status = 'snoozed' AND snoozed_until <= ? ORDER BY snoozed_until LIMIT 500",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    let mut woke = 0;
    for id in due {
        let mut tx = db.write().await?;
        let row: Option<(WorkspaceId, Status, Option<Timestamp>)> =
            sqlx::query_as("SELECT workspace_id, status, snoozed_until FROM conversations WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((ws, status, until)) = row else { continue };
        let state = ConvState { status, snoozed_until: until, ..ConvState::arrived(None) };
        // Re-checked inside the transaction: someone may have changed it meanwhile.
        if rules::wake_if_due(&state, now).is_none() {
            continue;
        }
        sqlx::query("UPDATE conversations SET status = 'open', snoozed_until = NULL, unread = 1, last_activity_at = ? WHERE id = ?")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let event =
            record_event(&mut tx, EventKind::ConversationUpdated, id, None, "snooze ended".into(), None).await?;
        tx.commit().await?;
        hub.publish(ws, event);
        woke += 1;
    }
    Ok(woke)
}
