//! The one merge-field renderer: reply templates, automation messages, the
//! inbox auto-responder and email signatures all fill `{{…}}` fields here.
//! Pure (no I/O), shared by browser and server, unit-tested below.
//!
//! Syntax: `{{contact.first_name}}`; spaces inside the braces are allowed.
//! A field with no value renders empty, unless the field names its own
//! fallback after a bar: `{{contact.first_name|there}}` reads "there" for a
//! contact without a name. A field Parley does not know is left as typed,
//! so a typo shows in the message instead of vanishing; saving a template
//! refuses it ([`unknown_fields`]).

use crate::messages::model::{DeliveryStatus, Direction, Message};

/// A merge field Parley knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    ContactName,
    ContactFirstName,
    ContactLastName,
    ContactEmail,
    ContactPhone,
    AgentName,
    AgentFirstName,
    AgentLastName,
    ConversationId,
    ConversationSubject,
    ConversationHistory,
}

/// Every field with its token (without braces) and what it reads, in the
/// order the Settings help lists them. `agent.full_name` is an older
/// spelling of `agent.name` that signatures used; it stays accepted.
pub const FIELDS: &[(&str, Field, &str)] = &[
    ("contact.name", Field::ContactName, "the contact's full name"),
    ("contact.first_name", Field::ContactFirstName, "the first word of the contact's name"),
    ("contact.last_name", Field::ContactLastName, "the last word of the contact's name"),
    ("contact.email", Field::ContactEmail, "the contact's email address"),
    ("contact.phone", Field::ContactPhone, "the contact's phone number"),
    ("agent.name", Field::AgentName, "the agent's full name (in automations: the assignee)"),
    ("agent.full_name", Field::AgentName, "same as agent.name"),
    ("agent.first_name", Field::AgentFirstName, "the agent's first name"),
    ("agent.last_name", Field::AgentLastName, "the agent's last name"),
    ("conversation.id", Field::ConversationId, "the conversation's number"),
    ("conversation.subject", Field::ConversationSubject, "the conversation's subject"),
    ("conversation.history", Field::ConversationHistory, "the transcript the customer saw, oldest first"),
];

/// The values fields read. Empty strings mean "no value".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeData {
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub agent_name: String,
    /// 0 when there is no conversation (a signature preview).
    pub conversation_id: i64,
    pub conversation_subject: String,
    /// The transcript, already formatted ([`history`]).
    pub history: String,
}

impl MergeData {
    /// Only an agent's name: what a signature can use.
    pub fn agent(name: &str) -> Self {
        Self { agent_name: name.trim().to_string(), ..Default::default() }
    }

    /// The value of one field (empty when there is none).
    pub fn value(&self, f: Field) -> String {
        let (first, last) = split_name(&self.contact_name);
        let (agent_first, agent_last) = split_name(&self.agent_name);
        match f {
            Field::ContactName => self.contact_name.trim().to_string(),
            Field::ContactFirstName => first.to_string(),
            Field::ContactLastName => last.to_string(),
            Field::ContactEmail => self.contact_email.clone(),
            Field::ContactPhone => self.contact_phone.clone(),
            Field::AgentName => self.agent_name.trim().to_string(),
            Field::AgentFirstName => agent_first.to_string(),
            Field::AgentLastName => agent_last.to_string(),
            Field::ConversationId if self.conversation_id > 0 => self.conversation_id.to_string(),
            Field::ConversationId => String::new(),
            Field::ConversationSubject => self.conversation_subject.clone(),
            Field::ConversationHistory => self.history.clone(),
        }
    }
}

/// "Mary Ann Evans" -> ("Mary", "Evans"); "Cher" -> ("Cher", "").
fn split_name(full: &str) -> (&str, &str) {
    let full = full.trim();
    match full.rsplit_once(' ') {
        Some((f, l)) => (f.split(' ').next().unwrap_or(f), l.trim()),
        None => (full, ""),
    }
}

/// The field a token (the text between the braces, before any `|`) names.
pub fn field(token: &str) -> Option<Field> {
    let t = token.trim();
    FIELDS.iter().find(|(name, _, _)| *name == t).map(|(_, f, _)| *f)
}

/// One `{{…}}` in a text: where it is and what it says.
struct Token<'a> {
    start: usize,
    end: usize,
    name: &'a str,
    fallback: Option<&'a str>,
}

/// Every `{{…}}` in order. An opening `{{` with no closing `}}` is text.
fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = vec![];
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| i + from) {
        let Some(close) = text[open + 2..].find("}}").map(|i| i + open + 2) else { break };
        let inner = &text[open + 2..close];
        let (name, fallback) = match inner.split_once('|') {
            Some((n, f)) => (n.trim(), Some(f.trim())),
            None => (inner.trim(), None),
        };
        out.push(Token { start: open, end: close + 2, name, fallback });
        from = close + 2;
    }
    out
}

/// The `{{…}}` fields of `text` Parley does not know, as typed (with
/// braces), each once. Saving a template refuses a text that has any.
pub fn unknown_fields(text: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for t in tokens(text) {
        if field(t.name).is_none() {
            let typed = text[t.start..t.end].to_string();
            if !out.contains(&typed) {
                out.push(typed);
            }
        }
    }
    out
}

/// Whether `text` uses `{{conversation.history}}` (loading the transcript
/// costs a query, so callers skip it when unused).
pub fn uses_history(text: &str) -> bool {
    tokens(text).iter().any(|t| field(t.name) == Some(Field::ConversationHistory))
}

/// Fills every known field of `text` from `d`; see the module's rules.
pub fn render(text: &str, d: &MergeData) -> String {
    render_with(text, d, |_| "")
}

/// Like [`render`], but a field that is empty and names no fallback of its
/// own reads `default(field)`: automations keep their older wording ("Hi
/// there", "the team") this way.
pub fn render_with(text: &str, d: &MergeData, default: impl Fn(Field) -> &'static str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for t in tokens(text) {
        let Some(f) = field(t.name) else { continue };
        out.push_str(&text[at..t.start]);
        let v = d.value(f);
        if !v.is_empty() {
            out.push_str(&v);
        } else {
            out.push_str(t.fallback.unwrap_or_else(|| default(f)));
        }
        at = t.end;
    }
    out.push_str(&text[at..]);
    out
}

/// At most this many messages go into a transcript: the newest ones.
pub const HISTORY_MAX_MESSAGES: usize = 50;
/// Each message's text in a transcript is cut after this many characters.
pub const HISTORY_MAX_CHARS: usize = 2_000;

/// `{{conversation.history}}`: what the customer saw, oldest first — their
/// messages and the team's replies, never internal notes, nor replies that
/// failed to go out. Each entry says who wrote it and when (UTC). Capped at
/// the newest [`HISTORY_MAX_MESSAGES`] messages, each cut at
/// [`HISTORY_MAX_CHARS`], with a line saying how many earlier ones were left out.
pub fn history(messages: &[Message]) -> String {
    let seen: Vec<&Message> = messages
        .iter()
        .filter(|m| m.direction != Direction::Note && m.delivery_status != Some(DeliveryStatus::Failed))
        .collect();
    let skip = seen.len().saturating_sub(HISTORY_MAX_MESSAGES);
    let mut out = String::new();
    if skip > 0 {
        out.push_str(&format!("({skip} earlier messages not shown)\n\n"));
    }
    for m in &seen[skip..] {
        let who = if m.sender_name.trim().is_empty() { "Parley" } else { m.sender_name.trim() };
        let body = m.body.trim();
        let cut: String = body.chars().take(HISTORY_MAX_CHARS).collect();
        let more = if cut.len() < body.len() { " […]" } else { "" };
        out.push_str(&format!(
            "{who} — {} {} UTC:\n{cut}{more}\n\n",
            m.created_at.date_string(),
            m.created_at.time_string()
        ));
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ConversationId, MessageId};
    use crate::messages::model::ChannelKind;
    use crate::time::Timestamp;

    fn data() -> MergeData {
        MergeData {
            contact_name: "Maria de la Garcia".into(),
            contact_email: "maria@example.com".into(),
            contact_phone: "+14155550101".into(),
            agent_name: "Ada Park".into(),
            conversation_id: 42,
            conversation_subject: "Refund".into(),
            history: "Maria: hi".into(),
        }
    }

    #[test]
    fn each_field_fills_in() {
        let d = data();
        let cases = [
            ("{{contact.name}}", "Maria de la Garcia"),
            ("{{contact.first_name}}", "Maria"),
            ("{{contact.last_name}}", "Garcia"),
            ("{{contact.email}}", "maria@example.com"),
            ("{{contact.phone}}", "+14155550101"),
            ("{{agent.name}}", "Ada Park"),
            ("{{agent.full_name}}", "Ada Park"),
            ("{{agent.first_name}}", "Ada"),
            ("{{agent.last_name}}", "Park"),
            ("{{conversation.id}}", "42"),
            ("{{conversation.subject}}", "Refund"),
            ("{{conversation.history}}", "Maria: hi"),
        ];
        for (t, want) in cases {
            assert_eq!(render(&format!("<{t}>"), &d), format!("<{want}>"), "{t}");
        }
        assert_eq!(cases.len(), FIELDS.len(), "a field without a test");
        assert_eq!(render("Hi {{ contact.first_name }}, I'm {{agent.first_name}}.", &d), "Hi Maria, I'm Ada.");
    }

    #[test]
    fn empty_fields_render_empty_or_their_fallback() {
        let d = MergeData::default();
        assert_eq!(render("Hi {{contact.first_name}}!", &d), "Hi !");
        assert_eq!(render("Hi {{contact.first_name|there}}!", &d), "Hi there!");
        assert_eq!(render("Hi {{contact.first_name | there}}!", &data()), "Hi Maria!");
        assert_eq!(render("#{{conversation.id}}", &d), "#");
        assert_eq!(render_with("Hi {{contact.first_name}}", &d, |_| "there"), "Hi there");
        assert_eq!(render_with("Hi {{contact.first_name|you}}", &d, |_| "there"), "Hi you");
    }

    #[test]
    fn unknown_fields_are_named_and_left_as_typed() {
        let t = "Hi {{contact.nickname}}, {{contact.name}} {{ order.id }} {{contact.nickname}} {{ unclosed";
        assert_eq!(unknown_fields(t), vec!["{{contact.nickname}}".to_string(), "{{ order.id }}".to_string()]);
        assert_eq!(
            render(t, &data()),
            "Hi {{contact.nickname}}, Maria de la Garcia {{ order.id }} {{contact.nickname}} {{ unclosed"
        );
        assert!(unknown_fields("Plain {text} and {{agent.name|us}}").is_empty());
    }

    fn msg(id: i64, direction: Direction, who: &str, body: &str, minute: i64) -> Message {
        Message {
            id: MessageId(id),
            conversation_id: ConversationId(1),
            direction,
            channel_kind: ChannelKind::Email,
            sender_id: None,
            sender_contact_id: None,
            sender_name: who.into(),
            subject: String::new(),
            body: body.into(),
            html: None,
            attachments: vec![],
            cc: vec![],
            automatic: false,
            delivery_status: (direction == Direction::Outbound).then_some(DeliveryStatus::Sent),
            failure_reason: None,
            created_at: Timestamp(1_764_000_000_000 + minute * 60_000),
        }
    }

    #[test]
    fn history_is_what_the_customer_saw_oldest_first() {
        let mut failed = msg(4, Direction::Outbound, "Ada Park", "never went out", 3);
        failed.delivery_status = Some(DeliveryStatus::Failed);
        let h = history(&[
            msg(1, Direction::Inbound, "Maria Garcia", "I was charged twice.", 0),
            msg(2, Direction::Note, "Ada Park", "retry bug again", 1),
            msg(3, Direction::Outbound, "Ada Park", "Refund issued.", 2),
            failed,
        ]);
        assert_eq!(h, "Maria Garcia — 2025-11-24 16:00 UTC:\nI was charged twice.\n\nAda Park — 2025-11-24 16:02 UTC:\nRefund issued.");
        assert!(!h.contains("retry bug") && !h.contains("never went out"));
    }

    #[test]
    fn history_keeps_the_newest_messages_and_says_so() {
        let many: Vec<Message> =
            (0..60).map(|i| msg(i, Direction::Inbound, "Maria", &format!("message {i}"), i)).collect();
        let h = history(&many);
        assert!(h.starts_with("(10 earlier messages not shown)"), "{h}");
        assert!(!h.contains("message 9\n") && h.contains("message 10\n") && h.ends_with("message 59"));
        let long = msg(1, Direction::Inbound, "Maria", &"x".repeat(HISTORY_MAX_CHARS + 5), 0);
        assert!(history(&[long]).ends_with(&format!("{} […]", "x".repeat(10))));
    }
}
