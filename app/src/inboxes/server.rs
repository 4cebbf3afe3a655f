//! Inboxes in SQL. Policy documents (assignment, hours, auto-responder) are
//! stored as JSON columns: they are always read and written whole.

use sqlx::{FromRow, QueryBuilder, SqliteConnection};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{InboxId, TeamId, UserId, WorkspaceId};
use crate::inboxes::model::{Access, Inbox, InboxInput};
use crate::time::Timestamp;
use crate::users::server::{is_unique_violation, push_inbox_visible, Principal};

#[derive(FromRow)]
struct InboxRow {
    id: InboxId,
    name: String,
    description: String,
    email: Option<String>,
    is_default: bool,
    color: String,
    icon: String,
    default_assignee_id: Option<UserId>,
    access_everyone: bool,
    assignment_rules: String,
    working_hours: String,
    auto_responder: String,
    outside_hours_message: String,
}

const INBOX_SQL: &str = "SELECT i.id, i.name, i.description, i.email, i.is_default, i.color, i.icon,
    i.default_assignee_id, i.access_everyone, i.assignment_rules, i.working_hours, i.auto_responder,
    i.outside_hours_message FROM inboxes i";

fn parse_json<T: serde::de::DeserializeOwned + Default>(s: &str) -> T {
    // The columns default to '{}', which is each policy's default.
    serde_json::from_str(s).unwrap_or_default()
}

fn to_json<T: serde::Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| {
        tracing::error!(error = %e, "inbox policy does not serialize");
        AppError::Internal
    })
}

async fn access_lists(
    conn: &mut SqliteConnection,
    ids: &[InboxId],
) -> AppResult<Vec<(InboxId, Option<UserId>, Option<TeamId>)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut qb = QueryBuilder::new("SELECT inbox_id, user_id, NULL AS team_id FROM inbox_members WHERE inbox_id IN (");
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(") UNION ALL SELECT inbox_id, NULL, team_id FROM inbox_teams WHERE inbox_id IN (");
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")");
    Ok(qb.build_query_as().fetch_all(conn).await?)
}

async fn assemble(conn: &mut SqliteConnection, rows: Vec<InboxRow>) -> AppResult<Vec<Inbox>> {
    let ids: Vec<InboxId> = rows.iter().map(|r| r.id).collect();
    let lists = access_lists(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut access = Access { everyone: r.access_everyone, user_ids: vec![], team_ids: vec![] };
            for (inbox, user, team) in lists.iter().filter(|l| l.0 == r.id) {
                let _ = inbox;
                access.user_ids.extend(user);
                access.team_ids.extend(team);
            }
            Inbox {
                id: r.id,
                name: r.name,
                description: r.description,
                email: r.email,
                is_default: r.is_default,
                color: r.color,
                icon: r.icon,
                default_assignee_id: r.default_assignee_id,
                access,
                assignment_rules: parse_json(&r.assignment_rules),
                working_hours: parse_json(&r.working_hours),
                auto_responder: parse_json(&r.auto_responder),
                outside_hours_message: r.outside_hours_message,
            }
        })
        .collect())
}

/// The inboxes `who` may see, default first, then by name (two queries).
pub async fn list(db: &Db, who: &Principal) -> AppResult<Vec<Inbox>> {
    let mut conn = db.pool.acquire().await?;
    let mut qb = QueryBuilder::new(INBOX_SQL);
    qb.push(" WHERE i.workspace_id = ").push_bind(who.workspace_id).push(" AND ");
    push_inbox_visible(&mut qb, who);
    qb.push(" ORDER BY i.is_default DESC, lower(i.name), i.id");
    let rows: Vec<InboxRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
    assemble(&mut conn, rows).await
}

/// One inbox `who` may see.
pub async fn get(conn: &mut SqliteConnection, who: &Principal, id: InboxId) -> AppResult<Inbox> {
    let mut qb = QueryBuilder::new(INBOX_SQL);
    qb.push(" WHERE i.workspace_id = ").push_bind(who.workspace_id).push(" AND i.id = ").push_bind(id);
    let row: Option<InboxRow> = qb.build_query_as().fetch_optional(&mut *conn).await?;
    let row = row.ok_or_else(|| AppError::not_found("inbox"))?;
    if !crate::users::server::can_see_inbox(conn, who, id).await? {
        return Err(AppError::Forbidden);
    }
    let mut v = assemble(conn, vec![row]).await?;
    v.pop().ok_or(AppError::Internal)
}

/// Creates an inbox (admins only).
pub async fn create(db: &Db, who: &Principal, input: &InboxInput) -> AppResult<Inbox> {
    who.require_admin()?;
    input.validate()?;
    let name = input
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| AppError::invalid("name", "is required"))?;
    let mut tx = db.write().await?;
    let id: i64 =
        sqlx::query_scalar("INSERT INTO inboxes (workspace_id, name, created_at) VALUES (?, ?, ?) RETURNING id")
            .bind(who.workspace_id)
            .bind(name)
            .bind(Timestamp::now())
            .fetch_one(&mut *tx)
            .await
            .map_err(name_conflict)?;
    let id = InboxId(id);
    apply(&mut tx, who.workspace_id, id, input).await?;
    let inbox = get(&mut tx, who, id).await?;
    tx.commit().await?;
    Ok(inbox)
}

/// Changes an inbox (admins only); absent fields keep their value.
pub async fn update(db: &Db, who: &Principal, id: InboxId, input: &InboxInput) -> AppResult<Inbox> {
    who.require_admin()?;
    input.validate()?;
    let mut tx = db.write().await?;
    get(&mut tx, who, id).await?;
    apply(&mut tx, who.workspace_id, id, input).await?;
    let inbox = get(&mut tx, who, id).await?;
    tx.commit().await?;
    Ok(inbox)
}

fn name_conflict(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e) {
        AppError::conflict("name: an inbox with this name already exists")
    } else {
        e.into()
    }
}

async fn apply(conn: &mut SqliteConnection, ws: WorkspaceId, id: InboxId, input: &InboxInput) -> AppResult<()> {
    // The zone list lives in the server's tz database, so this check is here.
    if let Some(wh) = &input.working_hours {
        if (wh.enabled || !wh.timezone.is_empty()) && !crate::inboxes::hours::valid_timezone(&wh.timezone) {
            return Err(AppError::invalid("workingHours.timezone", "is not a known time zone (e.g. Europe/Berlin)"));
        }
    }
    if let Some(Some(uid)) = input.default_assignee_id {
        let ok: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = ? AND workspace_id = ?")
            .bind(uid)
            .bind(ws)
            .fetch_optional(&mut *conn)
            .await?;
        if ok.is_none() {
            return Err(AppError::invalid("defaultAssigneeId", "no such user"));
        }
    }
    if input.is_default == Some(true) {
        // One default inbox per workspace.
        sqlx::query("UPDATE inboxes SET is_default = 0 WHERE workspace_id = ? AND id <> ?")
            .bind(ws)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let json = |v: Option<String>| v;
    sqlx::query(
        "UPDATE inboxes SET name = COALESCE(?, name), description = COALESCE(?, description),
            email = CASE WHEN ? THEN NULLIF(?, '') ELSE email END, is_default = COALESCE(?, is_default),
            color = COALESCE(?, color), icon = COALESCE(?, icon),
            default_assignee_id = CASE WHEN ? THEN ? ELSE default_assignee_id END,
            access_everyone = COALESCE(?, access_everyone),
            assignment_rules = COALESCE(?, assignment_rules), working_hours = COALESCE(?, working_hours),
            auto_responder = COALESCE(?, auto_responder), outside_hours_message = COALESCE(?, outside_hours_message)
         WHERE id = ?",
    )
    .bind(input.name.as_deref().map(str::trim))
    .bind(input.description.as_deref())
    .bind(input.email.is_some())
    .bind(input.email.as_deref())
    .bind(input.is_default)
    .bind(input.color.as_deref())
    .bind(input.icon.as_deref())
    .bind(input.default_assignee_id.is_some())
    .bind(input.default_assignee_id.flatten())
    .bind(input.access.as_ref().map(|a| a.everyone))
    .bind(json(input.assignment_rules.as_ref().map(to_json).transpose()?))
    .bind(json(input.working_hours.as_ref().map(to_json).transpose()?))
    .bind(json(input.auto_responder.as_ref().map(to_json).transpose()?))
    .bind(input.outside_hours_message.as_deref())
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(name_conflict)?;
    if let Some(access) = &input.access {
        sqlx::query("DELETE FROM inbox_members WHERE inbox_id = ?").bind(id).execute(&mut *conn).await?;
        sqlx::query("DELETE FROM inbox_teams WHERE inbox_id = ?").bind(id).execute(&mut *conn).await?;
        let users = access.user_ids.iter().map(|u| u.0);
        let teams = access.team_ids.iter().map(|t| t.0);
        // Only ids of this workspace are accepted; the INSERT … SELECT adds nothing otherwise.
        for (ids, table, field) in [
            (
                users.collect::<Vec<_>>(),
                "INSERT INTO inbox_members (inbox_id, user_id) SELECT ?, id FROM users",
                "access.userIds",
            ),
            (
                teams.collect::<Vec<_>>(),
                "INSERT INTO inbox_teams (inbox_id, team_id) SELECT ?, id FROM teams",
                "access.teamIds",
            ),
        ] {
            for one in ids {
                let added = sqlx::query(&format!("{table} WHERE id = ? AND workspace_id = ?"))
                    .bind(id)
                    .bind(one)
                    .bind(ws)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                if added != 1 {
                    return Err(AppError::invalid(field, format!("no such id {one}")));
                }
            }
        }
    }
    Ok(())
}

/// Deletes an inbox (admins only). While it holds conversations this is a
/// conflict, unless `move_to` names another inbox to move them (and the
/// inbox's channels) to first.
pub async fn delete(db: &Db, who: &Principal, id: InboxId, move_to: Option<InboxId>) -> AppResult<()> {
    who.require_admin()?;
    let mut tx = db.write().await?;
    get(&mut tx, who, id).await?;
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE inbox_id = ?")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let channels: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM channels WHERE inbox_id = ?").bind(id).fetch_one(&mut *tx).await?;
    match move_to {
        Some(target) if target == id => return Err(AppError::invalid("moveTo", "must be another inbox")),
        Some(target) => {
            get(&mut tx, who, target).await.map_err(|_| AppError::invalid("moveTo", "no such inbox"))?;
            sqlx::query("UPDATE conversations SET inbox_id = ? WHERE inbox_id = ?")
                .bind(target)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE channels SET inbox_id = ? WHERE inbox_id = ?")
                .bind(target)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        None if held > 0 => {
            return Err(AppError::conflict(format!(
                "this inbox holds {held} conversations; pass ?moveTo={{inboxId}} to move them first"
            )))
        }
        None if channels > 0 => {
            return Err(AppError::conflict(format!(
                "{channels} channels route to this inbox; pass ?moveTo={{inboxId}} to re-route them first"
            )))
        }
        None => {}
    }
    sqlx::query("DELETE FROM inboxes WHERE id = ?").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
