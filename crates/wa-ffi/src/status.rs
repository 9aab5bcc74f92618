//! Status codes returned by every function, and the crate's error type.

use std::ffi::CStr;

/// The result of a call. `WA_STATUS_OK` (0) is success; every other value
/// is a failure whose message `wa_last_error` returns on the same
/// thread.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaStatus {
    /// Success.
    Ok = 0,
    /// A required pointer argument was null.
    NullPointer = 1,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 2,
    /// An argument was malformed: bad JSON, a bad session id, a field that
    /// fails validation (the message names it).
    InvalidArgument = 3,
    /// The session (or the QR, message, chat...) does not exist.
    NotFound = 4,
    /// The session exists but is not connected to WhatsApp.
    NotConnected = 5,
    /// The session is already running.
    AlreadyExists = 6,
    /// Nothing arrived in time (an event poll, WhatsApp's answer).
    Timeout = 7,
    /// A body or attachment exceeds the configured size limit.
    TooLarge = 8,
    /// The gateway was freed: the handle only accepts `*_free` now.
    Closed = 9,
    /// The operation ran and failed (WhatsApp refused it, the store failed).
    Failed = 10,
    /// A bug: Rust code panicked. The panic was caught at the boundary.
    Panic = 11,
}

impl WaStatus {
    /// The `WA_STATUS_*` name of a raw status value (`WA_STATUS_UNKNOWN`
    /// for a value that is not a status).
    pub fn name(code: i32) -> &'static CStr {
        match code {
            0 => c"WA_STATUS_OK",
            1 => c"WA_STATUS_NULL_POINTER",
            2 => c"WA_STATUS_INVALID_UTF8",
            3 => c"WA_STATUS_INVALID_ARGUMENT",
            4 => c"WA_STATUS_NOT_FOUND",
            5 => c"WA_STATUS_NOT_CONNECTED",
            6 => c"WA_STATUS_ALREADY_EXISTS",
            7 => c"WA_STATUS_TIMEOUT",
            8 => c"WA_STATUS_TOO_LARGE",
            9 => c"WA_STATUS_CLOSED",
            10 => c"WA_STATUS_FAILED",
            11 => c"WA_STATUS_PANIC",
            _ => c"WA_STATUS_UNKNOWN",
        }
    }
}

/// Why a call failed; its `Display` is the thread-local last-error message.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A required pointer was null.
    #[error("{0} is null")]
    Null(&'static str),
    /// A string was not UTF-8.
    #[error("{0} is not valid UTF-8")]
    Utf8(&'static str),
    /// A malformed argument.
    #[error("{0}")]
    Invalid(String),
    /// Not found.
    #[error("{0}")]
    NotFound(String),
    /// Not connected.
    #[error("{0}")]
    NotConnected(String),
    /// Already running.
    #[error("{0}")]
    Exists(String),
    /// Timed out.
    #[error("{0}")]
    Timeout(String),
    /// Too large.
    #[error("{0}")]
    TooLarge(String),
    /// The gateway is closed.
    #[error("the gateway was freed")]
    Closed,
    /// The operation failed.
    #[error("{0}")]
    Failed(String),
    /// A caught panic.
    #[error("internal error (panic): {0}")]
    Panic(String),
}

impl Error {
    /// The status code of this error.
    pub fn status(&self) -> WaStatus {
        match self {
            Error::Null(_) => WaStatus::NullPointer,
            Error::Utf8(_) => WaStatus::InvalidUtf8,
            Error::Invalid(_) => WaStatus::InvalidArgument,
            Error::NotFound(_) => WaStatus::NotFound,
            Error::NotConnected(_) => WaStatus::NotConnected,
            Error::Exists(_) => WaStatus::AlreadyExists,
            Error::Timeout(_) => WaStatus::Timeout,
            Error::TooLarge(_) => WaStatus::TooLarge,
            Error::Closed => WaStatus::Closed,
            Error::Failed(_) => WaStatus::Failed,
            Error::Panic(_) => WaStatus::Panic,
        }
    }

    /// The error a REST answer stands for: `status` and the body's `error`
    /// (or `message`, for the session routes' soft failures).
    pub fn from_response(status: u16, body: &serde_json::Value, raw: &str) -> Error {
        let msg = body
            .get("error")
            .or_else(|| body.get("message"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or(raw)
            .to_owned();
        match (status, msg.as_str()) {
            (_, "session_not_found") => Error::NotFound(msg),
            (_, "session_not_connected") => Error::NotConnected(msg),
            (422, m) if m.starts_with("Session already exists") => Error::Exists(msg),
            (400 | 422, _) => Error::Invalid(msg),
            (404, _) => Error::NotFound(msg),
            (408 | 504, _) => Error::Timeout(msg),
            (413, _) => Error::TooLarge(msg),
            _ => Error::Failed(msg),
        }
    }
}
