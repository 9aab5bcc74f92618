//! Media over HTTP(S) on the sim's port: uploads
//! (`POST /mms/{type}/{b64url fileEncSha256}?auth=…&token=…`, answered with
//! `{"url", "direct_path"}`) and downloads (`GET` of that URL or direct path,
//! or of `/mms/{type}/{token}`), with single-range `Range` support.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::json;

use super::{MAX_BLOB, MediaStore, UploadError};
use crate::sim::SimHandle;

/// The media routes (`/mms/...`, `/v/...`), merged into the control router.
pub fn routes() -> Router<SimHandle> {
    Router::new()
        .route("/mms/{*rest}", any(mms))
        .route("/v/{*rest}", any(direct))
        .layer(DefaultBodyLimit::max(MAX_BLOB + 1024))
}

fn json_error(status: StatusCode, msg: impl std::fmt::Display) -> Response {
    (status, axum::Json(json!({ "error": msg.to_string() }))).into_response()
}

async fn mms(
    State(sim): State<SimHandle>,
    method: Method,
    Path(rest): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((mms_type, token)) = rest.split_once('/') else {
        return json_error(StatusCode::NOT_FOUND, "no such media path");
    };
    match method {
        Method::POST => upload(&sim, mms_type, token, &q, body).await,
        Method::GET | Method::HEAD => match super::decode_token(token) {
            Some(key) => download(&sim, &key, &headers),
            None => json_error(StatusCode::NOT_FOUND, "no such blob"),
        },
        _ => json_error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
    }
}

async fn upload(
    sim: &SimHandle,
    mms_type: &str,
    token: &str,
    q: &HashMap<String, String>,
    body: Bytes,
) -> Response {
    let expected = sim.shared.lock().media.auth().to_owned();
    let auth = q.get("auth").map(String::as_str).unwrap_or_default();
    let query_token = q.get("token").map(String::as_str);
    let checked = {
        let (auth, token, query_token, body) = (
            auth.to_owned(),
            token.to_owned(),
            query_token.map(str::to_owned),
            body.clone(),
        );
        tokio::task::spawn_blocking(move || {
            MediaStore::check_upload(&auth, &expected, &token, query_token.as_deref(), &body)
        })
        .await
    };
    let key = match checked {
        Ok(Ok(key)) => key,
        Ok(Err(e)) => {
            let status = match e {
                UploadError::Unauthorized => StatusCode::UNAUTHORIZED,
                UploadError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                UploadError::BadToken | UploadError::HashMismatch => StatusCode::BAD_REQUEST,
            };
            return json_error(status, e);
        }
        Err(_) => return json_error(StatusCode::INTERNAL_SERVER_ERROR, "upload check failed"),
    };
    let mut world = sim.shared.lock();
    let host = world.host.clone();
    let up = world.media.insert(key, mms_type, body, &host);
    drop(world);
    axum::Json(json!({ "url": up.url, "direct_path": up.direct_path })).into_response()
}

async fn direct(
    State(sim): State<SimHandle>,
    method: Method,
    Path(rest): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !matches!(method, Method::GET | Method::HEAD) {
        return json_error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    }
    match super::key_from_path(&format!("/v/{rest}")) {
        Some(key) => download(&sim, &key, &headers),
        None => json_error(StatusCode::NOT_FOUND, "no such blob"),
    }
}

/// Serves a blob, honouring a single `Range: bytes=a-b` (or `a-`, `-n`).
fn download(sim: &SimHandle, key: &[u8; 32], headers: &HeaderMap) -> Response {
    let Some(data) = sim.shared.lock().media.get(key) else {
        return json_error(StatusCode::NOT_FOUND, "no such blob");
    };
    let total = data.len();
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|r| parse_range(r, total));
    let octets = HeaderValue::from_static("application/octet-stream");
    match range {
        None => ([(header::CONTENT_TYPE, octets)], data).into_response(),
        Some(Some((start, end))) => {
            let part = data.slice(start..=end);
            let cr = format!("bytes {start}-{end}/{total}");
            (
                StatusCode::PARTIAL_CONTENT,
                [
                    (header::CONTENT_TYPE, octets),
                    (
                        header::CONTENT_RANGE,
                        HeaderValue::from_str(&cr).unwrap_or(HeaderValue::from_static("bytes */0")),
                    ),
                ],
                part,
            )
                .into_response()
        }
        Some(None) => json_error(StatusCode::RANGE_NOT_SATISFIABLE, "bad range"),
    }
}

/// An inclusive byte range within `total`, or `None` if unsatisfiable.
pub fn parse_range(value: &str, total: usize) -> Option<(usize, usize)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || total == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let last = total - 1;
    let (start, end) = if a.trim().is_empty() {
        let n: usize = b.trim().parse().ok()?;
        (total.checked_sub(n.min(total))?, last)
    } else {
        let start: usize = a.trim().parse().ok()?;
        let end = if b.trim().is_empty() {
            last
        } else {
            b.trim().parse::<usize>().ok()?.min(last)
        };
        (start, end)
    };
    (start <= end && start < total).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-3", 10), Some((0, 3)));
        assert_eq!(parse_range("bytes=4-", 10), Some((4, 9)));
        assert_eq!(parse_range("bytes=-3", 10), Some((7, 9)));
        assert_eq!(parse_range("bytes=5-100", 10), Some((5, 9)));
        assert_eq!(parse_range("bytes=10-", 10), None);
        assert_eq!(parse_range("bytes=3-2", 10), None);
        assert_eq!(parse_range("items=0-1", 10), None);
    }
}
