//! Messages: inbound, replies and internal notes.

#[cfg(feature = "ssr")]
pub mod delivery;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
