//! Turning raw RFC 5322 bytes into what Parley stores: addresses, threading
//! ids, text, sanitized HTML, attachments and the signs of a machine sender.
//! `mail-parser` does the MIME work; a panic inside it on a hostile message
//! becomes an error here (the raw mail is kept by the caller), not a crash.

use std::borrow::Cow;

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use crate::email::address::bracketed;
use crate::email::rules::AutomationSigns;

/// A file in a mail.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAttachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// `<id>` without brackets, for `cid:` references from the HTML.
    pub content_id: Option<String>,
    pub inline: bool,
}

/// A parsed mail.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedMail {
    /// With angle brackets; `None` when the mail has none.
    pub message_id: Option<String>,
    /// In-Reply-To then References, newest reference first, bracketed.
    pub references: Vec<String>,
    /// `(display name, address)`.
    pub from: Option<(String, String)>,
    pub to: Vec<String>,
    pub cc: Vec<(String, String)>,
    pub subject: String,
    pub text: String,
    /// Sanitized; `cid:` images still point at their content ids.
    pub html: Option<String>,
    pub attachments: Vec<ParsedAttachment>,
    pub signs: AutomationSigns,
    /// SHA-256 over what the mail says (not its transport headers), so a
    /// redelivery with more `Received:` lines still counts as the same.
    pub content_hash: String,
}

/// Why a mail was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Unparseable(pub String);

/// Parses `raw`, never panicking.
pub fn parse(raw: &[u8]) -> Result<ParsedMail, Unparseable> {
    match std::panic::catch_unwind(|| parse_inner(raw)) {
        Ok(r) => r,
        Err(_) => Err(Unparseable("the message could not be parsed (parser failure)".into())),
    }
}

fn addrs(a: Option<&Address<'_>>) -> Vec<(String, String)> {
    let Some(a) = a else { return vec![] };
    a.iter()
        .filter_map(|x| {
            let addr = crate::contacts::model::normalize_email(x.address()?)?;
            Some((x.name().unwrap_or("").trim().to_string(), addr))
        })
        .collect()
}

fn id_list(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![bracketed(t)],
        HeaderValue::TextList(l) => l.iter().map(|t| bracketed(t)).collect(),
        _ => vec![],
    }
}

fn parse_inner(raw: &[u8]) -> Result<ParsedMail, Unparseable> {
    let msg = MessageParser::default().parse(raw).ok_or_else(|| Unparseable("not an email message".into()))?;
    if msg.headers().is_empty() {
        return Err(Unparseable("the message has no headers".into()));
    }
    let from = addrs(msg.from()).into_iter().next();
    let Some(from) = from else {
        return Err(Unparseable("the message has no valid From address".into()));
    };
    let mut references = id_list(msg.in_reply_to());
    let mut refs = id_list(msg.references());
    refs.reverse();
    for r in refs {
        if !references.contains(&r) {
            references.push(r);
        }
    }
    let text = msg.body_text(0).map(Cow::into_owned).unwrap_or_default();
    let html = msg.body_html(0).filter(|_| msg.html_body_count() > 0 && has_html_part(&msg)).map(|h| sanitize(&h));
    let attachments: Vec<ParsedAttachment> = msg
        .attachments()
        .map(|p| {
            let ct = p
                .content_type()
                .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("octet-stream")))
                .unwrap_or_else(|| "application/octet-stream".into())
                .to_ascii_lowercase();
            let inline = p.content_disposition().map(|d| d.ctype().eq_ignore_ascii_case("inline")).unwrap_or(false);
            let name = p.attachment_name().map(clean_filename).unwrap_or_else(|| {
                if p.is_message() {
                    "message.eml".into()
                } else {
                    format!("attachment.{}", ct.rsplit('/').next().unwrap_or("bin"))
                }
            });
            let content_id = p.content_id().map(|c| c.trim().trim_start_matches('<').trim_end_matches('>').to_string());
            ParsedAttachment { name, content_type: ct, bytes: p.contents().to_vec(), content_id, inline }
        })
        .collect();
    let header = |name: &'static str| msg.header_raw(name).map(|v| v.trim().to_string());
    let signs = AutomationSigns {
        auto_submitted: header("Auto-Submitted"),
        precedence: header("Precedence"),
        null_return_path: msg.return_address().map(|r| r.trim().is_empty()).unwrap_or(false)
            || header("Return-Path").is_some_and(|r| r.replace(' ', "") == "<>"),
        list_id: header("List-Id").is_some() || header("List-Unsubscribe").is_some(),
        auto_response_suppress: header("X-Auto-Response-Suppress"),
        x_autoreply: header("X-Autoreply").is_some() || header("X-Autorespond").is_some(),
        from: from.1.clone(),
        report: msg
            .content_type()
            .map(|c| {
                c.ctype().eq_ignore_ascii_case("multipart")
                    && c.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
            })
            .unwrap_or(false),
    };
    let subject = msg.subject().unwrap_or("").trim().to_string();
    let mut h = Sha256::new();
    for part in [subject.as_bytes(), b"\0", text.as_bytes(), b"\0", html.as_deref().unwrap_or("").as_bytes()] {
        h.update(part);
    }
    for a in &attachments {
        h.update(Sha256::digest(&a.bytes));
    }
    Ok(ParsedMail {
        message_id: msg.message_id().map(bracketed),
        references,
        from: Some(from),
        to: addrs(msg.to()).into_iter().map(|(_, a)| a).collect(),
        cc: addrs(msg.cc()),
        subject,
        text,
        html,
        attachments,
        signs,
        content_hash: hex::encode(h.finalize()),
    })
}

/// mail-parser also renders text-only mail as HTML; only a real HTML part
/// is worth showing as HTML.
fn has_html_part(msg: &mail_parser::Message<'_>) -> bool {
    msg.html_bodies().any(|p| p.is_text_html())
}

/// A file name safe to show and to send back in Content-Disposition.
fn clean_filename(n: &str) -> String {
    let base = n.rsplit(['/', '\\']).next().unwrap_or(n);
    let cleaned: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(200).collect();
    if cleaned.trim().is_empty() {
        "attachment".into()
    } else {
        cleaned.trim().to_string()
    }
}

/// HTML safe to show inside Parley: no scripts, styles, frames, event
/// handlers or forms (ammonia's allow-list), and no remote images, which
/// would tell the sender when an agent opened the mail. Inline `cid:`
/// images stay and are pointed at their stored attachment after saving.
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .add_url_schemes(["cid"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") if value.trim_start().to_ascii_lowercase().starts_with("cid:") => Some(value.into()),
            ("img", "src" | "srcset") => None,
            _ => Some(value.into()),
        })
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_html_is_defused() {
        let out = sanitize(
            r#"<p onclick="x()">Hi</p><script>alert(1)</script><img src="https://t.test/p.gif"><img src="cid:a@b"><iframe src="https://e.test"></iframe><a href="javascript:alert(1)">j</a>"#,
        );
        assert!(out.contains("<p>Hi</p>"), "{out}");
        assert!(!out.contains("script") && !out.contains("alert"), "{out}");
        assert!(!out.contains("t.test") && !out.contains("iframe") && !out.contains("onclick"), "{out}");
        assert!(out.contains(r#"src="cid:a@b""#), "{out}");
    }

    #[test]
    fn garbage_is_refused_not_panicked_on() {
        assert!(parse(b"").is_err());
        assert!(parse(b"\x00\x01\x02 not mail").is_err());
        assert!(parse(b"Subject: no sender\r\n\r\nbody").is_err());
        let ok = parse(b"From: A <a@x.test>\r\nSubject: Hi\r\nMessage-ID: abc@x.test\r\n\r\nHello\r\n");
        let ok = ok.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(ok.message_id.as_deref(), Some("<abc@x.test>"));
        assert_eq!(ok.from, Some(("A".into(), "a@x.test".into())));
        assert_eq!(ok.text.trim(), "Hello");
        assert_eq!(ok.html, None);
    }
}
