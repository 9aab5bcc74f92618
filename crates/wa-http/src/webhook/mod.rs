//! Outgoing webhooks: `POST {"dataType", "data", "sessionId"}` to the
//! session's URL (`<SESSIONID>_WEBHOOK_URL` or `BASE_WEBHOOK_URL`).
//!
//! Each webhook is first committed to a durable queue
//! (`SESSIONS_PATH/webhooks.db`, see [`queue`]), then posted by
//! [`deliver`]: in order per session, at least once (pending rows survive a
//! restart), retried with exponential backoff, signed with
//! `WEBHOOK_SECRET` (see [`sign`]), with headers `x-webhook-id` (stable
//! across retries) and `x-api-key` (when `API_KEY` is set, as the reference
//! server does).

use std::sync::{Arc, OnceLock};

pub mod deliver;
pub mod events;
pub mod groups;
pub mod queue;
pub mod sign;

use serde_json::{Map, Value};
use tokio::sync::watch;

use crate::config::Config;
use crate::metrics::Metrics;

/// The webhook sender (cheap to clone).
#[derive(Clone, Debug)]
pub struct Webhooks {
    config: Arc<Config>,
    queue: queue::Queue,
    stop: Arc<watch::Sender<bool>>,
    /// Recent message bodies and reactions (see [`events::Recent`]).
    pub recent: Arc<events::Recent>,
    local: Arc<OnceLock<Sink>>,
    _dispatcher: Arc<deliver::Dispatcher>,
}

/// An in-process receiver of every webhook body (the C ABI's event
/// queue): called on the emitting task, in emit order, with the session id
/// and the serialized `{dataType, data, sessionId}` body. It must return
/// quickly (queue the body, do not process it).
pub type LocalSink = Arc<dyn Fn(&str, &str) + Send + Sync>;

struct Sink(LocalSink);

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LocalSink")
    }
}

impl Webhooks {
    /// Opens the queue (`SESSIONS_PATH/webhooks.db`) and starts delivery
    /// (pending webhooks of an earlier run are delivered first).
    ///
    /// # Errors
    /// The queue database does not open.
    pub fn start(config: Arc<Config>, metrics: Arc<Metrics>) -> Result<Self, crate::ApiError> {
        std::fs::create_dir_all(&config.sessions_path)
            .map_err(|e| crate::ApiError::Internal(format!("SESSIONS_PATH: {e}")))?;
        let queue = queue::Queue::open(
            &config.sessions_path.join("webhooks.db"),
            Arc::clone(&metrics),
        )?;
        let (stop, stop_rx) = watch::channel(false);
        let dispatcher =
            deliver::Dispatcher::start(Arc::clone(&config), metrics, queue.clone(), stop_rx);
        Ok(Webhooks {
            config,
            queue,
            stop: Arc::new(stop),
            recent: Arc::default(),
            local: Arc::default(),
            _dispatcher: dispatcher,
        })
    }

    /// Sets the in-process receiver of every event (once; later calls
    /// are ignored and return `false`). Events still go to the webhook URL
    /// too, when one is configured.
    pub fn set_local_sink(&self, sink: LocalSink) -> bool {
        self.local.set(Sink(sink)).is_ok()
    }

    /// Whether an event of `data_type` of `session` would be sent (not
    /// disabled, and the session has a webhook URL or a local sink is
    /// set). Lets callers skip expensive work (e.g. a media download).
    pub fn wants(&self, session: &str, data_type: &str) -> bool {
        !self.config.callback_disabled(data_type)
            && (self.local.get().is_some() || self.config.webhook_url(session).is_some())
    }

    /// Serializes the event, hands it to the local sink and returns the
    /// queue row for the webhook URL, if any.
    fn row(&self, session: &str, data_type: &str, data: Option<Value>) -> Option<queue::NewRow> {
        if self.config.callback_disabled(data_type) {
            return None;
        }
        let url = self.config.webhook_url(session);
        let local = self.local.get();
        if url.is_none() && local.is_none() {
            return None;
        }
        let mut body = Map::new();
        body.insert("dataType".into(), Value::String(data_type.to_owned()));
        if let Some(d) = data {
            body.insert("data".into(), d);
        }
        body.insert("sessionId".into(), Value::String(session.to_owned()));
        let body = serde_json::to_string(&Value::Object(body)).ok()?;
        if let Some(sink) = local {
            (sink.0)(session, &body);
        }
        let uid: [u8; 16] = rand::random();
        Some(queue::NewRow {
            uid: hex::encode(uid),
            session: session.to_owned(),
            url: url?,
            data_type: data_type.to_owned(),
            body,
        })
    }

    /// Queues event `data_type` of `session` (nothing if the event is
    /// disabled or the session has no webhook URL; the local sink, if set,
    /// gets it first). Returns at once; the queue's writer thread commits
    /// it in order with every earlier call (use [`Webhooks::emit_committed`]
    /// to wait for the commit).
    pub fn emit(&self, session: &str, data_type: &str, data: Option<Value>) {
        if let Some(r) = self.row(session, data_type, data) {
            self.queue.insert(r);
        }
    }

    /// Like [`Webhooks::emit`], returning once the webhook is committed.
    pub async fn emit_committed(&self, session: &str, data_type: &str, data: Option<Value>) {
        if let Some(r) = self.row(session, data_type, data) {
            self.queue.insert_committed(r).await;
        }
    }

    /// Waits until every webhook emitted before is committed.
    pub async fn flush(&self) {
        self.queue.flush().await;
    }

    /// Commits what was emitted, then stops delivering (pending webhooks
    /// stay in the queue for the next start). Later emits are dropped.
    pub async fn shutdown(&self) {
        self.queue.flush().await;
        let _ = self.stop.send(true);
        self.queue.stop();
    }
}
