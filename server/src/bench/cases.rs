//! What is measured: the list pages the issue names, each a filter on the
//! list (and, for the deep ones, a page [`DEPTH`] rows down).

use std::time::Duration;

use app::conversations::model::{ListFilter, Priority, Sort, Status, View};
use app::messages::model::ChannelKind;
use app::time::Timestamp;

use super::seed::Workspace;
use super::text;

/// How deep the deep-page measurements start.
pub const DEPTH: usize = 10_000;

/// The targets (p95): any list page, and a search.
pub const LIST_TARGET: Duration = Duration::from_millis(10);
pub const SEARCH_TARGET: Duration = Duration::from_millis(100);

/// One list measurement.
pub struct Case {
    pub name: String,
    pub filter: ListFilter,
    /// Time the page after row [`DEPTH`] instead of the first.
    pub deep: bool,
    pub target: Duration,
}

/// Every list measurement, in table order: the first page of each view in
/// each sort, deep pages of a few, each filter (in the default view and
/// sort, All open by newest), and the searches (over everything, All).
pub fn cases(ws: &Workspace) -> Vec<Case> {
    let mut out = vec![];
    let views = [View::AllOpen, View::Mine, View::Unassigned, View::MyUnread, View::All];
    let sorts = [Sort::Newest, Sort::Oldest, Sort::Added, Sort::Created, Sort::Priority, Sort::PriorityLow];
    for view in views {
        for sort in sorts {
            let filter = ListFilter { view, sort, ..ListFilter::default() };
            let name = format!("first page: {} / {}", view.as_str(), sort.as_str());
            out.push(Case { name, filter, deep: false, target: LIST_TARGET });
        }
    }

    let deep = [
        (View::All, Sort::Newest),
        (View::All, Sort::Added),
        (View::AllOpen, Sort::Newest),
        (View::AllOpen, Sort::Priority),
        (View::Unassigned, Sort::Oldest),
        (View::Mine, Sort::Newest),
    ];
    for (view, sort) in deep {
        let filter = ListFilter { view, sort, ..ListFilter::default() };
        let name = format!("page at row {DEPTH}: {} / {}", view.as_str(), sort.as_str());
        out.push(Case { name, filter, deep: true, target: LIST_TARGET });
    }

    let now = Timestamp::now().0;
    let day = 86_400_000;
    let open = |g: &dyn Fn(&mut ListFilter)| {
        let mut f = ListFilter { view: View::AllOpen, sort: Sort::Newest, ..ListFilter::default() };
        g(&mut f);
        f
    };
    let filters: Vec<(String, ListFilter)> = vec![
        (format!("inbox = {}", ws.inboxes[1].0), open(&|f| f.inbox_id = Some(ws.inboxes[1].1))),
        (format!("inbox = {}", ws.inboxes[4].0), open(&|f| f.inbox_id = Some(ws.inboxes[4].1))),
        ("status = pending".into(), open(&|f| f.status = Some(Status::Pending))),
        ("status = closed".into(), open(&|f| f.status = Some(Status::Closed))),
        ("assignee = another agent".into(), open(&|f| f.assignee_id = Some(ws.agent))),
        ("unassigned".into(), open(&|f| f.unassigned = true)),
        ("channel = whatsapp".into(), open(&|f| f.channel = Some(ChannelKind::Whatsapp))),
        ("priority = urgent".into(), open(&|f| f.priority = Some(Priority::Urgent))),
        ("label = vip".into(), open(&|f| f.label = Some("vip".into()))),
        ("label = billing".into(), open(&|f| f.label = Some("billing".into()))),
        (
            "created in a 30-day window a year ago".into(),
            open(&|f| {
                f.created_from = Some(Timestamp(now - 395 * day));
                f.created_to = Some(Timestamp(now - 365 * day));
            }),
        ),
        ("active in the last 7 days".into(), open(&|f| f.active_from = Some(Timestamp(now - 7 * day)))),
        (
            "active 60 to 30 days ago".into(),
            open(&|f| {
                f.active_from = Some(Timestamp(now - 60 * day));
                f.active_to = Some(Timestamp(now - 30 * day));
            }),
        ),
        (
            format!("inbox = {} + priority = high + unassigned", ws.inboxes[2].0),
            open(&|f| {
                f.inbox_id = Some(ws.inboxes[2].1);
                f.priority = Some(Priority::High);
                f.unassigned = true;
            }),
        ),
    ];
    for (what, filter) in filters {
        let name = format!("filter: {what} (all_open / newest)");
        out.push(Case { name, filter, deep: false, target: LIST_TARGET });
    }

    let searches = [
        (View::All, text::COMMON_WORD.to_string(), "common word"),
        (View::AllOpen, text::COMMON_WORD.to_string(), "common word"),
        (View::All, text::RARE_WORD.to_string(), "rare word"),
        (View::All, format!("\"{}\"", text::PHRASE), "phrase"),
        (View::All, text::TWO_WORDS.to_string(), "two words"),
    ];
    for (view, q, what) in searches {
        let name = format!("search {what}: {q} ({} / newest)", view.as_str());
        let filter = ListFilter { view, q: Some(q), sort: Sort::Newest, ..ListFilter::default() };
        out.push(Case { name, filter, deep: false, target: SEARCH_TARGET });
    }
    out
}
