//! Sending a stored SMS reply through Twilio's Messages API
//! (`POST {apiBaseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json`,
//! basic auth, form body), and the channel's health check.

use base64::Engine as _;

use crate::channels::model::HealthStatus;
use crate::channels::server::{self as channels, ChannelRow};
use crate::error::AppResult;
use crate::ids::MessageId;
use crate::sms::model::{SmsSettings, MAX_SMS_CHARS};
use crate::sms::twilio::api_failure;
use crate::state::AppState;
use crate::text_reply::{self, refuse, Failure, TextReply};

/// Sends queued reply `mid`; the outcome lands on the message (`sent` with
/// Twilio's sid, or `failed` with a reason) and on the channel's health.
pub async fn deliver(state: &AppState, mid: MessageId) -> AppResult<()> {
    text_reply::deliver(state, mid, async |channel, o| send(state, channel, o, mid).await).await
}

/// The one API call; Twilio's `sid` for the text on success.
async fn send(state: &AppState, channel: &ChannelRow, o: &TextReply, mid: MessageId) -> Result<String, Failure> {
    let settings = channel.sms().map_err(|_| refuse(crate::sms::NOT_CONNECTED))?;
    channel.can_send().map_err(refuse)?;
    let to = o
        .contact_phone
        .as_deref()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| refuse("The contact has no phone number to text: add one to the contact, then retry."))?;
    if o.files > 0 {
        // MMS needs a public URL for each file, and attachments here are
        // private to signed-in users; refusing beats silently dropping them.
        return Err(refuse("Files cannot be sent by SMS: send the text without the attachment."));
    }
    if o.body.chars().count() > MAX_SMS_CHARS {
        return Err(refuse(format!("Texts are limited to {MAX_SMS_CHARS} characters: shorten the reply.")));
    }
    let callback = crate::sms::status_callback_url(&state.settings.public_url, &channel.token, mid);
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("To", to)
        .append_pair("From", &settings.from_number)
        .append_pair("Body", &o.body)
        .append_pair("StatusCallback", &callback)
        .finish();
    let headers = vec![
        ("authorization", basic_auth(&settings)),
        ("content-type", "application/x-www-form-urlencoded".to_string()),
        ("accept", "application/json".to_string()),
    ];
    let reply = crate::http_out::post(&settings.messages_url(), &headers, body.into_bytes()).await.map_err(|e| {
        Failure {
            // A timeout may hide a text Twilio did take: say so before
            // anyone retries and the customer gets it twice.
            reason: format!(
                "Twilio could not be reached ({e}). If it was a timeout the text may still have gone out: \
                 check Twilio's message log before retrying."
            ),
            channel_problem: true,
        }
    })?;
    if !(200..300).contains(&reply.status) {
        let (reason, channel_problem) = api_failure(reply.status, &reply.body);
        return Err(Failure { reason, channel_problem });
    }
    let created: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or_default();
    match created.get("sid").and_then(|s| s.as_str()).filter(|s| !s.is_empty()) {
        Some(sid) => Ok(sid.to_string()),
        None => Err(Failure {
            reason: format!(
                "Twilio answered HTTP {} without a message sid; check Twilio's message log before retrying.",
                reply.status
            ),
            channel_problem: true,
        }),
    }
}

fn basic_auth(s: &SmsSettings) -> String {
    let pair = format!("{}:{}", s.account_sid, s.auth_token);
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
}

/// Reads the Twilio account with the channel's credentials; records and
/// returns the channel's health.
pub async fn check_health(state: &AppState, channel: &ChannelRow) -> AppResult<(HealthStatus, Option<String>)> {
    let outcome = match channel.sms() {
        Err(_) => (HealthStatus::Unconfigured, Some(crate::sms::NOT_CONNECTED.to_string())),
        Ok(s) => match crate::http_out::get(&s.account_url(), &[("authorization", basic_auth(&s))]).await {
            Ok(r) if (200..300).contains(&r.status) => (HealthStatus::Ok, None),
            Ok(r) => (HealthStatus::Failing, Some(api_failure(r.status, &r.body).0)),
            Err(e) => (HealthStatus::Failing, Some(format!("Twilio could not be reached: {e}"))),
        },
    };
    channels::set_health(&state.db, channel.id, outcome.0, outcome.1.as_deref()).await?;
    Ok(outcome)
}
