//! `/message/...` routes that change something (tag "Message"): delete,
//! forward, react, reply, star and unstar. Bodies and lookup as in
//! [`super::message`].

use axum::extract::State;
use axum::{Json, Router, routing::post};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};
use wa_session::Client;
use wa_session::message::MessageRef;
use wa_session::store::StoredMessage;

use super::common::ResultResponse;
use super::message::{MessageRequest, done, find};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Connected};
use crate::jid;
use crate::model::message::MessageJson;
use crate::outgoing::{self, Content, SendOptionsJson};
use crate::state::AppState;

/// Body of `delete`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteRequest {
    /// The chat.
    pub chat_id: String,
    /// The message's short id.
    pub message_id: String,
    /// `true`: delete for everyone (revoke); otherwise for this account
    /// only.
    #[serde(default)]
    pub everyone: Option<bool>,
}

/// Body of `forward`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForwardRequest {
    /// The chat.
    pub chat_id: String,
    /// The message's short id.
    pub message_id: String,
    /// Where to forward it.
    pub destination_chat_id: String,
}

/// Body of `react`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReactRequest {
    /// The chat.
    pub chat_id: String,
    /// The message's short id.
    pub message_id: String,
    /// One emoji; `""` removes our reaction.
    pub reaction: String,
}

/// Body of `reply`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplyRequest {
    /// The chat.
    pub chat_id: String,
    /// The short id of the message replied to.
    pub message_id: String,
    /// A text, or a media object `{mimetype, data, filename?}`.
    #[schema(value_type = Value)]
    pub content: Value,
    /// Send the reply to another chat (default: the message's chat).
    #[serde(default)]
    pub destination_chat_id: Option<String>,
    /// As `sendMessage`'s options (`quotedMessageId` is this message).
    #[serde(default)]
    pub options: Option<SendOptionsJson>,
}

/// `{success, repliedMessage}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RepliedMessageResponse {
    /// Always `true`.
    pub success: bool,
    /// The reply that was sent.
    pub replied_message: MessageJson,
}

fn app_ref(m: &StoredMessage) -> wa_session::ops::chats::MessageRef {
    wa_session::ops::chats::MessageRef {
        chat: m.chat.clone(),
        id: m.id.clone(),
        from_me: m.from_me,
        participant: m.sender.clone(),
    }
}

/// Deletes the message: for everyone (`everyone: true`: a revoke, for our
/// own messages and, in groups we administer, others') or else for this
/// account's devices only (also when `everyone` is asked for someone
/// else's message in a 1:1 chat, as WhatsApp Web does).
#[utoipa::path(post, path = "/message/delete/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = DeleteRequest,
    responses(
        (status = 200, description = "Deleted", body = ResultResponse<bool>),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id, or WhatsApp refused", body = ErrorBody),
        (status = 500, description = "Internal failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn delete(
    Connected { client, .. }: Connected,
    Body(req): Body<DeleteRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let m = find(&client, &req.chat_id, &req.message_id).await?;
    // As WhatsApp Web: "for everyone" only where a revoke is possible (our
    // own messages; others' in groups, which the server allows admins);
    // otherwise the message is deleted for this account.
    let revocable = m.from_me || m.chat.is_group();
    if req.everyone.unwrap_or(false) && revocable {
        client.revoke_message(&MessageRef::of(&m)).await?;
    } else {
        client.delete_message_for_me(&app_ref(&m)).await?;
    }
    Ok(done())
}

/// Forwards the message to `destinationChatId` (marked forwarded).
#[utoipa::path(post, path = "/message/forward/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ForwardRequest,
    responses(
        (status = 200, description = "Forwarded", body = ResultResponse<bool>),
        (status = 400, description = "Bad field (named), or content that cannot be forwarded", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id, or WhatsApp refused", body = ErrorBody),
        (status = 500, description = "Internal failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn forward(
    State(state): State<AppState>,
    Connected { id, client }: Connected,
    Body(req): Body<ForwardRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    let to = jid::parse("destinationChatId", &req.destination_chat_id)?;
    let m = find(&client, &req.chat_id, &req.message_id).await?;
    let sent = client.forward(&m, &to).await?;
    if let Ok(s) = client.stored_message(&sent.chat, &sent.id).await {
        super::client_send::sent(&state, &id, &s).await;
    }
    Ok(done())
}

/// Reacts to the message with `reaction` (one emoji; `""` removes ours).
#[utoipa::path(post, path = "/message/react/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ReactRequest,
    responses(
        (status = 200, description = "Reacted", body = ResultResponse<bool>),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id, or WhatsApp refused", body = ErrorBody),
        (status = 500, description = "Internal failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn react(
    Connected { client, .. }: Connected,
    Body(req): Body<ReactRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    if req.reaction.chars().count() > 16 {
        return Err(ApiError::field("reaction", "must be one emoji or empty"));
    }
    let m = find(&client, &req.chat_id, &req.message_id).await?;
    client.react(&MessageRef::of(&m), &req.reaction).await?;
    Ok(done())
}

/// Replies to the message (quoting it) with a text or a media object, in
/// its chat or in `destinationChatId`.
#[utoipa::path(post, path = "/message/reply/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ReplyRequest,
    responses(
        (status = 200, description = "The reply", body = RepliedMessageResponse),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id, or WhatsApp refused", body = ErrorBody),
        (status = 500, description = "Internal failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn reply(
    State(state): State<AppState>,
    Connected { id, client }: Connected,
    Body(req): Body<ReplyRequest>,
) -> ApiResult<Json<RepliedMessageResponse>> {
    let m = find(&client, &req.chat_id, &req.message_id).await?;
    let to = match req.destination_chat_id.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => jid::parse("destinationChatId", d)?,
        None => m.chat.clone(),
    };
    let content = match req.content {
        Value::String(s) if !s.is_empty() => Content::Text(s),
        v @ Value::Object(_) => Content::Media(outgoing::decode_media(
            "content",
            outgoing::from_value("content", v)?,
        )?),
        _ => {
            return Err(ApiError::field(
                "content",
                "must be a non-empty text or a media object {mimetype, data, filename?}",
            ));
        }
    };
    let mut opts = req.options.unwrap_or_default();
    opts.quoted_message_id = None;
    let mut prepared = outgoing::prepare(&client, &to, Some(opts)).await?;
    prepared
        .wait_for_ack
        .get_or_insert(state.config.send_wait_for_ack);
    prepared.quoted = Some(m);
    let stored = outgoing::send(&client, &to, content, prepared).await?;
    super::client_send::sent(&state, &id, &stored).await;
    Ok(Json(RepliedMessageResponse {
        success: true,
        replied_message: MessageJson::load(&client, &stored).await,
    }))
}

async fn set_star(client: &Client, req: &MessageRequest, starred: bool) -> ApiResult<()> {
    let m = find(client, &req.chat_id, &req.message_id).await?;
    client.star_message(&app_ref(&m), starred).await?;
    Ok(())
}

/// Stars the message (synced to the account's other devices).
#[utoipa::path(post, path = "/message/star/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "Starred", body = ResultResponse<bool>),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id, or WhatsApp refused", body = ErrorBody),
        (status = 500, description = "Internal failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn star(
    Connected { client, .. }: Connected,
    Body(req): Body<MessageRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    set_star(&client, &req, true).await?;
    Ok(done())
}

/// Unstars the message.
#[utoipa::path(post, path = "/message/unstar/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "Unstarred", body = ResultResponse<bool>),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id, or WhatsApp refused", body = ErrorBody),
        (status = 500, description = "Internal failure", body = ErrorBody),
        (status = 502, description = "WhatsApp failed", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn unstar(
    Connected { client, .. }: Connected,
    Body(req): Body<MessageRequest>,
) -> ApiResult<Json<ResultResponse<bool>>> {
    set_star(&client, &req, false).await?;
    Ok(done())
}

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/message/delete/{sessionId}", post(delete))
        .route("/message/forward/{sessionId}", post(forward))
        .route("/message/react/{sessionId}", post(react))
        .route("/message/reply/{sessionId}", post(reply))
        .route("/message/star/{sessionId}", post(star))
        .route("/message/unstar/{sessionId}", post(unstar))
}

/// The OpenAPI paths of this module (merged into the document).
#[derive(Debug, OpenApi)]
#[openapi(paths(delete, forward, react, reply, star, unstar))]
pub struct Paths;
