//! The event hub: every committed change is published here, and each
//! websocket forwards the events its user may see. The events table is the
//! durable copy; the hub only carries what happens while a socket is open.

use std::sync::Arc;

use sqlx::Row;
use tokio::sync::broadcast;

use crate::db::Db;
use crate::error::AppResult;
use crate::ids::{EventId, WorkspaceId};
use crate::live::model::LiveEvent;

/// How many events a slow socket may fall behind before it is told to
/// catch up from the database. Small on purpose: memory stays flat with
/// many tabs, and catch-up is cheap.
const HUB_CAPACITY: usize = 256;

/// A published event with the workspace it belongs to.
#[derive(Debug, Clone)]
pub struct Published {
    pub workspace_id: WorkspaceId,
    pub event: Arc<LiveEvent>,
}

/// Fans committed events out to the open sockets of this process.
#[derive(Clone, Debug)]
pub struct Hub {
    tx: broadcast::Sender<Published>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    /// A hub with nobody listening yet.
    pub fn new() -> Self {
        Self { tx: broadcast::channel(HUB_CAPACITY).0 }
    }

    /// Sends an event that has been committed. Nobody listening is fine.
    pub fn publish(&self, workspace_id: WorkspaceId, event: LiveEvent) {
        let _ = self.tx.send(Published { workspace_id, event: Arc::new(event) });
    }

    /// A new receiver; subscribe before reading catch-up so nothing falls
    /// between the two.
    pub fn subscribe(&self) -> broadcast::Receiver<Published> {
        self.tx.subscribe()
    }
}

/// Events after `after` in a workspace, oldest first, at most `limit`.
pub async fn events_after(db: &Db, workspace: WorkspaceId, after: EventId, limit: i64) -> AppResult<Vec<LiveEvent>> {
    let rows = sqlx::query("SELECT payload FROM events WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?")
        .bind(workspace)
        .bind(after)
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let payload: String = row.try_get("payload")?;
        match serde_json::from_str::<LiveEvent>(&payload) {
            Ok(ev) => out.push(ev),
            Err(e) => tracing::error!(error = %e, "unreadable event payload skipped"),
        }
    }
    Ok(out)
}

/// The newest event id in a workspace (0 when there is none).
pub async fn latest_event_id(db: &Db, workspace: WorkspaceId) -> AppResult<i64> {
    let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM events WHERE workspace_id = ?")
        .bind(workspace)
        .fetch_one(&db.pool)
        .await?;
    Ok(id.unwrap_or(0))
}
