//! The one ingest pipeline: every way a conversation or customer message
//! arrives becomes an [`Inbound`] and goes through `server::ingest`.

#[cfg(feature = "ssr")]
pub mod server;

use serde::{Deserialize, Serialize};

use crate::contacts::model::ContactInput;
use crate::ids::{ChannelId, ContactId, InboxId};

/// Who wrote the first message of an arrival.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Origin {
    /// The customer, through a channel or an integration.
    Customer {
        /// The provider's id for the message (Message-ID, SID …), used to
        /// store a redelivered message once.
        provider_message_id: Option<String>,
    },
    /// An agent starting a conversation from the inbox.
    Agent,
}

/// Who the conversation is with: a known contact, or details to find or
/// create one by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ContactRef {
    Existing(ContactId),
    Details(ContactInput),
}

/// A message arriving, whatever the transport.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inbound {
    /// The channel it came on; `None` means the workspace's API channel.
    pub channel_id: Option<ChannelId>,
    /// Overrides the channel's default inbox (API and agents may choose).
    pub inbox_id: Option<InboxId>,
    pub contact: ContactRef,
    pub subject: String,
    pub body: String,
    pub origin: Origin,
}
