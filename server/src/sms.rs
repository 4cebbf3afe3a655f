//! Twilio's webhooks: `POST /hooks/sms/{channelToken}` (a text comes in)
//! and `POST /hooks/sms/{channelToken}/status/{messageId}` (a reply's
//! delivery status). The rules live in `app::sms::receive`; this maps its
//! outcomes to what Twilio expects. Both answer only after the commit.

use app::ids::MessageId;
use app::sms::receive::{receive, status as take_status, Received, Refused};
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// Twilio's webhook forms are small; a body over this is not Twilio's.
pub const MAX_HOOK_BYTES: usize = 64 * 1024;

/// An empty TwiML answer: stored, and nothing to text back automatically.
const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

fn signature(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-twilio-signature").and_then(|v| v.to_str().ok())
}

fn path_and_query(uri: &OriginalUri) -> String {
    uri.0.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| uri.0.path().to_string())
}

fn refused(r: Refused) -> Response {
    let (status, code, message) = match r {
        Refused::UnknownChannel => (StatusCode::NOT_FOUND, "not_found", "no SMS channel has this token".to_string()),
        Refused::UnknownMessage => {
            (StatusCode::NOT_FOUND, "not_found", "no reply of this channel has this id".to_string())
        }
        Refused::BadSignature(why) => (StatusCode::FORBIDDEN, "forbidden", why),
        Refused::Malformed(bad) => (StatusCode::BAD_REQUEST, "bad_request", format!("{}: {}", bad.field, bad.message)),
        Refused::Temporary => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "try again later".to_string()),
    };
    (status, axum::Json(serde_json::json!({"error": {"code": code, "message": message}}))).into_response()
}

/// `POST /hooks/sms/{channelToken}`: 200 with empty TwiML once stored (a
/// redelivery too); 403 for a bad signature, 400 for a signed form that is
/// not a text, 404 for an unknown token.
pub async fn hook(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match receive(&state, &token, &path_and_query(&uri), signature(&headers), &body).await {
        Ok(Received::Stored { .. } | Received::Held) => {
            ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], EMPTY_TWIML).into_response()
        }
        Err(r) => refused(r),
    }
}

/// `POST /hooks/sms/{channelToken}/status/{messageId}`: 204 once recorded.
pub async fn status(
    State(state): State<AppState>,
    Path((token, mid)): Path<(String, i64)>,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match take_status(&state, &token, MessageId(mid), &path_and_query(&uri), signature(&headers), &body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => refused(r),
    }
}
