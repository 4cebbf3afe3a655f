//! Settings → Inboxes (admins): each inbox's assignment rule. And every
//! agent's own availability, which round robin and least busy respect.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::ids::InboxId;
use crate::inboxes::model::{AssignmentRules, AssignmentType, Inbox};
use crate::users::model::Availability;

/// Sets an inbox's assignment rule (admins).
#[server(input = Json)]
pub async fn set_assignment(inbox: InboxId, rules: AssignmentRules) -> Result<Inbox, AppError> {
    let (state, who) = crate::users::session::require().await?;
    let input = crate::inboxes::model::InboxInput { assignment_rules: Some(rules), ..Default::default() };
    crate::inboxes::server::update(&state.db, &who, inbox, &input).await
}

/// Sets the signed-in agent's availability.
#[server(input = Json)]
pub async fn set_my_availability(availability: Availability) -> Result<(), AppError> {
    let (state, who) = crate::users::session::require().await?;
    let patch = crate::users::model::UserPatch { availability: Some(availability), ..Default::default() };
    crate::users::server::patch_user(&state.db, who.workspace_id, who.id, &patch).await?;
    Ok(())
}

/// Settings → Inboxes: how each inbox assigns new conversations.
#[component]
pub fn InboxAssignment() -> impl IntoView {
    let inboxes = Resource::new(|| (), |_| crate::conversations::api::list_inboxes());
    view! {
        <section class="inbox-assignment">
            <h2>"Inboxes"</h2>
            <p class="muted">"How new conversations are assigned. Round robin takes turns; least busy picks whoever has the fewest open conversations. Agents who set themselves away or offline are skipped when “only available” is on."</p>
            <table class="members">
                <thead><tr><th>"Inbox"</th><th>"Assignment"</th><th>"Only available"</th><th></th></tr></thead>
                <tbody>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            inboxes.await.unwrap_or_default().into_iter().map(|i| view! { <InboxRule inbox=i/> }).collect_view()
                        })}
                    </Transition>
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn InboxRule(inbox: Inbox) -> impl IntoView {
    let kind = RwSignal::new(inbox.assignment_rules.kind);
    let only = RwSignal::new(inbox.assignment_rules.only_available);
    let fallback = inbox.assignment_rules.fallback_user_id;
    let id = inbox.id;
    let save = Action::new(move |r: &AssignmentRules| set_assignment(id, r.clone()));
    view! {
        <tr data-inbox=inbox.id.to_string()>
            <td>{inbox.name.clone()}</td>
            <td>
                <select name="assignment" on:change=move |ev| kind.set(event_target_value(&ev).parse().unwrap_or(AssignmentType::Manual))>
                    {AssignmentType::ALL.iter().map(|k| view! {
                        <option value=k.as_str() selected=move || kind.get() == *k>{k.label()}</option>
                    }).collect_view()}
                </select>
            </td>
            <td><input type="checkbox" name="only_available" prop:checked=only on:change=move |ev| only.set(event_target_checked(&ev))/></td>
            <td>
                <button type="button" on:click=move |_| {
                    save.dispatch(AssignmentRules { kind: kind.get_untracked(), fallback_user_id: fallback, only_available: only.get_untracked() });
                }>"Save"</button>
                {move || match save.value().get() {
                    Some(Ok(_)) => Some(view! { <span class="muted" role="status">" Saved"</span> }.into_any()),
                    Some(Err(e)) => Some(view! { <span class="error" role="alert">{e.to_string()}</span> }.into_any()),
                    None => None,
                }}
            </td>
        </tr>
    }
}

/// The signed-in agent's availability.
#[component]
pub fn MyAvailability() -> impl IntoView {
    let me = Resource::new(|| (), |_| crate::users::api::me());
    let save = Action::new(|a: &Availability| set_my_availability(*a));
    view! {
        <section class="availability">
            <h2>"Your availability"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let current = me.await.ok().flatten().map(|m| m.user.availability).unwrap_or(Availability::Available);
                    view! {
                        <select name="availability" on:change=move |ev| {
                            if let Ok(a) = event_target_value(&ev).parse::<Availability>() { save.dispatch(a); }
                        }>
                            {Availability::ALL.iter().map(|a| view! {
                                <option value=a.as_str() selected=*a == current>{a.label()}</option>
                            }).collect_view()}
                        </select>
                    }
                })}
            </Transition>
            {move || match save.value().get() {
                Some(Ok(())) => Some(view! { <span class="muted" role="status">" Saved"</span> }.into_any()),
                Some(Err(e)) => Some(view! { <span class="error" role="alert">{e.to_string()}</span> }.into_any()),
                None => None,
            }}
        </section>
    }
}
