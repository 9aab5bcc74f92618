//! `/session/...`: start, status, QR (text and PNG), pairing code, restart,
//! terminate, the two flushes and the session list. All `GET` except the
//! pairing code, as in the reference; status, QR, restart and terminate
//! keep its 200 soft failures (`{"success": false, "message": ...}`).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wa_session::Status;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, SessionId};
use crate::sessions;
use crate::state::AppState;

/// `{success, message}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageResponse {
    /// Whether it worked.
    pub success: bool,
    /// What happened.
    pub message: String,
}

/// `{success, state, message}`: a session's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusResponse {
    /// `true` only when connected.
    pub success: bool,
    /// `CONNECTED`, `SCAN_QR_CODE`, `PAIRING_CODE`, `CONNECTING`,
    /// `DISCONNECTED`, `LOGGED_OUT`, `QR_TIMEOUT`, ...; `null` when the
    /// session does not exist.
    pub state: Option<String>,
    /// `session_connected`, `session_not_connected` or `session_not_found`.
    pub message: String,
}

/// A soft failure of the session routes, answered with 200 as the
/// reference does: `{success: false, message}` (restart and terminate add
/// `state: null`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SoftFailure {
    /// Always `false`.
    pub success: bool,
    /// `session_not_found`, `qr code not ready or already scanned`.
    pub message: String,
    /// `null` (restart, terminate) or absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable)]
    pub state: Option<Option<String>>,
}

/// The answer of `qr`: the QR, or a soft failure.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum QrAnswer {
    /// There is a QR.
    Qr(QrResponse),
    /// There is none.
    Soft(SoftFailure),
}

/// The answer of restart and terminate: done, or a soft failure.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum SessionAnswer {
    /// Done.
    Done(MessageResponse),
    /// The session does not exist.
    Soft(SoftFailure),
}

/// `{success, qr}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct QrResponse {
    /// Always `true`.
    pub success: bool,
    /// The QR payload to render.
    pub qr: String,
}

/// Body of `requestPairingCode`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PairingCodeRequest {
    /// The account's phone number, digits with country code (`+`, spaces
    /// and dashes are ignored).
    #[schema(pattern = r"^\+?[0-9 -]{6,20}$", example = "6281234567890")]
    pub phone_number: String,
}

/// `{success, pairingCode}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PairingCodeResponse {
    /// Always `true`.
    pub success: bool,
    /// The code to type on the phone (`ABCD-EFGH`).
    pub pairing_code: String,
}

/// One session of the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionSummary {
    /// The session id.
    pub id: String,
    /// Its state (`STOPPED` when it is stored but not running).
    pub state: String,
}

/// `{success, result}` of `getSessions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    /// Always `true`.
    pub success: bool,
    /// Every known session.
    pub result: Vec<SessionSummary>,
}

fn soft(message: &str) -> Json<SoftFailure> {
    Json(SoftFailure {
        success: false,
        message: message.to_owned(),
        state: None,
    })
}

fn ok(message: &str) -> Json<MessageResponse> {
    Json(MessageResponse {
        success: true,
        message: message.to_owned(),
    })
}

fn not_found() -> Json<StatusResponse> {
    Json(StatusResponse {
        success: false,
        state: None,
        message: "session_not_found".to_owned(),
    })
}

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session/start/{sessionId}", get(start))
        .route("/session/status/{sessionId}", get(status))
        .route("/session/qr/{sessionId}", get(qr))
        .route("/session/qr/{sessionId}/image", get(qr_image))
        .route(
            "/session/requestPairingCode/{sessionId}",
            post(pairing_code),
        )
        .route("/session/restart/{sessionId}", get(restart))
        .route("/session/terminate/{sessionId}", get(terminate))
        .route("/session/terminateInactive", get(terminate_inactive))
        .route("/session/terminateAll", get(terminate_all))
        .route("/session/getSessions", get(list))
}

/// Starts a session: it connects in the background and posts its first QR
/// (`qr` webhook) within seconds. A stored, paired session logs in again.
#[utoipa::path(get, path = "/session/start/{sessionId}", tag = "Session",
    params(("sessionId" = String, Path, description = "Session id: letters, digits, `_` and `-`")),
    responses(
        (status = 200, description = "Started", body = MessageResponse),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 422, description = "Bad session id, or the session is already running", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn start(
    State(state): State<AppState>,
    SessionId(id): SessionId,
) -> ApiResult<Json<MessageResponse>> {
    sessions::start(&state, &id).await?;
    Ok(ok("Session initiated successfully"))
}

/// The session's state.
#[utoipa::path(get, path = "/session/status/{sessionId}", tag = "Session",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "State (`success` is true only when connected)", body = StatusResponse),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn status(
    State(state): State<AppState>,
    SessionId(id): SessionId,
) -> Json<StatusResponse> {
    match state.manager.status(&id) {
        None => not_found(),
        Some(Status::Connected) => Json(StatusResponse {
            success: true,
            state: Some("CONNECTED".to_owned()),
            message: "session_connected".to_owned(),
        }),
        Some(s) => Json(StatusResponse {
            success: false,
            state: Some(s.as_str().to_owned()),
            message: "session_not_connected".to_owned(),
        }),
    }
}

fn current_qr(state: &AppState, id: &str) -> Result<String, Json<SoftFailure>> {
    if state.manager.client(id).is_none() {
        return Err(soft("session_not_found"));
    }
    state
        .sessions
        .get(id)
        .and_then(|e| e.qr)
        .ok_or_else(|| soft("qr code not ready or already scanned"))
}

/// The QR to scan now, as text.
#[utoipa::path(get, path = "/session/qr/{sessionId}", tag = "Session",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "The QR payload, or `{success: false, message}` when there is none", body = QrAnswer),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn qr(State(state): State<AppState>, SessionId(id): SessionId) -> Response {
    match current_qr(&state, &id) {
        Ok(qr) => Json(QrResponse { success: true, qr }).into_response(),
        Err(soft) => soft.into_response(),
    }
}

/// The QR to scan now, as a PNG image.
#[utoipa::path(get, path = "/session/qr/{sessionId}/image", tag = "Session",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "PNG image, or `{success: false, message}` JSON when there is no QR",
            content((Vec<u8> = "image/png"), (SoftFailure = "application/json"))),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn qr_image(
    State(state): State<AppState>,
    SessionId(id): SessionId,
) -> ApiResult<Response> {
    match current_qr(&state, &id) {
        Ok(qr) => Ok(([(header::CONTENT_TYPE, "image/png")], crate::qr::png(&qr)?).into_response()),
        Err(soft) => Ok(soft.into_response()),
    }
}

/// Links the session by phone number instead of QR: returns the 8-letter
/// code to type on the phone (WhatsApp › Linked devices › Link with phone
/// number). The session must be started and waiting for its QR.
#[utoipa::path(post, path = "/session/requestPairingCode/{sessionId}", tag = "Session",
    params(("sessionId" = String, Path, description = "Session id")),
    request_body = PairingCodeRequest,
    responses(
        (status = 200, description = "The code", body = PairingCodeResponse),
        (status = 400, description = "Bad phone number", body = ErrorBody),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 404, description = "Session not started", body = ErrorBody),
        (status = 422, description = "Bad session id, or the session is already linked", body = ErrorBody),
        (status = 502, description = "WhatsApp refused", body = ErrorBody),
        (status = 504, description = "WhatsApp did not answer", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn pairing_code(
    State(state): State<AppState>,
    SessionId(id): SessionId,
    Body(req): Body<PairingCodeRequest>,
) -> ApiResult<Json<PairingCodeResponse>> {
    let digits: String = req
        .phone_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if digits.len() < 6 || digits.len() > 15 {
        return Err(ApiError::field(
            "phoneNumber",
            "must be 6 to 15 digits with the country code",
        ));
    }
    let client = state.manager.client(&id).ok_or(ApiError::SessionNotFound)?;
    let code = client.request_pairing_code(&digits).await?;
    state
        .sessions
        .update(&id, |e| e.pairing_code = Some(code.clone()));
    Ok(Json(PairingCodeResponse {
        success: true,
        pairing_code: code,
    }))
}

/// Stops and starts the session again (keys kept).
#[utoipa::path(get, path = "/session/restart/{sessionId}", tag = "Session",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "Restarted, or `{success: false, state: null, message: \"session_not_found\"}`", body = SessionAnswer),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn restart(
    State(state): State<AppState>,
    SessionId(id): SessionId,
) -> ApiResult<Response> {
    if state.manager.client(&id).is_none() {
        return Ok(not_found().into_response());
    }
    state.sessions.update(&id, |e| {
        e.stopping = true;
        e.ready_sent = false;
    });
    state.manager.restart(&id).await?;
    state.sessions.update(&id, |e| e.stopping = false);
    Ok(ok("Restarted successfully").into_response())
}

/// Logs the session out (unlinking the device) and deletes its keys, data
/// and folder.
#[utoipa::path(get, path = "/session/terminate/{sessionId}", tag = "Session",
    params(("sessionId" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "Logged out, or `{success: false, state: null, message: \"session_not_found\"}`", body = SessionAnswer),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 422, description = "Bad session id", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn terminate(
    State(state): State<AppState>,
    SessionId(id): SessionId,
) -> ApiResult<Response> {
    if !sessions::known(&state, &id).await {
        return Ok(not_found().into_response());
    }
    sessions::terminate(&state, &id).await?;
    Ok(ok("Logged out successfully").into_response())
}

/// Terminates every session that is not connected.
#[utoipa::path(get, path = "/session/terminateInactive", tag = "Session",
    responses(
        (status = 200, description = "Done", body = MessageResponse),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 500, description = "A session could not be removed", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn terminate_inactive(State(state): State<AppState>) -> ApiResult<Json<MessageResponse>> {
    sessions::flush(&state, true).await?;
    Ok(ok("Flush completed successfully"))
}

/// Terminates every session.
#[utoipa::path(get, path = "/session/terminateAll", tag = "Session",
    responses(
        (status = 200, description = "Done", body = MessageResponse),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 500, description = "A session could not be removed", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn terminate_all(State(state): State<AppState>) -> ApiResult<Json<MessageResponse>> {
    sessions::flush(&state, false).await?;
    Ok(ok("Flush completed successfully"))
}

/// Every known session and its state.
#[utoipa::path(get, path = "/session/getSessions", tag = "Session",
    responses(
        (status = 200, description = "The sessions", body = SessionList),
        (status = 403, description = "Bad API key", body = ErrorBody),
        (status = 500, description = "Store failure", body = ErrorBody)),
    security(("apiKey" = [])))]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<SessionList>> {
    let result = sessions::all_ids(&state)
        .await?
        .into_iter()
        .map(|id| {
            let st = state.manager.status(&id).map_or("STOPPED", Status::as_str);
            SessionSummary {
                id,
                state: st.to_owned(),
            }
        })
        .collect();
    Ok(Json(SessionList {
        success: true,
        result,
    }))
}
