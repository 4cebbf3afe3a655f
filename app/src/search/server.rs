//! Full-text search in SQL (FTS5 tables of migration 0005): the clause that
//! narrows the conversation list to matches, the best hit per conversation
//! on a page, and the deadline that stops a search that runs too long.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection};

use crate::error::AppResult;
use crate::ids::{ConversationId, MessageId};
use crate::search::{too_long, Hit, SearchQuery, CANDIDATES};

/// How long a search may run before SQLite is told to stop: 2 s. On 1M
/// conversations and 5M messages a list page took about 0.3 s for a rare
/// word or a fairly common one, and about 3 s for a word in every message;
/// the answer to that one is more words, not a longer wait.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(2);

/// SQLite calls the progress handler every this many virtual-machine
/// steps, typically tens of microseconds of work: often enough to stop on
/// time, rarely enough that reading the clock costs nothing.
const PROGRESS_STEPS: i32 = 1_000;

/// Appends the search to a list's WHERE: `c.id IN` the conversations
/// that have a message whose subject and body match, or whose subject
/// matches, or whose contact's name, email or phone does — each kind
/// bounded by [`CANDIDATES`](crate::search::CANDIDATES), newest first unless `oldest_first`. The
/// whole query must match within one of those (a word in the subject and
/// another only in the contact's name is no match).
///
/// One `IN` over a `UNION ALL`: SQLite collects the set once, then looks
/// the conversations up by id (the list's other tests carry a `+`, see
/// `conversations::list::push_filter`) and sorts the few it finds.
pub fn push_match(qb: &mut QueryBuilder<'_, Sqlite>, q: &SearchQuery, oldest_first: bool) {
    let fts = q.to_fts();
    let order = if oldest_first { "ASC" } else { "DESC" };
    qb.push(format!(
        " AND c.id IN (SELECT sm.conversation_id FROM messages sm WHERE sm.id IN \
         (SELECT rowid FROM messages_fts WHERE messages_fts MATCH "
    ))
    .push_bind(fts.clone())
    .push(format!(" ORDER BY rowid {order} LIMIT "))
    .push_bind(CANDIDATES)
    .push(") UNION ALL SELECT * FROM (SELECT rowid FROM conversations_fts WHERE conversations_fts MATCH ")
    .push_bind(fts.clone())
    .push(format!(" ORDER BY rowid {order} LIMIT "))
    .push_bind(CANDIDATES)
    .push(
        ") UNION ALL SELECT sc.id FROM conversations sc WHERE sc.contact_id IN \
         (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ",
    )
    .push_bind(fts)
    .push(format!(" ORDER BY rowid {order} LIMIT "))
    .push_bind(CANDIDATES)
    .push("))");
}

/// Whether `q` matches more than [`CANDIDATES`] of any kind, so a list
/// shows only the newest (or oldest) matches. Counts at most that many
/// + 1 rowids of each index: a few milliseconds for any word.
pub async fn beyond_candidates(conn: &mut SqliteConnection, q: &SearchQuery) -> AppResult<bool> {
    let many: bool = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ?1 LIMIT ?2)) >= ?2
             OR (SELECT COUNT(*) FROM (SELECT 1 FROM conversations_fts WHERE conversations_fts MATCH ?1 LIMIT ?2)) >= ?2
             OR (SELECT COUNT(*) FROM (SELECT 1 FROM contacts_fts WHERE contacts_fts MATCH ?1 LIMIT ?2)) >= ?2",
    )
    .bind(q.to_fts())
    .bind(CANDIDATES + 1)
    .fetch_one(&mut *conn)
    .await?;
    Ok(many)
}

/// The best hit per conversation of a page. The preference: the newest
/// message whose body matches; else the conversation's subject (every
/// message repeats the subject, so without this step a subject word would
/// point at the newest message whatever it says); else the newest message
/// that matches across its subject and body; else the contact.
///
/// The messages are taken from the candidates the list itself read (the
/// newest, or oldest, [`CANDIDATES`] matches, streamed in FTS5's rowid
/// order) and matched to the page's conversations; FTS5 is then asked about
/// one rowid per conversation, for its snippet. Asking FTS5 about each of a
/// page's messages in turn instead cost about 0.3 ms a message for a
/// phrase: 100–170 ms a page on the bench. Subjects likewise: whether a
/// page's subject matches is read from the same candidates, since asking
/// FTS5 "does conversation X match two words" took 2 ms a conversation
/// when it does not (FTS5 walks both words' lists to find no common row).
const BEST_SQL: &str = "
WITH page AS MATERIALIZED (
    SELECT c.id, c.contact_id FROM conversations c WHERE c.id IN (SELECT value FROM json_each(?1))
), body AS MATERIALIZED (
    SELECT m.conversation_id AS id, MAX(m.id) AS hit FROM messages m
    WHERE m.conversation_id IN (SELECT id FROM page)
      AND m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?2 ORDER BY rowid {DIR} LIMIT ?4)
    GROUP BY m.conversation_id
), across AS MATERIALIZED (
    SELECT m.conversation_id AS id, MAX(m.id) AS hit FROM messages m
    WHERE m.conversation_id IN (SELECT id FROM page)
      AND m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?3 ORDER BY rowid {DIR} LIMIT ?4)
    GROUP BY m.conversation_id
), subject AS MATERIALIZED (
    SELECT rowid AS id FROM conversations_fts WHERE conversations_fts MATCH ?3 ORDER BY rowid {DIR} LIMIT ?4
), ranked AS MATERIALIZED (
    SELECT page.id, page.contact_id, body.hit AS body_hit, across.hit AS any_hit,
        CASE WHEN page.id IN (SELECT id FROM subject) THEN
            (SELECT snippet(conversations_fts, 0, '[[', ']]', '…', 12) FROM conversations_fts
                WHERE conversations_fts MATCH ?3 AND conversations_fts.rowid = page.id)
        END AS subject_snippet
    FROM page LEFT JOIN body ON body.id = page.id LEFT JOIN across ON across.id = page.id
)
SELECT id AS conversation_id,
    COALESCE(body_hit, CASE WHEN subject_snippet IS NULL THEN any_hit END) AS message_id,
    COALESCE(
        CASE WHEN body_hit IS NOT NULL THEN
            (SELECT snippet(messages_fts, 1, '[[', ']]', '…', 12) FROM messages_fts
                WHERE messages_fts MATCH ?2 AND messages_fts.rowid = body_hit)
        END,
        subject_snippet,
        CASE WHEN any_hit IS NOT NULL THEN
            (SELECT snippet(messages_fts, -1, '[[', ']]', '…', 12) FROM messages_fts
                WHERE messages_fts MATCH ?3 AND messages_fts.rowid = any_hit)
        END,
        (SELECT snippet(contacts_fts, -1, '[[', ']]', '…', 12) FROM contacts_fts
            WHERE contacts_fts MATCH ?3 AND contacts_fts.rowid = contact_id)
    ) AS snippet
FROM ranked";

/// The same preference for conversations none of whose matching messages
/// are among the candidates (a page past them, or a conversation found by
/// its subject or contact whose messages match too): each of their
/// messages, newest first, is asked about in turn. `CASE` guards keep
/// FTS5 from being asked about a NULL rowid.
const WALK_SQL: &str = "
WITH page AS MATERIALIZED (
    SELECT c.id, c.contact_id,
        (SELECT m.id FROM messages m WHERE m.conversation_id = c.id
            AND EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ?2 AND messages_fts.rowid = m.id)
            ORDER BY m.id DESC LIMIT 1) AS body_hit
    FROM conversations c WHERE c.id IN (SELECT value FROM json_each(?1))
), ranked AS MATERIALIZED (
    SELECT page.*,
        CASE WHEN body_hit IS NULL THEN
            (SELECT m.id FROM messages m WHERE m.conversation_id = page.id
                AND EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ?3 AND messages_fts.rowid = m.id)
                ORDER BY m.id DESC LIMIT 1)
        END AS any_hit
    FROM page
)
SELECT id AS conversation_id, COALESCE(body_hit, any_hit) AS message_id,
    CASE WHEN body_hit IS NOT NULL THEN
        (SELECT snippet(messages_fts, 1, '[[', ']]', '…', 12) FROM messages_fts
            WHERE messages_fts MATCH ?2 AND messages_fts.rowid = body_hit)
    ELSE
        (SELECT snippet(messages_fts, -1, '[[', ']]', '…', 12) FROM messages_fts
            WHERE messages_fts MATCH ?3 AND messages_fts.rowid = any_hit)
    END AS snippet
FROM ranked WHERE COALESCE(body_hit, any_hit) IS NOT NULL";

#[derive(FromRow)]
struct HitRow {
    conversation_id: ConversationId,
    message_id: Option<MessageId>,
    snippet: Option<String>,
}

/// For each conversation in `ids` (a results page read with
/// `oldest_first` as in [`push_match`]), why it matched `q`: see [`Hit`].
/// Conversations that do not match are absent from the map. No access
/// check: pass the ids of a page the caller's own query built.
pub async fn best_matches(
    conn: &mut SqliteConnection,
    ids: &[ConversationId],
    q: &SearchQuery,
    oldest_first: bool,
) -> AppResult<HashMap<ConversationId, Hit>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let fts = q.to_fts();
    // Column filter: the same query, but only the body may satisfy it.
    let in_body = format!("body : ({fts})");
    // The page as one JSON array: one bind whatever its length.
    let json =
        |ids: &[ConversationId]| format!("[{}]", ids.iter().map(|i| i.0.to_string()).collect::<Vec<_>>().join(","));
    let sql = BEST_SQL.replace("{DIR}", if oldest_first { "ASC" } else { "DESC" });
    let rows: Vec<HitRow> =
        sqlx::query_as(&sql).bind(json(ids)).bind(&in_body).bind(&fts).bind(CANDIDATES).fetch_all(&mut *conn).await?;
    let mut hits: HashMap<ConversationId, Hit> = rows
        .into_iter()
        .filter_map(|r| Some((r.conversation_id, Hit { message_id: r.message_id, snippet: r.snippet? })))
        .collect();
    let left: Vec<ConversationId> = ids.iter().copied().filter(|id| !hits.contains_key(id)).collect();
    if !left.is_empty() {
        let rows: Vec<HitRow> =
            sqlx::query_as(WALK_SQL).bind(json(&left)).bind(&in_body).bind(&fts).fetch_all(&mut *conn).await?;
        hits.extend(
            rows.into_iter()
                .filter_map(|r| Some((r.conversation_id, Hit { message_id: r.message_id, snippet: r.snippet? }))),
        );
    }
    Ok(hits)
}

/// Runs `f` on `conn` with a hard time limit: past `limit`, SQLite aborts
/// the running statement (and any later one) with SQLITE_INTERRUPT, and
/// this returns the "Search took too long" error instead of whatever `f`
/// made of it. Use [`DEFAULT_LIMIT`] unless there is a reason not to.
///
/// The limit is a progress handler on the connection, checked between
/// SQLite's virtual-machine steps, so it stops work that a timer on the
/// future could not: the statement runs on sqlx's worker thread and would
/// keep the connection busy long after the caller gave up. One long step
/// (a single FTS5 lookup, say) still finishes before the check; searches
/// are whole words for that reason too (see `search::parse`).
///
/// The handler is removed afterwards. If this future is dropped halfway
/// (a client that went away), it cannot be: then a flag turns the leftover
/// handler into a no-op, so the pooled connection is not left with a
/// deadline that would cancel someone else's query.
pub async fn with_deadline<T>(
    conn: &mut SqliteConnection,
    limit: Duration,
    f: impl AsyncFnOnce(&mut SqliteConnection) -> AppResult<T>,
) -> AppResult<T> {
    let until = Instant::now() + limit;
    let armed = Disarm(Arc::new(AtomicBool::new(true)));
    let fired = Arc::new(AtomicBool::new(false));
    {
        let (armed, fired) = (armed.0.clone(), fired.clone());
        let mut handle = conn.lock_handle().await?;
        handle.set_progress_handler(PROGRESS_STEPS, move || {
            if !armed.load(Ordering::Relaxed) || Instant::now() < until {
                return true;
            }
            fired.store(true, Ordering::Relaxed);
            false
        });
    }
    let out = f(&mut *conn).await;
    drop(armed);
    match conn.lock_handle().await {
        Ok(mut handle) => handle.remove_progress_handler(),
        // The worker is gone: the connection is unusable anyway, and the
        // handler is already disarmed.
        Err(e) => tracing::warn!(error = %e, "could not remove the search deadline"),
    }
    match out {
        Err(_) if fired.load(Ordering::Relaxed) => Err(too_long()),
        other => other,
    }
}

/// Disarms the deadline when dropped, including when the future running
/// the search is dropped before it finishes.
struct Disarm(Arc<AtomicBool>);

impl Drop for Disarm {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Relaxed);
    }
}
