//! The live stream `/ws` on a real socket: signed-in browsers see each
//! other's changes, only for inboxes they may see, reconnecting with
//! `?after=` catches up exactly what was missed, and the upgrade needs a
//! session and a same-origin page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use app::conversations::model::ListFilter;
use common::{TestApp, PUBLIC_URL};
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Only there so a broken stream fails the test instead of hanging it.
const HANG_GUARD: Duration = Duration::from_secs(20);

async fn connect(addr: SocketAddr, cookie: Option<&str>, after: i64, origin: Option<&str>) -> Result<Ws, WsError> {
    let mut req = format!("ws://{addr}/ws?after={after}").into_client_request().unwrap();
    if let Some(c) = cookie {
        req.headers_mut().insert("cookie", c.parse().unwrap());
    }
    if let Some(o) = origin {
        req.headers_mut().insert("origin", o.parse().unwrap());
    }
    tokio::time::timeout(HANG_GUARD, tokio_tungstenite::connect_async(req))
        .await
        .expect("connect hung")
        .map(|(ws, _)| ws)
}

/// The next event on the socket, as JSON.
async fn next_event(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(HANG_GUARD, ws.next())
            .await
            .expect("no event arrived")
            .expect("socket closed")
            .unwrap();
        if let Message::Text(text) = msg {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

/// Where a freshly loaded inbox page starts its stream: the list's `eventCursor`.
async fn event_cursor(t: &TestApp, cookie: &str) -> i64 {
    let filter = serde_json::to_value(ListFilter::default()).unwrap();
    let page = t
        .server_fn::<app::conversations::api::ListConversations>(
            json!({"filter": filter, "cursor": null}),
            Some(cookie),
            &[],
        )
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    page.body["eventCursor"].as_i64().unwrap()
}

/// The first conversation of an inbox matching a query, via REST.
async fn first_in(t: &TestApp, key: &str, inbox: &str, query: &str) -> i64 {
    let inbox = t.inbox_id(inbox).await;
    let list = t.get(&format!("/api/v1/conversations?inboxId={inbox}{query}"), key).await;
    list.data(200)[0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn two_signed_in_clients_see_changes_made_over_rest() {
    let t = TestApp::demo().await;
    let addr = t.serve().await;
    let ada_cookie = t.login("ada@demo.parley", "parley-demo").await;
    let ben_cookie = t.login("ben@demo.parley", "parley-demo").await;
    let mut ada = connect(addr, Some(&ada_cookie), event_cursor(&t, &ada_cookie).await, None).await.unwrap();
    let mut ben_ws = connect(addr, Some(&ben_cookie), event_cursor(&t, &ben_cookie).await, None).await.unwrap();

    // Ben, through an integration, replies to a new unassigned conversation.
    let ben_key = t.key_for("ben@demo.parley").await;
    let ben_id = t.user_id("ben@demo.parley").await.0;
    let id = first_in(&t, &ben_key, "Support", "&status=new&unassigned=true").await;
    let reply = "Thanks for writing in, looking into it now.";
    t.post(&format!("/api/v1/conversations/{id}/messages"), &ben_key, json!({"kind": "reply", "body": reply}))
        .await
        .data(201);

    for ws in [&mut ada, &mut ben_ws] {
        let ev = next_event(ws).await;
        assert_eq!(ev["type"], "message.created", "{ev}");
        assert_eq!(ev["conversationId"], id);
        assert_eq!(ev["actorId"], ben_id);
        assert_eq!(ev["message"]["body"], reply);
        assert_eq!(ev["message"]["direction"], "outbound");
        // The list row after the change: Ben took it, it is open, the preview moved.
        assert_eq!(ev["summary"]["id"], id);
        assert_eq!(ev["summary"]["assigneeId"], ben_id);
        assert_eq!(ev["summary"]["assigneeName"], "Ben Ortiz");
        assert_eq!(ev["summary"]["status"], "open");
        assert_eq!(ev["summary"]["preview"], reply);
        assert!(ev["summary"]["firstResponseAt"].is_string());
    }

    t.patch(&format!("/api/v1/conversations/{id}"), &ben_key, json!({"status": "pending", "priority": "urgent"}))
        .await
        .data(200);
    let ev = next_event(&mut ada).await;
    assert_eq!(ev["type"], "conversation.updated", "{ev}");
    assert_eq!(ev["conversationId"], id);
    assert_eq!(ev["summary"]["status"], "pending");
    assert_eq!(ev["summary"]["priority"], "urgent");
    assert_eq!(next_event(&mut ben_ws).await, ev, "both clients get the same event");
}

#[tokio::test]
async fn agents_get_no_events_for_inboxes_they_cannot_see() {
    let t = TestApp::demo().await;
    let addr = t.serve().await;
    let admin = t.key_for("admin@demo.parley").await;
    let ada_cookie = t.login("ada@demo.parley", "parley-demo").await;
    let chloe_cookie = t.login("chloe@demo.parley", "parley-demo").await;
    let start = event_cursor(&t, &ada_cookie).await;
    let mut ada = connect(addr, Some(&ada_cookie), start, None).await.unwrap();
    let mut chloe = connect(addr, Some(&chloe_cookie), start, None).await.unwrap();

    let billing = first_in(&t, &admin, "Billing", "").await;
    let support = first_in(&t, &admin, "Support", "").await;
    t.post(
        &format!("/api/v1/conversations/{billing}/messages"),
        &admin,
        json!({"kind": "note", "body": "Refund approved"}),
    )
    .await
    .data(201);
    t.patch(&format!("/api/v1/conversations/{billing}"), &admin, json!({"priority": "urgent"})).await.data(200);
    t.patch(&format!("/api/v1/conversations/{support}"), &admin, json!({"priority": "low"})).await.data(200);

    // Events arrive in order, so Ada's first being the Support change means
    // both Billing events were held back.
    let ev = next_event(&mut ada).await;
    assert_eq!(ev["conversationId"], support, "Ada got {ev}");
    assert_eq!(ev["summary"]["priority"], "low");
    // Chloe, a Billing member, gets all three.
    let got: Vec<Value> =
        vec![next_event(&mut chloe).await, next_event(&mut chloe).await, next_event(&mut chloe).await];
    let convs: Vec<i64> = got.iter().map(|e| e["conversationId"].as_i64().unwrap()).collect();
    assert_eq!(convs, [billing, billing, support]);
    assert_eq!(got[0]["message"]["body"], "Refund approved");

    // Catching up from the table filters the same way.
    ada.close(None).await.unwrap();
    let mut again = connect(addr, Some(&ada_cookie), start, None).await.unwrap();
    let ev = next_event(&mut again).await;
    assert_eq!(ev["conversationId"], support, "catch-up sent {ev}");
}

#[tokio::test]
async fn reconnecting_with_after_catches_up_exactly_what_was_missed() {
    let t = TestApp::demo().await;
    let addr = t.serve().await;
    let admin = t.key_for("admin@demo.parley").await;
    let cookie = t.login("ben@demo.parley", "parley-demo").await;
    let one = first_in(&t, &admin, "Support", "&status=open").await;
    let two = first_in(&t, &admin, "Sales", "").await;

    let mut ws = connect(addr, Some(&cookie), event_cursor(&t, &cookie).await, None).await.unwrap();
    t.patch(&format!("/api/v1/conversations/{one}"), &admin, json!({"priority": "high"})).await.data(200);
    let seen = next_event(&mut ws).await;
    assert_eq!(seen["conversationId"], one);
    let last = seen["id"].as_i64().unwrap();
    ws.close(None).await.unwrap();
    drop(ws);

    // While Ben is away: a reply and a status change.
    t.post(&format!("/api/v1/conversations/{one}/messages"), &admin, json!({"kind": "reply", "body": "Sorted"}))
        .await
        .data(201);
    t.patch(&format!("/api/v1/conversations/{two}"), &admin, json!({"status": "resolved"})).await.data(200);

    let mut ws = connect(addr, Some(&cookie), last, None).await.unwrap();
    let missed1 = next_event(&mut ws).await;
    let missed2 = next_event(&mut ws).await;
    assert_eq!((missed1["type"].as_str(), missed1["conversationId"].as_i64()), (Some("message.created"), Some(one)));
    assert_eq!(missed1["message"]["body"], "Sorted");
    assert_eq!(
        (missed2["type"].as_str(), missed2["conversationId"].as_i64()),
        (Some("conversation.updated"), Some(two))
    );
    assert_eq!(missed2["summary"]["status"], "resolved");
    let (id1, id2) = (missed1["id"].as_i64().unwrap(), missed2["id"].as_i64().unwrap());
    assert!(last < id1 && id1 < id2);

    // Then live again, with nothing replayed twice: the next event is the new one.
    t.patch(&format!("/api/v1/conversations/{two}"), &admin, json!({"status": "open"})).await.data(200);
    let live = next_event(&mut ws).await;
    assert_eq!(live["conversationId"], two);
    assert_eq!(live["summary"]["status"], "open");
    assert!(live["id"].as_i64().unwrap() > id2);
}

#[tokio::test]
async fn the_stream_needs_a_session_and_a_same_origin_page() {
    let t = TestApp::demo().await;
    let addr = t.serve().await;
    let status = |r: Result<Ws, WsError>| match r {
        Ok(_) => 101,
        Err(WsError::Http(resp)) => resp.status().as_u16(),
        Err(e) => panic!("unexpected websocket error: {e}"),
    };

    assert_eq!(status(connect(addr, None, 0, None).await), 401);
    assert_eq!(status(connect(addr, Some("parley_session=forged"), 0, None).await), 401);

    let cookie = t.login("ada@demo.parley", "parley-demo").await;
    assert_eq!(status(connect(addr, Some(&cookie), 0, Some("https://evil.example")).await), 403);
    // Pages of this site may open it: the public URL, or the host itself.
    assert_eq!(status(connect(addr, Some(&cookie), 0, Some(PUBLIC_URL)).await), 101);
    assert_eq!(status(connect(addr, Some(&cookie), 0, Some(&format!("http://{addr}"))).await), 101);

    // After signing out, the same cookie no longer opens the stream.
    let out = t.server_fn::<app::users::api::Logout>(json!({}), Some(&cookie), &[]).await;
    assert_eq!(out.status.as_u16(), 200, "{}", out.body);
    assert_eq!(status(connect(addr, Some(&cookie), 0, None).await), 401);
}

#[tokio::test]
async fn access_revoked_while_connected_stops_the_events_at_once() {
    let t = TestApp::demo().await;
    let addr = t.serve().await;
    let admin = t.key_for("admin@demo.parley").await;
    let sales = t.inbox_id("Sales").await;
    let in_sales = first_in(&t, &admin, "Sales", "").await;
    let in_support = first_in(&t, &admin, "Support", "").await;
    let cookie = t.login("ada@demo.parley", "parley-demo").await;
    let mut ada = connect(addr, Some(&cookie), event_cursor(&t, &cookie).await, None).await.unwrap();

    // While Sales is open to everyone, Ada sees its changes.
    t.patch(&format!("/api/v1/conversations/{in_sales}"), &admin, json!({"priority": "high"})).await.data(200);
    assert_eq!(next_event(&mut ada).await["conversationId"], in_sales);

    // The admin restricts Sales to nobody but admins; Ada's open tab must
    // stop getting Sales changes, as a reload would.
    t.put(&format!("/api/v1/inboxes/{sales}"), &admin, json!({"access": {"everyone": false, "userIds": []}}))
        .await
        .data(200);
    let ada_key = t.key_for("ada@demo.parley").await;
    t.get(&format!("/api/v1/conversations/{in_sales}"), &ada_key).await.assert_error(403, "forbidden");
    t.post(
        &format!("/api/v1/conversations/{in_sales}/messages"),
        &admin,
        json!({"kind": "note", "body": "Discount approved: 30%"}),
    )
    .await
    .data(201);
    t.patch(&format!("/api/v1/conversations/{in_support}"), &admin, json!({"priority": "low"})).await.data(200);
    let ev = next_event(&mut ada).await;
    assert_eq!(ev["conversationId"], in_support, "Ada still got {ev}");
}

#[tokio::test]
async fn a_demoted_admin_stops_getting_restricted_events() {
    let t = TestApp::demo().await;
    let addr = t.serve().await;
    let admin = t.key_for("admin@demo.parley").await;
    let body = json!({"name": "Dana Deputy", "email": "dana@demo.parley", "password": "deputy-pass", "role": "admin"});
    let dana = t.post("/api/v1/users", &admin, body).await.data(201)["id"].as_i64().unwrap();
    let in_billing = first_in(&t, &admin, "Billing", "").await;
    let in_support = first_in(&t, &admin, "Support", "").await;
    let cookie = t.login("dana@demo.parley", "deputy-pass").await;
    let mut ws = connect(addr, Some(&cookie), event_cursor(&t, &cookie).await, None).await.unwrap();

    t.patch(&format!("/api/v1/conversations/{in_billing}"), &admin, json!({"priority": "high"})).await.data(200);
    assert_eq!(next_event(&mut ws).await["conversationId"], in_billing, "admins see Billing");

    t.patch(&format!("/api/v1/users/{dana}"), &admin, json!({"role": "agent"})).await.data(200);
    t.patch(&format!("/api/v1/conversations/{in_billing}"), &admin, json!({"priority": "urgent"})).await.data(200);
    t.patch(&format!("/api/v1/conversations/{in_support}"), &admin, json!({"priority": "low"})).await.data(200);
    let ev = next_event(&mut ws).await;
    assert_eq!(ev["conversationId"], in_support, "Dana, now an agent, still got {ev}");
}
