//! The inbox view: list, thread and details side by side on a desktop,
//! one at a time on a phone.

mod details;
mod list;
mod new;
mod thread;
mod url;

use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

use crate::conversations::api::list_inboxes;
use crate::conversations::model::ConversationSummary;
use crate::live::model::LiveEvent;
use crate::users::api::{list_users, logout, me, SignedIn};
use url::{use_inbox_url, Selected};

/// What the panes share: who is signed in, the list on screen, the thread
/// refresh counter and the live connection's state.
#[derive(Clone, Copy)]
pub struct InboxCtx {
    pub me: StoredValue<SignedIn>,
    pub items: RwSignal<Vec<ConversationSummary>>,
    pub total: RwSignal<i64>,
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
    let ctx = InboxCtx {
        me: StoredValue::new(me.clone()),
        items: RwSignal::new(vec![]),
        total: RwSignal::new(0),
        thread_version: RwSignal::new(0),
        live: RwSignal::new("connecting"),
        started: StoredValue::new(false),
    };
    provide_context(ctx);
    let inboxes = Resource::new(|| (), |_| list_inboxes());
    let users = Resource::new(|| (), |_| list_users());
    provide_context(inboxes);
    provide_context(users);

    let out = Action::new(|_: &()| logout());
    let pane = move || match (url.get().selected, url.get().details) {
        (Selected::None, _) => "list",
        (_, false) => "thread",
        (_, true) => "details",
    };
    let is_admin = me.user.role == crate::users::model::Role::Admin;
    view! {
        <div class="app" data-pane=pane data-live=move || ctx.live.get()>
            <header class="topbar">
                <span class="brand">"Parley"</span>
                <span class="workspace">{me.workspace_name.clone()}</span>
                <span class="live-dot" title=move || format!("Live updates: {}", ctx.live.get())></span>
                <span class="spacer"></span>
                <Show when=move || is_admin><A href="/settings">"Settings"</A></Show>
                <span class="me" title=me.user.email.clone()>{me.user.name.clone()}</span>
                <button class="link" on:click=move |_| { out.dispatch(()); }>"Sign out"</button>
                <Show when=move || matches!(out.value().get(), Some(Ok(())))><Redirect path="/login"/></Show>
            </header>
            <div class="panes">
                <list::ListPane/>
                <section class="pane thread-pane">
                    {move || match url.get().selected {
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
    let f = &url.filter;
    let row = &ev.summary;
    ctx.items.update(|items| {
        let had = items.iter().position(|c| c.id == row.id);
        if let Some(i) = had {
            items.remove(i);
        }
        let wants = f.matches(row, me);
        match (had.is_some(), wants) {
            (false, true) => ctx.total.update(|t| *t += 1),
            (true, false) => ctx.total.update(|t| *t -= 1),
            _ => {}
        }
        if wants {
            let at = items.iter().position(|c| f.before(row, c)).unwrap_or(items.len());
            items.insert(at, row.clone());
        }
    });
    if url.selected == Selected::Conversation(ev.conversation_id) {
        ctx.thread_version.update(|v| *v += 1);
    }
}
