//! Writes from two connections at once: a write transaction that reads
//! before it writes must still commit when a single-statement write on the
//! shared pool lands in between (as the automation engine's scan does while
//! a page marks a conversation read). Before `Db::write` began IMMEDIATE,
//! the second write failed at once with "database is locked".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crate::common::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_transaction_that_reads_first_commits_despite_a_concurrent_write() {
    let t = TestApp::new().await;
    let db = t.state.db.clone();
    let mut tx = db.write().await.unwrap();
    let name: String =
        sqlx::query_scalar("SELECT name FROM workspaces WHERE id = ?").bind(t.ws).fetch_one(&mut *tx).await.unwrap();

    // Another connection renames the inbox meanwhile; let it try first.
    let pool = db.pool.clone();
    let ws = t.ws;
    let mut other = tokio::spawn(async move {
        sqlx::query("UPDATE inboxes SET name = 'Help desk' WHERE workspace_id = ?").bind(ws).execute(&pool).await
    });
    let _ = tokio::time::timeout(Duration::from_millis(300), &mut other).await;

    sqlx::query("UPDATE workspaces SET name = ? WHERE id = ?")
        .bind(format!("{name} (renamed)"))
        .bind(t.ws)
        .execute(&mut *tx)
        .await
        .expect("the transaction's write waits its turn instead of failing");
    tx.commit().await.unwrap();
    other.await.unwrap().expect("the other write lands after the transaction");

    let (ws_name, inbox): (String, String) = sqlx::query_as(
        "SELECT w.name, i.name FROM workspaces w JOIN inboxes i ON i.workspace_id = w.id WHERE w.id = ?",
    )
    .bind(t.ws)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(ws_name, format!("{name} (renamed)"));
    assert_eq!(inbox, "Help desk");
}
