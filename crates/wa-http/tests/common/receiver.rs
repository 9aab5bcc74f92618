//! A local webhook receiver: records every POST (headers and JSON body);
//! can be told to fail the next N deliveries with 500.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;

#[derive(Clone, Debug)]
pub struct Delivery {
    pub headers: HeaderMap,
    pub raw: Vec<u8>,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    got: Vec<Delivery>,
    rejected: Vec<Delivery>,
    fail_next: u32,
    fail_status: u16,
    fail_sessions: Vec<String>,
    attempts: u32,
}

/// The receiver; `url` is where to point `BASE_WEBHOOK_URL`.
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new()
            .route("/hook", post(hook))
            .with_state(Arc::clone(&inner));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { inner, url }
    }

    /// Fails the next `n` deliveries with 500.
    pub fn fail_next(&self, n: u32) {
        self.fail_next_with(n, 500);
    }

    /// Fails the next `n` deliveries with `status`.
    pub fn fail_next_with(&self, n: u32, status: u16) {
        let mut g = self.inner.lock().unwrap();
        g.fail_next = n;
        g.fail_status = status;
    }

    /// Fails every delivery of `session` with 500 from now on.
    pub fn fail_session(&self, session: &str) {
        self.inner
            .lock()
            .unwrap()
            .fail_sessions
            .push(session.to_owned());
    }

    /// Every failed attempt so far (headers and body).
    pub fn rejected(&self) -> Vec<Delivery> {
        self.inner.lock().unwrap().rejected.clone()
    }

    /// Every accepted delivery so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.inner.lock().unwrap().got.clone()
    }

    /// Every attempt, failed or not.
    pub fn attempts(&self) -> u32 {
        self.inner.lock().unwrap().attempts
    }

    /// Accepted deliveries of `data_type`.
    pub fn of(&self, data_type: &str) -> Vec<Value> {
        self.deliveries()
            .into_iter()
            .filter(|d| d.body["dataType"] == data_type)
            .map(|d| d.body)
            .collect()
    }
}

async fn hook(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    raw: axum::body::Bytes,
) -> StatusCode {
    let mut g = inner.lock().unwrap();
    g.attempts += 1;
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    let d = Delivery {
        headers,
        raw: raw.to_vec(),
        body,
    };
    if d.body["sessionId"]
        .as_str()
        .is_some_and(|s| g.fail_sessions.iter().any(|f| f == s))
    {
        g.rejected.push(d);
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    if g.fail_next > 0 {
        g.fail_next -= 1;
        g.rejected.push(d);
        return StatusCode::from_u16(g.fail_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    g.got.push(d);
    StatusCode::OK
}
