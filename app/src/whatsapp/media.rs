//! Files customers send on WhatsApp, as attachments on their message. The
//! webhook carries only a media id, so the webhook stores the message and a
//! `pending` row in `whatsapp_media` and answers; the file is fetched after
//! the commit (`GET {apiBaseUrl}/{media-id}` for a short-lived URL, then
//! that URL, both with the channel's bearer token). A failed fetch leaves
//! the message as it is (`[image] caption`) and says why on it, until the
//! agent's Retry fetches it again.

use sqlx::{FromRow, SqliteConnection};

use crate::attachments::server::{self as files, StoredFile};
use crate::attachments::MAX_MAIL_BYTES;
use crate::channels::server::{self as channels, ChannelRow};
use crate::conversations::server::record_event;
use crate::error::{AppError, AppResult};
use crate::ids::{ChannelId, MessageId, WorkspaceId};
use crate::live::model::EventKind;
use crate::state::AppState;
use crate::time::Timestamp;
use crate::whatsapp::graph::{media_failure, media_info};
use crate::whatsapp::meta::MediaRef;

/// The largest file fetched: the same cap as a whole email with its
/// attachments, so every channel keeps files of the same size.
pub const MAX_MEDIA_BYTES: usize = MAX_MAIL_BYTES;

/// Records, in the webhook's transaction, that new message `mid` carries a
/// file to fetch once the webhook is answered.
pub async fn note(conn: &mut SqliteConnection, channel: ChannelId, mid: MessageId, media: &MediaRef) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO whatsapp_media (message_id, channel_id, media_id, kind, filename, mime_type, status, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
    )
    .bind(mid)
    .bind(channel)
    .bind(&media.id)
    .bind(&media.kind)
    .bind(&media.filename)
    .bind(&media.mime_type)
    .bind(Timestamp::now())
    .execute(conn)
    .await?;
    Ok(())
}

/// Fetches the pending files of these messages in the background, one
/// after another; the webhook or request that stored them answers at once.
pub fn dispatch(state: &AppState, mids: Vec<MessageId>) {
    if mids.is_empty() {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        for mid in mids {
            if let Err(e) = fetch(&state, mid).await {
                tracing::error!(error = %e, message = mid.0, "fetching a WhatsApp file failed");
            }
        }
    });
}

/// Fetches what was left pending when Parley last stopped.
pub async fn resume(state: &AppState) -> AppResult<usize> {
    let pending: Vec<MessageId> =
        sqlx::query_scalar("SELECT message_id FROM whatsapp_media WHERE status = 'pending' ORDER BY message_id")
            .fetch_all(&state.db.pool)
            .await?;
    let n = pending.len();
    dispatch(state, pending);
    Ok(n)
}

/// Puts message `mid`'s failed download back to pending (the Retry
/// action), in the caller's transaction; a conflict when it has none.
pub async fn requeue(conn: &mut SqliteConnection, mid: MessageId) -> AppResult<()> {
    let moved = sqlx::query(
        "UPDATE whatsapp_media SET status = 'pending', updated_at = ? WHERE message_id = ? AND status = 'failed'",
    )
    .bind(Timestamp::now())
    .bind(mid)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if moved == 0 {
        return Err(AppError::conflict("only a failed reply or a file that did not arrive can be retried"));
    }
    sqlx::query("UPDATE messages SET failure_reason = NULL WHERE id = ?").bind(mid).execute(&mut *conn).await?;
    Ok(())
}

#[derive(FromRow)]
struct Pending {
    workspace_id: WorkspaceId,
    channel_id: ChannelId,
    media_id: String,
    kind: String,
    filename: Option<String>,
    mime_type: Option<String>,
}

/// Fetches message `mid`'s pending file once. Success attaches it; a
/// failure is recorded on the row and shown on the message. Either way the
/// thread hears of it live. `Err` only when the database fails.
pub async fn fetch(state: &AppState, mid: MessageId) -> AppResult<()> {
    let pending: Option<Pending> = sqlx::query_as(
        "SELECT c.workspace_id, w.channel_id, w.media_id, w.kind, w.filename, w.mime_type
         FROM whatsapp_media w JOIN channels c ON c.id = w.channel_id
         WHERE w.message_id = ? AND w.status = 'pending'",
    )
    .bind(mid)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(p) = pending else { return Ok(()) };
    let channel = {
        let mut conn = state.db.pool.acquire().await?;
        channels::get(&mut conn, p.workspace_id, p.channel_id).await?
    };
    let media = MediaRef { kind: p.kind, id: p.media_id, mime_type: p.mime_type, filename: p.filename };
    let outcome = download(state, &channel, &media).await;

    let mut tx = state.db.write().await?;
    let change = match &outcome {
        Ok(file) => {
            files::insert(&mut tx, mid, std::slice::from_ref(file)).await?;
            finish(&mut tx, mid, "done", None, None).await?;
            format!("{} received", file.name)
        }
        Err(why) => {
            tracing::warn!(message = mid.0, reason = %why, "a WhatsApp file did not arrive");
            let note = format!("The {} did not arrive from WhatsApp: {why} Retry fetches it again.", media.kind);
            finish(&mut tx, mid, "failed", Some(why), Some(&note)).await?;
            format!("{} did not arrive", media.kind)
        }
    };
    let message = crate::messages::server::get(&mut tx, mid).await?;
    let event =
        record_event(&mut tx, EventKind::MessageUpdated, message.conversation_id, None, change, Some(message)).await?;
    tx.commit().await?;
    state.hub.publish(p.workspace_id, event);
    Ok(())
}

/// Closes one try: the row's status and error, and the message's note.
async fn finish(
    conn: &mut SqliteConnection,
    mid: MessageId,
    status: &str,
    error: Option<&str>,
    note: Option<&str>,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE whatsapp_media SET status = ?, error = ?, attempts = attempts + 1, updated_at = ? WHERE message_id = ?",
    )
    .bind(status)
    .bind(error)
    .bind(Timestamp::now())
    .bind(mid)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE messages SET failure_reason = ? WHERE id = ?").bind(note).bind(mid).execute(&mut *conn).await?;
    Ok(())
}

/// The two Graph API calls and the write to disk; `Err` says, for the
/// agent, why there is no file.
async fn download(state: &AppState, channel: &ChannelRow, media: &MediaRef) -> Result<StoredFile, String> {
    let settings = channel.whatsapp().map_err(|_| crate::whatsapp::NOT_CONNECTED.to_string())?;
    let auth = [("authorization", settings.bearer())];
    let node = crate::http_out::get(&settings.media_url(&media.id), &auth)
        .await
        .map_err(|e| format!("The WhatsApp Cloud API could not be reached ({e})."))?;
    if !(200..300).contains(&node.status) {
        return Err(media_failure(node.status, &node.body));
    }
    let info = media_info(&node.body)
        .ok_or_else(|| format!("The Graph API answered HTTP {} without the file's download URL.", node.status))?;
    let too_big = format!("The file is larger than the {} MiB Parley keeps.", MAX_MEDIA_BYTES >> 20);
    // Meta says the size first: no need to start a download bound to fail.
    if info.file_size.is_some_and(|s| s > MAX_MEDIA_BYTES as u64) {
        return Err(too_big);
    }
    let got = crate::http_out::download(&info.url, &auth, MAX_MEDIA_BYTES)
        .await
        .map_err(|e| format!("The file could not be downloaded from WhatsApp ({e})."))?;
    if !(200..300).contains(&got.status) {
        let excerpt: String = String::from_utf8_lossy(&got.bytes).chars().take(1000).collect();
        return Err(media_failure(got.status, &excerpt));
    }
    if got.bytes.is_empty() {
        return Err("WhatsApp sent an empty file.".to_string());
    }
    // The Graph API's word on the type first: the webhook's may carry
    // parameters, and a download host may answer a generic type.
    let claimed = info.mime_type.or_else(|| media.mime_type.clone()).or(got.content_type).unwrap_or_default();
    let content_type = files::clean_type(&claimed).to_string();
    let sha256 = files::store(&state.settings.data_dir, &got.bytes)
        .await
        .map_err(|_| "The file could not be saved in Parley's data directory (see the server log).".to_string())?;
    Ok(StoredFile {
        name: files::clean_name(&media.file_name(&content_type)),
        content_type,
        size: got.bytes.len() as i64,
        sha256,
        content_id: None,
        inline: false,
    })
}
