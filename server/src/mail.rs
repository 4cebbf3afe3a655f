//! Parley's side of receiving mail: the SMTP listener's sink and the
//! `POST /hooks/email/{channelToken}` hook. Both hand a raw message to
//! `app::email::receive` and answer only after it is stored (or kept as
//! rejected, with the reason).

use std::sync::Arc;

use app::attachments::MAX_MAIL_BYTES;
use app::email::receive::{keep_rejected, receive, resolve_recipient, Envelope, Outcome, Refused};
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use crate::smtp::{self, BoxFuture, MailSink, Reply};

/// Accepts mail for Parley's forwarding and reply addresses.
pub struct Sink {
    pub state: AppState,
}

impl MailSink for Sink {
    fn rcpt<'a>(&'a self, addr: &'a str) -> BoxFuture<'a, Result<(), Reply>> {
        Box::pin(async move {
            match resolve_recipient(&self.state, addr).await {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err(Reply::new(550, "5.1.1 No such mailbox here")),
                Err(_) => Err(Reply::new(451, "4.3.0 Temporary failure, try again later")),
            }
        })
    }

    fn data<'a>(&'a self, env: smtp::Envelope, raw: Vec<u8>, total: usize) -> BoxFuture<'a, Reply> {
        Box::pin(async move {
            let env = Envelope { transport: "smtp", mail_from: env.mail_from, rcpt_to: env.rcpt_to };
            take(&self.state, &env, &raw, total).await
        })
    }
}

/// Stores one mail for each channel its recipients name.
async fn take(state: &AppState, env: &Envelope, raw: &[u8], total: usize) -> Reply {
    let mut targets = Vec::new();
    for r in &env.rcpt_to {
        match resolve_recipient(state, r).await {
            Ok(Some((ch, tag)))
                if !targets.iter().any(|(c, _): &(app::channels::server::ChannelRow, _)| c.id == ch.id) =>
            {
                targets.push((ch, tag))
            }
            Ok(_) => {}
            Err(_) => return Reply::new(451, "4.3.0 Temporary failure, try again later"),
        }
    }
    if total > raw.len() {
        let _ = keep_rejected(state, targets.first().map(|t| &t.0), env, raw, total, "over the size limit").await;
        return Reply::new(552, format!("5.3.4 Message too big (limit {MAX_MAIL_BYTES} bytes)"));
    }
    let mut stored = Vec::new();
    for (channel, tag) in &targets {
        match receive(state, channel, *tag, env, raw).await {
            Ok(Outcome::Stored { conversation, .. }) => stored.push(conversation.0.to_string()),
            Ok(Outcome::Held) => stored.push("held".into()),
            Err(Refused::Malformed(why)) => return Reply::new(554, format!("5.6.0 Message refused: {why}")),
            Err(Refused::TooLarge) => return Reply::new(552, "5.3.4 Message too big"),
            Err(Refused::Temporary) => return Reply::new(451, "4.3.0 Temporary failure, try again later"),
        }
    }
    Reply::new(250, format!("2.0.0 OK stored ({})", stored.join(", ")))
}

/// Starts the SMTP listener on `addr`.
pub async fn listen(state: AppState, addr: &str) -> anyhow::Result<std::net::SocketAddr> {
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("binding SMTP {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let hostname = state.settings.inbound_domain.clone();
    let sink: Arc<dyn MailSink> = Arc::new(Sink { state });
    tokio::spawn(smtp::serve(listener, sink, smtp::Limits { max_bytes: MAX_MAIL_BYTES, hostname }));
    Ok(local)
}

/// `POST /hooks/email/{channelToken}`: a raw RFC 5322 message in the body.
/// 202 with the conversation id; 404 for an unknown token; 413 over the
/// limit; 422 for what is not mail. Refused mail is kept raw either way.
pub async fn hook(State(state): State<AppState>, Path(token): Path<String>, body: Body) -> Response {
    let channel = {
        let Ok(mut conn) = state.db.pool.acquire().await else {
            return (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response();
        };
        match app::channels::server::by_token(&mut conn, &token).await {
            Ok(Some(c)) if c.kind == app::messages::model::ChannelKind::Email => c,
            Ok(_) => return error(StatusCode::NOT_FOUND, "not_found", "no email channel has this token"),
            Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response(),
        }
    };
    // Read the body ourselves so an oversized mail is still kept (its head).
    let mut raw = Vec::new();
    let mut total = 0usize;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { return error(StatusCode::BAD_REQUEST, "bad_request", "the upload broke off") };
        total += chunk.len();
        if raw.len() + chunk.len() <= MAX_MAIL_BYTES {
            raw.extend_from_slice(&chunk);
        } else if total > MAX_MAIL_BYTES + 64 * 1024 * 1024 {
            break;
        }
    }
    let env = Envelope { transport: "http", mail_from: String::new(), rcpt_to: vec![] };
    if total > MAX_MAIL_BYTES {
        let _ = keep_rejected(&state, Some(&channel), &env, &raw, total, "over the size limit").await;
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!("mail is limited to {} MiB", MAX_MAIL_BYTES / 1024 / 1024),
        );
    }
    match receive(&state, &channel, None, &env, &raw).await {
        Ok(Outcome::Stored { conversation, duplicate, .. }) => (
            StatusCode::ACCEPTED,
            axum::Json(serde_json::json!({"data": {"conversationId": conversation, "duplicate": duplicate}})),
        )
            .into_response(),
        Ok(Outcome::Held) => {
            (StatusCode::ACCEPTED, axum::Json(serde_json::json!({"data": {"held": true}}))).into_response()
        }
        Err(Refused::Malformed(why)) => error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", &why),
        Err(Refused::TooLarge) => error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "mail is too large"),
        Err(Refused::Temporary) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "try again later"),
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({"error": {"code": code, "message": message}}))).into_response()
}

/// `GET /attachments/{id}/{name}`: the file, for a signed-in user (or API
/// key) who may see its conversation.
pub async fn attachment(
    State(state): State<AppState>,
    session: tower_sessions::Session,
    headers: axum::http::HeaderMap,
    Path((id, _name)): Path<(i64, String)>,
) -> Response {
    let who = match principal(&state, &session, &headers).await {
        Some(w) => w,
        None => return error(StatusCode::UNAUTHORIZED, "unauthorized", "sign in to download attachments"),
    };
    let Ok(mut conn) = state.db.pool.acquire().await else {
        return (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response();
    };
    let file =
        match app::attachments::server::open(&mut conn, &state.settings.data_dir, &who, app::ids::AttachmentId(id))
            .await
        {
            Ok(f) => f,
            Err(e) => return crate::rest::ApiError(e).into_response(),
        };
    let Ok(bytes) = tokio::fs::read(&file.path).await else {
        return error(StatusCode::NOT_FOUND, "not_found", "the file is missing from the data directory");
    };
    // Served as a download unless it is an image (inline mail images);
    // nosniff and a sandbox CSP keep an HTML or SVG file from running here.
    let inline = file.content_type.starts_with("image/") && file.content_type != "image/svg+xml";
    let disposition = format!(
        "{}; filename=\"{}\"",
        if inline { "inline" } else { "attachment" },
        file.name.replace(['"', '\\', '\r', '\n'], "_")
    );
    (
        [
            (axum::http::header::CONTENT_TYPE, file.content_type),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (axum::http::header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'".into()),
            (axum::http::header::CACHE_CONTROL, "private, max-age=3600".into()),
        ],
        bytes,
    )
        .into_response()
}

async fn principal(
    state: &AppState,
    session: &tower_sessions::Session,
    headers: &axum::http::HeaderMap,
) -> Option<app::users::server::Principal> {
    if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return app::users::server::principal_for_api_key(&state.db, key).await.ok().flatten();
    }
    let uid: Option<i64> = session.get(app::users::session::USER_KEY).await.ok().flatten();
    app::users::server::principal(&state.db, app::ids::UserId(uid?)).await.ok().flatten()
}

#[derive(serde::Deserialize)]
pub struct UploadQuery {
    name: String,
}

/// `POST /uploads?name=` (signed-in browser) and `POST /api/v1/uploads?name=`
/// (API key): the raw file as the body, its type in Content-Type. `201` with
/// the upload's id, which `attachmentIds` of the next reply or note takes.
pub async fn upload(
    State(state): State<AppState>,
    session: tower_sessions::Session,
    headers: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<UploadQuery>,
    body: axum::body::Bytes,
) -> Response {
    let Some(who) = principal(&state, &session, &headers).await else {
        return error(StatusCode::UNAUTHORIZED, "unauthorized", "sign in to upload files");
    };
    let ct = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    match app::attachments::server::upload(&state.db, &state.settings.data_dir, &who, &q.name, ct, &body).await {
        Ok(u) => (StatusCode::CREATED, axum::Json(serde_json::json!({"data": u}))).into_response(),
        Err(e) => crate::rest::ApiError(e).into_response(),
    }
}
