//! `/api/v1/templates`: reply templates. Everyone reads and renders; admins
//! write (the check is in `app::templates::server`).

use app::error::AppError;
use app::ids::{ConversationId, TemplateId};
use app::state::AppState;
use app::templates::model::TemplateInput;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::data;
use super::{ApiError, ApiUser, Json};

pub async fn list(State(s): State<AppState>, ApiUser(who): ApiUser) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::templates::server::list(&s.db, &who).await?))
}

pub async fn get(State(s): State<AppState>, ApiUser(who): ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::templates::server::get(&s.db, &who, TemplateId(id)).await?))
}

pub async fn create(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Json(body): Json<TemplateInput>,
) -> Result<Response, ApiError> {
    Ok(data(StatusCode::CREATED, app::templates::server::create(&s.db, &who, &body).await?))
}

pub async fn update(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<TemplateInput>,
) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::templates::server::update(&s.db, &who, TemplateId(id), &body).await?))
}

pub async fn delete(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    app::templates::server::delete(&s.db, &who, TemplateId(id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `?conversationId=` of a render; read as text so a bad value gets the
/// API's error shape naming the parameter, not axum's plain-text 400.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderQuery {
    conversation_id: Option<String>,
}

/// `GET /templates/{id}/render?conversationId=`: the template filled for a
/// conversation the caller may see, as the key's user writes it.
pub async fn render(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<RenderQuery>,
) -> Result<Response, ApiError> {
    let conv: i64 = q
        .conversation_id
        .and_then(|c| c.trim().parse().ok())
        .ok_or_else(|| AppError::invalid("conversationId", "must be the id of the conversation to fill in for"))?;
    Ok(data(StatusCode::OK, app::templates::server::render(&s.db, &who, TemplateId(id), ConversationId(conv)).await?))
}
