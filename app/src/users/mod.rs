//! Users, sign-in and access.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod session;
pub mod view;
