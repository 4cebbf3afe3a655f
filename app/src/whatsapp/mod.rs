//! The WhatsApp channel, through Meta's WhatsApp Cloud API wire format: one
//! small adapter behind the one ingest pipeline and the one send pipeline.
//! `model` (settings), `meta` (the webhook's JSON) and `graph` (the Graph
//! API's requests, answers and errors) are pure; the server side verifies
//! signatures, answers the verify-token handshake, receives webhooks (and
//! fetches the files they announce) and sends replies.

pub mod graph;
#[cfg(feature = "ssr")]
pub mod media;
pub mod meta;
pub mod model;
#[cfg(feature = "ssr")]
pub mod receive;
#[cfg(feature = "ssr")]
pub mod send;
#[cfg(feature = "ssr")]
pub mod signature;

/// Why a WhatsApp channel without complete settings cannot send or receive.
pub const NOT_CONNECTED: &str = "The WhatsApp channel is not connected: add the phone number ID, access token, \
     app secret and verify token in Settings \u{2192} Channels.";
