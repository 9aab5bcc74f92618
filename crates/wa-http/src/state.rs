//! The state every handler shares: the configuration, the session manager,
//! the last QR of each session, the webhook queue and the metrics.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use wa_session::SessionManager;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::webhook::Webhooks;

/// Shared state of the gateway (cheap to clone).
#[derive(Clone, Debug)]
pub struct AppState {
    /// Settings.
    pub config: Arc<Config>,
    /// The sessions.
    pub manager: Arc<SessionManager>,
    /// Per-session state the REST API reports (QR, pairing code).
    pub sessions: Arc<SessionTable>,
    /// Outgoing webhooks.
    pub webhooks: Webhooks,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Rate limiter of `/localCallbackExample`.
    pub callback_limiter: Arc<crate::routes::misc::RateLimiter>,
    /// The embedded demo network (`--demo` only).
    pub demo: Option<Arc<crate::demo::Demo>>,
}

/// What the gateway remembers of each session besides the client.
#[derive(Debug, Default)]
pub struct SessionTable {
    inner: Mutex<HashMap<String, SessionEntry>>,
}

/// One session's REST-facing state.
#[derive(Debug, Default, Clone)]
pub struct SessionEntry {
    /// The QR to scan now (cleared once paired).
    pub qr: Option<String>,
    /// The pairing code to type now.
    pub pairing_code: Option<String>,
    /// Whether `ready` was sent since the last start.
    pub ready_sent: bool,
    /// Set while the API itself stops or deletes the session, so the event
    /// pump does not treat the end as a crash.
    pub stopping: bool,
}

impl SessionTable {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, SessionEntry>> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A copy of `id`'s entry.
    pub fn get(&self, id: &str) -> Option<SessionEntry> {
        self.map().get(id).cloned()
    }

    /// Changes `id`'s entry (created if missing) and returns `f`'s result.
    pub fn update<R>(&self, id: &str, f: impl FnOnce(&mut SessionEntry) -> R) -> R {
        f(self.map().entry(id.to_owned()).or_default())
    }

    /// Forgets `id`.
    pub fn remove(&self, id: &str) {
        self.map().remove(id);
    }
}

impl AppState {
    /// The folder of session `id` (`SESSIONS_PATH/session-<id>`); `id` must
    /// have passed [`crate::extract::valid_session_id`], which keeps it a
    /// single path component.
    pub fn session_dir(&self, id: &str) -> PathBuf {
        self.config.sessions_path.join(format!("session-{id}"))
    }
}
