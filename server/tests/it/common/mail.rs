//! Real mail for tests: Parley's SMTP listener on a free port, a capturing
//! SMTP server on loopback that stands in for the outgoing mail provider,
//! a lettre client to send raw mail, and an email channel wired to both.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::{json, Value};
use server::smtp::{self, BoxFuture, MailSink, Reply};
use tokio::sync::Notify;

use super::TestApp;

/// One captured outgoing mail.
#[derive(Debug, Clone)]
pub struct Captured {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Captured {
    /// A header's unfolded value (first occurrence, case-insensitive name).
    pub fn header(&self, name: &str) -> Option<String> {
        let text = String::from_utf8_lossy(&self.raw);
        let head = text.split("\r\n\r\n").next().unwrap_or("");
        let mut out: Option<String> = None;
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(v) = out.as_mut() {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                continue;
            }
            if out.is_some() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case(name) {
                    out = Some(v.trim().to_string());
                }
            }
        }
        out
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }
}

/// A real SMTP server on loopback keeping what it is sent.
#[derive(Clone)]
pub struct Capture {
    pub addr: SocketAddr,
    pub mails: Arc<Mutex<Vec<Captured>>>,
    notify: Arc<Notify>,
}

struct CaptureSink {
    mails: Arc<Mutex<Vec<Captured>>>,
    notify: Arc<Notify>,
}

impl MailSink for CaptureSink {
    fn rcpt<'a>(&'a self, _addr: &'a str) -> BoxFuture<'a, Result<(), Reply>> {
        Box::pin(async { Ok(()) })
    }
    fn data<'a>(&'a self, env: smtp::Envelope, raw: Vec<u8>, _total: usize) -> BoxFuture<'a, Reply> {
        Box::pin(async move {
            self.mails.lock().unwrap().push(Captured { mail_from: env.mail_from, rcpt_to: env.rcpt_to, raw });
            self.notify.notify_waiters();
            Reply::new(250, "2.0.0 captured")
        })
    }
}

impl Capture {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let notify = Arc::new(Notify::new());
        let sink: Arc<dyn MailSink> = Arc::new(CaptureSink { mails: mails.clone(), notify: notify.clone() });
        tokio::spawn(smtp::serve(
            listener,
            sink,
            smtp::Limits { max_bytes: 50 << 20, hostname: "capture.test".into() },
        ));
        Self { addr, mails, notify }
    }

    pub fn count(&self) -> usize {
        self.mails.lock().unwrap().len()
    }

    /// Waits (up to 20 s, a deadline for a hung test, not a speed check)
    /// until `n` mails have arrived; returns mail number `n` (1-based).
    pub async fn nth(&self, n: usize) -> Captured {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.notify.notified();
            if let Some(m) = self.mails.lock().unwrap().get(n - 1).cloned() {
                return m;
            }
            assert!(tokio::time::Instant::now() < deadline, "mail #{n} never arrived (have {})", self.count());
            let _ = tokio::time::timeout(Duration::from_millis(200), notified).await;
        }
    }
}

/// Starts Parley's SMTP listener for this app.
pub async fn listen(t: &TestApp) -> SocketAddr {
    server::mail::listen(t.state.clone(), "127.0.0.1:0").await.unwrap()
}

/// A fresh app with an admin (their API key), a capture server for
/// outgoing mail, Parley's SMTP listener and the Support inbox's id.
pub async fn mail_app() -> (TestApp, String, Capture, SocketAddr, i64) {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", app::users::model::Role::Admin).await;
    let capture = Capture::start().await;
    let smtp = listen(&t).await;
    let inbox = t.inbox_id("Support").await;
    (t, admin, capture, smtp, inbox)
}

/// Sends raw bytes over SMTP to Parley; the server's answer on error.
pub async fn send_raw(smtp: SocketAddr, from: Option<&str>, to: &str, raw: &[u8]) -> Result<(), String> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.ip().to_string())
        .port(smtp.port())
        .timeout(Some(Duration::from_secs(60)))
        .build();
    let env = Envelope::new(from.map(|f| f.parse().unwrap()), vec![to.parse().unwrap()]).unwrap();
    transport.send_raw(&env, raw).await.map(|_| ()).map_err(|e| e.to_string())
}

/// A minimal RFC 5322 mail.
pub fn mail(from: &str, to: &str, subject: &str, message_id: &str, extra_headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\nDate: Sun, 22 Nov 2026 09:00:00 +0000\r\n{extra_headers}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// An email channel routed to `inbox` whose replies go to `capture`.
pub async fn email_channel(t: &TestApp, admin_key: &str, inbox: i64, capture: &Capture, extra: Value) -> Value {
    let mut settings = json!({
        "address": "help@shop.test",
        "fromName": "Shop Help",
        "smtp": {"host": "127.0.0.1", "port": capture.addr.port(), "security": "none"},
    });
    if let (Some(s), Some(x)) = (settings.as_object_mut(), extra.as_object()) {
        for (k, v) in x {
            s.insert(k.clone(), v.clone());
        }
    }
    let body = json!({"name": "Shop email", "kind": "email", "inboxId": inbox, "settings": settings});
    t.post("/api/v1/channels", admin_key, body).await.data(201).clone()
}

/// Waits until message `id` of `conversation` leaves `queued`; the message.
pub async fn settled(t: &TestApp, key: &str, conversation: i64, id: i64) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let m = t.messages(key, conversation).await.into_iter().find(|m| m["id"] == id).unwrap();
        if m["deliveryStatus"] != "queued" {
            return m;
        }
        assert!(tokio::time::Instant::now() < deadline, "message {id} stayed queued");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
