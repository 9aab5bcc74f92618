//! Delivery: one dispatcher finds the oldest pending webhook of each
//! session and runs one delivery task per session, so each session's
//! webhooks arrive in order while a slow or failing receiver of one session
//! does not hold up the others.
//!
//! An attempt succeeds on 2xx (the row is deleted). A 4xx other than 408
//! and 429 is final (the row is marked dead). Anything else (5xx, 408, 429,
//! timeouts, connection errors) is retried after
//! `WEBHOOK_RETRY_BASE_MS * 2^(attempt-1)` (at most 5 minutes, or the
//! receiver's `Retry-After` if longer), with jitter, until
//! `WEBHOOK_MAX_ATTEMPTS` attempts were made (then dead).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, watch};

use super::queue::{Queue, Row, now};
use super::sign;
use crate::config::Config;
use crate::metrics::Metrics;

/// Longest delay between two attempts.
pub const MAX_BACKOFF_MS: u64 = 5 * 60 * 1000;

/// What one attempt led to.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Delivered,
    /// Retry no earlier than this many milliseconds from now (the receiver's
    /// `Retry-After`, if any).
    Retry(String, Option<u64>),
    Final(String),
}

/// Everything the delivery tasks share.
#[derive(Debug)]
pub struct Dispatcher {
    config: Arc<Config>,
    metrics: Arc<Metrics>,
    queue: Queue,
    http: reqwest::Client,
    busy: Mutex<HashSet<String>>,
    wake: Arc<Notify>,
    stop: watch::Receiver<bool>,
}

/// The delay before attempt `attempts + 1` after `attempts` failed ones:
/// base doubling per attempt, capped, then scaled by a random factor in
/// [0.5, 1.0] (jitter).
pub fn backoff_ms(base: u64, attempts: u32) -> u64 {
    let exp = attempts.saturating_sub(1).min(30);
    let d = base.max(1).saturating_mul(1u64 << exp).min(MAX_BACKOFF_MS);
    let jitter: f64 = 0.5 + rand::random::<f64>() * 0.5;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let out = (d as f64 * jitter) as u64;
    out.max(1)
}

fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

impl Dispatcher {
    /// Starts the dispatcher task; it ends when `stop` turns true.
    pub fn start(
        config: Arc<Config>,
        metrics: Arc<Metrics>,
        queue: Queue,
        stop: watch::Receiver<bool>,
    ) -> Arc<Dispatcher> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.webhook_timeout_ms.max(1)))
            .build()
            .unwrap_or_default();
        let wake = Arc::clone(&queue.inserted);
        let d = Arc::new(Dispatcher {
            config,
            metrics,
            queue,
            http,
            busy: Mutex::default(),
            wake,
            stop,
        });
        tokio::spawn(Arc::clone(&d).run());
        d
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    fn busy(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.busy
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn run(self: Arc<Self>) {
        let mut stop = self.stop.clone();
        loop {
            if self.stopped() {
                return;
            }
            let heads = self.queue.heads().await;
            let now = now();
            let mut next = now + 60_000;
            for row in heads {
                if self.busy().contains(&row.session) {
                    continue;
                }
                if row.next_at <= now {
                    self.busy().insert(row.session.clone());
                    tokio::spawn(Arc::clone(&self).session_task(row));
                } else {
                    next = next.min(row.next_at);
                }
            }
            let wait = u64::try_from(next - now).unwrap_or(0).max(1);
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(Duration::from_millis(wait)) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Delivers `row` and the session's following due rows, in order; stops
    /// at the first one to retry later.
    async fn session_task(self: Arc<Self>, first: Row) {
        let session = first.session.clone();
        let mut row = Some(first);
        while let Some(r) = row.take() {
            if self.stopped() {
                break;
            }
            let attempts = r.attempts.saturating_add(1);
            match self.attempt(&r).await {
                Outcome::Delivered => {
                    self.metrics.webhook("delivered");
                    self.queue.delivered(r.id).await;
                }
                Outcome::Final(e) => {
                    self.give_up(&r, attempts, e).await;
                }
                Outcome::Retry(e, _) if attempts >= self.config.webhook_max_attempts.max(1) => {
                    self.give_up(&r, attempts, e).await;
                }
                Outcome::Retry(e, after) => {
                    self.metrics.webhook("retried");
                    tracing::debug!(
                        session,
                        data_type = r.data_type,
                        attempts,
                        error = e,
                        "webhook retry"
                    );
                    let delay = backoff_ms(self.config.webhook_retry_base_ms, attempts)
                        .max(after.unwrap_or(0).min(MAX_BACKOFF_MS));
                    let next_at = now().saturating_add(i64::try_from(delay).unwrap_or(i64::MAX));
                    self.queue.retry(r.id, attempts, next_at, e).await;
                    break;
                }
            }
            row = self
                .queue
                .head(&session)
                .await
                .filter(|n| n.next_at <= now());
        }
        self.busy().remove(&session);
        self.wake.notify_one();
    }

    async fn give_up(&self, r: &Row, attempts: u32, error: String) {
        self.metrics.webhook("dropped");
        tracing::warn!(
            session = r.session,
            data_type = r.data_type,
            id = r.uid,
            attempts,
            error,
            "webhook dropped (kept as dead in webhooks.db)"
        );
        self.queue.dead(r.id, attempts, error).await;
    }

    async fn attempt(&self, r: &Row) -> Outcome {
        let mut req = self
            .http
            .post(&r.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(sign::ID_HEADER, &r.uid);
        if let Some(k) = self.config.api_key() {
            req = req.header("x-api-key", k);
        }
        if let Some(secret) = self
            .config
            .webhook_secret
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            let ts = unix_secs();
            req = req.header(sign::TIMESTAMP_HEADER, ts.to_string()).header(
                sign::SIGNATURE_HEADER,
                sign::signature(secret.as_bytes(), ts, r.body.as_bytes()),
            );
        }
        let resp = match req.body(r.body.clone()).send().await {
            Ok(resp) => resp,
            Err(e) => return Outcome::Retry(e.to_string(), None),
        };
        let status = resp.status();
        if status.is_success() {
            return Outcome::Delivered;
        }
        let after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| s.saturating_mul(1000));
        let code = status.as_u16();
        let why = format!("HTTP {code}");
        if status.is_client_error() && code != 408 && code != 429 {
            Outcome::Final(why)
        } else {
            Outcome::Retry(why, after)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        for _ in 0..50 {
            let a = backoff_ms(100, 1);
            assert!((50..=100).contains(&a));
            let c = backoff_ms(100, 3);
            assert!((200..=400).contains(&c));
            let big = backoff_ms(1000, 40);
            assert!((MAX_BACKOFF_MS / 2..=MAX_BACKOFF_MS).contains(&big));
        }
    }
}
