//! The SMS channel end to end through Twilio's wire format: signed
//! webhooks in, replies out to a fake Twilio on a real socket, status
//! callbacks, one conversation per number, failures and retry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::users::model::Role;
use serde_json::{json, Value};

use crate::common::mail::settled;
use crate::common::twilio::{
    form, post_signed, sms_channel, text, FakeTwilio, Mode, ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER,
};
use crate::common::{TestApp, PUBLIC_URL};

struct Sms {
    t: TestApp,
    admin: String,
    fake: FakeTwilio,
    channel: Value,
    hook: String,
}

async fn sms_app() -> Sms {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let fake = FakeTwilio::start().await;
    let inbox = t.inbox_id("Support").await;
    let channel = sms_channel(&t, &admin, inbox, &fake.base_url()).await;
    let hook = format!("/hooks/sms/{}", channel["token"].as_str().unwrap());
    Sms { t, admin, fake, channel, hook }
}

async fn conversations_of_channel(s: &Sms) -> Vec<Value> {
    s.t.conversations_of_channel(&s.admin, &s.channel["id"]).await
}

async fn reply(s: &Sms, conversation: i64, body: &str) -> i64 {
    let r =
        s.t.post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            &s.admin,
            json!({"kind": "reply", "body": body}),
        )
        .await;
    assert_eq!(r.data(201)["deliveryStatus"], "queued", "an SMS reply is stored first, then sent");
    r.data(201)["id"].as_i64().unwrap()
}

async fn message(s: &Sms, conversation: i64, id: i64) -> Value {
    s.t.messages(&s.admin, conversation).await.into_iter().find(|m| m["id"] == id).unwrap()
}

async fn rejected_kept(s: &Sms) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT error, CAST(raw AS TEXT) FROM inbound_mail WHERE channel_id = ? AND status = 'rejected' ORDER BY id",
    )
    .bind(s.channel["id"].as_i64().unwrap())
    .fetch_all(&s.t.state.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_text_lands_on_the_known_contact_and_the_reply_goes_out_through_twilio() {
    let s = sms_app().await;
    // The settings were normalized and the token is never shown.
    assert_eq!(s.channel["settings"]["fromNumber"], FROM_NUMBER);
    assert_eq!(s.channel["settings"]["authToken"], "********");
    assert_eq!(s.channel["health"]["status"], "ok");
    // Ada is already a contact, her number typed the way people type it.
    let ada = s.t.post("/api/v1/contacts", &s.admin, json!({"name": "Ada", "phone": "+1 (555) 765-4321"})).await;
    let ada = ada.data(201)["id"].clone();

    let r = post_signed(&s.t, &s.hook, &text("SM100", "+15557654321", "Is my order shipped?"), Some(AUTH_TOKEN)).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/xml"));
    assert!(String::from_utf8_lossy(&r.raw).contains("<Response></Response>"), "empty TwiML: {}", r.body);
    let convs = conversations_of_channel(&s).await;
    assert_eq!(convs.len(), 1);
    assert_eq!(convs[0]["contactId"], ada, "the text joins the contact who has that number");
    let id = convs[0]["id"].as_i64().unwrap();
    let raw: Vec<(String, String)> = sqlx::query_as(
        "SELECT status, CAST(raw AS TEXT) FROM inbound_mail WHERE channel_id = ? AND message_id IS NOT NULL",
    )
    .bind(s.channel["id"].as_i64().unwrap())
    .fetch_all(&s.t.state.db.pool)
    .await
    .unwrap();
    assert_eq!(raw.len(), 1, "the webhook is kept as received, with its message");
    assert!(raw[0].0 == "accepted" && raw[0].1.contains("MessageSid=SM100"), "{raw:?}");

    // A second text joins the open conversation.
    post_signed(&s.t, &s.hook, &text("SM101", "+15557654321", "Order 1234"), Some(AUTH_TOKEN)).await;
    assert_eq!(conversations_of_channel(&s).await.len(), 1, "one open conversation per number");
    let msgs = s.t.messages(&s.admin, id).await;
    let bodies: Vec<&str> = msgs.iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Is my order shipped?", "Order 1234"]);
    assert_eq!(msgs[0]["channelKind"], "sms");
    assert_eq!(msgs[0]["senderName"], "Ada");

    // The reply: Twilio's Messages API, basic auth, the documented form.
    let mid = reply(&s, id, "Shipped today!").await;
    assert_eq!(settled(&s.t, &s.admin, id, mid).await["deliveryStatus"], "sent");
    let sent = s.fake.received();
    assert_eq!(sent.len(), 1);
    let req = &sent[0];
    assert_eq!(req.path, format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"));
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT_SID}:{AUTH_TOKEN}"));
    assert_eq!(req.authorization.as_deref(), Some(format!("Basic {basic}").as_str()));
    assert_eq!(req.content_type.as_deref(), Some("application/x-www-form-urlencoded"));
    assert_eq!(req.field("To"), Some("+15557654321"));
    assert_eq!(req.field("From"), Some(FROM_NUMBER));
    assert_eq!(req.field("Body"), Some("Shipped today!"));
    let callback = format!("{PUBLIC_URL}{}/status/{mid}", s.hook);
    assert_eq!(req.field("StatusCallback"), Some(callback.as_str()));
    let sid: String = sqlx::query_scalar("SELECT provider_message_id FROM messages WHERE id = ?")
        .bind(mid)
        .fetch_one(&s.t.state.db.pool)
        .await
        .unwrap();
    assert!(sid.starts_with("SM"), "Twilio's sid is kept: {sid}");

    // Status callbacks move it forward, never back.
    let status_path = format!("{}/status/{mid}", s.hook);
    let report =
        |status: &str| form(&[("MessageSid", sid.as_str()), ("MessageStatus", status), ("AccountSid", ACCOUNT_SID)]);
    let r = post_signed(&s.t, &status_path, &report("delivered"), Some(AUTH_TOKEN)).await;
    assert_eq!(r.status.as_u16(), 204, "{}", r.body);
    assert_eq!(message(&s, id, mid).await["deliveryStatus"], "delivered");
    let r = post_signed(&s.t, &status_path, &report("sent"), Some(AUTH_TOKEN)).await;
    assert_eq!(r.status.as_u16(), 204);
    assert_eq!(message(&s, id, mid).await["deliveryStatus"], "delivered", "a late 'sent' does not undo 'delivered'");
    let r = post_signed(&s.t, &status_path, &report("failed"), Some("not-the-token")).await;
    assert_eq!(r.status.as_u16(), 403, "a forged status report is refused");
    assert_eq!(message(&s, id, mid).await["deliveryStatus"], "delivered");

    // Once the conversation is resolved, the next text starts a new one.
    s.t.patch(&format!("/api/v1/conversations/{id}"), &s.admin, json!({"status": "resolved"})).await.data(200);
    post_signed(&s.t, &s.hook, &text("SM102", "+15557654321", "New question"), Some(AUTH_TOKEN)).await;
    let convs = conversations_of_channel(&s).await;
    assert_eq!(convs.len(), 2);
    assert_eq!(convs[1]["contactId"], ada);
}

#[tokio::test]
async fn webhooks_without_a_valid_signature_are_refused_and_kept_raw() {
    let s = sms_app().await;
    let msg = text("SM200", "+15557654321", "hello");
    let r = post_signed(&s.t, &s.hook, &msg, None).await;
    assert_eq!(r.status.as_u16(), 403, "no signature: {}", r.body);
    let r = post_signed(&s.t, &s.hook, &msg, Some("another-accounts-token")).await;
    assert_eq!(r.status.as_u16(), 403, "wrong token");
    assert!(r.body["error"]["message"].as_str().unwrap().contains(PUBLIC_URL), "the URL checked is named: {}", r.body);
    // Signed, then tampered with on the way.
    let signed = app::sms::signature::compute(AUTH_TOKEN, &format!("{PUBLIC_URL}{}", s.hook), &msg);
    let mut tampered = msg.clone();
    tampered.iter_mut().find(|(k, _)| k == "Body").unwrap().1 = "send me a refund".into();
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(tampered.iter()).finish();
    let req = axum::http::Request::post(&s.hook)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signed)
        .body(axum::body::Body::from(body))
        .unwrap();
    assert_eq!(s.t.send(req).await.status.as_u16(), 403, "tampered body");
    let r = post_signed(&s.t, "/hooks/sms/no-such-token", &msg, Some(AUTH_TOKEN)).await;
    assert_eq!(r.status.as_u16(), 404);

    // Signed but not a text Parley can read: 400 naming the field.
    let no_from = form(&[("MessageSid", "SM201"), ("Body", "hi"), ("To", FROM_NUMBER)]);
    let r = post_signed(&s.t, &s.hook, &no_from, Some(AUTH_TOKEN)).await;
    r.assert_error(400, "bad_request");
    assert!(r.body["error"]["message"].as_str().unwrap().starts_with("From"), "{}", r.body);

    assert!(conversations_of_channel(&s).await.is_empty(), "nothing unverified or unreadable was stored");
    let kept = rejected_kept(&s).await;
    assert_eq!(kept.len(), 4, "every refused webhook is kept raw: {kept:?}");
    assert!(kept[0].0.contains("missing") && kept[0].1.contains("Body=hello"), "{kept:?}");
    assert!(kept[3].0.starts_with("From"), "{kept:?}");

    // A switched-off channel: acknowledged, kept raw, not shown.
    let mut off = s.channel.clone();
    off["enabled"] = json!(false);
    s.t.put(&format!("/api/v1/channels/{}", s.channel["id"]), &s.admin, off).await.data(200);
    let r = post_signed(&s.t, &s.hook, &text("SM202", "+15557654321", "anyone?"), Some(AUTH_TOKEN)).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert!(conversations_of_channel(&s).await.is_empty());
    let kept = rejected_kept(&s).await;
    assert!(kept.len() == 5 && kept[4].0.contains("switched off") && kept[4].1.contains("anyone"), "{kept:?}");
}

#[tokio::test]
async fn the_same_text_delivered_three_times_at_once_is_stored_once() {
    let s = sms_app().await;
    let msg = text("SM300", "+447700900123", "Hello from London");
    let (a, b, c) = tokio::join!(
        post_signed(&s.t, &s.hook, &msg, Some(AUTH_TOKEN)),
        post_signed(&s.t, &s.hook, &msg, Some(AUTH_TOKEN)),
        post_signed(&s.t, &s.hook, &msg, Some(AUTH_TOKEN)),
    );
    for r in [&a, &b, &c] {
        assert_eq!(r.status.as_u16(), 200, "every delivery is acknowledged: {}", r.body);
    }
    let convs = conversations_of_channel(&s).await;
    assert_eq!(convs.len(), 1);
    let msgs = s.t.messages(&s.admin, convs[0]["id"].as_i64().unwrap()).await;
    assert_eq!(msgs.len(), 1, "one message for one MessageSid");
    let contacts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE phone = '+447700900123'")
        .fetch_one(&s.t.state.db.pool)
        .await
        .unwrap();
    assert_eq!(contacts, 1);
}

#[tokio::test]
async fn a_twilio_error_fails_the_reply_with_the_reason_and_retry_sends_it() {
    let s = sms_app().await;
    post_signed(&s.t, &s.hook, &text("SM400", "+15557654321", "hi"), Some(AUTH_TOKEN)).await;
    let id = conversations_of_channel(&s).await[0]["id"].as_i64().unwrap();

    s.fake.set_mode(Mode::Refuse(
        400,
        json!({"code": 21211, "message": "The 'To' number +15557654321 is not a valid phone number.",
               "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}),
    ));
    let mid = reply(&s, id, "Hello?").await;
    let m = settled(&s.t, &s.admin, id, mid).await;
    assert_eq!(m["deliveryStatus"], "failed");
    let reason = m["failureReason"].as_str().unwrap();
    assert!(reason.contains("is not a valid phone number") && reason.contains("21211"), "{reason}");
    let ch = s.t.get(&format!("/api/v1/channels/{}", s.channel["id"]), &s.admin).await;
    assert_eq!(ch.data(200)["health"]["status"], "ok", "a bad number is not the channel's fault");

    s.fake.set_mode(Mode::Accept);
    let r = s.t.post(&format!("/api/v1/conversations/{id}/messages/{mid}/retry"), &s.admin, json!({})).await;
    assert_eq!(r.data(200)["deliveryStatus"], "queued");
    let m = settled(&s.t, &s.admin, id, mid).await;
    assert_eq!(m["deliveryStatus"], "sent", "{m}");
    assert!(m["failureReason"].is_null());
    assert_eq!(s.fake.received().len(), 2);

    // The carrier later reports it undelivered: failed, with what it means.
    let sid: String = sqlx::query_scalar("SELECT provider_message_id FROM messages WHERE id = ?")
        .bind(mid)
        .fetch_one(&s.t.state.db.pool)
        .await
        .unwrap();
    let report = form(&[("MessageSid", sid.as_str()), ("MessageStatus", "undelivered"), ("ErrorCode", "30003")]);
    let r = post_signed(&s.t, &format!("{}/status/{mid}", s.hook), &report, Some(AUTH_TOKEN)).await;
    assert_eq!(r.status.as_u16(), 204);
    let m = message(&s, id, mid).await;
    assert_eq!(m["deliveryStatus"], "failed");
    assert!(m["failureReason"].as_str().unwrap().contains("30003"), "{m}");
    // A report on another sid (an earlier attempt) changes nothing.
    let stale = form(&[("MessageSid", "SMold"), ("MessageStatus", "delivered")]);
    post_signed(&s.t, &format!("{}/status/{mid}", s.hook), &stale, Some(AUTH_TOKEN)).await;
    assert_eq!(message(&s, id, mid).await["deliveryStatus"], "failed");
}

#[tokio::test]
async fn an_unreachable_or_silent_twilio_fails_the_reply_and_the_channel() {
    let s = sms_app().await;
    post_signed(&s.t, &s.hook, &text("SM500", "+15557654321", "hi"), Some(AUTH_TOKEN)).await;
    let id = conversations_of_channel(&s).await[0]["id"].as_i64().unwrap();

    // Twilio takes the connection and never answers.
    s.fake.set_mode(Mode::Hang);
    let mid = reply(&s, id, "Are you there?").await;
    let m = settled(&s.t, &s.admin, id, mid).await;
    assert_eq!(m["deliveryStatus"], "failed");
    let reason = m["failureReason"].as_str().unwrap();
    assert!(reason.contains("did not answer") && reason.contains("message log"), "{reason}");

    // Nothing listens at the API base URL at all.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut settings = s.channel["settings"].clone();
    settings["apiBaseUrl"] = json!(dead);
    let put = json!({"name": "Shop SMS", "kind": "sms", "inboxId": s.channel["inboxId"], "settings": settings});
    let ch = s.t.put(&format!("/api/v1/channels/{}", s.channel["id"]), &s.admin, put).await;
    assert_eq!(ch.data(200)["settings"]["authToken"], "********", "the masked token was kept");
    let mid2 = reply(&s, id, "Hello?").await;
    let m = settled(&s.t, &s.admin, id, mid2).await;
    assert_eq!(m["deliveryStatus"], "failed");
    assert!(m["failureReason"].as_str().unwrap().contains("cannot connect"), "{m}");
    let ch = s.t.get(&format!("/api/v1/channels/{}", s.channel["id"]), &s.admin).await;
    assert_eq!(ch.data(200)["health"]["status"], "failing", "the composer warns before the next reply");
}

#[tokio::test]
async fn sms_settings_name_the_bad_field_and_an_unconnected_channel_says_why() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let inbox = t.inbox_id("Support").await;
    let settings = |patch: Value| {
        let mut v = json!({"provider": "twilio", "accountSid": ACCOUNT_SID, "authToken": AUTH_TOKEN,
                           "fromNumber": FROM_NUMBER});
        for (k, val) in patch.as_object().unwrap() {
            v[k] = val.clone();
        }
        json!({"name": "SMS", "kind": "sms", "inboxId": inbox, "settings": v})
    };
    t.post("/api/v1/channels", &admin, settings(json!({"fromNumber": "555-0001"})))
        .await
        .assert_invalid("settings.fromNumber");
    t.post("/api/v1/channels", &admin, settings(json!({"provider": "plivo"})))
        .await
        .assert_invalid("settings.provider");
    t.post("/api/v1/channels", &admin, settings(json!({"accountSid": "nope"})))
        .await
        .assert_invalid("settings.accountSid");
    t.post("/api/v1/channels", &admin, settings(json!({"authToken": null}))).await.assert_invalid("settings.authToken");

    // Added before its Twilio details are known: replies are kept, failed
    // with the reason, and webhooks cannot be verified.
    let bare = t.post("/api/v1/channels", &admin, json!({"name": "SMS", "kind": "sms", "inboxId": inbox})).await;
    let bare = bare.data(201).clone();
    assert_eq!(bare["health"]["status"], "unconfigured");
    let hook = format!("/hooks/sms/{}", bare["token"].as_str().unwrap());
    let r = post_signed(&t, &hook, &text("SM600", "+15557654321", "hi"), Some(AUTH_TOKEN)).await;
    assert_eq!(r.status.as_u16(), 403);
    let conv = t
        .post(
            "/api/v1/conversations",
            &admin,
            json!({"channelId": bare["id"], "contact": {"phone": "+15557654321"}, "subject": "", "message": {"body": "hi"}}),
        )
        .await;
    let id = conv.data(201)["id"].as_i64().unwrap();
    let r =
        t.post(&format!("/api/v1/conversations/{id}/messages"), &admin, json!({"kind": "reply", "body": "x"})).await;
    assert_eq!(r.data(201)["deliveryStatus"], "failed");
    assert!(r.data(201)["failureReason"].as_str().unwrap().contains("Twilio Account SID"), "{}", r.body);
}

#[tokio::test]
async fn checking_an_sms_channel_reads_the_twilio_account() {
    let s = sms_app().await;
    let check = format!("/api/v1/channels/{}/check", s.channel["id"]);
    let r = s.t.post(&check, &s.admin, json!({})).await;
    assert_eq!(r.data(200)["health"]["status"], "ok", "{}", r.body);

    // A wrong Auth Token: Twilio answers 401 and the channel says so.
    let mut settings = s.channel["settings"].clone();
    settings["authToken"] = json!("0000000000000000000000000000dead");
    let put = json!({"name": "Shop SMS", "kind": "sms", "inboxId": s.channel["inboxId"], "settings": settings});
    s.t.put(&format!("/api/v1/channels/{}", s.channel["id"]), &s.admin, put).await.data(200);
    let r = s.t.post(&check, &s.admin, json!({})).await;
    let health = &r.data(200)["health"];
    assert_eq!(health["status"], "failing");
    assert!(health["detail"].as_str().unwrap().contains("Auth Token"), "{health}");
}

#[tokio::test]
async fn an_agent_can_text_a_customer_first() {
    let s = sms_app().await;
    let cookie = s.t.login("ann@shop.test", "correct horse").await;
    let input = json!({"input": {
        "inbox_id": s.channel["inboxId"], "contact_id": null, "contact": {"name": "Bo", "phone": "+1 555 111 2222"},
        "subject": "Your appointment", "body": "See you at 3pm tomorrow.",
    }});
    let r = s.t.server_fn::<app::conversations::api::StartConversation>(input, Some(&cookie), &[]).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["channelId"], s.channel["id"], "a contact with only a phone is texted");
    let id = r.body["id"].as_i64().unwrap();
    let first = s.t.messages(&s.admin, id).await[0]["id"].as_i64().unwrap();
    assert_eq!(settled(&s.t, &s.admin, id, first).await["deliveryStatus"], "sent");
    let sent = s.fake.received();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].field("To"), Some("+15551112222"));
    assert_eq!(sent[0].field("Body"), Some("See you at 3pm tomorrow."));
    // The customer's answer joins the conversation the agent started.
    post_signed(&s.t, &s.hook, &text("SM700", "+15551112222", "Great, thanks"), Some(AUTH_TOKEN)).await;
    assert_eq!(s.t.messages(&s.admin, id).await.len(), 2);
}
