//! Bulk actions from the list view: one patch applied to many
//! conversations in one transaction (one commit, so a hundred changes cost
//! one fsync), each behind its own savepoint so a refused conversation
//! leaves the others changed.

use sqlx::{Acquire, QueryBuilder};

use crate::conversations::model::{BulkOutcome, BulkRefusal, BulkTarget, ConversationPatch, BULK_MAX};
use crate::conversations::server::{patch_in, push_filter, Narrowing};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::ConversationId;
use crate::live::server::Hub;
use crate::users::server::Principal;

/// Applies `p` to every conversation of `target` that `who` may change.
pub async fn bulk_patch(
    db: &Db,
    hub: &Hub,
    who: &Principal,
    target: &BulkTarget,
    p: &ConversationPatch,
) -> AppResult<BulkOutcome> {
    let ids = match target {
        BulkTarget::Ids(ids) => {
            if ids.len() > BULK_MAX {
                return Err(AppError::invalid("ids", format!("at most {BULK_MAX} at once")));
            }
            ids.clone()
        }
        BulkTarget::Matching(f) => {
            let mut conn = db.pool.acquire().await?;
            let n = Narrowing::plan(&mut conn, who, f).await?;
            let mut qb = QueryBuilder::new("SELECT c.id FROM conversations c");
            push_filter(&mut qb, who, f, &n, None);
            qb.push(" ORDER BY c.id LIMIT ").push_bind(BULK_MAX as i64);
            qb.build_query_scalar().fetch_all(&mut *conn).await?
        }
    };
    let mut out = BulkOutcome::default();
    let mut events = vec![];
    let mut tx = db.write().await?;
    for id in dedupe(ids) {
        let mut sp = tx.begin().await?;
        match patch_in(&mut sp, who, id, p).await {
            Ok(ev) => {
                sp.commit().await?;
                out.changed.push(id);
                events.push(ev);
            }
            Err(e @ AppError::Internal) => return Err(e),
            Err(e) => {
                sp.rollback().await?;
                out.refused.push(BulkRefusal { id, reason: reason(&e) });
            }
        }
    }
    tx.commit().await?;
    for ev in events {
        hub.publish(who.workspace_id, ev);
    }
    Ok(out)
}

fn dedupe(mut ids: Vec<ConversationId>) -> Vec<ConversationId> {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    ids
}

/// Why one conversation was refused, in the words the bulk bar shows.
fn reason(e: &AppError) -> String {
    match e {
        AppError::Forbidden => "you may not change it".into(),
        AppError::NotFound { .. } => "not found (or not yours to see)".into(),
        AppError::Validation { field, message } => format!("{field}: {message}"),
        AppError::Conflict { message } | AppError::BadRequest { message } => message.clone(),
        other => other.to_string(),
    }
}
