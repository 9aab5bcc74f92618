//! `/chat/...` routes (tag "Chat"): all `POST` with `chatId`; an unknown
//! chat is 404 `Chat not Found`.

use axum::{Json, Router, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use wa_proto::jid::Jid;
use wa_session::ops::presence::ChatState;
use wa_session::store::MessageQuery;

use super::client::contact_json;
use super::common::ChatRequest;
use crate::chats;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Connected};
use crate::jid::parse;
use crate::model::chat::ChatJson;
use crate::model::contact::ContactJson;
use crate::model::message::MessageJson;
use crate::state::AppState;

/// `{success, chat}` of `getClassInfo`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatInfoResponse {
    /// Always `true`.
    pub success: bool,
    /// The chat (a GroupChat for groups).
    pub chat: ChatJson,
}

/// `{success, clearMessages}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClearMessagesResponse {
    /// Always `true`.
    pub success: bool,
    /// Always `true`.
    pub clear_messages: bool,
}

/// `{success, clearState}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClearStateResponse {
    /// Always `true`.
    pub success: bool,
    /// Always `true`.
    pub clear_state: bool,
}

/// `{success, deleteChat}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteChatResponse {
    /// Always `true`.
    pub success: bool,
    /// Always `true`.
    pub delete_chat: bool,
}

/// `{success, sendStateRecording}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendStateRecordingResponse {
    /// Always `true`.
    pub success: bool,
    /// Always `true`.
    pub send_state_recording: bool,
}

/// `{success, sendStateTyping}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendStateTypingResponse {
    /// Always `true`.
    pub success: bool,
    /// Always `true`.
    pub send_state_typing: bool,
}

/// `searchOptions` of `fetchMessages`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchOptions {
    /// At most this many, the newest (default 50, at most 10000).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Only ours (`true`) or only theirs (`false`).
    #[serde(default)]
    pub from_me: Option<bool>,
}

/// Body of `fetchMessages`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FetchMessagesRequest {
    /// The chat.
    pub chat_id: String,
    /// Filters.
    #[serde(default)]
    pub search_options: Option<SearchOptions>,
}

/// `{success, messages}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FetchMessagesResponse {
    /// Always `true`.
    pub success: bool,
    /// The messages, oldest first.
    pub messages: Vec<MessageJson>,
}

/// `{success, contact}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatContactResponse {
    /// Always `true`.
    pub success: bool,
    /// The contact (a group: `name` is its subject).
    pub contact: ContactJson,
}

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/chat/getClassInfo/{sessionId}", post(get_class_info))
        .route("/chat/clearMessages/{sessionId}", post(clear_messages))
        .route("/chat/clearState/{sessionId}", post(clear_state))
        .route("/chat/delete/{sessionId}", post(delete_chat))
        .route("/chat/fetchMessages/{sessionId}", post(fetch_messages))
        .route("/chat/getContact/{sessionId}", post(get_contact))
        .route(
            "/chat/sendStateRecording/{sessionId}",
            post(send_state_recording),
        )
        .route("/chat/sendStateTyping/{sessionId}", post(send_state_typing))
}

/// The OpenAPI paths of this module (merged into the document).
#[derive(Debug, OpenApi)]
#[openapi(paths(
    get_class_info,
    clear_messages,
    clear_state,
    delete_chat,
    fetch_messages,
    get_contact,
    send_state_recording,
    send_state_typing
))]
pub struct Paths;

/// `chatId` parsed and known.
async fn known(c: &Connected, chat_id: &str) -> ApiResult<Jid> {
    let jid = parse("chatId", chat_id)?;
    chats::require(&c.client, &jid).await?;
    Ok(jid)
}

/// The chat (a GroupChat for groups).
#[utoipa::path(post, path = "/chat/getClassInfo/{sessionId}", tag = "Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The chat", body = ChatInfoResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; WhatsApp refused", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_class_info(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<ChatInfoResponse>> {
    let jid = parse("chatId", &req.chat_id)?;
    let chat = chats::find(&c.client, &jid).await?;
    Ok(Json(ChatInfoResponse {
        success: true,
        chat,
    }))
}

/// Deletes every message of the chat on every device of the account; the
/// chat stays.
#[utoipa::path(post, path = "/chat/clearMessages/{sessionId}", tag = "Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Cleared", body = ClearMessagesResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; the phone has not shared its sync keys yet", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn clear_messages(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<ClearMessagesResponse>> {
    let jid = known(&c, &req.chat_id).await?;
    c.client.clear_chat(&jid).await?;
    Ok(Json(ClearMessagesResponse {
        success: true,
        clear_messages: true,
    }))
}

/// Tells the chat we stopped typing or recording (`paused`).
#[utoipa::path(post, path = "/chat/clearState/{sessionId}", tag = "Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Sent", body = ClearStateResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn clear_state(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<ClearStateResponse>> {
    let jid = known(&c, &req.chat_id).await?;
    c.client.send_chat_state(&jid, ChatState::Paused).await?;
    Ok(Json(ClearStateResponse {
        success: true,
        clear_state: true,
    }))
}

/// Deletes the chat and its messages on every device of the account.
#[utoipa::path(post, path = "/chat/delete/{sessionId}", tag = "Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Deleted", body = DeleteChatResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; the phone has not shared its sync keys yet", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn delete_chat(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<DeleteChatResponse>> {
    let jid = known(&c, &req.chat_id).await?;
    c.client.delete_chat(&jid).await?;
    Ok(Json(DeleteChatResponse {
        success: true,
        delete_chat: true,
    }))
}

/// The chat's stored messages, newest `limit` (default 50), oldest first.
#[utoipa::path(post, path = "/chat/fetchMessages/{sessionId}", tag = "Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = FetchMessagesRequest,
    responses(
        (status = 200, description = "The messages", body = FetchMessagesResponse),
        (status = 400, description = "`chatId` or `searchOptions` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn fetch_messages(
    c: Connected,
    Body(req): Body<FetchMessagesRequest>,
) -> ApiResult<Json<FetchMessagesResponse>> {
    let jid = known(&c, &req.chat_id).await?;
    let opts = req.search_options.unwrap_or_default();
    let mut q = MessageQuery::new(opts.limit.unwrap_or(50).min(10_000)).chat(jid);
    if let Some(f) = opts.from_me {
        q = q.from_me(f);
    }
    let own = chats::own_ids(&c.client).await?;
    let messages = c
        .client
        .store()
        .messages(c.client.session_id(), &q)
        .await?
        .iter()
        .map(|m| MessageJson::of(m, own.first()))
        .collect();
    Ok(Json(FetchMessagesResponse {
        success: true,
        messages,
    }))
}

/// The contact of the chat: the Contact object of `contact/getClassInfo`
/// (a group's own contact for groups, with its subject as `name`).
#[utoipa::path(post, path = "/chat/getContact/{sessionId}", tag = "Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The contact", body = ChatContactResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; WhatsApp refused", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_contact(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<ChatContactResponse>> {
    let jid = parse("chatId", &req.chat_id)?;
    let chat = chats::find(&c.client, &jid).await?;
    let mut contact = contact_json(&c.client, &jid).await?;
    if jid.is_group() {
        // The group has no contact record: its name is the subject.
        contact.name = Some(chat.name);
    }
    Ok(Json(ChatContactResponse {
        success: true,
        contact,
    }))
}

/// Shows "recording audio…" in the chat (until a message or `clearState`).
#[utoipa::path(post, path = "/chat/sendStateRecording/{sessionId}", tag = "Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Sent", body = SendStateRecordingResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn send_state_recording(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<SendStateRecordingResponse>> {
    let jid = known(&c, &req.chat_id).await?;
    c.client.send_chat_state(&jid, ChatState::Recording).await?;
    Ok(Json(SendStateRecordingResponse {
        success: true,
        send_state_recording: true,
    }))
}

/// Shows "typing…" in the chat (until a message or `clearState`).
#[utoipa::path(post, path = "/chat/sendStateTyping/{sessionId}", tag = "Chat",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Sent", body = SendStateTypingResponse),
        (status = 400, description = "`chatId` missing or invalid", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Chat not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer in time", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn send_state_typing(
    c: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<SendStateTypingResponse>> {
    let jid = known(&c, &req.chat_id).await?;
    c.client.send_chat_state(&jid, ChatState::Composing).await?;
    Ok(Json(SendStateTypingResponse {
        success: true,
        send_state_typing: true,
    }))
}
