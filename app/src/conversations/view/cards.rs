//! The card view: conversations as cards in lanes by status, assignee or
//! priority. Dragging a card to another lane applies that lane's change;
//! the change is an ordinary event, so every open board moves the card.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::url::{use_inbox_url, GroupBy, Layout, Selected};
use super::InboxCtx;
use crate::conversations::api::{list_conversations, update_conversation};
use crate::conversations::board::{LanePage, LANE_PAGE};
use crate::conversations::model::{count_label, ConversationSummary, Priority};
use crate::ids::ConversationId;
use crate::time::Timestamp;
use crate::users::model::initials;

/// The board.
#[component]
pub fn CardBoard() -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let url = use_inbox_url();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let set_group = move |ev| {
        let group = event_target_value(&ev).parse().unwrap_or(GroupBy::Status);
        let u = url.get_untracked();
        navigate(&super::url::InboxUrl { group, ..u }.href(), Default::default());
    };
    let board = ctx.board;
    view! {
        <section class="card-view" data-testid="card-view">
            <div class="board-bar">
                <label>"Columns by "
                    <select name="group" aria-label="Columns by" prop:value=move || url.get().group.as_str() on:change=set_group>
                        {GroupBy::ALL.iter().map(|g| {
                            let g = *g;
                            view! { <option value=g.as_str() selected=move || url.get().group == g>{g.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
            </div>
            <div class="board">
                <Transition fallback=|| view! { <p class="muted pad">"Loading…"</p> }>
                    {move || board.get().map(|r| match r {
                        Ok(lanes) => lanes.into_iter().map(|l| view! { <LaneColumn l error/> }).collect_view().into_any(),
                        Err(e) => view! { <p class="error pad">{e.to_string()}</p> }.into_any(),
                    })}
                </Transition>
            </div>
        </section>
    }
}

#[component]
fn LaneColumn(l: LanePage, error: RwSignal<Option<String>>) -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let LanePage { lane, page } = l;
    // Later pages of this lane (signals, not resources: loaded on a click).
    let extra = RwSignal::new(Vec::<ConversationSummary>::new());
    let cursor = RwSignal::new(page.next_cursor.clone());
    let first = StoredValue::new(page.items);
    let filter = StoredValue::new(lane.filter.clone());
    // The lane as shown: its pages with live changes applied, so a card
    // dragged elsewhere (here or in another browser) leaves and arrives.
    let rows = Signal::derive(move || {
        let me = ctx.me_id();
        let more = extra.get();
        ctx.overlay.with(|o| filter.with_value(|f| f.merge(first.get_value().into_iter().chain(more), o, me)))
    });
    let more = move |_| {
        let Some(c) = cursor.get_untracked() else { return };
        let f = filter.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(p) = list_conversations(f, Some(c)).await {
                extra.update(|e| e.extend(p.items));
                cursor.set(p.next_cursor);
            }
        });
    };
    let over = RwSignal::new(false);
    let drop_patch = StoredValue::new(lane.drop.clone());
    let droppable = lane.drop.is_some();
    let on_drop = move |ev: leptos::web_sys::DragEvent| {
        ev.prevent_default();
        over.set(false);
        let Some(patch) = drop_patch.get_value() else { return };
        let id = ev.data_transfer().and_then(|d| d.get_data("text/plain").ok()).and_then(|s| s.parse::<i64>().ok());
        let Some(id) = id else { return };
        leptos::task::spawn_local(async move {
            match update_conversation(ConversationId(id), patch).await {
                Ok(row) => {
                    // Move it at once; the live echo brings the same row.
                    ctx.overlay.update(|o| {
                        o.retain(|c| c.id != row.id);
                        o.push(row);
                    });
                    error.set(None);
                }
                Err(e) => error.set(Some(format!("#{id}: {e}"))),
            }
        });
    };
    // The count from the server, moved by what live changes did here.
    let loaded = page.total.unwrap_or(0);
    let shown_at_load = first.with_value(Vec::len) as i64;
    let count = move || loaded + rows.with(Vec::len) as i64 - shown_at_load - extra.with(Vec::len) as i64;
    view! {
        <div class="lane" data-lane=lane.key.clone() class:over=move || over.get() class:no-drop=!droppable
            on:dragover=move |ev: leptos::web_sys::DragEvent| if droppable { ev.prevent_default(); over.set(true); }
            on:dragleave=move |_| over.set(false)
            on:drop=on_drop>
            <h3>{lane.title.clone()}" "<span class="lane-count" title=move || count_label(count())>{count}</span></h3>
            <ul class="cards">
                <For each=move || rows.get() key=|c| (c.id, c.last_activity_at, c.status, c.assignee_id, c.priority, c.unread) let:c>
                    <Card c/>
                </For>
            </ul>
            <Show when=move || cursor.get().is_some()>
                <button type="button" class="link more" on:click=more>{format!("{LANE_PAGE} more")}</button>
            </Show>
        </div>
    }
}

#[component]
fn Card(c: ConversationSummary) -> impl IntoView {
    let url = use_inbox_url();
    let id = c.id;
    let href = move || url.get().with_layout(Layout::Inbox).with_selected(Selected::Conversation(id)).href();
    let now = Timestamp::now();
    let subject = if c.subject.is_empty() { c.preview.clone() } else { c.subject.clone() };
    view! {
        <li class="card" class:unread=c.unread draggable="true" data-id=id.to_string() data-status=c.status.as_str()
            on:dragstart=move |ev: leptos::web_sys::DragEvent| {
                if let Some(dt) = ev.data_transfer() {
                    let _ = dt.set_data("text/plain", &id.to_string());
                    dt.set_effect_allowed("move");
                }
            }>
            <div class="card-top">
                <span class=format!("channel ch-{}", c.channel_kind.as_str()) title=c.channel_kind.label()>{c.channel_kind.icon()}</span>
                <span class="who">{c.contact_name.clone()}</span>
                <time class="age" title=format!("Created {}", c.created_at.date_string())>{c.created_at.short_age(now)}</time>
            </div>
            <A href=href attr:class="card-subject">{subject}</A>
            <p class="preview">{c.preview.clone()}</p>
            <div class="card-foot">
                {(c.priority != Priority::None).then(|| view! {
                    <span class=format!("prio prio-{}", c.priority.as_str())>{c.priority.label()}</span>
                })}
                <span class="inbox-name">{c.inbox_name.clone()}</span>
                {c.assignee_name.clone().map(|n| view! { <span class="avatar" title=n.clone()>{initials(&n)}</span> })}
            </div>
        </li>
    }
}
