//! Routing rules in SQL: listed in order (one indexed query), changed by
//! admins, and applied by ingest to a new conversation.

use sqlx::SqliteConnection;

use crate::conversations::model::Priority;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{InboxId, RoutingRuleId, TeamId, WorkspaceId};
use crate::routing::model::{first_match, RoutingRule, RoutingRuleInput, Sample};
use crate::time::Timestamp;
use crate::users::server::Principal;

type Row = (RoutingRuleId, String, i64, bool, String, InboxId, Option<TeamId>, Option<Priority>);

fn from_row(r: Row) -> RoutingRule {
    RoutingRule {
        id: r.0,
        name: r.1,
        position: r.2,
        enabled: r.3,
        conditions: serde_json::from_str(&r.4).unwrap_or_default(),
        inbox_id: r.5,
        team_id: r.6,
        priority: r.7,
    }
}

/// The workspace's rules in order (uses `routing_rules_order`).
pub async fn list_in(conn: &mut SqliteConnection, ws: WorkspaceId) -> AppResult<Vec<RoutingRule>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, name, position, enabled, conditions, inbox_id, team_id, priority FROM routing_rules
         WHERE workspace_id = ? ORDER BY position, id",
    )
    .bind(ws)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// Every rule (admins only: rules name inboxes an agent may not see).
pub async fn list(db: &Db, who: &Principal) -> AppResult<Vec<RoutingRule>> {
    who.require_admin()?;
    let mut conn = db.pool.acquire().await?;
    list_in(&mut conn, who.workspace_id).await
}

/// The rule a new conversation like `sample` would hit.
pub async fn route(conn: &mut SqliteConnection, ws: WorkspaceId, sample: &Sample) -> AppResult<Option<RoutingRule>> {
    let rules = list_in(conn, ws).await?;
    Ok(first_match(&rules, sample).cloned())
}

/// The "test this rule" box: which rule a sample message would hit.
pub async fn test(db: &Db, who: &Principal, sample: &Sample) -> AppResult<Option<RoutingRule>> {
    who.require_admin()?;
    let mut conn = db.pool.acquire().await?;
    route(&mut conn, who.workspace_id, sample).await
}

async fn check_targets(conn: &mut SqliteConnection, ws: WorkspaceId, input: &RoutingRuleInput) -> AppResult<()> {
    let inbox: Option<i64> = sqlx::query_scalar("SELECT id FROM inboxes WHERE id = ? AND workspace_id = ?")
        .bind(input.inbox_id)
        .bind(ws)
        .fetch_optional(&mut *conn)
        .await?;
    if inbox.is_none() {
        return Err(AppError::invalid("inboxId", "no such inbox"));
    }
    if let Some(team) = input.team_id {
        let t: Option<i64> = sqlx::query_scalar("SELECT id FROM teams WHERE id = ? AND workspace_id = ?")
            .bind(team)
            .bind(ws)
            .fetch_optional(&mut *conn)
            .await?;
        if t.is_none() {
            return Err(AppError::invalid("teamId", "no such team"));
        }
    }
    for (i, ch) in input.conditions.channel_ids.iter().enumerate() {
        let c: Option<i64> = sqlx::query_scalar("SELECT id FROM channels WHERE id = ? AND workspace_id = ?")
            .bind(ch)
            .bind(ws)
            .fetch_optional(&mut *conn)
            .await?;
        if c.is_none() {
            return Err(AppError::invalid(format!("conditions.channelIds[{i}]"), "no such channel"));
        }
    }
    Ok(())
}

/// Puts rule `id` at `position` (1-based) and renumbers the rest 1..n.
async fn reorder(conn: &mut SqliteConnection, ws: WorkspaceId, id: RoutingRuleId, position: i64) -> AppResult<()> {
    let mut ids: Vec<RoutingRuleId> =
        sqlx::query_scalar("SELECT id FROM routing_rules WHERE workspace_id = ? AND id <> ? ORDER BY position, id")
            .bind(ws)
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let at = ((position - 1).max(0) as usize).min(ids.len());
    ids.insert(at, id);
    for (i, rid) in ids.iter().enumerate() {
        sqlx::query("UPDATE routing_rules SET position = ? WHERE id = ?")
            .bind(i as i64 + 1)
            .bind(rid)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn get_in(conn: &mut SqliteConnection, ws: WorkspaceId, id: RoutingRuleId) -> AppResult<RoutingRule> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, name, position, enabled, conditions, inbox_id, team_id, priority FROM routing_rules
         WHERE id = ? AND workspace_id = ?",
    )
    .bind(id)
    .bind(ws)
    .fetch_optional(conn)
    .await?;
    row.map(from_row).ok_or_else(|| AppError::not_found("routing rule"))
}

fn conditions_json(input: &RoutingRuleInput) -> String {
    serde_json::to_string(&input.conditions).unwrap_or_else(|_| "{}".into())
}

/// Adds a rule (admins only); last unless a position is given.
pub async fn create(db: &Db, who: &Principal, input: &RoutingRuleInput) -> AppResult<RoutingRule> {
    who.require_admin()?;
    input.validate()?;
    let mut tx = db.write().await?;
    check_targets(&mut tx, who.workspace_id, input).await?;
    let id: RoutingRuleId = sqlx::query_scalar(
        "INSERT INTO routing_rules (workspace_id, name, position, enabled, conditions, inbox_id, team_id, priority,
                                    created_at)
         VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM routing_rules WHERE workspace_id = ?), ?, ?, ?, ?, ?, ?)
         RETURNING id",
    )
    .bind(who.workspace_id)
    .bind(input.name.trim())
    .bind(who.workspace_id)
    .bind(input.enabled)
    .bind(conditions_json(input))
    .bind(input.inbox_id)
    .bind(input.team_id)
    .bind(input.priority)
    .bind(Timestamp::now())
    .fetch_one(&mut *tx)
    .await?;
    if let Some(p) = input.position {
        reorder(&mut tx, who.workspace_id, id, p).await?;
    }
    let rule = get_in(&mut tx, who.workspace_id, id).await?;
    tx.commit().await?;
    Ok(rule)
}

/// Replaces a rule (admins only).
pub async fn update(db: &Db, who: &Principal, id: RoutingRuleId, input: &RoutingRuleInput) -> AppResult<RoutingRule> {
    who.require_admin()?;
    input.validate()?;
    let mut tx = db.write().await?;
    get_in(&mut tx, who.workspace_id, id).await?;
    check_targets(&mut tx, who.workspace_id, input).await?;
    sqlx::query(
        "UPDATE routing_rules SET name = ?, enabled = ?, conditions = ?, inbox_id = ?, team_id = ?, priority = ?
         WHERE id = ?",
    )
    .bind(input.name.trim())
    .bind(input.enabled)
    .bind(conditions_json(input))
    .bind(input.inbox_id)
    .bind(input.team_id)
    .bind(input.priority)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if let Some(p) = input.position {
        reorder(&mut tx, who.workspace_id, id, p).await?;
    }
    let rule = get_in(&mut tx, who.workspace_id, id).await?;
    tx.commit().await?;
    Ok(rule)
}

/// Removes a rule (admins only).
pub async fn delete(db: &Db, who: &Principal, id: RoutingRuleId) -> AppResult<()> {
    who.require_admin()?;
    let done = sqlx::query("DELETE FROM routing_rules WHERE id = ? AND workspace_id = ?")
        .bind(id)
        .bind(who.workspace_id)
        .execute(&db.writer)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::not_found("routing rule"));
    }
    Ok(())
}
