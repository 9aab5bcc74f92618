//! The OpenAPI 3 document, generated from the handlers' annotations
//! (utoipa), served at `/api-docs` (JSON; a browser asking for HTML is sent
//! to Swagger UI at `/api-docs/ui/`) when `ENABLE_SWAGGER_ENDPOINT=true`.

use axum::Router;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ErrorBody;
use crate::routes;
use crate::state::AppState;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "apiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))),
        );
    }
}

/// Gives every `sessionId` path parameter the validated form (letters,
/// digits, `_`, `-`; at most 64), so the document says what
/// [`crate::extract::valid_session_id`] accepts.
fn constrain_session_ids(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            for p in op.parameters.iter_mut().flatten() {
                if p.name == "sessionId" {
                    p.schema = Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some("^[A-Za-z0-9_-]{1,64}$"))
                            .min_length(Some(1))
                            .max_length(Some(64))
                            .into(),
                    );
                }
            }
        }
    }
}

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "WhatsApp gateway REST API", description = "The whatsapp-api REST API over a native WhatsApp multi-device client. Every route but `/ping`, `/metrics` and `/api-docs` needs `x-api-key` when `API_KEY` is set."),
    paths(
        routes::misc::ping,
        routes::misc::metrics,
        routes::misc::local_callback,
        routes::session::start,
        routes::session::status,
        routes::session::qr,
        routes::session::qr_image,
        routes::session::pairing_code,
        routes::session::restart,
        routes::session::terminate,
        routes::session::terminate_inactive,
        routes::session::terminate_all,
        routes::session::list,
    ),
    components(schemas(ErrorBody)),
    modifiers(&Security),
    tags(
        (name = "Session", description = "Start, link, stop and remove sessions"),
        (name = "Client", description = "Account-wide operations of a session"),
        (name = "Chat", description = "Operations on one chat"),
        (name = "Group Chat", description = "Operations on one group"),
        (name = "Message", description = "Operations on one message (found by its short id in its chat)"),
        (name = "Contact", description = "Operations on one contact"),
        (name = "Ping", description = "Health and metrics"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

/// The document as JSON.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(routes::client::Paths::openapi());
    doc.merge(routes::client_chats::Paths::openapi());
    doc.merge(routes::client_groups::Paths::openapi());
    doc.merge(routes::client_send::Paths::openapi());
    doc.merge(routes::chat::Paths::openapi());
    doc.merge(routes::group::Paths::openapi());
    doc.merge(routes::group_settings::Paths::openapi());
    doc.merge(routes::message::Paths::openapi());
    doc.merge(routes::message_actions::Paths::openapi());
    doc.merge(routes::contact::Paths::openapi());
    constrain_session_ids(&mut doc);
    doc
}

async fn docs(headers: HeaderMap) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html {
        return Redirect::temporary("/api-docs/ui/").into_response();
    }
    axum::Json(document()).into_response()
}

/// `/api-docs` and Swagger UI, when enabled.
pub fn router(state: &AppState) -> Router<AppState> {
    if !state.config.enable_swagger_endpoint {
        return Router::new().route(
            "/api-docs",
            get(|| async {
                crate::error::ApiError::NotFound(
                    "the API docs are off: set ENABLE_SWAGGER_ENDPOINT=true".to_owned(),
                )
            }),
        );
    }
    let ui: Router<AppState> = SwaggerUi::new("/api-docs/ui")
        .url("/api-docs/openapi.json", document())
        .into();
    Router::new().route("/api-docs", get(docs)).merge(ui)
}
