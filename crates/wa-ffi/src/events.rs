//! The event queue between the gateway and the embedder: every webhook
//! body (`{"dataType", "data", "sessionId"}`) is queued here, then either
//! handed to the registered callback by a dedicated thread or taken by
//! `wa_gateway_poll_event`.

use std::collections::VecDeque;
use std::ffi::{CString, c_char, c_void};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Events kept while nobody takes them; beyond this the oldest are dropped
/// (counted in the log) so an embedder that never polls cannot exhaust
/// memory.
pub(crate) const MAX_QUEUED: usize = 100_000;

/// The callback type: `user_data` as registered, and the event as a
/// NUL-terminated JSON string valid only during the call.
pub type WaEventCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, event_json: *const c_char)>;

/// A registered callback and its user data.
#[derive(Debug, Clone, Copy)]
struct Callback {
    f: unsafe extern "C" fn(*mut c_void, *const c_char),
    user_data: *mut c_void,
}

// SAFETY: the embedder registers `user_data` for use on the dispatch
// thread (documented on `wa_gateway_set_event_callback`); the library never
// dereferences it, only passes it back.
unsafe impl Send for Callback {}

#[derive(Debug, Default)]
struct State {
    events: VecDeque<String>,
    callback: Option<Callback>,
    closed: bool,
    dropped: u64,
    /// The dispatcher is inside the callback.
    busy: bool,
    dispatcher: Option<std::thread::ThreadId>,
}

/// The queue (shared by the gateway's sink, pollers and the dispatcher).
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    state: Mutex<State>,
    changed: Condvar,
}

impl EventQueue {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts the dispatcher thread.
    pub(crate) fn start() -> std::io::Result<Arc<EventQueue>> {
        let q = Arc::new(EventQueue::default());
        let d = Arc::clone(&q);
        let handle = std::thread::Builder::new()
            .name("wa-ffi-events".into())
            .spawn(move || d.dispatch())?;
        q.lock().dispatcher = Some(handle.thread().id());
        Ok(q)
    }

    /// Queues one event (the gateway's webhook sink).
    pub(crate) fn push(&self, event: &str) {
        let mut s = self.lock();
        if s.closed {
            return;
        }
        if s.events.len() >= MAX_QUEUED {
            s.events.pop_front();
            s.dropped += 1;
            if s.dropped.is_power_of_two() {
                tracing::warn!(
                    dropped = s.dropped,
                    "wa-ffi: event queue full, oldest dropped"
                );
            }
        }
        s.events.push_back(event.to_owned());
        drop(s);
        self.changed.notify_all();
    }

    /// Waits until the dispatcher is outside the callback (unless called
    /// from the callback itself, which would never return).
    fn wait_idle<'a>(&'a self, mut s: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        let me = std::thread::current().id();
        while s.busy && s.dispatcher != Some(me) {
            s = self.changed.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
        s
    }

    /// Sets or clears the callback; returns once the previous callback is
    /// no longer running (except when called from inside it).
    pub(crate) fn set_callback(&self, cb: WaEventCallback, user_data: *mut c_void) {
        let mut s = self.wait_idle(self.lock());
        s.callback = cb.map(|f| Callback { f, user_data });
        drop(s);
        self.changed.notify_all();
    }

    /// Waits up to `timeout` for the next event. `Err` when a callback is
    /// registered (events go there) or the queue is closed.
    pub(crate) fn poll(&self, timeout: Duration) -> Result<Option<String>, crate::Error> {
        let deadline = Instant::now() + timeout;
        let mut s = self.lock();
        loop {
            if s.closed {
                return Err(crate::Error::Closed);
            }
            if s.callback.is_some() {
                return Err(crate::Error::Invalid(
                    "a callback is registered: events go to it, not to poll".into(),
                ));
            }
            if let Some(e) = s.events.pop_front() {
                return Ok(Some(e));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            s = self
                .changed
                .wait_timeout(s, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Stops the dispatcher and wakes pollers; later events are dropped.
    /// Returns once the callback is no longer running (except when called
    /// from inside it).
    pub(crate) fn close(&self) {
        let mut s = self.lock();
        s.closed = true;
        s.events.clear();
        self.changed.notify_all();
        let s = self.wait_idle(s);
        drop(s);
    }

    /// The dispatcher thread: hands queued events to the callback, one at a
    /// time, in order.
    fn dispatch(&self) {
        let mut s = self.lock();
        loop {
            if s.closed {
                return;
            }
            let next = match s.callback {
                Some(cb) => s.events.pop_front().map(|e| (cb, e)),
                None => None,
            };
            let Some((cb, event)) = next else {
                s = self.changed.wait(s).unwrap_or_else(PoisonError::into_inner);
                continue;
            };
            s.busy = true;
            drop(s);
            if let Ok(c) = CString::new(event) {
                // SAFETY: `cb.f` is the function the embedder registered,
                // called with its own `user_data` and a NUL-terminated
                // string that lives until the call returns, as documented.
                unsafe { (cb.f)(cb.user_data, c.as_ptr()) };
            }
            s = self.lock();
            s.busy = false;
            self.changed.notify_all();
        }
    }
}
