//! What the thread pane loads for one conversation, and the channel an
//! agent-started conversation goes out on (split from server.rs, which
//! keeps the list and state changes).

use crate::contacts::model::ThreadChannel;
use crate::conversations::server::{labels, load, summary};
use crate::db::Db;
use crate::error::AppResult;
use crate::ids::{ChannelId, ConversationId, InboxId};
use crate::users::server::Principal;

/// The thread pane's data: conversation, messages, contact, the contact's
/// other conversations, names, and whether replies can be delivered.
pub async fn detail(
    db: &Db,
    who: &Principal,
    id: ConversationId,
) -> AppResult<crate::conversations::api::ConversationDetail> {
    let mut conn = db.pool.acquire().await?;
    let row = load(&mut conn, who, id).await?;
    let summary = summary(&mut conn, id).await?;
    let labels = labels(&mut conn, id).await?;
    let messages = crate::messages::server::list_for(&mut conn, id).await?;
    let contact = crate::contacts::server::get(&mut conn, who.workspace_id, row.contact_id).await?;
    let others = crate::contacts::server::conversations_of(&mut conn, who, row.contact_id)
        .await?
        .into_iter()
        .filter(|c| c.id != id)
        .collect();
    let (inbox_name, channel_name): (String, String) =
        sqlx::query_as("SELECT i.name, ch.name FROM inboxes i, channels ch WHERE i.id = ? AND ch.id = ?")
            .bind(row.inbox_id)
            .bind(row.channel_id)
            .fetch_one(&mut *conn)
            .await?;
    let channel = crate::channels::server::get(&mut conn, who.workspace_id, row.channel_id).await?;
    let send_problem = channel.readiness().err();
    let own = ThreadChannel {
        id: channel.id,
        name: channel_name.clone(),
        kind: channel.kind,
        inbox_id: channel.inbox_id,
        problem: send_problem.clone(),
    };
    let choices = crate::contacts::thread::thread_channels(db, who, &contact).await?;
    let reply_channels = std::iter::once(own).chain(choices.into_iter().filter(|c| c.id != row.channel_id)).collect();
    let (cc, previous_conversation_id): (String, Option<ConversationId>) =
        sqlx::query_as("SELECT cc, previous_conversation_id FROM conversations WHERE id = ?")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    // Uses events_conversation; only events that wrote a line.
    let activity = sqlx::query_as(
        "SELECT e.created_at AS at, e.activity AS text, u.name AS actor_name FROM events e
         LEFT JOIN users u ON u.id = e.actor_user_id
         WHERE e.conversation_id = ? AND e.activity IS NOT NULL ORDER BY e.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let assignable = crate::users::server::users_seeing_inbox(&mut conn, who.workspace_id, row.inbox_id).await?;
    let context: Option<(Option<String>, String)> =
        sqlx::query_as("SELECT page_url, attributes FROM conversation_context WHERE conversation_id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let context = context.map(|(page_url, attributes)| crate::conversations::api::ConversationContext {
        page_url,
        // Stored by ingest as a JSON object of texts; anything else reads as none.
        attributes: serde_json::from_str(&attributes).unwrap_or_default(),
    });
    Ok(crate::conversations::api::ConversationDetail {
        activity,
        assignable,
        summary,
        conversation: row.into_wire(labels),
        messages,
        contact,
        others,
        inbox_name,
        channel_name,
        send_problem,
        cc: serde_json::from_str(&cc).unwrap_or_default(),
        previous_conversation_id,
        context,
        reply_channels,
    })
}

/// The channel an agent-started conversation goes out on: the inbox's
/// email channel when the contact has an address, its SMS channel for a
/// phone number, else any channel of the inbox, else the API channel.
pub async fn channel_for_start(
    db: &Db,
    who: &Principal,
    inbox: InboxId,
    contact: &crate::contacts::model::ContactInput,
) -> AppResult<Option<ChannelId>> {
    let want = if contact.email.as_deref().is_some_and(|e| !e.is_empty()) {
        "email"
    } else if contact.phone.as_deref().is_some_and(|p| !p.is_empty()) {
        "sms"
    } else {
        ""
    };
    let id: Option<ChannelId> = sqlx::query_scalar(
        "SELECT id FROM channels WHERE workspace_id = ? AND inbox_id = ? AND enabled = 1
         ORDER BY (kind = ?) DESC, (kind = 'api') ASC, id LIMIT 1",
    )
    .bind(who.workspace_id)
    .bind(inbox)
    .bind(want)
    .fetch_optional(&db.pool)
    .await?;
    Ok(id)
}
