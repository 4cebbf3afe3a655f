//! Saved views in SQLite. Every read and write is scoped to the caller's
//! workspace; a private view is its owner's alone.

use crate::conversations::model::ListFilter;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{SavedViewId, UserId};
use crate::saved_views::model::{SavedView, NAME_MAX, PER_USER_MAX};
use crate::time::Timestamp;
use crate::users::model::Role;
use crate::users::server::Principal;

#[derive(sqlx::FromRow)]
struct Row {
    id: SavedViewId,
    name: String,
    filter: String,
    shared: bool,
    user_id: UserId,
    owner_name: String,
}

impl Row {
    fn into_view(self, who: &Principal) -> SavedView {
        let can_delete = self.user_id == who.id || (self.shared && who.role == Role::Admin);
        SavedView {
            id: self.id,
            name: self.name,
            // A filter saved by an older Parley still opens (unknown fields
            // dropped, missing ones defaulted); one that no longer parses
            // opens the default list rather than hiding the view.
            filter: serde_json::from_str(&self.filter).unwrap_or_default(),
            shared: self.shared,
            owner_id: self.user_id,
            owner_name: self.owner_name,
            can_delete,
        }
    }
}

/// The views `who` sees: their own and the shared ones, by name.
pub async fn list(db: &Db, who: &Principal) -> AppResult<Vec<SavedView>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT v.id, v.name, v.filter, v.shared, v.user_id, u.name AS owner_name
           FROM saved_views v JOIN users u ON u.id = v.user_id
          WHERE v.workspace_id = ? AND (v.user_id = ? OR v.shared = 1)
          ORDER BY v.name COLLATE NOCASE, v.id",
    )
    .bind(who.workspace_id)
    .bind(who.id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.into_view(who)).collect())
}

/// Saves `filter` as `name` for `who`; a name they already use is replaced
/// (saving again updates the view).
pub async fn save(db: &Db, who: &Principal, name: &str, filter: &ListFilter, shared: bool) -> AppResult<SavedView> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "give the view a name"));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AppError::invalid("name", format!("at most {NAME_MAX} characters")));
    }
    if filter.search().is_some_and(|q| q.chars().count() > crate::search::MAX_CHARS) {
        return Err(AppError::invalid("filter", "the search is too long to save"));
    }
    let json = serde_json::to_string(filter).map_err(|_| AppError::Internal)?;
    let mut tx = db.writer.begin().await?;
    let owned: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM saved_views WHERE user_id = ?")
        .bind(who.id)
        .fetch_one(&mut *tx)
        .await?;
    let existing: Option<SavedViewId> =
        sqlx::query_scalar("SELECT id FROM saved_views WHERE user_id = ? AND name = ? COLLATE NOCASE")
            .bind(who.id)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
    let id = match existing {
        Some(id) => {
            sqlx::query("UPDATE saved_views SET name = ?, filter = ?, shared = ? WHERE id = ?")
                .bind(name)
                .bind(&json)
                .bind(shared)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            id
        }
        None if owned >= PER_USER_MAX => {
            return Err(AppError::invalid("name", format!("you have {PER_USER_MAX} saved views: delete one first")));
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO saved_views (workspace_id, user_id, name, filter, shared, created_at)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(who.workspace_id)
            .bind(who.id)
            .bind(name)
            .bind(&json)
            .bind(shared)
            .bind(Timestamp::now())
            .fetch_one(&mut *tx)
            .await?
        }
    };
    tx.commit().await?;
    Ok(SavedView {
        id,
        name: name.to_string(),
        filter: filter.clone(),
        shared,
        owner_id: who.id,
        owner_name: who.name.clone(),
        can_delete: true,
    })
}

/// Deletes a view: its owner may, and an admin may delete a shared one.
/// Someone else's private view does not exist for the caller.
pub async fn delete(db: &Db, who: &Principal, id: SavedViewId) -> AppResult<()> {
    let row: Option<(UserId, bool)> =
        sqlx::query_as("SELECT user_id, shared FROM saved_views WHERE id = ? AND workspace_id = ?")
            .bind(id)
            .bind(who.workspace_id)
            .fetch_optional(&db.writer)
            .await?;
    match row {
        Some((owner, _)) if owner == who.id => {}
        Some((_, true)) if who.role == Role::Admin => {}
        Some((_, true)) => return Err(AppError::Forbidden),
        _ => return Err(AppError::not_found("saved view")),
    }
    sqlx::query("DELETE FROM saved_views WHERE id = ?").bind(id).execute(&db.writer).await?;
    Ok(())
}
