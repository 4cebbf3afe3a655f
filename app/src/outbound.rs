//! The provider side of sending: every reply is stored first, then handed
//! to its channel's provider here; the message keeps the outcome.
//!
//! The API channel delivers by being read (`GET .../messages`), so its
//! replies are `sent` at once. Email, SMS and WhatsApp replies are
//! `queued` and go out in the background (SMTP; Twilio's Messages API;
//! Meta's Graph API), each through its kind's adapter. A channel that cannot send (switched off,
//! unconfigured, failing) stores the reply as `failed` with the reason, and
//! the composer showed that reason before anyone typed.

use crate::channels::server::ChannelRow;
use crate::ids::MessageId;
use crate::messages::model::{ChannelKind, DeliveryStatus};
use crate::state::AppState;

/// What happens to a reply when it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub status: DeliveryStatus,
    pub failure_reason: Option<String>,
}

/// The status a new reply on `channel` starts with.
pub fn initial(channel: &ChannelRow) -> Delivery {
    match channel.can_send() {
        Err(reason) => Delivery { status: DeliveryStatus::Failed, failure_reason: Some(reason) },
        Ok(()) if matches!(channel.kind, ChannelKind::Email | ChannelKind::Sms | ChannelKind::Whatsapp) => {
            Delivery { status: DeliveryStatus::Queued, failure_reason: None }
        }
        Ok(()) => Delivery { status: DeliveryStatus::Sent, failure_reason: None },
    }
}

/// Hands a stored, queued reply to its provider in the background. The
/// request that stored it answers at once; the status follows live.
pub fn dispatch(state: &AppState, message: MessageId, status: Option<DeliveryStatus>) {
    if status != Some(DeliveryStatus::Queued) {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = deliver(&state, message).await {
            tracing::error!(error = %e, message = message.0, "delivering a reply failed");
        }
    });
}

/// Starts what a message the Retry action took back waits for: a reply
/// goes to its provider; a customer's file that did not arrive (WhatsApp)
/// is fetched again. One call, so the server function and REST agree.
pub fn dispatch_retry(state: &AppState, m: &crate::messages::model::Message) {
    match m.direction {
        crate::messages::model::Direction::Inbound => crate::whatsapp::media::dispatch(state, vec![m.id]),
        _ => dispatch(state, m.id, m.delivery_status),
    }
}

/// Sends one queued reply through its channel kind's adapter.
async fn deliver(state: &AppState, message: MessageId) -> crate::error::AppResult<()> {
    let kind: Option<ChannelKind> = sqlx::query_scalar("SELECT channel_kind FROM messages WHERE id = ?")
        .bind(message)
        .fetch_optional(&state.db.pool)
        .await?;
    match kind {
        Some(ChannelKind::Email) => crate::email::send::deliver(state, message).await,
        Some(ChannelKind::Sms) => crate::sms::send::deliver(state, message).await,
        Some(ChannelKind::Whatsapp) => crate::whatsapp::send::deliver(state, message).await,
        // Only email, SMS and WhatsApp replies are ever queued (see `initial`).
        Some(other) => {
            tracing::error!(kind = other.as_str(), message = message.0, "a queued reply on a channel that cannot send");
            Ok(())
        }
        None => Ok(()),
    }
}

/// Checks the channel's provider now (SMTP login; Twilio account read;
/// Graph API phone number read)
/// through its kind's adapter and records the health; kinds with nothing
/// to check keep theirs.
pub async fn check_health(state: &AppState, channel: &ChannelRow) -> crate::error::AppResult<()> {
    match channel.kind {
        ChannelKind::Email => crate::email::send::check_health(state, channel).await.map(|_| ()),
        ChannelKind::Sms => crate::sms::send::check_health(state, channel).await.map(|_| ()),
        ChannelKind::Whatsapp => crate::whatsapp::send::check_health(state, channel).await.map(|_| ()),
        _ => Ok(()),
    }
}

/// Sends what was left queued when Parley last stopped.
pub async fn resume(state: &AppState) -> crate::error::AppResult<usize> {
    let queued: Vec<MessageId> =
        sqlx::query_scalar("SELECT id FROM messages WHERE delivery_status = 'queued' ORDER BY id LIMIT 1000")
            .fetch_all(&state.db.pool)
            .await?;
    for id in &queued {
        dispatch(state, *id, Some(DeliveryStatus::Queued));
    }
    Ok(queued.len())
}
