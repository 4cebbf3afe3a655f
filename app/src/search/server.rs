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
use crate::search::{too_long, Hit, SearchQuery};

/// How long a search may run before SQLite is told to stop: 2 s. On 1M
/// conversations and 5M messages a list page took about 0.3 s for a rare
/// word or a fairly common one, and about 3 s for a word in every message;
/// the answer to that one is more words, not a longer wait.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(2);

/// SQLite calls the progress handler every this many virtual-machine
/// steps, typically tens of microseconds of work: often enough to stop on
/// time, rarely enough that reading the clock costs nothing.
const PROGRESS_STEPS: i32 = 1_000;

/// How the list's query meets the search (see `conversations::list::Reach`,
/// which picks one from [`size`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// `c.id IN (every match)`: SQLite collects the matching
    /// conversations and looks each up by id. For a few matches.
    LookUp,
    /// A test per conversation while the list walks its index in order:
    /// FTS5 is asked about one rowid at a time, so the work follows the
    /// rows walked, not how many messages match. For many matches, where a
    /// page fills after a few dozen rows.
    Probe,
}

/// Appends the search to a list's WHERE: the conversation aliased `c` has a
/// message whose subject and body match, or its subject matches, or its
/// contact's name, email or phone does. The whole query must match within
/// one of those (a word in the subject and another only in the contact's
/// name is no match).
///
/// Measured on 1M conversations and 5M messages, why two shapes: the old
/// single shape (walk the index, test each entry against the collected set
/// of matches) took 0.25 s for a rare word, which it walked the whole view
/// for, and seconds for a word in most messages, which it collected whole.
/// - LookUp is one `IN` over a `UNION ALL` (one probe per row on `c.id`).
///   The messages part joins FTS to messages, which streams the matches
///   instead of first collecting every message id.
/// - Probe tests the subject first (one lookup), then the conversation's
///   messages through `messages_conversation`, then the contact.
pub fn push_match(qb: &mut QueryBuilder<'_, Sqlite>, q: &SearchQuery, how: Reach) {
    let fts = q.to_fts();
    match how {
        Reach::LookUp => {
            qb.push(
                " AND c.id IN (SELECT sm.conversation_id FROM messages_fts JOIN messages sm ON sm.id = messages_fts.rowid \
                 WHERE messages_fts MATCH ",
            )
            .push_bind(fts.clone())
            .push(" UNION ALL SELECT conversations_fts.rowid FROM conversations_fts WHERE conversations_fts MATCH ")
            .push_bind(fts.clone())
            .push(
                " UNION ALL SELECT sc.id FROM contacts_fts JOIN conversations sc ON sc.contact_id = contacts_fts.rowid \
                 WHERE contacts_fts MATCH ",
            )
            .push_bind(fts)
            .push(")");
        }
        Reach::Probe => {
            qb.push(" AND (EXISTS (SELECT 1 FROM conversations_fts WHERE conversations_fts MATCH ")
                .push_bind(fts.clone())
                .push(
                    " AND conversations_fts.rowid = c.id) \
                 OR EXISTS (SELECT 1 FROM messages sm WHERE sm.conversation_id = c.id \
                   AND EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ",
                )
                .push_bind(fts.clone())
                .push(
                    " AND messages_fts.rowid = sm.id)) \
                 OR EXISTS (SELECT 1 FROM contacts_fts WHERE contacts_fts MATCH ",
                )
                .push_bind(fts)
                .push(" AND contacts_fts.rowid = c.contact_id))");
        }
    }
}

/// How many things `q` matches — messages, conversation subjects, and the
/// conversations of matching contacts — counted up to `cap` each, so the
/// answer costs at most a few `cap`s of index entries however common the
/// words are.
pub async fn size(conn: &mut SqliteConnection, q: &SearchQuery, cap: i64) -> AppResult<i64> {
    let fts = q.to_fts();
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ?1 LIMIT ?2))
              + (SELECT COUNT(*) FROM (SELECT 1 FROM conversations_fts WHERE conversations_fts MATCH ?1 LIMIT ?2))
              + (SELECT COUNT(*) FROM (SELECT 1 FROM contacts_fts
                    JOIN conversations sc ON sc.contact_id = contacts_fts.rowid
                    WHERE contacts_fts MATCH ?1 LIMIT ?2))",
    )
    .bind(fts)
    .bind(cap)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n)
}

/// The best hit per conversation of a page, in one query. The preference:
/// the newest message whose body matches; else the conversation's subject
/// (every message repeats the subject, so without this step a subject word
/// would point at the newest message whatever it says); else the newest
/// message that matches across its subject and body; else the contact.
///
/// Each step walks the conversation's messages newest first through
/// `messages_conversation` and asks FTS5 about one rowid at a time, so the
/// cost follows the page, not how common the word is in the whole inbox.
/// `CASE` guards keep FTS5 from being asked about a NULL rowid.
const BEST_SQL: &str = "
WITH page AS MATERIALIZED (
    SELECT c.id, c.contact_id,
        (SELECT m.id FROM messages m WHERE m.conversation_id = c.id
            AND EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? AND messages_fts.rowid = m.id)
            ORDER BY m.id DESC LIMIT 1) AS body_hit,
        (SELECT snippet(conversations_fts, 0, '[[', ']]', '…', 12) FROM conversations_fts
            WHERE conversations_fts MATCH ? AND conversations_fts.rowid = c.id) AS subject_snippet
    FROM conversations c WHERE c.id IN (SELECT value FROM json_each(?))
), ranked AS MATERIALIZED (
    SELECT page.*,
        CASE WHEN body_hit IS NULL AND subject_snippet IS NULL THEN
            (SELECT m.id FROM messages m WHERE m.conversation_id = page.id
                AND EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? AND messages_fts.rowid = m.id)
                ORDER BY m.id DESC LIMIT 1)
        END AS any_hit
    FROM page
)
SELECT id AS conversation_id, COALESCE(body_hit, any_hit) AS message_id,
    COALESCE(
        CASE WHEN body_hit IS NOT NULL THEN
            (SELECT snippet(messages_fts, 1, '[[', ']]', '…', 12) FROM messages_fts
                WHERE messages_fts MATCH ? AND messages_fts.rowid = body_hit)
        END,
        subject_snippet,
        CASE WHEN any_hit IS NOT NULL THEN
            (SELECT snippet(messages_fts, -1, '[[', ']]', '…', 12) FROM messages_fts
                WHERE messages_fts MATCH ? AND messages_fts.rowid = any_hit)
        END,
        (SELECT snippet(contacts_fts, -1, '[[', ']]', '…', 12) FROM contacts_fts
            WHERE contacts_fts MATCH ? AND contacts_fts.rowid = contact_id)
    ) AS snippet
FROM ranked";

#[derive(FromRow)]
struct HitRow {
    conversation_id: ConversationId,
    message_id: Option<MessageId>,
    snippet: Option<String>,
}

/// For each conversation in `ids` (a results page), why it matched `q`:
/// see [`Hit`]. Conversations that do not match are absent from the map.
/// No access check: pass the ids of a page the caller's own query built.
pub async fn best_matches(
    conn: &mut SqliteConnection,
    ids: &[ConversationId],
    q: &SearchQuery,
) -> AppResult<HashMap<ConversationId, Hit>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let fts = q.to_fts();
    // Column filter: the same query, but only the body may satisfy it.
    let in_body = format!("body : ({fts})");
    // The page as one JSON array: one bind whatever its length.
    let page = format!("[{}]", ids.iter().map(|i| i.0.to_string()).collect::<Vec<_>>().join(","));
    let rows: Vec<HitRow> = sqlx::query_as(BEST_SQL)
        .bind(&in_body)
        .bind(&fts)
        .bind(page)
        .bind(&fts)
        .bind(&in_body)
        .bind(&fts)
        .bind(&fts)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.conversation_id, Hit { message_id: r.message_id, snippet: r.snippet? })))
        .collect())
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
