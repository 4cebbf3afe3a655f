//! Server-rendered pages: every page a signed-in agent opens arrives
//! complete, loading each of its resources once, also under concurrent
//! load. Two ways this broke: on a multi-threaded runtime Leptos' reactive
//! graph could lock and stop the whole server (see `server::render`), and
//! a resource created inside a view closure was created again on each of
//! the render's passes over the tree, so a page loaded the same data
//! hundreds of times and took seconds (see `InboxCtx`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request};
use futures::StreamExt;
use tower::ServiceExt;

use crate::common::TestApp;

/// The inbox page's resources, each created once (see `InboxCtx`).
const PAGE_RESOURCES: usize = 10;

/// The Settings page's resources, each created once (see `SettingsCtx`):
/// who is signed in, members, API keys, inboxes, channels, routing rules,
/// automations, templates.
const SETTINGS_RESOURCES: usize = 8;

/// How many resources a page sent along for the browser to hydrate.
fn resources_in(html: &str) -> usize {
    html.matches("__RESOLVED_RESOURCES[").count()
}

async fn page(t: &TestApp, cookie: &str, uri: &str) -> String {
    let req = Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    let res = t.send(req).await;
    assert_eq!(res.status.as_u16(), 200, "{uri}");
    String::from_utf8_lossy(&res.raw).into_owned()
}

#[tokio::test]
async fn each_inbox_page_loads_each_resource_once() {
    let t = TestApp::demo().await;
    let cookie = t.login("admin@demo.parley", "parley-demo").await;
    // The list, a conversation open, the new-conversation form, the table
    // and the board: the inbox page's ten resources (who is signed in, the
    // list, the inboxes and people its filters offer, the open
    // conversation, the pickers' inboxes, the contact search, the
    // notifications, the saved views, the board), every time.
    for (uri, shows) in [
        ("/inbox?view=all", "class=\"conv-list"),
        ("/inbox?view=all&c=3", "data-conversation=\"3\""),
        ("/inbox?view=all&c=new", "new-conversation"),
        ("/inbox?view=all&layout=list", "<table class=\"conv-table"),
        ("/inbox?view=all&layout=cards", "data-lane=\"resolved\""),
    ] {
        for _ in 0..6 {
            let html = page(&t, &cookie, uri).await;
            assert!(html.contains("</html>"), "{uri} arrived cut off");
            assert!(html.contains(shows), "{uri} lacks {shows}");
            assert_eq!(resources_in(&html), PAGE_RESOURCES, "{uri} loaded its data more than once");
        }
    }
    // The table and the board render their rows on the server.
    let html = page(&t, &cookie, "/inbox?view=all&layout=list").await;
    assert!(html.matches("class=\"conv-row").count() >= 20, "the table's rows");
    let html = page(&t, &cookie, "/inbox?view=all&layout=cards").await;
    assert!(html.matches("draggable=\"true\"").count() >= 20, "the board's cards");
}

#[tokio::test]
async fn the_settings_page_loads_each_resource_once() {
    let t = TestApp::demo().await;
    let cookie = t.login("admin@demo.parley", "parley-demo").await;
    for _ in 0..6 {
        let html = page(&t, &cookie, "/settings").await;
        assert!(html.contains("</html>"), "settings arrived cut off");
        for section in [
            "class=\"members",
            "class=\"api-keys",
            "class=\"inbox-assignment",
            "class=\"routing",
            "automation-form",
            "class=\"signature",
            "class=\"templates",
        ] {
            assert!(html.contains(section), "settings lacks {section}");
        }
        assert_eq!(resources_in(&html), SETTINGS_RESOURCES, "settings loaded its data more than once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_with_an_open_conversation_render_completely_under_concurrent_load() {
    let t = Arc::new(TestApp::demo().await);
    let cookie = Arc::new(t.login("admin@demo.parley", "parley-demo").await);
    // What each page has received so far, so a stall names the page and
    // where its HTML stopped.
    let partial: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
    // Four at a time, as a few agents' browsers would: enough for renders
    // to run on both threads at once.
    let slots = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = tokio::task::JoinSet::new();
    for round in 0..3 {
        for c in 1..=40i64 {
            let (t, cookie, slots, partial) = (t.clone(), cookie.clone(), slots.clone(), partial.clone());
            let uri = if round % 3 == 2 { "/settings".to_string() } else { format!("/inbox?view=all&c={c}") };
            tasks.spawn(async move {
                let _slot = slots.acquire_owned().await.unwrap();
                let key = format!("{uri} (round {round}, request {c})");
                partial.lock().unwrap().insert(key.clone(), Vec::new());
                let req = Request::get(&uri).header(header::COOKIE, cookie.as_str()).body(Body::empty()).unwrap();
                let res = t.router.clone().oneshot(req).await.unwrap();
                let status = res.status();
                let mut body = res.into_body().into_data_stream();
                while let Some(chunk) = body.next().await {
                    partial.lock().unwrap().entry(key.clone()).or_default().extend_from_slice(&chunk.unwrap());
                }
                let raw = partial.lock().unwrap().remove(&key).unwrap_or_default();
                (uri, c, status, raw)
            });
        }
    }
    // Not a speed check (each page takes milliseconds): a page whose render
    // never finishes would hang the test, and a locked graph blocks the
    // runtime's threads for good, timers included, so only a plain thread
    // can turn that hang into a failure that says which pages stalled.
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watched = partial.clone();
    std::thread::spawn(move || {
        if finished.recv_timeout(Duration::from_secs(180)) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
            // Straight to stderr: the test harness captures `eprintln!`
            // and would drop it at `exit`.
            let mut report = String::from("pages_render_completely: these pages never finished rendering:\n");
            if let Ok(pending) = watched.try_lock() {
                for (key, raw) in pending.iter() {
                    let html = String::from_utf8_lossy(raw);
                    let tail: String = html.chars().rev().take(600).collect::<Vec<_>>().into_iter().rev().collect();
                    let resolved = resources_in(&html);
                    report.push_str(&format!(
                        "--- {key}: {} bytes, {resolved} resources, ends with:\n{tail}\n",
                        raw.len()
                    ));
                }
            } else {
                report.push_str("(the progress map is locked: the runtime itself is stuck)\n");
            }
            let _ = std::io::Write::write_all(&mut std::io::stderr(), report.as_bytes());
            std::process::exit(101);
        }
    });
    let all = tasks.join_all().await;
    let _ = done.send(());
    assert_eq!(all.len(), 120);
    for (uri, c, status, raw) in all {
        assert_eq!(status.as_u16(), 200, "{uri}");
        let html = String::from_utf8_lossy(&raw);
        assert!(html.contains("</html>"), "{uri} arrived cut off");
        if uri.starts_with("/inbox") {
            assert!(html.contains(&format!("data-conversation=\"{c}\"")), "{uri} lacks its thread");
            assert!(html.contains("<aside class=\"details"), "{uri} lacks the details pane");
            assert_eq!(resources_in(&html), PAGE_RESOURCES, "{uri} loaded its data more than once");
        } else {
            assert!(html.contains("automation-form"), "{uri} lacks the automations form");
            assert_eq!(resources_in(&html), SETTINGS_RESOURCES, "{uri} loaded its data more than once");
        }
    }
}
