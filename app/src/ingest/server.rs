//! dedupe -> resolve or create contact -> route -> create conversation ->
//! store message + event in one transaction -> publish.
//!
//! Still to come with their issues: threading into an existing conversation
//! (email), spam checks, routing rules, assignment rules, automations.

use crate::contacts::server as contacts;
use crate::conversations::model::{ConversationSummary, Status};
use crate::conversations::rules::ConvState;
use crate::conversations::server::{record_event, save_state};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{ChannelId, ConversationId, InboxId, UserId};
use crate::ingest::{ContactRef, Inbound, Origin};
use crate::live::model::EventKind;
use crate::live::server::Hub;
use crate::messages::model::{validate_body, ChannelKind, Direction};
use crate::messages::server::{self as messages, NewMessage};
use crate::outbound;
use crate::time::Timestamp;
use crate::users::server::{can_see_inbox, Principal};

/// What ingest did.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub summary: ConversationSummary,
    /// True when the message had been stored before (nothing new written).
    pub duplicate: bool,
}

/// Runs the pipeline for an arrival, acting as `actor` (who must see the
/// target inbox). Everything is written in one transaction.
pub async fn ingest(db: &Db, hub: &Hub, actor: &Principal, inbound: &Inbound) -> AppResult<Ingested> {
    validate_body(&inbound.body)?;
    if inbound.subject.chars().count() > 500 {
        return Err(AppError::invalid("subject", "must be at most 500 characters"));
    }
    let ws = actor.workspace_id;
    let mut tx = db.writer.begin().await?;

    // Dedupe: the same provider message id on the same channel is stored once.
    let (channel_id, channel_kind, channel_inbox) = channel(&mut tx, actor, inbound.channel_id).await?;
    if let Origin::Customer { provider_message_id: Some(pid) } = &inbound.origin {
        let existing: Option<ConversationId> = sqlx::query_scalar(
            "SELECT m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE c.channel_id = ? AND m.provider_message_id = ? LIMIT 1",
        )
        .bind(channel_id)
        .bind(pid)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(cid) = existing {
            let summary = crate::conversations::server::summary(&mut tx, cid).await?;
            return Ok(Ingested { summary, duplicate: true });
        }
    }

    let contact = match &inbound.contact {
        ContactRef::Existing(id) => {
            contacts::get(&mut tx, ws, *id).await.map_err(|_| AppError::invalid("contactId", "no such contact"))?
        }
        ContactRef::Details(d) => contacts::find_or_create(&mut tx, ws, d).await?,
    };

    // Route: the caller's choice, else the channel's inbox.
    let inbox_id = inbound.inbox_id.unwrap_or(channel_inbox);
    let visible = can_see_inbox(&mut tx, actor, inbox_id).await.map_err(|e| match e {
        AppError::NotFound { .. } => AppError::invalid("inboxId", "no such inbox"),
        e => e,
    })?;
    if !visible {
        return Err(AppError::Forbidden);
    }
    let default_assignee: Option<UserId> = sqlx::query_scalar("SELECT default_assignee_id FROM inboxes WHERE id = ?")
        .bind(inbox_id)
        .fetch_one(&mut *tx)
        .await?;

    let now = Timestamp::now();
    let subject = inbound.subject.trim().to_string();
    let conv_id: i64 = sqlx::query_scalar(
        "INSERT INTO conversations (workspace_id, inbox_id, channel_id, contact_id, subject, created_at, last_activity_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(ws)
    .bind(inbox_id)
    .bind(channel_id)
    .bind(contact.id)
    .bind(&subject)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let conv_id = ConversationId(conv_id);

    let (direction, sender_user, sender_contact, state, delivery, pid) = match &inbound.origin {
        Origin::Customer { provider_message_id } => (
            Direction::Inbound,
            None,
            Some(contact.id),
            ConvState::arrived(default_assignee),
            None,
            provider_message_id.as_deref(),
        ),
        Origin::Agent => {
            // An agent starting a conversation owns it and is working it.
            let mut s = ConvState::arrived(Some(actor.id));
            s.status = Status::Open;
            s.unread = false;
            (Direction::Outbound, Some(actor.id), None, s, Some(outbound::deliver(channel_kind)), None)
        }
    };
    save_state(&mut tx, conv_id, &state).await?;
    let mid = messages::insert(
        &mut tx,
        &NewMessage {
            conversation_id: conv_id,
            direction,
            channel_kind,
            sender_user_id: sender_user,
            sender_contact_id: sender_contact,
            subject: &subject,
            body: inbound.body.trim_end(),
            delivery_status: delivery.as_ref().map(|d| d.status),
            failure_reason: delivery.as_ref().and_then(|d| d.failure_reason.as_deref()),
            provider_message_id: pid,
            created_at: now,
        },
    )
    .await?;
    let message = messages::get(&mut tx, mid).await?;
    let event =
        record_event(&mut tx, EventKind::ConversationCreated, conv_id, Some(actor.id), "created".into(), Some(message))
            .await?;
    tx.commit().await?;
    let summary = event.summary.clone();
    hub.publish(ws, event);
    Ok(Ingested { summary, duplicate: false })
}

/// The arrival's channel (or the workspace's API channel): id, kind, inbox.
async fn channel(
    conn: &mut sqlx::SqliteConnection,
    actor: &Principal,
    id: Option<ChannelId>,
) -> AppResult<(ChannelId, ChannelKind, InboxId)> {
    let row: Option<(ChannelId, ChannelKind, InboxId)> =
        match id {
            Some(id) => {
                sqlx::query_as("SELECT id, kind, inbox_id FROM channels WHERE id = ? AND workspace_id = ?")
                    .bind(id)
                    .bind(actor.workspace_id)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            None => sqlx::query_as(
                "SELECT id, kind, inbox_id FROM channels WHERE workspace_id = ? AND kind = 'api' ORDER BY id LIMIT 1",
            )
            .bind(actor.workspace_id)
            .fetch_optional(&mut *conn)
            .await?,
        };
    row.ok_or_else(|| AppError::invalid("channelId", "no such channel"))
}
