//! A contact's page (`/contacts/{id}`): one person, one timeline. Every
//! message with them across channels grouped by date, their
//! conversations, "Create thread" on a chosen channel, and (admins)
//! merging another contact into this one.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::contacts::api::{contact_page, contact_timeline, merge_contacts, ContactOverview};
use crate::contacts::model::{Contact, ThreadChannel, TimelineEntry};
use crate::conversations::api::{search_contacts, start_conversation, NewConversationInput};
use crate::error::AppError;
use crate::ids::{ChannelId, ContactId, ConversationId};
use crate::messages::model::{ChannelKind, Direction};

/// Where a conversation opens in the inbox (the All view lists every status).
fn conversation_href(id: ConversationId) -> String {
    format!("/inbox?view=all&c={id}")
}

fn error_text(e: &AppError) -> String {
    match e {
        AppError::Validation { field, message } => format!("{field}: {message}"),
        e => e.to_string(),
    }
}

/// The page. Its resources are made here, at the top, never inside the
/// `<Suspense>` (see settings.rs for why).
#[component]
pub fn ContactPageView() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse().ok()).map(ContactId)));
    let version = RwSignal::new(0u32);
    let page = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => contact_page(id).await,
                None => Err(AppError::not_found("contact")),
            }
        },
    );
    let first = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => contact_timeline(id, None).await,
                None => Err(AppError::not_found("contact")),
            }
        },
    );
    view! {
        <main class="contact-page">
            <header class="settings-head">
                <A href="/inbox">"← Inbox"</A>
                <h1>"Contact"</h1>
            </header>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <ContactBody p version/> }.into_any(),
                        Err(AppError::Unauthorized) => view! { <p><A href="/login">"Sign in"</A>" to see this contact."</p> }.into_any(),
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <section class="timeline">
                <h2>"Timeline"</h2>
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match (first.await, id.get_untracked()) {
                            (Ok(t), Some(id)) => view! { <Timeline id entries=t.entries next=t.next_cursor/> }.into_any(),
                            (Err(e), _) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                            _ => ().into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}

/// Who the person is, their conversations, and the page's two actions.
#[component]
fn ContactBody(p: ContactOverview, version: RwSignal<u32>) -> impl IntoView {
    let c = p.contact.clone();
    let others: Vec<String> = p.identities.iter().map(|i| i.value.clone()).collect();
    view! {
        <section class="contact-card">
            <h2 data-testid="contact-name">{if c.name.is_empty() { "(no name)".to_string() } else { c.name.clone() }}</h2>
            <dl>
                <dt>"Email"</dt><dd data-testid="contact-email">{c.email.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Phone"</dt><dd data-testid="contact-phone">{c.phone.clone().unwrap_or_else(|| "—".into())}</dd>
                {(!others.is_empty()).then(|| view! { <dt>"Also"</dt><dd data-testid="contact-also">{others.join(", ")}</dd> })}
            </dl>
        </section>
        <section class="contact-conversations">
            <h2>"Conversations"</h2>
            <ul class="others">
                {if p.conversations.is_empty() {
                    view! { <li class="muted">"None yet"</li> }.into_any()
                } else {
                    p.conversations.iter().map(|o| {
                        let label = if o.subject.is_empty() { o.preview.clone() } else { o.subject.clone() };
                        view! {
                            <li><a href=conversation_href(o.id)>{o.channel_kind.label()}" · "{label}" · "{o.status.label()}</a></li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>
        </section>
        <CreateThread contact=c.id channels=p.channels.clone()/>
        {p.can_merge.then(|| view! { <MergeContact into=c version/> })}
    }
}

/// "Create thread": a new conversation with this person on a chosen
/// channel. Channels that cannot be used show disabled, with why.
#[component]
fn CreateThread(contact: ContactId, channels: Vec<ThreadChannel>) -> impl IntoView {
    let navigate = use_navigate();
    let first_ready = channels.iter().find(|c| c.problem.is_none()).map(|c| c.id);
    let chosen = RwSignal::new(first_ready);
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let start = Action::new(|i: &NewConversationInput| start_conversation(i.clone()));
    Effect::new(move |_| {
        if let Some(Ok(c)) = start.value().get() {
            navigate(&conversation_href(c.id), Default::default());
        }
    });
    let list = StoredValue::new(channels.clone());
    let pick = move || list.with_value(|l| l.iter().find(|c| Some(c.id) == chosen.get()).cloned());
    let is_email = move || pick().is_some_and(|c| c.kind == ChannelKind::Email);
    view! {
        <section class="create-thread">
            <h2>"Create thread"</h2>
            {if channels.is_empty() {
                view! { <p class="muted">"No email, SMS or WhatsApp channel in your inboxes."</p> }.into_any()
            } else {
                view! {
                    <form on:submit=move |ev| {
                        ev.prevent_default();
                        let Some(ch) = pick() else { return };
                        start.dispatch(NewConversationInput {
                            inbox_id: ch.inbox_id,
                            contact_id: Some(contact),
                            contact: Default::default(),
                            subject: subject.get_untracked(),
                            body: body.get_untracked(),
                            channel_id: Some(ch.id),
                        });
                    }>
                        <fieldset class="channel-choice">
                            <legend>"Channel"</legend>
                            {channels.iter().map(|c| {
                                let cid: ChannelId = c.id;
                                let disabled = c.problem.is_some();
                                view! {
                                    <label class:disabled=disabled>
                                        <input type="radio" name="thread_channel" value=cid.0 disabled=disabled
                                            prop:checked=move || chosen.get() == Some(cid)
                                            on:change=move |_| chosen.set(Some(cid))/>
                                        {format!("{} · {}", c.kind.label(), c.name)}
                                        {c.problem.clone().map(|p| view! { <span class="reason muted">" — "{p}</span> })}
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                        <Show when=is_email>
                            <label>"Subject"<input name="thread_subject" prop:value=subject
                                on:input=move |ev| subject.set(event_target_value(&ev))/></label>
                        </Show>
                        <label>"Message"<textarea name="thread_body" prop:value=body
                            on:input=move |ev| body.set(event_target_value(&ev))></textarea></label>
                        <button type="submit" disabled=move || chosen.get().is_none()>"Start conversation"</button>
                        {move || match start.value().get() {
                            Some(Err(e)) => Some(view! { <p class="error" role="alert">{error_text(&e)}</p> }),
                            _ => None,
                        }}
                    </form>
                }.into_any()
            }}
        </section>
    }
}

/// Merging: find the other record of this person and fold it in.
#[component]
fn MergeContact(into: Contact, version: RwSignal<u32>) -> impl IntoView {
    let q = RwSignal::new(String::new());
    let found = Action::new(|q: &String| search_contacts(q.clone()));
    let merge = Action::new(move |from: &ContactId| merge_contacts(into.id, *from));
    Effect::new(move |_| {
        if let Some(Ok(_)) = merge.value().get() {
            q.set(String::new());
            version.update(|v| *v += 1);
        }
    });
    view! {
        <section class="merge-contact">
            <h2>"Merge"</h2>
            <p class="muted">"Fold another record of this person into this one: its conversations, email and phone move here."</p>
            <form on:submit=move |ev| { ev.prevent_default(); found.dispatch(q.get_untracked()); }>
                <input name="merge_search" placeholder="Name, email or phone" prop:value=q
                    on:input=move |ev| q.set(event_target_value(&ev))/>
                <button type="submit">"Find"</button>
            </form>
            <ul class="merge-candidates">
                {move || found.value().get().map(|r| match r {
                    Ok(list) => list.into_iter().filter(|c| c.id != into.id).map(|c| {
                        let from = c.id;
                        let who = [Some(c.name.clone()), c.email.clone(), c.phone.clone()]
                            .into_iter().flatten().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
                        view! {
                            <li>{who}" "<button type="button" on:click=move |_| { merge.dispatch(from); }>"Merge into this contact"</button></li>
                        }
                    }).collect_view().into_any(),
                    Err(e) => view! { <li class="error">{error_text(&e)}</li> }.into_any(),
                })}
            </ul>
            {move || match merge.value().get() {
                Some(Ok(_)) => Some(view! { <p class="ok" role="status">"Merged."</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any()),
                None => None,
            }}
        </section>
    }
}

/// The messages, grouped by date, with a button for older ones.
#[component]
fn Timeline(id: ContactId, entries: Vec<TimelineEntry>, next: Option<String>) -> impl IntoView {
    let shown = RwSignal::new(entries);
    let next = RwSignal::new(next);
    let more = Action::new(move |c: &String| contact_timeline(id, Some(c.clone())));
    Effect::new(move |_| {
        if let Some(Ok(p)) = more.value().get() {
            shown.update(|s| s.extend(p.entries));
            next.set(p.next_cursor);
        }
    });
    let days = move || {
        let mut out: Vec<(String, Vec<TimelineEntry>)> = vec![];
        for e in shown.get() {
            let day = e.created_at.date_string();
            match out.last_mut() {
                Some((d, list)) if *d == day => list.push(e),
                _ => out.push((day, vec![e])),
            }
        }
        out
    };
    view! {
        {move || if shown.with(Vec::is_empty) { Some(view! { <p class="muted">"No messages yet."</p> }) } else { None }}
        {move || days().into_iter().map(|(day, list)| view! {
            <h3 class="day">{day}</h3>
            <ol class="entries">
                {list.into_iter().map(|e| view! { <Entry e/> }).collect_view()}
            </ol>
        }).collect_view()}
        {move || next.get().map(|c| view! {
            <button type="button" class="link" on:click=move |_| { more.dispatch(c.clone()); }>"Older messages"</button>
        })}
    }
}

#[component]
fn Entry(e: TimelineEntry) -> impl IntoView {
    let (class, way) = match e.direction {
        Direction::Inbound => ("in", "from"),
        Direction::Outbound => ("out", "to"),
        Direction::Note => ("note", "note"),
    };
    let channel = if e.direction == Direction::Note { "Note".to_string() } else { e.channel_kind.label().to_string() };
    view! {
        <li class=format!("entry {class}") data-channel=e.channel_kind.as_str()>
            <span class="when">{e.created_at.time_string()}</span>
            <span class="chip">{channel}</span>
            <span class="who">{format!("{way} · {}", e.sender_name)}</span>
            <a class="thread" href=conversation_href(e.conversation_id)>{if e.conversation_subject.is_empty() {
                format!("Conversation #{}", e.conversation_id)
            } else {
                e.conversation_subject.clone()
            }}</a>
            <p class="body">{e.body.clone()}</p>
        </li>
    }
}
