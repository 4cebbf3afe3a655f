//! Conversation types shared by browser and server, and the pure rules that
//! move a conversation between statuses.

use serde::{Deserialize, Serialize};

use crate::ids::{ChannelId, ContactId, ConversationId, InboxId, UserId};
use crate::messages::model::ChannelKind;
use crate::str_enum;
use crate::time::Timestamp;

// The list's views, sorts and filters live in `filter.rs`; re-exported so
// `model` stays the one path for the conversation types callers use.
pub use crate::conversations::filter::{
    count_label, decode_cursor, encode_cursor, thousands, ConversationPage, ListFilter, Sort, View, COUNT_CAP,
};

str_enum! {
    /// Where a conversation stands.
    Status {
        /// Arrived, not handled yet.
        New = "new" / "New",
        /// Being worked.
        Open = "open" / "Open",
        /// Waiting on the customer or someone else.
        Pending = "pending" / "Pending",
        /// Hidden until a time, then back to Open.
        Snoozed = "snoozed" / "Snoozed",
        /// Handled.
        Resolved = "resolved" / "Resolved",
        /// Finished.
        Closed = "closed" / "Closed",
    }
}

str_enum! {
    /// How urgent a conversation is.
    Priority {
        None = "none" / "No priority",
        Low = "low" / "Low",
        Medium = "medium" / "Medium",
        High = "high" / "High",
        Urgent = "urgent" / "Urgent",
    }
}

impl Status {
    /// The statuses the "open" views show: work still to do.
    pub const ACTIVE: &'static [Status] = &[Status::New, Status::Open, Status::Pending];

    /// Whether this status is still work to do.
    pub fn is_active(self) -> bool {
        Self::ACTIVE.contains(&self)
    }
}

/// One row of the conversation list: everything the list shows, loaded by
/// one query with the contact and assignee joined in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    pub id: ConversationId,
    pub inbox_id: InboxId,
    pub inbox_name: String,
    pub channel_id: ChannelId,
    pub channel_kind: ChannelKind,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub subject: String,
    pub preview: String,
    pub status: Status,
    pub priority: Priority,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    pub spam: bool,
    pub unread: bool,
    pub snoozed_until: Option<Timestamp>,
    pub message_count: i64,
    pub created_at: Timestamp,
    pub last_activity_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    /// Its labels, comma-separated (one column keeps the list one query).
    #[cfg_attr(feature = "ssr", sqlx(default))]
    #[serde(default)]
    pub labels: String,
    /// With a search: the matching message and its snippet.
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hit: Option<crate::search::Hit>,
}

impl ConversationSummary {
    /// Its labels as a list.
    pub fn label_list(&self) -> impl Iterator<Item = &str> {
        self.labels.split(',').map(str::trim).filter(|l| !l.is_empty())
    }

    /// Whether it carries `label` (labels compare case-insensitively).
    pub fn has_label(&self, label: &str) -> bool {
        self.label_list().any(|l| l.eq_ignore_ascii_case(label.trim()))
    }
}

/// A conversation as the REST API returns it (shared/API.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub id: ConversationId,
    pub inbox_id: InboxId,
    pub channel_id: ChannelId,
    pub contact_id: ContactId,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub assignee_id: Option<UserId>,
    pub labels: Vec<String>,
    pub spam: bool,
    pub unread: bool,
    pub snoozed_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    pub last_inbound_at: Option<Timestamp>,
    pub last_outbound_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
}

impl Priority {
    /// The rank the priority sort uses (a generated column in SQL).
    pub fn rank(self) -> i64 {
        match self {
            Priority::None => 0,
            Priority::Low => 1,
            Priority::Medium => 2,
            Priority::High => 3,
            Priority::Urgent => 4,
        }
    }
}

/// A change to a conversation's state. `None` leaves a field alone; the
/// double options say "set to nothing" (`Some(None)`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, with = "double_option", skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<Option<UserId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbox_id: Option<InboxId>,
    #[serde(default, with = "double_option", skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<Option<Timestamp>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spam: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<bool>,
}

/// Which conversations a bulk action changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BulkTarget {
    /// The rows the user selected.
    Ids(Vec<ConversationId>),
    /// Everything the filter matches (at most [`BULK_MAX`]).
    Matching(ListFilter),
}

/// The most conversations one bulk action changes.
pub const BULK_MAX: usize = 1000;

/// One conversation a bulk action did not change, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkRefusal {
    pub id: ConversationId,
    pub reason: String,
}

/// What a bulk action did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOutcome {
    pub changed: Vec<ConversationId>,
    pub refused: Vec<BulkRefusal>,
}

impl BulkOutcome {
    /// "3 changed, 1 refused: #12 you may not see that inbox".
    pub fn describe(&self) -> String {
        let mut s = format!("{} changed", self.changed.len());
        if !self.refused.is_empty() {
            let why: Vec<String> = self.refused.iter().take(5).map(|r| format!("#{} {}", r.id, r.reason)).collect();
            s.push_str(&format!(", {} refused: {}", self.refused.len(), why.join("; ")));
            if self.refused.len() > 5 {
                s.push_str(" …");
            }
        }
        s
    }
}

/// Serde helper: a missing field is `None`, an explicit `null` is `Some(None)`.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(v: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(inner) => inner.serialize(s),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}
