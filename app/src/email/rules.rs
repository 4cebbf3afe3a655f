//! Pure decisions about a received mail: is it machine-sent (so no
//! auto-reply may answer it), who a forwarded mail is really from, and the
//! reopen window. No I/O; unit-tested here.

use crate::time::Timestamp;

/// The headers that tell a person from a machine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AutomationSigns {
    pub auto_submitted: Option<String>,
    pub precedence: Option<String>,
    /// The envelope or Return-Path sender was `<>` (bounces use it).
    pub null_return_path: bool,
    pub list_id: bool,
    pub auto_response_suppress: Option<String>,
    pub x_autoreply: bool,
    pub from: String,
    /// `multipart/report` (delivery and read reports).
    pub report: bool,
}

/// True when the mail was sent by a machine (an autoresponder, a bounce, a
/// mailing list): Parley never auto-replies to those, so two autoresponders
/// cannot loop (RFC 3834).
pub fn is_automated(s: &AutomationSigns) -> bool {
    let auto_submitted = s.auto_submitted.as_deref().map(|v| !v.trim().eq_ignore_ascii_case("no")).unwrap_or(false);
    let precedence = s
        .precedence
        .as_deref()
        .map(|p| matches!(p.trim().to_ascii_lowercase().as_str(), "bulk" | "list" | "junk" | "auto_reply"))
        .unwrap_or(false);
    let suppress = s
        .auto_response_suppress
        .as_deref()
        .map(|v| v.split(',').any(|t| matches!(t.trim().to_ascii_lowercase().as_str(), "all" | "autoreply" | "oof")))
        .unwrap_or(false);
    let local = s.from.split('@').next().unwrap_or("").to_ascii_lowercase();
    let machine_sender = matches!(local.as_str(), "mailer-daemon" | "postmaster")
        || local.starts_with("noreply")
        || local.starts_with("no-reply")
        || local.starts_with("donotreply");
    auto_submitted
        || precedence
        || s.null_return_path
        || s.list_id
        || suppress
        || s.x_autoreply
        || machine_sender
        || s.report
}

/// The markers mail clients put above a forwarded message.
const FORWARD_MARKERS: [&str; 5] = [
    "---------- forwarded message ---------",
    "-------- forwarded message --------",
    "begin forwarded message:",
    "-----original message-----",
    "________________________________",
];

/// The original sender of a mail someone forwarded by hand (Gmail, Outlook,
/// Apple Mail and Thunderbird shapes): `(name, address)` from the first
/// `From:` line after a forward marker.
pub fn forwarded_sender(body: &str) -> Option<(String, String)> {
    let mut seen_marker = false;
    for line in body.lines() {
        let l = line.trim().trim_start_matches('>').trim();
        let lower = l.to_ascii_lowercase();
        if !seen_marker {
            seen_marker = FORWARD_MARKERS.iter().any(|m| lower.starts_with(m));
            continue;
        }
        let l = l.replace('*', "");
        let Some(value) = l.strip_prefix("From:").or_else(|| l.strip_prefix("Von:")).or_else(|| l.strip_prefix("De:"))
        else {
            continue;
        };
        return parse_mailbox(value.trim());
    }
    None
}

/// `Name <addr>`, `Name [mailto:addr]`, `"Name" <addr>` or a bare `addr`.
pub fn parse_mailbox(v: &str) -> Option<(String, String)> {
    let (name, addr) = if let Some(open) = v.find('<') {
        let close = v[open..].find('>')? + open;
        (v[..open].trim(), v[open + 1..close].trim())
    } else if let Some(open) = v.find("[mailto:") {
        let close = v[open..].find(']')? + open;
        (v[..open].trim(), v[open + 8..close].trim())
    } else {
        ("", v.trim())
    };
    let addr = crate::contacts::model::normalize_email(addr)?;
    Some((name.trim_matches('"').trim().to_string(), addr))
}

/// Whether a reply arriving `now` to a conversation closed or resolved at
/// `ended_at` still reopens it, given the channel's window in days.
pub fn within_reopen_window(ended_at: Option<Timestamp>, window_days: u32, now: Timestamp) -> bool {
    match ended_at {
        None => true,
        Some(t) => now.0 - t.0 <= i64::from(window_days) * 86_400_000,
    }
}

/// The agent's signature with its tokens filled by the one merge-field
/// renderer: `{{agent.name}}` (or `{{agent.full_name}}`),
/// `{{agent.first_name}}`, `{{agent.last_name}}`.
pub fn render_signature(template: &str, full_name: &str) -> String {
    crate::templates::merge::render(template, &crate::templates::merge::MergeData::agent(full_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> AutomationSigns {
        AutomationSigns { from: "ada@customer.test".into(), ..Default::default() }
    }

    #[test]
    fn machines_are_told_from_people() {
        assert!(!is_automated(&person()));
        assert!(!is_automated(&AutomationSigns { auto_submitted: Some("no".into()), ..person() }));
        assert!(is_automated(&AutomationSigns { auto_submitted: Some("auto-replied".into()), ..person() }));
        assert!(is_automated(&AutomationSigns { precedence: Some("Bulk".into()), ..person() }));
        assert!(is_automated(&AutomationSigns { precedence: Some("list".into()), ..person() }));
        assert!(!is_automated(&AutomationSigns { precedence: Some("normal".into()), ..person() }));
        assert!(is_automated(&AutomationSigns { null_return_path: true, ..person() }));
        assert!(is_automated(&AutomationSigns { list_id: true, ..person() }));
        assert!(is_automated(&AutomationSigns { auto_response_suppress: Some("DR, OOF".into()), ..person() }));
        assert!(is_automated(&AutomationSigns { from: "MAILER-DAEMON@x.test".into(), ..person() }));
        assert!(is_automated(&AutomationSigns { from: "no-reply@shop.test".into(), ..person() }));
        assert!(is_automated(&AutomationSigns { report: true, ..person() }));
    }

    #[test]
    fn forwarded_mail_names_its_original_sender() {
        let gmail = "Can someone take this?\n\n---------- Forwarded message ---------\nFrom: Carol Customer <carol@client.test>\nDate: Sat\nSubject: Invoice\n\nWhy?";
        assert_eq!(forwarded_sender(gmail), Some(("Carol Customer".into(), "carol@client.test".into())));
        let outlook = "FYI\n\n-----Original Message-----\nFrom: Dan [mailto:dan@client.test]\nSent: Monday\n";
        assert_eq!(forwarded_sender(outlook), Some(("Dan".into(), "dan@client.test".into())));
        let apple = "Begin forwarded message:\n\n> From: \"Eve E\" <eve@client.test>\n> Subject: x\n";
        assert_eq!(forwarded_sender(apple), Some(("Eve E".into(), "eve@client.test".into())));
        let outlook_web = "________________________________\n*From:* fay@client.test\n";
        assert_eq!(forwarded_sender(outlook_web), Some(("".into(), "fay@client.test".into())));
        // A From: line with no forward marker above it is just text.
        assert_eq!(forwarded_sender("From: someone <x@y.test>\nhello"), None);
    }

    #[test]
    fn the_reopen_window_counts_days() {
        let day = 86_400_000;
        let closed = Some(Timestamp(10 * day));
        assert!(within_reopen_window(closed, 7, Timestamp(17 * day)));
        assert!(!within_reopen_window(closed, 7, Timestamp(17 * day + 1)));
        assert!(!within_reopen_window(closed, 0, Timestamp(10 * day + 1)));
        assert!(within_reopen_window(None, 0, Timestamp(99 * day)));
    }

    #[test]
    fn signatures_fill_name_tokens() {
        let t = "{{agent.first_name}} {{agent.last_name}}\n{{agent.name}}, Acme";
        assert_eq!(render_signature(t, "Ada Lovelace"), "Ada Lovelace\nAda Lovelace, Acme");
        assert_eq!(render_signature("{{agent.first_name}}|{{agent.last_name}}", "Cher"), "Cher|");
        assert_eq!(render_signature("{{agent.first_name}}", "Mary Ann Evans"), "Mary");
    }
}
