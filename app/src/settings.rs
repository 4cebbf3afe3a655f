//! The Settings page's data: every resource its sections show, created
//! once at the top of the page and shared through context.
//!
//! Why: the sections render inside the page's `<Suspense>` (they wait for
//! who is signed in). A resource created inside a section was created
//! again on each of the server render's passes over that boundary, each
//! new one a new pending task; under load a pass could keep finding one
//! and the page's HTML stopped short of its end for good (the same fault
//! `InboxCtx` fixed for the inbox page). Sections that showed the same
//! data (the inboxes, who is signed in) now read one resource.

use leptos::prelude::*;

use crate::automations::api::list_automations;
use crate::automations::model::Automation;
use crate::channels::api::list_channels;
use crate::channels::model::Channel;
use crate::conversations::api::list_inboxes;
use crate::error::AppError;
use crate::inboxes::model::Inbox;
use crate::routing::api::list_routing_rules;
use crate::routing::model::RoutingRule;
use crate::templates::api::list_templates;
use crate::templates::model::Template;
use crate::users::api::{list_api_keys, list_users, me, SignedIn};
use crate::users::model::{ApiKeyInfo, User};

/// A list a section reloads after a change: bump `version`.
pub struct Reloadable<T: Send + Sync + 'static> {
    pub version: RwSignal<u32>,
    pub items: Resource<Result<Vec<T>, AppError>>,
}

// By hand: a derive would ask `T: Copy`, and the handles copy whatever `T` is.
impl<T: Send + Sync + 'static> Clone for Reloadable<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Reloadable<T> {}

impl<T> Reloadable<T>
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    fn new<F, Fut>(load: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<Vec<T>, AppError>> + Send + 'static,
    {
        let version = RwSignal::new(0u32);
        let items = Resource::new(move || version.get(), move |_| load());
        Self { version, items }
    }

    /// Loads the list again (after a save or delete).
    pub fn reload(&self) {
        self.version.update(|v| *v += 1);
    }
}

/// Everything the Settings page loads.
#[derive(Clone, Copy)]
pub struct SettingsCtx {
    pub me: Resource<Result<Option<SignedIn>, AppError>>,
    pub users: Reloadable<User>,
    pub api_keys: Reloadable<ApiKeyInfo>,
    pub inboxes: Reloadable<Inbox>,
    pub channels: Reloadable<Channel>,
    pub routing_rules: Reloadable<RoutingRule>,
    pub automations: Reloadable<Automation>,
    pub templates: Reloadable<Template>,
}

impl SettingsCtx {
    /// Creates the page's resources and provides them to its sections.
    pub fn provide() -> Self {
        let ctx = Self {
            me: Resource::new(|| (), |_| me()),
            users: Reloadable::new(list_users),
            api_keys: Reloadable::new(list_api_keys),
            inboxes: Reloadable::new(list_inboxes),
            channels: Reloadable::new(list_channels),
            routing_rules: Reloadable::new(list_routing_rules),
            automations: Reloadable::new(list_automations),
            templates: Reloadable::new(list_templates),
        };
        provide_context(ctx);
        ctx
    }
}

/// The Settings page's data, for a section of it.
pub fn use_settings() -> SettingsCtx {
    expect_context::<SettingsCtx>()
}
