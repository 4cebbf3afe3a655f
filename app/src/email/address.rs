//! The addresses and ids Parley's email threading rests on. Pure string
//! work, unit-tested here and shared by the listener, the hook and sending.
//!
//! - forwarding address: `<local>@<inbound domain>`, where `<local>` is the
//!   channel's address local part plus a token slice (`support-ab12cd34`);
//! - reply address: `<local>+<conversation>@<inbound domain>`;
//! - Message-ID of sent mail: `<parley-<conversation>-<message>-<nonce>@<domain>>`.

use crate::ids::{ConversationId, MessageId};

/// A channel's forwarding local part, made from its address and token:
/// readable (`support-…`) and unguessable enough that strangers cannot
/// find it by trying names.
pub fn inbound_local(address: &str, token: &str) -> String {
    let local = address.split('@').next().unwrap_or("");
    let mut slug: String = local
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    slug = slug.trim_matches('-').chars().take(30).collect();
    if slug.is_empty() {
        slug = "mail".into();
    }
    let tag: String = token.chars().filter(char::is_ascii_alphanumeric).take(8).collect();
    format!("{slug}-{}", tag.to_ascii_lowercase())
}

/// `<local>@<domain>`.
pub fn forwarding_address(local: &str, domain: &str) -> String {
    format!("{local}@{domain}")
}

/// The address replies to a conversation come back to.
pub fn reply_address(local: &str, domain: &str, conversation: ConversationId) -> String {
    format!("{local}+{}@{domain}", conversation.0)
}

/// A recipient Parley receives for: the forwarding local part, and the
/// conversation when it is a reply address.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    pub local: String,
    pub conversation: Option<ConversationId>,
}

/// Reads a recipient at the inbound domain (case-insensitive); `None` for
/// any other domain. A `+tag` that is not a conversation number is ignored,
/// as mail systems treat unknown tags.
pub fn parse_recipient(addr: &str, domain: &str) -> Option<Recipient> {
    let addr = addr.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, dom) = addr.rsplit_once('@')?;
    if !dom.eq_ignore_ascii_case(domain) || local.is_empty() {
        return None;
    }
    let local = local.to_ascii_lowercase();
    match local.split_once('+') {
        Some((base, tag)) => Some(Recipient {
            local: base.to_string(),
            conversation: tag.parse::<i64>().ok().filter(|n| *n > 0).map(ConversationId),
        }),
        None => Some(Recipient { local, conversation: None }),
    }
}

/// The Message-ID of a mail Parley sends, angle brackets included. The
/// nonce keeps it unguessable, so only a real reply can reference it.
pub fn new_message_id(conversation: ConversationId, message: MessageId, nonce: &str, domain: &str) -> String {
    format!("<parley-{}-{}-{nonce}@{domain}>", conversation.0, message.0)
}

/// The conversation a Parley Message-ID was minted for, if it is one.
pub fn conversation_of_message_id(id: &str) -> Option<ConversationId> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let local = id.split('@').next()?;
    let mut parts = local.strip_prefix("parley-")?.split('-');
    parts.next()?.parse::<i64>().ok().map(ConversationId)
}

/// `<id>` with brackets, however it was written.
pub fn bracketed(id: &str) -> String {
    let t = id.trim().trim_start_matches('<').trim_end_matches('>');
    format!("<{t}>")
}

/// The subject without any number of reply/forward prefixes in the
/// languages mail clients commonly use (`Re:`, `RE:`, `Fwd:`, `AW:`, `SV:` …).
pub fn base_subject(subject: &str) -> &str {
    let mut s = subject.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let cut = ["re:", "fwd:", "fw:", "aw:", "sv:", "wg:", "vs:", "antw:", "réf:"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| p.len())
            .or_else(|| {
                // "Re[2]:" and "RE [3]:" as some clients write them.
                let rest = lower.strip_prefix("re")?.trim_start();
                let inner = rest.strip_prefix('[')?;
                let close = inner.find("]:")?;
                inner[..close].chars().all(|c| c.is_ascii_digit()).then(|| s.len() - inner.len() + close + 2)
            });
        match cut {
            Some(n) if s.is_char_boundary(n) => s = s[n..].trim_start(),
            _ => return s,
        }
    }
}

/// The subject of a reply: the original with exactly one `Re: `.
pub fn reply_subject(subject: &str) -> String {
    let base = base_subject(subject);
    if base.is_empty() {
        "Re: (no subject)".into()
    } else {
        format!("Re: {base}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarding_and_reply_addresses_round_trip() {
        let local = inbound_local("Support@Acme.com", "AB12cd34ef56");
        assert_eq!(local, "support-ab12cd34");
        let fwd = forwarding_address(&local, "inbound.localhost");
        assert_eq!(fwd, "support-ab12cd34@inbound.localhost");
        assert_eq!(
            parse_recipient("<SUPPORT-AB12CD34@Inbound.Localhost>", "inbound.localhost"),
            Some(Recipient { local: local.clone(), conversation: None })
        );
        let reply = reply_address(&local, "inbound.localhost", ConversationId(42));
        assert_eq!(
            parse_recipient(&reply, "inbound.localhost"),
            Some(Recipient { local: local.clone(), conversation: Some(ConversationId(42)) })
        );
        // Another domain is not ours; an odd tag is ignored.
        assert_eq!(parse_recipient("support-ab12cd34@example.com", "inbound.localhost"), None);
        assert_eq!(
            parse_recipient("support-ab12cd34+news@inbound.localhost", "inbound.localhost"),
            Some(Recipient { local, conversation: None })
        );
        assert_eq!(inbound_local("@x", "12345678"), "mail-12345678");
    }

    #[test]
    fn message_ids_encode_the_conversation() {
        let id = new_message_id(ConversationId(17), MessageId(3), "x1y2", "inbound.localhost");
        assert_eq!(id, "<parley-17-3-x1y2@inbound.localhost>");
        assert_eq!(conversation_of_message_id(&id), Some(ConversationId(17)));
        assert_eq!(conversation_of_message_id("CAGmail001@mail.gmail.com"), None);
        assert_eq!(bracketed(" abc@x "), "<abc@x>");
        assert_eq!(bracketed("<abc@x>"), "<abc@x>");
    }

    #[test]
    fn replies_carry_one_re() {
        assert_eq!(reply_subject("Order #1001"), "Re: Order #1001");
        assert_eq!(reply_subject("Re: Order #1001"), "Re: Order #1001");
        assert_eq!(reply_subject("RE: re: Fwd: Order #1001"), "Re: Order #1001");
        assert_eq!(reply_subject("AW: SV: Rechnung"), "Re: Rechnung");
        assert_eq!(reply_subject("Re[2]: Order"), "Re: Order");
        assert_eq!(reply_subject("Reply needed"), "Re: Reply needed");
        assert_eq!(reply_subject("  "), "Re: (no subject)");
    }
}
