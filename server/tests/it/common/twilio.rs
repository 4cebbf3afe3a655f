//! A fake Twilio for tests: the Messages and Account resources on a real
//! socket on 127.0.0.1:0, speaking Twilio's documented request and
//! response formats; plus signed webhooks posted the way Twilio posts them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

use super::{Resp, TestApp, PUBLIC_URL};

pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const AUTH_TOKEN: &str = "f00dfeedf00dfeedf00dfeedf00dfeed";
pub const FROM_NUMBER: &str = "+15550001111";

/// How the fake answers the next message creations.
#[derive(Debug, Clone)]
pub enum Mode {
    /// 201 with a new `SM…` sid.
    Accept,
    /// This status and Twilio error body.
    Refuse(u16, Value),
    /// Never answers (the client must time out).
    Hang,
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub form: Vec<(String, String)>,
}

impl Received {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Inner {
    mode: Option<Mode>,
    received: Vec<Received>,
    sids: u32,
}

/// The fake's handle: its base URL and what it received.
#[derive(Clone)]
pub struct FakeTwilio {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

impl FakeTwilio {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner { mode: Some(Mode::Accept), ..Default::default() }));
        let router = Router::new()
            .route("/2010-04-01/Accounts/{sid}/Messages.json", axum::routing::post(create_message))
            .route("/2010-04-01/Accounts/{sid}", axum::routing::get(fetch_account))
            .with_state(inner.clone());
        Self { addr: super::serve_router(router).await, inner }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.inner.lock().unwrap().mode = Some(mode);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }
}

fn authorized(headers: &HeaderMap) -> Option<String> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string)
}

fn expected_auth() -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT_SID}:{AUTH_TOKEN}")))
}

async fn create_message(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let mode = {
        let mut g = inner.lock().unwrap();
        g.received.push(Received {
            path: format!("/2010-04-01/Accounts/{sid}/Messages.json"),
            authorization: authorized(&headers),
            content_type: headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string),
            form: form.clone(),
        });
        g.sids += 1;
        g.mode.clone().unwrap_or(Mode::Accept)
    };
    if authorized(&headers).as_deref() != Some(expected_auth().as_str()) {
        let body = json!({"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401});
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    match mode {
        Mode::Accept => {
            let n = inner.lock().unwrap().sids;
            let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            let body = json!({
                "sid": format!("SM{n:032}"),
                "account_sid": sid,
                "to": field("To"),
                "from": field("From"),
                "body": field("Body"),
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "error_code": null,
                "error_message": null,
            });
            (StatusCode::CREATED, axum::Json(body)).into_response()
        }
        Mode::Refuse(status, body) => (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response(),
        Mode::Hang => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

async fn fetch_account(Path(file): Path<String>, headers: HeaderMap) -> Response {
    if file != format!("{ACCOUNT_SID}.json") || authorized(&headers).as_deref() != Some(expected_auth().as_str()) {
        let body = json!({"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401});
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    axum::Json(json!({"sid": ACCOUNT_SID, "status": "active"})).into_response()
}

/// An SMS channel on `inbox` whose API calls go to `fake`; the channel.
pub async fn sms_channel(t: &TestApp, admin: &str, inbox: i64, api_base_url: &str) -> Value {
    let body = json!({"name": "Shop SMS", "kind": "sms", "inboxId": inbox, "settings": {
        "provider": "twilio", "accountSid": ACCOUNT_SID, "authToken": AUTH_TOKEN,
        "fromNumber": "+1 (555) 000-1111", "apiBaseUrl": api_base_url,
    }});
    t.post("/api/v1/channels", admin, body).await.data(201).clone()
}

/// Form pairs from `(name, value)` literals.
pub fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Twilio's inbound message webhook form.
pub fn text(sid: &str, from: &str, body: &str) -> Vec<(String, String)> {
    form(&[
        ("ToCountry", "US"),
        ("SmsMessageSid", sid),
        ("NumMedia", "0"),
        ("SmsSid", sid),
        ("SmsStatus", "received"),
        ("Body", body),
        ("To", FROM_NUMBER),
        ("NumSegments", "1"),
        ("MessageSid", sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", from),
        ("ApiVersion", "2010-04-01"),
    ])
}

/// POSTs `form` to `path` as Twilio would, signed with `token` over the
/// public URL (`None`: no signature header).
pub async fn post_signed(t: &TestApp, path: &str, form: &[(String, String)], token: Option<&str>) -> Resp {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form.iter()).finish();
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded; charset=UTF-8")
        .header(header::USER_AGENT, "TwilioProxy/1.1");
    if let Some(tok) = token {
        let url = format!("{PUBLIC_URL}{path}");
        req = req.header("x-twilio-signature", app::sms::signature::compute(tok, &url, form));
    }
    t.send(req.body(Body::from(body)).unwrap()).await
}
