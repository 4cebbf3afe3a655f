//! The SMS channel's settings and numbers, shared by browser and server:
//! the typed settings of a Twilio channel and E.164 normalization.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
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
        let f = crate::channels::fields::Fields::of(v)?;
        let provider =
            f.text("provider")?.parse::<SmsProvider>().map_err(|e| AppError::invalid("settings.provider", e))?;
        let account_sid = f.text("accountSid")?;
        if !is_account_sid(&account_sid) {
            return Err(AppError::invalid(
                "settings.accountSid",
                "must be the Account SID from the Twilio Console: AC followed by 32 letters and digits",
            ));
        }
        let auth_token = f.text("authToken")?;
        if auth_token.contains(char::is_whitespace) {
            return Err(AppError::invalid("settings.authToken", "must not contain spaces"));
        }
        let from_number =
            e164(&f.text("fromNumber")?).map_err(|why| AppError::invalid("settings.fromNumber", why.to_string()))?;
        let api_base_url = f.api_base_url(DEFAULT_API_BASE)?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
