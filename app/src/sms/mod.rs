//! The SMS channel, through Twilio's wire format: one small adapter behind
//! the one ingest pipeline and the one send pipeline. `model` (settings,
//! E.164) and `twilio` (Twilio's forms, statuses and errors) are pure; the
//! server side verifies signatures, receives webhooks and sends replies.

pub mod model;
#[cfg(feature = "ssr")]
pub mod receive;
#[cfg(feature = "ssr")]
pub mod send;
#[cfg(feature = "ssr")]
pub mod signature;
pub mod twilio;

use crate::ids::MessageId;

/// Why an SMS channel without complete settings cannot send or receive.
pub const NOT_CONNECTED: &str =
    "The SMS channel is not connected: add the Twilio Account SID, Auth Token and number in Settings \u{2192} Channels.";

/// The webhook URL to paste into the Twilio number's "A message comes in".
pub fn inbound_url(public_url: &str, token: &str) -> String {
    format!("{}/hooks/sms/{token}", public_url.trim_end_matches('/'))
}

/// The status callback Parley passes with each text it sends. The reply's
/// own id is in the path, so a report that beats the API's answer (and
/// so the stored sid) still finds its message.
pub fn status_callback_url(public_url: &str, token: &str, message: MessageId) -> String {
    format!("{}/status/{message}", inbound_url(public_url, token))
}
