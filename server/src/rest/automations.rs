//! `/api/v1/automations` and `/api/v1/routing-rules` (admins).

use app::automations::model::AutomationInput;
use app::ids::{AutomationId, RoutingRuleId};
use app::routing::model::{RoutingRuleInput, Sample};
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::data;
use super::{ApiError, ApiUser, Json};

pub async fn list(State(s): State<AppState>, ApiUser(who): ApiUser) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::automations::server::list(&s.db, &who).await?))
}

pub async fn get(State(s): State<AppState>, ApiUser(who): ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::automations::server::get(&s.db, &who, AutomationId(id)).await?))
}

pub async fn create(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Json(body): Json<AutomationInput>,
) -> Result<Response, ApiError> {
    Ok(data(StatusCode::CREATED, app::automations::server::create(&s.db, &who, &body).await?))
}

pub async fn update(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<AutomationInput>,
) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::automations::server::update(&s.db, &who, AutomationId(id), &body).await?))
}

pub async fn delete(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    app::automations::server::delete(&s.db, &who, AutomationId(id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeBody {
    recipe: String,
}

pub async fn recipe(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Json(body): Json<RecipeBody>,
) -> Result<Response, ApiError> {
    Ok(data(StatusCode::CREATED, app::automations::server::enable_recipe(&s.db, &who, &body.recipe).await?))
}

pub async fn rules(State(s): State<AppState>, ApiUser(who): ApiUser) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::routing::server::list(&s.db, &who).await?))
}

pub async fn create_rule(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Json(body): Json<RoutingRuleInput>,
) -> Result<Response, ApiError> {
    Ok(data(StatusCode::CREATED, app::routing::server::create(&s.db, &who, &body).await?))
}

pub async fn update_rule(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<RoutingRuleInput>,
) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::routing::server::update(&s.db, &who, RoutingRuleId(id), &body).await?))
}

pub async fn delete_rule(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    app::routing::server::delete(&s.db, &who, RoutingRuleId(id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn test_rules(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Json(body): Json<Sample>,
) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::routing::server::test(&s.db, &who, &body).await?))
}
