//! The login page and Settings (members).

use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

use crate::error::AppError;
use crate::users::api::{create_api_key, create_user, login};
use crate::users::model::{NewUser, Role};

/// Email and password; on success, the inbox. The inputs are uncontrolled
/// (read at submit), so what someone types before the page's script has
/// loaded is kept, not reset by hydration. The form posts (never GET) so
/// an early submit cannot put the password in a URL.
#[component]
pub fn LoginPage() -> impl IntoView {
    let email = NodeRef::<leptos::html::Input>::new();
    let password = NodeRef::<leptos::html::Input>::new();
    let act = Action::new(move |(e, p): &(String, String)| login(e.clone(), p.clone()));
    let error = move || match act.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    let done = move || matches!(act.value().get(), Some(Ok(_)));
    // Effects run only in the browser, after hydration: `data-ready` tells
    // tests (and styles) the form is live.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <main class="login">
            <form class="login-card" method="post" data-ready=move || ready.get().to_string() on:submit=move |ev| {
                ev.prevent_default();
                let value = |r: NodeRef<leptos::html::Input>| r.get().map(|i| i.value()).unwrap_or_default();
                act.dispatch((value(email), value(password)));
            }>
                <h1>"Parley"</h1>
                <p class="muted">"Sign in to your team inbox"</p>
                <label>"Email"
                    <input type="email" name="email" autocomplete="username" required node_ref=email/>
                </label>
                <label>"Password"
                    <input type="password" name="password" autocomplete="current-password" required node_ref=password/>
                </label>
                <Show when=move || error().is_some()>
                    <p class="error" role="alert">{error}</p>
                </Show>
                <button type="submit" class="primary" disabled=move || act.pending().get()>"Sign in"</button>
            </form>
            <Show when=done>
                <Redirect path="/inbox"/>
            </Show>
        </main>
    }
}

/// Settings: who is on the team, and adding agents (admins only).
#[component]
pub fn SettingsPage() -> impl IntoView {
    let data = crate::settings::SettingsCtx::provide();
    let (me_res, users) = (data.me, data.users.items);
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Agent);
    let add = Action::new(move |u: &NewUser| create_user(u.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            name.set(String::new());
            email.set(String::new());
            password.set(String::new());
            data.users.reload();
        }
    });
    let add_error = move || match add.value().get() {
        Some(Err(AppError::Validation { field, message })) => Some(format!("{field}: {message}")),
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <main class="settings">
            <header class="settings-head">
                <A href="/inbox">"← Inbox"</A>
                <h1>"Settings · Team"</h1>
            </header>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match me_res.await {
                        Ok(Some(me)) => {
                            let is_admin = me.user.role == Role::Admin;
                            view! {
                                <section>
                                    <h2>"Members"</h2>
                                    <table class="members">
                                        <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Availability"</th></tr></thead>
                                        <tbody>
                                            <Transition fallback=|| ()>
                                                {move || Suspend::new(async move {
                                                    users.await.unwrap_or_default().into_iter().map(|u| view! {
                                                        <tr><td>{u.name}</td><td>{u.email}</td><td>{u.role.label()}</td><td>{u.availability.label()}</td></tr>
                                                    }).collect_view()
                                                })}
                                            </Transition>
                                        </tbody>
                                    </table>
                                </section>
                                <crate::inboxes::view::MyAvailability/>
                                <crate::channels::view::Signature/>
                                <crate::templates::view::TemplatesSettings is_admin/>
                                <Show when=move || is_admin fallback=|| view! { <p class="muted">"Only admins can add members."</p> }>
                                    <section>
                                        <h2>"Add a member"</h2>
                                        <form class="add-member" on:submit=move |ev| {
                                            ev.prevent_default();
                                            add.dispatch(NewUser {
                                                name: name.get_untracked(),
                                                email: email.get_untracked(),
                                                password: password.get_untracked(),
                                                role: role.get_untracked(),
                                            });
                                        }>
                                            <label>"Name"<input name="name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/></label>
                                            <label>"Email"<input name="email" type="email" prop:value=email on:input=move |ev| email.set(event_target_value(&ev))/></label>
                                            <label>"Password"<input name="password" type="password" prop:value=password on:input=move |ev| password.set(event_target_value(&ev))/></label>
                                            <label>"Role"
                                                <select name="role" on:change=move |ev| role.set(event_target_value(&ev).parse().unwrap_or(Role::Agent))>
                                                    <option value="agent">"Agent"</option>
                                                    <option value="admin">"Admin"</option>
                                                </select>
                                            </label>
                                            <Show when=move || add_error().is_some()>
                                                <p class="error" role="alert">{add_error}</p>
                                            </Show>
                                            <button type="submit" class="primary">"Add member"</button>
                                        </form>
                                    </section>
                                    <ApiKeys/>
                                    <crate::inboxes::view::InboxAssignment/>
                                    <crate::routing::view::RoutingSettings/>
                                    <crate::automations::view::AutomationsSettings/>
                                    <crate::channels::view::ChannelsSettings/>
                                </Show>
                            }.into_any()
                        }
                        Ok(None) => view! { <Redirect path="/login"/> }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// Settings → API keys: the list, and a form that shows a new key once.
#[component]
fn ApiKeys() -> impl IntoView {
    let data = crate::settings::use_settings().api_keys;
    let keys = data.items;
    let name = RwSignal::new(String::new());
    let create = Action::new(|n: &String| create_api_key(n.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            name.set(String::new());
            data.reload();
        }
    });
    view! {
        <section class="api-keys">
            <h2>"API keys"</h2>
            <p class="muted">"Integrations call the REST API under /api/v1 with the header X-API-Key. A key acts as the admin who created it."</p>
            <table class="members">
                <thead><tr><th>"Name"</th><th>"Key"</th><th>"Acts as"</th><th>"Created"</th></tr></thead>
                <tbody>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            keys.await.unwrap_or_default().into_iter().map(|k| view! {
                                <tr><td>{k.name}</td><td><code>{k.prefix}"…"</code></td><td>{k.user_name}</td><td>{k.created_at.date_string()}</td></tr>
                            }).collect_view()
                        })}
                    </Transition>
                </tbody>
            </table>
            <form class="add-key" on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(name.get_untracked());
            }>
                <label>"Key name"<input name="key_name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/></label>
                <button type="submit">"Create key"</button>
            </form>
            {move || match create.value().get() {
                Some(Ok(key)) => Some(view! {
                    <p class="new-key" role="status">"Copy this key now; it is not shown again: "<code>{key}</code></p>
                }.into_any()),
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any()),
                None => None,
            }}
        </section>
    }
}
