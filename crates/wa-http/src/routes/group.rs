//! `/groupChat/...` routes (tag "Group Chat"): all `POST` with `chatId`;
//! a chat that is not a group is 422 `The chat is not a group`, a group
//! WhatsApp does not know 404 `Chat not Found`. Participant changes answer
//! one outcome per participant (not the reference's stale member list).
//! This module has the group itself, its members, invite and leave; the
//! settings (subject, description, admins-only flags, picture) are in
//! `group_settings`.

use std::collections::BTreeMap;

use axum::{Json, Router, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use wa_proto::jid::Jid;
use wa_session::ops::groups::ParticipantAction;

use super::group_settings;
use crate::chats;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Connected};
use crate::jid::{parse, parse_user};
use crate::model::chat::{ChatJson, ParticipantOutcomeJson, outcome_key};
use crate::routes::common::{ChatRequest, ResultResponse, ok};
use crate::state::AppState;

/// Body of the participant routes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantsRequest {
    /// The group (`…@g.us`).
    pub chat_id: String,
    /// The users (`…@c.us` or numbers).
    pub contact_ids: Vec<String>,
}

/// `{success, participants}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupParticipantsResponse {
    /// Always `true`.
    pub success: bool,
    /// Per participant (`<number>@c.us`), the outcome.
    pub participants: BTreeMap<String, ParticipantOutcomeJson>,
}

/// `{success, inviteCode}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InviteCodeResponse {
    /// Always `true`.
    pub success: bool,
    /// The code (the link is `https://chat.whatsapp.com/<code>`).
    pub invite_code: String,
}

/// `{success, newInviteCode}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewInviteCodeResponse {
    /// Always `true`.
    pub success: bool,
    /// The new code; the old one no longer works.
    pub new_invite_code: String,
}

/// `{success, outcome}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeaveGroupResponse {
    /// Always `true`.
    pub success: bool,
    /// Always `true`.
    pub outcome: bool,
}

/// `{success, chat}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupChatResponse {
    /// Always `true` (failures are errors).
    pub success: bool,
    /// The group after the change.
    pub chat: ChatJson,
}

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groupChat/getClassInfo/{sessionId}", post(get_class_info))
        .route("/groupChat/addParticipants/{sessionId}", post(add))
        .route("/groupChat/removeParticipants/{sessionId}", post(remove))
        .route("/groupChat/promoteParticipants/{sessionId}", post(promote))
        .route("/groupChat/demoteParticipants/{sessionId}", post(demote))
        .route(
            "/groupChat/getInviteCode/{sessionId}",
            post(get_invite_code),
        )
        .route("/groupChat/revokeInvite/{sessionId}", post(revoke_invite))
        .route("/groupChat/leave/{sessionId}", post(leave))
        .merge(group_settings::router())
}

/// The OpenAPI paths of this module (merged into the document; the
/// settings routes are in [`group_settings::Paths`]).
#[derive(Debug, OpenApi)]
#[openapi(paths(
    get_class_info,
    add,
    remove,
    promote,
    demote,
    get_invite_code,
    revoke_invite,
    leave
))]
pub struct Paths;

/// `chatId` as a group: 422 `The chat is not a group` otherwise.
pub(super) fn group_of(chat_id: &str) -> ApiResult<Jid> {
    let jid = parse("chatId", chat_id)?;
    if !jid.is_group() {
        return Err(ApiError::Unprocessable(
            "The chat is not a group".to_owned(),
        ));
    }
    Ok(jid)
}

/// A WhatsApp refusal about the group itself: 404 when it does not exist,
/// 422 when we are not a member.
pub(super) fn group_error(e: wa_session::Error) -> ApiError {
    match e {
        wa_session::Error::Server { code: 404, .. } => chats::not_found(),
        wa_session::Error::Server { code: 401, .. } => {
            ApiError::Unprocessable("Not a member of the group".to_owned())
        }
        e => e.into(),
    }
}

pub(super) fn flag() -> Json<ResultResponse<bool>> {
    ok(true)
}

async fn participants(
    c: Connected,
    req: ParticipantsRequest,
    action: ParticipantAction,
) -> ApiResult<Json<GroupParticipantsResponse>> {
    let group = group_of(&req.chat_id)?;
    if req.contact_ids.is_empty() {
        return Err(ApiError::field("contactIds", "must not be empty"));
    }
    let users = req
        .contact_ids
        .iter()
        .enumerate()
        .map(|(i, u)| parse_user(&format!("contactIds[{i}]"), u))
        .collect::<ApiResult<Vec<_>>>()?;
    let results = c
        .client
        .update_group_participants(&group, action, &users)
        .await
        .map_err(group_error)?;
    Ok(Json(GroupParticipantsResponse {
        success: true,
        participants: results
            .iter()
            .map(|r| (outcome_key(r), ParticipantOutcomeJson::of(action, r)))
            .collect(),
    }))
}

/// The group (a GroupChat with metadata and participants).
#[utoipa::path(post, path = "/groupChat/getClassInfo/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The group", body = GroupChatResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; WhatsApp refused", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_class_info(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<GroupChatResponse>> {
    let group = group_of(&req.chat_id)?;
    let chat = chats::find(&c.client, &group).await?;
    Ok(Json(GroupChatResponse {
        success: true,
        chat,
    }))
}

/// Adds users to the group; answers each one's outcome (`403`: they may
/// only be invited, `404`: not on WhatsApp, `409`: already a member).
#[utoipa::path(post, path = "/groupChat/addParticipants/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ParticipantsRequest,
    responses(
        (status = 200, description = "Per-participant outcomes", body = GroupParticipantsResponse),
        (status = 400, description = "`chatId` or `contactIds` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not an admin or not a member", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn add(
    c: Connected,
    Body(req): Body<ParticipantsRequest>,
) -> ApiResult<Json<GroupParticipantsResponse>> {
    participants(c, req, ParticipantAction::Add).await
}

/// Removes members; answers each one's outcome (`404`: not a member).
#[utoipa::path(post, path = "/groupChat/removeParticipants/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ParticipantsRequest,
    responses(
        (status = 200, description = "Per-participant outcomes", body = GroupParticipantsResponse),
        (status = 400, description = "`chatId` or `contactIds` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not an admin or not a member", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn remove(
    c: Connected,
    Body(req): Body<ParticipantsRequest>,
) -> ApiResult<Json<GroupParticipantsResponse>> {
    participants(c, req, ParticipantAction::Remove).await
}

/// Makes members admins; answers each one's outcome.
#[utoipa::path(post, path = "/groupChat/promoteParticipants/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ParticipantsRequest,
    responses(
        (status = 200, description = "Per-participant outcomes", body = GroupParticipantsResponse),
        (status = 400, description = "`chatId` or `contactIds` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not an admin or not a member", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn promote(
    c: Connected,
    Body(req): Body<ParticipantsRequest>,
) -> ApiResult<Json<GroupParticipantsResponse>> {
    participants(c, req, ParticipantAction::Promote).await
}

/// Takes admin rights away; answers each one's outcome.
#[utoipa::path(post, path = "/groupChat/demoteParticipants/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ParticipantsRequest,
    responses(
        (status = 200, description = "Per-participant outcomes", body = GroupParticipantsResponse),
        (status = 400, description = "`chatId` or `contactIds` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not an admin or not a member", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn demote(
    c: Connected,
    Body(req): Body<ParticipantsRequest>,
) -> ApiResult<Json<GroupParticipantsResponse>> {
    participants(c, req, ParticipantAction::Demote).await
}

/// The group's invite code (admins only).
#[utoipa::path(post, path = "/groupChat/getInviteCode/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The code", body = InviteCodeResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not an admin", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_invite_code(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<InviteCodeResponse>> {
    let group = group_of(&req.chat_id)?;
    let code = c
        .client
        .group_invite_code(&group)
        .await
        .map_err(group_error)?;
    Ok(Json(InviteCodeResponse {
        success: true,
        invite_code: code,
    }))
}

/// Revokes the invite link; answers the new code.
#[utoipa::path(post, path = "/groupChat/revokeInvite/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The new code", body = NewInviteCodeResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not an admin", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn revoke_invite(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<NewInviteCodeResponse>> {
    let group = group_of(&req.chat_id)?;
    let code = c
        .client
        .revoke_group_invite(&group)
        .await
        .map_err(group_error)?;
    Ok(Json(NewInviteCodeResponse {
        success: true,
        new_invite_code: code,
    }))
}

/// Leaves the group.
#[utoipa::path(post, path = "/groupChat/leave/{sessionId}", tag = "Group Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Left", body = LeaveGroupResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; `The chat is not a group`; not a member", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn leave(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<LeaveGroupResponse>> {
    let group = group_of(&req.chat_id)?;
    c.client.leave_group(&group).await.map_err(group_error)?;
    Ok(Json(LeaveGroupResponse {
        success: true,
        outcome: true,
    }))
}
