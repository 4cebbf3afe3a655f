//! The transports and wiring of Parley: HTTP router, REST API, websocket,
//! background jobs. Business rules live in the `app` crate.
#![recursion_limit = "512"]

pub mod bench;
pub mod config;
pub mod jobs;
pub mod mail;
pub mod render;
pub mod rest;
pub mod security;
pub mod sms;
pub mod smtp;
pub mod whatsapp;
pub mod widget;
pub mod widget_live;
pub mod widget_pages;
pub mod ws;

use std::sync::Arc;

use anyhow::Context;
use app::db::Db;
use app::live::server::Hub;
use app::state::{AppState, Settings};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

/// What building the app needs.
#[derive(Debug, Clone)]
pub struct Options {
    pub database_url: String,
    pub public_url: String,
    pub site_addr: std::net::SocketAddr,
    /// The domain of forwarding and reply addresses.
    pub inbound_domain: String,
    /// Where attachments are stored.
    pub data_dir: std::path::PathBuf,
}

/// Leptos' settings: where the compiled site is (`LEPTOS_SITE_ROOT`,
/// default `target/site`) and what the bundle is called.
pub fn leptos_options(addr: std::net::SocketAddr) -> LeptosOptions {
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    LeptosOptions::builder().output_name("parley").site_root(site_root).site_pkg_dir("pkg").site_addr(addr).build()
}

/// A boxed future: the async work is compiled here, once, instead of in
/// every crate that awaits it (the binary and each test), which in release
/// builds otherwise re-instantiates the whole router per crate.
pub type BoxFut<T> = std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<T>> + Send>>;

/// Opens the database and builds the state.
pub fn state(opts: &Options) -> BoxFut<AppState> {
    let opts = opts.clone();
    Box::pin(async move { state_inner(&opts).await })
}

async fn state_inner(opts: &Options) -> anyhow::Result<AppState> {
    let db = Db::connect(&opts.database_url).await?;
    app::workspace::ensure(&db).await.map_err(|e| anyhow::anyhow!("creating the workspace: {e}"))?;
    Ok(AppState {
        db,
        hub: Hub::new(),
        leptos: leptos_options(opts.site_addr),
        settings: Arc::new(Settings {
            public_url: opts.public_url.clone(),
            inbound_domain: opts.inbound_domain.to_ascii_lowercase(),
            data_dir: opts.data_dir.clone(),
        }),
        widget_limits: Default::default(),
    })
}

/// The whole HTTP app: pages, server functions, REST, websocket, static files.
pub fn router(state: AppState) -> BoxFut<Router> {
    Box::pin(router_inner(state))
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
) -> BoxFut<()> {
    Box::pin(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving")
    })
}

/// Room for one file plus slack, so an oversized file gets a clear 413
/// from `app::attachments` rather than a cut connection.
pub fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(app::attachments::MAX_UPLOAD_BYTES + 1024)
}

async fn router_inner(state: AppState) -> anyhow::Result<Router> {
    let store = SqliteStore::new(state.db.pool.clone()).with_table_name("sessions").map_err(|e| anyhow::anyhow!(e))?;
    store.migrate().await.context("creating the sessions table")?;
    let secure = state.settings.public_url.starts_with("https://");
    let sessions = SessionManagerLayer::new(store)
        .with_name("parley_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::days(14)));

    let routes = generate_route_list(app::shell::App);
    let ctx_state = state.clone();
    // Pages (and the not-found page) render on a render thread; see `render`.
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, move || leptos::prelude::provide_context(ctx_state.clone()), {
            let opts = state.leptos.clone();
            move || app::shell::shell(opts.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell::shell))
        .layer(axum::middleware::from_fn(render::on_render_thread));
    let app = Router::new()
        .merge(pages)
        .nest("/api/v1", rest::router())
        .route("/ws", axum::routing::get(ws::handler))
        .route(
            "/hooks/email/{token}",
            axum::routing::post(mail::hook).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/hooks/sms/{token}",
            axum::routing::post(sms::hook).layer(axum::extract::DefaultBodyLimit::max(sms::MAX_HOOK_BYTES)),
        )
        .route(
            "/hooks/sms/{token}/status/{message_id}",
            axum::routing::post(sms::status).layer(axum::extract::DefaultBodyLimit::max(sms::MAX_HOOK_BYTES)),
        )
        .route(
            "/hooks/whatsapp/{token}",
            axum::routing::get(whatsapp::verify)
                .post(whatsapp::hook)
                .layer(axum::extract::DefaultBodyLimit::max(whatsapp::MAX_HOOK_BYTES)),
        )
        .route(
            "/widget/{token}/messages",
            axum::routing::post(widget::messages)
                .options(widget::preflight)
                .layer(axum::extract::DefaultBodyLimit::max(widget::MAX_BODY_BYTES)),
        )
        .route("/widget/{token}/config", axum::routing::get(widget::config).options(widget::preflight))
        .route("/widget/{token}/conversation", axum::routing::get(widget::conversation).options(widget::preflight))
        .route("/widget/{token}/events", axum::routing::get(widget_live::events).options(widget::preflight))
        .route("/widget/{token}/thanks", axum::routing::get(widget::thanks))
        .route("/widget/{token}/panel", axum::routing::get(widget::panel))
        .route("/attachments/{id}/{name}", axum::routing::get(mail::attachment))
        .route("/uploads", axum::routing::post(mail::upload).layer(upload_limit()))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::same_origin))
        .layer(sessions)
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state);
    Ok(app)
}
