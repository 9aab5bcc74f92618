//! The event pump: one task reads the session manager's merged event
//! stream, keeps the REST-facing session state (QR, pairing code) and turns
//! events into webhooks.

use std::time::Duration;

use serde_json::json;
use wa_session::client::{DisconnectReason, LogoutReason};
use wa_session::manager::ManagerEvents;
use wa_session::{Event, Status};

use crate::state::AppState;
use crate::webhook::events as hooks;

/// Runs the pump until the manager is dropped.
pub async fn pump(state: AppState, mut events: ManagerEvents) {
    while let Some((id, event)) = events.recv().await {
        handle(&state, &id, event).await;
    }
}

async fn handle(state: &AppState, id: &str, event: Event) {
    let w = &state.webhooks;
    match event {
        Event::Qr { code, .. } => {
            state.sessions.update(id, |e| e.qr = Some(code.clone()));
            if state.config.print_qr
                && let Some(art) = crate::qr::terminal(&code)
            {
                println!("session {id}: scan this QR with WhatsApp (Linked devices)\n{art}");
            }
            if let Some(demo) = &state.demo {
                demo.on_qr(id, code.clone());
            }
            w.emit(id, "qr", Some(json!({ "qr": code })));
        }
        Event::PairingCode { code } => {
            state
                .sessions
                .update(id, |e| e.pairing_code = Some(code.clone()));
            w.emit(id, "pairing_code", Some(json!({ "code": code })));
        }
        Event::QrTimeout => {
            state.sessions.update(id, |e| e.qr = None);
            w.emit(id, "disconnected", Some(json!({ "reason": "QR_TIMEOUT" })));
        }
        Event::Paired { .. } => {
            state.sessions.update(id, |e| {
                e.qr = None;
                e.pairing_code = None;
            });
            w.emit(id, "authenticated", None);
        }
        Event::PairError { reason } => {
            w.emit(id, "status", Some(json!({ "msg": reason })));
        }
        Event::Connected { .. } => {
            let first = state.sessions.update(id, |e| {
                e.qr = None;
                e.pairing_code = None;
                !std::mem::replace(&mut e.ready_sent, true)
            });
            w.emit(id, "change_state", Some(json!({ "state": "CONNECTED" })));
            if first {
                w.emit(id, "ready", None);
            }
        }
        Event::Disconnected {
            reason,
            reconnect_in,
        } => {
            let state_name = match reason {
                DisconnectReason::KeepaliveTimeout => "TIMEOUT",
                _ => "OPENING",
            };
            w.emit(id, "change_state", Some(json!({ "state": state_name })));
            if reconnect_in.is_none() && !matches!(reason, DisconnectReason::Requested) {
                w.emit(
                    id,
                    "disconnected",
                    Some(json!({ "reason": format!("{reason:?}") })),
                );
                recover(state, id);
            }
        }
        Event::StreamReplaced => {
            w.emit(id, "change_state", Some(json!({ "state": "CONFLICT" })));
            w.emit(id, "disconnected", Some(json!({ "reason": "CONFLICT" })));
        }
        Event::LoggedOut { reason } => {
            state.sessions.update(id, |e| e.ready_sent = false);
            let r = match reason {
                LogoutReason::Requested => "LOGOUT".to_owned(),
                LogoutReason::DeviceRemoved => "UNPAIRED".to_owned(),
                LogoutReason::LoginRefused(why) => format!("LOGIN_REFUSED: {why}"),
                _ => "LOGOUT".to_owned(),
            };
            w.emit(id, "change_state", Some(json!({ "state": "UNPAIRED" })));
            w.emit(id, "disconnected", Some(json!({ "reason": r })));
        }
        other => hooks::message_event(state, id, other).await,
    }
}

/// With `RECOVER_SESSIONS`, restarts a session whose task ended on its own
/// (not through the API).
fn recover(state: &AppState, id: &str) {
    if !state.config.recover_sessions {
        return;
    }
    if state.sessions.get(id).is_some_and(|e| e.stopping) {
        return;
    }
    let state = state.clone();
    let id = id.to_owned();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let ended = state
            .manager
            .status(&id)
            .is_none_or(|s| matches!(s, Status::Stopped | Status::Disconnected));
        if ended && let Err(e) = state.manager.restart(&id).await {
            tracing::warn!(session = id, error = %e, "recover failed");
        }
    });
}
