//! Inbox types: a queue and its policy (shared/API.md's Inbox body).

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::ids::{InboxId, TeamId, UserId};
use crate::str_enum;

str_enum! {
    /// How new conversations in an inbox get an assignee.
    AssignmentType {
        RoundRobin = "round_robin" / "Round robin",
        LeastBusy = "least_busy" / "Least busy",
        Manual = "manual" / "Manual",
    }
}

/// Who may see an inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Access {
    pub everyone: bool,
    #[serde(default)]
    pub user_ids: Vec<UserId>,
    #[serde(default)]
    pub team_ids: Vec<TeamId>,
}

impl Default for Access {
    fn default() -> Self {
        Self { everyone: true, user_ids: vec![], team_ids: vec![] }
    }
}

/// The inbox's assignment rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentRules {
    #[serde(rename = "type")]
    pub kind: AssignmentType,
    #[serde(default)]
    pub fallback_user_id: Option<UserId>,
    #[serde(default)]
    pub only_available: bool,
}

impl Default for AssignmentRules {
    fn default() -> Self {
        Self { kind: AssignmentType::Manual, fallback_user_id: None, only_available: true }
    }
}

/// One day's opening hours, `HH:MM` to `HH:MM` in the inbox's time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayHours {
    pub start: String,
    pub end: String,
}

/// When the team answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkingHours {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub timezone: String,
    /// Weekday name (`monday` …) to hours; `null` or absent means closed.
    #[serde(default)]
    pub schedule: std::collections::BTreeMap<String, Option<DayHours>>,
    #[serde(default)]
    pub holidays: Vec<String>,
}

/// Conditions on the auto-responder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoResponderConditions {
    #[serde(default)]
    pub outside_working_hours: bool,
}

/// The message sent automatically to a new conversation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoResponder {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub delay_seconds: i64,
    #[serde(default)]
    pub conditions: AutoResponderConditions,
}

/// An inbox as read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inbox {
    pub id: InboxId,
    pub name: String,
    pub description: String,
    pub email: Option<String>,
    pub is_default: bool,
    pub color: String,
    pub icon: String,
    pub default_assignee_id: Option<UserId>,
    pub access: Access,
    pub assignment_rules: AssignmentRules,
    pub working_hours: WorkingHours,
    pub auto_responder: AutoResponder,
    pub outside_hours_message: String,
}

/// The body of `POST`/`PUT /api/v1/inboxes`. Every field but `name` may be
/// left out; on `PUT` left-out fields keep their value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InboxInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub email: Option<String>,
    pub is_default: Option<bool>,
    pub color: Option<String>,
    pub icon: Option<String>,
    #[serde(default, with = "crate::conversations::model::double_option", skip_serializing_if = "Option::is_none")]
    pub default_assignee_id: Option<Option<UserId>>,
    pub access: Option<Access>,
    pub assignment_rules: Option<AssignmentRules>,
    pub working_hours: Option<WorkingHours>,
    pub auto_responder: Option<AutoResponder>,
    pub outside_hours_message: Option<String>,
}

impl InboxInput {
    /// Checks the fields that are present, naming the first bad one.
    pub fn validate(&self) -> Result<(), AppError> {
        if let Some(name) = &self.name {
            let n = name.trim().chars().count();
            if n == 0 || n > 100 {
                return Err(AppError::invalid("name", "must be 1 to 100 characters"));
            }
        }
        if let Some(color) = &self.color {
            let ok = color.len() == 7 && color.starts_with('#') && color[1..].chars().all(|c| c.is_ascii_hexdigit());
            if !ok {
                return Err(AppError::invalid("color", "must be a hex color like #3B82F6"));
            }
        }
        if let Some(Some(email)) = self.email.as_ref().map(|e| (!e.is_empty()).then_some(e)) {
            if crate::contacts::model::normalize_email(email).is_none() {
                return Err(AppError::invalid("email", "is not a valid email address"));
            }
        }
        if let Some(wh) = &self.working_hours {
            for (day, hours) in &wh.schedule {
                const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
                if !DAYS.contains(&day.as_str()) {
                    return Err(AppError::invalid("workingHours.schedule", format!("unknown day {day}")));
                }
                if let Some(h) = hours {
                    if !is_hhmm(&h.start) || !is_hhmm(&h.end) || h.start >= h.end {
                        return Err(AppError::invalid(
                            "workingHours.schedule",
                            format!("{day}: start and end must be HH:MM with start before end"),
                        ));
                    }
                }
            }
        }
        if let Some(wh) = &self.working_hours {
            for h in &wh.holidays {
                let b = h.as_bytes();
                let ok = b.len() == 10
                    && b[4] == b'-'
                    && b[7] == b'-'
                    && h[..4].parse::<u16>().is_ok()
                    && h[5..7].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
                    && h[8..].parse::<u8>().is_ok_and(|d| (1..=31).contains(&d));
                if !ok {
                    return Err(AppError::invalid("workingHours.holidays", format!("{h} is not a YYYY-MM-DD date")));
                }
            }
        }
        if let Some(ar) = &self.auto_responder {
            if ar.delay_seconds < 0 {
                return Err(AppError::invalid("autoResponder.delaySeconds", "must not be negative"));
            }
        }
        Ok(())
    }
}

fn is_hhmm(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && s[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && s[3..].parse::<u8>().is_ok_and(|m| m < 60)
}
