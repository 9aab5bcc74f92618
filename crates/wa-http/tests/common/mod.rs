//! Test harness: an in-process wa-sim, a gateway pointed at it and served
//! over real HTTP on loopback, a reqwest client, and a webhook receiver.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod receiver;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use wa_http::{Config, Gateway};
use wa_proto::keys::PublicKey;
use wa_proto::noise::TrustedRoot;
use wa_session::ClientTemplate;
use wa_sim::{Sim, SimConfig, SimHandle};

pub const KEY: &str = "test_api_key";

/// A running gateway over a sim.
pub struct Harness {
    pub sim: SimHandle,
    pub gateway: Arc<Gateway>,
    pub base: String,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Defaults for tests: API key set, no webhooks, data in a temp dir.
pub fn config(dir: &std::path::Path) -> Config {
    let mut c = Config::defaults(dir);
    c.api_key = Some(KEY.to_owned());
    c.enable_swagger_endpoint = true;
    c
}

impl Harness {
    /// A sim and a gateway with the default test configuration.
    pub async fn new() -> Harness {
        Self::with(|_, _| {}).await
    }

    /// A sim and a gateway whose configuration `f` adjusts.
    /// `f` gets the gateway's base URL (`http://127.0.0.1:PORT`), e.g. to
    /// point webhooks at the gateway itself.
    pub async fn with(f: impl FnOnce(&mut Config, &str)) -> Harness {
        let sim = Sim::start(SimConfig::local()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(dir.path());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        f(&mut c, &base);
        Self::start(sim, dir, c, listener).await
    }

    /// A gateway over an existing sim with configuration `c`, served on
    /// `listener`.
    pub async fn start(
        sim: SimHandle,
        dir: tempfile::TempDir,
        c: Config,
        listener: tokio::net::TcpListener,
    ) -> Harness {
        let mut t = ClientTemplate {
            url: sim.ws_url(),
            root: TrustedRoot::new(PublicKey::from_raw(sim.root_public_key())),
            ..ClientTemplate::default()
        };
        t.options.media_ca_pem = Some(sim.ca_pem());
        let gateway = Arc::new(Gateway::start_with(c, t).await.unwrap());
        let base = format!("http://{}", listener.local_addr().unwrap());
        let g = Arc::clone(&gateway);
        let server = tokio::spawn(async move {
            let _ = g.serve(listener).await;
        });
        Harness {
            sim,
            gateway,
            base,
            http: reqwest::Client::new(),
            dir,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET with the API key; (status, JSON body or `null`).
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .header("x-api-key", KEY)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// POST JSON with the API key; (status, JSON body or `null`).
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(path))
            .header("x-api-key", KEY)
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// Creates a phone account on the sim.
    pub fn account(&self, phone: &str, name: &str) {
        self.sim.create_account(phone, name).unwrap();
    }

    /// Starts session `id` over HTTP and links it to `phone` by QR; returns
    /// when `/session/status` says CONNECTED.
    pub async fn link(&self, id: &str, phone: &str) {
        let (s, b) = self.get(&format!("/session/start/{id}")).await;
        assert_eq!(s, 200, "{b}");
        let qr = self.wait_qr(id).await;
        self.sim.link_qr(phone, &qr).await.unwrap();
        self.wait_connected(id).await;
    }

    /// Polls `/session/qr/{id}` until it returns a QR.
    pub async fn wait_qr(&self, id: &str) -> String {
        for _ in 0..200 {
            let (_, b) = self.get(&format!("/session/qr/{id}")).await;
            if b["success"] == json!(true) {
                return b["qr"].as_str().unwrap().to_owned();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no QR for {id}");
    }

    /// Polls `/session/status/{id}` until CONNECTED.
    pub async fn wait_connected(&self, id: &str) {
        for _ in 0..300 {
            let (_, b) = self.get(&format!("/session/status/{id}")).await;
            if b["state"] == json!("CONNECTED") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("session {id} never connected");
    }

    /// Waits until `f` returns `Some`, polling every 50 ms for up to 15 s.
    pub async fn eventually<T>(&self, mut f: impl FnMut() -> Option<T>) -> T {
        for _ in 0..300 {
            if let Some(v) = f() {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("condition never held");
    }

    /// The bodies of `phone`'s inbox.
    pub fn inbox_bodies(&self, phone: &str) -> Vec<String> {
        self.sim
            .inbox(phone)
            .unwrap()
            .into_iter()
            .map(|e| e.text)
            .collect()
    }
}
