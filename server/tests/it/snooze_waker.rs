//! The snooze waker: a conversation snoozed over REST comes back Open when
//! its time has come, and not before. The clock is passed in, so nothing
//! here waits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use app::conversations::server::wake_due;
use app::time::Timestamp;
use app::users::model::Role;
use common::TestApp;
use serde_json::{json, Value};

#[tokio::test]
async fn a_snoozed_conversation_wakes_up_open_when_due() {
    let t = TestApp::new().await;
    let (ada_id, ada) = t.user("Ada Agent", "ada@example.com", Role::Agent).await;
    let id = t.create_conversation(&ada, None, "c@example.com", "Call me back next week").await["id"].as_i64().unwrap();
    let other = t.create_conversation(&ada, None, "d@example.com", "Later still").await["id"].as_i64().unwrap();
    let uri = format!("/api/v1/conversations/{id}");
    t.post(&format!("{uri}/messages"), &ada, json!({"kind": "reply", "body": "Will do"})).await.data(201);

    let until = Timestamp::now().plus_secs(3600);
    let c = t.patch(&uri, &ada, json!({"snoozedUntil": until.to_rfc3339()})).await.data(200).clone();
    assert_eq!(c["status"], "snoozed");
    assert_eq!(c["unread"], false);
    let later = until.plus_secs(24 * 3600);
    t.patch(
        &format!("/api/v1/conversations/{other}"),
        &ada,
        json!({"status": "snoozed", "snoozedUntil": later.to_rfc3339()}),
    )
    .await
    .data(200);

    // Before the time: nothing wakes.
    assert_eq!(wake_due(&t.state.db, &t.state.hub, until.plus_secs(-1)).await.unwrap(), 0);
    assert_eq!(t.get(&uri, &ada).await.data(200)["status"], "snoozed");

    // At the time: back to Open, unread, still Ada's, the snooze cleared.
    assert_eq!(wake_due(&t.state.db, &t.state.hub, until.plus_secs(1)).await.unwrap(), 1);
    let c = t.get(&uri, &ada).await.data(200).clone();
    assert_eq!(c["status"], "open");
    assert_eq!(c["snoozedUntil"], Value::Null);
    assert_eq!(c["unread"], true);
    assert_eq!(c["assigneeId"], ada_id.0);
    assert_eq!(
        t.get(&format!("/api/v1/conversations/{other}"), &ada).await.data(200)["status"],
        "snoozed",
        "not due yet"
    );
    let open = t.get("/api/v1/conversations?status=open", &ada).await;
    assert_eq!(common::ids(open.data(200)), vec![id]);

    // Waking is done once.
    assert_eq!(wake_due(&t.state.db, &t.state.hub, until.plus_secs(2)).await.unwrap(), 0);
    assert_eq!(wake_due(&t.state.db, &t.state.hub, later).await.unwrap(), 1);
    assert_eq!(t.get(&format!("/api/v1/conversations/{other}"), &ada).await.data(200)["status"], "open");
}

#[tokio::test]
async fn a_conversation_resolved_while_snoozed_stays_resolved() {
    let t = TestApp::new().await;
    let (_, ada) = t.user("Ada Agent", "ada@example.com", Role::Agent).await;
    let id = t.create_conversation(&ada, None, "c@example.com", "Help").await["id"].as_i64().unwrap();
    let uri = format!("/api/v1/conversations/{id}");
    let until = Timestamp::now().plus_secs(600);
    t.patch(&uri, &ada, json!({"snoozedUntil": until.to_rfc3339()})).await.data(200);
    t.patch(&uri, &ada, json!({"status": "resolved"})).await.data(200);

    assert_eq!(wake_due(&t.state.db, &t.state.hub, until.plus_secs(60)).await.unwrap(), 0);
    let c = t.get(&uri, &ada).await.data(200).clone();
    assert_eq!(c["status"], "resolved");
}
