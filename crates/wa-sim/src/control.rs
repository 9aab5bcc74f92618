//! The HTTP router: `/ws/chat` (the chat websocket) and the `/sim/...`
//! control API (JSON; errors are `{"error": "..."}` with a 4xx/5xx status).
//! Media routes (`/mms/...`, `/v/...`) come from [`crate::media::http`].
//! See `docs/sim.md` for the contract.

use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use base64::Engine as _;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::Error;
use crate::faults::FaultSettings;
use crate::sim::SimHandle;

#[path = "control_profile.rs"]
mod profile;

/// Largest websocket message accepted (a frame is at most 16 MiB).
const MAX_WS_MESSAGE: usize = 16 << 20;

/// The router for a simulator.
pub fn router(sim: SimHandle) -> Router {
    Router::new()
        .route("/ws/chat", get(ws_chat))
        .route("/sim/info", get(info))
        .route("/sim/stats", get(stats))
        .route("/sim/accounts", post(create_account))
        .route("/sim/accounts/{phone}", get(account))
        .route("/sim/accounts/{phone}/link", post(link))
        .route("/sim/accounts/{phone}/link-code", post(link_code))
        .route("/sim/accounts/{phone}/send", post(send))
        .route("/sim/accounts/{phone}/inbox", get(inbox))
        .route("/sim/accounts/{phone}/history-sync", post(history_sync))
        .route("/sim/accounts/{phone}/devices/{device}", delete(unlink))
        .route("/sim/accounts/{phone}/devices", post(provision_device))
        .route("/sim/accounts/{phone}/profile", post(profile::profile))
        .route("/sim/accounts/{phone}/presence", post(profile::presence))
        .route("/sim/accounts/{phone}/chatstate", post(profile::chatstate))
        .route("/pp/{phone}/{id}", get(profile::picture))
        .route("/sim/groups", post(create_group))
        .route("/sim/groups/{jid}", get(group_info))
        .route(
            "/sim/faults",
            get(faults).post(set_faults).delete(clear_faults),
        )
        .merge(crate::media::http::routes())
        .fallback(not_found)
        .with_state(sim)
}

struct ApiError(Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(json!({ "error": self.0.to_string() }))).into_response()
    }
}

type ApiResult = Result<axum::Json<Value>, ApiError>;

fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError(Error::BadRequest(format!("invalid JSON body: {e}"))))
}

async fn ws_chat(State(sim): State<SimHandle>, ws: WebSocketUpgrade) -> Response {
    let shared = sim.shared.clone();
    ws.read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(MAX_WS_MESSAGE)
        .max_frame_size(MAX_WS_MESSAGE)
        .on_upgrade(move |socket| crate::conn::run(socket, shared))
}

async fn info(State(sim): State<SimHandle>) -> ApiResult {
    Ok(axum::Json(json!(sim.info())))
}

async fn stats(State(sim): State<SimHandle>) -> ApiResult {
    Ok(axum::Json(json!(sim.stats())))
}

#[derive(Deserialize)]
struct NewAccount {
    phone: String,
    #[serde(default)]
    name: String,
}

async fn create_account(State(sim): State<SimHandle>, b: Bytes) -> ApiResult {
    let req: NewAccount = body(&b)?;
    let phone = req.phone.trim().trim_start_matches('+');
    Ok(axum::Json(json!(sim.create_account(phone, &req.name)?)))
}

async fn account(State(sim): State<SimHandle>, Path(phone): Path<String>) -> ApiResult {
    Ok(axum::Json(sim.account_view(&phone)?))
}

#[derive(Deserialize)]
struct LinkQr {
    qr: String,
}

async fn link(State(sim): State<SimHandle>, Path(phone): Path<String>, b: Bytes) -> ApiResult {
    let req: LinkQr = body(&b)?;
    let jid = sim.link_qr(&phone, &req.qr).await?;
    Ok(axum::Json(json!({ "device_jid": jid.to_string() })))
}

#[derive(Deserialize)]
struct LinkCode {
    code: String,
}

async fn link_code(State(sim): State<SimHandle>, Path(phone): Path<String>, b: Bytes) -> ApiResult {
    let req: LinkCode = body(&b)?;
    let jid = sim.link_code(&phone, &req.code).await?;
    Ok(axum::Json(json!({ "device_jid": jid.to_string() })))
}

#[derive(Deserialize)]
struct Send {
    to: String,
    text: Option<String>,
    image: Option<Value>,
}

#[derive(Deserialize)]
struct SendImage {
    base64: String,
    mimetype: Option<String>,
    caption: Option<String>,
}

async fn send(State(sim): State<SimHandle>, Path(phone): Path<String>, b: Bytes) -> ApiResult {
    let req: Send = body(&b)?;
    if let Some(image) = req.image {
        let image: SendImage = serde_json::from_value(image)
            .map_err(|e| ApiError(Error::BadRequest(format!("invalid \"image\": {e}"))))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(image.base64.trim())
            .map_err(|e| ApiError(Error::BadRequest(format!("invalid image base64: {e}"))))?;
        if bytes.is_empty() {
            return Err(ApiError(Error::BadRequest("empty image".into())));
        }
        let mimetype = image.mimetype.as_deref().unwrap_or("image/jpeg");
        let caption = image.caption.as_deref().unwrap_or_default();
        let id = sim.send_image(&phone, &req.to, &bytes, mimetype, caption)?;
        return Ok(axum::Json(json!({ "id": id })));
    }
    let Some(text) = req.text else {
        return Err(ApiError(Error::BadRequest("missing \"text\"".into())));
    };
    let id = sim.send_text(&phone, &req.to, &text)?;
    Ok(axum::Json(json!({ "id": id })))
}

async fn history_sync(
    State(sim): State<SimHandle>,
    Path(phone): Path<String>,
    b: Bytes,
) -> ApiResult {
    let req: crate::phone::history::HistoryRequest = body(&b)?;
    let n = sim.send_history_sync(&phone, &req.to_proto()?)?;
    Ok(axum::Json(json!({ "companions": n })))
}

async fn inbox(State(sim): State<SimHandle>, Path(phone): Path<String>) -> ApiResult {
    Ok(axum::Json(json!(sim.inbox(&phone)?)))
}

async fn unlink(
    State(sim): State<SimHandle>,
    Path((phone, device)): Path<(String, u16)>,
) -> ApiResult {
    sim.unlink(&phone, device)?;
    Ok(axum::Json(json!({ "removed": true })))
}

#[derive(Deserialize)]
struct SignedPrekeyReq {
    id: u32,
    key: String,
    signature: String,
}

#[derive(Deserialize)]
struct ProvisionReq {
    noise_key: String,
    identity_key: String,
    registration_id: u32,
    signed_prekey: SignedPrekeyReq,
    #[serde(default)]
    platform: String,
}

fn hex_key(field: &str, s: &str) -> Result<wa_proto::keys::PublicKey, ApiError> {
    hex::decode(s)
        .ok()
        .and_then(|b| wa_proto::keys::PublicKey::from_bytes(&b).ok())
        .ok_or_else(|| ApiError(Error::BadRequest(format!("{field}: 32 or 33 bytes of hex"))))
}

async fn provision_device(
    State(sim): State<SimHandle>,
    Path(phone): Path<String>,
    b: Bytes,
) -> ApiResult {
    use base64::Engine;
    let req: ProvisionReq = body(&b)?;
    let signature: [u8; 64] = hex::decode(&req.signed_prekey.signature)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| {
            ApiError(Error::BadRequest(
                "signed_prekey.signature: 64 bytes of hex".into(),
            ))
        })?;
    let keys = crate::provision::CompanionKeys {
        noise_key: hex_key("noise_key", &req.noise_key)?,
        identity: hex_key("identity_key", &req.identity_key)?,
        registration_id: req.registration_id,
        signed_prekey: crate::world::account::SignedKeyPub {
            id: req.signed_prekey.id,
            key: hex_key("signed_prekey.key", &req.signed_prekey.key)?,
            signature,
        },
        platform: req.platform,
    };
    let p = sim.provision_device(&phone, keys)?;
    Ok(axum::Json(json!({
        "device": p.device,
        "device_jid": p.device_jid,
        "lid_jid": p.lid_jid,
        "key_index": p.key_index,
        "signed_identity": base64::engine::general_purpose::STANDARD.encode(&p.signed_identity),
    })))
}

#[derive(Deserialize)]
struct FaultRequest {
    #[serde(default)]
    drop_connections: bool,
    frame_delay_ms: Option<u64>,
    drop_frame_rate: Option<f64>,
}

async fn faults(State(sim): State<SimHandle>) -> ApiResult {
    Ok(axum::Json(json!(sim.faults())))
}

async fn set_faults(State(sim): State<SimHandle>, b: Bytes) -> ApiResult {
    let req: FaultRequest = body(&b)?;
    if let Some(r) = req.drop_frame_rate
        && !(0.0..=1.0).contains(&r)
    {
        return Err(ApiError(Error::BadRequest(
            "drop_frame_rate must be within 0.0..=1.0".into(),
        )));
    }
    let mut dropped = 0;
    if req.drop_connections {
        dropped = sim.drop_connections();
    }
    if req.frame_delay_ms.is_some() || req.drop_frame_rate.is_some() {
        let cur = sim.faults();
        sim.set_faults(FaultSettings {
            frame_delay_ms: req.frame_delay_ms.unwrap_or(cur.frame_delay_ms),
            drop_frame_rate: req.drop_frame_rate.unwrap_or(cur.drop_frame_rate),
        });
    }
    let f = sim.faults();
    Ok(axum::Json(json!({
        "frame_delay_ms": f.frame_delay_ms,
        "drop_frame_rate": f.drop_frame_rate,
        "dropped_connections": dropped,
    })))
}

async fn clear_faults(State(sim): State<SimHandle>) -> ApiResult {
    sim.clear_faults();
    Ok(axum::Json(json!(sim.faults())))
}

#[derive(Deserialize)]
struct NewGroupRequest {
    subject: String,
    owner: String,
    #[serde(default)]
    participants: Vec<String>,
    #[serde(default)]
    addressing_mode: Option<String>,
}

async fn create_group(State(sim): State<SimHandle>, b: Bytes) -> ApiResult {
    let req: NewGroupRequest = body(&b)?;
    let owner = req.owner.trim().trim_start_matches('+');
    let owner = owner.split('@').next().unwrap_or_default();
    let pn = match req.addressing_mode.as_deref() {
        None | Some("lid") => false,
        Some("pn") => true,
        Some(_) => {
            return Err(ApiError(Error::BadRequest(
                "addressing_mode must be \"lid\" or \"pn\"".into(),
            )));
        }
    };
    let jid = sim.create_group(owner, &req.subject, &req.participants, pn)?;
    Ok(axum::Json(json!({ "jid": jid })))
}

async fn group_info(State(sim): State<SimHandle>, Path(jid): Path<String>) -> ApiResult {
    Ok(axum::Json(json!(sim.group_info(&jid)?)))
}

async fn not_found() -> ApiError {
    ApiError(Error::NotFound("no such route".into()))
}
