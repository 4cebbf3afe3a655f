//! Settings → Automations (admins): ready-made recipes, the rules with
//! what each last did, and a form to write one.

use leptos::prelude::*;

use crate::automations::api::{delete_automation, enable_recipe, save_automation};
use crate::automations::model::{
    Action as RuleAction, Automation, AutomationInput, Condition, Field, Op, Subject, Trigger,
};
use crate::conversations::model::{Priority, Status};
use crate::ids::{AutomationId, InboxId, UserId};

fn last_run(a: &Automation) -> String {
    let mut s = match (a.run_count, a.last_run_at, a.last_conversation_id) {
        (0, _, _) => "Never ran".to_string(),
        (n, Some(at), Some(c)) => {
            format!("Ran {n}× · last {} {} UTC on conversation #{c}", at.date_string(), at.time_string())
        }
        (n, _, _) => format!("Ran {n}×"),
    };
    if let (Some(e), Some(at)) = (&a.last_error, a.last_error_at) {
        s.push_str(&format!(" · {} {} UTC: {e}", at.date_string(), at.time_string()));
    }
    s
}

#[component]
pub fn AutomationsSettings() -> impl IntoView {
    let data = crate::settings::use_settings().automations;
    let (version, rules) = (data.version, data.items);
    let enable = Action::new(|k: &String| enable_recipe(k.clone()));
    let remove = Action::new(|id: &AutomationId| delete_automation(*id));
    Effect::new(move |_| {
        if enable.value().get().is_some() || remove.value().get().is_some() {
            version.update(|v| *v += 1);
        }
    });
    view! {
        <section class="automations">
            <h2>"Automations"</h2>
            <p class="muted">"When something happens (or a timer runs out) and the conditions hold, Parley does the actions. Each rule shows when it last ran."</p>
            <h3>"Recipes"</h3>
            <ul class="recipes">
                {crate::automations::recipes::all().into_iter().map(|r| {
                    let key = r.key.to_string();
                    view! {
                        <li class="recipe" data-recipe=r.key>
                            <strong>{r.title}</strong>" "<span class="muted">{r.description}</span>" "
                            <button type="button" on:click=move |_| { enable.dispatch(key.clone()); }>"Enable"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || match enable.value().get() {
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.to_string()}</p> }),
                _ => None,
            }}
            <table class="automation-list">
                <thead><tr><th>"Rule"</th><th>"When"</th><th>"Then"</th><th>"Last run"</th><th></th></tr></thead>
                <tbody>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            rules.await.unwrap_or_default().into_iter().map(|a| {
                                let id = a.id;
                                let then: Vec<String> = a.actions.iter().map(|x| x.describe()).collect();
                                view! {
                                    <tr data-automation=a.id.to_string()>
                                        <td>{a.name.clone()}{(!a.enabled).then_some(" (off)")}</td>
                                        <td>{a.trigger.describe()}{(!a.conditions.is_empty()).then(|| format!(", if {} conditions hold", a.conditions.len()))}</td>
                                        <td>{then.join(", ")}</td>
                                        <td class="last-run">{last_run(&a)}</td>
                                        <td><button type="button" class="link" on:click=move |_| { remove.dispatch(id); }>"Delete"</button></td>
                                    </tr>
                                }
                            }).collect_view()
                        })}
                    </Transition>
                </tbody>
            </table>
            <AutomationForm on_saved=move || version.update(|v| *v += 1)/>
        </section>
    }
}

/// The trigger picker's choices.
const TRIGGERS: &[(&str, &str)] = &[
    ("conversation_created", "Conversation created"),
    ("message_received", "Message received"),
    ("message_sent", "Message sent"),
    ("field_changed", "Field changed"),
    ("no_team_reply", "No reply from the team for N minutes"),
    ("no_contact_reply", "No reply from the contact for N minutes"),
    ("snooze_ended", "Snoozed time reached"),
    ("open_longer_than", "Open longer than N hours"),
];

/// The action picker's choices, with what their value means.
const ACTIONS: &[(&str, &str)] = &[
    ("assign_rule", "Assign by the inbox's rule"),
    ("assign", "Assign user (id)"),
    ("assign_team", "Assign within team (id)"),
    ("move_inbox", "Move to inbox (id)"),
    ("set_status", "Set status"),
    ("set_priority", "Set priority"),
    ("add_label", "Add label"),
    ("remove_label", "Remove label"),
    ("mark_spam", "Mark spam"),
    ("add_note", "Add internal note"),
    ("send_reply", "Send reply"),
    ("snooze", "Snooze (minutes)"),
    ("notify_admins", "Notify the inbox's admins (message)"),
    ("webhook", "Call a webhook (URL)"),
];

fn trigger_of(kind: &str, n: i64, field: Field, working: bool) -> Trigger {
    match kind {
        "message_received" => Trigger::MessageReceived,
        "message_sent" => Trigger::MessageSent,
        "field_changed" => Trigger::FieldChanged { field },
        "no_team_reply" => Trigger::NoTeamReply { minutes: n, working_hours: working },
        "no_contact_reply" => Trigger::NoContactReply { minutes: n },
        "snooze_ended" => Trigger::SnoozeEnded,
        "open_longer_than" => Trigger::OpenLongerThan { hours: n },
        _ => Trigger::ConversationCreated,
    }
}

/// One action row into an action; the error names what is wrong.
fn action_of(kind: &str, value: &str) -> Result<RuleAction, String> {
    let v = value.trim();
    let id = || v.parse::<i64>().map_err(|_| format!("{kind}: give a number"));
    Ok(match kind {
        "assign_rule" => RuleAction::Assign { user_id: None },
        "assign" => RuleAction::Assign { user_id: Some(UserId(id()?)) },
        "assign_team" => RuleAction::AssignTeam { team_id: crate::ids::TeamId(id()?) },
        "move_inbox" => RuleAction::MoveInbox { inbox_id: InboxId(id()?) },
        "set_status" => RuleAction::SetStatus { status: v.parse::<Status>().map_err(|e| format!("status {e}"))? },
        "set_priority" => {
            RuleAction::SetPriority { priority: v.parse::<Priority>().map_err(|e| format!("priority {e}"))? }
        }
        "add_label" => RuleAction::AddLabel { label: v.into() },
        "remove_label" => RuleAction::RemoveLabel { label: v.into() },
        "mark_spam" => RuleAction::MarkSpam,
        "add_note" => RuleAction::AddNote { body: value.into() },
        "send_reply" => RuleAction::SendReply { body: value.into(), subject: String::new() },
        "snooze" => RuleAction::Snooze { minutes: id()? },
        "notify_admins" => RuleAction::Notify { user_id: None, message: value.into() },
        "webhook" => RuleAction::Webhook { url: v.into(), secret: String::new() },
        other => return Err(format!("unknown action {other}")),
    })
}

#[component]
fn AutomationForm(on_saved: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let trigger = RwSignal::new("conversation_created".to_string());
    let amount = RwSignal::new(String::from("60"));
    let field = RwSignal::new(Field::Status);
    let working = RwSignal::new(false);
    // Rows of (subject, op, value) and (action, value).
    let conditions = RwSignal::new(Vec::<(Subject, Op, String)>::new());
    let actions = RwSignal::new(vec![("add_note".to_string(), String::new())]);
    let problem = RwSignal::new(None::<String>);
    let save = Action::new(|i: &AutomationInput| save_automation(None, i.clone()));
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => {
            name.set(String::new());
            conditions.set(vec![]);
            actions.set(vec![("add_note".to_string(), String::new())]);
            problem.set(None);
            on_saved();
        }
        Some(Err(e)) => problem.set(Some(e.to_string())),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let built: Result<Vec<RuleAction>, String> =
            actions.get_untracked().iter().map(|(k, v)| action_of(k, v)).collect();
        let acts = match built {
            Ok(a) => a,
            Err(e) => return problem.set(Some(format!("actions: {e}"))),
        };
        save.dispatch(AutomationInput {
            name: name.get_untracked(),
            enabled: true,
            trigger: trigger_of(
                &trigger.get_untracked(),
                amount.get_untracked().trim().parse().unwrap_or(0),
                field.get_untracked(),
                working.get_untracked(),
            ),
            conditions: conditions
                .get_untracked()
                .into_iter()
                .map(|(subject, op, value)| Condition { subject, op, value })
                .collect(),
            actions: acts,
            recipe: None,
        });
    };
    let timed = move || matches!(trigger.get().as_str(), "no_team_reply" | "no_contact_reply" | "open_longer_than");
    view! {
        <form class="automation-form" on:submit=submit>
            <h3>"New automation"</h3>
            <label>"Name"<input name="automation_name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <label>"When"
                <select name="trigger" on:change=move |ev| trigger.set(event_target_value(&ev))>
                    {TRIGGERS.iter().map(|(k, l)| view! { <option value=*k>{*l}</option> }).collect_view()}
                </select>
            </label>
            <Show when=timed>
                <label>{move || if trigger.get() == "open_longer_than" { "Hours" } else { "Minutes" }}
                    <input name="trigger_amount" type="number" min="1" prop:value=amount on:input=move |ev| amount.set(event_target_value(&ev))/>
                </label>
                <Show when=move || trigger.get() == "no_team_reply">
                    <label><input type="checkbox" name="working_hours" on:change=move |ev| working.set(event_target_checked(&ev))/>" Count working hours only"</label>
                </Show>
            </Show>
            <Show when=move || trigger.get() == "field_changed">
                <label>"Field"
                    <select name="trigger_field" on:change=move |ev| field.set(event_target_value(&ev).parse().unwrap_or(Field::Status))>
                        {Field::ALL.iter().map(|f| view! { <option value=f.as_str()>{f.label()}</option> }).collect_view()}
                    </select>
                </label>
            </Show>
            <fieldset class="conditions">
                <legend>"If"</legend>
                {move || conditions.get().into_iter().enumerate().map(|(i, (s, o, v))| view! {
                    <div class="condition">
                        <select name="condition_subject" on:change=move |ev| {
                            let x = event_target_value(&ev).parse().unwrap_or(Subject::Status);
                            conditions.update(|c| c[i].0 = x);
                        }>
                            {Subject::ALL.iter().map(|x| view! { <option value=x.as_str() selected=*x == s>{x.label()}</option> }).collect_view()}
                        </select>
                        <select name="condition_op" on:change=move |ev| {
                            let x = event_target_value(&ev).parse().unwrap_or(Op::Is);
                            conditions.update(|c| c[i].1 = x);
                        }>
                            {Op::ALL.iter().map(|x| view! { <option value=x.as_str() selected=*x == o>{x.label()}</option> }).collect_view()}
                        </select>
                        <input name="condition_value" value=v on:change=move |ev| {
                            let x = event_target_value(&ev);
                            conditions.update(|c| c[i].2 = x);
                        }/>
                    </div>
                }).collect_view()}
                <button type="button" class="link" on:click=move |_| conditions.update(|c| c.push((Subject::MessageText, Op::Contains, String::new())))>"+ Add condition"</button>
            </fieldset>
            <fieldset class="actions">
                <legend>"Then"</legend>
                {move || actions.get().into_iter().enumerate().map(|(i, (k, v))| view! {
                    <div class="action">
                        <select name="action_kind" on:change=move |ev| {
                            let x = event_target_value(&ev);
                            actions.update(|a| a[i].0 = x);
                        }>
                            {ACTIONS.iter().map(|(key, l)| view! { <option value=*key selected=*key == k>{*l}</option> }).collect_view()}
                        </select>
                        <input name="action_value" value=v on:change=move |ev| {
                            let x = event_target_value(&ev);
                            actions.update(|a| a[i].1 = x);
                        }/>
                    </div>
                }).collect_view()}
                <button type="button" class="link" on:click=move |_| actions.update(|a| a.push(("add_label".to_string(), String::new())))>"+ Add action"</button>
            </fieldset>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            <button type="submit" class="primary">"Create automation"</button>
        </form>
    }
}
