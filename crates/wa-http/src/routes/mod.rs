//! The HTTP surface: one module per resource of the reference API, the
//! API-key check and the request counter.

pub mod chat;
pub mod client;
pub mod client_chats;
pub mod client_groups;
pub mod client_labels;
pub mod client_send;
pub mod common;
pub mod contact;
pub mod group;
pub mod group_settings;
pub mod message;
pub mod message_actions;
pub mod misc;
pub mod session;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::metrics::StatusLabel;
use crate::state::AppState;

/// Whether `given` is the API key, compared in constant time (over SHA-256
/// digests, so the length does not leak either).
pub fn key_matches(expected: &str, given: &[u8]) -> bool {
    let a = Sha256::digest(expected.as_bytes());
    let b = Sha256::digest(given);
    bool::from(a.as_slice().ct_eq(b.as_slice()))
}

/// Rejects requests without the right `x-api-key` when `API_KEY` is set.
pub async fn require_key(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if let Some(expected) = state.config.api_key() {
        let given = req
            .headers()
            .get("x-api-key")
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if !key_matches(expected, given) {
            return Err(ApiError::InvalidApiKey);
        }
    }
    Ok(next.run(req).await)
}

async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let class = format!("{}xx", res.status().as_u16() / 100);
    state
        .metrics
        .requests
        .get_or_create(&StatusLabel { class })
        .inc();
    res
}

/// The authenticated API routes.
pub fn api_router(state: &AppState) -> Router<AppState> {
    let mut r = Router::new()
        .merge(session::router())
        .merge(client::router())
        .merge(client_chats::router())
        .merge(client_groups::router())
        .merge(client_send::router())
        .merge(chat::router())
        .merge(group::router())
        .merge(message::router())
        .merge(contact::router());
    if state.config.enable_local_callback_example {
        r = r.merge(misc::callback_router());
    }
    r.route_layer(middleware::from_fn_with_state(state.clone(), require_key))
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let limit = state.config.body_limit();
    Router::new()
        .merge(api_router(&state))
        .merge(misc::public_router())
        .merge(crate::openapi::router(&state))
        .fallback(misc::not_found)
        .method_not_allowed_fallback(misc::method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), count))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            use axum::response::IntoResponse;
            ApiError::Internal("internal error".to_owned()).into_response()
        }))
        .with_state(state)
}
