//! The card view's board: one column ("lane") per status, assignee or
//! priority, each a list of its own with the view's filter plus the lane's
//! value. Dropping a card on a lane applies that lane's change.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::conversations::model::{ConversationPage, ConversationPatch, ListFilter, Priority, Status};
use crate::error::AppError;
use crate::users::model::User;

crate::str_enum! {
    /// What the card view's columns are.
    GroupBy {
        Status = "status" / "Status",
        Assignee = "assignee" / "Assignee",
        Priority = "priority" / "Priority",
    }
}

/// Cards a lane loads at a time.
pub const LANE_PAGE: i64 = 20;

/// One column of the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lane {
    /// Stable key (`open`, `high`, a user id, `none`): the page's `data-lane`.
    pub key: String,
    pub title: String,
    /// The view's filter with the lane's value: what the lane lists, and
    /// what a live change is matched against.
    pub filter: ListFilter,
    /// The change a card dropped here makes (`None`: cards cannot be dropped
    /// here, e.g. Snoozed, which needs a time).
    pub drop: Option<ConversationPatch>,
}

/// A lane with its first page of cards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LanePage {
    pub lane: Lane,
    pub page: ConversationPage,
}

/// The board's lanes for `base` (the list's filter), grouped by `group`.
/// The lane's value replaces the filter's own for that field: a board by
/// status shows every status, whatever the status filter says.
pub fn lanes(group: GroupBy, base: &ListFilter, users: &[User]) -> Vec<Lane> {
    let none = ConversationPatch::default();
    match group {
        GroupBy::Status => Status::ALL
            .iter()
            .map(|s| Lane {
                key: s.as_str().into(),
                title: s.label().into(),
                filter: ListFilter { status: Some(*s), ..base.clone() },
                drop: (*s != Status::Snoozed).then(|| ConversationPatch { status: Some(*s), ..none.clone() }),
            })
            .collect(),
        GroupBy::Priority => Priority::ALL
            .iter()
            .rev()
            .map(|p| Lane {
                key: p.as_str().into(),
                title: p.label().into(),
                filter: ListFilter { priority: Some(*p), ..base.clone() },
                drop: Some(ConversationPatch { priority: Some(*p), ..none.clone() }),
            })
            .collect(),
        GroupBy::Assignee => std::iter::once(Lane {
            key: "none".into(),
            title: "Unassigned".into(),
            filter: ListFilter { unassigned: true, assignee_id: None, ..base.clone() },
            drop: Some(ConversationPatch { assignee_id: Some(None), ..none.clone() }),
        })
        .chain(users.iter().map(|u| Lane {
            key: u.id.to_string(),
            title: u.name.clone(),
            filter: ListFilter { assignee_id: Some(u.id), unassigned: false, ..base.clone() },
            drop: Some(ConversationPatch { assignee_id: Some(Some(u.id)), ..none.clone() }),
        }))
        .collect(),
    }
}

/// The board for the list's filter: every lane with its first cards. One
/// indexed list query (and count) per lane.
#[server(input = Json)]
pub async fn list_board(filter: ListFilter, group: GroupBy) -> Result<Vec<LanePage>, AppError> {
    let (state, who) = crate::users::session::require().await?;
    let users = match group {
        GroupBy::Assignee => crate::users::server::list_users(&state.db, who.workspace_id).await?,
        _ => vec![],
    };
    let mut out = vec![];
    for lane in lanes(group, &filter, &users) {
        let page = crate::conversations::server::list(&state.db, &who, &lane.filter, None, LANE_PAGE).await?;
        out.push(LanePage { lane, page });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::model::View;

    #[test]
    fn a_status_board_shows_every_status_and_snoozed_takes_no_drop() {
        let base = ListFilter { view: View::AllOpen, status: Some(Status::Pending), ..ListFilter::default() };
        let l = lanes(GroupBy::Status, &base, &[]);
        let keys: Vec<_> = l.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys, ["new", "open", "pending", "snoozed", "resolved", "closed"]);
        assert_eq!(l[4].filter.status, Some(Status::Resolved));
        assert_eq!(l[4].drop.as_ref().and_then(|p| p.status), Some(Status::Resolved));
        assert!(l[3].drop.is_none());
    }

    #[test]
    fn an_assignee_board_starts_with_unassigned() {
        let l = lanes(GroupBy::Assignee, &ListFilter::default(), &[]);
        assert_eq!(l.len(), 1);
        assert!(l[0].filter.unassigned);
        assert_eq!(l[0].drop.as_ref().and_then(|p| p.assignee_id), Some(None));
    }
}
