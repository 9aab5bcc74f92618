//! Prometheus metrics (`GET /metrics`, text exposition format): request
//! counts by status class, sessions by state, messages in and out, webhook
//! deliveries by outcome.

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Label of a status class.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabel {
    /// `2xx`, `4xx`, `5xx`.
    pub class: String,
}

/// Label of a session state.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabel {
    /// `CONNECTED`, `SCAN_QR_CODE`, ...
    pub state: String,
}

/// Label of a webhook outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    /// `delivered`, `retried`, `dropped`.
    pub outcome: String,
}

/// The gateway's metrics.
pub struct Metrics {
    registry: Mutex<Registry>,
    /// HTTP requests answered, by status class.
    pub requests: Family<StatusLabel, Counter>,
    /// Sessions by state (set at scrape time).
    pub sessions: Family<StateLabel, Gauge>,
    /// Messages accepted by `sendMessage` and the other send routes.
    pub messages_sent: Counter,
    /// Messages received.
    pub messages_received: Counter,
    /// Webhook deliveries by outcome.
    pub webhooks: Family<OutcomeLabel, Counter>,
    /// Webhooks waiting in the queue (set by the queue).
    pub webhook_queue: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("wa_gateway");
        let requests = Family::<StatusLabel, Counter>::default();
        let sessions = Family::<StateLabel, Gauge>::default();
        let messages_sent = Counter::default();
        let messages_received = Counter::default();
        let webhooks = Family::<OutcomeLabel, Counter>::default();
        let webhook_queue = Gauge::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register("sessions", "Sessions by state", sessions.clone());
        registry.register(
            "messages_sent",
            "Messages accepted for sending",
            messages_sent.clone(),
        );
        registry.register(
            "messages_received",
            "Messages received",
            messages_received.clone(),
        );
        registry.register(
            "webhook_deliveries",
            "Webhook delivery attempts by outcome",
            webhooks.clone(),
        );
        registry.register(
            "webhook_queue",
            "Webhooks waiting for delivery",
            webhook_queue.clone(),
        );
        Metrics {
            registry: Mutex::new(registry),
            requests,
            sessions,
            messages_sent,
            messages_received,
            webhooks,
            webhook_queue,
        }
    }
}

impl Metrics {
    /// Counts a webhook outcome.
    pub fn webhook(&self, outcome: &str) {
        self.webhooks
            .get_or_create(&OutcomeLabel {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// The text exposition, with session gauges set from `states`.
    pub fn render(&self, states: &[(String, &'static str)]) -> String {
        self.sessions.clear();
        for (_, s) in states {
            self.sessions
                .get_or_create(&StateLabel {
                    state: (*s).to_owned(),
                })
                .inc();
        }
        let mut out = String::new();
        let reg = self
            .registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if encode(&mut out, &reg).is_err() {
            out.clear();
        }
        out
    }
}
