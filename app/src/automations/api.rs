//! Server functions for Settings → Automations (admins).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::automations::model::{Automation, AutomationInput};
use crate::error::AppError;
use crate::ids::AutomationId;

/// Every automation with its last run.
#[server(input = Json)]
pub async fn list_automations() -> Result<Vec<Automation>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::automations::server::list(&state.db, &who).await
}

/// Creates (`id` = None) or replaces an automation.
#[server(input = Json)]
pub async fn save_automation(id: Option<AutomationId>, input: AutomationInput) -> Result<Automation, AppError> {
    let (state, who) = crate::users::session::require().await?;
    match id {
        None => crate::automations::server::create(&state.db, &who, &input).await,
        Some(id) => crate::automations::server::update(&state.db, &who, id, &input).await,
    }
}

/// Removes an automation and its pending timers.
#[server(input = Json)]
pub async fn delete_automation(id: AutomationId) -> Result<(), AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::automations::server::delete(&state.db, &who, id).await
}

/// Adds the rules of a ready-made recipe.
#[server(input = Json)]
pub async fn enable_recipe(key: String) -> Result<Vec<Automation>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::automations::server::enable_recipe(&state.db, &who, &key).await
}
