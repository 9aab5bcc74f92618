//! Routes outside the session resources: `/ping`, `/metrics`,
//! `/localCallbackExample` (the reference's sample webhook receiver) and
//! the JSON answers for unknown routes and methods.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::{Json, Router, routing::get, routing::post};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// `{success, message}` of `/ping`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pong {
    /// Always `true`.
    pub success: bool,
    /// `pong`.
    pub message: String,
}

/// `{success}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Success {
    /// Always `true`.
    pub success: bool,
}

/// Routes without authentication.
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/ping", get(ping))
        .route("/metrics", get(metrics))
}

/// `/localCallbackExample`, when enabled.
pub fn callback_router() -> Router<AppState> {
    Router::new().route("/localCallbackExample", post(local_callback))
}

/// Health check (no API key needed).
#[utoipa::path(get, path = "/ping", tag = "Ping",
    responses((status = 200, description = "The gateway is up", body = Pong)))]
pub async fn ping() -> Json<Pong> {
    Json(Pong {
        success: true,
        message: "pong".to_owned(),
    })
}

/// Prometheus metrics (text exposition format; no API key needed).
#[utoipa::path(get, path = "/metrics", tag = "Ping",
    responses((status = 200, description = "Metrics", content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let states: Vec<(String, &'static str)> = state
        .manager
        .list()
        .into_iter()
        .map(|(id, s)| (id, s.as_str()))
        .collect();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&states),
    )
}

/// A fixed-window limiter per client address.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Counts a request of `who`; false when over `max` in the window.
    pub fn allow(&self, who: &str, max: u32, window: std::time::Duration) -> bool {
        let now = Instant::now();
        let mut w = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if w.len() > 10_000 {
            w.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let e = w.entry(who.to_owned()).or_insert((now, 0));
        if now.duration_since(e.0) >= window {
            *e = (now, 0);
        }
        e.1 += 1;
        e.1 <= max
    }
}

/// The reference's sample webhook receiver: appends the posted JSON and
/// `\r\n` to `$SESSIONS_PATH/message_log.txt` (and prints a posted QR).
/// Mounted only with `ENABLE_LOCAL_CALLBACK_EXAMPLE=true`; rate limited by
/// `RATE_LIMIT_MAX` per `RATE_LIMIT_WINDOW_MS`.
#[utoipa::path(post, path = "/localCallbackExample", tag = "Ping",
    request_body(content = serde_json::Value, description = "A webhook body `{sessionId, dataType, data}`"),
    responses(
        (status = 200, description = "Logged", body = Success),
        (status = 400, description = "Not JSON", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn local_callback(
    State(state): State<AppState>,
    req: Request,
) -> ApiResult<Json<Success>> {
    let who = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    if !state.callback_limiter.allow(
        &who,
        state.config.rate_limit_max,
        state.config.rate_limit_window(),
    ) {
        return Err(ApiError::RateLimited);
    }
    let bytes = axum::body::to_bytes(req.into_body(), state.config.body_limit())
        .await
        .map_err(|_| ApiError::PayloadTooLarge(state.config.body_limit()))?;
    let body: serde_json::Value = crate::extract::parse_json(&bytes)?;
    if body.get("dataType").and_then(|d| d.as_str()) == Some("qr")
        && let Some(qr) = body.pointer("/data/qr").and_then(|q| q.as_str())
        && let Some(art) = crate::qr::terminal(qr)
    {
        println!("{art}");
    }
    if state.demo.is_some() {
        demo_print(&body);
    }
    let line = format!("{}\r\n", serde_json::to_string(&body).unwrap_or_default());
    let path = state.config.sessions_path.join("message_log.txt");
    let mut f = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .await
        .map_err(|e| ApiError::Internal(format!("message_log.txt: {e}")))?;
    // tokio's File buffers: flush before answering, so the line is in the
    // file when the caller reads it.
    f.write_all(line.as_bytes())
        .await
        .map_err(|e| ApiError::Internal(format!("message_log.txt: {e}")))?;
    f.flush()
        .await
        .map_err(|e| ApiError::Internal(format!("message_log.txt: {e}")))?;
    Ok(Json(Success { success: true }))
}

/// Unknown route: JSON 404.
pub async fn not_found(req: Request) -> ApiError {
    ApiError::NotFound(format!("Cannot {} {}", req.method(), req.uri().path()))
}

/// Known route, wrong method: JSON 405.
pub async fn method_not_allowed(req: Request) -> impl IntoResponse {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(ErrorBody {
            success: false,
            error: format!(
                "Method {} not allowed on {}",
                req.method(),
                req.uri().path()
            ),
        }),
    )
}

/// Demo mode: one line per received webhook.
fn demo_print(body: &serde_json::Value) {
    let session = body["sessionId"].as_str().unwrap_or("?");
    let kind = body["dataType"].as_str().unwrap_or("?");
    if kind == "qr" {
        return;
    }
    let detail = match kind {
        "message" | "message_create" => format!(
            "{} -> {}: {}",
            body.pointer("/data/message/from")
                .and_then(|v| v.as_str())
                .unwrap_or(""),
            body.pointer("/data/message/to")
                .and_then(|v| v.as_str())
                .unwrap_or(""),
            body.pointer("/data/message/body")
                .and_then(|v| v.as_str())
                .unwrap_or("")
        ),
        "message_ack" => format!(
            "ack {}",
            body.pointer("/data/ack")
                .unwrap_or(&serde_json::Value::Null)
        ),
        _ => String::new(),
    };
    println!("webhook [{session}] {kind} {detail}");
}
