//! Settings → Inboxes (admins): each inbox's assignment rule, working
//! hours and auto-responder. And every agent's own availability, which
//! round robin and least busy respect.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::ids::InboxId;
use crate::inboxes::model::{
    AssignmentRules, AssignmentType, AutoResponder, AutoResponderConditions, DayHours, Inbox, WorkingHours,
};
use crate::users::model::Availability;

/// Sets an inbox's assignment rule (admins).
#[server(input = Json)]
pub async fn set_assignment(inbox: InboxId, rules: AssignmentRules) -> Result<Inbox, AppError> {
    let (state, who) = crate::users::session::require().await?;
    let input = crate::inboxes::model::InboxInput { assignment_rules: Some(rules), ..Default::default() };
    crate::inboxes::server::update(&state.db, &who, inbox, &input).await
}

/// Sets an inbox's working hours, auto-responder and outside-hours
/// message (admins).
#[server(input = Json)]
pub async fn set_inbox_policy(
    inbox: InboxId,
    hours: WorkingHours,
    responder: AutoResponder,
    outside_hours_message: String,
) -> Result<Inbox, AppError> {
    let (state, who) = crate::users::session::require().await?;
    let input = crate::inboxes::model::InboxInput {
        working_hours: Some(hours),
        auto_responder: Some(responder),
        outside_hours_message: Some(outside_hours_message),
        ..Default::default()
    };
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
    let inboxes = crate::settings::use_settings().inboxes.items;
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
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    inboxes.await.unwrap_or_default().into_iter().map(|i| view! { <InboxPolicy inbox=i/> }).collect_view()
                })}
            </Transition>
        </section>
    }
}

const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// One inbox's working hours (same hours on the days ticked), holidays
/// and auto-responder.
#[component]
fn InboxPolicy(inbox: Inbox) -> impl IntoView {
    let wh = inbox.working_hours.clone();
    let first = wh.schedule.values().flatten().next().cloned();
    let enabled = RwSignal::new(wh.enabled);
    let tz = RwSignal::new(if wh.timezone.is_empty() { "UTC".to_string() } else { wh.timezone.clone() });
    let start = RwSignal::new(first.as_ref().map(|d| d.start.clone()).unwrap_or_else(|| "09:00".into()));
    let end = RwSignal::new(first.as_ref().map(|d| d.end.clone()).unwrap_or_else(|| "17:00".into()));
    let open_days = RwSignal::new(
        DAYS.iter()
            .map(|d| {
                if wh.schedule.is_empty() {
                    DAYS[..5].contains(d)
                } else {
                    wh.schedule.get(*d).is_some_and(|h| h.is_some())
                }
            })
            .collect::<Vec<bool>>(),
    );
    let holidays = RwSignal::new(wh.holidays.join(", "));
    let ar = inbox.auto_responder.clone();
    let ar_on = RwSignal::new(ar.enabled);
    let ar_msg = RwSignal::new(ar.message.clone());
    let ar_delay = RwSignal::new(ar.delay_seconds.to_string());
    let ar_outside = RwSignal::new(ar.conditions.outside_working_hours);
    let outside_msg = RwSignal::new(inbox.outside_hours_message.clone());
    let id = inbox.id;
    let save = Action::new(move |(h, r, o): &(WorkingHours, AutoResponder, String)| {
        set_inbox_policy(id, h.clone(), r.clone(), o.clone())
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let days = open_days.get_untracked();
        let schedule = DAYS
            .iter()
            .zip(days)
            .map(|(d, open)| {
                (d.to_string(), open.then(|| DayHours { start: start.get_untracked(), end: end.get_untracked() }))
            })
            .collect();
        let hours = WorkingHours {
            enabled: enabled.get_untracked(),
            timezone: tz.get_untracked().trim().to_string(),
            schedule,
            holidays: holidays
                .get_untracked()
                .split(',')
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
                .collect(),
        };
        let responder = AutoResponder {
            enabled: ar_on.get_untracked(),
            message: ar_msg.get_untracked(),
            delay_seconds: ar_delay.get_untracked().trim().parse().unwrap_or(0),
            conditions: AutoResponderConditions { outside_working_hours: ar_outside.get_untracked() },
        };
        save.dispatch((hours, responder, outside_msg.get_untracked()));
    };
    view! {
        <form class="inbox-policy" data-inbox=inbox.id.to_string() on:submit=submit>
            <h3>{inbox.name.clone()}": hours and auto-reply"</h3>
            <label><input type="checkbox" name="hours_enabled" prop:checked=enabled on:change=move |ev| enabled.set(event_target_checked(&ev))/>" Working hours"</label>
            <label>"Time zone"<input name="timezone" prop:value=tz on:input=move |ev| tz.set(event_target_value(&ev))/></label>
            <label>"From"<input name="hours_start" type="time" prop:value=start on:input=move |ev| start.set(event_target_value(&ev))/></label>
            <label>"To"<input name="hours_end" type="time" prop:value=end on:input=move |ev| end.set(event_target_value(&ev))/></label>
            <div class="days">
                {DAYS.iter().enumerate().map(|(i, d)| view! {
                    <label><input type="checkbox" name=format!("day_{d}") prop:checked=move || open_days.get()[i]
                        on:change=move |ev| { let on = event_target_checked(&ev); open_days.update(|v| v[i] = on); }/>{d[..3].to_string()}</label>
                }).collect_view()}
            </div>
            <label>"Holidays (YYYY-MM-DD, comma-separated)"<input name="holidays" prop:value=holidays on:input=move |ev| holidays.set(event_target_value(&ev))/></label>
            <label>"Outside-hours message"<input name="outside_hours_message" prop:value=outside_msg on:input=move |ev| outside_msg.set(event_target_value(&ev))/></label>
            <label><input type="checkbox" name="autoresponder_enabled" prop:checked=ar_on on:change=move |ev| ar_on.set(event_target_checked(&ev))/>" Auto-responder"</label>
            <label>"Message"<textarea name="autoresponder_message" prop:value=ar_msg on:input=move |ev| ar_msg.set(event_target_value(&ev))></textarea></label>
            <label>"Delay (seconds)"<input name="autoresponder_delay" type="number" min="0" prop:value=ar_delay on:input=move |ev| ar_delay.set(event_target_value(&ev))/></label>
            <label><input type="checkbox" name="autoresponder_outside" prop:checked=ar_outside on:change=move |ev| ar_outside.set(event_target_checked(&ev))/>" Only outside working hours"</label>
            <button type="submit">"Save hours and auto-reply"</button>
            {move || match save.value().get() {
                Some(Ok(_)) => Some(view! { <span class="muted" role="status">" Saved"</span> }.into_any()),
                Some(Err(e)) => Some(view! { <span class="error" role="alert">{e.to_string()}</span> }.into_any()),
                None => None,
            }}
        </form>
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
    let me = crate::settings::use_settings().me;
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
