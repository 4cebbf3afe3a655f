//! What Twilio's requests and answers mean to Parley (pure): the inbound
//! message form, the status callback form, and its error codes and bodies.

use serde::Deserialize;

use crate::messages::model::DeliveryStatus;
use crate::sms::model::e164;

/// A form field of Twilio's request by name (first occurrence).
pub fn form_field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A field of a webhook form that is missing or wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadField {
    pub field: &'static str,
    pub message: String,
}

fn required<'a>(form: &'a [(String, String)], field: &'static str) -> Result<&'a str, BadField> {
    form_field(form, field)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| BadField { field, message: "is missing".into() })
}

/// A media file of an MMS, as Twilio links it (fetching needs the account's
/// credentials, so the link is kept, not the bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub url: String,
    pub content_type: String,
}

/// An incoming text, as Twilio's messaging webhook posts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingSms {
    /// `SM…`/`MM…`: stores a redelivered webhook once.
    pub message_sid: String,
    /// The customer, in E.164.
    pub from: String,
    /// The channel's number.
    pub to: String,
    pub body: String,
    pub media: Vec<Media>,
}

impl IncomingSms {
    /// Reads Twilio's inbound form; an error names the field.
    pub fn parse(form: &[(String, String)]) -> Result<Self, BadField> {
        let message_sid = required(form, "MessageSid")?.to_string();
        let from = e164(required(form, "From")?).map_err(|e| BadField { field: "From", message: e.to_string() })?;
        let to = form_field(form, "To").unwrap_or("").trim().to_string();
        let body = form_field(form, "Body").unwrap_or("").to_string();
        let count = match form_field(form, "NumMedia").map(str::trim) {
            None | Some("") => 0,
            Some(n) => n
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= 10)
                .ok_or_else(|| BadField { field: "NumMedia", message: "must be a number from 0 to 10".into() })?,
        };
        let mut media = Vec::with_capacity(count);
        for i in 0..count {
            let url = form_field(form, &format!("MediaUrl{i}")).unwrap_or("").trim().to_string();
            if url.is_empty() {
                return Err(BadField {
                    field: "NumMedia",
                    message: format!("counts {count} files but MediaUrl{i} is missing"),
                });
            }
            let content_type = form_field(form, &format!("MediaContentType{i}")).unwrap_or("").trim().to_string();
            media.push(Media { url, content_type });
        }
        if body.trim().is_empty() && media.is_empty() {
            return Err(BadField { field: "Body", message: "is empty and no media came with it".into() });
        }
        Ok(IncomingSms { message_sid, from, to, body, media })
    }

    /// The text stored in the conversation: the body, then a line per
    /// media link (the files themselves stay at Twilio).
    pub fn text(&self) -> String {
        let mut out = self.body.trim_end().to_string();
        for m in &self.media {
            if !out.is_empty() {
                out.push('\n');
            }
            let kind = if m.content_type.is_empty() { "file" } else { m.content_type.as_str() };
            out.push_str(&format!("[MMS {kind}: {}]", m.url));
        }
        out
    }
}

/// A status callback: where a text Parley sent has got to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    pub message_sid: String,
    /// `None` for the words that change nothing for Parley (queued,
    /// accepted, sending …).
    pub status: Option<DeliveryStatus>,
    /// Twilio's error code, when the text failed.
    pub error_code: Option<String>,
}

impl StatusReport {
    /// Reads Twilio's status callback form; an error names the field.
    pub fn parse(form: &[(String, String)]) -> Result<Self, BadField> {
        let message_sid = required(form, "MessageSid")?.to_string();
        let word = required(form, "MessageStatus")?;
        let status = match word {
            "sent" => Some(DeliveryStatus::Sent),
            "delivered" => Some(DeliveryStatus::Delivered),
            "read" => Some(DeliveryStatus::Read),
            "failed" | "undelivered" | "canceled" => Some(DeliveryStatus::Failed),
            "queued" | "accepted" | "scheduled" | "sending" | "receiving" | "received" | "partially_delivered" => None,
            other => {
                return Err(BadField { field: "MessageStatus", message: format!("{other} is not a Twilio status") })
            }
        };
        let error_code = form_field(form, "ErrorCode").map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
        Ok(StatusReport { message_sid, status, error_code })
    }

    /// Why the text failed, in words an agent can act on.
    pub fn failure_reason(&self) -> String {
        match &self.error_code {
            Some(code) => format!("The carrier did not deliver the text: {}", describe_error(code)),
            None => "The carrier did not deliver the text (Twilio gave no reason).".to_string(),
        }
    }
}

/// A Twilio error code with what it means for the common delivery
/// failures, and where Twilio explains it.
pub fn describe_error(code: &str) -> String {
    let meaning = match code {
        "21211" => Some("the number is not a valid phone number"),
        "21408" => Some("the account may not text this country (Twilio's geo permissions)"),
        "21610" => Some("the recipient has opted out by replying STOP"),
        "21614" => Some("the number is not a mobile number"),
        "30003" => Some("the phone is switched off or out of reach"),
        "30004" => Some("the recipient's phone or carrier blocked the message"),
        "30005" => Some("the number does not exist or is no longer in service"),
        "30006" => Some("the number is a landline or its carrier cannot take texts"),
        "30007" => Some("the carrier filtered the message as spam"),
        "30008" => Some("the carrier reported an unknown error"),
        "30034" => Some("the sending number is not registered for A2P 10DLC"),
        _ => None,
    };
    let more = format!("https://www.twilio.com/docs/api/errors/{code}");
    match meaning {
        Some(m) => format!("{m} (Twilio error {code}, {more})."),
        None => format!("Twilio error {code} ({more})."),
    }
}

/// Twilio's error body (`{"code":21211,"message":"…","more_info":"…","status":400}`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TwilioError {
    pub code: Option<i64>,
    pub message: Option<String>,
    pub more_info: Option<String>,
    pub status: Option<u16>,
}

/// What a failed Messages API call means for the agent: the reason stored
/// on the reply, and whether it is the channel's fault (bad credentials,
/// Twilio down), which also marks the channel failing.
pub fn api_failure(http_status: u16, body: &str) -> (String, bool) {
    let err: Option<TwilioError> = serde_json::from_str(body).ok();
    let channel_problem = matches!(http_status, 401 | 403) || http_status >= 500;
    let reason = match err {
        Some(TwilioError { code: Some(code), message, more_info, .. }) => {
            let what = message.unwrap_or_else(|| "no message".into());
            let link = more_info.unwrap_or_else(|| format!("https://www.twilio.com/docs/api/errors/{code}"));
            if matches!(http_status, 401 | 403) {
                format!("Twilio refused the channel's Account SID or Auth Token: {what} (error {code}, {link}).")
            } else {
                format!("Twilio refused the text: {what} (error {code}, {link}).")
            }
        }
        _ => {
            let excerpt: String = body.chars().take(200).collect();
            format!("Twilio answered HTTP {http_status}: {}", if excerpt.is_empty() { "(no body)" } else { &excerpt })
        }
    };
    (reason, channel_problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn an_incoming_text_is_read_from_twilios_form() {
        let sms = IncomingSms::parse(&form(&[
            ("MessageSid", "SM1"),
            ("From", "+15557654321"),
            ("To", "+15550001111"),
            ("Body", "Is my order shipped?"),
            ("NumMedia", "1"),
            ("MediaUrl0", "https://api.twilio.com/media/ME1"),
            ("MediaContentType0", "image/jpeg"),
        ]))
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(sms.from, "+15557654321");
        assert_eq!(sms.text(), "Is my order shipped?\n[MMS image/jpeg: https://api.twilio.com/media/ME1]");

        let bad = |pairs: &[(&str, &str)]| IncomingSms::parse(&form(pairs)).map(|_| ()).map_err(|e| e.field);
        assert_eq!(bad(&[("From", "+15557654321"), ("Body", "x")]), Err("MessageSid"));
        assert_eq!(bad(&[("MessageSid", "SM1"), ("Body", "x")]), Err("From"));
        assert_eq!(bad(&[("MessageSid", "SM1"), ("From", "ACME"), ("Body", "x")]), Err("From"));
        assert_eq!(bad(&[("MessageSid", "SM1"), ("From", "+15557654321"), ("Body", " ")]), Err("Body"));
        assert_eq!(
            bad(&[("MessageSid", "SM1"), ("From", "+15557654321"), ("NumMedia", "2"), ("MediaUrl0", "u")]),
            Err("NumMedia")
        );
    }

    #[test]
    fn status_words_map_to_delivery_statuses() {
        let report = |status: &str, code: Option<&str>| {
            let mut f = form(&[("MessageSid", "SM9"), ("MessageStatus", status)]);
            if let Some(c) = code {
                f.push(("ErrorCode".into(), c.into()));
            }
            StatusReport::parse(&f)
        };
        assert_eq!(report("delivered", None).map(|r| r.status), Ok(Some(DeliveryStatus::Delivered)));
        assert_eq!(report("sending", None).map(|r| r.status), Ok(None));
        let failed = report("undelivered", Some("30003")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(failed.status, Some(DeliveryStatus::Failed));
        assert!(failed.failure_reason().contains("switched off or out of reach"), "{}", failed.failure_reason());
        assert!(failed.failure_reason().contains("30003"));
        assert_eq!(report("exploded", None).map_err(|e| e.field), Err("MessageStatus"));
    }

    #[test]
    fn api_errors_become_reasons() {
        let body = r#"{"code":21211,"message":"The 'To' number +1555 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#;
        let (reason, channel) = api_failure(400, body);
        assert!(reason.contains("The 'To' number +1555 is not a valid phone number."), "{reason}");
        assert!(reason.contains("21211") && !channel, "a bad number is the message's problem, not the channel's");
        let (reason, channel) = api_failure(401, r#"{"code":20003,"message":"Authenticate","status":401}"#);
        assert!(reason.contains("Auth Token") && channel, "{reason}");
        let (reason, channel) = api_failure(503, "busy");
        assert!(reason.contains("503") && reason.contains("busy") && channel, "{reason}");
    }
}
