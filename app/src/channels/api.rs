//! Server functions for Settings → Channels (admins) and the signature an
//! agent's replies carry.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::channels::model::{Channel, ChannelInput};
use crate::error::AppError;
use crate::ids::ChannelId;

/// Every channel, secrets masked (admins).
#[server(input = Json)]
pub async fn list_channels() -> Result<Vec<Channel>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    who.require_admin()?;
    let rows = crate::channels::server::list(&state.db, who.workspace_id).await?;
    Ok(rows.iter().map(|r| r.to_wire(&state.settings.inbound_domain)).collect())
}

/// Creates a channel (`id` = None) or replaces one, then checks its
/// outgoing server so Settings shows real health.
#[server(input = Json)]
pub async fn save_channel(id: Option<ChannelId>, input: ChannelInput) -> Result<Channel, AppError> {
    let (state, who) = crate::users::session::require().await?;
    let row = match id {
        None => crate::channels::server::create(&state.db, &who, &input).await?,
        Some(id) => crate::channels::server::update(&state.db, &who, id, &input).await?,
    };
    check(&state, &who, row.id).await
}

/// Connects to the channel's outgoing server now and records the result.
#[server(input = Json)]
pub async fn check_channel(id: ChannelId) -> Result<Channel, AppError> {
    let (state, who) = crate::users::session::require().await?;
    who.require_admin()?;
    check(&state, &who, id).await
}

#[cfg(feature = "ssr")]
async fn check(
    state: &crate::state::AppState,
    who: &crate::users::server::Principal,
    id: ChannelId,
) -> Result<Channel, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let row = crate::channels::server::get(&mut conn, who.workspace_id, id).await?;
    drop(conn);
    crate::outbound::check_health(state, &row).await?;
    let mut conn = state.db.pool.acquire().await?;
    let row = crate::channels::server::get(&mut conn, who.workspace_id, id).await?;
    Ok(row.to_wire(&state.settings.inbound_domain))
}

/// Saves the signature added to the signed-in agent's email replies.
#[server(input = Json)]
pub async fn save_signature(signature: String) -> Result<(), AppError> {
    let (state, who) = crate::users::session::require().await?;
    if signature.chars().count() > 2000 {
        return Err(AppError::invalid("signature", "must be at most 2000 characters"));
    }
    let patch = crate::users::model::UserPatch { signature: Some(signature), ..Default::default() };
    crate::users::server::patch_user(&state.db, who.workspace_id, who.id, &patch).await?;
    Ok(())
}
