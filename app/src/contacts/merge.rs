//! Merging two contacts into one person: the second one's conversations,
//! messages, addresses and numbers move to the first, then it is removed.
//! Nothing is lost: an email or phone the kept contact already has a main
//! value for becomes one of its other identities (migration 0014).

use sqlx::SqliteConnection;

use crate::contacts::model::Contact;
use crate::contacts::server::get;
use crate::error::{AppError, AppResult};
use crate::ids::{ContactId, ConversationId};
use crate::live::model::LiveEvent;
use crate::time::Timestamp;
use crate::users::server::Principal;

/// What a merge did: the kept contact, and one event per conversation that
/// changed hands, for the caller to publish after commit.
pub struct Merged {
    pub contact: Contact,
    pub events: Vec<LiveEvent>,
}

/// Merges contact `from` into `into`, as `who` (an admin: a merge touches
/// conversations in inboxes an agent may not see). Inside the caller's
/// transaction; every check runs before the first write.
pub async fn merge_in(
    conn: &mut SqliteConnection,
    who: &Principal,
    into: ContactId,
    from: ContactId,
) -> AppResult<Merged> {
    who.require_admin()?;
    let ws = who.workspace_id;
    if into == from {
        return Err(AppError::invalid("contactId", "is this contact: choose another one to merge"));
    }
    let kept = get(&mut *conn, ws, into).await?;
    let gone = get(&mut *conn, ws, from)
        .await
        .map_err(|_| AppError::invalid("contactId", "no such contact in this workspace"))?;
    let moved: Vec<ConversationId> =
        sqlx::query_scalar("SELECT id FROM conversations WHERE contact_id = ? ORDER BY id")
            .bind(from)
            .fetch_all(&mut *conn)
            .await?;
    // Everything that points at the other record moves over before it is
    // removed (deleting it would cascade): conversations, the messages it
    // sent, its kept addresses, and its widget visitors, so a visitor's
    // chat panel keeps finding its conversation after the merge.
    for q in [
        "UPDATE conversations SET contact_id = ? WHERE contact_id = ?",
        "UPDATE messages SET sender_contact_id = ? WHERE sender_contact_id = ?",
        "UPDATE contact_identities SET contact_id = ? WHERE contact_id = ?",
        "UPDATE widget_visitors SET contact_id = ? WHERE contact_id = ?",
    ] {
        sqlx::query(q).bind(into).bind(from).execute(&mut *conn).await?;
    }
    // Removed before its email and phone move, which frees the unique
    // indexes those values sit in.
    sqlx::query("DELETE FROM contacts WHERE id = ? AND workspace_id = ?")
        .bind(from)
        .bind(ws)
        .execute(&mut *conn)
        .await?;
    let now = Timestamp::now();
    let name = if kept.name.trim().is_empty() { gone.name.clone() } else { kept.name.clone() };
    let (email, extra_email) = keep_or_spare(kept.email.clone(), gone.email.clone());
    let (phone, extra_phone) = keep_or_spare(kept.phone.clone(), gone.phone.clone());
    sqlx::query("UPDATE contacts SET name = ?, email = ?, phone = ?, updated_at = ? WHERE id = ?")
        .bind(&name)
        .bind(&email)
        .bind(&phone)
        .bind(now)
        .bind(into)
        .execute(&mut *conn)
        .await?;
    for (kind, value) in [("email", extra_email), ("phone", extra_phone)] {
        if let Some(v) = value {
            sqlx::query(
                "INSERT INTO contact_identities (workspace_id, contact_id, kind, value, created_at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(ws)
            .bind(into)
            .bind(kind)
            .bind(v)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
    }
    let activity = format!("Contact {} merged into {}", label(&gone), label(&kept));
    let mut events = Vec::with_capacity(moved.len());
    for id in moved {
        let extra = crate::conversations::server::EventExtra { fields: vec![], activity: Some(activity.clone()) };
        events.push(
            crate::conversations::server::record_event_with(
                &mut *conn,
                crate::live::model::EventKind::ConversationUpdated,
                id,
                Some(who.id),
                "contact merged".into(),
                None,
                extra,
            )
            .await?,
        );
    }
    Ok(Merged { contact: get(&mut *conn, ws, into).await?, events })
}

/// The kept contact's value stays main; the merged one's fills an empty
/// slot, or else becomes a spare (unless it is the same value).
fn keep_or_spare(kept: Option<String>, merged: Option<String>) -> (Option<String>, Option<String>) {
    match (kept, merged) {
        (None, m) => (m, None),
        (Some(k), Some(m)) if !k.eq_ignore_ascii_case(&m) => (Some(k), Some(m)),
        (k, _) => (k, None),
    }
}

/// How a contact is named in the activity line.
fn label(c: &Contact) -> String {
    [Some(c.name.as_str()), c.email.as_deref(), c.phone.as_deref()]
        .into_iter()
        .flatten()
        .find(|s| !s.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("#{}", c.id))
}

#[cfg(test)]
mod tests {
    use super::keep_or_spare;

    #[test]
    fn the_kept_value_stays_and_the_other_is_kept_aside() {
        let s = |v: &str| Some(v.to_string());
        assert_eq!(keep_or_spare(None, s("b@x.test")), (s("b@x.test"), None), "fills an empty slot");
        assert_eq!(keep_or_spare(s("a@x.test"), s("b@x.test")), (s("a@x.test"), s("b@x.test")), "spare");
        assert_eq!(keep_or_spare(s("a@x.test"), s("A@X.test")), (s("a@x.test"), None), "same address");
        assert_eq!(keep_or_spare(s("a@x.test"), None), (s("a@x.test"), None));
    }
}
