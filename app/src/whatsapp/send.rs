//! Sending a stored WhatsApp reply through the Graph API
//! (`POST {apiBaseUrl}/{phoneNumberId}/messages`, bearer token, JSON), and
//! the channel's health check (`GET {apiBaseUrl}/{phoneNumberId}`).

use crate::channels::model::HealthStatus;
use crate::channels::server::{self as channels, ChannelRow};
use crate::error::AppResult;
use crate::ids::MessageId;
use crate::state::AppState;
use crate::text_reply::{self, refuse, Failure, TextReply};
use crate::whatsapp::graph::{api_failure, check_failure, sent_id, text_message};
use crate::whatsapp::model::MAX_TEXT_CHARS;

/// Sends queued reply `mid`; the outcome lands on the message (`sent` with
/// the wamid, or `failed` with a reason) and on the channel's health.
pub async fn deliver(state: &AppState, mid: MessageId) -> AppResult<()> {
    text_reply::deliver(state, mid, async |channel, o| send(channel, o).await).await
}

/// The one API call; the message's `wamid.…` on success.
async fn send(channel: &ChannelRow, o: &TextReply) -> Result<String, Failure> {
    let settings = channel.whatsapp().map_err(|_| refuse(crate::whatsapp::NOT_CONNECTED))?;
    channel.can_send().map_err(refuse)?;
    // A WhatsApp id is the number's digits; contacts keep it in E.164.
    let to = o
        .contact_phone
        .as_deref()
        .map(|p| p.trim_start_matches('+'))
        .filter(|p| !p.is_empty())
        .ok_or_else(|| refuse("The contact has no phone number to message on WhatsApp: add one, then retry."))?;
    if o.files > 0 {
        // Media goes up to Meta first (a media id) or needs a public link,
        // and attachments here are private; refusing beats dropping them.
        return Err(refuse("Files cannot be sent on WhatsApp yet: send the text without the attachment."));
    }
    if o.body.chars().count() > MAX_TEXT_CHARS {
        return Err(refuse(format!(
            "WhatsApp messages are limited to {MAX_TEXT_CHARS} characters: shorten the reply."
        )));
    }
    let headers = vec![
        ("authorization", settings.bearer()),
        ("content-type", "application/json".to_string()),
        ("accept", "application/json".to_string()),
    ];
    let body = text_message(to, &o.body).to_string().into_bytes();
    let reply = crate::http_out::post(&settings.messages_url(), &headers, body).await.map_err(|e| Failure {
        // A timeout may hide a message Meta did take: say so before anyone
        // retries and the customer gets it twice.
        reason: format!(
            "The WhatsApp Cloud API could not be reached ({e}). If it was a timeout the message may still have \
             gone out: check the chat on the business phone or WhatsApp Manager before retrying."
        ),
        channel_problem: true,
    })?;
    if !(200..300).contains(&reply.status) {
        let (reason, channel_problem) = api_failure(reply.status, &reply.body);
        return Err(Failure { reason, channel_problem });
    }
    sent_id(&reply.body).ok_or_else(|| Failure {
        reason: format!(
            "The Graph API answered HTTP {} without a message id; check the chat before retrying.",
            reply.status
        ),
        channel_problem: true,
    })
}

/// Reads the business phone number with the channel's token; records and
/// returns the channel's health.
pub async fn check_health(state: &AppState, channel: &ChannelRow) -> AppResult<(HealthStatus, Option<String>)> {
    let outcome = match channel.whatsapp() {
        Err(_) => (HealthStatus::Unconfigured, Some(crate::whatsapp::NOT_CONNECTED.to_string())),
        Ok(s) => match crate::http_out::get(&s.phone_number_url(), &[("authorization", s.bearer())]).await {
            Ok(r) if (200..300).contains(&r.status) => (HealthStatus::Ok, None),
            Ok(r) => (HealthStatus::Failing, Some(check_failure(r.status, &r.body))),
            Err(e) => (HealthStatus::Failing, Some(format!("The WhatsApp Cloud API could not be reached: {e}"))),
        },
    };
    channels::set_health(&state.db, channel.id, outcome.0, outcome.1.as_deref()).await?;
    Ok(outcome)
}
