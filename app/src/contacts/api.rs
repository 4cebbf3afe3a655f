//! Server functions for a contact's page: who the person is, every message
//! with them, the channels a new thread can use, and merging.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::contacts::model::{Contact, Identity, ThreadChannel, TimelinePage};
use crate::conversations::model::ConversationSummary;
use crate::error::AppError;
use crate::ids::ContactId;

/// What a contact's page shows above the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactOverview {
    pub contact: Contact,
    /// Other addresses and numbers (kept by merges).
    pub identities: Vec<Identity>,
    /// Their conversations the viewer may see, newest activity first.
    pub conversations: Vec<ConversationSummary>,
    /// Where "Create thread" can start one, each with why not if it cannot.
    pub channels: Vec<ThreadChannel>,
    /// Whether the viewer may merge contacts (admins).
    pub can_merge: bool,
}

/// A contact's page data.
#[server(input = Json)]
pub async fn contact_page(id: ContactId) -> Result<ContactOverview, AppError> {
    let (state, who) = crate::users::session::require().await?;
    let mut conn = state.db.pool.acquire().await?;
    let contact = crate::contacts::server::get(&mut conn, who.workspace_id, id).await?;
    let identities = crate::contacts::server::identities(&mut conn, id).await?;
    let conversations = crate::contacts::server::conversations_of(&mut conn, &who, id).await?;
    let channels = crate::contacts::thread::thread_channels(&state.db, &who, &contact).await?;
    let can_merge = who.require_admin().is_ok();
    Ok(ContactOverview { contact, identities, conversations, channels, can_merge })
}

/// A page of every message with the contact, newest first.
#[server(input = Json)]
pub async fn contact_timeline(id: ContactId, cursor: Option<String>) -> Result<TimelinePage, AppError> {
    let (state, who) = crate::users::session::require().await?;
    let cursor = match cursor.as_deref() {
        Some(c) => Some(
            crate::contacts::model::parse_cursor(c)
                .ok_or_else(|| AppError::BadRequest { message: "cursor: not a cursor from this page".into() })?,
        ),
        None => None,
    };
    let mut conn = state.db.pool.acquire().await?;
    crate::contacts::server::get(&mut conn, who.workspace_id, id).await?;
    crate::contacts::timeline::page(&mut conn, &who, id, cursor, 50).await
}

/// Merges contact `from` into `into` (admins); returns the kept contact.
#[server(input = Json)]
pub async fn merge_contacts(into: ContactId, from: ContactId) -> Result<Contact, AppError> {
    let (state, who) = crate::users::session::require().await?;
    let mut tx = state.db.write().await?;
    let merged = crate::contacts::merge::merge_in(&mut tx, &who, into, from).await?;
    tx.commit().await?;
    for e in merged.events {
        state.hub.publish(who.workspace_id, e);
    }
    Ok(merged.contact)
}
