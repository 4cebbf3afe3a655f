//! Server functions for signing in and managing users.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::users::model::{ApiKeyInfo, NewUser, User};

/// The signed-in user and where they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedIn {
    pub user: User,
    pub workspace_name: String,
    /// The list view's columns in this user's order (`None`: the default set).
    #[serde(default)]
    pub list_columns: Option<Vec<String>>,
}

/// Signs in: checks the password, rotates the session id, stores the user.
#[server(input = Json)]
pub async fn login(email: String, password: String) -> Result<User, AppError> {
    use crate::users::server::authenticate;
    use crate::users::session;
    if email.trim().is_empty() {
        return Err(AppError::invalid("email", "is required"));
    }
    let state = crate::state::app_state()?;
    let user = authenticate(&state.db, &email, &password).await?;
    session::sign_in(user.id).await?;
    Ok(user)
}

/// Signs out and forgets the session.
#[server(input = Json)]
pub async fn logout() -> Result<(), AppError> {
    crate::users::session::sign_out().await
}

/// Who is signed in, if anyone.
#[server(input = Json)]
pub async fn me() -> Result<Option<SignedIn>, AppError> {
    use crate::users::server::get_user;
    use crate::users::session;
    let state = crate::state::app_state()?;
    let Some(who) = session::principal_opt(&state).await? else { return Ok(None) };
    let user = get_user(&state.db, who.id).await?;
    let (workspace_name, columns): (String, Option<String>) = sqlx::query_as(
        "SELECT w.name, u.list_columns FROM workspaces w JOIN users u ON u.workspace_id = w.id WHERE u.id = ?",
    )
    .bind(who.id)
    .fetch_one(&state.db.pool)
    .await?;
    let list_columns = columns.and_then(|c| serde_json::from_str(&c).ok());
    Ok(Some(SignedIn { user, workspace_name, list_columns }))
}

/// Everyone in the workspace (for assignee pickers and Settings).
#[server(input = Json)]
pub async fn list_users() -> Result<Vec<User>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::users::server::list_users(&state.db, who.workspace_id).await
}

/// Adds a user (admins only).
#[server(input = Json)]
pub async fn create_user(input: NewUser) -> Result<User, AppError> {
    let (state, who) = crate::users::session::require().await?;
    who.require_admin()?;
    crate::users::server::create_user(&state.db, who.workspace_id, &input).await
}

/// The workspace's API keys (admins only).
#[server(input = Json)]
pub async fn list_api_keys() -> Result<Vec<ApiKeyInfo>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    who.require_admin()?;
    crate::users::server::list_api_keys(&state.db, who.workspace_id).await
}

/// Creates an API key acting as the admin; returns the key, shown once.
#[server(input = Json)]
pub async fn create_api_key(name: String) -> Result<String, AppError> {
    let (state, who) = crate::users::session::require().await?;
    who.require_admin()?;
    crate::users::server::create_api_key(&state.db, &who, &name).await
}
