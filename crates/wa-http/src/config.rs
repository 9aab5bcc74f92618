//! Configuration: the reference server's environment variables with its
//! defaults, the same settings as command-line flags (a flag wins over the
//! variable), and this gateway's additions.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// A boolean the way the reference reads it: true only for the literal
/// `true` (any case); anything else is false.
fn truthy(s: &str) -> Result<bool, std::convert::Infallible> {
    Ok(s.trim().eq_ignore_ascii_case("true"))
}

/// Every setting of the gateway.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "wa-http",
    version,
    about = "WhatsApp REST gateway (native multi-device client)"
)]
pub struct Config {
    /// Listen port.
    #[arg(long, env = "PORT", default_value_t = 3000)]
    pub port: u16,
    /// Listen address.
    #[arg(long, env = "HOST", default_value = "0.0.0.0")]
    pub host: String,
    /// Global API key expected in `x-api-key` (unset or empty: no auth).
    #[arg(long, env = "API_KEY")]
    pub api_key: Option<String>,
    /// Default webhook target (unset: webhooks off unless a session has its
    /// own `<SESSIONID>_WEBHOOK_URL`).
    #[arg(long, env = "BASE_WEBHOOK_URL")]
    pub base_webhook_url: Option<String>,
    /// Mounts `POST /localCallbackExample`, which appends each posted JSON
    /// to `$SESSIONS_PATH/message_log.txt`.
    #[arg(long, env = "ENABLE_LOCAL_CALLBACK_EXAMPLE", default_value = "false", value_parser = truthy, num_args = 0..=1, default_missing_value = "true")]
    pub enable_local_callback_example: bool,
    /// Requests allowed per window and client address on the rate-limited
    /// route (`/localCallbackExample`, as in the reference).
    #[arg(long, env = "RATE_LIMIT_MAX", default_value_t = 1000)]
    pub rate_limit_max: u32,
    /// The rate-limit window in milliseconds.
    #[arg(long, env = "RATE_LIMIT_WINDOW_MS", default_value_t = 1000)]
    pub rate_limit_window_ms: u64,
    /// Largest attachment in bytes (media webhooks, downloads); request
    /// bodies may be 1 MB larger.
    #[arg(long, env = "MAX_ATTACHMENT_SIZE", default_value_t = 10_000_000)]
    pub max_attachment_size: usize,
    /// Sends read receipts for a chat after each message event.
    #[arg(long, env = "SET_MESSAGES_AS_SEEN", default_value = "false", value_parser = truthy, num_args = 0..=1, default_missing_value = "true")]
    pub set_messages_as_seen: bool,
    /// `|`-separated webhook event names not to send.
    #[arg(long, env = "DISABLED_CALLBACKS", default_value = "")]
    pub disabled_callbacks: String,
    /// Serves the OpenAPI document at `/api-docs` and Swagger UI at
    /// `/api-docs/ui/`.
    #[arg(long, env = "ENABLE_SWAGGER_ENDPOINT", default_value = "false", value_parser = truthy, num_args = 0..=1, default_missing_value = "true")]
    pub enable_swagger_endpoint: bool,
    /// Restarts a session whose connection task ended unexpectedly.
    #[arg(long, env = "RECOVER_SESSIONS", default_value = "false", value_parser = truthy, num_args = 0..=1, default_missing_value = "true")]
    pub recover_sessions: bool,
    /// Data directory: the store (`gateway.db`), the webhook queue
    /// (`webhooks.db`) and one `session-<id>` folder per session.
    #[arg(long, env = "SESSIONS_PATH", default_value = "./sessions")]
    pub sessions_path: PathBuf,
    /// Chat server websocket URL (default: WhatsApp's).
    #[arg(long = "ws-url", env = "WA_WEBSOCKET_URL")]
    pub ws_url: Option<String>,
    /// Trusted Noise root public key, 64 hex digits (default: WhatsApp's).
    /// A wa-sim tells its own at `GET /sim/info`.
    #[arg(long = "trust-root", env = "WA_TRUSTED_ROOT_KEY")]
    pub trust_root: Option<String>,
    /// PEM file of an extra CA trusted for media hosts (a wa-sim's).
    #[arg(long = "media-ca", env = "WA_MEDIA_CA_PEM")]
    pub media_ca_pem: Option<PathBuf>,
    /// Secret for the `x-webhook-signature` header: `sha256=` + hex of
    /// HMAC-SHA256 over `<x-webhook-timestamp>.<raw body>`. Unset:
    /// deliveries are not signed.
    #[arg(long, env = "WEBHOOK_SECRET")]
    pub webhook_secret: Option<String>,
    /// Delivery attempts per webhook before it is dropped (logged).
    #[arg(long, env = "WEBHOOK_MAX_ATTEMPTS", default_value_t = 10)]
    pub webhook_max_attempts: u32,
    /// First retry delay in milliseconds; doubles per attempt (capped at 5
    /// minutes).
    #[arg(long, env = "WEBHOOK_RETRY_BASE_MS", default_value_t = 1000)]
    pub webhook_retry_base_ms: u64,
    /// Timeout of one webhook delivery in milliseconds.
    #[arg(long, env = "WEBHOOK_TIMEOUT_MS", default_value_t = 10_000)]
    pub webhook_timeout_ms: u64,
    /// `sendMessage` and `reply` answer once WhatsApp's server acked the
    /// message (`true`), or as soon as it is committed to the durable
    /// outbox (`false`: faster; `message_ack` webhooks report progress).
    /// A request's `options.waitForAck` overrides it.
    #[arg(long, env = "SEND_WAIT_FOR_ACK", default_value = "true", value_parser = truthy, num_args = 0..=1, default_missing_value = "true")]
    pub send_wait_for_ack: bool,
    /// Lets `MessageMediaFromURL` fetch loopback, private and link-local
    /// addresses.
    #[arg(long, env = "ALLOW_PRIVATE_MEDIA_URLS", default_value = "false", value_parser = truthy, num_args = 0..=1, default_missing_value = "true")]
    pub allow_private_media_urls: bool,
    /// Prints each QR code in the terminal.
    #[arg(long, env = "PRINT_QR", default_value = "false", value_parser = truthy, num_args = 0..=1, default_missing_value = "true")]
    pub print_qr: bool,
    /// Demo mode: an embedded wa-sim with virtual contacts; sessions are
    /// linked by a virtual phone and the contacts answer.
    #[arg(long)]
    pub demo: bool,
}

impl Config {
    /// The configuration from the environment only (no flags), as tests and
    /// embedders build it.
    pub fn from_env() -> Self {
        Config::parse_from(["wa-http"])
    }

    /// Defaults, ignoring the environment (tests).
    pub fn defaults(sessions_path: impl Into<PathBuf>) -> Self {
        let mut c = Config::parse_from(["wa-http"]);
        c.api_key = None;
        c.base_webhook_url = None;
        c.sessions_path = sessions_path.into();
        c
    }

    /// The API key, if auth is on.
    pub fn api_key(&self) -> Option<&str> {
        self.api_key.as_deref().filter(|k| !k.is_empty())
    }

    /// Whether webhooks of `event` are disabled.
    pub fn callback_disabled(&self, event: &str) -> bool {
        self.disabled_callbacks
            .split('|')
            .any(|e| e.trim().eq_ignore_ascii_case(event))
    }

    /// Largest accepted request body.
    pub fn body_limit(&self) -> usize {
        self.max_attachment_size.saturating_add(1_000_000)
    }

    /// The rate-limit window.
    pub fn rate_limit_window(&self) -> Duration {
        Duration::from_millis(self.rate_limit_window_ms.max(1))
    }

    /// The webhook URL of a session: `<SESSIONID>_WEBHOOK_URL` (upper-cased
    /// id), else `BASE_WEBHOOK_URL`.
    pub fn webhook_url(&self, session: &str) -> Option<String> {
        let var = format!("{}_WEBHOOK_URL", session.to_uppercase());
        std::env::var(var)
            .ok()
            .filter(|u| !u.is_empty())
            .or_else(|| self.base_webhook_url.clone().filter(|u| !u.is_empty()))
    }
}
