//! Replying on another of the contact's channels: a conversation
//! followed up by text goes out through the SMS provider to the contact's
//! phone and its status reports land on it; a channel the contact cannot
//! be reached on, that is switched off, or in an inbox the agent cannot
//! see is refused with `channelId`, and nothing is stored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::users::model::Role;
use serde_json::{json, Value};

use crate::common::mail::settled;
use crate::common::twilio::{form, post_signed, sms_channel, FakeTwilio, ACCOUNT_SID, AUTH_TOKEN};
use crate::common::TestApp;

async fn contact_of(t: &TestApp, key: &str, conversation: i64) -> i64 {
    t.get(&format!("/api/v1/conversations/{conversation}"), key).await.data(200)["contactId"].as_i64().unwrap()
}

#[tokio::test]
async fn a_conversation_followed_up_by_text_goes_out_by_sms_and_hears_back() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let fake = FakeTwilio::start().await;
    let sms = sms_channel(&t, &admin, t.inbox_id("Support").await, &fake.base_url()).await;
    let id = t.create_conversation(&admin, None, "ada@home.test", "Order late").await["id"].as_i64().unwrap();
    let url = format!("/api/v1/conversations/{id}/messages");
    let before = t.messages(&admin, id).await.len();

    // No phone on the contact yet: refused, naming the field and why.
    let text = json!({"kind": "reply", "body": "Your parcel left today.", "channelId": sms["id"]});
    let r = t.post(&url, &admin, text.clone()).await;
    r.assert_invalid("channelId");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("no phone number"), "{}", r.body);
    assert_eq!(t.messages(&admin, id).await.len(), before, "nothing stored");

    // With a phone, the reply goes out by SMS, in the same conversation.
    let contact = contact_of(&t, &admin, id).await;
    t.patch(&format!("/api/v1/contacts/{contact}"), &admin, json!({"phone": "+15557654321"})).await.data(200);
    let sent = t.post(&url, &admin, text).await.data(201).clone();
    assert_eq!(sent["channelKind"], "sms");
    let mid = sent["id"].as_i64().unwrap();
    assert_eq!(settled(&t, &admin, id, mid).await["deliveryStatus"], "sent");
    let got = fake.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].field("To"), Some("+15557654321"));
    assert_eq!(got[0].field("Body"), Some("Your parcel left today."));

    // Twilio's status callback for it is accepted on the SMS channel's hook.
    let sid: String = sqlx::query_scalar("SELECT provider_message_id FROM messages WHERE id = ?")
        .bind(mid)
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
    let path = format!("/hooks/sms/{}/status/{mid}", sms["token"].as_str().unwrap());
    let report = form(&[("MessageSid", sid.as_str()), ("MessageStatus", "delivered"), ("AccountSid", ACCOUNT_SID)]);
    assert_eq!(post_signed(&t, &path, &report, Some(AUTH_TOKEN)).await.status.as_u16(), 204);
    let msgs = t.messages(&admin, id).await;
    assert_eq!(msgs.last().unwrap()["deliveryStatus"], "delivered");
    // The conversation keeps its own channel (the API's here); the next reply goes there again.
    let conv = t.get(&format!("/api/v1/conversations/{id}"), &admin).await.data(200).clone();
    assert_ne!(conv["channelId"], sms["id"]);
    let plain = t.post(&url, &admin, json!({"kind": "reply", "body": "And by mail."})).await.data(201).clone();
    assert_eq!(plain["channelKind"], "api");
}

#[tokio::test]
async fn the_composer_lists_each_channel_with_why_it_cannot_be_used_and_the_server_refuses_those() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let (_, agent) = t.user("Ben Agent", "ben@shop.test", Role::Agent).await;
    let fake = FakeTwilio::start().await;
    let sms = sms_channel(&t, &admin, t.inbox_id("Support").await, &fake.base_url()).await;
    let hidden = t
        .post(
            "/api/v1/inboxes",
            &admin,
            json!({"name": "Escalations", "access": {"everyone": false, "userIds": [], "teamIds": []}}),
        )
        .await
        .data(201)["id"]
        .as_i64()
        .unwrap();
    let secret_sms = sms_channel(&t, &admin, hidden, &fake.base_url()).await;
    let id = t.create_conversation(&admin, None, "ada@home.test", "Order late").await["id"].as_i64().unwrap();
    let contact = contact_of(&t, &admin, id).await;
    t.patch(&format!("/api/v1/contacts/{contact}"), &admin, json!({"phone": "+15557654321"})).await.data(200);

    // The thread's data offers the conversation's own channel first, then
    // the SMS line the agent may use; not the one in a hidden inbox.
    let cookie = t.login("ben@shop.test", "correct horse").await;
    let detail = t.server_fn::<app::conversations::api::GetConversation>(json!({"id": id}), Some(&cookie), &[]).await;
    assert_eq!(detail.status.as_u16(), 200, "{}", detail.body);
    let channels: Vec<Value> = detail.body["reply_channels"].as_array().unwrap().clone();
    let kinds: Vec<&str> = channels.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["api", "sms"], "{}", detail.body);
    assert!(channels[1]["problem"].is_null());

    // The agent cannot send on the hidden inbox's channel, whatever the page offered.
    let url = format!("/api/v1/conversations/{id}/messages");
    let via = |ch: &Value| json!({"kind": "reply", "body": "Hi", "channelId": ch["id"]});
    t.post(&url, &agent, via(&secret_sms)).await.assert_invalid("channelId");

    // Switched off: listed with the reason, refused with it.
    let mut off = sms.clone();
    off["enabled"] = json!(false);
    t.put(&format!("/api/v1/channels/{}", sms["id"]), &admin, off).await.data(200);
    let detail = t.server_fn::<app::conversations::api::GetConversation>(json!({"id": id}), Some(&cookie), &[]).await;
    let problem = detail.body["reply_channels"][1]["problem"].as_str().unwrap().to_string();
    assert!(problem.contains("switched off"), "{problem}");
    let r = t.post(&url, &agent, via(&sms)).await;
    r.assert_invalid("channelId");
    assert!(r.body["error"]["message"].as_str().unwrap().contains(&problem), "{}", r.body);
    assert_eq!(t.messages(&agent, id).await.len(), 1, "only the first message: nothing refused was stored");
    assert!(fake.received().is_empty());
}
