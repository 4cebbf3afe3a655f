//! Reply templates (canned responses): saved text with a shortcut, matched
//! to the reply's channel, filled with merge fields and previewed before an
//! agent inserts it into the composer.

pub mod api;
pub mod merge;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod view;
