//! Inboxes: queues and their policies.

pub mod assign;
#[cfg(feature = "ssr")]
pub mod assign_server;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod view;
