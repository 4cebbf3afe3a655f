//! Inboxes: queues and their policies.

pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
