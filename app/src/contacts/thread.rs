//! "Create thread" on a contact: the channels a new conversation with this
//! person can go out on, each with why it cannot be used right now (so the
//! page shows it disabled with the reason before anyone types).

use sqlx::SqliteConnection;

use crate::channels::server::{list, ChannelRow};
use crate::contacts::model::{Contact, ThreadChannel};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::ChannelId;
use crate::messages::model::ChannelKind;
use crate::users::server::{can_see_inbox, Principal};

/// Email, SMS and WhatsApp channels in inboxes `who` may see, in creation
/// order. A website widget is left out: its visitor starts the chat.
pub async fn thread_channels(
    db: &Db,
    conn: &mut SqliteConnection,
    who: &Principal,
    contact: &Contact,
) -> AppResult<Vec<ThreadChannel>> {
    let mut out = vec![];
    for ch in list(db, who.workspace_id).await? {
        if !matches!(ch.kind, ChannelKind::Email | ChannelKind::Sms | ChannelKind::Whatsapp) {
            continue;
        }
        if !can_see_inbox(&mut *conn, who, ch.inbox_id).await? {
            continue;
        }
        let problem = problem(&ch, contact).err();
        out.push(ThreadChannel { id: ch.id, name: ch.name, kind: ch.kind, inbox_id: ch.inbox_id, problem });
    }
    Ok(out)
}

/// Why a new conversation with `contact` cannot go out on `ch`, if it
/// cannot. Replies go to the main address or number (a merge fills an
/// empty one first), so that is what must be there.
fn problem(ch: &ChannelRow, contact: &Contact) -> Result<(), String> {
    match ch.kind {
        ChannelKind::Email if contact.email.is_none() => {
            return Err("This contact has no email address.".into());
        }
        ChannelKind::Sms | ChannelKind::Whatsapp if contact.phone.is_none() => {
            return Err("This contact has no phone number.".into());
        }
        _ => {}
    }
    ch.readiness()
}

/// The channel an agent chose to start a conversation on, checked: one of
/// [`thread_channels`] and ready now. Errors name the `channelId` field.
pub async fn check_thread_channel(
    db: &Db,
    who: &Principal,
    contact: &Contact,
    channel: ChannelId,
) -> AppResult<ThreadChannel> {
    let mut conn = db.pool.acquire().await?;
    let choices = thread_channels(db, &mut conn, who, contact).await?;
    let Some(c) = choices.into_iter().find(|c| c.id == channel) else {
        return Err(AppError::invalid("channelId", "is not an email, SMS or WhatsApp channel you can use"));
    };
    match &c.problem {
        Some(p) => Err(AppError::invalid("channelId", p)),
        None => Ok(c),
    }
}
