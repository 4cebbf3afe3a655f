//! The email channel: addresses and threading ids, the pure decisions about
//! a received mail, parsing, receiving into the ingest pipeline, and
//! sending replies over SMTP.

pub mod address;
#[cfg(feature = "ssr")]
pub mod parse;
#[cfg(feature = "ssr")]
pub mod receive;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod send;
