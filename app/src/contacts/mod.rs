//! Contacts: the people who write in.

pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
