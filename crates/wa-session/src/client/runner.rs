//! The task that drives one session: connect, run a connection until it
//! ends, decide between reconnecting (with backoff), restarting (after
//! pairing) and stopping, and serve the [`Command`]s of the
//! [`super::Client`] handles in every state.
//!
//! One task owns everything of a session (the connection, the pending IQs,
//! the Signal records it is working on), so stanzas are processed strictly
//! one after another, which the store's commit rule relies on.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use wa_proto::binary::Node;
use wa_proto::noise::TrustedRoot;
use wa_proto::pair::code::CompanionCodePairing;
use wa_proto::pair::payload::{ClientConfig, login_payload, registration_payload};
use wa_proto::signal::SignedPreKey;

use super::conn::Conn;
use super::creds;
use super::event::{DisconnectReason, Event, LogoutReason, Status};
use super::options::Options;
use crate::store::{CommitContext, DeviceCredentials, Store, WriteBatch};
use crate::{Error, Result};

/// What a [`super::Client`] asks of its session task.
#[derive(Debug)]
pub(crate) enum Command {
    /// Send an IQ (an `id` is assigned if missing) and route its answer.
    Iq(Node, oneshot::Sender<Result<Node>>),
    /// Send a node without waiting for anything.
    Send(Node, oneshot::Sender<Result<()>>),
    /// Start pairing by code for a phone number.
    PairCode(String, oneshot::Sender<Result<String>>),
    /// Close the connection and stop (credentials kept).
    Disconnect(oneshot::Sender<()>),
    /// Unlink this device and forget its credentials.
    Logout(oneshot::Sender<Result<()>>),
}

/// How one connection ended and what to do next.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Reconnect after the backoff delay.
    Reconnect(DisconnectReason),
    /// Reconnect at once (the 515 after pairing).
    Restart,
    /// Stop the task with this final status.
    Stop(Status),
}

/// Who waits for an IQ answer.
#[derive(Debug)]
pub(crate) enum Pending {
    External(oneshot::Sender<Result<Node>>),
    Ping,
    PrekeyCount,
    PrekeyUpload(Vec<u32>),
    Active,
    PairCodeHello(String, oneshot::Sender<Result<String>>),
    PairCodeFinish,
    Logout(oneshot::Sender<Result<()>>),
}

/// Where the current connection is.
#[derive(Debug)]
pub(crate) enum Phase {
    /// An unpaired companion: QR refs and the pairing-code flow.
    Registration {
        refs: Vec<String>,
        next_ref: usize,
        ref_deadline: Option<Instant>,
        code: Option<(String, CompanionCodePairing)>,
        paired: bool,
    },
    /// Login sent; waiting for `<success>`.
    LoggingIn,
    /// Logged in; `connected` once the offline queue is drained.
    LoggedIn {
        connected: bool,
        offline_deadline: Instant,
    },
}

/// Per-connection state.
#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) pending: HashMap<String, Pending>,
    pub(crate) last_rx: Instant,
    pub(crate) next_ping: Instant,
    /// When the unanswered keepalive ping was sent.
    pub(crate) ping_sent: Option<Instant>,
    /// `<active/>` was sent on this connection.
    pub(crate) active_sent: bool,
    pub(crate) phase: Phase,
}

/// The session task's state.
pub(crate) struct Runner {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) ctx: CommitContext,
    pub(crate) url: String,
    pub(crate) root: TrustedRoot,
    pub(crate) config: ClientConfig,
    pub(crate) opts: Options,
    pub(crate) events: mpsc::UnboundedSender<Event>,
    pub(crate) status: Arc<watch::Sender<Status>>,
    pub(crate) cmds: mpsc::Receiver<Command>,
    pub(crate) creds: DeviceCredentials,
    pub(crate) signed: SignedPreKey,
    pub(crate) failures: u32,
    pub(crate) seq: u64,
    pub(crate) id_prefix: String,
    pub(crate) shared: Arc<super::shared::Shared>,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("session", &self.ctx.session_id())
            .field("jid", &self.creds.jid)
            .finish_non_exhaustive()
    }
}

impl Runner {
    pub(crate) fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    pub(crate) fn set_status(&self, status: Status) {
        self.status.send_replace(status);
    }

    pub(crate) fn next_id(&mut self) -> String {
        self.seq += 1;
        format!("{}.{}", self.id_prefix, self.seq)
    }

    /// Runs the session until it stops.
    pub(crate) async fn run(mut self) {
        loop {
            self.set_status(Status::Connecting);
            self.emit(Event::Connecting);
            let outcome = self.connect_once().await;
            tracing::debug!(
                session = self.ctx.session_id(),
                ?outcome,
                "connection ended"
            );
            match outcome {
                Outcome::Restart => {
                    self.failures = 0;
                    self.emit(Event::Disconnected {
                        reason: DisconnectReason::Restart,
                        reconnect_in: Some(std::time::Duration::ZERO),
                    });
                }
                Outcome::Stop(status) => {
                    self.set_status(status);
                    return;
                }
                Outcome::Reconnect(reason) => {
                    self.failures = self.failures.saturating_add(1);
                    let delay = self
                        .opts
                        .backoff
                        .delay(self.failures, rand::random::<f64>());
                    self.set_status(Status::Disconnected);
                    self.emit(Event::Disconnected {
                        reason,
                        reconnect_in: Some(delay),
                    });
                    if let Some(status) = self.wait_offline(delay).await {
                        self.set_status(status);
                        return;
                    }
                }
            }
        }
    }

    /// Serves commands while no connection exists, for `delay`. Returns a
    /// final status if a command stopped the session.
    async fn wait_offline(&mut self, delay: std::time::Duration) -> Option<Status> {
        let until = Instant::now() + delay;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => return None,
                cmd = self.cmds.recv() => match cmd {
                    None => return Some(Status::Stopped),
                    Some(Command::Iq(_, r)) => { let _ = r.send(Err(Error::NotConnected)); }
                    Some(Command::Send(_, r)) => { let _ = r.send(Err(Error::NotConnected)); }
                    Some(Command::PairCode(_, r)) => { let _ = r.send(Err(Error::NotConnected)); }
                    Some(Command::Disconnect(r)) => {
                        let _ = r.send(());
                        return Some(Status::Stopped);
                    }
                    Some(Command::Logout(r)) => {
                        let res = self.forget_account(LogoutReason::Requested).await;
                        let _ = r.send(res);
                        return Some(Status::LoggedOut);
                    }
                },
            }
        }
    }

    /// Opens one connection and runs it to its end.
    async fn connect_once(&mut self) -> Outcome {
        let registered = self.creds.jid.clone();
        let payload = match &registered {
            Some(jid) => match login_payload(&self.config, &jid.user, u32::from(jid.device)) {
                Ok(p) => p,
                Err(e) => {
                    return Outcome::Reconnect(DisconnectReason::ConnectionLost(e.to_string()));
                }
            },
            None => registration_payload(
                &self.config,
                &creds::registration_keys(&self.creds, &self.signed),
            ),
        };
        let mut conn = match Conn::open(
            &self.url,
            &self.creds.noise_key,
            &self.root,
            &payload,
            self.opts.connect_timeout,
            self.opts.proxy.as_deref(),
        )
        .await
        {
            Ok(c) => c,
            Err(e) => return Outcome::Reconnect(DisconnectReason::ConnectionLost(e.to_string())),
        };
        let now = Instant::now();
        let phase = if registered.is_some() {
            Phase::LoggingIn
        } else {
            Phase::Registration {
                refs: Vec::new(),
                next_ref: 0,
                ref_deadline: None,
                code: None,
                paired: false,
            }
        };
        let mut link = Link {
            pending: HashMap::new(),
            last_rx: now,
            next_ping: now + self.opts.keepalive_interval,
            ping_sent: None,
            active_sent: false,
            phase,
        };
        let outcome = self.drive(&mut conn, &mut link).await;
        for (_, p) in link.pending.drain() {
            match p {
                Pending::External(r) => {
                    let _ = r.send(Err(Error::NotConnected));
                }
                Pending::PairCodeHello(_, r) => {
                    let _ = r.send(Err(Error::NotConnected));
                }
                Pending::Logout(r) => {
                    let _ = r.send(Err(Error::NotConnected));
                }
                _ => {}
            }
        }
        conn.close().await;
        outcome
    }

    fn next_wake(&self, link: &Link) -> Instant {
        let dead = link.last_rx + self.opts.keepalive_interval + self.opts.keepalive_grace;
        let mut wake = link.next_ping.min(dead);
        if let Some(sent) = link.ping_sent {
            wake = wake.min(sent + self.opts.keepalive_grace);
        }
        match &link.phase {
            Phase::Registration {
                ref_deadline: Some(d),
                ..
            } => wake = wake.min(*d),
            Phase::LoggedIn {
                connected: false,
                offline_deadline,
            } => wake = wake.min(*offline_deadline),
            _ => {}
        }
        wake
    }

    async fn drive(&mut self, conn: &mut Conn, link: &mut Link) -> Outcome {
        loop {
            let wake = self.next_wake(link);
            let step = tokio::select! {
                r = conn.recv() => match r {
                    Ok(Some(node)) => {
                        link.last_rx = Instant::now();
                        self.on_node(conn, link, node).await
                    }
                    Ok(None) => Some(Outcome::Reconnect(DisconnectReason::ConnectionLost(
                        "closed by the server".into(),
                    ))),
                    Err(Error::BadFrame(e)) => {
                        Some(Outcome::Reconnect(DisconnectReason::BadFrame(e)))
                    }
                    Err(e) => Some(Outcome::Reconnect(DisconnectReason::ConnectionLost(
                        e.to_string(),
                    ))),
                },
                cmd = self.cmds.recv() => match cmd {
                    None => Some(Outcome::Stop(Status::Stopped)),
                    Some(c) => self.on_command(conn, link, c).await,
                },
                _ = tokio::time::sleep_until(wake) => self.on_timer(conn, link).await,
            };
            if let Some(outcome) = step {
                return outcome;
            }
        }
    }

    /// Sends a node; a failed send ends the connection.
    pub(crate) async fn send(&mut self, conn: &mut Conn, node: &Node) -> Option<Outcome> {
        match conn.send(node).await {
            Ok(()) => None,
            Err(e) => Some(Outcome::Reconnect(DisconnectReason::ConnectionLost(
                e.to_string(),
            ))),
        }
    }

    /// Sends an IQ owned by the runtime itself.
    pub(crate) async fn send_iq(
        &mut self,
        conn: &mut Conn,
        link: &mut Link,
        node: Node,
        pending: Pending,
    ) -> Option<Outcome> {
        let id = self.next_id();
        let node = node.with_attr("id", id.clone());
        link.pending.insert(id, pending);
        self.send(conn, &node).await
    }

    async fn on_timer(&mut self, conn: &mut Conn, link: &mut Link) -> Option<Outcome> {
        let now = Instant::now();
        if now >= link.last_rx + self.opts.keepalive_interval + self.opts.keepalive_grace {
            return Some(Outcome::Reconnect(DisconnectReason::KeepaliveTimeout));
        }
        // An unanswered ping means the path lost a stanza (or the server is
        // stuck): reconnect so the server redelivers what was not acked.
        if link
            .ping_sent
            .is_some_and(|t| now >= t + self.opts.keepalive_grace)
        {
            return Some(Outcome::Reconnect(DisconnectReason::KeepaliveTimeout));
        }
        if now >= link.next_ping {
            link.next_ping = now + self.opts.keepalive_interval;
            // Forget IQs whose callers gave up (timed out or dropped).
            link.pending.retain(|_, p| match p {
                Pending::External(r) => !r.is_closed(),
                _ => true,
            });
            let ping = Node::new("iq")
                .with_attr("xmlns", "w:p")
                .with_attr("type", "get")
                .with_attr("to", super::server_jid())
                .with_child(Node::new("ping"));
            if link.ping_sent.is_none() {
                link.ping_sent = Some(now);
            }
            if let Some(o) = self.send_iq(conn, link, ping, Pending::Ping).await {
                return Some(o);
            }
        }
        match &mut link.phase {
            Phase::Registration { .. } => self.on_qr_timer(link),
            Phase::LoggedIn {
                connected,
                offline_deadline,
            } if !*connected && now >= *offline_deadline => {
                *connected = true;
                self.on_connected(0);
                None
            }
            _ => None,
        }
    }

    pub(crate) fn on_connected(&mut self, offline: u32) {
        self.failures = 0;
        self.set_status(Status::Connected);
        self.emit(Event::Connected { offline });
        self.shared
            .appstate
            .trigger(&crate::appstate::Collection::ALL);
    }

    async fn on_command(
        &mut self,
        conn: &mut Conn,
        link: &mut Link,
        cmd: Command,
    ) -> Option<Outcome> {
        match cmd {
            Command::Iq(mut node, reply) => {
                let id = match node.attr_text("id") {
                    Some(id) => id.into_owned(),
                    None => {
                        let id = self.next_id();
                        node.attrs.insert("id", id.clone());
                        id
                    }
                };
                link.pending.insert(id, Pending::External(reply));
                self.send(conn, &node).await
            }
            Command::Send(node, reply) => {
                let res = conn.send(&node).await;
                let failed = res.is_err();
                let _ = reply.send(res);
                failed.then(|| {
                    Outcome::Reconnect(DisconnectReason::ConnectionLost("send failed".into()))
                })
            }
            Command::PairCode(phone, reply) => self.start_pair_code(conn, link, phone, reply).await,
            Command::Disconnect(reply) => {
                let _ = reply.send(());
                Some(Outcome::Stop(Status::Stopped))
            }
            Command::Logout(reply) => {
                let Some(jid) = self.creds.jid.clone() else {
                    let res = self.forget_account(LogoutReason::Requested).await;
                    let _ = reply.send(res);
                    return Some(Outcome::Stop(Status::LoggedOut));
                };
                let node = Node::new("iq")
                    .with_attr("xmlns", "md")
                    .with_attr("type", "set")
                    .with_attr("to", super::server_jid())
                    .with_child(
                        Node::new("remove-companion-device")
                            .with_attr("jid", jid)
                            .with_attr("reason", "user_initiated"),
                    );
                self.send_iq(conn, link, node, Pending::Logout(reply)).await
            }
        }
    }

    /// Deletes the account's state (credentials, keys, sessions) and emits
    /// `LoggedOut`. The next start pairs a new device.
    pub(crate) async fn forget_account(&mut self, reason: LogoutReason) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.reset_account();
        let res = self.store.commit(&self.ctx, batch).await;
        self.creds.jid = None;
        self.creds.lid = None;
        self.emit(Event::LoggedOut { reason });
        res
    }

    /// Applies a login/registration-time change of the credentials.
    pub(crate) async fn save_creds(&mut self, batch: &mut WriteBatch) -> Result<()> {
        // The push name is app state (`setting_pushName`), written by the
        // sync worker: keep the stored one rather than our older copy.
        if let Ok(Some(stored)) = self.store.device(self.ctx.session_id()).await
            && !stored.push_name.is_empty()
        {
            self.creds.push_name = stored.push_name;
        }
        batch.put_device(self.creds.clone());
        self.store.commit(&self.ctx, std::mem::take(batch)).await
    }
}
