//! The crate's one error type, [`ApiError`], and how it is answered: the
//! reference's `{"success": false, "error": "..."}` with a status code that
//! says what went wrong (4xx for the caller's mistakes, 5xx only for our
//! own or WhatsApp's failures).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Errors of the REST adapter.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `x-api-key` missing or wrong.
    #[error("Invalid API key")]
    InvalidApiKey,
    /// The session id is not alphanumeric-or-dash.
    #[error("Session should be alphanumerical or -")]
    BadSessionId,
    /// `/session/start` for a running session.
    #[error("Session already exists for: {0}")]
    SessionExists(String),
    /// No such session.
    #[error("session_not_found")]
    SessionNotFound,
    /// The session exists but is not logged in.
    #[error("session_not_connected")]
    SessionNotConnected,
    /// The body failed validation; the text names the field.
    #[error("{0}")]
    BadRequest(String),
    /// A chat, message, contact, label or group that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request does not fit the target (`The chat is not a group`).
    #[error("{0}")]
    Unprocessable(String),
    /// The body is larger than `MAX_ATTACHMENT_SIZE` + 1 MB.
    #[error("Request body too large (limit {0} bytes)")]
    PayloadTooLarge(usize),
    /// Too many requests.
    #[error("You can't make any more requests at the moment. Try again later")]
    RateLimited,
    /// WhatsApp refused the request (an IQ error); the status mirrors the
    /// server's code where it is a client error.
    #[error("WhatsApp refused the request: {code} {text}")]
    Refused {
        /// The server's error code.
        code: u16,
        /// Its text.
        text: String,
    },
    /// WhatsApp or a remote host did not answer in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// A remote host (media URL) failed.
    #[error("{0}")]
    BadGateway(String),
    /// A genuine failure of ours.
    #[error("{0}")]
    Internal(String),
}

/// The error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Always `false`.
    pub success: bool,
    /// What went wrong.
    pub error: String,
}

impl ApiError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidApiKey => StatusCode::FORBIDDEN,
            ApiError::BadSessionId | ApiError::SessionExists(_) | ApiError::Unprocessable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::SessionNotFound | ApiError::SessionNotConnected | ApiError::NotFound(_) => {
                StatusCode::NOT_FOUND
            }
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Refused { code, .. } => match code {
                400 | 403 | 404 | 406 | 409 => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::BAD_GATEWAY,
            },
            ApiError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            ApiError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A 400 naming `field`.
    pub fn field(field: &str, what: impl std::fmt::Display) -> Self {
        ApiError::BadRequest(format!("{field}: {what}"))
    }
}

impl From<wa_session::Error> for ApiError {
    fn from(e: wa_session::Error) -> Self {
        use wa_session::Error as E;
        match e {
            E::SessionNotFound(_) => ApiError::SessionNotFound,
            E::NotConnected | E::Stopped => ApiError::SessionNotConnected,
            E::Timeout(what) => ApiError::Timeout(what.to_owned()),
            E::Server { code, text } => ApiError::Refused { code, text },
            E::InvalidValue(v) => ApiError::BadRequest(v),
            E::InvalidState(s) => ApiError::Unprocessable(s),
            E::SendFailed { id, reason } => {
                ApiError::BadGateway(format!("message {id} failed: {reason}"))
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), error = %self, "request failed");
        }
        let body = ErrorBody {
            success: false,
            error: self.to_string(),
        };
        (status, Json(body)).into_response()
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
