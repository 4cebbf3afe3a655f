//! `/api/v1/contacts`.

use app::contacts::model::ContactInput;
use app::error::AppError;
use app::ids::ContactId;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::error::data;
use super::{ApiError, ApiUser, Json};

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
}

pub async fn list(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let limit = check_limit(q.limit)?;
    let before = match q.cursor.as_deref() {
        Some(c) => Some(ContactId(
            c.parse().map_err(|_| AppError::BadRequest { message: "cursor: not a cursor from this API".into() })?,
        )),
        None => None,
    };
    let mut items = app::contacts::server::list(&s.db, who.workspace_id, q.q.as_deref(), before, limit + 1).await?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|c| c.id.to_string())
    } else {
        None
    };
    Ok((StatusCode::OK, axum::Json(json!({"data": items, "nextCursor": next}))).into_response())
}

/// `limit` is 1..100, default 25.
pub fn check_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(25),
        Some(l) if (1..=100).contains(&l) => Ok(l),
        Some(_) => Err(ApiError(AppError::invalid("limit", "must be between 1 and 100"))),
    }
}

pub async fn get(State(s): State<AppState>, ApiUser(who): ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let mut conn = s.db.pool.acquire().await?;
    let contact = app::contacts::server::get(&mut conn, who.workspace_id, ContactId(id)).await?;
    let conversations = app::contacts::server::conversations_of(&mut conn, &who, contact.id).await?;
    let mut v = serde_json::to_value(&contact).map_err(|_| AppError::Internal)?;
    v["conversations"] = serde_json::to_value(&conversations).map_err(|_| AppError::Internal)?;
    let identities = app::contacts::server::identities(&mut conn, contact.id).await?;
    v["identities"] = serde_json::to_value(&identities).map_err(|_| AppError::Internal)?;
    Ok(data(StatusCode::OK, v))
}

pub async fn create(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Json(body): Json<ContactInput>,
) -> Result<Response, ApiError> {
    let mut tx = s.db.write().await?;
    let c = app::contacts::server::create(&mut tx, who.workspace_id, &body).await?;
    tx.commit().await?;
    Ok(data(StatusCode::CREATED, c))
}

pub async fn patch(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<ContactInput>,
) -> Result<Response, ApiError> {
    let mut tx = s.db.write().await?;
    let c = app::contacts::server::update(&mut tx, who.workspace_id, ContactId(id), &body).await?;
    tx.commit().await?;
    Ok(data(StatusCode::OK, c))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MergeBody {
    /// The contact merged into the one in the path (and then removed).
    contact_id: i64,
}

/// `POST /contacts/{id}/merge`: admins combine two records of one person.
pub async fn merge(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<MergeBody>,
) -> Result<Response, ApiError> {
    let mut tx = s.db.write().await?;
    let merged = app::contacts::merge::merge_in(&mut tx, &who, ContactId(id), ContactId(body.contact_id)).await?;
    tx.commit().await?;
    for e in merged.events {
        s.hub.publish(who.workspace_id, e);
    }
    Ok(data(StatusCode::OK, merged.contact))
}

/// `GET /contacts/{id}/timeline`: every message with this person, newest first.
pub async fn timeline(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let limit = check_limit(q.limit)?;
    let cursor = match q.cursor.as_deref() {
        Some(c) => Some(
            app::contacts::model::parse_cursor(c)
                .ok_or_else(|| AppError::BadRequest { message: "cursor: not a cursor from this API".into() })?,
        ),
        None => None,
    };
    let mut conn = s.db.pool.acquire().await?;
    let contact = app::contacts::server::get(&mut conn, who.workspace_id, ContactId(id)).await?;
    let page = app::contacts::timeline::page(&mut conn, &who, contact.id, cursor, limit).await?;
    Ok((StatusCode::OK, axum::Json(json!({"data": page.entries, "nextCursor": page.next_cursor}))).into_response())
}
