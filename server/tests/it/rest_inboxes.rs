//! `/api/v1/inboxes` as an API client sees it: CRUD, the delete guard and
//! `?moveTo=`, and the documented errors (403, 404, 409, 422).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use app::users::model::Role;
use common::{ids, TestApp};
use serde_json::json;

fn full_inbox() -> serde_json::Value {
    json!({
        "name": "Technical Support",
        "description": "Technical issues",
        "email": "tech@example.com",
        "isDefault": false,
        "color": "#3B82F6",
        "icon": "wrench",
        "defaultAssigneeId": null,
        "access": {"everyone": true, "userIds": [], "teamIds": []},
        "assignmentRules": {"type": "round_robin", "fallbackUserId": null, "onlyAvailable": true},
        "workingHours": {
            "enabled": true,
            "timezone": "America/New_York",
            "schedule": {"monday": {"start": "09:00", "end": "17:00"}, "saturday": null},
            "holidays": ["2026-12-25"]
        },
        "autoResponder": {"enabled": true, "message": "We got it", "delaySeconds": 5,
                          "conditions": {"outsideWorkingHours": true}},
        "outsideHoursMessage": "We're offline"
    })
}

#[tokio::test]
async fn inbox_crud_round_trip() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;

    let created = t.post("/api/v1/inboxes", &admin, full_inbox()).await.data(201).clone();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["name"], "Technical Support");
    assert_eq!(created["description"], "Technical issues");
    assert_eq!(created["email"], "tech@example.com");
    assert_eq!(created["color"], "#3B82F6");
    assert_eq!(created["icon"], "wrench");
    assert_eq!(created["isDefault"], false);
    assert_eq!(created["assignmentRules"]["type"], "round_robin");
    assert_eq!(created["workingHours"]["timezone"], "America/New_York");
    assert_eq!(created["workingHours"]["schedule"]["monday"]["start"], "09:00");
    assert_eq!(created["workingHours"]["holidays"], json!(["2026-12-25"]));
    assert_eq!(created["autoResponder"]["delaySeconds"], 5);
    assert_eq!(created["autoResponder"]["conditions"]["outsideWorkingHours"], true);
    assert_eq!(created["outsideHoursMessage"], "We're offline");
    assert_eq!(created["access"]["everyone"], true);

    // Read back: the same document, and it is listed next to the default inbox.
    assert_eq!(t.get(&format!("/api/v1/inboxes/{id}"), &admin).await.data(200), &created);
    let list = t.get("/api/v1/inboxes", &admin).await.data(200).clone();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(ids(&list).contains(&id));

    // PUT changes what it names and keeps what it leaves out.
    let updated = t
        .put(&format!("/api/v1/inboxes/{id}"), &admin, json!({"description": "Bugs and crashes", "color": "#10B981"}))
        .await
        .data(200)
        .clone();
    assert_eq!(updated["description"], "Bugs and crashes");
    assert_eq!(updated["color"], "#10B981");
    assert_eq!(updated["name"], "Technical Support");
    assert_eq!(updated["icon"], "wrench");
    assert_eq!(updated["autoResponder"], created["autoResponder"]);
    assert_eq!(t.get(&format!("/api/v1/inboxes/{id}"), &admin).await.data(200), &updated);

    // DELETE: 204 with no body, then it is gone.
    let del = t.delete(&format!("/api/v1/inboxes/{id}"), &admin).await;
    assert_eq!(del.status.as_u16(), 204);
    assert_eq!(del.body, json!(""));
    t.get(&format!("/api/v1/inboxes/{id}"), &admin).await.assert_error(404, "not_found");
    assert!(!ids(t.get("/api/v1/inboxes", &admin).await.data(200)).contains(&id));
}

#[tokio::test]
async fn delete_is_refused_while_the_inbox_holds_conversations_unless_moved() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    let support = t.inbox_id("Support").await;
    let sales = t.post("/api/v1/inboxes", &admin, json!({"name": "Sales"})).await.data(201)["id"].as_i64().unwrap();
    let conv = t.create_conversation(&admin, Some(sales), "buyer@example.com", "Pricing").await;
    assert_eq!(conv["inboxId"], sales);
    let conv_id = conv["id"].as_i64().unwrap();

    let refused = t.delete(&format!("/api/v1/inboxes/{sales}"), &admin).await;
    refused.assert_error(409, "conflict");
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("moveTo"));
    // Nothing changed: the inbox and its conversation are where they were.
    t.get(&format!("/api/v1/inboxes/{sales}"), &admin).await.data(200);
    assert_eq!(t.get(&format!("/api/v1/conversations/{conv_id}"), &admin).await.data(200)["inboxId"], sales);

    // Moving to itself or to an inbox that does not exist is refused too.
    t.delete(&format!("/api/v1/inboxes/{sales}?moveTo={sales}"), &admin).await.assert_invalid("moveTo");
    t.delete(&format!("/api/v1/inboxes/{sales}?moveTo=9999"), &admin).await.assert_invalid("moveTo");
    t.get(&format!("/api/v1/inboxes/{sales}"), &admin).await.data(200);

    let moved = t.delete(&format!("/api/v1/inboxes/{sales}?moveTo={support}"), &admin).await;
    assert_eq!(moved.status.as_u16(), 204, "{}", moved.body);
    t.get(&format!("/api/v1/inboxes/{sales}"), &admin).await.assert_error(404, "not_found");
    let conv = t.get(&format!("/api/v1/conversations/{conv_id}"), &admin).await.data(200).clone();
    assert_eq!(conv["inboxId"], support);
    assert_eq!(t.messages(&admin, conv_id).await.len(), 1, "the thread survives the move");
}

#[tokio::test]
async fn duplicate_inbox_names_conflict() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    t.post("/api/v1/inboxes", &admin, json!({"name": "Sales"})).await.data(201);
    let other = t.post("/api/v1/inboxes", &admin, json!({"name": "Returns"})).await.data(201)["id"].as_i64().unwrap();

    t.post("/api/v1/inboxes", &admin, json!({"name": "Sales"})).await.assert_error(409, "conflict");
    t.post("/api/v1/inboxes", &admin, json!({"name": "Support"})).await.assert_error(409, "conflict");
    // Renaming onto a taken name conflicts as well, and leaves the name alone.
    t.put(&format!("/api/v1/inboxes/{other}"), &admin, json!({"name": "Sales"})).await.assert_error(409, "conflict");
    assert_eq!(t.get(&format!("/api/v1/inboxes/{other}"), &admin).await.data(200)["name"], "Returns");
    assert_eq!(t.get("/api/v1/inboxes", &admin).await.data(200).as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn invalid_inbox_fields_are_named() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    t.post("/api/v1/inboxes", &admin, json!({"name": "  "})).await.assert_invalid("name");
    t.post("/api/v1/inboxes", &admin, json!({"name": "x".repeat(101)})).await.assert_invalid("name");
    t.post("/api/v1/inboxes", &admin, json!({"name": "Sales", "color": "blue"})).await.assert_invalid("color");
    t.post("/api/v1/inboxes", &admin, json!({"name": "Sales", "email": "not-an-address"}))
        .await
        .assert_invalid("email");
    let bad_hours =
        json!({"name": "Sales", "workingHours": {"schedule": {"monday": {"start": "17:00", "end": "09:00"}}}});
    t.post("/api/v1/inboxes", &admin, bad_hours).await.assert_invalid("workingHours.schedule");
    // Only the default inbox exists: nothing was created by the bad requests.
    assert_eq!(t.get("/api/v1/inboxes", &admin).await.data(200).as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn agents_cannot_manage_inboxes_nor_see_restricted_ones() {
    let t = TestApp::demo().await;
    let ada = t.key_for("ada@demo.parley").await;
    let admin = t.key_for("admin@demo.parley").await;
    let billing = t.inbox_id("Billing").await;
    let sales = t.inbox_id("Sales").await;

    t.post("/api/v1/inboxes", &ada, json!({"name": "Ada's inbox"})).await.assert_error(403, "forbidden");
    t.put(&format!("/api/v1/inboxes/{sales}"), &ada, json!({"name": "Renamed"})).await.assert_error(403, "forbidden");
    t.delete(&format!("/api/v1/inboxes/{sales}"), &ada).await.assert_error(403, "forbidden");
    let all = t.get("/api/v1/inboxes", &admin).await.data(200).clone();
    assert_eq!(all.as_array().unwrap().len(), 3, "nothing was created");
    assert_eq!(t.get(&format!("/api/v1/inboxes/{sales}"), &admin).await.data(200)["name"], "Sales");

    // Billing is restricted to Chloe: Ada does not get it listed or by id.
    let mine = ids(t.get("/api/v1/inboxes", &ada).await.data(200));
    assert!(!mine.contains(&billing));
    assert!(mine.contains(&sales));
    t.get(&format!("/api/v1/inboxes/{billing}"), &ada).await.assert_error(403, "forbidden");
    let chloe = t.key_for("chloe@demo.parley").await;
    assert!(ids(t.get("/api/v1/inboxes", &chloe).await.data(200)).contains(&billing));
}

#[tokio::test]
async fn unknown_inboxes_are_not_found() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    t.get("/api/v1/inboxes/9999", &admin).await.assert_error(404, "not_found");
    t.put("/api/v1/inboxes/9999", &admin, json!({"description": "x"})).await.assert_error(404, "not_found");
    t.delete("/api/v1/inboxes/9999", &admin).await.assert_error(404, "not_found");
}
