//! Meta's webhooks into Parley. `GET` is the subscription handshake (the
//! admin's verify token echoed back with Meta's challenge); `POST` carries
//! customers' messages and the statuses of Parley's replies, verified by
//! `X-Hub-Signature-256` over the raw body first. All of one POST is stored
//! in one transaction: messages through the one ingest pipeline (dedupe by
//! wamid, contact by number, the number's open conversation), statuses
//! moving replies forward only. Files are fetched after the commit
//! (`media`). What cannot be taken is kept raw in `inbound_mail` with the
//! reason.

use crate::channels::server::{self as channels, ChannelRow};
use crate::contacts::model::ContactInput;
use crate::error::AppError;
use crate::ids::{ChannelId, MessageId};
use crate::ingest::rejected::Parties;
use crate::ingest::server::{check as check_inbound, ingest_in};
use crate::ingest::{ContactRef, Extras, Inbound, Origin, RawMail};
use crate::live::model::LiveEvent;
use crate::messages::delivery::{advance_in, delivery_event};
use crate::messages::model::ChannelKind;
use crate::state::AppState;
use crate::time::Timestamp;
use crate::whatsapp::media;
use crate::whatsapp::meta::{self, IncomingMessage, Notification};
use crate::whatsapp::signature;

/// What a webhook POST did.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    /// Stored: messages new and seen before, statuses that moved a reply.
    Stored { new: usize, duplicates: usize, statuses: usize },
    /// The channel is switched off: its messages kept raw, not shown.
    Held,
}

/// Why a handshake or webhook was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// No WhatsApp channel has this token (404).
    UnknownChannel,
    /// A handshake with the wrong mode or verify token, or a channel
    /// without one (403).
    WrongVerifyToken(String),
    /// Missing or wrong `X-Hub-Signature-256`, or no app secret to check it
    /// with (403); kept raw with the reason.
    BadSignature(String),
    /// Signed, but not a webhook Parley can read (400); kept raw.
    Malformed(String),
    /// Our fault; Meta retries (500).
    Temporary,
}

fn temporary(e: AppError) -> Refused {
    tracing::error!(error = %e, "receiving a WhatsApp webhook failed");
    Refused::Temporary
}

async fn whatsapp_channel(state: &AppState, token: &str) -> Result<ChannelRow, Refused> {
    let mut conn = state.db.pool.acquire().await.map_err(|e| temporary(e.into()))?;
    match channels::by_token(&mut conn, token).await.map_err(temporary)? {
        Some(c) if c.kind == ChannelKind::Whatsapp => Ok(c),
        _ => Err(Refused::UnknownChannel),
    }
}

/// Meta's subscription handshake (`hub.mode=subscribe`, `hub.verify_token`,
/// `hub.challenge`): the challenge to echo when the token is the channel's.
pub async fn handshake(
    state: &AppState,
    token: &str,
    mode: Option<&str>,
    verify_token: Option<&str>,
    challenge: Option<&str>,
) -> Result<String, Refused> {
    let channel = whatsapp_channel(state, token).await?;
    let settings = channel.whatsapp().map_err(|_| {
        Refused::WrongVerifyToken("the channel has no complete WhatsApp settings, so no verify token to match".into())
    })?;
    if mode != Some("subscribe") {
        return Err(Refused::WrongVerifyToken("hub.mode must be subscribe".into()));
    }
    if !signature::same_token(&settings.verify_token, verify_token.unwrap_or("")) {
        tracing::warn!(channel = channel.id.0, "WhatsApp handshake with the wrong verify token");
        return Err(Refused::WrongVerifyToken(
            "hub.verify_token is not the channel's verify token (compare it with Settings)".into(),
        ));
    }
    challenge.map(str::to_string).ok_or_else(|| Refused::Malformed("hub.challenge is missing".into()))
}

/// Takes a webhook POST for the channel `token` names; answers only after
/// everything in it is stored (or kept raw).
pub async fn receive(state: &AppState, token: &str, header: Option<&str>, body: &[u8]) -> Result<Received, Refused> {
    let channel = whatsapp_channel(state, token).await?;
    let checked = match channel.whatsapp() {
        Err(_) => Err("the channel has no complete WhatsApp settings, so no signature can be checked".to_string()),
        Ok(s) => match header {
            None => Err("the X-Hub-Signature-256 header is missing".to_string()),
            Some(h) if signature::verify(&s.app_secret, body, h) => Ok(s),
            Some(_) => Err("X-Hub-Signature-256 does not match the body with the channel's app secret \
                            (is the app secret in Settings the Meta app's?)"
                .to_string()),
        },
    };
    let settings = match checked {
        Ok(s) => s,
        Err(why) => {
            tracing::warn!(channel = channel.id.0, reason = %why, "WhatsApp webhook refused");
            keep_rejected(state, &channel, "", body, &why).await.map_err(temporary)?;
            return Err(Refused::BadSignature(why));
        }
    };
    let mut note = match meta::parse(body) {
        Ok(n) => n,
        Err(bad) => {
            let why = bad.to_string();
            keep_rejected(state, &channel, "", body, &why).await.map_err(temporary)?;
            return Err(Refused::Malformed(why));
        }
    };
    // Meta posts every number of the app to one callback unless overridden:
    // messages for another number are not this channel's to file.
    let (ours, others): (Vec<IncomingMessage>, Vec<IncomingMessage>) =
        note.messages.drain(..).partition(|m| m.phone_number_id == settings.phone_number_id);
    note.messages = ours;
    if let Some(other) = others.first() {
        let why = format!(
            "carries {} message(s) for phone number ID {}, not this channel's ({}); those were not stored",
            others.len(),
            other.phone_number_id,
            settings.phone_number_id
        );
        keep_rejected(state, &channel, &other.phone, body, &why).await.map_err(temporary)?;
    }
    let held = !channel.enabled && !note.messages.is_empty();
    if held {
        let from = note.messages[0].phone.clone();
        keep_rejected(state, &channel, &from, body, "the channel is switched off").await.map_err(temporary)?;
        note.messages.clear();
    }
    let inbounds: Vec<Inbound> = note.messages.iter().map(|m| inbound(&channel, m, body)).collect();
    // What ingest would refuse of one message refuses the batch before
    // anything is written, so Meta's retry is not half applied.
    if let Some(e) = inbounds.iter().find_map(|i| check_inbound(i).err()) {
        let why = format!("a message cannot be stored: {e}");
        keep_rejected(state, &channel, "", body, &why).await.map_err(temporary)?;
        return Err(Refused::Malformed(why));
    }
    match store(state, &channel, &note, &inbounds).await {
        Ok(_) if held => Ok(Received::Held),
        Ok(r) => Ok(r),
        Err(e @ (AppError::Validation { .. } | AppError::TooLarge { .. })) => {
            let why = format!("a message cannot be stored: {e}");
            keep_rejected(state, &channel, "", body, &why).await.map_err(temporary)?;
            Err(Refused::Malformed(why))
        }
        Err(e) => Err(temporary(e)),
    }
}

fn inbound(channel: &ChannelRow, m: &IncomingMessage, raw: &[u8]) -> Inbound {
    Inbound {
        channel_id: Some(channel.id),
        inbox_id: None,
        // The contact's limit; a longer profile name is cut, not refused.
        contact: ContactRef::Details(ContactInput {
            name: m.name.as_ref().map(|n| n.chars().take(200).collect()),
            email: None,
            phone: Some(m.phone.clone()),
        }),
        subject: String::new(),
        body: m.body.clone(),
        origin: Origin::Customer { provider_message_id: Some(m.wamid.clone()) },
        extras: Extras {
            join_open: true,
            raw: Some(RawMail {
                transport: "http",
                mail_from: m.phone.clone(),
                rcpt_to: m.phone_number_id.clone(),
                bytes: raw.to_vec(),
            }),
            ..Default::default()
        },
    }
}

/// Everything of one POST in one write transaction; events go out after
/// the commit.
async fn store(
    state: &AppState,
    channel: &ChannelRow,
    note: &Notification,
    inbounds: &[Inbound],
) -> crate::error::AppResult<Received> {
    let mut tx = state.db.write().await?;
    let mut events: Vec<LiveEvent> = vec![];
    let (mut new, mut duplicates, mut statuses) = (0, 0, 0);
    let mut fetches = vec![];
    for (m, inbound) in note.messages.iter().zip(inbounds) {
        if let Some(name) = &m.name {
            // A contact known only by number learns their WhatsApp name;
            // a name someone typed is kept.
            sqlx::query(
                "UPDATE contacts SET name = ?, updated_at = ? WHERE workspace_id = ? AND phone = ? AND name = ''",
            )
            .bind(name.chars().take(200).collect::<String>())
            .bind(Timestamp::now())
            .bind(channel.workspace_id)
            .bind(&m.phone)
            .execute(&mut *tx)
            .await?;
        }
        let (done, event) = ingest_in(&mut tx, None, channel.workspace_id, inbound).await?;
        if done.duplicate {
            // Stored before, with its file fetched or queued then: a
            // redelivery downloads nothing again.
            duplicates += 1;
        } else {
            new += 1;
        }
        if let (Some(file), Some(stored)) = (&m.media, &done.message) {
            media::note(&mut tx, channel.id, stored.id, file).await?;
            fetches.push(stored.id);
        }
        events.extend(event);
    }
    for s in &note.statuses {
        let Some(next) = s.status else { continue };
        let Some(mid) = reply_with(&mut tx, channel.id, &s.wamid).await? else {
            // Not a reply of this channel (sent from elsewhere, or deleted):
            // acknowledged so Meta stops retrying.
            tracing::info!(channel = channel.id.0, wamid = %s.wamid, "WhatsApp status for an unknown message");
            continue;
        };
        if advance_in(&mut tx, mid, next, s.reason.as_deref(), None).await?.is_some() {
            events.push(delivery_event(&mut tx, mid, next).await?.1);
            statuses += 1;
        }
    }
    tx.commit().await?;
    for e in events {
        state.hub.publish(channel.workspace_id, e);
    }
    // Files are fetched after the commit: Meta wants its answer fast, and
    // a slow or failing download must not undo the message.
    media::dispatch(state, fetches);
    Ok(Received::Stored { new, duplicates, statuses })
}

/// The reply of this channel the Graph API gave `wamid` when it was sent
/// (uses `messages_provider_id`).
async fn reply_with(
    conn: &mut sqlx::SqliteConnection,
    channel: ChannelId,
    wamid: &str,
) -> crate::error::AppResult<Option<MessageId>> {
    Ok(sqlx::query_scalar(
        "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.provider_message_id = ? AND COALESCE(m.channel_id, c.channel_id) = ? AND m.direction = 'outbound' LIMIT 1",
    )
    .bind(wamid)
    .bind(channel)
    .fetch_optional(conn)
    .await?)
}

/// Keeps a webhook Parley did not take, raw, with the reason, beside
/// refused mail (`inbound_mail`, transport `http`) for an admin to inspect.
async fn keep_rejected(
    state: &AppState,
    channel: &ChannelRow,
    from: &str,
    raw: &[u8],
    reason: &str,
) -> crate::error::AppResult<()> {
    let number = channel.whatsapp().map(|s| s.phone_number_id).unwrap_or_default();
    crate::ingest::rejected::keep(&state.db, channel, Parties { from, to: &number }, raw, reason).await
}
