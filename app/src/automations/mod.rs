//! Automations: trigger -> conditions -> actions, with durable timers; the
//! inbox auto-responder runs on the same job queue.

#[cfg(feature = "ssr")]
pub mod act;
pub mod api;
#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod eval;
#[cfg(feature = "ssr")]
pub mod jobs;
pub mod model;
pub mod notify;
pub mod recipes;
#[cfg(feature = "ssr")]
pub mod server;
pub mod view;
#[cfg(feature = "ssr")]
pub mod webhook;

#[cfg(feature = "ssr")]
tokio::task_local! {
    /// Set while a rule's actions run: the events those actions write name
    /// the rule (activity line "… by rule 'X'") and carry the chain of
    /// rules that led to them, which the engine uses to refuse loops.
    pub static RULE: RuleContext;
}

/// The rule whose actions are running, and the rules before it in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleContext {
    pub name: String,
    pub chain: Vec<crate::ids::AutomationId>,
}

#[cfg(feature = "ssr")]
impl RuleContext {
    /// The running rule, if any (outside a rule run: `None`).
    pub fn current() -> Option<RuleContext> {
        RULE.try_with(|r| r.clone()).ok()
    }
}
