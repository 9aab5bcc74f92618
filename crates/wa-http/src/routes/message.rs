//! `/message/...` routes (tag "Message"): all `POST`, body `{chatId,
//! messageId, ...}`. The message is found by its short id (`3EB0…`; a
//! serialized `true_<chat>_<id>` also works) among the stored messages of
//! the chat; a miss is 404 `Message not Found`. This module has the
//! read-only routes and the shared types; [`super::message_actions`] the
//! ones that change something.

use axum::extract::State;
use axum::{Json, Router, routing::post};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};
use wa_proto::jid::Jid;
use wa_session::Client;
use wa_session::store::{AckLevel, StoredMessage};

use super::common::{ResultResponse, ok};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Connected};
use crate::jid;
use crate::model::contact::WidJson;
use crate::model::message::{MessageJson, content, context_of};
use crate::outgoing;
use crate::state::AppState;

/// Body naming one message.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageRequest {
    /// The chat (`<number>@c.us`, `<id>@g.us`).
    pub chat_id: String,
    /// The message's short id (`id.id` of the Message object).
    pub message_id: String,
}

/// `{success, message}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageObjectResponse {
    /// Always `true`.
    pub success: bool,
    /// The message.
    pub message: MessageJson,
}

/// A downloaded attachment (wwebjs `MessageMedia`).
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageMediaJson {
    /// MIME type.
    pub mimetype: String,
    /// The decrypted file, base64.
    pub data: String,
    /// File name (documents), else `null`.
    pub filename: Option<String>,
    /// Size in bytes of the decrypted file.
    pub filesize: u64,
}

/// `{success, messageMedia}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageMediaResponse {
    /// Always `true`.
    pub success: bool,
    /// The attachment.
    pub message_media: MessageMediaJson,
}

/// One recipient's acknowledgement.
#[derive(Debug, Serialize, ToSchema)]
pub struct AckEntry {
    /// The recipient.
    pub id: WidJson,
    /// Unix seconds (approximated by the message's timestamp).
    pub t: i64,
}

/// wwebjs `MessageInfo`: who received, read and played our message.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageInfoJson {
    /// Delivered to.
    pub delivery: Vec<AckEntry>,
    /// Recipients it was not yet delivered to.
    pub delivery_remaining: u32,
    /// Played by (voice notes, videos).
    pub played: Vec<AckEntry>,
    /// Recipients that did not play it yet.
    pub played_remaining: u32,
    /// Read by.
    pub read: Vec<AckEntry>,
    /// Recipients that did not read it yet.
    pub read_remaining: u32,
}

/// `{success, info}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageInfoResponse {
    /// Always `true`.
    pub success: bool,
    /// `null` for messages not sent by this account.
    pub info: Option<MessageInfoJson>,
}

/// A mentioned user (wwebjs `Contact`, the fields known here).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MentionContact {
    /// The id.
    pub id: WidJson,
    /// The number.
    pub number: String,
    /// This account.
    pub is_me: bool,
    /// A user (not a group).
    pub is_user: bool,
    /// A group.
    pub is_group: bool,
    /// In the address book.
    pub is_my_contact: bool,
    /// Address-book name.
    pub name: Option<String>,
    /// The name the user chose.
    pub pushname: Option<String>,
    /// Address-book first name.
    pub short_name: Option<String>,
}

/// `{success, contacts}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MentionsResponse {
    /// Always `true`.
    pub success: bool,
    /// The mentioned users.
    pub contacts: Vec<MentionContact>,
}

/// `{success, order}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderResponse {
    /// Always `true`.
    pub success: bool,
    /// Always `null`: this gateway does not decode order messages.
    #[schema(value_type = Option<Object>)]
    pub order: Option<Value>,
}

/// `{success, payment}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentResponse {
    /// Always `true`.
    pub success: bool,
    /// Always `null`: this gateway does not decode payment messages.
    #[schema(value_type = Option<Object>)]
    pub payment: Option<Value>,
}

/// `{success, quotedMessage}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuotedMessageResponse {
    /// Always `true`.
    pub success: bool,
    /// The quoted message.
    pub quoted_message: MessageJson,
}

pub(crate) async fn find(
    client: &Client,
    chat_id: &str,
    message_id: &str,
) -> ApiResult<StoredMessage> {
    let chat = jid::parse("chatId", chat_id)?;
    outgoing::find_message(client, &chat, "messageId", message_id).await
}

/// `{success: true, result: true}` (the reference's wwebjs calls return
/// nothing).
pub(crate) fn done() -> Json<ResultResponse<bool>> {
    ok(true)
}

/// The message as JSON.
#[utoipa::path(post, path = "/message/getClassInfo/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "The message", body = MessageObjectResponse),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_class_info(
    Connected { client, .. }: Connected,
    Body(req): Body<MessageRequest>,
) -> ApiResult<Json<MessageObjectResponse>> {
    let m = find(&client, &req.chat_id, &req.message_id).await?;
    Ok(Json(MessageObjectResponse {
        success: true,
        message: MessageJson::load(&client, &m).await,
    }))
}

/// Downloads and decrypts the message's attachment.
#[utoipa::path(post, path = "/message/downloadMedia/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "The file", body = MessageMediaResponse),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id; the message has no media or it exceeds MAX_ATTACHMENT_SIZE", body = ErrorBody),
        (status = 500, description = "The file failed its checks", body = ErrorBody),
        (status = 502, description = "The media host failed", body = ErrorBody),
        (status = 504, description = "The media host did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn download_media(
    State(state): State<AppState>,
    Connected { client, .. }: Connected,
    Body(req): Body<MessageRequest>,
) -> ApiResult<Json<MessageMediaResponse>> {
    let m = find(&client, &req.chat_id, &req.message_id).await?;
    let r = wa_session::media::MediaRef::from_stored(&m)
        .ok_or_else(|| ApiError::Unprocessable("The message has no media".to_owned()))?;
    let cap = state.config.max_attachment_size as u64;
    if r.file_length.is_some_and(|l| l > cap) {
        return Err(ApiError::Unprocessable(format!(
            "The media is larger than MAX_ATTACHMENT_SIZE ({cap} bytes)"
        )));
    }
    let data = client.download(&r).await.map_err(|e| match e {
        wa_session::Error::Server { code, text } => {
            ApiError::BadGateway(format!("media host answered {code} {text}"))
        }
        e => e.into(),
    })?;
    if data.len() as u64 > cap {
        return Err(ApiError::Unprocessable(format!(
            "The media is larger than MAX_ATTACHMENT_SIZE ({cap} bytes)"
        )));
    }
    Ok(Json(MessageMediaResponse {
        success: true,
        message_media: MessageMediaJson {
            mimetype: r
                .mimetype
                .clone()
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            filesize: data.len() as u64,
            data: base64::engine::general_purpose::STANDARD.encode(&data),
            filename: r.file_name.clone(),
        },
    }))
}

fn ack_entries(m: &StoredMessage, level: AckLevel) -> (Vec<AckEntry>, u32) {
    if m.ack >= level {
        (
            vec![AckEntry {
                id: WidJson::of(&m.chat),
                t: m.timestamp,
            }],
            0,
        )
    } else {
        (Vec::new(), 1)
    }
}

/// Delivery, read and played receipts of our message. Approximated from
/// the one acknowledgement level the store keeps: in a 1:1 chat the other
/// party is listed once the level is reached, with the message's own
/// timestamp as `t`; in groups the lists are empty and the remaining
/// counts 0 (per-member receipts are not stored). `null` for messages not
/// sent by this account.
#[utoipa::path(post, path = "/message/getInfo/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "The receipts", body = MessageInfoResponse),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_info(
    Connected { client, .. }: Connected,
    Body(req): Body<MessageRequest>,
) -> ApiResult<Json<MessageInfoResponse>> {
    let m = find(&client, &req.chat_id, &req.message_id).await?;
    let info = if !m.from_me {
        None
    } else if m.chat.is_group() || m.chat.is_broadcast() {
        Some(MessageInfoJson {
            delivery: Vec::new(),
            delivery_remaining: 0,
            played: Vec::new(),
            played_remaining: 0,
            read: Vec::new(),
            read_remaining: 0,
        })
    } else {
        let (delivery, delivery_remaining) = ack_entries(&m, AckLevel::Device);
        let (read, read_remaining) = ack_entries(&m, AckLevel::Read);
        let (played, played_remaining) = ack_entries(&m, AckLevel::Played);
        Some(MessageInfoJson {
            delivery,
            delivery_remaining,
            played,
            played_remaining,
            read,
            read_remaining,
        })
    };
    Ok(Json(MessageInfoResponse {
        success: true,
        info,
    }))
}

/// The users the message mentions.
#[utoipa::path(post, path = "/message/getMentions/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "The mentioned users", body = MentionsResponse),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_mentions(
    Connected { client, .. }: Connected,
    Body(req): Body<MessageRequest>,
) -> ApiResult<Json<MentionsResponse>> {
    let m = find(&client, &req.chat_id, &req.message_id).await?;
    let c = content(&m);
    let ids: Vec<Jid> = context_of(&c)
        .map(|x| {
            x.mentioned_jid
                .iter()
                .filter_map(|j| Jid::parse(j).ok())
                .map(|j| j.to_non_ad())
                .collect()
        })
        .unwrap_or_default();
    let own = client.own_jid().await.ok().map(|j| j.to_non_ad());
    let mut contacts = Vec::with_capacity(ids.len());
    for j in ids {
        let known = client.contact(&j).await.ok().flatten();
        let name = known.as_ref().and_then(|k| k.full_name.clone());
        contacts.push(MentionContact {
            id: WidJson::of(&j),
            number: j.user.clone(),
            is_me: own.as_ref() == Some(&j),
            is_user: !j.is_group(),
            is_group: j.is_group(),
            is_my_contact: name.is_some(),
            pushname: known.as_ref().and_then(|k| k.push_name.clone()),
            short_name: known.as_ref().and_then(|k| k.first_name.clone()),
            name,
        });
    }
    Ok(Json(MentionsResponse {
        success: true,
        contacts,
    }))
}

/// The order a message carries: always `null` (order messages are not
/// decoded by this gateway); 404 for an unknown message.
#[utoipa::path(post, path = "/message/getOrder/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "`order: null`", body = OrderResponse),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_order(
    Connected { client, .. }: Connected,
    Body(req): Body<MessageRequest>,
) -> ApiResult<Json<OrderResponse>> {
    find(&client, &req.chat_id, &req.message_id).await?;
    Ok(Json(OrderResponse {
        success: true,
        order: None,
    }))
}

/// The payment a message carries: always `null` (payment messages are not
/// decoded by this gateway); 404 for an unknown message.
#[utoipa::path(post, path = "/message/getPayment/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "`payment: null`", body = PaymentResponse),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_payment(
    Connected { client, .. }: Connected,
    Body(req): Body<MessageRequest>,
) -> ApiResult<Json<PaymentResponse>> {
    find(&client, &req.chat_id, &req.message_id).await?;
    Ok(Json(PaymentResponse {
        success: true,
        payment: None,
    }))
}

/// The message this one quotes: the stored copy, or else the copy carried
/// in the quote itself; 404 `Quoted message not Found` when it quotes none.
#[utoipa::path(post, path = "/message/getQuotedMessage/{sessionId}", tag = "Message",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "The quoted message", body = QuotedMessageResponse),
        (status = 400, description = "Bad field (named)", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not found or not connected; `Message not Found`; `Quoted message not Found`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_quoted_message(
    Connected { client, .. }: Connected,
    Body(req): Body<MessageRequest>,
) -> ApiResult<Json<QuotedMessageResponse>> {
    let m = find(&client, &req.chat_id, &req.message_id).await?;
    let c = content(&m);
    let none = || ApiError::NotFound("Quoted message not Found".to_owned());
    let ctx = context_of(&c)
        .filter(|x| x.quoted_message.is_some())
        .ok_or_else(none)?;
    let qid = ctx.stanza_id.clone().ok_or_else(none)?;
    let chat = ctx
        .remote_jid
        .as_deref()
        .and_then(|r| Jid::parse(r).ok())
        .unwrap_or_else(|| m.chat.clone());
    let own = client.own_jid().await.ok().map(|j| j.to_non_ad());
    let quoted = match client.stored_message(&chat, &qid).await {
        Ok(q) => q,
        Err(_) => {
            let inner = ctx.quoted_message.as_deref().cloned().unwrap_or_default();
            let (kind, body) =
                wa_session::message::classify_content(&inner).unwrap_or(("chat", None));
            let sender = ctx
                .participant
                .as_deref()
                .and_then(|p| Jid::parse(p).ok())
                .map(|j| j.to_non_ad());
            StoredMessage {
                chat,
                id: qid,
                from_me: sender.is_some() && sender == own,
                sender,
                timestamp: 0,
                kind: kind.to_owned(),
                body,
                raw: prost::Message::encode_to_vec(&inner),
                media: None,
                ack: AckLevel::Server,
            }
        }
    };
    Ok(Json(QuotedMessageResponse {
        success: true,
        quoted_message: MessageJson::load(&client, &quoted).await,
    }))
}

/// The routes (with [`super::message_actions`]'s).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/message/getClassInfo/{sessionId}", post(get_class_info))
        .route("/message/downloadMedia/{sessionId}", post(download_media))
        .route("/message/getInfo/{sessionId}", post(get_info))
        .route("/message/getMentions/{sessionId}", post(get_mentions))
        .route("/message/getOrder/{sessionId}", post(get_order))
        .route("/message/getPayment/{sessionId}", post(get_payment))
        .route(
            "/message/getQuotedMessage/{sessionId}",
            post(get_quoted_message),
        )
        .merge(super::message_actions::router())
}

/// The OpenAPI paths of this module (merged into the document).
#[derive(Debug, OpenApi)]
#[openapi(paths(
    get_class_info,
    download_media,
    get_info,
    get_mentions,
    get_order,
    get_payment,
    get_quoted_message
))]
pub struct Paths;
