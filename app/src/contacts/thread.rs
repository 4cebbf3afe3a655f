//! "Create thread" on a contact: the channels a new conversation with this
//! person can go out on, each with why it cannot be used right now (so the
//! page shows it disabled with the reason before anyone types).

use crate::channels::server::{list, ChannelRow};
use crate::contacts::model::{Contact, ThreadChannel};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::ChannelId;
use crate::messages::model::ChannelKind;
use crate::users::server::{visible_inbox_ids, Principal};

/// Email, SMS and WhatsApp channels in inboxes `who` may see, in creation
/// order. A website widget is left out: its visitor starts the chat. Two
/// queries whatever the number of channels: the channels, and the inboxes
/// `who` sees.
pub async fn thread_channels(db: &Db, who: &Principal, contact: &Contact) -> AppResult<Vec<ThreadChannel>> {
    let visible = visible_inbox_ids(db, who).await?;
    Ok(list(db, who.workspace_id)
        .await?
        .into_iter()
        .filter(|ch| matches!(ch.kind, ChannelKind::Email | ChannelKind::Sms | ChannelKind::Whatsapp))
        .filter(|ch| visible.contains(&ch.inbox_id))
        .map(|ch| {
            let problem = problem(&ch, contact).err();
            ThreadChannel { id: ch.id, name: ch.name, kind: ch.kind, inbox_id: ch.inbox_id, problem }
        })
        .collect())
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
    let choices = thread_channels(db, who, contact).await?;
    let Some(c) = choices.into_iter().find(|c| c.id == channel) else {
        return Err(AppError::invalid("channelId", "is not an email, SMS or WhatsApp channel you can use"));
    };
    match &c.problem {
        Some(p) => Err(AppError::invalid("channelId", p)),
        None => Ok(c),
    }
}
