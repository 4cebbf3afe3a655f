//! Reading a channel's `settings` object field by field for the per-kind
//! parsers (`sms::model`, `whatsapp::model`), so that every error names
//! its field (`settings.accountSid`), which serde's own messages do not.

use serde_json::{Map, Value};

use crate::error::AppError;

/// A settings object being read.
pub struct Fields<'a>(&'a Map<String, Value>);

impl<'a> Fields<'a> {
    /// The settings, which must be a JSON object.
    pub fn of(v: &'a Value) -> Result<Self, AppError> {
        v.as_object().map(Fields).ok_or_else(|| AppError::invalid("settings", "must be an object"))
    }

    /// The raw value of `key`, for fields with their own rules.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key)
    }

    /// Required, non-blank text, trimmed.
    pub fn text(&self, key: &str) -> Result<String, AppError> {
        match self.0.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                Err(AppError::invalid(format!("settings.{key}"), "is required"))
            }
            Some(_) => Err(AppError::invalid(format!("settings.{key}"), "must be text")),
        }
    }

    /// `apiBaseUrl`: where the provider lives, `default` when absent (a
    /// deployment or the test suite points it at another host); an http(s)
    /// URL without a trailing slash, query or fragment.
    pub fn api_base_url(&self, default: &str) -> Result<String, AppError> {
        let url = match self.0.get("apiBaseUrl") {
            None | Some(Value::Null) => default.to_string(),
            Some(_) => self.text("apiBaseUrl")?,
        };
        let url = url.trim_end_matches('/').to_string();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| AppError::invalid("settings.apiBaseUrl", "must start with https:// or http://"))?;
        if rest.is_empty() || rest.contains(char::is_whitespace) || rest.contains(['?', '#']) {
            return Err(AppError::invalid("settings.apiBaseUrl", format!("must be a URL like {default}")));
        }
        Ok(url)
    }
}
