//! The widget's server side: a visitor's post (script or plain form) into
//! the one ingest pipeline, the panel's settings, and the visitor's own
//! conversation. Every rule is checked here, whatever the transport.

use std::net::IpAddr;
use std::time::Instant;

use serde_json::Value;
use sqlx::SqliteConnection;

use crate::channels::server::{self as channels, ChannelRow};
use crate::contacts::model::ContactInput;
use crate::error::{AppError, AppResult};
use crate::ids::{ChannelId, ContactId, ConversationId};
use crate::ingest::rejected::Parties;
use crate::ingest::server::ingest_in;
use crate::ingest::{ContactRef, Extras, Inbound, Origin};
use crate::messages::model::{ChannelKind, Message};
use crate::state::AppState;
use crate::time::Timestamp;
use crate::widget::identity::{new_visitor_token, token_hash, verify};
use crate::widget::model::{VisitorMessage, WidgetPost, WidgetSettings};

/// How a post reached Parley.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// A plain HTML form (no script): answered with pages.
    Form,
    /// The widget script (JSON): answered with JSON.
    Script,
}

/// One post as the transport received it.
#[derive(Debug, Clone)]
pub struct Post<'a> {
    pub token: &'a str,
    /// The body as the widget's JSON (a form already turned into it).
    pub body: &'a Value,
    /// The body as received, kept when the post is not taken.
    pub raw: &'a [u8],
    /// The browser's `Origin` header, if it sent one.
    pub origin: Option<&'a str>,
    pub ip: IpAddr,
    pub transport: Transport,
}

/// What happened to a post.
#[derive(Debug, Clone)]
pub enum Accepted {
    /// Stored in the visitor's conversation (or recognised as stored before).
    Stored {
        conversation: ConversationId,
        status: crate::conversations::model::Status,
        /// `None` for a retried post stored before.
        message: Option<VisitorMessage>,
        /// What the widget keeps to continue (the same one it sent, or new).
        visitor_token: String,
        /// The visitor's email, for the thank-you page.
        email: Option<String>,
    },
    /// Kept raw and not shown (honeypot filled, or the channel switched
    /// off); answered like success so a bot learns nothing.
    Held,
}

/// Why a post was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// No widget channel has this token (404).
    UnknownChannel,
    /// A browser page on an origin the channel does not allow (403).
    Origin(String),
    /// Too many posts from this address; seconds to wait (429).
    RateLimited(u64),
    /// A field is wrong or missing (422, 413, 400); kept raw.
    Invalid(AppError),
    /// A signed identity whose hash does not match (403); kept raw.
    BadIdentity,
    /// Our fault (500).
    Temporary,
}

fn temporary(e: AppError) -> Refused {
    tracing::error!(error = %e, "taking a widget post failed");
    Refused::Temporary
}

/// The widget channel a URL token names, with its settings.
pub async fn widget_channel(state: &AppState, token: &str) -> AppResult<Option<(ChannelRow, WidgetSettings)>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(match channels::by_token(&mut conn, token).await? {
        Some(c) if c.kind == ChannelKind::Widget => {
            // Stored settings were checked on save; a row edited by hand
            // falls back to none rather than locking visitors out.
            let s = WidgetSettings::parse(&c.settings_json()).unwrap_or_default();
            Some((c, s))
        }
        _ => None,
    })
}

/// Whether a browser request may use the channel: scripts only from an
/// allowed origin (or Parley's own); forms from anywhere until origins are
/// listed, then from those only. No `Origin` header: not a browser page.
pub fn origin_ok(state: &AppState, s: &WidgetSettings, origin: Option<&str>, transport: Transport) -> bool {
    match origin {
        None => true,
        Some(o) => {
            s.allows_origin(o, &state.settings.public_url)
                || (transport == Transport::Form && s.allowed_origins.is_empty())
        }
    }
}

/// Takes a visitor's post: origin, rate limit, fields, honeypot, switch,
/// identity; then ingest, all in one transaction with the visitor's link.
pub async fn submit(state: &AppState, post: &Post<'_>) -> Result<Accepted, Refused> {
    let (channel, settings) =
        widget_channel(state, post.token).await.map_err(temporary)?.ok_or(Refused::UnknownChannel)?;
    if !origin_ok(state, &settings, post.origin, post.transport) {
        let o = post.origin.unwrap_or_default().to_string();
        tracing::info!(channel = channel.id.0, origin = %o, "widget post from an origin not allowed");
        return Err(Refused::Origin(o));
    }
    state.widget_limits.take(channel.id, post.ip, Instant::now()).map_err(Refused::RateLimited)?;
    let p = match WidgetPost::parse(post.body) {
        Ok(p) => p,
        Err(e) => return Err(refuse_kept(state, &channel, post, e).await),
    };
    if p.honeypot {
        keep_raw(state, &channel, post, None, "spam: the honeypot field was filled in").await.map_err(temporary)?;
        return Ok(Accepted::Held);
    }
    if !channel.enabled {
        keep_raw(state, &channel, post, p.email.as_deref(), "the channel is switched off").await.map_err(temporary)?;
        return Ok(Accepted::Held);
    }
    // A signed identity counts only where the channel has a secret to
    // check it with; elsewhere the visitor is anonymous.
    let verified = match (&p.identity, settings.hmac_secret.is_empty()) {
        (Some(id), false) if verify(&settings.hmac_secret, &id.identifier, &id.hash) => Some(id.identifier.clone()),
        (Some(_), false) => {
            keep_raw(state, &channel, post, p.email.as_deref(), "identifierHash does not match identifier")
                .await
                .map_err(temporary)?;
            return Err(Refused::BadIdentity);
        }
        _ => None,
    };
    match store(state, &channel, &settings, &p, verified).await {
        Ok(done) => Ok(done),
        Err(e @ (AppError::Validation { .. } | AppError::TooLarge { .. } | AppError::BadRequest { .. })) => {
            Err(refuse_kept(state, &channel, post, e).await)
        }
        Err(e) => Err(temporary(e)),
    }
}

async fn refuse_kept(state: &AppState, channel: &ChannelRow, post: &Post<'_>, e: AppError) -> Refused {
    match keep_raw(state, channel, post, None, &e.to_string()).await {
        Ok(()) => Refused::Invalid(e),
        Err(k) => temporary(k),
    }
}

#[derive(sqlx::FromRow)]
struct Visitor {
    id: i64,
    contact_id: ContactId,
    identifier: Option<String>,
    conversation_id: Option<ConversationId>,
}

/// A token the widget made itself is taken as the visitor's on first use,
/// so a first post retried after a lost answer finds its own conversation.
fn adoptable(token: &str) -> bool {
    (22..=100).contains(&token.len()) && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

async fn store(
    state: &AppState,
    channel: &ChannelRow,
    settings: &WidgetSettings,
    p: &WidgetPost,
    verified: Option<String>,
) -> AppResult<Accepted> {
    let mut tx = state.db.write().await?;
    let found: Option<Visitor> = match &p.visitor {
        Some(t) => sqlx::query_as(
            "SELECT id, contact_id, identifier, conversation_id FROM widget_visitors WHERE token_hash = ? AND channel_id = ?",
        )
        .bind(token_hash(t))
        .bind(channel.id)
        .fetch_optional(&mut *tx)
        .await?,
        None => None,
    };
    // A browser where one signed-in person wrote is not another's.
    let visitor = found.filter(|v| v.identifier == verified);
    let token = match (&visitor, &p.visitor) {
        (Some(_), Some(t)) => t.clone(),
        (None, Some(t)) if adoptable(t) && !token_taken(&mut tx, t).await? => t.clone(),
        _ => new_visitor_token(),
    };
    let contact = match (&visitor, &verified) {
        (Some(v), _) => ContactRef::Existing(v.contact_id),
        (None, Some(id)) => match identified_contact(&mut tx, channel.id, id).await? {
            Some(c) => ContactRef::Existing(c),
            None => ContactRef::Details(details(p)),
        },
        (None, None) => ContactRef::Details(details(p)),
    };
    let continues = visitor.as_ref().and_then(|v| v.conversation_id);
    if visitor.is_none() {
        p.require(settings)?;
    }
    let hash = token_hash(&token);
    let inbound = Inbound {
        channel_id: Some(channel.id),
        inbox_id: None,
        contact,
        subject: String::new(),
        body: p.message.clone(),
        // Namespaced by the visitor, so one visitor cannot collide with another's ids.
        origin: Origin::Customer {
            provider_message_id: p.client_message_id.as_ref().map(|id| format!("widget:{}:{id}", &hash[..16])),
        },
        extras: Extras {
            continues,
            // A signed-in person's open conversation follows them to a new device.
            join_open: continues.is_none() && verified.is_some(),
            reopen_window_days: 7,
            page_url: p.page_url.clone(),
            attributes: p.stored_attributes(),
            ..Default::default()
        },
    };
    let (done, event) = ingest_in(&mut tx, None, channel.workspace_id, &inbound).await?;
    let contact_id = done.summary.contact_id;
    let now = Timestamp::now();
    match &visitor {
        Some(v) => {
            sqlx::query("UPDATE widget_visitors SET conversation_id = ?, last_seen_at = ? WHERE id = ?")
                .bind(done.summary.id)
                .bind(now)
                .bind(v.id)
                .execute(&mut *tx)
                .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO widget_visitors (workspace_id, channel_id, token_hash, contact_id, identifier,
                                              conversation_id, created_at, last_seen_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(channel.workspace_id)
            .bind(channel.id)
            .bind(&hash)
            .bind(contact_id)
            .bind(&verified)
            .bind(done.summary.id)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    if let Some(event) = event {
        state.hub.publish(channel.workspace_id, event);
    }
    Ok(Accepted::Stored {
        conversation: done.summary.id,
        status: done.summary.status,
        message: done.message.as_ref().map(|m| visitor_message(m, None)),
        visitor_token: token,
        email: p.email.clone(),
    })
}

/// The contact a new visitor starts as; one who gave nothing (no pre-chat
/// fields configured) is still someone the team can answer in the panel.
fn details(p: &WidgetPost) -> ContactInput {
    let name = match (&p.name, &p.email, &p.phone) {
        (None, None, None) => Some(ANONYMOUS.to_string()),
        _ => p.name.clone(),
    };
    ContactInput { name, email: p.email.clone(), phone: p.phone.clone() }
}

/// The name of a visitor who gave none.
pub const ANONYMOUS: &str = "Website visitor";

async fn token_taken(conn: &mut SqliteConnection, token: &str) -> AppResult<bool> {
    let hit: Option<i64> = sqlx::query_scalar("SELECT 1 FROM widget_visitors WHERE token_hash = ?")
        .bind(token_hash(token))
        .fetch_optional(conn)
        .await?;
    Ok(hit.is_some())
}

async fn identified_contact(conn: &mut SqliteConnection, channel: ChannelId, id: &str) -> AppResult<Option<ContactId>> {
    Ok(sqlx::query_scalar(
        "SELECT contact_id FROM widget_visitors WHERE channel_id = ? AND identifier = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(channel)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

fn visitor_message(m: &Message, agent: Option<String>) -> VisitorMessage {
    VisitorMessage {
        id: m.id,
        direction: m.direction,
        body: m.body.clone(),
        sender_name: agent,
        created_at: m.created_at,
    }
}

/// Keeps a post Parley did not show, raw, with the reason, where refused
/// mail and webhooks are kept (`inbound_mail`, transport `http`).
async fn keep_raw(
    state: &AppState,
    channel: &ChannelRow,
    post: &Post<'_>,
    from: Option<&str>,
    reason: &str,
) -> AppResult<()> {
    let from = from.unwrap_or_default();
    let ip = post.ip.to_string();
    crate::ingest::rejected::keep(&state.db, channel, Parties { from, to: &ip }, post.raw, reason).await
}

/// A form post's body as the widget's JSON (see `model::form_to_json`).
pub fn form_body(raw: &[u8]) -> Value {
    crate::widget::model::form_to_json(&form_urlencoded::parse(raw).into_owned().collect::<Vec<_>>())
}

/// Where widget messages are posted.
pub fn messages_url(public_url: &str, token: &str) -> String {
    format!("{}/widget/{token}/messages", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::adoptable;

    #[test]
    fn only_long_plain_tokens_are_adopted() {
        assert!(adoptable("0123456789abcdef0123456789abcdef"));
        assert!(!adoptable("short"));
        assert!(!adoptable("0123456789abcdef0123456789abcdef<script>"));
    }
}
