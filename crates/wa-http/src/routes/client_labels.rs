//! The label routes of `/client/...` (tag "Client"): list and get
//! WhatsApp Business labels, the labels of a chat, and setting the labels
//! of chats (app-state `label_jid` mutations, so the phone and the other
//! linked devices follow).
//!
//! `addOrRemoveLabels` has whatsapp-web.js's semantics: every chat in
//! `chatIds` ends up with exactly the labels in `labelIds` (labels it had
//! that are not listed are removed; an empty `labelIds` removes them all).
//! Unlike wwebjs, which skips unknown ids silently and only works on
//! business accounts, an unknown label or chat is a 404 and nothing is
//! changed; any account may use labels its phone created.

use std::collections::BTreeSet;

use axum::{Json, Router, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wa_proto::jid::Jid;
use wa_session::Client;
use wa_session::store::Label;

use super::common::ChatRequest;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Connected};
use crate::jid;
use crate::model::label::LabelJson;
use crate::state::AppState;

/// A label id as a string or a number (wwebjs takes both).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum LabelIdValue {
    /// `"3"`.
    Text(String),
    /// `3`.
    Number(u64),
}

impl LabelIdValue {
    fn into_string(self) -> String {
        match self {
            LabelIdValue::Text(s) => s.trim().to_owned(),
            LabelIdValue::Number(n) => n.to_string(),
        }
    }
}

/// Body of `getLabelById`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelIdRequest {
    /// The label id (string or number).
    #[schema(value_type = String)]
    label_id: LabelIdValue,
}

/// Body of `addOrRemoveLabels`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelsRequest {
    /// The labels every chat must end up with (strings or numbers).
    #[schema(value_type = Vec<String>)]
    label_ids: Vec<LabelIdValue>,
    /// The chats to change.
    pub chat_ids: Vec<String>,
}

/// `{success, labels}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabelsResponse {
    /// Always `true`.
    pub success: bool,
    /// The labels.
    pub labels: Vec<LabelJson>,
}

/// `{success, label}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabelResponse {
    /// Always `true`.
    pub success: bool,
    /// The label.
    pub label: LabelJson,
}

/// `{success, chatLabels}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatLabelsResponse {
    /// Always `true`.
    pub success: bool,
    /// The chat's labels.
    pub chat_labels: Vec<LabelJson>,
}

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/client/getLabels/{sessionId}", post(get_labels))
        .route("/client/getLabelById/{sessionId}", post(get_label_by_id))
        .route("/client/getChatLabels/{sessionId}", post(get_chat_labels))
        .route(
            "/client/addOrRemoveLabels/{sessionId}",
            post(add_or_remove_labels),
        )
}

fn label_not_found() -> ApiError {
    ApiError::NotFound("Label not Found".to_owned())
}

fn chat_not_found() -> ApiError {
    ApiError::NotFound("Chat not Found".to_owned())
}

/// The stored labels of `chat`; 404 when the session has no such chat.
async fn labels_of(client: &Client, all: &[Label], chat: &Jid) -> ApiResult<Vec<LabelJson>> {
    let c = client.chat(chat).await?.ok_or_else(chat_not_found)?;
    Ok(all
        .iter()
        .filter(|l| c.labels.contains(&l.id))
        .map(LabelJson::from)
        .collect())
}

/// Every label of the account.
#[utoipa::path(post, path = "/client/getLabels/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "The labels", body = LabelsResponse),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_labels(Connected { client, .. }: Connected) -> ApiResult<Json<LabelsResponse>> {
    let labels = client.labels().await?.iter().map(LabelJson::from).collect();
    Ok(Json(LabelsResponse {
        success: true,
        labels,
    }))
}

/// One label.
#[utoipa::path(post, path = "/client/getLabelById/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = LabelIdRequest,
    responses(
        (status = 200, description = "The label", body = LabelResponse),
        (status = 400, description = "Bad `labelId`", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`Label not Found`, `session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_label_by_id(
    Connected { client, .. }: Connected,
    Body(req): Body<LabelIdRequest>,
) -> ApiResult<Json<LabelResponse>> {
    let id = req.label_id.into_string();
    if id.is_empty() {
        return Err(ApiError::field("labelId", "must not be empty"));
    }
    let label = client.label(&id).await?.ok_or_else(label_not_found)?;
    Ok(Json(LabelResponse {
        success: true,
        label: LabelJson::from(&label),
    }))
}

/// The labels on one chat.
#[utoipa::path(post, path = "/client/getChatLabels/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The chat's labels", body = ChatLabelsResponse),
        (status = 400, description = "Bad `chatId`", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`Chat not Found`, `session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn get_chat_labels(
    Connected { client, .. }: Connected,
    Body(req): Body<ChatRequest>,
) -> ApiResult<Json<ChatLabelsResponse>> {
    let chat = jid::parse("chatId", &req.chat_id)?;
    let all = client.labels().await?;
    Ok(Json(ChatLabelsResponse {
        success: true,
        chat_labels: labels_of(&client, &all, &chat).await?,
    }))
}

/// Sets the labels of chats: each chat in `chatIds` ends up with exactly
/// the labels in `labelIds`. Answers those labels.
#[utoipa::path(post, path = "/client/addOrRemoveLabels/{sessionId}", tag = "Client",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = LabelsRequest,
    responses(
        (status = 200, description = "The labels the chats now have", body = LabelsResponse),
        (status = 400, description = "Bad `labelIds` or `chatIds`", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "`Label not Found`, `Chat not Found`, `session_not_found` / `session_not_connected`", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store or app-state failure", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn add_or_remove_labels(
    Connected { client, .. }: Connected,
    Body(req): Body<LabelsRequest>,
) -> ApiResult<Json<LabelsResponse>> {
    if req.chat_ids.is_empty() {
        return Err(ApiError::field("chatIds", "must list at least one chat"));
    }
    let all = client.labels().await?;
    let mut wanted = BTreeSet::new();
    for (i, v) in req.label_ids.into_iter().enumerate() {
        let id = v.into_string();
        if !all.iter().any(|l| l.id == id) {
            return Err(ApiError::NotFound(format!(
                "Label not Found: labelIds[{i}] {id:?}"
            )));
        }
        wanted.insert(id);
    }
    let mut chats = Vec::with_capacity(req.chat_ids.len());
    for (i, s) in req.chat_ids.iter().enumerate() {
        let chat = jid::parse(&format!("chatIds[{i}]"), s)?;
        let current = client.chat(&chat).await?.ok_or_else(chat_not_found)?;
        chats.push((chat, current.labels));
    }
    for (chat, current) in &chats {
        for id in current.iter().filter(|id| !wanted.contains(*id)) {
            client.remove_chat_label(chat, id).await?;
        }
        for id in wanted.iter().filter(|id| !current.contains(id)) {
            client.add_chat_label(chat, id).await?;
        }
    }
    let labels = all
        .iter()
        .filter(|l| wanted.contains(&l.id))
        .map(LabelJson::from)
        .collect();
    Ok(Json(LabelsResponse {
        success: true,
        labels,
    }))
}
