//! The one error type that crosses the wire: server functions return it, the
//! REST API renders it as `{"error": {"code", "message"}}` with the status
//! that fits. Internal causes are logged where they happen and never sent.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// What went wrong, in words a client can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    /// No session or API key, or a wrong one.
    Unauthorized,
    /// Signed in, but this is not yours to see or change.
    Forbidden,
    /// Nothing with that id (or nothing you may know exists).
    NotFound { what: String },
    /// A field failed validation; `field` names it as the form or JSON does.
    Validation { field: String, message: String },
    /// The request is well-formed but conflicts with the current state.
    Conflict { message: String },
    /// The request body is larger than the documented limit.
    TooLarge { message: String },
    /// Malformed input (bad JSON, bad cursor), or a search too broad to
    /// finish in time.
    BadRequest { message: String },
    /// Too many attempts.
    RateLimited,
    /// Something failed on our side; details are in the server log.
    Internal,
}

/// Shorthand used throughout the crate.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A validation failure on one named field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation { field: field.into(), message: message.into() }
    }

    /// The field a validation failure names.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Validation { field, .. } => Some(field),
            _ => None,
        }
    }

    /// Nothing found of the given kind.
    pub fn not_found(what: &str) -> Self {
        Self::NotFound { what: what.into() }
    }

    /// A conflict with the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict { message: message.into() }
    }

    /// The stable machine-readable code of the REST contract.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound { .. } => "not_found",
            Self::Validation { .. } => "validation_failed",
            Self::Conflict { .. } => "conflict",
            Self::TooLarge { .. } => "too_large",
            Self::BadRequest { .. } => "bad_request",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
        }
    }

    /// The HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound { .. } => 404,
            Self::Validation { .. } => 422,
            Self::Conflict { .. } => 409,
            Self::TooLarge { .. } => 413,
            Self::BadRequest { .. } => 400,
            Self::RateLimited => 429,
            Self::Internal => 500,
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unauthorized => f.write_str("Please sign in."),
            Self::Forbidden => f.write_str("You don't have access to that."),
            Self::NotFound { what } => write!(f, "No such {what}."),
            Self::Validation { field, message } => write!(f, "{field}: {message}"),
            Self::Conflict { message } | Self::TooLarge { message } | Self::BadRequest { message } => {
                f.write_str(message)
            }
            Self::RateLimited => f.write_str("Too many attempts; try again in a minute."),
            Self::Internal => f.write_str("Something went wrong on our side; it has been logged."),
        }
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that do not decode are the client's mistake.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => Self::BadRequest { message: m },
            // Network trouble on the client: say so rather than "internal".
            ServerFnErrorErr::Request(_) => {
                Self::BadRequest { message: "Could not reach the server; check your connection.".into() }
            }
            _ => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Self::not_found("record"),
            // SQLITE_INTERRUPT: Parley only interrupts statements through the
            // search deadline (search::server::with_deadline), so this is a
            // search that was too broad, not a fault to log as one.
            sqlx::Error::Database(d) if d.code().as_deref() == Some("9") => {
                tracing::info!(error = %e, "search stopped at its deadline");
                crate::search::too_long()
            }
            _ => {
                tracing::error!(error = %e, "database error");
                Self::Internal
            }
        }
    }
}
