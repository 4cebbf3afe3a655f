//! The inbox's state lives in the URL (`/inbox?view=mine&inbox=2&c=17`), so
//! a view can be bookmarked, shared and survives a reload.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::conversations::model::{ListFilter, Sort, View};
use crate::ids::ConversationId;

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
        if let Some(i) = f.inbox_id {
            q.push(format!("inbox={i}"));
        }
        if let Some(s) = f.status {
            q.push(format!("status={}", s.as_str()));
        }
        if f.sort != Sort::Newest {
            q.push(format!("sort={}", f.sort.as_str()));
        }
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

    /// This state with another conversation selected.
    pub fn with_selected(&self, s: Selected) -> Self {
        Self { selected: s, details: false, ..self.clone() }
    }

    /// This state with another filter (selection kept).
    pub fn with_filter(&self, f: ListFilter) -> Self {
        Self { filter: f, ..self.clone() }
    }
}

/// The inbox URL state as a reactive value.
pub fn use_inbox_url() -> Memo<InboxUrl> {
    let q = use_query_map();
    Memo::new(move |_| {
        q.with(|q| {
            let filter = ListFilter {
                view: q.get("view").and_then(|v| v.parse().ok()).unwrap_or(View::AllOpen),
                inbox_id: q.get("inbox").and_then(|v| v.parse().ok()),
                status: q.get("status").and_then(|v| v.parse().ok()),
                assignee_id: None,
                sort: q.get("sort").and_then(|v| v.parse().ok()).unwrap_or(Sort::Newest),
            };
            let selected = match q.get("c").as_deref() {
                Some("new") => Selected::NewConversation,
                Some(id) => id.parse().map(Selected::Conversation).unwrap_or(Selected::None),
                None => Selected::None,
            };
            InboxUrl { filter, selected, details: q.get("details").is_some() }
        })
    })
}
