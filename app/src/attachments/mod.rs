//! Files on messages. Bytes live on disk under `<data dir>/attachments`,
//! named by SHA-256 (so a file mailed twice is stored once); rows in
//! `attachments` say which message has which file under which name.

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
