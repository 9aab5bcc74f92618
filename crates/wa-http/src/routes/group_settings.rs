//! `/groupChat/...` settings routes (tag "Group Chat"): subject,
//! description, who may edit the info or send, and the picture. Same
//! errors as the other group routes (`group`).

use axum::{Json, Router, routing::post};
use base64::Engine as _;
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

use super::common::{ChatRequest, ResultResponse};
use super::group::{GroupChatResponse, flag, group_error, group_of};
use crate::chats;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Connected};
use crate::state::AppState;

/// Body of `setSubject`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubjectRequest {
    /// The group.
    pub chat_id: String,
    /// The new subject.
    pub subject: String,
}

/// Body of `setDescription`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DescriptionRequest {
    /// The group.
    pub chat_id: String,
    /// The new description; empty removes it.
    pub description: String,
}

fn yes() -> bool {
    true
}

/// Body of `setInfoAdminsOnly` / `setMessagesAdminsOnly`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminsOnlyRequest {
    /// The group.
    pub chat_id: String,
    /// Only admins may (default `true`).
    #[serde(default = "yes")]
    pub admins_only: bool,
}

/// Body of `setPicture`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupPictureRequest {
    /// The group.
    pub chat_id: String,
    /// `image/jpeg` (the only type accepted).
    pub picture_mimetype: String,
    /// The JPEG, base64.
    pub picture_data: String,
}

/// Renames the group; answers the group after the change.
#[utoipa::path(post, path = "/groupChat/setSubject/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = SubjectRequest,
    responses(
        (status = 200, description = "Renamed", body = GroupChatResponse),
        (status = 400, description = "`chatId` or `subject` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not allowed; too long", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn set_subject(
    c: Connected,
    Body(req): Body<SubjectRequest>,
) -> ApiResult<Json<GroupChatResponse>> {
    let group = group_of(&req.chat_id)?;
    if req.subject.trim().is_empty() {
        return Err(ApiError::field("subject", "must not be empty"));
    }
    c.client
        .set_group_subject(&group, &req.subject)
        .await
        .map_err(group_error)?;
    let chat = chats::find(&c.client, &group).await?;
    Ok(Json(GroupChatResponse {
        success: true,
        chat,
    }))
}

/// Sets the description (empty removes it); answers the group after the
/// change.
#[utoipa::path(post, path = "/groupChat/setDescription/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = DescriptionRequest,
    responses(
        (status = 200, description = "Set", body = GroupChatResponse),
        (status = 400, description = "`chatId` or `description` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not allowed; too long", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn set_description(
    c: Connected,
    Body(req): Body<DescriptionRequest>,
) -> ApiResult<Json<GroupChatResponse>> {
    let group = group_of(&req.chat_id)?;
    c.client
        .set_group_description(&group, Some(req.description.as_str()))
        .await
        .map_err(group_error)?;
    let chat = chats::find(&c.client, &group).await?;
    Ok(Json(GroupChatResponse {
        success: true,
        chat,
    }))
}

/// Only admins may edit the group info (`adminsOnly`, default `true`).
#[utoipa::path(post, path = "/groupChat/setInfoAdminsOnly/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = AdminsOnlyRequest,
    responses(
        (status = 200, description = "Set", body = ResultResponse<bool>),
        (status = 400, description = "`chatId` or `adminsOnly` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not an admin", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn set_info_admins_only(
    c: Connected,
    Body(req): Body<AdminsOnlyRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let group = group_of(&req.chat_id)?;
    c.client
        .set_group_locked(&group, req.admins_only)
        .await
        .map_err(group_error)?;
    Ok(flag())
}

/// Only admins may send messages (`adminsOnly`, default `true`).
#[utoipa::path(post, path = "/groupChat/setMessagesAdminsOnly/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = AdminsOnlyRequest,
    responses(
        (status = 200, description = "Set", body = ResultResponse<bool>),
        (status = 400, description = "`chatId` or `adminsOnly` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not an admin", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn set_messages_admins_only(
    c: Connected,
    Body(req): Body<AdminsOnlyRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let group = group_of(&req.chat_id)?;
    c.client
        .set_group_announce(&group, req.admins_only)
        .await
        .map_err(group_error)?;
    Ok(flag())
}

/// The JPEG of a `setPicture` body.
fn jpeg_of(req: &GroupPictureRequest) -> ApiResult<Vec<u8>> {
    let mime = req.picture_mimetype.trim().to_ascii_lowercase();
    if mime != "image/jpeg" && mime != "image/jpg" {
        return Err(ApiError::field(
            "pictureMimetype",
            "only image/jpeg is accepted",
        ));
    }
    let data: String = req
        .picture_data
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let data = data.split_once(',').map_or(data.as_str(), |(_, d)| d);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| ApiError::field("pictureData", format!("not base64: {e}")))?;
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(ApiError::field("pictureData", "not a JPEG image"));
    }
    Ok(bytes)
}

/// Sets the group picture (a JPEG, 640×640 is what WhatsApp shows).
#[utoipa::path(post, path = "/groupChat/setPicture/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = GroupPictureRequest,
    responses(
        (status = 200, description = "Set", body = ResultResponse<bool>),
        (status = 400, description = "`chatId`, `pictureMimetype` or `pictureData` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not allowed; too large", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn set_picture(
    c: Connected,
    Body(req): Body<GroupPictureRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let group = group_of(&req.chat_id)?;
    let jpeg = jpeg_of(&req)?;
    c.client
        .set_group_picture(&group, jpeg)
        .await
        .map_err(group_error)?;
    Ok(flag())
}

/// Removes the group picture.
#[utoipa::path(post, path = "/groupChat/deletePicture/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Removed", body = ResultResponse<bool>),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not allowed", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn delete_picture(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let group = group_of(&req.chat_id)?;
    c.client
        .delete_group_picture(&group)
        .await
        .map_err(group_error)?;
    Ok(flag())
}

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groupChat/setSubject/{sessionId}", post(set_subject))
        .route(
            "/groupChat/setDescription/{sessionId}",
            post(set_description),
        )
        .route(
            "/groupChat/setInfoAdminsOnly/{sessionId}",
            post(set_info_admins_only),
        )
        .route(
            "/groupChat/setMessagesAdminsOnly/{sessionId}",
            post(set_messages_admins_only),
        )
        .route("/groupChat/setPicture/{sessionId}", post(set_picture))
        .route("/groupChat/deletePicture/{sessionId}", post(delete_picture))
}

/// The OpenAPI paths of this module (merged into the document).
#[derive(Debug, OpenApi)]
#[openapi(paths(
    set_subject,
    set_description,
    set_info_admins_only,
    set_messages_admins_only,
    set_picture,
    delete_picture
))]
pub struct Paths;
