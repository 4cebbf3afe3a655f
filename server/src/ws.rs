//! `/ws`: one websocket per tab, authenticated by the session cookie. It
//! sends the events after `?after=N` from the events table, then keeps
//! going, only for inboxes the user may see.
//!
//! The hub is only a wake-up: on each wake the socket reads what is new
//! from the events table, in id order. Writers commit one at a time (one
//! writer connection), so the table has no gaps, while publishing happens
//! after commit and two writers' publishes may arrive out of order; reading
//! the table makes the order and completeness the database's, not the hub's.

use std::collections::HashSet;

use app::ids::{EventId, InboxId, UserId};
use app::live::model::LiveEvent;
use app::live::server::events_after;
use app::state::AppState;
use app::users::server::{principal, visible_inbox_ids, Principal};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tower_sessions::Session;

/// Query of `/ws`.
#[derive(Debug, Deserialize)]
pub struct WsQuery {
    /// The last event id the client has applied.
    #[serde(default)]
    pub after: i64,
}

/// How many events one catch-up read sends at most per round.
const CATCH_UP_BATCH: i64 = 500;

/// Upgrades a signed-in user's request to the live stream.
pub async fn handler(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<WsQuery>,
    ws: WebSocketUpgrade,
) -> Response {
    let uid = match session.get::<i64>(app::users::session::USER_KEY).await {
        Ok(Some(id)) => UserId(id),
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "session store failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let who = match principal(&state.db, uid).await {
        Ok(Some(p)) => p,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    ws.max_message_size(64 * 1024).on_upgrade(move |socket| stream(state, who, q.after, socket))
}

struct Sender {
    socket: WebSocket,
    who: Principal,
    visible: HashSet<InboxId>,
    last: i64,
}

impl Sender {
    /// Sends one event if the user may see it and has not had it. `Err` when the socket is gone.
    async fn send(&mut self, ev: &LiveEvent) -> Result<(), ()> {
        if ev.id.0 <= self.last {
            return Ok(());
        }
        self.last = ev.id.0;
        if !self.visible.contains(&ev.inbox_id) {
            return Ok(());
        }
        let text = serde_json::to_string(ev).map_err(|_| ())?;
        self.socket.send(Message::Text(text.into())).await.map_err(|_| ())
    }

    /// Reads the user's role and inboxes again. Done before each live event
    /// and each catch-up batch, not once at connect: an inbox restricted or
    /// a role lowered while the tab is open must stop the events at once, as
    /// a reload would. `Err` (user gone, database failing) closes the
    /// socket; the client reconnects from the last event it applied.
    async fn refresh_access(&mut self, state: &AppState) -> Result<(), ()> {
        self.who = principal(&state.db, self.who.id).await.map_err(|_| ())?.ok_or(())?;
        self.visible = visible_inbox_ids(&state.db, &self.who).await.map_err(|_| ())?.into_iter().collect();
        Ok(())
    }

    async fn catch_up(&mut self, state: &AppState) -> Result<(), ()> {
        loop {
            let batch = events_after(&state.db, self.who.workspace_id, EventId(self.last), CATCH_UP_BATCH)
                .await
                .map_err(|_| ())?;
            self.refresh_access(state).await?;
            let n = batch.len() as i64;
            for ev in &batch {
                self.send(ev).await?;
            }
            if n < CATCH_UP_BATCH {
                return Ok(());
            }
        }
    }
}

async fn stream(state: AppState, who: Principal, after: i64, socket: WebSocket) {
    // Subscribe before reading the table, so nothing falls between the two.
    let mut rx = state.hub.subscribe();
    let mut tx = Sender { socket, who, visible: HashSet::new(), last: after };
    if tx.catch_up(&state).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            ev = rx.recv() => {
                let mut wake = match ev {
                    Ok(p) => p.workspace_id == tx.who.workspace_id && p.event.id.0 > tx.last,
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => return,
                };
                // Coalesce a burst into one read.
                loop {
                    match rx.try_recv() {
                        Ok(p) => wake |= p.workspace_id == tx.who.workspace_id && p.event.id.0 > tx.last,
                        Err(TryRecvError::Lagged(_)) => wake = true,
                        Err(TryRecvError::Empty) => break,
                        Err(TryRecvError::Closed) => return,
                    }
                }
                if wake && tx.catch_up(&state).await.is_err() { return; }
            },
            incoming = tx.socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
