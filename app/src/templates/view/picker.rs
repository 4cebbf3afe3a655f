//! The composer's template picker: typing `/` at the start of the body
//! opens a list of the templates that fit the reply's channel, filtered by
//! what follows (`/ref` → `/refund`); choosing one shows it filled for this
//! conversation, and Insert puts it in the composer. "No template" or
//! Escape closes the list and leaves what was typed as free writing.
//!
//! No resource here: the list loads when the picker opens (in the browser
//! only, from an event), so the server render never waits on it and a
//! template added in Settings meanwhile shows the next time it opens.

use leptos::prelude::*;

use crate::error::AppError;
use crate::ids::{ConversationId, TemplateId};
use crate::messages::model::{ChannelKind, ComposeKind};
use crate::templates::api::{list_templates, render_template};
use crate::templates::model::{matching, picker_query, RenderedTemplate, Template};

/// The picker's state, shared by the composer (whose textarea's keys drive
/// it) and the [`TemplatePicker`] that shows it.
#[derive(Clone, Copy)]
pub struct Picker {
    body: RwSignal<String>,
    subject: RwSignal<String>,
    mode: RwSignal<ComposeKind>,
    channel: Signal<Option<ChannelKind>>,
    /// Closed by Escape or "No template" until the body stops being a query.
    dismissed: RwSignal<bool>,
    /// `None` until loaded.
    templates: RwSignal<Option<Result<Vec<Template>, AppError>>>,
    /// The highlighted row (arrow keys).
    active: RwSignal<usize>,
    /// The template being previewed.
    chosen: RwSignal<Option<TemplateId>>,
    /// The preview, tagged with its template so a late answer for an
    /// earlier choice is never shown for a later one.
    preview: Action<TemplateId, (TemplateId, Result<RenderedTemplate, AppError>)>,
}

impl Picker {
    /// The picker of one composer, over its body, subject and mode.
    pub fn new(
        conversation: ConversationId,
        body: RwSignal<String>,
        subject: RwSignal<String>,
        mode: RwSignal<ComposeKind>,
        channel: Signal<Option<ChannelKind>>,
    ) -> Self {
        let preview = Action::new(move |id: &TemplateId| {
            let id = *id;
            async move { (id, render_template(id, conversation).await) }
        });
        let p = Self {
            body,
            subject,
            mode,
            channel,
            dismissed: RwSignal::new(false),
            templates: RwSignal::new(None),
            active: RwSignal::new(0),
            chosen: RwSignal::new(None),
            preview,
        };
        // A body that is no longer a query (sent, cleared, written past
        // the shortcut) resets the picker for the next `/`.
        // Opening loads the list; typing on moves the highlight back to
        // the first match.
        Effect::new(move |before: Option<(bool, Option<String>)>| {
            let query = p.query();
            if query.is_none() {
                p.dismissed.set(false);
                p.chosen.set(None);
            }
            let open = p.is_open();
            let (was_open, old_query) = before.unwrap_or((false, None));
            if open && !was_open {
                p.load();
            }
            if query != old_query {
                p.active.set(0);
            }
            (open, query)
        });
        p
    }

    fn query(&self) -> Option<String> {
        self.body.with(|b| picker_query(b).map(str::to_string))
    }

    /// Whether the list (or a preview) is showing.
    pub fn is_open(&self) -> bool {
        self.query().is_some() && !self.dismissed.get() && self.channel.get().is_some()
    }

    fn load(&self) {
        let templates = self.templates;
        leptos::task::spawn_local(async move {
            templates.set(Some(list_templates().await));
        });
    }

    /// The templates offered for what is typed now.
    fn matches(&self) -> Vec<Template> {
        let (Some(q), Some(channel)) = (self.query(), self.channel.get()) else { return vec![] };
        let mode = self.mode.get();
        self.templates.with(|t| match t {
            Some(Ok(all)) => matching(all, &q, channel, mode).into_iter().cloned().collect(),
            _ => vec![],
        })
    }

    fn choose(&self, id: TemplateId) {
        self.chosen.set(Some(id));
        self.preview.dispatch(id);
    }

    /// Closes the picker, keeping what was typed.
    fn dismiss(&self) {
        self.dismissed.set(true);
        self.chosen.set(None);
    }

    /// The preview of the chosen template, once it has arrived.
    fn rendered(&self) -> Option<Result<RenderedTemplate, AppError>> {
        let chosen = self.chosen.get()?;
        match self.preview.value().get() {
            Some((id, r)) if id == chosen => Some(r),
            _ => None,
        }
    }

    /// Fills the composer: the body, and the subject of an email reply
    /// when the template has one.
    fn insert(&self, r: &RenderedTemplate) {
        let email_reply =
            self.channel.get_untracked() == Some(ChannelKind::Email) && self.mode.get_untracked() == ComposeKind::Reply;
        if email_reply && !r.subject.trim().is_empty() {
            self.subject.set(r.subject.clone());
        }
        self.body.set(r.body.clone());
        self.dismiss();
    }

    /// The composer textarea's keys while the picker is open: arrows move,
    /// Enter chooses (or inserts the previewed one), Escape closes. Keys
    /// it takes do not reach the textarea.
    pub fn on_key(&self, ev: &leptos::ev::KeyboardEvent) {
        if !self.is_open() {
            return;
        }
        let taken = match ev.key().as_str() {
            "Escape" => {
                self.dismiss();
                true
            }
            "ArrowDown" | "ArrowUp" if self.chosen.get_untracked().is_none() => {
                let n = self.matches().len().max(1);
                let step = if ev.key() == "ArrowDown" { 1 } else { n - 1 };
                self.active.update(|a| *a = (*a + step) % n);
                true
            }
            "Enter" if !ev.shift_key() => match (self.chosen.get_untracked(), self.rendered()) {
                (Some(_), Some(Ok(r))) => {
                    self.insert(&r);
                    true
                }
                (Some(_), _) => true,
                (None, _) => match self.matches().get(self.active.get_untracked()) {
                    Some(t) => {
                        self.choose(t.id);
                        true
                    }
                    None => false,
                },
            },
            _ => false,
        };
        if taken {
            ev.prevent_default();
        }
    }
}

/// The list or the preview, above the composer's textarea.
#[component]
pub fn TemplatePicker(picker: Picker) -> impl IntoView {
    let p = picker;
    view! {
        <Show when=move || p.is_open()>
            <div class="template-picker" role="dialog" aria-label="Templates">
                {move || match p.chosen.get() {
                    None => view! { <TemplateList p/> }.into_any(),
                    Some(_) => view! { <TemplatePreview p/> }.into_any(),
                }}
            </div>
        </Show>
    }
}

#[component]
fn TemplateList(p: Picker) -> impl IntoView {
    view! {
        <ul class="template-list" role="listbox">
            {move || {
                let loaded = p.templates.with(|t| match t {
                    None => Some("Loading templates…".to_string()),
                    Some(Err(e)) => Some(e.to_string()),
                    Some(Ok(_)) => None,
                });
                if let Some(note) = loaded {
                    return view! { <li class="muted">{note}</li> }.into_any();
                }
                let matches = p.matches();
                if matches.is_empty() {
                    return view! { <li class="muted">"No template matches — keep typing to write freely."</li> }.into_any();
                }
                let active = p.active.get().min(matches.len() - 1);
                matches.into_iter().enumerate().map(|(i, t)| {
                    let id = t.id;
                    view! {
                        <li role="option" aria-selected=(i == active).to_string()>
                            <button type="button" class="template-option" class:active=i == active
                                data-shortcut=t.shortcut.clone() on:click=move |_| p.choose(id)>
                                <strong>"/"{t.shortcut.clone()}</strong>" "<span>{t.name.clone()}</span>
                                " "<span class="muted">{t.kind.label()}</span>
                            </button>
                        </li>
                    }
                }).collect_view().into_any()
            }}
            <li>
                <button type="button" class="link no-template" on:click=move |_| p.dismiss()>"No template"</button>
            </li>
        </ul>
    }
}

#[component]
fn TemplatePreview(p: Picker) -> impl IntoView {
    let email_reply = move || p.channel.get() == Some(ChannelKind::Email) && p.mode.get() == ComposeKind::Reply;
    view! {
        <div class="template-preview" role="region" aria-label="Template preview">
            {move || match p.rendered() {
                None => view! { <p class="muted">"Filling in the template…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(r)) => {
                    let subject = (email_reply() && !r.subject.is_empty()).then(|| r.subject.clone());
                    let for_insert = r.clone();
                    view! {
                        {subject.map(|s| view! { <p class="preview-subject"><span class="muted">"Subject: "</span>{s}</p> })}
                        <div class="preview-body">{r.body.clone()}</div>
                        <div class="preview-actions">
                            <button type="button" class="primary" on:click=move |_| p.insert(&for_insert)>"Insert"</button>
                            <button type="button" on:click=move |_| p.chosen.set(None)>"Back"</button>
                            <button type="button" class="link no-template" on:click=move |_| p.dismiss()>"No template"</button>
                        </div>
                    }.into_any()
                }
            }}
        </div>
    }
}
