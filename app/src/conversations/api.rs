//! Server functions for the inbox view. Each: session -> access check (in
//! the server module) -> wire type.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::contacts::model::{Contact, ContactInput};
use crate::conversations::model::{Conversation, ConversationPage, ConversationPatch, ConversationSummary, ListFilter};
use crate::error::AppError;
use crate::ids::{ChannelId, ContactId, ConversationId, InboxId, MessageId};
use crate::inboxes::model::Inbox;
use crate::messages::model::{ComposeKind, Message};

/// Everything the thread and details panes show, in one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationDetail {
    pub summary: ConversationSummary,
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    pub contact: Contact,
    /// The contact's other conversations the viewer may see.
    pub others: Vec<ConversationSummary>,
    pub inbox_name: String,
    pub channel_name: String,
    /// Why replies on this channel cannot be delivered, if they cannot.
    pub send_problem: Option<String>,
    /// Addresses every reply is copied to (email).
    pub cc: Vec<String>,
    /// The conversation this one follows (a reply after the reopen window).
    pub previous_conversation_id: Option<ConversationId>,
    /// What happened besides messages, oldest first ("Assigned to Dana by
    /// round robin", "Closed by rule 'Abandoned'").
    pub activity: Vec<ActivityLine>,
    /// Who the conversation can be assigned to: everyone who may see its
    /// inbox, by name.
    pub assignable: Vec<crate::users::model::User>,
    /// Where the visitor wrote from (widget conversations): the page and
    /// the attributes the site's snippet passed. `None` when not known.
    pub context: Option<ConversationContext>,
    /// Where a reply can go: the conversation's own channel first (with
    /// its `send_problem`), then the contact's other email, SMS and
    /// WhatsApp channels, each with why it cannot be used now.
    pub reply_channels: Vec<crate::contacts::model::ThreadChannel>,
}

/// The page a widget visitor last wrote from and the attributes the
/// snippet passed (plan, language), by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationContext {
    pub page_url: Option<String>,
    pub attributes: std::collections::BTreeMap<String, String>,
}

impl ConversationContext {
    /// The page as a link target, only when it is a web address: a
    /// visitor's script may pass anything, and `javascript:` must never
    /// become a link in an agent's browser.
    pub fn page_href(&self) -> Option<&str> {
        self.page_url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    }
}

/// One line of the conversation's activity, shown between its messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ActivityLine {
    pub at: crate::time::Timestamp,
    pub text: String,
    /// The person who did it; `None` for Parley itself (rules, timers).
    pub actor_name: Option<String>,
}

/// What the "new conversation" form sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewConversationInput {
    pub inbox_id: InboxId,
    /// An existing contact, or details for a new one.
    pub contact_id: Option<ContactId>,
    pub contact: ContactInput,
    pub subject: String,
    pub body: String,
    /// The channel to start on ("Create thread" on a contact's page);
    /// `None` lets the inbox's channels decide. Needs `contact_id`.
    #[serde(default)]
    pub channel_id: Option<ChannelId>,
}

/// A page of the conversation list.
#[server(input = Json)]
pub async fn list_conversations(filter: ListFilter, cursor: Option<String>) -> Result<ConversationPage, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::conversations::server::list(&state.db, &who, &filter, cursor.as_deref(), 30).await
}

/// Applies one change to many conversations (the list view's bulk bar);
/// says what changed and what was refused and why.
#[server(input = Json)]
pub async fn bulk_update_conversations(
    target: crate::conversations::model::BulkTarget,
    patch: ConversationPatch,
) -> Result<crate::conversations::model::BulkOutcome, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::conversations::bulk::bulk_patch(&state.db, &state.hub, &who, &target, &patch).await
}

/// Remembers the list view's columns, in order, for the signed-in user.
#[server(input = Json)]
pub async fn save_list_columns(columns: Vec<String>) -> Result<(), AppError> {
    let (state, who) = crate::users::session::require().await?;
    if columns.len() > 20 || columns.iter().any(|c| c.len() > 40) {
        return Err(AppError::invalid("columns", "too many or too long"));
    }
    if columns.is_empty() {
        return Err(AppError::invalid("columns", "keep at least one column"));
    }
    let json = serde_json::to_string(&columns).map_err(|_| AppError::Internal)?;
    sqlx::query("UPDATE users SET list_columns = ? WHERE id = ?")
        .bind(json)
        .bind(who.id)
        .execute(&state.db.writer)
        .await?;
    Ok(())
}

/// A conversation with its thread, contact and the contact's other conversations.
#[server(input = Json)]
pub async fn get_conversation(id: ConversationId) -> Result<ConversationDetail, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::conversations::detail::detail(&state.db, &who, id).await
}

/// Changes status, priority, assignee, inbox, snooze, spam or unread.
#[server(input = Json)]
pub async fn update_conversation(
    id: ConversationId,
    patch: ConversationPatch,
) -> Result<ConversationSummary, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::conversations::server::patch(&state.db, &state.hub, &who, id, &patch).await
}

/// Marks a conversation read (opening it does this).
#[server(input = Json)]
pub async fn mark_conversation_read(id: ConversationId) -> Result<(), AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::conversations::server::mark_read(&state.db, &state.hub, &who, id).await
}

/// Sends a reply to the customer or adds an internal note. `cc` (email)
/// replaces the conversation's CC list; `None` keeps it. `attachments` are
/// ids of the agent's uploads (`POST /uploads`); `subject` replaces
/// "Re: <conversation subject>" on this email.
#[server(input = Json)]
pub async fn send_message(
    id: ConversationId,
    kind: ComposeKind,
    body: String,
    cc: Option<Vec<String>>,
    attachments: Vec<i64>,
    subject: Option<String>,
    via: Option<ChannelId>,
) -> Result<Message, AppError> {
    let (state, who) = crate::users::session::require().await?;
    let compose = crate::messages::server::Compose {
        subject: subject.as_deref(),
        cc: cc.as_deref(),
        attachments: &attachments,
        via,
        ..crate::messages::server::Compose::new(kind, &body)
    };
    let m = crate::messages::server::send(&state.db, &state.hub, &who, id, &compose).await?;
    crate::outbound::dispatch(&state, m.id, m.delivery_status);
    Ok(m)
}

/// Tries a failed reply, or a customer's file that did not arrive, again.
#[server(input = Json)]
pub async fn retry_message(id: ConversationId, message: MessageId) -> Result<Message, AppError> {
    let (state, who) = crate::users::session::require().await?;
    let m = crate::messages::delivery::retry(&state.db, &state.hub, &who, id, message).await?;
    crate::outbound::dispatch_retry(&state, &m);
    Ok(m)
}

/// Starts a conversation from the inbox: the agent writes first.
#[server(input = Json)]
pub async fn start_conversation(input: NewConversationInput) -> Result<ConversationSummary, AppError> {
    use crate::ingest::{ContactRef, Inbound, Origin};
    let (state, who) = crate::users::session::require().await?;
    let mut input = input;
    let contact = match input.contact_id {
        Some(id) => ContactRef::Existing(id),
        None => ContactRef::Details(input.contact.clone()),
    };
    let (channel_id, inbox_id) = match (input.channel_id, input.contact_id) {
        (Some(ch), Some(contact)) => {
            let mut conn = state.db.pool.acquire().await?;
            let contact = crate::contacts::server::get(&mut conn, who.workspace_id, contact).await?;
            drop(conn);
            let c = crate::contacts::thread::check_thread_channel(&state.db, &who, &contact, ch).await?;
            if c.kind != crate::messages::model::ChannelKind::Email && input.subject.trim().is_empty() {
                // A text has no subject; the conversation is named by its start.
                input.subject = input.body.lines().next().unwrap_or("").chars().take(60).collect();
            }
            (Some(c.id), c.inbox_id)
        }
        (Some(_), None) => return Err(AppError::invalid("channelId", "needs an existing contact")),
        (None, _) => (
            crate::conversations::detail::channel_for_start(&state.db, &who, input.inbox_id, &input.contact).await?,
            input.inbox_id,
        ),
    };
    if input.subject.trim().is_empty() {
        return Err(AppError::invalid("subject", "is required"));
    }
    let inbound = Inbound {
        channel_id,
        inbox_id: Some(inbox_id),
        contact,
        subject: input.subject,
        body: input.body,
        origin: Origin::Agent,
        extras: Default::default(),
    };
    let done = crate::ingest::server::ingest(&state.db, &state.hub, Some(&who), who.workspace_id, &inbound).await?;
    if let Some(m) = &done.message {
        crate::outbound::dispatch(&state, m.id, m.delivery_status);
    }
    Ok(done.summary)
}

/// The inboxes the user may see.
#[server(input = Json)]
pub async fn list_inboxes() -> Result<Vec<Inbox>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::inboxes::server::list(&state.db, &who).await
}

/// Changes a contact's name, email or phone.
#[server(input = Json)]
pub async fn update_contact(id: ContactId, input: ContactInput) -> Result<Contact, AppError> {
    let (state, who) = crate::users::session::require().await?;
    let mut tx = state.db.write().await?;
    let c = crate::contacts::server::update(&mut tx, who.workspace_id, id, &input).await?;
    tx.commit().await?;
    Ok(c)
}

/// Contacts matching a search, for the "new conversation" picker.
#[server(input = Json)]
pub async fn search_contacts(q: String) -> Result<Vec<Contact>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::contacts::server::list(&state.db, who.workspace_id, Some(&q), None, 10).await
}
