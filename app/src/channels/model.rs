//! Channel types shared by browser and server (shared/API.md's Channel).
//! Settings are typed per kind; secrets never leave the server (they read
//! back as [`SECRET_MASK`], and writing the mask keeps the stored value).

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::ids::{ChannelId, InboxId};
use crate::messages::model::ChannelKind;
use crate::str_enum;

/// What a secret reads back as.
pub const SECRET_MASK: &str = "********";

str_enum! {
    /// A channel's last health check.
    HealthStatus {
        Ok = "ok" / "Working",
        Unconfigured = "unconfigured" / "Not set up",
        Failing = "failing" / "Failing",
    }
}

str_enum! {
    /// How the From name of outgoing mail reads.
    FromNameStyle {
        /// "Ada Lovelace from Acme Support".
        AgentAndCompany = "agent_and_company" / "Agent and company",
        /// "Acme Support".
        Company = "company" / "Company only",
    }
}

str_enum! {
    /// Transport security to the outgoing SMTP server.
    SmtpSecurity {
        None = "none" / "None",
        Starttls = "starttls" / "STARTTLS",
        Tls = "tls" / "TLS",
    }
}

/// Health as shown in Settings and the composer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub status: HealthStatus,
    pub detail: Option<String>,
}

/// One connected endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub id: ChannelId,
    pub name: String,
    pub kind: ChannelKind,
    pub inbox_id: InboxId,
    pub enabled: bool,
    /// Per kind, secrets masked.
    pub settings: serde_json::Value,
    pub token: String,
    /// Email only.
    pub forwarding_address: Option<String>,
    pub health: Health,
}

/// Create or replace a channel (PUT sends the whole thing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelInput {
    pub name: String,
    pub kind: ChannelKind,
    pub inbox_id: InboxId,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub settings: serde_json::Value,
}

fn yes() -> bool {
    true
}

/// The outgoing SMTP server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmtpSettings {
    #[serde(default)]
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default = "default_security")]
    pub security: SmtpSecurity,
}

fn default_port() -> u16 {
    587
}
fn default_security() -> SmtpSecurity {
    SmtpSecurity::Starttls
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: default_port(),
            username: String::new(),
            password: String::new(),
            security: default_security(),
        }
    }
}

/// The automatic answer to a new conversation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoReply {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
}

/// An email channel's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailSettings {
    /// The address customers write to and replies come from.
    pub address: String,
    #[serde(default)]
    pub from_name: String,
    #[serde(default = "default_style")]
    pub from_name_style: FromNameStyle,
    #[serde(default)]
    pub smtp: SmtpSettings,
    #[serde(default = "yes")]
    pub add_signature: bool,
    #[serde(default)]
    pub auto_reply: AutoReply,
    #[serde(default = "default_window")]
    pub reopen_window_days: u32,
    /// A mail a teammate forwarded by hand is logged to the person who
    /// originally wrote it (HubSpot's "original sender of email forwards").
    #[serde(default = "yes")]
    pub forwarded_to_original_sender: bool,
}

/// Checks the fields serde would reject with a message that names no
/// field, so the form can point at the right one.
fn precheck(v: &serde_json::Value) -> Result<(), AppError> {
    use std::str::FromStr;
    if !v.is_object() {
        return Err(AppError::invalid("settings", "must be an object"));
    }
    if !v.get("address").is_some_and(serde_json::Value::is_string) {
        return Err(AppError::invalid("settings.address", "is required"));
    }
    let word = |path: &str, ok: &dyn Fn(&str) -> bool, field: &str, msg: &str| match v.pointer(path) {
        Some(x) if !x.as_str().is_some_and(ok) => Err(AppError::invalid(field, msg)),
        _ => Ok(()),
    };
    word(
        "/smtp/security",
        &|x| SmtpSecurity::from_str(x).is_ok(),
        "settings.smtp.security",
        "must be none, starttls or tls",
    )?;
    word(
        "/fromNameStyle",
        &|x| FromNameStyle::from_str(x).is_ok(),
        "settings.fromNameStyle",
        "must be agent_and_company or company",
    )?;
    let number = |path: &str, max: u64, field: &str, msg: &str| match v.pointer(path) {
        Some(x) if x.as_u64().is_none_or(|n| n > max) => Err(AppError::invalid(field, msg)),
        _ => Ok(()),
    };
    number("/smtp/port", 65_535, "settings.smtp.port", "must be between 1 and 65535")?;
    number("/reopenWindowDays", 365, "settings.reopenWindowDays", "must be between 0 and 365")?;
    Ok(())
}

fn default_style() -> FromNameStyle {
    FromNameStyle::AgentAndCompany
}
fn default_window() -> u32 {
    7
}

impl EmailSettings {
    /// Reads and checks settings; errors name the field (`settings.address` …).
    pub fn parse(v: &serde_json::Value) -> Result<Self, AppError> {
        precheck(v)?;
        let s: EmailSettings =
            serde_json::from_value(v.clone()).map_err(|e| AppError::invalid("settings", e.to_string()))?;
        s.validated()
    }

    fn validated(mut self) -> Result<Self, AppError> {
        self.address = crate::contacts::model::normalize_email(&self.address)
            .ok_or_else(|| AppError::invalid("settings.address", "is not a valid email address"))?
            .to_ascii_lowercase();
        self.from_name = self.from_name.trim().to_string();
        if self.from_name.chars().count() > 100 {
            return Err(AppError::invalid("settings.fromName", "must be at most 100 characters"));
        }
        self.smtp.host = self.smtp.host.trim().to_string();
        if self.smtp.host.contains(char::is_whitespace) || self.smtp.host.contains('/') {
            return Err(AppError::invalid("settings.smtp.host", "must be a host name or IP address"));
        }
        if self.smtp.port == 0 {
            return Err(AppError::invalid("settings.smtp.port", "must be between 1 and 65535"));
        }
        if self.reopen_window_days > 365 {
            return Err(AppError::invalid("settings.reopenWindowDays", "must be between 0 and 365"));
        }
        if self.auto_reply.enabled && self.auto_reply.body.trim().is_empty() {
            return Err(AppError::invalid("settings.autoReply.body", "is needed to send an auto-reply"));
        }
        Ok(self)
    }

    /// The From name for a reply written by `agent` (none for auto-replies).
    pub fn from_name_for(&self, agent: Option<&str>) -> String {
        let company = if self.from_name.is_empty() { self.address.clone() } else { self.from_name.clone() };
        match (self.from_name_style, agent) {
            (FromNameStyle::AgentAndCompany, Some(a)) if !a.trim().is_empty() => format!("{} from {company}", a.trim()),
            _ => company,
        }
    }

    /// True when outgoing mail has somewhere to go.
    pub fn smtp_configured(&self) -> bool {
        !self.smtp.host.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_settings_are_checked_field_by_field() {
        let ok = serde_json::json!({"address": " Support@Acme.test ", "fromName": "Acme Support"});
        let s = EmailSettings::parse(&ok).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s.address, "support@acme.test");
        assert_eq!(s.reopen_window_days, 7);
        assert_eq!(s.smtp.port, 587);
        assert!(s.add_signature && !s.auto_reply.enabled && !s.smtp_configured());
        let field = |v: serde_json::Value| match EmailSettings::parse(&v) {
            Err(AppError::Validation { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        };
        assert_eq!(field(serde_json::json!({"address": "nope"})), "settings.address");
        assert_eq!(
            field(serde_json::json!({"address": "a@b.test", "reopenWindowDays": 999})),
            "settings.reopenWindowDays"
        );
        assert_eq!(
            field(serde_json::json!({"address": "a@b.test", "autoReply": {"enabled": true, "body": " "}})),
            "settings.autoReply.body"
        );
        assert_eq!(field(serde_json::json!({"address": "a@b.test", "smtp": {"host": "a b"}})), "settings.smtp.host");
        assert_eq!(
            field(serde_json::json!({"address": "a@b.test", "smtp": {"security": "ssl"}})),
            "settings.smtp.security"
        );
        assert_eq!(field(serde_json::json!({"address": "a@b.test", "smtp": {"port": 70000}})), "settings.smtp.port");
        assert_eq!(field(serde_json::json!({"fromName": "x"})), "settings.address");
    }

    #[test]
    fn from_names_follow_the_style() {
        let mut s = EmailSettings::parse(&serde_json::json!({"address": "help@acme.test", "fromName": "Acme"}))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s.from_name_for(Some("Ada Lovelace")), "Ada Lovelace from Acme");
        assert_eq!(s.from_name_for(None), "Acme");
        s.from_name_style = FromNameStyle::Company;
        assert_eq!(s.from_name_for(Some("Ada Lovelace")), "Acme");
        s.from_name.clear();
        assert_eq!(s.from_name_for(None), "help@acme.test");
    }
}
