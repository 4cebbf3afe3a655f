//! The conversation list in SQL: the row it shows, the filter as a WHERE
//! clause, keyset paging on each sort's index, the capped count, and the
//! REST shape of a listed page.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::conversations::model::{
    decode_cursor, encode_cursor, Conversation, ConversationPage, ConversationSummary, ListFilter, Sort, View,
    COUNT_CAP,
};
use crate::conversations::server::{ConvRow, ROW_SQL};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{ConversationId, WorkspaceId};
use crate::live::server::latest_event_id;
use crate::users::server::{push_inbox_visible, Principal};

/// The list row: conversation, its channel kind, contact and assignee names.
pub const SUMMARY_SQL: &str =
    "SELECT c.id, c.inbox_id, ib.name AS inbox_name, c.channel_id, ch.kind AS channel_kind, c.contact_id,
    COALESCE(NULLIF(ct.name, ''), ct.email, ct.phone, 'Unknown') AS contact_name,
    c.subject, c.preview, c.status, c.priority, c.assignee_id, u.name AS assignee_name,
    c.spam, c.unread, c.snoozed_until, c.message_count, c.created_at, c.last_activity_at, c.first_response_at,
    COALESCE((SELECT group_concat(l.label, ',') FROM conversation_labels l WHERE l.conversation_id = c.id), '')
      AS labels
  FROM conversations c
  JOIN inboxes ib ON ib.id = c.inbox_id
  JOIN channels ch ON ch.id = c.channel_id
  JOIN contacts ct ON ct.id = c.contact_id
  LEFT JOIN users u ON u.id = c.assignee_id";

/// Largest page a caller may ask for.
pub const MAX_PAGE: i64 = 100;

/// The WHERE clause of a list: the workspace, the inboxes `who` may see,
/// the view and every filter. `search` is the parsed `f.q`.
pub fn push_filter(
    qb: &mut QueryBuilder<'_, Sqlite>,
    who: &Principal,
    f: &ListFilter,
    search: Option<&crate::search::SearchQuery>,
) {
    qb.push(" WHERE c.workspace_id = ").push_bind(who.workspace_id);
    qb.push(" AND c.inbox_id IN (SELECT i.id FROM inboxes i WHERE i.workspace_id = ").push_bind(who.workspace_id);
    qb.push(" AND ");
    push_inbox_visible(qb, who);
    qb.push(")");
    let active = "c.status IN ('new', 'open', 'pending')";
    let status_clause = if f.status.is_some() { "1 = 1" } else { active };
    match f.view {
        View::AllOpen => {
            qb.push(format!(" AND c.spam = 0 AND {status_clause}"));
        }
        View::Mine => {
            qb.push(format!(" AND c.spam = 0 AND {status_clause} AND c.assignee_id = ")).push_bind(who.id);
        }
        View::Unassigned => {
            qb.push(format!(" AND c.spam = 0 AND {status_clause} AND c.assignee_id IS NULL"));
        }
        View::MyUnread => {
            qb.push(" AND c.spam = 0 AND c.unread = 1 AND c.assignee_id = ").push_bind(who.id);
        }
        View::All => {
            qb.push(" AND c.spam = 0");
        }
        View::Spam => {
            qb.push(" AND c.spam = 1");
        }
    }
    if let Some(i) = f.inbox_id {
        qb.push(" AND c.inbox_id = ").push_bind(i);
    }
    if let Some(s) = f.status {
        qb.push(" AND c.status = ").push_bind(s);
    }
    if let Some(a) = f.assignee_id {
        qb.push(" AND c.assignee_id = ").push_bind(a);
    }
    if f.unassigned {
        qb.push(" AND c.assignee_id IS NULL");
    }
    if let Some(k) = f.channel {
        qb.push(" AND c.channel_id IN (SELECT ch2.id FROM channels ch2 WHERE ch2.workspace_id = ")
            .push_bind(who.workspace_id)
            .push(" AND ch2.kind = ")
            .push_bind(k)
            .push(")");
    }
    if let Some(p) = f.priority {
        // The generated rank column, so the priority index serves it.
        qb.push(" AND c.priority_rank = ").push_bind(p.rank());
    }
    if let Some(l) = f.label.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        qb.push(" AND c.id IN (SELECT l2.conversation_id FROM conversation_labels l2 WHERE l2.label = ")
            .push_bind(l.to_string())
            .push(" COLLATE NOCASE)");
    }
    // A date range on a column the list is not sorted by is checked row by
    // row as the sort's index is read (`+` keeps SQLite from choosing the
    // range's index and then sorting every row in it); on the sort's own
    // column it narrows that index.
    let sorted_by = sort_columns(f.sort)[0];
    for (col, from, to) in
        [("c.created_at", f.created_from, f.created_to), ("c.last_activity_at", f.active_from, f.active_to)]
    {
        let col = if col == sorted_by { col.to_string() } else { format!("+{col}") };
        if let Some(t) = from {
            qb.push(format!(" AND {col} >= ")).push_bind(t);
        }
        if let Some(t) = to {
            qb.push(format!(" AND {col} < ")).push_bind(t);
        }
    }
    if let Some(q) = search {
        crate::search::server::push_match(qb, q);
    }
}

/// The columns a sort orders by, most significant first (`id` last).
fn sort_columns(sort: Sort) -> &'static [&'static str] {
    match sort {
        Sort::Newest | Sort::Oldest => &["c.last_activity_at", "c.id"],
        Sort::Added | Sort::Created => &["c.created_at", "c.id"],
        Sort::Priority | Sort::PriorityLow => &["c.priority_rank", "c.last_activity_at", "c.id"],
    }
}

/// Rows after `key` in the sort's order: a range on the first column
/// (so SQLite seeks the index) plus the tie-breaks, instead of a
/// row-value comparison SQLite would filter row by row.
fn push_after(qb: &mut QueryBuilder<'_, Sqlite>, sort: Sort, key: &[i64]) {
    let cols = sort_columns(sort);
    let (lt, le) = if sort.descending() { ("<", "<=") } else { (">", ">=") };
    qb.push(format!(" AND {} {le} ", cols[0])).push_bind(key[0]);
    qb.push(" AND (");
    for i in 0..cols.len() {
        if i > 0 {
            qb.push(" OR (");
        }
        for (j, col) in cols.iter().enumerate().take(i) {
            if j > 0 {
                qb.push(" AND ");
            }
            qb.push(format!("{col} = ")).push_bind(key[j]);
        }
        if i > 0 {
            qb.push(" AND ");
        }
        qb.push(format!("{} {lt} ", cols[i])).push_bind(key[i]);
        if i > 0 {
            qb.push(")");
        }
    }
    qb.push(")");
}

fn push_order(qb: &mut QueryBuilder<'_, Sqlite>, sort: Sort) {
    let dir = if sort.descending() { " DESC" } else { " ASC" };
    let cols: Vec<String> = sort_columns(sort).iter().map(|c| format!("{c}{dir}")).collect();
    qb.push(format!(" ORDER BY {}", cols.join(", ")));
}

/// The query for one page of rows: `select` (a `SELECT … FROM
/// conversations c …` without WHERE), the filter, the rows after `key` in
/// the sort's order, the order, the limit. Public so a test can EXPLAIN
/// it for every filter and sort: each must be served by an index.
pub fn list_query<'a>(
    select: &str,
    who: &Principal,
    f: &ListFilter,
    search: Option<&crate::search::SearchQuery>,
    key: Option<&[i64]>,
    limit: i64,
) -> QueryBuilder<'a, Sqlite> {
    let mut qb = QueryBuilder::new(select);
    push_filter(&mut qb, who, f, search);
    if let Some(key) = key {
        push_after(&mut qb, f.sort, key);
    }
    push_order(&mut qb, f.sort);
    qb.push(" LIMIT ").push_bind(limit);
    qb
}

/// One page of the list for `who`, after `cursor`. One query for the rows
/// (keyset on the sort key, served by an index) and, on the first page, one
/// for the count (capped at [`COUNT_CAP`] + 1 rows, so it stays an index
/// range of bounded length however big the workspace).
pub async fn list(
    db: &Db,
    who: &Principal,
    f: &ListFilter,
    cursor: Option<&str>,
    limit: i64,
) -> AppResult<ConversationPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    // Read the event cursor first: anything committed after it reaches the
    // client over the socket, so the page plus the stream misses nothing.
    let event_cursor = latest_event_id(db, who.workspace_id).await?;
    let search = f.search().map(crate::search::parse).transpose()?;
    let key = match cursor {
        Some(c) => Some(
            decode_cursor(c, sort_columns(f.sort).len())
                .ok_or_else(|| AppError::BadRequest { message: "cursor: not a cursor from this API".into() })?,
        ),
        None => None,
    };
    let mut qb = list_query(SUMMARY_SQL, who, f, search.as_ref(), key.as_deref(), limit + 1);
    let mut count = (key.is_none()).then(|| {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM conversations c");
        push_filter(&mut count, who, f, search.as_ref());
        count.push(" LIMIT ").push_bind(COUNT_CAP + 1).push(")");
        count
    });
    let mut conn = db.pool.acquire().await?;
    let mut run = async |c: &mut SqliteConnection| -> AppResult<(Vec<ConversationSummary>, Option<i64>)> {
        let items = qb.build_query_as().fetch_all(&mut *c).await?;
        let total = match count.as_mut() {
            Some(q) => Some(q.build_query_scalar().fetch_one(&mut *c).await?),
            None => None,
        };
        Ok((items, total))
    };
    // A search has a hard deadline; a plain list is an index range.
    let (mut items, total) = match &search {
        Some(_) => crate::search::server::with_deadline(&mut conn, crate::search::server::DEFAULT_LIMIT, run).await?,
        None => run(&mut conn).await?,
    };
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|c| encode_cursor(&f.sort_key(c)))
    } else {
        None
    };
    if let Some(q) = &search {
        let ids: Vec<ConversationId> = items.iter().map(|c| c.id).collect();
        let mut hits = crate::search::server::best_matches(&mut conn, &ids, q).await?;
        for c in &mut items {
            c.hit = hits.remove(&c.id);
        }
    }
    Ok(ConversationPage { items, next_cursor, event_cursor, total })
}

/// The REST shape of listed conversations (their access already checked
/// by the list), in the order given: one query for the rows and one for
/// their labels, whatever the page size.
pub async fn wire_rows(
    conn: &mut SqliteConnection,
    ws: WorkspaceId,
    ids: &[ConversationId],
) -> AppResult<Vec<Conversation>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut qb = QueryBuilder::new(format!("{ROW_SQL} WHERE c.workspace_id = "));
    qb.push_bind(ws).push(" AND c.id IN (");
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")");
    let rows: Vec<ConvRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
    let mut qb = QueryBuilder::new("SELECT conversation_id, label FROM conversation_labels WHERE conversation_id IN (");
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(") ORDER BY label");
    let labels: Vec<(ConversationId, String)> = qb.build_query_as().fetch_all(&mut *conn).await?;
    let mut by_id: HashMap<ConversationId, ConvRow> = rows.into_iter().map(|r| (r.id, r)).collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .map(|r| {
            let own = labels.iter().filter(|(c, _)| *c == r.id).map(|(_, l)| l.clone()).collect();
            r.into_wire(own)
        })
        .collect())
}
