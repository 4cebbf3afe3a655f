//! What the visitor's panel reads: its settings with whether the team is
//! in now, and the visitor's own conversation (customer-facing messages
//! only), found by the visitor token.

use crate::channels::server::ChannelRow;
use crate::error::AppResult;
use crate::ids::{ConversationId, MessageId};
use crate::live::model::{EventKind, LiveEvent};
use crate::messages::model::{DeliveryStatus, Direction};
use crate::state::AppState;
use crate::time::Timestamp;
use crate::widget::identity::token_hash;
use crate::widget::model::{VisitorConversation, VisitorMessage, WidgetConfig, WidgetSettings, VISITOR_PAGE};

/// The panel's settings and whether the team is in now.
pub async fn config(state: &AppState, channel: &ChannelRow, settings: &WidgetSettings) -> AppResult<WidgetConfig> {
    let (hours, message): (String, String) =
        sqlx::query_as("SELECT working_hours, outside_hours_message FROM inboxes WHERE id = ?")
            .bind(channel.inbox_id)
            .fetch_one(&state.db.pool)
            .await?;
    let hours: crate::inboxes::model::WorkingHours = serde_json::from_str(&hours).unwrap_or_default();
    let within = crate::inboxes::hours::is_open(&hours, Timestamp::now());
    let fallback = "We're away right now. Leave a message and we'll reply as soon as we're back.";
    Ok(WidgetConfig {
        enabled: channel.enabled,
        greeting: settings.greeting.clone(),
        pre_chat_fields: settings.pre_chat_fields.clone(),
        within_working_hours: within,
        outside_hours_message: (!within).then(|| {
            if message.trim().is_empty() {
                fallback.to_string()
            } else {
                message.trim().to_string()
            }
        }),
        identity_verification: !settings.hmac_secret.is_empty(),
    })
}

/// A visitor's current conversation and its status, by token and channel.
const VISITOR_CONVERSATION: &str = "SELECT c.id, c.status FROM widget_visitors v
     JOIN conversations c ON c.id = v.conversation_id WHERE v.token_hash = ? AND v.channel_id = ?";

/// The conversation a visitor's live stream follows (`None` for a token
/// this channel does not know, or a visitor who has not written yet).
pub async fn visitor_conversation(
    state: &AppState,
    channel: &ChannelRow,
    visitor_token: &str,
) -> AppResult<Option<ConversationId>> {
    let conv: Option<(ConversationId, crate::conversations::model::Status)> = sqlx::query_as(VISITOR_CONVERSATION)
        .bind(token_hash(visitor_token))
        .bind(channel.id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(conv.map(|(id, _)| id))
}

/// What a visitor's live stream shows of a published event: a message of
/// their conversation that the panel's thread would list (what they wrote
/// and replies that did not fail; never a note). A reply that is updated
/// later (queued, then sent) comes again; the panel shows each id once.
pub fn visitor_update(ev: &LiveEvent, conversation: ConversationId) -> Option<VisitorMessage> {
    let m = ev.message.as_ref()?;
    let kind_fits = matches!(ev.kind, EventKind::MessageCreated | EventKind::MessageUpdated);
    let shown = matches!(m.direction, Direction::Inbound | Direction::Outbound)
        && m.delivery_status != Some(DeliveryStatus::Failed);
    if !kind_fits || !shown || ev.conversation_id != conversation || m.conversation_id != conversation {
        return None;
    }
    Some(VisitorMessage {
        id: m.id,
        direction: m.direction,
        body: m.body.clone(),
        // As the thread query: the agent's name, none for the visitor or an auto-reply.
        sender_name: m.sender_id.map(|_| m.sender_name.clone()),
        created_at: m.created_at,
    })
}

/// The visitor's conversation, a page of messages before `before` (the
/// latest page without it). `None` for a token this channel does not know
/// or a visitor with no conversation.
pub async fn conversation(
    state: &AppState,
    channel: &ChannelRow,
    visitor_token: &str,
    before: Option<MessageId>,
) -> AppResult<Option<VisitorConversation>> {
    let mut conn = state.db.pool.acquire().await?;
    let conv: Option<(ConversationId, crate::conversations::model::Status)> = sqlx::query_as(VISITOR_CONVERSATION)
        .bind(token_hash(visitor_token))
        .bind(channel.id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some((id, status)) = conv else { return Ok(None) };
    // Customer-facing only: what the visitor wrote and replies that went
    // out; never notes, never replies that failed.
    let mut rows: Vec<(MessageId, crate::messages::model::Direction, String, Timestamp, Option<String>)> =
        sqlx::query_as(
            "SELECT m.id, m.direction, m.body, m.created_at, u.name FROM messages m
             LEFT JOIN users u ON u.id = m.sender_user_id
             WHERE m.conversation_id = ? AND m.direction IN ('inbound', 'outbound')
               AND (m.delivery_status IS NULL OR m.delivery_status != 'failed')
               AND (? IS NULL OR m.id < ?)
             ORDER BY m.id DESC LIMIT ?",
        )
        .bind(id)
        .bind(before)
        .bind(before)
        .bind(VISITOR_PAGE as i64 + 1)
        .fetch_all(&mut *conn)
        .await?;
    let more = rows.len() > VISITOR_PAGE;
    rows.truncate(VISITOR_PAGE);
    rows.reverse();
    let messages: Vec<VisitorMessage> = rows
        .into_iter()
        .map(|(id, direction, body, created_at, sender_name)| VisitorMessage {
            id,
            direction,
            body,
            sender_name,
            created_at,
        })
        .collect();
    let before = if more { messages.first().map(|m| m.id) } else { None };
    Ok(Some(VisitorConversation { id, status, messages, before }))
}
