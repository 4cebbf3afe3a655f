//! Reply template types shared by browser and server, and the pure rules:
//! which templates fit a composer, what makes a template valid, and the
//! shortcut picker's matching.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::ids::{TemplateId, UserId};
use crate::messages::model::{ChannelKind, ComposeKind};
use crate::str_enum;
use crate::templates::merge::{unknown_fields, Field};
use crate::time::Timestamp;

str_enum! {
    /// What a template is written for. SMS and WhatsApp (and the website
    /// chat and API channels) carry the same short plain text, so they share
    /// one kind instead of one per channel.
    TemplateKind {
        /// Subject and body.
        Email = "email" / "Email",
        /// Body only: SMS, WhatsApp, website chat, API.
        Text = "text" / "SMS / WhatsApp",
    }
}

// By hand: the enum macro derives no Default; a new template starts as email.
impl Default for TemplateKind {
    fn default() -> Self {
        Self::Email
    }
}

impl TemplateKind {
    /// The kind a reply on this channel takes.
    pub fn for_channel(channel: ChannelKind) -> Self {
        match channel {
            ChannelKind::Email => Self::Email,
            _ => Self::Text,
        }
    }

    /// Whether a template of this kind is offered in a composer writing
    /// `compose` on `channel`: replies take their channel's kind; a note is
    /// staff-only text, so any template may start one.
    pub fn fits(self, channel: ChannelKind, compose: ComposeKind) -> bool {
        compose == ComposeKind::Note || self == Self::for_channel(channel)
    }
}

/// A saved reply template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub id: TemplateId,
    pub name: String,
    /// Without the slash: typed as `/refund` in the composer.
    pub shortcut: String,
    pub kind: TemplateKind,
    /// Email templates only; empty keeps the conversation's "Re: …" subject.
    pub subject: String,
    pub body: String,
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What an admin writes to create or replace a template.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateInput {
    pub name: String,
    /// A leading `/` is allowed and dropped.
    pub shortcut: String,
    pub kind: TemplateKind,
    #[serde(default)]
    pub subject: String,
    pub body: String,
}

/// A template filled for one conversation: the composer's preview, and
/// what Insert puts in its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderedTemplate {
    pub kind: TemplateKind,
    /// Empty for text templates and for email ones without a subject.
    pub subject: String,
    pub body: String,
}

/// Longest shortcut, in characters.
pub const MAX_SHORTCUT: usize = 32;
/// Longest subject, in characters.
pub const MAX_SUBJECT: usize = 200;
/// Longest body, in bytes: a message body's limit (64 KiB), since a
/// template becomes one.
pub const MAX_BODY: usize = 64 * 1024;

/// `"/Refund "` -> `"Refund"`: what is stored and matched.
pub fn clean_shortcut(s: &str) -> String {
    s.trim().trim_start_matches('/').to_string()
}

impl TemplateInput {
    /// Checks every field; the error names the first bad one. Unknown merge
    /// fields are refused here, naming the field and the token, so a typo
    /// is caught by the admin who wrote it, not by a customer reading it.
    pub fn validate(&self) -> Result<(), AppError> {
        let n = self.name.trim().chars().count();
        if n == 0 || n > 100 {
            return Err(AppError::invalid("name", "must be 1 to 100 characters"));
        }
        let s = clean_shortcut(&self.shortcut);
        if s.is_empty() || s.chars().count() > MAX_SHORTCUT {
            return Err(AppError::invalid("shortcut", format!("must be 1 to {MAX_SHORTCUT} characters")));
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(AppError::invalid("shortcut", "may hold only letters, digits, - and _ (no spaces)"));
        }
        if self.kind == TemplateKind::Text && !self.subject.trim().is_empty() {
            return Err(AppError::invalid("subject", "SMS / WhatsApp templates have no subject"));
        }
        if self.subject.chars().count() > MAX_SUBJECT || self.subject.contains('\n') {
            return Err(AppError::invalid("subject", format!("must be one line of at most {MAX_SUBJECT} characters")));
        }
        if self.body.trim().is_empty() {
            return Err(AppError::invalid("body", "must not be empty"));
        }
        if self.body.len() > MAX_BODY {
            return Err(AppError::invalid("body", "must be at most 64 KiB"));
        }
        for (name, text) in [("subject", &self.subject), ("body", &self.body)] {
            if let Some(bad) = unknown_fields(text).first() {
                return Err(AppError::invalid(
                    name,
                    format!("unknown merge field {bad}; known fields are listed under Settings → Templates"),
                ));
            }
        }
        if crate::templates::merge::uses_history(&self.subject) {
            return Err(AppError::invalid("subject", "{{conversation.history}} belongs in the body"));
        }
        Ok(())
    }
}

/// The shortcut typed so far, when the composer's text is a picker query:
/// a `/` at the very start, then shortcut characters only (`"/ref"` ->
/// `Some("ref")`). Anything else (a space, a second line) is free writing.
pub fn picker_query(body: &str) -> Option<&str> {
    let q = body.strip_prefix('/')?;
    q.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_').then_some(q)
}

/// The templates the picker offers for `query` in a composer writing
/// `compose` on `channel`: fitting kinds only, shortcuts starting with the
/// query (any case) before those only containing it, then by shortcut.
pub fn matching<'a>(all: &'a [Template], query: &str, channel: ChannelKind, compose: ComposeKind) -> Vec<&'a Template> {
    let q = query.to_ascii_lowercase();
    let mut out: Vec<(bool, String, &Template)> = all
        .iter()
        .filter(|t| t.kind.fits(channel, compose))
        .filter_map(|t| {
            let s = t.shortcut.to_ascii_lowercase();
            let starts = s.starts_with(&q);
            (starts || s.contains(&q) || t.name.to_ascii_lowercase().contains(&q)).then_some((!starts, s, t))
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out.into_iter().map(|(_, _, t)| t).collect()
}

/// The field list Settings shows as help: `{{token}}` and what it reads.
pub fn field_help() -> Vec<(String, &'static str)> {
    crate::templates::merge::FIELDS
        .iter()
        .filter(|(name, f, _)| !(*f == Field::AgentName && *name == "agent.full_name"))
        .map(|(name, _, what)| (format!("{{{{{name}}}}}"), *what))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::merge::field;

    fn input() -> TemplateInput {
        TemplateInput {
            name: "Refund issued".into(),
            shortcut: "/refund".into(),
            kind: TemplateKind::Email,
            subject: "Your refund for #{{conversation.id}}".into(),
            body: "Hi {{contact.first_name}}, done. {{agent.name}}".into(),
        }
    }

    fn bad(i: TemplateInput) -> (String, String) {
        match i.validate() {
            Err(AppError::Validation { field, message }) => (field, message),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn valid_input_passes_and_each_bad_field_is_named() {
        assert_eq!(input().validate(), Ok(()));
        assert_eq!(bad(TemplateInput { name: " ".into(), ..input() }).0, "name");
        assert_eq!(bad(TemplateInput { shortcut: "/".into(), ..input() }).0, "shortcut");
        assert_eq!(bad(TemplateInput { shortcut: "re fund".into(), ..input() }).0, "shortcut");
        assert_eq!(bad(TemplateInput { shortcut: "x".repeat(33), ..input() }).0, "shortcut");
        assert_eq!(bad(TemplateInput { kind: TemplateKind::Text, ..input() }).0, "subject");
        assert_eq!(bad(TemplateInput { body: "  ".into(), ..input() }).0, "body");
        let (f, m) = bad(TemplateInput { body: "Hi {{contact.nick}}".into(), ..input() });
        assert_eq!(f, "body");
        assert!(m.contains("{{contact.nick}}"), "{m}");
        assert_eq!(bad(TemplateInput { subject: "{{order.id}}".into(), ..input() }).0, "subject");
        assert_eq!(bad(TemplateInput { subject: "{{conversation.history}}".into(), ..input() }).0, "subject");
        assert_eq!(TemplateInput { kind: TemplateKind::Text, subject: String::new(), ..input() }.validate(), Ok(()));
    }

    #[test]
    fn help_lists_only_fields_the_renderer_knows() {
        for (token, _) in field_help() {
            assert!(field(token.trim_matches(|c| c == '{' || c == '}')).is_some(), "{token}");
        }
    }

    fn t(id: i64, shortcut: &str, kind: TemplateKind) -> Template {
        Template {
            id: TemplateId(id),
            name: format!("{shortcut} template"),
            shortcut: shortcut.into(),
            kind,
            subject: String::new(),
            body: "x".into(),
            created_by: None,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
        }
    }

    #[test]
    fn the_picker_reads_a_slash_at_the_start_only() {
        assert_eq!(picker_query("/"), Some(""));
        assert_eq!(picker_query("/ref"), Some("ref"));
        assert_eq!(picker_query("/ref "), None);
        assert_eq!(picker_query("see /ref"), None);
        assert_eq!(picker_query("ref"), None);
    }

    #[test]
    fn the_picker_offers_fitting_templates_prefix_first() {
        use TemplateKind::{Email, Text};
        let all =
            [t(1, "thanks", Email), t(2, "Refund", Email), t(3, "refund-sms", Text), t(4, "partial-refund", Email)];
        let ids = |v: Vec<&Template>| v.iter().map(|t| t.id.0).collect::<Vec<_>>();
        assert_eq!(ids(matching(&all, "ref", ChannelKind::Email, ComposeKind::Reply)), vec![2, 4]);
        assert_eq!(ids(matching(&all, "REF", ChannelKind::Sms, ComposeKind::Reply)), vec![3]);
        assert_eq!(ids(matching(&all, "ref", ChannelKind::Whatsapp, ComposeKind::Note)), vec![2, 3, 4]);
        assert_eq!(ids(matching(&all, "", ChannelKind::Email, ComposeKind::Reply)), vec![4, 2, 1]);
        assert!(matching(&all, "zzz", ChannelKind::Email, ComposeKind::Reply).is_empty());
    }
}
