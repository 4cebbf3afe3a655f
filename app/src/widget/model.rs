//! The website widget's settings and what a visitor posts, shared by
//! browser and server: typed settings (allowed origins, pre-chat fields,
//! greeting, HMAC secret), the origin rule, and a visitor's submission read
//! field by field so that every error names its field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::channels::fields::Fields;
use crate::error::AppError;

/// The hidden form field people never see and spam bots fill in.
pub const HONEYPOT_FIELD: &str = "website";

/// Pre-chat fields that fill the contact itself; any other named field is
/// kept with the visitor attributes on the conversation.
pub const CONTACT_FIELDS: [&str; 3] = ["name", "email", "phone"];

const MAX_ORIGINS: usize = 50;
const MAX_PRE_CHAT_FIELDS: usize = 10;
const MAX_ATTRIBUTES: usize = 30;
const MAX_KEY_CHARS: usize = 40;
/// Attributes are labels (plan, language), not documents.
const MAX_ATTRIBUTE_CHARS: usize = 200;
const MAX_URL_CHARS: usize = 2000;

/// A widget channel's settings (shared/API.md: `widget`).
///
/// "Unconfigured" means no allowed origins: the plain HTML form still
/// works from any site (a form post cannot read its answer, so origins
/// protect nothing there; the honeypot and rate limit do), but browser
/// scripts may call the widget endpoints only from Parley's own origin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetSettings {
    /// Sites (`https://example.com`, scheme and host, optional port) whose
    /// pages may run the widget script.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// What the panel asks before the first message, each required then.
    #[serde(default)]
    pub pre_chat_fields: Vec<String>,
    /// The panel's first line.
    #[serde(default)]
    pub greeting: String,
    /// Secret: signs visitors' identities (`identifierHash`). Empty: none.
    #[serde(default)]
    pub hmac_secret: String,
}

impl WidgetSettings {
    /// Reads and checks settings; errors name the field
    /// (`settings.allowedOrigins[1]` …). Every field may be absent.
    pub fn parse(v: &Value) -> Result<Self, AppError> {
        if v.is_null() {
            return Ok(Self::default());
        }
        let f = Fields::of(v)?;
        let allowed_origins = string_list(&f, "allowedOrigins", MAX_ORIGINS)?
            .into_iter()
            .enumerate()
            .map(|(i, o)| {
                normalize_origin(&o).ok_or_else(|| {
                    AppError::invalid(
                        format!("settings.allowedOrigins[{i}]"),
                        "must be an origin like https://example.com (scheme and host, no path)",
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let pre_chat_fields = string_list(&f, "preChatFields", MAX_PRE_CHAT_FIELDS)?;
        for (i, name) in pre_chat_fields.iter().enumerate() {
            let field = format!("settings.preChatFields[{i}]");
            if !is_key(name) {
                return Err(AppError::invalid(field, "must be a name of letters, digits, - or _ (at most 40)"));
            }
            if name == HONEYPOT_FIELD || name == "message" {
                return Err(AppError::invalid(field, format!("\u{201c}{name}\u{201d} is reserved")));
            }
            if pre_chat_fields[..i].contains(name) {
                return Err(AppError::invalid(field, "is listed twice"));
            }
        }
        let greeting = optional_text(&f, "greeting")?;
        if greeting.chars().count() > 500 {
            return Err(AppError::invalid("settings.greeting", "must be at most 500 characters"));
        }
        let hmac_secret = optional_text(&f, "hmacSecret")?;
        if !hmac_secret.is_empty() && hmac_secret.len() < 16 {
            return Err(AppError::invalid("settings.hmacSecret", "must be at least 16 characters"));
        }
        Ok(Self { allowed_origins, pre_chat_fields, greeting, hmac_secret })
    }

    /// Whether a browser page at `origin` may use the widget's JSON
    /// endpoints: Parley's own origin (the panel it serves) or a listed one.
    pub fn allows_origin(&self, origin: &str, public_url: &str) -> bool {
        let Some(origin) = normalize_origin(origin) else { return false };
        normalize_origin(public_url).is_some_and(|own| own == origin) || self.allowed_origins.contains(&origin)
    }

    /// What Settings shows as the channel's health detail, if anything is missing.
    pub fn unconfigured_reason(&self) -> Option<&'static str> {
        self.allowed_origins.is_empty().then_some(
            "No allowed origins yet: the plain HTML form works, the chat widget needs your site in allowedOrigins.",
        )
    }
}

fn string_list(f: &Fields<'_>, key: &str, max: usize) -> Result<Vec<String>, AppError> {
    let items = match f.get(key) {
        None | Some(Value::Null) => return Ok(vec![]),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(AppError::invalid(format!("settings.{key}"), "must be a list of text")),
    };
    if items.len() > max {
        return Err(AppError::invalid(format!("settings.{key}"), format!("must list at most {max}")));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| match v.as_str().map(str::trim) {
            Some(s) if !s.is_empty() => Ok(s.to_string()),
            _ => Err(AppError::invalid(format!("settings.{key}[{i}]"), "must be non-empty text")),
        })
        .collect()
}

fn optional_text(f: &Fields<'_>, key: &str) -> Result<String, AppError> {
    match f.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.trim().to_string()),
        Some(_) => Err(AppError::invalid(format!("settings.{key}"), "must be text")),
    }
}

/// `https://Example.com:443/` -> `https://example.com`; `None` unless it is
/// an http(s) origin (what browsers send in `Origin`).
pub fn normalize_origin(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_end_matches('/');
    let (scheme, rest) = raw.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !(scheme == "https" || scheme == "http") || rest.is_empty() {
        return None;
    }
    if rest.contains(['/', '?', '#', '@', ' ']) {
        return None;
    }
    let host = rest.to_ascii_lowercase();
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let host = host.strip_suffix(default_port).unwrap_or(&host).to_string();
    Some(format!("{scheme}://{host}"))
}

fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= MAX_KEY_CHARS
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A visitor's identity from the site's own login: the site's id for the
/// person and its HMAC (checked on the server).
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub identifier: String,
    pub hash: String,
}

/// One post from the widget or the contact form, read and checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WidgetPost {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub message: String,
    /// Configured pre-chat fields beyond name, email and phone.
    pub fields: BTreeMap<String, String>,
    pub page_url: Option<String>,
    pub attributes: BTreeMap<String, String>,
    /// The honeypot had something in it.
    pub honeypot: bool,
    /// The token the widget keeps in its own storage, from an earlier post.
    pub visitor: Option<String>,
    pub identity: Option<Identity>,
    /// The widget's own id for this message, so a retried post is stored once.
    pub client_message_id: Option<String>,
}

impl WidgetPost {
    /// Reads a post: a JSON object, or a form turned into one (see
    /// [`form_to_json`]). Checks shapes and lengths; which pre-chat fields
    /// are required depends on the visitor, see [`WidgetPost::require`].
    pub fn parse(v: &Value) -> Result<Self, AppError> {
        let obj = v.as_object().ok_or_else(|| AppError::BadRequest { message: "expected a JSON object".into() })?;
        let text = |key: &str, max: usize| -> Result<Option<String>, AppError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
                Some(Value::String(s)) if s.trim().chars().count() > max => {
                    Err(AppError::invalid(key, format!("must be at most {max} characters")))
                }
                Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
                Some(_) => Err(AppError::invalid(key, "must be text")),
            }
        };
        let honeypot = text(HONEYPOT_FIELD, usize::MAX)?.is_some();
        let message = match obj.get("message") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim_end().to_string(),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                return Err(AppError::invalid("message", "is required"));
            }
            Some(_) => return Err(AppError::invalid("message", "must be text")),
        };
        let max = crate::messages::model::MAX_BODY_BYTES;
        if message.len() > max {
            return Err(AppError::TooLarge { message: format!("message: must be at most {} KiB", max / 1024) });
        }
        let email = match text("email", 254)? {
            Some(e) => Some(
                crate::contacts::model::normalize_email(&e)
                    .ok_or_else(|| AppError::invalid("email", "is not a valid email address"))?,
            ),
            None => None,
        };
        let phone = match text("phone", 40)? {
            Some(p) => Some(
                crate::contacts::model::normalize_phone(&p)
                    .ok_or_else(|| AppError::invalid("phone", "must be an international number, like +15551234567"))?,
            ),
            None => None,
        };
        let page_url = text("pageUrl", MAX_URL_CHARS)?;
        if page_url.as_deref().is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
            return Err(AppError::invalid("pageUrl", "must be an http(s) URL"));
        }
        let identity = match (text("identifier", 200)?, text("identifierHash", 128)?) {
            (Some(identifier), Some(hash)) => Some(Identity { identifier, hash }),
            (None, None) => None,
            (Some(_), None) => return Err(AppError::invalid("identifierHash", "is required with identifier")),
            (None, Some(_)) => return Err(AppError::invalid("identifier", "is required with identifierHash")),
        };
        Ok(Self {
            name: text("name", 200)?,
            email,
            phone,
            message,
            fields: string_map(obj.get("fields"), "fields")?,
            page_url,
            attributes: string_map(obj.get("attributes"), "attributes")?,
            honeypot,
            visitor: text("visitor", 100)?,
            identity,
            client_message_id: text("clientMessageId", 100)?,
        })
    }

    /// Checks that a visitor starting a conversation gave every pre-chat
    /// field the channel asks for; the first missing one is named.
    pub fn require(&self, settings: &WidgetSettings) -> Result<(), AppError> {
        for f in &settings.pre_chat_fields {
            let given = match f.as_str() {
                "name" => self.name.is_some(),
                "email" => self.email.is_some(),
                "phone" => self.phone.is_some(),
                other => self.fields.contains_key(other),
            };
            if !given {
                let path = if CONTACT_FIELDS.contains(&f.as_str()) { f.clone() } else { format!("fields.{f}") };
                return Err(AppError::invalid(path, "is required"));
            }
        }
        Ok(())
    }

    /// What the conversation keeps beside the page URL: the snippet's
    /// attributes and the answers to custom pre-chat fields.
    pub fn stored_attributes(&self) -> BTreeMap<String, String> {
        let mut all = self.attributes.clone();
        all.extend(self.fields.iter().map(|(k, v)| (k.clone(), v.clone())));
        all
    }
}

fn string_map(v: Option<&Value>, name: &str) -> Result<BTreeMap<String, String>, AppError> {
    let obj = match v {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(AppError::invalid(name, "must be an object of short texts")),
    };
    if obj.len() > MAX_ATTRIBUTES {
        return Err(AppError::invalid(name, format!("must hold at most {MAX_ATTRIBUTES} entries")));
    }
    let mut out = BTreeMap::new();
    for (k, v) in obj {
        let field = format!("{name}.{k}");
        if !is_key(k) {
            return Err(AppError::invalid(field, "must be named with letters, digits, - or _ (at most 40)"));
        }
        let text = match v {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => continue,
            _ => return Err(AppError::invalid(field, "must be text")),
        };
        if text.chars().count() > MAX_ATTRIBUTE_CHARS {
            return Err(AppError::invalid(field, format!("must be at most {MAX_ATTRIBUTE_CHARS} characters")));
        }
        if !text.is_empty() {
            out.insert(k.clone(), text);
        }
    }
    Ok(out)
}

/// A form post as the JSON the widget sends: `attributes[plan]=pro` and
/// `fields[company]=Acme` become nested objects, other keys stay flat (the
/// last of a repeated key wins).
pub fn form_to_json(pairs: &[(String, String)]) -> Value {
    let mut root = serde_json::Map::new();
    for (k, v) in pairs {
        let nested = k.strip_suffix(']').and_then(|k| k.split_once('['));
        match nested {
            Some((outer @ ("attributes" | "fields"), inner)) => {
                let entry = root.entry(outer.to_string()).or_insert_with(|| Value::Object(Default::default()));
                if let Some(map) = entry.as_object_mut() {
                    map.insert(inner.to_string(), Value::String(v.clone()));
                }
            }
            _ => {
                root.insert(k.clone(), Value::String(v.clone()));
            }
        }
    }
    Value::Object(root)
}

/// The panel's settings as the visitor's browser reads them
/// (`GET /widget/{token}/config`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetConfig {
    /// False while the channel is switched off: the loader shows no launcher.
    pub enabled: bool,
    pub greeting: String,
    pub pre_chat_fields: Vec<String>,
    /// Whether the inbox's working hours are on now.
    pub within_working_hours: bool,
    /// The inbox's outside-hours message, when outside them.
    pub outside_hours_message: Option<String>,
    /// Whether the channel checks signed identities.
    pub identity_verification: bool,
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;

/// A message as the visitor's panel shows it: what they wrote and what the
/// team answered, never internal notes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorMessage {
    pub id: crate::ids::MessageId,
    /// `inbound` (the visitor) or `outbound` (the team).
    pub direction: crate::messages::model::Direction,
    pub body: String,
    /// The agent who answered; `None` for the visitor and automatic replies.
    pub sender_name: Option<String>,
    pub created_at: crate::time::Timestamp,
}

/// The visitor's conversation as the panel reads it, newest page last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorConversation {
    pub id: crate::ids::ConversationId,
    pub status: crate::conversations::model::Status,
    /// Oldest first; at most [`VISITOR_PAGE`].
    pub messages: Vec<VisitorMessage>,
    /// Pass as `before` for the page of older messages; `None` at the start.
    pub before: Option<crate::ids::MessageId>,
}

/// Messages per page of the panel's thread.
pub const VISITOR_PAGE: usize = 50;
