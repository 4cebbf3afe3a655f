//! Keeping what a webhook or the widget was refused: the post, raw, with
//! the reason, beside refused mail in `inbound_mail` (transport `http`),
//! where an admin inspects it. One function, so every HTTP transport keeps
//! the same columns.

use crate::channels::server::ChannelRow;
use crate::db::Db;
use crate::error::AppResult;
use crate::time::Timestamp;

/// Who a refused post was from and to, in the transport's own terms
/// (a phone number, a form's `From`, the visitor's address …).
pub struct Parties<'a> {
    pub from: &'a str,
    pub to: &'a str,
}

/// Stores the refused post `raw` on `channel` with `reason`.
pub async fn keep(db: &Db, channel: &ChannelRow, who: Parties<'_>, raw: &[u8], reason: &str) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO inbound_mail (workspace_id, channel_id, transport, mail_from, rcpt_to, size, raw, truncated,
                                   status, error, received_at)
         VALUES (?, ?, 'http', ?, ?, ?, ?, 0, 'rejected', ?, ?)",
    )
    .bind(channel.workspace_id)
    .bind(channel.id)
    .bind(who.from)
    .bind(who.to)
    .bind(raw.len() as i64)
    .bind(raw)
    .bind(reason)
    .bind(Timestamp::now())
    .execute(&db.writer)
    .await?;
    Ok(())
}
