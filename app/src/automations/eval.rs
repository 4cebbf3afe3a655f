//! Condition evaluation: pure, over a snapshot of the conversation taken
//! when the rule runs (not when its event happened, so a timer sees the
//! conversation as it is now).

use crate::automations::model::{Condition, Op, Subject};
use crate::conversations::model::{Priority, Status};
use crate::ids::{InboxId, UserId};
use crate::messages::model::ChannelKind;
use crate::time::Timestamp;

/// What conditions can look at.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub status: Status,
    pub priority: Priority,
    pub assignee_id: Option<UserId>,
    pub inbox_id: InboxId,
    pub channel: ChannelKind,
    pub labels: Vec<String>,
    /// The triggering message's text, else the latest customer message's.
    pub message_text: String,
    pub subject: String,
    pub contact_email: Option<String>,
    pub contact_name: String,
    pub contact_phone: Option<String>,
    pub created_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    pub last_inbound_at: Option<Timestamp>,
    pub last_outbound_at: Option<Timestamp>,
    pub now: Timestamp,
}

fn minutes(from: Timestamp, to: Timestamp) -> i64 {
    (to.0 - from.0).div_euclid(60_000)
}

/// What a subject reads as: text (compared case-insensitively) or a number.
enum Value {
    Text(Option<String>),
    List(Vec<String>),
    Number(Option<i64>),
}

fn value_of(f: &Facts, s: Subject) -> Value {
    use Value::*;
    match s {
        Subject::Status => Text(Some(f.status.as_str().into())),
        Subject::Priority => Text(Some(f.priority.as_str().into())),
        Subject::Assignee => Text(f.assignee_id.map(|u| u.0.to_string())),
        Subject::Inbox => Text(Some(f.inbox_id.0.to_string())),
        Subject::Channel => Text(Some(f.channel.as_str().into())),
        Subject::Label => List(f.labels.clone()),
        Subject::MessageText => Text(Some(f.message_text.clone()).filter(|t| !t.is_empty())),
        Subject::ConversationSubject => Text(Some(f.subject.clone()).filter(|t| !t.is_empty())),
        Subject::ContactEmail => Text(f.contact_email.clone()),
        Subject::ContactName => Text(Some(f.contact_name.clone()).filter(|t| !t.is_empty())),
        Subject::ContactPhone => Text(f.contact_phone.clone()),
        // Not answered yet: the time the customer has waited so far.
        Subject::FirstResponseMinutes => Number(Some(minutes(f.created_at, f.first_response_at.unwrap_or(f.now)))),
        Subject::MinutesSinceInbound => Number(f.last_inbound_at.map(|t| minutes(t, f.now))),
        Subject::MinutesSinceOutbound => Number(f.last_outbound_at.map(|t| minutes(t, f.now))),
    }
}

fn text_test(op: Op, have: &str, want: &str) -> bool {
    let (h, w) = (have.to_lowercase(), want.trim().to_lowercase());
    match op {
        Op::Is => h == w,
        Op::IsNot => h != w,
        Op::Contains => h.contains(&w),
        Op::NotContains => !h.contains(&w),
        Op::StartsWith => h.starts_with(&w),
        // Case-insensitive unless the pattern says otherwise; a pattern
        // that does not compile never matches (it was checked on save).
        Op::Matches => regex::RegexBuilder::new(want)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
            .is_ok_and(|r| r.is_match(have)),
        Op::GreaterThan | Op::LessThan | Op::IsSet | Op::IsNotSet => false,
    }
}

/// Whether one condition holds.
pub fn holds(f: &Facts, c: &Condition) -> bool {
    match (value_of(f, c.subject), c.op) {
        (Value::Text(v), Op::IsSet) => v.is_some(),
        (Value::Text(v), Op::IsNotSet) => v.is_none(),
        (Value::Number(v), Op::IsSet) => v.is_some(),
        (Value::Number(v), Op::IsNotSet) => v.is_none(),
        (Value::List(v), Op::IsSet) => !v.is_empty(),
        (Value::List(v), Op::IsNotSet) => v.is_empty(),
        // "Assignee is <empty>" means unassigned.
        (Value::Text(None), Op::Is) => c.value.trim().is_empty(),
        (Value::Text(None), Op::IsNot) => !c.value.trim().is_empty(),
        (Value::Text(None), Op::NotContains) => true,
        (Value::Text(None), _) => false,
        (Value::Text(Some(v)), op) => text_test(op, &v, &c.value),
        (Value::List(items), Op::IsNot | Op::NotContains) => !items.iter().any(|i| text_test(Op::Is, i, &c.value)),
        (Value::List(items), op) => items.iter().any(|i| text_test(op, i, &c.value)),
        (Value::Number(None), _) => false,
        (Value::Number(Some(n)), op) => {
            let Ok(want) = c.value.trim().parse::<i64>() else { return false };
            match op {
                Op::GreaterThan => n > want,
                Op::LessThan => n < want,
                Op::Is => n == want,
                Op::IsNot => n != want,
                _ => false,
            }
        }
    }
}

/// Whether every condition holds (no conditions: always).
pub fn all_hold(f: &Facts, conditions: &[Condition]) -> bool {
    conditions.iter().all(|c| holds(f, c))
}

/// A regex condition's pattern must compile; the error names the condition.
pub fn check_patterns(conditions: &[Condition]) -> Result<(), crate::error::AppError> {
    for (i, c) in conditions.iter().enumerate() {
        if c.op == Op::Matches {
            if let Err(e) = regex::RegexBuilder::new(&c.value).size_limit(1 << 20).build() {
                return Err(crate::error::AppError::invalid(
                    format!("conditions[{i}].value"),
                    format!("is not a valid regular expression: {e}"),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            status: Status::Open,
            priority: Priority::High,
            assignee_id: None,
            inbox_id: InboxId(2),
            channel: ChannelKind::Email,
            labels: vec!["VIP".into(), "billing".into()],
            message_text: "Please REFUND my order #1234".into(),
            subject: "Refund request".into(),
            contact_email: Some("ann@example.com".into()),
            contact_name: "Ann Lee".into(),
            contact_phone: None,
            created_at: Timestamp(0),
            first_response_at: None,
            last_inbound_at: Some(Timestamp(0)),
            last_outbound_at: None,
            now: Timestamp(200 * 60_000),
        }
    }

    fn c(subject: Subject, op: Op, value: &str) -> Condition {
        Condition { subject, op, value: value.into() }
    }

    #[test]
    fn text_operators_ignore_case() {
        let f = facts();
        assert!(holds(&f, &c(Subject::MessageText, Op::Contains, "refund")));
        assert!(!holds(&f, &c(Subject::MessageText, Op::NotContains, "Refund")));
        assert!(holds(&f, &c(Subject::ConversationSubject, Op::StartsWith, "refund")));
        assert!(!holds(&f, &c(Subject::ConversationSubject, Op::StartsWith, "request")));
        assert!(holds(&f, &c(Subject::Status, Op::Is, "open")));
        assert!(holds(&f, &c(Subject::Priority, Op::IsNot, "low")));
        assert!(holds(&f, &c(Subject::Channel, Op::Is, "email")));
        assert!(holds(&f, &c(Subject::Inbox, Op::Is, "2")));
        assert!(!holds(&f, &c(Subject::Inbox, Op::Is, "3")));
        assert!(holds(&f, &c(Subject::ContactEmail, Op::Contains, "@EXAMPLE.com")));
        assert!(holds(&f, &c(Subject::ContactName, Op::Is, "ann lee")));
    }

    #[test]
    fn regex_matches_and_bad_patterns_never_match() {
        let f = facts();
        assert!(holds(&f, &c(Subject::MessageText, Op::Matches, r"order #\d{4}")));
        assert!(!holds(&f, &c(Subject::MessageText, Op::Matches, r"order #\d{5}")));
        assert!(!holds(&f, &c(Subject::MessageText, Op::Matches, r"(unclosed")));
        assert!(check_patterns(&[c(Subject::MessageText, Op::Matches, "(unclosed")]).is_err());
        assert!(check_patterns(&[c(Subject::MessageText, Op::Matches, "ok+")]).is_ok());
    }

    #[test]
    fn missing_values_and_set_tests() {
        let f = facts();
        assert!(holds(&f, &c(Subject::Assignee, Op::Is, "")));
        assert!(holds(&f, &c(Subject::Assignee, Op::IsNotSet, "")));
        assert!(!holds(&f, &c(Subject::Assignee, Op::Is, "7")));
        assert!(holds(&f, &c(Subject::ContactPhone, Op::IsNotSet, "")));
        assert!(!holds(&f, &c(Subject::ContactPhone, Op::Contains, "555")));
        assert!(holds(&f, &c(Subject::ContactPhone, Op::NotContains, "555")));
        let assigned = Facts { assignee_id: Some(UserId(7)), ..facts() };
        assert!(holds(&assigned, &c(Subject::Assignee, Op::Is, "7")));
        assert!(holds(&assigned, &c(Subject::Assignee, Op::IsSet, "")));
    }

    #[test]
    fn labels_match_any_and_none() {
        let f = facts();
        assert!(holds(&f, &c(Subject::Label, Op::Is, "vip")));
        assert!(!holds(&f, &c(Subject::Label, Op::IsNot, "vip")));
        assert!(holds(&f, &c(Subject::Label, Op::IsNot, "urgent")));
        assert!(holds(&f, &c(Subject::Label, Op::IsSet, "")));
        assert!(!holds(&Facts { labels: vec![], ..facts() }, &c(Subject::Label, Op::IsSet, "")));
    }

    #[test]
    fn time_subjects_are_minutes() {
        let f = facts();
        // Unanswered for 200 minutes: first response is "200 so far".
        assert!(holds(&f, &c(Subject::FirstResponseMinutes, Op::GreaterThan, "180")));
        assert!(!holds(&f, &c(Subject::FirstResponseMinutes, Op::LessThan, "180")));
        let answered = Facts { first_response_at: Some(Timestamp(10 * 60_000)), ..facts() };
        assert!(holds(&answered, &c(Subject::FirstResponseMinutes, Op::LessThan, "11")));
        assert!(holds(&f, &c(Subject::MinutesSinceInbound, Op::GreaterThan, "199")));
        assert!(!holds(&f, &c(Subject::MinutesSinceOutbound, Op::GreaterThan, "0")), "never replied");
        assert!(holds(&f, &c(Subject::MinutesSinceOutbound, Op::IsNotSet, "")));
    }

    #[test]
    fn all_conditions_must_hold() {
        let f = facts();
        assert!(all_hold(&f, &[]));
        let yes = c(Subject::Status, Op::Is, "open");
        let no = c(Subject::Status, Op::Is, "closed");
        assert!(all_hold(&f, std::slice::from_ref(&yes)));
        assert!(!all_hold(&f, &[yes, no]));
    }
}
