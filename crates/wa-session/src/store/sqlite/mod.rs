//! The SQLite backend: one database file for every session of the gateway.
//!
//! * **One file, one writer.** 10 000 sessions in one process must not mean
//!   10 000 connections, page caches and file descriptors. All sessions live
//!   in one file, keyed by `session_id`. One connection writes, on a
//!   dedicated thread, with group commit (see `writer`); a small pool of
//!   read-only connections serves the getters. SQLite allows one writer at a
//!   time anyway, so a single writer connection loses nothing and never sees
//!   `SQLITE_BUSY` from its own process.
//! * **WAL**, so readers never block the writer nor the writer the readers;
//!   checkpoints run on their own thread (`checkpoint`), never inside a
//!   commit.
//! * **`synchronous`**: [`Synchronous::Full`] by default: each group commit
//!   syncs the WAL, so a commit that returned survives power loss, not only
//!   a process crash. Measured on a 2-vCPU VM: 5 300 commits/s with 100
//!   concurrent callers (8 100 with `NORMAL`), 240/s for one caller
//!   committing back to back (2 800 with `NORMAL`). The reasoning is in
//!   `docs/architecture.md` § Store; [`Synchronous::Normal`] is available
//!   for disposable deployments.
//! * `foreign_keys=ON` (deleting a session cascades), a `busy_timeout` for
//!   other processes touching the file (backups, a second gateway by
//!   mistake), versioned migrations (`schema`).
//! * **Bounded memory**: the store caches nothing per session; memory is the
//!   page caches of `readers + 2` connections ([`SqliteOptions`]).
//!
//! Getters run on tokio's blocking pool, so the store must be used from
//! within a tokio runtime. [`SqliteStore::open`] blocks (it migrates).

mod apply;
mod apply_more;
mod checkpoint;
mod codec;
mod device_cache;
mod pool;
mod read;
mod read_more;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::Connection;
use wa_proto::jid::Jid;
use wa_proto::keys::PublicKey;
use wa_proto::signal::{
    PreKey, ProtocolAddress, SenderKeyName, SenderKeyRecord, SessionRecord, SignedPreKey,
};

use self::pool::Readers;
use self::writer::{Request, Writer};
use super::{
    AppStateSyncKey, AppStateVersion, Chat, CommitContext, Contact, DeviceCredentials, Label,
    MessageQuery, OutboxEntry, OutboxState, SessionInfo, Store, StoredMessage, WriteBatch,
};
use crate::Result;

#[doc(hidden)]
pub use self::apply::SESSION_TABLES;
#[doc(hidden)]
pub use self::schema::{LATEST_VERSION as SCHEMA_VERSION, MIGRATIONS};

/// SQLite's `synchronous` setting for the write connection (WAL mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Synchronous {
    /// Sync the WAL at every commit: a returned commit survives power loss.
    Full,
    /// Sync only at checkpoints: a returned commit survives a process crash;
    /// power loss may roll back the last commits (never corrupts).
    Normal,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Normal => "NORMAL",
        }
    }
}

/// Tuning of a [`SqliteStore`].
#[derive(Clone, Debug)]
pub struct SqliteOptions {
    /// Durability of commits (default [`Synchronous::Full`]).
    pub synchronous: Synchronous,
    /// Read-only connections in the pool (default 4).
    pub readers: usize,
    /// How long to wait for a lock held by another process (default 5 s).
    pub busy_timeout: Duration,
    /// Page cache per connection in KiB (default 8 MiB).
    pub page_cache_kib: u32,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            synchronous: Synchronous::Full,
            readers: 4,
            busy_timeout: Duration::from_secs(5),
            page_cache_kib: 8 * 1024,
        }
    }
}

/// The SQLite [`Store`]. See the module docs.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    writer: Writer,
    readers: Arc<Readers>,
    devices: device_cache::DeviceCache,
    _checkpointer: checkpoint::Checkpointer,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, migrates it to the
    /// current schema and starts the writer thread. Blocks.
    ///
    /// # Errors
    /// [`crate::Error::SchemaTooNew`] for a file written by a newer build,
    /// [`crate::Error::Migration`] or [`crate::Error::Database`] otherwise.
    pub fn open(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut conn = pool::open_writer(&path, &options)?;
        schema::migrate(&mut conn)?;
        let writer = Writer::spawn(conn)?;
        let checkpointer = checkpoint::Checkpointer::spawn(&path, &options)?;
        let readers = Readers::new(path.clone(), options);
        Ok(Self {
            path,
            writer,
            readers,
            devices: device_cache::DeviceCache::default(),
            _checkpointer: checkpointer,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Finishes the queued writes and stops the writer thread.
    pub async fn close(self) {
        let Self { writer, .. } = self;
        let _ = tokio::task::spawn_blocking(move || writer.shutdown()).await;
    }

    /// Runs a read on the pool.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        self.readers.read(f).await
    }
}

/// Milliseconds since the Unix epoch.

#[async_trait]
impl Store for SqliteStore {
    async fn create_session(&self, session_id: &str) -> Result<()> {
        let session = session_id.to_owned();
        let r = self
            .writer
            .call(|reply| Request::Create {
                session,
                created_at_ms: crate::clock::now_ms(),
                reply,
            })
            .await;
        self.devices.invalidate(session_id);
        r
    }

    async fn list_sessions(&self) -> Result<Vec<SessionInfo>> {
        self.read(read::list_sessions).await
    }

    async fn session(&self, session_id: &str) -> Result<Option<SessionInfo>> {
        let sid = session_id.to_owned();
        self.read(move |c| read::session(c, &sid)).await
    }

    async fn delete_session(&self, session_id: &str) -> Result<bool> {
        let session = session_id.to_owned();
        let r = self
            .writer
            .call(|reply| Request::Delete { session, reply })
            .await;
        self.devices.invalidate(session_id);
        r
    }

    async fn commit(&self, ctx: &CommitContext, batch: WriteBatch) -> Result<()> {
        let session = Arc::clone(&ctx.session_id);
        let touches_device = device_cache::DeviceCache::touched_by(&batch);
        let r = self
            .writer
            .call(|reply| Request::Commit {
                session,
                batch,
                reply,
            })
            .await;
        if touches_device {
            self.devices.invalidate(&ctx.session_id);
        }
        r
    }

    async fn allocate_prekey_ids(&self, ctx: &CommitContext, count: u32) -> Result<Vec<u32>> {
        let session = Arc::clone(&ctx.session_id);
        self.writer
            .call(|reply| Request::AllocatePreKeys {
                session,
                count,
                reply,
            })
            .await
    }

    async fn device(&self, session_id: &str) -> Result<Option<DeviceCredentials>> {
        let generation = match self.devices.get(session_id) {
            Ok(creds) => return Ok(Some(creds)),
            Err(generation) => generation,
        };
        let sid = session_id.to_owned();
        let found = self.read(move |c| read::device(c, &sid)).await?;
        if let Some(creds) = &found {
            self.devices.fill(session_id, generation, creds);
        }
        Ok(found)
    }

    async fn signal_session(
        &self,
        session_id: &str,
        address: &ProtocolAddress,
    ) -> Result<Option<SessionRecord>> {
        let (sid, a) = (session_id.to_owned(), address.clone());
        self.read(move |c| read::signal_session(c, &sid, &a)).await
    }

    async fn signal_sessions(
        &self,
        session_id: &str,
        addresses: &[ProtocolAddress],
    ) -> Result<Vec<(ProtocolAddress, SessionRecord)>> {
        let (sid, list) = (session_id.to_owned(), addresses.to_vec());
        self.read(move |c| {
            let mut out = Vec::with_capacity(list.len());
            for a in list {
                if let Some(r) = read::signal_session(c, &sid, &a)? {
                    out.push((a, r));
                }
            }
            Ok(out)
        })
        .await
    }

    async fn signal_sessions_of(
        &self,
        session_id: &str,
        name: &str,
    ) -> Result<Vec<(ProtocolAddress, SessionRecord)>> {
        let (sid, name) = (session_id.to_owned(), name.to_owned());
        self.read(move |c| read::signal_sessions_of(c, &sid, &name))
            .await
    }

    async fn identity(
        &self,
        session_id: &str,
        address: &ProtocolAddress,
    ) -> Result<Option<PublicKey>> {
        let (sid, a) = (session_id.to_owned(), address.clone());
        self.read(move |c| read::identity(c, &sid, &a)).await
    }

    async fn prekey(&self, session_id: &str, id: u32) -> Result<Option<PreKey>> {
        let sid = session_id.to_owned();
        self.read(move |c| read::prekey(c, &sid, id)).await
    }

    async fn unuploaded_prekeys(&self, session_id: &str, limit: u32) -> Result<Vec<PreKey>> {
        let sid = session_id.to_owned();
        self.read(move |c| read::unuploaded_prekeys(c, &sid, limit))
            .await
    }

    async fn uploaded_prekey_count(&self, session_id: &str) -> Result<u32> {
        let sid = session_id.to_owned();
        self.read(move |c| read::uploaded_prekey_count(c, &sid))
            .await
    }

    async fn signed_prekey(&self, session_id: &str, id: u32) -> Result<Option<SignedPreKey>> {
        let sid = session_id.to_owned();
        self.read(move |c| read::signed_prekey(c, &sid, id)).await
    }

    async fn latest_signed_prekey(&self, session_id: &str) -> Result<Option<SignedPreKey>> {
        let sid = session_id.to_owned();
        self.read(move |c| read::latest_signed_prekey(c, &sid))
            .await
    }

    async fn sender_key(
        &self,
        session_id: &str,
        name: &SenderKeyName,
    ) -> Result<Option<SenderKeyRecord>> {
        let (sid, k) = (session_id.to_owned(), name.clone());
        self.read(move |c| read::sender_key(c, &sid, &k)).await
    }

    async fn app_state_sync_key(
        &self,
        session_id: &str,
        key_id: &[u8],
    ) -> Result<Option<AppStateSyncKey>> {
        let (sid, k) = (session_id.to_owned(), key_id.to_vec());
        self.read(move |c| read::app_state_sync_key(c, &sid, &k))
            .await
    }

    async fn latest_app_state_sync_key(&self, session_id: &str) -> Result<Option<AppStateSyncKey>> {
        let sid = session_id.to_owned();
        self.read(move |c| read::latest_app_state_sync_key(c, &sid))
            .await
    }

    async fn app_state_version(
        &self,
        session_id: &str,
        collection: &str,
    ) -> Result<Option<AppStateVersion>> {
        let (sid, name) = (session_id.to_owned(), collection.to_owned());
        self.read(move |c| read::app_state_version(c, &sid, &name))
            .await
    }

    async fn app_state_value_mac(
        &self,
        session_id: &str,
        collection: &str,
        index_mac: &[u8],
    ) -> Result<Option<Vec<u8>>> {
        let (sid, name, mac) = (
            session_id.to_owned(),
            collection.to_owned(),
            index_mac.to_vec(),
        );
        self.read(move |c| read::app_state_value_mac(c, &sid, &name, &mac))
            .await
    }

    async fn contact(&self, session_id: &str, jid: &Jid) -> Result<Option<Contact>> {
        let (sid, jid) = (session_id.to_owned(), jid.clone());
        self.read(move |c| read_more::contact(c, &sid, &jid)).await
    }

    async fn contacts(&self, session_id: &str) -> Result<Vec<Contact>> {
        let sid = session_id.to_owned();
        self.read(move |c| read_more::contacts(c, &sid)).await
    }

    async fn chat(&self, session_id: &str, jid: &Jid) -> Result<Option<Chat>> {
        let (sid, jid) = (session_id.to_owned(), jid.clone());
        self.read(move |c| read_more::chat(c, &sid, &jid)).await
    }

    async fn chats(&self, session_id: &str) -> Result<Vec<Chat>> {
        let sid = session_id.to_owned();
        self.read(move |c| read_more::chats(c, &sid)).await
    }

    async fn chats_with_label(&self, session_id: &str, label: &str) -> Result<Vec<Chat>> {
        let (sid, label) = (session_id.to_owned(), label.to_owned());
        self.read(move |c| read_more::chats_with_label(c, &sid, &label))
            .await
    }

    async fn labels(&self, session_id: &str) -> Result<Vec<Label>> {
        let sid = session_id.to_owned();
        self.read(move |c| read_more::labels(c, &sid)).await
    }

    async fn message(
        &self,
        session_id: &str,
        chat: &Jid,
        id: &str,
    ) -> Result<Option<StoredMessage>> {
        let (sid, chat, id) = (session_id.to_owned(), chat.clone(), id.to_owned());
        self.read(move |c| read_more::message(c, &sid, &chat, &id))
            .await
    }

    async fn messages(&self, session_id: &str, query: &MessageQuery) -> Result<Vec<StoredMessage>> {
        let (sid, q) = (session_id.to_owned(), query.clone());
        self.read(move |c| read_more::messages(c, &sid, &q)).await
    }

    async fn outbox_entry(&self, session_id: &str, id: &str) -> Result<Option<OutboxEntry>> {
        let (sid, id) = (session_id.to_owned(), id.to_owned());
        self.read(move |c| read_more::outbox_entry(c, &sid, &id))
            .await
    }

    async fn outbox_by_state(
        &self,
        session_id: &str,
        states: &[OutboxState],
        limit: u32,
    ) -> Result<Vec<OutboxEntry>> {
        let (sid, states) = (session_id.to_owned(), states.to_vec());
        self.read(move |c| read_more::outbox_by_state(c, &sid, &states, limit))
            .await
    }

    async fn lid_for_pn(&self, session_id: &str, pn: &Jid) -> Result<Option<Jid>> {
        let (sid, pn) = (session_id.to_owned(), pn.clone());
        self.read(move |c| read_more::lid_for_pn(c, &sid, &pn))
            .await
    }

    async fn pn_for_lid(&self, session_id: &str, lid: &Jid) -> Result<Option<Jid>> {
        let (sid, lid) = (session_id.to_owned(), lid.clone());
        self.read(move |c| read_more::pn_for_lid(c, &sid, &lid))
            .await
    }

    async fn buffered_event(&self, session_id: &str, hash: &[u8; 32]) -> Result<Option<Vec<u8>>> {
        let (sid, hash) = (session_id.to_owned(), *hash);
        self.read(move |c| read_more::buffered_event(c, &sid, &hash))
            .await
    }
}
