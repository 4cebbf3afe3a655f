//! Where a reply is on its way: the agent's Retry, and providers' reports
//! (sent, delivered, read, failed) moving a message's delivery status,
//! each committed with its event and published live.

use sqlx::SqliteConnection;

use crate::conversations::server::{load, record_event};
use crate::db::Db;
use crate::error::AppResult;
use crate::ids::{ConversationId, MessageId};
use crate::live::model::{EventKind, LiveEvent};
use crate::live::server::Hub;
use crate::messages::model::{DeliveryStatus, Direction, Message};
use crate::messages::server::get;
use crate::outbound;
use crate::users::server::Principal;

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
        // The channel the reply went out on: the one the agent chose, else the conversation's.
        let chosen: Option<crate::ids::ChannelId> =
            sqlx::query_scalar("SELECT channel_id FROM messages WHERE id = ?").bind(mid).fetch_one(&mut *tx).await?;
        let channel = crate::channels::server::get(&mut tx, who.workspace_id, chosen.unwrap_or(row.channel_id)).await?;
        let next = outbound::initial(&channel);
        write_status(&mut tx, mid, next.status, next.failure_reason.as_deref()).await?;
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

/// Sets a message's delivery status and its reason (none unless failed).
async fn write_status(
    conn: &mut SqliteConnection,
    mid: MessageId,
    status: DeliveryStatus,
    reason: Option<&str>,
) -> AppResult<()> {
    sqlx::query("UPDATE messages SET delivery_status = ?, failure_reason = ? WHERE id = ?")
        .bind(status)
        .bind(reason)
        .bind(mid)
        .execute(conn)
        .await?;
    Ok(())
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
    write_status(&mut tx, mid, status, reason).await?;
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
    write_status(&mut *tx, mid, status, reason).await?;
    Ok(Some(ws))
}
