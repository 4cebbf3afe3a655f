//! Saved views in the sidebar: open one (its filter, in the current
//! layout), save the current filter under a name, delete your own.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::url::use_inbox_url;
use super::InboxCtx;
use crate::saved_views::api::{delete_saved_view, save_view};
use crate::saved_views::model::SavedView;

/// The saved views and the "Save view" form.
#[component]
pub fn SavedViews() -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let url = use_inbox_url();
    let navigate = use_navigate();
    let open = move |v: &SavedView| {
        let u = url.get_untracked();
        navigate(&u.with_filter(v.filter.clone()).href(), Default::default());
    };
    let open = StoredValue::new_local(open);
    let remove = Action::new(|id: &crate::ids::SavedViewId| delete_saved_view(*id));
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            ctx.saved_views.refetch();
        }
    });
    let saved = ctx.saved_views;
    view! {
        <nav class="saved-views" aria-label="Saved views">
            <Transition fallback=|| ()>
                {move || saved.get().map(|r| match r {
                    Ok(views) => views.into_iter().map(|v| {
                        let active = {
                            let f = v.filter.clone();
                            move || url.get().filter == f
                        };
                        let id = v.id;
                        let title = if v.shared { format!("Shared by {}", v.owner_name) } else { "Only you see this view".into() };
                        let v2 = v.clone();
                        view! {
                            <span class="saved-view" class:shared=v.shared data-view-name=v.name.clone()>
                                <button type="button" class="view-tab" class:active=active title=title
                                    on:click=move |_| open.with_value(|o| o(&v2))>{v.name.clone()}{v.shared.then_some(" ·")}</button>
                                {v.can_delete.then(|| view! {
                                    <button type="button" class="link remove" aria-label=format!("Delete view {}", v.name)
                                        on:click=move |_| { remove.dispatch(id); }>"×"</button>
                                })}
                            </span>
                        }
                    }).collect_view().into_any(),
                    Err(e) => view! { <span class="error">{e.to_string()}</span> }.into_any(),
                })}
            </Transition>
            <SaveView/>
        </nav>
    }
}

/// "Save view": the current filter under a name, private or shared.
#[component]
fn SaveView() -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let name = RwSignal::new(String::new());
    let shared = RwSignal::new(false);
    let open = RwSignal::new(false);
    let save = Action::new(move |_: &()| {
        let (n, f, s) = (name.get_untracked(), ctx.filter.get_untracked(), shared.get_untracked());
        async move { save_view(n, f, s).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            ctx.saved_views.refetch();
            name.set(String::new());
            shared.set(false);
            open.set(false);
        }
    });
    let error = move || save.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <details class="save-view" prop:open=move || open.get() on:toggle=move |ev| {
            open.set(event_target::<leptos::web_sys::HtmlElement>(&ev).has_attribute("open"));
        }>
            <summary>"Save view"</summary>
            <form on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                <input name="view_name" aria-label="View name" placeholder="Name, e.g. Urgent billing" maxlength="60"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <label><input type="checkbox" name="view_shared" prop:checked=move || shared.get()
                    on:change=move |ev| shared.set(event_target_checked(&ev))/>" Share with the team"</label>
                <button type="submit" disabled=move || save.pending().get()>"Save"</button>
                {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </form>
        </details>
    }
}
