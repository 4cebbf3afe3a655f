//! Meta's WhatsApp webhooks: `GET /hooks/whatsapp/{channelToken}` (the
//! subscription handshake) and `POST /hooks/whatsapp/{channelToken}`
//! (messages and statuses). The rules live in `app::whatsapp::receive`;
//! this maps its outcomes to what Meta expects. A POST is answered only
//! after the commit.

use std::collections::HashMap;

use app::state::AppState;
use app::whatsapp::receive::{handshake, receive, Refused};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// Meta documents webhook payloads of up to 3 MB; a body over this is not Meta's.
pub const MAX_HOOK_BYTES: usize = 3 * 1024 * 1024;

fn refused(r: Refused) -> Response {
    let (status, code, message) = match r {
        Refused::UnknownChannel => {
            (StatusCode::NOT_FOUND, "not_found", "no WhatsApp channel has this token".to_string())
        }
        Refused::WrongVerifyToken(why) | Refused::BadSignature(why) => (StatusCode::FORBIDDEN, "forbidden", why),
        Refused::Malformed(why) => (StatusCode::BAD_REQUEST, "bad_request", why),
        Refused::Temporary => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "try again later".to_string()),
    };
    (status, axum::Json(serde_json::json!({"error": {"code": code, "message": message}}))).into_response()
}

/// `GET /hooks/whatsapp/{channelToken}?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`:
/// 200 with the challenge as plain text when the verify token is the
/// channel's; 403 otherwise; 404 for an unknown token.
pub async fn verify(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str);
    match handshake(&state, &token, get("hub.mode"), get("hub.verify_token"), get("hub.challenge")).await {
        Ok(challenge) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], challenge).into_response(),
        Err(r) => refused(r),
    }
}

/// `POST /hooks/whatsapp/{channelToken}`: 200 once stored (a redelivery
/// too); 403 for a bad signature and 400 for a signed body that is not a
/// Cloud API webhook (both kept raw); 404 for an unknown token.
pub async fn hook(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
    match receive(&state, &token, signature, &body).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(r) => refused(r),
    }
}
