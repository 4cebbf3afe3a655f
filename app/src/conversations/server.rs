//! Conversations in SQL: the list (one indexed query per view), loading
//! with the access check, state changes, and the event each change writes.

use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection};

use crate::automations::model::Field;
use crate::conversations::model::{
    decode_cursor, encode_cursor, Conversation, ConversationPage, ConversationPatch, ConversationSummary, ListFilter,
    Priority, Sort, Status, View, COUNT_CAP,
};
use crate::conversations::rules::{self, ConvState};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{ChannelId, ContactId, ConversationId, EventId, InboxId, UserId, WorkspaceId};
use crate::live::model::{EventKind, LiveEvent};
use crate::live::server::{latest_event_id, Hub};
use crate::messages::model::{ChannelKind, Message};
use crate::time::Timestamp;
use crate::users::server::{can_see_inbox, push_inbox_visible, Principal};

/// The list row: conversation, its channel kind, contact and assignee names.
pub const SUMMARY_SQL: &str =
    "SELECT c.id, c.inbox_id, ib.name AS inbox_name, c.channel_id, ch.kind AS channel_kind, c.contact_id,
    COALESCE(NULLIF(ct.name, ''), ct.email, ct.phone, 'Unknown') AS contact_name,
    c.subject, c.preview, c.status, c.priority, c.assignee_id, u.name AS assignee_name,
    c.spam, c.unread, c.snoozed_until, c.message_count, c.created_at, c.last_activity_at, c.first_response_at,
    COALESCE((SELECT group_concat(l.label, ',') FROM conversation_labels l WHERE l.conversation_id = c.id), '')
      AS labels
  FROM conversations c
  JOIN inboxes ib ON ib.id = c.inbox_id
  JOIN channels ch ON ch.id = c.channel_id
  JOIN contacts ct ON ct.id = c.contact_id
  LEFT JOIN users u ON u.id = c.assignee_id";

/// Largest page a caller may ask for.
pub const MAX_PAGE: i64 = 100;

/// The WHERE clause of a list: the workspace, the inboxes `who` may see,
/// the view and every filter. `search` is the parsed `f.q`.
pub fn push_filter(
    qb: &mut QueryBuilder<'_, Sqlite>,
    who: &Principal,
    f: &ListFilter,
    search: Option<&crate::search::SearchQuery>,
) {
    qb.push(" WHERE c.workspace_id = ").push_bind(who.workspace_id);
    qb.push(" AND c.inbox_id IN (SELECT i.id FROM inboxes i WHERE i.workspace_id = ").push_bind(who.workspace_id);
    qb.push(" AND ");
    push_inbox_visible(qb, who);
    qb.push(")");
    let active = "c.status IN ('new', 'open', 'pending')";
    let status_clause = if f.status.is_some() { "1 = 1" } else { active };
    match f.view {
        View::AllOpen => {
            qb.push(format!(" AND c.spam = 0 AND {status_clause}"));
        }
        View::Mine => {
            qb.push(format!(" AND c.spam = 0 AND {status_clause} AND c.assignee_id = ")).push_bind(who.id);
        }
        View::Unassigned => {
            qb.push(format!(" AND c.spam = 0 AND {status_clause} AND c.assignee_id IS NULL"));
        }
        View::MyUnread => {
            qb.push(" AND c.spam = 0 AND c.unread = 1 AND c.assignee_id = ").push_bind(who.id);
        }
        View::All => {
            qb.push(" AND c.spam = 0");
        }
        View::Spam => {
            qb.push(" AND c.spam = 1");
        }
    }
    if let Some(i) = f.inbox_id {
        qb.push(" AND c.inbox_id = ").push_bind(i);
    }
    if let Some(s) = f.status {
        qb.push(" AND c.status = ").push_bind(s);
    }
    if let Some(a) = f.assignee_id {
        qb.push(" AND c.assignee_id = ").push_bind(a);
    }
    if f.unassigned {
        qb.push(" AND c.assignee_id IS NULL");
    }
    if let Some(k) = f.channel {
        qb.push(" AND c.channel_id IN (SELECT ch2.id FROM channels ch2 WHERE ch2.workspace_id = ")
            .push_bind(who.workspace_id)
            .push(" AND ch2.kind = ")
            .push_bind(k)
            .push(")");
    }
    if let Some(p) = f.priority {
        // The generated rank column, so the priority index serves it.
        qb.push(" AND c.priority_rank = ").push_bind(p.rank());
    }
    if let Some(l) = f.label.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        qb.push(" AND c.id IN (SELECT l2.conversation_id FROM conversation_labels l2 WHERE l2.label = ")
            .push_bind(l.to_string())
            .push(" COLLATE NOCASE)");
    }
    // A date range on a column the list is not sorted by is checked row by
    // row as the sort's index is read (`+` keeps SQLite from choosing the
    // range's index and then sorting every row in it); on the sort's own
    // column it narrows that index.
    let sorted_by = sort_columns(f.sort)[0];
    for (col, from, to) in
        [("c.created_at", f.created_from, f.created_to), ("c.last_activity_at", f.active_from, f.active_to)]
    {
        let col = if col == sorted_by { col.to_string() } else { format!("+{col}") };
        if let Some(t) = from {
            qb.push(format!(" AND {col} >= ")).push_bind(t);
        }
        if let Some(t) = to {
            qb.push(format!(" AND {col} < ")).push_bind(t);
        }
    }
    if let Some(q) = search {
        crate::search::server::push_match(qb, q);
    }
}

/// The columns a sort orders by, most significant first (`id` last).
fn sort_columns(sort: Sort) -> &'static [&'static str] {
    match sort {
        Sort::Newest | Sort::Oldest => &["c.last_activity_at", "c.id"],
        Sort::Added | Sort::Created => &["c.created_at", "c.id"],
        Sort::Priority | Sort::PriorityLow => &["c.priority_rank", "c.last_activity_at", "c.id"],
    }
}

/// Rows after `key` in the sort's order: a range on the first column
/// (so SQLite seeks the index) plus the tie-breaks, instead of a
/// row-value comparison SQLite would filter row by row.
fn push_after(qb: &mut QueryBuilder<'_, Sqlite>, sort: Sort, key: &[i64]) {
    let cols = sort_columns(sort);
    let (lt, le) = if sort.descending() { ("<", "<=") } else { (">", ">=") };
    qb.push(format!(" AND {} {le} ", cols[0])).push_bind(key[0]);
    qb.push(" AND (");
    for i in 0..cols.len() {
        if i > 0 {
            qb.push(" OR (");
        }
        for (j, col) in cols.iter().enumerate().take(i) {
            if j > 0 {
                qb.push(" AND ");
            }
            qb.push(format!("{col} = ")).push_bind(key[j]);
        }
        if i > 0 {
            qb.push(" AND ");
        }
        qb.push(format!("{} {lt} ", cols[i])).push_bind(key[i]);
        if i > 0 {
            qb.push(")");
        }
    }
    qb.push(")");
}

fn push_order(qb: &mut QueryBuilder<'_, Sqlite>, sort: Sort) {
    let dir = if sort.descending() { " DESC" } else { " ASC" };
    let cols: Vec<String> = sort_columns(sort).iter().map(|c| format!("{c}{dir}")).collect();
    qb.push(format!(" ORDER BY {}", cols.join(", ")));
}

/// The query for one page of rows: `select` (a `SELECT … FROM
/// conversations c …` without WHERE), the filter, the rows after `key` in
/// the sort's order, the order, the limit. Public so a test can EXPLAIN
/// it for every filter and sort: each must be served by an index.
pub fn list_query<'a>(
    select: &str,
    who: &Principal,
    f: &ListFilter,
    search: Option<&crate::search::SearchQuery>,
    key: Option<&[i64]>,
    limit: i64,
) -> QueryBuilder<'a, Sqlite> {
    let mut qb = QueryBuilder::new(select);
    push_filter(&mut qb, who, f, search);
    if let Some(key) = key {
        push_after(&mut qb, f.sort, key);
    }
    push_order(&mut qb, f.sort);
    qb.push(" LIMIT ").push_bind(limit);
    qb
}

/// One page of the list for `who`, after `cursor`. One query for the rows
/// (keyset on the sort key, served by an index) and, on the first page, one
/// for the count (capped at [`COUNT_CAP`] + 1 rows, so it stays an index
/// range of bounded length however big the workspace).
pub async fn list(
    db: &Db,
    who: &Principal,
    f: &ListFilter,
    cursor: Option<&str>,
    limit: i64,
) -> AppResult<ConversationPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    // Read the event cursor first: anything committed after it reaches the
    // client over the socket, so the page plus the stream misses nothing.
    let event_cursor = latest_event_id(db, who.workspace_id).await?;
    let search = f.search().map(crate::search::parse).transpose()?;
    let key = match cursor {
        Some(c) => Some(
            decode_cursor(c, sort_columns(f.sort).len())
                .ok_or_else(|| AppError::BadRequest { message: "cursor: not a cursor from this API".into() })?,
        ),
        None => None,
    };
    let mut qb = list_query(SUMMARY_SQL, who, f, search.as_ref(), key.as_deref(), limit + 1);
    let mut count = (key.is_none()).then(|| {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM conversations c");
        push_filter(&mut count, who, f, search.as_ref());
        count.push(" LIMIT ").push_bind(COUNT_CAP + 1).push(")");
        count
    });
    let mut conn = db.pool.acquire().await?;
    let mut run = async |c: &mut SqliteConnection| -> AppResult<(Vec<ConversationSummary>, Option<i64>)> {
        let items = qb.build_query_as().fetch_all(&mut *c).await?;
        let total = match count.as_mut() {
            Some(q) => Some(q.build_query_scalar().fetch_one(&mut *c).await?),
            None => None,
        };
        Ok((items, total))
    };
    // A search has a hard deadline; a plain list is an index range.
    let (mut items, total) = match &search {
        Some(_) => crate::search::server::with_deadline(&mut conn, crate::search::server::DEFAULT_LIMIT, run).await?,
        None => run(&mut conn).await?,
    };
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|c| encode_cursor(&f.sort_key(c)))
    } else {
        None
    };
    if let Some(q) = &search {
        let ids: Vec<ConversationId> = items.iter().map(|c| c.id).collect();
        let mut hits = crate::search::server::best_matches(&mut conn, &ids, q).await?;
        for c in &mut items {
            c.hit = hits.remove(&c.id);
        }
    }
    Ok(ConversationPage { items, next_cursor, event_cursor, total })
}

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

const ROW_SQL: &str =
    "SELECT c.id, c.workspace_id, c.inbox_id, c.channel_id, ch.kind AS channel_kind, c.contact_id, c.subject,
            c.status, c.priority, c.assignee_id, c.spam, c.unread, c.snoozed_until, c.created_at,
            c.first_response_at, c.last_inbound_at, c.last_outbound_at, c.resolved_at, c.closed_at
     FROM conversations c JOIN channels ch ON ch.id = c.channel_id";

/// The REST shape of listed conversations (their access already checked
/// by the list), in the order given: one query for the rows and one for
/// their labels, whatever the page size.
pub async fn wire_rows(
    conn: &mut SqliteConnection,
    ws: WorkspaceId,
    ids: &[ConversationId],
) -> AppResult<Vec<Conversation>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut qb = QueryBuilder::new(format!("{ROW_SQL} WHERE c.workspace_id = "));
    qb.push_bind(ws).push(" AND c.id IN (");
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")");
    let rows: Vec<ConvRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
    let mut qb = QueryBuilder::new("SELECT conversation_id, label FROM conversation_labels WHERE conversation_id IN (");
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(") ORDER BY label");
    let labels: Vec<(ConversationId, String)> = qb.build_query_as().fetch_all(&mut *conn).await?;
    let mut by_id: std::collections::HashMap<ConversationId, ConvRow> = rows.into_iter().map(|r| (r.id, r)).collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .map(|r| {
            let own = labels.iter().filter(|(c, _)| *c == r.id).map(|(_, l)| l.clone()).collect();
            r.into_wire(own)
        })
        .collect())
}

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
    sqlx::query("UPDATE conversations SET inbox_id = ?, priority = COALESCE(?, priority), spam = COALESCE(?, spam), last_activity_at = CASE WHEN ? THEN ? ELSE last_activity_at END WHERE id = ?")
        .bind(inbox_id)
        .bind(p.priority)
        .bind(p.spam)
        .bind(!changes.is_empty() || p.priority.is_some() || p.spam.is_some())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
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
    save_state(&mut *tx, id, &state).await?;
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
