//! Message types shared by browser and server.

use serde::{Deserialize, Serialize};

use crate::ids::{ContactId, ConversationId, MessageId, UserId};
use crate::str_enum;
use crate::time::Timestamp;

str_enum! {
    /// Who a message is from and for.
    Direction {
        /// From the customer.
        Inbound = "inbound" / "Inbound",
        /// A reply to the customer.
        Outbound = "outbound" / "Reply",
        /// Staff-only; never sent to the customer.
        Note = "note" / "Internal note",
    }
}

str_enum! {
    /// The kind of channel a conversation or message travels on.
    ChannelKind {
        Email = "email" / "Email",
        Sms = "sms" / "SMS",
        Whatsapp = "whatsapp" / "WhatsApp",
        Widget = "widget" / "Website",
        Api = "api" / "API",
        /// Internal notes travel on no channel.
        Note = "note" / "Note",
    }
}

str_enum! {
    /// Where an outgoing message is on its way to the customer.
    DeliveryStatus {
        Queued = "queued" / "Queued",
        Sent = "sent" / "Sent",
        Delivered = "delivered" / "Delivered",
        Read = "read" / "Read",
        Failed = "failed" / "Failed",
    }
}

str_enum! {
    /// What the composer writes: a customer-facing reply or a staff note.
    ComposeKind {
        Reply = "reply" / "Reply",
        Note = "note" / "Note",
    }
}

impl DeliveryStatus {
    /// Whether a provider's report may move a message from `self` to
    /// `next`. Reports arrive out of order (a "delivered" callback can beat
    /// the API's own answer), so statuses only move forward: queued → sent
    /// → delivered → read. A failure ends the attempt; only an agent's
    /// Retry (which resets to queued itself) starts another.
    pub fn may_become(self, next: DeliveryStatus) -> bool {
        use DeliveryStatus::*;
        match (self, next) {
            (Queued, Queued) => false,
            (Queued, _) => true,
            (Sent, Delivered | Read | Failed) => true,
            (Delivered, Read) => true,
            _ => false,
        }
    }
}

impl ChannelKind {
    /// A short tag for lists: plain text, so it needs no icon font or
    /// emoji support and costs nothing to ship.
    pub fn icon(self) -> &'static str {
        match self {
            Self::Email => "@",
            Self::Sms => "SMS",
            Self::Whatsapp => "WA",
            Self::Widget => "WEB",
            Self::Api => "API",
            Self::Note => "N",
        }
    }
}

/// One entry in a conversation (shared/API.md's Message).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub direction: Direction,
    pub channel_kind: ChannelKind,
    pub sender_id: Option<UserId>,
    pub sender_contact_id: Option<ContactId>,
    /// The sender's display name (agent or contact), for the thread.
    pub sender_name: String,
    pub subject: String,
    pub body: String,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    /// Addresses copied on this message (email).
    #[serde(default)]
    pub cc: Vec<String>,
    /// Sent by Parley itself (the channel's auto-reply), not by an agent.
    #[serde(default)]
    pub automatic: bool,
    pub delivery_status: Option<DeliveryStatus>,
    pub failure_reason: Option<String>,
    pub created_at: Timestamp,
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub url: String,
}

/// The largest message body Parley accepts, in bytes (documented in README).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Checks a body an agent or integration wants to add.
pub fn validate_body(body: &str) -> Result<(), crate::error::AppError> {
    if body.trim().is_empty() {
        return Err(crate::error::AppError::invalid("body", "must not be empty"));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(crate::error::AppError::TooLarge {
            message: format!("body: must be at most {} KiB", MAX_BODY_BYTES / 1024),
        });
    }
    Ok(())
}

/// The first line of a body, shortened, for list previews.
pub fn preview_of(body: &str) -> String {
    let line = body.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let mut out: String = line.chars().take(140).collect();
    if line.chars().count() > 140 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::DeliveryStatus::{self, *};

    #[test]
    fn delivery_only_moves_forward() {
        let ok = |a: DeliveryStatus, b: DeliveryStatus| a.may_become(b);
        assert!(ok(Queued, Sent) && ok(Queued, Delivered) && ok(Queued, Failed));
        assert!(ok(Sent, Delivered) && ok(Delivered, Read) && ok(Sent, Failed));
        assert!(!ok(Delivered, Sent), "a late 'sent' does not undo 'delivered'");
        assert!(!ok(Read, Delivered) && !ok(Sent, Queued) && !ok(Queued, Queued));
        assert!(!ok(Delivered, Failed), "a delivered text stays delivered");
        assert!(!ok(Failed, Sent) && !ok(Failed, Delivered), "only Retry restarts a failed reply");
    }
}
