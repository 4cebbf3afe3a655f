//! Shared test helpers: a fresh app on a throwaway SQLite file, seeded users
//! and API keys, JSON requests through the real router, and the session
//! cookie a browser gets from the login server function.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod graph;
pub mod mail;
pub mod twilio;
pub mod wa;

use std::net::SocketAddr;

use app::ids::{UserId, WorkspaceId};
use app::state::AppState;
use app::users::model::{NewUser, Role};
use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use tempfile::TempDir;
use tower::ServiceExt;

/// The origin the app is configured with (`public_url`).
pub const PUBLIC_URL: &str = "http://localhost:3000";

/// One app on its own database. Keep it alive for the whole test: dropping
/// it deletes the database directory.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub ws: WorkspaceId,
    _dir: TempDir,
}

/// A response as a client sees it: status, headers and the body parsed as
/// JSON (or a JSON string holding the text when it is not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    /// The body as received.
    pub raw: Vec<u8>,
}

impl Resp {
    /// `body["data"]`, after checking the status.
    pub fn data(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        &self.body["data"]
    }

    /// Checks an error response: the status, the `{"error": {"code",
    /// "message"}}` shape with a non-empty message, and the code.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        let err = &self.body["error"];
        assert!(err.is_object(), "no error object in {}", self.body);
        assert_eq!(err["code"], code, "wrong code in {}", self.body);
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()), "no message in {}", self.body);
        assert!(self.body.get("data").is_none(), "error carries data: {}", self.body);
    }

    /// Checks a 422 that names `field`, both as `field` and in the message.
    pub fn assert_invalid(&self, field: &str) {
        self.assert_error(422, "validation_failed");
        let err = &self.body["error"];
        assert_eq!(err["field"], field, "wrong field in {}", self.body);
        assert!(err["message"].as_str().unwrap().contains(field), "message does not name {field}: {}", self.body);
    }

    /// The `parley_session=…` pair of the response's Set-Cookie, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("parley_session="))
            .map(|v| v.split(';').next().unwrap_or("").to_string())
    }
}

/// The options `server::state` needs, on a database inside `dir`.
pub fn options(dir: &TempDir) -> server::Options {
    server::Options {
        database_url: format!("sqlite://{}/t.db?mode=rwc", dir.path().display()),
        public_url: PUBLIC_URL.into(),
        site_addr: "127.0.0.1:0".parse().unwrap(),
        inbound_domain: INBOUND_DOMAIN.into(),
        data_dir: dir.path().join("data"),
    }
}

/// The inbound domain tests configure.
pub const INBOUND_DOMAIN: &str = "inbound.test";

impl TestApp {
    /// A fresh workspace: the default Support inbox and the API channel, no users.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let state = server::state(&options(&dir)).await.unwrap();
        let ws = app::workspace::ensure(&state.db).await.unwrap();
        let router = server::router(state.clone()).await.unwrap();
        Self { state, router, ws, _dir: dir }
    }

    /// A fresh workspace with the demo seeded (admin, ada, ben, chloe;
    /// Support, Sales and the restricted Billing inbox; 40 conversations).
    pub async fn demo() -> Self {
        let t = Self::new().await;
        assert!(app::demo::seed_if_empty(&t.state.db, t.ws).await.unwrap());
        t
    }

    /// A second app state on the same database, as a restarted (or a
    /// second) Parley process would have.
    pub async fn restart(&self) -> AppState {
        server::state(&options(&self._dir)).await.unwrap()
    }

    /// Creates a user and an API key acting as them.
    pub async fn user(&self, name: &str, email: &str, role: Role) -> (UserId, String) {
        let input = NewUser { name: name.into(), email: email.into(), password: "correct horse".into(), role };
        let user = app::users::server::create_user(&self.state.db, self.ws, &input).await.unwrap();
        (user.id, self.key_for_id(user.id).await)
    }

    /// A new API key for the user with this id.
    pub async fn key_for_id(&self, id: UserId) -> String {
        let who = app::users::server::principal(&self.state.db, id).await.unwrap().unwrap();
        app::users::server::create_api_key(&self.state.db, &who, "tests").await.unwrap()
    }

    /// A new API key for the user with this email (e.g. a demo user).
    pub async fn key_for(&self, email: &str) -> String {
        self.key_for_id(self.user_id(email).await).await
    }

    /// The id of the user with this email.
    pub async fn user_id(&self, email: &str) -> UserId {
        let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
            .bind(email)
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap();
        UserId(id)
    }

    /// The id of the inbox with this name.
    pub async fn inbox_id(&self, name: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM inboxes WHERE name = ?")
            .bind(name)
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap()
    }

    /// Sends a request through the router and reads the whole response.
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Resp { status, headers, body, raw: bytes.to_vec() }
    }

    /// A REST call with an optional `X-API-Key` and JSON body.
    pub async fn api(&self, method: Method, uri: &str, key: Option<&str>, body: Option<Value>) -> Resp {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(k) = key {
            req = req.header("x-api-key", k);
        }
        let req = match body {
            Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    pub async fn get(&self, uri: &str, key: &str) -> Resp {
        self.api(Method::GET, uri, Some(key), None).await
    }

    pub async fn post(&self, uri: &str, key: &str, body: Value) -> Resp {
        self.api(Method::POST, uri, Some(key), Some(body)).await
    }

    pub async fn put(&self, uri: &str, key: &str, body: Value) -> Resp {
        self.api(Method::PUT, uri, Some(key), Some(body)).await
    }

    pub async fn patch(&self, uri: &str, key: &str, body: Value) -> Resp {
        self.api(Method::PATCH, uri, Some(key), Some(body)).await
    }

    pub async fn delete(&self, uri: &str, key: &str) -> Resp {
        self.api(Method::DELETE, uri, Some(key), None).await
    }

    /// `POST /api/v1/conversations` "via API" with a contact by email; the
    /// created conversation.
    pub async fn create_conversation(&self, key: &str, inbox_id: Option<i64>, email: &str, subject: &str) -> Value {
        let mut body = json!({
            "contact": {"name": "Customer", "email": email},
            "subject": subject,
            "message": {"body": format!("Hello about {subject}")},
        });
        if let Some(i) = inbox_id {
            body["inboxId"] = json!(i);
        }
        self.post("/api/v1/conversations", key, body).await.data(201).clone()
    }

    /// The messages of a conversation via REST.
    pub async fn messages(&self, key: &str, conversation: i64) -> Vec<Value> {
        self.get(&format!("/api/v1/conversations/{conversation}/messages"), key)
            .await
            .data(200)
            .as_array()
            .unwrap()
            .clone()
    }

    /// The conversations of channel `channel_id` that `key` sees, open and
    /// resolved, oldest first.
    pub async fn conversations_of_channel(&self, key: &str, channel_id: &Value) -> Vec<Value> {
        let mut all = vec![];
        for q in ["", "&status=resolved"] {
            let list = self.get(&format!("/api/v1/conversations?limit=100{q}"), key).await;
            all.extend(list.data(200).as_array().unwrap().iter().filter(|c| &c["channelId"] == channel_id).cloned());
        }
        all.sort_by_key(|c| c["id"].as_i64());
        all.dedup_by_key(|c| c["id"].as_i64());
        all
    }

    /// Calls a server function the way the browser does: `POST` with a JSON
    /// body, optionally with the session cookie and extra headers.
    pub async fn server_fn<F: ServerFn>(&self, args: Value, cookie: Option<&str>, headers: &[(&str, &str)]) -> Resp {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(F::PATH)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(args.to_string())).unwrap()).await
    }

    /// Signs in through the `login` server function; the session cookie.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let res =
            self.server_fn::<app::users::api::Login>(json!({"email": email, "password": password}), None, &[]).await;
        assert_eq!(res.status, StatusCode::OK, "login failed: {}", res.body);
        res.session_cookie().expect("login sets the session cookie")
    }

    /// Serves the app on a real socket on 127.0.0.1:0; its address.
    pub async fn serve(&self) -> SocketAddr {
        serve_router(self.router.clone()).await
    }
}

/// Serves `router` on a real socket on 127.0.0.1:0 until the test ends (the
/// app, and the fake providers of `twilio.rs` and `graph.rs`); its address.
pub async fn serve_router(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // `server::serve` is compiled once in the server crate; calling
    // `axum::serve` here would instantiate it again in every test crate.
    tokio::spawn(server::serve(listener, router, Box::pin(std::future::pending())));
    addr
}

/// The ids in a list of JSON objects.
pub fn ids(items: &Value) -> Vec<i64> {
    items.as_array().unwrap().iter().map(|v| v["id"].as_i64().unwrap()).collect()
}

/// A time `secs` from now as RFC 3339.
pub fn in_secs(secs: i64) -> String {
    app::time::Timestamp::now().plus_secs(secs).to_rfc3339()
}
