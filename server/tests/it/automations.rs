//! Automations and the inbox auto-responder with a controllable clock:
//! the engine's `tick(state, now)` is called with chosen times, so timers
//! are tested at, before and after their moment without waiting.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::automations::engine::tick;
use app::time::Timestamp;
use app::users::model::Role;
use serde_json::{json, Value};

use crate::common::TestApp;

const MIN: i64 = 60;

async fn conversation(t: &TestApp, key: &str, id: i64) -> Value {
    t.get(&format!("/api/v1/conversations/{id}"), key).await.data(200).clone()
}

async fn notes(t: &TestApp, key: &str, id: i64) -> Vec<Value> {
    t.messages(key, id).await.into_iter().filter(|m| m["direction"] == "note").collect()
}

async fn activity(t: &TestApp, id: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT activity FROM events WHERE conversation_id = ? AND activity IS NOT NULL ORDER BY id")
        .bind(id)
        .fetch_all(&t.state.db.pool)
        .await
        .unwrap()
}

async fn automation(t: &TestApp, key: &str, body: Value) -> i64 {
    t.post("/api/v1/automations", key, body).await.data(201)["id"].as_i64().unwrap()
}

/// A customer message continuing conversation `id`, through ingest.
async fn customer_writes(t: &TestApp, id: i64, contact: i64, body: &str) {
    let inbound = app::ingest::Inbound {
        channel_id: None,
        inbox_id: None,
        contact: app::ingest::ContactRef::Existing(app::ids::ContactId(contact)),
        subject: String::new(),
        body: body.into(),
        origin: app::ingest::Origin::Customer { provider_message_id: None },
        extras: app::ingest::Extras { continues: Some(app::ids::ConversationId(id)), ..Default::default() },
    };
    app::ingest::server::ingest(&t.state.db, &t.state.hub, None, t.ws, &inbound).await.unwrap();
}

fn created_at(c: &Value) -> Timestamp {
    Timestamp::parse_rfc3339(c["createdAt"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn no_team_reply_fires_once_on_time_across_a_restart() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let rule = automation(
        &t,
        &admin,
        json!({"name": "Late first reply", "trigger": {"type": "no_team_reply", "minutes": 180},
               "actions": [{"type": "set_priority", "priority": "urgent"},
                           {"type": "add_note", "body": "Waiting 3 hours: {{contact.first_name}} needs an answer"}]}),
    )
    .await;
    let c = t.create_conversation(&admin, None, "kim@example.com", "Where is my order?").await;
    let id = c["id"].as_i64().unwrap();
    let t0 = created_at(&c);

    // One minute early: nothing happens, the timer waits in the database.
    tick(&t.state, t0.plus_secs(179 * MIN)).await.unwrap();
    assert_eq!(conversation(&t, &admin, id).await["priority"], "none");
    let pending = app::automations::jobs::pending_for(&t.state.db, app::ids::ConversationId(id)).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].1, t0.plus_secs(180 * MIN), "due exactly 180 minutes after the message");

    // A restarted process (new state, same database) runs it on time, and
    // two processes running at once still run it once.
    let restarted = t.restart().await;
    let second = t.restart().await;
    let at = t0.plus_secs(181 * MIN);
    let (a, b) = tokio::join!(tick(&restarted, at), tick(&second, at));
    assert_eq!(a.unwrap() + b.unwrap(), 1, "the job was claimed by exactly one process");
    tick(&t.state, t0.plus_secs(400 * MIN)).await.unwrap();

    let now = conversation(&t, &admin, id).await;
    assert_eq!(now["priority"], "urgent");
    let n = notes(&t, &admin, id).await;
    assert_eq!(n.len(), 1, "fired once: {n:?}");
    assert_eq!(n[0]["body"], "Waiting 3 hours: Customer needs an answer");
    let lines = activity(&t, id).await;
    assert!(lines.contains(&"Priority Urgent by rule 'Late first reply'".to_string()), "{lines:?}");
    let r = t.get(&format!("/api/v1/automations/{rule}"), &admin).await.data(200).clone();
    assert_eq!(r["runCount"], 1);
    assert_eq!(r["lastConversationId"], id);
}

#[tokio::test]
async fn a_reply_in_time_stops_the_timer_and_a_new_message_restarts_it() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    automation(
        &t,
        &admin,
        json!({"name": "Nudge", "trigger": {"type": "no_team_reply", "minutes": 60},
               "actions": [{"type": "add_label", "label": "waiting"}]}),
    )
    .await;
    let c = t.create_conversation(&admin, None, "lee@example.com", "Help").await;
    let id = c["id"].as_i64().unwrap();
    let t0 = created_at(&c);
    t.post(&format!("/api/v1/conversations/{id}/messages"), &admin, json!({"kind": "reply", "body": "On it"}))
        .await
        .data(201);
    tick(&t.state, t0.plus_secs(61 * MIN)).await.unwrap();
    assert_eq!(conversation(&t, &admin, id).await["labels"], json!([]), "answered in time: no action");

    // The customer writes again: the clock starts over from that message.
    customer_writes(&t, id, c["contactId"].as_i64().unwrap(), "Any news?").await;
    let t1 = Timestamp::now();
    tick(&t.state, t1.plus_secs(59 * MIN)).await.unwrap();
    assert_eq!(conversation(&t, &admin, id).await["labels"], json!([]));
    tick(&t.state, t1.plus_secs(61 * MIN)).await.unwrap();
    assert_eq!(conversation(&t, &admin, id).await["labels"], json!(["waiting"]));
}

#[tokio::test]
async fn the_auto_responder_waits_its_delay_and_honours_outside_hours() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let inbox = t.inbox_id("Support").await;
    t.put(
        &format!("/api/v1/inboxes/{inbox}"),
        &admin,
        json!({"autoResponder": {"enabled": true, "message": "Thanks {{contact.first_name}}, we got it.",
                                 "delaySeconds": 30, "conditions": {"outsideWorkingHours": false}}}),
    )
    .await
    .data(200);
    let c = t.create_conversation(&admin, None, "max@example.com", "Question").await;
    let id = c["id"].as_i64().unwrap();
    let t0 = created_at(&c);
    tick(&t.state, t0.plus_secs(29)).await.unwrap();
    assert_eq!(t.messages(&admin, id).await.len(), 1, "not before its delay");
    tick(&t.state, t0.plus_secs(31)).await.unwrap();
    let msgs = t.messages(&admin, id).await;
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[1]["direction"], "outbound");
    assert_eq!(msgs[1]["body"], "Thanks Customer, we got it.");
    assert!(activity(&t, id).await.contains(&"Auto-reply sent".to_string()));
    let c = conversation(&t, &admin, id).await;
    assert!(c["firstResponseAt"].is_null(), "an auto-reply is not the team's first response");

    // "Only outside working hours": with today a holiday it answers;
    // with no working hours set (always open) it does not.
    let today = Timestamp::now();
    let days: Vec<String> = [-1, 0, 1].iter().map(|d| today.plus_secs(d * 86_400).date_string()).collect();
    let all_week: serde_json::Map<String, Value> =
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
            .iter()
            .map(|d| (d.to_string(), json!({"start": "00:00", "end": "23:59"})))
            .collect();
    let outside = json!({"enabled": true, "message": "We're closed today.", "delaySeconds": 0,
                         "conditions": {"outsideWorkingHours": true}});
    t.put(
        &format!("/api/v1/inboxes/{inbox}"),
        &admin,
        json!({"autoResponder": outside,
               "workingHours": {"enabled": true, "timezone": "UTC", "schedule": all_week, "holidays": days}}),
    )
    .await
    .data(200);
    let holiday = t.create_conversation(&admin, None, "hol@example.com", "On a holiday").await["id"].as_i64().unwrap();
    tick(&t.state, Timestamp::now()).await.unwrap();
    t.put(&format!("/api/v1/inboxes/{inbox}"), &admin, json!({"workingHours": {"enabled": false}})).await.data(200);
    let open = t.create_conversation(&admin, None, "open@example.com", "While open").await["id"].as_i64().unwrap();
    tick(&t.state, Timestamp::now().plus_secs(5)).await.unwrap();
    assert_eq!(t.messages(&admin, holiday).await.len(), 2, "closed for the holiday: answered");
    assert_eq!(t.messages(&admin, open).await.len(), 1, "open: the outside-hours responder stays quiet");

    // An unknown time zone is refused with the field named.
    t.put(
        &format!("/api/v1/inboxes/{inbox}"),
        &admin,
        json!({"workingHours": {"enabled": true, "timezone": "Mars/Olympus", "schedule": {}}}),
    )
    .await
    .assert_invalid("workingHours.timezone");
}

#[tokio::test]
async fn rules_that_would_trigger_each_other_forever_are_refused() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let a = automation(
        &t,
        &admin,
        json!({"name": "A", "trigger": {"type": "field_changed", "field": "priority"},
               "actions": [{"type": "set_status", "status": "pending"}]}),
    )
    .await;
    let b = automation(
        &t,
        &admin,
        json!({"name": "B", "trigger": {"type": "field_changed", "field": "status"},
               "conditions": [{"subject": "status", "op": "is", "value": "pending"}],
               "actions": [{"type": "set_priority", "priority": "high"}]}),
    )
    .await;
    let id = t.create_conversation(&admin, None, "loop@example.com", "Loop").await["id"].as_i64().unwrap();
    t.patch(&format!("/api/v1/conversations/{id}"), &admin, json!({"priority": "low"})).await.data(200);
    for _ in 0..5 {
        tick(&t.state, Timestamp::now()).await.unwrap();
    }
    let c = conversation(&t, &admin, id).await;
    assert_eq!((c["status"].as_str(), c["priority"].as_str()), (Some("pending"), Some("high")));
    let ra = t.get(&format!("/api/v1/automations/{a}"), &admin).await.data(200).clone();
    let rb = t.get(&format!("/api/v1/automations/{b}"), &admin).await.data(200).clone();
    assert_eq!((ra["runCount"].as_i64(), rb["runCount"].as_i64()), (Some(1), Some(1)));
    assert!(ra["lastError"].as_str().unwrap().contains("loop refused"), "{ra}");
    let lines = activity(&t, id).await;
    assert!(lines.contains(&"Status Pending by rule 'A'".to_string()), "{lines:?}");
    assert!(lines.contains(&"Priority High by rule 'B'".to_string()), "{lines:?}");
}

#[tokio::test]
async fn event_rules_and_recipes_act_on_arrivals() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let (_, agent) = t.user("Ada Agent", "ada@shop.test", Role::Agent).await;
    t.get("/api/v1/automations", &agent).await.assert_error(403, "forbidden");
    // A regex that does not compile is refused, naming the condition.
    t.post(
        "/api/v1/automations",
        &admin,
        json!({"name": "Bad", "trigger": {"type": "message_received"},
               "conditions": [{"subject": "message_text", "op": "matches", "value": "(unclosed"}],
               "actions": [{"type": "mark_spam"}]}),
    )
    .await
    .assert_invalid("conditions[0].value");
    let made = t.post("/api/v1/automations/recipes", &admin, json!({"recipe": "abandoned"})).await.data(201).clone();
    assert_eq!(made.as_array().unwrap().len(), 2, "the abandoned recipe is two rules");
    t.post("/api/v1/automations/recipes", &admin, json!({"recipe": "spam_words"})).await.data(201);
    automation(
        &t,
        &admin,
        json!({"name": "Refunds", "trigger": {"type": "message_received"},
               "conditions": [{"subject": "message_text", "op": "contains", "value": "refund"}],
               "actions": [{"type": "add_label", "label": "refund"}, {"type": "set_priority", "priority": "high"}]}),
    )
    .await;
    let mut body = json!({"contact": {"name": "Spammer", "email": "win@spam.test"}, "subject": "Hi",
                          "message": {"body": "Claim your CRYPTO GIVEAWAY now"}});
    let spam = t.post("/api/v1/conversations", &admin, body.clone()).await.data(201)["id"].as_i64().unwrap();
    body["contact"]["email"] = json!("ok@example.com");
    body["message"]["body"] = json!("I would like a refund please");
    let refund = t.post("/api/v1/conversations", &admin, body).await.data(201)["id"].as_i64().unwrap();
    tick(&t.state, Timestamp::now()).await.unwrap();
    assert_eq!(conversation(&t, &admin, spam).await["spam"], true);
    let r = conversation(&t, &admin, refund).await;
    assert_eq!((r["spam"].as_bool(), r["priority"].as_str()), (Some(false), Some("high")));
    assert_eq!(r["labels"], json!(["refund"]));
}

/// A loopback HTTP server answering with `statuses` in turn (then 200),
/// keeping each request's headers and body.
async fn hook_server(statuses: Vec<u16>) -> (String, std::sync::Arc<tokio::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let mut statuses = statuses.into_iter();
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head, then as many body bytes as Content-Length says.
            loop {
                let n = sock.read(&mut chunk).await.unwrap();
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len || n == 0 {
                        break;
                    }
                }
            }
            log.lock().await.push(String::from_utf8_lossy(&buf).to_string());
            let status = statuses.next().unwrap_or(200);
            let reply = format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nno");
            sock.write_all(reply.as_bytes()).await.unwrap();
        }
    });
    (url, seen)
}

#[tokio::test]
async fn a_webhook_is_signed_and_retried_and_notify_reaches_admins() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let (url, seen) = hook_server(vec![500]).await;
    let rule = automation(
        &t,
        &admin,
        json!({"name": "Tell CRM", "trigger": {"type": "conversation_created"},
               "actions": [{"type": "webhook", "url": url, "secret": "s3cret"},
                           {"type": "notify", "message": "New: {{conversation.id}}"}]}),
    )
    .await;
    let id = t.create_conversation(&admin, None, "web@example.com", "Hook me").await["id"].as_i64().unwrap();
    let now = Timestamp::now();
    tick(&t.state, now).await.unwrap();
    // The first attempt got a 500: recorded on the rule, retried later.
    assert_eq!(seen.lock().await.len(), 1);
    let r = t.get(&format!("/api/v1/automations/{rule}"), &admin).await.data(200).clone();
    assert!(r["lastError"].as_str().unwrap().contains("webhook answered 500"), "{r}");
    assert!(r["lastError"].as_str().unwrap().contains("will retry"), "{r}");
    tick(&t.state, now.plus_secs(5)).await.unwrap();
    assert_eq!(seen.lock().await.len(), 1, "not before the backoff");
    tick(&t.state, now.plus_secs(11)).await.unwrap();
    let requests = seen.lock().await.clone();
    assert_eq!(requests.len(), 2, "retried once and delivered");
    let req = &requests[1];
    let body = &req[req.find("\r\n\r\n").unwrap() + 4..];
    let payload: Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["conversation"]["id"], id);
    assert_eq!(payload["automation"], "Tell CRM");
    let sig = req.lines().find_map(|l| l.strip_prefix("x-parley-signature: ")).unwrap();
    let unix: i64 = sig.split(',').next().unwrap().trim_start_matches("t=").parse().unwrap();
    assert_eq!(sig, app::automations::webhook::signature("s3cret", unix, body));
    // The other action ran once, not once per webhook attempt.
    let notes: Vec<String> =
        sqlx::query_scalar("SELECT text FROM notifications ORDER BY id").fetch_all(&t.state.db.pool).await.unwrap();
    assert_eq!(notes, vec![format!("New: {id}")]);
}

#[tokio::test]
async fn notify_also_mails_the_admins_through_an_email_channel() {
    use crate::common::mail::{email_channel, Capture};
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let capture = Capture::start().await;
    let inbox = t.inbox_id("Support").await;
    email_channel(&t, &admin, inbox, &capture, json!({})).await;
    automation(
        &t,
        &admin,
        json!({"name": "Escalate", "trigger": {"type": "message_received"},
               "conditions": [{"subject": "message_text", "op": "contains", "value": "lawyer"}],
               "actions": [{"type": "notify", "message": "{{contact.name}} mentions a lawyer"}]}),
    )
    .await;
    let body = json!({"contact": {"name": "Sam Stone", "email": "sam@example.com"}, "subject": "Angry",
                      "message": {"body": "My lawyer will call"}});
    let id = t.post("/api/v1/conversations", &admin, body).await.data(201)["id"].as_i64().unwrap();
    tick(&t.state, Timestamp::now()).await.unwrap();
    let mail = capture.nth(1).await;
    assert_eq!(mail.rcpt_to, vec!["ann@shop.test".to_string()]);
    assert!(mail.text().contains("Sam Stone mentions a lawyer"), "{}", mail.text());
    assert!(mail.text().contains(&format!("/inbox?view=all&c={id}")));
}
