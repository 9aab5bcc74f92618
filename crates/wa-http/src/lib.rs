//! # wa-http: the REST gateway
//!
//! A thin adapter that exposes the documented REST API (the
//! `whatsapp-api` reference: sessions, client, chat, group chat, message,
//! contact, ping) over [`wa_session::SessionManager`], posts the
//! reference's webhooks from a durable, retried and signed queue, serves
//! its own OpenAPI document, and can run a self-contained demo against an
//! embedded wa-sim.
//!
//! | module | owns |
//! |---|---|
//! | [`config`] | environment variables and flags |
//! | [`routes`] | the HTTP routes, one module per resource; the API-key check |
//! | [`extract`] | JSON bodies, session ids and connected sessions with documented errors |
//! | [`model`] | the JSON objects (Message, Chat, Contact, ...) in whatsapp-web.js shape |
//! | [`jid`] | `@c.us` / `@g.us` ids in and out |
//! | [`picture`] | profile/group pictures from a request (JPEG; PNG converted) |
//! | [`outgoing`] | the sendMessage contents and options → messages sent |
//! | [`media_url`] | `MessageMediaFromURL` downloads under SSRF rules |
//! | [`sessions`] | start, terminate, flush, restore |
//! | [`events`] | session events → QR state and webhooks |
//! | [`webhook`] | the delivery queue |
//! | [`openapi`] | the OpenAPI document and Swagger UI |
//! | [`demo`] | `--demo`: an embedded wa-sim, a virtual phone and contacts that answer |
//!
//! It must not speak the WhatsApp protocol or touch keys itself: every
//! operation is a call on a [`wa_session::Client`].
//!
//! ## Example: embedding the gateway
//!
//! What the `wa-http` binary does, with the configuration built in code
//! instead of read from the environment (`Config::from_env`):
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use wa_http::{Config, Gateway};
//!
//! let mut config = Config::defaults("./sessions"); // gateway.db, webhooks.db
//! config.api_key = Some("change-me".into()); // required in `x-api-key`
//! config.base_webhook_url = Some("http://127.0.0.1:8080/hooks".into());
//! config.webhook_secret = Some("s3cret".into()); // signs every delivery
//!
//! // Opens the stores, starts the webhook queue and the event pump, and
//! // restores every paired session.
//! let gateway = Gateway::start(config).await?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! tokio::select! {
//!     r = gateway.serve(listener) => r?,
//!     _ = tokio::signal::ctrl_c() => {}
//! }
//! // Stops the sessions (keys kept) and commits the queued webhooks.
//! gateway.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! A session is then started with `GET /session/start/{sessionId}` and
//! linked by scanning the QR from `GET /session/qr/{sessionId}` (or the
//! `qr` webhook); `docs/http.md` documents every route.

pub mod chats;
pub mod config;
pub mod demo;
pub mod error;
pub mod events;
pub mod extract;
pub mod jid;
pub mod media_url;
pub mod metrics;
pub mod model;
pub mod openapi;
pub mod outgoing;
pub mod picture;
pub mod qr;
pub mod routes;
pub mod sessions;
pub mod state;
pub mod webhook;

use std::sync::Arc;

use axum::Router;
use wa_proto::keys::PublicKey;
use wa_proto::noise::TrustedRoot;
use wa_session::store::{SqliteOptions, SqliteStore, Store};
use wa_session::{ClientTemplate, SessionManager};

pub use config::Config;
pub use error::ApiError;
pub use state::AppState;

/// A built gateway: its state and its HTTP application.
#[derive(Debug)]
pub struct Gateway {
    /// Shared state (manager, config, ...).
    pub state: AppState,
}

impl Gateway {
    /// Opens the store under `SESSIONS_PATH`, builds the session manager
    /// from the configuration, starts the webhook queue and the event pump,
    /// and restores the paired sessions.
    ///
    /// # Errors
    /// A bad `WA_TRUSTED_ROOT_KEY`, a store that does not open.
    pub async fn start(config: Config) -> Result<Gateway, ApiError> {
        Self::boot(config, true).await
    }

    /// Like [`Gateway::start`] for an embedder that serves no HTTP (the C
    /// ABI): in demo mode the webhook target stays as configured and the
    /// QR is not printed (the embedder gets both as events).
    ///
    /// # Errors
    /// As [`Gateway::start`].
    pub async fn start_embedded(config: Config) -> Result<Gateway, ApiError> {
        Self::boot(config, false).await
    }

    async fn boot(mut config: Config, serving: bool) -> Result<Gateway, ApiError> {
        if config.demo {
            let (demo, template) = demo::Demo::start(std::time::Duration::from_secs(3)).await?;
            demo_config(&mut config, serving)?;
            return Self::start_inner(config, template, Some(demo)).await;
        }
        let template = template(&config)?;
        Self::start_with(config, template).await
    }

    /// Like [`Gateway::start`] with an explicit client template (tests and
    /// demo mode point it at a wa-sim).
    ///
    /// # Errors
    /// A store that does not open.
    pub async fn start_with(config: Config, template: ClientTemplate) -> Result<Gateway, ApiError> {
        Self::start_inner(config, template, None).await
    }

    /// Demo mode with an explicit link delay (tests).
    ///
    /// # Errors
    /// The sim or the store does not start.
    pub async fn start_demo(
        mut config: Config,
        link_delay: std::time::Duration,
    ) -> Result<Gateway, ApiError> {
        let (demo, template) = demo::Demo::start(link_delay).await?;
        config.demo = true;
        demo_config(&mut config, true)?;
        Self::start_inner(config, template, Some(demo)).await
    }

    async fn start_inner(
        config: Config,
        template: ClientTemplate,
        demo: Option<Arc<demo::Demo>>,
    ) -> Result<Gateway, ApiError> {
        std::fs::create_dir_all(&config.sessions_path)
            .map_err(|e| ApiError::Internal(format!("SESSIONS_PATH: {e}")))?;
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(
            config.sessions_path.join("gateway.db"),
            SqliteOptions::default(),
        )?);
        let (manager, events) = SessionManager::new(store, template);
        let config = Arc::new(config);
        let metrics = Arc::new(metrics::Metrics::default());
        let webhooks = webhook::Webhooks::start(Arc::clone(&config), Arc::clone(&metrics))?;
        let state = AppState {
            config,
            manager,
            sessions: Arc::default(),
            webhooks,
            metrics,
            callback_limiter: Arc::default(),
            demo,
        };
        tokio::spawn(events::pump(state.clone(), events));
        sessions::restore(&state).await?;
        Ok(Gateway { state })
    }

    /// The HTTP application.
    pub fn app(&self) -> Router {
        routes::app(self.state.clone())
    }

    /// Serves the application on `listener` until the future is dropped.
    ///
    /// # Errors
    /// Accept failures.
    pub async fn serve(&self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let app = self
            .app()
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app).await
    }

    /// Stops every session (keys kept) and flushes the webhook queue's
    /// state.
    pub async fn shutdown(&self) {
        self.state.manager.shutdown().await;
        self.state.webhooks.shutdown().await;
    }
}

/// Demo defaults: when `serving` HTTP, QR in the terminal, Swagger UI on,
/// webhooks to the gateway's own `/localCallbackExample` (printed and
/// logged); data in a temporary folder unless `SESSIONS_PATH` was set.
fn demo_config(config: &mut Config, serving: bool) -> Result<(), ApiError> {
    if serving {
        config.print_qr = true;
        config.enable_swagger_endpoint = true;
        config.enable_local_callback_example = true;
    }
    if serving && config.base_webhook_url.is_none() {
        config.base_webhook_url = Some(format!(
            "http://127.0.0.1:{}/localCallbackExample",
            config.port
        ));
    }
    if config.sessions_path == std::path::Path::new("./sessions") {
        let dir = std::env::temp_dir().join(format!("wa-http-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| ApiError::Internal(format!("demo dir: {e}")))?;
        config.sessions_path = dir;
    }
    Ok(())
}

/// The client template the configuration describes.
///
/// # Errors
/// 400-class error for a malformed root key or an unreadable CA file.
pub fn template(config: &Config) -> Result<ClientTemplate, ApiError> {
    let mut t = ClientTemplate::default();
    if let Some(url) = &config.ws_url {
        t.url.clone_from(url);
    }
    if let Some(hex_key) = &config.trust_root {
        let bytes = hex::decode(hex_key.trim())
            .map_err(|e| ApiError::BadRequest(format!("WA_TRUSTED_ROOT_KEY: {e}")))?;
        let key = PublicKey::from_bytes(&bytes)
            .map_err(|e| ApiError::BadRequest(format!("WA_TRUSTED_ROOT_KEY: {e}")))?;
        t.root = TrustedRoot::new(key);
    }
    if let Some(path) = &config.media_ca_pem {
        let pem = std::fs::read_to_string(path).map_err(|e| {
            ApiError::BadRequest(format!("WA_MEDIA_CA_PEM {}: {e}", path.display()))
        })?;
        t.options.media_ca_pem = Some(pem);
    }
    Ok(t)
}
