//! Sending a stored reply as real mail over the channel's SMTP server
//! (lettre), with the headers that make the customer's reply thread back:
//! a Message-ID that encodes the conversation, In-Reply-To / References to
//! the conversation's mail, and Reply-To set to its reply address.

use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rand::RngCore;

use crate::channels::model::{EmailSettings, HealthStatus, SmtpSecurity};
use crate::channels::server::{self as channels, ChannelRow};
use crate::email::address::{new_message_id, reply_address, reply_subject};
use crate::email::rules::render_signature;
use crate::error::{AppError, AppResult};
use crate::ids::{ConversationId, MessageId, UserId, WorkspaceId};
use crate::messages::delivery::set_delivery;
use crate::messages::model::DeliveryStatus;
use crate::state::AppState;

#[derive(sqlx::FromRow)]
struct Outgoing {
    conversation_id: ConversationId,
    workspace_id: WorkspaceId,
    channel_id: crate::ids::ChannelId,
    subject: String,
    body: String,
    cc: String,
    message_id: Option<String>,
    sender_user_id: Option<UserId>,
    automatic: bool,
    delivery_status: Option<DeliveryStatus>,
    contact_name: String,
    contact_email: Option<String>,
    conversation_subject: String,
}

/// Sends queued reply `mid`; the outcome lands on the message (sent, or
/// failed with the server's words) and on the channel's health.
pub async fn deliver(state: &AppState, mid: MessageId) -> AppResult<()> {
    let db = &state.db;
    let o: Outgoing = sqlx::query_as(
        "SELECT m.conversation_id, c.workspace_id, COALESCE(m.channel_id, c.channel_id) AS channel_id, m.subject, m.body, m.cc, m.message_id,
                m.sender_user_id, m.automatic, m.delivery_status, ct.name AS contact_name, ct.email AS contact_email,
                c.subject AS conversation_subject
         FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id
         WHERE m.id = ?",
    )
    .bind(mid)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| AppError::not_found("message"))?;
    if o.delivery_status != Some(DeliveryStatus::Queued) {
        return Ok(());
    }
    let mut conn = db.pool.acquire().await?;
    let channel = channels::get(&mut conn, o.workspace_id, o.channel_id).await?;
    drop(conn);
    let built = match build(state, &channel, &o, mid).await {
        Ok(b) => b,
        Err(reason) => {
            set_delivery(db, &state.hub, mid, DeliveryStatus::Failed, Some(&reason)).await?;
            return Ok(());
        }
    };
    let (settings, mail) = built;
    match transport(&settings).send(mail).await {
        Ok(_) => {
            set_delivery(db, &state.hub, mid, DeliveryStatus::Sent, None).await?;
            channels::set_health(db, channel.id, HealthStatus::Ok, None).await?;
        }
        Err(e) => {
            let reason = format!("The mail server refused or could not be reached: {e}");
            set_delivery(db, &state.hub, mid, DeliveryStatus::Failed, Some(&reason)).await?;
            channels::set_health(db, channel.id, HealthStatus::Failing, Some(&e.to_string())).await?;
        }
    }
    Ok(())
}

/// Mails a staff notice (an automation's "notify") to `to`, through the
/// workspace's first email channel that can send; `Ok(false)` when none
/// can (the notice is then in-app only).
pub async fn send_notice(
    state: &AppState,
    ws: WorkspaceId,
    to: &[String],
    subject: &str,
    body: &str,
) -> AppResult<bool> {
    let channels = channels::list(&state.db, ws).await?;
    let Some((channel, settings)) = channels
        .iter()
        .filter(|c| c.can_send().is_ok())
        .find_map(|c| c.email().ok().filter(|s| s.smtp_configured()).map(|s| (c, s)))
    else {
        return Ok(false);
    };
    let from = mailbox(&format!("Parley ({})", settings.from_name), &settings.address);
    for addr in to {
        let mail = from.clone().and_then(|f| {
            let rcpt = mailbox("", addr)?;
            lettre::Message::builder()
                .from(f)
                .to(rcpt)
                .subject(subject)
                .header(ContentType::TEXT_PLAIN)
                .body(body.to_string())
                .map_err(|e| e.to_string())
        });
        let sent = match mail {
            Ok(m) => transport(&settings).send(m).await.map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        if let Err(e) = sent {
            channels::set_health(&state.db, channel.id, HealthStatus::Failing, Some(&e)).await?;
            return Err(AppError::BadRequest { message: format!("notice to {addr} not sent: {e}") });
        }
    }
    Ok(true)
}

/// The SMTP client for a channel's settings.
fn transport(s: &EmailSettings) -> AsyncSmtpTransport<Tokio1Executor> {
    let host = s.smtp.host.as_str();
    let builder = match s.smtp.security {
        SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)),
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
    }
    .unwrap_or_else(|_| AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host));
    let mut builder = builder.port(s.smtp.port).timeout(Some(Duration::from_secs(30)));
    if !s.smtp.username.is_empty() {
        builder = builder.credentials(Credentials::new(s.smtp.username.clone(), s.smtp.password.clone()));
    }
    builder.build()
}

/// Connects and authenticates to the channel's SMTP server; records and
/// returns the channel's health.
pub async fn check_health(state: &AppState, channel: &ChannelRow) -> AppResult<(HealthStatus, Option<String>)> {
    let outcome = match channel.email() {
        Err(_) => (HealthStatus::Unconfigured, Some("The channel's settings are incomplete.".to_string())),
        Ok(s) if !s.smtp_configured() => (HealthStatus::Unconfigured, Some("No outgoing mail server is set.".into())),
        Ok(s) => match transport(&s).test_connection().await {
            Ok(true) => (HealthStatus::Ok, None),
            Ok(false) => (HealthStatus::Failing, Some("The mail server did not answer.".into())),
            Err(e) => (HealthStatus::Failing, Some(e.to_string())),
        },
    };
    channels::set_health(&state.db, channel.id, outcome.0, outcome.1.as_deref()).await?;
    Ok(outcome)
}

fn mailbox(name: &str, addr: &str) -> Result<Mailbox, String> {
    let email = addr.parse().map_err(|_| format!("{addr} is not an address mail can be sent to"))?;
    Ok(Mailbox::new((!name.trim().is_empty()).then(|| name.trim().to_string()), email))
}

async fn build(
    state: &AppState,
    channel: &ChannelRow,
    o: &Outgoing,
    mid: MessageId,
) -> Result<(EmailSettings, lettre::Message), String> {
    let db = &state.db;
    let internal = |e: sqlx::Error| {
        tracing::error!(error = %e, "loading a reply to send");
        "Parley could not load the reply to send it.".to_string()
    };
    let settings = channel.email().map_err(|_| "The email channel's settings are incomplete.".to_string())?;
    channel.can_send()?;
    let to = o.contact_email.as_deref().ok_or("The contact has no email address to reply to.")?;
    let local = channel.inbound_local.as_deref().ok_or("The channel has no forwarding address.")?;
    let domain = &state.settings.inbound_domain;

    let message_id = match &o.message_id {
        Some(id) => id.clone(),
        None => {
            let mut nonce = [0u8; 6];
            rand::thread_rng().fill_bytes(&mut nonce);
            let id = new_message_id(o.conversation_id, mid, &hex::encode(nonce), domain);
            sqlx::query("UPDATE messages SET message_id = ? WHERE id = ?")
                .bind(&id)
                .bind(mid)
                .execute(&db.writer)
                .await
                .map_err(internal)?;
            id
        }
    };
    let references: Vec<String> = sqlx::query_scalar(
        "SELECT message_id FROM messages WHERE conversation_id = ? AND id < ? AND message_id IS NOT NULL
         ORDER BY id DESC LIMIT 20",
    )
    .bind(o.conversation_id)
    .bind(mid)
    .fetch_all(&db.pool)
    .await
    .map_err(internal)?;
    let agent: Option<(String, String)> = match o.sender_user_id {
        Some(uid) if !o.automatic => sqlx::query_as("SELECT name, signature FROM users WHERE id = ?")
            .bind(uid)
            .fetch_optional(&db.pool)
            .await
            .map_err(internal)?,
        _ => None,
    };

    let from = mailbox(&settings.from_name_for(agent.as_ref().map(|a| a.0.as_str())), &settings.address)?;
    let reply_to = mailbox("", &reply_address(local, domain, o.conversation_id))?;
    // A reply keeps one "Re:"; the first mail of a conversation, and a
    // subject the agent (or the auto-reply settings) chose, stay as written.
    let subject = if references.is_empty() || o.subject != o.conversation_subject {
        o.subject.clone()
    } else {
        reply_subject(&o.subject)
    };
    let mut b = lettre::Message::builder()
        .from(from)
        .reply_to(reply_to)
        .to(mailbox(&o.contact_name, to)?)
        .subject(subject)
        .message_id(Some(message_id));
    let cc: Vec<String> = serde_json::from_str(&o.cc).unwrap_or_default();
    for a in &cc {
        b = b.cc(mailbox("", a)?);
    }
    if let Some(last) = references.first() {
        let mut chain = references.clone();
        chain.reverse();
        b = b.in_reply_to(last.clone()).references(chain.join(" "));
    }
    if o.automatic {
        // RFC 3834: tells other autoresponders not to answer this one.
        b = b.raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-replied".into()));
    }
    let mut text = o.body.clone();
    if let (true, Some((name, signature))) = (settings.add_signature, &agent) {
        if !signature.trim().is_empty() {
            text.push_str("\n\n-- \n");
            text.push_str(&render_signature(signature, name));
        }
    }
    let files: Vec<(String, String, String)> =
        sqlx::query_as("SELECT name, content_type, sha256 FROM attachments WHERE message_id = ? ORDER BY id")
            .bind(mid)
            .fetch_all(&db.pool)
            .await
            .map_err(internal)?;
    let body = SinglePart::plain(text);
    let mail = if files.is_empty() {
        b.singlepart(body)
    } else {
        let mut parts = MultiPart::mixed().singlepart(body);
        for (name, ct, sha) in files {
            let bytes = crate::attachments::server::read(&state.settings.data_dir, &sha)
                .await
                .map_err(|_| format!("The attachment {name} could not be read."))?;
            let ct = ContentType::parse(&ct).unwrap_or(ContentType::parse("application/octet-stream").map_err(|_| "")?);
            parts = parts.singlepart(Attachment::new(name).body(bytes, ct));
        }
        b.multipart(parts)
    };
    let mail = mail.map_err(|e| format!("The reply could not be written as mail: {e}"))?;
    Ok((settings, mail))
}
