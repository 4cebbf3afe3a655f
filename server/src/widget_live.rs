//! `GET /widget/{token}/events?visitor=…`: the visitor's live stream, as
//! Server-Sent Events. The panel opens it once the visitor has written;
//! each reply (and each message the visitor writes in another tab) arrives
//! as one `data:` line, the JSON of a thread message, the moment it is
//! committed.
//!
//! SSE rather than a websocket: the stream only flows one way (the visitor
//! writes through `POST …/messages`), it passes proxies on a visitor's
//! network as plain HTTP, and the browser's `EventSource` reconnects by
//! itself. After a reconnect, and on `event: resync` (the stream fell
//! behind the hub), the panel reads its thread once, so nothing is missed.

use std::convert::Infallible;
use std::time::Duration;

use app::error::AppError;
use app::ids::ConversationId;
use app::live::server::Published;
use app::state::AppState;
use app::widget::panel::{visitor_conversation, visitor_update};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::widget::{app_error_json, cors, for_visitor, origin, ThreadQuery};

/// A comment line this often keeps idle proxies from closing the stream.
const KEEP_ALIVE: Duration = Duration::from_secs(20);

/// `GET /widget/{token}/events?visitor=…`.
pub async fn events(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<ThreadQuery>,
    headers: HeaderMap,
) -> Response {
    let (channel, visitor) = match for_visitor(&state, &token, &headers, &q).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    // Subscribe before the lookup: a reply committed in between is on the
    // stream rather than lost between the two.
    let rx = state.hub.subscribe();
    let mut res = match visitor_conversation(&state, &channel, visitor).await {
        Ok(Some(conversation)) => {
            Sse::new(stream(rx, conversation)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response()
        }
        Ok(None) => app_error_json(&AppError::not_found("conversation for this visitor")),
        Err(e) => app_error_json(&e),
    };
    cors(&mut res, origin(&headers));
    res
}

/// The hub's events, narrowed to what the visitor may read of their
/// conversation. Ends when the hub does (the server stops).
fn stream(
    rx: broadcast::Receiver<Published>,
    conversation: ConversationId,
) -> impl Stream<Item = Result<Event, Infallible>> {
    futures::stream::unfold(rx, move |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(p) => {
                    if let Some(m) = visitor_update(&p.event, conversation) {
                        let ev = Event::default().json_data(&m).unwrap_or_else(|_| Event::default().event("resync"));
                        return Some((Ok(ev), rx));
                    }
                }
                Err(RecvError::Lagged(_)) => return Some((Ok(Event::default().event("resync").data("")), rx)),
                Err(RecvError::Closed) => return None,
            }
        }
    })
}
