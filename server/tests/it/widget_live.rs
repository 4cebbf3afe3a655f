//! The visitor's live stream (`GET /widget/{token}/events`): the team's
//! replies reach the panel the moment they are committed, notes and other
//! visitors' conversations never do, and only a known visitor on an
//! allowed origin may listen.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::widget::{widget_app, Widget, SHOP};

/// An open event stream, read as the browser's `EventSource` does.
struct Stream {
    body: Body,
    buf: String,
}

impl Stream {
    async fn open(w: &Widget, visitor: &str) -> Stream {
        let req = Request::builder()
            .uri(format!("/widget/{}/events?visitor={visitor}", w.token))
            .header(header::ORIGIN, SHOP)
            .body(Body::empty())
            .unwrap();
        let res = w.t.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
        assert_eq!(res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], SHOP);
        Stream { body: res.into_body(), buf: String::new() }
    }

    /// The next event's message (keep-alive comments skipped). The timeout
    /// only keeps a broken stream from hanging the suite.
    async fn next(&mut self) -> Value {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let event: String = self.buf.drain(..end + 2).collect();
                let data: Vec<&str> = event.lines().filter_map(|l| l.strip_prefix("data:")).map(str::trim).collect();
                if !data.is_empty() {
                    return serde_json::from_str(&data.join("\n")).unwrap();
                }
                continue;
            }
            let frame = tokio::time::timeout(Duration::from_secs(30), self.body.frame())
                .await
                .expect("an event within 30 s")
                .expect("the stream stays open")
                .unwrap();
            if let Ok(bytes) = frame.into_data() {
                self.buf.push_str(std::str::from_utf8(&bytes).unwrap());
            }
        }
    }
}

#[tokio::test]
async fn a_visitor_hears_the_teams_replies_live_and_nothing_else() {
    let w = widget_app(json!({"allowedOrigins": [SHOP]})).await;
    let first = w.json(Some(SHOP), "198.51.100.7", json!({"message": "Is anyone there?"})).await;
    let visitor = first.data(201)["visitorToken"].as_str().unwrap().to_string();
    let conv = first.data(201)["conversation"]["id"].as_i64().unwrap();
    let mut live = Stream::open(&w, &visitor).await;

    // A note, then another visitor's message: neither reaches this stream,
    // so the first event it carries is the reply written after them.
    let url = format!("/api/v1/conversations/{conv}/messages");
    w.t.post(&url, &w.admin, json!({"kind": "note", "body": "VIP: be nice"})).await.data(201);
    let other = w.json(Some(SHOP), "198.51.100.8", json!({"message": "Me too"})).await;
    assert_ne!(other.data(201)["conversation"]["id"], conv);
    w.t.post(&url, &w.admin, json!({"kind": "reply", "body": "Yes! How can we help?"})).await.data(201);
    let reply = live.next().await;
    assert_eq!(reply["body"], "Yes! How can we help?");
    assert_eq!(reply["direction"], "outbound");
    assert_eq!(reply["senderName"], "Ann Admin");

    // What the visitor writes in another tab shows in this one too.
    w.json(Some(SHOP), "198.51.100.7", json!({"message": "Where is my order?", "visitor": visitor})).await.data(201);
    let mine = live.next().await;
    assert_eq!(mine["body"], "Where is my order?");
    assert_eq!(mine["direction"], "inbound");
    assert!(mine["senderName"].is_null());
}

#[tokio::test]
async fn only_a_known_visitor_on_an_allowed_origin_may_listen() {
    let w = widget_app(json!({"allowedOrigins": [SHOP]})).await;
    let first = w.json(Some(SHOP), "198.51.100.9", json!({"message": "Hello"})).await;
    let visitor = first.data(201)["visitorToken"].as_str().unwrap().to_string();
    w.get("events?visitor=someone-else", Some(SHOP)).await.assert_error(404, "not_found");
    w.get("events", Some(SHOP)).await.assert_invalid("visitor");
    let res = w.get(&format!("events?visitor={visitor}"), Some("https://evil.test")).await;
    res.assert_error(403, "forbidden");
    assert!(res.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}
