//! Channels: the connected endpoints (email address, number, widget, API)
//! and the inbox each routes new conversations to.

pub mod api;
pub mod fields;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod view;
