//! `/contact/...` routes (tag "Contact"): all `POST` with `contactId`, all
//! answering `{success: true, result}`: the Contact object, block and
//! unblock (checked against the blocklist WhatsApp answers), the about
//! text, the contact's chat, the formatted number and calling code, and
//! the profile picture URL.

use axum::{Json, Router, routing::post};
use utoipa::OpenApi;
use wa_proto::jid::Jid;
use wa_session::Client;

use super::client::{contact_json, picture_url};
use super::common::{ContactIdRequest, ResultResponse, ok};
use crate::chats;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Connected};
use crate::jid;
use crate::model::chat::ChatJson;
use crate::model::contact::ContactJson;
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contact/getClassInfo/{sessionId}", post(get_class_info))
        .route("/contact/block/{sessionId}", post(block))
        .route("/contact/unblock/{sessionId}", post(unblock))
        .route("/contact/getAbout/{sessionId}", post(get_about))
        .route("/contact/getChat/{sessionId}", post(get_chat))
        .route(
            "/contact/getFormattedNumber/{sessionId}",
            post(get_formatted_number),
        )
        .route(
            "/contact/getCountryCode/{sessionId}",
            post(get_country_code),
        )
        .route(
            "/contact/getProfilePicUrl/{sessionId}",
            post(get_profile_pic_url),
        )
}

/// The OpenAPI paths of this module (merged into the document).
#[derive(Debug, OpenApi)]
#[openapi(paths(
    get_class_info,
    block,
    unblock,
    get_about,
    get_chat,
    get_formatted_number,
    get_country_code,
    get_profile_pic_url,
))]
pub struct Paths;

fn user(req: &ContactIdRequest) -> ApiResult<Jid> {
    jid::parse_user("contactId", &req.contact_id)
}

/// The contact.
#[utoipa::path(post, path = "/contact/getClassInfo/{sessionId}", tag = "Contact",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ContactIdRequest,
    responses(
        (status = 200, description = "The Contact object", body = ResultResponse<ContactJson>),
        (status = 400, description = "Bad `contactId`", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_class_info(
    Connected { client, .. }: Connected,
    Body(req): Body<ContactIdRequest>,
) -> ApiResult<Json<ResultResponse<ContactJson>>> {
    let jid = jid::parse("contactId", &req.contact_id)?;
    Ok(ok(contact_json(&client, &jid).await?))
}

/// Whether `user` (or its LID) is in `list`.
async fn listed(client: &Client, list: &[Jid], user: &Jid) -> ApiResult<bool> {
    if list.is_empty() {
        return Ok(false);
    }
    let lid = client.lid_of(user).await?;
    Ok(list.iter().map(Jid::to_non_ad).any(|j| {
        (j.user == user.user && j.server == user.server)
            || lid
                .as_ref()
                .is_some_and(|l| j.user == l.user && j.server == l.server)
    }))
}

/// Blocks the contact; `result: true`.
#[utoipa::path(post, path = "/contact/block/{sessionId}", tag = "Contact",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ContactIdRequest,
    responses(
        (status = 200, description = "Blocked (`result: true`)", body = ResultResponse<bool>),
        (status = 400, description = "Bad `contactId` (not a user)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id; WhatsApp refused (no such account)", body = ErrorBody),
        (status = 502, description = "WhatsApp refused, or its new blocklist disagrees", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn block(
    Connected { client, .. }: Connected,
    Body(req): Body<ContactIdRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let jid = user(&req)?;
    let list = client.block_contact(&jid).await?;
    if !listed(&client, &list, &jid).await? {
        return Err(ApiError::BadGateway(
            "WhatsApp does not list the contact as blocked".to_owned(),
        ));
    }
    Ok(ok(true))
}

/// Unblocks the contact; `result: true` (also when it was not blocked).
#[utoipa::path(post, path = "/contact/unblock/{sessionId}", tag = "Contact",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ContactIdRequest,
    responses(
        (status = 200, description = "Unblocked (`result: true`)", body = ResultResponse<bool>),
        (status = 400, description = "Bad `contactId` (not a user)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id; WhatsApp refused (no such account)", body = ErrorBody),
        (status = 502, description = "WhatsApp refused, or its new blocklist disagrees", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn unblock(
    Connected { client, .. }: Connected,
    Body(req): Body<ContactIdRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let jid = user(&req)?;
    let list = client.unblock_contact(&jid).await?;
    if listed(&client, &list, &jid).await? {
        return Err(ApiError::BadGateway(
            "WhatsApp still lists the contact as blocked".to_owned(),
        ));
    }
    Ok(ok(true))
}

/// The contact's about text; `null` when it has none (or an empty one) or
/// privacy hides it.
#[utoipa::path(post, path = "/contact/getAbout/{sessionId}", tag = "Contact",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ContactIdRequest,
    responses(
        (status = 200, description = "The text or `null`", body = ResultResponse<Option<String>>),
        (status = 400, description = "Bad `contactId` (not a user)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_about(
    Connected { client, .. }: Connected,
    Body(req): Body<ContactIdRequest>,
) -> ApiResult<Json<ResultResponse<Option<String>>>> {
    let jid = user(&req)?;
    let about = client.user_about(&jid).await?;
    Ok(ok(about.map(|a| a.text).filter(|t| !t.is_empty())))
}

/// The chat with the contact: the Chat object of `chat/getClassInfo`.
/// Unlike the chat routes, a contact never chatted with is not 404: it
/// gets the Chat object with defaults (no messages, `timestamp: 0`,
/// `lastMessage: null`, `name` the contact's name or number), as before.
#[utoipa::path(post, path = "/contact/getChat/{sessionId}", tag = "Contact",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ContactIdRequest,
    responses(
        (status = 200, description = "The chat", body = ResultResponse<ChatJson>),
        (status = 400, description = "Bad `contactId` (not a user)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_chat(
    Connected { client, .. }: Connected,
    Body(req): Body<ContactIdRequest>,
) -> ApiResult<Json<ResultResponse<ChatJson>>> {
    let jid = user(&req)?;
    // A user chat: `chats::find` is the stored chat or 404; here a chat not
    // stored yet answers with the defaults instead (`json_of` with no row).
    let own = chats::own_ids(&client).await?;
    let stored = client.chat(&jid).await?;
    Ok(ok(
        chats::json_of(&client, &jid, stored.as_ref(), &own).await?
    ))
}

/// The contact's number formatted for display (`+62 811-1111-1111`).
#[utoipa::path(post, path = "/contact/getFormattedNumber/{sessionId}", tag = "Contact",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ContactIdRequest,
    responses(
        (status = 200, description = "The formatted number", body = ResultResponse<String>),
        (status = 400, description = "Bad `contactId` (not a phone number, or a LID without known number)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_formatted_number(
    Connected { client, .. }: Connected,
    Body(req): Body<ContactIdRequest>,
) -> ApiResult<Json<ResultResponse<String>>> {
    let jid = user(&req)?;
    let f = client
        .formatted_number(&jid)
        .await
        .map_err(|e| field_error(e, "contactId"))?;
    Ok(ok(f.international))
}

/// The contact's calling code (`62`).
#[utoipa::path(post, path = "/contact/getCountryCode/{sessionId}", tag = "Contact",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ContactIdRequest,
    responses(
        (status = 200, description = "The calling code", body = ResultResponse<String>),
        (status = 400, description = "Bad `contactId` (not a phone number, or a LID without known number)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_country_code(
    Connected { client, .. }: Connected,
    Body(req): Body<ContactIdRequest>,
) -> ApiResult<Json<ResultResponse<String>>> {
    let jid = user(&req)?;
    let f = client
        .formatted_number(&jid)
        .await
        .map_err(|e| field_error(e, "contactId"))?;
    Ok(ok(f.country_code))
}

fn field_error(e: wa_session::Error, field: &str) -> ApiError {
    match e {
        wa_session::Error::InvalidValue(v) => ApiError::field(field, v),
        e => e.into(),
    }
}

/// The contact's profile picture URL; `null` when there is none or
/// privacy hides it.
#[utoipa::path(post, path = "/contact/getProfilePicUrl/{sessionId}", tag = "Contact",
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
