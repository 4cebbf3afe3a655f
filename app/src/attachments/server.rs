//! Storing and finding attachment files.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use sqlx::{FromRow, SqliteConnection};

use crate::error::{AppError, AppResult};
use crate::ids::{AttachmentId, ConversationId, MessageId};
use crate::messages::model::Attachment;
use crate::time::Timestamp;
use crate::users::server::Principal;

/// A file ready to be attached: already on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFile {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub content_id: Option<String>,
    pub inline: bool,
}

fn path_of(data_dir: &Path, sha: &str) -> PathBuf {
    data_dir.join("attachments").join(&sha[..2]).join(sha)
}

/// Writes bytes under their hash (write to a temp name, fsync, rename, so a
/// crash never leaves half a file under the final name).
pub async fn store(data_dir: &Path, bytes: &[u8]) -> AppResult<String> {
    let sha = hex::encode(Sha256::digest(bytes));
    let path = path_of(data_dir, &sha);
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(sha);
    }
    let io = |e: std::io::Error| {
        tracing::error!(error = %e, path = %path.display(), "storing an attachment failed");
        AppError::Internal
    };
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut f = tokio::fs::File::create(&tmp).await.map_err(io)?;
    tokio::io::AsyncWriteExt::write_all(&mut f, bytes).await.map_err(io)?;
    f.sync_all().await.map_err(io)?;
    tokio::fs::rename(&tmp, &path).await.map_err(io)?;
    Ok(sha)
}

/// Links stored files to a message; returns `(content id, attachment id)`
/// pairs so the caller can point `cid:` images at them.
pub async fn insert(
    conn: &mut SqliteConnection,
    message: MessageId,
    files: &[StoredFile],
) -> AppResult<Vec<(Option<String>, AttachmentId, String)>> {
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO attachments (message_id, name, content_type, size, sha256, content_id, inline, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(message)
        .bind(&f.name)
        .bind(&f.content_type)
        .bind(f.size)
        .bind(&f.sha256)
        .bind(&f.content_id)
        .bind(f.inline)
        .bind(Timestamp::now())
        .fetch_one(&mut *conn)
        .await?;
        out.push((f.content_id.clone(), AttachmentId(id), f.name.clone()));
    }
    Ok(out)
}

#[derive(FromRow)]
struct Row {
    id: AttachmentId,
    message_id: MessageId,
    name: String,
    content_type: String,
    size: i64,
}

/// The attachments of a set of messages, in one query.
pub async fn for_messages(conn: &mut SqliteConnection, ids: &[MessageId]) -> AppResult<Vec<(MessageId, Attachment)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut qb = sqlx::QueryBuilder::new(
        "SELECT id, message_id, name, content_type, size FROM attachments WHERE inline = 0 AND message_id IN (",
    );
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(") ORDER BY id");
    let rows: Vec<Row> = qb.build_query_as().fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let url = super::url(r.id, &r.name);
            (r.message_id, Attachment { name: r.name, content_type: r.content_type, size: r.size, url })
        })
        .collect())
}

/// A file to download: checked against the conversation's inbox access.
pub struct Download {
    pub name: String,
    pub content_type: String,
    pub path: PathBuf,
}

/// Finds an attachment `who` may read.
pub async fn open(
    conn: &mut SqliteConnection,
    data_dir: &Path,
    who: &Principal,
    id: AttachmentId,
) -> AppResult<Download> {
    let row: Option<(String, String, String, ConversationId)> = sqlx::query_as(
        "SELECT a.name, a.content_type, a.sha256, m.conversation_id FROM attachments a
         JOIN messages m ON m.id = a.message_id WHERE a.id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let (name, content_type, sha, conv) = row.ok_or_else(|| AppError::not_found("attachment"))?;
    // Same rule as the conversation itself: 404 outside the workspace, 403 without inbox access.
    crate::conversations::server::load(conn, who, conv).await?;
    Ok(Download { name, content_type, path: path_of(data_dir, &sha) })
}

/// The bytes of a stored file.
pub async fn read(data_dir: &Path, sha: &str) -> std::io::Result<Vec<u8>> {
    if sha.len() < 2 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file hash"));
    }
    tokio::fs::read(path_of(data_dir, sha)).await
}

/// A file name a sender chose, safe to store and show: no folders, no
/// control characters, at most 200 characters, never empty.
pub fn clean_name(name: &str) -> String {
    let name: String =
        name.rsplit(['/', '\\']).next().unwrap_or(name).chars().filter(|c| !c.is_control()).take(200).collect();
    if name.trim().is_empty() {
        "attachment".to_string()
    } else {
        name.trim().to_string()
    }
}

/// A content type a sender claimed, or `application/octet-stream` when it
/// does not look like one.
pub fn clean_type(content_type: &str) -> &str {
    if content_type.contains('/') && content_type.len() < 100 {
        content_type
    } else {
        "application/octet-stream"
    }
}

/// Stores a file an agent uploads for their next reply.
pub async fn upload(
    db: &crate::db::Db,
    data_dir: &Path,
    who: &Principal,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> AppResult<super::Upload> {
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "is empty"));
    }
    if bytes.len() > super::MAX_UPLOAD_BYTES {
        return Err(AppError::TooLarge { message: format!("file: at most {} MiB", super::MAX_UPLOAD_BYTES >> 20) });
    }
    let name = clean_name(name);
    let ct = clean_type(content_type);
    let sha = store(data_dir, bytes).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO uploads (workspace_id, user_id, name, content_type, size, sha256, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(who.workspace_id)
    .bind(who.id)
    .bind(&name)
    .bind(ct)
    .bind(bytes.len() as i64)
    .bind(&sha)
    .bind(Timestamp::now())
    .fetch_one(&db.writer)
    .await?;
    Ok(super::Upload { id, name, content_type: ct.to_string(), size: bytes.len() as i64 })
}

/// Moves `who`'s uploads onto a message (part of its transaction); an id
/// that is not theirs is an invalid `attachmentIds`.
pub async fn attach_uploads(
    conn: &mut SqliteConnection,
    who: &Principal,
    message: MessageId,
    ids: &[i64],
) -> AppResult<()> {
    if ids.len() > super::MAX_FILES_PER_MESSAGE {
        return Err(AppError::invalid("attachmentIds", format!("at most {} files", super::MAX_FILES_PER_MESSAGE)));
    }
    for id in ids {
        let row: Option<(String, String, i64, String)> =
            sqlx::query_as("SELECT name, content_type, size, sha256 FROM uploads WHERE id = ? AND user_id = ?")
                .bind(id)
                .bind(who.id)
                .fetch_optional(&mut *conn)
                .await?;
        let (name, content_type, size, sha256) =
            row.ok_or_else(|| AppError::invalid("attachmentIds", format!("no upload {id} of yours")))?;
        let f = StoredFile { name, content_type, size, sha256, content_id: None, inline: false };
        insert(&mut *conn, message, std::slice::from_ref(&f)).await?;
        sqlx::query("DELETE FROM uploads WHERE id = ?").bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}
