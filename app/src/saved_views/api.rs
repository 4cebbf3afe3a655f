//! Server functions for the sidebar's saved views.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::conversations::model::ListFilter;
use crate::error::AppError;
use crate::ids::SavedViewId;
use crate::saved_views::model::SavedView;

/// The signed-in user's views and the team's shared ones.
#[server(input = Json)]
pub async fn list_saved_views() -> Result<Vec<SavedView>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::saved_views::server::list(&state.db, &who).await
}

/// Saves the filter under a name (the same name again replaces it).
#[server(input = Json)]
pub async fn save_view(name: String, filter: ListFilter, shared: bool) -> Result<SavedView, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::saved_views::server::save(&state.db, &who, &name, &filter, shared).await
}

/// Deletes a saved view (its owner, or an admin for a shared one).
#[server(input = Json)]
pub async fn delete_saved_view(id: SavedViewId) -> Result<(), AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::saved_views::server::delete(&state.db, &who, id).await
}
