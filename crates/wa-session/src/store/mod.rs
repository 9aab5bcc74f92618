//! Persistence: the [`Store`] trait every backend implements, the
//! [`WriteBatch`] unit of work, the stored values, and the SQLite backend
//! ([`SqliteStore`]).
//!
//! # Crash safety by construction
//!
//! Callers never hold a database transaction. A handler
//!
//! 1. reads what it needs with the async getters (`signal_session`,
//!    `prekey`, `buffered_event`, ...),
//! 2. computes with `wa_proto`'s pure functions (decrypt, ratchet, ...),
//! 3. collects *every* change the stanza caused in one [`WriteBatch`] and
//!    calls [`Store::commit`], which applies it atomically and returns only
//!    once it is durable,
//! 4. and only then acks to the server (or sends the encrypted stanza).
//!
//! A crash before step 3 finishes leaves nothing: the server redelivers, the
//! old keys are still there. A crash after it leaves the message stored with
//! the keys that match it. A redelivery after a crash between commit and ack
//! finds the plaintext in the event buffer ([`Store::buffered_event`]) instead
//! of decrypting twice with a ratchet that has moved on.
//!
//! Each session is driven by one task at a time, so two batches of one
//! session never race on the same records; the store still applies them in
//! the order their `commit` calls reached it.
//!
//! # Backends
//!
//! The trait is object-safe (`Arc<dyn Store>`): the HTTP adapter picks a
//! backend at run time. It assumes nothing SQLite-specific: no row ids, no
//! `INSERT OR REPLACE`; upsert rules are stated per [`WriteOp`]. The shared
//! test suite (`tests/store_suite/`) runs against every backend; the planned
//! PostgreSQL store plugs into it and will carry its lease's fencing token in
//! [`CommitContext`].
//!
//! Getters for a session id that does not exist return `None` or an empty
//! list; [`Store::commit`] for one fails with [`Error::SessionNotFound`].

mod batch;
mod model;
mod outbox;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use wa_proto::jid::Jid;
use wa_proto::keys::PublicKey;
use wa_proto::signal::{
    PreKey, ProtocolAddress, SenderKeyName, SenderKeyRecord, SessionRecord, SignedPreKey,
};

pub use batch::{WriteBatch, WriteOp};
pub use model::{
    AckLevel, AppStateSyncKey, AppStateVersion, Chat, ChatPatch, Contact, ContactPatch,
    DeviceCredentials, Label, MediaInfo, MessageQuery, MutationMac, SessionInfo, StoredMessage,
    UnreadUpdate,
};
pub use outbox::{CiphertextKind, NewOutboxEntry, OutboxCiphertext, OutboxEntry, OutboxState};
pub use sqlite::{SqliteOptions, SqliteStore, Synchronous};

#[allow(unused_imports)] // rustdoc links
use crate::Error;
use crate::Result;

/// Prekey ids are 24-bit on the wire; allocation wraps within `1..=MAX_PREKEY_ID`.
pub const MAX_PREKEY_ID: u32 = 0x00ff_ffff;

/// Who is writing: the session, and (with the PostgreSQL store) the fencing
/// token of the lease the writer holds, checked on every commit so a node
/// that lost its lease cannot write. Create one per running session and
/// pass it to every [`Store::commit`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitContext {
    session_id: Arc<str>,
}

impl CommitContext {
    /// The context for writes to `session_id`.
    pub fn new(session_id: impl Into<Arc<str>>) -> Self {
        Self {
            session_id: session_id.into(),
        }
    }

    /// The session written to.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }
}

/// The persistence of every session of a gateway. See the module docs for
/// the unit-of-work rule.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    // ----- sessions -------------------------------------------------------

    /// Registers a new session id.
    ///
    /// # Errors
    /// [`Error::SessionExists`] if it is taken, [`Error::InvalidValue`] for an
    /// empty id.
    async fn create_session(&self, session_id: &str) -> Result<()>;

    /// Every registered session, ordered by id.
    async fn list_sessions(&self) -> Result<Vec<SessionInfo>>;

    /// One session's registration, if it exists.
    async fn session(&self, session_id: &str) -> Result<Option<SessionInfo>>;

    /// Deletes a session and every row that belongs to it. Returns whether it
    /// existed.
    async fn delete_session(&self, session_id: &str) -> Result<bool>;

    // ----- writes ---------------------------------------------------------

    /// Applies `batch` atomically (all of it or none of it) to the session of
    /// `ctx`, and returns once it is durable. See [`WriteBatch`] for the
    /// upsert and error rules of each operation.
    ///
    /// Batches reach the store in the order of their `commit` calls and are
    /// applied in that order. Dropping the returned future does not cancel
    /// the commit: it may still be applied.
    async fn commit(&self, ctx: &CommitContext, batch: WriteBatch) -> Result<()>;

    /// Allocates `count` fresh one-time prekey ids. The allocation is
    /// durable before this returns: an id handed out is never handed out
    /// again, even if the caller crashes before storing its key. Ids wrap
    /// within `1..=`[`MAX_PREKEY_ID`].
    async fn allocate_prekey_ids(&self, ctx: &CommitContext, count: u32) -> Result<Vec<u32>>;

    // ----- device and Signal state ----------------------------------------

    /// The device credentials, once stored.
    async fn device(&self, session_id: &str) -> Result<Option<DeviceCredentials>>;

    /// The Signal session record with a peer device.
    async fn signal_session(
        &self,
        session_id: &str,
        address: &ProtocolAddress,
    ) -> Result<Option<SessionRecord>>;

    /// The session records with several peer devices (those that exist).
    async fn signal_sessions(
        &self,
        session_id: &str,
        addresses: &[ProtocolAddress],
    ) -> Result<Vec<(ProtocolAddress, SessionRecord)>>;

    /// The session records with every device of one user (address name),
    /// ordered by device.
    async fn signal_sessions_of(
        &self,
        session_id: &str,
        name: &str,
    ) -> Result<Vec<(ProtocolAddress, SessionRecord)>>;

    /// A peer device's identity key.
    async fn identity(
        &self,
        session_id: &str,
        address: &ProtocolAddress,
    ) -> Result<Option<PublicKey>>;

    /// A one-time prekey by id (absent once consumed).
    async fn prekey(&self, session_id: &str, id: u32) -> Result<Option<PreKey>>;

    /// Prekeys not yet uploaded, lowest id first.
    async fn unuploaded_prekeys(&self, session_id: &str, limit: u32) -> Result<Vec<PreKey>>;

    /// How many uploaded prekeys are still unconsumed.
    async fn uploaded_prekey_count(&self, session_id: &str) -> Result<u32>;

    /// A signed prekey by id.
    async fn signed_prekey(&self, session_id: &str, id: u32) -> Result<Option<SignedPreKey>>;

    /// The current signed prekey: the one with the highest id.
    async fn latest_signed_prekey(&self, session_id: &str) -> Result<Option<SignedPreKey>>;

    /// A sender key record.
    async fn sender_key(
        &self,
        session_id: &str,
        name: &SenderKeyName,
    ) -> Result<Option<SenderKeyRecord>>;

    // ----- app state --------------------------------------------------------

    /// An app-state sync key by id.
    async fn app_state_sync_key(
        &self,
        session_id: &str,
        key_id: &[u8],
    ) -> Result<Option<AppStateSyncKey>>;

    /// The newest app-state sync key (highest timestamp).
    async fn latest_app_state_sync_key(&self, session_id: &str) -> Result<Option<AppStateSyncKey>>;

    /// A collection's version and LTHash.
    async fn app_state_version(
        &self,
        session_id: &str,
        collection: &str,
    ) -> Result<Option<AppStateVersion>>;

    /// The value MAC stored for an index MAC in a collection.
    async fn app_state_value_mac(
        &self,
        session_id: &str,
        collection: &str,
        index_mac: &[u8],
    ) -> Result<Option<Vec<u8>>>;

    // ----- contacts, chats, labels -----------------------------------------

    /// One contact.
    async fn contact(&self, session_id: &str, jid: &Jid) -> Result<Option<Contact>>;

    /// Every contact, ordered by JID.
    async fn contacts(&self, session_id: &str) -> Result<Vec<Contact>>;

    /// One chat.
    async fn chat(&self, session_id: &str, jid: &Jid) -> Result<Option<Chat>>;

    /// Every chat, newest activity first (chats without messages last).
    async fn chats(&self, session_id: &str) -> Result<Vec<Chat>>;

    /// The chats carrying a label, newest activity first.
    async fn chats_with_label(&self, session_id: &str, label: &str) -> Result<Vec<Chat>>;

    /// Every label, ordered by id.
    async fn labels(&self, session_id: &str) -> Result<Vec<Label>>;

    // ----- messages ---------------------------------------------------------

    /// One message.
    async fn message(
        &self,
        session_id: &str,
        chat: &Jid,
        id: &str,
    ) -> Result<Option<StoredMessage>>;

    /// The newest `query.limit` messages matching `query`, oldest first.
    async fn messages(&self, session_id: &str, query: &MessageQuery) -> Result<Vec<StoredMessage>>;

    // ----- outbox -------------------------------------------------------------

    /// One outbox entry with its ciphertexts.
    async fn outbox_entry(&self, session_id: &str, id: &str) -> Result<Option<OutboxEntry>>;

    /// Entries in any of `states`, in acceptance order, at most `limit`.
    async fn outbox_by_state(
        &self,
        session_id: &str,
        states: &[OutboxState],
        limit: u32,
    ) -> Result<Vec<OutboxEntry>>;

    /// What a restarted client must resume: entries `accepted`, `encrypted`
    /// or `sent`, in acceptance order, at most `limit`.
    async fn outbox_pending(&self, session_id: &str, limit: u32) -> Result<Vec<OutboxEntry>> {
        self.outbox_by_state(session_id, &OutboxState::PENDING, limit)
            .await
    }

    // ----- LID map, event buffer ------------------------------------------

    /// The LID user mapped to a phone-number user.
    async fn lid_for_pn(&self, session_id: &str, pn: &Jid) -> Result<Option<Jid>>;

    /// The phone-number user mapped to a LID user.
    async fn pn_for_lid(&self, session_id: &str, lid: &Jid) -> Result<Option<Jid>>;

    /// The stored decryption result for a ciphertext hash (decrypt-once).
    async fn buffered_event(&self, session_id: &str, hash: &[u8; 32]) -> Result<Option<Vec<u8>>>;
}
