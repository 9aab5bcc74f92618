//! The client runtime for one linked device: [`Client`] and its builder.
//!
//! ```text
//! websocket bytes ─► frames ─► Noise ─► nodes ─► runner ─► store.commit ─► ack ─► Event
//! ```
//!
//! A [`Client`] is a cheap handle to one session task (`runner`): the task
//! owns the connection and processes stanzas one at a time; handles send it
//! commands (IQs, raw nodes, pairing code, disconnect, logout) and read its
//! [`Status`]. Events arrive, in order and without loss, on the
//! [`EventStream`] returned by [`ClientBuilder::build`].
//!
//! | module | owns |
//! |---|---|
//! | [`event`] | [`Event`], [`Status`], the reasons |
//! | [`options`] | timeouts, keepalive, [`Backoff`], prekey thresholds |
//! | `conn` | one websocket + Noise connection |
//! | `proxy` | the HTTP `CONNECT` tunnel |
//! | `runner` | the session task: connect, reconnect, commands, timers |
//! | `stanza` | stream errors, IQ answers, `<ib>`, receipts, notifications |
//! | `pairing` | QR refs, pairing by code, `pair-success` |
//! | `login` | prekey top-up and `active` after `<success>` |
//! | `receive` | decrypt, commit, then receipt |
//! | `content` | message kind and text |
//! | `creds` | a new device's keys |
//! | `shared` | state shared by the task and the handles (store, Signal lock) |

mod conn;
pub(crate) mod content;
mod creds;
pub mod event;
mod login;
pub mod options;
mod pairing;
pub(crate) mod proxy;
mod receive;
mod runner;
pub(crate) mod shared;
mod stanza;

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};
use wa_proto::binary::Node;
use wa_proto::jid::{Jid, Server};
use wa_proto::noise::TrustedRoot;
use wa_proto::pair::payload::ClientConfig;

pub use event::{DisconnectReason, Event, LogoutReason, Status};
pub use options::{Backoff, Options};

use crate::store::{CommitContext, Store};
use crate::{Error, Result};
use runner::{Command, Runner};
use shared::Shared;

/// WhatsApp's chat endpoint, the default server.
pub const WHATSAPP_URL: &str = "wss://web.whatsapp.com/ws/chat";

/// The server JID (`s.whatsapp.net`), the `to` of server IQs.
pub(crate) fn server_jid() -> Jid {
    Jid::server_only(Server::Pn)
}

/// `<tag>bytes</tag>`.
pub(crate) fn bytes_child(tag: &'static str, b: impl Into<Vec<u8>>) -> Node {
    Node::new(tag).with_bytes(b.into())
}

/// The receiving end of a session's events.
pub type EventStream = mpsc::UnboundedReceiver<Event>;

/// Configures a [`Client`].
pub struct ClientBuilder {
    store: Arc<dyn Store>,
    session_id: String,
    url: String,
    root: TrustedRoot,
    config: ClientConfig,
    options: Options,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("session_id", &self.session_id)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The chat server's websocket URL (default [`WHATSAPP_URL`]).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }

    /// The Noise certificate root to trust (default WhatsApp's).
    pub fn trusted_root(mut self, root: TrustedRoot) -> Self {
        self.root = root;
        self
    }

    /// How the device presents itself (browser, OS, version, push name).
    pub fn device(mut self, config: ClientConfig) -> Self {
        self.config = config;
        self
    }

    /// Runtime options.
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Loads the session's credentials from the store (creating the session
    /// and a new device's keys if needed), starts its task and returns the
    /// handle and the event stream. The task connects at once.
    ///
    /// # Errors
    /// Store errors.
    pub async fn build(self) -> Result<(Client, EventStream)> {
        if self.store.session(&self.session_id).await?.is_none() {
            match self.store.create_session(&self.session_id).await {
                Ok(()) | Err(Error::SessionExists(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let ctx = CommitContext::new(self.session_id.clone());
        let (creds, signed) = creds::load_or_create(
            self.store.as_ref(),
            &ctx,
            self.config.companion_platform_id(),
            self.options.prekey_batch,
        )
        .await?;
        let shared = Arc::new(Shared::new(Arc::clone(&self.store), ctx.clone()));
        let media = crate::media::MediaState::new(&self.options)?;
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (cmd_tx, cmd_rx) = mpsc::channel(64);
        let status = Arc::new(watch::Sender::new(Status::Starting));
        let runner = Runner {
            store: self.store,
            ctx,
            url: self.url,
            root: self.root,
            config: self.config,
            opts: self.options.clone(),
            events: events_tx,
            status: Arc::clone(&status),
            cmds: cmd_rx,
            creds,
            signed,
            failures: 0,
            seq: 0,
            id_prefix: format!("{:08x}", rand::random::<u32>()),
            shared: Arc::clone(&shared),
        };
        let task = tokio::spawn(runner.run());
        let pace = crate::send::worker::Pace {
            window: self.options.send_window.max(1),
            interval: self.options.send_interval,
            ack_timeout: self.options.send_ack_timeout,
        };
        let send_timeout = self.options.send_timeout;
        let client = Client {
            inner: Arc::new(Inner {
                session_id: self.session_id,
                cmds: cmd_tx,
                status: status.subscribe(),
                iq_timeout: self.options.iq_timeout,
                task: std::sync::Mutex::new(Some(task)),
                shared: Arc::clone(&shared),
                media,
                send_timeout,
            }),
        };
        client.inner.shared.attach(&client.inner);
        tokio::spawn(crate::send::worker::run(
            client.downgrade(),
            shared,
            status.subscribe(),
            pace,
        ));
        Ok((client, events_rx))
    }
}

#[derive(Debug)]
struct Inner {
    session_id: String,
    cmds: mpsc::Sender<Command>,
    status: watch::Receiver<Status>,
    iq_timeout: std::time::Duration,
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    shared: Arc<Shared>,
    media: crate::media::MediaState,
    send_timeout: std::time::Duration,
}

/// A handle that does not keep the session alive (the sender task holds
/// one).
#[derive(Clone, Debug)]
pub(crate) struct WeakClient(std::sync::Weak<Inner>);

impl WeakClient {
    pub(crate) fn upgrade(&self) -> Option<Client> {
        self.0.upgrade().map(|inner| Client { inner })
    }
}

/// A handle to one session's runtime. Cloning is cheap; the session task
/// stops when [`Client::disconnect`] or [`Client::logout`] is called, or
/// when every handle is dropped.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

impl Client {
    /// A builder for the session `session_id` kept in `store`.
    pub fn builder(store: Arc<dyn Store>, session_id: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            store,
            session_id: session_id.into(),
            url: WHATSAPP_URL.to_owned(),
            root: TrustedRoot::whatsapp(),
            config: ClientConfig::default(),
            options: Options::default(),
        }
    }

    /// The session id.
    pub fn session_id(&self) -> &str {
        &self.inner.session_id
    }

    /// The store this session persists to.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.shared.store
    }

    /// The commit context of this session's writes.
    pub fn commit_context(&self) -> &CommitContext {
        &self.inner.shared.ctx
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.inner.shared
    }

    /// Media transfer state (HTTP client, `media_conn` cache).
    pub(crate) fn media_state(&self) -> &crate::media::MediaState {
        &self.inner.media
    }

    pub(crate) fn downgrade(&self) -> WeakClient {
        WeakClient(Arc::downgrade(&self.inner))
    }

    pub(crate) fn send_timeout(&self) -> std::time::Duration {
        self.inner.send_timeout
    }

    /// Our device JID (`user:device@s.whatsapp.net`).
    ///
    /// # Errors
    /// [`Error::InvalidState`] until paired; store errors.
    pub async fn own_jid(&self) -> Result<Jid> {
        self.inner.shared.own_jid().await
    }

    /// The current status.
    pub fn status(&self) -> Status {
        *self.inner.status.borrow()
    }

    /// Waits until the status satisfies `pred` (or the task ended).
    pub async fn wait_status(&self, pred: impl Fn(Status) -> bool) -> Status {
        let mut rx = self.inner.status.clone();
        let found = rx.wait_for(|s| pred(*s)).await.map(|s| *s).ok();
        found.unwrap_or_else(|| *rx.borrow())
    }

    async fn call<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        self.inner
            .cmds
            .send(make(tx))
            .await
            .map_err(|_| Error::Stopped)?;
        rx.await.map_err(|_| Error::Stopped)
    }

    /// Sends an IQ and waits for its answer (the default IQ timeout
    /// applies). An `id` is assigned when `node` has none.
    ///
    /// # Errors
    /// [`Error::Server`] for `type="error"` answers, [`Error::Timeout`],
    /// [`Error::NotConnected`] if the connection is down or drops first.
    pub async fn iq(&self, node: Node) -> Result<Node> {
        self.iq_with_timeout(node, self.inner.iq_timeout).await
    }

    /// [`Client::iq`] with an explicit timeout. Dropping the future cancels
    /// the wait.
    ///
    /// # Errors
    /// As [`Client::iq`].
    pub async fn iq_with_timeout(&self, node: Node, timeout: std::time::Duration) -> Result<Node> {
        tokio::time::timeout(timeout, self.call(|tx| Command::Iq(node, tx)))
            .await
            .map_err(|_| Error::Timeout("iq"))?
            .and_then(|r| r)
    }

    /// Sends a node as is.
    ///
    /// # Errors
    /// [`Error::NotConnected`], [`Error::Stopped`].
    pub async fn send_node(&self, node: Node) -> Result<()> {
        self.call(|tx| Command::Send(node, tx)).await?
    }

    /// Starts pairing by code for `phone` (digits, country code first) and
    /// returns the code to type on the phone (`ABCD-EFGH`). The session must
    /// be unpaired and connected (status [`Status::Qr`]).
    ///
    /// # Errors
    /// [`Error::InvalidState`], [`Error::NotConnected`], [`Error::Server`].
    pub async fn request_pairing_code(&self, phone: &str) -> Result<String> {
        let phone = phone.to_owned();
        tokio::time::timeout(
            self.inner.iq_timeout,
            self.call(|tx| Command::PairCode(phone, tx)),
        )
        .await
        .map_err(|_| Error::Timeout("pairing code"))?
        .and_then(|r| r)
    }

    /// Closes the connection and stops the session task; credentials stay,
    /// so the next start logs in again.
    pub async fn disconnect(&self) {
        let _ = self.call(Command::Disconnect).await;
        self.join().await;
    }

    /// Unlinks this device (`remove-companion-device`) and deletes its
    /// credentials and keys. While disconnected it only deletes them locally.
    ///
    /// # Errors
    /// Store errors; [`Error::Stopped`] if the session task has already
    /// ended (then [`crate::SessionManager::logout`] clears a stopped
    /// session).
    pub async fn logout(&self) -> Result<()> {
        let res = self.call(Command::Logout).await.and_then(|r| r);
        self.join().await;
        res
    }

    /// Waits for the session task to end.
    pub async fn join(&self) {
        let task = self.inner.task.lock().ok().and_then(|mut t| t.take());
        if let Some(t) = task {
            let _ = t.await;
        }
    }
}
