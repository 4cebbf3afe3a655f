//! `/api/v1/conversations` and their messages as an API client sees them:
//! creating "via API", the list's filters and keyset paging, state changes,
//! replies and notes, and every documented error with nothing changed after.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::HashSet;

use app::messages::model::MAX_BODY_BYTES;
use app::users::model::Role;
use common::{ids, in_secs, TestApp};
use serde_json::{json, Value};

async fn conversation(t: &TestApp, key: &str, id: i64) -> Value {
    t.get(&format!("/api/v1/conversations/{id}"), key).await.data(200).clone()
}

fn id_set(v: &Value) -> HashSet<i64> {
    ids(v).into_iter().collect()
}

#[tokio::test]
async fn creating_via_api_makes_a_contact_and_an_inbound_message() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    let support = t.inbox_id("Support").await;

    let body = json!({
        "contact": {"name": "Ada Customer", "email": "ada@example.com", "phone": "+1 555 123 4567"},
        "subject": "Refund",
        "message": {"body": "Hello, I would like a refund."}
    });
    let conv = t.post("/api/v1/conversations", &admin, body).await.data(201).clone();
    let id = conv["id"].as_i64().unwrap();
    assert_eq!(conv["subject"], "Refund");
    assert_eq!(conv["status"], "new");
    assert_eq!(conv["priority"], "none");
    assert_eq!(conv["inboxId"], support, "routed to the API channel's inbox");
    assert_eq!(conv["assigneeId"], Value::Null);
    assert_eq!(conv["unread"], true);
    assert_eq!(conv["spam"], false);
    assert_eq!(conv["labels"], json!([]));
    assert!(conv["lastInboundAt"].is_string());
    assert_eq!(conv["firstResponseAt"], Value::Null);
    assert_eq!(conv["lastOutboundAt"], Value::Null);
    assert_eq!(&conversation(&t, &admin, id).await, &conv);

    // The contact exists with the details given (phone tidied to E.164).
    let contact_id = conv["contactId"].as_i64().unwrap();
    let contact = t.get(&format!("/api/v1/contacts/{contact_id}"), &admin).await.data(200).clone();
    assert_eq!(contact["name"], "Ada Customer");
    assert_eq!(contact["email"], "ada@example.com");
    assert_eq!(contact["phone"], "+15551234567");
    assert_eq!(ids(&contact["conversations"]), vec![id]);

    // The customer's message is the thread's one inbound message.
    let msgs = t.messages(&admin, id).await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["direction"], "inbound");
    assert_eq!(msgs[0]["channelKind"], "api");
    assert_eq!(msgs[0]["body"], "Hello, I would like a refund.");
    assert_eq!(msgs[0]["senderId"], Value::Null);
    assert_eq!(msgs[0]["conversationId"], id);

    // The same person writing again is the same contact, in a new conversation.
    let again = t.create_conversation(&admin, None, "ADA@example.com", "Another thing").await;
    assert_eq!(again["contactId"], contact_id);
    assert_ne!(again["id"], id);
    let contacts = t.get("/api/v1/contacts", &admin).await.data(200).clone();
    assert_eq!(contacts.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn list_filters_by_inbox_status_assignee_and_unassigned() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    let (ada_id, _) = t.user("Ada Agent", "ada@example.com", Role::Agent).await;
    let support = t.inbox_id("Support").await;
    let sales = t.post("/api/v1/inboxes", &admin, json!({"name": "Sales"})).await.data(201)["id"].as_i64().unwrap();

    let mut c = Vec::new();
    for (i, inbox) in [support, support, support, sales, sales, support].into_iter().enumerate() {
        c.push(
            t.create_conversation(&admin, Some(inbox), &format!("c{i}@example.com"), &format!("Case {i}")).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    for (i, body) in [
        (1, json!({"status": "pending"})),
        (2, json!({"assigneeId": ada_id.0})),
        (4, json!({"assigneeId": ada_id.0, "status": "open"})),
        (5, json!({"spam": true})),
    ] {
        t.patch(&format!("/api/v1/conversations/{}", c[i]), &admin, body).await.data(200);
    }
    let set = |v: &[usize]| v.iter().map(|i| c[*i]).collect::<HashSet<i64>>();
    let ada = ada_id.0;

    assert_eq!(listed(&t, &admin, "").await, set(&[0, 1, 2, 3, 4]), "spam is left out of the list");
    assert_eq!(listed(&t, &admin, &format!("?inboxId={sales}")).await, set(&[3, 4]));
    assert_eq!(listed(&t, &admin, &format!("?inboxId={support}")).await, set(&[0, 1, 2]));
    assert_eq!(listed(&t, &admin, "?status=pending").await, set(&[1]));
    assert_eq!(listed(&t, &admin, "?status=new").await, set(&[0, 2, 3]));
    assert_eq!(listed(&t, &admin, &format!("?assigneeId={ada}")).await, set(&[2, 4]));
    assert_eq!(listed(&t, &admin, "?unassigned=true").await, set(&[0, 1, 3]));
    assert_eq!(listed(&t, &admin, &format!("?inboxId={sales}&unassigned=true")).await, set(&[3]));
    assert_eq!(listed(&t, &admin, &format!("?status=open&assigneeId={ada}")).await, set(&[4]));
    assert_eq!(listed(&t, &admin, "?status=closed").await, HashSet::new());
}

async fn listed(t: &TestApp, key: &str, query: &str) -> HashSet<i64> {
    id_set(t.get(&format!("/api/v1/conversations{query}"), key).await.data(200))
}

#[tokio::test]
async fn cursor_paging_walks_every_conversation_once_in_order() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(
            t.create_conversation(&admin, None, &format!("p{i}@example.com"), &format!("Page {i}")).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    // Newest activity first: the latest created comes first.
    let mut expected = created.clone();
    expected.reverse();
    let full = t.get("/api/v1/conversations?limit=100", &admin).await;
    assert_eq!(ids(full.data(200)), expected);
    assert_eq!(full.body["nextCursor"], Value::Null);

    let mut seen = Vec::new();
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let uri = match &cursor {
            Some(c) => format!("/api/v1/conversations?limit=3&cursor={c}"),
            None => "/api/v1/conversations?limit=3".to_string(),
        };
        let page = t.get(&uri, &admin).await;
        let page_ids = ids(page.data(200));
        assert!(page_ids.len() <= 3);
        seen.extend(page_ids);
        pages += 1;
        match page.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected, "no duplicates, no gaps, same order");

    // New activity between pages does not repeat or skip what is below the
    // cursor: a reply moves the oldest conversation to the top, and page two
    // still holds exactly the next three.
    let first = t.get("/api/v1/conversations?limit=3", &admin).await;
    assert_eq!(ids(first.data(200)), expected[..3].to_vec());
    let cursor = first.body["nextCursor"].as_str().unwrap().to_string();
    let oldest = expected[6];
    // Activity times are milliseconds: make sure the reply's is a later one.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    t.post(&format!("/api/v1/conversations/{oldest}/messages"), &admin, json!({"kind": "reply", "body": "On it"}))
        .await
        .data(201);
    let second = t.get(&format!("/api/v1/conversations?limit=3&cursor={cursor}"), &admin).await;
    assert_eq!(ids(second.data(200)), expected[3..6].to_vec());
    assert_eq!(ids(t.get("/api/v1/conversations?limit=1", &admin).await.data(200)), vec![oldest]);

    t.get("/api/v1/conversations?cursor=garbage", &admin).await.assert_error(400, "bad_request");
}

#[tokio::test]
async fn patch_changes_status_priority_assignee_inbox_snooze_and_spam() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    let (ada_id, _) = t.user("Ada Agent", "ada@example.com", Role::Agent).await;
    let sales = t.post("/api/v1/inboxes", &admin, json!({"name": "Sales"})).await.data(201)["id"].as_i64().unwrap();
    let id = t.create_conversation(&admin, None, "c@example.com", "Help").await["id"].as_i64().unwrap();
    let uri = format!("/api/v1/conversations/{id}");

    let c = t.patch(&uri, &admin, json!({"status": "pending", "priority": "high"})).await.data(200).clone();
    assert_eq!((c["status"].as_str(), c["priority"].as_str()), (Some("pending"), Some("high")));

    let c = t.patch(&uri, &admin, json!({"assigneeId": ada_id.0})).await.data(200).clone();
    assert_eq!(c["assigneeId"], ada_id.0);
    assert_eq!(c["status"], "pending", "assigning leaves the status alone");

    let c = t.patch(&uri, &admin, json!({"inboxId": sales})).await.data(200).clone();
    assert_eq!(c["inboxId"], sales);
    assert_eq!(ids(t.get(&format!("/api/v1/conversations?inboxId={sales}"), &admin).await.data(200)), vec![id]);

    let until = in_secs(3600);
    let c = t.patch(&uri, &admin, json!({"snoozedUntil": until})).await.data(200).clone();
    assert_eq!(c["status"], "snoozed");
    assert_eq!(c["snoozedUntil"], until.as_str());

    let c = t.patch(&uri, &admin, json!({"status": "resolved"})).await.data(200).clone();
    assert_eq!(c["status"], "resolved");
    assert_eq!(c["snoozedUntil"], Value::Null);
    assert!(c["resolvedAt"].is_string());

    let c = t.patch(&uri, &admin, json!({"status": "closed"})).await.data(200).clone();
    assert!(c["closedAt"].is_string());

    let c = t.patch(&uri, &admin, json!({"status": "open", "assigneeId": null})).await.data(200).clone();
    assert_eq!(c["status"], "open");
    assert_eq!(c["assigneeId"], Value::Null);
    assert_eq!((c["resolvedAt"].clone(), c["closedAt"].clone()), (Value::Null, Value::Null));

    let c = t.patch(&uri, &admin, json!({"spam": true})).await.data(200).clone();
    assert_eq!(c["spam"], true);
    assert!(!ids(t.get("/api/v1/conversations", &admin).await.data(200)).contains(&id));
    let c = t.patch(&uri, &admin, json!({"spam": false})).await.data(200).clone();
    assert_eq!(c["spam"], false);
    assert!(ids(t.get("/api/v1/conversations", &admin).await.data(200)).contains(&id));

    // What PATCH answered is what a later GET reads.
    assert_eq!(conversation(&t, &admin, id).await, c);
}

#[tokio::test]
async fn replies_and_notes_are_added_and_the_first_reply_takes_the_conversation() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    let (ada_id, ada) = t.user("Ada Agent", "ada@example.com", Role::Agent).await;
    let (_, ben) = t.user("Ben Agent", "ben@example.com", Role::Agent).await;
    let id = t.create_conversation(&admin, None, "c@example.com", "Help").await["id"].as_i64().unwrap();
    let uri = format!("/api/v1/conversations/{id}/messages");

    // A note is staff-only: it changes neither owner nor status.
    let note = t.post(&uri, &ada, json!({"kind": "note", "body": "Checking the logs"})).await.data(201).clone();
    assert_eq!(note["direction"], "note");
    assert_eq!(note["channelKind"], "note");
    assert_eq!(note["senderId"], ada_id.0);
    assert_eq!(note["deliveryStatus"], Value::Null);
    let c = conversation(&t, &admin, id).await;
    assert_eq!((c["status"].as_str(), c["assigneeId"].clone()), (Some("new"), Value::Null));
    assert_eq!(c["firstResponseAt"], Value::Null);

    let reply = t
        .post(&uri, &ada, json!({"kind": "reply", "body": "Hi! Fixed it.", "subject": "Re: Help"}))
        .await
        .data(201)
        .clone();
    assert_eq!(reply["direction"], "outbound");
    assert_eq!(reply["channelKind"], "api");
    assert_eq!(reply["deliveryStatus"], "sent", "the API channel delivers by being read");
    assert_eq!(reply["subject"], "Re: Help");
    assert_eq!(reply["body"], "Hi! Fixed it.");
    let c = conversation(&t, &admin, id).await;
    assert_eq!(c["assigneeId"], ada_id.0, "the first agent to reply takes it");
    assert_eq!(c["status"], "open");
    assert!(c["firstResponseAt"].is_string());
    assert!(c["lastOutboundAt"].is_string());
    assert_eq!(c["unread"], false);

    // A second agent's reply keeps the owner and the first-response time.
    t.post(&uri, &ben, json!({"kind": "reply", "body": "Following up"})).await.data(201);
    let later = conversation(&t, &admin, id).await;
    assert_eq!(later["assigneeId"], ada_id.0);
    assert_eq!(later["firstResponseAt"], c["firstResponseAt"]);

    let msgs = t.messages(&admin, id).await;
    let kinds: Vec<&str> = msgs.iter().map(|m| m["direction"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["inbound", "note", "outbound", "outbound"], "oldest first");
    assert_eq!(msgs[1], note);
    assert_eq!(msgs[2], reply);
}

#[tokio::test]
async fn agents_are_forbidden_conversations_of_inboxes_they_cannot_see() {
    let t = TestApp::demo().await;
    let ada = t.key_for("ada@demo.parley").await;
    let admin = t.key_for("admin@demo.parley").await;
    let billing = t.inbox_id("Billing").await;
    let in_billing =
        t.get(&format!("/api/v1/conversations?inboxId={billing}&limit=100"), &admin).await.data(200).clone();
    let id = ids(&in_billing)[0];
    let before = conversation(&t, &admin, id).await;
    let count = t.messages(&admin, id).await.len();

    t.get(&format!("/api/v1/conversations/{id}"), &ada).await.assert_error(403, "forbidden");
    t.get(&format!("/api/v1/conversations/{id}/messages"), &ada).await.assert_error(403, "forbidden");
    t.patch(&format!("/api/v1/conversations/{id}"), &ada, json!({"status": "closed"}))
        .await
        .assert_error(403, "forbidden");
    t.post(&format!("/api/v1/conversations/{id}/messages"), &ada, json!({"kind": "note", "body": "peek"}))
        .await
        .assert_error(403, "forbidden");
    // Nor can Ada create a conversation in it, or move one of hers there.
    let body = json!({"inboxId": billing, "contact": {"email": "x@example.com"}, "message": {"body": "hi"}});
    t.post("/api/v1/conversations", &ada, body).await.assert_error(403, "forbidden");
    let support = t.inbox_id("Support").await;
    let hers = ids(t.get(&format!("/api/v1/conversations?inboxId={support}"), &ada).await.data(200))[0];
    t.patch(&format!("/api/v1/conversations/{hers}"), &ada, json!({"inboxId": billing}))
        .await
        .assert_error(403, "forbidden");
    assert_eq!(conversation(&t, &admin, hers).await["inboxId"], support);

    assert_eq!(conversation(&t, &admin, id).await, before, "nothing changed");
    assert_eq!(t.messages(&admin, id).await.len(), count);
    // Billing conversations are not even listed for Ada.
    let listed = id_set(t.get("/api/v1/conversations?limit=100", &ada).await.data(200));
    assert!(listed.is_disjoint(&id_set(&in_billing)));
    assert!(!listed.is_empty());
    // And assigning to Ada a conversation she could not see is refused by field.
    let ada_id = t.user_id("ada@demo.parley").await;
    t.patch(&format!("/api/v1/conversations/{id}"), &admin, json!({"assigneeId": ada_id.0}))
        .await
        .assert_invalid("assigneeId");
    assert_eq!(conversation(&t, &admin, id).await, before);
}

#[tokio::test]
async fn unknown_conversations_are_not_found() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    t.get("/api/v1/conversations/9999", &admin).await.assert_error(404, "not_found");
    t.get("/api/v1/conversations/9999/messages", &admin).await.assert_error(404, "not_found");
    t.patch("/api/v1/conversations/9999", &admin, json!({"status": "open"})).await.assert_error(404, "not_found");
    t.post("/api/v1/conversations/9999/messages", &admin, json!({"kind": "note", "body": "x"}))
        .await
        .assert_error(404, "not_found");
    t.get("/api/v1/no-such-endpoint", &admin).await.assert_error(404, "not_found");
}

#[tokio::test]
async fn bad_message_bodies_are_refused_and_nothing_is_stored() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    let id = t.create_conversation(&admin, None, "c@example.com", "Help").await["id"].as_i64().unwrap();
    let uri = format!("/api/v1/conversations/{id}/messages");
    let before = conversation(&t, &admin, id).await;

    t.post(&uri, &admin, json!({"kind": "reply", "body": ""})).await.assert_invalid("body");
    t.post(&uri, &admin, json!({"kind": "reply", "body": "   \n "})).await.assert_invalid("body");
    // 100 KB is over the 64 KiB message limit but under the JSON limit.
    let big = t.post(&uri, &admin, json!({"kind": "reply", "body": "a".repeat(100_000)})).await;
    big.assert_error(413, "too_large");
    // Over the 256 KiB JSON limit the body is refused before it is read.
    let huge = t.post(&uri, &admin, json!({"kind": "note", "body": "a".repeat(300 * 1024)})).await;
    huge.assert_error(413, "too_large");
    // Creating a conversation with an oversized first message is refused the same way.
    let body = json!({"contact": {"email": "big@example.com"}, "message": {"body": "a".repeat(100_000)}});
    t.post("/api/v1/conversations", &admin, body).await.assert_error(413, "too_large");

    assert_eq!(t.messages(&admin, id).await.len(), 1, "no message was stored");
    assert_eq!(conversation(&t, &admin, id).await, before, "the reply rules did not run");
    assert_eq!(ids(t.get("/api/v1/conversations", &admin).await.data(200)), vec![id]);
    assert_eq!(t.get("/api/v1/contacts", &admin).await.data(200).as_array().unwrap().len(), 1);

    // The limit itself is allowed.
    t.post(&uri, &admin, json!({"kind": "note", "body": "a".repeat(MAX_BODY_BYTES)})).await.data(201);
    assert_eq!(t.messages(&admin, id).await.len(), 2);

    // Malformed JSON and an unknown kind are the client's mistakes, in the same shape.
    let res = t
        .send(
            axum::http::Request::post(&uri)
                .header("x-api-key", &admin)
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{not json"))
                .unwrap(),
        )
        .await;
    res.assert_error(400, "bad_request");
    t.post(&uri, &admin, json!({"kind": "shout", "body": "hi"})).await.assert_error(422, "validation_failed");
    assert_eq!(t.messages(&admin, id).await.len(), 2);
}

#[tokio::test]
async fn invalid_contact_details_on_create_are_named_and_nothing_is_created() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    let bad_email = json!({"contact": {"email": "not-an-email"}, "subject": "x", "message": {"body": "hi"}});
    t.post("/api/v1/conversations", &admin, bad_email).await.assert_invalid("email");
    let bad_phone = json!({"contact": {"phone": "555-1234"}, "subject": "x", "message": {"body": "hi"}});
    t.post("/api/v1/conversations", &admin, bad_phone).await.assert_invalid("phone");
    let no_inbox = json!({"inboxId": 9999, "contact": {"email": "a@example.com"}, "message": {"body": "hi"}});
    t.post("/api/v1/conversations", &admin, no_inbox).await.assert_invalid("inboxId");
    let no_channel = json!({"channelId": 9999, "contact": {"email": "a@example.com"}, "message": {"body": "hi"}});
    t.post("/api/v1/conversations", &admin, no_channel).await.assert_invalid("channelId");
    let empty = json!({"contact": {"email": "a@example.com"}, "message": {"body": " "}});
    t.post("/api/v1/conversations", &admin, empty).await.assert_invalid("body");

    assert_eq!(t.get("/api/v1/conversations", &admin).await.data(200), &json!([]));
    assert_eq!(t.get("/api/v1/contacts", &admin).await.data(200), &json!([]));
}

#[tokio::test]
async fn bad_list_queries_and_patches_are_named_and_change_nothing() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    let id = t.create_conversation(&admin, None, "c@example.com", "Help").await["id"].as_i64().unwrap();
    let uri = format!("/api/v1/conversations/{id}");

    t.get("/api/v1/conversations?status=bogus", &admin).await.assert_invalid("status");
    t.get("/api/v1/conversations?limit=0", &admin).await.assert_invalid("limit");
    t.get("/api/v1/conversations?limit=101", &admin).await.assert_invalid("limit");
    assert_eq!(ids(t.get("/api/v1/conversations?limit=1", &admin).await.data(200)), vec![id]);
    assert_eq!(ids(t.get("/api/v1/conversations?limit=100", &admin).await.data(200)), vec![id]);

    // An unknown status word: 422, and the message names the field.
    let bad = t.patch(&uri, &admin, json!({"status": "bogus"})).await;
    bad.assert_error(422, "validation_failed");
    assert!(bad.body["error"]["message"].as_str().unwrap().contains("status"), "{}", bad.body);
    t.patch(&uri, &admin, json!({"priority": "whenever"})).await.assert_error(422, "validation_failed");
    // Snoozing needs a time, and one in the future.
    t.patch(&uri, &admin, json!({"status": "snoozed"})).await.assert_invalid("snoozedUntil");
    t.patch(&uri, &admin, json!({"status": "snoozed", "snoozedUntil": in_secs(-60)}))
        .await
        .assert_invalid("snoozedUntil");
    t.patch(&uri, &admin, json!({"snoozedUntil": in_secs(-60)})).await.assert_invalid("snoozedUntil");
    assert_eq!(conversation(&t, &admin, id).await["status"], "new", "nothing changed");
    // Back to New is not a thing once it has moved on.
    t.patch(&uri, &admin, json!({"status": "open"})).await.data(200);
    let before = conversation(&t, &admin, id).await;
    t.patch(&uri, &admin, json!({"status": "new"})).await.assert_invalid("status");
    t.patch(&uri, &admin, json!({"assigneeId": 9999})).await.assert_invalid("assigneeId");
    t.patch(&uri, &admin, json!({"inboxId": 9999})).await.assert_invalid("inboxId");

    assert_eq!(conversation(&t, &admin, id).await, before, "nothing changed");
}

#[tokio::test]
async fn a_listed_page_carries_each_conversations_own_labels_in_list_order() {
    let t = TestApp::demo().await;
    let admin = t.key_for("admin@demo.parley").await;
    let first = t.get("/api/v1/conversations?limit=5", &admin).await;
    let listed = ids(first.data(200));
    assert_eq!(listed.len(), 5);
    // Two labels on the second row, one on the fourth, none elsewhere.
    for (id, label) in [(listed[1], "vip"), (listed[1], "billing"), (listed[3], "bug")] {
        sqlx::query("INSERT INTO conversation_labels (conversation_id, label) VALUES (?, ?)")
            .bind(id)
            .bind(label)
            .execute(&t.state.db.writer)
            .await
            .unwrap();
    }
    let again = t.get("/api/v1/conversations?limit=5", &admin).await;
    let rows = again.data(200).as_array().unwrap();
    assert_eq!(rows.iter().map(|r| r["id"].as_i64().unwrap()).collect::<Vec<_>>(), listed);
    let labels: Vec<Value> = rows.iter().map(|r| r["labels"].clone()).collect();
    assert_eq!(labels, [json!([]), json!(["billing", "vip"]), json!([]), json!(["bug"]), json!([])]);
}
