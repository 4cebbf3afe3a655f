//! The provider side of sending. Each channel kind's provider takes a
//! stored reply and reports what happened; the message keeps the outcome.
//!
//! Today only the API channel delivers: an integration reads replies with
//! `GET /api/v1/conversations/{id}/messages`, so a stored reply is sent.
//! Email, SMS, WhatsApp and the widget get their providers with their
//! channels; until then a reply on them is stored as `failed` with the
//! reason, and the composer says so before anyone types.

use crate::messages::model::{ChannelKind, DeliveryStatus};

/// What a provider did with a reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub status: DeliveryStatus,
    pub failure_reason: Option<String>,
}

/// Whether a channel kind can deliver replies, and if not, why.
pub fn readiness(kind: ChannelKind) -> Result<(), String> {
    match kind {
        ChannelKind::Api | ChannelKind::Note => Ok(()),
        other => Err(format!("Sending on {} is not set up yet: replies are kept but not delivered.", other.label())),
    }
}

/// Hands a reply to the channel's provider.
pub fn deliver(kind: ChannelKind) -> Delivery {
    match readiness(kind) {
        Ok(()) => Delivery { status: DeliveryStatus::Sent, failure_reason: None },
        Err(reason) => Delivery { status: DeliveryStatus::Failed, failure_reason: Some(reason) },
    }
}
