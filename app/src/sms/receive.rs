//! Twilio's webhooks into Parley: an incoming text goes through the one
//! ingest pipeline (dedupe by MessageSid, contact by E.164 number, the
//! number's open conversation), a status callback moves a reply's delivery
//! status forward. Both are verified by `X-Twilio-Signature` first. What
//! cannot be taken is kept raw in `inbound_mail` with the reason.

use crate::channels::server::{self as channels, ChannelRow};
use crate::contacts::model::ContactInput;
use crate::error::AppError;
use crate::ids::{ConversationId, MessageId};
use crate::ingest::rejected::Parties;
use crate::ingest::server::ingest;
use crate::ingest::{ContactRef, Extras, Inbound, Origin, RawMail};
use crate::messages::delivery::advance_delivery;
use crate::messages::model::{ChannelKind, DeliveryStatus, Direction};
use crate::sms::model::SmsSettings;
use crate::sms::signature;
use crate::sms::twilio::{form_field, BadField, IncomingSms, StatusReport};
use crate::state::AppState;

/// What happened to an incoming text.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    /// Stored in a conversation (or recognised as stored before).
    Stored { conversation: ConversationId, duplicate: bool },
    /// The channel is switched off: kept raw, not shown.
    Held,
}

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// No SMS channel has this token (404).
    UnknownChannel,
    /// The status callback names no reply of this channel (404).
    UnknownMessage,
    /// Missing or wrong `X-Twilio-Signature`, or no Auth Token to check it
    /// with (403). An incoming text is kept raw with the reason.
    BadSignature(String),
    /// Signed, but not a form Parley can read (400); the field is named.
    Malformed(BadField),
    /// Our fault; Twilio retries (500).
    Temporary,
}

fn temporary(e: AppError) -> Refused {
    tracing::error!(error = %e, "receiving an SMS webhook failed");
    Refused::Temporary
}

/// The URL Twilio signed: the public URL it was given, not the Host this
/// request came in on, which a reverse proxy may have changed.
fn signed_url(state: &AppState, path_and_query: &str) -> String {
    format!("{}{path_and_query}", state.settings.public_url.trim_end_matches('/'))
}

async fn sms_channel(state: &AppState, token: &str) -> Result<ChannelRow, Refused> {
    let mut conn = state.db.pool.acquire().await.map_err(|e| temporary(e.into()))?;
    match channels::by_token(&mut conn, token).await.map_err(temporary)? {
        Some(c) if c.kind == ChannelKind::Sms => Ok(c),
        _ => Err(Refused::UnknownChannel),
    }
}

/// Checks the signature with the channel's Auth Token; the reason when it fails.
fn check(channel: &ChannelRow, url: &str, form: &[(String, String)], header: Option<&str>) -> Result<(), String> {
    let settings: SmsSettings = channel
        .sms()
        .map_err(|_| "the channel has no complete Twilio settings, so no signature can be checked".to_string())?;
    let header = header.ok_or("the X-Twilio-Signature header is missing")?;
    if signature::verify(&settings.auth_token, url, form, header) {
        Ok(())
    } else {
        Err(format!(
            "X-Twilio-Signature does not match {url} with the channel's Auth Token \
             (is PARLEY_PUBLIC_URL the address Twilio posts to?)"
        ))
    }
}

/// Takes Twilio's "a message comes in" webhook for the channel `token`
/// names; answers only after the text is stored.
pub async fn receive(
    state: &AppState,
    token: &str,
    path_and_query: &str,
    header: Option<&str>,
    body: &[u8],
) -> Result<Received, Refused> {
    let channel = sms_channel(state, token).await?;
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let url = signed_url(state, path_and_query);
    if let Err(why) = check(&channel, &url, &form, header) {
        tracing::warn!(channel = channel.id.0, reason = %why, "SMS webhook refused");
        keep_rejected(state, &channel, &form, body, &why).await.map_err(temporary)?;
        return Err(Refused::BadSignature(why));
    }
    let sms = match IncomingSms::parse(&form) {
        Ok(s) => s,
        Err(bad) => {
            let why = format!("{}: {}", bad.field, bad.message);
            keep_rejected(state, &channel, &form, body, &why).await.map_err(temporary)?;
            return Err(Refused::Malformed(bad));
        }
    };
    if !channel.enabled {
        keep_rejected(state, &channel, &form, body, "the channel is switched off").await.map_err(temporary)?;
        return Ok(Received::Held);
    }
    let inbound = Inbound {
        channel_id: Some(channel.id),
        inbox_id: None,
        contact: ContactRef::Details(ContactInput { name: None, email: None, phone: Some(sms.from.clone()) }),
        subject: String::new(),
        body: sms.text(),
        origin: Origin::Customer { provider_message_id: Some(sms.message_sid.clone()) },
        extras: Extras {
            join_open: true,
            raw: Some(RawMail {
                transport: "http",
                mail_from: sms.from.clone(),
                rcpt_to: sms.to.clone(),
                bytes: body.to_vec(),
            }),
            ..Default::default()
        },
    };
    match ingest(&state.db, &state.hub, None, channel.workspace_id, &inbound).await {
        Ok(done) => Ok(Received::Stored { conversation: done.summary.id, duplicate: done.duplicate }),
        // What ingest refuses of a signed text is the text's problem (too
        // long, empty): kept raw and answered 400, not retried.
        Err(e @ (AppError::Validation { .. } | AppError::TooLarge { .. })) => {
            let why = e.to_string();
            keep_rejected(state, &channel, &form, body, &why).await.map_err(temporary)?;
            Err(Refused::Malformed(BadField { field: "Body", message: why }))
        }
        Err(e) => Err(temporary(e)),
    }
}

/// Takes a status callback for reply `mid` (the URL Parley passed as
/// `StatusCallback`). A report for another attempt's sid, or one that
/// would move the status backwards, changes nothing and is still a 2xx,
/// so Twilio does not retry it.
pub async fn status(
    state: &AppState,
    token: &str,
    mid: MessageId,
    path_and_query: &str,
    header: Option<&str>,
    body: &[u8],
) -> Result<(), Refused> {
    let channel = sms_channel(state, token).await?;
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let url = signed_url(state, path_and_query);
    if let Err(why) = check(&channel, &url, &form, header) {
        // A status report is not customer input: logged, not kept.
        tracing::warn!(channel = channel.id.0, reason = %why, "SMS status callback refused");
        return Err(Refused::BadSignature(why));
    }
    let report = StatusReport::parse(&form).map_err(Refused::Malformed)?;
    let row: Option<(Option<String>, Direction, crate::ids::ChannelId)> = sqlx::query_as(
        "SELECT m.provider_message_id, m.direction, COALESCE(m.channel_id, c.channel_id) FROM messages m
         JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ?",
    )
    .bind(mid)
    .fetch_optional(&state.db.pool)
    .await
    .map_err(|e| temporary(e.into()))?;
    let stored = match row {
        Some((pid, Direction::Outbound, ch)) if ch == channel.id => pid,
        _ => return Err(Refused::UnknownMessage),
    };
    if stored.as_deref().is_some_and(|p| p != report.message_sid) {
        // A report on an earlier attempt of a retried reply.
        return Ok(());
    }
    let Some(next) = report.status else { return Ok(()) };
    let reason = (next == DeliveryStatus::Failed).then(|| report.failure_reason());
    advance_delivery(&state.db, &state.hub, mid, next, reason.as_deref(), Some(&report.message_sid))
        .await
        .map_err(temporary)?;
    Ok(())
}

/// Keeps a webhook Parley did not take, raw, with the reason, beside
/// refused mail (`inbound_mail`, transport `http`) for an admin to inspect.
async fn keep_rejected(
    state: &AppState,
    channel: &ChannelRow,
    form: &[(String, String)],
    raw: &[u8],
    reason: &str,
) -> crate::error::AppResult<()> {
    let who = Parties { from: form_field(form, "From").unwrap_or(""), to: form_field(form, "To").unwrap_or("") };
    crate::ingest::rejected::keep(&state.db, channel, who, raw, reason).await
}
