//! `/api/v1/conversations` and their messages.

use app::contacts::model::ContactInput;
use app::conversations::model::{ConversationPatch, ListFilter, Sort, Status, View};
use app::error::AppError;
use app::ids::{ChannelId, ConversationId, InboxId, UserId};
use app::ingest::{ContactRef, Inbound, Origin};
use app::messages::model::ComposeKind;
use app::messages::server::Compose;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::contacts::check_limit;
use super::error::data;
use super::{ApiError, ApiUser, Json};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    inbox_id: Option<i64>,
    status: Option<String>,
    assignee_id: Option<i64>,
    unassigned: Option<bool>,
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
}

/// Filters as documented; `q` searches the whole history (see `app::search`).
pub async fn list(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let limit = check_limit(q.limit)?;
    let status = match q.status.as_deref() {
        Some(st) => Some(st.parse::<Status>().map_err(|m| AppError::invalid("status", m))?),
        None => None,
    };
    let filter = ListFilter {
        view: if q.unassigned == Some(true) { View::Unassigned } else { View::All },
        inbox_id: q.inbox_id.map(InboxId),
        // An explicit status (any, even closed) narrows the view.
        status,
        assignee_id: q.assignee_id.map(UserId),
        // Full-text: message text, subjects, contact name, email and phone.
        q: q.q.clone(),
        sort: Sort::Newest,
        ..ListFilter::default()
    };
    let page = app::conversations::server::list(&s.db, &who, &filter, q.cursor.as_deref(), limit).await?;
    // The REST shape has fields the list row lacks: read them for the whole
    // page at once (two queries, not two per row).
    let ids: Vec<ConversationId> = page.items.iter().map(|c| c.id).collect();
    let mut conn = s.db.pool.acquire().await?;
    let out = app::conversations::server::wire_rows(&mut conn, who.workspace_id, &ids).await?;
    Ok((StatusCode::OK, axum::Json(json!({"data": out, "nextCursor": page.next_cursor}))).into_response())
}

pub async fn get(State(s): State<AppState>, ApiUser(who): ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let mut conn = s.db.pool.acquire().await?;
    let row = app::conversations::server::load(&mut conn, &who, ConversationId(id)).await?;
    let labels = app::conversations::server::labels(&mut conn, row.id).await?;
    Ok(data(StatusCode::OK, row.into_wire(labels)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    inbox_id: Option<i64>,
    channel_id: Option<i64>,
    contact: ContactInput,
    #[serde(default)]
    subject: String,
    message: MessageBody,
}

#[derive(Deserialize)]
pub struct MessageBody {
    body: String,
}

/// A conversation created "via API": the message is the customer's.
pub async fn create(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Json(b): Json<CreateBody>,
) -> Result<Response, ApiError> {
    let inbound = Inbound {
        channel_id: b.channel_id.map(ChannelId),
        inbox_id: b.inbox_id.map(InboxId),
        contact: ContactRef::Details(b.contact),
        subject: b.subject,
        body: b.message.body,
        origin: Origin::Customer { provider_message_id: None },
        extras: Default::default(),
    };
    let done = app::ingest::server::ingest(&s.db, &s.hub, Some(&who), who.workspace_id, &inbound).await?;
    let mut conn = s.db.pool.acquire().await?;
    let row = app::conversations::server::load(&mut conn, &who, done.summary.id).await?;
    Ok(data(StatusCode::CREATED, row.into_wire(vec![])))
}

pub async fn patch(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Json(p): Json<ConversationPatch>,
) -> Result<Response, ApiError> {
    let id = ConversationId(id);
    app::conversations::server::patch(&s.db, &s.hub, &who, id, &p).await?;
    let mut conn = s.db.pool.acquire().await?;
    let row = app::conversations::server::load(&mut conn, &who, id).await?;
    let labels = app::conversations::server::labels(&mut conn, id).await?;
    Ok(data(StatusCode::OK, row.into_wire(labels)))
}

pub async fn messages(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let mut conn = s.db.pool.acquire().await?;
    let id = ConversationId(id);
    app::conversations::server::load(&mut conn, &who, id).await?;
    Ok(data(StatusCode::OK, app::messages::server::list_for(&mut conn, id).await?))
}

#[derive(Deserialize)]
pub struct PostMessage {
    kind: ComposeKind,
    body: String,
    subject: Option<String>,
    cc: Option<Vec<String>>,
    #[serde(default, rename = "attachmentIds")]
    attachment_ids: Vec<i64>,
    /// Another of the contact's channels to reply on (see `Compose::via`).
    #[serde(default, rename = "channelId")]
    channel_id: Option<i64>,
}

pub async fn post_message(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<PostMessage>,
) -> Result<Response, ApiError> {
    let compose = Compose {
        subject: b.subject.as_deref(),
        cc: b.cc.as_deref(),
        attachments: &b.attachment_ids,
        via: b.channel_id.map(ChannelId),
        ..Compose::new(b.kind, &b.body)
    };
    let m = app::messages::server::send(&s.db, &s.hub, &who, ConversationId(id), &compose).await?;
    app::outbound::dispatch(&s, m.id, m.delivery_status);
    Ok(data(StatusCode::CREATED, m))
}

/// `POST /api/v1/conversations/{id}/messages/{messageId}/retry`: a failed
/// reply goes back to its provider; a customer's file that did not arrive
/// is fetched again.
pub async fn retry(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path((id, mid)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let m = app::messages::delivery::retry(&s.db, &s.hub, &who, ConversationId(id), app::ids::MessageId(mid)).await?;
    app::outbound::dispatch_retry(&s, &m);
    Ok(data(StatusCode::OK, m))
}
