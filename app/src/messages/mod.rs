//! Messages: inbound, replies and internal notes.

pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
