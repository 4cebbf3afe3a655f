//! `/api/v1/users`, `/api/v1/me` and `/api/v1/contacts` as an API client
//! sees them, and how the API authenticates (`X-API-Key`, `Bearer`, 401).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use app::users::model::Role;
use axum::body::Body;
use axum::http::{Method, Request};
use common::{ids, TestApp};
use serde_json::{json, Value};

#[tokio::test]
async fn requests_without_a_valid_key_are_unauthorized() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;

    t.api(Method::GET, "/api/v1/conversations", None, None).await.assert_error(401, "unauthorized");
    t.api(Method::GET, "/api/v1/me", Some("pk_wrong"), None).await.assert_error(401, "unauthorized");
    // Even a valid body does not get past a missing key, and nothing is created.
    let body = json!({"contact": {"email": "a@example.com"}, "message": {"body": "hi"}});
    t.api(Method::POST, "/api/v1/conversations", None, Some(body.clone())).await.assert_error(401, "unauthorized");
    t.api(Method::POST, "/api/v1/inboxes", Some("pk_wrong"), Some(json!({"name": "Sneaky"})))
        .await
        .assert_error(401, "unauthorized");

    let bearer = |key: &str| {
        Request::get("/api/v1/me").header("authorization", format!("Bearer {key}")).body(Body::empty()).unwrap()
    };
    let me = t.send(bearer(&admin)).await;
    assert_eq!(me.data(200)["email"], "alex@example.com");
    t.send(bearer("pk_wrong")).await.assert_error(401, "unauthorized");
    let basic =
        Request::get("/api/v1/me").header("authorization", format!("Basic {admin}")).body(Body::empty()).unwrap();
    t.send(basic).await.assert_error(401, "unauthorized");

    assert_eq!(t.get("/api/v1/conversations", &admin).await.data(200), &json!([]));
    assert_eq!(t.get("/api/v1/inboxes", &admin).await.data(200).as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn users_are_listed_created_and_changed() {
    let t = TestApp::new().await;
    let (admin_id, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;

    let me = t.get("/api/v1/me", &admin).await.data(200).clone();
    assert_eq!(
        (me["id"].as_i64(), me["name"].as_str(), me["role"].as_str()),
        (Some(admin_id.0), Some("Alex Admin"), Some("admin"))
    );

    let body = json!({"name": "Ben Agent", "email": "ben@example.com", "password": "long enough", "role": "agent"});
    let ben = t.post("/api/v1/users", &admin, body).await.data(201).clone();
    assert_eq!(ben["name"], "Ben Agent");
    assert_eq!(ben["email"], "ben@example.com");
    assert_eq!(ben["role"], "agent");
    assert_eq!(ben["availability"], "available");
    assert!(ben.get("password").is_none() && ben.get("passwordHash").is_none(), "no secret in {ben}");
    let ben_id = ben["id"].as_i64().unwrap();

    let list = t.get("/api/v1/users", &admin).await.data(200).clone();
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Alex Admin", "Ben Agent"]);

    let patched = t
        .patch(
            &format!("/api/v1/users/{ben_id}"),
            &admin,
            json!({"name": "Ben Ortiz", "availability": "away", "signature": "— Ben"}),
        )
        .await
        .data(200)
        .clone();
    assert_eq!(patched["name"], "Ben Ortiz");
    assert_eq!(patched["availability"], "away");
    assert_eq!(patched["signature"], "— Ben");
    assert_eq!(patched["role"], "agent", "left-out fields stay");

    // Ben's own key: /me is Ben as changed.
    let ben_key = t.key_for_id(app::ids::UserId(ben_id)).await;
    assert_eq!(t.get("/api/v1/me", &ben_key).await.data(200), &patched);
    // He may change his own name, not his role, and may not add users.
    assert_eq!(
        t.patch(&format!("/api/v1/users/{ben_id}"), &ben_key, json!({"name": "Benny"})).await.data(200)["name"],
        "Benny"
    );
    t.patch(&format!("/api/v1/users/{ben_id}"), &ben_key, json!({"role": "admin"}))
        .await
        .assert_error(403, "forbidden");
    t.patch(&format!("/api/v1/users/{}", admin_id.0), &ben_key, json!({"name": "Pwned"}))
        .await
        .assert_error(403, "forbidden");
    let sneaky = json!({"name": "Eve", "email": "eve@example.com", "password": "long enough", "role": "admin"});
    t.post("/api/v1/users", &ben_key, sneaky).await.assert_error(403, "forbidden");
    let me = t.get("/api/v1/me", &ben_key).await.data(200).clone();
    assert_eq!(me["role"], "agent");
    assert_eq!(t.get("/api/v1/me", &admin).await.data(200)["name"], "Alex Admin");
    assert_eq!(t.get("/api/v1/users", &admin).await.data(200).as_array().unwrap().len(), 2);

    // The admin may promote him.
    assert_eq!(
        t.patch(&format!("/api/v1/users/{ben_id}"), &admin, json!({"role": "admin"})).await.data(200)["role"],
        "admin"
    );
}

#[tokio::test]
async fn bad_users_are_refused_by_field_or_conflict() {
    let t = TestApp::new().await;
    let (admin_id, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    let user = |name: &str, email: &str, password: &str| json!({"name": name, "email": email, "password": password, "role": "agent"});

    t.post("/api/v1/users", &admin, user("Dup", "ALEX@example.com", "long enough")).await.assert_error(409, "conflict");
    t.post("/api/v1/users", &admin, user("Bad", "not-an-email", "long enough")).await.assert_invalid("email");
    t.post("/api/v1/users", &admin, user("Short", "s@example.com", "short")).await.assert_invalid("password");
    t.post("/api/v1/users", &admin, user(" ", "n@example.com", "long enough")).await.assert_invalid("name");
    let bad_role = json!({"name": "R", "email": "r@example.com", "password": "long enough", "role": "owner"});
    t.post("/api/v1/users", &admin, bad_role).await.assert_error(422, "validation_failed");
    t.patch("/api/v1/users/9999", &admin, json!({"name": "Nobody"})).await.assert_error(404, "not_found");
    t.patch(&format!("/api/v1/users/{}", admin_id.0), &admin, json!({"name": ""})).await.assert_invalid("name");

    let list = t.get("/api/v1/users", &admin).await.data(200).clone();
    assert_eq!(list.as_array().unwrap().len(), 1, "no user was added: {list}");
    assert_eq!(list[0]["name"], "Alex Admin");
}

#[tokio::test]
async fn contacts_are_created_searched_paged_read_and_changed() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;

    let grace = t
        .post(
            "/api/v1/contacts",
            &admin,
            json!({"name": "Grace Hopper", "email": "grace@navy.example", "phone": "+1 (415) 555-0101"}),
        )
        .await
        .data(201)
        .clone();
    assert_eq!(grace["name"], "Grace Hopper");
    assert_eq!(grace["email"], "grace@navy.example");
    assert_eq!(grace["phone"], "+14155550101");
    assert!(grace["createdAt"].is_string());
    let grace_id = grace["id"].as_i64().unwrap();
    let mut all = vec![grace_id];
    for i in 0..5 {
        all.push(
            t.post(
                "/api/v1/contacts",
                &admin,
                json!({"name": format!("Person {i}"), "email": format!("p{i}@example.com")}),
            )
            .await
            .data(201)["id"]
                .as_i64()
                .unwrap(),
        );
    }

    // q matches name, email or phone.
    assert_eq!(ids(t.get("/api/v1/contacts?q=hopper", &admin).await.data(200)), vec![grace_id]);
    assert_eq!(ids(t.get("/api/v1/contacts?q=navy.example", &admin).await.data(200)), vec![grace_id]);
    assert_eq!(ids(t.get("/api/v1/contacts?q=5550101", &admin).await.data(200)), vec![grace_id]);
    assert_eq!(ids(t.get("/api/v1/contacts?q=Person", &admin).await.data(200)).len(), 5);
    assert_eq!(ids(t.get("/api/v1/contacts?q=%25", &admin).await.data(200)), Vec::<i64>::new(), "% is literal");

    // Cursor pages: newest first, every contact once.
    let mut expected = all.clone();
    expected.reverse();
    let mut seen = Vec::new();
    let mut uri = "/api/v1/contacts?limit=4".to_string();
    for _ in 0..5 {
        let page = t.get(&uri, &admin).await;
        seen.extend(ids(page.data(200)));
        match page.body["nextCursor"].as_str() {
            Some(c) => uri = format!("/api/v1/contacts?limit=4&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    t.get("/api/v1/contacts?limit=0", &admin).await.assert_invalid("limit");
    t.get("/api/v1/contacts?limit=101", &admin).await.assert_invalid("limit");
    t.get("/api/v1/contacts?cursor=abc", &admin).await.assert_error(400, "bad_request");

    // A contact with its conversations.
    let conv = t.create_conversation(&admin, None, "grace@navy.example", "Compiler bug").await;
    assert_eq!(conv["contactId"], grace_id);
    let read = t.get(&format!("/api/v1/contacts/{grace_id}"), &admin).await.data(200).clone();
    assert_eq!(read["name"], "Grace Hopper");
    assert_eq!(ids(&read["conversations"]), vec![conv["id"].as_i64().unwrap()]);
    assert_eq!(read["conversations"][0]["subject"], "Compiler bug");

    // PATCH changes what it names; an empty phone clears it.
    let patched = t
        .patch(&format!("/api/v1/contacts/{grace_id}"), &admin, json!({"name": "Adm. Grace Hopper", "phone": ""}))
        .await
        .data(200)
        .clone();
    assert_eq!(patched["name"], "Adm. Grace Hopper");
    assert_eq!(patched["phone"], Value::Null);
    assert_eq!(patched["email"], "grace@navy.example");
    let read = t.get(&format!("/api/v1/contacts/{grace_id}"), &admin).await.data(200).clone();
    assert_eq!(read["name"], "Adm. Grace Hopper");
}

#[tokio::test]
async fn bad_contacts_are_refused_and_nothing_changes() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Alex Admin", "alex@example.com", Role::Admin).await;
    let a = t
        .post("/api/v1/contacts", &admin, json!({"name": "A", "email": "a@example.com", "phone": "+15550001111"}))
        .await
        .data(201)
        .clone();
    let b = t.post("/api/v1/contacts", &admin, json!({"name": "B", "email": "b@example.com"})).await.data(201).clone();
    let b_uri = format!("/api/v1/contacts/{}", b["id"]);

    t.post("/api/v1/contacts", &admin, json!({"email": "A@Example.com"})).await.assert_error(409, "conflict");
    t.post("/api/v1/contacts", &admin, json!({"phone": "+1 555 000 1111"})).await.assert_error(409, "conflict");
    t.post("/api/v1/contacts", &admin, json!({"email": "nope"})).await.assert_invalid("email");
    t.post("/api/v1/contacts", &admin, json!({"phone": "12"})).await.assert_invalid("phone");
    t.post("/api/v1/contacts", &admin, json!({})).await.assert_invalid("contact");
    t.patch(&b_uri, &admin, json!({"email": "a@example.com"})).await.assert_error(409, "conflict");
    t.patch(&b_uri, &admin, json!({"email": "b@"})).await.assert_invalid("email");
    t.patch(&b_uri, &admin, json!({"phone": "call me"})).await.assert_invalid("phone");
    t.get("/api/v1/contacts/9999", &admin).await.assert_error(404, "not_found");
    t.patch("/api/v1/contacts/9999", &admin, json!({"name": "Ghost"})).await.assert_error(404, "not_found");

    let list = t.get("/api/v1/contacts", &admin).await.data(200).clone();
    assert_eq!(ids(&list), vec![b["id"].as_i64().unwrap(), a["id"].as_i64().unwrap()]);
    let b_now = t.get(&b_uri, &admin).await.data(200).clone();
    assert_eq!((b_now["email"].as_str(), b_now["phone"].clone()), (Some("b@example.com"), Value::Null));
}
