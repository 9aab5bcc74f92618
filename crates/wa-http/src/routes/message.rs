//! `/message/...` routes (tag "Message").

use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
}

/// The OpenAPI paths of this module (merged into the document).
#[derive(Debug, OpenApi)]
#[openapi(paths())]
pub struct Paths;
