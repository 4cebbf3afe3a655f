//! The live stream: typed events pushed to browsers over `/ws`.

#[cfg(feature = "hydrate")]
mod client;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::RwSignal;

/// Opens the live stream from event id `after` and keeps it open: on a
/// drop it reconnects and catches up from the last event seen. `status`
/// shows `live`, `connecting` or `offline`. Does nothing on the server.
pub fn connect(after: i64, status: RwSignal<&'static str>, on_event: impl Fn(model::LiveEvent) + 'static) {
    #[cfg(feature = "hydrate")]
    client::connect(after, status, on_event);
    #[cfg(not(feature = "hydrate"))]
    let _ = (after, status, on_event);
}
