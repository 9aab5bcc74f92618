//! `/client/...` routes about groups (tag "Client"): create a group, the
//! groups shared with a contact, invite info and joining by invite.

use std::collections::BTreeMap;

use axum::{Json, Router, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use wa_session::ops::groups::ParticipantAction;

use super::common::ContactIdRequest;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Connected};
use crate::jid::{parse_user, serialize};
use crate::model::chat::{GroupMetadataJson, WidJson, outcome_key, outcome_message};
use crate::state::AppState;

/// Body of `createGroup`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateGroupRequest {
    /// The subject.
    pub name: String,
    /// The members to add (`…@c.us` or numbers).
    pub participants: Vec<String>,
}

/// One participant of a new group.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedParticipantJson {
    /// `200` added, else WhatsApp's code (`403` may only be invited, `404`
    /// not on WhatsApp, ...).
    pub status_code: u16,
    /// What the code means.
    pub message: String,
    /// Always `false` (we created it).
    pub is_group_creator: bool,
    /// Always `false` (no invite message is sent).
    pub is_invite_v4_sent: bool,
}

/// What `createGroup` answers (wwebjs `CreateGroupResult`).
#[derive(Debug, Serialize, ToSchema)]
pub struct CreateGroupJson {
    /// The subject.
    pub title: String,
    /// The new group's id.
    pub gid: WidJson,
    /// Per participant (`<number>@c.us`), the outcome.
    pub participants: BTreeMap<String, CreatedParticipantJson>,
}

/// `{success, response}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreateGroupResponse {
    /// Always `true`.
    pub success: bool,
    /// The new group.
    pub response: CreateGroupJson,
}

/// `{success, groups}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommonGroupsResponse {
    /// Always `true`.
    pub success: bool,
    /// The groups we share with the contact.
    pub groups: Vec<WidJson>,
}

/// Body of the invite routes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InviteCodeRequest {
    /// The invite code, or the whole `https://chat.whatsapp.com/...` link.
    pub invite_code: String,
}

/// `{success, acceptInvite}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AcceptInviteResponse {
    /// Always `true`.
    pub success: bool,
    /// The group joined (`…@g.us`).
    pub accept_invite: String,
}

/// `{success, inviteInfo}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InviteInfoResponse {
    /// Always `true`.
    pub success: bool,
    /// The group the code leads to.
    pub invite_info: GroupMetadataJson,
}

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/client/createGroup/{sessionId}", post(create_group))
        .route(
            "/client/getCommonGroups/{sessionId}",
            post(get_common_groups),
        )
        .route("/client/acceptInvite/{sessionId}", post(accept_invite))
        .route("/client/getInviteInfo/{sessionId}", post(get_invite_info))
}

/// The OpenAPI paths of this module (merged into the document).
#[derive(Debug, OpenApi)]
#[openapi(paths(create_group, get_common_groups, accept_invite, get_invite_info))]
pub struct Paths;

/// Creates a group named `name` with `participants`; we are its
/// superadmin. Participants that cannot be added are reported with their
/// code; the group is created anyway.
#[utoipa::path(post, path = "/client/createGroup/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = CreateGroupRequest,
    responses(
        (status = 200, description = "Created", body = CreateGroupResponse),
        (status = 400, description = "`name` or `participants` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected", body = ErrorBody),
        (status = 422, description = "Bad session id; WhatsApp refused (subject too long, ...)", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn create_group(
    c: Connected,
    Body(req): Body<CreateGroupRequest>,
) -> ApiResult<Json<CreateGroupResponse>> {
    if req.name.trim().is_empty() {
        return Err(ApiError::field("name", "must not be empty"));
    }
    let participants = req
        .participants
        .iter()
        .enumerate()
        .map(|(i, p)| parse_user(&format!("participants[{i}]"), p))
        .collect::<ApiResult<Vec<_>>>()?;
    let created = c.client.create_group(&req.name, &participants).await?;
    let results = created
        .results
        .iter()
        .map(|r| {
            (
                outcome_key(r),
                CreatedParticipantJson {
                    status_code: r.status,
                    message: outcome_message(ParticipantAction::Add, r.status).to_owned(),
                    is_group_creator: false,
                    is_invite_v4_sent: false,
                },
            )
        })
        .collect();
    Ok(Json(CreateGroupResponse {
        success: true,
        response: CreateGroupJson {
            title: created.info.subject.clone(),
            gid: WidJson::of(&created.info.jid),
            participants: results,
        },
    }))
}

/// The groups we share with a contact.
#[utoipa::path(post, path = "/client/getCommonGroups/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ContactIdRequest,
    responses(
        (status = 200, description = "The groups", body = CommonGroupsResponse),
        (status = 400, description = "`contactId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_common_groups(
    c: Connected,
    Body(req): Body<ContactIdRequest>,
) -> ApiResult<Json<CommonGroupsResponse>> {
    let user = parse_user("contactId", &req.contact_id)?;
    let groups = c.client.common_groups(&user).await?;
    Ok(Json(CommonGroupsResponse {
        success: true,
        groups: groups.iter().map(|g| WidJson::of(&g.jid)).collect(),
    }))
}

/// Maps an invite error: a malformed code is a 400 naming `inviteCode`,
/// an unknown or revoked one 404 `Invite not Found`.
fn invite_error(e: wa_session::Error) -> ApiError {
    match e {
        wa_session::Error::InvalidValue(v) => ApiError::field("inviteCode", v),
        wa_session::Error::Server { code: 404, .. } => {
            ApiError::NotFound("Invite not Found".to_owned())
        }
        e => e.into(),
    }
}

/// Joins a group by invite code (or link); answers the group id.
#[utoipa::path(post, path = "/client/acceptInvite/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = InviteCodeRequest,
    responses(
        (status = 200, description = "Joined", body = AcceptInviteResponse),
        (status = 400, description = "`inviteCode` missing or malformed", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Invite not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; already a member", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn accept_invite(
    c: Connected,
    Body(req): Body<InviteCodeRequest>,
) -> ApiResult<Json<AcceptInviteResponse>> {
    let jid = c
        .client
        .accept_group_invite(&req.invite_code)
        .await
        .map_err(invite_error)?;
    Ok(Json(AcceptInviteResponse {
        success: true,
        accept_invite: serialize(&jid),
    }))
}

/// The group an invite code (or link) leads to, without joining.
#[utoipa::path(post, path = "/client/getInviteInfo/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = InviteCodeRequest,
    responses(
        (status = 200, description = "The group", body = InviteInfoResponse),
        (status = 400, description = "`inviteCode` missing or malformed", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Invite not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_invite_info(
    c: Connected,
    Body(req): Body<InviteCodeRequest>,
) -> ApiResult<Json<InviteInfoResponse>> {
    let info = c
        .client
        .group_invite_info(&req.invite_code)
        .await
        .map_err(invite_error)?;
    Ok(Json(InviteInfoResponse {
        success: true,
        invite_info: GroupMetadataJson::of(&info),
    }))
}
