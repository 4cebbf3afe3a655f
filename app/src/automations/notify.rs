//! In-app notifications: what an automation's "notify" action leaves for
//! a user, and the bell in the top bar that lists them.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::ids::ConversationId;
use crate::time::Timestamp;

/// One notification as the bell lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Notification {
    pub id: i64,
    pub conversation_id: Option<ConversationId>,
    pub text: String,
    pub created_at: Timestamp,
    pub read: bool,
}

/// Leaves `text` for `user`, or (no user) for the admins of the
/// conversation's inbox, else the workspace's admins — in the bell, and by
/// mail when the workspace has an email channel that can send.
#[cfg(feature = "ssr")]
pub async fn notify(
    state: &crate::state::AppState,
    ws: crate::ids::WorkspaceId,
    conv: ConversationId,
    user: Option<crate::ids::UserId>,
    text: &str,
    now: Timestamp,
) -> crate::error::AppResult<usize> {
    let recipients: Vec<(i64, String)> = match user {
        Some(u) => {
            sqlx::query_as("SELECT id, email FROM users WHERE id = ? AND workspace_id = ?")
                .bind(u)
                .bind(ws)
                .fetch_all(&state.db.pool)
                .await?
        }
        None => {
            sqlx::query_as(
                "SELECT u.id, u.email FROM inbox_members m JOIN conversations c ON c.inbox_id = m.inbox_id
                 JOIN users u ON u.id = m.user_id WHERE c.id = ?1 AND m.role = 'admin'
                 UNION SELECT id, email FROM users WHERE workspace_id = ?2 AND role = 'admin'
                   AND NOT EXISTS (SELECT 1 FROM inbox_members m JOIN conversations c ON c.inbox_id = m.inbox_id
                                   WHERE c.id = ?1 AND m.role = 'admin')",
            )
            .bind(conv)
            .bind(ws)
            .fetch_all(&state.db.pool)
            .await?
        }
    };
    let mut tx = state.db.write().await?;
    for (u, _) in &recipients {
        sqlx::query(
            "INSERT INTO notifications (workspace_id, user_id, conversation_id, text, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(ws)
        .bind(u)
        .bind(conv)
        .bind(text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let to: Vec<String> = recipients.iter().map(|(_, e)| e.clone()).collect();
    let subject = format!("Parley: conversation #{conv}");
    let link = format!("{}/inbox?view=all&c={conv}", state.settings.public_url.trim_end_matches('/'));
    // The bell already has it: a mail failure is shown on the rule, not
    // retried (a retry would repeat the rule's other actions).
    if let Err(e) = crate::email::send::send_notice(state, ws, &to, &subject, &format!("{text}\n\n{link}\n")).await {
        tracing::warn!(error = ?e, "notice mail failed");
        if let Some(rule) = crate::automations::RuleContext::current().and_then(|r| r.chain.last().copied()) {
            let why = match e {
                AppError::BadRequest { message } => message,
                other => format!("{other:?}"),
            };
            crate::automations::server::record_error(&state.db, rule, &why, now).await?;
        }
    }
    Ok(recipients.len())
}

/// The signed-in user's latest 20 notifications (uses `notifications_user`).
#[server(input = Json)]
pub async fn list_notifications() -> Result<Vec<Notification>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    Ok(sqlx::query_as(
        "SELECT id, conversation_id, text, created_at, read_at IS NOT NULL AS read FROM notifications
         WHERE user_id = ? ORDER BY id DESC LIMIT 20",
    )
    .bind(who.id)
    .fetch_all(&state.db.pool)
    .await?)
}

/// Marks all of the signed-in user's notifications read.
#[server(input = Json)]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    let (state, who) = crate::users::session::require().await?;
    sqlx::query("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL")
        .bind(Timestamp::now())
        .bind(who.id)
        .execute(&state.db.writer)
        .await?;
    Ok(())
}

/// The top bar's bell: the unread count, and the list when opened (which
/// marks them read). `items` is the page's resource (pages create theirs
/// outside any view closure; see `InboxCtx`).
#[component]
pub fn NotificationsBell(items: Resource<Result<Vec<Notification>, AppError>>) -> impl IntoView {
    let read = Action::new(|_: &()| mark_notifications_read());
    view! {
        <details class="notifications" on:toggle=move |_| {
            if read.value().get_untracked().is_none() { read.dispatch(()); }
        }>
            // One boundary for the badge and the list: they read one resource.
            <Transition fallback=|| view! { <summary aria-label="Notifications">"🔔"</summary> }>
                <summary aria-label="Notifications">
                    "🔔"
                    {move || Suspend::new(async move {
                        let unread = items.await.map(|l| l.iter().filter(|n| !n.read).count()).unwrap_or(0);
                        (unread > 0).then(|| view! { <span class="badge">{unread}</span> })
                    })}
                </summary>
                <ul>
                    {move || Suspend::new(async move {
                        let list = items.await.unwrap_or_default();
                        if list.is_empty() {
                            return view! { <li class="muted">"No notifications"</li> }.into_any();
                        }
                        list.into_iter().map(|n| {
                            let href = n.conversation_id.map(|c| format!("/inbox?view=all&c={c}")).unwrap_or_default();
                            view! {
                                <li class:unread=!n.read>
                                    <a href=href>{n.text}</a>" "
                                    <time class="muted">{n.created_at.date_string()}" "{n.created_at.time_string()}</time>
                                </li>
                            }
                        }).collect_view().into_any()
                    })}
                </ul>
            </Transition>
        </details>
    }
}
