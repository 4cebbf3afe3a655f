//! The composer under the thread: Reply and Note modes, the channel a
//! reply goes out on, subject and Cc for email, attachments, and the `/`
//! template picker.

use leptos::prelude::*;

use super::InboxCtx;
use crate::contacts::model::ThreadChannel;
use crate::conversations::api::send_message;
use crate::error::AppError;
use crate::ids::{ChannelId, ConversationId};
use crate::messages::model::{ChannelKind, ComposeKind};
use crate::templates::view::{Picker, TemplatePicker};

/// What the composer needs to know about the open conversation.
#[derive(Clone, PartialEq)]
pub struct ComposeInfo {
    /// The conversation's channel: email shows Subject and Cc, and picks
    /// which templates fit.
    pub channel: ChannelKind,
    pub cc: Vec<String>,
    pub subject: String,
    /// Where a reply can go: the conversation's own channel first, then
    /// the contact's others, each with why it cannot be used now.
    pub channels: Vec<ThreadChannel>,
}

/// Reply and Note modes, subject and Cc for email, files, and the `/`
/// template picker. Its state lives outside the parts that refetch.
#[component]
pub fn Composer(id: ConversationId, info: Signal<Option<ComposeInfo>>) -> impl IntoView {
    let ctx = expect_context::<InboxCtx>();
    let mode = RwSignal::new(ComposeKind::Reply);
    let body = RwSignal::new(String::new());
    // CC stays as the conversation has it until the agent edits the field.
    let cc_text = RwSignal::new(String::new());
    let cc_dirty = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(i) = info.get() {
            if !cc_dirty.get_untracked() {
                cc_text.set(i.cc.join(", "));
            }
        }
    });
    // The channel the agent picked; `None` is the conversation's own.
    let via = RwSignal::new(None::<ChannelId>);
    let channel = Signal::derive(move || {
        info.get().map(|i| match via.get() {
            Some(v) => i.channels.iter().find(|c| c.id == v).map_or(i.channel, |c| c.kind),
            None => i.channel,
        })
    });
    let is_email = move || channel.get() == Some(ChannelKind::Email);
    // Files upload as soon as they are picked; the reply carries their ids.
    let files = RwSignal::new(Vec::<crate::attachments::Upload>::new());
    let subject = RwSignal::new(String::new());
    let picker = Picker::new(id, body, subject, mode, channel);
    let uploading = RwSignal::new(0usize);
    let upload_error = RwSignal::new(None::<String>);
    let send = Action::new(move |(k, b, cc): &(ComposeKind, String, Option<Vec<String>>)| {
        let ids = files.get_untracked().iter().map(|f| f.id).collect();
        let subject = Some(subject.get_untracked()).filter(|s| !s.trim().is_empty());
        send_message(id, *k, b.clone(), cc.clone(), ids, subject, via.get_untracked())
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = send.value().get() {
            body.set(String::new());
            subject.set(String::new());
            files.set(vec![]);
            cc_dirty.set(false);
            ctx.thread_version.update(|v| *v += 1);
        }
    });
    let error = move || match send.value().get() {
        Some(Err(AppError::Validation { field, message })) => Some(format!("{field}: {message}")),
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <form class="composer" class:note-mode=move || mode.get() == ComposeKind::Note on:submit=move |ev| {
            ev.prevent_default();
            let cc = (cc_dirty.get_untracked() && mode.get_untracked() == ComposeKind::Reply)
                .then(|| cc_text.get_untracked().split([',', ';']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect());
            send.dispatch((mode.get_untracked(), body.get_untracked(), cc));
        }>
            <div class="modes" role="tablist">
                <button type="button" role="tab" class:active=move || mode.get() == ComposeKind::Reply
                    on:click=move |_| mode.set(ComposeKind::Reply)>"Reply"</button>
                <button type="button" role="tab" class:active=move || mode.get() == ComposeKind::Note
                    on:click=move |_| mode.set(ComposeKind::Note)>"Note"</button>
            </div>
            <Show when=move || mode.get() == ComposeKind::Reply && info.get().is_some_and(|i| i.channels.len() > 1)>
                <label class="via">"Send via"
                    <select name="via" on:change=move |ev| via.set(event_target_value(&ev).parse().ok().map(ChannelId))>
                        {move || info.get().map(|i| i.channels.into_iter().enumerate().map(|(n, c)| {
                            let cid = c.id;
                            let disabled = c.problem.is_some() && n > 0;
                            let label = match &c.problem {
                                Some(p) => format!("{} ({}) — {p}", c.name, c.kind.label()),
                                None => format!("{} ({})", c.name, c.kind.label()),
                            };
                            // The conversation's own channel stays selectable: a reply
                            // there is kept as failed with the reason, and can be retried.
                            view! {
                                <option value=cid.0.to_string() disabled=disabled
                                    selected=move || via.get().map_or(n == 0, |v| v == cid)>{label}</option>
                            }
                        }).collect_view())}
                    </select>
                </label>
            </Show>
            <Show when=move || is_email() && mode.get() == ComposeKind::Reply>
                <label class="cc">"Subject"
                    <input name="subject" placeholder=move || info.get().map(|i| format!("Re: {}", i.subject)).unwrap_or_default()
                        prop:value=subject on:input=move |ev| subject.set(event_target_value(&ev))/>
                </label>
                <label class="cc">"Cc"
                    <input name="cc" placeholder="Add people to copy, comma separated" prop:value=cc_text
                        on:input=move |ev| { cc_dirty.set(true); cc_text.set(event_target_value(&ev)); }/>
                </label>
            </Show>
            <TemplatePicker picker/>
            <textarea name="body" rows="3"
                placeholder=move || if mode.get() == ComposeKind::Note { "Internal note — only your team sees this" } else { "Reply to the customer… (/ for templates)" }
                prop:value=body on:input=move |ev| body.set(event_target_value(&ev))
                on:keydown=move |ev| picker.on_key(&ev)></textarea>
            <div class="files">
                <label class="attach">"Attach files"
                    <input type="file" name="files" multiple on:change=move |_ev| {
                        #[cfg(feature = "hydrate")]
                        for file in crate::attachments::client::chosen(&_ev) {
                            uploading.update(|n| *n += 1);
                            leptos::task::spawn_local(async move {
                                match crate::attachments::client::upload(file).await {
                                    Ok(u) => files.update(|f| f.push(u)),
                                    Err(e) => upload_error.set(Some(e)),
                                }
                                uploading.update(|n| *n -= 1);
                            });
                        }
                    }/>
                </label>
                <ul class="chosen">
                    {move || files.get().into_iter().map(|f| {
                        let fid = f.id;
                        view! {
                            <li class="chip">{f.name.clone()}
                                <button type="button" class="link" aria-label=format!("Remove {}", f.name)
                                    on:click=move |_| files.update(|l| l.retain(|x| x.id != fid))>"×"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <Show when=move || { uploading.get() > 0 }><span class="muted">"Uploading…"</span></Show>
            </div>
            <Show when=move || error().is_some() || upload_error.get().is_some()>
                <p class="error" role="alert">{move || upload_error.get().or_else(error)}</p>
            </Show>
            <button type="submit" class="primary" disabled=move || { send.pending().get() || uploading.get() > 0 }>
                {move || if mode.get() == ComposeKind::Note { "Add note" } else { "Send reply" }}
            </button>
        </form>
    }
}
