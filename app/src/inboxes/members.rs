//! An inbox's members (`/api/v1/inboxes/{id}/members`): who is in its
//! assignment pool (and, when the inbox is not open to everyone, who may
//! see it), with their inbox role and availability.

use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{InboxId, UserId};
use crate::users::model::Availability;
use crate::users::server::Principal;

crate::str_enum! {
    /// A member's role in one inbox.
    InboxRole {
        Agent = "agent" / "Agent",
        Admin = "admin" / "Admin",
    }
}

/// One member as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: InboxRole,
    pub availability: Availability,
}

/// The body of `POST …/members`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddMember {
    pub user_id: UserId,
    #[serde(default = "agent")]
    pub role: InboxRole,
}

fn agent() -> InboxRole {
    InboxRole::Agent
}

/// The members of an inbox `who` may see, by name (one query).
pub async fn list(db: &Db, who: &Principal, inbox: InboxId) -> AppResult<Vec<Member>> {
    let mut conn = db.pool.acquire().await?;
    crate::inboxes::server::get(&mut conn, who, inbox).await?;
    Ok(sqlx::query_as(
        "SELECT u.id AS user_id, u.name, u.email, m.role, u.availability FROM inbox_members m
         JOIN users u ON u.id = m.user_id WHERE m.inbox_id = ? ORDER BY lower(u.name), u.id",
    )
    .bind(inbox)
    .fetch_all(&mut *conn)
    .await?)
}

/// Adds a member, or changes their role (admins only).
pub async fn add(db: &Db, who: &Principal, inbox: InboxId, body: &AddMember) -> AppResult<Member> {
    who.require_admin()?;
    let mut tx = db.write().await?;
    crate::inboxes::server::get(&mut tx, who, inbox).await?;
    let added = sqlx::query(
        "INSERT INTO inbox_members (inbox_id, user_id, role) SELECT ?, id, ? FROM users WHERE id = ? AND workspace_id = ?
         ON CONFLICT (inbox_id, user_id) DO UPDATE SET role = excluded.role",
    )
    .bind(inbox)
    .bind(body.role)
    .bind(body.user_id)
    .bind(who.workspace_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if added == 0 {
        return Err(AppError::invalid("userId", "no such user"));
    }
    let m: Member = sqlx::query_as(
        "SELECT u.id AS user_id, u.name, u.email, m.role, u.availability FROM inbox_members m
         JOIN users u ON u.id = m.user_id WHERE m.inbox_id = ? AND m.user_id = ?",
    )
    .bind(inbox)
    .bind(body.user_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(m)
}

/// Removes a member (admins only); 404 when they were not one.
pub async fn remove(db: &Db, who: &Principal, inbox: InboxId, user: UserId) -> AppResult<()> {
    who.require_admin()?;
    let mut tx = db.write().await?;
    crate::inboxes::server::get(&mut tx, who, inbox).await?;
    let gone = sqlx::query("DELETE FROM inbox_members WHERE inbox_id = ? AND user_id = ?")
        .bind(inbox)
        .bind(user)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(AppError::not_found("member"));
    }
    tx.commit().await?;
    Ok(())
}

/// Sets a member's availability. It is one setting per person (an agent
/// away is away from every inbox); agents set their own, admins anyone's.
pub async fn set_availability(
    db: &Db,
    who: &Principal,
    inbox: InboxId,
    user: UserId,
    status: Availability,
) -> AppResult<Member> {
    if who.id != user {
        who.require_admin()?;
    }
    let mut tx = db.write().await?;
    crate::inboxes::server::get(&mut tx, who, inbox).await?;
    let m: Option<Member> = sqlx::query_as(
        "SELECT u.id AS user_id, u.name, u.email, m.role, u.availability FROM inbox_members m
         JOIN users u ON u.id = m.user_id WHERE m.inbox_id = ? AND m.user_id = ?",
    )
    .bind(inbox)
    .bind(user)
    .fetch_optional(&mut *tx)
    .await?;
    let mut m = m.ok_or_else(|| AppError::not_found("member"))?;
    sqlx::query("UPDATE users SET availability = ? WHERE id = ?").bind(status).bind(user).execute(&mut *tx).await?;
    tx.commit().await?;
    m.availability = status;
    Ok(m)
}
