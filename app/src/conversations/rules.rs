//! The pure rules of a conversation's life: what a reply, a customer
//! message, a status change or the clock does to it. No I/O, so they are
//! tested directly and shared by every transport.

use crate::conversations::model::Status;
use crate::error::AppError;
use crate::ids::UserId;
use crate::time::Timestamp;

/// The part of a conversation the rules read and change.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvState {
    pub status: Status,
    pub assignee_id: Option<UserId>,
    pub snoozed_until: Option<Timestamp>,
    pub first_response_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub unread: bool,
}

impl ConvState {
    /// A conversation that has just arrived, assigned to the inbox's default
    /// assignee if it has one, else to nobody.
    pub fn arrived(default_assignee: Option<UserId>) -> Self {
        Self {
            status: Status::New,
            assignee_id: default_assignee,
            snoozed_until: None,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            unread: true,
        }
    }
}

/// An agent replied to the customer: the first agent to reply to an
/// unassigned conversation takes it; the first reply moves New to Open and
/// records the first-response time.
pub fn agent_replied(s: &ConvState, agent: UserId, now: Timestamp) -> ConvState {
    let mut n = s.clone();
    if n.assignee_id.is_none() {
        n.assignee_id = Some(agent);
    }
    if n.status == Status::New {
        n.status = Status::Open;
    }
    if n.first_response_at.is_none() {
        n.first_response_at = Some(now);
    }
    n.unread = false;
    n
}

/// The customer wrote again: a snoozed, resolved or closed conversation
/// comes back as Open, and the team has something unread.
pub fn customer_wrote(s: &ConvState) -> ConvState {
    let mut n = s.clone();
    if matches!(n.status, Status::Snoozed | Status::Resolved | Status::Closed) {
        n = reopen(&n);
    }
    n.unread = true;
    n
}

fn reopen(s: &ConvState) -> ConvState {
    ConvState { status: Status::Open, snoozed_until: None, resolved_at: None, closed_at: None, ..s.clone() }
}

/// Someone set the status (Snoozed needs a future `until`).
pub fn set_status(s: &ConvState, to: Status, until: Option<Timestamp>, now: Timestamp) -> Result<ConvState, AppError> {
    let mut n = s.clone();
    match to {
        Status::New if s.status != Status::New => {
            return Err(AppError::invalid("status", "a conversation cannot go back to New"));
        }
        Status::New => {}
        Status::Snoozed => {
            let t = until.ok_or_else(|| AppError::invalid("snoozedUntil", "is required to snooze"))?;
            if t <= now {
                return Err(AppError::invalid("snoozedUntil", "must be in the future"));
            }
            n.status = Status::Snoozed;
            n.snoozed_until = Some(t);
        }
        Status::Open | Status::Pending => {
            n = reopen(&n);
            n.status = to;
        }
        Status::Resolved => {
            n.status = Status::Resolved;
            n.snoozed_until = None;
            n.resolved_at = Some(now);
            n.closed_at = None;
        }
        Status::Closed => {
            n.status = Status::Closed;
            n.snoozed_until = None;
            n.resolved_at = n.resolved_at.or(Some(now));
            n.closed_at = Some(now);
        }
    }
    Ok(n)
}

/// The clock: a snoozed conversation whose time has come is Open again.
pub fn wake_if_due(s: &ConvState, now: Timestamp) -> Option<ConvState> {
    match (s.status, s.snoozed_until) {
        (Status::Snoozed, Some(t)) if t <= now => Some(ConvState { unread: true, ..reopen(s) }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp(1_800_000_000_000);
    const ADA: UserId = UserId(7);
    const BOB: UserId = UserId(8);

    #[test]
    fn first_reply_assigns_opens_and_records_response_time() {
        let s = ConvState::arrived(None);
        let n = agent_replied(&s, ADA, NOW);
        assert_eq!(n.assignee_id, Some(ADA));
        assert_eq!(n.status, Status::Open);
        assert_eq!(n.first_response_at, Some(NOW));
        // A second agent replying later changes neither the owner nor the first response.
        let later = agent_replied(&n, BOB, NOW.plus_secs(60));
        assert_eq!(later.assignee_id, Some(ADA));
        assert_eq!(later.first_response_at, Some(NOW));
    }

    #[test]
    fn default_assignee_is_kept_on_reply() {
        let s = ConvState::arrived(Some(BOB));
        assert_eq!(agent_replied(&s, ADA, NOW).assignee_id, Some(BOB));
    }

    #[test]
    fn reply_to_pending_keeps_status() {
        let s = ConvState { status: Status::Pending, ..ConvState::arrived(None) };
        assert_eq!(agent_replied(&s, ADA, NOW).status, Status::Pending);
    }

    #[test]
    fn snooze_needs_a_future_time_and_wakes_when_due() {
        let s = ConvState::arrived(None);
        assert!(
            matches!(set_status(&s, Status::Snoozed, None, NOW), Err(AppError::Validation { field, .. }) if field == "snoozedUntil")
        );
        assert!(set_status(&s, Status::Snoozed, Some(NOW), NOW).is_err());
        let snoozed = set_status(&s, Status::Snoozed, Some(NOW.plus_secs(3600)), NOW).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(wake_if_due(&snoozed, NOW.plus_secs(3599)), None);
        let woke = wake_if_due(&snoozed, NOW.plus_secs(3600)).unwrap_or_else(|| panic!("should wake"));
        assert_eq!(woke.status, Status::Open);
        assert_eq!(woke.snoozed_until, None);
    }

    #[test]
    fn customer_message_wakes_or_reopens() {
        let snoozed =
            ConvState { status: Status::Snoozed, snoozed_until: Some(NOW.plus_secs(99)), ..ConvState::arrived(None) };
        assert_eq!(customer_wrote(&snoozed).status, Status::Open);
        let closed = set_status(&ConvState::arrived(None), Status::Closed, None, NOW).unwrap_or_else(|e| panic!("{e}"));
        let back = customer_wrote(&closed);
        assert_eq!((back.status, back.closed_at, back.unread), (Status::Open, None, true));
        let pending = ConvState { status: Status::Pending, ..ConvState::arrived(None) };
        assert_eq!(customer_wrote(&pending).status, Status::Pending);
    }

    #[test]
    fn status_changes_record_their_times_and_new_is_one_way() {
        let s = ConvState::arrived(None);
        let r = set_status(&s, Status::Resolved, None, NOW).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.resolved_at, Some(NOW));
        let c = set_status(&r, Status::Closed, None, NOW.plus_secs(5)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((c.resolved_at, c.closed_at), (Some(NOW), Some(NOW.plus_secs(5))));
        assert!(set_status(&c, Status::New, None, NOW).is_err());
        let o = set_status(&c, Status::Open, None, NOW).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((o.status, o.resolved_at, o.closed_at), (Status::Open, None, None));
    }
}
