//! What the conversation list shows and how it pages: the views, sorts and
//! filters (shared by the server's SQL and the browser's live placing of
//! rows), a page, its capped count and the keyset cursor.

use serde::{Deserialize, Serialize};

use crate::conversations::model::{ConversationSummary, Priority, Status};
use crate::ids::{InboxId, UserId};
use crate::messages::model::ChannelKind;
use crate::str_enum;
use crate::time::Timestamp;

str_enum! {
    /// The saved views of the list's left column.
    View {
        AllOpen = "all_open" / "All open",
        Mine = "mine" / "Mine",
        Unassigned = "unassigned" / "Unassigned",
        MyUnread = "my_unread" / "My unread",
        All = "all" / "All",
        Spam = "spam" / "Spam",
    }
}

str_enum! {
    /// List order. Each is served by an index (migration 0005), and the
    /// keyset cursor carries the same key.
    Sort {
        /// Newest message first.
        Newest = "newest" / "Newest first",
        /// Longest-quiet first.
        Oldest = "oldest" / "Oldest activity first",
        /// The order conversations arrived in, oldest first (a queue).
        Added = "added" / "Order added",
        /// Most recently created first.
        Created = "created" / "Newest created first",
        /// Most urgent first, then newest activity.
        Priority = "priority" / "Priority, highest first",
        /// Least urgent first, then oldest activity.
        PriorityLow = "priority_low" / "Priority, lowest first",
    }
}

impl Sort {
    /// Whether the keys run descending.
    pub fn descending(self) -> bool {
        matches!(self, Sort::Newest | Sort::Created | Sort::Priority)
    }
}

/// What the list shows: a view plus optional filters. The server turns it
/// into one indexed query; the browser uses [`ListFilter::matches`] to decide
/// whether a live update belongs in the list it has on screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListFilter {
    pub view: View,
    #[serde(default)]
    pub inbox_id: Option<InboxId>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub assignee_id: Option<UserId>,
    /// Only conversations nobody is assigned to (any view).
    #[serde(default)]
    pub unassigned: bool,
    #[serde(default)]
    pub channel: Option<ChannelKind>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub label: Option<String>,
    /// Created at or after / before (milliseconds).
    #[serde(default)]
    pub created_from: Option<Timestamp>,
    #[serde(default)]
    pub created_to: Option<Timestamp>,
    /// Last activity at or after / before.
    #[serde(default)]
    pub active_from: Option<Timestamp>,
    #[serde(default)]
    pub active_to: Option<Timestamp>,
    /// Full-text search over messages, subjects and contacts.
    #[serde(default)]
    pub q: Option<String>,
    pub sort: Sort,
}

impl Default for ListFilter {
    fn default() -> Self {
        Self {
            view: View::AllOpen,
            inbox_id: None,
            status: None,
            assignee_id: None,
            unassigned: false,
            channel: None,
            priority: None,
            label: None,
            created_from: None,
            created_to: None,
            active_from: None,
            active_to: None,
            q: None,
            sort: Sort::Newest,
        }
    }
}

fn within(t: Timestamp, from: Option<Timestamp>, to: Option<Timestamp>) -> bool {
    from.is_none_or(|f| t >= f) && to.is_none_or(|e| t < e)
}

impl ListFilter {
    /// The search words, if any (blank is none).
    pub fn search(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }

    /// The label to filter by, trimmed; `None` when blank.
    pub fn label_filter(&self) -> Option<&str> {
        self.label.as_deref().map(str::trim).filter(|l| !l.is_empty())
    }

    /// Whether `c` belongs in this list for user `me`. Mirrors the SQL in
    /// conversations/server.rs; a test keeps the two in step. Search is
    /// not evaluated here: with a search, live changes update the rows
    /// already shown but add none (see [`ListFilter::merge`]).
    pub fn matches(&self, c: &ConversationSummary, me: UserId) -> bool {
        let view_ok = match self.view {
            View::AllOpen => !c.spam && self.status_or_active(c.status),
            View::Mine => !c.spam && c.assignee_id == Some(me) && self.status_or_active(c.status),
            View::Unassigned => !c.spam && c.assignee_id.is_none() && self.status_or_active(c.status),
            View::MyUnread => !c.spam && c.assignee_id == Some(me) && c.unread,
            View::All => !c.spam,
            View::Spam => c.spam,
        };
        view_ok
            && self.inbox_id.is_none_or(|i| i == c.inbox_id)
            && self.status.is_none_or(|s| s == c.status)
            && self.assignee_id.is_none_or(|a| Some(a) == c.assignee_id)
            && (!self.unassigned || c.assignee_id.is_none())
            && self.channel.is_none_or(|k| k == c.channel_kind)
            && self.priority.is_none_or(|p| p == c.priority)
            && self.label_filter().is_none_or(|l| c.has_label(l))
            && within(c.created_at, self.created_from, self.created_to)
            && within(c.last_activity_at, self.active_from, self.active_to)
    }

    /// Whether this list shows only active conversations (not spam; new,
    /// open or pending): the inbox views, unless a status is chosen.
    pub fn active_only(&self) -> bool {
        matches!(self.view, View::AllOpen | View::Mine | View::Unassigned) && self.status.is_none()
    }

    fn status_or_active(&self, s: Status) -> bool {
        // An explicit status filter wins over the view's "active only".
        self.status.is_some() || s.is_active()
    }

    /// The key this list is ordered by, for keyset paging and re-sorting.
    pub fn sort_key(&self, c: &ConversationSummary) -> Vec<i64> {
        match self.sort {
            Sort::Newest | Sort::Oldest => vec![c.last_activity_at.0, c.id.0],
            Sort::Added | Sort::Created => vec![c.created_at.0, c.id.0],
            Sort::Priority | Sort::PriorityLow => vec![c.priority.rank(), c.last_activity_at.0, c.id.0],
        }
    }

    /// Whether `a` comes before `b` in this list.
    pub fn before(&self, a: &ConversationSummary, b: &ConversationSummary) -> bool {
        let (ka, kb) = (self.sort_key(a), self.sort_key(b));
        if self.sort.descending() {
            ka > kb
        } else {
            ka < kb
        }
    }
}

impl ListFilter {
    /// The list as shown: `pages` in order, with each `overlay` row (a
    /// newer version of a conversation, from the live stream) taken out of
    /// its old place and put where this filter's order says — or left out
    /// if it no longer matches. With a search, only rows the search found
    /// stay (the browser cannot run the search itself).
    pub fn merge(
        &self,
        pages: impl Iterator<Item = ConversationSummary>,
        overlay: &[ConversationSummary],
        me: UserId,
    ) -> Vec<ConversationSummary> {
        let mut rows: Vec<ConversationSummary> = vec![];
        let mut found: Vec<ConversationSummary> = vec![];
        for c in pages {
            if overlay.iter().any(|o| o.id == c.id) {
                found.push(c);
            } else {
                rows.push(c);
            }
        }
        let searching = self.search().is_some();
        for o in overlay.iter().filter(|o| self.matches(o, me)) {
            let old = found.iter().find(|c| c.id == o.id);
            if searching && old.is_none() {
                continue;
            }
            let mut o = o.clone();
            // Keep the search hit of the row it replaces.
            if let Some(old) = old {
                o.hit = old.hit.clone();
            }
            let at = rows.iter().position(|c| self.before(&o, c)).unwrap_or(rows.len());
            rows.insert(at, o);
        }
        rows
    }
}

/// A page of the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationPage {
    pub items: Vec<ConversationSummary>,
    pub next_cursor: Option<String>,
    /// The newest event id when the page was read: the live stream resumes
    /// from here, so nothing between the read and the socket is missed.
    pub event_cursor: i64,
    /// How many conversations match in all, on the first page only (later
    /// pages do not count again), and at most [`COUNT_CAP`] + 1: "more than
    /// 10 000" is all a person reads from a bigger number, and counting a
    /// million rows would cost more than the page itself.
    pub total: Option<i64>,
    /// A search matched so much that the page holds the conversations of
    /// its newest matches only (`search::server::CANDIDATES` of each kind);
    /// the list says so, and more words narrow it.
    #[serde(default)]
    pub newest_only: bool,
}

/// The largest count a list reports exactly (see [`ConversationPage::total`]).
pub const COUNT_CAP: i64 = 10_000;

/// "1 conversation", "42 conversations", "10,000+ conversations".
pub fn count_label(total: i64) -> String {
    if total > COUNT_CAP {
        return format!("{}+ conversations", thousands(COUNT_CAP));
    }
    match total {
        1 => "1 conversation".into(),
        n => format!("{} conversations", thousands(n.max(0))),
    }
}

/// `12345` as "12,345".
pub fn thousands(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// An opaque keyset cursor: the sort key of the last row of a page.
pub fn encode_cursor(key: &[i64]) -> String {
    key.iter().map(i64::to_string).collect::<Vec<_>>().join("_")
}

/// Reads a cursor made by [`encode_cursor`] for a key of `len` parts.
pub fn decode_cursor(s: &str, len: usize) -> Option<Vec<i64>> {
    let key: Vec<i64> = s.split('_').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    (key.len() == len).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::model::ConversationSummary;
    use crate::ids::{ChannelId, ContactId, ConversationId};

    fn row(id: i64, at: i64, status: Status, assignee: Option<i64>) -> ConversationSummary {
        ConversationSummary {
            id: ConversationId(id),
            inbox_id: InboxId(1),
            inbox_name: "Support".into(),
            channel_id: ChannelId(1),
            channel_kind: ChannelKind::Email,
            contact_id: ContactId(1),
            contact_name: "Ada".into(),
            subject: String::new(),
            preview: String::new(),
            status,
            priority: Priority::None,
            assignee_id: assignee.map(UserId),
            assignee_name: None,
            spam: false,
            unread: false,
            snoozed_until: None,
            message_count: 1,
            created_at: Timestamp(id),
            last_activity_at: Timestamp(at),
            first_response_at: None,
            labels: String::new(),
            hit: None,
        }
    }

    const ME: UserId = UserId(7);

    #[test]
    fn views_select_what_their_names_say() {
        let open_mine = row(1, 10, Status::Open, Some(7));
        let new_free = row(2, 20, Status::New, None);
        let closed = row(3, 30, Status::Closed, Some(7));
        let f = |view| ListFilter { view, ..ListFilter::default() };
        assert!(f(View::AllOpen).matches(&open_mine, ME) && f(View::AllOpen).matches(&new_free, ME));
        assert!(!f(View::AllOpen).matches(&closed, ME));
        assert!(f(View::Mine).matches(&open_mine, ME) && !f(View::Mine).matches(&new_free, ME));
        assert!(f(View::Unassigned).matches(&new_free, ME) && !f(View::Unassigned).matches(&open_mine, ME));
        assert!(f(View::All).matches(&closed, ME));
        let closed_only = ListFilter { view: View::All, status: Some(Status::Closed), ..ListFilter::default() };
        assert!(closed_only.matches(&closed, ME) && !closed_only.matches(&open_mine, ME));
        let spam = ConversationSummary { spam: true, ..new_free.clone() };
        assert!(!f(View::AllOpen).matches(&spam, ME) && f(View::Spam).matches(&spam, ME));
    }

    #[test]
    fn live_rows_move_to_their_place_or_leave() {
        let f = ListFilter::default();
        let page = vec![row(3, 30, Status::Open, None), row(2, 20, Status::Open, None), row(1, 10, Status::Open, None)];
        // Conversation 1 got a new message: it moves to the top.
        let bumped = row(1, 40, Status::Open, None);
        let ids = |v: Vec<ConversationSummary>| v.into_iter().map(|c| c.id.0).collect::<Vec<_>>();
        assert_eq!(ids(f.merge(page.clone().into_iter(), &[bumped], ME)), vec![1, 3, 2]);
        // Conversation 3 was closed: it leaves the open view.
        let closed = row(3, 50, Status::Closed, None);
        assert_eq!(ids(f.merge(page.clone().into_iter(), &[closed], ME)), vec![2, 1]);
        // A new conversation arrives at the top; "order added" puts it last.
        let fresh = row(9, 60, Status::New, None);
        assert_eq!(ids(f.merge(page.clone().into_iter(), &[fresh.clone()], ME)), vec![9, 3, 2, 1]);
        let added = ListFilter { sort: Sort::Added, ..ListFilter::default() };
        let asc: Vec<_> = page.into_iter().rev().collect();
        assert_eq!(ids(added.merge(asc.into_iter(), &[fresh], ME)), vec![1, 2, 3, 9]);
    }

    #[test]
    fn counts_read_as_people_say_them() {
        assert_eq!(count_label(0), "0 conversations");
        assert_eq!(count_label(1), "1 conversation");
        assert_eq!(count_label(1234), "1,234 conversations");
        assert_eq!(count_label(COUNT_CAP), "10,000 conversations");
        assert_eq!(count_label(COUNT_CAP + 1), "10,000+ conversations");
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(&[1_700_000, 42]), 2), Some(vec![1_700_000, 42]));
        assert_eq!(decode_cursor(&encode_cursor(&[3, 1_700_000, 42]), 3), Some(vec![3, 1_700_000, 42]));
        assert_eq!(decode_cursor("1_2", 3), None, "a cursor from another sort");
        assert_eq!(decode_cursor("nonsense", 2), None);
    }
}
