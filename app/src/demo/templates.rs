//! The demo's reply templates: enough to show the composer's `/` picker on
//! email and SMS / WhatsApp conversations, and each kind of merge field.

use crate::templates::model::{TemplateInput, TemplateKind};

/// `/refund` and `/thanks` for email, `/thanks-sms` for texts.
pub fn all() -> Vec<TemplateInput> {
    vec![
        TemplateInput {
            name: "Refund issued".into(),
            shortcut: "refund".into(),
            kind: TemplateKind::Email,
            subject: "Your refund for conversation #{{conversation.id}}".into(),
            body: "Hi {{contact.first_name|there}},\n\nI've issued your refund; it should show on your statement \
                   within 3-5 business days. If it hasn't arrived by then, just reply to this email.\n\n\
                   {{agent.first_name}}"
                .into(),
        },
        TemplateInput {
            name: "Thanks, closing up".into(),
            shortcut: "thanks".into(),
            kind: TemplateKind::Email,
            subject: String::new(),
            body: "Hi {{contact.first_name|there}},\n\nThanks for getting in touch! I'll close this conversation \
                   now; a reply to this email opens it again. Here is our conversation for your records:\n\n\
                   {{conversation.history}}\n\n{{agent.name}}"
                .into(),
        },
        TemplateInput {
            name: "Thanks (SMS / WhatsApp)".into(),
            shortcut: "thanks-sms".into(),
            kind: TemplateKind::Text,
            subject: String::new(),
            body: "Thanks {{contact.first_name|there}}! Glad we could help. — {{agent.first_name}}".into(),
        },
    ]
}
