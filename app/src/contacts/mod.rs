//! Contacts: the people who write in, one person across channels.

pub mod api;
#[cfg(feature = "ssr")]
pub mod merge;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod thread;
#[cfg(feature = "ssr")]
pub mod timeline;
pub mod view;
