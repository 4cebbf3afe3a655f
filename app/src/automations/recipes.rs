//! Ready-made automations an admin enables in one click. Each recipe is
//! one or more ordinary rules, editable afterwards.

use crate::automations::model::{Action, AutomationInput, Condition, Field, Op, Subject, Trigger};
use crate::conversations::model::{Priority, Status};

/// A recipe as Settings lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipe {
    pub key: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub rules: Vec<AutomationInput>,
}

fn rule(name: &str, trigger: Trigger, conditions: Vec<Condition>, actions: Vec<Action>, key: &str) -> AutomationInput {
    AutomationInput { name: name.into(), enabled: true, trigger, conditions, actions, recipe: Some(key.into()) }
}

fn cond(subject: Subject, op: Op, value: &str) -> Condition {
    Condition { subject, op, value: value.into() }
}

/// Every recipe, in the order Settings shows them.
pub fn all() -> Vec<Recipe> {
    vec![
        Recipe {
            key: "slow_first_reply",
            title: "Flag a first reply that takes over 3 hours",
            description: "When a customer has waited 3 hours without a first answer, the conversation becomes urgent and gets a note for the manager.",
            rules: vec![rule(
                "First reply over 3 hours",
                Trigger::NoTeamReply { minutes: 180, working_hours: false },
                vec![cond(Subject::FirstResponseMinutes, Op::GreaterThan, "179")],
                vec![
                    Action::SetPriority { priority: Priority::Urgent },
                    Action::AddNote { body: "The first reply is over 3 hours late. A manager should take a look.".into() },
                ],
                "slow_first_reply",
            )],
        },
        Recipe {
            key: "abandoned",
            title: "Follow up, then close conversations the customer abandoned",
            description: "3 days after your reply with no answer, send a friendly follow-up; 7 days after it, close the conversation.",
            rules: vec![
                rule(
                    "Abandoned: follow up",
                    Trigger::NoContactReply { minutes: 3 * 24 * 60 },
                    vec![cond(Subject::Status, Op::IsNot, "closed")],
                    vec![
                        Action::SendReply {
                            body: "Hi {{contact.first_name}}, just checking in: do you still need help with this? If we don't hear back, we'll close this conversation in a few days.".into(),
                            subject: String::new(),
                        },
                        Action::AddLabel { label: "followed-up".into() },
                    ],
                    "abandoned",
                ),
                rule(
                    "Abandoned: close",
                    Trigger::NoContactReply { minutes: 7 * 24 * 60 },
                    vec![cond(Subject::Label, Op::Is, "followed-up"), cond(Subject::Status, Op::IsNot, "closed")],
                    vec![Action::SetStatus { status: Status::Closed }],
                    "abandoned",
                ),
            ],
        },
        Recipe {
            key: "sms_first_reply",
            title: "Send an SMS first reply",
            description: "Answer every new text message at once, so the customer knows it arrived.",
            rules: vec![rule(
                "SMS first reply",
                Trigger::ConversationCreated,
                vec![cond(Subject::Channel, Op::Is, "sms")],
                vec![Action::SendReply {
                    body: "Thanks for your message! We've got it and will text you back shortly.".into(),
                    subject: String::new(),
                }],
                "sms_first_reply",
            )],
        },
        Recipe {
            key: "spam_words",
            title: "Mark messages containing these words as spam",
            description: "Edit the pattern to your list of words; matching messages go to Spam.",
            rules: vec![rule(
                "Spam words",
                Trigger::MessageReceived,
                vec![cond(Subject::MessageText, Op::Matches, r"\b(casino|crypto giveaway|viagra)\b")],
                vec![Action::MarkSpam],
                "spam_words",
            )],
        },
        Recipe {
            key: "transcript_on_close",
            title: "Email the transcript when a conversation closes",
            description: "When an email conversation is closed, the customer gets the whole conversation for their records.",
            rules: vec![rule(
                "Transcript on close",
                Trigger::FieldChanged { field: Field::Status },
                vec![cond(Subject::Status, Op::Is, "closed"), cond(Subject::Channel, Op::Is, "email")],
                vec![Action::SendReply {
                    body: "Hi {{contact.first_name}}, this conversation is now closed. Here is the transcript for your records:\n\n{{conversation.history}}".into(),
                    subject: "Transcript of conversation #{{conversation.id}}".into(),
                }],
                "transcript_on_close",
            )],
        },
    ]
}

/// The recipe with this key.
pub fn find(key: &str) -> Option<Recipe> {
    all().into_iter().find(|r| r.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recipe_is_a_valid_rule() {
        let recipes = all();
        assert_eq!(recipes.len(), 5);
        for r in &recipes {
            assert!(!r.rules.is_empty());
            for input in &r.rules {
                input.validate().unwrap_or_else(|e| panic!("{}: {e:?}", r.key));
                assert_eq!(input.recipe.as_deref(), Some(r.key));
            }
        }
        assert!(find("abandoned").is_some_and(|r| r.rules.len() == 2));
        assert!(find("nope").is_none());
    }
}
