//! The views, search box and filters above the list. Each control
//! writes the URL; the list follows the URL, so a filter survives a
//! reload and a shared link.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::url::{parse_day, use_inbox_url};
use crate::conversations::model::{ListFilter, Priority, Sort, Status, View};
use crate::messages::model::ChannelKind;

/// Views, search and filters.
#[component]
pub fn FilterBar() -> impl IntoView {
    let url = use_inbox_url();
    // The page's resources (see `InboxCtx`), each read in one boundary.
    let ctx = expect_context::<super::InboxCtx>();
    let (inboxes, users) = (ctx.list_inboxes, ctx.filter_users);
    let navigate = use_navigate();
    let filter = Memo::new(move |_| url.get().filter);
    // Every control edits a copy of the filter and navigates to it.
    let set = move |edit: &dyn Fn(&mut ListFilter)| {
        let u = url.get_untracked();
        let mut f = u.filter.clone();
        edit(&mut f);
        navigate(&u.with_filter(f).href(), Default::default());
    };
    let set = StoredValue::new_local(set);
    let change = move |edit: fn(&mut ListFilter, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            set.with_value(|s| s(&|f| edit(f, v.clone())));
        }
    };
    let search_text = RwSignal::new(filter.get_untracked().q.unwrap_or_default());
    Effect::new(move |_| search_text.set(filter.get().q.unwrap_or_default()));
    let more_open = move || {
        let f = filter.get();
        f.channel.is_some()
            || f.priority.is_some()
            || f.label.is_some()
            || f.assignee_id.is_some()
            || f.unassigned
            || f.created_from.is_some()
            || f.created_to.is_some()
            || f.active_from.is_some()
            || f.active_to.is_some()
    };

    // Each select shows the URL's value as a property too: after a person
    // has picked an option, `selected` attributes no longer move it, and a
    // saved view or the back button must.
    view! {
        <nav class="views" aria-label="Views">
            {[View::AllOpen, View::Mine, View::Unassigned, View::MyUnread, View::All, View::Spam].into_iter().map(|v| view! {
                <button class="view-tab" data-view=v.as_str()
                    class:active=move || filter.get().view == v
                    on:click=move |_| set.with_value(|s| s(&|f| f.view = v))>{v.label()}</button>
            }).collect_view()}
        </nav>
        <super::saved::SavedViews/>
        <form class="search" role="search" on:submit=move |ev| {
            ev.prevent_default();
            let q = search_text.get_untracked();
            set.with_value(|s| s(&|f| f.q = Some(q.clone()).filter(|q| !q.trim().is_empty())));
        }>
            <input type="search" name="q" aria-label="Search conversations" placeholder="Search messages, subjects, people…"
                prop:value=move || search_text.get() on:input=move |ev| search_text.set(event_target_value(&ev))/>
            <button type="submit">"Search"</button>
            <Show when=move || filter.get().search().is_some()>
                <button type="button" class="link" on:click=move |_| set.with_value(|s| s(&|f| f.q = None))>"Clear"</button>
            </Show>
        </form>
        <div class="filters">
            <select aria-label="Inbox" name="inbox" prop:value=move || filter.get().inbox_id.map(|i| i.to_string()).unwrap_or_default() on:change=change(|f, v| f.inbox_id = v.parse().ok())>
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
            <select aria-label="Status" name="status" prop:value=move || filter.get().status.map_or("", |s| s.as_str()) on:change=change(|f, v| f.status = v.parse().ok())>
                <option value="" selected=move || filter.get().status.is_none()>"Any status"</option>
                {Status::ALL.iter().map(|s| {
                    let s = *s;
                    view! { <option value=s.as_str() selected=move || filter.get().status == Some(s)>{s.label()}</option> }
                }).collect_view()}
            </select>
            <select aria-label="Sort" name="sort" prop:value=move || filter.get().sort.as_str() on:change=change(|f, v| f.sort = v.parse().unwrap_or(Sort::Newest))>
                {Sort::ALL.iter().map(|s| {
                    let s = *s;
                    view! { <option value=s.as_str() selected=move || filter.get().sort == s>{s.label()}</option> }
                }).collect_view()}
            </select>
        </div>
        <details class="more-filters" open=more_open>
            <summary>"More filters"</summary>
            <div class="filters">
                <select aria-label="Assignee" name="assignee" prop:value=move || assignee_value(&filter.get()) on:change=change(|f, v| {
                    f.unassigned = v == "none";
                    f.assignee_id = v.parse().ok();
                })>
                    <option value="" selected=move || { let f = filter.get(); f.assignee_id.is_none() && !f.unassigned }>"Anyone"</option>
                    <option value="none" selected=move || filter.get().unassigned>"Unassigned"</option>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            users.await.unwrap_or_default().into_iter().map(|u| {
                                let id = u.id;
                                view! { <option value=id.to_string() selected=move || filter.get().assignee_id == Some(id)>{u.name}</option> }
                            }).collect_view()
                        })}
                    </Transition>
                </select>
                <select aria-label="Channel" name="channel" prop:value=move || filter.get().channel.map_or("", |c| c.as_str()) on:change=change(|f, v| f.channel = v.parse().ok())>
                    <option value="" selected=move || filter.get().channel.is_none()>"Any channel"</option>
                    {[ChannelKind::Email, ChannelKind::Sms, ChannelKind::Whatsapp, ChannelKind::Widget, ChannelKind::Api].into_iter().map(|k| view! {
                        <option value=k.as_str() selected=move || filter.get().channel == Some(k)>{k.label()}</option>
                    }).collect_view()}
                </select>
                <select aria-label="Priority" name="priority" prop:value=move || filter.get().priority.map_or("", |p| p.as_str()) on:change=change(|f, v| f.priority = v.parse().ok())>
                    <option value="" selected=move || filter.get().priority.is_none()>"Any priority"</option>
                    {Priority::ALL.iter().map(|p| {
                        let p = *p;
                        view! { <option value=p.as_str() selected=move || filter.get().priority == Some(p)>{p.label()}</option> }
                    }).collect_view()}
                </select>
                <input name="label" aria-label="Label" placeholder="Label" prop:value=move || filter.get().label.unwrap_or_default()
                    on:change=change(|f, v| f.label = Some(v.trim().to_string()).filter(|l| !l.is_empty()))/>
                <label>"Created from "<input type="date" name="created_from" prop:value=move || date_value(filter.get().created_from)
                    on:change=change(|f, v| f.created_from = parse_day(&v))/></label>
                <label>"to "<input type="date" name="created_to" prop:value=move || date_value(filter.get().created_to.map(|t| t.plus_secs(-86_400)))
                    on:change=change(|f, v| f.created_to = parse_day(&v).map(|t| t.plus_secs(86_400)))/></label>
                <label>"Active from "<input type="date" name="active_from" prop:value=move || date_value(filter.get().active_from)
                    on:change=change(|f, v| f.active_from = parse_day(&v))/></label>
                <label>"to "<input type="date" name="active_to" prop:value=move || date_value(filter.get().active_to.map(|t| t.plus_secs(-86_400)))
                    on:change=change(|f, v| f.active_to = parse_day(&v).map(|t| t.plus_secs(86_400)))/></label>
            </div>
        </details>
    }
}

/// The assignee select's value for a filter ("" anyone, "none", an id).
fn assignee_value(f: &ListFilter) -> String {
    match (f.assignee_id, f.unassigned) {
        (Some(a), _) => a.to_string(),
        (None, true) => "none".into(),
        (None, false) => String::new(),
    }
}

/// A date input's value; "to" dates show the last day included.
fn date_value(t: Option<crate::time::Timestamp>) -> String {
    t.map(|t| t.date_string()).unwrap_or_default()
}
