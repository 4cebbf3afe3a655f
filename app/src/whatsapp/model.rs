//! The WhatsApp channel's settings, shared by browser and server: the
//! typed settings of a Cloud API channel and the Graph API URLs they give.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The Graph API version Parley speaks; `apiBaseUrl` points elsewhere in tests.
pub const DEFAULT_API_BASE: &str = "https://graph.facebook.com/v21.0";

/// WhatsApp refuses longer text bodies; checked before sending so the
/// agent reads the limit instead of a Graph error code.
pub const MAX_TEXT_CHARS: usize = 4096;

/// A WhatsApp channel's settings (shared/API.md: `whatsapp`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatsappSettings {
    /// The business phone number's id in WhatsApp Manager (digits), not
    /// the phone number itself.
    pub phone_number_id: String,
    /// Secret: a system user's permanent token, sent as `Bearer`.
    pub access_token: String,
    /// Secret: the Meta app's secret, which signs webhooks (`X-Hub-Signature-256`).
    pub app_secret: String,
    /// Secret: the word the admin also types into the Meta app, echoed in
    /// the subscription handshake.
    pub verify_token: String,
    /// Where the Graph API lives, version included (no trailing slash).
    #[serde(default = "default_base")]
    pub api_base_url: String,
}

fn default_base() -> String {
    DEFAULT_API_BASE.to_string()
}

impl WhatsappSettings {
    /// Reads and checks settings; errors name the field (`settings.phoneNumberId` …).
    pub fn parse(v: &serde_json::Value) -> Result<Self, AppError> {
        let f = crate::channels::fields::Fields::of(v)?;
        // People paste the id as a number from the Graph Explorer; take it.
        let phone_number_id = match f.get("phoneNumberId") {
            Some(serde_json::Value::Number(n)) if n.is_u64() => n.to_string(),
            _ => f.text("phoneNumberId")?,
        };
        if !(1..=32).contains(&phone_number_id.len()) || !phone_number_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(AppError::invalid(
                "settings.phoneNumberId",
                "must be the Phone number ID from WhatsApp Manager (digits only), not the phone number",
            ));
        }
        let access_token = f.text("accessToken")?;
        if access_token.contains(char::is_whitespace) {
            return Err(AppError::invalid("settings.accessToken", "must not contain spaces (paste the token alone)"));
        }
        let app_secret = f.text("appSecret")?;
        if app_secret.contains(char::is_whitespace) {
            return Err(AppError::invalid("settings.appSecret", "must not contain spaces"));
        }
        let verify_token = f.text("verifyToken")?;
        let api_base_url = f.api_base_url(DEFAULT_API_BASE)?;
        Ok(WhatsappSettings { phone_number_id, access_token, app_secret, verify_token, api_base_url })
    }

    /// The phone number's messages edge, where replies are POSTed.
    pub fn messages_url(&self) -> String {
        format!("{}/{}/messages", self.api_base_url, self.phone_number_id)
    }

    /// The phone number node the health check reads.
    pub fn phone_number_url(&self) -> String {
        format!("{}/{}", self.api_base_url, self.phone_number_id)
    }

    /// The media node that answers a received file's download URL
    /// (`GET {apiBaseUrl}/{media-id}`).
    pub fn media_url(&self, media_id: &str) -> String {
        format!("{}/{}", self.api_base_url, media_id)
    }

    /// The `Authorization` header of every Graph API call.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.access_token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> serde_json::Value {
        serde_json::json!({"phoneNumberId": " 106540352242922 ", "accessToken": "EAAG123", "appSecret": "s3cr3t",
                           "verifyToken": "parley-verify"})
    }

    #[test]
    fn settings_are_read_with_the_default_graph_endpoint() {
        let s = WhatsappSettings::parse(&ok()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s.phone_number_id, "106540352242922");
        assert_eq!(s.api_base_url, "https://graph.facebook.com/v21.0");
        assert_eq!(s.messages_url(), "https://graph.facebook.com/v21.0/106540352242922/messages");
        assert_eq!(s.phone_number_url(), "https://graph.facebook.com/v21.0/106540352242922");
        assert_eq!(s.bearer(), "Bearer EAAG123");
        assert_eq!(s.media_url("1003383421387256"), "https://graph.facebook.com/v21.0/1003383421387256");
        let mut custom = ok();
        custom["apiBaseUrl"] = serde_json::json!("http://127.0.0.1:9/v21.0/");
        assert_eq!(WhatsappSettings::parse(&custom).map(|s| s.api_base_url), Ok("http://127.0.0.1:9/v21.0".into()));
        let mut numeric = ok();
        numeric["phoneNumberId"] = serde_json::json!(106540352242922u64);
        assert_eq!(WhatsappSettings::parse(&numeric).map(|s| s.phone_number_id), Ok("106540352242922".into()));
    }

    #[test]
    fn a_bad_setting_is_named() {
        let field = |key: &str, value: serde_json::Value| {
            let mut v = ok();
            v[key] = value;
            match WhatsappSettings::parse(&v) {
                Err(AppError::Validation { field, .. }) => field,
                other => panic!("expected a field error for {key}, got {other:?}"),
            }
        };
        assert_eq!(field("phoneNumberId", serde_json::json!("+1 555 000 1111")), "settings.phoneNumberId");
        assert_eq!(field("phoneNumberId", serde_json::Value::Null), "settings.phoneNumberId");
        assert_eq!(field("accessToken", serde_json::json!("")), "settings.accessToken");
        assert_eq!(field("accessToken", serde_json::json!("Bearer EAAG")), "settings.accessToken");
        assert_eq!(field("appSecret", serde_json::json!(42)), "settings.appSecret");
        assert_eq!(field("verifyToken", serde_json::Value::Null), "settings.verifyToken");
        assert_eq!(field("apiBaseUrl", serde_json::json!("graph.facebook.com")), "settings.apiBaseUrl");
        assert!(matches!(
            WhatsappSettings::parse(&serde_json::json!("x")),
            Err(AppError::Validation { field, .. }) if field == "settings"
        ));
    }
}
