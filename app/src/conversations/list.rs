//! The conversation list in SQL: the row it shows, the filter as a WHERE
//! clause, keyset paging on each sort's index, the capped count, and the
//! REST shape of a listed page.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::label_count::{answered_by_labels, label_count_query};
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

use crate::conversations::reach::conversations_in;
pub use crate::conversations::reach::{range_column, Narrowing, Reach, FEW, RANGE_FEW};

/// The list row: conversation, its channel kind, contact and assignee names.
///
/// `CROSS JOIN` is SQLite's way to fix the join order: conversations are
/// always read first, in the list index's order, and the rest are lookups.
/// With a plain JOIN, a channel filter (`c.channel_id IN (…)`) let SQLite
/// start from the channels instead and sort all their conversations: 170 ms
/// for a page of WhatsApp conversations on the bench.
pub const SUMMARY_SQL: &str =
    "SELECT c.id, c.inbox_id, ib.name AS inbox_name, c.channel_id, ch.kind AS channel_kind, c.contact_id,
    COALESCE(NULLIF(ct.name, ''), ct.email, ct.phone, 'Unknown') AS contact_name,
    c.subject, c.preview, c.status, c.priority, c.assignee_id, u.name AS assignee_name,
    c.spam, c.unread, c.snoozed_until, c.message_count, c.created_at, c.last_activity_at, c.first_response_at,
    COALESCE((SELECT group_concat(l.label, ',') FROM conversation_labels l WHERE l.conversation_id = c.id), '')
      AS labels
  FROM conversations c
  CROSS JOIN inboxes ib ON ib.id = c.inbox_id
  CROSS JOIN channels ch ON ch.id = c.channel_id
  CROSS JOIN contacts ct ON ct.id = c.contact_id
  LEFT JOIN users u ON u.id = c.assignee_id";

/// Largest page a caller may ask for.
pub const MAX_PAGE: i64 = 100;

/// The WHERE clause of a list: the workspace, the inboxes `who` may see,
/// the view and every filter, and `n`'s label and search.
///
/// `order` is the sort a page is read in (`None` for a count or a bulk
/// selection, which need no order). When the rows are walked in a sort's
/// index, a date range on another column is checked row by row inside
/// that index (`+` keeps SQLite from choosing the range's index and then
/// sorting every row in it); unordered, the range may use its own index.
/// When `n` looks the rows up by id, every column test gets a `+` so that
/// the lookup is the only way in.
pub fn push_filter(
    qb: &mut QueryBuilder<'_, Sqlite>,
    who: &Principal,
    f: &ListFilter,
    n: &Narrowing,
    order: Option<Sort>,
) {
    let lookup = n.looks_up();
    let col = |name: &str| if lookup { format!("+c.{name}") } else { format!("c.{name}") };
    qb.push(format!(" WHERE {} = ", col("workspace_id"))).push_bind(who.workspace_id);
    qb.push(format!(" AND {} IN (SELECT i.id FROM inboxes i WHERE i.workspace_id = ", col("inbox_id")))
        .push_bind(who.workspace_id);
    qb.push(" AND ");
    push_inbox_visible(qb, who);
    qb.push(")");
    // Word for word the WHERE of migration 0008's partial indexes.
    let not_spam = format!("{} = 0", col("spam"));
    let active = format!("{} IN ('new', 'open', 'pending')", col("status"));
    let status_clause = if f.status.is_some() { "1 = 1".to_string() } else { active };
    let assignee = col("assignee_id");
    match f.view {
        View::AllOpen => {
            qb.push(format!(" AND {not_spam} AND {status_clause}"));
        }
        View::Mine => {
            qb.push(format!(" AND {not_spam} AND {status_clause} AND {assignee} = ")).push_bind(who.id);
        }
        View::Unassigned => {
            qb.push(format!(" AND {not_spam} AND {status_clause} AND {assignee} IS NULL"));
        }
        View::MyUnread => {
            qb.push(format!(" AND {not_spam} AND {} = 1 AND {assignee} = ", col("unread"))).push_bind(who.id);
        }
        View::All => {
            qb.push(format!(" AND {not_spam}"));
        }
        View::Spam => {
            qb.push(format!(" AND {} = 1", col("spam")));
        }
    }
    if let Some(i) = f.inbox_id {
        qb.push(format!(" AND {} = ", col("inbox_id"))).push_bind(i);
    }
    if let Some(s) = f.status {
        qb.push(format!(" AND {} = ", col("status"))).push_bind(s);
    }
    if let Some(a) = f.assignee_id {
        qb.push(format!(" AND {assignee} = ")).push_bind(a);
    }
    if f.unassigned {
        qb.push(format!(" AND {assignee} IS NULL"));
    }
    match (f.channel, &n.channels) {
        (Some(_), Some(ids)) => {
            qb.push(format!(" AND {} IN (", col("channel_id")));
            if ids.is_empty() {
                // No channel of that kind: nothing matches.
                qb.push("NULL");
            }
            let mut sep = qb.separated(", ");
            for id in ids {
                sep.push_bind(*id);
            }
            qb.push(")");
        }
        (Some(k), None) => {
            qb.push(format!(
                " AND {} IN (SELECT ch2.id FROM channels ch2 WHERE ch2.workspace_id = ",
                col("channel_id")
            ))
            .push_bind(who.workspace_id)
            .push(" AND ch2.kind = ")
            .push_bind(k)
            .push(")");
        }
        (None, _) => {}
    }
    if let Some(p) = f.priority {
        // The generated rank column, so the priority index serves it.
        qb.push(format!(" AND {} = ", col("priority_rank"))).push_bind(p.rank());
    }
    if let Some(l) = f.label_filter() {
        if n.reach == Reach::Label {
            qb.push(" AND c.id IN (SELECT l2.conversation_id FROM conversation_labels l2 WHERE l2.label = ");
            qb.push_bind(l.to_string()).push(" COLLATE NOCASE");
            if f.active_only() {
                // Only the active ones: the rest would be looked up to be dropped.
                qb.push(" AND l2.active = 1");
            }
            qb.push(")");
        } else {
            // One primary-key probe per conversation tested (walked, or
            // found by the search).
            qb.push(
                " AND EXISTS (SELECT 1 FROM conversation_labels l2 WHERE l2.conversation_id = c.id AND l2.label = ",
            );
            qb.push_bind(l.to_string()).push(" COLLATE NOCASE)");
        }
    }
    let sorted_by = order.map(|s| sort_columns(s)[0]);
    let leads = if n.reach == Reach::Range { range_column(f) } else { None };
    for (name, from, to) in
        [("created_at", f.created_from, f.created_to), ("last_activity_at", f.active_from, f.active_to)]
    {
        let plain = format!("c.{name}");
        let c = match sorted_by {
            _ if lookup => col(name),
            _ if leads == Some(name) => plain,
            _ if leads.is_some() => format!("+{plain}"),
            Some(s) if s != plain => format!("+{plain}"),
            _ => plain,
        };
        if let Some(t) = from {
            qb.push(format!(" AND {c} >= ")).push_bind(t);
        }
        if let Some(t) = to {
            qb.push(format!(" AND {c} < ")).push_bind(t);
        }
    }
    if let Some(q) = &n.search {
        // The candidates the list shows: the newest matches, or the oldest
        // for the oldest-first sort (its count and bulk selection alike).
        crate::search::server::push_match(qb, q, f.sort == Sort::Oldest);
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
///
/// `plus` keeps the sort's columns off the indexes (the inner query of
/// [`Reach::Range`], where the range's index must lead).
fn push_after(qb: &mut QueryBuilder<'_, Sqlite>, sort: Sort, key: &[i64], plus: bool) {
    let cols: Vec<String> =
        sort_columns(sort).iter().map(|c| if plus { format!("+{c}") } else { c.to_string() }).collect();
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

fn push_order(qb: &mut QueryBuilder<'_, Sqlite>, sort: Sort, plus: bool) {
    let dir = if sort.descending() { " DESC" } else { " ASC" };
    let plus = if plus { "+" } else { "" };
    let cols: Vec<String> = sort_columns(sort).iter().map(|c| format!("{plus}{c}{dir}")).collect();
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
    n: &Narrowing,
    key: Option<&[i64]>,
    limit: i64,
) -> QueryBuilder<'a, Sqlite> {
    let mut qb = QueryBuilder::new(select);
    if n.reach != Reach::Walk {
        // Rows found other than in the sort's order (a label's, a search's,
        // a date range's) are sorted by their keys alone first, and only
        // the page's rows are then joined: sorting whole rows joined every
        // one of them first (45 ms for a range of 6,000, 110 ms for a label
        // on 4,400). `+` keeps the sort's index from leading.
        qb.push(format!(" WHERE c.id IN (SELECT c.id FROM {}", conversations_in(f, n)));
        push_filter(&mut qb, who, f, n, Some(f.sort));
        if let Some(key) = key {
            push_after(&mut qb, f.sort, key, true);
        }
        push_order(&mut qb, f.sort, true);
        qb.push(" LIMIT ").push_bind(limit).push(")");
    } else {
        push_filter(&mut qb, who, f, n, Some(f.sort));
        if let Some(key) = key {
            push_after(&mut qb, f.sort, key, false);
        }
    }
    push_order(&mut qb, f.sort, false);
    qb.push(" LIMIT ").push_bind(limit);
    qb
}

/// The capped count of a list (see [`ConversationPage::total`]), after
/// `head` (empty, or `EXPLAIN QUERY PLAN `). Unordered, so SQLite reads
/// whichever index is the shortest range for the filter.
///
/// A label's count never walks the view, even when its page walks the
/// sort's index: a page stops once it is full, but a count walking the
/// view would test every row until the cap, however few of them carry
/// the label. Narrowed only by view, inbox and assignee it reads the label
/// index alone ([`label_count_query`]); otherwise it looks up the label's
/// (active, in an active view) conversations by id.
///
/// `cap`: count at most that many rows (`list` passes [`COUNT_CAP`] + 1);
/// `None` counts every match (the bench's report).
pub fn count_query<'a>(
    head: &str,
    who: &Principal,
    f: &ListFilter,
    n: &Narrowing,
    cap: Option<i64>,
) -> QueryBuilder<'a, Sqlite> {
    if let Some(label) = answered_by_labels(f) {
        return label_count_query(head, who, f, label, cap);
    }
    let by_label = Narrowing { reach: Reach::Label, ..n.clone() };
    let n = if matches!(n.reach, Reach::Walk | Reach::Range) && f.label_filter().is_some() { &by_label } else { n };
    let from = match cap {
        Some(_) => format!("SELECT COUNT(*) FROM (SELECT 1 FROM {}", conversations_in(f, n)),
        None => format!("SELECT COUNT(*) FROM {}", conversations_in(f, n)),
    };
    let mut qb = QueryBuilder::new(format!("{head}{from}"));
    push_filter(&mut qb, who, f, n, None);
    if let Some(cap) = cap {
        qb.push(" LIMIT ").push_bind(cap).push(")");
    }
    qb
}

/// One page of the list for `who`, after `cursor`. One query for the rows
/// (keyset on the sort key, served by an index) and, on the first page, one
/// for the count (capped at [`COUNT_CAP`] + 1 rows, so it stays an index
/// range of bounded length however big the workspace). With a label or a
/// search, first the size of its matches, to choose the [`Reach`].
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
    let key = match cursor {
        Some(c) => Some(
            decode_cursor(c, sort_columns(f.sort).len())
                .ok_or_else(|| AppError::BadRequest { message: "cursor: not a cursor from this API".into() })?,
        ),
        None => None,
    };
    let searching = f.search().is_some();
    let mut conn = db.pool.acquire().await?;
    let run = async |c: &mut SqliteConnection| -> AppResult<(Narrowing, Vec<ConversationSummary>, Option<i64>)> {
        let n = Narrowing::plan(&mut *c, who, f).await?;
        let items =
            list_query(SUMMARY_SQL, who, f, &n, key.as_deref(), limit + 1).build_query_as().fetch_all(&mut *c).await?;
        let total = match key {
            None => {
                Some(count_query("", who, f, &n, Some(COUNT_CAP + 1)).build_query_scalar().fetch_one(&mut *c).await?)
            }
            Some(_) => None,
        };
        Ok((n, items, total))
    };
    // A search has a hard deadline; a plain list is an index range.
    let (n, mut items, total) = match searching {
        true => crate::search::server::with_deadline(&mut conn, crate::search::server::DEFAULT_LIMIT, run).await?,
        false => run(&mut conn).await?,
    };
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|c| encode_cursor(&f.sort_key(c)))
    } else {
        None
    };
    if let Some(q) = &n.search {
        let ids: Vec<ConversationId> = items.iter().map(|c| c.id).collect();
        let mut hits = crate::search::server::best_matches(&mut conn, &ids, q, f.sort == Sort::Oldest).await?;
        for c in &mut items {
            c.hit = hits.remove(&c.id);
        }
    }
    Ok(ConversationPage { items, next_cursor, event_cursor, total, newest_only: n.newest_only })
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
