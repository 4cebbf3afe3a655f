//! Messages in SQL, and the one send function every reply and note goes
//! through: store first, then hand to the channel's provider.

use sqlx::{FromRow, SqliteConnection};

use crate::conversations::rules;
use crate::conversations::server::{load, record_event, record_event_with, save_state, EventExtra};
use crate::db::Db;
use crate::error::AppResult;
use crate::ids::{ContactId, ConversationId, MessageId, UserId};
use crate::live::model::{EventKind, LiveEvent};
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
    cc: String,
    automatic: bool,
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
            cc: serde_json::from_str(&r.cc).unwrap_or_default(),
            automatic: r.automatic,
            delivery_status: r.delivery_status,
            failure_reason: r.failure_reason,
            created_at: r.created_at,
        }
    }
}

const MESSAGE_SQL: &str = "SELECT m.id, m.conversation_id, m.direction, m.channel_kind, m.sender_user_id,
    m.sender_contact_id, COALESCE(u.name, NULLIF(ct.name, ''), ct.email, ct.phone, '') AS sender_name,
    m.subject, m.body, m.html, m.cc, m.automatic, m.delivery_status, m.failure_reason, m.created_at
  FROM messages m
  LEFT JOIN users u ON u.id = m.sender_user_id
  LEFT JOIN contacts ct ON ct.id = m.sender_contact_id";

/// Every message of a conversation, oldest first (one query).
pub async fn list_for(conn: &mut SqliteConnection, id: ConversationId) -> AppResult<Vec<Message>> {
    let rows: Vec<MessageRow> = sqlx::query_as(&format!("{MESSAGE_SQL} WHERE m.conversation_id = ? ORDER BY m.id"))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut out: Vec<Message> = rows.into_iter().map(Message::from).collect();
    attach_files(conn, &mut out).await?;
    Ok(out)
}

/// Fills in the messages' attachments (one query for all of them).
async fn attach_files(conn: &mut SqliteConnection, msgs: &mut [Message]) -> AppResult<()> {
    let ids: Vec<MessageId> = msgs.iter().map(|m| m.id).collect();
    for (mid, a) in crate::attachments::server::for_messages(conn, &ids).await? {
        if let Some(m) = msgs.iter_mut().find(|m| m.id == mid) {
            m.attachments.push(a);
        }
    }
    Ok(())
}

/// One message by id.
pub async fn get(conn: &mut SqliteConnection, id: MessageId) -> AppResult<Message> {
    let row: MessageRow =
        sqlx::query_as(&format!("{MESSAGE_SQL} WHERE m.id = ?")).bind(id).fetch_one(&mut *conn).await?;
    let mut one = [Message::from(row)];
    attach_files(conn, &mut one).await?;
    let [m] = one;
    Ok(m)
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
    pub html: Option<&'a str>,
    pub message_id: Option<&'a str>,
    pub content_hash: Option<&'a str>,
    pub cc: &'a [String],
    pub automatic: bool,
}

/// Inserts a message and moves the conversation's activity, preview and
/// counters with it. Part of a caller's transaction.
pub async fn insert(conn: &mut SqliteConnection, m: &NewMessage<'_>) -> AppResult<MessageId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (conversation_id, direction, channel_kind, sender_user_id, sender_contact_id, subject,
                               body, delivery_status, failure_reason, provider_message_id, created_at,
                               html, message_id, content_hash, cc, automatic)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
    .bind(m.html)
    .bind(m.message_id)
    .bind(m.content_hash)
    .bind(serde_json::to_string(m.cc).unwrap_or_else(|_| "[]".into()))
    .bind(m.automatic)
    .fetch_one(&mut *conn)
    .await?;
    // Notes do not count as customer-facing activity for inbound/outbound
    // times, and an automatic reply is not the team answering: timers such
    // as "no reply from the team" keep running through it.
    sqlx::query(
        "UPDATE conversations SET preview = ?, last_activity_at = ?, message_count = message_count + 1,
            last_inbound_at = CASE WHEN ? = 'inbound' THEN ? ELSE last_inbound_at END,
            last_outbound_at = CASE WHEN ? = 'outbound' AND NOT ? THEN ? ELSE last_outbound_at END
         WHERE id = ?",
    )
    .bind(preview_of(m.body))
    .bind(m.created_at)
    .bind(m.direction)
    .bind(m.created_at)
    .bind(m.direction)
    .bind(m.automatic)
    .bind(m.created_at)
    .bind(m.conversation_id)
    .execute(&mut *conn)
    .await?;
    Ok(MessageId(id))
}

/// Checks CC addresses an agent typed; the error names the field.
pub fn clean_cc(cc: &[String]) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for raw in cc.iter().flat_map(|c| c.split([',', ';'])) {
        if raw.trim().is_empty() {
            continue;
        }
        let a = crate::contacts::model::normalize_email(raw)
            .ok_or_else(|| {
                crate::error::AppError::invalid("cc", format!("{} is not a valid email address", raw.trim()))
            })?
            .to_ascii_lowercase();
        if !out.contains(&a) {
            out.push(a);
        }
    }
    if out.len() > 20 {
        return Err(crate::error::AppError::invalid("cc", "at most 20 addresses"));
    }
    Ok(out)
}

/// An agent's reply or note: validated, stored with the conversation rules
/// applied (first reply assigns and opens), one event, then published.
/// A reply starts as its channel's provider allows (`queued` for email,
/// `failed` with the reason when the channel cannot send); the caller hands
/// queued ones to [`crate::outbound::dispatch`]. `cc` (email) replaces the
/// conversation's CC list, which later replies keep.
#[allow(clippy::too_many_arguments)]
pub async fn send(
    db: &Db,
    hub: &Hub,
    who: &Principal,
    id: ConversationId,
    kind: ComposeKind,
    body: &str,
    subject: Option<&str>,
    cc: Option<&[String]>,
    attachments: &[i64],
) -> AppResult<Message> {
    validate_body(body)?;
    let cc = cc.map(clean_cc).transpose()?;
    let mut tx = db.write().await?;
    let row = load(&mut tx, who, id).await?;
    let now = Timestamp::now();
    let (direction, channel_kind, delivery) = match kind {
        ComposeKind::Note => (Direction::Note, ChannelKind::Note, None),
        ComposeKind::Reply => {
            let channel = crate::channels::server::get(&mut tx, who.workspace_id, row.channel_id).await?;
            (Direction::Outbound, row.channel_kind, Some(outbound::initial(&channel)))
        }
    };
    let subject = subject.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(&row.subject).to_string();
    let cc_list: Vec<String> = match (kind, &cc) {
        (ComposeKind::Note, _) => vec![],
        (_, Some(list)) => {
            sqlx::query("UPDATE conversations SET cc = ? WHERE id = ?")
                .bind(serde_json::to_string(list).unwrap_or_else(|_| "[]".into()))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            list.clone()
        }
        (_, None) if row.channel_kind == ChannelKind::Email => conversation_cc(&mut tx, id).await?,
        _ => vec![],
    };
    let mid = insert(
        &mut tx,
        &NewMessage {
            conversation_id: id,
            direction,
            channel_kind,
            // An automation writes as the workspace: no user, marked automatic.
            sender_user_id: (!who.is_system()).then_some(who.id),
            sender_contact_id: None,
            subject: &subject,
            body: body.trim_end(),
            delivery_status: delivery.as_ref().map(|d| d.status),
            failure_reason: delivery.as_ref().and_then(|d| d.failure_reason.as_deref()),
            provider_message_id: None,
            created_at: now,
            html: None,
            message_id: None,
            content_hash: None,
            cc: &cc_list,
            automatic: who.is_system() && kind == ComposeKind::Reply,
        },
    )
    .await?;
    crate::attachments::server::attach_uploads(&mut tx, who, mid, attachments).await?;
    let mut change = if kind == ComposeKind::Note { "note added".to_string() } else { "replied".to_string() };
    // A rule's reply is not a first response and assigns nobody.
    if kind == ComposeKind::Reply && !who.is_system() {
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

/// A reply written by the workspace itself (the inbox auto-responder):
/// stored as automatic, from no agent, with an activity line; the caller
/// dispatches it.
pub async fn send_automatic(
    db: &Db,
    hub: &Hub,
    who: &Principal,
    id: ConversationId,
    body: &str,
    activity: &str,
) -> AppResult<Message> {
    validate_body(body)?;
    let mut tx = db.write().await?;
    let row = load(&mut tx, who, id).await?;
    let channel = crate::channels::server::get(&mut tx, who.workspace_id, row.channel_id).await?;
    let delivery = outbound::initial(&channel);
    let subject = if row.channel_kind == ChannelKind::Email {
        crate::email::address::reply_subject(&row.subject)
    } else {
        row.subject.clone()
    };
    let mid = insert(
        &mut tx,
        &NewMessage {
            conversation_id: id,
            direction: Direction::Outbound,
            channel_kind: row.channel_kind,
            sender_user_id: None,
            sender_contact_id: None,
            subject: &subject,
            body: body.trim_end(),
            delivery_status: Some(delivery.status),
            failure_reason: delivery.failure_reason.as_deref(),
            provider_message_id: None,
            created_at: Timestamp::now(),
            html: None,
            message_id: None,
            content_hash: None,
            cc: &[],
            automatic: true,
        },
    )
    .await?;
    let message = get(&mut tx, mid).await?;
    let extra = EventExtra { activity: Some(activity.to_string()), ..Default::default() };
    let event = record_event_with(
        &mut tx,
        EventKind::MessageCreated,
        id,
        None,
        "auto-reply sent".into(),
        Some(message.clone()),
        extra,
    )
    .await?;
    tx.commit().await?;
    hub.publish(who.workspace_id, event);
    Ok(message)
}

/// The addresses a conversation's replies are copied to.
pub async fn conversation_cc(conn: &mut SqliteConnection, id: ConversationId) -> AppResult<Vec<String>> {
    let cc: String = sqlx::query_scalar("SELECT cc FROM conversations WHERE id = ?").bind(id).fetch_one(conn).await?;
    Ok(serde_json::from_str(&cc).unwrap_or_default())
}

/// Puts a failed reply back in the queue (the Retry action). Only a
/// failed outbound message of a conversation `who` may see qualifies, and
/// only when its channel can send now; or a customer's message whose file
/// did not arrive, whose download is queued again.
pub async fn retry(db: &Db, hub: &Hub, who: &Principal, id: ConversationId, mid: MessageId) -> AppResult<Message> {
    let mut tx = db.write().await?;
    let row = load(&mut tx, who, id).await?;
    let m = get(&mut tx, mid).await?;
    if m.conversation_id != id {
        return Err(crate::error::AppError::not_found("message"));
    }
    let change = if m.direction == Direction::Inbound {
        // A customer's file that did not arrive (WhatsApp): fetched again
        // by the caller's `whatsapp::media::dispatch`.
        crate::whatsapp::media::requeue(&mut tx, mid).await?;
        "retrying the file download"
    } else {
        if m.direction != Direction::Outbound || m.delivery_status != Some(DeliveryStatus::Failed) {
            return Err(crate::error::AppError::conflict("only a failed reply can be retried"));
        }
        let channel = crate::channels::server::get(&mut tx, who.workspace_id, row.channel_id).await?;
        let next = outbound::initial(&channel);
        sqlx::query("UPDATE messages SET delivery_status = ?, failure_reason = ? WHERE id = ?")
            .bind(next.status)
            .bind(&next.failure_reason)
            .bind(mid)
            .execute(&mut *tx)
            .await?;
        "retrying delivery"
    };
    let message = get(&mut tx, mid).await?;
    let event =
        record_event(&mut tx, EventKind::MessageUpdated, id, Some(who.id), change.into(), Some(message.clone()))
            .await?;
    tx.commit().await?;
    hub.publish(who.workspace_id, event);
    Ok(message)
}

/// Records a provider's report on a reply and publishes it.
pub async fn set_delivery(
    db: &Db,
    hub: &Hub,
    mid: MessageId,
    status: DeliveryStatus,
    reason: Option<&str>,
) -> AppResult<Message> {
    let mut tx = db.write().await?;
    sqlx::query("UPDATE messages SET delivery_status = ?, failure_reason = ? WHERE id = ?")
        .bind(status)
        .bind(reason)
        .bind(mid)
        .execute(&mut *tx)
        .await?;
    let (ws,): (crate::ids::WorkspaceId,) = sqlx::query_as(
        "SELECT c.workspace_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ?",
    )
    .bind(mid)
    .fetch_one(&mut *tx)
    .await?;
    commit_delivery(tx, hub, ws, mid, status).await
}

/// The end of every delivery change: the message as it now is, its event
/// (committed with the change), then published live.
async fn commit_delivery(
    mut tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    hub: &Hub,
    ws: crate::ids::WorkspaceId,
    mid: MessageId,
    status: DeliveryStatus,
) -> AppResult<Message> {
    let (message, event) = delivery_event(&mut tx, mid, status).await?;
    tx.commit().await?;
    hub.publish(ws, event);
    Ok(message)
}

/// The message as a delivery change left it, and the change's event
/// (recorded in the caller's transaction, published after its commit).
pub async fn delivery_event(
    conn: &mut SqliteConnection,
    mid: MessageId,
    status: DeliveryStatus,
) -> AppResult<(Message, LiveEvent)> {
    let message = get(&mut *conn, mid).await?;
    let change = match status {
        DeliveryStatus::Failed => "delivery failed".to_string(),
        other => format!("delivery {}", other.as_str()),
    };
    let event =
        record_event(conn, EventKind::MessageUpdated, message.conversation_id, None, change, Some(message.clone()))
            .await?;
    Ok((message, event))
}

/// Records a provider's report on a reply only when it moves the status
/// forward ([`DeliveryStatus::may_become`]): reports can arrive out of
/// order, and a late "sent" must not undo "delivered". `provider_id`, when
/// given, is stored either way (the provider's id for this attempt). The
/// updated message when the status moved; `None` for a stale report.
pub async fn advance_delivery(
    db: &Db,
    hub: &Hub,
    mid: MessageId,
    status: DeliveryStatus,
    reason: Option<&str>,
    provider_id: Option<&str>,
) -> AppResult<Option<Message>> {
    // One write transaction: the check and the update cannot interleave
    // with another report on the single writer connection.
    let mut tx = db.write().await?;
    match advance_in(&mut tx, mid, status, reason, provider_id).await? {
        Some(ws) => Ok(Some(commit_delivery(tx, hub, ws, mid, status).await?)),
        None => {
            tx.commit().await?;
            Ok(None)
        }
    }
}

/// [`advance_delivery`] inside the caller's write transaction, for a
/// webhook that carries several reports: the message's workspace when
/// the status moved (the caller then records the change with
/// [`delivery_event`]), `None` for a stale report or an unknown message.
pub async fn advance_in(
    tx: &mut SqliteConnection,
    mid: MessageId,
    status: DeliveryStatus,
    reason: Option<&str>,
    provider_id: Option<&str>,
) -> AppResult<Option<crate::ids::WorkspaceId>> {
    let current: Option<(Option<DeliveryStatus>, crate::ids::WorkspaceId)> = sqlx::query_as(
        "SELECT m.delivery_status, c.workspace_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.id = ?",
    )
    .bind(mid)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((Some(now), ws)) = current else { return Ok(None) };
    if let Some(pid) = provider_id {
        sqlx::query("UPDATE messages SET provider_message_id = ? WHERE id = ?")
            .bind(pid)
            .bind(mid)
            .execute(&mut *tx)
            .await?;
    }
    if !now.may_become(status) {
        return Ok(None);
    }
    sqlx::query("UPDATE messages SET delivery_status = ?, failure_reason = ? WHERE id = ?")
        .bind(status)
        .bind(reason)
        .bind(mid)
        .execute(&mut *tx)
        .await?;
    Ok(Some(ws))
}
