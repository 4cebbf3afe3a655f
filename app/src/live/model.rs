//! The typed events the live stream carries to browsers, and that the
//! events table stores (so catch-up replays exactly what was sent).

use serde::{Deserialize, Serialize};

use crate::conversations::model::ConversationSummary;
use crate::ids::{ConversationId, EventId, InboxId, UserId};
use crate::messages::model::Message;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "conversation.created")]
    ConversationCreated,
    #[serde(rename = "conversation.updated")]
    ConversationUpdated,
    #[serde(rename = "message.created")]
    MessageCreated,
    /// A message's delivery status changed (queued -> sent / failed).
    #[serde(rename = "message.updated")]
    MessageUpdated,
}

impl EventKind {
    /// The word stored in `events.kind` and sent as `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConversationCreated => "conversation.created",
            Self::ConversationUpdated => "conversation.updated",
            Self::MessageCreated => "message.created",
            Self::MessageUpdated => "message.updated",
        }
    }
}

/// One event on the stream. `summary` is the conversation's list row after
/// the change, so a client can update its list without asking again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveEvent {
    pub id: EventId,
    #[serde(rename = "type")]
    pub kind: EventKind,
    pub conversation_id: ConversationId,
    pub inbox_id: InboxId,
    pub actor_id: Option<UserId>,
    /// What changed, in words for the audit trail ("assigned to Ada").
    pub change: String,
    pub summary: ConversationSummary,
    pub message: Option<Message>,
}
