//! Strings the library returns, error messages, and small helpers for C
//! callers without a JSON or QR library.

use std::ffi::{CStr, c_char};

use serde_json::Value;

use crate::boundary::{Out, c_string, call, free_c_string, last_error_ptr, str_arg};
use crate::status::{Error, WaStatus};

/// Frees a string returned by the library. Null is ignored.
///
/// Thread safety: any thread; each string is freed once.
///
/// # Safety
/// `s` is null or a string returned by this library, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_string_free(s: *mut c_char) {
    let _ = call(|| {
        // SAFETY: contract of this function.
        unsafe { free_c_string(s) };
        Ok(())
    });
}

/// The message of the last failed call on this thread (empty after a
/// successful one). Never null. Owned by the library: valid until the next
/// call into the library on this thread; copy it to keep it.
///
/// Thread safety: per thread (thread-local).
#[unsafe(no_mangle)]
pub extern "C" fn wa_last_error() -> *const c_char {
    last_error_ptr()
}

/// The name of a status code (`"WA_STATUS_NOT_FOUND"`...; unknown values:
/// `"WA_STATUS_UNKNOWN"`). Static, never null.
///
/// Thread safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn wa_status_name(status: i32) -> *const c_char {
    WaStatus::name(status).as_ptr()
}

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => c"unknown",
    };

/// The library version (`"0.1.0"`). Static, never null.
///
/// Thread safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn wa_version() -> *const c_char {
    VERSION.as_ptr()
}

/// Looks up `pointer` (a JSON Pointer, RFC 6901, e.g. `"/data/qr"`) in
/// `json` and stores the value in `*value`: a string as its text, anything
/// else as JSON (free with `wa_string_free`). `WA_STATUS_NOT_FOUND` when
/// the path is absent, `WA_STATUS_INVALID_ARGUMENT` when `json` is not JSON.
/// For C callers without a JSON library.
///
/// Thread safety: any thread.
///
/// # Safety
/// `json` and `pointer` are null or NUL-terminated; `value` null or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_json_get(
    json: *const c_char,
    pointer: *const c_char,
    value: *mut *mut c_char,
) -> WaStatus {
    call(|| {
        // SAFETY: contract of this function (the three pointers).
        let out = unsafe { Out::new(value, "value", std::ptr::null_mut()) }?;
        // SAFETY: as above.
        let json = unsafe { str_arg(json, "json") }?;
        // SAFETY: as above.
        let pointer = unsafe { str_arg(pointer, "pointer") }?;
        let v: Value = serde_json::from_str(json)
            .map_err(|e| Error::Invalid(format!("json is not valid JSON: {e}")))?;
        let found = v
            .pointer(pointer)
            .ok_or_else(|| Error::NotFound(format!("{pointer} is not in the JSON")))?;
        let text = match found {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.set(c_string(text)?);
        Ok(())
    })
}

/// Renders `text` (a QR payload) as a QR code for a terminal (Unicode
/// half blocks, with a quiet zone), in `*art` (free with
/// `wa_string_free`).
///
/// Thread safety: any thread.
///
/// # Safety
/// `text` is null or NUL-terminated; `art` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_qr_terminal(text: *const c_char, art: *mut *mut c_char) -> WaStatus {
    call(|| {
        // SAFETY: contract of this function.
        let out = unsafe { Out::new(art, "art", std::ptr::null_mut()) }?;
        // SAFETY: contract of this function.
        let text = unsafe { str_arg(text, "text") }?;
        let s = wa_http::qr::terminal(text)
            .ok_or_else(|| Error::Invalid("text does not fit in a QR code".into()))?;
        out.set(c_string(s)?);
        Ok(())
    })
}
