//! The list view: the list's conversations as a table with the user's
//! columns, sortable headers, row selection (click, shift-click ranges,
//! every match) and a bulk bar. Same filter, rows, paging and live updates
//! as the inbox list (see [`InboxCtx`]).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::columns::{duration, from_keys, Column, ColumnChooser};
use super::url::{use_inbox_url, Layout, Selected};
use super::InboxCtx;
use crate::conversations::api::{bulk_update_conversations, save_list_columns};
use crate::conversations::model::{
    count_label, BulkTarget, ConversationPatch, ConversationSummary, ListFilter, Priority, Status, BULK_MAX,
};
use crate::ids::{ConversationId, InboxId, UserId};
use crate::time::Timestamp;

/// Which rows are picked: some by id, or every row the filter matches.
#[derive(Clone, Copy)]
struct Selection {
    ids: RwSignal<Vec<ConversationId>>,
    all_matching: RwSignal<bool>,
    /// Where the last plain click was: a shift-click selects from there.
    anchor: StoredValue<Option<ConversationId>>,
}

impl Selection {
    fn has(&self, id: ConversationId) -> bool {
        self.all_matching.get() || self.ids.with(|s| s.contains(&id))
    }

    fn clear(&self) {
        self.ids.set(vec![]);
        self.all_matching.set(false);
    }

    /// A click on a row's box: toggles it; with shift, selects the rows
    /// between the last clicked one and this.
    fn click(&self, rows: &[ConversationSummary], id: ConversationId, shift: bool) {
        self.all_matching.set(false);
        let at = |x: ConversationId| rows.iter().position(|c| c.id == x);
        match (shift, self.anchor.get_value().and_then(at), at(id)) {
            (true, Some(a), Some(b)) => {
                let (lo, hi) = (a.min(b), a.max(b));
                self.ids.update(|s| {
                    for r in &rows[lo..=hi] {
                        if !s.contains(&r.id) {
                            s.push(r.id);
                        }
                    }
                });
            }
            _ => {
                self.ids.update(|s| match s.iter().position(|x| *x == id) {
                    Some(p) => {
                        s.remove(p);
                    }
                    None => s.push(id),
                });
            }
        }
        self.anchor.set_value(Some(id));
    }
}

/// The table layout. `saved_columns`: the user's remembered columns.
#[component]
pub fn TableView(saved_columns: Option<Vec<String>>) -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let url = use_inbox_url();
    let columns = RwSignal::new(from_keys(saved_columns.as_deref()));
    let remember = Callback::new(move |cols: Vec<Column>| {
        columns.set(cols.clone());
        let keys = cols.iter().map(|c| c.as_str().to_string()).collect();
        leptos::task::spawn_local(async move {
            let _ = save_list_columns(keys).await;
        });
    });
    let sel =
        Selection { ids: RwSignal::new(vec![]), all_matching: RwSignal::new(false), anchor: StoredValue::new(None) };
    // A new filter is a new selection.
    Effect::new(move |prev: Option<()>| {
        ctx.filter.track();
        if prev.is_some() {
            sel.clear();
        }
    });
    let navigate = use_navigate();
    let sort_by = move |col: Column| {
        let Some((first, second)) = col.sorts() else { return };
        let u = url.get_untracked();
        let sort = if u.filter.sort == first { second } else { first };
        navigate(&u.with_filter(ListFilter { sort, ..u.filter.clone() }).href(), Default::default());
    };
    let sort_by = StoredValue::new_local(sort_by);

    view! {
        <section class="table-view" data-testid="table-view">
            // One boundary for everything that reads the first page (the
            // count, the rows, "more"), as in the inbox list.
            <Transition fallback=|| view! { <p class="muted pad">"Loading…"</p> }>
                <BulkBar sel columns remember/>
                <div class="table-scroll" on:scroll=move |ev| {
                    let el = event_target::<leptos::web_sys::HtmlElement>(&ev);
                    if el.scroll_top() + el.client_height() >= el.scroll_height() - 200 {
                        ctx.load_more();
                    }
                }>
                    <table class="conv-table">
                        <thead>
                            <tr>
                                <th class="pick">
                                    <input type="checkbox" name="select_page" aria-label="Select every row shown"
                                        prop:checked=move || !ctx.rows.with(Vec::is_empty) && ctx.rows.with(|r| r.iter().all(|c| sel.has(c.id)))
                                        on:change=move |ev| {
                                            sel.all_matching.set(false);
                                            if event_target_checked(&ev) {
                                                sel.ids.set(ctx.rows.get_untracked().iter().map(|c| c.id).collect());
                                            } else {
                                                sel.ids.set(vec![]);
                                            }
                                        }/>
                                </th>
                                {move || columns.get().into_iter().map(|col| view! {
                                    <th data-col=col.as_str() class:sortable=col.sorts().is_some()>
                                        {match col.sorts() {
                                            Some(_) => view! {
                                                <button type="button" class="link th-sort" on:click=move |_| sort_by.with_value(|s| s(col))>
                                                    {col.label()}{move || col.arrow(url.get().filter.sort)}
                                                </button>
                                            }.into_any(),
                                            None => view! { <span>{col.label()}</span> }.into_any(),
                                        }}
                                    </th>
                                }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {move || ctx.first.get().and_then(Result::err).map(|e| view! {
                                <tr><td class="error" colspan="11">{e.to_string()}</td></tr>
                            })}
                            <For each=move || ctx.rows.get()
                                key=|c| (c.id, c.last_activity_at, c.status, c.assignee_id, c.unread, c.priority, c.inbox_id, c.first_response_at)
                                let:c>
                                <TableRow c columns sel/>
                            </For>
                        </tbody>
                    </table>
                    <Show when=move || ctx.rows.with(Vec::is_empty)>
                        <p class="muted pad">"Nothing here."</p>
                    </Show>
                    <Show when=move || ctx.next_cursor().is_some()>
                        <p class="more"><button type="button" class="link" on:click=move |_| ctx.load_more()>"Load more"</button></p>
                    </Show>
                </div>
            </Transition>
        </section>
    }
}

#[component]
fn TableRow(c: ConversationSummary, columns: RwSignal<Vec<Column>>, sel: Selection) -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let id = c.id;
    let (status, unread) = (c.status, c.unread);
    let now = Timestamp::now();
    view! {
        <tr class="conv-row" data-id=id.to_string() data-status=status.as_str() class:unread=unread class:picked=move || sel.has(id)>
            <td class="pick">
                <input type="checkbox" aria-label=format!("Select conversation {id}") prop:checked=move || sel.has(id)
                    on:click=move |ev| ctx.rows.with_untracked(|rows| sel.click(rows, id, ev.shift_key()))/>
            </td>
            {move || columns.get().into_iter().map(|col| cell(col, &c, now)).collect_view()}
        </tr>
    }
}

fn cell(col: Column, c: &ConversationSummary, now: Timestamp) -> AnyView {
    let url = use_inbox_url();
    let id = c.id;
    let key = col.as_str();
    match col {
        Column::Contact => view! { <td data-col=key>{c.contact_name.clone()}</td> }.into_any(),
        Column::Subject => {
            let text = if c.subject.is_empty() { c.preview.clone() } else { c.subject.clone() };
            let href = move || url.get().with_layout(Layout::Inbox).with_selected(Selected::Conversation(id)).href();
            view! { <td data-col=key><A href=href>{text}</A></td> }.into_any()
        }
        Column::Inbox => view! { <td data-col=key>{c.inbox_name.clone()}</td> }.into_any(),
        Column::Channel => view! {
            <td data-col=key><span class=format!("channel ch-{}", c.channel_kind.as_str())>{c.channel_kind.icon()}</span>" "{c.channel_kind.label()}</td>
        }
        .into_any(),
        Column::Status => view! {
            <td data-col=key><span class=format!("status status-{}", c.status.as_str())>{c.status.label()}</span></td>
        }
        .into_any(),
        Column::Priority => view! {
            <td data-col=key><span class=format!("prio prio-{}", c.priority.as_str())>{c.priority.label()}</span></td>
        }
        .into_any(),
        Column::Assignee => view! { <td data-col=key>{c.assignee_name.clone().unwrap_or_else(|| "—".into())}</td> }.into_any(),
        Column::LastActivity => view! {
            <td data-col=key><time title=c.last_activity_at.to_rfc3339()>{c.last_activity_at.short_age(now)}</time></td>
        }
        .into_any(),
        Column::Created => view! { <td data-col=key>{c.created_at.date_string()}</td> }.into_any(),
        Column::FirstResponse => {
            let t = c.first_response_at.map(|f| duration(f.0 - c.created_at.0)).unwrap_or_else(|| "—".into());
            view! { <td data-col=key>{t}</td> }.into_any()
        }
    }
}

/// The bar above the table: the count, what is selected, the bulk
/// actions, the column chooser.
#[component]
fn BulkBar(sel: Selection, columns: RwSignal<Vec<Column>>, remember: Callback<Vec<Column>>) -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let apply = Action::new(move |p: &ConversationPatch| {
        let target = if sel.all_matching.get_untracked() {
            BulkTarget::Matching(ctx.filter.get_untracked())
        } else {
            BulkTarget::Ids(sel.ids.get_untracked())
        };
        let p = p.clone();
        async move { bulk_update_conversations(target, p).await }
    });
    Effect::new(move |_| {
        if let Some(r) = apply.value().get() {
            outcome.set(Some(r.map(|o| o.describe()).map_err(|e| e.to_string())));
            sel.clear();
        }
    });
    let total = move || ctx.total().unwrap_or(0);
    let picked =
        move || if sel.all_matching.get() { total().min(BULK_MAX as i64) } else { sel.ids.with(Vec::len) as i64 };
    let any_picked = move || picked() > 0;
    let more_to_pick = move || !sel.all_matching.get() && total() > sel.ids.with(Vec::len) as i64;
    let dispatch = move |p: ConversationPatch| {
        apply.dispatch(p);
    };
    view! {
        <div class="bulk-bar" class:active=any_picked>
            <span class="count" data-testid="count">{move || count_label(total())}</span>
            <Show when=move || ctx.first.get().and_then(Result::ok).is_some_and(|p| p.newest_only)>
                <span class="notice" data-testid="newest-only">{super::list::newest_only_notice()}</span>
            </Show>
            <Show when=any_picked>
                <span class="selected-count" data-testid="selected-count">{move || format!("{} selected", picked())}</span>
                <Show when=more_to_pick>
                    <button type="button" class="link" on:click=move |_| sel.all_matching.set(true)>
                        {move || format!("Select all {} matching", total().min(BULK_MAX as i64))}
                    </button>
                </Show>
                <select name="bulk_assign" aria-label="Assign selected" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if !v.is_empty() {
                        let assignee = if v == "none" { None } else { v.parse::<i64>().ok().map(UserId) };
                        dispatch(ConversationPatch { assignee_id: Some(assignee), ..Default::default() });
                    }
                }>
                    <option value="">"Assign…"</option>
                    <option value="none">"Unassign"</option>
                    // Selection exists only in the browser, so this never
                    // renders on the server: reading the filters' resource
                    // here adds no server boundary.
                    {move || ctx.filter_users.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|u| view! {
                        <option value=u.id.to_string()>{u.name}</option>
                    }).collect_view()}
                </select>
                <select name="bulk_status" aria-label="Set status of selected" on:change=move |ev| {
                    if let Ok(s) = event_target_value(&ev).parse::<Status>() {
                        dispatch(ConversationPatch { status: Some(s), ..Default::default() });
                    }
                }>
                    <option value="">"Status…"</option>
                    {[Status::Open, Status::Pending, Status::Resolved, Status::Closed].into_iter().map(|s| view! {
                        <option value=s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
                <select name="bulk_priority" aria-label="Set priority of selected" on:change=move |ev| {
                    if let Ok(p) = event_target_value(&ev).parse::<Priority>() {
                        dispatch(ConversationPatch { priority: Some(p), ..Default::default() });
                    }
                }>
                    <option value="">"Priority…"</option>
                    {Priority::ALL.iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                </select>
                <select name="bulk_move" aria-label="Move selected to inbox" on:change=move |ev| {
                    if let Ok(i) = event_target_value(&ev).parse::<i64>() {
                        dispatch(ConversationPatch { inbox_id: Some(InboxId(i)), ..Default::default() });
                    }
                }>
                    <option value="">"Move to…"</option>
                    {move || ctx.list_inboxes.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|i| view! {
                        <option value=i.id.to_string()>{i.name}</option>
                    }).collect_view()}
                </select>
                <button type="button" on:click=move |_| dispatch(ConversationPatch { spam: Some(true), ..Default::default() })>"Mark spam"</button>
                <button type="button" on:click=move |_| dispatch(ConversationPatch { status: Some(Status::Closed), ..Default::default() })>"Close"</button>
                <button type="button" class="link" on:click=move |_| sel.clear()>"Clear selection"</button>
            </Show>
            <span class="spacer"></span>
            <ColumnChooser columns remember/>
        </div>
        {move || outcome.get().map(|o| match o {
            Ok(text) => view! { <p class="bulk-outcome" role="status">{text}</p> }.into_any(),
            Err(text) => view! { <p class="bulk-outcome error" role="alert">{text}</p> }.into_any(),
        })}
    }
}
