//! Users, passwords, API keys and the access rule, in SQL.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{InboxId, UserId, WorkspaceId};
use crate::time::Timestamp;
use crate::users::model::{Availability, NewUser, Role, User, UserPatch};

/// Who is making a request: a signed-in user, or the user an API key acts for.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub id: UserId,
    pub workspace_id: WorkspaceId,
    pub role: Role,
    pub name: String,
}

impl Principal {
    /// The workspace itself, acting for an automation: an admin with no
    /// user row (id 0). Its events name no user and its messages no sender.
    pub fn system(workspace_id: WorkspaceId) -> Self {
        Self { id: UserId(0), workspace_id, role: Role::Admin, name: "Automation".into() }
    }

    /// True for [`Principal::system`].
    pub fn is_system(&self) -> bool {
        self.id.0 == 0
    }

    /// Admin-only operations call this first.
    pub fn require_admin(&self) -> AppResult<()> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

#[derive(FromRow)]
struct UserRow {
    id: UserId,
    workspace_id: WorkspaceId,
    name: String,
    email: String,
    role: Role,
    availability: Availability,
    signature: String,
}

impl UserRow {
    fn user(self) -> User {
        User {
            id: self.id,
            name: self.name,
            email: self.email,
            role: self.role,
            availability: self.availability,
            signature: self.signature,
        }
    }
    fn principal(&self) -> Principal {
        Principal { id: self.id, workspace_id: self.workspace_id, role: self.role, name: self.name.clone() }
    }
}

const USER_COLUMNS: &str = "id, workspace_id, name, email, role, availability, signature";

/// Hashes a password with argon2 off the async threads (it is slow by design).
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "hashing task failed");
        AppError::Internal
    })?
    .map_err(|e| {
        tracing::error!(error = %e, "argon2 failed");
        AppError::Internal
    })
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// Checks an email and password; the user on success. Unknown address and
/// wrong password look the same to the caller.
pub async fn authenticate(db: &Db, email: &str, password: &str) -> AppResult<User> {
    let row: Option<(UserId, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE lower(email) = lower(?)")
            .bind(email.trim())
            .fetch_optional(&db.pool)
            .await?;
    // Verify against a dummy hash when the user is unknown, so timing does not tell.
    let (id, hash) = row.unwrap_or((
        UserId(0),
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4bAAHl2N3GGAdK3+FQs2jQ2H1Oqb6S5bCVmXeU+gEZc".into(),
    ));
    if verify_password(password.to_string(), hash).await && id.0 != 0 {
        get_user(db, id).await
    } else {
        Err(AppError::invalid("password", "email or password is wrong"))
    }
}

/// A user by id.
pub async fn get_user(db: &Db, id: UserId) -> AppResult<User> {
    let row: Option<UserRow> = sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.map(UserRow::user).ok_or_else(|| AppError::not_found("user"))
}

/// The principal for a user id (session lookups).
pub async fn principal(db: &Db, id: UserId) -> AppResult<Option<Principal>> {
    let row: Option<UserRow> = sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|r| r.principal()))
}

/// Every user of a workspace, by name.
pub async fn list_users(db: &Db, ws: WorkspaceId) -> AppResult<Vec<User>> {
    let rows: Vec<UserRow> =
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE workspace_id = ? ORDER BY name, id"))
            .bind(ws)
            .fetch_all(&db.pool)
            .await?;
    Ok(rows.into_iter().map(UserRow::user).collect())
}

/// Creates a user after validating the input. 409 if the address is taken.
pub async fn create_user(db: &Db, ws: WorkspaceId, input: &NewUser) -> AppResult<User> {
    input.validate()?;
    let hash = hash_password(input.password.clone()).await?;
    let res = sqlx::query(
        "INSERT INTO users (workspace_id, name, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(ws)
    .bind(input.name.trim())
    .bind(input.email.trim())
    .bind(hash)
    .bind(input.role)
    .bind(Timestamp::now())
    .execute(&db.writer)
    .await;
    match res {
        Ok(r) => get_user(db, UserId(r.last_insert_rowid())).await,
        Err(e) if is_unique_violation(&e) => Err(AppError::conflict("a user with that email already exists")),
        Err(e) => Err(e.into()),
    }
}

/// Changes a user's name, role, availability or signature.
pub async fn patch_user(db: &Db, ws: WorkspaceId, id: UserId, patch: &UserPatch) -> AppResult<User> {
    if let Some(n) = &patch.name {
        if n.trim().is_empty() || n.trim().chars().count() > 100 {
            return Err(AppError::invalid("name", "must be 1 to 100 characters"));
        }
    }
    let res = sqlx::query(
        "UPDATE users SET name = COALESCE(?, name), role = COALESCE(?, role),
                availability = COALESCE(?, availability), signature = COALESCE(?, signature)
         WHERE id = ? AND workspace_id = ?",
    )
    .bind(patch.name.as_deref().map(str::trim))
    .bind(patch.role)
    .bind(patch.availability)
    .bind(patch.signature.as_deref())
    .bind(id)
    .bind(ws)
    .execute(&db.writer)
    .await?;
    if res.rows_affected() == 0 {
        return Err(AppError::not_found("user"));
    }
    get_user(db, id).await
}

/// Whether the error is a UNIQUE constraint violation.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Creates an API key acting as `user`; returns the key, shown once.
pub async fn create_api_key(db: &Db, user: &Principal, name: &str) -> AppResult<String> {
    use rand::RngCore;
    if name.trim().is_empty() {
        return Err(AppError::invalid("name", "must not be empty"));
    }
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    let key = format!("pk_{}", hex::encode(bytes));
    sqlx::query(
        "INSERT INTO api_keys (workspace_id, user_id, name, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(user.workspace_id)
    .bind(user.id)
    .bind(name.trim())
    .bind(hash_key(&key))
    .bind(&key[..8])
    .bind(Timestamp::now())
    .execute(&db.writer)
    .await?;
    Ok(key)
}

/// The workspace's API keys, newest first.
pub async fn list_api_keys(db: &Db, ws: WorkspaceId) -> AppResult<Vec<crate::users::model::ApiKeyInfo>> {
    Ok(sqlx::query_as(
        "SELECT k.id, k.name, k.prefix, u.name AS user_name, k.created_at
         FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.workspace_id = ? ORDER BY k.id DESC",
    )
    .bind(ws)
    .fetch_all(&db.pool)
    .await?)
}

fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The principal an API key acts for, if the key exists.
pub async fn principal_for_api_key(db: &Db, key: &str) -> AppResult<Option<Principal>> {
    let row: Option<UserRow> = sqlx::query_as(
        "SELECT u.id, u.workspace_id, u.name, u.email, u.role, u.availability, u.signature
         FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ?",
    )
    .bind(hash_key(key.trim()))
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|r| r.principal()))
}

/// Whose access [`push_inbox_visible_to`] spells out.
pub enum Viewer<'a> {
    /// One signed-in principal (bound as parameters).
    Principal(&'a Principal),
    /// Each row `u` of `users` in the surrounding query.
    EachUser,
}

/// Appends SQL that is true when inbox `i` is visible to the principal.
pub fn push_inbox_visible(qb: &mut QueryBuilder<'_, Sqlite>, who: &Principal) {
    push_inbox_visible_to(qb, Viewer::Principal(who));
}

/// Appends SQL that is true when inbox `i` is visible to the viewer.
/// Admins see every inbox; agents see inboxes open to everyone, those they
/// are members of, and those of their teams. The one place this rule lives.
pub fn push_inbox_visible_to(qb: &mut QueryBuilder<'_, Sqlite>, viewer: Viewer<'_>) {
    let user = |qb: &mut QueryBuilder<'_, Sqlite>| match &viewer {
        Viewer::Principal(p) => {
            qb.push_bind(p.id);
        }
        Viewer::EachUser => {
            qb.push("u.id");
        }
    };
    qb.push("(");
    match &viewer {
        Viewer::Principal(p) => qb.push_bind(p.role),
        Viewer::EachUser => qb.push("u.role"),
    };
    qb.push(" = 'admin' OR i.access_everyone = 1 OR EXISTS (SELECT 1 FROM inbox_members m WHERE m.inbox_id = i.id AND m.user_id = ");
    user(qb);
    qb.push(") OR EXISTS (SELECT 1 FROM inbox_teams it JOIN team_members tm ON tm.team_id = it.team_id WHERE it.inbox_id = i.id AND tm.user_id = ");
    user(qb);
    qb.push("))");
}

/// Everyone in the workspace who may see an inbox, by name: the people a
/// conversation there can be assigned to (one query).
pub async fn users_seeing_inbox(conn: &mut SqliteConnection, ws: WorkspaceId, inbox: InboxId) -> AppResult<Vec<User>> {
    let mut qb = QueryBuilder::new(format!("SELECT {USER_COLUMNS} FROM users u WHERE u.workspace_id = "));
    qb.push_bind(ws).push(" AND EXISTS (SELECT 1 FROM inboxes i WHERE i.id = ").push_bind(inbox);
    qb.push(" AND i.workspace_id = u.workspace_id AND ");
    push_inbox_visible_to(&mut qb, Viewer::EachUser);
    qb.push(") ORDER BY u.name, u.id");
    let rows: Vec<UserRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
    Ok(rows.into_iter().map(UserRow::user).collect())
}

/// Whether the principal may see an inbox. `NotFound` if it does not exist.
pub async fn can_see_inbox(conn: &mut SqliteConnection, who: &Principal, inbox: InboxId) -> AppResult<bool> {
    let mut qb = QueryBuilder::new("SELECT ");
    push_inbox_visible(&mut qb, who);
    qb.push(" FROM inboxes i WHERE i.id = ")
        .push_bind(inbox)
        .push(" AND i.workspace_id = ")
        .push_bind(who.workspace_id);
    let visible: Option<bool> = qb.build_query_scalar().fetch_optional(&mut *conn).await?;
    visible.ok_or_else(|| AppError::not_found("inbox"))
}

/// The ids of every inbox the principal may see.
pub async fn visible_inbox_ids(db: &Db, who: &Principal) -> AppResult<Vec<InboxId>> {
    let mut qb = QueryBuilder::new("SELECT i.id FROM inboxes i WHERE i.workspace_id = ");
    qb.push_bind(who.workspace_id).push(" AND ");
    push_inbox_visible(&mut qb, who);
    Ok(qb.build_query_scalar().fetch_all(&db.pool).await?)
}

/// The principal for a user id inside a workspace, on a given connection.
pub async fn principal_in(conn: &mut SqliteConnection, ws: WorkspaceId, id: UserId) -> AppResult<Option<Principal>> {
    let row: Option<UserRow> =
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ? AND workspace_id = ?"))
            .bind(id)
            .bind(ws)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| r.principal()))
}
