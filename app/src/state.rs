//! The one application state, built in server/src/main.rs and handed to
//! server functions (Leptos context) and to axum handlers (`State`).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::db::Db;
use crate::live::server::Hub;

/// Settings the app itself needs (the server's CLI holds the rest).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where Parley is reached, e.g. `http://localhost:3000`.
    pub public_url: String,
    /// The domain of forwarding and reply addresses (`--inbound-domain`).
    pub inbound_domain: String,
    /// Where attachments are kept (`--data-dir`).
    pub data_dir: std::path::PathBuf,
}

/// Everything a request handler may need.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub hub: Hub,
    pub leptos: LeptosOptions,
    pub settings: Arc<Settings>,
    /// Posts per channel and address on the widget (spam bots).
    pub widget_limits: Arc<crate::widget::limit::RateLimiter>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos.clone()
    }
}

/// The state inside a server function.
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        crate::error::AppError::Internal
    })
}
