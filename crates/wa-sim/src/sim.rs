//! Starting a simulator and the in-process API ([`SimHandle`]) that mirrors
//! the HTTP control API.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;
use wa_proto::jid::{Jid, Server};
use wa_proto::keys::KeyPair;

use crate::config::SimConfig;
use crate::error::{Error, Result};
use crate::faults::{FaultSettings, Faults};
use crate::pairing::{self, LinkResult};
use crate::persist::{self, KeyFile};
use crate::phone::InboxEntry;
use crate::phone::send::{send, text};
use crate::world::World;
use crate::world::account::Family;
use crate::world::conns::Out;

/// How long a link request waits for the companion to finish pairing.
pub const LINK_TIMEOUT: Duration = Duration::from_secs(20);

/// How long `link-code` waits for the companion's `companion_hello`.
pub const CODE_HELLO_WAIT: Duration = Duration::from_secs(5);

/// Unix time in seconds.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The server's long-term keys.
#[derive(Debug)]
pub(crate) struct SimKeys {
    pub(crate) root: KeyPair,
    pub(crate) server_static: KeyPair,
    /// The encoded `CertChain` certifying `server_static`.
    pub(crate) cert_chain: Vec<u8>,
    pub(crate) ca_cert_pem: String,
}

/// State shared by the accept loop, connections and the control API.
#[derive(Debug)]
pub(crate) struct Shared {
    world: Mutex<World>,
    pub(crate) keys: SimKeys,
    pub(crate) faults: Faults,
    pub(crate) shutdown: watch::Sender<bool>,
    pub(crate) addr: SocketAddr,
    pub(crate) data_dir: Option<std::path::PathBuf>,
}

impl Shared {
    /// Locks the world (a poisoned lock is taken over: handlers never leave
    /// the world half-updated across a panic they could not have).
    pub(crate) fn lock(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What `GET /sim/info` returns.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SimInfo {
    /// Root public key of the Noise certificate chain (32 bytes, hex).
    pub root_public_key_hex: String,
    /// The CA that signs the TLS certificate (PEM).
    pub ca_pem: String,
    /// `ws://HOST:PORT/ws/chat`.
    pub ws_url: String,
    /// `HOST:PORT`.
    pub addr: String,
    /// `https://HOST:PORT` (media).
    pub https_url: String,
}

/// What `GET /sim/stats` returns.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct SimStats {
    /// Live websocket connections (registering or logged in).
    pub connections: usize,
    /// Accounts.
    pub accounts: usize,
    /// Linked companion devices over all accounts.
    pub companions: usize,
    /// Ciphertexts the virtual phones failed to decrypt since start (each
    /// answered with a retry receipt).
    pub phone_decrypt_failures: u64,
}

/// A new account's JIDs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AccountInfo {
    /// Phone-number JID.
    pub jid: String,
    /// LID JID.
    pub lid: String,
}

/// The simulator entry point.
#[derive(Debug)]
pub struct Sim;

impl Sim {
    /// Binds `config.listen`, restores state from `config.data_dir` if any,
    /// and serves until [`SimHandle::shutdown`].
    pub async fn start(config: SimConfig) -> Result<SimHandle> {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let key_file = match &config.data_dir {
            Some(dir) => persist::load_or_create_keys(dir)?,
            None => KeyFile::generate()?,
        };
        let keys = key_file.sim_keys()?;
        let tls = crate::net::tls::server_config(&key_file.ca_key_pem)?;
        let mut world = World::new(config.seed, addr.to_string());
        if let Some(dir) = &config.data_dir
            && let Some(snap) = persist::load_snapshot(dir)?
        {
            world.restore(snap);
        }
        if let Some(dir) = &config.data_dir {
            world.media.persist_to(dir.clone())?;
        }
        let (shutdown, shutdown_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            keys,
            faults: Faults::default(),
            shutdown,
            addr,
            data_dir: config.data_dir.clone(),
        });
        let handle = SimHandle { shared };
        let router = crate::control::router(handle.clone());
        tokio::spawn(crate::net::listener::serve(
            listener,
            router,
            tls,
            shutdown_rx,
        ));
        if let Some(dir) = config.data_dir {
            tokio::spawn(persist::writer(handle.shared.clone(), dir));
        }
        Ok(handle)
    }
}

/// A running simulator. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SimHandle {
    pub(crate) shared: Arc<Shared>,
}

impl SimHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// `ws://HOST:PORT/ws/chat`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws/chat", self.shared.addr)
    }

    /// The Noise root public key clients must trust.
    pub fn root_public_key(&self) -> [u8; 32] {
        *self.shared.keys.root.public.as_bytes()
    }

    /// The PEM of the CA that signs the sim's TLS certificate.
    pub fn ca_pem(&self) -> String {
        self.shared.keys.ca_cert_pem.clone()
    }

    /// Everything a client needs to connect.
    pub fn info(&self) -> SimInfo {
        SimInfo {
            root_public_key_hex: hex::encode(self.root_public_key()),
            ca_pem: self.ca_pem(),
            ws_url: self.ws_url(),
            addr: self.addr().to_string(),
            https_url: format!("https://{}", self.addr()),
        }
    }

    /// Runs `f` on the world (for tests and extension modules).
    #[doc(hidden)]
    pub fn with_world<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        f(&mut self.shared.lock())
    }

    /// Creates an account with a virtual phone.
    pub fn create_account(&self, phone: &str, name: &str) -> Result<AccountInfo> {
        let mut world = self.shared.lock();
        let a = world.create_account(phone, name, now())?;
        Ok(AccountInfo {
            jid: a.user_jid(Family::Pn).to_string(),
            lid: a.user_jid(Family::Lid).to_string(),
        })
    }

    /// The phone of `phone` scans a companion's QR string; resolves to the
    /// new device JID once the companion confirmed.
    pub async fn link_qr(&self, phone: &str, qr: &str) -> Result<Jid> {
        let rx = pairing::link_qr(&mut self.shared.lock(), phone, qr, now())?;
        wait_link(rx).await
    }

    /// The phone of `phone` enters a pairing code (dash optional).
    pub async fn link_code(&self, phone: &str, code: &str) -> Result<Jid> {
        // The companion's `companion_hello` may still be in flight when the
        // code is entered (Baileys does not await it): wait for it briefly.
        let deadline = tokio::time::Instant::now() + CODE_HELLO_WAIT;
        let (conn, wrapped) = loop {
            let found = {
                let mut world = self.shared.lock();
                match pairing::code_waiting(&mut world, phone) {
                    Err(Error::NotFound(_))
                        if tokio::time::Instant::now() < deadline
                            && world.conns.registrations_mut().next().is_some() =>
                    {
                        None
                    }
                    other => Some(other),
                }
            };
            if let Some(found) = found {
                break found?;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let code = code.to_owned();
        let phone_side = tokio::task::spawn_blocking(move || pairing::code_unwrap(&code, &wrapped))
            .await
            .map_err(|_| Error::Shutdown)??;
        let rx = pairing::link_code(&mut self.shared.lock(), conn, phone_side, now())?;
        wait_link(rx).await
    }

    /// The phone of `phone` sends a text to `to` (a JID or digits); returns
    /// the message id.
    pub fn send_text(&self, phone: &str, to: &str, body: &str) -> Result<String> {
        let to = parse_recipient(to)?;
        send(&mut self.shared.lock(), phone, &to, &text(body), now())
    }

    /// The phone of `phone` sends an image (encrypted and stored on the
    /// sim's media server) with an optional caption; returns the message id.
    pub fn send_image(
        &self,
        phone: &str,
        to: &str,
        image: &[u8],
        mimetype: &str,
        caption: &str,
    ) -> Result<String> {
        let to = parse_recipient(to)?;
        let mut world = self.shared.lock();
        if world.account(phone).is_none() {
            return Err(Error::NotFound(format!("account {phone}")));
        }
        let out = crate::phone::media::image(&mut world, image, mimetype, caption, now());
        send(&mut world, phone, &to, &out, now())
    }

    /// The phone of `phone` sends `history` to each of its companions as a
    /// downloadable history-sync chunk (deflated, encrypted, stored on the
    /// media server, announced by a peer `HISTORY_SYNC_NOTIFICATION`);
    /// returns the number of companions.
    pub fn send_history_sync(
        &self,
        phone: &str,
        history: &wa_proto::proto::wa::HistorySync,
    ) -> Result<usize> {
        crate::phone::history::send_blob(&mut self.shared.lock(), phone, history, now())
    }

    /// What the phone of `phone` received, oldest first.
    pub fn inbox(&self, phone: &str) -> Result<Vec<InboxEntry>> {
        let world = self.shared.lock();
        let a = world
            .account(phone)
            .ok_or_else(|| Error::NotFound(format!("account {phone}")))?;
        Ok(a.phone_dev.inbox().to_vec())
    }

    /// Unlinks companion `device` of `phone`.
    pub fn unlink(&self, phone: &str, device: u16) -> Result<()> {
        let mut world = self.shared.lock();
        let exists = world
            .account(phone)
            .is_some_and(|a| a.devices.contains_key(&device));
        if !exists {
            return Err(Error::NotFound(format!("device {phone}:{device}")));
        }
        pairing::remove_companion(
            &mut world,
            &crate::world::conns::Addr::new(phone, device),
            now(),
            None,
        );
        Ok(())
    }

    /// Registers a companion of `phone` from its public keys, without a
    /// pairing connection (see [`crate::provision`]).
    pub fn provision_device(
        &self,
        phone: &str,
        keys: crate::provision::CompanionKeys,
    ) -> Result<crate::provision::Provisioned> {
        crate::provision::provision(&mut self.shared.lock(), phone, keys, now())
    }

    /// Counts of live connections, accounts and companions.
    pub fn stats(&self) -> SimStats {
        let world = self.shared.lock();
        SimStats {
            connections: world.conns.len(),
            accounts: world.accounts.len(),
            companions: world.accounts.values().map(|a| a.devices.len()).sum(),
            phone_decrypt_failures: world.phone_decrypt_failures,
        }
    }

    /// Current fault settings.
    pub fn faults(&self) -> FaultSettings {
        self.shared.faults.get()
    }

    /// Sets frame delay and drop rate.
    pub fn set_faults(&self, s: FaultSettings) {
        self.shared.faults.set(s);
    }

    /// Clears all faults.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Closes every client connection (a plain websocket close).
    pub fn drop_connections(&self) -> usize {
        let world = self.shared.lock();
        let ids = world.conns.ids();
        for id in &ids {
            world.conns.send(*id, Out::Close(None));
        }
        ids.len()
    }

    /// Number of live connections.
    pub fn connection_count(&self) -> usize {
        self.shared.lock().conns.len()
    }

    /// Stops accepting, closes every connection and writes the final
    /// snapshot (with `--data`).
    pub async fn shutdown(&self) {
        let _ = self.shared.shutdown.send(true);
        tokio::time::sleep(Duration::from_millis(50)).await;
        persist::flush(&self.shared).await;
    }
}

async fn wait_link(rx: tokio::sync::oneshot::Receiver<LinkResult>) -> Result<Jid> {
    match tokio::time::timeout(LINK_TIMEOUT, rx).await {
        Err(_) => Err(Error::Timeout(
            "the companion did not confirm pairing".into(),
        )),
        Ok(Err(_)) => Err(Error::Conflict(
            "the companion disconnected during pairing".into(),
        )),
        Ok(Ok(Err(e))) => Err(Error::Conflict(format!("pairing failed: {e}"))),
        Ok(Ok(Ok(jid))) => Ok(jid),
    }
}

/// A recipient as the control API takes it: a JID, or digits for a phone
/// number (`+` and `@c.us` accepted).
pub fn parse_recipient(to: &str) -> Result<Jid> {
    let to = to.trim().trim_start_matches('+');
    if !to.is_empty() && to.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Jid::pn(to));
    }
    let jid = Jid::parse(to).map_err(|e| Error::BadRequest(format!("bad recipient: {e}")))?;
    match jid.server {
        Server::Pn | Server::Lid | Server::Group | Server::Broadcast => Ok(jid),
        _ => Err(Error::BadRequest(format!("unsupported recipient {to}"))),
    }
}

impl SimHandle {
    /// Creates a group owned (superadmin) by `owner` with `participants`
    /// (phone numbers or JIDs); members' companions get the `<create>`
    /// notification. `pn_addressing` makes a PN-addressed group (LID by
    /// default, as new real groups). Returns the group JID.
    pub fn create_group(
        &self,
        owner: &str,
        subject: &str,
        participants: &[String],
        pn_addressing: bool,
    ) -> Result<String> {
        let mut world = self.shared.lock();
        let mut phones = Vec::new();
        for p in participants {
            let jid = parse_recipient(p)?;
            let phone = world
                .phone_of(&jid)
                .ok_or_else(|| Error::NotFound(format!("account {p}")))?
                .to_owned();
            if phone != owner && !phones.contains(&phone) {
                phones.push(phone);
            }
        }
        let now = now();
        let id = world.create_group(
            &crate::world::groups::NewGroup {
                owner,
                subject,
                participants: &phones,
                addressing: if pn_addressing {
                    Family::Pn
                } else {
                    Family::Lid
                },
            },
            now,
        )?;
        let g = world
            .group(&id)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("group {id}")))?;
        crate::handler::groups::iq::announce_create(
            &mut world,
            &g,
            &crate::handler::groups::node::Actor::phone(owner),
            None,
            now,
        );
        Ok(g.jid().to_string())
    }

    /// The control API view of a group (`<id>@g.us` or the bare id).
    pub fn group_info(&self, jid: &str) -> Result<crate::world::groups::GroupInfo> {
        let id = jid.trim().trim_end_matches("@g.us");
        self.shared
            .lock()
            .group_info(id)
            .ok_or_else(|| Error::NotFound(format!("group {jid}")))
    }
}
