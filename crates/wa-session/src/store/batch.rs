//! [`WriteBatch`]: one unit of work, applied atomically by
//! [`crate::store::Store::commit`].
//!
//! A batch is a plain value listing changes ([`WriteOp`]). Handlers read what
//! they need, compute with `wa_proto`'s pure functions, collect every change
//! the stanza caused into one batch (new Signal session record, consumed
//! prekey, the decrypted message row, the event-buffer entry, the outbox
//! transition...) and commit it. No transaction is ever held across an
//! `.await`. Operations apply in order, so a later one sees an earlier one
//! (an `encrypted` transition after the `accept` of the same entry works).
//!
//! Upserts are the store's business: `put_*` creates or replaces, `patch_*`
//! changes only the given fields, `delete_*` of something absent is not an
//! error. Errors fail the whole batch: a duplicate outbox id, a forbidden
//! outbox transition, a label reference to an unknown label, a commit for an
//! unknown session.

use wa_proto::appstate::LtHash;
use wa_proto::jid::Jid;
use wa_proto::keys::PublicKey;
use wa_proto::signal::{
    PreKey, ProtocolAddress, SenderKeyName, SenderKeyRecord, SessionRecord, SignedPreKey,
};

use super::model::{
    AckLevel, AppStateSyncKey, ChatPatch, ContactPatch, DeviceCredentials, Label, MutationMac,
    StoredMessage,
};
use super::outbox::{NewOutboxEntry, OutboxCiphertext};

/// One change in a [`WriteBatch`]. Backends match on every variant; callers
/// normally use the [`WriteBatch`] methods.
///
/// `Debug` prints only the operation's name: the payloads hold key material
/// and plaintext.
#[non_exhaustive]
pub enum WriteOp {
    /// Create or replace the device credentials.
    PutDevice(Box<DeviceCredentials>),
    /// Forget the account: delete every row of the session except its
    /// registration (credentials, keys, Signal state, app state, contacts,
    /// chats, messages, outbox, LID map, event buffer). Used on logout.
    ResetAccount,
    /// Create or replace the Signal session record with a peer device.
    PutSignalSession {
        /// The peer device.
        address: ProtocolAddress,
        /// `SessionRecord::to_bytes()`.
        record: Vec<u8>,
    },
    /// Delete the session record with a peer device.
    DeleteSignalSession(ProtocolAddress),
    /// Delete the session records with every device of a user (address name).
    DeleteSignalSessionsOf(String),
    /// Create or replace a peer device's identity key.
    PutIdentity {
        /// The peer device.
        address: ProtocolAddress,
        /// Its identity key.
        key: PublicKey,
    },
    /// Delete a peer device's identity key.
    DeleteIdentity(ProtocolAddress),
    /// Store new one-time prekeys (not yet uploaded).
    PutPreKeys(Vec<PreKey>),
    /// Mark prekeys as uploaded to the server.
    MarkPreKeysUploaded(Vec<u32>),
    /// Delete a one-time prekey (consumed by a `pkmsg`).
    RemovePreKey(u32),
    /// Create or replace a signed prekey.
    PutSignedPreKey(SignedPreKey),
    /// Create or replace a sender key record.
    PutSenderKey {
        /// Group and sender device.
        name: SenderKeyName,
        /// `SenderKeyRecord::to_bytes()`.
        record: Vec<u8>,
    },
    /// Delete a sender key record.
    DeleteSenderKey(SenderKeyName),
    /// Create or replace an app-state sync key.
    PutAppStateSyncKey(AppStateSyncKey),
    /// Set a collection's version and LTHash.
    PutAppStateVersion {
        /// The collection name.
        collection: String,
        /// The applied version.
        version: u64,
        /// The LTHash at that version.
        hash: LtHash,
    },
    /// Set the value MACs of index MACs in a collection (upsert per index).
    PutAppStateMutationMacs {
        /// The collection name.
        collection: String,
        /// The patch version that set them.
        version: u64,
        /// The MACs.
        macs: Vec<MutationMac>,
    },
    /// Remove index MACs from a collection.
    DeleteAppStateMutationMacs {
        /// The collection name.
        collection: String,
        /// The index MACs.
        index_macs: Vec<Vec<u8>>,
    },
    /// Forget a collection (version, hash and MACs), e.g. before a full
    /// snapshot resync.
    DeleteAppStateCollection(String),
    /// Create or change a contact.
    PatchContact(ContactPatch),
    /// Create or change a chat.
    PatchChat(ChatPatch),
    /// Delete a chat with its messages and label assignments.
    DeleteChat(Jid),
    /// Delete the messages of a chat, keeping the chat.
    ClearChat(Jid),
    /// Create or replace a label.
    PutLabel(Label),
    /// Delete a label and its assignments.
    DeleteLabel(String),
    /// Attach a label to a chat (the label must exist).
    AddChatLabel {
        /// The chat.
        chat: Jid,
        /// The label id.
        label: String,
    },
    /// Detach a label from a chat.
    RemoveChatLabel {
        /// The chat.
        chat: Jid,
        /// The label id.
        label: String,
    },
    /// Create or replace a message (keyed by chat and id; the ack level never
    /// goes down, see [`WriteOp::SetMessageAck`]).
    PutMessage(Box<StoredMessage>),
    /// Raise a message's ack level: the stored level becomes the maximum of
    /// the two, except that [`AckLevel::Error`] always applies.
    SetMessageAck {
        /// The chat.
        chat: Jid,
        /// The message id.
        id: String,
        /// The new level.
        ack: AckLevel,
    },
    /// Star or unstar a stored message (no-op if it is not stored).
    SetMessageStarred {
        /// The chat.
        chat: Jid,
        /// The message id.
        id: String,
        /// Starred or not.
        starred: bool,
    },
    /// Delete a message.
    DeleteMessage {
        /// The chat.
        chat: Jid,
        /// The message id.
        id: String,
    },
    /// Insert a new outbox entry in state `accepted` (fails on a duplicate id).
    OutboxAccept(Box<NewOutboxEntry>),
    /// Move an entry to `encrypted`, replacing its ciphertexts.
    OutboxEncrypted {
        /// The message id.
        id: String,
        /// One ciphertext per recipient device.
        ciphertexts: Vec<OutboxCiphertext>,
        /// Transition time (unix milliseconds).
        at_ms: i64,
    },
    /// Move an entry to `sent`.
    OutboxSent {
        /// The message id.
        id: String,
        /// Transition time (unix milliseconds).
        at_ms: i64,
    },
    /// Move an entry to `server_acked` (drops its ciphertexts).
    OutboxServerAcked {
        /// The message id.
        id: String,
        /// Transition time (unix milliseconds).
        at_ms: i64,
    },
    /// Move an entry to `failed` (drops its ciphertexts).
    OutboxFailed {
        /// The message id.
        id: String,
        /// Why.
        reason: String,
        /// Transition time (unix milliseconds).
        at_ms: i64,
    },
    /// Delete an outbox entry in any state.
    OutboxRemove(String),
    /// Delete `server_acked` and `failed` entries last changed before a time
    /// (unix milliseconds).
    PruneOutbox {
        /// The cut-off.
        before_ms: i64,
    },
    /// Record that `lid` and `pn` are the same user; replaces any earlier
    /// mapping of either.
    PutLidMapping {
        /// The LID user JID.
        lid: Jid,
        /// The phone-number user JID.
        pn: Jid,
    },
    /// Remember the decryption result of a ciphertext (decrypt-once).
    PutBufferedEvent {
        /// SHA-256 of the ciphertext.
        hash: [u8; 32],
        /// The decrypted plaintext.
        plaintext: Vec<u8>,
        /// When it was stored (unix milliseconds).
        at_ms: i64,
    },
    /// Forget one buffered decryption result.
    DeleteBufferedEvent([u8; 32]),
    /// Forget buffered decryption results stored before a time.
    PruneBufferedEvents {
        /// The cut-off (unix milliseconds).
        before_ms: i64,
    },
}

impl WriteOp {
    /// The operation's name (for logs and errors).
    pub fn name(&self) -> &'static str {
        match self {
            Self::PutDevice(_) => "put_device",
            Self::ResetAccount => "reset_account",
            Self::PutSignalSession { .. } => "put_signal_session",
            Self::DeleteSignalSession(_) => "delete_signal_session",
            Self::DeleteSignalSessionsOf(_) => "delete_signal_sessions_of",
            Self::PutIdentity { .. } => "put_identity",
            Self::DeleteIdentity(_) => "delete_identity",
            Self::PutPreKeys(_) => "put_prekeys",
            Self::MarkPreKeysUploaded(_) => "mark_prekeys_uploaded",
            Self::RemovePreKey(_) => "remove_prekey",
            Self::PutSignedPreKey(_) => "put_signed_prekey",
            Self::PutSenderKey { .. } => "put_sender_key",
            Self::DeleteSenderKey(_) => "delete_sender_key",
            Self::PutAppStateSyncKey(_) => "put_app_state_sync_key",
            Self::PutAppStateVersion { .. } => "put_app_state_version",
            Self::PutAppStateMutationMacs { .. } => "put_app_state_mutation_macs",
            Self::DeleteAppStateMutationMacs { .. } => "delete_app_state_mutation_macs",
            Self::DeleteAppStateCollection(_) => "delete_app_state_collection",
            Self::PatchContact(_) => "patch_contact",
            Self::PatchChat(_) => "patch_chat",
            Self::DeleteChat(_) => "delete_chat",
            Self::ClearChat(_) => "clear_chat",
            Self::PutLabel(_) => "put_label",
            Self::DeleteLabel(_) => "delete_label",
            Self::AddChatLabel { .. } => "add_chat_label",
            Self::RemoveChatLabel { .. } => "remove_chat_label",
            Self::PutMessage(_) => "put_message",
            Self::SetMessageAck { .. } => "set_message_ack",
            Self::SetMessageStarred { .. } => "set_message_starred",
            Self::DeleteMessage { .. } => "delete_message",
            Self::OutboxAccept(_) => "outbox_accept",
            Self::OutboxEncrypted { .. } => "outbox_encrypted",
            Self::OutboxSent { .. } => "outbox_sent",
            Self::OutboxServerAcked { .. } => "outbox_server_acked",
            Self::OutboxFailed { .. } => "outbox_failed",
            Self::OutboxRemove(_) => "outbox_remove",
            Self::PruneOutbox { .. } => "prune_outbox",
            Self::PutLidMapping { .. } => "put_lid_mapping",
            Self::PutBufferedEvent { .. } => "put_buffered_event",
            Self::DeleteBufferedEvent(_) => "delete_buffered_event",
            Self::PruneBufferedEvents { .. } => "prune_buffered_events",
        }
    }
}

impl std::fmt::Debug for WriteOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A list of changes committed atomically. See the module docs.
#[derive(Debug, Default)]
pub struct WriteBatch {
    ops: Vec<WriteOp>,
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// The operations in order.
    pub fn ops(&self) -> &[WriteOp] {
        &self.ops
    }

    /// Takes the operations.
    pub fn into_ops(self) -> Vec<WriteOp> {
        self.ops
    }

    /// Number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the batch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Appends a raw operation.
    pub fn push(&mut self, op: WriteOp) -> &mut Self {
        self.ops.push(op);
        self
    }

    /// See [`WriteOp::PutDevice`].
    pub fn put_device(&mut self, device: DeviceCredentials) -> &mut Self {
        self.push(WriteOp::PutDevice(Box::new(device)))
    }

    /// See [`WriteOp::ResetAccount`].
    pub fn reset_account(&mut self) -> &mut Self {
        self.push(WriteOp::ResetAccount)
    }

    /// Stores `record` (serialized now) as the session with `address`.
    pub fn put_signal_session(
        &mut self,
        address: &ProtocolAddress,
        record: &SessionRecord,
    ) -> &mut Self {
        self.push(WriteOp::PutSignalSession {
            address: address.clone(),
            record: record.to_bytes(),
        })
    }

    /// See [`WriteOp::DeleteSignalSession`].
    pub fn delete_signal_session(&mut self, address: &ProtocolAddress) -> &mut Self {
        self.push(WriteOp::DeleteSignalSession(address.clone()))
    }

    /// See [`WriteOp::DeleteSignalSessionsOf`].
    pub fn delete_signal_sessions_of(&mut self, name: &str) -> &mut Self {
        self.push(WriteOp::DeleteSignalSessionsOf(name.to_owned()))
    }

    /// See [`WriteOp::PutIdentity`].
    pub fn put_identity(&mut self, address: &ProtocolAddress, key: PublicKey) -> &mut Self {
        self.push(WriteOp::PutIdentity {
            address: address.clone(),
            key,
        })
    }

    /// See [`WriteOp::DeleteIdentity`].
    pub fn delete_identity(&mut self, address: &ProtocolAddress) -> &mut Self {
        self.push(WriteOp::DeleteIdentity(address.clone()))
    }

    /// See [`WriteOp::PutPreKeys`].
    pub fn put_prekeys(&mut self, keys: Vec<PreKey>) -> &mut Self {
        self.push(WriteOp::PutPreKeys(keys))
    }

    /// See [`WriteOp::MarkPreKeysUploaded`].
    pub fn mark_prekeys_uploaded(&mut self, ids: Vec<u32>) -> &mut Self {
        self.push(WriteOp::MarkPreKeysUploaded(ids))
    }

    /// See [`WriteOp::RemovePreKey`].
    pub fn remove_prekey(&mut self, id: u32) -> &mut Self {
        self.push(WriteOp::RemovePreKey(id))
    }

    /// See [`WriteOp::PutSignedPreKey`].
    pub fn put_signed_prekey(&mut self, key: SignedPreKey) -> &mut Self {
        self.push(WriteOp::PutSignedPreKey(key))
    }

    /// Stores `record` (serialized now) as the sender key `name`.
    pub fn put_sender_key(&mut self, name: &SenderKeyName, record: &SenderKeyRecord) -> &mut Self {
        self.push(WriteOp::PutSenderKey {
            name: name.clone(),
            record: record.to_bytes(),
        })
    }

    /// See [`WriteOp::DeleteSenderKey`].
    pub fn delete_sender_key(&mut self, name: &SenderKeyName) -> &mut Self {
        self.push(WriteOp::DeleteSenderKey(name.clone()))
    }

    /// See [`WriteOp::PutAppStateSyncKey`].
    pub fn put_app_state_sync_key(&mut self, key: AppStateSyncKey) -> &mut Self {
        self.push(WriteOp::PutAppStateSyncKey(key))
    }

    /// See [`WriteOp::PutAppStateVersion`].
    pub fn put_app_state_version(
        &mut self,
        collection: &str,
        version: u64,
        hash: LtHash,
    ) -> &mut Self {
        self.push(WriteOp::PutAppStateVersion {
            collection: collection.to_owned(),
            version,
            hash,
        })
    }

    /// See [`WriteOp::PutAppStateMutationMacs`].
    pub fn put_app_state_mutation_macs(
        &mut self,
        collection: &str,
        version: u64,
        macs: Vec<MutationMac>,
    ) -> &mut Self {
        self.push(WriteOp::PutAppStateMutationMacs {
            collection: collection.to_owned(),
            version,
            macs,
        })
    }

    /// See [`WriteOp::DeleteAppStateMutationMacs`].
    pub fn delete_app_state_mutation_macs(
        &mut self,
        collection: &str,
        index_macs: Vec<Vec<u8>>,
    ) -> &mut Self {
        self.push(WriteOp::DeleteAppStateMutationMacs {
            collection: collection.to_owned(),
            index_macs,
        })
    }

    /// See [`WriteOp::DeleteAppStateCollection`].
    pub fn delete_app_state_collection(&mut self, collection: &str) -> &mut Self {
        self.push(WriteOp::DeleteAppStateCollection(collection.to_owned()))
    }

    /// See [`WriteOp::PatchContact`].
    pub fn patch_contact(&mut self, patch: ContactPatch) -> &mut Self {
        self.push(WriteOp::PatchContact(patch))
    }

    /// See [`WriteOp::PatchChat`].
    pub fn patch_chat(&mut self, patch: ChatPatch) -> &mut Self {
        self.push(WriteOp::PatchChat(patch))
    }

    /// See [`WriteOp::DeleteChat`].
    pub fn delete_chat(&mut self, chat: &Jid) -> &mut Self {
        self.push(WriteOp::DeleteChat(chat.clone()))
    }

    /// See [`WriteOp::ClearChat`].
    pub fn clear_chat(&mut self, chat: &Jid) -> &mut Self {
        self.push(WriteOp::ClearChat(chat.clone()))
    }

    /// See [`WriteOp::PutLabel`].
    pub fn put_label(&mut self, label: Label) -> &mut Self {
        self.push(WriteOp::PutLabel(label))
    }

    /// See [`WriteOp::DeleteLabel`].
    pub fn delete_label(&mut self, id: &str) -> &mut Self {
        self.push(WriteOp::DeleteLabel(id.to_owned()))
    }

    /// See [`WriteOp::AddChatLabel`].
    pub fn add_chat_label(&mut self, chat: &Jid, label: &str) -> &mut Self {
        self.push(WriteOp::AddChatLabel {
            chat: chat.clone(),
            label: label.to_owned(),
        })
    }

    /// See [`WriteOp::RemoveChatLabel`].
    pub fn remove_chat_label(&mut self, chat: &Jid, label: &str) -> &mut Self {
        self.push(WriteOp::RemoveChatLabel {
            chat: chat.clone(),
            label: label.to_owned(),
        })
    }

    /// See [`WriteOp::PutMessage`].
    pub fn put_message(&mut self, message: StoredMessage) -> &mut Self {
        self.push(WriteOp::PutMessage(Box::new(message)))
    }

    /// See [`WriteOp::SetMessageAck`].
    pub fn set_message_ack(&mut self, chat: &Jid, id: &str, ack: AckLevel) -> &mut Self {
        self.push(WriteOp::SetMessageAck {
            chat: chat.clone(),
            id: id.to_owned(),
            ack,
        })
    }

    /// See [`WriteOp::SetMessageStarred`].
    pub fn set_message_starred(&mut self, chat: &Jid, id: &str, starred: bool) -> &mut Self {
        self.push(WriteOp::SetMessageStarred {
            chat: chat.clone(),
            id: id.to_owned(),
            starred,
        })
    }

    /// See [`WriteOp::DeleteMessage`].
    pub fn delete_message(&mut self, chat: &Jid, id: &str) -> &mut Self {
        self.push(WriteOp::DeleteMessage {
            chat: chat.clone(),
            id: id.to_owned(),
        })
    }

    /// See [`WriteOp::OutboxAccept`].
    pub fn outbox_accept(&mut self, entry: NewOutboxEntry) -> &mut Self {
        self.push(WriteOp::OutboxAccept(Box::new(entry)))
    }

    /// See [`WriteOp::OutboxEncrypted`].
    pub fn outbox_encrypted(
        &mut self,
        id: &str,
        ciphertexts: Vec<OutboxCiphertext>,
        at_ms: i64,
    ) -> &mut Self {
        self.push(WriteOp::OutboxEncrypted {
            id: id.to_owned(),
            ciphertexts,
            at_ms,
        })
    }

    /// See [`WriteOp::OutboxSent`].
    pub fn outbox_sent(&mut self, id: &str, at_ms: i64) -> &mut Self {
        self.push(WriteOp::OutboxSent {
            id: id.to_owned(),
            at_ms,
        })
    }

    /// See [`WriteOp::OutboxServerAcked`].
    pub fn outbox_server_acked(&mut self, id: &str, at_ms: i64) -> &mut Self {
        self.push(WriteOp::OutboxServerAcked {
            id: id.to_owned(),
            at_ms,
        })
    }

    /// See [`WriteOp::OutboxFailed`].
    pub fn outbox_failed(&mut self, id: &str, reason: &str, at_ms: i64) -> &mut Self {
        self.push(WriteOp::OutboxFailed {
            id: id.to_owned(),
            reason: reason.to_owned(),
            at_ms,
        })
    }

    /// See [`WriteOp::OutboxRemove`].
    pub fn outbox_remove(&mut self, id: &str) -> &mut Self {
        self.push(WriteOp::OutboxRemove(id.to_owned()))
    }

    /// See [`WriteOp::PruneOutbox`].
    pub fn prune_outbox(&mut self, before_ms: i64) -> &mut Self {
        self.push(WriteOp::PruneOutbox { before_ms })
    }

    /// See [`WriteOp::PutLidMapping`].
    pub fn put_lid_mapping(&mut self, lid: &Jid, pn: &Jid) -> &mut Self {
        self.push(WriteOp::PutLidMapping {
            lid: lid.clone(),
            pn: pn.clone(),
        })
    }

    /// See [`WriteOp::PutBufferedEvent`].
    pub fn put_buffered_event(
        &mut self,
        hash: [u8; 32],
        plaintext: Vec<u8>,
        at_ms: i64,
    ) -> &mut Self {
        self.push(WriteOp::PutBufferedEvent {
            hash,
            plaintext,
            at_ms,
        })
    }

    /// See [`WriteOp::DeleteBufferedEvent`].
    pub fn delete_buffered_event(&mut self, hash: [u8; 32]) -> &mut Self {
        self.push(WriteOp::DeleteBufferedEvent(hash))
    }

    /// See [`WriteOp::PruneBufferedEvents`].
    pub fn prune_buffered_events(&mut self, before_ms: i64) -> &mut Self {
        self.push(WriteOp::PruneBufferedEvents { before_ms })
    }
}
