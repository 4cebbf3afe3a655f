//! Server functions for reply templates: Settings → Templates (admins
//! write) and the composer's picker (everyone reads and renders).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::ids::{ConversationId, TemplateId};
use crate::templates::model::{RenderedTemplate, Template, TemplateInput};

/// Every template, by shortcut.
#[server(input = Json)]
pub async fn list_templates() -> Result<Vec<Template>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::templates::server::list(&state.db, &who).await
}

/// Creates (`id` = None) or replaces a template (admins).
#[server(input = Json)]
pub async fn save_template(id: Option<TemplateId>, input: TemplateInput) -> Result<Template, AppError> {
    let (state, who) = crate::users::session::require().await?;
    match id {
        None => crate::templates::server::create(&state.db, &who, &input).await,
        Some(id) => crate::templates::server::update(&state.db, &who, id, &input).await,
    }
}

/// Removes a template (admins).
#[server(input = Json)]
pub async fn delete_template(id: TemplateId) -> Result<(), AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::templates::server::delete(&state.db, &who, id).await
}

/// The composer's preview: the template filled for this conversation as
/// the signed-in agent writes it.
#[server(input = Json)]
pub async fn render_template(id: TemplateId, conversation_id: ConversationId) -> Result<RenderedTemplate, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::templates::server::render(&state.db, &who, id, conversation_id).await
}
