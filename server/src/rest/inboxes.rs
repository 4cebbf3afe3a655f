//! `/api/v1/inboxes`.

use app::ids::InboxId;
use app::inboxes::model::InboxInput;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::data;
use super::{ApiError, ApiUser, Json};

pub async fn list(State(s): State<AppState>, ApiUser(who): ApiUser) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::inboxes::server::list(&s.db, &who).await?))
}

pub async fn get(State(s): State<AppState>, ApiUser(who): ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let mut conn = s.db.pool.acquire().await?;
    Ok(data(StatusCode::OK, app::inboxes::server::get(&mut conn, &who, InboxId(id)).await?))
}

pub async fn create(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Json(body): Json<InboxInput>,
) -> Result<Response, ApiError> {
    Ok(data(StatusCode::CREATED, app::inboxes::server::create(&s.db, &who, &body).await?))
}

pub async fn update(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<InboxInput>,
) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::inboxes::server::update(&s.db, &who, InboxId(id), &body).await?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteQuery {
    move_to: Option<i64>,
}

pub async fn delete(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<DeleteQuery>,
) -> Result<Response, ApiError> {
    app::inboxes::server::delete(&s.db, &who, InboxId(id), q.move_to.map(InboxId)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn members(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::inboxes::members::list(&s.db, &who, InboxId(id)).await?))
}

pub async fn add_member(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<app::inboxes::members::AddMember>,
) -> Result<Response, ApiError> {
    Ok(data(StatusCode::CREATED, app::inboxes::members::add(&s.db, &who, InboxId(id), &body).await?))
}

pub async fn remove_member(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path((id, user)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    app::inboxes::members::remove(&s.db, &who, InboxId(id), app::ids::UserId(user)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityBody {
    status: app::users::model::Availability,
}

pub async fn availability(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path((id, user)): Path<(i64, i64)>,
    Json(body): Json<AvailabilityBody>,
) -> Result<Response, ApiError> {
    let m =
        app::inboxes::members::set_availability(&s.db, &who, InboxId(id), app::ids::UserId(user), body.status).await?;
    Ok(data(StatusCode::OK, m))
}
