//! The left pane: views, filters, and the conversation list (keyset pages
//! as the user scrolls, updated live).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::url::{use_inbox_url, Selected};
use super::{apply_event, InboxCtx};
use crate::conversations::api::list_conversations;
use crate::conversations::model::{ConversationSummary, Sort, Status, View};
use crate::time::Timestamp;
use crate::users::model::initials;

/// The list pane.
#[component]
pub fn ListPane() -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let url = use_inbox_url();
    let inboxes = ctx.list_inboxes;
    let navigate = use_navigate();
    let filter = ctx.filter;
    let first = ctx.first;
    let more_cursor = ctx.more_cursor;
    let loading_more = RwSignal::new(false);
    let total = move || first.get().and_then(Result::ok).map(|p| p.total).unwrap_or(0) + ctx.total_delta.get();
    let next_cursor = Signal::derive(move || match more_cursor.get() {
        Some(c) => c,
        None => first.get().and_then(Result::ok).and_then(|p| p.next_cursor),
    });
    // Open the live stream once, from the first page's event cursor
    // (browser only: effects do not run on the server).
    Effect::new(move |_| {
        if let Some(Ok(p)) = first.get() {
            start_live(ctx, url, p.event_cursor);
        }
    });

    let load_more = move || {
        let Some(cursor) = next_cursor.get_untracked() else { return };
        if loading_more.get_untracked() {
            return;
        }
        loading_more.set(true);
        let f = filter.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(page) = list_conversations(f, Some(cursor)).await {
                ctx.extra.update(|items| items.extend(page.items));
                more_cursor.set(Some(page.next_cursor));
            }
            loading_more.set(false);
        });
    };

    let go = {
        let navigate = navigate.clone();
        move |href: String| navigate(&href, Default::default())
    };
    let set_view = {
        let go = go.clone();
        move |v: View| {
            let u = url.get_untracked();
            go(u.with_filter(crate::conversations::model::ListFilter { view: v, ..u.filter.clone() }).href())
        }
    };

    view! {
        <aside class="pane list-pane">
            <nav class="views" aria-label="Views">
                {[View::AllOpen, View::Mine, View::Unassigned, View::MyUnread, View::All, View::Spam].into_iter().map(|v| {
                    let set_view = set_view.clone();
                    view! {
                        <button class="view-tab" data-view=v.as_str()
                            class:active=move || filter.get().view == v
                            on:click=move |_| set_view(v)>{v.label()}</button>
                    }
                }).collect_view()}
            </nav>
            <div class="filters">
                <select aria-label="Inbox" name="inbox" on:change={
                    let go = go.clone();
                    move |ev| {
                        let u = url.get_untracked();
                        let inbox_id = event_target_value(&ev).parse().ok();
                        go(u.with_filter(crate::conversations::model::ListFilter { inbox_id, ..u.filter.clone() }).href())
                    }
                }>
                    <option value="" selected=move || filter.get().inbox_id.is_none()>"All inboxes"</option>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            inboxes.await.unwrap_or_default().into_iter().map(|i| {
                                let id = i.id;
                                view! { <option value=id.to_string() selected=move || filter.get().inbox_id == Some(id)>{i.name}</option> }
                            }).collect_view()
                        })}
                    </Transition>
                </select>
                <select aria-label="Status" name="status" on:change={
                    let go = go.clone();
                    move |ev| {
                        let u = url.get_untracked();
                        let status = event_target_value(&ev).parse().ok();
                        go(u.with_filter(crate::conversations::model::ListFilter { status, ..u.filter.clone() }).href())
                    }
                }>
                    <option value="" selected=move || filter.get().status.is_none()>"Any status"</option>
                    {Status::ALL.iter().map(|s| {
                        let s = *s;
                        view! { <option value=s.as_str() selected=move || filter.get().status == Some(s)>{s.label()}</option> }
                    }).collect_view()}
                </select>
                <select aria-label="Sort" name="sort" on:change={
                    let go = go.clone();
                    move |ev| {
                        let u = url.get_untracked();
                        let sort = event_target_value(&ev).parse().unwrap_or(Sort::Newest);
                        go(u.with_filter(crate::conversations::model::ListFilter { sort, ..u.filter.clone() }).href())
                    }
                }>
                    {Sort::ALL.iter().map(|s| {
                        let s = *s;
                        view! { <option value=s.as_str() selected=move || filter.get().sort == s>{s.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            // One boundary for everything that shows the first page (count,
            // rows, "more"): one resource read in two boundaries can stall
            // the server render (leptos#4851). Rows stay mounted across
            // refetches (keyed <For>), so a new filter or a live change
            // updates the list in place.
            <Transition fallback=|| view! { <div class="list-head"></div><ul class="conv-list"><li class="muted pad">"Loading…"</li></ul> }>
                <div class="list-head">
                    <span class="count" data-testid="count">{total}" conversations"</span>
                    <A href=move || url.get().with_selected(Selected::NewConversation).href() attr:class="new-btn">"+ New"</A>
                </div>
                <ul class="conv-list" on:scroll=move |ev| {
                    let el = event_target::<leptos::web_sys::HtmlElement>(&ev);
                    if el.scroll_top() + el.client_height() >= el.scroll_height() - 120 {
                        load_more();
                    }
                }>
                    {move || first.get().and_then(Result::err).map(|e| view! { <li class="error pad">{e.to_string()}</li> })}
                    <Rows/>
                    <Show when=move || next_cursor.get().is_some()>
                        <li class="more"><button class="link" on:click=move |_| load_more()>"Load more"</button></li>
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
        <For each=move || ctx.rows.get() key=|c| (c.id, c.last_activity_at, c.status, c.assignee_id, c.unread, c.priority, c.inbox_id) let:c>
            <Row c now selected=Signal::derive(move || url.get().selected)/>
        </For>
    }
}

#[component]
fn Row(c: ConversationSummary, now: Timestamp, selected: Signal<Selected>) -> impl IntoView {
    let url = use_inbox_url();
    let id = c.id;
    let href = move || url.get().with_selected(Selected::Conversation(id)).href();
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
                <span class="preview">{c.preview.clone()}</span>
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

/// Opens the live stream once, from the first page's event cursor.
fn start_live(ctx: InboxCtx, url: Memo<super::url::InboxUrl>, after: i64) {
    if ctx.started.get_value() {
        return;
    }
    ctx.started.set_value(true);
    crate::live::connect(after, ctx.live, move |ev| apply_event(ctx, &url.get_untracked(), &ev));
}
