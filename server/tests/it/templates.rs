//! Reply templates over REST and the composer's server function: admins
//! write them (fields checked and named, shortcuts unique in any case),
//! agents read them, and a render fills one for a conversation the caller
//! can see — contact, agent and conversation fields, and the transcript
//! without internal notes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::users::model::Role;
use serde_json::{json, Value};

use crate::common::TestApp;

fn refund() -> Value {
    json!({"name": "Refund issued", "shortcut": "/refund", "kind": "email",
           "subject": "Refund for #{{conversation.id}}",
           "body": "Hi {{contact.first_name}}, your refund is on its way. {{agent.name}}"})
}

#[tokio::test]
async fn admins_create_read_update_and_delete_templates() {
    let t = TestApp::new().await;
    let (admin_id, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;

    let created = t.post("/api/v1/templates", &admin, refund()).await.data(201).clone();
    let id = created["id"].as_i64().unwrap();
    // The slash is how it is typed, not part of the shortcut.
    assert_eq!(created["shortcut"], "refund");
    assert_eq!(created["kind"], "email");
    assert_eq!(created["subject"], "Refund for #{{conversation.id}}");
    assert_eq!(created["createdBy"], admin_id.0);
    assert!(created["createdAt"].as_str().unwrap().ends_with('Z'));

    let sms = json!({"name": "Thanks", "shortcut": "Thanks-SMS", "kind": "text", "body": "Thanks {{contact.first_name|there}}!"});
    let sms_id = t.post("/api/v1/templates", &admin, sms).await.data(201)["id"].as_i64().unwrap();
    // Listed by shortcut, in any case.
    let list = t.get("/api/v1/templates", &admin).await.data(200).clone();
    let shortcuts: Vec<&str> = list.as_array().unwrap().iter().map(|v| v["shortcut"].as_str().unwrap()).collect();
    assert_eq!(shortcuts, ["refund", "Thanks-SMS"]);

    let mut changed = refund();
    changed["body"] = json!("Refund sent, {{contact.name}}.");
    changed["shortcut"] = json!("refund-sent");
    let updated = t.put(&format!("/api/v1/templates/{id}"), &admin, changed).await.data(200).clone();
    assert_eq!(
        (updated["shortcut"].as_str(), updated["body"].as_str()),
        (Some("refund-sent"), Some("Refund sent, {{contact.name}}."))
    );
    assert_eq!(t.get(&format!("/api/v1/templates/{id}"), &admin).await.data(200)["shortcut"], "refund-sent");

    assert_eq!(t.delete(&format!("/api/v1/templates/{id}"), &admin).await.status.as_u16(), 204);
    t.get(&format!("/api/v1/templates/{id}"), &admin).await.assert_error(404, "not_found");
    t.delete(&format!("/api/v1/templates/{id}"), &admin).await.assert_error(404, "not_found");
    assert_eq!(crate::common::ids(t.get("/api/v1/templates", &admin).await.data(200)), vec![sms_id]);
}

#[tokio::test]
async fn bad_fields_are_named_and_shortcuts_are_unique_in_any_case() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let with = |k: &str, v: Value| {
        let mut b = refund();
        b[k] = v;
        b
    };
    let post = |b: Value| t.post("/api/v1/templates", &admin, b);
    post(with("name", json!(""))).await.assert_invalid("name");
    post(with("shortcut", json!("re fund"))).await.assert_invalid("shortcut");
    post(with("shortcut", json!("/"))).await.assert_invalid("shortcut");
    post(with("body", json!("  "))).await.assert_invalid("body");
    // SMS and WhatsApp templates are body only.
    post(with("kind", json!("text"))).await.assert_invalid("subject");
    // An unknown merge field is refused, naming the field and the token.
    let typo = post(with("body", json!("Hi {{contact.frist_name}}"))).await;
    typo.assert_invalid("body");
    assert!(typo.body["error"]["message"].as_str().unwrap().contains("{{contact.frist_name}}"), "{}", typo.body);
    post(with("subject", json!("Order {{order.id}}"))).await.assert_invalid("subject");
    assert!(t.get("/api/v1/templates", &admin).await.data(200).as_array().unwrap().is_empty(), "nothing was saved");

    let first = post(refund()).await.data(201)["id"].as_i64().unwrap();
    let dup = post(with("shortcut", json!("REFUND"))).await;
    dup.assert_error(409, "conflict");
    assert!(dup.body["error"]["message"].as_str().unwrap().contains("shortcut"), "{}", dup.body);
    // Renaming another template onto a taken shortcut is refused too, and
    // keeping one's own shortcut is not a conflict.
    let other = post(with("shortcut", json!("other"))).await.data(201)["id"].as_i64().unwrap();
    t.put(&format!("/api/v1/templates/{other}"), &admin, with("shortcut", json!("Refund")))
        .await
        .assert_error(409, "conflict");
    t.put(&format!("/api/v1/templates/{first}"), &admin, refund()).await.data(200);
}

#[tokio::test]
async fn agents_read_and_use_templates_but_cannot_write_them() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let (_, agent) = t.user("Ada Agent", "ada@shop.test", Role::Agent).await;
    let id = t.post("/api/v1/templates", &admin, refund()).await.data(201)["id"].as_i64().unwrap();

    t.post("/api/v1/templates", &agent, refund()).await.assert_error(403, "forbidden");
    t.put(&format!("/api/v1/templates/{id}"), &agent, refund()).await.assert_error(403, "forbidden");
    t.delete(&format!("/api/v1/templates/{id}"), &agent).await.assert_error(403, "forbidden");
    assert_eq!(crate::common::ids(t.get("/api/v1/templates", &agent).await.data(200)), vec![id]);
    assert_eq!(t.get(&format!("/api/v1/templates/{id}"), &agent).await.data(200)["name"], "Refund issued");
    t.api(axum::http::Method::GET, "/api/v1/templates", None, None).await.assert_error(401, "unauthorized");
}

/// A conversation with Maria: her message, an agent's reply and an
/// internal note; its id.
async fn conversation_with_a_note(t: &TestApp, key: &str, inbox: Option<i64>) -> i64 {
    let mut b = json!({"contact": {"name": "Maria de Garcia", "email": "maria@example.com", "phone": "+14155550101"},
                       "subject": "Charged twice", "message": {"body": "I was charged twice this month."}});
    if let Some(i) = inbox {
        b["inboxId"] = json!(i);
    }
    let conv = t.post("/api/v1/conversations", key, b).await.data(201)["id"].as_i64().unwrap();
    let msgs = format!("/api/v1/conversations/{conv}/messages");
    t.post(&msgs, key, json!({"kind": "note", "body": "Retry bug again, do not tell her"})).await.data(201);
    t.post(&msgs, key, json!({"kind": "reply", "body": "Looking into it now."})).await.data(201);
    conv
}

#[tokio::test]
async fn a_render_fills_every_field_for_the_conversation_as_the_caller_writes_it() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let (_, agent) = t.user("Ada Park", "ada@shop.test", Role::Agent).await;
    let conv = conversation_with_a_note(&t, &agent, None).await;
    let body = "Hi {{contact.first_name}} {{contact.last_name}} ({{contact.name}}, {{contact.email}}, {{contact.phone}}), \
                {{agent.first_name}}/{{agent.last_name}}/{{agent.name}} on #{{conversation.id}} “{{conversation.subject}}”.\n\
                {{conversation.history}}";
    let tpl = json!({"name": "All", "shortcut": "all", "kind": "email", "subject": "Re #{{conversation.id}} for {{contact.first_name}}", "body": body});
    let id = t.post("/api/v1/templates", &admin, tpl).await.data(201)["id"].as_i64().unwrap();

    let r = t.get(&format!("/api/v1/templates/{id}/render?conversationId={conv}"), &agent).await.data(200).clone();
    assert_eq!(r["kind"], "email");
    assert_eq!(r["subject"], format!("Re #{conv} for Maria"));
    let text = r["body"].as_str().unwrap();
    let head = format!(
        "Hi Maria Garcia (Maria de Garcia, maria@example.com, +14155550101), Ada/Park/Ada Park on #{conv} “Charged twice”.\n"
    );
    assert!(text.starts_with(&head), "{text}");
    // The transcript: what Maria saw, oldest first, each with who and when.
    let history = &text[head.len()..];
    let (asked, answered) =
        (history.find("I was charged twice").unwrap(), history.find("Looking into it now.").unwrap());
    assert!(asked < answered, "{history}");
    assert!(history.starts_with("Maria de Garcia — ") && history.contains("UTC:\nI was charged twice"), "{history}");
    assert!(history.contains("Ada Park — "), "{history}");
    assert!(!history.contains("Retry bug"), "an internal note leaked into the transcript: {history}");

    // The agent is whoever renders: the admin's key reads the admin's name.
    let by_admin =
        t.get(&format!("/api/v1/templates/{id}/render?conversationId={conv}"), &admin).await.data(200).clone();
    assert!(by_admin["body"].as_str().unwrap().contains("Ann/Admin/Ann Admin"), "{}", by_admin["body"]);
    t.get(&format!("/api/v1/templates/{id}/render"), &agent).await.assert_invalid("conversationId");
    t.get(&format!("/api/v1/templates/{id}/render?conversationId=999999"), &agent).await.assert_error(404, "not_found");
}

#[tokio::test]
async fn a_render_is_refused_for_a_conversation_the_agent_cannot_see() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let (_, agent) = t.user("Ada Agent", "ada@shop.test", Role::Agent).await;
    let billing = t
        .post(
            "/api/v1/inboxes",
            &admin,
            json!({"name": "Billing", "access": {"everyone": false, "userIds": [], "teamIds": []}}),
        )
        .await
        .data(201)["id"]
        .as_i64()
        .unwrap();
    let hidden = conversation_with_a_note(&t, &admin, Some(billing)).await;
    let id = t.post("/api/v1/templates", &admin, refund()).await.data(201)["id"].as_i64().unwrap();

    let refused = t.get(&format!("/api/v1/templates/{id}/render?conversationId={hidden}"), &agent).await;
    refused.assert_error(403, "forbidden");
    assert!(!refused.body.to_string().contains("Maria"), "the refusal tells nothing of the conversation");
    // The same render through the composer's server function, signed in.
    let cookie = t.login("ada@shop.test", "correct horse").await;
    let args = json!({"id": id, "conversation_id": hidden});
    let r = t.server_fn::<app::templates::api::RenderTemplate>(args, Some(&cookie), &[]).await;
    assert!(!r.status.is_success(), "{}", r.body);
    assert_eq!(r.body["code"], "forbidden", "{}", r.body);
    // An admin sees every inbox.
    let ok = t.get(&format!("/api/v1/templates/{id}/render?conversationId={hidden}"), &admin).await.data(200).clone();
    assert_eq!(ok["body"], "Hi Maria, your refund is on its way. Ann Admin");
}

#[tokio::test]
async fn the_composer_renders_as_the_signed_in_agent() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    t.user("Ada Park", "ada@shop.test", Role::Agent).await;
    let conv = conversation_with_a_note(&t, &admin, None).await;
    let id = t.post("/api/v1/templates", &admin, refund()).await.data(201)["id"].as_i64().unwrap();
    let cookie = t.login("ada@shop.test", "correct horse").await;
    let listed = t.server_fn::<app::templates::api::ListTemplates>(json!({}), Some(&cookie), &[]).await;
    assert_eq!(listed.status.as_u16(), 200, "{}", listed.body);
    assert_eq!(listed.body[0]["shortcut"], "refund");
    let r = t
        .server_fn::<app::templates::api::RenderTemplate>(
            json!({"id": id, "conversation_id": conv}),
            Some(&cookie),
            &[],
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["subject"], format!("Refund for #{conv}"));
    assert_eq!(r.body["body"], "Hi Maria, your refund is on its way. Ada Park");
    // Agents cannot write through the server function either.
    let save = json!({"id": null, "input": {"name": "x", "shortcut": "x", "kind": "text", "body": "x"}});
    let refused = t.server_fn::<app::templates::api::SaveTemplate>(save, Some(&cookie), &[]).await;
    assert!(!refused.status.is_success(), "{}", refused.body);
    assert_eq!(refused.body["code"], "forbidden", "{}", refused.body);
}

#[tokio::test]
async fn the_demo_seeds_templates_and_the_list_reads_them_through_its_index() {
    let t = TestApp::demo().await;
    let key = t.key_for("ada@demo.parley").await;
    let list = t.get("/api/v1/templates", &key).await.data(200).clone();
    let shortcuts: Vec<&str> = list.as_array().unwrap().iter().map(|v| v["shortcut"].as_str().unwrap()).collect();
    assert_eq!(shortcuts, ["refund", "thanks", "thanks-sms"]);

    // The list query walks the shortcut index: no scan, no sort.
    let select = format!("EXPLAIN QUERY PLAN {}", app::templates::server::LIST_SQL);
    let plan: Vec<(i64, i64, i64, String)> =
        sqlx::query_as(&select).bind(t.ws).fetch_all(&t.state.db.pool).await.unwrap();
    let plan: Vec<&str> = plan.iter().map(|r| r.3.as_str()).collect();
    assert!(plan.iter().any(|d| d.contains("USING INDEX templates_shortcut")), "{plan:?}");
    assert!(!plan.iter().any(|d| d.contains("TEMP B-TREE")), "{plan:?}");
}
