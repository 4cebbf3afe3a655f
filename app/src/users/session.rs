//! The signed-in user of a server-function call, from the session cookie.

use tower_sessions::Session;

use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use crate::state::{app_state, AppState};
use crate::users::server::{principal, Principal};

/// The session key holding the signed-in user's id.
pub const USER_KEY: &str = "user_id";

async fn session() -> AppResult<Session> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer");
        AppError::Internal
    })
}

fn session_err(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store failed");
    AppError::Internal
}

/// Stores the user in a fresh session id (no fixation).
pub async fn sign_in(id: UserId) -> AppResult<()> {
    let s = session().await?;
    s.cycle_id().await.map_err(session_err)?;
    s.insert(USER_KEY, id.0).await.map_err(session_err)
}

/// Ends the session.
pub async fn sign_out() -> AppResult<()> {
    session().await?.flush().await.map_err(session_err)
}

/// The signed-in principal, if any.
pub async fn principal_opt(state: &AppState) -> AppResult<Option<Principal>> {
    let s = session().await?;
    let Some(id) = s.get::<i64>(USER_KEY).await.map_err(session_err)? else { return Ok(None) };
    principal(&state.db, UserId(id)).await
}

/// The state and the signed-in principal, or `Unauthorized`.
pub async fn require() -> AppResult<(AppState, Principal)> {
    let state = app_state()?;
    let who = principal_opt(&state).await?.ok_or(AppError::Unauthorized)?;
    Ok((state, who))
}
