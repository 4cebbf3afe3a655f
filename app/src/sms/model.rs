//! The SMS channel's pure rules, shared by browser and server: the typed
//! settings of a Twilio channel, E.164 numbers, and what Twilio's webhook
//! forms and status words mean to Parley.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::messages::model::DeliveryStatus;
use crate::str_enum;

/// Twilio's real REST endpoint; `apiBaseUrl` points elsewhere in tests.
pub const DEFAULT_API_BASE: &str = "https://api.twilio.com";

/// Twilio refuses longer bodies (error 21617); checked before sending so
/// the agent reads the limit instead of a provider code.
pub const MAX_SMS_CHARS: usize = 1600;

str_enum! {
    /// Who carries an SMS channel's texts. One today; the setting exists so
    /// a second provider is a new variant, not a new settings shape.
    SmsProvider {
        Twilio = "twilio" / "Twilio",
    }
}

/// An SMS channel's settings (shared/API.md: `sms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmsSettings {
    pub provider: SmsProvider,
    /// `AC` and 32 hex digits, from the Twilio Console.
    pub account_sid: String,
    /// Secret: signs webhooks and authenticates API calls.
    pub auth_token: String,
    /// The Twilio number texts come from, in E.164.
    pub from_number: String,
    /// Where the Messages API lives (no trailing slash).
    #[serde(default = "default_base")]
    pub api_base_url: String,
}

fn default_base() -> String {
    DEFAULT_API_BASE.to_string()
}

impl SmsSettings {
    /// Reads and checks settings; errors name the field (`settings.fromNumber` …).
    pub fn parse(v: &serde_json::Value) -> Result<Self, AppError> {
        let obj = v.as_object().ok_or_else(|| AppError::invalid("settings", "must be an object"))?;
        // Each field is read by hand so a missing or mistyped one is named,
        // which serde's own messages do not do.
        let text = |key: &str| -> Result<String, AppError> {
            match obj.get(key) {
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                Some(serde_json::Value::String(_)) | None | Some(serde_json::Value::Null) => {
                    Err(AppError::invalid(format!("settings.{key}"), "is required"))
                }
                Some(_) => Err(AppError::invalid(format!("settings.{key}"), "must be text")),
            }
        };
        let provider =
            text("provider")?.parse::<SmsProvider>().map_err(|e| AppError::invalid("settings.provider", e))?;
        let account_sid = text("accountSid")?;
        if !is_account_sid(&account_sid) {
            return Err(AppError::invalid(
                "settings.accountSid",
                "must be the Account SID from the Twilio Console: AC followed by 32 letters and digits",
            ));
        }
        let auth_token = text("authToken")?;
        if auth_token.contains(char::is_whitespace) {
            return Err(AppError::invalid("settings.authToken", "must not contain spaces"));
        }
        let from_number =
            e164(&text("fromNumber")?).map_err(|why| AppError::invalid("settings.fromNumber", why.to_string()))?;
        let api_base_url = match obj.get("apiBaseUrl") {
            None | Some(serde_json::Value::Null) => DEFAULT_API_BASE.to_string(),
            Some(_) => text("apiBaseUrl")?,
        };
        let api_base_url = api_base_url.trim_end_matches('/').to_string();
        let rest = api_base_url
            .strip_prefix("https://")
            .or_else(|| api_base_url.strip_prefix("http://"))
            .ok_or_else(|| AppError::invalid("settings.apiBaseUrl", "must start with https:// or http://"))?;
        if rest.is_empty() || rest.contains(char::is_whitespace) || rest.contains(['?', '#']) {
            return Err(AppError::invalid("settings.apiBaseUrl", "must be a URL like https://api.twilio.com"));
        }
        Ok(SmsSettings { provider, account_sid, auth_token, from_number, api_base_url })
    }

    /// The Messages resource replies are POSTed to.
    pub fn messages_url(&self) -> String {
        format!("{}/2010-04-01/Accounts/{}/Messages.json", self.api_base_url, self.account_sid)
    }

    /// The Account resource the health check reads.
    pub fn account_url(&self) -> String {
        format!("{}/2010-04-01/Accounts/{}.json", self.api_base_url, self.account_sid)
    }
}

fn is_account_sid(s: &str) -> bool {
    s.len() == 34 && s.starts_with("AC") && s[2..].chars().all(|c| c.is_ascii_alphanumeric())
}

/// Why a text is not a phone number Parley can text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotE164 {
    /// Letters: an alphanumeric sender id ("ACME"), which cannot be answered.
    Letters,
    /// No country code: Parley cannot guess which country is meant.
    NoCountryCode,
    /// Too few or too many digits for E.164 (8 to 15).
    Length,
}

impl std::fmt::Display for NotE164 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NotE164::Letters => "must be a phone number, not a name or a sender id",
            NotE164::NoCountryCode => "must start with + and the country code, like +15551234567",
            NotE164::Length => "must have 8 to 15 digits after the +",
        })
    }
}

/// A number in E.164 (`+` then 8 to 15 digits, no leading 0). Accepts what
/// people paste: spaces, dashes, dots, brackets, and the `00` international
/// prefix in place of `+`. A number without a country code is refused
/// rather than guessed.
pub fn e164(raw: &str) -> Result<String, NotE164> {
    let t = raw.trim();
    if t.chars().any(|c| c.is_alphabetic()) {
        return Err(NotE164::Letters);
    }
    let rest = match (t.strip_prefix('+'), t.strip_prefix("00")) {
        (Some(r), _) => r,
        (None, Some(r)) => r,
        (None, None) => return Err(NotE164::NoCountryCode),
    };
    let digits: String = rest.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}')).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(NotE164::Letters);
    }
    if digits.starts_with('0') {
        return Err(NotE164::NoCountryCode);
    }
    if !(8..=15).contains(&digits.len()) {
        return Err(NotE164::Length);
    }
    Ok(format!("+{digits}"))
}

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
    fn numbers_are_normalized_to_e164() {
        assert_eq!(e164("+1 (555) 000-1111"), Ok("+15550001111".into()));
        assert_eq!(e164(" +44 20 7946 0958 "), Ok("+442079460958".into()));
        assert_eq!(e164("0049 30 1234567"), Ok("+49301234567".into()), "00 stands for +");
        assert_eq!(e164("+33.6.12.34.56.78"), Ok("+33612345678".into()));
        assert_eq!(e164("5550001111"), Err(NotE164::NoCountryCode), "no country code is not guessed");
        assert_eq!(e164("+0123456789"), Err(NotE164::NoCountryCode));
        assert_eq!(e164("+1234"), Err(NotE164::Length));
        assert_eq!(e164("+1234567890123456"), Err(NotE164::Length));
        assert_eq!(e164("ACME"), Err(NotE164::Letters));
        assert_eq!(e164("+1555abc1111"), Err(NotE164::Letters));
        assert_eq!(e164("+1555#0001111"), Err(NotE164::Letters));
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let sid = "AC0123456789abcdef0123456789abcdef";
        let ok = serde_json::json!({"provider": "twilio", "accountSid": sid, "authToken": "tok",
                                    "fromNumber": "+1 555 000 1111"});
        let s = SmsSettings::parse(&ok).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s.from_number, "+15550001111");
        assert_eq!(s.api_base_url, DEFAULT_API_BASE);
        assert_eq!(s.messages_url(), format!("https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"));
        let mut custom = ok.clone();
        custom["apiBaseUrl"] = serde_json::json!("http://127.0.0.1:9/");
        assert_eq!(SmsSettings::parse(&custom).map(|s| s.api_base_url), Ok("http://127.0.0.1:9".into()));

        let field = |patch: serde_json::Value| {
            let mut v = ok.clone();
            for (k, val) in patch.as_object().into_iter().flatten() {
                v[k] = val.clone();
            }
            match SmsSettings::parse(&v) {
                Err(AppError::Validation { field, .. }) => field,
                other => panic!("expected a field error, got {other:?}"),
            }
        };
        assert_eq!(field(serde_json::json!({"provider": "nexmo"})), "settings.provider");
        assert_eq!(
            field(serde_json::json!({"accountSid": "SK0123456789abcdef0123456789abcdef"})),
            "settings.accountSid"
        );
        assert_eq!(field(serde_json::json!({"accountSid": null})), "settings.accountSid");
        assert_eq!(field(serde_json::json!({"authToken": ""})), "settings.authToken");
        assert_eq!(field(serde_json::json!({"fromNumber": "5550001111"})), "settings.fromNumber");
        assert_eq!(field(serde_json::json!({"fromNumber": 15550001111u64})), "settings.fromNumber");
        assert_eq!(field(serde_json::json!({"apiBaseUrl": "ftp://x"})), "settings.apiBaseUrl");
        assert!(
            matches!(SmsSettings::parse(&serde_json::json!([])), Err(AppError::Validation { field, .. }) if field == "settings")
        );
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
