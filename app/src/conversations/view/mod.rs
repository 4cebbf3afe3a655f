//! The inbox view: list, thread and details side by side on a desktop,
//! one at a time on a phone.

mod details;
mod list;
mod new;
mod thread;
mod url;

use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

use crate::conversations::api::list_conversations;
use crate::conversations::model::{ConversationPage, ConversationSummary, ListFilter};
use crate::error::AppError;
use crate::live::model::LiveEvent;
use crate::users::api::{logout, me, SignedIn};
use url::{use_inbox_url, Selected};

/// What the panes share: who is signed in, the list on screen, the thread
/// refresh counter and the live connection's state.
#[derive(Clone, Copy)]
pub struct InboxCtx {
    pub me: StoredValue<SignedIn>,
    /// The list rows of the pages loaded after the first, in order.
    pub extra: RwSignal<Vec<ConversationSummary>>,
    /// Rows changed live since the first page loaded (latest version each).
    pub overlay: RwSignal<Vec<ConversationSummary>>,
    /// How the live changes moved the count.
    pub total_delta: RwSignal<i64>,
    /// The list as shown: first page + later pages with live changes applied.
    pub rows: Signal<Vec<ConversationSummary>>,
    /// The list's filter (from the URL).
    pub filter: Memo<ListFilter>,
    /// The first page for the current filter.
    pub first: Resource<Result<ConversationPage, AppError>>,
    /// The cursor after the last loaded page, once "more" was loaded.
    pub more_cursor: RwSignal<Option<Option<String>>>,
    /// Bumped when the open conversation changes elsewhere: the thread refetches.
    pub thread_version: RwSignal<u32>,
    /// `connecting` / `live` / `offline`, shown in the header.
    pub live: RwSignal<&'static str>,
    /// The last event id seen, so a reconnect catches up from there.
    pub started: StoredValue<bool>,
}

/// `/inbox`: signed-in users only.
#[component]
pub fn InboxPage() -> impl IntoView {
    let me_res = Resource::new(|| (), |_| me());
    view! {
        <Suspense fallback=|| view! { <div class="loading">"Loading…"</div> }>
            {move || Suspend::new(async move {
                match me_res.await {
                    Ok(Some(me)) => view! { <Inbox me/> }.into_any(),
                    Ok(None) | Err(crate::error::AppError::Unauthorized) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Inbox(me: SignedIn) -> impl IntoView {
    let url = use_inbox_url();
    let filter = Memo::new(move |_| url.get().filter);
    let first = Resource::new(move || filter.get(), |f| list_conversations(f, None));
    let extra = RwSignal::new(vec![]);
    let overlay = RwSignal::new(vec![]);
    let total_delta = RwSignal::new(0);
    let more_cursor = RwSignal::new(None);
    let me_id = me.user.id;
    let rows = Signal::derive(move || {
        let page = first.get().and_then(Result::ok).map(|p| p.items).unwrap_or_default();
        let more = extra.get();
        overlay.with(|o| filter.get().merge(page.into_iter().chain(more), o, me_id))
    });
    // A new filter starts from its own first page.
    Effect::new(move |prev: Option<()>| {
        filter.track();
        if prev.is_some() {
            extra.set(vec![]);
            overlay.set(vec![]);
            total_delta.set(0);
            more_cursor.set(None);
        }
    });
    let ctx = InboxCtx {
        me: StoredValue::new(me.clone()),
        extra,
        overlay,
        total_delta,
        rows,
        filter,
        first,
        more_cursor,
        thread_version: RwSignal::new(0),
        live: RwSignal::new("connecting"),
        started: StoredValue::new(false),
    };
    provide_context(ctx);
    // No shared list resources in context: each pane fetches its own, since
    // one resource read from two `<Suspense>` boundaries can stall a server
    // render (leptos#4851).

    let out = Action::new(|_: &()| logout());
    let pane = move || match (url.get().selected, url.get().details) {
        (Selected::None, _) => "list",
        (_, false) => "thread",
        (_, true) => "details",
    };
    // Only a change of selection re-creates the middle pane (not a filter change).
    let selected = Memo::new(move |_| url.get().selected);
    let is_admin = me.user.role == crate::users::model::Role::Admin;
    view! {
        <div class="app" data-pane=pane data-live=move || ctx.live.get()>
            <header class="topbar">
                <span class="brand">"Parley"</span>
                <span class="workspace">{me.workspace_name.clone()}</span>
                <span class="live-dot" title=move || format!("Live updates: {}", ctx.live.get())></span>
                <span class="spacer"></span>
                <crate::automations::notify::NotificationsBell/>
                <Show when=move || is_admin><A href="/settings">"Settings"</A></Show>
                <span class="me" title=me.user.email.clone()>{me.user.name.clone()}</span>
                <button class="link" on:click=move |_| { out.dispatch(()); }>"Sign out"</button>
                <Show when=move || matches!(out.value().get(), Some(Ok(())))><Redirect path="/login"/></Show>
            </header>
            <div class="panes">
                <list::ListPane/>
                <section class="pane thread-pane">
                    {move || match selected.get() {
                        Selected::None => view! { <div class="empty">"Select a conversation"</div> }.into_any(),
                        Selected::NewConversation => view! { <new::NewConversation/> }.into_any(),
                        Selected::Conversation(id) => view! { <thread::ThreadPane id/> }.into_any(),
                    }}
                </section>
            </div>
        </div>
    }
}

/// Applies a live event to what is on screen: the list row moves, appears
/// or disappears per the current filter; the open thread refetches.
pub fn apply_event(ctx: InboxCtx, url: &url::InboxUrl, ev: &LiveEvent) {
    let me = ctx.me.with_value(|m| m.user.id);
    let row = &ev.summary;
    let had = ctx.rows.with_untracked(|rows| rows.iter().any(|c| c.id == row.id));
    match (had, url.filter.matches(row, me)) {
        (false, true) => ctx.total_delta.update(|t| *t += 1),
        (true, false) => ctx.total_delta.update(|t| *t -= 1),
        _ => {}
    }
    ctx.overlay.update(|o| {
        o.retain(|c| c.id != row.id);
        o.push(row.clone());
    });
    if url.selected == Selected::Conversation(ev.conversation_id) {
        ctx.thread_version.update(|v| *v += 1);
    }
}
