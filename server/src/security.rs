//! Cross-origin requests are refused before they reach a server function
//! or the websocket: a page elsewhere cannot act with a user's cookie.
//! (REST routes authenticate by API key, which a browser never attaches;
//! hooks are posted by servers and authenticate by their URL token; the
//! widget checks origins against its channel's allowedOrigins.)

use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Rejects state-changing requests and websocket upgrades whose `Origin`
/// is neither this host nor the public URL.
pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let guarded = req.uri().path() == "/ws"
        || (req.method() != Method::GET
            && req.method() != Method::HEAD
            && !req.uri().path().starts_with("/api/v1/")
            && !req.uri().path().starts_with("/hooks/")
            // The widget is posted to from customers' sites and checks
            // their origins against its own allowedOrigins.
            && !req.uri().path().starts_with("/widget/"));
    if guarded {
        if let Some(origin) = req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
            let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
            let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
            let public = state.settings.public_url.trim_end_matches('/');
            if origin_host != host && origin != public {
                return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
            }
        }
    }
    next.run(req).await
}
