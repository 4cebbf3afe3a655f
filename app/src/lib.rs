//! Parley's app crate: the shared types, the UI, the server functions and
//! the business rules every transport (UI, REST, websocket) shares.
#![recursion_limit = "512"]

pub mod attachments;
pub mod automations;
pub mod channels;
pub mod contacts;
pub mod conversations;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod demo;
pub mod email;
pub mod enums;
pub mod error;
#[cfg(feature = "ssr")]
pub mod http_out;
pub mod ids;
pub mod inboxes;
pub mod ingest;
pub mod live;
pub mod messages;
#[cfg(feature = "ssr")]
pub mod outbound;
pub mod routing;
pub mod saved_views;
pub mod search;
pub mod settings;
pub mod shell;
pub mod sms;
#[cfg(feature = "ssr")]
pub mod state;
pub mod templates;
#[cfg(feature = "ssr")]
pub mod text_reply;
pub mod time;
pub mod users;
pub mod whatsapp;
pub mod widget;
#[cfg(feature = "ssr")]
pub mod workspace;

/// Called by the WASM entry point: attaches the UI to the server's HTML.
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    leptos::mount::hydrate_body(shell::App);
}
