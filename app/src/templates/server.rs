//! Reply templates in SQL: listed by shortcut (one indexed query), written
//! by admins, read and rendered by everyone — a render only for a
//! conversation the caller may see. Also the one loader of merge-field
//! values for a conversation, which automations use too.

use sqlx::SqliteConnection;

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{ConversationId, TemplateId, UserId, WorkspaceId};
use crate::templates::merge::{self, MergeData};
use crate::templates::model::{clean_shortcut, RenderedTemplate, Template, TemplateInput, TemplateKind};
use crate::time::Timestamp;
use crate::users::server::{is_unique_violation, Principal};

type Row = (TemplateId, String, String, TemplateKind, String, String, Option<UserId>, Timestamp, Timestamp);

const COLUMNS: &str = "id, name, shortcut, kind, subject, body, created_by, created_at, updated_at";

fn from_row(r: Row) -> Template {
    Template {
        id: r.0,
        name: r.1,
        shortcut: r.2,
        kind: r.3,
        subject: r.4,
        body: r.5,
        created_by: r.6,
        created_at: r.7,
        updated_at: r.8,
    }
}

/// The list query (one bind: the workspace). The ORDER BY uses the
/// index's collation, so `templates_shortcut` serves it without a sort
/// (a test reads its plan).
pub const LIST_SQL: &str = "SELECT id, name, shortcut, kind, subject, body, created_by, created_at, updated_at
     FROM templates WHERE workspace_id = ? ORDER BY shortcut COLLATE NOCASE";

/// The workspace's templates by shortcut.
pub async fn list_in(conn: &mut SqliteConnection, ws: WorkspaceId) -> AppResult<Vec<Template>> {
    let rows: Vec<Row> = sqlx::query_as(LIST_SQL).bind(ws).fetch_all(conn).await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// Every template (everyone signed in: agents use them).
pub async fn list(db: &Db, who: &Principal) -> AppResult<Vec<Template>> {
    let mut conn = db.pool.acquire().await?;
    list_in(&mut conn, who.workspace_id).await
}

async fn get_in(conn: &mut SqliteConnection, ws: WorkspaceId, id: TemplateId) -> AppResult<Template> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM templates WHERE id = ? AND workspace_id = ?"))
            .bind(id)
            .bind(ws)
            .fetch_optional(conn)
            .await?;
    row.map(from_row).ok_or_else(|| AppError::not_found("template"))
}

/// One template (everyone signed in).
pub async fn get(db: &Db, who: &Principal, id: TemplateId) -> AppResult<Template> {
    let mut conn = db.pool.acquire().await?;
    get_in(&mut conn, who.workspace_id, id).await
}

/// 409 naming the shortcut. Looked up first inside the write transaction
/// (one writer at a time, so nothing slips in between); the unique index
/// is the backstop, and the only unique constraint on the table besides
/// the primary key, so a unique violation here can only be the shortcut.
async fn check_shortcut_free(
    conn: &mut SqliteConnection,
    ws: WorkspaceId,
    shortcut: &str,
    except: Option<TemplateId>,
) -> AppResult<()> {
    let taken: Option<TemplateId> = sqlx::query_scalar(
        "SELECT id FROM templates WHERE workspace_id = ? AND shortcut = ? COLLATE NOCASE AND id IS NOT ?",
    )
    .bind(ws)
    .bind(shortcut)
    .bind(except)
    .fetch_optional(conn)
    .await?;
    match taken {
        Some(_) => Err(taken_error(shortcut)),
        None => Ok(()),
    }
}

fn taken_error(shortcut: &str) -> AppError {
    AppError::conflict(format!("shortcut: /{shortcut} is already taken by another template"))
}

fn map_unique(shortcut: &str) -> impl Fn(sqlx::Error) -> AppError + '_ {
    move |e| if is_unique_violation(&e) { taken_error(shortcut) } else { e.into() }
}

/// Adds a template (admins only).
pub async fn create(db: &Db, who: &Principal, input: &TemplateInput) -> AppResult<Template> {
    who.require_admin()?;
    input.validate()?;
    let shortcut = clean_shortcut(&input.shortcut);
    let mut tx = db.write().await?;
    check_shortcut_free(&mut tx, who.workspace_id, &shortcut, None).await?;
    let now = Timestamp::now();
    let id: TemplateId = sqlx::query_scalar(
        "INSERT INTO templates (workspace_id, name, shortcut, kind, subject, body, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(who.workspace_id)
    .bind(input.name.trim())
    .bind(&shortcut)
    .bind(input.kind)
    .bind(input.subject.trim())
    .bind(&input.body)
    .bind((!who.is_system()).then_some(who.id))
    .bind(now)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_unique(&shortcut))?;
    let t = get_in(&mut tx, who.workspace_id, id).await?;
    tx.commit().await?;
    Ok(t)
}

/// Replaces a template (admins only).
pub async fn update(db: &Db, who: &Principal, id: TemplateId, input: &TemplateInput) -> AppResult<Template> {
    who.require_admin()?;
    input.validate()?;
    let shortcut = clean_shortcut(&input.shortcut);
    let mut tx = db.write().await?;
    get_in(&mut tx, who.workspace_id, id).await?;
    check_shortcut_free(&mut tx, who.workspace_id, &shortcut, Some(id)).await?;
    sqlx::query(
        "UPDATE templates SET name = ?, shortcut = ?, kind = ?, subject = ?, body = ?, updated_at = ? WHERE id = ?",
    )
    .bind(input.name.trim())
    .bind(&shortcut)
    .bind(input.kind)
    .bind(input.subject.trim())
    .bind(&input.body)
    .bind(Timestamp::now())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(map_unique(&shortcut))?;
    let t = get_in(&mut tx, who.workspace_id, id).await?;
    tx.commit().await?;
    Ok(t)
}

/// Removes a template (admins only).
pub async fn delete(db: &Db, who: &Principal, id: TemplateId) -> AppResult<()> {
    who.require_admin()?;
    let done = sqlx::query("DELETE FROM templates WHERE id = ? AND workspace_id = ?")
        .bind(id)
        .bind(who.workspace_id)
        .execute(&db.writer)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::not_found("template"));
    }
    Ok(())
}

/// Template `id` filled for conversation `conv` as `who` writes it (the
/// composer's preview). `who` must be able to see the conversation:
/// `NotFound` outside their workspace, `Forbidden` for an inbox not theirs.
pub async fn render(db: &Db, who: &Principal, id: TemplateId, conv: ConversationId) -> AppResult<RenderedTemplate> {
    let mut conn = db.pool.acquire().await?;
    let t = get_in(&mut conn, who.workspace_id, id).await?;
    crate::conversations::server::load(&mut conn, who, conv).await?;
    let needs_history = merge::uses_history(&t.body);
    let data = merge_data(&mut conn, conv, &who.name, needs_history).await?;
    Ok(RenderedTemplate {
        kind: t.kind,
        subject: merge::render(&t.subject, &data),
        body: merge::render(&t.body, &data),
    })
}

/// The merge-field values of a conversation, with `agent_name` as the
/// agent. The transcript is loaded only when `with_history` (it reads every
/// message). No access check: callers have done it.
pub async fn merge_data(
    conn: &mut SqliteConnection,
    conv: ConversationId,
    agent_name: &str,
    with_history: bool,
) -> AppResult<MergeData> {
    let (contact_name, contact_email, contact_phone, subject): (String, String, String, String) = sqlx::query_as(
        "SELECT ct.name, COALESCE(ct.email, ''), COALESCE(ct.phone, ''), c.subject
         FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE c.id = ?",
    )
    .bind(conv)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::not_found("conversation"))?;
    let history = if with_history {
        merge::history(&crate::messages::server::list_for(conn, conv).await?)
    } else {
        String::new()
    };
    Ok(MergeData {
        contact_name,
        contact_email,
        contact_phone,
        agent_name: agent_name.to_string(),
        conversation_id: conv.0,
        conversation_subject: subject,
        history,
    })
}

/// Adds templates without an author (the demo's), skipping any whose
/// shortcut is taken.
pub async fn seed(conn: &mut SqliteConnection, ws: WorkspaceId, templates: &[TemplateInput]) -> AppResult<()> {
    let now = Timestamp::now();
    for t in templates {
        t.validate()?;
        sqlx::query(
            "INSERT OR IGNORE INTO templates (workspace_id, name, shortcut, kind, subject, body, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(ws)
        .bind(&t.name)
        .bind(clean_shortcut(&t.shortcut))
        .bind(t.kind)
        .bind(&t.subject)
        .bind(&t.body)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
