//! User types shared by browser and server.

use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::str_enum;

str_enum! {
    /// What a user may do: admins also manage settings, members and channels.
    Role {
        Admin = "admin" / "Admin",
        Agent = "agent" / "Agent",
    }
}

str_enum! {
    /// Whether a user takes new work right now.
    Availability {
        Available = "available" / "Available",
        Away = "away" / "Away",
        Offline = "offline" / "Offline",
    }
}

/// A user as others see them (never carries the password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub availability: Availability,
    pub signature: String,
}

impl User {
    /// Up to two initials for avatars.
    pub fn initials(&self) -> String {
        initials(&self.name)
    }
}

/// Up to two initials of a name ("Ada Lovelace" -> "AL").
pub fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect::<String>().to_uppercase()
}

/// The body of `POST /api/v1/users` and of Settings' "add agent" form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewUser {
    pub name: String,
    pub email: String,
    pub password: String,
    pub role: Role,
}

/// Shortest password Parley accepts.
pub const MIN_PASSWORD_CHARS: usize = 8;

impl NewUser {
    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<(), crate::error::AppError> {
        use crate::error::AppError;
        if self.name.trim().is_empty() || self.name.trim().chars().count() > 100 {
            return Err(AppError::invalid("name", "must be 1 to 100 characters"));
        }
        if crate::contacts::model::normalize_email(&self.email).is_none() {
            return Err(AppError::invalid("email", "is not a valid email address"));
        }
        if self.password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AppError::invalid("password", format!("must be at least {MIN_PASSWORD_CHARS} characters")));
        }
        Ok(())
    }
}

/// The body of `PATCH /api/v1/users/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserPatch {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub availability: Option<Availability>,
    pub signature: Option<String>,
}

/// An API key as listed in Settings (the key itself is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyInfo {
    pub id: i64,
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    /// Who the key acts as.
    pub user_name: String,
    pub created_at: crate::time::Timestamp,
}
