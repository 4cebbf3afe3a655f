//! Contact types shared by browser and server, with the validation both run.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::ids::{ChannelId, ContactId, ConversationId, InboxId, MessageId};
use crate::messages::model::{ChannelKind, DeliveryStatus, Direction};
use crate::time::Timestamp;

/// A person who writes in. One person is one contact across channels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One of a contact's other addresses or numbers, kept when another
/// contact was merged into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Identity {
    /// `email` or `phone`.
    pub kind: String,
    pub value: String,
}

/// Fields to create a contact, or to change one (absent fields stay).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl ContactInput {
    /// Trims and checks every present field; empty email/phone mean "clear".
    /// Returns the cleaned input or the first invalid field by name.
    pub fn normalized(&self) -> Result<ContactInput, AppError> {
        let name = match &self.name {
            Some(n) if n.trim().chars().count() > 200 => {
                return Err(AppError::invalid("name", "must be at most 200 characters"))
            }
            Some(n) => Some(n.trim().to_string()),
            None => None,
        };
        let email = match &self.email {
            Some(e) if e.trim().is_empty() => Some(String::new()),
            Some(e) => {
                Some(normalize_email(e).ok_or_else(|| AppError::invalid("email", "is not a valid email address"))?)
            }
            None => None,
        };
        let phone = match &self.phone {
            Some(p) if p.trim().is_empty() => Some(String::new()),
            Some(p) => Some(
                normalize_phone(p)
                    .ok_or_else(|| AppError::invalid("phone", "must be an international number, like +15551234567"))?,
            ),
            None => None,
        };
        Ok(ContactInput { name, email, phone })
    }
}

/// A plausible address (`local@domain.tld`), trimmed; `None` if not.
pub fn normalize_email(raw: &str) -> Option<String> {
    let e = raw.trim();
    let (local, domain) = e.rsplit_once('@')?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && e.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
        && !local.contains('@');
    ok.then(|| e.to_string())
}

/// A number in E.164 (`+` and 8 to 15 digits); spaces, dashes, dots and
/// brackets people type are dropped. `None` if it cannot be one.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let t = raw.trim();
    let rest = t.strip_prefix('+')?;
    let digits: String = rest.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let ok = (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0');
    ok.then(|| format!("+{digits}"))
}

/// A message as the contact's timeline shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    /// The conversation's subject, to tell threads apart.
    pub conversation_subject: String,
    pub direction: Direction,
    pub channel_kind: ChannelKind,
    /// The agent or contact who wrote it.
    pub sender_name: String,
    /// The text, cut at [`EXCERPT`] characters (the conversation has it all).
    pub body: String,
    pub delivery_status: Option<DeliveryStatus>,
    pub created_at: Timestamp,
}

/// A page of the timeline and where the next one starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelinePage {
    pub entries: Vec<TimelineEntry>,
    /// `created_at.message_id` of the last entry, when there is more.
    pub next_cursor: Option<String>,
}

/// Characters of each message's text a timeline entry carries.
pub const EXCERPT: i64 = 400;

/// Reads a cursor made by [`TimelinePage::next_cursor`].
pub fn parse_cursor(c: &str) -> Option<(Timestamp, MessageId)> {
    let (t, id) = c.split_once('.')?;
    Some((Timestamp(t.parse().ok()?), MessageId(id.parse().ok()?)))
}

/// A channel a new conversation with a contact could go out on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadChannel {
    pub id: ChannelId,
    pub name: String,
    pub kind: ChannelKind,
    /// Where the new conversation lands.
    pub inbox_id: InboxId,
    /// Why it cannot be used now (no address for it, switched off,
    /// failing); `None` when it can.
    pub problem: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_phones_are_checked_and_tidied() {
        assert_eq!(normalize_email(" Ada@Example.com ").as_deref(), Some("Ada@Example.com"));
        assert_eq!(normalize_email("ada@localhost"), None);
        assert_eq!(normalize_email("not an email"), None);
        assert_eq!(normalize_phone("+1 (555) 123-4567").as_deref(), Some("+15551234567"));
        assert_eq!(normalize_phone("5551234567"), None);
        assert_eq!(normalize_phone("+12"), None);
    }

    #[test]
    fn invalid_fields_are_named() {
        let bad = ContactInput { email: Some("nope".into()), ..Default::default() };
        assert!(matches!(bad.normalized(), Err(AppError::Validation { field, .. }) if field == "email"));
        let bad = ContactInput { phone: Some("12".into()), ..Default::default() };
        assert!(matches!(bad.normalized(), Err(AppError::Validation { field, .. }) if field == "phone"));
    }
}
