//! `POST /client/sendMessage/{sessionId}` (every `contentType` of the
//! reference) and `POST /client/searchMessages/{sessionId}` (tag "Client").

use axum::extract::State;
use axum::{Json, Router, routing::post};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};
use wa_session::store::{MessageQuery, StoredMessage};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Connected};
use crate::jid;
use crate::model::message::MessageJson;
use crate::outgoing::{self, SendOptionsJson};
use crate::state::AppState;

/// Body of `sendMessage`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendMessageRequest {
    /// The chat: `<number>@c.us` or `<id>@g.us`.
    pub chat_id: String,
    /// `string`, `MessageMedia`, `MessageMediaFromURL`, `Location`,
    /// `Buttons`, `List`, `Contact` or `Poll`.
    pub content_type: String,
    /// Depends on `contentType`: a text; `{mimetype, data, filename?}`; a
    /// URL; `{latitude, longitude, description?}`; `{body, buttons:[{body}],
    /// title?, footer?}`; `{body, buttonText, sections:[{title, rows:[{id?,
    /// title, description?}]}], title?, footer?}`; `{contactId}`;
    /// `{pollName, pollOptions:[..], options:{allowMultipleAnswers}}`.
    #[schema(value_type = Value)]
    pub content: Value,
    /// Send options.
    #[serde(default)]
    pub options: Option<SendOptionsJson>,
}

/// `{success, message}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SendMessageResponse {
    /// Always `true`.
    pub success: bool,
    /// The sent message.
    pub message: MessageJson,
}

/// `options` of `searchMessages`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchOptions {
    /// Only this chat.
    #[serde(default)]
    pub chat_id: Option<String>,
    /// 1-based page (default 1).
    #[serde(default)]
    pub page: Option<u32>,
    /// Results per page (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Body of `searchMessages`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    /// Text the body or caption contains (case-insensitive).
    pub query: String,
    /// Chat and paging.
    #[serde(default)]
    pub options: Option<SearchOptions>,
}

/// `{success, messages}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessagesResponse {
    /// Always `true`.
    pub success: bool,
    /// The matches, newest first.
    pub messages: Vec<MessageJson>,
}

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/client/sendMessage/{sessionId}", post(send_message))
        .route("/client/searchMessages/{sessionId}", post(search_messages))
}

/// After a message went out: webhook and metric.
pub async fn sent(state: &AppState, id: &str, stored: &StoredMessage) {
    state.metrics.messages_sent.inc();
    crate::webhook::events::message_sent(state, id, stored).await;
}

/// Sends a message. `options` honoured: `caption`, `quotedMessageId`,
/// `mentions`, `sendMediaAsDocument`, `sendAudioAsVoice`, `sendVideoAsGif`,
/// `sendMediaAsSticker`, `linkPreview`, and `media` with
/// `contentType: string`. Buttons and List arrive as formatted text
/// (WhatsApp no longer displays them from ordinary accounts).
/// `MessageMediaFromURL` is downloaded by the gateway: public addresses
/// only unless `ALLOW_PRIVATE_MEDIA_URLS`, at most `MAX_ATTACHMENT_SIZE`.
#[utoipa::path(post, path = "/client/sendMessage/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = SendMessageRequest,
    responses(
        (status = 200, description = "Sent (the server acknowledged it)", body = SendMessageResponse),
        (status = 400, description = "Bad field (named), unknown contentType, refused or too large media URL", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; quoted message not found", body = ErrorBody),
        (status = 422, description = "Bad session id, or WhatsApp refused the message", body = ErrorBody),
        (status = 500, description = "Internal failure", body = ErrorBody),
        (status = 502, description = "WhatsApp or the media URL failed", body = ErrorBody),
        (status = 504, description = "No answer in time (the message stays queued)", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn send_message(
    State(state): State<AppState>,
    Connected { id, client }: Connected,
    Body(req): Body<SendMessageRequest>,
) -> ApiResult<Json<SendMessageResponse>> {
    let chat = jid::parse("chatId", &req.chat_id)?;
    let content = outgoing::parse_content(&state.config, &req.content_type, req.content).await?;
    let mut prepared = outgoing::prepare(&client, &chat, req.options).await?;
    prepared
        .wait_for_ack
        .get_or_insert(state.config.send_wait_for_ack);
    let stored = outgoing::send(&client, &chat, content, prepared).await?;
    sent(&state, &id, &stored).await;
    Ok(Json(SendMessageResponse {
        success: true,
        message: MessageJson::load(&client, &stored).await,
    }))
}

/// Searches the stored messages whose text contains `query`, newest first,
/// optionally in one chat, by pages.
#[utoipa::path(post, path = "/client/searchMessages/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = SearchRequest,
    responses(
        (status = 200, description = "The matches", body = MessagesResponse),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn search_messages(
    Connected { client, .. }: Connected,
    Body(req): Body<SearchRequest>,
) -> ApiResult<Json<MessagesResponse>> {
    let o = req.options.unwrap_or_default();
    let limit = o.limit.unwrap_or(50).clamp(1, 500);
    let page = o.page.unwrap_or(1).max(1);
    if page > 1000 {
        return Err(ApiError::field("options.page", "at most 1000"));
    }
    let mut q = MessageQuery::new(limit.saturating_mul(page)).text(req.query);
    if let Some(c) = o.chat_id.as_deref().filter(|c| !c.is_empty()) {
        q = q.chat(jid::parse("options.chatId", c)?);
    }
    let mut found = client
        .store()
        .messages(client.session_id(), &q)
        .await
        .map_err(ApiError::from)?;
    found.reverse();
    let skip = usize::try_from(limit.saturating_mul(page - 1)).unwrap_or(usize::MAX);
    let own = client.own_jid().await.ok().map(|j| j.to_non_ad());
    let messages = found
        .iter()
        .skip(skip)
        .map(|m| MessageJson::of(m, own.as_ref()))
        .collect();
    Ok(Json(MessagesResponse {
        success: true,
        messages,
    }))
}

/// The OpenAPI paths of this module (merged into the document).
#[derive(Debug, OpenApi)]
#[openapi(paths(send_message, search_messages))]
pub struct Paths;
