//! Background jobs: the snooze waker.

use std::time::Duration;

use app::state::AppState;
use app::time::Timestamp;

/// Every second, wakes the snoozed conversations whose time has come (one
/// indexed query when nothing is due).
pub fn spawn_snooze_waker(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(e) = app::conversations::server::wake_due(&state.db, &state.hub, Timestamp::now()).await {
                tracing::warn!(error = %e, "snooze waker failed; retrying");
            }
        }
    });
}
