//! Our own mutations: encode each record (index MAC, encrypted value, value
//! MAC) with the newest sync key, build a patch on top of the collection's
//! current version (new LTHash, snapshot MAC, patch MAC), push it, and on
//! success commit its effect with the new version, hash and MACs in one
//! batch. A `409` (another device pushed first) re-syncs and rebuilds the
//! patch on the new version (at most [`ATTEMPTS`] pushes).

use prost::Message as _;
use wa_proto::appstate::{MutationKeys, Operation};
use wa_proto::binary::Node;
use wa_proto::proto::wa;

use super::apply::Applier;
use super::decode::{Decoded, advance_hash};
use super::sync::{answer_collection, stage_state, sync_iq};
use super::{Collection, index};
use crate::client::Client;
use crate::store::{AppStateVersion, WriteBatch};
use crate::{Error, Result};

/// Pushes tried before giving up on conflicts.
pub(crate) const ATTEMPTS: usize = 3;

/// One mutation to push.
#[derive(Clone, Debug)]
pub(crate) struct PendingMutation {
    /// Its collection.
    pub(crate) collection: Collection,
    /// The index parts (`["archive", jid]`).
    pub(crate) index: Vec<String>,
    /// The action (its `timestamp` is set when pushing).
    pub(crate) value: wa::SyncActionValue,
    /// `SyncActionData.version` (the action's schema version).
    pub(crate) version: i32,
    /// SET or REMOVE.
    pub(crate) op: Operation,
}

impl PendingMutation {
    /// A SET mutation.
    pub(crate) fn set(
        collection: Collection,
        index: Vec<String>,
        version: i32,
        value: wa::SyncActionValue,
    ) -> Self {
        Self {
            collection,
            index,
            value,
            version,
            op: Operation::Set,
        }
    }
}

/// A built patch and what committing it locally needs.
struct Built {
    patch: wa::SyncdPatch,
    state: AppStateVersion,
    put: Vec<crate::store::MutationMac>,
    removed: Vec<Vec<u8>>,
}

impl Client {
    /// Pushes `mutations` (all of one collection) as one patch; see the
    /// module docs.
    ///
    /// # Errors
    /// [`Error::InvalidState`] before an app-state key was shared with us;
    /// [`Error::Conflict`] after [`ATTEMPTS`] conflicting pushes; IQ and
    /// store errors.
    pub(crate) async fn push_mutations(&self, mutations: Vec<PendingMutation>) -> Result<()> {
        let Some(collection) = mutations.first().map(|m| m.collection) else {
            return Ok(());
        };
        if mutations.iter().any(|m| m.collection != collection) {
            return Err(Error::InvalidValue(
                "one app-state patch holds one collection".into(),
            ));
        }
        let shared = std::sync::Arc::clone(self.shared());
        let _guard = shared.appstate.lock.lock().await;
        let name = collection.name();
        for _ in 0..ATTEMPTS {
            self.sync_locked(collection).await?;
            let base = self.app_state(collection).await?;
            let built = self.build_patch(collection, base, &mutations).await?;
            let req = Node::new("collection")
                .with_attr("name", name)
                .with_attr("version", base.version.to_string())
                .with_attr("return_snapshot", "false")
                .with_child(Node::new("patch").with_bytes(built.patch.encode_to_vec()));
            let answer = self.iq(sync_iq(vec![req])).await?;
            match answer_collection(&answer, name) {
                Ok(_) => {}
                Err(Error::Server { code: 409, .. }) => continue,
                Err(e) => return Err(e),
            }
            let store = std::sync::Arc::clone(self.store());
            let sid = self.session_id().to_owned();
            let mut batch = WriteBatch::new();
            let mut events = Vec::new();
            let mut applier = Applier::new(store.as_ref(), &sid);
            for m in &mutations {
                let d = Decoded {
                    op: m.op,
                    index: m.index.clone(),
                    value: m.value.clone(),
                };
                applier.apply(&d, &mut batch, &mut events).await?;
            }
            stage_state(&mut batch, name, &built.state, built.put, built.removed);
            store.commit(self.commit_context(), batch).await?;
            for e in events {
                shared.appstate.emit(e);
            }
            return Ok(());
        }
        Err(Error::Conflict(format!(
            "app-state push to {name} conflicted {ATTEMPTS} times"
        )))
    }

    async fn build_patch(
        &self,
        collection: Collection,
        base: AppStateVersion,
        mutations: &[PendingMutation],
    ) -> Result<Built> {
        let sid = self.session_id();
        let key = self
            .store()
            .latest_app_state_sync_key(sid)
            .await?
            .ok_or_else(|| Error::InvalidState("no app-state sync key shared yet".into()))?;
        let keys = MutationKeys::expand(&key.key_data);
        let key_id = wa::KeyId {
            id: Some(key.key_id.clone()),
        };
        let now = crate::clock::now_ms();
        let mut records = Vec::with_capacity(mutations.len());
        let mut entries = Vec::with_capacity(mutations.len());
        for m in mutations {
            let index_json = index::encode(&m.index);
            let mut value = m.value.clone();
            value.timestamp = Some(now);
            let data = wa::SyncActionData {
                index: Some(index_json.clone()),
                value: Some(value),
                padding: Some(Vec::new()),
                version: Some(m.version),
            };
            let blob =
                keys.encrypt_value(&mut rand::rng(), m.op, &key.key_id, &data.encode_to_vec());
            let (_, value_mac) = wa_proto::appstate::split_value_blob(&blob)?;
            let index_mac = keys.index_mac(&index_json).to_vec();
            entries.push((m.op, index_mac.clone(), value_mac.to_vec()));
            records.push(wa::SyncdMutation {
                operation: Some(m.op.to_wire()),
                record: Some(wa::SyncdRecord {
                    index: Some(wa::SyncdIndex {
                        blob: Some(index_mac),
                    }),
                    value: Some(wa::SyncdValue { blob: Some(blob) }),
                    key_id: Some(key_id.clone()),
                }),
            });
        }
        let mut hash = base.hash;
        let (put, removed) = advance_hash(
            self.store().as_ref(),
            sid,
            collection.name(),
            &mut hash,
            &entries,
        )
        .await?;
        let version = base.version + 1;
        let snapshot_mac = keys.snapshot_mac(&hash, version, collection.name());
        let patch_mac = keys.patch_mac(
            &snapshot_mac,
            entries.iter().map(|e| e.2.as_slice()),
            version,
            collection.name(),
        );
        let patch = wa::SyncdPatch {
            version: Some(wa::SyncdVersion {
                version: Some(version),
            }),
            mutations: records,
            snapshot_mac: Some(snapshot_mac.to_vec()),
            patch_mac: Some(patch_mac.to_vec()),
            key_id: Some(key_id),
            ..Default::default()
        };
        Ok(Built {
            patch,
            state: AppStateVersion { version, hash },
            put,
            removed,
        })
    }
}
