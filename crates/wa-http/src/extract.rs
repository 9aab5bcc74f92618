//! Request extractors that answer in the documented error shape: the JSON
//! body ([`Body`]: any content type, an empty body reads as `{}`, serde's
//! message names the failing field), the validated session id
//! ([`SessionId`]) and a logged-in session ([`Connected`]).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use wa_session::{Client, Status};

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body of type `T`.
#[derive(Debug, Clone)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(0)
            } else {
                ApiError::BadRequest(format!("could not read the body: {e}"))
            }
        })?;
        parse_json(&bytes).map(Body)
    }
}

/// Parses a JSON body (empty = `{}`), naming the failing field.
///
/// # Errors
/// 400 with serde's path and reason.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    let de = &mut serde_json::Deserializer::from_slice(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let text = inner.to_string();
        if let Some(rest) = text.strip_prefix("missing field `")
            && let Some((field, _)) = rest.split_once('`')
        {
            let full = if path.is_empty() || path == "." {
                field.to_owned()
            } else {
                format!("{path}.{field}")
            };
            return ApiError::BadRequest(format!("{full}: is required"));
        }
        if path.is_empty() || path == "." {
            ApiError::BadRequest(format!("invalid JSON body: {inner}"))
        } else {
            ApiError::BadRequest(format!("{path}: {inner}"))
        }
    })
}

/// Whether `id` is a valid session id: `[A-Za-z0-9_-]+` (the reference's
/// `^[\w-]+$`). It is also what keeps a session's folder inside
/// `SESSIONS_PATH`.
pub fn valid_session_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The `{sessionId}` path parameter, validated (422 otherwise).
#[derive(Debug, Clone)]
pub struct SessionId(pub String);

impl FromRequestParts<AppState> for SessionId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadSessionId)?;
        if !valid_session_id(&id) {
            return Err(ApiError::BadSessionId);
        }
        Ok(SessionId(id))
    }
}

/// A session that is logged in: 404 `session_not_found` when it is not
/// running, 404 `session_not_connected` when it is not connected. A session
/// that is still logging in (just started or restored) is waited for up to
/// 10 s, as the reference waits for its browser page.
#[derive(Debug, Clone)]
pub struct Connected {
    /// The session id.
    pub id: String,
    /// Its client.
    pub client: Client,
}

impl FromRequestParts<AppState> for Connected {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let SessionId(id) = SessionId::from_request_parts(parts, state).await?;
        let client = state.manager.client(&id).ok_or(ApiError::SessionNotFound)?;
        let mut status = client.status();
        if matches!(status, Status::Starting | Status::Connecting) {
            status = tokio::time::timeout(
                Duration::from_secs(10),
                client.wait_status(|s| !matches!(s, Status::Starting | Status::Connecting)),
            )
            .await
            .unwrap_or(status);
        }
        if status != Status::Connected {
            return Err(ApiError::SessionNotConnected);
        }
        Ok(Connected { id, client })
    }
}
