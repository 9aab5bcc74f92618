//! The gateway handle: an embedded wa-http gateway (session manager, store,
//! webhook queue, event pump) on its own tokio runtime, without an HTTP
//! listener. Operations run the REST routes in-process, so every call has
//! exactly the HTTP API's semantics and JSON shapes.

use std::ffi::{c_char, c_void};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, header};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;

use crate::boundary::{Out, c_string, call, opt_str_arg, str_arg};
use crate::events::{EventQueue, WaEventCallback};
use crate::status::{Error, WaStatus};

/// What a gateway handle and its session handles share.
#[derive(Debug)]
pub(crate) struct Inner {
    gateway: wa_http::Gateway,
    router: axum::Router,
    pub(crate) events: Arc<EventQueue>,
    closed: AtomicBool,
    /// Last: fields drop in order, and the gateway's parts must drop while
    /// the runtime they were created on still exists.
    rt: tokio::runtime::Runtime,
}

/// An embedded gateway: a session manager with its store under
/// `SESSIONS_PATH`. Create with `wa_gateway_new`, free with
/// `wa_gateway_free`.
#[derive(Debug)]
pub struct WaGateway {
    pub(crate) inner: Arc<Inner>,
}

impl Inner {
    fn open(config: wa_http::Config) -> Result<Arc<Inner>, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            // Building (and, on failure, dropping) a runtime here would
            // panic inside the caller's runtime.
            return Err(Error::Invalid(
                "called from inside an async runtime thread; call from a plain thread".into(),
            ));
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("wa-ffi-rt")
            .enable_all()
            .build()
            .map_err(|e| Error::Failed(format!("cannot start the runtime: {e}")))?;
        let events = EventQueue::start()
            .map_err(|e| Error::Failed(format!("cannot start a thread: {e}")))?;
        let gateway = rt
            .block_on(wa_http::Gateway::start_embedded(config))
            .map_err(|e| match e {
                wa_http::ApiError::BadRequest(m) => Error::Invalid(m),
                other => Error::Failed(other.to_string()),
            })?;
        let sink = Arc::clone(&events);
        gateway
            .state
            .webhooks
            .set_local_sink(Arc::new(move |_session, body| sink.push(body)));
        let router = gateway.app();
        Ok(Arc::new(Inner {
            gateway,
            router,
            events,
            closed: AtomicBool::new(false),
            rt,
        }))
    }

    /// Fails with `Closed` once the gateway was freed.
    pub(crate) fn check_open(&self) -> Result<(), Error> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::Closed);
        }
        Ok(())
    }

    /// Runs `fut` on the gateway's runtime, blocking the calling thread.
    pub(crate) fn block_on<F: std::future::Future>(&self, fut: F) -> Result<F::Output, Error> {
        self.check_open()?;
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::Invalid(
                "called from inside an async runtime thread; call from a plain thread".into(),
            ));
        }
        Ok(self.rt.block_on(fut))
    }

    /// The gateway state (for the few operations with no REST route).
    pub(crate) fn state(&self) -> &wa_http::AppState {
        &self.gateway.state
    }

    /// Runs one REST call in-process: `(HTTP status, body)`.
    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<(u16, String), Error> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::Invalid(format!("bad HTTP method {method:?}")))?;
        if !path.starts_with('/') {
            return Err(Error::Invalid(format!(
                "path must start with '/': {path:?}"
            )));
        }
        let mut req = Request::builder().method(method).uri(path);
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let mut req = req
            .body(Body::from(body.unwrap_or_default().to_owned()))
            .map_err(|e| Error::Invalid(format!("bad request: {e}")))?;
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 0))));
        let router = self.router.clone();
        self.block_on(async move {
            let resp = match router.oneshot(req).await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            let status = resp.status().as_u16();
            let bytes = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| Error::Failed(format!("reading the response: {e}")))?
                .to_bytes();
            Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
        })?
    }

    /// A REST call whose failure (HTTP error or `success: false`) is an
    /// [`Error`]; the parsed body on success.
    pub(crate) fn call_api(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, Error> {
        let body = body.map(Value::to_string);
        let (status, text) = self.request(method, path, body.as_deref())?;
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let soft_failure = v.get("success") == Some(&Value::Bool(false));
        if (200..300).contains(&status) && !soft_failure {
            return Ok(v);
        }
        Err(Error::from_response(status, &v, &text))
    }

    /// Stops every session (keys kept) and the webhook queue, and closes
    /// the event queue. Idempotent.
    fn shutdown(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        self.events.close();
        if tokio::runtime::Handle::try_current().is_err() {
            self.rt.block_on(async {
                let _ =
                    tokio::time::timeout(Duration::from_secs(10), self.gateway.shutdown()).await;
            });
        }
    }
}

/// Creates a gateway. `config_json` is null or a JSON object whose keys are
/// the HTTP gateway's environment variable names (`SESSIONS_PATH`,
/// `WA_WEBSOCKET_URL`, `WA_TRUSTED_ROOT_KEY`, `WA_MEDIA_CA_PEM`,
/// `BASE_WEBHOOK_URL`, `WEBHOOK_SECRET`, `DISABLED_CALLBACKS`,
/// `MAX_ATTACHMENT_SIZE`, `SET_MESSAGES_AS_SEEN`, `RECOVER_SESSIONS`, ...)
/// with string, number or boolean values, plus `"demo": true` for an
/// embedded offline network. Sessions stored under `SESSIONS_PATH` that
/// were linked before are restored (started) at once.
///
/// On success `*out` is a handle to free with `wa_gateway_free`; on
/// failure it is null.
///
/// Thread safety: may be called from any thread.
///
/// # Safety
/// `config_json` is null or a NUL-terminated string; `out` is null or
/// valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_gateway_new(
    config_json: *const c_char,
    out: *mut *mut WaGateway,
) -> WaStatus {
    call(|| {
        // SAFETY: contract of this function.
        let out = unsafe { Out::new(out, "out", std::ptr::null_mut()) }?;
        // SAFETY: contract of this function.
        let json = unsafe { opt_str_arg(config_json, "config_json") }?;
        let config = crate::config::parse(json)?;
        let inner = Inner::open(config)?;
        out.set(Box::into_raw(Box::new(WaGateway { inner })));
        Ok(())
    })
}

/// Stops every session (their keys stay stored: a new gateway on the same
/// `SESSIONS_PATH` resumes them), flushes the webhook queue and frees the
/// handle. Session handles made from it then fail with
/// `WA_STATUS_CLOSED` until freed. Null is ignored.
///
/// Thread safety: no other call may use `gateway` during or after this one.
/// Called from inside the event callback, it does not wait for that
/// callback to return.
///
/// # Safety
/// `gateway` is null or a handle from `wa_gateway_new` not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_gateway_free(gateway: *mut WaGateway) {
    let _ = call(|| {
        if gateway.is_null() {
            return Ok(());
        }
        // SAFETY: a live handle from `wa_gateway_new` (contract), freed once.
        let g = unsafe { Box::from_raw(gateway) };
        g.inner.shutdown();
        Ok(())
    });
}

/// Runs any route of the REST API in-process (see `docs/http.md`): e.g.
/// `"POST"`, `"/client/sendMessage/s1"`, `{"chatId": ..., "contentType":
/// ..., "content": ...}`. `body_json` may be null (no body). `*http_status`
/// gets the HTTP status and `*response_json` the response body (free it
/// with `wa_string_free`). Returns `WA_STATUS_OK` whenever the route
/// answered, whatever the HTTP status.
///
/// Thread safety: thread-safe; calls from several threads run concurrently.
/// Must not be called from a tokio runtime thread.
///
/// # Safety
/// `gateway` is null or a live handle; strings are null or NUL-terminated;
/// `http_status` and `response_json` are null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_gateway_request(
    gateway: *const WaGateway,
    method: *const c_char,
    path: *const c_char,
    body_json: *const c_char,
    http_status: *mut i32,
    response_json: *mut *mut c_char,
) -> WaStatus {
    call(|| {
        // SAFETY: contract of this function (for all four).
        let status_out = unsafe { Out::new(http_status, "http_status", 0) }?;
        // SAFETY: as above.
        let body_out = unsafe { Out::new(response_json, "response_json", std::ptr::null_mut()) }?;
        // SAFETY: as above.
        let g = unsafe { gateway_ref(gateway) }?;
        // SAFETY: as above.
        let method = unsafe { str_arg(method, "method") }?;
        // SAFETY: as above.
        let path = unsafe { str_arg(path, "path") }?;
        // SAFETY: as above.
        let body = unsafe { opt_str_arg(body_json, "body_json") }?;
        let (status, text) = g.inner.request(method, path, body)?;
        body_out.set(c_string(text)?);
        status_out.set(i32::from(status));
        Ok(())
    })
}

/// Registers `callback` (null: unregisters) to receive every event, one at
/// a time and in order, on a library thread: the event is a JSON string
/// `{"sessionId", "dataType", "data"}` (the HTTP webhook body) valid only
/// during the call. While a callback is registered,
/// `wa_gateway_poll_event` fails. The callback may call any function of
/// the library (freeing this gateway included) and must not
/// unwind (throw) into the library. Returns once the previous callback is
/// no longer running (unless called from inside it).
///
/// Thread safety: thread-safe. `user_data` is passed back untouched on the
/// library's event thread.
///
/// # Safety
/// `gateway` is null or a live handle; `callback` is null or a function
/// safe to call with `user_data` from another thread until unregistered or
/// the gateway is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_gateway_set_event_callback(
    gateway: *const WaGateway,
    callback: WaEventCallback,
    user_data: *mut c_void,
) -> WaStatus {
    call(|| {
        // SAFETY: contract of this function.
        let g = unsafe { gateway_ref(gateway) }?;
        g.inner.check_open()?;
        g.inner.events.set_callback(callback, user_data);
        Ok(())
    })
}

/// Waits up to `timeout_ms` for the next event and stores it in
/// `*event_json` (a `{"sessionId", "dataType", "data"}` JSON string to free
/// with `wa_string_free`). `WA_STATUS_TIMEOUT` (and null) when none
/// arrived. Events are queued from the gateway's creation until taken (at
/// most 100 000; beyond that the oldest are dropped).
///
/// Thread safety: thread-safe; each event goes to one caller.
///
/// # Safety
/// `gateway` is null or a live handle; `event_json` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wa_gateway_poll_event(
    gateway: *const WaGateway,
    timeout_ms: u32,
    event_json: *mut *mut c_char,
) -> WaStatus {
    call(|| {
        // SAFETY: contract of this function.
        let out = unsafe { Out::new(event_json, "event_json", std::ptr::null_mut()) }?;
        // SAFETY: contract of this function.
        let g = unsafe { gateway_ref(gateway) }?;
        g.inner.check_open()?;
        match g
            .inner
            .events
            .poll(Duration::from_millis(u64::from(timeout_ms)))?
        {
            Some(e) => {
                out.set(c_string(e)?);
                Ok(())
            }
            None => Err(Error::Timeout(format!("no event within {timeout_ms} ms"))),
        }
    })
}

/// Borrows a gateway handle.
///
/// # Safety
/// `p` is null or a live handle from `wa_gateway_new`.
pub(crate) unsafe fn gateway_ref<'a>(p: *const WaGateway) -> Result<&'a WaGateway, Error> {
    // SAFETY: null or live (contract); `as_ref` handles null.
    unsafe { p.as_ref() }.ok_or(Error::Null("gateway"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn creating_a_gateway_inside_a_runtime_is_an_error_not_a_crash() {
        let mut gw: *mut WaGateway = std::ptr::null_mut();
        // SAFETY: a NUL-terminated config and a writable out-pointer.
        let s = unsafe { wa_gateway_new(c"{}".as_ptr(), &raw mut gw) };
        assert_eq!(s, WaStatus::InvalidArgument);
        assert!(gw.is_null());
    }
}
