//! The API caller: `X-API-Key: <key>` or `Authorization: Bearer <key>`.

use app::error::AppError;
use app::state::AppState;
use app::users::server::{principal_for_api_key, Principal};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::ApiError;

/// The principal an API key acts for.
pub struct ApiUser(pub Principal);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = parts
            .headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .or_else(|| {
                parts
                    .headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
            })
            .ok_or(ApiError(AppError::Unauthorized))?;
        let who = principal_for_api_key(&state.db, key).await?.ok_or(ApiError(AppError::Unauthorized))?;
        Ok(ApiUser(who))
    }
}
