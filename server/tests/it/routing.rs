//! Routing rules decide a new conversation's inbox (first match in order
//! wins), the test endpoint answers which rule a sample hits, and inbox
//! members and their availability are managed over REST.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::users::model::Role;
use serde_json::{json, Value};

use crate::common::TestApp;

async fn start(t: &TestApp, key: &str, email: &str, subject: &str, body: &str) -> Value {
    let b = json!({"contact": {"name": "Pat Doe", "email": email}, "subject": subject, "message": {"body": body}});
    t.post("/api/v1/conversations", key, b).await.data(201).clone()
}

#[tokio::test]
async fn the_first_matching_rule_routes_a_new_conversation() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let (_, agent) = t.user("Ada Agent", "ada@shop.test", Role::Agent).await;
    let support = t.inbox_id("Support").await;
    let billing = t.post("/api/v1/inboxes", &admin, json!({"name": "Billing"})).await.data(201)["id"].as_i64().unwrap();
    let sales = t.post("/api/v1/inboxes", &admin, json!({"name": "Sales"})).await.data(201)["id"].as_i64().unwrap();

    t.post("/api/v1/routing-rules", &admin, json!({"name": "Empty", "inboxId": billing}))
        .await
        .assert_invalid("conditions");
    t.post(
        "/api/v1/routing-rules",
        &agent,
        json!({"name": "x", "inboxId": billing, "conditions": {"keywords": ["a"]}}),
    )
    .await
    .assert_error(403, "forbidden");
    let invoices = t
        .post(
            "/api/v1/routing-rules",
            &admin,
            json!({"name": "Invoices", "inboxId": billing, "priority": "high",
                   "conditions": {"keywords": ["invoice", "credit card"]}}),
        )
        .await
        .data(201)["id"]
        .as_i64()
        .unwrap();
    let vip = t
        .post(
            "/api/v1/routing-rules",
            &admin,
            json!({"name": "VIP domain", "inboxId": sales, "conditions": {"senders": ["vip.test"]}}),
        )
        .await
        .data(201)["id"]
        .as_i64()
        .unwrap();

    let a = start(&t, &admin, "pat@example.com", "Missing INVOICE", "Please resend").await;
    assert_eq!((a["inboxId"].as_i64(), a["priority"].as_str()), (Some(billing), Some("high")));
    let b = start(&t, &admin, "boss@vip.test", "Hello", "Call me").await;
    assert_eq!(b["inboxId"].as_i64(), Some(sales));
    let c = start(&t, &admin, "pat@example.com", "Invoiced?", "I was invoiced twice").await;
    assert_eq!(c["inboxId"].as_i64(), Some(support), "whole words only: 'invoiced' is not 'invoice'");
    let both = start(&t, &admin, "cfo@vip.test", "Invoice", "Hi").await;
    assert_eq!(both["inboxId"].as_i64(), Some(billing), "rule 1 wins over rule 2");
    // The thread says why it landed there.
    let lines: Vec<String> =
        sqlx::query_scalar("SELECT activity FROM events WHERE conversation_id = ? AND activity IS NOT NULL")
            .bind(a["id"].as_i64().unwrap())
            .fetch_all(&t.state.db.pool)
            .await
            .unwrap();
    assert_eq!(lines, vec!["Routed to Billing by rule 'Invoices'".to_string()]);

    // Move the VIP rule first: now it wins.
    t.put(
        &format!("/api/v1/routing-rules/{vip}"),
        &admin,
        json!({"name": "VIP domain", "inboxId": sales, "position": 1, "conditions": {"senders": ["vip.test"]}}),
    )
    .await
    .data(200);
    let order: Vec<i64> = t
        .get("/api/v1/routing-rules", &admin)
        .await
        .data(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, vec![vip, invoices]);
    assert_eq!(start(&t, &admin, "cfo2@vip.test", "Invoice", "Hi").await["inboxId"].as_i64(), Some(sales));

    // An explicit inbox from the API caller is not re-routed.
    let mut body = json!({"contact": {"email": "x@vip.test"}, "subject": "s", "message": {"body": "b"}});
    body["inboxId"] = json!(support);
    assert_eq!(t.post("/api/v1/conversations", &admin, body).await.data(201)["inboxId"].as_i64(), Some(support));

    // The test box.
    let hit = t
        .post("/api/v1/routing-rules/test", &admin, json!({"subject": "my credit card", "sender": "a@b.test"}))
        .await
        .data(200)
        .clone();
    assert_eq!(hit["id"].as_i64(), Some(invoices));
    let miss = t.post("/api/v1/routing-rules/test", &admin, json!({"subject": "hello"})).await.data(200).clone();
    assert!(miss.is_null());
    t.delete(&format!("/api/v1/routing-rules/{invoices}"), &admin).await;
    assert_eq!(start(&t, &admin, "z@example.com", "invoice", "x").await["inboxId"].as_i64(), Some(support));
}

#[tokio::test]
async fn inbox_members_and_their_availability() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let (ada, ada_key) = t.user("Ada Agent", "ada@shop.test", Role::Agent).await;
    let (ben, _) = t.user("Ben Agent", "ben@shop.test", Role::Agent).await;
    let inbox = t.inbox_id("Support").await;
    let uri = format!("/api/v1/inboxes/{inbox}/members");
    t.post(&uri, &admin, json!({"userId": ada.0, "role": "agent"})).await.data(201);
    let m = t.post(&uri, &admin, json!({"userId": ben.0, "role": "admin"})).await.data(201).clone();
    assert_eq!(m["role"], "admin");
    t.post(&uri, &admin, json!({"userId": 999})).await.assert_invalid("userId");
    t.post(&uri, &ada_key, json!({"userId": ben.0})).await.assert_error(403, "forbidden");
    let names: Vec<String> = t
        .get(&uri, &ada_key)
        .await
        .data(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["Ada Agent", "Ben Agent"]);

    // Agents set their own availability; only admins set someone else's.
    let me =
        t.put(&format!("{uri}/{}/availability", ada.0), &ada_key, json!({"status": "away"})).await.data(200).clone();
    assert_eq!(me["availability"], "away");
    t.put(&format!("{uri}/{}/availability", ben.0), &ada_key, json!({"status": "away"}))
        .await
        .assert_error(403, "forbidden");
    t.put(&format!("{uri}/{}/availability", ada.0), &admin, json!({"status": "sleeping"}))
        .await
        .assert_error(422, "validation_failed");

    t.delete(&format!("{uri}/{}", ben.0), &admin).await;
    assert_eq!(t.get(&uri, &admin).await.data(200).as_array().unwrap().len(), 1);
    t.delete(&format!("{uri}/{}", ben.0), &admin).await.assert_error(404, "not_found");
}
