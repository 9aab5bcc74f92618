//! `/client/...` routes (tag "Client") about the account itself: who we
//! are, contacts and the blocklist, number lookups, profile pictures, the
//! session state, presence, push name, profile picture and about text,
//! and the client version. The label routes are in
//! [`super::client_labels`]; chats, groups, search and sending are in
//! their own modules.

use axum::extract::State;
use axum::{Json, Router, routing::get, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use wa_proto::jid::{Jid, Server};
use wa_proto::pair::payload::ClientConfig;
use wa_session::ops::contacts::PictureKind;
use wa_session::ops::presence::Presence;

use super::client_labels;
use super::common::{ContactIdRequest, ResultResponse, ok};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Connected, SessionId};
use crate::jid;
use crate::model::contact::{ContactContext, ContactJson, WidJson};
use crate::state::AppState;

/// `{success}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuccessResponse {
    /// Always `true`.
    pub success: bool,
}

/// Who this session is (whatsapp-web.js `ClientInfo`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientInfo {
    /// Our push (display) name; `null` when none is set.
    pub pushname: Option<String>,
    /// Our account id (`<number>@c.us`).
    pub wid: WidJson,
    /// The same as `wid` (wwebjs keeps this deprecated alias).
    pub me: WidJson,
    /// The phone's platform as it reported at linking (`android`,
    /// `iphone`, `smba`, `smbi`, ...); `null` when unknown.
    pub platform: Option<String>,
}

/// `{success, sessionInfo}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClassInfoResponse {
    /// Always `true`.
    pub success: bool,
    /// Who we are.
    pub session_info: ClientInfo,
}

/// `{success, blockedContacts}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BlockedResponse {
    /// Always `true`.
    pub success: bool,
    /// The blocked users.
    pub blocked_contacts: Vec<ContactJson>,
}

/// `{success, contact}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactResponse {
    /// Always `true`.
    pub success: bool,
    /// The contact.
    pub contact: ContactJson,
}

/// `{success, contacts}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactsResponse {
    /// Always `true`.
    pub success: bool,
    /// Every contact the session knows.
    pub contacts: Vec<ContactJson>,
}

/// `{success, state}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StateResponse {
    /// Always `true`.
    pub success: bool,
    /// `CONNECTED`, `CONNECTING`, `SCAN_QR_CODE`, `PAIRING_CODE`,
    /// `DISCONNECTED`, `LOGGED_OUT`, `QR_TIMEOUT`, `REPLACED`, `STARTING`,
    /// `STOPPED`.
    pub state: String,
}

/// `{success, presence}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresenceResponse {
    /// Always `true`.
    pub success: bool,
    /// What was announced: `available` or `unavailable`.
    pub presence: String,
}

/// Body with `number`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NumberRequest {
    /// The phone number, country code first (`6281111111111`; `+`,
    /// spaces, dashes and an `@c.us` suffix are allowed).
    pub number: String,
}

/// Body of `setDisplayName`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DisplayNameRequest {
    /// The new push name.
    pub display_name: String,
}

/// Body of `setProfilePicture`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PictureRequest {
    /// `image/jpeg` or `image/png` (converted to JPEG).
    pub picture_mimetype: String,
    /// The image, base64.
    pub picture_data: String,
}

/// Body of `setStatus`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusRequest {
    /// The new about text (at most 139 characters).
    pub status: String,
}

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/client/getClassInfo/{sessionId}", get(get_class_info))
        .route(
            "/client/getBlockedContacts/{sessionId}",
            post(get_blocked_contacts),
        )
        .route(
            "/client/getContactById/{sessionId}",
            post(get_contact_by_id),
        )
        .route("/client/getContacts/{sessionId}", get(get_contacts))
        .route("/client/getNumberId/{sessionId}", post(get_number_id))
        .route(
            "/client/isRegisteredUser/{sessionId}",
            post(is_registered_user),
        )
        .route(
            "/client/getProfilePicUrl/{sessionId}",
            post(get_profile_pic_url),
        )
        .route("/client/getState/{sessionId}", get(get_state))
        .route(
            "/client/sendPresenceAvailable/{sessionId}",
            post(send_presence_available),
        )
        .route(
            "/client/sendPresenceUnavailable/{sessionId}",
            post(send_presence_unavailable),
        )
        .route("/client/setDisplayName/{sessionId}", post(set_display_name))
        .route(
            "/client/setProfilePicture/{sessionId}",
            post(set_profile_picture),
        )
        .route("/client/setStatus/{sessionId}", post(set_status))
        .route("/client/getWWebVersion/{sessionId}", get(get_wweb_version))
        .merge(client_labels::router())
}

/// The OpenAPI paths of this module (merged into the document).
#[derive(Debug, OpenApi)]
#[openapi(paths(
    get_class_info,
    get_blocked_contacts,
    get_contact_by_id,
    get_contacts,
    get_number_id,
    is_registered_user,
    get_profile_pic_url,
    get_state,
    send_presence_available,
    send_presence_unavailable,
    set_display_name,
    set_profile_picture,
    set_status,
    get_wweb_version,
    client_labels::get_labels,
    client_labels::get_label_by_id,
    client_labels::get_chat_labels,
    client_labels::add_or_remove_labels,
))]
pub struct Paths;

/// Who this session is: push name, account id and the phone's platform.
#[utoipa::path(get, path = "/client/getClassInfo/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "The session's identity", body = ClassInfoResponse),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_class_info(
    Connected { client, .. }: Connected,
) -> ApiResult<Json<ClassInfoResponse>> {
    let creds = client
        .store()
        .device(client.session_id())
        .await?
        .ok_or_else(|| ApiError::Internal("no stored credentials".to_owned()))?;
    let jid = creds
        .jid
        .ok_or_else(|| ApiError::Internal("not paired".to_owned()))?;
    let wid = WidJson::from(&jid);
    let non_empty = |s: String| (!s.is_empty()).then_some(s);
    Ok(Json(ClassInfoResponse {
        success: true,
        session_info: ClientInfo {
            pushname: non_empty(creds.push_name),
            me: wid.clone(),
            wid,
            platform: non_empty(creds.platform),
        },
    }))
}

/// The users this account blocked, as Contact objects (by phone number
/// where the session knows it, else by LID).
#[utoipa::path(post, path = "/client/getBlockedContacts/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "The blocked contacts", body = BlockedResponse),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_blocked_contacts(
    Connected { client, .. }: Connected,
) -> ApiResult<Json<BlockedResponse>> {
    let ctx = ContactContext::load(&client, true).await?;
    let mut blocked_contacts = Vec::with_capacity(ctx.blocked().len());
    for j in ctx.blocked() {
        let stored = client.contact(j).await?;
        blocked_contacts.push(ctx.contact(j, stored.as_ref()));
    }
    Ok(Json(BlockedResponse {
        success: true,
        blocked_contacts,
    }))
}

/// Builds the Contact object of `jid` (stored record, blocklist, labels).
pub async fn contact_json(client: &wa_session::Client, jid: &Jid) -> ApiResult<ContactJson> {
    let ctx = ContactContext::load(client, !jid.is_group()).await?;
    let stored = client.contact(jid).await?;
    let lid = if ctx.needs_lids() && jid.server == Server::Pn {
        client.lid_of(jid).await?
    } else {
        None
    };
    Ok(ctx.contact_with_lid(jid, lid.as_ref(), stored.as_ref()))
}

/// One contact. An id the session has no record of still answers, with
/// `isWAContact: false` (as wwebjs does).
#[utoipa::path(post, path = "/client/getContactById/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ContactIdRequest,
    responses(
        (status = 200, description = "The contact", body = ContactResponse),
        (status = 400, description = "Bad `contactId`", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_contact_by_id(
    Connected { client, .. }: Connected,
    Body(req): Body<ContactIdRequest>,
) -> ApiResult<Json<ContactResponse>> {
    let jid = jid::parse("contactId", &req.contact_id)?;
    Ok(Json(ContactResponse {
        success: true,
        contact: contact_json(&client, &jid).await?,
    }))
}

/// Every contact the session knows (address book, push names seen,
/// history sync).
#[utoipa::path(get, path = "/client/getContacts/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "The contacts", body = ContactsResponse),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_contacts(
    Connected { client, .. }: Connected,
) -> ApiResult<Json<ContactsResponse>> {
    let ctx = ContactContext::load(&client, true).await?;
    let stored = client.contacts().await?;
    let mut contacts = Vec::with_capacity(stored.len());
    for c in &stored {
        // Only the stored mapping here: one usync per contact would be
        // too many queries.
        let lid = if ctx.needs_lids() && c.jid.server == Server::Pn {
            client
                .store()
                .lid_for_pn(client.session_id(), &c.jid)
                .await?
        } else {
            None
        };
        contacts.push(ctx.contact_with_lid(&c.jid, lid.as_ref(), Some(c)));
    }
    Ok(Json(ContactsResponse {
        success: true,
        contacts,
    }))
}

/// The digits of a `number` field (`@c.us` suffix allowed).
fn number_field(s: &str) -> ApiResult<String> {
    let j = jid::parse("number", s)?;
    if j.server != Server::Pn {
        return Err(ApiError::field("number", "must be a phone number"));
    }
    Ok(j.user)
}

/// The account id of a phone number, `null` when it has no WhatsApp.
#[utoipa::path(post, path = "/client/getNumberId/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = NumberRequest,
    responses(
        (status = 200, description = "`{server, user, _serialized}` or `null`", body = ResultResponse<Option<WidJson>>),
        (status = 400, description = "Bad `number`", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_number_id(
    Connected { client, .. }: Connected,
    Body(req): Body<NumberRequest>,
) -> ApiResult<Json<ResultResponse<Option<WidJson>>>> {
    let number = number_field(&req.number)?;
    let found = client.number_id(&number).await?;
    Ok(ok(found.as_ref().map(WidJson::from)))
}

/// Whether a phone number has WhatsApp.
#[utoipa::path(post, path = "/client/isRegisteredUser/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = NumberRequest,
    responses(
        (status = 200, description = "`true` or `false`", body = ResultResponse<bool>),
        (status = 400, description = "Bad `number`", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn is_registered_user(
    Connected { client, .. }: Connected,
    Body(req): Body<NumberRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let number = number_field(&req.number)?;
    Ok(ok(client.number_id(&number).await?.is_some()))
}

/// The full-size profile picture URL of a user or group; `None` when it
/// has none or privacy hides it.
pub async fn picture_url(client: &wa_session::Client, target: &Jid) -> ApiResult<Option<String>> {
    match client.profile_picture(target, PictureKind::Image).await {
        Ok(p) => Ok(p.map(|p| p.url)),
        Err(wa_session::Error::Server {
            code: 401 | 403, ..
        }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The profile picture URL of a user or group; `result: null` when there
/// is none or privacy hides it (the reference omits `result` then).
#[utoipa::path(post, path = "/client/getProfilePicUrl/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ContactIdRequest,
    responses(
        (status = 200, description = "The URL or `null`", body = ResultResponse<Option<String>>),
        (status = 400, description = "Bad `contactId`", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_profile_pic_url(
    Connected { client, .. }: Connected,
    Body(req): Body<ContactIdRequest>,
) -> ApiResult<Json<ResultResponse<Option<String>>>> {
    let target = jid::parse("contactId", &req.contact_id)?;
    Ok(ok(picture_url(&client, &target).await?))
}

/// The session's state, without waiting for it to connect. Unlike the
/// reference (a 500), an unknown session is a 404 `session_not_found`.
#[utoipa::path(get, path = "/client/getState/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "The state", body = StateResponse),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_state(
    State(state): State<AppState>,
    SessionId(id): SessionId,
) -> ApiResult<Json<StateResponse>> {
    let status = state.manager.status(&id).ok_or(ApiError::SessionNotFound)?;
    Ok(Json(StateResponse {
        success: true,
        state: status.as_str().to_owned(),
    }))
}

async fn presence(client: &wa_session::Client, p: Presence) -> ApiResult<Json<PresenceResponse>> {
    client.send_presence(p).await?;
    Ok(Json(PresenceResponse {
        success: true,
        presence: match p {
            Presence::Available => "available",
            Presence::Unavailable => "unavailable",
        }
        .to_owned(),
    }))
}

/// Shows the account as online (with its push name).
#[utoipa::path(post, path = "/client/sendPresenceAvailable/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "Sent", body = PresenceResponse),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn send_presence_available(
    Connected { client, .. }: Connected,
) -> ApiResult<Json<PresenceResponse>> {
    presence(&client, Presence::Available).await
}

/// Shows the account as offline (contacts see a "last seen").
#[utoipa::path(post, path = "/client/sendPresenceUnavailable/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "Sent", body = PresenceResponse),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn send_presence_unavailable(
    Connected { client, .. }: Connected,
) -> ApiResult<Json<PresenceResponse>> {
    presence(&client, Presence::Unavailable).await
}

/// Sets the account's push (display) name, for all its devices.
#[utoipa::path(post, path = "/client/setDisplayName/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = DisplayNameRequest,
    responses(
        (status = 200, description = "Set (`result: true`)", body = ResultResponse<bool>),
        (status = 400, description = "Empty `displayName`", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store or app-state failure", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn set_display_name(
    Connected { client, .. }: Connected,
    Body(req): Body<DisplayNameRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    if req.display_name.trim().is_empty() {
        return Err(ApiError::field("displayName", "must not be empty"));
    }
    client.set_push_name(&req.display_name).await?;
    Ok(ok(true))
}

/// Sets the account's profile picture (JPEG; a PNG is converted).
#[utoipa::path(post, path = "/client/setProfilePicture/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = PictureRequest,
    responses(
        (status = 200, description = "Set (`result: true`)", body = ResultResponse<bool>),
        (status = 400, description = "Bad `pictureMimetype` or `pictureData`", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id, or WhatsApp refused the picture (too large)", body = ErrorBody),
        (status = 500, description = "Encoding failure", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn set_profile_picture(
    Connected { client, .. }: Connected,
    Body(req): Body<PictureRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let jpeg = crate::picture::jpeg_from_request(&req.picture_mimetype, &req.picture_data)?;
    client.set_profile_picture(jpeg).await?;
    Ok(ok(true))
}

/// Sets the account's about text. Answers `{success: true}` only, as the
/// reference does.
#[utoipa::path(post, path = "/client/setStatus/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = StatusRequest,
    responses(
        (status = 200, description = "Set", body = SuccessResponse),
        (status = 400, description = "Bad `status` (over 139 characters)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn set_status(
    Connected { client, .. }: Connected,
    Body(req): Body<StatusRequest>,
) -> ApiResult<Json<SuccessResponse>> {
    client.set_about(&req.status).await.map_err(|e| match e {
        wa_session::Error::InvalidValue(v) => ApiError::field("status", v),
        e => e.into(),
    })?;
    Ok(Json(SuccessResponse { success: true }))
}

/// The WhatsApp Web version this gateway announces when it connects
/// (`2.3000.x`).
#[utoipa::path(get, path = "/client/getWWebVersion/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "The version", body = ResultResponse<String>),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_wweb_version(_: Connected) -> Json<ResultResponse<String>> {
    ok(ClientConfig::default().version_string())
}
