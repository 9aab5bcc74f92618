//! Outgoing webhooks: `POST {sessionId, dataType, data}` to the session's
//! URL with the `x-api-key` header.
//!
//! (First cut: delivered in order, once; the durable queue with retries
//! and signatures replaces it.)

use std::sync::Arc;

pub mod events;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::config::Config;
use crate::metrics::Metrics;

/// The webhook sender (cheap to clone).
#[derive(Clone, Debug)]
pub struct Webhooks {
    config: Arc<Config>,
    tx: mpsc::UnboundedSender<(String, Value)>,
}

impl Webhooks {
    /// Starts the delivery task.
    pub fn start(config: Arc<Config>, metrics: Arc<Metrics>) -> Result<Self, crate::ApiError> {
        let (tx, mut rx) = mpsc::unbounded_channel::<(String, Value)>();
        let key = config.api_key().map(str::to_owned);
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            while let Some((url, body)) = rx.recv().await {
                let mut req = http.post(&url).json(&body);
                if let Some(k) = &key {
                    req = req.header("x-api-key", k);
                }
                match req.send().await {
                    Ok(r) if r.status().is_success() => metrics.webhook("delivered"),
                    _ => metrics.webhook("dropped"),
                }
            }
        });
        Ok(Webhooks { config, tx })
    }

    /// Queues event `data_type` of `session` (nothing if the event is
    /// disabled or the session has no webhook URL).
    pub fn emit(&self, session: &str, data_type: &str, data: Option<Value>) {
        if self.config.callback_disabled(data_type) {
            return;
        }
        let Some(url) = self.config.webhook_url(session) else {
            return;
        };
        let mut body = json!({ "dataType": data_type, "sessionId": session });
        if let Some(d) = data {
            body["data"] = d;
        }
        let _ = self.tx.send((url, body));
    }
}
