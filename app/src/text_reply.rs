//! The send pipeline's common part for channels that message a phone
//! number (SMS, WhatsApp): load a queued reply with what those adapters
//! need, hand it to the kind's one API call, and record the outcome on the
//! message (`sent` with the provider's id, or `failed` with the reason) and
//! on the channel's health. Each adapter keeps only its provider's call.

use crate::channels::model::HealthStatus;
use crate::channels::server::{self as channels, ChannelRow};
use crate::error::{AppError, AppResult};
use crate::ids::{ChannelId, MessageId, WorkspaceId};
use crate::messages::delivery::advance_delivery;
use crate::messages::model::DeliveryStatus;
use crate::state::AppState;

/// A queued reply as the phone adapters read it.
#[derive(sqlx::FromRow)]
pub struct TextReply {
    pub workspace_id: WorkspaceId,
    pub channel_id: ChannelId,
    pub body: String,
    pub delivery_status: Option<DeliveryStatus>,
    pub contact_phone: Option<String>,
    /// Attachments on the reply (neither adapter sends files yet).
    pub files: i64,
}

/// Why a reply did not go out.
pub struct Failure {
    pub reason: String,
    /// The channel's fault (credentials, provider unreachable): the channel
    /// shows as failing in Settings and the composer until a send works.
    pub channel_problem: bool,
}

/// A reply refused before any call, for a reason of the message's own.
pub fn refuse(reason: impl Into<String>) -> Failure {
    Failure { reason: reason.into(), channel_problem: false }
}

/// Sends queued reply `mid` with `send` (the adapter's API call, answering
/// the provider's id for the message). A reply no longer queued (already
/// sent, or retried twice) is left alone.
pub async fn deliver(
    state: &AppState,
    mid: MessageId,
    send: impl AsyncFnOnce(&ChannelRow, &TextReply) -> Result<String, Failure>,
) -> AppResult<()> {
    let db = &state.db;
    let o: TextReply = sqlx::query_as(
        "SELECT c.workspace_id, COALESCE(m.channel_id, c.channel_id) AS channel_id, m.body, m.delivery_status, ct.phone AS contact_phone,
                (SELECT COUNT(*) FROM attachments a WHERE a.message_id = m.id) AS files
         FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id
         WHERE m.id = ?",
    )
    .bind(mid)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| AppError::not_found("message"))?;
    if o.delivery_status != Some(DeliveryStatus::Queued) {
        return Ok(());
    }
    let mut conn = db.pool.acquire().await?;
    let channel = channels::get(&mut conn, o.workspace_id, o.channel_id).await?;
    drop(conn);
    match send(&channel, &o).await {
        Ok(provider_id) => {
            advance_delivery(db, &state.hub, mid, DeliveryStatus::Sent, None, Some(&provider_id)).await?;
            if channel.health_status != HealthStatus::Ok {
                channels::set_health(db, channel.id, HealthStatus::Ok, None).await?;
            }
        }
        Err(f) => {
            advance_delivery(db, &state.hub, mid, DeliveryStatus::Failed, Some(&f.reason), None).await?;
            if f.channel_problem {
                channels::set_health(db, channel.id, HealthStatus::Failing, Some(&f.reason)).await?;
            }
        }
    }
    Ok(())
}
