//! `/api/v1/users` and `/api/v1/me`.

use app::ids::UserId;
use app::state::AppState;
use app::users::model::{NewUser, UserPatch};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::error::data;
use super::{ApiError, ApiUser, Json};

pub async fn me(State(s): State<AppState>, ApiUser(who): ApiUser) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::users::server::get_user(&s.db, who.id).await?))
}

pub async fn list(State(s): State<AppState>, ApiUser(who): ApiUser) -> Result<Response, ApiError> {
    Ok(data(StatusCode::OK, app::users::server::list_users(&s.db, who.workspace_id).await?))
}

pub async fn create(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Json(body): Json<NewUser>,
) -> Result<Response, ApiError> {
    who.require_admin()?;
    Ok(data(StatusCode::CREATED, app::users::server::create_user(&s.db, who.workspace_id, &body).await?))
}

/// Admins change anyone; a user may change their own name, availability and signature.
pub async fn patch(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<UserPatch>,
) -> Result<Response, ApiError> {
    let own = who.id == UserId(id) && body.role.is_none();
    if !own {
        who.require_admin()?;
    }
    Ok(data(StatusCode::OK, app::users::server::patch_user(&s.db, who.workspace_id, UserId(id), &body).await?))
}
