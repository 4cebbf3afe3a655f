//! Settings → Channels: the channels with their health and forwarding
//! address (with a Copy button) or Twilio / Meta webhook path, and the form
//! that adds or edits an email channel (SMS and WhatsApp channels are set
//! up over the API).
//! Also "Your signature", which email replies carry.

use leptos::prelude::*;

use crate::channels::api::{check_channel, save_channel, save_signature};
use crate::channels::model::{
    AutoReply, Channel, ChannelInput, EmailSettings, FromNameStyle, HealthStatus, SmtpSecurity, SmtpSettings,
};
use crate::error::AppError;
use crate::ids::{ChannelId, InboxId};
use crate::inboxes::model::Inbox;
use crate::messages::model::ChannelKind;

/// The email channel form's fields.
#[derive(Clone, Copy)]
struct EmailForm {
    editing: RwSignal<Option<ChannelId>>,
    name: RwSignal<String>,
    inbox: RwSignal<String>,
    enabled: RwSignal<bool>,
    address: RwSignal<String>,
    from_name: RwSignal<String>,
    style: RwSignal<FromNameStyle>,
    host: RwSignal<String>,
    port: RwSignal<String>,
    username: RwSignal<String>,
    password: RwSignal<String>,
    security: RwSignal<SmtpSecurity>,
    signature: RwSignal<bool>,
    auto_on: RwSignal<bool>,
    auto_subject: RwSignal<String>,
    auto_body: RwSignal<String>,
    window: RwSignal<String>,
    original_sender: RwSignal<bool>,
}

impl EmailForm {
    fn new() -> Self {
        Self {
            editing: RwSignal::new(None),
            name: RwSignal::new(String::new()),
            inbox: RwSignal::new(String::new()),
            enabled: RwSignal::new(true),
            address: RwSignal::new(String::new()),
            from_name: RwSignal::new(String::new()),
            style: RwSignal::new(FromNameStyle::AgentAndCompany),
            host: RwSignal::new(String::new()),
            port: RwSignal::new("587".into()),
            username: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            security: RwSignal::new(SmtpSecurity::Starttls),
            signature: RwSignal::new(true),
            auto_on: RwSignal::new(false),
            auto_subject: RwSignal::new(String::new()),
            auto_body: RwSignal::new(String::new()),
            window: RwSignal::new("7".into()),
            original_sender: RwSignal::new(true),
        }
    }

    fn load(&self, c: &Channel) {
        let s: Option<EmailSettings> = serde_json::from_value(c.settings.clone()).ok();
        let Some(s) = s else { return };
        self.editing.set(Some(c.id));
        self.name.set(c.name.clone());
        self.inbox.set(c.inbox_id.to_string());
        self.enabled.set(c.enabled);
        self.address.set(s.address);
        self.from_name.set(s.from_name);
        self.style.set(s.from_name_style);
        self.host.set(s.smtp.host);
        self.port.set(s.smtp.port.to_string());
        self.username.set(s.smtp.username);
        self.password.set(s.smtp.password);
        self.security.set(s.smtp.security);
        self.signature.set(s.add_signature);
        self.auto_on.set(s.auto_reply.enabled);
        self.auto_subject.set(s.auto_reply.subject);
        self.auto_body.set(s.auto_reply.body);
        self.window.set(s.reopen_window_days.to_string());
        self.original_sender.set(s.forwarded_to_original_sender);
    }

    fn reset(&self) {
        let fresh = Self::new();
        self.editing.set(None);
        for (a, b) in [(self.name, fresh.name), (self.address, fresh.address), (self.from_name, fresh.from_name)] {
            a.set(b.get_untracked());
        }
        for (a, b) in [(self.host, fresh.host), (self.username, fresh.username), (self.password, fresh.password)] {
            a.set(b.get_untracked());
        }
        self.auto_subject.set(String::new());
        self.auto_body.set(String::new());
        self.auto_on.set(false);
        self.port.set("587".into());
        self.window.set("7".into());
        self.enabled.set(true);
    }

    /// The input, or the first field that is not a number.
    fn input(&self) -> Result<ChannelInput, AppError> {
        let port = self
            .port
            .get_untracked()
            .trim()
            .parse::<u16>()
            .map_err(|_| AppError::invalid("settings.smtp.port", "must be a number between 1 and 65535"))?;
        let window = self
            .window
            .get_untracked()
            .trim()
            .parse::<u32>()
            .map_err(|_| AppError::invalid("settings.reopenWindowDays", "must be a whole number of days"))?;
        let inbox =
            self.inbox.get_untracked().parse::<i64>().map_err(|_| AppError::invalid("inboxId", "choose an inbox"))?;
        let settings = EmailSettings {
            address: self.address.get_untracked(),
            from_name: self.from_name.get_untracked(),
            from_name_style: self.style.get_untracked(),
            smtp: SmtpSettings {
                host: self.host.get_untracked(),
                port,
                username: self.username.get_untracked(),
                password: self.password.get_untracked(),
                security: self.security.get_untracked(),
            },
            add_signature: self.signature.get_untracked(),
            auto_reply: AutoReply {
                enabled: self.auto_on.get_untracked(),
                subject: self.auto_subject.get_untracked(),
                body: self.auto_body.get_untracked(),
            },
            reopen_window_days: window,
            forwarded_to_original_sender: self.original_sender.get_untracked(),
        };
        Ok(ChannelInput {
            name: self.name.get_untracked(),
            kind: ChannelKind::Email,
            inbox_id: InboxId(inbox),
            enabled: self.enabled.get_untracked(),
            settings: serde_json::to_value(settings).map_err(|_| AppError::Internal)?,
        })
    }
}

fn error_text(e: &AppError) -> String {
    match e {
        AppError::Validation { field, message } => format!("{field}: {message}"),
        e => e.to_string(),
    }
}

/// Settings → Channels.
#[component]
pub fn ChannelsSettings() -> impl IntoView {
    let data = crate::settings::use_settings();
    let (version, channels, inboxes) = (data.channels.version, data.channels.items, data.inboxes.items);
    let form = EmailForm::new();
    let save = Action::new(move |(id, input): &(Option<ChannelId>, ChannelInput)| save_channel(*id, input.clone()));
    let local_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            form.reset();
            version.update(|v| *v += 1);
        }
    });
    let save_error = move || {
        local_error.get().or_else(|| match save.value().get() {
            Some(Err(e)) => Some(error_text(&e)),
            _ => None,
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match form.input() {
            Ok(input) => {
                local_error.set(None);
                save.dispatch((form.editing.get_untracked(), input));
            }
            Err(e) => local_error.set(Some(error_text(&e))),
        }
    };
    let checkbox = |sig: RwSignal<bool>| move |ev: leptos::ev::Event| sig.set(event_target_checked(&ev));
    let text = |sig: RwSignal<String>| move |ev: leptos::ev::Event| sig.set(event_target_value(&ev));
    view! {
        <section class="channels">
            <h2>"Channels"</h2>
            <p class="muted">"Forward your support address (for example support@yourcompany.com) to a channel's forwarding address in your mail provider's settings (Gmail: Settings → Forwarding; Microsoft 365: a mail flow rule or mailbox forwarding). Replies go out through the outgoing server you set here."</p>
            <ul class="channel-list">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        channels.await.unwrap_or_default().into_iter().map(|c| view! { <ChannelRow c form version/> }).collect_view()
                    })}
                </Transition>
            </ul>
            <h3>{move || if form.editing.get().is_some() { "Edit email channel" } else { "Add an email channel" }}</h3>
            <form class="channel-form" on:submit=submit>
                <label>"Name"<input name="channel_name" prop:value=form.name on:input=text(form.name) placeholder="Support email"/></label>
                <label>"Email address"<input name="address" type="email" prop:value=form.address on:input=text(form.address) placeholder="support@yourcompany.com"/></label>
                <label>"From name"<input name="from_name" prop:value=form.from_name on:input=text(form.from_name) placeholder="Acme Support"/></label>
                <label>"From name shows"
                    <select name="from_name_style" on:change=move |ev| form.style.set(event_target_value(&ev).parse().unwrap_or(FromNameStyle::AgentAndCompany))>
                        {FromNameStyle::ALL.iter().map(|s| view! {
                            <option value=s.as_str() selected=move || form.style.get() == *s>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"New conversations go to"
                    <select name="inbox" on:change=text(form.inbox)>
                        <option value="">"Choose an inbox"</option>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                let list: Vec<Inbox> = inboxes.await.unwrap_or_default();
                                list.into_iter().map(|i| {
                                    let v = i.id.to_string();
                                    let v2 = v.clone();
                                    view! { <option value=v selected=move || form.inbox.get() == v2>{i.name}</option> }
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                </label>
                <fieldset>
                    <legend>"Outgoing mail server (SMTP)"</legend>
                    <label>"Host"<input name="smtp_host" prop:value=form.host on:input=text(form.host) placeholder="smtp.yourprovider.com"/></label>
                    <label>"Port"<input name="smtp_port" inputmode="numeric" prop:value=form.port on:input=text(form.port)/></label>
                    <label>"Username"<input name="smtp_username" autocomplete="off" prop:value=form.username on:input=text(form.username)/></label>
                    <label>"Password"<input name="smtp_password" type="password" autocomplete="new-password" prop:value=form.password on:input=text(form.password)/></label>
                    <label>"Security"
                        <select name="smtp_security" on:change=move |ev| form.security.set(event_target_value(&ev).parse().unwrap_or(SmtpSecurity::Starttls))>
                            {SmtpSecurity::ALL.iter().map(|s| view! {
                                <option value=s.as_str() selected=move || form.security.get() == *s>{s.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </fieldset>
                <label class="check"><input type="checkbox" name="add_signature" prop:checked=form.signature on:change=checkbox(form.signature)/>"Add the agent's signature to replies"</label>
                <label class="check"><input type="checkbox" name="original_sender" prop:checked=form.original_sender on:change=checkbox(form.original_sender)/>"Log mail a teammate forwards to its original sender"</label>
                <label>"Reopen window (days)"<input name="reopen_window" inputmode="numeric" prop:value=form.window on:input=text(form.window)/></label>
                <label class="check"><input type="checkbox" name="auto_reply" prop:checked=form.auto_on on:change=checkbox(form.auto_on)/>"Auto-reply to new conversations"</label>
                <Show when=move || form.auto_on.get()>
                    <label>"Auto-reply subject"<input name="auto_subject" prop:value=form.auto_subject on:input=text(form.auto_subject) placeholder="Re: (their subject)"/></label>
                    <label>"Auto-reply message"<textarea name="auto_body" prop:value=form.auto_body on:input=text(form.auto_body)></textarea></label>
                </Show>
                <label class="check"><input type="checkbox" name="enabled" prop:checked=form.enabled on:change=checkbox(form.enabled)/>"Channel is on"</label>
                <Show when=move || save_error().is_some()>
                    <p class="error" role="alert">{save_error}</p>
                </Show>
                <div class="row">
                    <button type="submit" class="primary" disabled=move || save.pending().get()>
                        {move || if form.editing.get().is_some() { "Save channel" } else { "Add channel" }}
                    </button>
                    <Show when=move || form.editing.get().is_some()>
                        <button type="button" on:click=move |_| form.reset()>"Cancel"</button>
                    </Show>
                </div>
            </form>
        </section>
    }
}

#[component]
fn ChannelRow(c: Channel, form: EmailForm, version: RwSignal<u32>) -> impl IntoView {
    let check = Action::new(move |id: &ChannelId| check_channel(*id));
    let toggle = Action::new(move |(id, input): &(ChannelId, ChannelInput)| save_channel(Some(*id), input.clone()));
    Effect::new(move |_| {
        if check.value().get().is_some() || toggle.value().get().is_some() {
            version.update(|v| *v += 1);
        }
    });
    let health = c.health.clone();
    let health_class = format!("health health-{}", health.status.as_str());
    let id = c.id;
    let fwd = c.forwarding_address.clone();
    let is_email = c.kind == ChannelKind::Email;
    let checkable = matches!(c.kind, ChannelKind::Email | ChannelKind::Sms | ChannelKind::Whatsapp);
    // The path Twilio posts to; the admin puts the public URL before it.
    let sms_hook = (c.kind == ChannelKind::Sms).then(|| format!("/hooks/sms/{}", c.token));
    // The callback URL's path for the Meta app; its verify token is the
    // channel's (write-only, so only whether one is set is shown).
    let wa_hook = (c.kind == ChannelKind::Whatsapp).then(|| {
        let set = c.settings.get("verifyToken").and_then(|v| v.as_str()).is_some_and(|v| !v.is_empty());
        (format!("/hooks/whatsapp/{}", c.token), set)
    });
    // The one line a site pastes. Parley's address is the page's own
    // origin, read once the page runs (the server render leaves it out).
    let widget_token = (c.kind == ChannelKind::Widget).then(|| c.token.clone());
    let origin = RwSignal::new(String::new());
    Effect::new(move |_| origin.set(page_origin()));
    let edit = c.clone();
    let flip = ChannelInput {
        name: c.name.clone(),
        kind: c.kind,
        inbox_id: c.inbox_id,
        enabled: !c.enabled,
        settings: c.settings.clone(),
    };
    view! {
        <li class="channel" data-channel=c.id.to_string()>
            <div class="channel-head">
                <strong>{c.name.clone()}</strong>
                <span class="tag">{c.kind.label()}</span>
                <span class=health_class>{health.status.label()}</span>
                {(!c.enabled).then(|| view! { <span class="tag off">"Off"</span> })}
            </div>
            {health.detail.clone().filter(|_| health.status != HealthStatus::Ok).map(|d| view! { <p class="muted health-detail">{d}</p> })}
            {fwd.map(|a| {
                let copy = a.clone();
                view! {
                    <p class="forwarding">"Forwarding address: "<code class="forwarding-address">{a}</code>
                        <button type="button" class="link" on:click=move |_| copy_text(&copy)>"Copy"</button>
                    </p>
                }
            })}
            {sms_hook.map(|p| view! {
                <p class="forwarding">"Twilio webhook (A message comes in, HTTP POST): your public URL followed by "<code class="sms-hook">{p}</code></p>
            })}
            {wa_hook.map(|(p, set)| view! {
                <p class="forwarding">"Meta webhook (WhatsApp \u{2192} Configuration, Callback URL): your public URL followed by "<code class="whatsapp-hook">{p}</code>
                    " \u{2014} subscribe to the messages field. "
                    {if set {
                        "Verify token: the one saved in this channel's settings (hidden here)."
                    } else {
                        "Verify token: none set yet; add verifyToken to the channel's settings first."
                    }}
                </p>
            })}
            {widget_token.map(|t| {
                let snippet = Signal::derive(move || format!("<script src=\"{}/widget.js\" data-channel=\"{t}\" async></script>", origin.get()));
                view! {
                    <p class="forwarding">"Paste into your site's pages: "<code class="widget-snippet">{snippet}</code>
                        <button type="button" class="link" on:click=move |_| copy_text(&snippet.get())>"Copy"</button>
                        " \u{2014} and list the site in allowedOrigins."
                    </p>
                }
            })}
            <Show when=move || checkable>
                <div class="row">
                    {is_email.then(|| {
                        let edit = edit.clone();
                        view! { <button type="button" on:click=move |_| form.load(&edit)>"Edit"</button> }
                    })}
                    <button type="button" on:click=move |_| { check.dispatch(id); } disabled=move || check.pending().get()>
                        {move || if check.pending().get() { "Checking…" } else { "Check connection" }}
                    </button>
                    <button type="button" on:click={
                        let flip = flip.clone();
                        move |_| { toggle.dispatch((id, flip.clone())); }
                    }>{if c.enabled { "Switch off" } else { "Switch on" }}</button>
                </div>
            </Show>
        </li>
    }
}

/// Puts text on the clipboard (browsers only; a no-op while rendering on
/// the server).
fn copy_text(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// The page's origin (`https://parley.example`); empty on the server.
fn page_origin() -> String {
    #[cfg(feature = "hydrate")]
    if let Some(o) = web_sys::window().and_then(|w| w.location().origin().ok()) {
        return o;
    }
    String::new()
}

/// The signed-in agent's signature.
#[component]
pub fn Signature() -> impl IntoView {
    let me = crate::settings::use_settings().me;
    let text = RwSignal::new(String::new());
    let save = Action::new(|s: &String| save_signature(s.clone()));
    Effect::new(move |_| {
        if let Some(Ok(Some(m))) = me.get() {
            text.set(m.user.signature.clone());
        }
    });
    view! {
        <section class="signature">
            <h2>"Your signature"</h2>
            <p class="muted">"Added to your email replies on channels that add signatures. Tokens: {{agent.name}}, {{agent.first_name}}, {{agent.last_name}}."</p>
            <form on:submit=move |ev| { ev.prevent_default(); save.dispatch(text.get_untracked()); }>
                <textarea name="signature" prop:value=text on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <button type="submit">"Save signature"</button>
                {move || match save.value().get() {
                    Some(Ok(())) => Some(view! { <span class="muted" role="status">"Saved"</span> }.into_any()),
                    Some(Err(e)) => Some(view! { <span class="error" role="alert">{error_text(&e)}</span> }.into_any()),
                    None => None,
                }}
            </form>
        </section>
    }
}
