//! One person, one timeline: every message of a contact's conversations,
//! across channels and inboxes (those the viewer may see), newest first,
//! in one keyset-paged query.

use sqlx::{QueryBuilder, SqliteConnection};

use crate::contacts::model::{TimelineEntry, TimelinePage, EXCERPT};
use crate::error::AppResult;
use crate::ids::{ContactId, MessageId};
use crate::time::Timestamp;
use crate::users::server::{push_inbox_visible, Principal};

/// The page of `contact`'s timeline before `cursor`, as `who` sees it:
/// only conversations in inboxes `who` may see. The contact's
/// conversations come from `conversations_contact`, their messages from
/// `messages_conversation`; one person's history is sorted in memory.
pub async fn page(
    conn: &mut SqliteConnection,
    who: &Principal,
    contact: ContactId,
    cursor: Option<(Timestamp, MessageId)>,
    limit: i64,
) -> AppResult<TimelinePage> {
    let mut qb = QueryBuilder::new(format!(
        "SELECT m.id AS message_id, m.conversation_id, c.subject AS conversation_subject, m.direction,
                m.channel_kind, COALESCE(u.name, ct.name, '') AS sender_name, substr(m.body, 1, {EXCERPT}) AS body,
                m.delivery_status, m.created_at
         FROM conversations c
         CROSS JOIN messages m ON m.conversation_id = c.id
         LEFT JOIN users u ON u.id = m.sender_user_id
         LEFT JOIN contacts ct ON ct.id = m.sender_contact_id
         WHERE c.contact_id = "
    ));
    qb.push_bind(contact);
    qb.push(" AND c.inbox_id IN (SELECT i.id FROM inboxes i WHERE i.workspace_id = ").push_bind(who.workspace_id);
    qb.push(" AND ");
    push_inbox_visible(&mut qb, who);
    qb.push(")");
    if let Some((t, id)) = cursor {
        qb.push(" AND (m.created_at < ").push_bind(t);
        qb.push(" OR (m.created_at = ").push_bind(t).push(" AND m.id < ").push_bind(id).push("))");
    }
    qb.push(" ORDER BY m.created_at DESC, m.id DESC LIMIT ").push_bind(limit + 1);
    let mut entries: Vec<TimelineEntry> = qb.build_query_as().fetch_all(conn).await?;
    let next_cursor = if entries.len() as i64 > limit {
        entries.truncate(limit as usize);
        entries.last().map(|e| format!("{}.{}", e.created_at.0, e.message_id.0))
    } else {
        None
    };
    Ok(TimelinePage { entries, next_cursor })
}
