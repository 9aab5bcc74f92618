//! Many sessions in one process: [`SessionManager`] starts, stops,
//! restarts, logs out and deletes sessions by id, restores every paired
//! session at startup, and merges their events into one stream tagged with
//! the session id (what the HTTP adapter turns into webhooks).
//!
//! Memory per idle session is one task, one connection and the device
//! credentials; Signal sessions are read from the store when a stanza needs
//! them and not cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use wa_proto::noise::TrustedRoot;
use wa_proto::pair::payload::ClientConfig;

use crate::client::{Client, Event, Options, Status, WHATSAPP_URL};
use crate::store::{CommitContext, Store, WriteBatch};
use crate::{Error, Result};

/// How many sessions [`SessionManager::restore_all`] logs in at once.
pub const RESTORE_IN_FLIGHT: usize = 64;

/// An event of one session.
pub type SessionEvent = (Arc<str>, Event);

/// The merged event stream of a manager.
pub type ManagerEvents = mpsc::UnboundedReceiver<SessionEvent>;

/// How the manager builds each client.
#[derive(Clone, Debug)]
pub struct ClientTemplate {
    /// Chat server URL.
    pub url: String,
    /// Trusted Noise root.
    pub root: TrustedRoot,
    /// Device presentation.
    pub device: ClientConfig,
    /// Runtime options.
    pub options: Options,
}

impl Default for ClientTemplate {
    fn default() -> Self {
        ClientTemplate {
            url: WHATSAPP_URL.to_owned(),
            root: TrustedRoot::whatsapp(),
            device: ClientConfig::default(),
            options: Options::default(),
        }
    }
}

/// Runs many sessions over one store.
pub struct SessionManager {
    store: Arc<dyn Store>,
    template: ClientTemplate,
    sessions: Mutex<HashMap<String, Client>>,
    events: mpsc::UnboundedSender<SessionEvent>,
}

impl std::fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionManager")
            .field("url", &self.template.url)
            .finish_non_exhaustive()
    }
}

impl SessionManager {
    /// A manager with no running session, and its event stream.
    pub fn new(store: Arc<dyn Store>, template: ClientTemplate) -> (Arc<Self>, ManagerEvents) {
        let (tx, rx) = mpsc::unbounded_channel();
        let m = SessionManager {
            store,
            template,
            sessions: Mutex::new(HashMap::new()),
            events: tx,
        };
        (Arc::new(m), rx)
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Client>> {
        self.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The running client of `id`.
    pub fn client(&self, id: &str) -> Option<Client> {
        self.map().get(id).cloned()
    }

    /// The status of `id`: its client's, or `None` if it is not running.
    pub fn status(&self, id: &str) -> Option<Status> {
        self.client(id).map(|c| c.status())
    }

    /// Every running session and its status.
    pub fn list(&self) -> Vec<(String, Status)> {
        let mut v: Vec<_> = self
            .map()
            .iter()
            .map(|(id, c)| (id.clone(), c.status()))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// Starts `id` (creating it in the store if new). A running session is
    /// returned as is, unless its task ended (logged out, stopped, QR
    /// timeout): then it is started again.
    ///
    /// # Errors
    /// Store errors.
    pub async fn start(&self, id: &str) -> Result<Client> {
        if let Some(c) = self.client(id)
            && !is_final(c.status())
        {
            return Ok(c);
        }
        let t = &self.template;
        let (client, mut events) = Client::builder(Arc::clone(&self.store), id)
            .url(t.url.clone())
            .trusted_root(t.root.clone())
            .device(t.device.clone())
            .options(t.options.clone())
            .build()
            .await?;
        let tx = self.events.clone();
        let tag: Arc<str> = Arc::from(id);
        tokio::spawn(async move {
            while let Some(e) = events.recv().await {
                if tx.send((Arc::clone(&tag), e)).is_err() {
                    break;
                }
            }
        });
        let old = self.map().insert(id.to_owned(), client.clone());
        if let Some(old) = old {
            old.disconnect().await;
        }
        Ok(client)
    }

    /// Stops `id` (credentials kept). Returns whether it was running.
    pub async fn stop(&self, id: &str) -> bool {
        let c = self.map().remove(id);
        match c {
            Some(c) => {
                c.disconnect().await;
                true
            }
            None => false,
        }
    }

    /// Stops and starts `id` again.
    ///
    /// # Errors
    /// Store errors.
    pub async fn restart(&self, id: &str) -> Result<Client> {
        self.stop(id).await;
        self.start(id).await
    }

    /// Logs `id` out: unlinks the device if connected and deletes its
    /// credentials and keys (the session id stays registered).
    ///
    /// # Errors
    /// [`Error::SessionNotFound`], store errors.
    pub async fn logout(&self, id: &str) -> Result<()> {
        let c = self.map().remove(id);
        if let Some(c) = c
            && !is_final(c.status())
        {
            return c.logout().await;
        }
        if self.store.session(id).await?.is_none() {
            return Err(Error::SessionNotFound(id.to_owned()));
        }
        let mut batch = WriteBatch::new();
        batch.reset_account();
        self.store.commit(&CommitContext::new(id), batch).await
    }

    /// Logs `id` out and deletes it from the store. Returns whether it
    /// existed.
    ///
    /// # Errors
    /// Store errors.
    pub async fn delete(&self, id: &str) -> Result<bool> {
        match self.logout(id).await {
            Ok(()) | Err(Error::SessionNotFound(_)) => {}
            Err(e) => return Err(e),
        }
        self.store.delete_session(id).await
    }

    /// Starts every stored session that is paired, pacing the logins so
    /// that at most [`RESTORE_IN_FLIGHT`] handshakes run at once (a gateway
    /// restoring thousands of sessions must not flood the server or its own
    /// listen backlog). Returns the ids once every session was started; they
    /// report `Connected` on the event stream as they finish.
    ///
    /// # Errors
    /// Store errors (a session that fails to start is logged and skipped).
    pub async fn restore_all(&self) -> Result<Vec<String>> {
        let gate = Arc::new(tokio::sync::Semaphore::new(RESTORE_IN_FLIGHT));
        let mut started = Vec::new();
        for s in self.store.list_sessions().await? {
            if s.jid.is_none() {
                continue;
            }
            let Ok(permit) = Arc::clone(&gate).acquire_owned().await else {
                break;
            };
            match self.start(&s.id).await {
                Ok(client) => {
                    started.push(s.id);
                    tokio::spawn(async move {
                        let _ = tokio::time::timeout(
                            std::time::Duration::from_secs(10),
                            client.wait_status(|st| {
                                !matches!(st, Status::Starting | Status::Connecting)
                            }),
                        )
                        .await;
                        drop(permit);
                    });
                }
                Err(e) => tracing::warn!(session = s.id, error = %e, "restore failed"),
            }
        }
        Ok(started)
    }

    /// Stops every session.
    pub async fn shutdown(&self) {
        let all: Vec<Client> = self.map().drain().map(|(_, c)| c).collect();
        for c in all {
            c.disconnect().await;
        }
    }
}

/// Whether a status means the session task has ended.
pub fn is_final(s: Status) -> bool {
    matches!(
        s,
        Status::Stopped | Status::LoggedOut | Status::Replaced | Status::QrTimeout
    )
}
