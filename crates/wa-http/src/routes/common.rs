//! Request and response wrappers shared by several route modules: the
//! `{success, result}` answer and the bodies naming one contact or one
//! chat. One definition each, so the OpenAPI document has one schema per
//! name.

use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `{success, result}` with a route-specific result.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultResponse<T: ToSchema> {
    /// Always `true`.
    pub success: bool,
    /// The result.
    pub result: T,
}

/// `{success: true, result}`.
pub fn ok<T: ToSchema>(result: T) -> Json<ResultResponse<T>> {
    Json(ResultResponse {
        success: true,
        result,
    })
}

/// Body with `contactId`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactIdRequest {
    /// The contact (`<number>@c.us`, a bare number, or `<id>@g.us` where a
    /// group makes sense).
    pub contact_id: String,
}

/// Body with `chatId` (a body naming one chat).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatRequest {
    /// The chat: `<number>@c.us` (or a bare number) or `<id>@g.us`.
    pub chat_id: String,
}
