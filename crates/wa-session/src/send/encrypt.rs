//! Pairwise encryption for a set of devices, with the session records
//! loaded once and every change collected in one [`WriteBatch`].
//!
//! Runs under the session's Signal lock and performs no network IO: the
//! prekey bundles for devices without a session are fetched beforehand
//! ([`super::plan`]).

use std::collections::HashMap;

use wa_proto::jid::Jid;
use wa_proto::signal::{
    LocalIdentity, MessageType, PreKeyBundle, ProtocolAddress, SessionRecord, encrypt,
    process_prekey_bundle,
};

use super::lid::address;
use crate::Result;
use crate::store::{CiphertextKind, OutboxCiphertext, Store, WriteBatch};

/// The Signal state one encryption round reads and advances.
pub(crate) struct Encryptor<'a> {
    pub(crate) store: &'a dyn Store,
    pub(crate) sid: &'a str,
    pub(crate) local: &'a LocalIdentity,
    /// Records read or changed in this round (`None`: known to be absent).
    pub(crate) sessions: HashMap<ProtocolAddress, Option<SessionRecord>>,
    pub(crate) batch: WriteBatch,
    /// Bundles fetched for devices without a session, by device JID text.
    pub(crate) bundles: HashMap<String, PreKeyBundle>,
}

impl<'a> Encryptor<'a> {
    pub(crate) fn new(store: &'a dyn Store, sid: &'a str, local: &'a LocalIdentity) -> Self {
        Self {
            store,
            sid,
            local,
            sessions: HashMap::new(),
            batch: WriteBatch::new(),
            bundles: HashMap::new(),
        }
    }

    async fn load(&mut self, addr: &ProtocolAddress) -> Result<Option<SessionRecord>> {
        if let Some(r) = self.sessions.get(addr) {
            return Ok(r.clone());
        }
        let r = self.store.signal_session(self.sid, addr).await?;
        self.sessions.insert(addr.clone(), r.clone());
        Ok(r)
    }

    /// Whether a usable session exists with `device` (in this round's view).
    pub(crate) async fn has_session(&mut self, device: &Jid) -> Result<bool> {
        Ok(self
            .load(&address(device))
            .await?
            .is_some_and(|r| r.has_current_session()))
    }

    /// Drops the session with `device` (a retry asked for a fresh one).
    pub(crate) fn reset_session(&mut self, device: &Jid) {
        let addr = address(device);
        self.batch.delete_signal_session(&addr);
        self.sessions.insert(addr, None);
    }

    /// Encrypts `padded` for `device`. `Ok(None)` when there is no session
    /// and no bundle to start one (the device is skipped, as current clients
    /// do for devices without keys).
    pub(crate) async fn encrypt_for(
        &mut self,
        device: &Jid,
        padded: &[u8],
    ) -> Result<Option<OutboxCiphertext>> {
        let addr = address(device);
        let mut record = self.load(&addr).await?.unwrap_or_default();
        if !record.has_current_session() {
            let Some(bundle) = self.bundles.get(&device.to_string()) else {
                return Ok(None);
            };
            // A changed identity is accepted (the peer reinstalled), as
            // WhatsApp clients do; the new key is recorded.
            if let Err(e) =
                process_prekey_bundle(&mut record, self.local, None, bundle, &mut rand::rng())
            {
                tracing::debug!(device = %device, error = %e, "unusable prekey bundle");
                return Ok(None);
            }
            self.batch.put_identity(&addr, bundle.identity_key);
        }
        let ct = encrypt(&mut record, self.local, padded)?;
        self.batch.put_signal_session(&addr, &record);
        self.sessions.insert(addr, Some(record));
        Ok(Some(OutboxCiphertext {
            recipient: device.clone(),
            kind: match ct.kind {
                MessageType::PreKey => CiphertextKind::PkMsg,
                _ => CiphertextKind::Msg,
            },
            bytes: ct.bytes,
        }))
    }
}
