//! What Meta's WhatsApp webhooks mean to Parley (pure). A POST carries
//! `{"object": "whatsapp_business_account", "entry": [{"changes": [{"field":
//! "messages", "value": {...}}]}]}`; each value names the business number
//! (`metadata.phone_number_id`) and holds customers' `messages` (with their
//! `contacts` profiles) and `statuses` of messages Parley sent. One POST
//! may carry several of each, across entries and changes.

use serde::Deserialize;

use crate::messages::model::DeliveryStatus;
use crate::sms::model::e164;

/// Why a webhook body is not one Parley can read; `at` says where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPayload {
    pub at: String,
    pub message: String,
}

impl std::fmt::Display for BadPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// A customer's message, ready for ingest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingMessage {
    /// The business number it was sent to.
    pub phone_number_id: String,
    /// `wamid.…`: stores a redelivered webhook once.
    pub wamid: String,
    /// The customer's WhatsApp id (their number's digits).
    pub wa_id: String,
    /// The same number in E.164, the contact identity it is filed under.
    pub phone: String,
    /// The customer's WhatsApp profile name, when the webhook gave one.
    pub name: Option<String>,
    /// What the conversation shows: the text, or what arrived and its caption.
    pub body: String,
    /// The file it carries (image, video, audio, document, sticker).
    pub media: Option<MediaRef>,
}

/// A file a message carries. The webhook gives only its id; the bytes are
/// fetched from the Graph API after the webhook is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    /// `image`, `video`, `audio`, `document` or `sticker`.
    pub kind: String,
    /// The Graph API's media id.
    pub id: String,
    /// The type the webhook announced (the Graph API's answer wins).
    pub mime_type: Option<String>,
    /// A document's own name, as the customer's app sent it.
    pub filename: Option<String>,
}

impl MediaRef {
    /// The name the attachment gets: a document's own name when it has
    /// one, else the kind and an extension from the type (`image.jpg`).
    pub fn file_name(&self, mime_type: &str) -> String {
        if let Some(f) = self.filename.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            return f.to_string();
        }
        format!("{}.{}", self.kind, extension(mime_type))
    }
}

/// The usual extension of the types WhatsApp carries; `bin` for others.
fn extension(mime_type: &str) -> &'static str {
    // `audio/ogg; codecs=opus`: the parameters say nothing about the name.
    let essence = mime_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "video/mp4" => "mp4",
        "video/3gpp" => "3gp",
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "audio/aac" => "aac",
        "audio/mp4" => "m4a",
        "audio/amr" => "amr",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        _ => "bin",
    }
}

/// A report on a message Parley sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    pub phone_number_id: String,
    /// The `wamid.…` the Graph API returned when the message was sent.
    pub wamid: String,
    /// `None` for words that change nothing for Parley (`deleted`, …).
    pub status: Option<DeliveryStatus>,
    /// Why it failed, from the report's `errors`.
    pub reason: Option<String>,
}

/// Everything one webhook POST carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notification {
    pub messages: Vec<IncomingMessage>,
    pub statuses: Vec<StatusUpdate>,
}

#[derive(Deserialize)]
struct Value {
    metadata: Metadata,
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<Message>,
    #[serde(default)]
    statuses: Vec<Status>,
}

#[derive(Deserialize)]
struct Metadata {
    phone_number_id: String,
}

#[derive(Deserialize)]
struct Contact {
    wa_id: String,
    #[serde(default)]
    profile: Option<Profile>,
}

#[derive(Deserialize)]
struct Profile {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct Message {
    from: String,
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<Text>,
    #[serde(default)]
    image: Option<Media>,
    #[serde(default)]
    video: Option<Media>,
    #[serde(default)]
    audio: Option<Media>,
    #[serde(default)]
    document: Option<Media>,
    #[serde(default)]
    sticker: Option<Media>,
    #[serde(default)]
    location: Option<Location>,
    #[serde(default)]
    reaction: Option<Reaction>,
    #[serde(default)]
    button: Option<Text>,
    #[serde(default)]
    interactive: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Text {
    #[serde(default, alias = "text")]
    body: String,
}

#[derive(Deserialize)]
struct Media {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    filename: Option<String>,
}

#[derive(Deserialize)]
struct Location {
    latitude: f64,
    longitude: f64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    address: Option<String>,
}

#[derive(Deserialize)]
struct Reaction {
    #[serde(default)]
    emoji: Option<String>,
}

#[derive(Deserialize)]
struct Status {
    id: String,
    status: String,
    #[serde(default)]
    errors: Vec<GraphIssue>,
}

/// An error object as statuses (and webhooks) carry it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct GraphIssue {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub error_data: Option<IssueData>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct IssueData {
    #[serde(default)]
    pub details: Option<String>,
}

fn bad(at: impl Into<String>, message: impl Into<String>) -> BadPayload {
    BadPayload { at: at.into(), message: message.into() }
}

/// Reads a webhook body. Changes other than `messages` (template or
/// account updates) carry nothing for the inbox and are skipped; a message
/// type Parley does not show is still stored, saying what it was.
pub fn parse(body: &[u8]) -> Result<Notification, BadPayload> {
    let doc: serde_json::Value = serde_json::from_slice(body).map_err(|e| bad("body", format!("is not JSON ({e})")))?;
    match doc.get("object").and_then(|o| o.as_str()) {
        Some("whatsapp_business_account") => {}
        Some(other) => return Err(bad("object", format!("is {other}, not whatsapp_business_account"))),
        None => return Err(bad("object", "is missing (not a WhatsApp Cloud API webhook)")),
    }
    let entries = doc.get("entry").and_then(|e| e.as_array()).ok_or_else(|| bad("entry", "must be a list"))?;
    let mut out = Notification::default();
    for (i, entry) in entries.iter().enumerate() {
        let changes = entry.get("changes").and_then(|c| c.as_array()).map(Vec::as_slice).unwrap_or_default();
        for (j, change) in changes.iter().enumerate() {
            if change.get("field").and_then(|f| f.as_str()) != Some("messages") {
                continue;
            }
            let at = format!("entry[{i}].changes[{j}].value");
            let value: Value = change
                .get("value")
                .cloned()
                .ok_or_else(|| bad(&at, "is missing"))
                .and_then(|v| serde_json::from_value(v).map_err(|e| bad(&at, e.to_string())))?;
            read_value(value, &at, &mut out)?;
        }
    }
    Ok(out)
}

fn read_value(v: Value, at: &str, out: &mut Notification) -> Result<(), BadPayload> {
    let number = v.metadata.phone_number_id;
    for (k, m) in v.messages.into_iter().enumerate() {
        let here = format!("{at}.messages[{k}]");
        if m.id.trim().is_empty() {
            return Err(bad(format!("{here}.id"), "is empty"));
        }
        let phone = e164(&format!("+{}", m.from.trim()))
            .map_err(|e| bad(format!("{here}.from"), format!("{} ({e})", m.from)))?;
        let name = v
            .contacts
            .iter()
            .find(|c| c.wa_id == m.from)
            .and_then(|c| c.profile.as_ref())
            .map(|p| p.name.trim().to_string())
            .filter(|n| !n.is_empty());
        let body = text_of(&m);
        let media = media_of(&m);
        out.messages.push(IncomingMessage {
            phone_number_id: number.clone(),
            wamid: m.id,
            wa_id: m.from,
            phone,
            name,
            body,
            media,
        });
    }
    for s in v.statuses {
        let status = match s.status.as_str() {
            "sent" => Some(DeliveryStatus::Sent),
            "delivered" => Some(DeliveryStatus::Delivered),
            "read" => Some(DeliveryStatus::Read),
            "failed" => Some(DeliveryStatus::Failed),
            _ => None,
        };
        let reason = (status == Some(DeliveryStatus::Failed)).then(|| failure_reason(&s.errors));
        out.statuses.push(StatusUpdate { phone_number_id: number.clone(), wamid: s.id, status, reason });
    }
    Ok(())
}

/// The file of a media message; `None` for other types, or when Meta sent
/// no id (nothing could be fetched).
fn media_of(m: &Message) -> Option<MediaRef> {
    let media = match m.kind.as_str() {
        "image" => &m.image,
        "video" => &m.video,
        "audio" => &m.audio,
        "document" => &m.document,
        "sticker" => &m.sticker,
        _ => return None,
    }
    .as_ref()?;
    let id = media.id.as_deref().map(str::trim).filter(|i| !i.is_empty())?;
    Some(MediaRef {
        kind: m.kind.clone(),
        id: id.to_string(),
        mime_type: media.mime_type.clone(),
        filename: media.filename.clone(),
    })
}

/// The stored text: the message's own words, or `[kind]` and the caption
/// for what has none (the file itself is fetched after, see `media_of`).
fn text_of(m: &Message) -> String {
    let tagged = |tag: String, words: Option<&str>| -> String {
        match words.map(str::trim).filter(|w| !w.is_empty()) {
            Some(w) => format!("{tag} {w}"),
            None => tag,
        }
    };
    let media = |media: &Option<Media>| {
        let md = media.as_ref();
        let file = md.and_then(|x| x.filename.as_deref()).map(str::trim).filter(|f| !f.is_empty());
        let tag = match file {
            Some(f) => format!("[{} {f}]", m.kind),
            None => format!("[{}]", m.kind),
        };
        tagged(tag, md.and_then(|x| x.caption.as_deref()))
    };
    match m.kind.as_str() {
        "text" => match m.text.as_ref().map(|t| t.body.as_str()).filter(|b| !b.trim().is_empty()) {
            Some(b) => b.to_string(),
            None => "[empty text]".into(),
        },
        "image" => media(&m.image),
        "video" => media(&m.video),
        "audio" => media(&m.audio),
        "document" => media(&m.document),
        "sticker" => media(&m.sticker),
        "location" => match &m.location {
            Some(l) => {
                let place = [l.name.as_deref(), l.address.as_deref()]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
                let at = format!("{}, {}", l.latitude, l.longitude);
                let desc = if place.is_empty() { at } else { format!("{place} ({at})") };
                tagged("[location]".into(), Some(desc.as_str()))
            }
            None => "[location]".into(),
        },
        "reaction" => match m.reaction.as_ref().and_then(|r| r.emoji.as_deref()).filter(|e| !e.is_empty()) {
            Some(e) => format!("[reaction] {e}"),
            None => "[reaction removed]".into(),
        },
        "button" => tagged("[button]".into(), m.button.as_ref().map(|b| b.body.as_str())),
        "interactive" => {
            let title = m
                .interactive
                .as_ref()
                .and_then(|i| ["button_reply", "list_reply"].iter().find_map(|k| i.get(*k)?.get("title")?.as_str()));
            tagged("[reply]".into(), title)
        }
        other => format!("[{other} message: open WhatsApp to see it]"),
    }
}

/// Why a reported failure happened, in words an agent can act on.
pub fn failure_reason(errors: &[GraphIssue]) -> String {
    match errors.first() {
        None => "WhatsApp did not deliver the message (Meta gave no reason).".to_string(),
        Some(e) => format!("WhatsApp did not deliver the message: {}", crate::whatsapp::graph::describe(e)),
    }
}

#[cfg(test)]
#[path = "meta_tests.rs"]
mod tests;
