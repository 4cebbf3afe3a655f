//! Files on messages. Bytes live on disk under `<data dir>/attachments`,
//! named by SHA-256 (so a file mailed twice is stored once); rows in
//! `attachments` say which message has which file under which name.

#[cfg(feature = "hydrate")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod server;

/// The largest mail Parley accepts, in bytes, attachments included
/// (SMTP `SIZE`, the HTTP hook's body limit; documented in README).
pub const MAX_MAIL_BYTES: usize = 25 * 1024 * 1024;

/// The URL an attachment downloads from (access checked on every request).
pub fn url(id: crate::ids::AttachmentId, name: &str) -> String {
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    format!("/attachments/{}/{safe}", id.0)
}

/// The largest file an agent may attach to a reply (documented in README).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// At most this many files on one reply.
pub const MAX_FILES_PER_MESSAGE: usize = 10;

/// A file uploaded for a reply not sent yet.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}
