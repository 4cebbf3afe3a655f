//! The durable job queue: timers and deferred work live in `jobs`, survive
//! restarts, and are claimed atomically so a job runs once even with two
//! Parley processes on one database.

use sqlx::SqliteConnection;

use crate::db::Db;
use crate::error::AppResult;
use crate::ids::{AutomationId, ConversationId, JobId, WorkspaceId};
use crate::time::Timestamp;

/// How long a claimed job is reserved for its runner. A runner that dies
/// mid-job releases it when the lease ends; the job then runs again.
pub const LEASE_MS: i64 = 60_000;

/// After this many failed attempts a job is given up (and the failure
/// stays recorded on its rule).
pub const MAX_ATTEMPTS: i64 = 6;

crate::str_enum! {
    /// What a job does when due.
    JobKind {
        /// Run one automation for one event.
        Rule = "rule" / "Rule run",
        /// A timer trigger (no reply, open too long) came due.
        Timer = "timer" / "Timer",
        /// The inbox's delayed auto-responder.
        AutoResponder = "auto_responder" / "Auto-responder",
        /// One webhook delivery (retried on its own, so a failing URL
        /// does not repeat the rule's other actions).
        Webhook = "webhook" / "Webhook",
    }
}

/// A claimed job.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Job {
    pub id: JobId,
    pub workspace_id: WorkspaceId,
    pub kind: JobKind,
    pub automation_id: Option<AutomationId>,
    pub conversation_id: Option<ConversationId>,
    pub due_at: Timestamp,
    pub payload: String,
    pub attempts: i64,
}

/// What to schedule.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub workspace_id: WorkspaceId,
    pub kind: JobKind,
    pub automation_id: Option<AutomationId>,
    pub conversation_id: Option<ConversationId>,
    /// While a job with this key is pending, scheduling another is a no-op.
    pub dedupe: String,
    pub due_at: Timestamp,
    pub payload: serde_json::Value,
}

/// Schedules a job in the caller's transaction; false when one with the
/// same key is already pending.
pub async fn schedule(conn: &mut SqliteConnection, job: &NewJob) -> AppResult<bool> {
    let done = sqlx::query(
        "INSERT OR IGNORE INTO jobs (workspace_id, kind, automation_id, conversation_id, dedupe, due_at, payload,
                                     created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(job.workspace_id)
    .bind(job.kind)
    .bind(job.automation_id)
    .bind(job.conversation_id)
    .bind(&job.dedupe)
    .bind(job.due_at)
    .bind(job.payload.to_string())
    .bind(Timestamp::now())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims up to `limit` jobs due by `now` in one statement: the UPDATE
/// both picks and leases them, so concurrent runners never share one.
pub async fn claim(db: &Db, now: Timestamp, limit: i64) -> AppResult<Vec<Job>> {
    Ok(sqlx::query_as(
        "UPDATE jobs SET locked_until = ?, attempts = attempts + 1
         WHERE id IN (SELECT id FROM jobs WHERE done_at IS NULL AND due_at <= ? AND locked_until <= ?
                      ORDER BY due_at LIMIT ?)
         RETURNING id, workspace_id, kind, automation_id, conversation_id, due_at, payload, attempts",
    )
    .bind(Timestamp(now.0 + LEASE_MS))
    .bind(now)
    .bind(now)
    .bind(limit)
    .fetch_all(&db.writer)
    .await?)
}

/// Marks a job done.
pub async fn finish(db: &Db, id: JobId, now: Timestamp) -> AppResult<()> {
    sqlx::query("UPDATE jobs SET done_at = ? WHERE id = ?").bind(now).bind(id).execute(&db.writer).await?;
    Ok(())
}

/// Moves a pending job to a later time (a timer whose clock restarted).
pub async fn reschedule(db: &Db, id: JobId, due: Timestamp) -> AppResult<()> {
    sqlx::query("UPDATE jobs SET due_at = ?, locked_until = 0, attempts = 0 WHERE id = ?")
        .bind(due)
        .bind(id)
        .execute(&db.writer)
        .await?;
    Ok(())
}

/// Records a failed attempt: retried with backoff (10 s, 20 s, 40 s …)
/// until [`MAX_ATTEMPTS`], then given up. Returns true when given up.
pub async fn fail(db: &Db, job: &Job, now: Timestamp, error: &str) -> AppResult<bool> {
    let give_up = job.attempts >= MAX_ATTEMPTS;
    let retry_at = Timestamp(now.0 + 10_000 * (1 << (job.attempts - 1).clamp(0, 10)));
    sqlx::query(
        "UPDATE jobs SET last_error = ?, locked_until = 0, due_at = ?, done_at = CASE WHEN ? THEN ? END WHERE id = ?",
    )
    .bind(error)
    .bind(retry_at)
    .bind(give_up)
    .bind(now)
    .bind(job.id)
    .execute(&db.writer)
    .await?;
    Ok(give_up)
}

/// Pending jobs of a conversation (tests and the details pane use it).
pub async fn pending_for(db: &Db, conv: ConversationId) -> AppResult<Vec<(JobKind, Timestamp)>> {
    Ok(sqlx::query_as("SELECT kind, due_at FROM jobs WHERE conversation_id = ? AND done_at IS NULL ORDER BY due_at")
        .bind(conv)
        .fetch_all(&db.pool)
        .await?)
}
