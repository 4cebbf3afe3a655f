//! REST errors: `{"error": {"code", "message"}}` with the status that fits,
//! and a JSON extractor whose rejections use the same shape.

use app::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

/// An [`AppError`] rendered as the REST contract says.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut err = json!({"code": self.0.code(), "message": self.0.to_string()});
        if let AppError::Validation { field, .. } = &self.0 {
            err["field"] = json!(field);
        }
        (status, axum::Json(json!({ "error": err }))).into_response()
    }
}

/// `404` for paths the API does not have.
pub async fn not_found() -> ApiError {
    ApiError(AppError::not_found("endpoint"))
}

/// Like `axum::Json`, but a bad body answers in the API's error shape:
/// 400 for malformed JSON, 413 for too large, 422 for wrong fields.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(r) => Err(ApiError(match r {
                JsonRejection::JsonDataError(e) => {
                    AppError::Validation { field: "body".into(), message: e.body_text() }
                }
                JsonRejection::JsonSyntaxError(e) => AppError::BadRequest { message: e.body_text() },
                JsonRejection::MissingJsonContentType(_) => {
                    AppError::BadRequest { message: "expected Content-Type: application/json".into() }
                }
                JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge {
                    message: format!("request body is larger than {} KiB", super::MAX_JSON_BYTES / 1024),
                },
                other => AppError::BadRequest { message: other.body_text() },
            })),
        }
    }
}

/// `{"data": …}` with a status.
pub fn data<T: serde::Serialize>(status: StatusCode, v: T) -> Response {
    (status, axum::Json(json!({ "data": v }))).into_response()
}
