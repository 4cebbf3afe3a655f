//! A received mail, from the SMTP listener or the HTTP hook, into the one
//! ingest pipeline: parse, thread, find the contact, store, auto-reply.
//! Whatever cannot be taken is kept raw in `inbound_mail` with the reason.

use sqlx::SqliteConnection;

use crate::attachments::server::StoredFile;
use crate::attachments::MAX_MAIL_BYTES;
use crate::channels::server::{self as channels, ChannelRow};
use crate::contacts::model::ContactInput;
use crate::email::address::{base_subject, parse_recipient, reply_subject};
use crate::email::parse::{parse, ParsedMail};
use crate::email::rules::{forwarded_sender, is_automated};
use crate::error::AppResult;
use crate::ids::{ChannelId, ConversationId, WorkspaceId};
use crate::ingest::server::ingest;
use crate::ingest::{ContactRef, Extras, Inbound, Origin, RawMail};
use crate::live::model::EventKind;
use crate::messages::model::{ChannelKind, Direction, MAX_BODY_BYTES};
use crate::messages::server::NewMessage;
use crate::state::AppState;
use crate::time::Timestamp;

/// How the mail came in.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// `smtp` or `http`.
    pub transport: &'static str,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
}

/// What happened to a mail.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Stored in a conversation (or recognised as already stored).
    Stored { conversation: ConversationId, duplicate: bool, auto_replied: bool },
    /// The channel is switched off: kept raw, not shown.
    Held,
}

/// Why a mail was refused; it is kept raw either way.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// Not a mail Parley can read (SMTP 554, HTTP 422).
    Malformed(String),
    /// Over [`MAX_MAIL_BYTES`] (SMTP 552, HTTP 413).
    TooLarge,
    /// Our fault; the sender should try again (SMTP 451, HTTP 500).
    Temporary,
}

/// The channel and conversation a recipient address stands for, if it is
/// one of ours: a forwarding address, a reply address, or the address an
/// email channel is configured with (when its MX points at Parley).
pub async fn resolve_recipient(
    state: &AppState,
    addr: &str,
) -> AppResult<Option<(ChannelRow, Option<ConversationId>)>> {
    let mut conn = state.db.pool.acquire().await?;
    if let Some(r) = parse_recipient(addr, &state.settings.inbound_domain) {
        return Ok(channels::by_inbound_local(&mut conn, &r.local).await?.map(|c| (c, r.conversation)));
    }
    let wanted = addr.trim().trim_start_matches('<').trim_end_matches('>').to_ascii_lowercase();
    let found: Option<(ChannelId, WorkspaceId)> = sqlx::query_as(
        "SELECT id, workspace_id FROM channels WHERE kind = 'email' AND lower(json_extract(settings, '$.address')) = ?
         ORDER BY id LIMIT 1",
    )
    .bind(&wanted)
    .fetch_optional(&mut *conn)
    .await?;
    match found {
        Some((id, ws)) => Ok(Some((channels::get(&mut conn, ws, id).await?, None))),
        None => Ok(None),
    }
}

/// Keeps a mail Parley did not take, raw (or its first bytes when it was
/// over the limit), with the reason, for an admin to inspect.
pub async fn keep_rejected(
    state: &AppState,
    channel: Option<&ChannelRow>,
    env: &Envelope,
    raw: &[u8],
    total_size: usize,
    reason: &str,
) -> AppResult<()> {
    const KEEP_WHEN_TOO_LARGE: usize = 256 * 1024;
    let truncated = raw.len() < total_size || raw.len() > MAX_MAIL_BYTES;
    let kept = if truncated { &raw[..raw.len().min(KEEP_WHEN_TOO_LARGE)] } else { raw };
    sqlx::query(
        "INSERT INTO inbound_mail (workspace_id, channel_id, transport, mail_from, rcpt_to, size, raw, truncated,
                                   status, error, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'rejected', ?, ?)",
    )
    .bind(channel.map(|c| c.workspace_id))
    .bind(channel.map(|c| c.id))
    .bind(env.transport)
    .bind(&env.mail_from)
    .bind(env.rcpt_to.join(", "))
    .bind(total_size as i64)
    .bind(kept)
    .bind(truncated)
    .bind(reason)
    .bind(Timestamp::now())
    .execute(&state.db.writer)
    .await?;
    Ok(())
}

/// Takes one mail for `channel`; `tag` is the conversation named by a reply
/// address, if the mail was sent to one.
pub async fn receive(
    state: &AppState,
    channel: &ChannelRow,
    tag: Option<ConversationId>,
    env: &Envelope,
    raw: &[u8],
) -> Result<Outcome, Refused> {
    let temporary = |e: crate::error::AppError| {
        tracing::error!(error = %e, "receiving mail failed");
        Refused::Temporary
    };
    if raw.len() > MAX_MAIL_BYTES {
        keep_rejected(state, Some(channel), env, raw, raw.len(), "over the size limit").await.map_err(temporary)?;
        return Err(Refused::TooLarge);
    }
    let mail = match parse(raw) {
        Ok(m) => m,
        Err(e) => {
            keep_rejected(state, Some(channel), env, raw, raw.len(), &e.0).await.map_err(temporary)?;
            return Err(Refused::Malformed(e.0));
        }
    };
    if !channel.enabled {
        keep_rejected(state, Some(channel), env, raw, raw.len(), "the channel is switched off")
            .await
            .map_err(temporary)?;
        return Ok(Outcome::Held);
    }
    let settings = channel.email().map_err(temporary)?;
    let continues = thread(state, channel.workspace_id, tag, &mail).await.map_err(temporary)?;

    // Who it is from: the sender, or for a mail a teammate forwarded by
    // hand, the person who originally wrote it.
    let (mut name, mut email) = mail.from.clone().unwrap_or_default();
    let forwarded = base_subject(&mail.subject) != mail.subject.trim();
    if continues.is_none() && settings.forwarded_to_original_sender && forwarded {
        if let Some((n, e)) = forwarded_sender(&mail.text) {
            (name, email) = (n, e);
        }
    }
    let mut attachments = Vec::with_capacity(mail.attachments.len());
    for a in &mail.attachments {
        let sha = crate::attachments::server::store(&state.settings.data_dir, &a.bytes).await.map_err(temporary)?;
        attachments.push(StoredFile {
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.bytes.len() as i64,
            sha256: sha,
            content_id: a.content_id.clone(),
            inline: a.inline && a.content_id.is_some(),
        });
    }
    let own: Vec<String> = vec![settings.address.clone()];
    let cc: Vec<String> = mail
        .cc
        .iter()
        .map(|(_, a)| a.to_ascii_lowercase())
        .filter(|a| !own.contains(a) && !a.ends_with(&format!("@{}", state.settings.inbound_domain)))
        .collect();
    // Over SMTP, a null envelope sender (`MAIL FROM:<>`) marks a bounce.
    let bounce = env.transport == "smtp" && env.mail_from.trim().trim_matches(['<', '>']).is_empty();
    let automated = is_automated(&mail.signs) || bounce;
    let inbound = Inbound {
        channel_id: Some(channel.id),
        inbox_id: None,
        contact: ContactRef::Details(ContactInput {
            name: Some(name.chars().take(200).collect()),
            email: Some(email),
            phone: None,
        }),
        subject: mail.subject.chars().take(500).collect(),
        body: body_text(&mail),
        origin: Origin::Customer { provider_message_id: None },
        extras: Extras {
            html: mail.html.clone(),
            message_id: mail.message_id.clone(),
            content_hash: Some(mail.content_hash.clone()),
            cc,
            continues,
            reopen_window_days: settings.reopen_window_days,
            join_open: false,
            automated,
            page_url: None,
            attributes: Default::default(),
            attachments,
            raw: Some(RawMail {
                transport: env.transport,
                mail_from: env.mail_from.clone(),
                rcpt_to: env.rcpt_to.join(", "),
                bytes: raw.to_vec(),
            }),
        },
    };
    let done = ingest(&state.db, &state.hub, None, channel.workspace_id, &inbound).await.map_err(temporary)?;
    let conversation = done.summary.id;
    let fresh = done.created && !done.duplicate && !done.spam;
    let auto = fresh && settings.auto_reply.enabled && !automated;
    if auto {
        auto_reply(state, channel, conversation, &mail, &settings).await.map_err(temporary)?;
    }
    Ok(Outcome::Stored { conversation, duplicate: done.duplicate, auto_replied: auto })
}

/// The text to store: the plain part, or "(no text)" for a mail that is
/// only attachments; cut at the body limit (the raw mail keeps the rest).
fn body_text(mail: &ParsedMail) -> String {
    let t = mail.text.trim_end();
    if t.trim().is_empty() {
        return "(no text)".into();
    }
    if t.len() <= MAX_BODY_BYTES {
        return t.to_string();
    }
    let mut cut = MAX_BODY_BYTES - 100;
    while !t.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}\n\n[… shortened; the full message is kept as received]", &t[..cut])
}

/// Threading, in order: the reply address's conversation (when the sender
/// belongs to it or the mail references it), then In-Reply-To and
/// References against every Message-ID Parley sent or received, else none.
async fn thread(
    state: &AppState,
    ws: WorkspaceId,
    tag: Option<ConversationId>,
    mail: &ParsedMail,
) -> AppResult<Option<ConversationId>> {
    let mut conn = state.db.pool.acquire().await?;
    let referenced = referenced_conversations(&mut conn, ws, &mail.references).await?;
    if let Some(cid) = tag {
        let sender = mail.from.as_ref().map(|f| f.1.to_ascii_lowercase()).unwrap_or_default();
        let row: Option<(Option<String>, String)> = sqlx::query_as(
            "SELECT lower(ct.email), c.cc FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
             WHERE c.id = ? AND c.workspace_id = ?",
        )
        .bind(cid)
        .bind(ws)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((owner, cc)) = row {
            let cc: Vec<String> = serde_json::from_str(&cc).unwrap_or_default();
            // A guessed reply address alone cannot put a stranger's mail
            // into someone else's conversation.
            if owner.as_deref() == Some(sender.as_str()) || cc.contains(&sender) || referenced.contains(&cid) {
                return Ok(Some(cid));
            }
        }
    }
    Ok(referenced.first().copied())
}

/// The conversations holding the referenced Message-IDs, in the order the
/// references were given (In-Reply-To first). One query.
async fn referenced_conversations(
    conn: &mut SqliteConnection,
    ws: WorkspaceId,
    refs: &[String],
) -> AppResult<Vec<ConversationId>> {
    if refs.is_empty() {
        return Ok(vec![]);
    }
    let refs = &refs[..refs.len().min(50)];
    let mut qb = sqlx::QueryBuilder::new(
        "SELECT m.message_id, m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE c.workspace_id = ",
    );
    qb.push_bind(ws).push(" AND m.message_id IN (");
    let mut sep = qb.separated(", ");
    for r in refs {
        sep.push_bind(r);
    }
    qb.push(")");
    let hits: Vec<(String, ConversationId)> = qb.build_query_as().fetch_all(conn).await?;
    let mut out = Vec::new();
    for r in refs {
        for (mid, cid) in &hits {
            if mid == r && !out.contains(cid) {
                out.push(*cid);
            }
        }
    }
    Ok(out)
}

/// The channel's automatic answer to a new conversation: stored like any
/// reply (marked automatic, from no agent), then sent.
async fn auto_reply(
    state: &AppState,
    channel: &ChannelRow,
    id: ConversationId,
    mail: &ParsedMail,
    settings: &crate::channels::model::EmailSettings,
) -> AppResult<()> {
    let subject = if settings.auto_reply.subject.trim().is_empty() {
        reply_subject(&mail.subject)
    } else {
        settings.auto_reply.subject.trim().to_string()
    };
    let delivery = crate::outbound::initial(channel);
    let mut tx = state.db.write().await?;
    let mid = crate::messages::server::insert(
        &mut tx,
        &NewMessage {
            channel_id: None,
            conversation_id: id,
            direction: Direction::Outbound,
            channel_kind: ChannelKind::Email,
            sender_user_id: None,
            sender_contact_id: None,
            subject: &subject,
            body: settings.auto_reply.body.trim_end(),
            delivery_status: Some(delivery.status),
            failure_reason: delivery.failure_reason.as_deref(),
            provider_message_id: None,
            created_at: Timestamp::now(),
            html: None,
            message_id: None,
            content_hash: None,
            cc: &[],
            automatic: true,
        },
    )
    .await?;
    let message = crate::messages::server::get(&mut tx, mid).await?;
    let extra =
        crate::conversations::server::EventExtra { activity: Some("Auto-reply sent".into()), ..Default::default() };
    let event = crate::conversations::server::record_event_with(
        &mut tx,
        EventKind::MessageCreated,
        id,
        None,
        "auto-reply sent".into(),
        Some(message),
        extra,
    )
    .await?;
    tx.commit().await?;
    state.hub.publish(channel.workspace_id, event);
    crate::outbound::dispatch(state, mid, Some(delivery.status));
    Ok(())
}
