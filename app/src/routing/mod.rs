//! Routing rules: which inbox a new conversation lands in.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod view;
