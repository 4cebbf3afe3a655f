//! How a list reaches its rows: walking the sort's index, or looking up a
//! rare label, a search's bounded candidates or a short date range by id
//! and sorting them. `Narrowing::plan` chooses, per request, from the
//! sizes it counts; `list.rs` writes the SQL for the choice.

use sqlx::SqliteConnection;

use crate::conversations::list::count_query;
use crate::conversations::model::{ListFilter, Sort};
use crate::error::AppResult;
use crate::ids::ChannelId;
use crate::users::server::Principal;

/// A label on at most this many conversations (of the view: active ones
/// in an inbox view) is looked up by id and sorted; a more common one is
/// tested while walking the sort's index, where a page fills quickly
/// because its conversations are then dense. Measured on the bench: a
/// page of "vip" (4,300 active of 172,000) took 16 ms looked up and
/// sorted, 0.5 ms walked; a label on 1,000 costs about as much either way.
pub const FEW: i64 = 1_000;

/// How a list query reaches its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Walk the sort's index and test each entry inside it (the covering
    /// indexes of migration 0008): every list without a search or a
    /// selective label.
    Walk,
    /// Look up the few conversations carrying the label, then sort them.
    Label,
    /// Look up the conversations the search matches (at most
    /// `search::server::CANDIDATES` of each kind), then sort them.
    Search,
    /// A date range on another column than the sort's holds few rows:
    /// read the range's index, sort just the page's keys inside it, then
    /// look the page up (see [`range_column`]).
    Range,
}

/// A date range holding at most this many rows of a view is read through
/// its own index and sorted (covering entries only: about 2 ms for 6,000
/// on the bench); a wider one walks the sort's index, where a page fills
/// quickly because matches are then dense.
pub const RANGE_FEW: i64 = 20_000;

/// What a query reads conversations from. A [`Reach::Range`] names its
/// range's index: the view's partial index of active rows when the list
/// shows only those, else the full one. The bundled SQLite picked the full
/// index for an active view's range (both start with the workspace and the
/// date), reading 41,000 entries where the partial index holds 6,000.
/// `INDEXED BY` also fails the query outright if the index ever stops
/// fitting, rather than letting it quietly scan.
pub(crate) fn conversations_in(f: &ListFilter, n: &Narrowing) -> String {
    let index = match (n.reach, range_column(f), f.active_only()) {
        (Reach::Range, Some("created_at"), true) => "conversations_open_created",
        (Reach::Range, Some("created_at"), false) => "conversations_created",
        (Reach::Range, Some(_), true) => "conversations_open_activity",
        (Reach::Range, Some(_), false) => "conversations_activity",
        _ => return "conversations c".into(),
    };
    format!("conversations c INDEXED BY {index}")
}

/// The date column whose range can lead a list that is sorted by another
/// column: created for the activity sorts, last activity for the
/// created sorts. `None` when the list has no such range.
pub fn range_column(f: &ListFilter) -> Option<&'static str> {
    let by_created = matches!(f.sort, Sort::Added | Sort::Created);
    if !by_created && (f.created_from.is_some() || f.created_to.is_some()) {
        Some("created_at")
    } else if by_created && (f.active_from.is_some() || f.active_to.is_some()) {
        Some("last_activity_at")
    } else {
        None
    }
}

/// What narrows a list beyond the conversation's own columns (a search,
/// a label), and the way the query reaches those rows: a rare label
/// walked in index order would read the whole view to fill a page; a
/// common one looked up by id would sort most of the table. Its size
/// decides, counted up to [`FEW`].
#[derive(Debug, Clone, PartialEq)]
pub struct Narrowing {
    pub search: Option<crate::search::SearchQuery>,
    pub reach: Reach,
    /// The search matched more than `search::server::CANDIDATES` of a
    /// kind: the list holds the conversations of the newest of them.
    pub newest_only: bool,
    /// The ids of the channels of the chosen kind, looked up first: SQLite
    /// plans an `IN` list of known length onto the channel index, but
    /// guessed an `IN (subquery)` large and walked every active row to
    /// count a channel (35 ms on the bench, 3 ms with the list). `None`:
    /// the subquery (still correct).
    pub channels: Option<Vec<ChannelId>>,
}

impl Narrowing {
    /// No narrowing: walk the sort's index.
    pub fn none() -> Self {
        Self { search: None, reach: Reach::Walk, newest_only: false, channels: None }
    }

    /// Parses `f`'s search and picks the reach: a search is always looked
    /// up (bounded); a label is looked up when it has few conversations;
    /// a date range off the sort's column is read through its own index
    /// when it holds few of `who`'s rows.
    pub async fn plan(conn: &mut SqliteConnection, who: &Principal, f: &ListFilter) -> AppResult<Self> {
        let channels = match f.channel {
            Some(kind) => Some(
                sqlx::query_scalar("SELECT id FROM channels WHERE workspace_id = ? AND kind = ? ORDER BY id")
                    .bind(who.workspace_id)
                    .bind(kind)
                    .fetch_all(&mut *conn)
                    .await?,
            ),
            None => None,
        };
        let search = f.search().map(crate::search::parse).transpose()?;
        let newest_only = match &search {
            Some(q) => crate::search::server::beyond_candidates(conn, q).await?,
            None => false,
        };
        let mut reach = if search.is_some() { Reach::Search } else { Reach::Walk };
        if let Some(label) = f.label_filter() {
            // An active view counts only the label's active conversations
            // (migrations 0010 and 0011 keep the flag and the workspace).
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM (SELECT 1 FROM conversation_labels
                 WHERE label = ? COLLATE NOCASE AND active >= ? AND workspace_id = ? LIMIT ?)",
            )
            .bind(label)
            .bind(f.active_only())
            .bind(who.workspace_id)
            .bind(FEW + 1)
            .fetch_one(&mut *conn)
            .await?;
            if n <= FEW {
                reach = Reach::Label;
            }
        }
        let mut planned = Self { search, reach, newest_only, channels };
        if planned.reach == Reach::Walk && range_column(f).is_some() {
            let ranged = Self { reach: Reach::Range, ..planned.clone() };
            let n: i64 = count_query("", who, f, &ranged, Some(RANGE_FEW + 1))
                .build_query_scalar()
                .fetch_one(&mut *conn)
                .await?;
            if n <= RANGE_FEW {
                planned = ranged;
            }
        }
        Ok(planned)
    }

    /// Whether the rows are found by id (a label, a search), so every
    /// column test must stay off the indexes.
    pub(crate) fn looks_up(&self) -> bool {
        matches!(self.reach, Reach::Label | Reach::Search)
    }
}
