//! The automation engine. Two steps, both driven by [`tick`]:
//!
//! 1. **Scan**: read the event log after the engine's cursor, and turn
//!    each event that meets a rule's trigger into a job (a rule run now, or
//!    a timer for later), plus the inbox auto-responder's delayed reply. The
//!    jobs and the cursor move commit together, so an event is planned once
//!    even across restarts and with two processes (the cursor moves by
//!    compare-and-set).
//! 2. **Run**: claim due jobs and run them (`act::run_due`).
//!
//! Every change already writes an event in its own transaction, so no
//! code path has to remember to call the engine.

use std::collections::HashMap;

use serde::Deserialize;

use crate::automations::jobs::{self, JobKind, NewJob};
use crate::automations::model::{Automation, Field, Trigger};
use crate::db::Db;
use crate::error::AppResult;
use crate::ids::{AutomationId, ConversationId, InboxId, WorkspaceId};
use crate::inboxes::model::{AutoResponder, WorkingHours};
use crate::live::model::{EventKind, LiveEvent};
use crate::messages::model::Direction;
use crate::state::AppState;
use crate::time::Timestamp;

/// A chain of rules longer than this is refused: rule A's action may
/// trigger rule B, whose action may trigger C, and no further.
pub const MAX_CHAIN: usize = 3;

/// One pass: plan new events, then run what is due at `now`. Returns the
/// number of jobs run. Tests call this with a chosen `now` (the clock).
pub async fn tick(state: &AppState, now: Timestamp) -> AppResult<usize> {
    while scan(&state.db, now).await? > 0 {}
    crate::automations::act::run_due(state, now).await
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    workspace_id: WorkspaceId,
    conversation_id: Option<ConversationId>,
    payload: String,
    rule_chain: String,
    fields: String,
    created_at: Timestamp,
}

/// What the planner needs to know about one event.
pub struct Seen {
    pub event_id: i64,
    pub conversation: ConversationId,
    pub kind: EventKind,
    pub change: String,
    pub direction: Option<Direction>,
    /// A customer message, or an agent's reply (not automatic).
    pub by_person: bool,
    pub fields: Vec<Field>,
    pub chain: Vec<AutomationId>,
    pub at: Timestamp,
    pub inbox: InboxId,
    pub spam: bool,
}

/// Whether an event meets a non-timer trigger.
pub fn meets(trigger: &Trigger, e: &Seen) -> bool {
    let inbound = e.direction == Some(Direction::Inbound);
    match trigger {
        Trigger::ConversationCreated => e.kind == EventKind::ConversationCreated && inbound,
        Trigger::MessageReceived => {
            matches!(e.kind, EventKind::ConversationCreated | EventKind::MessageCreated) && inbound && e.by_person
        }
        Trigger::MessageSent => {
            e.kind == EventKind::MessageCreated && e.direction == Some(Direction::Outbound) && e.by_person
        }
        Trigger::FieldChanged { field } => e.fields.contains(field),
        // The snooze waker's one event (conversations/server.rs wake_due).
        Trigger::SnoozeEnded => e.kind == EventKind::ConversationUpdated && e.change == "snooze ended",
        Trigger::NoTeamReply { .. } | Trigger::NoContactReply { .. } | Trigger::OpenLongerThan { .. } => false,
    }
}

/// When a timer trigger starts counting for this event, if it does.
pub fn timer_start(trigger: &Trigger, e: &Seen) -> Option<Timestamp> {
    let starts = match trigger {
        Trigger::NoTeamReply { .. } => meets(&Trigger::MessageReceived, e),
        Trigger::NoContactReply { .. } => meets(&Trigger::MessageSent, e),
        Trigger::OpenLongerThan { .. } => e.kind == EventKind::ConversationCreated,
        _ => false,
    };
    starts.then_some(e.at)
}

/// When a timer started at `anchor` comes due.
pub fn due_at(trigger: &Trigger, anchor: Timestamp, hours: &WorkingHours) -> Timestamp {
    match trigger {
        Trigger::NoTeamReply { minutes, working_hours: true } => {
            crate::inboxes::hours::add_working_minutes(hours, anchor, *minutes)
        }
        Trigger::NoTeamReply { minutes, .. } | Trigger::NoContactReply { minutes } => anchor.plus_secs(minutes * 60),
        Trigger::OpenLongerThan { hours } => anchor.plus_secs(hours * 3600),
        _ => anchor,
    }
}

/// The timer payload: when the clock started.
#[derive(Debug, Deserialize, serde::Serialize)]
pub struct TimerPayload {
    pub anchor: Timestamp,
}

/// The rule-run payload: the event and the rules that led to it.
#[derive(Debug, Deserialize, serde::Serialize)]
pub struct RunPayload {
    pub event_id: i64,
    pub message_id: Option<crate::ids::MessageId>,
    pub chain: Vec<AutomationId>,
}

/// Reads up to 200 events past the cursor and plans their jobs; returns
/// how many events it read (0: caught up, or another process has them).
pub async fn scan(db: &Db, now: Timestamp) -> AppResult<usize> {
    let mut tx = db.write().await?;
    let cursor: i64 = sqlx::query_scalar("SELECT last_event_id FROM engine_cursor WHERE name = 'automations'")
        .fetch_optional(&mut *tx)
        .await?
        .unwrap_or(0);
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT id, workspace_id, conversation_id, payload, rule_chain, fields, created_at FROM events
         WHERE id > ? ORDER BY id LIMIT 200",
    )
    .bind(cursor)
    .fetch_all(&mut *tx)
    .await?;
    let Some(last) = rows.last().map(|r| r.id) else { return Ok(0) };
    let mut rules: HashMap<WorkspaceId, Vec<Automation>> = HashMap::new();
    let mut policies: HashMap<InboxId, (WorkingHours, AutoResponder)> = HashMap::new();
    let mut refused: Vec<(AutomationId, String)> = vec![];
    for row in &rows {
        let Some(seen) = seen(row) else { continue };
        if !rules.contains_key(&row.workspace_id) {
            let list = crate::automations::server::list_in(&mut tx, row.workspace_id).await?;
            rules.insert(row.workspace_id, list.into_iter().filter(|a| a.enabled).collect());
        }
        if !policies.contains_key(&seen.inbox) {
            policies.insert(seen.inbox, inbox_policy(&mut tx, seen.inbox).await?);
        }
        let (hours, responder) = &policies[&seen.inbox];
        plan_auto_responder(&mut tx, row.workspace_id, &seen, hours, responder).await?;
        if seen.spam {
            continue;
        }
        for rule in &rules[&row.workspace_id] {
            let now_or_later = meets(&rule.trigger, &seen) || timer_start(&rule.trigger, &seen).is_some();
            if !now_or_later {
                continue;
            }
            if seen.chain.contains(&rule.id) {
                refused.push((rule.id, "Not run: its own action would trigger it again (loop refused)".into()));
                continue;
            }
            if seen.chain.len() >= MAX_CHAIN {
                refused.push((rule.id, format!("Not run: more than {MAX_CHAIN} rules in a chain (loop refused)")));
                continue;
            }
            let job = plan(rule, row.workspace_id, &seen, hours, row);
            jobs::schedule(&mut tx, &job).await?;
        }
    }
    let moved =
        sqlx::query("UPDATE engine_cursor SET last_event_id = ? WHERE name = 'automations' AND last_event_id = ?")
            .bind(last)
            .bind(cursor)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if moved == 0 {
        // Another process planned these events first; drop our plan.
        return Ok(0);
    }
    tx.commit().await?;
    for (id, why) in refused {
        tracing::info!(automation = id.0, "{why}");
        crate::automations::server::record_error(db, id, &why, now).await?;
    }
    Ok(rows.len())
}

fn seen(row: &EventRow) -> Option<Seen> {
    let conversation = row.conversation_id?;
    let e: LiveEvent = serde_json::from_str(&row.payload).ok()?;
    let by_person = e.message.as_ref().is_some_and(|m| match m.direction {
        Direction::Inbound => !m.automatic,
        Direction::Outbound => !m.automatic && m.sender_id.is_some(),
        Direction::Note => false,
    });
    Some(Seen {
        event_id: row.id,
        conversation,
        kind: e.kind,
        change: e.change,
        direction: e.message.as_ref().map(|m| m.direction),
        by_person,
        fields: serde_json::from_str(&row.fields).unwrap_or_default(),
        chain: serde_json::from_str(&row.rule_chain).unwrap_or_default(),
        // A timer counts from the message itself (the event is written a
        // moment later in the same transaction).
        at: e.message.as_ref().map(|m| m.created_at).unwrap_or(row.created_at),
        inbox: e.summary.inbox_id,
        spam: e.summary.spam,
    })
}

fn plan(rule: &Automation, ws: WorkspaceId, seen: &Seen, hours: &WorkingHours, row: &EventRow) -> NewJob {
    let base = NewJob {
        workspace_id: ws,
        kind: JobKind::Rule,
        automation_id: Some(rule.id),
        conversation_id: Some(seen.conversation),
        dedupe: format!("rule:{}:{}", rule.id, row.id),
        due_at: seen.at,
        payload: serde_json::Value::Null,
    };
    match timer_start(&rule.trigger, seen) {
        Some(anchor) => NewJob {
            kind: JobKind::Timer,
            // One pending timer per rule and conversation: the customer has
            // waited since the first unanswered message, not the latest.
            dedupe: format!("timer:{}:{}", rule.id, seen.conversation),
            due_at: due_at(&rule.trigger, anchor, hours),
            payload: serde_json::to_value(TimerPayload { anchor }).unwrap_or_default(),
            ..base
        },
        None => {
            let message_id = serde_json::from_str::<LiveEvent>(&row.payload).ok().and_then(|e| e.message).map(|m| m.id);
            let mut chain = seen.chain.clone();
            chain.push(rule.id);
            NewJob {
                payload: serde_json::to_value(RunPayload { event_id: row.id, message_id, chain }).unwrap_or_default(),
                ..base
            }
        }
    }
}

async fn inbox_policy(conn: &mut sqlx::SqliteConnection, inbox: InboxId) -> AppResult<(WorkingHours, AutoResponder)> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT working_hours, auto_responder FROM inboxes WHERE id = ?")
            .bind(inbox)
            .fetch_optional(conn)
            .await?;
    let (wh, ar) = row.unwrap_or_default();
    Ok((serde_json::from_str(&wh).unwrap_or_default(), serde_json::from_str(&ar).unwrap_or_default()))
}

/// The inbox auto-responder answers a new conversation a customer started
/// (not an automated mail, not spam), after its delay, and when set to
/// "only outside working hours", only if it arrived outside them.
async fn plan_auto_responder(
    conn: &mut sqlx::SqliteConnection,
    ws: WorkspaceId,
    seen: &Seen,
    hours: &WorkingHours,
    responder: &AutoResponder,
) -> AppResult<()> {
    let fresh = seen.kind == EventKind::ConversationCreated && seen.direction == Some(Direction::Inbound);
    if !fresh || !seen.by_person || seen.spam || !responder.enabled || responder.message.trim().is_empty() {
        return Ok(());
    }
    if responder.conditions.outside_working_hours && crate::inboxes::hours::is_open(hours, seen.at) {
        return Ok(());
    }
    jobs::schedule(
        conn,
        &NewJob {
            workspace_id: ws,
            kind: JobKind::AutoResponder,
            automation_id: None,
            conversation_id: Some(seen.conversation),
            dedupe: format!("auto_responder:{}", seen.conversation),
            due_at: seen.at.plus_secs(responder.delay_seconds.max(0)),
            payload: serde_json::Value::Null,
        },
    )
    .await?;
    Ok(())
}
