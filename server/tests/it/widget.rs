//! The website widget channel end to end: the plain form and the widget
//! script's JSON, origins and CORS, visitors continuing their conversation,
//! what a visitor may read, honeypot, rate limit, signed identities.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::users::model::Role;
use axum::body::Body;
use axum::http::{header, Method, Request};
use serde_json::{json, Value};

use crate::common::{Resp, TestApp};

pub(crate) const SHOP: &str = "https://shop.test";
const SECRET: &str = "shop-widget-secret-0123456789";

pub(crate) struct Widget {
    pub t: TestApp,
    pub admin: String,
    pub channel: Value,
    pub token: String,
}

pub(crate) async fn widget_app(settings: Value) -> Widget {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let inbox = t.inbox_id("Support").await;
    let body = json!({"name": "Shop website", "kind": "widget", "inboxId": inbox, "settings": settings});
    let channel = t.post("/api/v1/channels", &admin, body).await.data(201).clone();
    let token = channel["token"].as_str().unwrap().to_string();
    Widget { t, admin, channel, token }
}

impl Widget {
    pub(crate) async fn json(&self, origin: Option<&str>, ip: &str, body: Value) -> Resp {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(format!("/widget/{}/messages", self.token))
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", ip);
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        self.t.send(req.body(Body::from(body.to_string())).unwrap()).await
    }

    async fn form(&self, pairs: &[(&str, &str)]) -> Resp {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("/widget/{}/messages", self.token))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.t.send(req).await
    }

    pub(crate) async fn get(&self, path: &str, origin: Option<&str>) -> Resp {
        let mut req = Request::builder().uri(format!("/widget/{}/{path}", self.token));
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        self.t.send(req.body(Body::empty()).unwrap()).await
    }

    async fn preflight(&self, origin: &str) -> Resp {
        let req = Request::builder()
            .method(Method::OPTIONS)
            .uri(format!("/widget/{}/messages", self.token))
            .header(header::ORIGIN, origin)
            .header("access-control-request-method", "POST")
            .body(Body::empty())
            .unwrap();
        self.t.send(req).await
    }

    /// The channel's conversations as the team's list shows them (open ones).
    async fn conversations(&self) -> Vec<Value> {
        let list = self.t.get("/api/v1/conversations?limit=100", &self.admin).await;
        list.data(200).as_array().unwrap().iter().filter(|c| c["channelId"] == self.channel["id"]).cloned().collect()
    }

    /// Posts kept raw and not shown, with their reasons.
    async fn kept(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT error FROM inbound_mail WHERE channel_id = ? ORDER BY id")
            .bind(self.channel["id"].as_i64().unwrap())
            .fetch_all(&self.t.state.db.pool)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn a_plain_form_post_creates_a_conversation_and_lands_on_the_thank_you_page() {
    let w = widget_app(json!({})).await;
    // No allowed origins: usable by the plain form, shown as not set up for the script.
    assert_eq!(w.channel["health"]["status"], "unconfigured");
    let res = w
        .form(&[
            ("name", "Ada Lovelace"),
            ("email", "ada@example.com"),
            ("message", "Do you ship to Norway?"),
            ("pageUrl", "https://shop.test/shipping"),
            ("attributes[plan]", "pro"),
            ("attributes[language]", "nb"),
            ("website", ""),
        ])
        .await;
    assert_eq!(res.status.as_u16(), 303, "{}", res.body);
    let to = res.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(to, format!("/widget/{}/thanks", w.token));
    let page = w.t.send(Request::builder().uri(&to).body(Body::empty()).unwrap()).await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.body.as_str().unwrap().contains("Thank you"));

    let convs = w.conversations().await;
    assert_eq!(convs.len(), 1);
    assert_eq!(convs[0]["status"], "new");
    let id = convs[0]["id"].as_i64().unwrap();
    let msgs = w.t.messages(&w.admin, id).await;
    assert_eq!(msgs[0]["body"], "Do you ship to Norway?");
    assert_eq!(msgs[0]["channelKind"], "widget");
    let contact = w.t.get(&format!("/api/v1/contacts/{}", convs[0]["contactId"]), &w.admin).await;
    assert_eq!(contact.data(200)["email"], "ada@example.com");
    // The page and the snippet's attributes are kept on the conversation,
    // and the agent's details pane shows them.
    let cookie = w.t.login("ann@shop.test", "correct horse").await;
    let detail = w.t.server_fn::<app::conversations::api::GetConversation>(json!({"id": id}), Some(&cookie), &[]).await;
    assert_eq!(detail.status.as_u16(), 200, "{}", detail.body);
    assert_eq!(
        detail.body["context"],
        json!({"pageUrl": "https://shop.test/shipping", "attributes": {"plan": "pro", "language": "nb"}})
    );
}

#[tokio::test]
async fn a_form_without_a_message_is_answered_with_the_field_named_and_what_was_typed() {
    let w = widget_app(json!({})).await;
    let res = w.form(&[("name", "Ada <b>"), ("email", "ada@example.com"), ("message", "  ")]).await;
    assert_eq!(res.status.as_u16(), 422);
    let html = res.body.as_str().unwrap();
    assert!(html.contains("message: is required"), "{html}");
    assert!(html.contains("value=\"Ada &lt;b&gt;\""), "what was typed is kept, escaped: {html}");
    // The script gets the same as JSON.
    w.json(None, "198.51.100.1", json!({"name": "Ada"})).await.assert_invalid("message");
    w.json(None, "198.51.100.1", json!({"message": "Hi", "email": "nope"})).await.assert_invalid("email");
    assert!(w.conversations().await.is_empty());
    assert_eq!(w.kept().await.len(), 3, "refused posts are kept raw with the reason");
}

#[tokio::test]
async fn the_script_on_an_allowed_origin_chats_and_its_visitor_token_continues_the_conversation() {
    let w = widget_app(json!({"allowedOrigins": [SHOP], "preChatFields": ["name", "email"], "greeting": "Hi!"})).await;
    assert_eq!(w.channel["health"]["status"], "ok");
    let pre = w.preflight(SHOP).await;
    assert_eq!(pre.status.as_u16(), 204);
    assert_eq!(pre.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], SHOP);
    assert!(pre.headers[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().contains("Content-Type"));

    // The pre-chat fields are required to start.
    w.json(Some(SHOP), "198.51.100.2", json!({"message": "Hello", "name": "Ben"})).await.assert_invalid("email");
    let first = w
        .json(Some(SHOP), "198.51.100.2", json!({"message": "Hello", "name": "Ben", "email": "ben@example.com"}))
        .await;
    assert_eq!(first.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], SHOP);
    let data = first.data(201);
    let visitor = data["visitorToken"].as_str().unwrap().to_string();
    let conv = data["conversation"]["id"].as_i64().unwrap();
    assert_eq!(data["message"]["body"], "Hello");

    // Later messages (no pre-chat fields) join the same conversation.
    let again = w.json(Some(SHOP), "198.51.100.2", json!({"message": "Are you there?", "visitor": visitor})).await;
    assert_eq!(again.data(201)["conversation"]["id"], conv);
    assert_eq!(again.data(201)["visitorToken"], visitor.as_str());
    assert_eq!(w.conversations().await.len(), 1);

    // The team answers and writes a note: the visitor reads the answer only.
    let url = format!("/api/v1/conversations/{conv}/messages");
    let reply = w.t.post(&url, &w.admin, json!({"kind": "reply", "body": "Yes, how can I help?"})).await;
    assert_eq!(reply.data(201)["deliveryStatus"], "sent", "the panel delivers a widget reply by reading it");
    w.t.post(&url, &w.admin, json!({"kind": "note", "body": "VIP: be nice"})).await.data(201);
    let thread = w.get(&format!("conversation?visitor={visitor}"), Some(SHOP)).await;
    assert_eq!(thread.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], SHOP);
    let msgs = thread.data(200)["messages"].as_array().unwrap().clone();
    let bodies: Vec<&str> = msgs.iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Hello", "Are you there?", "Yes, how can I help?"]);
    assert_eq!(msgs[2]["direction"], "outbound");
    assert_eq!(msgs[2]["senderName"], "Ann Admin");
    assert!(!thread.raw.windows(3).any(|w| w == b"VIP"), "a note never reaches the visitor");

    // Another browser's token, or none, reads nothing.
    w.get("conversation?visitor=not-a-visitor", Some(SHOP)).await.assert_error(404, "not_found");
    w.get("conversation", Some(SHOP)).await.assert_invalid("visitor");

    // The same message retried (same clientMessageId) is stored once.
    let body = json!({"message": "Once", "visitor": visitor, "clientMessageId": "m-1"});
    w.json(Some(SHOP), "198.51.100.2", body.clone()).await.data(201);
    assert!(w.json(Some(SHOP), "198.51.100.2", body).await.data(201)["message"].is_null());
    assert_eq!(w.t.messages(&w.admin, conv).await.len(), 5);
}

#[tokio::test]
async fn a_page_on_another_origin_is_refused_and_nothing_is_stored() {
    let w = widget_app(json!({"allowedOrigins": [SHOP]})).await;
    let evil = "https://evil.test";
    let pre = w.preflight(evil).await;
    assert_eq!(pre.status.as_u16(), 403);
    assert!(pre.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let res = w.json(Some(evil), "198.51.100.3", json!({"message": "Hi", "email": "x@example.com"})).await;
    res.assert_error(403, "forbidden");
    assert!(res.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    w.get("config", Some(evil)).await.assert_error(403, "forbidden");
    assert!(w.conversations().await.is_empty());
    assert!(w.kept().await.is_empty());
    // Parley's own origin (the panel it serves) is always allowed.
    w.json(Some(crate::common::PUBLIC_URL), "198.51.100.3", json!({"message": "Hi"})).await.data(201);
}

#[tokio::test]
async fn a_filled_honeypot_looks_sent_but_is_only_kept_aside() {
    let w = widget_app(json!({})).await;
    let res = w.form(&[("name", "Bot"), ("message", "Cheap pills"), ("website", "http://spam.test")]).await;
    assert_eq!(res.status.as_u16(), 303, "answered like success");
    assert!(w.conversations().await.is_empty(), "nothing in the inbox");
    let spam: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE spam = 1")
        .fetch_one(&w.t.state.db.pool)
        .await
        .unwrap();
    assert_eq!(spam, 0, "no contact or conversation is made for a bot");
    let kept = w.kept().await;
    assert_eq!(kept.len(), 1);
    assert!(kept[0].contains("honeypot"), "{kept:?}");
}

#[tokio::test]
async fn one_address_posting_too_often_is_told_when_to_retry() {
    let w = widget_app(json!({})).await;
    for i in 0..10 {
        w.json(None, "203.0.113.7", json!({"message": format!("Message {i}")})).await.data(201);
    }
    let res = w.json(None, "203.0.113.7", json!({"message": "One more"})).await;
    res.assert_error(429, "rate_limited");
    let wait: u64 = res.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=6).contains(&wait), "Retry-After {wait}");
    // Someone else is not held up.
    w.json(None, "203.0.113.8", json!({"message": "Hello"})).await.data(201);
}

#[tokio::test]
async fn signed_identities_attach_to_their_contact_and_a_wrong_signature_is_refused() {
    let w = widget_app(json!({"allowedOrigins": [SHOP], "hmacSecret": SECRET})).await;
    assert_eq!(w.channel["settings"]["hmacSecret"], "********", "the secret is write-only");
    let hash = app::widget::identity::sign(SECRET, "user-42");
    let signed = |msg: &str, hash: &str| json!({"message": msg, "name": "Cy", "email": "cy@example.com", "identifier": "user-42", "identifierHash": hash});
    let res = w.json(Some(SHOP), "198.51.100.4", signed("Hi from my laptop", &hash)).await;
    let conv = res.data(201)["conversation"]["id"].clone();
    // The same person on another device (no visitor token) continues it.
    let phone = w.json(Some(SHOP), "198.51.100.5", signed("And from my phone", &hash)).await;
    assert_eq!(phone.data(201)["conversation"]["id"], conv);
    let visitor = phone.data(201)["visitorToken"].as_str().unwrap().to_string();
    let thread = w.get(&format!("conversation?visitor={visitor}"), Some(SHOP)).await;
    assert_eq!(thread.data(200)["messages"].as_array().unwrap().len(), 2);

    let bad = w.json(Some(SHOP), "198.51.100.6", signed("I am user 42, honest", &"0".repeat(64))).await;
    bad.assert_error(403, "forbidden");
    assert_eq!(bad.body["error"]["field"], "identifierHash");
    assert_eq!(w.conversations().await.len(), 1);
    assert_eq!(w.t.messages(&w.admin, conv.as_i64().unwrap()).await.len(), 2, "nothing stored from the forger");
}

#[tokio::test]
async fn the_panel_config_says_when_the_team_is_away_and_messages_are_still_taken() {
    let w =
        widget_app(json!({"allowedOrigins": [SHOP], "greeting": "Ask us anything", "preChatFields": ["email"]})).await;
    let inbox = w.t.inbox_id("Support").await;
    let open = w.get("config", Some(SHOP)).await;
    assert_eq!(open.data(200)["withinWorkingHours"], true);
    assert!(open.data(200)["outsideHoursMessage"].is_null());
    assert_eq!(open.data(200)["greeting"], "Ask us anything");
    assert_eq!(open.data(200)["preChatFields"], json!(["email"]));
    assert_eq!(open.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], SHOP);

    // A schedule with no open day: always outside working hours.
    w.t.put(
        &format!("/api/v1/inboxes/{inbox}"),
        &w.admin,
        json!({"workingHours": {"enabled": true, "timezone": "UTC", "schedule": {}},
               "outsideHoursMessage": "We're offline until Monday."}),
    )
    .await
    .data(200);
    let closed = w.get("config", Some(SHOP)).await;
    assert_eq!(closed.data(200)["withinWorkingHours"], false);
    assert_eq!(closed.data(200)["outsideHoursMessage"], "We're offline until Monday.");
    w.json(Some(SHOP), "198.51.100.7", json!({"message": "Hello?", "email": "dee@example.com"})).await.data(201);
    assert_eq!(w.conversations().await.len(), 1);
}

#[tokio::test]
async fn a_switched_off_widget_keeps_posts_unshown_and_settings_name_their_field() {
    let w = widget_app(json!({"allowedOrigins": [SHOP]})).await;
    let id = w.channel["id"].as_i64().unwrap();
    let inbox = w.t.inbox_id("Support").await;
    let put = |enabled: bool, settings: Value| json!({"name": "Shop website", "kind": "widget", "inboxId": inbox, "enabled": enabled, "settings": settings});
    w.t.put(&format!("/api/v1/channels/{id}"), &w.admin, put(false, json!({"allowedOrigins": [SHOP]}))).await.data(200);
    assert_eq!(w.get("config", Some(SHOP)).await.data(200)["enabled"], false);
    let res = w.json(Some(SHOP), "198.51.100.8", json!({"message": "Anyone?"})).await;
    assert_eq!(res.status.as_u16(), 202);
    assert!(w.conversations().await.is_empty());
    assert_eq!(w.kept().await, ["the channel is switched off"]);

    let bad = put(true, json!({"allowedOrigins": ["https://shop.test/page"]}));
    w.t.put(&format!("/api/v1/channels/{id}"), &w.admin, bad).await.assert_invalid("settings.allowedOrigins[0]");
    let bad = put(true, json!({"preChatFields": ["email", "email"]}));
    w.t.put(&format!("/api/v1/channels/{id}"), &w.admin, bad).await.assert_invalid("settings.preChatFields[1]");
}

/// The chat panel the loader frames: only Parley and the allowed origins
/// may show it (the browser enforces `frame-ancestors`), and it names its
/// channel for its script.
#[tokio::test]
async fn the_panel_page_may_be_framed_by_the_allowed_origins_only() {
    let w = widget_app(json!({"allowedOrigins": [SHOP]})).await;
    let page = w.get("panel", None).await;
    assert_eq!(page.status.as_u16(), 200);
    let csp = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_string();
    assert!(csp.ends_with(&format!("frame-ancestors 'self' {SHOP}")), "{csp}");
    let html = String::from_utf8_lossy(&page.raw).to_string();
    assert!(html.contains(&format!("data-channel=\"{}\"", w.token)), "{html}");
    assert!(html.contains("<script src=\"/widget-panel.js\"></script>"), "{html}");

    // No origins yet: Parley's own pages only.
    let bare = widget_app(json!({})).await;
    let csp = bare.get("panel", None).await.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_string();
    assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
    let req = Request::builder().uri("/widget/no-such-token/panel").body(Body::empty()).unwrap();
    assert_eq!(w.t.send(req).await.status.as_u16(), 404);
}

#[tokio::test]
async fn a_visitor_merged_into_a_known_contact_keeps_their_chat() {
    let w = widget_app(json!({"allowedOrigins": [SHOP]})).await;
    let first = w.json(Some(SHOP), "198.51.100.3", json!({"message": "Hi, it's Ada from the shop"})).await;
    let visitor = first.data(201)["visitorToken"].as_str().unwrap().to_string();
    let chat = first.data(201)["conversation"]["id"].as_i64().unwrap();
    let mail = w.t.create_conversation(&w.admin, None, "ada@example.com", "Order 1234").await;
    let contact_of = |id: i64| {
        let t = &w.t;
        let key = w.admin.clone();
        async move { t.get(&format!("/api/v1/conversations/{id}"), &key).await.data(200)["contactId"].clone() }
    };
    let ada = contact_of(mail["id"].as_i64().unwrap()).await;
    let anonymous = contact_of(chat).await;
    w.t.post(&format!("/api/v1/contacts/{ada}/merge"), &w.admin, json!({"contactId": anonymous})).await.data(200);

    // The visitor's panel still reads its thread, and their next message
    // joins the same conversation, now on the one contact.
    let thread = w.get(&format!("conversation?visitor={visitor}"), Some(SHOP)).await;
    assert_eq!(thread.data(200)["id"], chat);
    let again = w.json(Some(SHOP), "198.51.100.3", json!({"message": "Any news?", "visitor": visitor})).await;
    assert_eq!(again.data(201)["conversation"]["id"], chat);
    assert_eq!(contact_of(chat).await, ada);
}
