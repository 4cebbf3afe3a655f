//! Channels in SQL: CRUD for admins, lookups for the inbound transports,
//! and the health each channel shows in Settings and the composer.

use sqlx::{FromRow, SqliteConnection};

use crate::channels::model::{Channel, ChannelInput, EmailSettings, Health, HealthStatus, SECRET_MASK};
use crate::db::Db;
use crate::email::address;
use crate::error::{AppError, AppResult};
use crate::ids::{ChannelId, InboxId, WorkspaceId};
use crate::messages::model::ChannelKind;
use crate::sms::model::SmsSettings;
use crate::time::Timestamp;
use crate::users::server::Principal;
use crate::whatsapp::model::WhatsappSettings;
use crate::widget::model::WidgetSettings;
use crate::workspace::new_token;

/// A channel's full row, secrets included: server-side only.
#[derive(Debug, Clone, FromRow)]
pub struct ChannelRow {
    pub id: ChannelId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub kind: ChannelKind,
    pub inbox_id: InboxId,
    pub enabled: bool,
    pub settings: String,
    pub token: String,
    pub inbound_local: Option<String>,
    pub health_status: HealthStatus,
    pub health_detail: Option<String>,
}

const CHANNEL_SQL: &str = "SELECT id, workspace_id, name, kind, inbox_id, enabled, settings, token, inbound_local,
    health_status, health_detail FROM channels";

/// Keys whose values are secrets in any kind's settings.
const SECRET_KEYS: [&str; 6] = ["password", "authToken", "accessToken", "appSecret", "hmacSecret", "verifyToken"];

impl ChannelRow {
    /// The settings as stored.
    pub fn settings_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.settings).unwrap_or_else(|_| serde_json::json!({}))
    }

    /// The email settings of an email channel.
    pub fn email(&self) -> AppResult<EmailSettings> {
        if self.kind != ChannelKind::Email {
            return Err(AppError::invalid("channelId", "is not an email channel"));
        }
        EmailSettings::parse(&self.settings_json())
    }

    /// The settings of an SMS channel; an error when they are incomplete.
    pub fn sms(&self) -> AppResult<SmsSettings> {
        if self.kind != ChannelKind::Sms {
            return Err(AppError::invalid("channelId", "is not an SMS channel"));
        }
        SmsSettings::parse(&self.settings_json())
    }

    /// The settings of a WhatsApp channel; an error when they are incomplete.
    pub fn whatsapp(&self) -> AppResult<WhatsappSettings> {
        if self.kind != ChannelKind::Whatsapp {
            return Err(AppError::invalid("channelId", "is not a WhatsApp channel"));
        }
        WhatsappSettings::parse(&self.settings_json())
    }

    /// The API shape, secrets masked.
    pub fn to_wire(&self, inbound_domain: &str) -> Channel {
        let mut settings = self.settings_json();
        mask(&mut settings);
        Channel {
            id: self.id,
            name: self.name.clone(),
            kind: self.kind,
            inbox_id: self.inbox_id,
            enabled: self.enabled,
            settings,
            token: self.token.clone(),
            forwarding_address: self.inbound_local.as_deref().map(|l| address::forwarding_address(l, inbound_domain)),
            health: Health { status: self.health_status, detail: self.health_detail.clone() },
        }
    }

    /// Why replies on this channel cannot go out at all (switched off or
    /// not set up), if they cannot. A failing server does not stop a send:
    /// the next attempt may well succeed, and its outcome is recorded.
    pub fn can_send(&self) -> Result<(), String> {
        if !self.enabled {
            return Err(format!(
                "The channel \u{201c}{}\u{201d} is switched off: replies are kept but not sent.",
                self.name
            ));
        }
        match self.kind {
            // A widget reply is delivered by being read: the visitor's
            // panel fetches it (`GET /widget/{token}/conversation`).
            ChannelKind::Api | ChannelKind::Note | ChannelKind::Widget => Ok(()),
            ChannelKind::Email => {
                let s = self.email().map_err(|_| "The email channel's settings are incomplete.".to_string())?;
                if s.smtp_configured() {
                    Ok(())
                } else {
                    Err(format!(
                        "No outgoing mail server is set for {}: add one in Settings \u{2192} Channels.",
                        s.address
                    ))
                }
            }
            ChannelKind::Sms => self.sms().map(|_| ()).map_err(|_| crate::sms::NOT_CONNECTED.to_string()),
            ChannelKind::Whatsapp => {
                self.whatsapp().map(|_| ()).map_err(|_| crate::whatsapp::NOT_CONNECTED.to_string())
            }
        }
    }

    /// What the composer warns about before anyone types: why replies
    /// cannot go out, or that the last attempt failed and why.
    pub fn readiness(&self) -> Result<(), String> {
        self.can_send()?;
        let (what, fallback) = match self.kind {
            ChannelKind::Sms => ("Sending texts", "Twilio did not accept the last text"),
            ChannelKind::Whatsapp => ("Sending WhatsApp messages", "the Graph API did not accept the last message"),
            _ => ("Sending mail", "the SMTP server did not accept the last message"),
        };
        match self.health_status {
            HealthStatus::Failing => {
                Err(format!("{what} is failing: {}", self.health_detail.as_deref().unwrap_or(fallback)))
            }
            _ => Ok(()),
        }
    }
}

fn mask(v: &mut serde_json::Value) {
    if let Some(map) = v.as_object_mut() {
        for (k, val) in map.iter_mut() {
            if SECRET_KEYS.contains(&k.as_str()) && val.as_str().is_some_and(|s| !s.is_empty()) {
                *val = serde_json::Value::String(SECRET_MASK.into());
            } else {
                mask(val);
            }
        }
    }
}

/// Puts back stored secrets where the new settings carry the mask.
fn keep_secrets(new: &mut serde_json::Value, old: &serde_json::Value) {
    if let (Some(n), Some(o)) = (new.as_object_mut(), old.as_object()) {
        for (k, val) in n.iter_mut() {
            if val.as_str() == Some(SECRET_MASK) {
                *val = o.get(k).cloned().unwrap_or(serde_json::Value::String(String::new()));
            } else if let Some(ov) = o.get(k) {
                keep_secrets(val, ov);
            }
        }
    }
}

/// Every channel of the workspace, in creation order.
pub async fn list(db: &Db, ws: WorkspaceId) -> AppResult<Vec<ChannelRow>> {
    Ok(sqlx::query_as(&format!("{CHANNEL_SQL} WHERE workspace_id = ? ORDER BY id"))
        .bind(ws)
        .fetch_all(&db.pool)
        .await?)
}

/// One channel of the workspace.
pub async fn get(conn: &mut SqliteConnection, ws: WorkspaceId, id: ChannelId) -> AppResult<ChannelRow> {
    sqlx::query_as(&format!("{CHANNEL_SQL} WHERE id = ? AND workspace_id = ?"))
        .bind(id)
        .bind(ws)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::not_found("channel"))
}

/// The channel a hook or widget URL names.
pub async fn by_token(conn: &mut SqliteConnection, token: &str) -> AppResult<Option<ChannelRow>> {
    Ok(sqlx::query_as(&format!("{CHANNEL_SQL} WHERE token = ?")).bind(token).fetch_optional(conn).await?)
}

/// The email channel a forwarding local part belongs to.
pub async fn by_inbound_local(conn: &mut SqliteConnection, local: &str) -> AppResult<Option<ChannelRow>> {
    Ok(sqlx::query_as(&format!("{CHANNEL_SQL} WHERE lower(inbound_local) = lower(?) AND kind = 'email'"))
        .bind(local)
        .fetch_optional(conn)
        .await?)
}

/// Checks the input and returns the settings to store.
fn checked_settings(input: &ChannelInput) -> AppResult<serde_json::Value> {
    if input.name.trim().is_empty() || input.name.trim().chars().count() > 100 {
        return Err(AppError::invalid("name", "must be 1 to 100 characters"));
    }
    match input.kind {
        ChannelKind::Note => Err(AppError::invalid("kind", "must be email, sms, whatsapp, widget or api")),
        ChannelKind::Email => {
            let s = EmailSettings::parse(&input.settings)?;
            serde_json::to_value(s).map_err(|_| AppError::Internal)
        }
        // An SMS channel may be added before its Twilio details are known
        // (it shows as not set up); once any are given, all are checked.
        ChannelKind::Sms if input.settings.is_null() || input.settings.as_object().is_some_and(|o| o.is_empty()) => {
            Ok(serde_json::json!({}))
        }
        ChannelKind::Sms => {
            let s = SmsSettings::parse(&input.settings)?;
            serde_json::to_value(s).map_err(|_| AppError::Internal)
        }
        // Likewise a WhatsApp channel before its Meta app is set up.
        ChannelKind::Whatsapp
            if input.settings.is_null() || input.settings.as_object().is_some_and(|o| o.is_empty()) =>
        {
            Ok(serde_json::json!({}))
        }
        ChannelKind::Whatsapp => {
            let s = WhatsappSettings::parse(&input.settings)?;
            serde_json::to_value(s).map_err(|_| AppError::Internal)
        }
        ChannelKind::Widget => {
            let s = WidgetSettings::parse(&input.settings)?;
            serde_json::to_value(s).map_err(|_| AppError::Internal)
        }
        // The other kinds' settings are checked by their own channels.
        _ if input.settings.is_null() => Ok(serde_json::json!({})),
        _ if input.settings.is_object() => Ok(input.settings.clone()),
        _ => Err(AppError::invalid("settings", "must be an object")),
    }
}

async fn check_inbox(conn: &mut SqliteConnection, ws: WorkspaceId, inbox: InboxId) -> AppResult<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM inboxes WHERE id = ? AND workspace_id = ?")
        .bind(inbox)
        .bind(ws)
        .fetch_optional(conn)
        .await?;
    found.map(|_| ()).ok_or_else(|| AppError::invalid("inboxId", "no such inbox"))
}

fn initial_health(kind: ChannelKind, settings: &serde_json::Value) -> (HealthStatus, Option<String>) {
    match kind {
        ChannelKind::Email => match EmailSettings::parse(settings) {
            Ok(s) if s.smtp_configured() => (HealthStatus::Ok, None),
            _ => (HealthStatus::Unconfigured, Some("No outgoing mail server is set.".into())),
        },
        ChannelKind::Api => (HealthStatus::Ok, None),
        ChannelKind::Sms => match SmsSettings::parse(settings) {
            Ok(_) => (HealthStatus::Ok, None),
            Err(_) => (HealthStatus::Unconfigured, Some(crate::sms::NOT_CONNECTED.into())),
        },
        ChannelKind::Whatsapp => match WhatsappSettings::parse(settings) {
            Ok(_) => (HealthStatus::Ok, None),
            Err(_) => (HealthStatus::Unconfigured, Some(crate::whatsapp::NOT_CONNECTED.into())),
        },
        ChannelKind::Widget => match WidgetSettings::parse(settings).map(|s| s.unconfigured_reason()) {
            Ok(None) => (HealthStatus::Ok, None),
            Ok(Some(why)) => (HealthStatus::Unconfigured, Some(why.into())),
            Err(_) => (HealthStatus::Unconfigured, Some("The widget's settings are incomplete.".into())),
        },
        _ => (HealthStatus::Unconfigured, Some("This channel kind is not connected yet.".into())),
    }
}

/// Adds a channel (admins).
pub async fn create(db: &Db, who: &Principal, input: &ChannelInput) -> AppResult<ChannelRow> {
    who.require_admin()?;
    let settings = checked_settings(input)?;
    let mut tx = db.write().await?;
    check_inbox(&mut tx, who.workspace_id, input.inbox_id).await?;
    let token = new_token();
    let inbound_local = match input.kind {
        ChannelKind::Email => {
            Some(address::inbound_local(settings.get("address").and_then(|a| a.as_str()).unwrap_or(""), &token))
        }
        _ => None,
    };
    let (health, detail) = initial_health(input.kind, &settings);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO channels (workspace_id, name, kind, inbox_id, enabled, settings, token, inbound_local,
                               health_status, health_detail, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(who.workspace_id)
    .bind(input.name.trim())
    .bind(input.kind)
    .bind(input.inbox_id)
    .bind(input.enabled)
    .bind(settings.to_string())
    .bind(&token)
    .bind(&inbound_local)
    .bind(health)
    .bind(detail)
    .bind(Timestamp::now())
    .fetch_one(&mut *tx)
    .await?;
    let row = get(&mut tx, who.workspace_id, ChannelId(id)).await?;
    tx.commit().await?;
    Ok(row)
}

/// Replaces a channel's name, inbox, switch and settings (admins). The kind,
/// token and forwarding address never change; masked secrets stay.
pub async fn update(db: &Db, who: &Principal, id: ChannelId, input: &ChannelInput) -> AppResult<ChannelRow> {
    who.require_admin()?;
    let mut tx = db.write().await?;
    let old = get(&mut tx, who.workspace_id, id).await?;
    if input.kind != old.kind {
        return Err(AppError::invalid("kind", "cannot change; create a new channel instead"));
    }
    let mut merged = input.clone();
    keep_secrets(&mut merged.settings, &old.settings_json());
    let settings = checked_settings(&merged)?;
    check_inbox(&mut tx, who.workspace_id, input.inbox_id).await?;
    let (health, detail) = initial_health(input.kind, &settings);
    sqlx::query(
        "UPDATE channels SET name = ?, inbox_id = ?, enabled = ?, settings = ?, health_status = ?, health_detail = ?
         WHERE id = ?",
    )
    .bind(input.name.trim())
    .bind(input.inbox_id)
    .bind(input.enabled)
    .bind(settings.to_string())
    .bind(health)
    .bind(detail)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let row = get(&mut tx, who.workspace_id, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Removes a channel that has carried no conversation (admins); one that
/// has is switched off instead, so its history stays readable.
pub async fn delete(db: &Db, who: &Principal, id: ChannelId) -> AppResult<()> {
    who.require_admin()?;
    let mut tx = db.write().await?;
    let row = get(&mut tx, who.workspace_id, id).await?;
    let used: Option<i64> = sqlx::query_scalar("SELECT id FROM conversations WHERE channel_id = ? LIMIT 1")
        .bind(row.id)
        .fetch_optional(&mut *tx)
        .await?;
    if used.is_some() {
        return Err(AppError::conflict("the channel has conversations; switch it off instead"));
    }
    sqlx::query("DELETE FROM inbound_mail WHERE channel_id = ?").bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM channels WHERE id = ?").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Records the outcome of a health check or a send.
pub async fn set_health(db: &Db, id: ChannelId, status: HealthStatus, detail: Option<&str>) -> AppResult<()> {
    sqlx::query("UPDATE channels SET health_status = ?, health_detail = ?, health_checked_at = ? WHERE id = ?")
        .bind(status)
        .bind(detail)
        .bind(Timestamp::now())
        .bind(id)
        .execute(&db.writer)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_and_kept() {
        let stored = serde_json::json!({"address": "a@b.test", "smtp": {"host": "h", "password": "s3cret"}});
        let mut shown = stored.clone();
        mask(&mut shown);
        assert_eq!(shown["smtp"]["password"], SECRET_MASK);
        assert_eq!(shown["smtp"]["host"], "h");
        // Saving the form back unchanged keeps the secret; a new one replaces it.
        let mut back = shown.clone();
        keep_secrets(&mut back, &stored);
        assert_eq!(back["smtp"]["password"], "s3cret");
        let mut changed = serde_json::json!({"smtp": {"password": "new"}});
        keep_secrets(&mut changed, &stored);
        assert_eq!(changed["smtp"]["password"], "new");
    }
}
