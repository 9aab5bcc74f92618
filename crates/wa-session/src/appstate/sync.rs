//! Fetching a collection's patches (`w:sync:app:state`) and committing each
//! verified patch in one [`WriteBatch`]: its store effects together with the
//! collection's new version, LTHash and value MACs. Events are emitted after
//! the commit.

use prost::Message as _;
use wa_proto::binary::Node;
use wa_proto::proto::wa;

use super::Collection;
use super::apply::Applier;
use super::decode::{KeyRing, verify_patch};
use crate::client::{Client, Event};
use crate::store::{AppStateVersion, WriteBatch};
use crate::{Error, Result};

/// The `w:sync:app:state` iq around `<collection>` children.
pub(crate) fn sync_iq(collections: Vec<Node>) -> Node {
    Node::new("iq")
        .with_attr("to", crate::client::server_jid())
        .with_attr("type", "set")
        .with_attr("xmlns", "w:sync:app:state")
        .with_child(Node::new("sync").with_children(collections))
}

/// The answer's `<collection name=..>`, or [`Error::Server`] for
/// `type="error"` collections.
pub(crate) fn answer_collection(answer: &Node, name: &str) -> Result<Node> {
    let coll = answer
        .child("sync")
        .and_then(|s| {
            s.children_by_tag("collection")
                .find(|c| c.attr_str("name") == Some(name))
        })
        .cloned()
        .ok_or_else(|| Error::InvalidValue(format!("no <collection name={name}> in the answer")))?;
    if coll.attr_str("type") == Some("error") {
        let err = coll.child("error");
        return Err(Error::Server {
            code: err.and_then(|e| e.attr_parse("code")).unwrap_or(0),
            text: err
                .and_then(|e| e.attr_text("text"))
                .map(|t| t.into_owned())
                .unwrap_or_default(),
        });
    }
    Ok(coll)
}

impl Client {
    /// The stored state of `collection` (version 0, empty hash if never
    /// synced).
    pub(crate) async fn app_state(&self, collection: Collection) -> Result<AppStateVersion> {
        Ok(self
            .store()
            .app_state_version(self.session_id(), collection.name())
            .await?
            .unwrap_or(AppStateVersion {
                version: 0,
                hash: wa_proto::appstate::LtHash::new(),
            }))
    }

    /// Fetches and applies every patch of `collection` newer than the stored
    /// version, then returns the new version. Does nothing (returns the
    /// stored version) before any app-state key was shared with us.
    ///
    /// # Errors
    /// [`Error::NotConnected`], [`Error::Timeout`], [`Error::Server`];
    /// [`Error::Protocol`] when a patch does not verify (nothing of it is
    /// applied); [`Error::InvalidState`] when a patch needs a key we do not
    /// have yet (the key share triggers another sync).
    pub async fn sync_app_state(&self, collection: Collection) -> Result<u64> {
        let shared = std::sync::Arc::clone(self.shared());
        let _guard = shared.appstate.lock.lock().await;
        self.sync_locked(collection).await
    }

    /// [`Client::sync_app_state`] with the app-state lock already held.
    pub(crate) async fn sync_locked(&self, collection: Collection) -> Result<u64> {
        let sid = self.session_id().to_owned();
        let store = std::sync::Arc::clone(self.store());
        if store.latest_app_state_sync_key(&sid).await?.is_none() {
            return Ok(self.app_state(collection).await?.version);
        }
        let name = collection.name();
        let start = self.app_state(collection).await?.version;
        loop {
            let mut state = self.app_state(collection).await?;
            let req = Node::new("collection")
                .with_attr("name", name)
                .with_attr("version", state.version.to_string())
                .with_attr("return_snapshot", "false");
            let answer = self.iq(sync_iq(vec![req])).await?;
            let coll = answer_collection(&answer, name)?;
            if coll.child("snapshot").is_some() {
                return Err(Error::InvalidState(
                    "app-state snapshots (external blobs) are not supported".into(),
                ));
            }
            let patches: Vec<wa::SyncdPatch> = coll
                .child("patches")
                .map(|p| {
                    p.children_by_tag("patch")
                        .map(|n| wa::SyncdPatch::decode(n.bytes().unwrap_or_default()))
                        .collect::<std::result::Result<Vec<_>, _>>()
                })
                .transpose()
                .map_err(wa_proto::Error::from)?
                .unwrap_or_default();
            let mut keys = KeyRing::new(store.as_ref(), &sid);
            for patch in &patches {
                let v = patch.version.as_ref().and_then(|v| v.version).unwrap_or(0);
                if v <= state.version {
                    continue;
                }
                let verified = verify_patch(&mut keys, name, state, patch).await?;
                let mut batch = WriteBatch::new();
                let mut events = Vec::new();
                let mut applier = Applier::new(store.as_ref(), &sid);
                for m in &verified.mutations {
                    applier.apply(m, &mut batch, &mut events).await?;
                }
                stage_state(
                    &mut batch,
                    name,
                    &verified.state,
                    verified.put_macs,
                    verified.removed_macs,
                );
                store.commit(self.commit_context(), batch).await?;
                state = verified.state;
                for e in events {
                    self.shared().appstate.emit(e);
                }
            }
            if coll.attr_str("has_more_patches") != Some("true") || patches.is_empty() {
                if state.version != start {
                    self.shared().appstate.emit(Event::AppStateSynced {
                        collection,
                        version: state.version,
                    });
                }
                return Ok(state.version);
            }
        }
    }
}

/// Adds a collection's new version, hash and MAC changes to `batch`.
pub(crate) fn stage_state(
    batch: &mut WriteBatch,
    name: &str,
    state: &AppStateVersion,
    put: Vec<crate::store::MutationMac>,
    removed: Vec<Vec<u8>>,
) {
    if !removed.is_empty() {
        batch.delete_app_state_mutation_macs(name, removed);
    }
    if !put.is_empty() {
        batch.put_app_state_mutation_macs(name, state.version, put);
    }
    batch.put_app_state_version(name, state.version, state.hash);
}
