//! The REST API under `/api/v1` (shared/API.md). Handlers are thin: key ->
//! principal -> `app` function -> `{"data": …}`.

mod auth;
mod automations;
mod channels;
mod contacts;
mod conversations;
mod error;
mod inboxes;
mod templates;
mod users;

use app::state::AppState;
use axum::routing::get;
use axum::Router;

pub use auth::ApiUser;
pub use error::{ApiError, Json};

/// Largest JSON body the API accepts (bigger gets 413).
pub const MAX_JSON_BYTES: usize = 256 * 1024;

/// The `/api/v1` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/me", get(users::me))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", axum::routing::patch(users::patch))
        .route("/inboxes", get(inboxes::list).post(inboxes::create))
        .route("/inboxes/{id}", get(inboxes::get).put(inboxes::update).delete(inboxes::delete))
        .route("/inboxes/{id}/members", get(inboxes::members).post(inboxes::add_member))
        .route("/inboxes/{id}/members/{user_id}", axum::routing::delete(inboxes::remove_member))
        .route("/inboxes/{id}/members/{user_id}/availability", axum::routing::put(inboxes::availability))
        .route("/automations", get(automations::list).post(automations::create))
        .route("/automations/recipes", axum::routing::post(automations::recipe))
        .route("/automations/{id}", get(automations::get).put(automations::update).delete(automations::delete))
        .route("/routing-rules", get(automations::rules).post(automations::create_rule))
        .route("/routing-rules/test", axum::routing::post(automations::test_rules))
        .route("/routing-rules/{id}", axum::routing::put(automations::update_rule).delete(automations::delete_rule))
        .route("/conversations", get(conversations::list).post(conversations::create))
        .route("/conversations/{id}", get(conversations::get).patch(conversations::patch))
        .route("/conversations/{id}/messages", get(conversations::messages).post(conversations::post_message))
        .route("/conversations/{id}/messages/{message_id}/retry", axum::routing::post(conversations::retry))
        .route("/uploads", axum::routing::post(crate::mail::upload).layer(crate::upload_limit()))
        .route("/channels", get(channels::list).post(channels::create))
        .route("/channels/{id}", get(channels::get).put(channels::update).delete(channels::delete))
        .route("/channels/{id}/check", axum::routing::post(channels::check))
        .route("/contacts", get(contacts::list).post(contacts::create))
        .route("/contacts/{id}", get(contacts::get).patch(contacts::patch))
        .route("/templates", get(templates::list).post(templates::create))
        .route("/templates/{id}", get(templates::get).put(templates::update).delete(templates::delete))
        .route("/templates/{id}/render", get(templates::render))
        .route("/contacts/{id}/merge", axum::routing::post(contacts::merge))
        .route("/contacts/{id}/timeline", get(contacts::timeline))
        .fallback(error::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_JSON_BYTES))
}

/// The OpenAPI description of this API (kept beside the handlers; a test
/// checks every route here is described there).
pub const OPENAPI: &str = include_str!("openapi.json");

async fn openapi() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI)
}
