//! Search from the list (the search box, `?q=` over REST): whole history,
//! combined with the view and filters, the same access rules, and each
//! result says which message matched.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::conversations::api::ListConversations;
use serde_json::{json, Value};

use crate::common::TestApp;

async fn list(t: &TestApp, cookie: &str, filter: Value) -> Value {
    let res = t.server_fn::<ListConversations>(json!({"filter": filter, "cursor": null}), Some(cookie), &[]).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    res.body
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn the_search_box_finds_a_word_in_an_old_message_and_says_where() {
    let t = TestApp::demo().await;
    let key = t.key_for("admin@demo.parley").await;
    let body = json!({"contact": {"email": "zed@customer.test"}, "subject": "Teapot",
        "message": {"body": "The spout of my teapot is wobbly"}});
    let id = t.post("/api/v1/conversations", &key, body).await.data(201)["id"].as_i64().unwrap();
    let first: i64 =
        t.get(&format!("/api/v1/conversations/{id}/messages"), &key).await.data(200)[0]["id"].as_i64().unwrap();
    // Later messages that do not match, and the conversation closed a year ago.
    t.post(&format!("/api/v1/conversations/{id}/messages"), &key, json!({"kind": "note", "body": "Sent a new lid"}))
        .await
        .data(201);
    sqlx::query(
        "UPDATE conversations SET status = 'closed', last_activity_at = last_activity_at - 31536000000 WHERE id = ?",
    )
    .bind(id)
    .execute(&t.state.db.writer)
    .await
    .unwrap();

    let admin = t.login("admin@demo.parley", "parley-demo").await;
    let page = list(&t, &admin, json!({"view": "all", "q": "wobbly", "sort": "newest"})).await;
    assert_eq!(ids(&page), vec![id]);
    assert_eq!(page["total"], 1);
    let hit = &page["items"][0]["hit"];
    assert_eq!(hit["messageId"], first, "opens at the message that matched");
    assert!(hit["snippet"].as_str().unwrap().contains("[[wobbly]]"), "{hit}");
    // The view still applies: "All open" leaves the closed one out.
    assert_eq!(
        ids(&list(&t, &admin, json!({"view": "all_open", "q": "wobbly", "sort": "newest"})).await),
        Vec::<i64>::new()
    );
    // A phrase in quotes matches only those words together.
    assert_eq!(
        ids(&list(&t, &admin, json!({"view": "all", "q": "\"spout of my teapot\"", "sort": "newest"})).await),
        vec![id]
    );
    assert!(ids(&list(&t, &admin, json!({"view": "all", "q": "\"teapot spout\"", "sort": "newest"})).await).is_empty());
    // The contact's address finds it too.
    assert_eq!(
        ids(&list(&t, &admin, json!({"view": "all", "q": "zed@customer.test", "sort": "newest"})).await),
        vec![id]
    );
}

#[tokio::test]
async fn search_honours_inbox_access_and_filters_and_the_rest_api_searches_too() {
    let t = TestApp::demo().await;
    let admin_key = t.key_for("admin@demo.parley").await;
    let billing = t.inbox_id("Billing").await;
    let body = json!({"inboxId": billing, "contact": {"email": "pay@customer.test"}, "subject": "Invoice",
        "message": {"body": "Please resend invoice kumquat"}});
    let id = t.post("/api/v1/conversations", &admin_key, body).await.data(201)["id"].as_i64().unwrap();

    let admin = t.login("admin@demo.parley", "parley-demo").await;
    let ada = t.login("ada@demo.parley", "parley-demo").await;
    let q = json!({"view": "all", "q": "kumquat", "sort": "newest"});
    assert_eq!(ids(&list(&t, &admin, q.clone()).await), vec![id]);
    assert!(ids(&list(&t, &ada, q).await).is_empty(), "Ada may not see Billing, so search does not show it");
    let other = t.inbox_id("Support").await;
    assert!(ids(&list(&t, &admin, json!({"view": "all", "inboxId": other, "q": "kumquat", "sort": "newest"})).await)
        .is_empty());

    let rest = t.get("/api/v1/conversations?q=kumquat", &admin_key).await;
    let found: Vec<i64> = rest.data(200).as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(found, vec![id]);
    let ada_key = t.key_for("ada@demo.parley").await;
    assert!(t.get("/api/v1/conversations?q=kumquat", &ada_key).await.data(200).as_array().unwrap().is_empty());
    // A search too long to run is refused, naming the field.
    let long = "word ".repeat(60);
    t.get(&format!("/api/v1/conversations?q={}", long.trim().replace(' ', "+")), &admin_key)
        .await
        .assert_error(422, "validation_failed");
}
