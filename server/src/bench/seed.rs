//! The generator: a workspace of people, inboxes and channels made through
//! the app's own functions, then contacts, conversations, messages and
//! labels bulk-inserted (rows from `rows.rs`), the search index built and
//! statistics gathered. Also recognises a database it generated before, so
//! a second run can skip all this.

use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use app::db::Db;
use app::ids::{InboxId, UserId};
use app::inboxes::model::InboxInput;
use app::users::model::{NewUser, Role};
use app::users::server::Principal;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, QueryBuilder, Sqlite, SqliteConnection};

use super::rows::{self, Chunk, Generator, Plan, KINDS};

/// How big a workspace to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub conversations: u64,
    pub messages: u64,
}

/// The people of the bench workspace: the first is the admin the
/// measurements act as ("Mine" and "My unread" are hers).
const PEOPLE: &[&str] = &[
    "Alex Morgan",
    "Sam Rivera",
    "Jo Becker",
    "Kim Osei",
    "Lee Novak",
    "Max Duarte",
    "Noor Haddad",
    "Pat Quinn",
    "Ray Sato",
    "Sky Lund",
];

/// Inboxes in the order of `rows::INBOX_SHARE`; the first is the default
/// inbox every workspace starts with.
const INBOXES: &[&str] = &["Support", "Sales", "Billing", "Returns", "Partners"];

/// Conversations per chunk: one transaction, and the unit of progress.
const CHUNK: u64 = 5_000;

fn email_of(name: &str) -> String {
    let first = name.split(' ').next().unwrap_or(name);
    format!("{}@bench.parley", first.to_lowercase())
}

/// The workspace name a finished generation leaves: set last, so a run that
/// was interrupted is not mistaken for a complete one.
fn marker(size: Size) -> String {
    format!("Parley bench: {} conversations, {} messages", size.conversations, size.messages)
}

/// What a database holds, as far as the bench is concerned.
#[derive(Debug, PartialEq)]
pub enum Found {
    /// Nothing yet: safe to generate into.
    Empty,
    /// A finished bench workspace of this size.
    Bench(Size),
    /// A bench workspace whose generation did not finish.
    Unfinished,
    /// Someone's real data: never touched.
    Other,
}

/// Looks at the database without changing it.
pub async fn inspect(db: &Db) -> anyhow::Result<Found> {
    let name: Option<String> =
        sqlx::query_scalar("SELECT name FROM workspaces ORDER BY id LIMIT 1").fetch_optional(&db.pool).await?;
    if let Some(size) = name.as_deref().and_then(parse_marker) {
        return Ok(Found::Bench(size));
    }
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&db.pool).await?;
    let conversations: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM conversations LIMIT 1)").fetch_one(&db.pool).await?;
    let ours: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE lower(email) = lower(?)")
        .bind(email_of(PEOPLE[0]))
        .fetch_one(&db.pool)
        .await?;
    Ok(match (users, conversations, ours) {
        (0, 0, _) => Found::Empty,
        (_, _, 1) => Found::Unfinished,
        _ => Found::Other,
    })
}

fn parse_marker(name: &str) -> Option<Size> {
    let rest = name.strip_prefix("Parley bench: ")?;
    let (c, m) = rest.split_once(" conversations, ")?;
    Some(Size { conversations: c.parse().ok()?, messages: m.strip_suffix(" messages")?.parse().ok()? })
}

/// What the measurements need to know about the bench workspace.
pub struct Workspace {
    /// The admin the measurements act as.
    pub who: Principal,
    /// Another person, for the assignee filter.
    pub agent: UserId,
    /// The inboxes by name, in [`INBOXES`] order.
    pub inboxes: Vec<(String, InboxId)>,
}

/// Finds the people and inboxes of a generated workspace.
pub async fn workspace(db: &Db) -> anyhow::Result<Workspace> {
    let id_of = async |name: &str| -> anyhow::Result<UserId> {
        sqlx::query_scalar("SELECT id FROM users WHERE lower(email) = lower(?)")
            .bind(email_of(name))
            .fetch_optional(&db.pool)
            .await?
            .with_context(|| format!("the bench user {name} is missing"))
    };
    let admin = id_of(PEOPLE[0]).await?;
    let agent = id_of(PEOPLE[1]).await?;
    let who = app::users::server::principal(db, admin)
        .await
        .map_err(|e| anyhow::anyhow!("loading the bench admin: {e}"))?
        .context("the bench admin vanished")?;
    let mut inboxes = vec![];
    for name in INBOXES {
        let id: InboxId = sqlx::query_scalar("SELECT id FROM inboxes WHERE name = ?")
            .bind(name)
            .fetch_optional(&db.pool)
            .await?
            .with_context(|| format!("the bench inbox {name} is missing"))?;
        inboxes.push((name.to_string(), id));
    }
    Ok(Workspace { who, agent, inboxes })
}

/// Generates the whole workspace into an empty database.
pub async fn generate(db: &Db, url: &str, size: Size) -> anyhow::Result<()> {
    let started = Instant::now();
    let plan = setup(db, size).await?;
    let mut conn = bulk_connection(url).await?;
    eprintln!(
        "generating {} conversations, {} messages, {} contacts",
        size.conversations, size.messages, plan.contacts
    );

    // Loading through the FTS triggers would index row by row inside each
    // chunk's transaction; building each index once from its table at the
    // end ('rebuild', valid because migration 0005 makes all three
    // external-content tables) gives the same index for less work. The
    // triggers are put back exactly as the migration wrote them.
    let triggers = drop_fts_insert_triggers(&mut conn).await?;

    insert_contacts(&mut conn, &plan, started).await?;
    insert_conversations(&mut conn, plan, started).await?;

    let t = Instant::now();
    for table in ["messages_fts", "conversations_fts", "contacts_fts"] {
        sqlx::query(&format!("INSERT INTO {table} ({table}) VALUES ('rebuild')")).execute(&mut conn).await?;
    }
    for sql in &triggers {
        sqlx::query(sql).execute(&mut conn).await.context("restoring an FTS trigger")?;
    }
    eprintln!("search index built ({})", secs(t.elapsed()));

    let t = Instant::now();
    sqlx::query("ANALYZE").execute(&mut conn).await?;
    eprintln!("ANALYZE ({})", secs(t.elapsed()));

    sqlx::query("UPDATE workspaces SET name = ?").bind(marker(size)).execute(&mut conn).await?;
    // Leave an empty WAL, so the measurements read the database file alone.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await?;
    conn.close().await?;
    eprintln!("generated in {}", secs(started.elapsed()));
    Ok(())
}

/// The people, inboxes and channels, made the way an admin would.
async fn setup(db: &Db, size: Size) -> anyhow::Result<Plan> {
    let ws = app::workspace::ensure(db).await.map_err(|e| anyhow::anyhow!("creating the workspace: {e}"))?;
    let mut users = vec![];
    for (i, name) in PEOPLE.iter().enumerate() {
        let input = NewUser {
            name: name.to_string(),
            email: email_of(name),
            password: "bench-password".into(),
            role: if i == 0 { Role::Admin } else { Role::Agent },
        };
        let u = app::users::server::create_user(db, ws, &input)
            .await
            .map_err(|e| anyhow::anyhow!("creating user {name}: {e}"))?;
        users.push((u.id.0, name.split(' ').next().unwrap_or(name).to_string()));
    }
    let admin = app::users::server::principal(db, UserId(users[0].0))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .context("the admin just created is missing")?;
    let support: InboxId = sqlx::query_scalar("SELECT id FROM inboxes WHERE workspace_id = ? AND is_default = 1")
        .bind(ws)
        .fetch_one(&db.pool)
        .await
        .context("the default inbox")?;
    let mut inbox_ids = vec![support];
    for name in &INBOXES[1..] {
        let input = InboxInput { name: Some(name.to_string()), ..InboxInput::default() };
        let inbox = app::inboxes::server::create(db, &admin, &input)
            .await
            .map_err(|e| anyhow::anyhow!("creating inbox {name}: {e}"))?;
        inbox_ids.push(inbox.id);
    }
    let mut inboxes = vec![];
    let mut tx = db.write().await?;
    for (name, inbox) in INBOXES.iter().zip(&inbox_ids) {
        let mut channels = vec![];
        for (_, kind) in KINDS {
            // The default inbox already has the workspace's API channel.
            let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM channels WHERE inbox_id = ? AND kind = ?")
                .bind(inbox)
                .bind(kind)
                .fetch_optional(&mut *tx)
                .await?;
            let id = match existing {
                Some(id) => id,
                None => {
                    app::workspace::add_channel(&mut tx, ws, &format!("{name} {}", kind.label()), kind.as_str(), *inbox)
                        .await
                        .map_err(|e| anyhow::anyhow!("creating a channel: {e}"))?
                        .0
                }
            };
            channels.push((*kind, id));
        }
        inboxes.push((inbox.0, channels));
    }
    tx.commit().await?;
    let next_id = async |table: &str| -> anyhow::Result<i64> {
        let max: i64 =
            sqlx::query_scalar(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}")).fetch_one(&db.pool).await?;
        Ok(max + 1)
    };
    Ok(Plan {
        workspace_id: ws.0,
        conversations: size.conversations,
        messages: size.messages,
        contacts: (size.conversations / 4).max(1),
        first_conversation_id: next_id("conversations").await?,
        first_message_id: next_id("messages").await?,
        first_contact_id: next_id("contacts").await?,
        users,
        inboxes,
        now: app::time::Timestamp::now().0,
    })
}

/// A connection for loading only. synchronous=OFF because a crash halfway
/// leaves an unfinished workspace that is thrown away anyway (the marker
/// is set last); no foreign-key checks because the rows are made
/// consistent; a 1 GiB page cache so the many indexes of `conversations`
/// stay in memory while they grow. The measurements use the app's own
/// pools, with the app's settings.
async fn bulk_connection(url: &str) -> anyhow::Result<SqliteConnection> {
    let opts = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("parsing {url}"))?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Off)
        .foreign_keys(false)
        .pragma("cache_size", "-1048576")
        .pragma("temp_store", "memory")
        .disable_statement_logging();
    opts.connect().await.context("opening the database for loading")
}

/// Drops the FTS insert triggers and returns their SQL, to run again later.
async fn drop_fts_insert_triggers(conn: &mut SqliteConnection) -> anyhow::Result<Vec<String>> {
    let names = ["messages_fts_insert", "conversations_fts_insert", "contacts_fts_insert"];
    let mut sqls = vec![];
    for name in names {
        let sql: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?
            .with_context(|| format!("trigger {name} not found: has migration 0005 changed?"))?;
        sqls.push(sql);
    }
    for name in names {
        sqlx::query(&format!("DROP TRIGGER {name}")).execute(&mut *conn).await?;
    }
    Ok(sqls)
}

async fn insert_contacts(conn: &mut SqliteConnection, plan: &Plan, started: Instant) -> anyhow::Result<()> {
    let mut tx = conn.begin().await?;
    let mut i = 0;
    while i < plan.contacts {
        let end = (i + 1000).min(plan.contacts);
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO contacts (id, workspace_id, name, email, phone, created_at, updated_at) ",
        );
        qb.push_values((i..end).map(|k| rows::contact(plan, k)), |mut b, c| {
            b.push_bind(c.id)
                .push_bind(plan.workspace_id)
                .push_bind(c.name)
                .push_bind(c.email)
                .push_bind(c.phone)
                .push_bind(c.created_at)
                .push_bind(c.created_at);
        });
        qb.build().execute(&mut *tx).await?;
        i = end;
    }
    tx.commit().await?;
    eprintln!("contacts {} ({})", plan.contacts, secs(started.elapsed()));
    Ok(())
}

/// Conversations, messages and labels, a chunk per transaction. The rows
/// are made on a blocking thread while the previous chunk is written, so
/// generating and inserting share the two cores.
async fn insert_conversations(conn: &mut SqliteConnection, plan: Plan, started: Instant) -> anyhow::Result<()> {
    let (total_c, total_m, ws) = (plan.conversations, plan.messages, plan.workspace_id);
    let (send, mut recv) = tokio::sync::mpsc::channel::<Chunk>(2);
    let producer = tokio::task::spawn_blocking(move || {
        let mut g = Generator::new(plan, 42);
        while !g.done() {
            if send.blocking_send(g.chunk(CHUNK)).is_err() {
                return; // the writer stopped on an error; it reports it
            }
        }
    });
    // Progress every 100 000 conversations, or every tenth of a small run.
    let every = total_c.div_ceil(10).clamp(1, 100_000);
    let (mut done_c, mut done_m, mut next_report) = (0u64, 0u64, every);
    while let Some(chunk) = recv.recv().await {
        done_c += chunk.conversations.len() as u64;
        done_m += chunk.messages.len() as u64;
        write_chunk(conn, ws, chunk).await?;
        if done_c >= next_report || done_c == total_c {
            eprintln!("conversations {done_c}/{total_c}, messages {done_m}/{total_m} ({})", secs(started.elapsed()));
            next_report += every;
        }
    }
    producer.await.context("the row generator failed")?;
    if done_c != total_c || done_m != total_m {
        bail!("generated {done_c} conversations and {done_m} messages, expected {total_c} and {total_m}");
    }
    Ok(())
}

async fn write_chunk(conn: &mut SqliteConnection, workspace_id: i64, chunk: Chunk) -> anyhow::Result<()> {
    let mut tx = conn.begin().await?;
    let mut convs = chunk.conversations.into_iter().peekable();
    while convs.peek().is_some() {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO conversations (id, workspace_id, inbox_id, channel_id, contact_id, subject, preview, status,
                priority, assignee_id, spam, unread, snoozed_until, message_count, created_at, last_activity_at,
                first_response_at, last_inbound_at, last_outbound_at, resolved_at, closed_at) ",
        );
        // 21 columns x 1000 rows stays under SQLite's 32 766 parameters.
        qb.push_values(convs.by_ref().take(1000), |mut b, c| {
            b.push_bind(c.id)
                .push_bind(workspace_id)
                .push_bind(c.inbox_id)
                .push_bind(c.channel_id)
                .push_bind(c.contact_id)
                .push_bind(c.subject)
                .push_bind(c.preview)
                .push_bind(c.status)
                .push_bind(c.priority)
                .push_bind(c.assignee_id)
                .push_bind(c.spam)
                .push_bind(c.unread)
                .push_bind(c.snoozed_until)
                .push_bind(c.message_count)
                .push_bind(c.created_at)
                .push_bind(c.last_activity_at)
                .push_bind(c.first_response_at)
                .push_bind(c.last_inbound_at)
                .push_bind(c.last_outbound_at)
                .push_bind(c.resolved_at)
                .push_bind(c.closed_at);
        });
        qb.build().execute(&mut *tx).await?;
    }
    let mut msgs = chunk.messages.into_iter().peekable();
    while msgs.peek().is_some() {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO messages (id, conversation_id, direction, channel_kind, sender_user_id, sender_contact_id,
                subject, body, delivery_status, created_at) ",
        );
        qb.push_values(msgs.by_ref().take(3000), |mut b, m| {
            b.push_bind(m.id)
                .push_bind(m.conversation_id)
                .push_bind(m.direction)
                .push_bind(m.channel_kind)
                .push_bind(m.sender_user_id)
                .push_bind(m.sender_contact_id)
                .push_bind(m.subject)
                .push_bind(m.body)
                .push_bind(m.delivery_status)
                .push_bind(m.created_at);
        });
        qb.build().execute(&mut *tx).await?;
    }
    if !chunk.labels.is_empty() {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO conversation_labels (conversation_id, label) ");
        qb.push_values(chunk.labels, |mut b, (id, label)| {
            b.push_bind(id).push_bind(label);
        });
        qb.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// "12 s", "3 min 05 s".
pub fn secs(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} min {:02} s", s / 60, s % 60)
    }
}

/// Whether generating `size` makes sense.
pub fn check(size: Size) -> anyhow::Result<()> {
    if size.conversations == 0 {
        bail!("--conversations must be at least 1");
    }
    if size.messages < size.conversations {
        bail!("--messages must be at least --conversations: every conversation has a message");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_reads_back() {
        let size = Size { conversations: 1_000_000, messages: 5_000_000 };
        assert_eq!(parse_marker(&marker(size)), Some(size));
        assert_eq!(parse_marker("My workspace"), None);
    }
}
