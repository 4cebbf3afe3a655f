//! The left pane: views, search and filters, and the conversation list (keyset pages
//! as the user scrolls, updated live).

use leptos::prelude::*;
use leptos_router::components::A;

use super::url::{use_inbox_url, Selected};
use super::InboxCtx;
use crate::conversations::model::{count_label, ConversationSummary};
use crate::time::Timestamp;
use crate::users::model::initials;

/// The list pane.
#[component]
pub fn ListPane() -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let url = use_inbox_url();
    view! {
        <aside class="pane list-pane">
            <super::filters::FilterBar/>
            // One boundary for everything that shows the first page (count,
            // rows, "more"): one resource read in two boundaries can stall
            // the server render (leptos#4851). Rows stay mounted across
            // refetches (keyed <For>), so a new filter or a live change
            // updates the list in place.
            <Transition fallback=|| view! { <div class="list-head"></div><ul class="conv-list"><li class="muted pad">"Loading…"</li></ul> }>
                <div class="list-head">
                    <span class="count" data-testid="count">{move || count_label(ctx.total().unwrap_or(0))}</span>
                    <A href=move || url.get().with_selected(Selected::NewConversation).href() attr:class="new-btn">"+ New"</A>
                </div>
                <Show when=move || ctx.first.get().and_then(Result::ok).is_some_and(|p| p.newest_only)>
                    <p class="notice pad" data-testid="newest-only">{newest_only_notice()}</p>
                </Show>
                <ul class="conv-list" on:scroll=move |ev| {
                    let el = event_target::<leptos::web_sys::HtmlElement>(&ev);
                    if el.scroll_top() + el.client_height() >= el.scroll_height() - 120 {
                        ctx.load_more();
                    }
                }>
                    {move || ctx.first.get().and_then(Result::err).map(|e| view! { <li class="error pad">{e.to_string()}</li> })}
                    <Rows/>
                    <Show when=move || ctx.next_cursor().is_some()>
                        <li class="more"><button class="link" on:click=move |_| ctx.load_more()>"Load more"</button></li>
                    </Show>
                </ul>
            </Transition>
        </aside>
    }
}

#[component]
fn Rows() -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let url = use_inbox_url();
    let now = Timestamp::now();
    view! {
        <Show when=move || ctx.rows.with(|i| i.is_empty())>
            <li class="muted pad">"Nothing here."</li>
        </Show>
        // The key holds everything a row shows that can change, the search
        // hit included: the same conversation found by a search is a new row.
        <For each=move || ctx.rows.get() key=|c| (c.id, c.last_activity_at, c.status, c.assignee_id, c.unread, c.priority, c.inbox_id, c.hit.as_ref().map(|h| h.snippet.clone())) let:c>
            <Row c now selected=Signal::derive(move || url.get().selected)/>
        </For>
    }
}

#[component]
fn Row(c: ConversationSummary, now: Timestamp, selected: Signal<Selected>) -> impl IntoView {
    let url = use_inbox_url();
    let id = c.id;
    // A search result opens at the message that matched.
    let anchor = c.hit.as_ref().and_then(|h| h.message_id).map(|m| format!("#message-{m}")).unwrap_or_default();
    let href = move || format!("{}{anchor}", url.get().with_selected(Selected::Conversation(id)).href());
    let initials = c.assignee_name.as_deref().map(initials);
    let text = if c.subject.is_empty() { c.preview.clone() } else { c.subject.clone() };
    view! {
        <li class="conv" class:unread=c.unread class:selected=move || selected.get() == Selected::Conversation(id)
            data-id=id.to_string() data-status=c.status.as_str()>
            <A href=href>
                <span class=format!("channel ch-{}", c.channel_kind.as_str()) title=c.channel_kind.label()>{c.channel_kind.icon()}</span>
                <span class="who">{c.contact_name.clone()}</span>
                <time class="age">{c.last_activity_at.short_age(now)}</time>
                <span class="subject">{text}</span>
                {match c.hit.clone() {
                    Some(h) => view! { <span class="preview hit">{marked(&h.snippet)}</span> }.into_any(),
                    None => view! { <span class="preview">{c.preview.clone()}</span> }.into_any(),
                }}
                <span class="badges">
                    <span class=format!("status status-{}", c.status.as_str())>{c.status.label()}</span>
                    {(c.priority != crate::conversations::model::Priority::None).then(|| view! {
                        <span class=format!("prio prio-{}", c.priority.as_str())>{c.priority.label()}</span>
                    })}
                    {initials.map(|i| view! { <span class="avatar" title=c.assignee_name.clone()>{i}</span> })}
                </span>
            </A>
        </li>
    }
}

/// A search snippet with its matching words (`[[…]]`) in `<mark>`.
fn marked(snippet: &str) -> impl IntoView {
    let mut parts = vec![];
    let mut rest = snippet;
    while let Some(start) = rest.find("[[") {
        let (before, after) = rest.split_at(start);
        let Some(end) = after.find("]]") else { break };
        parts.push(before.to_string().into_any());
        parts.push(view! { <mark>{after[2..end].to_string()}</mark> }.into_any());
        rest = &after[end + 2..];
    }
    parts.push(rest.to_string().into_any());
    parts
}

/// What the list says when a search matched more than it reads.
pub fn newest_only_notice() -> String {
    format!(
        "Many matches: showing the conversations of the newest {} matching messages. Add words or filters to narrow.",
        crate::conversations::model::thousands(crate::search::CANDIDATES)
    )
}
