//! The website widget channel: a launcher and panel on any site (the
//! script, loaded by a one-line snippet) or a plain HTML contact form,
//! both posting to `/widget/{channelToken}/messages` and both going
//! through the one ingest pipeline. `model` is pure and shared; the server
//! side checks identities (`identity`), limits posts per address
//! (`limit`), stores posts (`server`) and answers the panel (`panel`).

#[cfg(feature = "ssr")]
pub mod identity;
#[cfg(feature = "ssr")]
pub mod limit;
pub mod model;
#[cfg(feature = "ssr")]
pub mod panel;
#[cfg(feature = "ssr")]
pub mod server;
