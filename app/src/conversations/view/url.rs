//! The inbox's state lives in the URL (`/inbox?view=mine&inbox=2&c=17`), so
//! a view can be bookmarked, shared and survives a reload.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub use crate::conversations::board::GroupBy;
use crate::conversations::model::{ListFilter, Sort, View};
use crate::ids::ConversationId;
use crate::time::Timestamp;

crate::str_enum! {
    /// How the conversations are laid out; the filter is the same in each.
    Layout {
        /// List, thread and details side by side.
        Inbox = "inbox" / "Inbox",
        /// A table with chosen columns and bulk actions.
        List = "list" / "List",
        /// Cards in columns (by status, assignee or priority).
        Cards = "cards" / "Cards",
    }
}

/// What the middle pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selected {
    None,
    Conversation(ConversationId),
    NewConversation,
}

/// The parsed query string.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxUrl {
    pub layout: Layout,
    /// The card view's columns.
    pub group: GroupBy,
    pub filter: ListFilter,
    pub selected: Selected,
    /// Phone layout: the details pane is in front.
    pub details: bool,
}

impl InboxUrl {
    /// `/inbox?…` for this state.
    pub fn href(&self) -> String {
        let f = &self.filter;
        let mut q = vec![format!("view={}", f.view.as_str())];
        if self.layout != Layout::Inbox {
            q.push(format!("layout={}", self.layout.as_str()));
        }
        if self.layout == Layout::Cards && self.group != GroupBy::Status {
            q.push(format!("group={}", self.group.as_str()));
        }
        q.extend(filter_params(f));
        match self.selected {
            Selected::None => {}
            Selected::Conversation(id) => q.push(format!("c={id}")),
            Selected::NewConversation => q.push("c=new".into()),
        }
        if self.details {
            q.push("details=1".into());
        }
        format!("/inbox?{}", q.join("&"))
    }

    /// This state in another layout; filter, sort and search stay. A
    /// conversation opens in the inbox layout, so only that keeps one.
    pub fn with_layout(&self, layout: Layout) -> Self {
        let selected = if layout == Layout::Inbox { self.selected } else { Selected::None };
        Self { layout, selected, details: false, ..self.clone() }
    }

    /// This state with another conversation selected.
    pub fn with_selected(&self, s: Selected) -> Self {
        Self { selected: s, details: false, ..self.clone() }
    }

    /// This state with another filter (selection kept).
    pub fn with_filter(&self, f: ListFilter) -> Self {
        Self { filter: f, ..self.clone() }
    }
}

/// The filter's part of the query string (not the view), shared by the
/// list and the views built on it.
pub fn filter_params(f: &ListFilter) -> Vec<String> {
    let mut q = vec![];
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            q.push(format!("{k}={}", encode(&v)));
        }
    };
    put("inbox", f.inbox_id.map(|i| i.to_string()));
    put("status", f.status.map(|s| s.as_str().into()));
    put("assignee", f.assignee_id.map(|a| a.to_string()).or(f.unassigned.then(|| "none".into())));
    put("channel", f.channel.map(|c| c.as_str().into()));
    put("priority", f.priority.map(|p| p.as_str().into()));
    put("label", f.label.clone());
    put("created_from", f.created_from.map(day));
    put("created_to", f.created_to.map(day));
    put("active_from", f.active_from.map(day));
    put("active_to", f.active_to.map(day));
    put("q", f.search().map(str::to_string));
    if f.sort != Sort::Newest {
        put("sort", Some(f.sort.as_str().into()));
    }
    q
}

/// A date as the URL holds it (`2026-11-30`, UTC).
fn day(t: Timestamp) -> String {
    t.to_rfc3339().chars().take(10).collect()
}

/// `2026-11-30` as midnight UTC.
pub fn parse_day(s: &str) -> Option<Timestamp> {
    Timestamp::parse_rfc3339(&format!("{s}T00:00:00Z"))
}

/// Percent-encodes a query value (what `URLSearchParams` would).
pub fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Reads the filter from query parameters.
pub fn parse_filter(get: impl Fn(&str) -> Option<String>) -> ListFilter {
    let assignee = get("assignee");
    ListFilter {
        view: get("view").and_then(|v| v.parse().ok()).unwrap_or(View::AllOpen),
        inbox_id: get("inbox").and_then(|v| v.parse().ok()),
        status: get("status").and_then(|v| v.parse().ok()),
        assignee_id: assignee.as_deref().and_then(|v| v.parse().ok()),
        unassigned: assignee.as_deref() == Some("none"),
        channel: get("channel").and_then(|v| v.parse().ok()),
        priority: get("priority").and_then(|v| v.parse().ok()),
        label: get("label").filter(|l| !l.trim().is_empty()),
        created_from: get("created_from").as_deref().and_then(parse_day),
        created_to: get("created_to").as_deref().and_then(parse_day),
        active_from: get("active_from").as_deref().and_then(parse_day),
        active_to: get("active_to").as_deref().and_then(parse_day),
        q: get("q").filter(|q| !q.trim().is_empty()),
        sort: get("sort").and_then(|v| v.parse().ok()).unwrap_or(Sort::Newest),
    }
}

/// The inbox URL state as a reactive value.
pub fn use_inbox_url() -> Memo<InboxUrl> {
    let q = use_query_map();
    Memo::new(move |_| {
        q.with(|q| {
            let filter = parse_filter(|k| q.get(k));
            let selected = match q.get("c").as_deref() {
                Some("new") => Selected::NewConversation,
                Some(id) => id.parse().map(Selected::Conversation).unwrap_or(Selected::None),
                None => Selected::None,
            };
            InboxUrl {
                layout: q.get("layout").and_then(|v| v.parse().ok()).unwrap_or(Layout::Inbox),
                group: q.get("group").and_then(|v| v.parse().ok()).unwrap_or(GroupBy::Status),
                filter,
                selected,
                details: q.get("details").is_some(),
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::model::{Priority, Status};
    use crate::messages::model::ChannelKind;

    #[test]
    fn every_filter_survives_the_url() {
        let f = ListFilter {
            view: View::All,
            inbox_id: Some(crate::ids::InboxId(2)),
            status: Some(Status::Pending),
            unassigned: true,
            channel: Some(ChannelKind::Email),
            priority: Some(Priority::High),
            label: Some("vip & co".into()),
            created_from: parse_day("2026-11-01"),
            active_to: parse_day("2026-11-30"),
            q: Some("\"late refund\" order".into()),
            sort: Sort::Priority,
            ..ListFilter::default()
        };
        let u = InboxUrl {
            layout: Layout::Cards,
            group: GroupBy::Assignee,
            filter: f,
            selected: Selected::None,
            details: false,
        };
        let href = u.href();
        assert!(href.contains("layout=cards") && href.contains("group=assignee"), "{href}");
        let back_to_inbox = u.with_layout(Layout::Inbox).href();
        assert!(!back_to_inbox.contains("layout=") && back_to_inbox.contains("sort=priority"), "{back_to_inbox}");
        let query = href.trim_start_matches("/inbox?");
        let pairs: Vec<(String, String)> =
            query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), decode(v))).collect();
        let back = parse_filter(|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()));
        assert_eq!(back, u.filter);
    }

    fn decode(v: &str) -> String {
        let v = v.replace('+', " ");
        let mut out = vec![];
        let b = v.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap_or(0));
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap_or_default()
    }
}
