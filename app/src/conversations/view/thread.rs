//! The middle pane: header actions and the thread grouped by date, with
//! the composer (`composer.rs`) below.

use leptos::prelude::*;
use leptos_router::components::A;

use super::composer::{ComposeInfo, Composer};
use super::details::{ContactDraft, DetailsPane};
use super::url::{use_inbox_url, Selected};
use super::InboxCtx;
use crate::conversations::api::{
    mark_conversation_read, retry_message, update_conversation, ActivityLine, ConversationDetail,
};
use crate::conversations::model::{ConversationPatch, Priority, Status};
use crate::ids::{ConversationId, InboxId, UserId};
use crate::inboxes::model::Inbox;
use crate::messages::model::{DeliveryStatus, Direction, Message};
use crate::time::Timestamp;

/// The open conversation. The composer and the contact form keep their
/// own state outside the parts that refetch, so a live update from a
/// colleague never wipes what the agent is typing. Its data are the page's
/// `thread` and `pane_inboxes` resources (see `InboxCtx`).
#[component]
pub fn ThreadPane(id: ConversationId) -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let (thread, inboxes) = (ctx.thread, ctx.pane_inboxes);
    // This conversation's detail: `None` while the resource still holds
    // the one open before.
    let detail = move || thread.get().flatten().filter(|r| r.as_ref().map_or(true, |d| d.summary.id == id));
    let contact_form = ContactDraft::new();
    // Opening a conversation marks it read. In an effect, so it runs in
    // the browser only: the server renders the page without a task-local
    // executor (spawning there panicked the render and hung the response).
    Effect::new(move |_| {
        if let Some(Ok(d)) = detail() {
            if d.summary.unread {
                leptos::task::spawn_local(async move {
                    let _ = mark_conversation_read(id).await;
                });
            }
        }
    });
    // One boundary for the thread and the details pane, which both show
    // the detail, and the pickers' inboxes; the composer sits between them
    // and is never re-created.
    view! {
        <Transition fallback=|| view! { <div class="thread"><div class="loading">"Loading…"</div></div> }>
            <div class="thread" data-conversation=id.to_string()>
                {move || Suspend::new(async move {
                    let inboxes = inboxes.await;
                    match thread.await {
                        Some(Ok(d)) if d.summary.id == id => view! { <Thread d inboxes/> }.into_any(),
                        Some(Err(e)) => view! { <div class="error pad" role="alert">{e.to_string()}</div> }.into_any(),
                        _ => view! { <div class="loading">"Loading…"</div> }.into_any(),
                    }
                })}
                <Composer id info=Signal::derive(move || {
                    detail().and_then(Result::ok).map(|d| ComposeInfo {
                        channel: d.summary.channel_kind,
                        cc: d.cc.clone(),
                        subject: crate::email::address::base_subject(&d.summary.subject).to_string(),
                        channels: d.reply_channels.clone(),
                    })
                })/>
            </div>
            {move || Suspend::new(async move {
                match thread.await {
                    Some(Ok(d)) if d.summary.id == id => Some(view! { <DetailsPane d draft=contact_form/> }),
                    _ => None,
                }
            })}
        </Transition>
    }
}

#[component]
fn Thread(d: ConversationDetail, inboxes: Vec<Inbox>) -> impl IntoView {
    let url = use_inbox_url();
    let back = move || url.get().with_selected(Selected::None).href();
    let details_href = move || {
        let mut u = url.get();
        u.details = true;
        u.href()
    };
    let entries = entries(d.messages.clone(), d.activity.clone());
    // Opened from a search result (`#message-17`): the message that matched
    // is marked and scrolled to. The hash is read in an effect (the browser
    // only: the server never sees it), and the mark follows reactively.
    let focus = RwSignal::new(None::<i64>);
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        let hash = location.hash.get();
        focus.set(hash.trim_start_matches('#').strip_prefix("message-").and_then(|m| m.parse().ok()));
    });
    view! {
        <header class="thread-head">
            <A href=back attr:class="back" attr:aria-label="Back to list">"←"</A>
            <div class="title">
                <h2>{if d.summary.subject.is_empty() { "(no subject)".to_string() } else { d.summary.subject.clone() }}</h2>
                <span class="muted">{d.summary.contact_name.clone()}" · "{d.inbox_name.clone()}" · "{d.summary.channel_kind.label()}</span>
            </div>
            <A href=details_href attr:class="details-link">"Details"</A>
        </header>
        <Actions d=d.clone() inboxes/>
        <ol class="messages">
            {group_by_date(entries).into_iter().map(|(date, items)| view! {
                <li class="day"><span>{date}</span></li>
                {items.into_iter().map(|e| match e {
                    Entry::Message(m) => view! { <MessageItem m focus/> }.into_any(),
                    Entry::Line(l) => view! {
                        <li class="activity">
                            <span>{l.actor_name.map(|n| format!("{n}: ")).unwrap_or_default()}{l.text}</span>
                            " "<time class="muted">{l.at.time_string()}" UTC"</time>
                        </li>
                    }.into_any(),
                }).collect_view()}
            }).collect_view()}
        </ol>
        {d.send_problem.clone().map(|p| view! { <p class="warning send-problem">{p}</p> })}
    }
}

/// A thread row: a message or an activity line.
enum Entry {
    Message(Message),
    Line(ActivityLine),
}

impl Entry {
    fn at(&self) -> crate::time::Timestamp {
        match self {
            Entry::Message(m) => m.created_at,
            Entry::Line(l) => l.at,
        }
    }
}

/// Messages and activity lines in time order; a line written with a
/// message (routing, assignment) follows it.
fn entries(msgs: Vec<Message>, lines: Vec<ActivityLine>) -> Vec<Entry> {
    let mut out: Vec<Entry> = msgs.into_iter().map(Entry::Message).collect();
    out.extend(lines.into_iter().map(Entry::Line));
    out.sort_by_key(|e| (e.at(), matches!(e, Entry::Line(_))));
    out
}

fn group_by_date(items: Vec<Entry>) -> Vec<(String, Vec<Entry>)> {
    let mut out: Vec<(String, Vec<Entry>)> = vec![];
    for e in items {
        let day = e.at().date_string();
        match out.last_mut() {
            Some((d, v)) if *d == day => v.push(e),
            _ => out.push((day, vec![e])),
        }
    }
    out
}

#[component]
fn MessageItem(m: Message, focus: RwSignal<Option<i64>>) -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let mid_raw = m.id.0;
    let node = NodeRef::<leptos::html::Li>::new();
    let is_focus = move || focus.get() == Some(mid_raw);
    Effect::new(move |_| {
        if let (true, Some(el)) = (is_focus(), node.get()) {
            el.scroll_into_view();
        }
    });
    let class = format!("msg msg-{}", m.direction.as_str());
    let label = match m.direction {
        Direction::Inbound => m.channel_kind.label().to_string(),
        Direction::Outbound if m.automatic => format!("Auto-reply via {}", m.channel_kind.label()),
        Direction::Outbound => format!("Reply via {}", m.channel_kind.label()),
        Direction::Note => "Internal note · staff only".to_string(),
    };
    let sender = if m.automatic && m.sender_name.is_empty() { "Parley".to_string() } else { m.sender_name.clone() };
    let (conv, mid) = (m.conversation_id, m.id);
    let retry = Action::new(move |_: &()| retry_message(conv, mid));
    Effect::new(move |_| {
        if retry.value().get().is_some() {
            ctx.thread_version.update(|v| *v += 1);
        }
    });
    // A customer's message says why only when its file did not arrive
    // (WhatsApp); Retry fetches it again, as it resends a failed reply.
    let failed = (m.direction == Direction::Outbound && m.delivery_status == Some(DeliveryStatus::Failed))
        || (m.direction == Direction::Inbound && m.failure_reason.is_some());
    let show_html = RwSignal::new(false);
    let html = m.html.clone();
    view! {
        <li class=class class:hit=is_focus node_ref=node id=format!("message-{}", m.id) data-direction=m.direction.as_str() data-message=m.id.to_string()>
            <div class="meta">
                <strong>{sender}</strong>
                <span class="kind">{label}</span>
                <time>{m.created_at.time_string()}" UTC"</time>
                {m.delivery_status.map(|s| view! {
                    <span class=format!("delivery delivery-{}", s.as_str()) title=m.failure_reason.clone().unwrap_or_default()>{s.label()}</span>
                })}
            </div>
            {(!m.cc.is_empty()).then(|| view! { <div class="cc-line muted">"Cc: "{m.cc.join(", ")}</div> })}
            // Text by default. Sanitized mail HTML is shown only on request,
            // inside a sandboxed frame that may run no script.
            <div class="body">{m.body.clone()}</div>
            {html.map(|h| view! {
                <button type="button" class="link show-html" on:click=move |_| show_html.update(|v| *v = !*v)>
                    {move || if show_html.get() { "Hide formatting" } else { "Show original formatting" }}
                </button>
                <Show when=move || show_html.get()>
                    <iframe class="mail-html" sandbox="allow-same-origin" srcdoc=h.clone() title="Original formatting"></iframe>
                </Show>
            })}
            {(!m.attachments.is_empty()).then(|| view! {
                <ul class="attachments">
                    {m.attachments.iter().map(|a| view! {
                        <li><a href=a.url.clone() target="_blank" rel="noopener">{a.name.clone()}</a>" "<span class="muted">{size_label(a.size)}</span></li>
                    }).collect_view()}
                </ul>
            })}
            {m.failure_reason.clone().map(|r| view! { <div class="failure">{r}</div> })}
            <Show when=move || failed>
                <button type="button" class="retry" on:click=move |_| { retry.dispatch(()); } disabled=move || retry.pending().get()>"Retry"</button>
            </Show>
        </li>
    }
}

/// "12 KB", "3.4 MB".
fn size_label(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", b / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[component]
fn Actions(d: ConversationDetail, inboxes: Vec<Inbox>) -> impl IntoView {
    let id = d.summary.id;
    let ctx = expect_context::<InboxCtx>();
    let act = Action::new(move |p: &ConversationPatch| update_conversation(id, p.clone()));
    // The change shows at once, without waiting for the live stream's echo.
    Effect::new(move |_| {
        if let Some(Ok(_)) = act.value().get() {
            ctx.thread_version.update(|v| *v += 1);
        }
    });
    let error = move || match act.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    let patch = move |p: ConversationPatch| {
        act.dispatch(p);
    };
    let snooze_until = RwSignal::new(String::new());
    let status = d.summary.status;
    let assignee = d.summary.assignee_id;
    let priority = d.summary.priority;
    let inbox = d.summary.inbox_id;
    let spam = d.summary.spam;
    // Someone assigned before losing access to the inbox still shows as
    // the assignee, at the end of the list.
    let mut people: Vec<(UserId, String)> = d.assignable.iter().map(|u| (u.id, u.name.clone())).collect();
    if let (Some(a), Some(name)) = (assignee, d.summary.assignee_name.clone()) {
        if !people.iter().any(|(id, _)| *id == a) {
            people.push((a, name));
        }
    }
    view! {
        <div class="actions">
            <label>"Assignee"
                <select name="assignee" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    patch(ConversationPatch { assignee_id: Some(v.parse().ok().map(UserId)), ..Default::default() });
                }>
                    <option value="" selected=assignee.is_none()>"Unassigned"</option>
                    {people.into_iter().map(|(uid, name)| view! {
                        <option value=uid.to_string() selected=assignee == Some(uid)>{name}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Status"
                <select name="status" on:change=move |ev| {
                    if let Ok(s) = event_target_value(&ev).parse::<Status>() {
                        if s == Status::Snoozed {
                            if snooze_until.get_untracked().is_empty() {
                                // Default: tomorrow at this time; the field below changes it.
                                let t = Timestamp::now().plus_secs(86_400);
                                snooze_until.set(t.to_rfc3339()[..16].to_string());
                            }
                        } else {
                            patch(ConversationPatch { status: Some(s), ..Default::default() });
                        }
                    }
                }>
                    {Status::ALL.iter().map(|s| view! { <option value=s.as_str() selected=*s == status>{s.label()}</option> }).collect_view()}
                </select>
            </label>
            <Show when=move || !snooze_until.get().is_empty() || status == Status::Snoozed>
                <label class="snooze">"Snooze until (UTC)"
                    <input type="datetime-local" name="snoozed_until" prop:value=snooze_until
                        on:input=move |ev| snooze_until.set(event_target_value(&ev))/>
                    <button on:click=move |_| {
                        let t = Timestamp::parse_rfc3339(&format!("{}:00Z", snooze_until.get_untracked()));
                        patch(ConversationPatch { status: Some(Status::Snoozed), snoozed_until: Some(t), ..Default::default() });
                    }>"Snooze"</button>
                </label>
            </Show>
            <label>"Priority"
                <select name="priority" on:change=move |ev| {
                    if let Ok(p) = event_target_value(&ev).parse::<Priority>() {
                        patch(ConversationPatch { priority: Some(p), ..Default::default() });
                    }
                }>
                    {Priority::ALL.iter().map(|p| view! { <option value=p.as_str() selected=*p == priority>{p.label()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Inbox"
                <select name="inbox" on:change=move |ev| {
                    if let Ok(i) = event_target_value(&ev).parse::<i64>() {
                        patch(ConversationPatch { inbox_id: Some(InboxId(i)), ..Default::default() });
                    }
                }>
                    {inboxes.into_iter().map(|i| view! {
                        <option value=i.id.to_string() selected=i.id == inbox>{i.name}</option>
                    }).collect_view()}
                </select>
            </label>
            <button on:click=move |_| patch(ConversationPatch { unread: Some(true), ..Default::default() })>"Mark unread"</button>
            <button on:click=move |_| patch(ConversationPatch { spam: Some(!spam), ..Default::default() })>
                {if spam { "Not spam" } else { "Mark spam" }}
            </button>
            <button class="close-btn" on:click=move |_| patch(ConversationPatch { status: Some(Status::Closed), ..Default::default() })>"Close"</button>
            <Show when=move || error().is_some()>
                <p class="error" role="alert">{error}</p>
            </Show>
        </div>
    }
}
