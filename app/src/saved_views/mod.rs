//! Saved views: a list filter under a name in the sidebar, private to its
//! owner or shared with the team.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
