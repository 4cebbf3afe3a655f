//! Settings → Templates: everyone sees the list (it is the key to the
//! composer's shortcuts); admins add, edit and delete. The server checks
//! the role again: hiding the form is no access rule.

use leptos::prelude::*;

use crate::error::AppError;
use crate::ids::TemplateId;
use crate::templates::api::{delete_template, save_template};
use crate::templates::model::{field_help, Template, TemplateInput, TemplateKind};

/// The form's fields, kept apart so Edit can fill and Cancel can clear them.
#[derive(Clone, Copy)]
struct Draft {
    editing: RwSignal<Option<TemplateId>>,
    name: RwSignal<String>,
    shortcut: RwSignal<String>,
    kind: RwSignal<TemplateKind>,
    subject: RwSignal<String>,
    body: RwSignal<String>,
}

impl Draft {
    fn new() -> Self {
        Self {
            editing: RwSignal::new(None),
            name: RwSignal::new(String::new()),
            shortcut: RwSignal::new(String::new()),
            kind: RwSignal::new(TemplateKind::Email),
            subject: RwSignal::new(String::new()),
            body: RwSignal::new(String::new()),
        }
    }

    fn fill(&self, t: &Template) {
        self.editing.set(Some(t.id));
        self.name.set(t.name.clone());
        self.shortcut.set(t.shortcut.clone());
        self.kind.set(t.kind);
        self.subject.set(t.subject.clone());
        self.body.set(t.body.clone());
    }

    fn clear(&self) {
        self.editing.set(None);
        self.name.set(String::new());
        self.shortcut.set(String::new());
        self.kind.set(TemplateKind::Email);
        self.subject.set(String::new());
        self.body.set(String::new());
    }

    fn input(&self) -> TemplateInput {
        let kind = self.kind.get_untracked();
        TemplateInput {
            name: self.name.get_untracked(),
            shortcut: self.shortcut.get_untracked(),
            kind,
            // A text template has no subject; one typed before switching
            // the kind is not sent.
            subject: if kind == TemplateKind::Email { self.subject.get_untracked() } else { String::new() },
            body: self.body.get_untracked(),
        }
    }
}

/// The first line of a body, shortened for the list.
fn excerpt(body: &str) -> String {
    let line = body.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    match line.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

#[component]
pub fn TemplatesSettings(is_admin: bool) -> impl IntoView {
    let data = crate::settings::use_settings().templates;
    let templates = data.items;
    let draft = Draft::new();
    let remove = Action::new(|id: &TemplateId| delete_template(*id));
    Effect::new(move |_| {
        if remove.value().get().is_some() {
            data.reload();
        }
    });
    view! {
        <section class="templates">
            <h2>"Templates"</h2>
            <p class="muted">"Canned replies. In a reply, type / and a shortcut at the start (/refund) to pick one, see it filled in for the conversation, and insert it. Email templates have a subject and a body; SMS / WhatsApp ones a body only."</p>
            <details class="merge-fields">
                <summary>"Merge fields"</summary>
                <ul>
                    {field_help().into_iter().map(|(token, what)| view! { <li><code>{token}</code>" — "{what}</li> }).collect_view()}
                </ul>
                <p class="muted">"An empty field prints nothing; write a fallback after a bar to use instead: {{contact.first_name|there}}."</p>
            </details>
            <table class="template-table">
                <thead><tr><th>"Shortcut"</th><th>"Name"</th><th>"For"</th><th>"Text"</th><th></th></tr></thead>
                <tbody>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            templates.await.unwrap_or_default().into_iter().map(|t: Template| {
                                let id = t.id;
                                let for_edit = t.clone();
                                view! {
                                    <tr data-template=t.shortcut.clone()>
                                        <td><code>"/"{t.shortcut.clone()}</code></td>
                                        <td>{t.name.clone()}</td>
                                        <td>{t.kind.label()}</td>
                                        <td class="muted">{excerpt(&t.body)}</td>
                                        <td>
                                            <Show when=move || is_admin>
                                                <button type="button" class="link" on:click={
                                                    let t = for_edit.clone();
                                                    move |_| draft.fill(&t)
                                                }>"Edit"</button>
                                                " "
                                                <button type="button" class="link" on:click=move |_| { remove.dispatch(id); }>"Delete"</button>
                                            </Show>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()
                        })}
                    </Transition>
                </tbody>
            </table>
            {move || match remove.value().get() {
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.to_string()}</p> }),
                _ => None,
            }}
            <Show when=move || is_admin fallback=|| view! { <p class="muted">"Only admins can add or change templates."</p> }>
                <TemplateForm draft on_saved=move || data.reload()/>
            </Show>
        </section>
    }
}

#[component]
fn TemplateForm(draft: Draft, on_saved: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let save = Action::new(|(id, input): &(Option<TemplateId>, TemplateInput)| save_template(*id, input.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            draft.clear();
            on_saved();
        }
    });
    // The field the server refused, to mark it; the message names it too.
    let bad_field = move || match save.value().get() {
        Some(Err(AppError::Validation { field, .. })) => Some(field),
        Some(Err(AppError::Conflict { message })) if message.starts_with("shortcut") => Some("shortcut".into()),
        _ => None,
    };
    let bad = move |f: &'static str| bad_field().as_deref() == Some(f);
    let error = move || match save.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    let Draft { editing, name, shortcut, kind, subject, body } = draft;
    view! {
        <form class="template-form" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch((editing.get_untracked(), draft.input()));
        }>
            <h3>{move || if editing.get().is_some() { "Edit template" } else { "Add a template" }}</h3>
            <label class:invalid=move || bad("name")>"Name"
                <input name="template_name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
            </label>
            <label class:invalid=move || bad("shortcut")>"Shortcut (letters, digits, - and _)"
                <input name="template_shortcut" placeholder="refund" prop:value=shortcut
                    on:input=move |ev| shortcut.set(event_target_value(&ev))/>
            </label>
            <label>"For"
                <select name="template_kind" prop:value=move || kind.get().as_str().to_string()
                    on:change=move |ev| kind.set(event_target_value(&ev).parse().unwrap_or_default())>
                    {TemplateKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                </select>
            </label>
            <Show when=move || kind.get() == TemplateKind::Email>
                <label class:invalid=move || bad("subject")>"Subject (empty keeps “Re: …”)"
                    <input name="template_subject" prop:value=subject on:input=move |ev| subject.set(event_target_value(&ev))/>
                </label>
            </Show>
            <label class:invalid=move || bad("body")>"Body"
                <textarea name="template_body" rows="6" prop:value=body on:input=move |ev| body.set(event_target_value(&ev))></textarea>
            </label>
            <Show when=move || error().is_some()>
                <p class="error" role="alert">{error}</p>
            </Show>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || save.pending().get()>
                    {move || if editing.get().is_some() { "Save template" } else { "Add template" }}
                </button>
                <Show when=move || editing.get().is_some()>
                    <button type="button" on:click=move |_| draft.clear()>"Cancel"</button>
                </Show>
            </div>
        </form>
    }
}
