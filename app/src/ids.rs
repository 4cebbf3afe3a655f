//! Newtype ids: a `ConversationId` can never be passed where a `ContactId`
//! is meant. They serialize as plain integers, as the REST contract says.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type))]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", sqlx(transparent))]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )*};
}

id_type! {
    /// One company's installation.
    WorkspaceId,
    /// An agent or admin.
    UserId,
    /// A queue of conversations.
    InboxId,
    /// A connected endpoint (email address, number, widget, API).
    ChannelId,
    /// A person who writes in.
    ContactId,
    /// A thread the team works on.
    ConversationId,
    /// One entry in a conversation.
    MessageId,
    /// One row of the append-only event log; also the live stream's cursor.
    EventId,
    /// A named group of users.
    TeamId,
    /// A file on a message.
    AttachmentId,
    /// A trigger-conditions-actions rule.
    AutomationId,
    /// An ordered rule choosing a new conversation's inbox.
    RoutingRuleId,
    /// A durable timer or deferred piece of work.
    JobId,
    /// A list filter saved under a name.
    SavedViewId,
    /// A reply template (canned response).
    TemplateId,
}
