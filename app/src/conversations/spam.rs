//! The sender blocklist behind Spam / Not spam (ingest reads it).

use sqlx::SqliteConnection;

use crate::error::AppResult;
use crate::ids::{ContactId, WorkspaceId};
use crate::time::Timestamp;

/// Marking spam blocks the contact's address, so their next mail lands in
/// Spam too; Not spam unblocks it. Nothing is deleted either way.
pub async fn block_sender(
    conn: &mut SqliteConnection,
    ws: WorkspaceId,
    contact: ContactId,
    block: bool,
    now: Timestamp,
) -> AppResult<()> {
    let email: Option<String> =
        sqlx::query_scalar("SELECT email FROM contacts WHERE id = ?").bind(contact).fetch_one(&mut *conn).await?;
    let Some(email) = email.map(|e| e.to_ascii_lowercase()) else { return Ok(()) };
    if block {
        sqlx::query("INSERT OR IGNORE INTO blocked_senders (workspace_id, address, created_at) VALUES (?, ?, ?)")
            .bind(ws)
            .bind(email)
            .bind(now)
            .execute(conn)
            .await?;
    } else {
        sqlx::query("DELETE FROM blocked_senders WHERE workspace_id = ? AND address = ?")
            .bind(ws)
            .bind(email)
            .execute(conn)
            .await?;
    }
    Ok(())
}
