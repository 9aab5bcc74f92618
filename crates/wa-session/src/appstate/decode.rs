//! Verifying and decrypting fetched patches.
//!
//! For each patch, in version order: the LTHash of the collection is
//! advanced (the previous value MAC of every touched index is subtracted,
//! the new one added for `SET`), the patch's snapshot MAC must match the new
//! hash, its patch MAC must match the value MACs, and every record must
//! carry a valid value MAC and an index MAC matching its decrypted index
//! (whatsmeow `appstate/decode.go`; Baileys `decodeSyncdPatch`). Anything
//! that does not verify fails the whole patch: nothing of it is applied.

use std::collections::HashMap;

use prost::Message as _;
use wa_proto::appstate::{LtHash, MutationKeys, Operation, split_value_blob};
use wa_proto::proto::wa;

use super::index;
use crate::store::{AppStateVersion, MutationMac, Store};
use crate::{Error, Result};

/// Mutation keys by key id, loaded from the store on first use.
pub(crate) struct KeyRing<'a> {
    store: &'a dyn Store,
    session: &'a str,
    keys: HashMap<Vec<u8>, MutationKeys>,
}

impl<'a> KeyRing<'a> {
    pub(crate) fn new(store: &'a dyn Store, session: &'a str) -> Self {
        Self {
            store,
            session,
            keys: HashMap::new(),
        }
    }

    /// The keys expanded from sync key `id`.
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the key was never shared with us.
    pub(crate) async fn get(&mut self, id: &[u8]) -> Result<&MutationKeys> {
        if !self.keys.contains_key(id) {
            let key = self
                .store
                .app_state_sync_key(self.session, id)
                .await?
                .ok_or_else(|| Error::InvalidState("app-state sync key not shared yet".into()))?;
            self.keys
                .insert(id.to_vec(), MutationKeys::expand(&key.key_data));
        }
        self.keys
            .get(id)
            .ok_or_else(|| Error::InvalidState("app-state sync key not shared yet".into()))
    }
}

/// One decrypted, verified mutation.
#[derive(Debug)]
pub(crate) struct Decoded {
    /// SET or REMOVE.
    pub(crate) op: Operation,
    /// The parsed index.
    pub(crate) index: Vec<String>,
    /// The action.
    pub(crate) value: wa::SyncActionValue,
}

/// The outcome of a verified patch: the collection's new state and what to
/// apply.
#[derive(Debug)]
pub(crate) struct Verified {
    pub(crate) state: AppStateVersion,
    pub(crate) put_macs: Vec<MutationMac>,
    pub(crate) removed_macs: Vec<Vec<u8>>,
    pub(crate) mutations: Vec<Decoded>,
}

/// Advances `hash` by one batch of `(op, index_mac, value_mac)` against the
/// stored value MACs; returns the MACs to store and to delete.
pub(crate) async fn advance_hash(
    store: &dyn Store,
    session: &str,
    collection: &str,
    hash: &mut LtHash,
    entries: &[(Operation, Vec<u8>, Vec<u8>)],
) -> Result<(Vec<MutationMac>, Vec<Vec<u8>>)> {
    // index MAC -> value MAC now (None: removed), for repeats in one patch.
    let mut live: HashMap<Vec<u8>, Option<Vec<u8>>> = HashMap::new();
    let mut order: Vec<Vec<u8>> = Vec::new();
    for (op, index_mac, value_mac) in entries {
        let prev = match live.get(index_mac) {
            Some(v) => v.clone(),
            None => {
                store
                    .app_state_value_mac(session, collection, index_mac)
                    .await?
            }
        };
        if let Some(prev) = prev {
            hash.subtract(&prev);
        }
        if *op == Operation::Set {
            hash.add(value_mac);
        }
        if !live.contains_key(index_mac) {
            order.push(index_mac.clone());
        }
        live.insert(
            index_mac.clone(),
            (*op == Operation::Set).then(|| value_mac.clone()),
        );
    }
    let mut put = Vec::new();
    let mut removed = Vec::new();
    for index_mac in order {
        match live.remove(&index_mac).flatten() {
            Some(value_mac) => put.push(MutationMac {
                index_mac,
                value_mac,
            }),
            None => removed.push(index_mac),
        }
    }
    Ok((put, removed))
}

/// Verifies and decrypts `patch` on top of `state`.
///
/// # Errors
/// [`Error::Protocol`] for MAC mismatches and malformed records,
/// [`Error::InvalidState`] for a missing key or external mutations.
pub(crate) async fn verify_patch(
    keys: &mut KeyRing<'_>,
    collection: &str,
    state: AppStateVersion,
    patch: &wa::SyncdPatch,
) -> Result<Verified> {
    let version = patch
        .version
        .as_ref()
        .and_then(|v| v.version)
        .ok_or_else(|| Error::InvalidValue("app-state patch without version".into()))?;
    if patch.external_mutations.is_some() && patch.mutations.is_empty() {
        return Err(Error::InvalidState(
            "app-state patch with external mutations (not supported)".into(),
        ));
    }
    let mut entries = Vec::with_capacity(patch.mutations.len());
    for m in &patch.mutations {
        let op = Operation::from_wire(m.operation.unwrap_or(0))?;
        let record = m.record.as_ref();
        let index_mac = record
            .and_then(|r| r.index.as_ref())
            .and_then(|i| i.blob.clone())
            .unwrap_or_default();
        let blob = record
            .and_then(|r| r.value.as_ref())
            .and_then(|v| v.blob.as_deref())
            .unwrap_or_default();
        let (_, value_mac) = split_value_blob(blob)?;
        entries.push((op, index_mac, value_mac.to_vec()));
    }
    let mut hash = state.hash;
    let (put_macs, removed_macs) =
        advance_hash(keys.store, keys.session, collection, &mut hash, &entries).await?;
    let patch_key = patch
        .key_id
        .as_ref()
        .and_then(|k| k.id.as_deref())
        .unwrap_or_default();
    let pk = keys.get(patch_key).await?;
    let snapshot_mac = patch.snapshot_mac.as_deref().unwrap_or_default();
    pk.verify_snapshot_mac(&hash, version, collection, snapshot_mac)?;
    pk.verify_patch_mac(
        snapshot_mac,
        entries.iter().map(|e| e.2.as_slice()),
        version,
        collection,
        patch.patch_mac.as_deref().unwrap_or_default(),
    )?;
    let mut mutations = Vec::with_capacity(patch.mutations.len());
    for (m, (op, index_mac, _)) in patch.mutations.iter().zip(&entries) {
        let record = m.record.as_ref();
        let key_id = record
            .and_then(|r| r.key_id.as_ref())
            .and_then(|k| k.id.as_deref())
            .unwrap_or(patch_key);
        let blob = record
            .and_then(|r| r.value.as_ref())
            .and_then(|v| v.blob.as_deref())
            .unwrap_or_default();
        let k = keys.get(key_id).await?;
        let plain = k.decrypt_value(*op, key_id, blob)?;
        let data = wa::SyncActionData::decode(plain.as_slice()).map_err(wa_proto::Error::from)?;
        let index_bytes = data.index.unwrap_or_default();
        k.verify_index_mac(&index_bytes, index_mac)?;
        mutations.push(Decoded {
            op: *op,
            index: index::decode(&index_bytes)?,
            value: data.value.unwrap_or_default(),
        });
    }
    Ok(Verified {
        state: AppStateVersion { version, hash },
        put_macs,
        removed_macs,
        mutations,
    })
}
