//! The one ingest pipeline: every way a conversation or customer message
//! arrives becomes an [`Inbound`] and goes through `server::ingest`.

#[cfg(feature = "ssr")]
pub mod rejected;
#[cfg(feature = "ssr")]
pub mod server;

use serde::{Deserialize, Serialize};

use crate::contacts::model::ContactInput;
use crate::ids::{ChannelId, ContactId, ConversationId, InboxId};

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
    /// What only some transports carry (email today). Server-side only.
    #[serde(skip)]
    pub extras: Extras,
}

/// Parts of an arrival beyond subject and text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extras {
    /// Sanitized HTML (`cid:` images are pointed at their attachments).
    pub html: Option<String>,
    /// The RFC 5322 Message-ID, bracketed.
    pub message_id: Option<String>,
    /// With `message_id`, what makes a redelivery recognisable.
    pub content_hash: Option<String>,
    /// Addresses copied on the message.
    pub cc: Vec<String>,
    /// The conversation this continues, as the transport's threading found it.
    pub continues: Option<ConversationId>,
    /// With no `continues`: join the contact's open conversation on this
    /// channel, if there is one (SMS keeps one thread per number). Found
    /// after the contact, inside ingest's transaction, so two texts racing
    /// in from a new number still land in one conversation.
    pub join_open: bool,
    /// Days after close/resolve during which `continues` reopens the
    /// conversation; later, a new conversation links back to it.
    pub reopen_window_days: u32,
    /// Machine-written (bounce, auto-submitted): stored as automatic, so
    /// no auto-responder or rule answers it.
    pub automated: bool,
    /// The page the widget was opened from, for routing rules.
    pub page_url: Option<String>,
    /// Visitor attributes the widget snippet passed (plan, language).
    pub attributes: std::collections::BTreeMap<String, String>,
    #[cfg(feature = "ssr")]
    pub attachments: Vec<crate::attachments::server::StoredFile>,
    /// The raw mail, kept in `inbound_mail` in the same transaction.
    #[cfg(feature = "ssr")]
    pub raw: Option<RawMail>,
}

/// A received mail as it came off the wire.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawMail {
    pub transport: &'static str,
    pub mail_from: String,
    pub rcpt_to: String,
    pub bytes: Vec<u8>,
}
