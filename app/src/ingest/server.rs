//! dedupe -> resolve or create contact -> spam check -> route -> continue,
//! reopen or create the conversation -> store message (+ attachments, raw
//! mail) and event in one transaction -> publish.
//!
//! Routing rules and the inbox's assignment rule apply to a new
//! conversation here; automations read the event this writes.

use sqlx::SqliteConnection;

use crate::contacts::model::Contact;
use crate::contacts::server as contacts;
use crate::conversations::model::{ConversationSummary, Status};
use crate::conversations::rules::{self, ConvState};
use crate::conversations::server::{record_event_with, save_state, ConvRow, EventExtra};
use crate::db::Db;
use crate::email::rules::within_reopen_window;
use crate::error::{AppError, AppResult};
use crate::ids::{ChannelId, ContactId, ConversationId, InboxId, MessageId, UserId, WorkspaceId};
use crate::ingest::{ContactRef, Inbound, Origin};
use crate::live::model::{EventKind, LiveEvent};
use crate::live::server::Hub;
use crate::messages::model::{validate_body, ChannelKind, Direction, Message};
use crate::messages::server::{self as messages, NewMessage};
use crate::outbound;
use crate::routing::model::Sample;
use crate::time::Timestamp;
use crate::users::server::{can_see_inbox, Principal};

/// What ingest did.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub summary: ConversationSummary,
    /// True when the message had been stored before (nothing new written).
    pub duplicate: bool,
    /// True when a new conversation was started (not a reply to one).
    pub created: bool,
    /// True when the sender is blocked and the conversation sits in Spam.
    pub spam: bool,
    /// The stored message (absent for duplicates).
    pub message: Option<Message>,
}

/// Runs the pipeline for an arrival in workspace `ws`. `actor` is the user
/// or API key behind it (who must see the target inbox); `None` for mail
/// and webhooks, which act for the channel. One transaction.
pub async fn ingest(
    db: &Db,
    hub: &Hub,
    actor: Option<&Principal>,
    ws: WorkspaceId,
    inbound: &Inbound,
) -> AppResult<Ingested> {
    check(inbound)?;
    let mut tx = db.write().await?;
    let (done, event) = ingest_in(&mut tx, actor, ws, inbound).await?;
    if let Some(event) = event {
        tx.commit().await?;
        hub.publish(ws, event);
    }
    Ok(done)
}

/// What ingest refuses before touching the database (empty or too long
/// text, too long a subject); [`ingest_in`]'s callers run it first.
pub fn check(inbound: &Inbound) -> AppResult<()> {
    validate_body(&inbound.body)?;
    if inbound.subject.chars().count() > 500 {
        return Err(AppError::invalid("subject", "must be at most 500 characters"));
    }
    Ok(())
}

/// The pipeline inside the caller's write transaction, for a transport
/// that stores several arrivals at once (a WhatsApp webhook carries a
/// batch). The event to publish once the caller commits; `None` for a
/// duplicate, which wrote nothing.
pub async fn ingest_in(
    tx: &mut SqliteConnection,
    actor: Option<&Principal>,
    ws: WorkspaceId,
    inbound: &Inbound,
) -> AppResult<(Ingested, Option<LiveEvent>)> {
    let x = &inbound.extras;
    let (channel_id, channel_kind, channel_inbox) = channel(&mut *tx, ws, inbound.channel_id).await?;
    if let Some(found) = duplicate_of(&mut *tx, ws, channel_id, inbound).await? {
        let summary = crate::conversations::server::summary(&mut *tx, found).await?;
        return Ok((Ingested { summary, duplicate: true, created: false, spam: false, message: None }, None));
    }

    let contact = match &inbound.contact {
        ContactRef::Existing(id) => {
            contacts::get(&mut *tx, ws, *id).await.map_err(|_| AppError::invalid("contactId", "no such contact"))?
        }
        ContactRef::Details(d) => contacts::find_or_create(&mut *tx, ws, d).await?,
    };
    let blocked = matches!(inbound.origin, Origin::Customer { .. }) && is_blocked(&mut *tx, ws, &contact).await?;

    // Continue the conversation the transport's threading found, unless it
    // ended longer ago than the reopen window.
    let mut previous: Option<ConversationId> = None;
    let continues = match x.continues {
        Some(c) => Some(c),
        None if x.join_open => {
            let (open, last) = open_conversation(&mut *tx, channel_id, contact.id).await?;
            previous = last;
            open
        }
        None => None,
    };
    let existing = match continues {
        Some(cid) => match crate::conversations::server::row_in(&mut *tx, ws, cid).await? {
            Some(row) if ended_long_ago(&row, x.reopen_window_days) => {
                previous = Some(row.id);
                None
            }
            other => other,
        },
        None => None,
    };

    let now = Timestamp::now();
    let subject = inbound.subject.trim().to_string();
    let mut activity: Option<String> = None;
    let (conv_id, created, event_kind, change) = match &existing {
        Some(row) => {
            let before = row.status;
            let next = rules::customer_wrote(&row.state());
            save_state(&mut *tx, row.id, &next).await?;
            let change = if matches!(before, Status::Resolved | Status::Closed) && next.status == Status::Open {
                "customer replied, reopened"
            } else {
                "customer replied"
            };
            (row.id, false, EventKind::MessageCreated, change.to_string())
        }
        None => {
            // Routing rules pick the inbox of what customers start; an API
            // caller or agent naming an inbox has decided already.
            let routed = match (&inbound.origin, inbound.inbox_id) {
                (Origin::Customer { .. }, None) => {
                    let sample = Sample {
                        channel_id: Some(channel_id),
                        subject: subject.clone(),
                        body: inbound.body.clone(),
                        sender: contact.email.clone(),
                        page_url: x.page_url.clone(),
                        attributes: x.attributes.clone(),
                    };
                    crate::routing::server::route(&mut *tx, ws, &sample).await?
                }
                _ => None,
            };
            let inbox_id = routed.as_ref().map(|r| r.inbox_id).or(inbound.inbox_id).unwrap_or(channel_inbox);
            if let Some(actor) = actor {
                let visible = can_see_inbox(&mut *tx, actor, inbox_id).await.map_err(|e| match e {
                    AppError::NotFound { .. } => AppError::invalid("inboxId", "no such inbox"),
                    e => e,
                })?;
                if !visible {
                    return Err(AppError::Forbidden);
                }
            }
            let id = create_conversation(&mut *tx, ws, inbox_id, channel_id, &contact, &subject, previous, now).await?;
            let default_assignee: Option<UserId> =
                sqlx::query_scalar("SELECT default_assignee_id FROM inboxes WHERE id = ?")
                    .bind(inbox_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let mut how = String::from("created");
            let mut lines: Vec<String> = vec![];
            if let Some(rule) = &routed {
                let name: String = sqlx::query_scalar("SELECT name FROM inboxes WHERE id = ?")
                    .bind(rule.inbox_id)
                    .fetch_one(&mut *tx)
                    .await?;
                lines.push(format!("Routed to {name} by rule '{}'", rule.name));
                if let Some(p) = rule.priority {
                    sqlx::query("UPDATE conversations SET priority = ? WHERE id = ?")
                        .bind(p)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let team = routed.as_ref().and_then(|r| r.team_id);
            let state = match &inbound.origin {
                Origin::Customer { .. } if default_assignee.is_none() && !blocked => {
                    // The inbox's rule (round robin, least busy) picks someone.
                    let picked = crate::inboxes::assign_server::assign_new(&mut *tx, ws, inbox_id, team).await?;
                    if let Some((_, why, name)) = &picked {
                        how = format!("created, assigned to {name} by {}", why.label());
                        lines.push(format!("Assigned to {name} by {}", why.label().to_lowercase()));
                    }
                    ConvState::arrived(picked.map(|p| p.0))
                }
                Origin::Customer { .. } => ConvState::arrived(default_assignee),
                Origin::Agent => {
                    // An agent starting a conversation owns it and is working it.
                    let mut s = ConvState::arrived(actor.map(|a| a.id));
                    s.status = Status::Open;
                    s.unread = false;
                    s
                }
            };
            save_state(&mut *tx, id, &state).await?;
            activity = (!lines.is_empty()).then(|| lines.join(" · "));
            (id, true, EventKind::ConversationCreated, how)
        }
    };
    if blocked {
        sqlx::query("UPDATE conversations SET spam = 1 WHERE id = ?").bind(conv_id).execute(&mut *tx).await?;
    }
    if !x.cc.is_empty() || existing.as_ref().is_some_and(|r| r.contact_id != contact.id) {
        keep_cc(&mut *tx, conv_id, &x.cc, &contact, existing.as_ref().map(|r| r.contact_id)).await?;
    }

    let (direction, sender_user, sender_contact, delivery, pid) = match &inbound.origin {
        Origin::Customer { provider_message_id } => {
            (Direction::Inbound, None, Some(contact.id), None, provider_message_id.as_deref())
        }
        Origin::Agent => {
            let ch = crate::channels::server::get(&mut *tx, ws, channel_id).await?;
            (Direction::Outbound, actor.map(|a| a.id), None, Some(outbound::initial(&ch)), None)
        }
    };
    let mid = messages::insert(
        &mut *tx,
        &NewMessage {
            channel_id: None,
            conversation_id: conv_id,
            direction,
            channel_kind,
            sender_user_id: sender_user,
            sender_contact_id: sender_contact,
            subject: &subject,
            body: inbound.body.trim_end(),
            delivery_status: delivery.as_ref().map(|d| d.status),
            failure_reason: delivery.as_ref().and_then(|d| d.failure_reason.as_deref()),
            provider_message_id: pid,
            created_at: now,
            html: None,
            message_id: x.message_id.as_deref(),
            content_hash: x.content_hash.as_deref(),
            cc: &x.cc,
            automatic: x.automated,
        },
    )
    .await?;
    store_parts(&mut *tx, ws, inbound, mid).await?;
    store_context(&mut *tx, conv_id, x, now).await?;
    let message = messages::get(&mut *tx, mid).await?;
    let extra = EventExtra { fields: vec![], activity };
    let event =
        record_event_with(&mut *tx, event_kind, conv_id, actor.map(|a| a.id), change, Some(message.clone()), extra)
            .await?;
    let summary = event.summary.clone();
    Ok((Ingested { summary, duplicate: false, created, spam: blocked, message: Some(message) }, Some(event)))
}

/// The conversation already holding this arrival: same provider id on the
/// channel, or (mail) the same Message-ID with the same content.
async fn duplicate_of(
    conn: &mut SqliteConnection,
    ws: WorkspaceId,
    channel_id: ChannelId,
    inbound: &Inbound,
) -> AppResult<Option<ConversationId>> {
    if let Origin::Customer { provider_message_id: Some(pid) } = &inbound.origin {
        let found = sqlx::query_scalar(
            "SELECT m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE c.channel_id = ? AND m.provider_message_id = ? LIMIT 1",
        )
        .bind(channel_id)
        .bind(pid)
        .fetch_optional(&mut *conn)
        .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    if let (Some(id), Some(hash)) = (&inbound.extras.message_id, &inbound.extras.content_hash) {
        return Ok(sqlx::query_scalar(
            "SELECT m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.message_id = ? AND m.content_hash = ? AND c.workspace_id = ? LIMIT 1",
        )
        .bind(id)
        .bind(hash)
        .bind(ws)
        .fetch_optional(conn)
        .await?);
    }
    Ok(None)
}

async fn is_blocked(conn: &mut SqliteConnection, ws: WorkspaceId, contact: &Contact) -> AppResult<bool> {
    let Some(email) = &contact.email else { return Ok(false) };
    let hit: Option<i64> = sqlx::query_scalar("SELECT 1 FROM blocked_senders WHERE workspace_id = ? AND address = ?")
        .bind(ws)
        .bind(email.to_ascii_lowercase())
        .fetch_optional(conn)
        .await?;
    Ok(hit.is_some())
}

/// The contact's open (not resolved or closed) conversation on the
/// channel, newest first; else their last one there, for the new
/// conversation to link back to. Uses `conversations_contact_channel`.
async fn open_conversation(
    conn: &mut SqliteConnection,
    channel: ChannelId,
    contact: ContactId,
) -> AppResult<(Option<ConversationId>, Option<ConversationId>)> {
    let row: Option<(ConversationId, Status)> = sqlx::query_as(
        "SELECT id, status FROM conversations WHERE contact_id = ? AND channel_id = ?
         ORDER BY (status IN ('resolved', 'closed')) ASC, id DESC LIMIT 1",
    )
    .bind(contact)
    .bind(channel)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some((id, status)) if !matches!(status, Status::Resolved | Status::Closed) => (Some(id), None),
        Some((id, _)) => (None, Some(id)),
        None => (None, None),
    })
}

/// A resolved or closed conversation whose reopen window has passed.
fn ended_long_ago(row: &ConvRow, window_days: u32) -> bool {
    matches!(row.status, Status::Resolved | Status::Closed)
        && !within_reopen_window(row.closed_at.or(row.resolved_at), window_days, Timestamp::now())
}

#[allow(clippy::too_many_arguments)]
async fn create_conversation(
    conn: &mut SqliteConnection,
    ws: WorkspaceId,
    inbox: InboxId,
    channel: ChannelId,
    contact: &Contact,
    subject: &str,
    previous: Option<ConversationId>,
    now: Timestamp,
) -> AppResult<ConversationId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO conversations (workspace_id, inbox_id, channel_id, contact_id, subject, created_at,
                                    last_activity_at, previous_conversation_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(ws)
    .bind(inbox)
    .bind(channel)
    .bind(contact.id)
    .bind(subject)
    .bind(now)
    .bind(now)
    .bind(previous)
    .fetch_one(conn)
    .await?;
    Ok(ConversationId(id))
}

/// Everyone copied, and anyone besides the contact who wrote in, is kept
/// on the conversation's replies (the contact and Parley's own addresses
/// are not).
async fn keep_cc(
    conn: &mut SqliteConnection,
    id: ConversationId,
    cc: &[String],
    sender: &Contact,
    conversation_contact: Option<ContactId>,
) -> AppResult<()> {
    let mut list = messages::conversation_cc(conn, id).await?;
    let owner_email: Option<String> = match conversation_contact {
        Some(cid) => {
            sqlx::query_scalar("SELECT email FROM contacts WHERE id = ?").bind(cid).fetch_one(&mut *conn).await?
        }
        None => sender.email.clone(),
    };
    let owner = owner_email.map(|e| e.to_ascii_lowercase());
    let mut add: Vec<String> = cc.iter().map(|a| a.to_ascii_lowercase()).collect();
    if conversation_contact.is_some_and(|c| c != sender.id) {
        add.extend(sender.email.iter().map(|e| e.to_ascii_lowercase()));
    }
    for a in add {
        if Some(&a) != owner.as_ref() && !list.contains(&a) && list.len() < 20 {
            list.push(a);
        }
    }
    sqlx::query("UPDATE conversations SET cc = ? WHERE id = ?")
        .bind(serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Attachments, HTML (with `cid:` images pointed at their files) and the
/// raw mail, all in the message's transaction.
async fn store_parts(conn: &mut SqliteConnection, ws: WorkspaceId, inbound: &Inbound, mid: MessageId) -> AppResult<()> {
    let x = &inbound.extras;
    let linked = crate::attachments::server::insert(conn, mid, &x.attachments).await?;
    if let Some(html) = &x.html {
        let mut html = html.clone();
        for (cid, aid, name) in &linked {
            if let Some(cid) = cid {
                html = html.replace(&format!("cid:{cid}"), &crate::attachments::url(*aid, name));
            }
        }
        sqlx::query("UPDATE messages SET html = ? WHERE id = ?").bind(html).bind(mid).execute(&mut *conn).await?;
    }
    if let Some(raw) = &x.raw {
        let channel: Option<ChannelId> = inbound.channel_id;
        sqlx::query(
            "INSERT INTO inbound_mail (workspace_id, channel_id, transport, mail_from, rcpt_to, size, raw, status,
                                       message_id, received_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'accepted', ?, ?)",
        )
        .bind(ws)
        .bind(channel)
        .bind(raw.transport)
        .bind(&raw.mail_from)
        .bind(&raw.rcpt_to)
        .bind(raw.bytes.len() as i64)
        .bind(&raw.bytes)
        .bind(mid)
        .bind(Timestamp::now())
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The page and visitor attributes the transport passed (the widget), on
/// the conversation: the page it was last written from, and attributes
/// merged (a later value replaces an earlier one of the same name).
async fn store_context(
    conn: &mut SqliteConnection,
    id: ConversationId,
    x: &crate::ingest::Extras,
    now: Timestamp,
) -> AppResult<()> {
    if x.page_url.is_none() && x.attributes.is_empty() {
        return Ok(());
    }
    let attributes = serde_json::to_string(&x.attributes).map_err(|_| AppError::Internal)?;
    sqlx::query(
        "INSERT INTO conversation_context (conversation_id, page_url, attributes, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET page_url = COALESCE(excluded.page_url, page_url),
             attributes = json_patch(attributes, excluded.attributes), updated_at = excluded.updated_at",
    )
    .bind(id)
    .bind(&x.page_url)
    .bind(attributes)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The arrival's channel (or the workspace's API channel): id, kind, inbox.
async fn channel(
    conn: &mut SqliteConnection,
    ws: WorkspaceId,
    id: Option<ChannelId>,
) -> AppResult<(ChannelId, ChannelKind, InboxId)> {
    let row: Option<(ChannelId, ChannelKind, InboxId)> =
        match id {
            Some(id) => {
                sqlx::query_as("SELECT id, kind, inbox_id FROM channels WHERE id = ? AND workspace_id = ?")
                    .bind(id)
                    .bind(ws)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            None => sqlx::query_as(
                "SELECT id, kind, inbox_id FROM channels WHERE workspace_id = ? AND kind = 'api' ORDER BY id LIMIT 1",
            )
            .bind(ws)
            .fetch_optional(&mut *conn)
            .await?,
        };
    row.ok_or_else(|| AppError::invalid("channelId", "no such channel"))
}
