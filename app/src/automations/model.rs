//! Automations as admins write them: a trigger, conditions that must all
//! hold, and actions run in order. Shared by the Settings UI, the REST API
//! and the engine; stored as JSON documents.

use serde::{Deserialize, Serialize};

use crate::conversations::model::{Priority, Status};
use crate::error::AppError;
use crate::ids::{AutomationId, ConversationId, InboxId, TeamId, UserId};
use crate::time::Timestamp;

/// When a rule is considered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Trigger {
    ConversationCreated,
    /// A customer's message arrived (new or continuing conversation).
    MessageReceived,
    /// An agent's reply (not a note, not an automatic message) was stored.
    MessageSent,
    /// Someone (or a rule) changed this field.
    FieldChanged {
        field: Field,
    },
    /// The customer's latest message is unanswered for this long.
    NoTeamReply {
        minutes: i64,
        /// Count only the inbox's working hours.
        #[serde(default, rename = "workingHours")]
        working_hours: bool,
    },
    /// The team's latest reply is unanswered by the customer for this long.
    NoContactReply {
        minutes: i64,
    },
    /// A snoozed conversation's time came.
    SnoozeEnded,
    /// Still new, open or pending this long after it was created.
    OpenLongerThan {
        hours: i64,
    },
}

impl Trigger {
    /// Timers are scheduled as jobs; the others run when their event is read.
    pub fn is_timer(&self) -> bool {
        matches!(self, Self::NoTeamReply { .. } | Self::NoContactReply { .. } | Self::OpenLongerThan { .. })
    }

    /// Words for Settings ("No reply from the team for 180 minutes").
    pub fn describe(&self) -> String {
        match self {
            Self::ConversationCreated => "Conversation created".into(),
            Self::MessageReceived => "Message received".into(),
            Self::MessageSent => "Message sent".into(),
            Self::FieldChanged { field } => format!("{} changed", field.label()),
            Self::NoTeamReply { minutes, working_hours } => format!(
                "No reply from the team for {minutes} minutes{}",
                if *working_hours { " (working hours)" } else { "" }
            ),
            Self::NoContactReply { minutes } => format!("No reply from the contact for {minutes} minutes"),
            Self::SnoozeEnded => "Snoozed time reached".into(),
            Self::OpenLongerThan { hours } => format!("Open longer than {hours} hours"),
        }
    }
}

crate::str_enum! {
    /// A conversation field a trigger watches.
    Field {
        Status = "status" / "Status",
        Assignee = "assignee" / "Assignee",
        Inbox = "inbox" / "Inbox",
        Priority = "priority" / "Priority",
        Label = "label" / "Label",
    }
}

crate::str_enum! {
    /// What a condition looks at.
    Subject {
        Status = "status" / "Status",
        Priority = "priority" / "Priority",
        Assignee = "assignee" / "Assignee (user id, empty = nobody)",
        Inbox = "inbox" / "Inbox (id)",
        Channel = "channel" / "Channel (email, sms, whatsapp, widget, api)",
        Label = "label" / "Label",
        MessageText = "message_text" / "Message text",
        ConversationSubject = "subject" / "Subject",
        ContactEmail = "contact_email" / "Contact email",
        ContactName = "contact_name" / "Contact name",
        ContactPhone = "contact_phone" / "Contact phone",
        FirstResponseMinutes = "first_response_minutes" / "Minutes to first response",
        MinutesSinceInbound = "minutes_since_inbound" / "Minutes since the last customer message",
        MinutesSinceOutbound = "minutes_since_outbound" / "Minutes since the last team reply",
    }
}

crate::str_enum! {
    /// How a condition compares.
    Op {
        Is = "is" / "is",
        IsNot = "is_not" / "is not",
        Contains = "contains" / "contains",
        NotContains = "not_contains" / "does not contain",
        StartsWith = "starts_with" / "starts with",
        Matches = "matches" / "matches regex",
        GreaterThan = "greater_than" / "is more than",
        LessThan = "less_than" / "is less than",
        IsSet = "is_set" / "is set",
        IsNotSet = "is_not_set" / "is not set",
    }
}

/// One test on the conversation; all of a rule's conditions must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub subject: Subject,
    pub op: Op,
    #[serde(default)]
    pub value: String,
}

/// What a rule does, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Assign a user, or (no user) whoever the inbox's assignment rule picks.
    Assign {
        #[serde(default, rename = "userId")]
        user_id: Option<UserId>,
    },
    /// Whoever the inbox's rule picks among this team's members.
    AssignTeam {
        #[serde(rename = "teamId")]
        team_id: TeamId,
    },
    Unassign,
    MoveInbox {
        #[serde(rename = "inboxId")]
        inbox_id: InboxId,
    },
    SetStatus {
        status: Status,
    },
    SetPriority {
        priority: Priority,
    },
    AddLabel {
        label: String,
    },
    RemoveLabel {
        label: String,
    },
    MarkSpam,
    AddNote {
        body: String,
    },
    /// A reply to the customer on the conversation's channel; merge fields
    /// `{{contact.first_name}}`, `{{contact.name}}`, `{{conversation.id}}`.
    SendReply {
        body: String,
        #[serde(default)]
        subject: String,
    },
    Snooze {
        minutes: i64,
    },
    /// Tell a user, or (no user) the inbox's admins, in Parley.
    Notify {
        #[serde(default, rename = "userId")]
        user_id: Option<UserId>,
        message: String,
    },
    /// POST the conversation as JSON to a URL, signed with the secret
    /// (`X-Parley-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`),
    /// retried with backoff until it answers 2xx.
    Webhook {
        url: String,
        #[serde(default)]
        secret: String,
    },
}

impl Action {
    /// Words for Settings and for activity lines.
    pub fn describe(&self) -> String {
        match self {
            Self::Assign { user_id: Some(u) } => format!("assign user #{}", u.0),
            Self::Assign { user_id: None } => "assign by the inbox's rule".into(),
            Self::AssignTeam { team_id } => format!("assign within team #{}", team_id.0),
            Self::Unassign => "unassign".into(),
            Self::MoveInbox { inbox_id } => format!("move to inbox #{}", inbox_id.0),
            Self::SetStatus { status } => format!("set status {}", status.label()),
            Self::SetPriority { priority } => format!("set priority {}", priority.label()),
            Self::AddLabel { label } => format!("add label {label}"),
            Self::RemoveLabel { label } => format!("remove label {label}"),
            Self::MarkSpam => "mark spam".into(),
            Self::AddNote { .. } => "add an internal note".into(),
            Self::SendReply { .. } => "send a reply".into(),
            Self::Snooze { minutes } => format!("snooze {minutes} minutes"),
            Self::Notify { user_id: Some(u), .. } => format!("notify user #{}", u.0),
            Self::Notify { user_id: None, .. } => "notify the inbox's admins".into(),
            Self::Webhook { url, .. } => format!("call {url}"),
        }
    }
}

/// An automation as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Automation {
    pub id: AutomationId,
    pub name: String,
    pub enabled: bool,
    pub trigger: Trigger,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    /// The recipe it was made from, if any.
    pub recipe: Option<String>,
    pub run_count: i64,
    pub last_run_at: Option<Timestamp>,
    pub last_conversation_id: Option<ConversationId>,
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
}

/// The body of create / replace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AutomationInput {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub trigger: Trigger,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    #[serde(default)]
    pub recipe: Option<String>,
}

fn yes() -> bool {
    true
}

impl AutomationInput {
    /// Checks what serde cannot, naming the field.
    pub fn validate(&self) -> Result<(), AppError> {
        let n = self.name.trim().chars().count();
        if n == 0 || n > 100 {
            return Err(AppError::invalid("name", "must be 1 to 100 characters"));
        }
        match &self.trigger {
            Trigger::NoTeamReply { minutes, .. } | Trigger::NoContactReply { minutes } if *minutes < 1 => {
                return Err(AppError::invalid("trigger.minutes", "must be at least 1"))
            }
            Trigger::OpenLongerThan { hours } if *hours < 1 => {
                return Err(AppError::invalid("trigger.hours", "must be at least 1"))
            }
            _ => {}
        }
        if self.actions.is_empty() {
            return Err(AppError::invalid("actions", "add at least one action"));
        }
        if self.actions.len() > 20 || self.conditions.len() > 20 {
            return Err(AppError::invalid("actions", "at most 20 conditions and 20 actions"));
        }
        for (i, c) in self.conditions.iter().enumerate() {
            let numeric = matches!(
                c.subject,
                Subject::FirstResponseMinutes | Subject::MinutesSinceInbound | Subject::MinutesSinceOutbound
            );
            let needs_value = !matches!(c.op, Op::IsSet | Op::IsNotSet);
            if numeric && matches!(c.op, Op::GreaterThan | Op::LessThan) && c.value.trim().parse::<i64>().is_err() {
                return Err(AppError::invalid(format!("conditions[{i}].value"), "must be a whole number"));
            }
            if needs_value && c.value.trim().is_empty() && !matches!(c.subject, Subject::Assignee) {
                return Err(AppError::invalid(format!("conditions[{i}].value"), "is required"));
            }
        }
        for (i, a) in self.actions.iter().enumerate() {
            let bad = match a {
                Action::AddLabel { label } | Action::RemoveLabel { label } => {
                    label.trim().is_empty() || label.chars().count() > 50
                }
                Action::AddNote { body } | Action::SendReply { body, .. } | Action::Notify { message: body, .. } => {
                    body.trim().is_empty()
                }
                Action::Webhook { url, .. } => !(url.starts_with("https://") || url.starts_with("http://")),
                Action::Snooze { minutes } => *minutes < 1,
                _ => false,
            };
            if bad {
                return Err(AppError::invalid(format!("actions[{i}]"), format!("{} needs a value", a.describe())));
            }
        }
        Ok(())
    }
}
