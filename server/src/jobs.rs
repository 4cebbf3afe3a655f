//! Background loops: the snooze waker and the automation engine.

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

/// The automation engine: after every published event (at once) and every
/// second (for timers), plans new events into jobs and runs what is due.
/// The jobs live in the database, so a restart loses nothing.
pub fn spawn_engine(state: AppState) {
    tokio::spawn(async move {
        let mut events = state.hub.subscribe();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                got = events.recv() => {
                    // A lagged receiver just means "look at the log": it is the source of truth.
                    if let Err(tokio::sync::broadcast::error::RecvError::Closed) = got {
                        return;
                    }
                }
            }
            if let Err(e) = app::automations::engine::tick(&state, Timestamp::now()).await {
                tracing::warn!(error = ?e, "automation engine pass failed; retrying");
            }
        }
    });
}
