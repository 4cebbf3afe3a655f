//! The Graph API as Parley uses it (pure): the text message request POSTed
//! to `{apiBaseUrl}/{phoneNumberId}/messages`, its answer
//! (`{"messages": [{"id": "wamid.…"}]}`), and its error body
//! (`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`);
//! and a received file's media node (`{"url", "mime_type", "sha256",
//! "file_size", "id"}`).

use serde::Deserialize;

use crate::whatsapp::meta::{GraphIssue, IssueData};

/// The documented request for a free-form text message. Link previews are
/// off: a preview is fetched by Meta from the link, which an agent pasting
/// an internal URL would not expect.
pub fn text_message(to_wa_id: &str, body: &str) -> serde_json::Value {
    serde_json::json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to_wa_id,
        "type": "text",
        "text": {"body": body, "preview_url": false},
    })
}

/// The `wamid.…` a successful send answers with.
pub fn sent_id(answer: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(answer).ok()?;
    let id = v.get("messages")?.get(0)?.get("id")?.as_str()?.trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// What the media node says about a received file: where to download it
/// (a URL valid for minutes, fetched with the same bearer token) and what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaInfo {
    pub url: String,
    pub mime_type: Option<String>,
    /// Meta sends it as a number or as a string of digits.
    pub file_size: Option<u64>,
}

/// Reads the media node's answer; `None` when it has no download URL.
pub fn media_info(answer: &str) -> Option<MediaInfo> {
    let v: serde_json::Value = serde_json::from_str(answer).ok()?;
    let url = v.get("url")?.as_str()?.trim();
    if url.is_empty() {
        return None;
    }
    let file_size = match v.get("file_size") {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let mime_type = v.get("mime_type").and_then(|m| m.as_str()).map(str::to_string).filter(|m| !m.is_empty());
    Some(MediaInfo { url: url.to_string(), mime_type, file_size })
}

/// Why the Graph API would not give a received file.
pub fn media_failure(http_status: u16, body: &str) -> String {
    explain(http_status, body, "WhatsApp would not give the file").0
}

/// The Graph API's error body.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct GraphError {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub error_subcode: Option<i64>,
    #[serde(default)]
    pub error_data: Option<IssueData>,
    #[serde(default)]
    pub fbtrace_id: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    error: GraphError,
}

/// What a well-known WhatsApp error code means for the agent.
fn meaning(code: i64) -> Option<&'static str> {
    Some(match code {
        131047 => {
            "more than 24 hours have passed since the customer last wrote; WhatsApp only lets a business \
             send approved templates then, so wait for the customer to write again"
        }
        131026 => "the number cannot receive this message (not on WhatsApp, old app, or terms not accepted)",
        131030 => "the number is not on the test number's allowed recipients list in the Meta app",
        131051 => "this message type is not supported",
        131049 => "Meta held the message back to keep engagement healthy; try again later",
        131056 | 130429 | 80007 | 4 => "too many messages were sent in a short time; retry in a few minutes",
        131031 => "the WhatsApp Business account is locked or restricted",
        190 => "the access token has expired or was revoked; paste a new one in Settings",
        _ => return None,
    })
}

/// One error (Graph answer or status report) as a sentence: what happened,
/// Meta's details, and the code for looking it up.
pub fn describe(e: &GraphIssue) -> String {
    let title = e.title.as_deref().or(e.message.as_deref()).unwrap_or("no description");
    let details = e.error_data.as_ref().and_then(|d| d.details.as_deref()).filter(|d| *d != title);
    let mut out = title.trim_end_matches('.').to_string();
    if let Some(d) = details {
        out.push_str(&format!(" \u{2014} {}", d.trim_end_matches('.')));
    }
    if let Some(m) = e.code.and_then(meaning) {
        out.push_str(&format!(" ({m})"));
    }
    match e.code {
        Some(code) => format!("{out} (WhatsApp error {code})."),
        None => format!("{out}."),
    }
}

/// Whether a Graph error is the channel's fault rather than the message's:
/// credentials, permissions, a wrong phone number id, rate limits, Meta down.
fn channel_problem(http_status: u16, e: Option<&GraphError>) -> bool {
    let code = e.and_then(|e| e.code);
    matches!(http_status, 401 | 403 | 429)
        || http_status >= 500
        || matches!(code, Some(190 | 10 | 200 | 4 | 80007 | 130429 | 131031 | 131056))
        || (code == Some(100) && e.and_then(|e| e.error_subcode) == Some(33))
}

/// What a failed Graph API call means: the reason stored on the reply, and
/// whether the channel is at fault (then it also shows as failing).
pub fn api_failure(http_status: u16, body: &str) -> (String, bool) {
    explain(http_status, body, "WhatsApp refused the message")
}

/// Why the health check's read of the phone number failed.
pub fn check_failure(http_status: u16, body: &str) -> String {
    explain(http_status, body, "The Graph API refused to read the phone number ID").0
}

fn explain(http_status: u16, body: &str, refused: &str) -> (String, bool) {
    let err = serde_json::from_str::<Envelope>(body).ok().map(|e| e.error);
    let problem = channel_problem(http_status, err.as_ref());
    let reason = match &err {
        Some(e) if e.message.is_some() || e.code.is_some() => {
            let issue =
                GraphIssue { code: e.code, title: None, message: e.message.clone(), error_data: e.error_data.clone() };
            let trace = e.fbtrace_id.as_deref().map(|t| format!(" Meta trace id: {t}.")).unwrap_or_default();
            if matches!(http_status, 401 | 403) || e.code == Some(190) {
                format!("Meta refused the channel's access token: {}{trace}", describe(&issue))
            } else {
                format!("{refused}: {}{trace}", describe(&issue))
            }
        }
        _ => {
            let excerpt: String = body.chars().take(200).collect();
            format!(
                "The Graph API answered HTTP {http_status}: {}",
                if excerpt.is_empty() { "(no body)" } else { &excerpt }
            )
        }
    };
    (reason, problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_request_is_the_documented_one() {
        let req = text_message("15557654321", "Shipped today!");
        assert_eq!(
            req,
            serde_json::json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": "15557654321",
                               "type": "text", "text": {"body": "Shipped today!", "preview_url": false}})
        );
        let answer = r#"{"messaging_product":"whatsapp","contacts":[{"input":"15557654321","wa_id":"15557654321"}],
                         "messages":[{"id":"wamid.HBgLMTU1NTc2NTQzMjEVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}]}"#;
        assert_eq!(sent_id(answer).as_deref(), Some("wamid.HBgLMTU1NTc2NTQzMjEVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"));
        assert_eq!(sent_id(r#"{"messages":[]}"#), None);
        assert_eq!(sent_id("<html>"), None);
    }

    #[test]
    fn the_media_node_gives_the_download_url_and_size() {
        let answer = r#"{"messaging_product":"whatsapp","url":"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256&ext=1&hash=x",
                         "mime_type":"image/jpeg","sha256":"81d3bd8a","file_size":"303833","id":"1003383421387256"}"#;
        let info = media_info(answer).unwrap_or_else(|| panic!("no media info in {answer}"));
        assert!(info.url.starts_with("https://lookaside.fbsbx.com/"));
        assert_eq!((info.mime_type.as_deref(), info.file_size), (Some("image/jpeg"), Some(303833)));
        assert_eq!(media_info(r#"{"url":"u","file_size":12}"#).and_then(|i| i.file_size), Some(12));
        assert_eq!(media_info(r#"{"id":"1"}"#), None);
        let gone = r#"{"error":{"message":"Unsupported get request. Object with ID '1' does not exist","type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"T1"}}"#;
        let reason = media_failure(400, gone);
        assert!(reason.starts_with("WhatsApp would not give the file: Unsupported get request"), "{reason}");
    }

    #[test]
    fn graph_errors_become_reasons() {
        let body = r#"{"error":{"message":"(#131030) Recipient phone number not in allowed list","type":"OAuthException",
            "code":131030,"error_data":{"messaging_product":"whatsapp","details":"Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again."},
            "error_subcode":2655007,"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}"#;
        let (reason, channel) = api_failure(400, body);
        assert!(reason.starts_with("WhatsApp refused the message: (#131030) Recipient phone number"), "{reason}");
        assert!(reason.contains("allowed recipients list") && reason.contains("131030"), "{reason}");
        assert!(reason.contains("Az8or2yhqkZfEZ-_4Qn_Bam"), "Meta's trace id helps its support: {reason}");
        assert!(!channel, "one recipient's problem is not the channel's");

        let expired = r#"{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"x"}}"#;
        let (reason, channel) = api_failure(401, expired);
        assert!(reason.contains("access token") && reason.contains("Session has expired") && channel, "{reason}");

        let (reason, channel) = api_failure(502, "Bad Gateway");
        assert!(reason.contains("502") && reason.contains("Bad Gateway") && channel, "{reason}");
    }
}
