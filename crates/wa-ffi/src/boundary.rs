//! The boundary every exported function goes through: panics are caught,
//! the thread-local last error is set, and raw arguments are checked
//! (null → `WA_STATUS_NULL_POINTER`, bad UTF-8 → `WA_STATUS_INVALID_UTF8`)
//! before any work is done.

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::status::{Error, WaStatus};

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Sets this thread's last-error message.
fn set_last_error(msg: &str) {
    let c = CString::new(msg.replace('\0', " ")).unwrap_or_default();
    // `try_with`: no panic even while the thread's locals are destroyed.
    let _ = LAST_ERROR.try_with(|e| {
        if let Ok(mut slot) = e.try_borrow_mut() {
            *slot = c;
        }
    });
}

/// A pointer to this thread's last-error message (empty after a success),
/// valid until the next call into the library on this thread.
pub(crate) fn last_error_ptr() -> *const c_char {
    LAST_ERROR
        .try_with(|e| e.try_borrow().map(|s| s.as_ptr()).ok())
        .ok()
        .flatten()
        .unwrap_or(c"".as_ptr())
}

/// Runs `f` behind the boundary: a panic becomes `WA_STATUS_PANIC`, an
/// error its status, and the last-error message is set (or cleared).
pub(crate) fn call(f: impl FnOnce() -> Result<(), Error>) -> WaStatus {
    let result = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".to_owned());
        Err(Error::Panic(what))
    });
    match result {
        Ok(()) => {
            set_last_error("");
            WaStatus::Ok
        }
        Err(e) => {
            set_last_error(&e.to_string());
            e.status()
        }
    }
}

/// A required string argument.
///
/// # Safety
/// `p` is null or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call.
pub(crate) unsafe fn str_arg<'a>(p: *const c_char, name: &'static str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::Null(name));
    }
    // SAFETY: `p` is non-null and, per this function's contract (stated on
    // every exported function), NUL-terminated and live for the call.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|_| Error::Utf8(name))
}

/// An optional string argument (null: `None`).
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(
    p: *const c_char,
    name: &'static str,
) -> Result<Option<&'a str>, Error> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract of this function.
    unsafe { str_arg(p, name) }.map(Some)
}

/// An out-parameter: checked for null and cleared (set to its "nothing"
/// value) before the call does any work, so a failed call leaves it null.
#[derive(Debug)]
pub(crate) struct Out<T> {
    ptr: *mut T,
}

impl<T> Out<T> {
    /// Checks `ptr` and writes `empty` to it.
    ///
    /// # Safety
    /// `ptr` is null or valid for a write of `T` for the call's duration.
    pub(crate) unsafe fn new(ptr: *mut T, name: &'static str, empty: T) -> Result<Self, Error> {
        if ptr.is_null() {
            return Err(Error::Null(name));
        }
        // SAFETY: non-null and writable per the contract.
        unsafe { ptr.write(empty) };
        Ok(Out { ptr })
    }

    /// Writes the result.
    pub(crate) fn set(self, v: T) {
        // SAFETY: `ptr` was checked non-null and writable in `new`, and the
        // call that created `self` has not returned yet.
        unsafe { self.ptr.write(v) };
    }
}

/// A Rust string as a C string the caller frees with `wa_string_free`.
pub(crate) fn c_string(s: String) -> Result<*mut c_char, Error> {
    CString::new(s)
        .map(CString::into_raw)
        .map_err(|_| Error::Failed("the result contains a NUL byte".into()))
}

/// Frees a string made by [`c_string`].
///
/// # Safety
/// `p` is null or was returned by this library and not freed yet.
pub(crate) unsafe fn free_c_string(p: *mut c_char) {
    if !p.is_null() {
        // SAFETY: `p` came from `CString::into_raw` (contract) and is freed
        // once.
        drop(unsafe { CString::from_raw(p) });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, clippy::unwrap_used)]
    use super::*;

    fn last_error() -> String {
        // SAFETY: the pointer is this thread's NUL-terminated message.
        unsafe { CStr::from_ptr(last_error_ptr()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let s = call(|| panic!("boom"));
        assert_eq!(s, WaStatus::Panic);
        assert!(last_error().contains("boom"), "{}", last_error());
        assert_eq!(call(|| Ok(())), WaStatus::Ok);
        assert_eq!(last_error(), "");
        assert_eq!(
            call(|| Err(Error::NotFound("x".into()))),
            WaStatus::NotFound
        );
        assert_eq!(last_error(), "x");
    }

    #[test]
    fn null_and_bad_utf8_arguments_are_errors() {
        // SAFETY: null, and a NUL-terminated buffer.
        unsafe {
            assert!(matches!(
                str_arg(std::ptr::null(), "a"),
                Err(Error::Null("a"))
            ));
            let bad = [0xffu8, 0xfe, 0];
            assert!(matches!(
                str_arg(bad.as_ptr().cast(), "b"),
                Err(Error::Utf8("b"))
            ));
            let mut out: *mut c_char = std::ptr::dangling_mut();
            let o = Out::new(&raw mut out, "out", std::ptr::null_mut()).unwrap();
            assert!(out.is_null());
            o.set(c_string("x".into()).unwrap());
            free_c_string(out);
        }
    }
}
