//! The WhatsApp channel end to end through Meta's Cloud API wire format:
//! the verify-token handshake, signed webhooks in, replies out to a fake
//! Graph API on a real socket, statuses, one conversation per number,
//! failures and retry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::users::model::Role;
use serde_json::{json, Value};

use crate::common::graph::{
    handshake, post_signed, settings, statuses, text, value, webhook, Mode, ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID,
    VERIFY_TOKEN,
};
use crate::common::mail::settled;
use crate::common::wa::{conversations_of_channel, wa_app, Wa};
use crate::common::TestApp;

/// The contact names the inbox list shows for the channel's conversations
/// (the list agents see, oldest conversation first).
async fn listed_names(w: &Wa) -> Vec<String> {
    use app::conversations::model::{ListFilter, View};
    let who = app::users::server::principal(&w.t.state.db, w.t.user_id("ann@shop.test").await).await.unwrap().unwrap();
    let f = ListFilter { view: View::All, ..ListFilter::default() };
    let page = app::conversations::server::list(&w.t.state.db, &who, &f, None, 100).await.unwrap();
    let mut mine: Vec<_> =
        page.items.into_iter().filter(|c| Some(c.channel_id.0) == w.channel["id"].as_i64()).collect();
    mine.sort_by_key(|c| c.id.0);
    mine.into_iter().map(|c| c.contact_name).collect()
}

async fn reply(w: &Wa, conversation: i64, body: &str) -> i64 {
    let r =
        w.t.post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            &w.admin,
            json!({"kind": "reply", "body": body}),
        )
        .await;
    assert_eq!(r.data(201)["deliveryStatus"], "queued", "a WhatsApp reply is stored first, then sent");
    r.data(201)["id"].as_i64().unwrap()
}

async fn message(w: &Wa, conversation: i64, id: i64) -> Value {
    w.t.messages(&w.admin, conversation).await.into_iter().find(|m| m["id"] == id).unwrap()
}

async fn provider_id(w: &Wa, mid: i64) -> String {
    sqlx::query_scalar("SELECT provider_message_id FROM messages WHERE id = ?")
        .bind(mid)
        .fetch_one(&w.t.state.db.pool)
        .await
        .unwrap()
}

async fn rejected_kept(w: &Wa) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT error, CAST(raw AS TEXT) FROM inbound_mail WHERE channel_id = ? AND status = 'rejected' ORDER BY id",
    )
    .bind(w.channel["id"].as_i64().unwrap())
    .fetch_all(&w.t.state.db.pool)
    .await
    .unwrap()
}

/// A first text from Sheena; her conversation's id.
async fn first_text(w: &Wa, wamid: &str) -> i64 {
    let r = post_signed(&w.t, &w.hook, &text(wamid, "16505551234", "Sheena Nelson", "hi"), Some(APP_SECRET)).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    conversations_of_channel(w).await[0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_handshake_echoes_the_challenge_only_for_the_channels_verify_token() {
    let w = wa_app().await;
    let r = handshake(&w.t, &w.hook, "subscribe", VERIFY_TOKEN, "1158201444").await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(r.raw, b"1158201444", "Meta expects the challenge back, alone");

    let r = handshake(&w.t, &w.hook, "subscribe", "guessed-token", "1158201444").await;
    r.assert_error(403, "forbidden");
    assert!(!String::from_utf8_lossy(&r.raw).contains("1158201444"), "no echo for a wrong token");
    handshake(&w.t, &w.hook, "unsubscribe", VERIFY_TOKEN, "1").await.assert_error(403, "forbidden");
    handshake(&w.t, "/hooks/whatsapp/no-such-token", "subscribe", VERIFY_TOKEN, "1")
        .await
        .assert_error(404, "not_found");
    // The verify token is a secret: set, but never shown.
    assert_eq!(w.channel["settings"]["verifyToken"], "********");
    assert_eq!(w.channel["settings"]["appSecret"], "********");
    assert_eq!(w.channel["settings"]["accessToken"], "********");
    assert_eq!(w.channel["settings"]["phoneNumberId"], PHONE_NUMBER_ID);
}

#[tokio::test]
async fn a_text_starts_a_conversation_with_the_profile_name_and_the_reply_goes_out_through_the_graph_api() {
    let w = wa_app().await;
    assert_eq!(w.channel["health"]["status"], "ok");
    let r = post_signed(
        &w.t,
        &w.hook,
        &text("wamid.IN1", "16505551234", "Sheena Nelson", "Does it come in another color?"),
        Some(APP_SECRET),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let convs = conversations_of_channel(&w).await;
    assert_eq!(convs.len(), 1);
    assert_eq!(listed_names(&w).await, ["Sheena Nelson"], "the WhatsApp profile name names the contact");
    let id = convs[0]["id"].as_i64().unwrap();
    let contact = w.t.get(&format!("/api/v1/contacts/{}", convs[0]["contactId"]), &w.admin).await;
    assert_eq!(contact.data(200)["phone"], "+16505551234", "filed under the number the WhatsApp id is");

    // A second text and a photo with a caption join the open conversation.
    post_signed(&w.t, &w.hook, &text("wamid.IN2", "16505551234", "Sheena Nelson", "Order 1234"), Some(APP_SECRET))
        .await;
    let photo = webhook(&[value(json!({
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
        "messages": [{"from": "16505551234", "id": "wamid.IN3", "timestamp": "1749416400", "type": "image",
                      "image": {"caption": "The broken hinge", "mime_type": "image/jpeg",
                                "sha256": "SfInY0gHhJ1NbJ7sXJ+7xUK0lN1ypRzxOhVNv2Dz4qA=", "id": "1003383421387256"}}],
    }))]);
    let r = post_signed(&w.t, &w.hook, &photo, Some(APP_SECRET)).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(conversations_of_channel(&w).await.len(), 1, "one open conversation per number");
    let msgs = w.t.messages(&w.admin, id).await;
    let bodies: Vec<&str> = msgs.iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Does it come in another color?", "Order 1234", "[image] The broken hinge"]);
    assert_eq!(msgs[0]["channelKind"], "whatsapp");
    assert_eq!(msgs[0]["senderName"], "Sheena Nelson");
    let raw: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(raw AS TEXT) FROM inbound_mail WHERE channel_id = ? AND status = 'accepted' ORDER BY id",
    )
    .bind(w.channel["id"].as_i64().unwrap())
    .fetch_all(&w.t.state.db.pool)
    .await
    .unwrap();
    assert_eq!(raw.len(), 3, "each webhook is kept as received, with its message");
    assert!(raw[2].contains("1003383421387256") && raw[2].contains("image/jpeg"), "the media id stays: {}", raw[2]);

    // The reply: the phone number's messages edge, bearer token, the documented JSON.
    let mid = reply(&w, id, "Yes, in blue and green!").await;
    assert_eq!(settled(&w.t, &w.admin, id, mid).await["deliveryStatus"], "sent");
    let sent = w.fake.received();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, format!("/v21.0/{PHONE_NUMBER_ID}/messages"));
    assert_eq!(sent[0].authorization.as_deref(), Some(format!("Bearer {ACCESS_TOKEN}").as_str()));
    assert_eq!(sent[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(
        sent[0].json,
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234",
               "type": "text", "text": {"body": "Yes, in blue and green!", "preview_url": false}})
    );
    let wamid = provider_id(&w, mid).await;
    assert!(wamid.starts_with("wamid."), "the Graph API's id is kept: {wamid}");

    // Statuses move it forward, never back.
    let report = |status: &str| {
        statuses(&[json!({"id": wamid, "status": status, "timestamp": "1750263773", "recipient_id": "16505551234"})])
    };
    let r = post_signed(&w.t, &w.hook, &report("delivered"), Some(APP_SECRET)).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(message(&w, id, mid).await["deliveryStatus"], "delivered");
    post_signed(&w.t, &w.hook, &report("read"), Some(APP_SECRET)).await;
    assert_eq!(message(&w, id, mid).await["deliveryStatus"], "read");
    let r = post_signed(&w.t, &w.hook, &report("sent"), Some(APP_SECRET)).await;
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(message(&w, id, mid).await["deliveryStatus"], "read", "a late 'sent' does not undo 'read'");
    let r = post_signed(&w.t, &w.hook, &report("failed"), Some("not-the-app-secret")).await;
    assert_eq!(r.status.as_u16(), 403, "a forged status is refused");
    assert_eq!(message(&w, id, mid).await["deliveryStatus"], "read");

    // Once the conversation is resolved, the next message starts a new one.
    w.t.patch(&format!("/api/v1/conversations/{id}"), &w.admin, json!({"status": "resolved"})).await.data(200);
    post_signed(&w.t, &w.hook, &text("wamid.IN4", "16505551234", "Sheena Nelson", "New question"), Some(APP_SECRET))
        .await;
    let convs = conversations_of_channel(&w).await;
    assert_eq!(convs.len(), 2);
    assert_eq!(convs[1]["contactId"], convs[0]["contactId"]);
}

#[tokio::test]
async fn a_known_contact_is_found_by_the_number_behind_the_whatsapp_id() {
    let w = wa_app().await;
    let ada = w.t.post("/api/v1/contacts", &w.admin, json!({"name": "Ada", "phone": "+44 7700 900123"})).await;
    let ada = ada.data(201)["id"].clone();
    post_signed(&w.t, &w.hook, &text("wamid.K1", "447700900123", "ada l.", "hello"), Some(APP_SECRET)).await;
    let convs = conversations_of_channel(&w).await;
    assert_eq!(convs[0]["contactId"], ada);
    assert_eq!(listed_names(&w).await, ["Ada"], "a name someone typed is kept");
}

#[tokio::test]
async fn webhooks_without_a_valid_signature_or_readable_body_are_refused_and_kept_raw() {
    let w = wa_app().await;
    let msg = text("wamid.B1", "16505551234", "Sheena Nelson", "hello");
    let r = post_signed(&w.t, &w.hook, &msg, None).await;
    r.assert_error(403, "forbidden");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("X-Hub-Signature-256"), "{}", r.body);
    post_signed(&w.t, &w.hook, &msg, Some("another-apps-secret")).await.assert_error(403, "forbidden");
    // Signed, then tampered with on the way.
    let signed = app::whatsapp::signature::compute(APP_SECRET, &msg);
    let tampered = String::from_utf8(msg.clone()).unwrap().replace("hello", "refund!").into_bytes();
    let req = axum::http::Request::post(&w.hook)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signed)
        .body(axum::body::Body::from(tampered))
        .unwrap();
    assert_eq!(w.t.send(req).await.status.as_u16(), 403, "tampered body");
    post_signed(&w.t, "/hooks/whatsapp/no-such-token", &msg, Some(APP_SECRET)).await.assert_error(404, "not_found");

    // Signed but not a Cloud API webhook: 400 saying what is wrong.
    let r =
        post_signed(&w.t, &w.hook, b"{\"object\": \"whatsapp_business_account\", \"entry\": [", Some(APP_SECRET)).await;
    r.assert_error(400, "bad_request");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("not JSON"), "{}", r.body);
    let r = post_signed(&w.t, &w.hook, br#"{"object": "page", "entry": []}"#, Some(APP_SECRET)).await;
    r.assert_error(400, "bad_request");
    assert!(r.body["error"]["message"].as_str().unwrap().starts_with("object"), "{}", r.body);

    assert!(conversations_of_channel(&w).await.is_empty(), "nothing unverified or unreadable was stored");
    let kept = rejected_kept(&w).await;
    assert_eq!(kept.len(), 5, "every refused webhook is kept raw: {kept:?}");
    assert!(kept[0].0.contains("missing") && kept[0].1.contains("hello"), "{kept:?}");
    assert!(kept[2].1.contains("refund!"), "the tampered body as received: {kept:?}");
    assert!(kept[3].0.contains("not JSON"), "{kept:?}");

    // A switched-off channel: acknowledged, kept raw, not shown.
    let mut off = w.channel.clone();
    off["enabled"] = json!(false);
    w.t.put(&format!("/api/v1/channels/{}", w.channel["id"]), &w.admin, off).await.data(200);
    let r = post_signed(&w.t, &w.hook, &text("wamid.B2", "16505551234", "Sheena", "anyone?"), Some(APP_SECRET)).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert!(conversations_of_channel(&w).await.is_empty());
    let kept = rejected_kept(&w).await;
    assert!(kept.len() == 6 && kept[5].0.contains("switched off") && kept[5].1.contains("anyone"), "{kept:?}");
}

#[tokio::test]
async fn the_same_message_delivered_three_times_at_once_is_stored_once() {
    let w = wa_app().await;
    let msg = text("wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUM0VCMDAwMDAwMDAwMDAwMDAwMDAA", "447700900123", "Jo", "Hello");
    let (a, b, c) = tokio::join!(
        post_signed(&w.t, &w.hook, &msg, Some(APP_SECRET)),
        post_signed(&w.t, &w.hook, &msg, Some(APP_SECRET)),
        post_signed(&w.t, &w.hook, &msg, Some(APP_SECRET)),
    );
    for r in [&a, &b, &c] {
        assert_eq!(r.status.as_u16(), 200, "every delivery is acknowledged: {}", r.body);
    }
    let convs = conversations_of_channel(&w).await;
    assert_eq!(convs.len(), 1);
    let msgs = w.t.messages(&w.admin, convs[0]["id"].as_i64().unwrap()).await;
    assert_eq!(msgs.len(), 1, "one message for one wamid");
    let contacts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE phone = '+447700900123'")
        .fetch_one(&w.t.state.db.pool)
        .await
        .unwrap();
    assert_eq!(contacts, 1);
}

#[tokio::test]
async fn one_webhook_carrying_several_messages_and_statuses_stores_them_all() {
    let w = wa_app().await;
    let id = first_text(&w, "wamid.M0").await;
    let mid = reply(&w, id, "Which size?").await;
    settled(&w.t, &w.admin, id, mid).await;
    let wamid = provider_id(&w, mid).await;
    let msg = |id: &str, from: &str, body: &str| json!({"from": from, "id": id, "timestamp": "1", "type": "text", "text": {"body": body}});
    let body = webhook(&[
        value(json!({
            "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"},
                         {"profile": {"name": "Bo"}, "wa_id": "4915123456789"}],
            "messages": [msg("wamid.M1", "16505551234", "Medium"), msg("wamid.M2", "4915123456789", "Hallo")],
        })),
        value(json!({"statuses": [{"id": wamid, "status": "read", "timestamp": "1", "recipient_id": "16505551234"}]})),
    ]);
    let r = post_signed(&w.t, &w.hook, &body, Some(APP_SECRET)).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let convs = conversations_of_channel(&w).await;
    assert_eq!(convs.len(), 2);
    assert_eq!(listed_names(&w).await, ["Sheena Nelson", "Bo"]);
    let bodies: Vec<String> =
        w.t.messages(&w.admin, id).await.iter().map(|m| m["body"].as_str().unwrap().to_string()).collect();
    assert_eq!(bodies, ["hi", "Which size?", "Medium"]);
    assert_eq!(message(&w, id, mid).await["deliveryStatus"], "read");
    // Meta retries the whole batch: nothing doubles.
    post_signed(&w.t, &w.hook, &body, Some(APP_SECRET)).await;
    assert_eq!(w.t.messages(&w.admin, id).await.len(), 3);
    assert_eq!(conversations_of_channel(&w).await.len(), 2);
}

#[tokio::test]
async fn a_failed_status_keeps_whatsapps_reason() {
    let w = wa_app().await;
    let id = first_text(&w, "wamid.F0").await;
    let mid = reply(&w, id, "Your order shipped").await;
    settled(&w.t, &w.admin, id, mid).await;
    let wamid = provider_id(&w, mid).await;
    let failed = statuses(&[json!({"id": wamid, "status": "failed", "timestamp": "1", "recipient_id": "16505551234",
        "errors": [{"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
                    "error_data": {"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}]})]);
    let r = post_signed(&w.t, &w.hook, &failed, Some(APP_SECRET)).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let m = message(&w, id, mid).await;
    assert_eq!(m["deliveryStatus"], "failed");
    let reason = m["failureReason"].as_str().unwrap();
    assert!(reason.contains("Re-engagement message") && reason.contains("more than 24 hours"), "{reason}");
    assert!(reason.contains("131047"), "{reason}");
    // A status for a message this channel never sent changes nothing and is acknowledged.
    let r = post_signed(
        &w.t,
        &w.hook,
        &statuses(&[json!({"id": "wamid.unknown", "status": "read", "recipient_id": "1"})]),
        Some(APP_SECRET),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200);
}

#[tokio::test]
async fn a_graph_error_fails_the_reply_with_its_message_and_retry_sends_it() {
    let w = wa_app().await;
    let id = first_text(&w, "wamid.E0").await;
    w.fake.set_mode(Mode::Refuse(
        400,
        json!({"error": {"message": "(#131030) Recipient phone number not in allowed list", "type": "OAuthException",
                         "code": 131030, "error_data": {"messaging_product": "whatsapp",
                         "details": "Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again."},
                         "error_subcode": 2655007, "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"}}),
    ));
    let mid = reply(&w, id, "Hello?").await;
    let m = settled(&w.t, &w.admin, id, mid).await;
    assert_eq!(m["deliveryStatus"], "failed");
    let reason = m["failureReason"].as_str().unwrap();
    assert!(reason.contains("Recipient phone number not in allowed list") && reason.contains("131030"), "{reason}");
    let ch = w.t.get(&format!("/api/v1/channels/{}", w.channel["id"]), &w.admin).await;
    assert_eq!(ch.data(200)["health"]["status"], "ok", "one recipient's problem is not the channel's");

    w.fake.set_mode(Mode::Accept);
    let r = w.t.post(&format!("/api/v1/conversations/{id}/messages/{mid}/retry"), &w.admin, json!({})).await;
    assert_eq!(r.data(200)["deliveryStatus"], "queued");
    let m = settled(&w.t, &w.admin, id, mid).await;
    assert_eq!(m["deliveryStatus"], "sent", "{m}");
    assert!(m["failureReason"].is_null());
    assert_eq!(w.fake.received().len(), 2);
    assert!(provider_id(&w, mid).await.starts_with("wamid."));
}

#[tokio::test]
async fn an_unreachable_or_silent_graph_api_fails_the_reply_and_the_channel() {
    let w = wa_app().await;
    let id = first_text(&w, "wamid.U0").await;

    // Meta takes the connection and never answers.
    w.fake.set_mode(Mode::Hang);
    let mid = reply(&w, id, "Are you there?").await;
    let m = settled(&w.t, &w.admin, id, mid).await;
    assert_eq!(m["deliveryStatus"], "failed");
    let reason = m["failureReason"].as_str().unwrap();
    assert!(reason.contains("did not answer") && reason.contains("before retrying"), "{reason}");

    // Nothing listens at the API base URL at all.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://{}/v21.0", closed.local_addr().unwrap());
    drop(closed);
    let mut s = w.channel["settings"].clone();
    s["apiBaseUrl"] = json!(dead);
    let put = json!({"name": "Shop WhatsApp", "kind": "whatsapp", "inboxId": w.channel["inboxId"], "settings": s});
    let ch = w.t.put(&format!("/api/v1/channels/{}", w.channel["id"]), &w.admin, put).await;
    assert_eq!(ch.data(200)["settings"]["accessToken"], "********", "the masked token was kept");
    let mid2 = reply(&w, id, "Hello?").await;
    let m = settled(&w.t, &w.admin, id, mid2).await;
    assert_eq!(m["deliveryStatus"], "failed");
    assert!(m["failureReason"].as_str().unwrap().contains("cannot connect"), "{m}");
    let ch = w.t.get(&format!("/api/v1/channels/{}", w.channel["id"]), &w.admin).await;
    assert_eq!(ch.data(200)["health"]["status"], "failing", "the composer warns before the next reply");
}

#[tokio::test]
async fn checking_a_whatsapp_channel_reads_the_phone_number() {
    let w = wa_app().await;
    let check = format!("/api/v1/channels/{}/check", w.channel["id"]);
    let r = w.t.post(&check, &w.admin, json!({})).await;
    assert_eq!(r.data(200)["health"]["status"], "ok", "{}", r.body);

    // A revoked token: the Graph API answers 401 code 190 and the channel says so.
    let mut s = w.channel["settings"].clone();
    s["accessToken"] = json!("EAAJBrevoked");
    let put = json!({"name": "Shop WhatsApp", "kind": "whatsapp", "inboxId": w.channel["inboxId"], "settings": s});
    w.t.put(&format!("/api/v1/channels/{}", w.channel["id"]), &w.admin, put).await.data(200);
    let r = w.t.post(&check, &w.admin, json!({})).await;
    let health = &r.data(200)["health"];
    assert_eq!(health["status"], "failing");
    let detail = health["detail"].as_str().unwrap();
    assert!(detail.contains("access token") && detail.contains("Invalid OAuth access token"), "{health}");
}

#[tokio::test]
async fn whatsapp_settings_name_the_bad_field_and_an_unconnected_channel_says_why() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let inbox = t.inbox_id("Support").await;
    let with = |patch: Value| {
        let mut v = settings("https://graph.facebook.com/v21.0");
        for (k, val) in patch.as_object().unwrap() {
            v[k] = val.clone();
        }
        json!({"name": "WhatsApp", "kind": "whatsapp", "inboxId": inbox, "settings": v})
    };
    t.post("/api/v1/channels", &admin, with(json!({"phoneNumberId": "+1 555 078 3881"})))
        .await
        .assert_invalid("settings.phoneNumberId");
    t.post("/api/v1/channels", &admin, with(json!({"accessToken": ""}))).await.assert_invalid("settings.accessToken");
    t.post("/api/v1/channels", &admin, with(json!({"appSecret": null}))).await.assert_invalid("settings.appSecret");
    t.post("/api/v1/channels", &admin, with(json!({"verifyToken": 7}))).await.assert_invalid("settings.verifyToken");
    t.post("/api/v1/channels", &admin, with(json!({"apiBaseUrl": "graph.facebook.com"})))
        .await
        .assert_invalid("settings.apiBaseUrl");
    let mut no_base = with(json!({}));
    no_base["settings"].as_object_mut().unwrap().remove("apiBaseUrl");
    let made = t.post("/api/v1/channels", &admin, no_base).await;
    assert_eq!(made.data(201)["settings"]["apiBaseUrl"], "https://graph.facebook.com/v21.0", "the default endpoint");

    // Added before its Meta app is set up: unconfigured, the handshake and
    // webhooks cannot be verified, and replies fail with the reason.
    let bare = t.post("/api/v1/channels", &admin, json!({"name": "WA", "kind": "whatsapp", "inboxId": inbox})).await;
    let bare = bare.data(201).clone();
    assert_eq!(bare["health"]["status"], "unconfigured");
    let hook = format!("/hooks/whatsapp/{}", bare["token"].as_str().unwrap());
    handshake(&t, &hook, "subscribe", VERIFY_TOKEN, "1").await.assert_error(403, "forbidden");
    let r = post_signed(&t, &hook, &text("wamid.X", "16505551234", "S", "hi"), Some(APP_SECRET)).await;
    assert_eq!(r.status.as_u16(), 403);
    let check = t.post(&format!("/api/v1/channels/{}/check", bare["id"]), &admin, json!({})).await;
    assert_eq!(check.data(200)["health"]["status"], "unconfigured");
    let conv = t
        .post(
            "/api/v1/conversations",
            &admin,
            json!({"channelId": bare["id"], "contact": {"phone": "+16505551234"}, "subject": "", "message": {"body": "hi"}}),
        )
        .await;
    let id = conv.data(201)["id"].as_i64().unwrap();
    let r =
        t.post(&format!("/api/v1/conversations/{id}/messages"), &admin, json!({"kind": "reply", "body": "x"})).await;
    assert_eq!(r.data(201)["deliveryStatus"], "failed");
    assert!(r.data(201)["failureReason"].as_str().unwrap().contains("phone number ID"), "{}", r.body);
}
