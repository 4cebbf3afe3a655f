//! The workspace every fresh database gets: one workspace, a default
//! Support inbox and the API channel that "via API" conversations use.

use rand::RngCore;

use crate::db::Db;
use crate::error::AppResult;
use crate::ids::{InboxId, WorkspaceId};
use crate::time::Timestamp;

/// A random URL-safe token for channel hook and widget URLs.
pub fn new_token() -> String {
    let mut b = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// The workspace, created with its defaults if the database has none.
pub async fn ensure(db: &Db) -> AppResult<WorkspaceId> {
    if let Some(id) = sqlx::query_scalar::<_, WorkspaceId>("SELECT id FROM workspaces ORDER BY id LIMIT 1")
        .fetch_optional(&db.pool)
        .await?
    {
        return Ok(id);
    }
    let now = Timestamp::now();
    let mut tx = db.write().await?;
    let ws: i64 =
        sqlx::query_scalar("INSERT INTO workspaces (name, created_at) VALUES ('My workspace', ?) RETURNING id")
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
    let inbox: i64 = sqlx::query_scalar(
        "INSERT INTO inboxes (workspace_id, name, description, is_default, color, icon, created_at)
         VALUES (?, 'Support', 'Questions and problems', 1, '#3B82F6', 'lifebuoy', ?) RETURNING id",
    )
    .bind(ws)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    add_channel(&mut tx, WorkspaceId(ws), "API", "api", InboxId(inbox)).await?;
    tx.commit().await?;
    Ok(WorkspaceId(ws))
}

/// Adds a channel routed to `inbox`.
pub async fn add_channel(
    conn: &mut sqlx::SqliteConnection,
    ws: WorkspaceId,
    name: &str,
    kind: &str,
    inbox: InboxId,
) -> AppResult<crate::ids::ChannelId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO channels (workspace_id, name, kind, inbox_id, token, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(ws)
    .bind(name)
    .bind(kind)
    .bind(inbox)
    .bind(new_token())
    .bind(Timestamp::now())
    .fetch_one(conn)
    .await?;
    Ok(crate::ids::ChannelId(id))
}
