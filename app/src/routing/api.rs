//! Server functions for Settings → Routing (admins).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::ids::RoutingRuleId;
use crate::routing::model::{RoutingRule, RoutingRuleInput, Sample};

/// The rules in order.
#[server(input = Json)]
pub async fn list_routing_rules() -> Result<Vec<RoutingRule>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::routing::server::list(&state.db, &who).await
}

/// Creates (`id` = None) or replaces a rule.
#[server(input = Json)]
pub async fn save_routing_rule(id: Option<RoutingRuleId>, input: RoutingRuleInput) -> Result<RoutingRule, AppError> {
    let (state, who) = crate::users::session::require().await?;
    match id {
        None => crate::routing::server::create(&state.db, &who, &input).await,
        Some(id) => crate::routing::server::update(&state.db, &who, id, &input).await,
    }
}

/// Removes a rule.
#[server(input = Json)]
pub async fn delete_routing_rule(id: RoutingRuleId) -> Result<(), AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::routing::server::delete(&state.db, &who, id).await
}

/// "Test this rule": the rule a sample message would hit, if any.
#[server(input = Json)]
pub async fn test_routing(sample: Sample) -> Result<Option<RoutingRule>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    crate::routing::server::test(&state.db, &who, &sample).await
}
