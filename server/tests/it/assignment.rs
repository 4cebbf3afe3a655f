//! An inbox's assignment rule at work when conversations arrive: round
//! robin takes turns among available agents and keeps its turn in the
//! database; least busy picks whoever has the fewest open conversations.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::users::model::Role;
use serde_json::json;

use crate::common::TestApp;

async fn arrive(t: &TestApp, key: &str, inbox: i64, n: usize) -> Vec<Option<i64>> {
    let mut out = Vec::new();
    for i in 0..n {
        let c = t.create_conversation(key, Some(inbox), &format!("c{i}-{inbox}@x.test"), &format!("Q{i}")).await;
        out.push(c["assigneeId"].as_i64());
    }
    out
}

#[tokio::test]
async fn round_robin_and_least_busy_assign_new_conversations() {
    let t = TestApp::new().await;
    let (admin_id, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let (ada, _) = t.user("Ada", "ada@shop.test", Role::Agent).await;
    let (ben, _) = t.user("Ben", "ben@shop.test", Role::Agent).await;
    let (cat, _) = t.user("Cat", "cat@shop.test", Role::Agent).await;
    let inbox = t.inbox_id("Support").await;
    // Cat is away; only available agents take conversations.
    t.patch(&format!("/api/v1/users/{}", cat.0), &admin, json!({"availability": "away"})).await.data(200);
    t.put(
        &format!("/api/v1/inboxes/{inbox}"),
        &admin,
        json!({"assignmentRules": {"type": "round_robin", "onlyAvailable": true, "fallbackUserId": null}}),
    )
    .await
    .data(200);
    let got = arrive(&t, &admin, inbox, 4).await;
    let (a, b, n) = (Some(admin_id.0), Some(ada.0), Some(ben.0));
    assert_eq!(got, vec![a, b, n, a], "turns in order, Cat (away) skipped");

    // The turn is in the database: a restarted app goes on from there.
    let again = arrive(&t, &admin, inbox, 1).await;
    assert_eq!(again, vec![b]);
    let turn: Option<i64> = sqlx::query_scalar("SELECT last_user_id FROM inbox_round_robin WHERE inbox_id = ?")
        .bind(inbox)
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
    assert_eq!(turn, Some(ada.0));

    // Least busy: Ben has one open conversation, the others two; then Cat
    // comes back with none and is next.
    t.put(
        &format!("/api/v1/inboxes/{inbox}"),
        &admin,
        json!({"assignmentRules": {"type": "least_busy", "onlyAvailable": true, "fallbackUserId": null}}),
    )
    .await
    .data(200);
    assert_eq!(arrive(&t, &admin, inbox, 1).await, vec![n]);
    t.patch(&format!("/api/v1/users/{}", cat.0), &admin, json!({"availability": "available"})).await.data(200);
    assert_eq!(arrive(&t, &admin, inbox, 1).await, vec![Some(cat.0)]);

    // Nobody available: the fallback user, else unassigned.
    for u in [admin_id, ada, ben, cat] {
        t.patch(&format!("/api/v1/users/{}", u.0), &admin, json!({"availability": "offline"})).await.data(200);
    }
    assert_eq!(arrive(&t, &admin, inbox, 1).await, vec![None]);
    t.put(
        &format!("/api/v1/inboxes/{inbox}"),
        &admin,
        json!({"assignmentRules": {"type": "least_busy", "onlyAvailable": true, "fallbackUserId": ben.0}}),
    )
    .await
    .data(200);
    assert_eq!(arrive(&t, &admin, inbox, 1).await, vec![n]);

    // The audit trail says who and why.
    let change: String = sqlx::query_scalar(
        "SELECT json_extract(payload, '$.change') FROM events WHERE kind = 'conversation.created' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&t.state.db.pool)
    .await
    .unwrap();
    assert_eq!(change, "created, assigned to Ben by the fallback rule");
}
