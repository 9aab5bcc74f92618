//! Control routes for profiles, presence and chat states (a child module
//! of [`crate::control`]):
//! `POST /sim/accounts/{phone}/profile`, `POST /sim/accounts/{phone}/presence`,
//! `POST /sim/accounts/{phone}/chatstate` and the picture bytes at
//! `GET /pp/{phone}/{id}`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiResult, body};
use crate::error::Error;
use crate::sim::SimHandle;
use crate::sim_profile::ProfileChange;

#[derive(Deserialize)]
struct ProfileReq {
    name: Option<String>,
    status: Option<String>,
    /// Absent: unchanged; `null`: removed; `{"base64": ...}`: set.
    #[serde(default, deserialize_with = "some_value")]
    picture: Option<Value>,
    #[serde(default)]
    privacy: serde_json::Map<String, Value>,
    #[serde(default)]
    block: Vec<String>,
    #[serde(default)]
    unblock: Vec<String>,
}

/// Keeps an explicit `null` apart from an absent field.
fn some_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

fn digits(s: &str) -> String {
    s.trim()
        .trim_start_matches('+')
        .split('@')
        .next()
        .unwrap_or_default()
        .to_owned()
}

pub(super) async fn profile(
    State(sim): State<SimHandle>,
    Path(phone): Path<String>,
    b: Bytes,
) -> ApiResult {
    let req: ProfileReq = body(&b)?;
    let picture = match req.picture {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => {
            let b64 = v["base64"].as_str().ok_or_else(|| {
                ApiError(Error::BadRequest(
                    "picture must be null or {\"base64\": ...}".into(),
                ))
            })?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| ApiError(Error::BadRequest(format!("picture.base64: {e}"))))?;
            Some(Some(bytes))
        }
    };
    let mut privacy = Vec::new();
    for (k, v) in req.privacy {
        let v = v
            .as_str()
            .ok_or_else(|| ApiError(Error::BadRequest(format!("privacy.{k} must be a string"))))?;
        privacy.push((k, v.to_owned()));
    }
    let change = ProfileChange {
        name: req.name,
        status: req.status,
        picture,
        privacy,
        block: req.block.iter().map(|p| digits(p)).collect(),
        unblock: req.unblock.iter().map(|p| digits(p)).collect(),
    };
    Ok(axum::Json(sim.change_profile(&phone, change)?))
}

#[derive(Deserialize)]
struct PresenceReq {
    available: bool,
}

pub(super) async fn presence(
    State(sim): State<SimHandle>,
    Path(phone): Path<String>,
    b: Bytes,
) -> ApiResult {
    let req: PresenceReq = body(&b)?;
    let n = sim.set_presence(&phone, req.available)?;
    Ok(axum::Json(
        json!({ "available": req.available, "subscribers": n }),
    ))
}

#[derive(Deserialize)]
struct ChatstateReq {
    to: String,
    state: String,
}

pub(super) async fn chatstate(
    State(sim): State<SimHandle>,
    Path(phone): Path<String>,
    b: Bytes,
) -> ApiResult {
    let req: ChatstateReq = body(&b)?;
    sim.send_chatstate(&phone, &req.to, &req.state)?;
    Ok(axum::Json(json!({ "sent": true })))
}

pub(super) async fn picture(
    State(sim): State<SimHandle>,
    Path((phone, id)): Path<(String, String)>,
) -> Response {
    let bytes = id
        .parse::<u64>()
        .ok()
        .and_then(|id| sim.picture(&phone, id));
    match bytes {
        Some(b) => ([(header::CONTENT_TYPE, "image/jpeg")], b).into_response(),
        None => ApiError(Error::NotFound(format!("picture {phone}/{id}"))).into_response(),
    }
}
