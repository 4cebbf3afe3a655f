//! Messages in SQL, and the one send function every reply and note goes
//! through: store first, then hand to the channel's provider.

use sqlx::{FromRow, SqliteConnection};

use crate::conversations::rules;
use crate::conversations::server::{load, record_event, save_state};
use crate::db::Db;
use crate::error::AppResult;
use crate::ids::{ContactId, ConversationId, MessageId, UserId};
use crate::live::model::EventKind;
use crate::live::server::Hub;
use crate::messages::model::{preview_of, validate_body, ChannelKind, ComposeKind, DeliveryStatus, Direction, Message};
use crate::outbound;
use crate::time::Timestamp;
use crate::users::server::Principal;

#[derive(FromRow)]
struct MessageRow {
    id: MessageId,
    conversation_id: ConversationId,
    direction: Direction,
    channel_kind: ChannelKind,
    sender_user_id: Option<UserId>,
    sender_contact_id: Option<ContactId>,
    sender_name: String,
    subject: String,
    body: String,
    html: Option<String>,
    delivery_status: Option<DeliveryStatus>,
    failure_reason: Option<String>,
    created_at: Timestamp,
}

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        Message {
            id: r.id,
            conversation_id: r.conversation_id,
            direction: r.direction,
            channel_kind: r.channel_kind,
            sender_id: r.sender_user_id,
            sender_contact_id: r.sender_contact_id,
            sender_name: r.sender_name,
            subject: r.subject,
            body: r.body,
            html: r.html,
            attachments: vec![],
            delivery_status: r.delivery_status,
            failure_reason: r.failure_reason,
            created_at: r.created_at,
        }
    }
}

const MESSAGE_SQL: &str = "SELECT m.id, m.conversation_id, m.direction, m.channel_kind, m.sender_user_id,
    m.sender_contact_id, COALESCE(u.name, NULLIF(ct.name, ''), ct.email, ct.phone, '') AS sender_name,
    m.subject, m.body, m.html, m.delivery_status, m.failure_reason, m.created_at
  FROM messages m
  LEFT JOIN users u ON u.id = m.sender_user_id
  LEFT JOIN contacts ct ON ct.id = m.sender_contact_id";

/// Every message of a conversation, oldest first (one query).
pub async fn list_for(conn: &mut SqliteConnection, id: ConversationId) -> AppResult<Vec<Message>> {
    let rows: Vec<MessageRow> = sqlx::query_as(&format!("{MESSAGE_SQL} WHERE m.conversation_id = ? ORDER BY m.id"))
        .bind(id)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(Message::from).collect())
}

/// One message by id.
pub async fn get(conn: &mut SqliteConnection, id: MessageId) -> AppResult<Message> {
    let row: MessageRow = sqlx::query_as(&format!("{MESSAGE_SQL} WHERE m.id = ?")).bind(id).fetch_one(conn).await?;
    Ok(row.into())
}

/// A message to store.
pub struct NewMessage<'a> {
    pub conversation_id: ConversationId,
    pub direction: Direction,
    pub channel_kind: ChannelKind,
    pub sender_user_id: Option<UserId>,
    pub sender_contact_id: Option<ContactId>,
    pub subject: &'a str,
    pub body: &'a str,
    pub delivery_status: Option<DeliveryStatus>,
    pub failure_reason: Option<&'a str>,
    pub provider_message_id: Option<&'a str>,
    pub created_at: Timestamp,
}

/// Inserts a message and moves the conversation's activity, preview and
/// counters with it. Part of a caller's transaction.
pub async fn insert(conn: &mut SqliteConnection, m: &NewMessage<'_>) -> AppResult<MessageId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (conversation_id, direction, channel_kind, sender_user_id, sender_contact_id, subject,
                               body, delivery_status, failure_reason, provider_message_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(m.conversation_id)
    .bind(m.direction)
    .bind(m.channel_kind)
    .bind(m.sender_user_id)
    .bind(m.sender_contact_id)
    .bind(m.subject)
    .bind(m.body)
    .bind(m.delivery_status)
    .bind(m.failure_reason)
    .bind(m.provider_message_id)
    .bind(m.created_at)
    .fetch_one(&mut *conn)
    .await?;
    // Notes do not count as customer-facing activity for inbound/outbound times.
    sqlx::query(
        "UPDATE conversations SET preview = ?, last_activity_at = ?, message_count = message_count + 1,
            last_inbound_at = CASE WHEN ? = 'inbound' THEN ? ELSE last_inbound_at END,
            last_outbound_at = CASE WHEN ? = 'outbound' THEN ? ELSE last_outbound_at END
         WHERE id = ?",
    )
    .bind(preview_of(m.body))
    .bind(m.created_at)
    .bind(m.direction)
    .bind(m.created_at)
    .bind(m.direction)
    .bind(m.created_at)
    .bind(m.conversation_id)
    .execute(&mut *conn)
    .await?;
    Ok(MessageId(id))
}

/// An agent's reply or note: validated, stored with the conversation rules
/// applied (first reply assigns and opens), one event, then published.
/// A reply goes to the channel's provider; its outcome is stored on the
/// message, so a failure shows with its reason and nothing is lost.
pub async fn send(
    db: &Db,
    hub: &Hub,
    who: &Principal,
    id: ConversationId,
    kind: ComposeKind,
    body: &str,
    subject: Option<&str>,
) -> AppResult<Message> {
    validate_body(body)?;
    let mut tx = db.writer.begin().await?;
    let row = load(&mut tx, who, id).await?;
    let now = Timestamp::now();
    let (direction, channel_kind, delivery) = match kind {
        ComposeKind::Note => (Direction::Note, ChannelKind::Note, None),
        ComposeKind::Reply => (Direction::Outbound, row.channel_kind, Some(outbound::deliver(row.channel_kind))),
    };
    let subject = subject.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(&row.subject).to_string();
    let mid = insert(
        &mut tx,
        &NewMessage {
            conversation_id: id,
            direction,
            channel_kind,
            sender_user_id: Some(who.id),
            sender_contact_id: None,
            subject: &subject,
            body: body.trim_end(),
            delivery_status: delivery.as_ref().map(|d| d.status),
            failure_reason: delivery.as_ref().and_then(|d| d.failure_reason.as_deref()),
            provider_message_id: None,
            created_at: now,
        },
    )
    .await?;
    let mut change = if kind == ComposeKind::Note { "note added".to_string() } else { "replied".to_string() };
    if kind == ComposeKind::Reply {
        let next = rules::agent_replied(&row.state(), who.id, now);
        if next.assignee_id != row.assignee_id {
            change.push_str(", assigned");
        }
        save_state(&mut tx, id, &next).await?;
    }
    let message = get(&mut tx, mid).await?;
    let event =
        record_event(&mut tx, EventKind::MessageCreated, id, Some(who.id), change, Some(message.clone())).await?;
    tx.commit().await?;
    hub.publish(who.workspace_id, event);
    Ok(message)
}
