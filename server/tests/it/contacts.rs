//! One person, one timeline: merging two records of a person, the
//! contact's timeline across channels, and "Create thread" on a chosen
//! channel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::users::model::Role;
use serde_json::{json, Value};

use crate::common::twilio::{post_signed, sms_channel, text, FakeTwilio, AUTH_TOKEN};
use crate::common::TestApp;

async fn contact_of(t: &TestApp, key: &str, conversation: &Value) -> i64 {
    let c = t.get(&format!("/api/v1/conversations/{}", conversation["id"]), key).await;
    c.data(200)["contactId"].as_i64().unwrap()
}

#[tokio::test]
async fn merging_two_contacts_combines_their_history_and_keeps_both_addresses() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let (_, agent) = t.user("Ben Agent", "ben@shop.test", Role::Agent).await;
    let first = t.create_conversation(&admin, None, "ada@home.test", "Order late").await;
    let second = t.create_conversation(&admin, None, "ada@work.test", "Invoice copy").await;
    let (a, b) = (contact_of(&t, &admin, &first).await, contact_of(&t, &admin, &second).await);
    assert_ne!(a, b, "two addresses, two contacts until someone says they are one person");
    t.patch(&format!("/api/v1/contacts/{b}"), &admin, json!({"phone": "+15557654321"})).await.data(200);

    // Only admins merge; a contact is not merged into itself.
    let uri = format!("/api/v1/contacts/{a}/merge");
    t.post(&uri, &agent, json!({"contactId": b})).await.assert_error(403, "forbidden");
    t.post(&uri, &admin, json!({"contactId": a})).await.assert_invalid("contactId");
    t.post(&uri, &admin, json!({"contactId": 999_999})).await.assert_invalid("contactId");

    let kept = t.post(&uri, &admin, json!({"contactId": b})).await.data(200).clone();
    assert_eq!(kept["email"], "ada@home.test", "the kept contact's address stays main");
    assert_eq!(kept["phone"], "+15557654321", "an empty slot takes the merged contact's number");
    let page = t.get(&format!("/api/v1/contacts/{a}"), &admin).await.data(200).clone();
    let mut convs: Vec<i64> =
        page["conversations"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    convs.sort();
    assert_eq!(convs, [first["id"].as_i64().unwrap(), second["id"].as_i64().unwrap()], "both histories");
    assert_eq!(page["identities"], json!([{"kind": "email", "value": "ada@work.test"}]), "nothing lost");
    t.get(&format!("/api/v1/contacts/{b}"), &admin).await.assert_error(404, "not_found");
    // The moved conversation says so in its activity, and names the person.
    let moved = t.get(&format!("/api/v1/conversations/{}", second["id"]), &admin).await.data(200).clone();
    assert_eq!(moved["contactId"], a);

    // Mail from the other address now finds the one person...
    let later = t.create_conversation(&admin, None, "ADA@work.test", "Another question").await;
    assert_eq!(contact_of(&t, &admin, &later).await, a, "the kept-aside address still finds her");
    // ...and no one else can take it.
    let carl = t.post("/api/v1/contacts", &admin, json!({"name": "Carl"})).await.data(201)["id"].clone();
    t.patch(&format!("/api/v1/contacts/{carl}"), &admin, json!({"email": "ada@work.test"}))
        .await
        .assert_error(409, "conflict");
}

#[tokio::test]
async fn the_timeline_shows_every_channel_of_one_person_newest_first_page_by_page() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let fake = FakeTwilio::start().await;
    let inbox = t.inbox_id("Support").await;
    let channel = sms_channel(&t, &admin, inbox, &fake.base_url()).await;
    let hook = format!("/hooks/sms/{}", channel["token"].as_str().unwrap());
    let ada = t
        .post("/api/v1/contacts", &admin, json!({"name": "Ada", "email": "ada@home.test", "phone": "+15557654321"}))
        .await;
    let ada = ada.data(201)["id"].as_i64().unwrap();
    let mail = t.create_conversation(&admin, None, "ada@home.test", "Order late").await;
    let note = format!("/api/v1/conversations/{}/messages", mail["id"]);
    t.post(&note, &admin, json!({"kind": "note", "body": "Checked with the warehouse"})).await.data(201);
    let r = post_signed(&t, &hook, &text("SM200", "+15557654321", "Any news on my order?"), Some(AUTH_TOKEN)).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);

    let uri = format!("/api/v1/contacts/{ada}/timeline");
    let all = t.get(&uri, &admin).await;
    let entries = all.data(200).as_array().unwrap().clone();
    let seen: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| (e["channelKind"].as_str().unwrap(), e["direction"].as_str().unwrap(), e["body"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("sms", "inbound", "Any news on my order?"),
            ("note", "note", "Checked with the warehouse"),
            ("api", "inbound", "Hello about Order late"),
        ],
        "one person, every channel, newest first"
    );
    assert_ne!(entries[0]["conversationId"], entries[2]["conversationId"], "two conversations, one timeline");
    assert_eq!(entries[2]["conversationSubject"], "Order late");

    // Page by page: the same entries, none repeated or skipped.
    let mut paged = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let page = t.get(&format!("{uri}?limit=2{q}"), &admin).await;
        paged.extend(page.data(200).as_array().unwrap().iter().map(|e| e["messageId"].clone()));
        cursor = page.body["nextCursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(paged, entries.iter().map(|e| e["messageId"].clone()).collect::<Vec<_>>());
    t.get(&format!("{uri}?cursor=nonsense"), &admin).await.assert_error(400, "bad_request");
}

#[tokio::test]
async fn the_timeline_leaves_out_inboxes_the_viewer_cannot_see() {
    let t = TestApp::demo().await;
    let admin = t.key_for("admin@demo.parley").await;
    let ben = t.key_for("ben@demo.parley").await;
    let visible: Vec<i64> = t
        .get("/api/v1/inboxes", &ben)
        .await
        .data(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    let hidden = t
        .get("/api/v1/inboxes", &admin)
        .await
        .data(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .find(|i| !visible.contains(i));
    let (shown, hidden) = (visible[0], hidden.expect("the demo restricts an inbox"));
    let a = t.create_conversation(&admin, Some(shown), "pat@customer.test", "Seen by all").await;
    let b = t.create_conversation(&admin, Some(hidden), "pat@customer.test", "Billing only").await;
    let pat = contact_of(&t, &admin, &a).await;
    assert_eq!(contact_of(&t, &admin, &b).await, pat);
    let uri = format!("/api/v1/contacts/{pat}/timeline");
    let subjects = |v: &Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|e| e["conversationSubject"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(subjects(t.get(&uri, &admin).await.data(200)), ["Billing only", "Seen by all"]);
    assert_eq!(subjects(t.get(&uri, &ben).await.data(200)), ["Seen by all"], "a restricted inbox stays hidden");
}

#[tokio::test]
async fn create_thread_starts_on_the_chosen_channel_and_refuses_one_the_contact_cannot_use() {
    use app::contacts::api::{ContactOverview, ContactPage};
    let t = TestApp::new().await;
    let (_, admin_key) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let fake = FakeTwilio::start().await;
    let inbox = t.inbox_id("Support").await;
    let sms = sms_channel(&t, &admin_key, inbox, &fake.base_url()).await;
    let off = sms_channel(&t, &admin_key, inbox, &fake.base_url()).await;
    t.put(
        &format!("/api/v1/channels/{}", off["id"]),
        &admin_key,
        json!({"name": "Old number", "kind": "sms", "inboxId": inbox, "enabled": false, "settings": off["settings"]}),
    )
    .await
    .data(200);
    let no_phone = t.post("/api/v1/contacts", &admin_key, json!({"name": "Mail only", "email": "m@x.test"})).await;
    let no_phone = no_phone.data(201)["id"].as_i64().unwrap();
    let ada = t.post("/api/v1/contacts", &admin_key, json!({"name": "Ada", "phone": "+15557654321"})).await;
    let ada = ada.data(201)["id"].as_i64().unwrap();
    let cookie = t.login("ann@shop.test", "correct horse").await;

    // The page offers each channel, disabled with the reason when it cannot be used.
    let page = t.server_fn::<ContactPage>(json!({"id": no_phone}), Some(&cookie), &[]).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    let page: ContactOverview = serde_json::from_value(page.body.clone()).unwrap();
    let reason = |p: &ContactOverview, id: &Value| {
        p.channels.iter().find(|c| c.id.0 == id.as_i64().unwrap()).unwrap().problem.clone()
    };
    assert_eq!(reason(&page, &sms["id"]).as_deref(), Some("This contact has no phone number."));
    let page = t.server_fn::<ContactPage>(json!({"id": ada}), Some(&cookie), &[]).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    let page: ContactOverview = serde_json::from_value(page.body.clone()).unwrap();
    assert_eq!(reason(&page, &sms["id"]), None, "ready");
    assert!(reason(&page, &off["id"]).unwrap().contains("switched off"), "{page:?}");

    let start = |contact: i64, channel: &Value| json!({"input": {"inbox_id": inbox, "contact_id": contact, "contact": {}, "subject": "", "body": "Your order shipped", "channel_id": channel}});
    let refused = t
        .server_fn::<app::conversations::api::StartConversation>(start(no_phone, &sms["id"]), Some(&cookie), &[])
        .await;
    assert_eq!(refused.body["field"], "channelId", "{}", refused.body);
    assert_eq!(refused.body["message"], "This contact has no phone number.");
    let refused =
        t.server_fn::<app::conversations::api::StartConversation>(start(ada, &off["id"]), Some(&cookie), &[]).await;
    assert_eq!(refused.body["field"], "channelId", "{}", refused.body);
    assert!(refused.body["message"].as_str().unwrap().contains("switched off"), "{}", refused.body);
    let before = t.get("/api/v1/conversations?limit=100", &admin_key).await.data(200).as_array().unwrap().len();
    assert_eq!(before, 0, "a refused start creates nothing");

    let started =
        t.server_fn::<app::conversations::api::StartConversation>(start(ada, &sms["id"]), Some(&cookie), &[]).await;
    assert_eq!(started.status.as_u16(), 200, "{}", started.body);
    let id = started.body["id"].as_i64().unwrap();
    let conv = t.get(&format!("/api/v1/conversations/{id}"), &admin_key).await.data(200).clone();
    assert_eq!(
        (conv["channelId"].clone(), conv["contactId"].as_i64()),
        (sms["id"].clone(), Some(ada)),
        "on the chosen channel, the same person"
    );
    assert_eq!(conv["subject"], "Your order shipped", "a text is named by its start");
    let msgs = t.messages(&admin_key, id).await;
    assert_eq!((msgs[0]["channelKind"].as_str(), msgs[0]["direction"].as_str()), (Some("sms"), Some("outbound")));
    let people = t.get("/api/v1/contacts?q=Ada", &admin_key).await;
    assert_eq!(people.data(200).as_array().unwrap().len(), 1, "no duplicate person");
}
