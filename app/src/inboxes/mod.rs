//! Inboxes: queues and their policies.

pub mod assign;
#[cfg(feature = "ssr")]
pub mod assign_server;
#[cfg(feature = "ssr")]
pub mod hours;
#[cfg(feature = "ssr")]
pub mod members;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod view;
