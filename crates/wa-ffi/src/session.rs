//! Session handles: one WhatsApp account linked as a companion device.
//! Each operation runs the matching REST route in-process.

use std::ffi::c_char;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::boundary::{Out, c_string, call, opt_str_arg, str_arg};
use crate::gateway::{Inner, WaGateway, gateway_ref};
use crate::status::{Error, WaStatus};

/// A handle on session `id` of a gateway. Create with `wa_session_new`,
/// free with `wa_session_free`. Freeing the handle does not stop the
/// session.
#[derive(Debug)]
pub struct WaSession {
    gateway: Arc<Inner>,
    id: String,
}

impl WaSession {
    fn path(&self, route: &str) -> String {
        format!("/{route}/{}", self.id)
    }
}

/// Creates a handle on session `session_id` (letters, digits, `_` and `-`, as
/// in the REST API). It does not start the session: see
/// `wa_session_start`. Several handles on one id are allowed.
///
/// Thread safety: thread-safe.
///
/// # Safety
/// `gateway` is null or a live handle; `session_id` is null or
/// NUL-terminated; `out` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_session_new(
    gateway: *const WaGateway,
    session_id: *const c_char,
    out: *mut *mut WaSession,
) -> WaStatus {
    call(|| {
        // SAFETY: contract of this function.
        let out = unsafe { Out::new(out, "out", std::ptr::null_mut()) }?;
        // SAFETY: contract of this function.
        let g = unsafe { gateway_ref(gateway) }?;
        // SAFETY: contract of this function.
        let id = unsafe { str_arg(session_id, "session_id") }?;
        g.inner.check_open()?;
        if !wa_http::extract::valid_session_id(id) {
            return Err(Error::Invalid(
                "session_id: letters, digits, '_' and '-' only (1 to 64 characters)".into(),
            ));
        }
        out.set(Box::into_raw(Box::new(WaSession {
            gateway: Arc::clone(&g.inner),
            id: id.to_owned(),
        })));
        Ok(())
    })
}

/// Frees a session handle (the session keeps running). Null is ignored.
///
/// Thread safety: no other call may use `session` during or after this one.
///
/// # Safety
/// `session` is null or a handle from `wa_session_new` not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_session_free(session: *mut WaSession) {
    let _ = call(|| {
        if !session.is_null() {
            // SAFETY: a live handle (contract), freed once.
            drop(unsafe { Box::from_raw(session) });
        }
        Ok(())
    });
}

/// Borrows a session handle.
///
/// # Safety
/// `p` is null or a live handle.
unsafe fn session_ref<'a>(p: *const WaSession) -> Result<&'a WaSession, Error> {
    // SAFETY: null or live (contract).
    let s = unsafe { p.as_ref() }.ok_or(Error::Null("session"))?;
    s.gateway.check_open()?;
    Ok(s)
}

/// Runs `f` on a borrowed session inside the boundary.
///
/// # Safety
/// `session` is null or a live handle.
unsafe fn with_session(
    session: *const WaSession,
    f: impl FnOnce(&WaSession) -> Result<(), Error>,
) -> WaStatus {
    call(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { session_ref(session) }?;
        f(s)
    })
}

/// Starts the session: connects with its stored keys, or, when it is not
/// linked yet, asks for a QR (a `qr` event follows within seconds; see
/// also `wa_session_qr` and `wa_session_request_pairing_code`).
/// `WA_STATUS_ALREADY_EXISTS` if it is running.
///
/// Thread safety: thread-safe.
///
/// # Safety
/// `session` is null or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_session_start(session: *const WaSession) -> WaStatus {
    // SAFETY: contract of this function.
    unsafe {
        with_session(session, |s| {
            s.gateway.call_api("GET", &s.path("session/start"), None)?;
            Ok(())
        })
    }
}

/// Stops the session and keeps its keys (start it again to resume). Not
/// running: `WA_STATUS_NOT_FOUND`.
///
/// Thread safety: thread-safe.
///
/// # Safety
/// `session` is null or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_session_stop(session: *const WaSession) -> WaStatus {
    // SAFETY: contract of this function.
    unsafe {
        with_session(session, |s| {
            let stopped = s
                .gateway
                .block_on(wa_http::sessions::stop(s.gateway.state(), &s.id))?;
            if stopped {
                Ok(())
            } else {
                Err(Error::NotFound("session_not_found".into()))
            }
        })
    }
}

/// Logs the session out (unlinking the device from the phone when
/// connected) and deletes its keys and data, like `/session/terminate`.
///
/// Thread safety: thread-safe.
///
/// # Safety
/// `session` is null or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_session_logout(session: *const WaSession) -> WaStatus {
    // SAFETY: contract of this function.
    unsafe {
        with_session(session, |s| {
            s.gateway
                .call_api("GET", &s.path("session/terminate"), None)?;
            Ok(())
        })
    }
}

/// The session's state as JSON in `*status_json` (free with
/// `wa_string_free`): the body of `/session/status`, e.g.
/// `{"success": true, "state": "CONNECTED", "message": "session_connected"}`.
///
/// Thread safety: thread-safe.
///
/// # Safety
/// `session` is null or a live handle; `status_json` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_session_status(
    session: *const WaSession,
    status_json: *mut *mut c_char,
) -> WaStatus {
    // SAFETY: contract of this function.
    let out = unsafe { Out::new(status_json, "status_json", std::ptr::null_mut()) };
    // SAFETY: contract of this function.
    unsafe {
        with_session(session, |s| {
            let out = out?;
            let (_, text) = s.gateway.request("GET", &s.path("session/status"), None)?;
            out.set(c_string(text)?);
            Ok(())
        })
    }
}

/// The QR to scan now, as text (render it with `wa_qr_terminal` or any
/// QR library), in `*qr` (free with `wa_string_free`).
/// `WA_STATUS_NOT_FOUND` when there is none (not started, or linked).
///
/// Thread safety: thread-safe.
///
/// # Safety
/// `session` is null or a live handle; `qr` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_session_qr(
    session: *const WaSession,
    qr: *mut *mut c_char,
) -> WaStatus {
    // SAFETY: contract of this function.
    let out = unsafe { Out::new(qr, "qr", std::ptr::null_mut()) };
    // SAFETY: contract of this function.
    unsafe {
        with_session(session, |s| {
            let out = out?;
            let v = s.gateway.call_api("GET", &s.path("session/qr"), None)?;
            let code = v
                .get("qr")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::NotFound("no QR to scan".into()))?;
            out.set(c_string(code.to_owned())?);
            Ok(())
        })
    }
}

/// Links by phone number instead of QR: the 8-character code to type on
/// the phone (Linked devices → Link with phone number) in `*code` (free
/// with `wa_string_free`). The session must be started and not linked.
///
/// Thread safety: thread-safe.
///
/// # Safety
/// `session` is null or a live handle; `phone_number` null or
/// NUL-terminated; `code` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_session_request_pairing_code(
    session: *const WaSession,
    phone_number: *const c_char,
    code: *mut *mut c_char,
) -> WaStatus {
    // SAFETY: contract of this function.
    let out = unsafe { Out::new(code, "code", std::ptr::null_mut()) };
    // SAFETY: contract of this function.
    let phone = unsafe { str_arg(phone_number, "phone_number") };
    // SAFETY: contract of this function.
    unsafe {
        with_session(session, |s| {
            let (out, phone) = (out?, phone?);
            let v = s.gateway.call_api(
                "POST",
                &s.path("session/requestPairingCode"),
                Some(&json!({ "phoneNumber": phone })),
            )?;
            let c = v
                .get("code")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::Failed("no code in the answer".into()))?;
            out.set(c_string(c.to_owned())?);
            Ok(())
        })
    }
}

/// Sends a message, like `POST /client/sendMessage`: `chat_id`
/// (`<number>@c.us` or `<id>@g.us`), `content_type` (`string`,
/// `MessageMedia`, `MessageMediaFromURL`, `Location`, `Contact`, `Poll`,
/// `Buttons`, `List`), `content_json` (the `content` as JSON: a JSON string
/// for text, e.g. `"\"hello\""`, an object otherwise) and `options_json`
/// (null or the `options` object). On success `*message_json` gets the sent
/// Message object (free with `wa_string_free`).
///
/// Thread safety: thread-safe; sends from several threads run concurrently.
///
/// # Safety
/// `session` is null or a live handle; strings null or NUL-terminated;
/// `message_json` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_session_send_message(
    session: *const WaSession,
    chat_id: *const c_char,
    content_type: *const c_char,
    content_json: *const c_char,
    options_json: *const c_char,
    message_json: *mut *mut c_char,
) -> WaStatus {
    // SAFETY: contract of this function (all five pointer arguments).
    let args = unsafe {
        (
            Out::new(message_json, "message_json", std::ptr::null_mut()),
            str_arg(chat_id, "chat_id"),
            str_arg(content_type, "content_type"),
            str_arg(content_json, "content_json"),
            opt_str_arg(options_json, "options_json"),
        )
    };
    // SAFETY: contract of this function.
    unsafe {
        with_session(session, |s| {
            let (out, chat, kind, content, options) = (args.0?, args.1?, args.2?, args.3?, args.4?);
            let content: Value = serde_json::from_str(content)
                .map_err(|e| Error::Invalid(format!("content_json is not JSON: {e}")))?;
            let mut body = json!({ "chatId": chat, "contentType": kind, "content": content });
            if let Some(o) = options {
                body["options"] = serde_json::from_str(o)
                    .map_err(|e| Error::Invalid(format!("options_json is not JSON: {e}")))?;
            }
            let v = s
                .gateway
                .call_api("POST", &s.path("client/sendMessage"), Some(&body))?;
            let message = v.get("message").cloned().unwrap_or(Value::Null);
            out.set(c_string(message.to_string())?);
            Ok(())
        })
    }
}
