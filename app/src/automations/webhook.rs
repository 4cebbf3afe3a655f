//! The webhook action: the rule queues one delivery job per call; the job
//! POSTs the conversation as JSON, signed, and a non-2xx answer or a
//! network failure is retried with backoff (jobs.rs) and shown on the rule.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::automations::jobs::{self, Job, JobKind, NewJob};
use crate::error::{AppError, AppResult};
use crate::ids::{ConversationId, WorkspaceId};
use crate::state::AppState;
use crate::time::Timestamp;

#[derive(Debug, Serialize, Deserialize)]
struct Delivery {
    url: String,
    secret: String,
    body: String,
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the
/// receiver recomputes it and rejects old timestamps (replays).
pub fn signature(secret: &str, unix: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{unix}.{body}").as_bytes());
    format!("t={unix},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Queues a delivery of the conversation's current state to `url`.
pub async fn enqueue(
    state: &AppState,
    ws: WorkspaceId,
    conv: ConversationId,
    url: &str,
    secret: &str,
    now: Timestamp,
) -> AppResult<()> {
    let mut conn = state.db.writer.acquire().await?;
    let summary = crate::conversations::server::summary(&mut conn, conv).await?;
    let rule = crate::automations::RuleContext::current();
    let payload = serde_json::json!({
        "event": "automation",
        "automation": rule.as_ref().map(|r| r.name.clone()),
        "conversation": summary,
        "sentAt": now.to_rfc3339(),
    });
    let automation = rule.and_then(|r| r.chain.last().copied());
    let delivery = Delivery { url: url.into(), secret: secret.into(), body: payload.to_string() };
    jobs::schedule(
        &mut conn,
        &NewJob {
            workspace_id: ws,
            kind: JobKind::Webhook,
            automation_id: automation,
            conversation_id: Some(conv),
            dedupe: format!("webhook:{}:{conv}:{}:{url}", automation.map(|a| a.0).unwrap_or(0), now.0),
            due_at: now,
            payload: serde_json::to_value(&delivery).map_err(|_| AppError::Internal)?,
        },
    )
    .await?;
    Ok(())
}

/// One attempt; an error is retried by the queue.
pub async fn deliver(job: &Job) -> AppResult<()> {
    let d: Delivery = serde_json::from_str(&job.payload).map_err(|_| AppError::Internal)?;
    let unix = Timestamp::now().0 / 1000;
    let mut headers = vec![("content-type", "application/json".to_string())];
    if !d.secret.is_empty() {
        headers.push(("x-parley-signature", signature(&d.secret, unix, &d.body)));
    }
    let reply = crate::http_out::post(&d.url, &headers, d.body.into_bytes())
        .await
        .map_err(|message| AppError::BadRequest { message: format!("webhook: {message}") })?;
    if !(200..300).contains(&reply.status) {
        let excerpt: String = reply.body.chars().take(200).collect();
        return Err(AppError::BadRequest { message: format!("webhook answered {}: {excerpt}", reply.status) });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_time_dot_body() {
        // The value a receiver computes with any HMAC library (here Python's
        // hmac.new(b"secret-1", b'1700000000.{"event":"automation"}', sha256)).
        let body = r#"{"event":"automation"}"#;
        assert_eq!(
            signature("secret-1", 1_700_000_000, body),
            "t=1700000000,v1=ebcd4228cf4440951fd1cc141d59605ddbf981000ce85564502fb5ca1e87174e"
        );
        assert_ne!(signature("secret-1", 1_700_000_001, body), signature("secret-1", 1_700_000_000, body));
        assert_ne!(signature("secret-2", 1_700_000_000, body), signature("secret-1", 1_700_000_000, body));
    }
}
