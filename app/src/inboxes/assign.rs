//! Who a new conversation goes to under an inbox's assignment rule: pure,
//! so round robin's fairness and least busy's choice are tested directly.

use crate::ids::UserId;
use crate::inboxes::model::{AssignmentRules, AssignmentType};
use crate::users::model::Availability;

/// Someone who could take the conversation: they can see the inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub user_id: UserId,
    pub availability: Availability,
    /// Conversations assigned to them that are New, Open or Pending.
    pub open_count: i64,
}

/// How the choice was made, for the activity line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Why {
    RoundRobin,
    LeastBusy,
    Fallback,
}

impl Why {
    pub fn label(self) -> &'static str {
        match self {
            Why::RoundRobin => "round robin",
            Why::LeastBusy => "least busy",
            Why::Fallback => "the fallback rule",
        }
    }
}

/// The assignee for a new conversation, or `None` (manual, or nobody fits).
/// `last` is who round robin picked last in this inbox (kept in the
/// database, so the turn survives restarts).
pub fn choose(rule: &AssignmentRules, candidates: &[Candidate], last: Option<UserId>) -> Option<(UserId, Why)> {
    if rule.kind == AssignmentType::Manual {
        return None;
    }
    let mut pool: Vec<&Candidate> =
        candidates.iter().filter(|c| !rule.only_available || c.availability == Availability::Available).collect();
    pool.sort_by_key(|c| c.user_id.0);
    let picked = match rule.kind {
        AssignmentType::Manual => None,
        AssignmentType::RoundRobin => {
            // The first in id order after the last pick, wrapping around.
            let after = last.map(|l| l.0).unwrap_or(i64::MIN);
            pool.iter().find(|c| c.user_id.0 > after).or_else(|| pool.first()).map(|c| (c.user_id, Why::RoundRobin))
        }
        AssignmentType::LeastBusy => {
            pool.iter().min_by_key(|c| (c.open_count, c.user_id.0)).map(|c| (c.user_id, Why::LeastBusy))
        }
    };
    picked.or_else(|| {
        rule.fallback_user_id.filter(|f| candidates.iter().any(|c| c.user_id == *f)).map(|f| (f, Why::Fallback))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, availability: Availability, open: i64) -> Candidate {
        Candidate { user_id: UserId(id), availability, open_count: open }
    }

    fn rule(kind: AssignmentType, only_available: bool, fallback: Option<i64>) -> AssignmentRules {
        AssignmentRules { kind, fallback_user_id: fallback.map(UserId), only_available }
    }

    #[test]
    fn round_robin_takes_turns_and_skips_the_unavailable() {
        let team = [c(3, Availability::Available, 0), c(1, Availability::Available, 9), c(2, Availability::Away, 0)];
        let r = rule(AssignmentType::RoundRobin, true, None);
        let mut last = None;
        let mut order = Vec::new();
        for _ in 0..4 {
            let (who, why) = choose(&r, &team, last).unwrap_or_else(|| panic!("someone is available"));
            assert_eq!(why, Why::RoundRobin);
            order.push(who.0);
            last = Some(who);
        }
        assert_eq!(order, vec![1, 3, 1, 3], "away agent 2 is skipped; the turn wraps");
        // Counting everyone when availability does not matter.
        let all = rule(AssignmentType::RoundRobin, false, None);
        assert_eq!(choose(&all, &team, Some(UserId(1))).map(|x| x.0), Some(UserId(2)));
        // A last pick who has left the pool does not break the turn.
        assert_eq!(choose(&r, &team, Some(UserId(99))).map(|x| x.0), Some(UserId(1)));
    }

    #[test]
    fn least_busy_picks_the_fewest_open_then_the_lowest_id() {
        let team =
            [c(1, Availability::Available, 4), c(2, Availability::Available, 2), c(3, Availability::Available, 2)];
        let r = rule(AssignmentType::LeastBusy, true, None);
        assert_eq!(choose(&r, &team, None), Some((UserId(2), Why::LeastBusy)));
        // Availability changes the answer.
        let team = [c(1, Availability::Available, 4), c(2, Availability::Offline, 2), c(3, Availability::Away, 0)];
        assert_eq!(choose(&r, &team, None), Some((UserId(1), Why::LeastBusy)));
    }

    #[test]
    fn nobody_available_falls_back_or_leaves_it_unassigned() {
        let team = [c(1, Availability::Away, 0), c(2, Availability::Offline, 0)];
        assert_eq!(
            choose(&rule(AssignmentType::RoundRobin, true, Some(2)), &team, None),
            Some((UserId(2), Why::Fallback))
        );
        assert_eq!(choose(&rule(AssignmentType::LeastBusy, true, None), &team, None), None);
        // A fallback who cannot see the inbox is not used.
        assert_eq!(choose(&rule(AssignmentType::LeastBusy, true, Some(7)), &team, None), None);
        assert_eq!(choose(&rule(AssignmentType::Manual, false, Some(1)), &team, None), None, "manual assigns nobody");
    }
}
