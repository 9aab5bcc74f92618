//! `/client/...` routes about chats (tag "Client"): list and get chats,
//! archive, pin, mute, mark unread, send seen.

use axum::{Json, Router, routing::get, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use wa_session::ops::chats::MuteUntil;

use crate::chats;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Connected};
use crate::jid::parse;
use crate::model::chat::{ChatJson, MuteJson};
use crate::routes::common::{ChatRequest, ResultResponse, ok};
use crate::state::AppState;

/// `{success, chats}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatsResponse {
    /// Always `true`.
    pub success: bool,
    /// The chats (GroupChats for groups).
    pub chats: Vec<ChatJson>,
}

/// `{success, chat}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatResponse {
    /// Always `true`.
    pub success: bool,
    /// The chat (a GroupChat for groups).
    pub chat: ChatJson,
}

/// `{success, mute}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MuteResponse {
    /// Always `true`.
    pub success: bool,
    /// The new mute state.
    pub mute: MuteJson,
}

/// `{success, result}` of `unmuteChat`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnmuteResponse {
    /// Always `true`.
    pub success: bool,
    /// The new mute state (`{isMuted: false, muteExpiration: 0}`).
    pub result: MuteJson,
}

/// `{success, mark}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkUnreadResponse {
    /// Always `true`.
    pub success: bool,
    /// Always `true` (wwebjs answers nothing here).
    pub mark: bool,
}

/// Body of `labelId` routes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelIdRequest {
    /// The label id.
    pub label_id: String,
}

/// Body of `muteChat`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MuteRequest {
    /// The chat.
    pub chat_id: String,
    /// When the mute ends: a date (`2030-01-31`, `2030-01-31T10:00:00Z`,
    /// an RFC 2822 date) or Unix time in seconds or milliseconds; absent or
    /// `null` mutes forever.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub unmute_date: Option<serde_json::Value>,
}

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/client/getChats/{sessionId}", get(get_chats))
        .route("/client/getChatById/{sessionId}", post(get_chat_by_id))
        .route(
            "/client/getChatsByLabelId/{sessionId}",
            post(get_chats_by_label_id),
        )
        .route("/client/archiveChat/{sessionId}", post(archive_chat))
        .route("/client/unarchiveChat/{sessionId}", post(unarchive_chat))
        .route("/client/pinChat/{sessionId}", post(pin_chat))
        .route("/client/unpinChat/{sessionId}", post(unpin_chat))
        .route("/client/muteChat/{sessionId}", post(mute_chat))
        .route("/client/unmuteChat/{sessionId}", post(unmute_chat))
        .route("/client/markChatUnread/{sessionId}", post(mark_chat_unread))
        .route("/client/sendSeen/{sessionId}", post(send_seen))
}

/// The OpenAPI paths of this module (merged into the document).
#[derive(Debug, OpenApi)]
#[openapi(paths(
    get_chats,
    get_chat_by_id,
    get_chats_by_label_id,
    archive_chat,
    unarchive_chat,
    pin_chat,
    unpin_chat,
    mute_chat,
    unmute_chat,
    mark_chat_unread,
    send_seen
))]
pub struct Paths;

/// The chat of `chatId`, known (404 otherwise).
async fn known_chat(c: &Connected, chat_id: &str) -> ApiResult<wa_proto::jid::Jid> {
    let jid = parse("chatId", chat_id)?;
    chats::require(&c.client, &jid).await?;
    Ok(jid)
}

/// `{success, result}` with the chat's new state: `archiveChat`/`pinChat`:
/// `true`; `unarchiveChat`/`unpinChat`: `false` (as wwebjs answers);
/// `sendSeen`: `true`.
fn flag(result: bool) -> Json<ResultResponse<bool>> {
    ok(result)
}

/// Every chat: the stored ones, newest first, then the groups we are in
/// that have no message yet. Groups come as GroupChats.
#[utoipa::path(get, path = "/client/getChats/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "The chats", body = ChatsResponse),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_chats(c: Connected) -> ApiResult<Json<ChatsResponse>> {
    let stored = c.client.chats().await?;
    let chats = chats::all(&c.client, stored, true).await?;
    Ok(Json(ChatsResponse {
        success: true,
        chats,
    }))
}

/// One chat (a GroupChat for groups). 404 `Chat not Found` for a chat the
/// session does not have, including a user never written to.
#[utoipa::path(post, path = "/client/getChatById/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The chat", body = ChatResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; WhatsApp refused", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_chat_by_id(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<ChatResponse>> {
    let jid = parse("chatId", &req.chat_id)?;
    let chat = chats::find(&c.client, &jid).await?;
    Ok(Json(ChatResponse {
        success: true,
        chat,
    }))
}

/// The chats carrying a label. 404 `Label not Found` for an unknown label.
#[utoipa::path(post, path = "/client/getChatsByLabelId/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = LabelIdRequest,
    responses(
        (status = 200, description = "The chats", body = ChatsResponse),
        (status = 400, description = "`labelId` missing", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Label not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_chats_by_label_id(
    c: Connected,
    Body(req): Body<LabelIdRequest>,
) -> ApiResult<Json<ChatsResponse>> {
    let id = req.label_id.trim();
    if id.is_empty() {
        return Err(ApiError::field("labelId", "must not be empty"));
    }
    if c.client.label(id).await?.is_none() {
        return Err(ApiError::NotFound("Label not Found".to_owned()));
    }
    let stored = c.client.chats_with_label(id).await?;
    let chats = chats::all(&c.client, stored, false).await?;
    Ok(Json(ChatsResponse {
        success: true,
        chats,
    }))
}

/// Archives a chat on every device of the account. Answers `true`.
#[utoipa::path(post, path = "/client/archiveChat/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Archived", body = ResultResponse<bool>),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; the phone has not shared its sync keys yet", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn archive_chat(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let jid = known_chat(&c, &req.chat_id).await?;
    c.client.archive_chat(&jid, true).await?;
    Ok(flag(true))
}

/// Unarchives a chat. Answers `false` (the new archived state).
#[utoipa::path(post, path = "/client/unarchiveChat/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Unarchived", body = ResultResponse<bool>),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; the phone has not shared its sync keys yet", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn unarchive_chat(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let jid = known_chat(&c, &req.chat_id).await?;
    c.client.archive_chat(&jid, false).await?;
    Ok(flag(false))
}

/// Pins a chat. Answers `true`.
#[utoipa::path(post, path = "/client/pinChat/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Pinned", body = ResultResponse<bool>),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; the phone has not shared its sync keys yet", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn pin_chat(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let jid = known_chat(&c, &req.chat_id).await?;
    c.client.pin_chat(&jid, true).await?;
    Ok(flag(true))
}

/// Unpins a chat. Answers `false` (the new pinned state).
#[utoipa::path(post, path = "/client/unpinChat/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Unpinned", body = ResultResponse<bool>),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; the phone has not shared its sync keys yet", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn unpin_chat(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let jid = known_chat(&c, &req.chat_id).await?;
    c.client.pin_chat(&jid, false).await?;
    Ok(flag(false))
}

/// Reads `unmuteDate`: `None` = forever.
fn mute_end(v: Option<&serde_json::Value>) -> ApiResult<MuteUntil> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let bad = |what: &str| ApiError::field("unmuteDate", what);
    let from_number = |n: i64| if n > 100_000_000_000 { n / 1000 } else { n };
    let secs = match v {
        None | Some(serde_json::Value::Null) => return Ok(MuteUntil::Forever),
        Some(serde_json::Value::Number(n)) => {
            from_number(n.as_i64().ok_or_else(|| bad("not a Unix time"))?)
        }
        Some(serde_json::Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() {
                return Ok(MuteUntil::Forever);
            }
            if let Ok(n) = s.parse::<i64>() {
                from_number(n)
            } else if let Ok(d) = DateTime::parse_from_rfc3339(s) {
                d.timestamp()
            } else if let Ok(d) = DateTime::parse_from_rfc2822(s) {
                d.timestamp()
            } else if let Ok(d) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
            {
                d.and_utc().timestamp()
            } else if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                d.and_hms_opt(0, 0, 0)
                    .map(|t| t.and_utc().timestamp())
                    .ok_or_else(|| bad("not a date"))?
            } else {
                return Err(bad(format!("{s:?} is not a date").as_str()));
            }
        }
        Some(_) => return Err(bad("must be a date string or a Unix time")),
    };
    if secs <= chrono::Utc::now().timestamp() {
        return Err(bad("is in the past"));
    }
    Ok(MuteUntil::Until(secs))
}

/// Mutes a chat until `unmuteDate`, or forever.
#[utoipa::path(post, path = "/client/muteChat/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = MuteRequest,
    responses(
        (status = 200, description = "Muted", body = MuteResponse),
        (status = 400, description = "`chatId` or `unmuteDate` missing or invalid (or in the past)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; the phone has not shared its sync keys yet", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn mute_chat(
    c: Connected,
    Body(req): Body<MuteRequest>,
) -> ApiResult<Json<MuteResponse>> {
    let jid = parse("chatId", &req.chat_id)?;
    let until = mute_end(req.unmute_date.as_ref())?;
    chats::require(&c.client, &jid).await?;
    c.client.mute_chat(&jid, Some(until)).await?;
    let mute = match until {
        MuteUntil::Forever => MuteJson::of(Some(-1)),
        MuteUntil::Until(t) => MuteJson::of(Some(t)),
    };
    Ok(Json(MuteResponse {
        success: true,
        mute,
    }))
}

/// Unmutes a chat.
#[utoipa::path(post, path = "/client/unmuteChat/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Unmuted", body = UnmuteResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; the phone has not shared its sync keys yet", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn unmute_chat(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<UnmuteResponse>> {
    let jid = known_chat(&c, &req.chat_id).await?;
    c.client.mute_chat(&jid, None).await?;
    Ok(Json(UnmuteResponse {
        success: true,
        result: MuteJson::of(None),
    }))
}

/// Marks a chat unread on every device of the account.
#[utoipa::path(post, path = "/client/markChatUnread/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Marked unread", body = MarkUnreadResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; the phone has not shared its sync keys yet", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn mark_chat_unread(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<MarkUnreadResponse>> {
    let jid = known_chat(&c, &req.chat_id).await?;
    c.client.mark_chat_unread(&jid, true).await?;
    Ok(Json(MarkUnreadResponse {
        success: true,
        mark: true,
    }))
}

/// Marks a chat seen: read receipts for its unread messages (the senders
/// see blue ticks) and the chat marked read on every device.
#[utoipa::path(post, path = "/client/sendSeen/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Seen", body = ResultResponse<bool>),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; the phone has not shared its sync keys yet", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn send_seen(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let jid = known_chat(&c, &req.chat_id).await?;
    c.client.mark_seen(&jid).await?;
    Ok(flag(true))
}
