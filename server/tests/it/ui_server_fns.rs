//! The server functions the UI calls, over HTTP as the browser calls them
//! (JSON bodies, the session cookie): signing in, the conversation list,
//! and the refusals (no session, wrong password, another site's page).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::HashSet;

use app::conversations::api::{ListConversations, UpdateConversation};
use app::conversations::model::{ConversationPage, ListFilter, View};
use app::users::api::{Login, Me};
use common::{TestApp, PUBLIC_URL};
use serde_json::{json, Value};

fn list_args(filter: &ListFilter) -> Value {
    json!({"filter": serde_json::to_value(filter).unwrap(), "cursor": null})
}

async fn active_ids_in_db(t: &TestApp, skip_inbox: Option<i64>) -> HashSet<i64> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM conversations WHERE status IN ('new', 'open', 'pending') AND spam = 0 AND inbox_id <> ?",
    )
    .bind(skip_inbox.unwrap_or(-1))
    .fetch_all(&t.state.db.pool)
    .await
    .unwrap();
    ids.into_iter().collect()
}

#[tokio::test]
async fn a_wrong_password_signs_nobody_in() {
    let t = TestApp::demo().await;
    let res = t.server_fn::<Login>(json!({"email": "ada@demo.parley", "password": "guess"}), None, &[]).await;
    assert!(!res.status.is_success(), "wrong password accepted: {}", res.body);
    // Server functions carry `AppError` as serde writes it (its `code` tag),
    // which the UI decodes back into the same enum.
    assert_eq!(res.body["code"], "validation", "{}", res.body);
    assert_eq!(res.body["field"], "password");
    assert_eq!(res.session_cookie(), None, "no session for a failed login");
    // An unknown address fails the same way, so it does not tell who has an account.
    let unknown = t.server_fn::<Login>(json!({"email": "nobody@demo.parley", "password": "guess"}), None, &[]).await;
    assert_eq!(unknown.body, res.body);
    assert_eq!(unknown.session_cookie(), None);

    // The right password does sign in, and `me` then knows who it is.
    let cookie = t.login("ADA@demo.parley", "parley-demo").await;
    let me = t.server_fn::<Me>(json!({}), Some(&cookie), &[]).await;
    assert_eq!(me.status.as_u16(), 200, "{}", me.body);
    assert_eq!(me.body["user"]["email"], "ada@demo.parley");
    assert_eq!(me.body["workspace_name"], "Acme Inc.");
}

#[tokio::test]
async fn signed_in_users_list_the_demo_conversations_they_may_see() {
    let t = TestApp::demo().await;

    let admin = t.login("admin@demo.parley", "parley-demo").await;
    let res = t.server_fn::<ListConversations>(list_args(&ListFilter::default()), Some(&admin), &[]).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    let page: ConversationPage = serde_json::from_value(res.body).unwrap();
    let listed: HashSet<i64> = page.items.iter().map(|c| c.id.0).collect();
    let expected = active_ids_in_db(&t, None).await;
    assert!(!expected.is_empty());
    assert_eq!(listed, expected, "the 'all open' view lists every active conversation");
    assert_eq!(page.total, Some(expected.len() as i64));
    assert_eq!(listed.len(), page.items.len(), "no duplicates");
    assert!(page.event_cursor > 0);
    assert!(page.items.iter().all(|c| !c.contact_name.is_empty() && !c.subject.is_empty()));

    // Ada may not see Billing: her list is the rest.
    let billing = t.inbox_id("Billing").await;
    let ada = t.login("ada@demo.parley", "parley-demo").await;
    let res = t.server_fn::<ListConversations>(list_args(&ListFilter::default()), Some(&ada), &[]).await;
    let page: ConversationPage = serde_json::from_value(res.body).unwrap();
    let listed: HashSet<i64> = page.items.iter().map(|c| c.id.0).collect();
    assert_eq!(listed, active_ids_in_db(&t, Some(billing)).await);
    assert!(page.items.iter().all(|c| c.inbox_id.0 != billing));

    // The "Unassigned" view narrows it further.
    let filter = ListFilter { view: View::Unassigned, ..ListFilter::default() };
    let res = t.server_fn::<ListConversations>(list_args(&filter), Some(&ada), &[]).await;
    let page: ConversationPage = serde_json::from_value(res.body).unwrap();
    assert!(!page.items.is_empty());
    assert!(page.items.iter().all(|c| c.assignee_id.is_none()));
}

#[tokio::test]
async fn server_functions_without_a_session_are_unauthorized() {
    let t = TestApp::demo().await;
    let res = t.server_fn::<ListConversations>(list_args(&ListFilter::default()), None, &[]).await;
    assert!(!res.status.is_success());
    assert_eq!(res.body["code"], "unauthorized", "{}", res.body);
    let res =
        t.server_fn::<ListConversations>(list_args(&ListFilter::default()), Some("parley_session=forged"), &[]).await;
    assert_eq!(res.body["code"], "unauthorized", "{}", res.body);

    // A change without a session changes nothing.
    let admin = t.key_for("admin@demo.parley").await;
    let id = t.get("/api/v1/conversations?status=open", &admin).await.data(200)[0]["id"].as_i64().unwrap();
    let res = t.server_fn::<UpdateConversation>(json!({"id": id, "patch": {"status": "closed"}}), None, &[]).await;
    assert_eq!(res.body["code"], "unauthorized", "{}", res.body);
    assert_eq!(t.get(&format!("/api/v1/conversations/{id}"), &admin).await.data(200)["status"], "open");
}

#[tokio::test]
async fn server_functions_called_from_another_site_are_refused() {
    let t = TestApp::demo().await;
    let admin_key = t.key_for("admin@demo.parley").await;
    let cookie = t.login("admin@demo.parley", "parley-demo").await;
    let id = t.get("/api/v1/conversations?status=open", &admin_key).await.data(200)[0]["id"].as_i64().unwrap();
    let close = json!({"id": id, "patch": {"status": "closed"}});

    // A page on evil.example posting with the user's cookie.
    let res =
        t.server_fn::<UpdateConversation>(close.clone(), Some(&cookie), &[("origin", "https://evil.example")]).await;
    assert_eq!(res.status.as_u16(), 403, "{}", res.body);
    assert_eq!(
        t.get(&format!("/api/v1/conversations/{id}"), &admin_key).await.data(200)["status"],
        "open",
        "nothing changed"
    );
    let res = t
        .server_fn::<Login>(
            json!({"email": "admin@demo.parley", "password": "parley-demo"}),
            None,
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(res.status.as_u16(), 403);
    assert_eq!(res.session_cookie(), None);

    // The same call from Parley's own page goes through.
    let res = t.server_fn::<UpdateConversation>(close, Some(&cookie), &[("origin", PUBLIC_URL)]).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    assert_eq!(res.body["status"], "closed");
    assert_eq!(t.get(&format!("/api/v1/conversations/{id}"), &admin_key).await.data(200)["status"], "closed");
}

#[tokio::test]
async fn the_assignee_picker_offers_only_people_who_see_the_inbox() {
    use app::conversations::api::GetConversation;
    let t = TestApp::demo().await;
    let admin = t.login("admin@demo.parley", "parley-demo").await;
    let names = |body: &Value| -> Vec<String> {
        body["assignable"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_string()).collect()
    };
    let first_in = |inbox: i64| {
        let pool = t.state.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM conversations WHERE inbox_id = ? ORDER BY id LIMIT 1")
                .bind(inbox)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };

    // Billing is restricted to Chloe: she and the admin are offered, nobody else.
    let billing = first_in(t.inbox_id("Billing").await).await;
    let res = t.server_fn::<GetConversation>(json!({"id": billing}), Some(&admin), &[]).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    assert_eq!(names(&res.body), ["Alex Admin", "Chloe Martin"]);

    // Support is open to everyone: every user, by name.
    let support = first_in(t.inbox_id("Support").await).await;
    let res = t.server_fn::<GetConversation>(json!({"id": support}), Some(&admin), &[]).await;
    assert_eq!(names(&res.body), ["Ada Park", "Alex Admin", "Ben Ortiz", "Chloe Martin"]);

    // And the server refuses the others, whatever the page offered.
    let res = t
        .server_fn::<UpdateConversation>(
            json!({"id": billing, "patch": {"assigneeId": t.user_id("ben@demo.parley").await}}),
            Some(&admin),
            &[],
        )
        .await;
    assert!(!res.status.is_success(), "{}", res.body);
    assert_eq!(res.body["code"], "validation", "{}", res.body);
    assert_eq!(res.body["field"], "assigneeId");
}
