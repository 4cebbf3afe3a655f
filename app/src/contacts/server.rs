//! Contacts in SQL: one person is one contact, found by email or phone.

use sqlx::{QueryBuilder, SqliteConnection};

use crate::contacts::model::{Contact, ContactInput, Identity};
use crate::conversations::model::ConversationSummary;
use crate::conversations::server::SUMMARY_SQL;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{ContactId, WorkspaceId};
use crate::time::Timestamp;
use crate::users::server::{is_unique_violation, push_inbox_visible, Principal};

const CONTACT_SQL: &str = "SELECT id, name, email, phone, created_at, updated_at FROM contacts";

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: ContactId,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<ContactRow> for Contact {
    fn from(r: ContactRow) -> Self {
        Contact {
            id: r.id,
            name: r.name,
            email: r.email,
            phone: r.phone,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A contact of the workspace.
pub async fn get(conn: &mut SqliteConnection, ws: WorkspaceId, id: ContactId) -> AppResult<Contact> {
    let row: Option<ContactRow> = sqlx::query_as(&format!("{CONTACT_SQL} WHERE id = ? AND workspace_id = ?"))
        .bind(id)
        .bind(ws)
        .fetch_optional(conn)
        .await?;
    row.map(Contact::from).ok_or_else(|| AppError::not_found("contact"))
}

/// Contacts matching `q` (name, email or phone), newest first, by keyset on id.
pub async fn list(
    db: &Db,
    ws: WorkspaceId,
    q: Option<&str>,
    before: Option<ContactId>,
    limit: i64,
) -> AppResult<Vec<Contact>> {
    let mut qb = QueryBuilder::new(CONTACT_SQL);
    qb.push(" WHERE workspace_id = ").push_bind(ws);
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let like = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        qb.push(" AND (name LIKE ").push_bind(like.clone()).push(" ESCAPE '\\' OR email LIKE ").push_bind(like.clone());
        qb.push(" ESCAPE '\\' OR phone LIKE ").push_bind(like).push(" ESCAPE '\\')");
    }
    if let Some(b) = before {
        qb.push(" AND id < ").push_bind(b);
    }
    qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
    let rows: Vec<ContactRow> = qb.build_query_as().fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(Contact::from).collect())
}

// SQLite does not name the index a UNIQUE violation came from, so the
// field is found by asking first; the index stays as the race backstop.
async fn check_taken(
    conn: &mut SqliteConnection,
    ws: WorkspaceId,
    email: Option<&str>,
    phone: Option<&str>,
    except: Option<ContactId>,
) -> AppResult<()> {
    let except = except.unwrap_or(ContactId(0));
    if let Some(e) = email {
        let hit: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM contacts WHERE workspace_id = ? AND lower(email) = lower(?) AND id <> ?",
        )
        .bind(ws)
        .bind(e)
        .bind(except)
        .fetch_optional(&mut *conn)
        .await?;
        let spare: Option<i64> = sqlx::query_scalar(
            "SELECT contact_id FROM contact_identities WHERE workspace_id = ? AND kind = 'email' AND lower(value) = lower(?) AND contact_id <> ?",
        )
        .bind(ws)
        .bind(e)
        .bind(except)
        .fetch_optional(&mut *conn)
        .await?;
        if hit.is_some() || spare.is_some() {
            return Err(AppError::conflict("email: another contact already has this address"));
        }
    }
    if let Some(p) = phone {
        let hit: Option<i64> =
            sqlx::query_scalar("SELECT id FROM contacts WHERE workspace_id = ? AND phone = ? AND id <> ?")
                .bind(ws)
                .bind(p)
                .bind(except)
                .fetch_optional(&mut *conn)
                .await?;
        let spare: Option<i64> = sqlx::query_scalar(
            "SELECT contact_id FROM contact_identities WHERE workspace_id = ? AND kind = 'phone' AND lower(value) = ? AND contact_id <> ?",
        )
        .bind(ws)
        .bind(p)
        .bind(except)
        .fetch_optional(&mut *conn)
        .await?;
        if hit.is_some() || spare.is_some() {
            return Err(AppError::conflict("phone: another contact already has this number"));
        }
    }
    Ok(())
}

fn map_unique(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e) {
        AppError::conflict("another contact already has this email or phone")
    } else {
        e.into()
    }
}

/// Creates a contact from validated input.
pub async fn create(conn: &mut SqliteConnection, ws: WorkspaceId, input: &ContactInput) -> AppResult<Contact> {
    let input = input.normalized()?;
    let email = input.email.clone().filter(|e| !e.is_empty());
    let phone = input.phone.clone().filter(|p| !p.is_empty());
    if email.is_none() && phone.is_none() && input.name.as_deref().unwrap_or("").is_empty() {
        return Err(AppError::invalid("contact", "needs a name, an email or a phone number"));
    }
    check_taken(&mut *conn, ws, email.as_deref(), phone.as_deref(), None).await?;
    let now = Timestamp::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO contacts (workspace_id, name, email, phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(ws)
    .bind(input.name.as_deref().unwrap_or(""))
    .bind(email)
    .bind(phone)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_unique)?;
    get(conn, ws, ContactId(id)).await
}

/// Changes a contact's fields (empty email/phone clears them).
pub async fn update(
    conn: &mut SqliteConnection,
    ws: WorkspaceId,
    id: ContactId,
    input: &ContactInput,
) -> AppResult<Contact> {
    let input = input.normalized()?;
    let current = get(&mut *conn, ws, id).await?;
    let email = match &input.email {
        Some(e) if e.is_empty() => None,
        Some(e) => Some(e.clone()),
        None => current.email,
    };
    let phone = match &input.phone {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(p.clone()),
        None => current.phone,
    };
    check_taken(&mut *conn, ws, email.as_deref(), phone.as_deref(), Some(id)).await?;
    sqlx::query("UPDATE contacts SET name = ?, email = ?, phone = ?, updated_at = ? WHERE id = ? AND workspace_id = ?")
        .bind(input.name.unwrap_or(current.name))
        .bind(email)
        .bind(phone)
        .bind(Timestamp::now())
        .bind(id)
        .bind(ws)
        .execute(&mut *conn)
        .await
        .map_err(map_unique)?;
    get(conn, ws, id).await
}

/// The contact with this email or phone, else a new one with these details.
pub async fn find_or_create(conn: &mut SqliteConnection, ws: WorkspaceId, input: &ContactInput) -> AppResult<Contact> {
    let input = input.normalized()?;
    let email = input.email.clone().filter(|e| !e.is_empty());
    let phone = input.phone.clone().filter(|p| !p.is_empty());
    let found: Option<ContactRow> = sqlx::query_as(&format!(
        "{CONTACT_SQL} WHERE workspace_id = ? AND ((? IS NOT NULL AND lower(email) = lower(?)) OR (? IS NOT NULL AND phone = ?))
         ORDER BY id LIMIT 1"
    ))
    .bind(ws)
    .bind(&email)
    .bind(&email)
    .bind(&phone)
    .bind(&phone)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(c) = found {
        return Ok(c.into());
    }
    // An address or number kept aside by a merge still finds its person.
    let spare: Option<ContactId> = sqlx::query_scalar(
        "SELECT contact_id FROM contact_identities WHERE workspace_id = ?
           AND ((kind = 'email' AND lower(value) = lower(?)) OR (kind = 'phone' AND lower(value) = ?))
         ORDER BY id LIMIT 1",
    )
    .bind(ws)
    .bind(&email)
    .bind(&phone)
    .fetch_optional(&mut *conn)
    .await?;
    match spare {
        Some(id) => get(conn, ws, id).await,
        None => create(conn, ws, &input).await,
    }
}

/// A contact's other addresses and numbers (kept by merges), oldest first.
pub async fn identities(conn: &mut SqliteConnection, id: ContactId) -> AppResult<Vec<Identity>> {
    Ok(sqlx::query_as("SELECT kind, value FROM contact_identities WHERE contact_id = ? ORDER BY id")
        .bind(id)
        .fetch_all(conn)
        .await?)
}

/// A contact's conversations across channels, newest first, limited to the
/// inboxes `who` may see (one query).
pub async fn conversations_of(
    conn: &mut SqliteConnection,
    who: &Principal,
    id: ContactId,
) -> AppResult<Vec<ConversationSummary>> {
    let mut qb = QueryBuilder::new(SUMMARY_SQL);
    qb.push(" WHERE c.contact_id = ").push_bind(id);
    qb.push(" AND c.inbox_id IN (SELECT i.id FROM inboxes i WHERE i.workspace_id = ").push_bind(who.workspace_id);
    qb.push(" AND ");
    push_inbox_visible(&mut qb, who);
    qb.push(") ORDER BY c.last_activity_at DESC, c.id DESC LIMIT 50");
    Ok(qb.build_query_as().fetch_all(conn).await?)
}
