//! The manager layouts' server side: saved views (private, shared, who may
//! delete), the card board's lanes, the list view's remembered columns,
//! and the list count's cap on a big workspace.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::conversations::api::SaveListColumns;
use app::conversations::board::ListBoard;
use app::conversations::model::{count_label, ListFilter, Priority, Status, View, COUNT_CAP};
use app::saved_views::api::{DeleteSavedView, ListSavedViews, SaveView};
use app::users::api::Me;
use serde_json::{json, Value};

use crate::common::TestApp;

const PW: &str = "parley-demo";

fn names(body: &Value) -> Vec<String> {
    body.as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap().to_string()).collect()
}

fn urgent_billing() -> ListFilter {
    ListFilter { view: View::All, priority: Some(Priority::Urgent), q: Some("refund".into()), ..ListFilter::default() }
}

#[tokio::test]
async fn a_private_view_is_its_owners_and_a_shared_one_the_teams() {
    let t = TestApp::demo().await;
    let ada = t.login("ada@demo.parley", PW).await;
    let ben = t.login("ben@demo.parley", PW).await;
    let f = serde_json::to_value(urgent_billing()).unwrap();

    let mine =
        t.server_fn::<SaveView>(json!({"name": "My refunds", "filter": f, "shared": false}), Some(&ada), &[]).await;
    assert_eq!(mine.status.as_u16(), 200, "{}", mine.body);
    let team =
        t.server_fn::<SaveView>(json!({"name": "Team urgent", "filter": f, "shared": true}), Some(&ada), &[]).await;
    assert_eq!(team.status.as_u16(), 200, "{}", team.body);

    // Ada sees both, with the filter exactly as saved; Ben only the shared one.
    let list = t.server_fn::<ListSavedViews>(json!({}), Some(&ada), &[]).await;
    assert_eq!(names(&list.body), ["My refunds", "Team urgent"]);
    let back: ListFilter = serde_json::from_value(list.body[0]["filter"].clone()).unwrap();
    assert_eq!(back, urgent_billing());
    let list = t.server_fn::<ListSavedViews>(json!({}), Some(&ben), &[]).await;
    assert_eq!(names(&list.body), ["Team urgent"]);
    assert_eq!(list.body[0]["ownerName"], "Ada Park");
    assert_eq!(list.body[0]["canDelete"], false);

    // Ben may not delete Ada's views: the shared one is refused, the
    // private one does not exist for him.
    let shared_id = team.body["id"].clone();
    let private_id = mine.body["id"].clone();
    let res = t.server_fn::<DeleteSavedView>(json!({"id": shared_id}), Some(&ben), &[]).await;
    assert_eq!(res.body["code"], "forbidden", "{}", res.body);
    let res = t.server_fn::<DeleteSavedView>(json!({"id": private_id}), Some(&ben), &[]).await;
    assert_eq!(res.body["code"], "not_found", "{}", res.body);

    // An admin may tidy up the team's shared views.
    let admin = t.login("admin@demo.parley", PW).await;
    let res = t.server_fn::<DeleteSavedView>(json!({"id": shared_id}), Some(&admin), &[]).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    let list = t.server_fn::<ListSavedViews>(json!({}), Some(&ada), &[]).await;
    assert_eq!(names(&list.body), ["My refunds"]);
}

#[tokio::test]
async fn saving_under_a_used_name_replaces_and_a_blank_name_is_refused() {
    let t = TestApp::demo().await;
    let ada = t.login("ada@demo.parley", PW).await;
    let first = serde_json::to_value(ListFilter { status: Some(Status::Pending), ..ListFilter::default() }).unwrap();
    let second = serde_json::to_value(urgent_billing()).unwrap();
    t.server_fn::<SaveView>(json!({"name": "Waiting", "filter": first, "shared": false}), Some(&ada), &[]).await;
    let again =
        t.server_fn::<SaveView>(json!({"name": "waiting ", "filter": second, "shared": false}), Some(&ada), &[]).await;
    assert_eq!(again.status.as_u16(), 200, "{}", again.body);
    let list = t.server_fn::<ListSavedViews>(json!({}), Some(&ada), &[]).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1, "one view per name: {}", list.body);
    let back: ListFilter = serde_json::from_value(list.body[0]["filter"].clone()).unwrap();
    assert_eq!(back, urgent_billing());

    for name in ["  ", &"x".repeat(61)] {
        let res =
            t.server_fn::<SaveView>(json!({"name": name, "filter": first, "shared": false}), Some(&ada), &[]).await;
        assert_eq!(res.body["code"], "validation", "{}", res.body);
        assert_eq!(res.body["field"], "name", "{}", res.body);
    }
    // Nobody signed in: nothing to list or save.
    let res = t.server_fn::<ListSavedViews>(json!({}), None, &[]).await;
    assert_eq!(res.body["code"], "unauthorized", "{}", res.body);
}

#[tokio::test]
async fn the_list_views_columns_are_remembered_per_user() {
    let t = TestApp::demo().await;
    let ada = t.login("ada@demo.parley", PW).await;
    let ben = t.login("ben@demo.parley", PW).await;
    let me = t.server_fn::<Me>(json!({}), Some(&ada), &[]).await;
    assert_eq!(me.body["list_columns"], Value::Null, "the default set until chosen");
    let cols = json!(["status", "contact", "first_response"]);
    let res = t.server_fn::<SaveListColumns>(json!({"columns": cols}), Some(&ada), &[]).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    let me = t.server_fn::<Me>(json!({}), Some(&ada), &[]).await;
    assert_eq!(me.body["list_columns"], cols);
    let other = t.server_fn::<Me>(json!({}), Some(&ben), &[]).await;
    assert_eq!(other.body["list_columns"], Value::Null, "Ben's columns are his own");
    let res = t.server_fn::<SaveListColumns>(json!({"columns": []}), Some(&ada), &[]).await;
    assert_eq!(res.body["field"], "columns", "{}", res.body);
}

#[tokio::test]
async fn the_board_has_a_lane_per_status_each_listing_what_its_filter_matches() {
    let t = TestApp::demo().await;
    let ada = t.login("ada@demo.parley", PW).await;
    let res =
        t.server_fn::<ListBoard>(json!({"filter": ListFilter::default(), "group": "status"}), Some(&ada), &[]).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    let lanes = res.body.as_array().unwrap();
    let keys: Vec<&str> = lanes.iter().map(|l| l["lane"]["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["new", "open", "pending", "snoozed", "resolved", "closed"]);
    // Each lane holds exactly its status's conversations that Ada may see
    // (not Billing's), resolved and closed too although the view is "All open".
    for lane in lanes {
        let status = lane["lane"]["key"].as_str().unwrap();
        let want: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversations c JOIN inboxes i ON i.id = c.inbox_id
              WHERE c.status = ? AND c.spam = 0 AND i.name <> 'Billing'",
        )
        .bind(status)
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
        assert_eq!(lane["page"]["total"], want, "{status}");
        for card in lane["page"]["items"].as_array().unwrap() {
            assert_eq!(card["status"], status);
            assert_ne!(card["inboxName"], "Billing");
        }
    }
    assert!(lanes.iter().any(|l| l["page"]["total"].as_i64().unwrap() > 0));
    assert_eq!(lanes[3]["lane"]["drop"], Value::Null, "snoozing needs a time: no drop on Snoozed");
    assert_eq!(lanes[4]["lane"]["drop"]["status"], "resolved");

    // By assignee: Unassigned first, then each person.
    let res =
        t.server_fn::<ListBoard>(json!({"filter": ListFilter::default(), "group": "assignee"}), Some(&ada), &[]).await;
    let titles: Vec<&str> = res.body.as_array().unwrap().iter().map(|l| l["lane"]["title"].as_str().unwrap()).collect();
    assert_eq!(titles[0], "Unassigned");
    assert!(titles.contains(&"Ada Park") && titles.contains(&"Chloe Martin"), "{titles:?}");
}

#[tokio::test]
async fn a_big_list_counts_up_to_the_cap_and_says_so() {
    let t = TestApp::demo().await;
    // 10 050 more open conversations, written in one statement.
    sqlx::query(
        "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 10050)
         INSERT INTO conversations (workspace_id, inbox_id, channel_id, contact_id, subject, preview, status, created_at, last_activity_at)
         SELECT c.workspace_id, c.inbox_id, c.channel_id, c.contact_id, 'Bulk ' || n, '', 'open', n, n
           FROM s, (SELECT * FROM conversations WHERE inbox_id = (SELECT id FROM inboxes WHERE name = 'Support') LIMIT 1) c",
    )
    .execute(&t.state.db.writer)
    .await
    .unwrap();
    let who = app::users::server::principal(&t.state.db, t.user_id("admin@demo.parley").await).await.unwrap().unwrap();
    let page = app::conversations::server::list(&t.state.db, &who, &ListFilter::default(), None, 30).await.unwrap();
    assert_eq!(page.total, Some(COUNT_CAP + 1), "counted to one past the cap");
    assert_eq!(count_label(page.total.unwrap()), "10,000+ conversations");
    let next =
        app::conversations::server::list(&t.state.db, &who, &ListFilter::default(), page.next_cursor.as_deref(), 30)
            .await
            .unwrap();
    assert_eq!(next.total, None, "later pages do not count again");
    assert_eq!(next.items.len(), 30);
}
