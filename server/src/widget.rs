//! The website widget's endpoints, for the widget script and for plain
//! HTML forms (shared/API.md: `POST /widget/{channelToken}/messages`):
//!
//! - `POST /widget/{token}/messages`: JSON from the script (answers JSON
//!   with the conversation and the visitor token), or a form post (answers
//!   `303` to the thank-you page, or a page naming the field to fix).
//! - `GET /widget/{token}/config`: the panel's greeting, pre-chat fields
//!   and whether the team is in.
//! - `GET /widget/{token}/conversation?visitor=…&before=…`: the visitor's
//!   thread, customer-facing messages only.
//! - `GET /widget/{token}/events?visitor=…`: the thread's live stream
//!   (`widget_live`).
//! - `GET /widget/{token}/thanks`: the form's thank-you page.
//! - `GET /widget/{token}/panel`: the chat panel the loader (`/widget.js`)
//!   opens in an iframe; only the allowed origins may frame it.
//! - `OPTIONS` on the first three: CORS preflight, allowed origins only.
//!
//! The rules live in `app::widget::server`; this maps them to HTTP.

use std::net::{IpAddr, SocketAddr};

use app::error::AppError;
use app::ids::MessageId;
use app::state::AppState;
use app::widget::model::WidgetSettings;
use app::widget::server::{self as widget, Accepted, Post, Refused, Transport};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::widget_pages;

/// A message is at most 64 KiB; this leaves room for the other fields.
pub const MAX_BODY_BYTES: usize = 96 * 1024;

pub(crate) fn origin(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
}

/// The address a post counts against: the peer, or, when the peer is this
/// machine (a reverse proxy on it) or unknown (an in-process call), the
/// last address in `X-Forwarded-For`, which that proxy appended.
fn client_ip(headers: &HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
    let peer_ip = peer.map(|p| p.ip());
    if peer_ip.is_none_or(|ip| ip.is_loopback()) {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    peer_ip.unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// CORS answer headers for an allowed browser origin. No credentials: the
/// visitor token travels in the body or query, never in a cookie.
pub(crate) fn cors(res: &mut Response, origin: Option<&str>) {
    let h = res.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(v) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
}

fn error_json(status: StatusCode, code: &str, message: &str, field: Option<&str>) -> Response {
    let mut err = json!({"code": code, "message": message});
    if let Some(f) = field {
        err["field"] = json!(f);
    }
    (status, axum::Json(json!({"error": err}))).into_response()
}

pub(crate) fn app_error_json(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    error_json(status, e.code(), &e.to_string(), e.field())
}

fn refused_json(r: &Refused) -> Response {
    match r {
        Refused::UnknownChannel => error_json(StatusCode::NOT_FOUND, "not_found", "no widget has this token", None),
        Refused::Origin(o) => error_json(
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("the origin {o} is not in this widget's allowedOrigins"),
            None,
        ),
        Refused::RateLimited(secs) => {
            let mut res = error_json(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                &format!("too many messages from this address; try again in {secs} s"),
                None,
            );
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*secs));
            res
        }
        Refused::Invalid(e) => app_error_json(e),
        Refused::BadIdentity => error_json(
            StatusCode::FORBIDDEN,
            "forbidden",
            "identifierHash is not the HMAC-SHA256 of identifier with this widget's secret",
            Some("identifierHash"),
        ),
        Refused::Temporary => app_error_json(&AppError::Internal),
    }
}

/// `POST /widget/{token}/messages`, JSON or form.
pub async fn messages(State(state): State<AppState>, Path(token): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let headers = parts.headers;
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let transport = if ctype.starts_with("application/json") {
        Transport::Script
    } else if ctype.starts_with("application/x-www-form-urlencoded") {
        Transport::Form
    } else {
        return error_json(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "bad_request",
            "Content-Type must be application/json or application/x-www-form-urlencoded",
            None,
        );
    };
    let raw = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            let e = AppError::TooLarge { message: format!("the post must be at most {} KiB", MAX_BODY_BYTES / 1024) };
            return match transport {
                Transport::Script => app_error_json(&e),
                Transport::Form => widget_pages::problem(StatusCode::PAYLOAD_TOO_LARGE, &e.to_string()),
            };
        }
    };
    let body: Value = match transport {
        Transport::Form => widget::form_body(&raw),
        Transport::Script => match serde_json::from_slice(&raw) {
            Ok(v) => v,
            Err(e) => return error_json(StatusCode::BAD_REQUEST, "bad_request", &format!("not JSON: {e}"), None),
        },
    };
    let origin = origin(&headers);
    let post = Post { token: &token, body: &body, raw: &raw, origin, ip: client_ip(&headers, peer), transport };
    let outcome = widget::submit(&state, &post).await;
    match transport {
        Transport::Script => {
            // A refused origin gets no CORS header: that page's script cannot read the answer.
            let readable = !matches!(outcome, Err(Refused::Origin(_)));
            let mut res = match outcome {
                Ok(Accepted::Stored { conversation, status, message, visitor_token, .. }) => (
                    StatusCode::CREATED,
                    axum::Json(json!({"data": {
                        "visitorToken": visitor_token,
                        "conversation": {"id": conversation, "status": status},
                        "message": message,
                    }})),
                )
                    .into_response(),
                Ok(Accepted::Held) => (
                    StatusCode::ACCEPTED,
                    axum::Json(json!({"data": {"visitorToken": null, "conversation": null, "message": null}})),
                )
                    .into_response(),
                Err(r) => refused_json(&r),
            };
            if readable {
                cors(&mut res, origin);
            }
            res
        }
        Transport::Form => match outcome {
            Ok(_) => (StatusCode::SEE_OTHER, [(header::LOCATION, format!("/widget/{token}/thanks"))]).into_response(),
            Err(Refused::Invalid(e)) => widget_pages::form_error(&token, &body, &e),
            Err(r) => {
                let status = refused_json(&r).status();
                let mut res = widget_pages::problem(status, &refused_text(&r));
                if let Refused::RateLimited(secs) = r {
                    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
                }
                res
            }
        },
    }
}

fn refused_text(r: &Refused) -> String {
    match r {
        Refused::UnknownChannel => "This contact form is not connected to Parley.".into(),
        Refused::Origin(_) => "This site may not post to this contact form.".into(),
        Refused::RateLimited(secs) => format!("Too many messages from your address. Try again in {secs} seconds."),
        Refused::Invalid(e) => e.to_string(),
        Refused::BadIdentity => "Your sign-in could not be verified.".into(),
        Refused::Temporary => "Something went wrong on our side. Please try again.".into(),
    }
}

/// Looks up the channel and checks a script's origin for the GET endpoints.
async fn for_script(
    state: &AppState,
    token: &str,
    headers: &HeaderMap,
) -> Result<(app::channels::server::ChannelRow, WidgetSettings), Response> {
    let (channel, settings) = match widget::widget_channel(state, token).await {
        Ok(Some(found)) => found,
        Ok(None) => return Err(refused_json(&Refused::UnknownChannel)),
        Err(e) => return Err(app_error_json(&e)),
    };
    let o = origin(headers);
    if !widget::origin_ok(state, &settings, o, Transport::Script) {
        return Err(refused_json(&Refused::Origin(o.unwrap_or_default().to_string())));
    }
    Ok((channel, settings))
}

/// `OPTIONS` on the widget's endpoints: `204` with CORS headers for an
/// allowed origin, `403` otherwise.
pub async fn preflight(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    if let Err(res) = for_script(&state, &token, &headers).await {
        return res;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    cors(&mut res, origin(&headers));
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Content-Type"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    res
}

/// `GET /widget/{token}/config`.
pub async fn config(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let (channel, settings) = match for_script(&state, &token, &headers).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let mut res = match app::widget::panel::config(&state, &channel, &settings).await {
        Ok(c) => axum::Json(json!({"data": c})).into_response(),
        Err(e) => app_error_json(&e),
    };
    cors(&mut res, origin(&headers));
    res
}

/// The query of `GET /widget/{token}/conversation`.
#[derive(Debug, Deserialize)]
pub struct ThreadQuery {
    pub visitor: Option<String>,
    pub before: Option<i64>,
}

/// The widget channel and visitor token of a visitor's read (the thread or
/// its live stream): the script's origin checked, `visitor` required. An
/// `Err` is the answer to send as it is.
pub(crate) async fn for_visitor<'q>(
    state: &AppState,
    token: &str,
    headers: &HeaderMap,
    q: &'q ThreadQuery,
) -> Result<(app::channels::server::ChannelRow, &'q str), Response> {
    let (channel, _) = for_script(state, token, headers).await?;
    match q.visitor.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Ok((channel, v)),
        None => {
            let mut res = app_error_json(&AppError::invalid("visitor", "is required"));
            cors(&mut res, origin(headers));
            Err(res)
        }
    }
}

/// `GET /widget/{token}/conversation?visitor=…&before=…`.
pub async fn conversation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<ThreadQuery>,
    headers: HeaderMap,
) -> Response {
    let (channel, visitor) = match for_visitor(&state, &token, &headers, &q).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let mut res = match app::widget::panel::conversation(&state, &channel, visitor, q.before.map(MessageId)).await {
        Ok(Some(c)) => axum::Json(json!({"data": c})).into_response(),
        Ok(None) => app_error_json(&AppError::not_found("conversation for this visitor")),
        Err(e) => app_error_json(&e),
    };
    cors(&mut res, origin(&headers));
    res
}

/// `GET /widget/{token}/thanks`: the plain form's landing page.
pub async fn thanks(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match widget::widget_channel(&state, &token).await {
        Ok(Some((channel, _))) => widget_pages::thanks(&channel.name),
        Ok(None) => widget_pages::problem(StatusCode::NOT_FOUND, "This contact form is not connected to Parley."),
        Err(_) => widget_pages::problem(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side."),
    }
}

/// `GET /widget/{token}/panel`: the chat panel page. It runs on Parley's own
/// origin inside the loader's iframe, so its calls pass the origin check as
/// Parley's; which sites may show it is enforced here instead, by the
/// browser, through `frame-ancestors` (the allowed origins only).
pub async fn panel(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match widget::widget_channel(&state, &token).await {
        Ok(Some((channel, settings))) => widget_pages::panel(&token, &channel.name, &settings.allowed_origins),
        Ok(None) => widget_pages::problem(StatusCode::NOT_FOUND, "This chat is not connected to Parley."),
        Err(_) => widget_pages::problem(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side."),
    }
}
