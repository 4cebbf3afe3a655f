//! Settings → Routing (admins): the ordered rules, a form to add one, and
//! the "test this rule" box.

use leptos::prelude::*;

use crate::conversations::model::Priority;
use crate::ids::{ChannelId, InboxId, RoutingRuleId};
use crate::routing::api::{delete_routing_rule, save_routing_rule, test_routing};
use crate::routing::model::{Attribute, PageUrl, RoutingConditions, RoutingRule, RoutingRuleInput, Sample, UrlOp};

/// "a, b ,c" -> ["a", "b", "c"].
fn list_of(s: &str) -> Vec<String> {
    s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

fn summary(c: &RoutingConditions) -> String {
    let mut parts = vec![];
    if !c.keywords.is_empty() {
        parts.push(format!("words: {}", c.keywords.join(", ")));
    }
    if !c.senders.is_empty() {
        parts.push(format!("from: {}", c.senders.join(", ")));
    }
    if !c.channel_ids.is_empty() {
        let ids: Vec<String> = c.channel_ids.iter().map(|i| format!("#{i}")).collect();
        parts.push(format!("channel {}", ids.join(", ")));
    }
    if let Some(p) = &c.page_url {
        parts.push(format!("page URL {} {}", p.op.label(), p.value));
    }
    if let Some(a) = &c.attribute {
        parts.push(format!("{} = {}", a.key, a.value));
    }
    parts.join("; ")
}

#[component]
pub fn RoutingSettings() -> impl IntoView {
    let data = crate::settings::use_settings();
    let (rules, inboxes, channels) = (data.routing_rules.items, data.inboxes.items, data.channels.items);
    let inbox_name = move |id: InboxId| {
        inboxes.get().and_then(|r| r.ok()).and_then(|l| l.into_iter().find(|i| i.id == id)).map(|i| i.name)
    };
    let remove = Action::new(move |id: &RoutingRuleId| delete_routing_rule(*id));
    Effect::new(move |_| {
        if remove.value().get().is_some() {
            data.routing_rules.reload();
        }
    });
    view! {
        <section class="routing">
            <h2>"Routing rules"</h2>
            <p class="muted">"New conversations go to the first rule that matches, top to bottom; with no match they stay in their channel's inbox."</p>
            <table class="routing-rules">
                <thead><tr><th>"#"</th><th>"Rule"</th><th>"When"</th><th>"Route to"</th><th></th></tr></thead>
                <tbody>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            rules.await.unwrap_or_default().into_iter().map(|r: RoutingRule| {
                                let id = r.id;
                                view! {
                                    <tr data-rule=r.id.to_string()>
                                        <td>{r.position}</td>
                                        <td>{r.name.clone()}{(!r.enabled).then_some(" (off)")}</td>
                                        <td>{summary(&r.conditions)}</td>
                                        <td>{move || inbox_name(r.inbox_id).unwrap_or_default()}{r.priority.map(|p| format!(", priority {}", p.label()))}</td>
                                        <td><button type="button" class="link" on:click=move |_| { remove.dispatch(id); }>"Delete"</button></td>
                                    </tr>
                                }
                            }).collect_view()
                        })}
                    </Transition>
                </tbody>
            </table>
            <RuleForm inboxes channels on_saved=move || data.routing_rules.reload()/>
            <TestBox/>
        </section>
    }
}

#[component]
fn RuleForm(
    inboxes: Resource<Result<Vec<crate::inboxes::model::Inbox>, crate::error::AppError>>,
    channels: Resource<Result<Vec<crate::channels::model::Channel>, crate::error::AppError>>,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let keywords = RwSignal::new(String::new());
    let senders = RwSignal::new(String::new());
    let channel = RwSignal::new(String::new());
    let url_op = RwSignal::new(UrlOp::Contains);
    let url = RwSignal::new(String::new());
    let attr = RwSignal::new(String::new());
    let inbox = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let save = Action::new(|i: &RoutingRuleInput| save_routing_rule(None, i.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            name.set(String::new());
            keywords.set(String::new());
            senders.set(String::new());
            on_saved();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let attribute = attr
            .get_untracked()
            .split_once('=')
            .map(|(k, v)| Attribute { key: k.trim().into(), value: v.trim().into() });
        let u = url.get_untracked();
        let input = RoutingRuleInput {
            name: name.get_untracked(),
            enabled: true,
            conditions: RoutingConditions {
                channel_ids: channel.get_untracked().parse().ok().map(ChannelId).into_iter().collect(),
                page_url: (!u.trim().is_empty()).then(|| PageUrl { op: url_op.get_untracked(), value: u }),
                attribute,
                keywords: list_of(&keywords.get_untracked()),
                senders: list_of(&senders.get_untracked()),
            },
            inbox_id: InboxId(inbox.get_untracked().parse().unwrap_or(0)),
            team_id: None,
            priority: priority.get_untracked().parse::<Priority>().ok(),
            position: None,
        };
        save.dispatch(input);
    };
    view! {
        <form class="routing-form" on:submit=submit>
            <h3>"Add a rule"</h3>
            <label>"Name"<input name="rule_name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <label>"Any of these words (comma-separated)"<input name="keywords" prop:value=keywords on:input=move |ev| keywords.set(event_target_value(&ev))/></label>
            <label>"From address or domain (comma-separated)"<input name="senders" prop:value=senders on:input=move |ev| senders.set(event_target_value(&ev))/></label>
            <label>"Channel"
                <select name="channel" on:change=move |ev| channel.set(event_target_value(&ev))>
                    <option value="">"Any channel"</option>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            channels.await.unwrap_or_default().into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()
                        })}
                    </Transition>
                </select>
            </label>
            <label>"Page URL"
                <select name="url_op" on:change=move |ev| url_op.set(event_target_value(&ev).parse().unwrap_or(UrlOp::Contains))>
                    {UrlOp::ALL.iter().map(|o| view! { <option value=o.as_str()>{o.label()}</option> }).collect_view()}
                </select>
                <input name="page_url" prop:value=url on:input=move |ev| url.set(event_target_value(&ev))/>
            </label>
            <label>"Visitor attribute (key = value)"<input name="attribute" prop:value=attr on:input=move |ev| attr.set(event_target_value(&ev))/></label>
            <label>"Route to inbox"
                <select name="route_inbox" on:change=move |ev| inbox.set(event_target_value(&ev))>
                    <option value="">"Choose…"</option>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            inboxes.await.unwrap_or_default().into_iter().map(|i| view! { <option value=i.id.to_string()>{i.name}</option> }).collect_view()
                        })}
                    </Transition>
                </select>
            </label>
            <label>"And set priority"
                <select name="route_priority" on:change=move |ev| priority.set(event_target_value(&ev))>
                    <option value="">"Keep"</option>
                    {Priority::ALL.iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                </select>
            </label>
            {move || match save.value().get() {
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.to_string()}</p> }),
                _ => None,
            }}
            <button type="submit" class="primary">"Add rule"</button>
        </form>
    }
}

/// "Test this rule": which rule would a message like this hit?
#[component]
fn TestBox() -> impl IntoView {
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let sender = RwSignal::new(String::new());
    let run = Action::new(|s: &Sample| test_routing(s.clone()));
    view! {
        <form class="routing-test" on:submit=move |ev| {
            ev.prevent_default();
            let s = sender.get_untracked();
            run.dispatch(Sample {
                subject: subject.get_untracked(),
                body: body.get_untracked(),
                sender: (!s.trim().is_empty()).then_some(s),
                ..Default::default()
            });
        }>
            <h3>"Test the rules"</h3>
            <label>"Subject"<input name="test_subject" prop:value=subject on:input=move |ev| subject.set(event_target_value(&ev))/></label>
            <label>"Message"<textarea name="test_body" prop:value=body on:input=move |ev| body.set(event_target_value(&ev))></textarea></label>
            <label>"From"<input name="test_sender" prop:value=sender on:input=move |ev| sender.set(event_target_value(&ev))/></label>
            <button type="submit">"Test"</button>
            <p class="test-result" role="status">
                {move || match run.value().get() {
                    Some(Ok(Some(r))) => format!("Matches rule #{} “{}”", r.position, r.name),
                    Some(Ok(None)) => "No rule matches: it stays in its channel's inbox.".to_string(),
                    Some(Err(e)) => e.to_string(),
                    None => String::new(),
                }}
            </p>
        </form>
    }
}
