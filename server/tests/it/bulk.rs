//! Bulk actions (the list's bulk bar): one change to many conversations,
//! with a count of what changed and, for each refusal, why; a refusal
//! leaves the others changed, and the same access rules as one at a time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::conversations::api::BulkUpdateConversations;
use serde_json::{json, Value};

use crate::common::TestApp;

async fn ids_in(t: &TestApp, inbox: i64, n: i64) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM conversations WHERE inbox_id = ? AND status <> 'closed' ORDER BY id LIMIT ?")
        .bind(inbox)
        .bind(n)
        .fetch_all(&t.state.db.pool)
        .await
        .unwrap()
}

async fn status_of(t: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM conversations WHERE id = ?")
        .bind(id)
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap()
}

fn refused(body: &Value) -> Vec<(i64, String)> {
    body["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_i64().unwrap(), r["reason"].as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn a_bulk_close_changes_what_the_agent_may_change_and_says_why_not_the_rest() {
    let t = TestApp::demo().await;
    let support = ids_in(&t, t.inbox_id("Support").await, 3).await;
    let billing = ids_in(&t, t.inbox_id("Billing").await, 1).await;
    // Ada may not see Billing.
    let ada = t.login("ada@demo.parley", "parley-demo").await;
    let events_before = events_of(&t, support[0]).await;
    let all: Vec<i64> = support.iter().chain(&billing).copied().collect();
    let res = t
        .server_fn::<BulkUpdateConversations>(
            json!({"target": {"ids": all}, "patch": {"status": "closed"}}),
            Some(&ada),
            &[],
        )
        .await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    let changed: Vec<i64> = res.body["changed"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert_eq!(changed, support);
    assert_eq!(refused(&res.body), vec![(billing[0], "you may not change it".to_string())]);
    for id in &support {
        assert_eq!(status_of(&t, *id).await, "closed");
    }
    assert_ne!(status_of(&t, billing[0]).await, "closed", "the refused one is untouched");

    // Each change is an event (the live stream, the history), like a change made one at a time.
    assert_eq!(events_of(&t, support[0]).await, events_before + 1);
}

async fn events_of(t: &TestApp, id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE conversation_id = ?")
        .bind(id)
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap()
}

async fn count(t: &TestApp, sql: &str, bind: i64) -> i64 {
    sqlx::query_scalar(sql).bind(bind).fetch_one(&t.state.db.pool).await.unwrap()
}

#[tokio::test]
async fn a_refused_assignment_names_the_reason_and_the_rest_are_assigned() {
    let t = TestApp::demo().await;
    let admin = t.login("admin@demo.parley", "parley-demo").await;
    let support = ids_in(&t, t.inbox_id("Support").await, 2).await;
    let billing = ids_in(&t, t.inbox_id("Billing").await, 1).await;
    let ben = t.user_id("ben@demo.parley").await;
    let all: Vec<i64> = support.iter().chain(&billing).copied().collect();
    let res = t
        .server_fn::<BulkUpdateConversations>(
            json!({"target": {"ids": all}, "patch": {"assigneeId": ben}}),
            Some(&admin),
            &[],
        )
        .await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    assert_eq!(res.body["changed"].as_array().unwrap().len(), 2);
    assert_eq!(refused(&res.body), vec![(billing[0], "assigneeId: that user has no access to this inbox".to_string())]);
    let assigned: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE assignee_id = ? AND id IN (?, ?)")
        .bind(ben)
        .bind(support[0])
        .bind(support[1])
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
    assert_eq!(assigned, 2);
}

#[tokio::test]
async fn a_bulk_change_can_target_everything_a_filter_matches() {
    let t = TestApp::demo().await;
    let admin = t.login("admin@demo.parley", "parley-demo").await;
    let sales = t.inbox_id("Sales").await;
    let in_sales = "SELECT COUNT(*) FROM conversations WHERE inbox_id = ? AND spam = 0";
    let high_elsewhere = "SELECT COUNT(*) FROM conversations WHERE inbox_id <> ? AND priority = 'high'";
    let before = count(&t, in_sales, sales).await;
    let elsewhere_before = count(&t, high_elsewhere, sales).await;
    assert!(before > 1);
    let filter = json!({"view": "all", "inboxId": sales, "sort": "newest"});
    let res = t
        .server_fn::<BulkUpdateConversations>(
            json!({"target": {"matching": filter}, "patch": {"priority": "high"}}),
            Some(&admin),
            &[],
        )
        .await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    assert_eq!(res.body["changed"].as_array().unwrap().len() as i64, before);
    let high = count(&t, "SELECT COUNT(*) FROM conversations WHERE inbox_id = ? AND priority = 'high'", sales).await;
    assert_eq!(high, before);
    assert_eq!(count(&t, high_elsewhere, sales).await, elsewhere_before, "other inboxes are untouched");
}

#[tokio::test]
async fn too_many_ids_at_once_are_refused_whole() {
    let t = TestApp::demo().await;
    let admin = t.login("admin@demo.parley", "parley-demo").await;
    let closed_before = count(&t, "SELECT COUNT(*) FROM conversations WHERE status = 'closed' AND ? = 1", 1).await;
    let ids: Vec<i64> = (1..=1001).collect();
    let res = t
        .server_fn::<BulkUpdateConversations>(
            json!({"target": {"ids": ids}, "patch": {"status": "closed"}}),
            Some(&admin),
            &[],
        )
        .await;
    assert!(!res.status.is_success());
    assert_eq!(res.body["field"], "ids", "{}", res.body);
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM conversations WHERE status = 'closed' AND ? = 1", 1).await,
        closed_before,
        "nothing changed"
    );
}
