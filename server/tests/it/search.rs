//! Full-text search on a real database: conversations seeded through the
//! REST API and the SMTP ingest path, found by message text, subject and
//! contact; the FTS triggers on update and delete; the best hit per
//! conversation; the list's index order; and the deadline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use app::error::AppError;
use app::ids::{ConversationId, MessageId};
use app::search::server::{best_matches, push_match, with_deadline, DEFAULT_LIMIT};
use app::search::{parse, TOO_LONG};
use app::users::model::Role;
use serde_json::{json, Value};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::common::mail::{email_channel, mail_app, send_raw};
use crate::common::TestApp;

/// A workspace with an admin; their API key.
async fn setup() -> (TestApp, String) {
    let t = TestApp::new().await;
    let (_, key) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    (t, key)
}

/// A conversation "via API" from `contact` (JSON), with its first message.
async fn start(t: &TestApp, key: &str, contact: Value, subject: &str, body: &str) -> i64 {
    let body = json!({"contact": contact, "subject": subject, "message": {"body": body}});
    t.post("/api/v1/conversations", key, body).await.data(201)["id"].as_i64().unwrap()
}

/// Posts a note or reply; the message id.
async fn add(t: &TestApp, key: &str, conversation: i64, kind: &str, body: &str) -> i64 {
    let uri = format!("/api/v1/conversations/{conversation}/messages");
    t.post(&uri, key, json!({"kind": kind, "body": body})).await.data(201)["id"].as_i64().unwrap()
}

/// The list query the way the conversation list builds it, narrowed by
/// `q`, newest activity first.
fn list_query<'a>(t: &TestApp, q: &app::search::SearchQuery, select: &str) -> QueryBuilder<'a, Sqlite> {
    let mut qb = QueryBuilder::new(format!("{select} WHERE c.workspace_id = "));
    qb.push_bind(t.ws);
    push_match(&mut qb, q, false);
    qb.push(" ORDER BY c.last_activity_at DESC, c.id DESC");
    qb
}

/// The ids of the conversations matching `q`, in list order.
async fn search(t: &TestApp, q: &str) -> Vec<i64> {
    let q = parse(q).unwrap();
    list_query(t, &q, "SELECT c.id FROM conversations c")
        .build_query_scalar()
        .fetch_all(&t.state.db.pool)
        .await
        .unwrap()
}

/// The same search on one connection, for use inside a deadline.
async fn search_on(conn: &mut SqliteConnection, t: &TestApp, q: &str) -> Result<Vec<i64>, AppError> {
    let q = parse(q).unwrap();
    Ok(list_query(t, &q, "SELECT c.id FROM conversations c").build_query_scalar().fetch_all(&mut *conn).await?)
}

/// `best_matches` for a page of conversation ids.
async fn best(t: &TestApp, ids: &[i64], q: &str) -> std::collections::HashMap<ConversationId, app::search::Hit> {
    let ids: Vec<ConversationId> = ids.iter().copied().map(ConversationId).collect();
    let mut conn = t.state.db.pool.acquire().await.unwrap();
    best_matches(&mut conn, &ids, &parse(q).unwrap(), false).await.unwrap()
}

/// FTS5's own check that each index agrees with its content table.
async fn assert_indexes_consistent(t: &TestApp) {
    for table in ["messages_fts", "conversations_fts", "contacts_fts"] {
        sqlx::query(&format!("INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)"))
            .execute(&t.state.db.writer)
            .await
            .unwrap_or_else(|e| panic!("{table}: {e}"));
    }
}

#[tokio::test]
async fn a_word_in_a_message_body_finds_its_conversation() {
    let (t, key) = setup().await;
    let parcel = start(&t, &key, json!({"email": "ada@customer.test"}), "Order", "Where is my parcel?").await;
    let invoice = start(&t, &key, json!({"email": "bob@customer.test"}), "Billing", "Please send the invoice").await;

    assert_eq!(search(&t, "parcel").await, vec![parcel]);
    assert_eq!(search(&t, "PARCEL").await, vec![parcel], "case does not matter");
    assert_eq!(search(&t, "invoice").await, vec![invoice]);
    assert_eq!(search(&t, "where parcel").await, vec![parcel], "words anywhere, in any order");
    assert_eq!(search(&t, "parcel invoice").await, Vec::<i64>::new(), "every word must match");
    assert_eq!(search(&t, "par").await, Vec::<i64>::new(), "whole words, not prefixes");
}

#[tokio::test]
async fn a_quoted_phrase_matches_only_the_exact_phrase() {
    let (t, key) = setup().await;
    let a = start(&t, &key, json!({"email": "a@customer.test"}), "One", "The parcel is not here yet").await;
    let b = start(&t, &key, json!({"email": "b@customer.test"}), "Two", "Here is the parcel, not late").await;

    assert_eq!(search(&t, "parcel here").await, vec![b, a]);
    assert_eq!(search(&t, r#""parcel is not here""#).await, vec![a]);
    assert_eq!(search(&t, r#""here is the parcel""#).await, vec![b]);
    assert_eq!(search(&t, r#""parcel here""#).await, Vec::<i64>::new());
    // Punctuation between the words does not break the phrase.
    assert_eq!(search(&t, r#""parcel not""#).await, vec![b]);
    // An unclosed quote is a phrase to the end.
    assert_eq!(search(&t, r#"yet "is not here"#).await, vec![a]);
}

#[tokio::test]
async fn accents_do_not_matter_in_either_direction() {
    let (t, key) = setup().await;
    let accented =
        start(&t, &key, json!({"email": "a@customer.test"}), "Job", "Attached is my résumé for the café job").await;
    let plain = start(&t, &key, json!({"email": "b@customer.test"}), "Order", "Please resume the cafe order").await;

    assert_eq!(search(&t, "resume").await, vec![plain, accented]);
    assert_eq!(search(&t, "résumé").await, vec![plain, accented]);
    assert_eq!(search(&t, "CAFÉ").await, vec![plain, accented]);
    assert_eq!(search(&t, r#""cafe job""#).await, vec![accented]);
    assert_eq!(search(&t, r#""résumé the café""#).await, vec![plain]);
}

#[tokio::test]
async fn a_word_only_in_an_html_mails_text_is_found() {
    let (t, admin, capture, smtp, inbox) = mail_app().await;
    let channel = email_channel(&t, &admin, inbox, &capture, json!({})).await;
    let fwd = channel["forwardingAddress"].as_str().unwrap().to_string();
    let raw = format!(
        "From: Dora Designer <dora@client.test>\r\nTo: {fwd}\r\nSubject: Logo files\r\n\
         Message-ID: <html-search-1@client.test>\r\nDate: Sun, 22 Nov 2026 16:20:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <html><body><p>The <b>flamingo</b> drafts are ready.</p>\
         <p><a href=\"https://files.client.test/zebracrossing\">Download</a></p></body></html>\r\n"
    );
    send_raw(smtp, Some("dora@client.test"), &fwd, raw.as_bytes()).await.unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM conversations WHERE subject = 'Logo files'")
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
    let first = &t.messages(&admin, id).await[0];
    assert!(first["html"].as_str().unwrap().contains("<b>flamingo</b>"), "{first}");

    // The stored text (extracted from the HTML) is what is searched...
    assert_eq!(search(&t, "flamingo").await, vec![id]);
    assert_eq!(search(&t, r#""flamingo drafts""#).await, vec![id], "markup between words is gone");
    // ...not the markup: a word only inside an attribute does not match.
    assert_eq!(search(&t, "zebracrossing").await, Vec::<i64>::new());
    assert_eq!(search(&t, "href").await, Vec::<i64>::new());
}

#[tokio::test]
async fn a_word_only_in_the_first_of_several_messages_is_found() {
    let (t, key) = setup().await;
    let id = start(&t, &key, json!({"email": "ada@customer.test"}), "Order", "Kiwi order number 4411").await;
    add(&t, &key, id, "note", "Checking the warehouse").await;
    add(&t, &key, id, "reply", "It left yesterday").await;
    add(&t, &key, id, "note", "Customer happy").await;
    let other = start(&t, &key, json!({"email": "bob@customer.test"}), "Other", "Nothing to see").await;

    assert_eq!(search(&t, "kiwi").await, vec![id]);
    assert_eq!(search(&t, "4411").await, vec![id]);
    let first: i64 = t.messages(&key, id).await[0]["id"].as_i64().unwrap();
    let hits = best(&t, &[other, id], "kiwi").await;
    assert_eq!(hits[&ConversationId(id)].message_id, Some(MessageId(first)));
    assert!(!hits.contains_key(&ConversationId(other)));
    // Notes are searched too: this is staff search.
    assert_eq!(search(&t, "warehouse").await, vec![id]);
}

#[tokio::test]
async fn contacts_are_found_by_name_email_and_phone() {
    let (t, key) = setup().await;
    let contact = json!({"name": "Marta Quill", "email": "mq@maple.test", "phone": "+1 (555) 010-9999"});
    let first = start(&t, &key, contact.clone(), "Hello", "First question").await;
    let second = start(&t, &key, json!({"email": "mq@maple.test"}), "Again", "Second question").await;
    start(&t, &key, json!({"name": "Someone Else", "email": "se@other.test"}), "Hi", "Unrelated").await;

    let both = vec![second, first];
    assert_eq!(search(&t, "quill").await, both, "every conversation of the contact");
    assert_eq!(search(&t, "Marta Quill").await, both);
    assert_eq!(search(&t, "mq@maple.test").await, both);
    assert_eq!(search(&t, "maple").await, both);
    assert_eq!(search(&t, "+15550109999").await, both, "the number as stored");
    assert_eq!(search(&t, "15550109999").await, both);

    // Renaming the contact moves the index with it.
    let contact_id = t.get(&format!("/api/v1/conversations/{first}"), &key).await.data(200)["contactId"].clone();
    t.patch(&format!("/api/v1/contacts/{contact_id}"), &key, json!({"name": "Marta Stone"})).await.data(200);
    assert_eq!(search(&t, "quill").await, Vec::<i64>::new());
    assert_eq!(search(&t, "stone").await, both);
    assert_indexes_consistent(&t).await;
}

#[tokio::test]
async fn the_subject_is_searchable() {
    let (t, key) = setup().await;
    let id = start(&t, &key, json!({"email": "ada@customer.test"}), "Wobbly table leg", "Hi there").await;
    start(&t, &key, json!({"email": "bob@customer.test"}), "Chair", "Hi there").await;

    assert_eq!(search(&t, "wobbly").await, vec![id]);
    assert_eq!(search(&t, r#""table leg""#).await, vec![id]);
    // Subject and body of one message match together.
    assert_eq!(search(&t, "wobbly there").await, vec![id]);
}

#[tokio::test]
async fn an_edited_message_body_is_reindexed() {
    // Parley never edits a stored body today; this pins the UPDATE trigger
    // for when it does (and shows other updates leave the index alone).
    let (t, key) = setup().await;
    let id = start(&t, &key, json!({"email": "ada@customer.test"}), "Order", "Original wording").await;
    let mid: i64 = t.messages(&key, id).await[0]["id"].as_i64().unwrap();
    sqlx::query("UPDATE messages SET body = 'Corrected wording' WHERE id = ?")
        .bind(mid)
        .execute(&t.state.db.writer)
        .await
        .unwrap();
    sqlx::query("UPDATE messages SET delivery_status = 'sent' WHERE id = ?")
        .bind(mid)
        .execute(&t.state.db.writer)
        .await
        .unwrap();

    assert_eq!(search(&t, "original").await, Vec::<i64>::new());
    assert_eq!(search(&t, "corrected").await, vec![id]);
    assert_indexes_consistent(&t).await;
}

#[tokio::test]
async fn a_deleted_conversation_leaves_no_stale_hit() {
    let (t, key) = setup().await;
    let gone = start(&t, &key, json!({"email": "ada@customer.test"}), "Walrus subject", "Walrus body").await;
    add(&t, &key, gone, "note", "walrus note").await;
    let kept = start(&t, &key, json!({"email": "bob@customer.test"}), "Kept", "Still a walrus").await;
    assert_eq!(search(&t, "walrus").await, vec![kept, gone]);

    // No endpoint deletes conversations yet; the cascade to messages is
    // what a future one (or a retention job) will rely on.
    sqlx::query("DELETE FROM conversations WHERE id = ?").bind(gone).execute(&t.state.db.writer).await.unwrap();

    assert_eq!(search(&t, "walrus").await, vec![kept]);
    // Not merely filtered out by the join: the index itself forgot them.
    for (table, n) in [("messages_fts", 1), ("conversations_fts", 0)] {
        let hits: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table} WHERE {table} MATCH 'walrus'"))
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        assert_eq!(hits, n, "{table}");
    }
    assert_indexes_consistent(&t).await;
}

#[tokio::test]
async fn best_matches_marks_the_word_in_the_newest_matching_message() {
    let (t, key) = setup().await;
    let contact = json!({"name": "Kettle Collector", "email": "kc@tea.test"});
    let kettle = start(&t, &key, contact, "Broken appliance", "The blue kettle has a broken handle").await;
    let note = add(&t, &key, kettle, "note", "Kettle replaced under warranty").await;
    add(&t, &key, kettle, "reply", "Thanks for waiting").await;
    let subject_only = start(&t, &key, json!({"email": "ada@customer.test"}), "Kettle lid", "Hi").await;
    let contact_only = start(&t, &key, json!({"name": "Tom Teapot", "email": "tt@tea.test"}), "Hi", "Hello").await;
    let page = [contact_only, subject_only, kettle];

    let hits = best(&t, &page, "kettle").await;
    let h = &hits[&ConversationId(kettle)];
    assert_eq!(h.message_id, Some(MessageId(note)), "the newest message that says it");
    assert_eq!(h.snippet, "[[Kettle]] replaced under warranty");
    // Only the subject says it: no message to point at.
    let h = &hits[&ConversationId(subject_only)];
    assert_eq!((h.message_id, h.snippet.as_str()), (None, "[[Kettle]] lid"));
    assert!(!hits.contains_key(&ConversationId(contact_only)));

    let hits = best(&t, &page, "broken handle").await;
    let h = &hits[&ConversationId(kettle)];
    let first: i64 = t.messages(&key, kettle).await[0]["id"].as_i64().unwrap();
    assert_eq!(h.message_id, Some(MessageId(first)));
    assert_eq!(h.snippet, "The blue kettle has a [[broken]] [[handle]]");

    let hits = best(&t, &page, "teapot").await;
    let h = &hits[&ConversationId(contact_only)];
    assert_eq!((h.message_id, h.snippet.as_str()), (None, "Tom [[Teapot]]"));

    // A long body is cut to about a dozen words around the match.
    let long = format!("{} needle {}", "filler ".repeat(40), "padding ".repeat(40));
    let id = start(&t, &key, json!({"email": "long@customer.test"}), "Long", &long).await;
    let h = &best(&t, &[id], "needle").await[&ConversationId(id)];
    assert!(h.snippet.contains("[[needle]]") && h.snippet.contains('…'), "{}", h.snippet);
    assert!(h.snippet.split_whitespace().count() <= 13, "{}", h.snippet);

    assert!(best(&t, &[], "kettle").await.is_empty());
}

#[tokio::test]
async fn a_match_across_a_messages_subject_and_body_points_at_the_message() {
    // Not the body alone and not the conversation's subject alone, but one
    // message's subject plus body: the message is the hit.
    let (t, key) = setup().await;
    let id = start(&t, &key, json!({"email": "ada@customer.test"}), "Kettle", "It has a cracked handle").await;
    let mid: i64 = t.messages(&key, id).await[0]["id"].as_i64().unwrap();
    assert_eq!(search(&t, "kettle cracked").await, vec![id]);
    let hits = best(&t, &[id], "kettle cracked").await;
    let h = &hits[&ConversationId(id)];
    assert_eq!(h.message_id, Some(MessageId(mid)));
    assert!(h.snippet.contains("[[cracked]]") || h.snippet.contains("[[Kettle]]"), "{}", h.snippet);
}

#[tokio::test]
async fn fts_operators_typed_in_the_box_are_plain_words() {
    let (t, key) = setup().await;
    let id = start(&t, &key, json!({"email": "ada@customer.test"}), "Order", "Near the door and not by the gate").await;
    assert_eq!(search(&t, "and").await, vec![id]);
    assert_eq!(search(&t, "NEAR AND NOT").await, vec![id]);
    assert_eq!(search(&t, "door OR nothing").await, Vec::<i64>::new(), "OR is a word that must match too");
    for q in ["NEAR(door gate)", "body:door", "door*", "-gate", "^near", "{subject}: door", r#"door" OR "x"#, "a AND"] {
        // Each runs as a plain search: no FTS syntax error.
        let mut conn = t.state.db.pool.acquire().await.unwrap();
        search_on(&mut conn, &t, q).await.unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    assert_eq!(search(&t, "NEAR(door gate)").await, vec![id]);
}

/// A search reads conversations by id only (the ones it matched), then
/// sorts them: never a walk of the list's index or a table scan.
#[tokio::test]
async fn a_search_looks_its_matches_up_by_id() {
    use app::conversations::model::ListFilter;
    use app::conversations::server::{count_query, list_query, Narrowing};
    let (t, _) = setup().await;
    let who = app::users::server::principal(&t.state.db, t.user_id("ann@shop.test").await).await.unwrap().unwrap();
    let f = ListFilter { q: Some("refund parcel".into()), ..ListFilter::default() };
    let mut conn = t.state.db.pool.acquire().await.unwrap();
    let n = Narrowing::plan(&mut conn, &who, &f).await.unwrap();
    drop(conn);
    let sql = format!("EXPLAIN QUERY PLAN {}", app::conversations::server::SUMMARY_SQL);
    for mut qb in
        [list_query(&sql, &who, &f, &n, None, 51), count_query("EXPLAIN QUERY PLAN ", &who, &f, &n, Some(10_001))]
    {
        let rows: Vec<(i64, i64, i64, String)> = qb.build_query_as().fetch_all(&t.state.db.pool).await.unwrap();
        let plan: Vec<String> = rows.into_iter().map(|r| r.3).collect();
        assert!(plan.iter().any(|d| d.starts_with("SEARCH c USING INTEGER PRIMARY KEY")), "{plan:#?}");
        assert!(!plan.iter().any(|d| d.starts_with("SCAN c ") || d == "SCAN c"), "{plan:#?}");
    }
}

/// Past `CANDIDATES` matching messages, a search shows the conversations
/// of the newest ones (the oldest ones when sorted oldest first) and says
/// so; below it every match counts.
#[tokio::test]
async fn a_word_in_very_many_messages_lists_its_newest_matches_and_says_so() {
    use app::conversations::model::{ListFilter, Sort, View};
    let (t, key) = setup().await;
    let old = start(&t, &key, json!({"email": "old@customer.test"}), "Old", "A plain common question").await;
    let rare = start(&t, &key, json!({"email": "rare@customer.test"}), "Rare", "About a zeppelin").await;
    let busy = seed_many(&t, &key).await; // 50,000 newer notes saying "common"
    let who = app::users::server::principal(&t.state.db, t.user_id("ann@shop.test").await).await.unwrap().unwrap();
    let page = async |q: &str, sort: Sort| {
        let f = ListFilter { view: View::All, q: Some(q.into()), sort, ..ListFilter::default() };
        app::conversations::server::list(&t.state.db, &who, &f, None, 50).await.unwrap()
    };
    let ids = |p: &app::conversations::model::ConversationPage| p.items.iter().map(|c| c.id.0).collect::<Vec<_>>();

    let newest = page("common", Sort::Newest).await;
    assert!(newest.newest_only, "over {} matches", app::search::CANDIDATES);
    assert_eq!(ids(&newest), vec![busy], "the old conversation's match is older than the newest matches");
    assert_eq!(newest.total, Some(1));
    let oldest = page("common", Sort::Oldest).await;
    assert!(oldest.newest_only);
    assert_eq!(ids(&oldest), vec![old, busy], "oldest first reads the oldest matches");
    // Each result opens at its matching message, its word marked.
    let hit = |p: &app::conversations::model::ConversationPage, id: i64| {
        p.items.iter().find(|c| c.id.0 == id).and_then(|c| c.hit.clone()).expect("a hit")
    };
    let newest_of = async |id: i64| -> i64 {
        sqlx::query_scalar("SELECT MAX(id) FROM messages WHERE conversation_id = ?")
            .bind(id)
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap()
    };
    assert_eq!(hit(&newest, busy).message_id.map(|m| m.0), Some(newest_of(busy).await));
    assert!(hit(&newest, busy).snippet.contains("[[common]] filler number 50000"), "{:?}", hit(&newest, busy));
    assert_eq!(hit(&oldest, old).message_id.map(|m| m.0), Some(newest_of(old).await));
    assert!(hit(&oldest, old).snippet.contains("plain [[common]] question"), "{:?}", hit(&oldest, old));

    let few = page("zeppelin", Sort::Newest).await;
    assert!(!few.newest_only);
    assert_eq!(ids(&few), vec![rare]);
    let both = page("question", Sort::Newest).await;
    assert!(!both.newest_only);
    assert_eq!(ids(&both), vec![old]);
}

/// 50 000 notes with the same word in one conversation, straight into the
/// table (the triggers index them as they land).
async fn seed_many(t: &TestApp, key: &str) -> i64 {
    let id = start(t, key, json!({"email": "bulk@customer.test"}), "Bulk", "Start").await;
    sqlx::query(
        "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50000)
         INSERT INTO messages (conversation_id, direction, channel_kind, body, created_at)
         SELECT ?, 'note', 'note', 'common filler number ' || n, 0 FROM s",
    )
    .bind(id)
    .execute(&t.state.db.writer)
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn a_search_past_its_deadline_fails_clearly_and_the_connection_recovers() {
    let (t, key) = setup().await;
    let id = seed_many(&t, &key).await;
    let mut conn = t.state.db.pool.acquire().await.unwrap();

    // A zero limit: SQLite stops at the first progress check, so this does
    // not depend on how fast the machine is.
    let err = with_deadline(&mut conn, Duration::ZERO, async |c| search_on(c, &t, "common").await).await.unwrap_err();
    assert_eq!(err, AppError::BadRequest { message: TOO_LONG.into() });
    assert_eq!(err.status(), 400);

    // The handler is gone: the same connection runs the search in full,
    // with or without a deadline.
    assert_eq!(search_on(&mut conn, &t, "common").await.unwrap(), vec![id]);
    let found = with_deadline(&mut conn, DEFAULT_LIMIT, async |c| search_on(c, &t, "common").await).await;
    assert_eq!(found.unwrap(), vec![id]);

    // The list runs searches in spawned tasks: the future must be Send.
    let pool = t.state.db.pool.clone();
    let ws = t.ws;
    let spawned = tokio::spawn(async move {
        let mut conn = pool.acquire().await.unwrap();
        with_deadline(&mut conn, Duration::ZERO, async |c| {
            let mut qb = QueryBuilder::new("SELECT c.id FROM conversations c WHERE c.workspace_id = ");
            qb.push_bind(ws);
            push_match(&mut qb, &parse("common").unwrap(), false);
            Ok(qb.build_query_scalar::<i64>().fetch_all(&mut *c).await?)
        })
        .await
    });
    assert_eq!(spawned.await.unwrap().unwrap_err(), AppError::BadRequest { message: TOO_LONG.into() });
}

#[tokio::test]
async fn a_search_abandoned_midway_leaves_no_deadline_behind() {
    let (t, key) = setup().await;
    let id = seed_many(&t, &key).await;
    let mut conn = t.state.db.pool.acquire().await.unwrap();

    // The caller gives up (a client that went away) after the handler is
    // set and before it could be removed.
    let abandoned =
        with_deadline(&mut conn, Duration::ZERO, async |_| std::future::pending::<Result<(), AppError>>().await);
    assert!(tokio::time::timeout(Duration::from_millis(50), abandoned).await.is_err());

    // The leftover handler is disarmed, so the next query on this pooled
    // connection is not cut short by someone else's deadline.
    assert_eq!(search_on(&mut conn, &t, "common").await.unwrap(), vec![id]);
}

#[tokio::test]
async fn rows_from_before_the_migration_are_indexed_by_it() {
    // A database as it was before search: migrated to 0004, with data.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/old.db?mode=rwc", dir.path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let all = sqlx::migrate!("../app/migrations");
    let mut before = sqlx::migrate!("../app/migrations");
    before.migrations = all.migrations.iter().filter(|m| m.version < 5).cloned().collect::<Vec<_>>().into();
    before.run(&pool).await.unwrap();
    for sql in [
        "INSERT INTO workspaces (id, name, created_at) VALUES (1, 'W', 0)",
        "INSERT INTO inboxes (id, workspace_id, name, created_at) VALUES (1, 1, 'Support', 0)",
        "INSERT INTO channels (id, workspace_id, name, kind, inbox_id, token, created_at) VALUES (1, 1, 'API', 'api', 1, 't', 0)",
        "INSERT INTO contacts (id, workspace_id, name, email, created_at, updated_at) VALUES (1, 1, 'Olga Oldfield', 'olga@old.test', 0, 0)",
        "INSERT INTO conversations (id, workspace_id, inbox_id, channel_id, contact_id, subject, created_at, last_activity_at)
         VALUES (1, 1, 1, 1, 1, 'Vintage gramophone', 0, 0)",
        "INSERT INTO messages (id, conversation_id, direction, channel_kind, body, created_at)
         VALUES (1, 1, 'inbound', 'api', 'The needle skips', 0)",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }

    all.run(&pool).await.unwrap();

    let search = |q: &'static str| {
        let pool = pool.clone();
        async move {
            let mut qb = QueryBuilder::new("SELECT c.id FROM conversations c WHERE c.workspace_id = 1");
            push_match(&mut qb, &parse(q).unwrap(), false);
            qb.build_query_scalar::<i64>().fetch_all(&pool).await.unwrap()
        }
    };
    for q in ["needle", "gramophone", "oldfield", "olga@old.test"] {
        assert_eq!(search(q).await, vec![1], "{q}");
    }
}
