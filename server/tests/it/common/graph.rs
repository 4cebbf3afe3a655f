//! A fake Meta Graph API for tests: the phone number node and its messages
//! edge, and received files' media nodes and download URLs, on a real
//! socket on 127.0.0.1:0, speaking the Cloud API's documented request,
//! answer and error formats; plus webhooks built and signed the way Meta
//! sends them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

use super::{Resp, TestApp};

pub const PHONE_NUMBER_ID: &str = "106540352242922";
pub const ACCESS_TOKEN: &str = "EAAJB1234permanentSystemUserToken";
pub const APP_SECRET: &str = "6b0e4e8a0c3f2d1b9a8e7f6d5c4b3a29";
pub const VERIFY_TOKEN: &str = "parley-verify-8d2f";

/// How the fake answers the next sends.
#[derive(Debug, Clone)]
pub enum Mode {
    /// 200 with a new `wamid.…`.
    Accept,
    /// This status and Graph error body.
    Refuse(u16, Value),
    /// Never answers (the client must time out).
    Hang,
}

/// One send the fake received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub json: Value,
}

/// A file a customer sent: its type and bytes, by media id.
#[derive(Debug, Clone)]
pub struct MediaFile {
    pub mime_type: String,
    pub bytes: Vec<u8>,
    /// The size the media node announces (the real size unless set).
    pub announced_size: Option<u64>,
}

#[derive(Default)]
struct Inner {
    mode: Option<Mode>,
    received: Vec<Received>,
    sent: u32,
    addr: Option<SocketAddr>,
    media: HashMap<String, MediaFile>,
    /// How the media node answers (accepting when unset).
    media_mode: Option<Mode>,
    /// `(path, Authorization)` of every media node read and download.
    media_requests: Vec<(String, Option<String>)>,
}

/// The fake's handle: its base URL and what it received.
#[derive(Clone)]
pub struct FakeGraph {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

impl FakeGraph {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner { mode: Some(Mode::Accept), ..Default::default() }));
        let router = Router::new()
            .route("/v21.0/{id}/messages", axum::routing::post(send_message))
            .route("/v21.0/{id}", axum::routing::get(node))
            .route("/whatsapp_business/attachments/", axum::routing::get(download))
            .with_state(inner.clone());
        let addr = super::serve_router(router).await;
        inner.lock().unwrap().addr = Some(addr);
        Self { addr, inner }
    }

    /// Makes `media_id` a file the customer sent.
    pub fn add_media(&self, media_id: &str, file: MediaFile) {
        self.inner.lock().unwrap().media.insert(media_id.to_string(), file);
    }

    /// How the media node answers from now on.
    pub fn set_media_mode(&self, mode: Mode) {
        self.inner.lock().unwrap().media_mode = Some(mode);
    }

    /// Every media node read and file download, in order.
    pub fn media_requests(&self) -> Vec<(String, Option<String>)> {
        self.inner.lock().unwrap().media_requests.clone()
    }

    /// How many files were downloaded.
    pub fn downloads(&self) -> usize {
        self.media_requests().iter().filter(|(p, _)| p.starts_with("/whatsapp_business/")).count()
    }

    /// What goes in the channel's `apiBaseUrl` (the version included, as
    /// in `https://graph.facebook.com/v21.0`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v21.0", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.inner.lock().unwrap().mode = Some(mode);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string)
}

fn token_error() -> Response {
    let body = json!({"error": {"message": "Invalid OAuth access token - Cannot parse access token",
                                "type": "OAuthException", "code": 190, "fbtrace_id": "AbCdEf123"}});
    (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response()
}

async fn send_message(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mode = {
        let mut g = inner.lock().unwrap();
        g.received.push(Received {
            path: format!("/v21.0/{id}/messages"),
            authorization: bearer(&headers),
            content_type: headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string),
            json: json.clone(),
        });
        g.sent += 1;
        g.mode.clone().unwrap_or(Mode::Accept)
    };
    if bearer(&headers) != Some(format!("Bearer {ACCESS_TOKEN}")) {
        return token_error();
    }
    match mode {
        Mode::Accept => {
            let n = inner.lock().unwrap().sent;
            let to = json["to"].as_str().unwrap_or_default().to_string();
            let body = json!({
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": format!("wamid.HBgLFAKE{n:06}")}],
            });
            axum::Json(body).into_response()
        }
        Mode::Refuse(status, body) => (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response(),
        Mode::Hang => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

/// `GET /v21.0/{id}`: a media node when `id` is a file's, else the phone
/// number node.
async fn node(State(inner): State<Arc<Mutex<Inner>>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (file, mode, addr) = {
        let mut g = inner.lock().unwrap();
        let file = g.media.get(&id).cloned();
        if file.is_some() {
            g.media_requests.push((format!("/v21.0/{id}"), bearer(&headers)));
        }
        (file, g.media_mode.clone().unwrap_or(Mode::Accept), g.addr)
    };
    if bearer(&headers) != Some(format!("Bearer {ACCESS_TOKEN}")) {
        return token_error();
    }
    let Some(file) = file else { return phone_number(id) };
    match mode {
        Mode::Accept => {
            let addr = addr.unwrap();
            let size = file.announced_size.unwrap_or(file.bytes.len() as u64);
            // Meta sends the size as a string of digits.
            axum::Json(json!({"messaging_product": "whatsapp",
                              "url": format!("http://{addr}/whatsapp_business/attachments/?mid={id}&ext=1749416383&hash=ATtest"),
                              "mime_type": file.mime_type, "sha256": "c2hhMjU2", "file_size": size.to_string(),
                              "id": id}))
            .into_response()
        }
        Mode::Refuse(status, body) => (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response(),
        Mode::Hang => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

/// The short-lived download URL the media node gives; the bytes, with the
/// same bearer token.
async fn download(
    State(inner): State<Arc<Mutex<Inner>>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mid = q.get("mid").cloned().unwrap_or_default();
    let file = {
        let mut g = inner.lock().unwrap();
        g.media_requests.push((format!("/whatsapp_business/attachments/?mid={mid}"), bearer(&headers)));
        g.media.get(&mid).cloned()
    };
    if bearer(&headers) != Some(format!("Bearer {ACCESS_TOKEN}")) {
        return token_error();
    }
    match file {
        Some(f) => ([(header::CONTENT_TYPE, f.mime_type)], f.bytes).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn phone_number(id: String) -> Response {
    if id != PHONE_NUMBER_ID {
        let body = json!({"error": {"message": format!("Unsupported get request. Object with ID '{id}' does not exist"),
                                    "type": "GraphMethodException", "code": 100, "error_subcode": 33, "fbtrace_id": "X"}});
        return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    }
    axum::Json(json!({"verified_name": "Shop", "display_phone_number": "+1 555-078-3881", "id": id,
                      "quality_rating": "GREEN"}))
    .into_response()
}

/// The channel's settings as an admin enters them.
pub fn settings(api_base_url: &str) -> Value {
    json!({"phoneNumberId": PHONE_NUMBER_ID, "accessToken": ACCESS_TOKEN, "appSecret": APP_SECRET,
           "verifyToken": VERIFY_TOKEN, "apiBaseUrl": api_base_url})
}

/// A WhatsApp channel on `inbox` whose API calls go to `api_base_url`.
pub async fn whatsapp_channel(t: &TestApp, admin: &str, inbox: i64, api_base_url: &str) -> Value {
    let body =
        json!({"name": "Shop WhatsApp", "kind": "whatsapp", "inboxId": inbox, "settings": settings(api_base_url)});
    t.post("/api/v1/channels", admin, body).await.data(201).clone()
}

/// A `messages` change value for the channel's number with `extra` fields.
pub fn value(extra: Value) -> Value {
    let mut v = json!({"messaging_product": "whatsapp",
                       "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID}});
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

/// A webhook body carrying these change values.
pub fn webhook(values: &[Value]) -> Vec<u8> {
    let changes: Vec<Value> = values.iter().map(|v| json!({"field": "messages", "value": v})).collect();
    json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": changes}]})
        .to_string()
        .into_bytes()
}

/// A customer's text, as Meta posts it.
pub fn text(wamid: &str, wa_id: &str, name: &str, body: &str) -> Vec<u8> {
    webhook(&[value(json!({
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": wamid, "timestamp": "1749416383", "type": "text", "text": {"body": body}}],
    }))])
}

/// A customer's file message (`kind`: image, document …) whose `kind`
/// object is `media` (`id`, `mime_type`, `caption`, `filename`), as Meta
/// posts it.
pub fn media_message(wamid: &str, wa_id: &str, kind: &str, media: Value) -> Vec<u8> {
    webhook(&[value(json!({
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": wamid, "timestamp": "1749416383", "type": kind, kind: media}],
    }))])
}

/// Status reports for messages Parley sent.
pub fn statuses(reports: &[Value]) -> Vec<u8> {
    webhook(&[value(json!({"statuses": reports}))])
}

/// POSTs `body` to `path` as Meta would, signed with `secret` (`None`: no
/// signature header).
pub async fn post_signed(t: &TestApp, path: &str, body: &[u8], secret: Option<&str>) -> Resp {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "facebookexternalua");
    if let Some(s) = secret {
        req = req.header("x-hub-signature-256", app::whatsapp::signature::compute(s, body));
    }
    t.send(req.body(Body::from(body.to_vec())).unwrap()).await
}

/// Meta's subscription handshake GET.
pub async fn handshake(t: &TestApp, path: &str, mode: &str, verify_token: &str, challenge: &str) -> Resp {
    let uri = format!("{path}?hub.mode={mode}&hub.verify_token={verify_token}&hub.challenge={challenge}");
    t.send(Request::get(uri).body(Body::empty()).unwrap()).await
}
