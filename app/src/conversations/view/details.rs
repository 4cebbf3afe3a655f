//! The right pane: the contact (editable, validated), the conversation's
//! facts, and the contact's other conversations. It can be hidden.

use leptos::prelude::*;
use leptos_router::components::A;

use super::url::{use_inbox_url, Selected};
use crate::contacts::model::{Contact, ContactInput};
use crate::conversations::api::{update_contact, ConversationDetail};
use crate::error::AppError;
use crate::ids::ContactId;

/// The contact form's fields, owned by the thread pane so a refetch of
/// the conversation does not reset what the agent is editing. `None` means
/// "untouched: show the stored value".
#[derive(Clone, Copy)]
pub struct ContactDraft {
    name: RwSignal<Option<String>>,
    email: RwSignal<Option<String>>,
    phone: RwSignal<Option<String>>,
    hidden: RwSignal<bool>,
    save: Action<(ContactId, ContactInput), Result<Contact, AppError>>,
}

impl ContactDraft {
    /// An untouched draft.
    pub fn new() -> Self {
        Self {
            name: RwSignal::new(None),
            email: RwSignal::new(None),
            phone: RwSignal::new(None),
            hidden: RwSignal::new(false),
            save: Action::new(|(id, input): &(ContactId, ContactInput)| update_contact(*id, input.clone())),
        }
    }
}

/// The details pane for an open conversation.
#[component]
pub fn DetailsPane(d: ConversationDetail, draft: ContactDraft) -> impl IntoView {
    let url = use_inbox_url();
    let hidden = draft.hidden;
    let c = d.contact.clone();
    let field = move |sig: RwSignal<Option<String>>, stored: String| {
        Signal::derive(move || sig.get().unwrap_or_else(|| stored.clone()))
    };
    let name = field(draft.name, c.name.clone());
    let email = field(draft.email, c.email.clone().unwrap_or_default());
    let phone = field(draft.phone, c.phone.clone().unwrap_or_default());
    let contact_id = c.id;
    let save = draft.save;
    let status = move || match save.value().get() {
        Some(Ok(_)) => Some(("ok", "Saved".to_string())),
        Some(Err(AppError::Validation { field, message })) => Some(("error", format!("{field}: {message}"))),
        Some(Err(e)) => Some(("error", e.to_string())),
        None => None,
    };
    let back = move || {
        let mut u = url.get();
        u.details = false;
        u.href()
    };
    let s = d.summary.clone();
    let fmt = |t: Option<crate::time::Timestamp>| {
        t.map(|t| format!("{} {} UTC", t.date_string(), t.time_string())).unwrap_or_else(|| "—".into())
    };
    view! {
        <button class="toggle-details link" on:click=move |_| hidden.update(|h| *h = !*h)>
            {move || if hidden.get() { "Show details" } else { "Hide details" }}
        </button>
        <aside class="details" class:hidden=move || hidden.get()>
            <A href=back attr:class="back" attr:aria-label="Back to conversation">"← Conversation"</A>
            <section>
                <h3>"Contact" <a class="timeline-link" href=format!("/contacts/{contact_id}")>"Timeline →"</a></h3>
                <form class="contact-form" on:submit=move |ev| {
                    ev.prevent_default();
                    save.dispatch((contact_id, ContactInput {
                        name: Some(name.get_untracked()),
                        email: Some(email.get_untracked()),
                        phone: Some(phone.get_untracked()),
                    }));
                }>
                    <label>"Name"<input name="contact_name" prop:value=name on:input=move |ev| draft.name.set(Some(event_target_value(&ev)))/></label>
                    <label>"Email"<input name="contact_email" prop:value=email on:input=move |ev| draft.email.set(Some(event_target_value(&ev)))/></label>
                    <label>"Phone"<input name="contact_phone" placeholder="+15551234567" prop:value=phone on:input=move |ev| draft.phone.set(Some(event_target_value(&ev)))/></label>
                    {move || status().map(|(kind, text)| view! { <p class=kind role="status">{text}</p> })}
                    <button type="submit">"Save contact"</button>
                </form>
            </section>
            <section>
                <h3>"Conversation"</h3>
                <dl class="facts">
                    <dt>"Inbox"</dt><dd>{d.inbox_name.clone()}</dd>
                    <dt>"Channel"</dt><dd>{d.channel_name.clone()}" ("{s.channel_kind.label()}")"</dd>
                    <dt>"Assignee"</dt><dd data-testid="assignee">{s.assignee_name.clone().unwrap_or_else(|| "Unassigned".into())}</dd>
                    <dt>"Status"</dt><dd data-testid="status">{s.status.label()}
                        {s.snoozed_until.map(|t| format!(" until {} {} UTC", t.date_string(), t.time_string()))}</dd>
                    <dt>"Priority"</dt><dd>{s.priority.label()}</dd>
                    <dt>"Created"</dt><dd>{fmt(Some(s.created_at))}</dd>
                    <dt>"First response"</dt><dd>{fmt(s.first_response_at)}</dd>
                    {(!d.cc.is_empty()).then(|| view! { <dt>"Copied"</dt><dd class="cc-list">{d.cc.join(", ")}</dd> })}
                    {d.previous_conversation_id.map(|p| {
                        let href = move || url.get().with_selected(Selected::Conversation(p)).href();
                        view! { <dt>"Follows"</dt><dd><A href=href attr:class="previous">"Conversation #"{p.0}</A></dd> }
                    })}
                </dl>
            </section>
            {d.context.clone().map(|x| {
                let page = x.page_url.clone().unwrap_or_default();
                let link = x.page_href().map(str::to_string);
                view! {
                    <section class="context">
                        <h3>"Website visit"</h3>
                        <dl class="facts">
                            {(!page.is_empty()).then(|| view! {
                                <dt>"Page"</dt>
                                <dd class="page-url">{match link {
                                    Some(href) => view! { <a href=href target="_blank" rel="noopener noreferrer">{page.clone()}</a> }.into_any(),
                                    None => view! { <span>{page.clone()}</span> }.into_any(),
                                }}</dd>
                            })}
                            {x.attributes.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                        </dl>
                    </section>
                }
            })}
            <section>
                <h3>"Other conversations"</h3>
                <ul class="others">
                    {if d.others.is_empty() {
                        view! { <li class="muted">"None"</li> }.into_any()
                    } else {
                        d.others.clone().into_iter().map(|o| {
                            let oid = o.id;
                            let href = move || url.get().with_selected(Selected::Conversation(oid)).href();
                            view! {
                                <li><A href=href>{o.channel_kind.icon()}" "{if o.subject.is_empty() { o.preview.clone() } else { o.subject.clone() }}
                                    " · "{o.status.label()}</A></li>
                            }
                        }).collect_view().into_any()
                    }}
                </ul>
            </section>
        </aside>
    }
}
