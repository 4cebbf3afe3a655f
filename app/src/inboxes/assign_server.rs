//! Applying an inbox's assignment rule to a new conversation, inside the
//! ingest transaction: the pool, its open counts and round robin's turn are
//! read in three queries; the choice is `assign::choose`.

use sqlx::SqliteConnection;

use crate::error::AppResult;
use crate::ids::{InboxId, TeamId, UserId, WorkspaceId};
use crate::inboxes::assign::{choose, Candidate, Why};
use crate::inboxes::model::AssignmentRules;
use crate::users::model::Availability;

/// The assignee for a new conversation in `inbox`, with the reason and
/// their name; `None` under manual assignment or when nobody fits. With a
/// `team` (a routing rule's), only that team's members are considered.
pub async fn assign_new(
    conn: &mut SqliteConnection,
    ws: WorkspaceId,
    inbox: InboxId,
    team: Option<TeamId>,
) -> AppResult<Option<(UserId, Why, String)>> {
    let rules: String = sqlx::query_scalar("SELECT assignment_rules FROM inboxes WHERE id = ?")
        .bind(inbox)
        .fetch_one(&mut *conn)
        .await?;
    let rule: AssignmentRules = serde_json::from_str(&rules).unwrap_or_default();
    if rule.kind == crate::inboxes::model::AssignmentType::Manual {
        return Ok(None);
    }
    // The pool: the inbox's listed members if it has any, else everyone who
    // may see it (the access rule of users/server.rs, per user).
    let pool: Vec<(UserId, Availability, String)> = sqlx::query_as(
        "SELECT u.id, u.availability, u.name FROM users u JOIN inboxes i ON i.id = ?
         WHERE u.workspace_id = ? AND (
           EXISTS (SELECT 1 FROM inbox_members m WHERE m.inbox_id = i.id AND m.user_id = u.id)
           OR (NOT EXISTS (SELECT 1 FROM inbox_members m WHERE m.inbox_id = i.id) AND (
                u.role = 'admin' OR i.access_everyone = 1
                OR EXISTS (SELECT 1 FROM inbox_teams it JOIN team_members tm ON tm.team_id = it.team_id
                           WHERE it.inbox_id = i.id AND tm.user_id = u.id))))
           AND (? IS NULL OR EXISTS (SELECT 1 FROM team_members tm WHERE tm.team_id = ? AND tm.user_id = u.id))
         ORDER BY u.id",
    )
    .bind(inbox)
    .bind(ws)
    .bind(team)
    .bind(team)
    .fetch_all(&mut *conn)
    .await?;
    if pool.is_empty() {
        return Ok(None);
    }
    let mut qb = sqlx::QueryBuilder::new(
        "SELECT assignee_id, COUNT(*) FROM conversations WHERE status IN ('new', 'open', 'pending') AND spam = 0
         AND assignee_id IN (",
    );
    let mut sep = qb.separated(", ");
    for (id, _, _) in &pool {
        sep.push_bind(*id);
    }
    qb.push(") GROUP BY assignee_id");
    let counts: Vec<(UserId, i64)> = qb.build_query_as().fetch_all(&mut *conn).await?;
    let candidates: Vec<Candidate> = pool
        .iter()
        .map(|(id, availability, _)| Candidate {
            user_id: *id,
            availability: *availability,
            open_count: counts.iter().find(|(u, _)| u == id).map(|(_, n)| *n).unwrap_or(0),
        })
        .collect();
    let last: Option<UserId> = sqlx::query_scalar("SELECT last_user_id FROM inbox_round_robin WHERE inbox_id = ?")
        .bind(inbox)
        .fetch_optional(&mut *conn)
        .await?
        .flatten();
    let Some((who, why)) = choose(&rule, &candidates, last) else { return Ok(None) };
    if why == Why::RoundRobin {
        sqlx::query(
            "INSERT INTO inbox_round_robin (inbox_id, last_user_id) VALUES (?, ?)
             ON CONFLICT (inbox_id) DO UPDATE SET last_user_id = excluded.last_user_id",
        )
        .bind(inbox)
        .bind(who)
        .execute(&mut *conn)
        .await?;
    }
    let name = pool.iter().find(|(id, _, _)| *id == who).map(|(_, _, n)| n.clone()).unwrap_or_default();
    Ok(Some((who, why, name)))
}
