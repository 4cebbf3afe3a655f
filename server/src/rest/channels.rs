//! `/api/v1/channels` (admins; secrets are write-only).

use app::channels::model::ChannelInput;
use app::ids::ChannelId;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::error::data;
use super::{ApiError, ApiUser, Json};

pub async fn list(State(s): State<AppState>, ApiUser(who): ApiUser) -> Result<Response, ApiError> {
    who.require_admin()?;
    let rows = app::channels::server::list(&s.db, who.workspace_id).await?;
    let out: Vec<_> = rows.iter().map(|r| r.to_wire(&s.settings.inbound_domain)).collect();
    Ok(data(StatusCode::OK, out))
}

pub async fn get(State(s): State<AppState>, ApiUser(who): ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    who.require_admin()?;
    let mut conn = s.db.pool.acquire().await?;
    let row = app::channels::server::get(&mut conn, who.workspace_id, ChannelId(id)).await?;
    Ok(data(StatusCode::OK, row.to_wire(&s.settings.inbound_domain)))
}

pub async fn create(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Json(body): Json<ChannelInput>,
) -> Result<Response, ApiError> {
    let row = app::channels::server::create(&s.db, &who, &body).await?;
    Ok(data(StatusCode::CREATED, row.to_wire(&s.settings.inbound_domain)))
}

pub async fn update(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<ChannelInput>,
) -> Result<Response, ApiError> {
    let row = app::channels::server::update(&s.db, &who, ChannelId(id), &body).await?;
    Ok(data(StatusCode::OK, row.to_wire(&s.settings.inbound_domain)))
}

pub async fn delete(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    app::channels::server::delete(&s.db, &who, ChannelId(id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/channels/{id}/check`: checks the channel's provider now
/// (the outgoing mail server; the Twilio account).
pub async fn check(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    who.require_admin()?;
    let mut conn = s.db.pool.acquire().await?;
    let row = app::channels::server::get(&mut conn, who.workspace_id, ChannelId(id)).await?;
    drop(conn);
    app::outbound::check_health(&s, &row).await?;
    let mut conn = s.db.pool.acquire().await?;
    let row = app::channels::server::get(&mut conn, who.workspace_id, ChannelId(id)).await?;
    Ok(data(StatusCode::OK, row.to_wire(&s.settings.inbound_domain)))
}
