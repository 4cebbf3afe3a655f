//! Conversations: the threads a team works on.

pub mod api;
pub mod board;
#[cfg(feature = "ssr")]
pub mod bulk;
#[cfg(feature = "ssr")]
pub mod detail;
pub mod filter;
#[cfg(feature = "ssr")]
pub mod label_count;
#[cfg(feature = "ssr")]
pub mod list;
pub mod model;
#[cfg(feature = "ssr")]
pub mod reach;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod spam;
pub mod view;
