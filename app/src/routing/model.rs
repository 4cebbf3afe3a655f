//! Routing rules: ordered, first match wins, per workspace. A rule looks
//! at a new conversation's first message and sends it to an inbox
//! (optionally with a priority). Matching is pure so every transport and
//! the "test this rule" box share it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::conversations::model::Priority;
use crate::error::AppError;
use crate::ids::{ChannelId, InboxId, RoutingRuleId, TeamId};

crate::str_enum! {
    /// How the page URL is compared.
    UrlOp {
        Contains = "contains" / "contains",
        StartsWith = "starts_with" / "starts with",
    }
}

/// A condition on the page the widget was opened from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageUrl {
    pub op: UrlOp,
    pub value: String,
}

/// A visitor attribute the snippet passed (`plan = pro`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    pub key: String,
    pub value: String,
}

/// Everything a rule asks of an arrival. Empty parts ask nothing; the
/// parts present must all hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingConditions {
    /// Arrived on one of these channels.
    #[serde(default)]
    pub channel_ids: Vec<ChannelId>,
    #[serde(default)]
    pub page_url: Option<PageUrl>,
    #[serde(default)]
    pub attribute: Option<Attribute>,
    /// Any of these words or phrases in the subject or first message
    /// (case-insensitive, whole words).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The sender's address (`ann@example.com`) or domain (`example.com`).
    #[serde(default)]
    pub senders: Vec<String>,
}

/// A rule as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingRule {
    pub id: RoutingRuleId,
    pub name: String,
    pub position: i64,
    pub enabled: bool,
    pub conditions: RoutingConditions,
    pub inbox_id: InboxId,
    pub team_id: Option<TeamId>,
    pub priority: Option<Priority>,
}

/// The body of create / replace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoutingRuleInput {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub conditions: RoutingConditions,
    pub inbox_id: InboxId,
    #[serde(default)]
    pub team_id: Option<TeamId>,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Where in the order (1 = first); absent puts a new rule last.
    #[serde(default)]
    pub position: Option<i64>,
}

fn yes() -> bool {
    true
}

impl RoutingRuleInput {
    /// Checks the fields, naming the first bad one.
    pub fn validate(&self) -> Result<(), AppError> {
        let n = self.name.trim().chars().count();
        if n == 0 || n > 100 {
            return Err(AppError::invalid("name", "must be 1 to 100 characters"));
        }
        let c = &self.conditions;
        if c.channel_ids.is_empty()
            && c.page_url.is_none()
            && c.attribute.is_none()
            && c.keywords.iter().all(|k| k.trim().is_empty())
            && c.senders.iter().all(|s| s.trim().is_empty())
        {
            return Err(AppError::invalid("conditions", "give at least one condition"));
        }
        if c.page_url.as_ref().is_some_and(|p| p.value.trim().is_empty()) {
            return Err(AppError::invalid("conditions.pageUrl.value", "is required"));
        }
        if c.attribute.as_ref().is_some_and(|a| a.key.trim().is_empty()) {
            return Err(AppError::invalid("conditions.attribute.key", "is required"));
        }
        if c.keywords.len() > 50 || c.senders.len() > 50 {
            return Err(AppError::invalid("conditions.keywords", "at most 50 keywords and 50 senders"));
        }
        if self.position.is_some_and(|p| p < 1) {
            return Err(AppError::invalid("position", "must be 1 or more"));
        }
        Ok(())
    }
}

/// What an arrival offers the rules (and what the test box asks for).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    #[serde(default)]
    pub channel_id: Option<ChannelId>,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub sender: Option<String>,
    #[serde(default)]
    pub page_url: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// Whether `phrase` occurs in `text` as whole words, ignoring case:
/// "refund" matches "Refund!" but not "refunded".
pub fn has_words(text: &str, phrase: &str) -> bool {
    let phrase = phrase.trim().to_lowercase();
    if phrase.is_empty() {
        return false;
    }
    let text = text.to_lowercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    text.match_indices(&phrase)
        .any(|(i, m)| !word(text[..i].chars().next_back()) && !word(text[i + m.len()..].chars().next()))
}

/// Whether the sender is this address, or at this domain (`example.com`
/// or `@example.com`; subdomains count: `mail.example.com`).
pub fn sender_matches(sender: &str, want: &str) -> bool {
    let s = sender.trim().to_lowercase();
    let w = want.trim().trim_start_matches('@').to_lowercase();
    if w.is_empty() {
        return false;
    }
    if w.contains('@') {
        return s == w;
    }
    let domain = s.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
    domain == w || domain.ends_with(&format!(".{w}"))
}

impl RoutingConditions {
    /// Whether an arrival meets every condition this rule has.
    pub fn matches(&self, s: &Sample) -> bool {
        if !self.channel_ids.is_empty() && !s.channel_id.is_some_and(|c| self.channel_ids.contains(&c)) {
            return false;
        }
        if let Some(p) = &self.page_url {
            let url = s.page_url.as_deref().unwrap_or("").to_lowercase();
            let want = p.value.trim().to_lowercase();
            let ok = match p.op {
                UrlOp::Contains => url.contains(&want),
                UrlOp::StartsWith => url.starts_with(&want),
            };
            if !ok || url.is_empty() {
                return false;
            }
        }
        if let Some(a) = &self.attribute {
            let have = s.attributes.iter().find(|(k, _)| k.eq_ignore_ascii_case(a.key.trim())).map(|(_, v)| v);
            if !have.is_some_and(|v| v.trim().eq_ignore_ascii_case(a.value.trim())) {
                return false;
            }
        }
        let keywords: Vec<&String> = self.keywords.iter().filter(|k| !k.trim().is_empty()).collect();
        if !keywords.is_empty() && !keywords.iter().any(|k| has_words(&s.subject, k) || has_words(&s.body, k)) {
            return false;
        }
        let senders: Vec<&String> = self.senders.iter().filter(|k| !k.trim().is_empty()).collect();
        if !senders.is_empty() && !senders.iter().any(|w| s.sender.as_deref().is_some_and(|x| sender_matches(x, w))) {
            return false;
        }
        true
    }
}

/// The first enabled rule (in order) the arrival meets.
pub fn first_match<'a>(rules: &'a [RoutingRule], s: &Sample) -> Option<&'a RoutingRule> {
    let mut ordered: Vec<&RoutingRule> = rules.iter().filter(|r| r.enabled).collect();
    ordered.sort_by_key(|r| (r.position, r.id.0));
    ordered.into_iter().find(|r| r.conditions.matches(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: i64, position: i64, conditions: RoutingConditions) -> RoutingRule {
        RoutingRule {
            id: RoutingRuleId(id),
            name: format!("rule {id}"),
            position,
            enabled: true,
            conditions,
            inbox_id: InboxId(id * 10),
            team_id: None,
            priority: None,
        }
    }

    fn kw(words: &[&str]) -> RoutingConditions {
        RoutingConditions { keywords: words.iter().map(|w| w.to_string()).collect(), ..Default::default() }
    }

    #[test]
    fn keywords_are_whole_words_any_case() {
        assert!(has_words("I want a REFUND!", "refund"));
        assert!(!has_words("I was refunded", "refund"));
        assert!(!has_words("prefund", "refund"));
        assert!(has_words("my credit card was charged", "Credit Card"));
        assert!(has_words("Überweisung fehlt", "überweisung"));
        assert!(!has_words("anything", "  "));
    }

    #[test]
    fn senders_match_address_or_domain() {
        assert!(sender_matches("Ann@Example.com", "ann@example.com"));
        assert!(!sender_matches("bob@example.com", "ann@example.com"));
        assert!(sender_matches("bob@example.com", "example.com"));
        assert!(sender_matches("bob@example.com", "@example.com"));
        assert!(sender_matches("bob@mail.example.com", "example.com"));
        assert!(!sender_matches("bob@notexample.com", "example.com"));
    }

    #[test]
    fn first_enabled_match_in_order_wins() {
        let sample = Sample { subject: "Refund please".into(), body: "invoice 12".into(), ..Default::default() };
        let mut rules = vec![rule(1, 2, kw(&["refund"])), rule(2, 1, kw(&["invoice"])), rule(3, 3, kw(&["nothing"]))];
        assert_eq!(first_match(&rules, &sample).map(|r| r.id.0), Some(2), "position 1 goes first");
        rules[1].enabled = false;
        assert_eq!(first_match(&rules, &sample).map(|r| r.id.0), Some(1), "disabled rules are skipped");
        let other = Sample { subject: "hello".into(), ..Default::default() };
        assert!(first_match(&rules, &other).is_none());
    }

    #[test]
    fn every_present_condition_must_hold() {
        let c = RoutingConditions {
            channel_ids: vec![ChannelId(4)],
            page_url: Some(PageUrl { op: UrlOp::StartsWith, value: "https://shop.example/pricing".into() }),
            attribute: Some(Attribute { key: "plan".into(), value: "Pro".into() }),
            keywords: vec![],
            senders: vec!["example.com".into()],
        };
        let good = Sample {
            channel_id: Some(ChannelId(4)),
            page_url: Some("https://shop.example/pricing?x=1".into()),
            attributes: [("Plan".to_string(), "pro".to_string())].into(),
            sender: Some("ann@example.com".into()),
            ..Default::default()
        };
        assert!(c.matches(&good));
        assert!(!c.matches(&Sample { channel_id: Some(ChannelId(5)), ..good.clone() }));
        assert!(!c.matches(&Sample { page_url: Some("https://shop.example/help".into()), ..good.clone() }));
        assert!(!c.matches(&Sample { page_url: None, ..good.clone() }));
        assert!(!c.matches(&Sample { attributes: BTreeMap::new(), ..good.clone() }));
        assert!(!c.matches(&Sample { sender: Some("ann@other.org".into()), ..good.clone() }));
        let contains = RoutingConditions {
            page_url: Some(PageUrl { op: UrlOp::Contains, value: "/pricing".into() }),
            ..Default::default()
        };
        assert!(contains.matches(&good));
    }

    #[test]
    fn a_rule_needs_a_condition_and_a_name() {
        let input = RoutingRuleInput {
            name: "x".into(),
            enabled: true,
            conditions: RoutingConditions::default(),
            inbox_id: InboxId(1),
            team_id: None,
            priority: None,
            position: None,
        };
        assert_eq!(input.validate().unwrap_err().field(), Some("conditions"));
        let named = RoutingRuleInput { name: " ".into(), conditions: kw(&["a"]), ..input };
        assert_eq!(named.validate().unwrap_err().field(), Some("name"));
    }
}
