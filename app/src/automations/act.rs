//! Running due jobs: a rule run checks its conditions against the
//! conversation as it is now and performs its actions through the same
//! functions agents use (as the workspace's system principal, inside the
//! rule's context so events name the rule); a timer first checks it still
//! applies; the inbox auto-responder sends its reply.

use sqlx::SqliteConnection;

use crate::automations::engine::{due_at, RunPayload, TimerPayload};
use crate::automations::eval::{all_hold, Facts};
use crate::automations::jobs::{self, Job, JobKind};
use crate::automations::model::{Action, Automation, Trigger};
use crate::automations::{RuleContext, RULE};
use crate::conversations::model::{ConversationPatch, Status};
use crate::error::{AppError, AppResult};
use crate::ids::{AutomationId, ConversationId, MessageId, WorkspaceId};
use crate::inboxes::model::{AutoResponder, WorkingHours};
use crate::messages::model::ComposeKind;
use crate::messages::server::Compose;
use crate::state::AppState;
use crate::templates::merge::{self, Field};
use crate::time::Timestamp;
use crate::users::server::Principal;

/// What a job asks of the queue afterwards.
enum Outcome {
    Done,
    Later(Timestamp, serde_json::Value),
}

/// Claims and runs every job due by `now` (20 at a time); returns how
/// many ran. A failure is recorded on the job (retried with backoff) and
/// on its rule.
pub async fn run_due(state: &AppState, now: Timestamp) -> AppResult<usize> {
    let mut ran = 0;
    loop {
        let batch = jobs::claim(&state.db, now, 20).await?;
        if batch.is_empty() {
            return Ok(ran);
        }
        for job in batch {
            ran += 1;
            match run_job(state, &job, now).await {
                Ok(Outcome::Done) => jobs::finish(&state.db, job.id, now).await?,
                Ok(Outcome::Later(at, payload)) => {
                    sqlx::query("UPDATE jobs SET payload = ? WHERE id = ?")
                        .bind(payload.to_string())
                        .bind(job.id)
                        .execute(&state.db.writer)
                        .await?;
                    jobs::reschedule(&state.db, job.id, at).await?;
                }
                Err(e) => {
                    let why = describe(&e);
                    let gave_up = jobs::fail(&state.db, &job, now, &why).await?;
                    tracing::warn!(job = job.id.0, gave_up, "job failed: {why}");
                    if let Some(rule) = job.automation_id {
                        let note = if gave_up { format!("{why} (gave up)") } else { format!("{why} (will retry)") };
                        crate::automations::server::record_error(&state.db, rule, &note, now).await?;
                    }
                }
            }
        }
    }
}

fn describe(e: &AppError) -> String {
    match e {
        AppError::Validation { field, message } => format!("{field} {message}"),
        AppError::Conflict { message } | AppError::BadRequest { message } | AppError::TooLarge { message } => {
            message.clone()
        }
        AppError::NotFound { what } => format!("{what} not found"),
        other => format!("{other:?}"),
    }
}

async fn run_job(state: &AppState, job: &Job, now: Timestamp) -> AppResult<Outcome> {
    let Some(conv) = job.conversation_id else { return Ok(Outcome::Done) };
    match job.kind {
        JobKind::AutoResponder => auto_respond(state, job.workspace_id, conv).await.map(|_| Outcome::Done),
        JobKind::Webhook => crate::automations::webhook::deliver(job).await.map(|_| Outcome::Done),
        JobKind::Rule => {
            let Some(rule) = rule_of(state, job).await? else { return Ok(Outcome::Done) };
            let p: RunPayload = serde_json::from_str(&job.payload).map_err(|_| AppError::Internal)?;
            apply(state, &rule, job.workspace_id, conv, p.message_id, p.chain, now).await?;
            Ok(Outcome::Done)
        }
        JobKind::Timer => {
            let Some(rule) = rule_of(state, job).await? else { return Ok(Outcome::Done) };
            let p: TimerPayload = serde_json::from_str(&job.payload).map_err(|_| AppError::Internal)?;
            let mut conn = state.db.pool.acquire().await?;
            let t = timing(&mut conn, conv).await?;
            match timer_verdict(&rule.trigger, p.anchor, &t) {
                Verdict::Drop => Ok(Outcome::Done),
                Verdict::Restart(anchor) => Ok(Outcome::Later(
                    due_at(&rule.trigger, anchor, &t.hours),
                    serde_json::to_value(TimerPayload { anchor }).unwrap_or_default(),
                )),
                Verdict::Fire => {
                    drop(conn);
                    apply(state, &rule, job.workspace_id, conv, None, vec![rule.id], now).await?;
                    Ok(Outcome::Done)
                }
            }
        }
    }
}

async fn rule_of(state: &AppState, job: &Job) -> AppResult<Option<Automation>> {
    let Some(id) = job.automation_id else { return Ok(None) };
    let mut conn = state.db.pool.acquire().await?;
    match crate::automations::server::get_in(&mut conn, job.workspace_id, id).await {
        Ok(a) if a.enabled => Ok(Some(a)),
        Ok(_) | Err(AppError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A conversation's clocks, for deciding whether a timer still applies.
pub struct Timing {
    pub status: Status,
    pub last_inbound_at: Option<Timestamp>,
    pub last_outbound_at: Option<Timestamp>,
    pub hours: WorkingHours,
}

async fn timing(conn: &mut SqliteConnection, conv: ConversationId) -> AppResult<Timing> {
    let (status, inbound, outbound, hours): (Status, Option<Timestamp>, Option<Timestamp>, String) = sqlx::query_as(
        "SELECT c.status, c.last_inbound_at, c.last_outbound_at, i.working_hours
         FROM conversations c JOIN inboxes i ON i.id = c.inbox_id WHERE c.id = ?",
    )
    .bind(conv)
    .fetch_one(conn)
    .await?;
    Ok(Timing {
        status,
        last_inbound_at: inbound,
        last_outbound_at: outbound,
        hours: serde_json::from_str(&hours).unwrap_or_default(),
    })
}

/// What a due timer does.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// The wait ended in time (or the conversation is done): nothing to do.
    Drop,
    /// Answered in time, but a newer message started the clock again.
    Restart(Timestamp),
    /// Nobody answered: run the rule.
    Fire,
}

/// Pure: whether a timer started at `anchor` should fire now.
pub fn timer_verdict(trigger: &Trigger, anchor: Timestamp, t: &Timing) -> Verdict {
    let active = matches!(t.status, Status::New | Status::Open | Status::Pending);
    match trigger {
        Trigger::NoTeamReply { .. } => match (t.last_outbound_at, t.last_inbound_at) {
            _ if !active => Verdict::Drop,
            (Some(out), inb) if out >= anchor => match inb {
                Some(i) if i > out => Verdict::Restart(i),
                _ => Verdict::Drop,
            },
            _ => Verdict::Fire,
        },
        Trigger::NoContactReply { .. } => match (t.last_inbound_at, t.last_outbound_at) {
            _ if matches!(t.status, Status::Closed | Status::Resolved) => Verdict::Drop,
            (Some(inb), out) if inb >= anchor => match out {
                Some(o) if o > inb => Verdict::Restart(o),
                _ => Verdict::Drop,
            },
            _ => Verdict::Fire,
        },
        Trigger::OpenLongerThan { .. } if active => Verdict::Fire,
        _ => Verdict::Drop,
    }
}

/// Checks the rule's conditions now and, when they hold, runs its actions
/// in the rule's context and records the run.
async fn apply(
    state: &AppState,
    rule: &Automation,
    ws: WorkspaceId,
    conv: ConversationId,
    message: Option<MessageId>,
    chain: Vec<AutomationId>,
    now: Timestamp,
) -> AppResult<()> {
    let mut conn = state.db.pool.acquire().await?;
    let Some(f) = facts(&mut conn, conv, message, now).await? else { return Ok(()) };
    drop(conn);
    if !all_hold(&f, &rule.conditions) {
        return Ok(());
    }
    let ctx = RuleContext { name: rule.name.clone(), chain };
    let actions = rule.actions.clone();
    let st = state.clone();
    RULE.scope(ctx, async move {
        for a in &actions {
            perform(&st, ws, conv, a, now).await?;
        }
        Ok::<(), AppError>(())
    })
    .await?;
    let mut conn = state.db.writer.acquire().await?;
    crate::automations::server::record_run(&mut conn, rule.id, conv, now).await
}

/// The conversation as conditions see it; `message` is the triggering
/// message (else the latest customer message).
pub async fn facts(
    conn: &mut SqliteConnection,
    conv: ConversationId,
    message: Option<MessageId>,
    now: Timestamp,
) -> AppResult<Option<Facts>> {
    type Row = (
        Status,
        crate::conversations::model::Priority,
        Option<crate::ids::UserId>,
        crate::ids::InboxId,
        crate::messages::model::ChannelKind,
        String,
        Option<String>,
        String,
        Option<String>,
        Timestamp,
        Option<Timestamp>,
        Option<Timestamp>,
        Option<Timestamp>,
        Option<String>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT c.status, c.priority, c.assignee_id, c.inbox_id, ch.kind, c.subject, ct.email, ct.name, ct.phone,
                c.created_at, c.first_response_at, c.last_inbound_at, c.last_outbound_at,
                (SELECT m.body FROM messages m WHERE m.conversation_id = c.id
                   AND (m.id = ? OR (? IS NULL AND m.direction = 'inbound')) ORDER BY m.id DESC LIMIT 1)
         FROM conversations c JOIN channels ch ON ch.id = c.channel_id JOIN contacts ct ON ct.id = c.contact_id
         WHERE c.id = ?",
    )
    .bind(message)
    .bind(message)
    .bind(conv)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let labels = crate::conversations::server::labels(conn, conv).await?;
    Ok(Some(Facts {
        status: r.0,
        priority: r.1,
        assignee_id: r.2,
        inbox_id: r.3,
        channel: r.4,
        labels,
        message_text: r.13.unwrap_or_default(),
        subject: r.5,
        contact_email: r.6,
        contact_name: r.7,
        contact_phone: r.8,
        created_at: r.9,
        first_response_at: r.10,
        last_inbound_at: r.11,
        last_outbound_at: r.12,
        now,
    }))
}

fn patch_of(a: &Action, now: Timestamp) -> Option<ConversationPatch> {
    let p = ConversationPatch::default();
    Some(match a {
        Action::Assign { user_id: Some(u) } => ConversationPatch { assignee_id: Some(Some(*u)), ..p },
        Action::Unassign => ConversationPatch { assignee_id: Some(None), ..p },
        Action::MoveInbox { inbox_id } => ConversationPatch { inbox_id: Some(*inbox_id), ..p },
        Action::SetStatus { status } => ConversationPatch { status: Some(*status), ..p },
        Action::SetPriority { priority } => ConversationPatch { priority: Some(*priority), ..p },
        Action::MarkSpam => ConversationPatch { spam: Some(true), ..p },
        Action::Snooze { minutes } => ConversationPatch {
            status: Some(Status::Snoozed),
            snoozed_until: Some(Some(now.plus_secs(minutes * 60))),
            ..p
        },
        _ => return None,
    })
}

/// One action, through the functions agents use.
async fn perform(state: &AppState, ws: WorkspaceId, conv: ConversationId, a: &Action, now: Timestamp) -> AppResult<()> {
    let sys = Principal::system(ws);
    let (db, hub) = (&state.db, &state.hub);
    if let Some(p) = patch_of(a, now) {
        crate::conversations::server::patch(db, hub, &sys, conv, &p).await?;
        return Ok(());
    }
    match a {
        Action::Assign { user_id: None } | Action::AssignTeam { .. } => {
            let team = match a {
                Action::AssignTeam { team_id } => Some(*team_id),
                _ => None,
            };
            let mut tx = db.write().await?;
            let inbox: crate::ids::InboxId = sqlx::query_scalar("SELECT inbox_id FROM conversations WHERE id = ?")
                .bind(conv)
                .fetch_one(&mut *tx)
                .await?;
            let picked = crate::inboxes::assign_server::assign_new(&mut tx, ws, inbox, team).await?;
            tx.commit().await?;
            if let Some((user, _, _)) = picked {
                let p = ConversationPatch { assignee_id: Some(Some(user)), ..Default::default() };
                crate::conversations::server::patch(db, hub, &sys, conv, &p).await?;
            }
        }
        Action::AddLabel { label } => crate::conversations::server::set_label(db, hub, &sys, conv, label, true).await?,
        Action::RemoveLabel { label } => {
            crate::conversations::server::set_label(db, hub, &sys, conv, label, false).await?
        }
        Action::AddNote { body } => {
            let text = render(state, conv, body).await?;
            crate::messages::server::send(db, hub, &sys, conv, &Compose::new(ComposeKind::Note, &text)).await?;
        }
        Action::SendReply { body, subject } => {
            let text = render(state, conv, body).await?;
            let subject = render(state, conv, subject).await?;
            let subject = Some(subject.as_str()).filter(|s| !s.trim().is_empty());
            let compose = Compose { subject, ..Compose::new(ComposeKind::Reply, &text) };
            let m = crate::messages::server::send(db, hub, &sys, conv, &compose).await?;
            crate::outbound::dispatch(state, m.id, m.delivery_status);
        }
        Action::Notify { user_id, message } => {
            let text = render(state, conv, message).await?;
            crate::automations::notify::notify(state, ws, conv, *user_id, &text, now).await?;
        }
        Action::Webhook { url, secret } => {
            crate::automations::webhook::enqueue(state, ws, conv, url, secret, now).await?;
        }
        _ => {}
    }
    Ok(())
}

/// A rule's text with its merge fields filled by the one renderer
/// (`templates::merge`). The agent is the conversation's assignee.
async fn render(state: &AppState, conv: ConversationId, text: &str) -> AppResult<String> {
    if !text.contains("{{") {
        return Ok(text.to_string());
    }
    let mut conn = state.db.pool.acquire().await?;
    let assignee: Option<String> =
        sqlx::query_scalar("SELECT u.name FROM conversations c JOIN users u ON u.id = c.assignee_id WHERE c.id = ?")
            .bind(conv)
            .fetch_optional(&mut *conn)
            .await?;
    let data = crate::templates::server::merge_data(
        &mut conn,
        conv,
        assignee.as_deref().unwrap_or(""),
        merge::uses_history(text),
    )
    .await?;
    Ok(merge::render_with(text, &data, automation_default))
}

/// What an empty field reads in a rule's text when the field names no
/// fallback of its own: "Hi there" for a contact without a name, "the
/// team" with no assignee — the wording rule texts were written for.
pub fn automation_default(f: Field) -> &'static str {
    match f {
        Field::ContactFirstName | Field::ContactName => "there",
        Field::AgentName => "the team",
        _ => "",
    }
}

/// The inbox's auto-responder reply, unless the team answered first or
/// it was switched off meanwhile.
async fn auto_respond(state: &AppState, ws: WorkspaceId, conv: ConversationId) -> AppResult<()> {
    let (answered, spam, responder): (bool, bool, String) = sqlx::query_as(
        "SELECT c.last_outbound_at IS NOT NULL, c.spam, i.auto_responder FROM conversations c
         JOIN inboxes i ON i.id = c.inbox_id WHERE c.id = ?",
    )
    .bind(conv)
    .fetch_one(&state.db.pool)
    .await?;
    let responder: AutoResponder = serde_json::from_str(&responder).unwrap_or_default();
    if answered || spam || !responder.enabled || responder.message.trim().is_empty() {
        return Ok(());
    }
    let text = render(state, conv, &responder.message).await?;
    let sys = Principal::system(ws);
    let m =
        crate::messages::server::send_automatic(&state.db, &state.hub, &sys, conv, &text, "Auto-reply sent").await?;
    crate::outbound::dispatch(state, m.id, m.delivery_status);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::merge::MergeData;

    fn t(min: i64) -> Timestamp {
        Timestamp(min * 60_000)
    }

    fn timing(status: Status, inbound: Option<i64>, outbound: Option<i64>) -> Timing {
        Timing {
            status,
            last_inbound_at: inbound.map(t),
            last_outbound_at: outbound.map(t),
            hours: WorkingHours::default(),
        }
    }

    #[test]
    fn no_team_reply_fires_only_when_unanswered() {
        let trig = Trigger::NoTeamReply { minutes: 180, working_hours: false };
        assert_eq!(timer_verdict(&trig, t(0), &timing(Status::Open, Some(0), None)), Verdict::Fire);
        assert_eq!(timer_verdict(&trig, t(0), &timing(Status::Open, Some(0), Some(10))), Verdict::Drop);
        // Replied at 10, customer wrote again at 20: the clock restarts at 20.
        assert_eq!(timer_verdict(&trig, t(0), &timing(Status::Open, Some(20), Some(10))), Verdict::Restart(t(20)));
        assert_eq!(timer_verdict(&trig, t(0), &timing(Status::Closed, Some(0), None)), Verdict::Drop);
        assert_eq!(timer_verdict(&trig, t(5), &timing(Status::Open, Some(5), Some(1))), Verdict::Fire, "old reply");
    }

    #[test]
    fn no_contact_reply_mirrors_it() {
        let trig = Trigger::NoContactReply { minutes: 60 };
        assert_eq!(timer_verdict(&trig, t(0), &timing(Status::Pending, None, Some(0))), Verdict::Fire);
        assert_eq!(timer_verdict(&trig, t(0), &timing(Status::Open, Some(5), Some(0))), Verdict::Drop);
        assert_eq!(timer_verdict(&trig, t(0), &timing(Status::Open, Some(5), Some(9))), Verdict::Restart(t(9)));
        assert_eq!(timer_verdict(&trig, t(0), &timing(Status::Resolved, None, Some(0))), Verdict::Drop);
    }

    #[test]
    fn open_longer_than_needs_an_active_conversation() {
        let trig = Trigger::OpenLongerThan { hours: 24 };
        assert_eq!(timer_verdict(&trig, t(0), &timing(Status::Pending, None, None)), Verdict::Fire);
        assert_eq!(timer_verdict(&trig, t(0), &timing(Status::Snoozed, None, None)), Verdict::Drop);
    }

    #[test]
    fn rule_texts_keep_their_wording_for_empty_fields() {
        let d = MergeData { conversation_id: 42, history: "Ann: hi".into(), ..Default::default() };
        let r = |t: &str| merge::render_with(t, &d, automation_default);
        assert_eq!(
            r("Hi {{contact.first_name}} ({{contact.name}}), #{{conversation.id}} from {{agent.name}}"),
            "Hi there (there), #42 from the team"
        );
        assert_eq!(r("{{conversation.history}} {{contact.phone}} {{contact.nick}}"), "Ann: hi  {{contact.nick}}");
        assert_eq!(r("Hi {{contact.first_name|friend}}"), "Hi friend");
        let named = MergeData { contact_name: "Ann Lee".into(), agent_name: "Ada".into(), ..d };
        assert_eq!(
            merge::render_with("Hi {{contact.first_name}}, {{agent.name}}", &named, automation_default),
            "Hi Ann, Ada"
        );
    }
}
