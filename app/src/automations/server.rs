//! Automations in SQL: admins list, create, replace and delete them; the
//! engine reads the enabled ones and records each run on its rule.

use sqlx::SqliteConnection;

use crate::automations::model::{Automation, AutomationInput};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{AutomationId, ConversationId, WorkspaceId};
use crate::time::Timestamp;
use crate::users::server::Principal;

type Row = (
    AutomationId,
    String,
    bool,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<Timestamp>,
    Option<ConversationId>,
    Option<String>,
    Option<Timestamp>,
);

const SELECT: &str = "SELECT id, name, enabled, trigger, conditions, actions, recipe, run_count, last_run_at,
    last_conversation_id, last_error, last_error_at FROM automations";

/// A stored rule; `None` when its JSON no longer parses (skipped, logged).
fn from_row(r: Row) -> Option<Automation> {
    let parsed = (serde_json::from_str(&r.3), serde_json::from_str(&r.4), serde_json::from_str(&r.5));
    let (Ok(trigger), Ok(conditions), Ok(actions)) = parsed else {
        tracing::error!(automation = r.0 .0, "stored automation does not parse; skipped");
        return None;
    };
    Some(Automation {
        id: r.0,
        name: r.1,
        enabled: r.2,
        trigger,
        conditions,
        actions,
        recipe: r.6,
        run_count: r.7,
        last_run_at: r.8,
        last_conversation_id: r.9,
        last_error: r.10,
        last_error_at: r.11,
    })
}

/// The workspace's rules, oldest first (uses `automations_workspace`).
pub async fn list_in(conn: &mut SqliteConnection, ws: WorkspaceId) -> AppResult<Vec<Automation>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE workspace_id = ? ORDER BY id")).bind(ws).fetch_all(conn).await?;
    Ok(rows.into_iter().filter_map(from_row).collect())
}

/// Every rule (admins only).
pub async fn list(db: &Db, who: &Principal) -> AppResult<Vec<Automation>> {
    who.require_admin()?;
    let mut conn = db.pool.acquire().await?;
    list_in(&mut conn, who.workspace_id).await
}

/// One rule of the workspace.
pub async fn get_in(conn: &mut SqliteConnection, ws: WorkspaceId, id: AutomationId) -> AppResult<Automation> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE id = ? AND workspace_id = ?"))
        .bind(id)
        .bind(ws)
        .fetch_optional(conn)
        .await?;
    row.and_then(from_row).ok_or_else(|| AppError::not_found("automation"))
}

/// One rule (admins only).
pub async fn get(db: &Db, who: &Principal, id: AutomationId) -> AppResult<Automation> {
    who.require_admin()?;
    let mut conn = db.pool.acquire().await?;
    get_in(&mut conn, who.workspace_id, id).await
}

fn json<T: serde::Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|_| AppError::Internal)
}

/// Checks what needs the database: users and inboxes the actions name.
async fn check(conn: &mut SqliteConnection, ws: WorkspaceId, input: &AutomationInput) -> AppResult<()> {
    input.validate()?;
    crate::automations::eval::check_patterns(&input.conditions)?;
    use crate::automations::model::Action;
    for (i, a) in input.actions.iter().enumerate() {
        let (table, id) = match a {
            Action::Assign { user_id: Some(u) } => ("users", u.0),
            Action::MoveInbox { inbox_id } => ("inboxes", inbox_id.0),
            Action::AssignTeam { team_id } => ("teams", team_id.0),
            Action::Notify { user_id: Some(u), .. } => ("users", u.0),
            _ => continue,
        };
        let found: Option<i64> =
            sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE id = ? AND workspace_id = ?"))
                .bind(id)
                .bind(ws)
                .fetch_optional(&mut *conn)
                .await?;
        if found.is_none() {
            return Err(AppError::invalid(
                format!("actions[{i}]"),
                format!("no such {} #{id}", &table[..table.len() - 1]),
            ));
        }
    }
    Ok(())
}

/// Inserts a rule inside a caller's transaction.
pub async fn insert(conn: &mut SqliteConnection, ws: WorkspaceId, input: &AutomationInput) -> AppResult<AutomationId> {
    check(conn, ws, input).await?;
    Ok(sqlx::query_scalar(
        "INSERT INTO automations (workspace_id, name, enabled, trigger, conditions, actions, recipe, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(ws)
    .bind(input.name.trim())
    .bind(input.enabled)
    .bind(json(&input.trigger)?)
    .bind(json(&input.conditions)?)
    .bind(json(&input.actions)?)
    .bind(&input.recipe)
    .bind(Timestamp::now())
    .fetch_one(conn)
    .await?)
}

/// Adds a rule (admins only).
pub async fn create(db: &Db, who: &Principal, input: &AutomationInput) -> AppResult<Automation> {
    who.require_admin()?;
    let mut tx = db.write().await?;
    let id = insert(&mut tx, who.workspace_id, input).await?;
    let a = get_in(&mut tx, who.workspace_id, id).await?;
    tx.commit().await?;
    Ok(a)
}

/// Adds every rule of a recipe (admins only).
pub async fn enable_recipe(db: &Db, who: &Principal, key: &str) -> AppResult<Vec<Automation>> {
    who.require_admin()?;
    let recipe = crate::automations::recipes::find(key).ok_or_else(|| AppError::invalid("recipe", "no such recipe"))?;
    let mut tx = db.write().await?;
    let mut out = vec![];
    for input in &recipe.rules {
        let id = insert(&mut tx, who.workspace_id, input).await?;
        out.push(get_in(&mut tx, who.workspace_id, id).await?);
    }
    tx.commit().await?;
    Ok(out)
}

/// Replaces a rule (admins only). Its run history stays.
pub async fn update(db: &Db, who: &Principal, id: AutomationId, input: &AutomationInput) -> AppResult<Automation> {
    who.require_admin()?;
    let mut tx = db.write().await?;
    get_in(&mut tx, who.workspace_id, id).await?;
    check(&mut tx, who.workspace_id, input).await?;
    sqlx::query(
        "UPDATE automations SET name = ?, enabled = ?, trigger = ?, conditions = ?, actions = ?, recipe = ? WHERE id = ?",
    )
    .bind(input.name.trim())
    .bind(input.enabled)
    .bind(json(&input.trigger)?)
    .bind(json(&input.conditions)?)
    .bind(json(&input.actions)?)
    .bind(&input.recipe)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // Timers set under the old trigger no longer apply.
    sqlx::query("DELETE FROM jobs WHERE automation_id = ? AND done_at IS NULL").bind(id).execute(&mut *tx).await?;
    let a = get_in(&mut tx, who.workspace_id, id).await?;
    tx.commit().await?;
    Ok(a)
}

/// Removes a rule and its pending timers (admins only).
pub async fn delete(db: &Db, who: &Principal, id: AutomationId) -> AppResult<()> {
    who.require_admin()?;
    let done = sqlx::query("DELETE FROM automations WHERE id = ? AND workspace_id = ?")
        .bind(id)
        .bind(who.workspace_id)
        .execute(&db.writer)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::not_found("automation"));
    }
    Ok(())
}

/// Records a successful run on the rule.
pub async fn record_run(
    conn: &mut SqliteConnection,
    id: AutomationId,
    conv: ConversationId,
    at: Timestamp,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE automations SET run_count = run_count + 1, last_run_at = ?, last_conversation_id = ? WHERE id = ?",
    )
    .bind(at)
    .bind(conv)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a failure (or a refusal) on the rule, for Settings to show.
pub async fn record_error(db: &Db, id: AutomationId, error: &str, at: Timestamp) -> AppResult<()> {
    sqlx::query("UPDATE automations SET last_error = ?, last_error_at = ? WHERE id = ?")
        .bind(error)
        .bind(at)
        .bind(id)
        .execute(&db.writer)
        .await?;
    Ok(())
}
