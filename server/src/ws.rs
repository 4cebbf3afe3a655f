//! `/ws`: one websocket per tab, authenticated by the session cookie. It
//! sends the events after `?after=N` from the events table, then live ones
//! from the hub, only for inboxes the user may see. A socket that falls
//! behind the hub's small buffer catches up from the table again.

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
use tokio::sync::broadcast::error::RecvError;
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
pub async fn handler(State(state): State<AppState>, session: Session, Query(q): Query<WsQuery>, ws: WebSocketUpgrade) -> Response {
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
    async fn send(&mut self, state: &AppState, ev: &LiveEvent) -> Result<(), ()> {
        if ev.id.0 <= self.last {
            return Ok(());
        }
        self.last = ev.id.0;
        if !self.visible.contains(&ev.inbox_id) {
            // A new inbox or changed access: look again before deciding.
            if let Ok(ids) = visible_inbox_ids(&state.db, &self.who).await {
                self.visible = ids.into_iter().collect();
            }
            if !self.visible.contains(&ev.inbox_id) {
                return Ok(());
            }
        }
        let text = serde_json::to_string(ev).map_err(|_| ())?;
        self.socket.send(Message::Text(text.into())).await.map_err(|_| ())
    }

    async fn catch_up(&mut self, state: &AppState) -> Result<(), ()> {
        loop {
            let batch = events_after(&state.db, self.who.workspace_id, EventId(self.last), CATCH_UP_BATCH).await.map_err(|_| ())?;
            let n = batch.len() as i64;
            for ev in &batch {
                self.send(state, ev).await?;
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
    let visible = visible_inbox_ids(&state.db, &who).await.unwrap_or_default().into_iter().collect();
    let mut tx = Sender { socket, who, visible, last: after };
    if tx.catch_up(&state).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Ok(p) if p.workspace_id == tx.who.workspace_id => {
                    if tx.send(&state, &p.event).await.is_err() { return; }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => {
                    if tx.catch_up(&state).await.is_err() { return; }
                }
                Err(RecvError::Closed) => return,
            },
            incoming = tx.socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
