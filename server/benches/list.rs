//! `cargo bench -p server --bench list`: how the conversation list and
//! ingest hold up on a big workspace. Seeds N conversations (default
//! 200 000; `PARLEY_BENCH_N` to change) into a throwaway SQLite file, then
//! times the list query for each view (first page and a deep keyset page)
//! and API-style ingest. Prints medians; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use app::conversations::model::{ListFilter, Sort, Status, View};
use app::ingest::{ContactRef, Inbound, Origin};
use app::users::model::{NewUser, Role};

/// Rows 1..=? without the series extension.
const SERIES: &str = "WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < ?)";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let n: i64 = std::env::var("PARLEY_BENCH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let dir = tempfile::tempdir().unwrap();
    let opts = server::Options {
        database_url: format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()),
        public_url: "http://localhost:3000".into(),
        site_addr: "127.0.0.1:0".parse().unwrap(),
        inbound_domain: "inbound.localhost".into(),
        data_dir: dir.path().join("data"),
    };
    let state = server::state(&opts).await.unwrap();
    let ws = app::workspace::ensure(&state.db).await.unwrap();
    let admin = app::users::server::create_user(
        &state.db,
        ws,
        &NewUser {
            name: "Bench Admin".into(),
            email: "bench@example.com".into(),
            password: "benchmark-pw".into(),
            role: Role::Admin,
        },
    )
    .await
    .unwrap();
    let who = app::users::server::principal(&state.db, admin.id).await.unwrap().unwrap();

    let t = Instant::now();
    let mut tx = state.db.writer.begin().await.unwrap();
    sqlx::query(&format!("{SERIES} INSERT INTO contacts (workspace_id, name, email, created_at, updated_at) SELECT ?, 'Contact ' || value, 'c' || value || '@example.com', 0, 0 FROM s"))
        .bind(n / 4).bind(ws).execute(&mut *tx).await.unwrap();
    let statuses = ["new", "open", "pending", "snoozed", "resolved", "closed"];
    sqlx::query(&format!(
        "{SERIES} INSERT INTO conversations (workspace_id, inbox_id, channel_id, contact_id, subject, preview, status, assignee_id, unread, created_at, last_activity_at)
         SELECT ?, (SELECT id FROM inboxes LIMIT 1), (SELECT id FROM channels LIMIT 1), 1 + (value % ?), 'Subject ' || value, 'Preview ' || value,
                CASE value % 6 {} END, CASE WHEN value % 3 = 0 THEN ? END, value % 2, value * 1000, value * 1000 + (value % 7) * 100000
         FROM s",
        statuses.iter().enumerate().map(|(i, s)| format!("WHEN {i} THEN '{s}'")).collect::<Vec<_>>().join(" ")
    ))
    .bind(n).bind(ws).bind(n / 4).bind(admin.id).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(&state.db.writer).await.unwrap();
    println!("seeded {n} conversations in {:?}", t.elapsed());

    for view in [View::AllOpen, View::Mine, View::Unassigned, View::MyUnread, View::All] {
        for sort in [Sort::Newest, Sort::Added] {
            let f = ListFilter { view, sort, ..ListFilter::default() };
            let mut first = vec![];
            let mut deep = vec![];
            let mut cursor = None;
            for i in 0..30 {
                let s = Instant::now();
                let page = app::conversations::server::list(&state.db, &who, &f, cursor.as_deref(), 30).await.unwrap();
                if i == 0 {
                    first.push(s.elapsed())
                } else {
                    deep.push(s.elapsed())
                }
                cursor = page.next_cursor;
                if i == 0 {
                    for _ in 0..9 {
                        let s = Instant::now();
                        app::conversations::server::list(&state.db, &who, &f, None, 30).await.unwrap();
                        first.push(s.elapsed());
                    }
                }
            }
            println!(
                "list {:>10} {:>6}: first page {:>9.2?}  next pages {:>9.2?} (median, incl. count)",
                view.as_str(),
                sort.as_str(),
                median(first),
                median(deep)
            );
        }
    }
    let f = ListFilter { view: View::All, status: Some(Status::Closed), ..ListFilter::default() };
    let s = Instant::now();
    app::conversations::server::list(&state.db, &who, &f, None, 30).await.unwrap();
    println!("list status=closed: {:?}", s.elapsed());

    let runs = 500;
    let s = Instant::now();
    for i in 0..runs {
        let inbound = Inbound {
            channel_id: None,
            inbox_id: None,
            contact: ContactRef::Details(app::contacts::model::ContactInput {
                name: Some(format!("New {i}")),
                email: Some(format!("new{i}@example.org")),
                phone: None,
            }),
            subject: "Bench".into(),
            body: "Hello from the benchmark".into(),
            origin: Origin::Customer { provider_message_id: None },
            extras: Default::default(),
        };
        app::ingest::server::ingest(&state.db, &state.hub, Some(&who), who.workspace_id, &inbound).await.unwrap();
    }
    let el = s.elapsed();
    println!("ingest (sequential, synchronous=FULL): {runs} in {el:?} = {:.0}/s", runs as f64 / el.as_secs_f64());
}
