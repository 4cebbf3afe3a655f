//! The "new conversation" form: pick or create a contact, an inbox, a
//! subject and the first message.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::url::{use_inbox_url, Selected};
use crate::contacts::model::ContactInput;
use crate::conversations::api::{start_conversation, NewConversationInput};
use crate::ids::{ContactId, InboxId};

/// The form in the middle pane.
#[component]
pub fn NewConversation() -> impl IntoView {
    let url = use_inbox_url();
    let navigate = use_navigate();
    // The page's resources (see `InboxCtx`): this form creates none.
    let ctx = expect_context::<super::InboxCtx>();
    let (inboxes, q, matches) = (ctx.pane_inboxes, ctx.contact_query, ctx.contact_matches);
    let picked = RwSignal::new(None::<(ContactId, String)>);
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let inbox = RwSignal::new(None::<InboxId>);
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let start = Action::new(|i: &NewConversationInput| start_conversation(i.clone()));
    Effect::new(move |_| {
        if let Some(Ok(c)) = start.value().get() {
            navigate(&url.get_untracked().with_selected(Selected::Conversation(c.id)).href(), Default::default());
        }
    });
    let error = move || match start.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <form class="new-conversation" on:submit=move |ev| {
            ev.prevent_default();
            let Some(inbox_id) = inbox.get_untracked().or_else(|| {
                inboxes.get_untracked().and_then(|v| v.first().map(|i| i.id))
            }) else { return };
            start.dispatch(NewConversationInput {
                inbox_id,
                contact_id: picked.get_untracked().map(|p| p.0),
                contact: ContactInput {
                    name: Some(name.get_untracked()),
                    email: Some(email.get_untracked()),
                    phone: Some(phone.get_untracked()),
                },
                subject: subject.get_untracked(),
                body: body.get_untracked(),
                channel_id: None,
            });
        }>
            <h2>"New conversation"</h2>
            <fieldset>
                <legend>"Contact"</legend>
                {move || match picked.get() {
                    Some((_, label)) => view! {
                        <p class="picked">{label}" "<button type="button" class="link" on:click=move |_| picked.set(None)>"change"</button></p>
                    }.into_any(),
                    None => view! {
                        <label>"Find a contact"<input name="contact_search" placeholder="Name, email or phone"
                            prop:value=q on:input=move |ev| q.set(event_target_value(&ev))/></label>
                        <ul class="matches">
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    matches.await.unwrap_or_default().into_iter().map(|c| {
                                        let label = format!("{} {}", c.name, c.email.clone().unwrap_or_default());
                                        let l2 = label.clone();
                                        view! { <li><button type="button" class="link" on:click=move |_| picked.set(Some((c.id, l2.clone())))>{label}</button></li> }
                                    }).collect_view()
                                })}
                            </Transition>
                        </ul>
                        <p class="muted">"…or a new contact:"</p>
                        <label>"Name"<input name="name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/></label>
                        <label>"Email"<input name="email" prop:value=email on:input=move |ev| email.set(event_target_value(&ev))/></label>
                        <label>"Phone"<input name="phone" placeholder="+15551234567" prop:value=phone on:input=move |ev| phone.set(event_target_value(&ev))/></label>
                    }.into_any(),
                }}
            </fieldset>
            <label>"Inbox"
                <select name="inbox" on:change=move |ev| inbox.set(event_target_value(&ev).parse().ok().map(InboxId))>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            inboxes.await.into_iter().map(|i| view! {
                                <option value=i.id.to_string()>{i.name}</option>
                            }).collect_view()
                        })}
                    </Transition>
                </select>
            </label>
            <label>"Subject"<input name="subject" prop:value=subject on:input=move |ev| subject.set(event_target_value(&ev))/></label>
            <label>"Message"<textarea name="body" rows="5" prop:value=body on:input=move |ev| body.set(event_target_value(&ev))></textarea></label>
            <Show when=move || error().is_some()>
                <p class="error" role="alert">{error}</p>
            </Show>
            <button type="submit" class="primary" disabled=move || start.pending().get()>"Start conversation"</button>
        </form>
    }
}
