//! The inbox view: list, thread and details side by side on a desktop,
//! one at a time on a phone.

mod cards;
mod columns;
mod composer;
mod details;
mod filters;
mod list;
mod new;
mod saved;
mod table;
mod thread;
mod url;

use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

use crate::automations::notify::{list_notifications, Notification};
use crate::contacts::model::Contact;
use crate::conversations::api::{
    get_conversation, list_conversations, list_inboxes, search_contacts, ConversationDetail,
};
use crate::conversations::board::{list_board, LanePage};
use crate::conversations::model::{ConversationPage, ConversationSummary, ListFilter};
use crate::error::AppError;
use crate::ids::UserId;
use crate::inboxes::model::Inbox;
use crate::live::model::LiveEvent;
use crate::saved_views::api::list_saved_views;
use crate::saved_views::model::SavedView;
use crate::users::api::{list_users, logout, SignedIn};
use crate::users::model::User;
use url::{use_inbox_url, Layout, Selected};

/// What the panes share: who is signed in, the page's resources, the list
/// on screen, the thread refresh counter and the live connection's state.
///
/// Every resource of the page is created once, in [`InboxPage`], outside
/// any view closure, and the panes only read them. Leptos' server render
/// walks the view tree again (`dry_resolve`) each time a boundary's loads
/// finish, re-running every closure below it; a resource created in one is
/// created anew on each walk, which starts another load and another walk.
/// Pages rendered 6 000 resources and took seconds before this rule.
#[derive(Clone, Copy)]
pub struct InboxCtx {
    /// Who is signed in (`None`: nobody; the page redirects to the login).
    pub me: Resource<Result<Option<SignedIn>, AppError>>,
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
    /// The inboxes and people the list's filters offer.
    pub list_inboxes: Resource<Result<Vec<Inbox>, AppError>>,
    pub filter_users: Resource<Result<Vec<User>, AppError>>,
    /// The open conversation (`None` when none is open), refetched when
    /// `thread_version` moves.
    pub thread: Resource<Option<Result<ConversationDetail, AppError>>>,
    /// The inboxes the middle pane's pickers offer (thread header, new
    /// conversation form: never on screen together, so one boundary each time).
    pub pane_inboxes: Resource<Vec<Inbox>>,
    /// What the new-conversation form's contact search has typed, and the
    /// contacts it matches.
    pub contact_query: RwSignal<String>,
    pub contact_matches: Resource<Result<Vec<Contact>, AppError>>,
    /// The signed-in user's notifications (the top bar's bell).
    pub notifications: Resource<Result<Vec<Notification>, AppError>>,
    /// The sidebar's saved views (the user's and the team's).
    pub saved_views: Resource<Result<Vec<SavedView>, AppError>>,
    /// The card view's lanes with their first cards (empty in the other
    /// layouts, which load nothing for it).
    pub board: Resource<Result<Vec<LanePage>, AppError>>,
    /// The cursor after the last loaded page, once "more" was loaded.
    pub more_cursor: RwSignal<Option<Option<String>>>,
    /// A later page is on its way.
    pub loading_more: RwSignal<bool>,
    /// Bumped when the open conversation changes elsewhere: the thread refetches.
    pub thread_version: RwSignal<u32>,
    /// `connecting` / `live` / `offline`, shown in the header.
    pub live: RwSignal<&'static str>,
    /// The last event id seen, so a reconnect catches up from there.
    pub started: StoredValue<bool>,
}

impl InboxCtx {
    /// The signed-in user's id (0, nobody's, before it is known). Read
    /// untracked: it never changes on a page, and the list's rows must not
    /// subscribe to the header's resource.
    pub fn me_id(&self) -> UserId {
        self.me.get_untracked().and_then(Result::ok).flatten().map_or(UserId(0), |m| m.user.id)
    }

    /// How many conversations the list holds (the first page's count, moved
    /// by live changes); `None` until it has loaded.
    pub fn total(&self) -> Option<i64> {
        let t = self.first.get().and_then(Result::ok).and_then(|p| p.total)?;
        Some(t + self.total_delta.get())
    }

    /// The cursor of the next page, if there is one.
    pub fn next_cursor(&self) -> Option<String> {
        match self.more_cursor.get() {
            Some(c) => c,
            None => self.first.get().and_then(Result::ok).and_then(|p| p.next_cursor),
        }
    }

    /// Loads the next page of the list (a scroll near the end, "Load more").
    pub fn load_more(self) {
        let Some(cursor) = self.next_cursor_untracked() else { return };
        if self.loading_more.get_untracked() {
            return;
        }
        self.loading_more.set(true);
        let f = self.filter.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(page) = list_conversations(f, Some(cursor)).await {
                self.extra.update(|items| items.extend(page.items));
                self.more_cursor.set(Some(page.next_cursor));
            }
            self.loading_more.set(false);
        });
    }

    fn next_cursor_untracked(&self) -> Option<String> {
        untrack(|| self.next_cursor())
    }

    /// Creates the page's state and every resource it loads.
    fn new(url: Memo<url::InboxUrl>) -> Self {
        let me = Resource::new(|| (), |_| crate::users::api::me());
        let filter = Memo::new(move |_| url.get().filter);
        let first = Resource::new(move || filter.get(), |f| list_conversations(f, None));
        let thread_version = RwSignal::new(0u32);
        let selected = Memo::new(move |_| url.get().selected);
        let thread = Resource::new(
            move || (selected.get(), thread_version.get()),
            |(sel, _)| async move {
                match sel {
                    Selected::Conversation(id) => Some(get_conversation(id).await),
                    _ => None,
                }
            },
        );
        let contact_query = RwSignal::new(String::new());
        let contact_matches = Resource::new(
            move || contact_query.get(),
            |q| async move {
                if q.trim().len() < 2 {
                    Ok(vec![])
                } else {
                    search_contacts(q).await
                }
            },
        );
        // The board loads only in the card layout, and again when its
        // filter or grouping changes.
        let board_key = Memo::new(move |_| {
            let u = url.get();
            (u.layout == Layout::Cards).then_some((u.filter, u.group))
        });
        let board = Resource::new(
            move || board_key.get(),
            |k| async move {
                match k {
                    Some((f, g)) => list_board(f, g).await,
                    None => Ok(vec![]),
                }
            },
        );
        let extra = RwSignal::new(vec![]);
        let overlay = RwSignal::new(vec![]);
        let mut ctx = Self {
            me,
            extra,
            overlay,
            total_delta: RwSignal::new(0),
            rows: Signal::derive(Vec::new),
            filter,
            first,
            list_inboxes: Resource::new(|| (), |_| list_inboxes()),
            filter_users: Resource::new(|| (), |_| list_users()),
            thread,
            pane_inboxes: Resource::new(|| (), |_| async { list_inboxes().await.unwrap_or_default() }),
            contact_query,
            contact_matches,
            notifications: Resource::new(|| (), |_| list_notifications()),
            saved_views: Resource::new(|| (), |_| list_saved_views()),
            board,
            more_cursor: RwSignal::new(None),
            loading_more: RwSignal::new(false),
            thread_version,
            live: RwSignal::new("connecting"),
            started: StoredValue::new(false),
        };
        let me_id = move || ctx.me_id();
        ctx.rows = Signal::derive(move || {
            let page = first.get().and_then(Result::ok).map(|p| p.items).unwrap_or_default();
            let more = extra.get();
            overlay.with(|o| filter.get().merge(page.into_iter().chain(more), o, me_id()))
        });
        ctx
    }
}

/// `/inbox`: signed-in users only.
#[component]
pub fn InboxPage() -> impl IntoView {
    let url = use_inbox_url();
    let ctx = InboxCtx::new(url);
    provide_context(ctx);
    // A new filter starts from its own first page.
    Effect::new(move |prev: Option<()>| {
        ctx.filter.track();
        if prev.is_some() {
            ctx.extra.set(vec![]);
            ctx.overlay.set(vec![]);
            ctx.total_delta.set(0);
            ctx.more_cursor.set(None);
        }
    });
    let me_res = ctx.me;
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

/// The signed-in page. Creates no resource (see [`InboxCtx`]).
#[component]
fn Inbox(me: SignedIn) -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let url = use_inbox_url();
    let out = Action::new(|_: &()| logout());
    let pane = move || match (url.get().selected, url.get().details) {
        (Selected::None, _) => "list",
        (_, false) => "thread",
        (_, true) => "details",
    };
    // Only a change of selection re-creates the middle pane (not a filter change).
    let selected = Memo::new(move |_| url.get().selected);
    let layout = Memo::new(move |_| url.get().layout);
    let is_admin = me.user.role == crate::users::model::Role::Admin;
    // Open the live stream once, from the first page's event cursor
    // (browser only: effects do not run on the server), in every layout.
    Effect::new(move |_| {
        if let Some(Ok(p)) = ctx.first.get() {
            start_live(ctx, url, p.event_cursor);
        }
    });
    let saved_columns = me.list_columns.clone();
    view! {
        <div class="app" data-pane=pane data-layout=move || layout.get().as_str() data-live=move || ctx.live.get()>
            <header class="topbar">
                <span class="brand">"Parley"</span>
                <span class="workspace">{me.workspace_name.clone()}</span>
                <span class="live-dot" title=move || format!("Live updates: {}", ctx.live.get())></span>
                <LayoutSwitcher/>
                <span class="spacer"></span>
                <crate::automations::notify::NotificationsBell items=ctx.notifications/>
                <Show when=move || is_admin><A href="/settings">"Settings"</A></Show>
                <span class="me" title=me.user.email.clone()>{me.user.name.clone()}</span>
                <button class="link" on:click=move |_| { out.dispatch(()); }>"Sign out"</button>
                <Show when=move || matches!(out.value().get(), Some(Ok(())))><Redirect path="/login"/></Show>
            </header>
            {move || match layout.get() {
                Layout::Inbox => view! {
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
                }.into_any(),
                Layout::List => view! {
                    <div class="manager">
                        <aside class="manager-filters"><filters::FilterBar/></aside>
                        <table::TableView saved_columns=saved_columns.clone()/>
                    </div>
                }.into_any(),
                Layout::Cards => view! {
                    <div class="manager">
                        <aside class="manager-filters"><filters::FilterBar/></aside>
                        <cards::CardBoard/>
                    </div>
                }.into_any(),
            }}
        </div>
    }
}

/// Inbox / List / Cards: the same conversations, filter, sort and search,
/// laid out three ways.
#[component]
fn LayoutSwitcher() -> impl IntoView {
    let url = use_inbox_url();
    view! {
        <nav class="layouts" aria-label="Layout">
            {Layout::ALL.iter().map(|l| {
                let l = *l;
                view! {
                    <A href=move || url.get().with_layout(l).href() attr:class="layout-tab" attr:data-layout=l.as_str()
                        attr:aria-current=move || (url.get().layout == l).then_some("page")>{l.label()}</A>
                }
            }).collect_view()}
        </nav>
    }
}

/// Opens the live stream once, from the first page's event cursor.
fn start_live(ctx: InboxCtx, url: Memo<url::InboxUrl>, after: i64) {
    if ctx.started.get_value() {
        return;
    }
    ctx.started.set_value(true);
    crate::live::connect(after, ctx.live, move |ev| apply_event(ctx, &url.get_untracked(), &ev));
}

/// Applies a live event to what is on screen: the list row moves, appears
/// or disappears per the current filter; the open thread refetches.
pub fn apply_event(ctx: InboxCtx, url: &url::InboxUrl, ev: &LiveEvent) {
    let me = ctx.me_id();
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
