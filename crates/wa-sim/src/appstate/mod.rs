//! App-state sync ("syncd"): the server's store of encrypted patches per
//! account and collection, and the virtual phone's app-state sync keys.
//!
//! | module | owns |
//! |---|---|
//! | this file | [`AppStateStore`]: collections, versions, patches (opaque to the server) |
//! | [`keys`] | the phone's sync key: sharing it with new companions, answering key requests |
//!
//! The `w:sync:app:state` iq itself is handled in
//! [`crate::handler::appstate`]. The server never decrypts a patch (it has
//! no key); it only numbers them: a pushed patch on top of version `V`
//! becomes version `V+1` and is stored with `version{version: V+1}` set, so
//! every served `SyncdPatch` carries its version.

pub mod keys;

use std::collections::BTreeMap;

use prost::Message as _;
use serde::{Deserialize, Serialize};
use wa_proto::proto::wa;

use crate::persist::codec;

/// The collections a client may sync.
pub const COLLECTIONS: [&str; 5] = [
    "critical_block",
    "critical_unblock_low",
    "regular",
    "regular_high",
    "regular_low",
];

/// Patches served in one answer; more are announced with
/// `has_more_patches="true"` (clients ask again from the last version).
pub const PAGE: usize = 200;

/// One stored patch: an encoded `SyncdPatch` with its version set.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct StoredPatch(#[serde(with = "codec::bytes")] Vec<u8>);

/// One collection of one account. Its version is its number of patches.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Collection {
    patches: Vec<StoredPatch>,
}

impl Collection {
    /// The current version (0 for a never-written collection).
    pub fn version(&self) -> u64 {
        self.patches.len() as u64
    }

    /// Encoded patches with versions in `(after, after + PAGE]`, and whether
    /// more follow.
    pub fn patches_after(&self, after: u64) -> (Vec<Vec<u8>>, bool) {
        let start = usize::try_from(after).unwrap_or(usize::MAX);
        let rest = self.patches.get(start..).unwrap_or_default();
        let page: Vec<Vec<u8>> = rest.iter().take(PAGE).map(|p| p.0.clone()).collect();
        let more = rest.len() > PAGE;
        (page, more)
    }
}

/// Why a pushed patch was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushError {
    /// The push was based on another version than the current one.
    Conflict {
        /// The collection's current version.
        current: u64,
    },
    /// The patch bytes are not a `SyncdPatch`.
    Malformed,
}

/// App state of one account: its collections and the phone's sync keys.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AccountState {
    collections: BTreeMap<String, Collection>,
    #[serde(default)]
    pub(crate) keys: Vec<keys::SyncKey>,
}

/// App state of every account (persisted with the world snapshot).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AppStateStore {
    accounts: BTreeMap<String, AccountState>,
}

impl AppStateStore {
    /// The state of account `phone`, if any was written.
    pub fn account(&self, phone: &str) -> Option<&AccountState> {
        self.accounts.get(phone)
    }

    /// The state of account `phone`, created empty if absent.
    pub fn account_mut(&mut self, phone: &str) -> &mut AccountState {
        self.accounts.entry(phone.to_owned()).or_default()
    }

    /// Collection `name` of account `phone` (empty if never written).
    pub fn collection(&self, phone: &str, name: &str) -> Collection {
        self.accounts
            .get(phone)
            .and_then(|a| a.collections.get(name))
            .cloned()
            .unwrap_or_default()
    }

    /// The current version of a collection.
    pub fn version(&self, phone: &str, name: &str) -> u64 {
        self.accounts
            .get(phone)
            .and_then(|a| a.collections.get(name))
            .map_or(0, Collection::version)
    }

    /// Stores `patch` (an encoded `SyncdPatch`) pushed on top of `base`;
    /// returns the new version.
    pub fn push(
        &mut self,
        phone: &str,
        name: &str,
        base: u64,
        patch: &[u8],
    ) -> Result<u64, PushError> {
        let current = self.version(phone, name);
        if base != current {
            return Err(PushError::Conflict { current });
        }
        let mut decoded = wa::SyncdPatch::decode(patch).map_err(|_| PushError::Malformed)?;
        let version = current + 1;
        decoded.version = Some(wa::SyncdVersion {
            version: Some(version),
        });
        self.account_mut(phone)
            .collections
            .entry(name.to_owned())
            .or_default()
            .patches
            .push(StoredPatch(decoded.encode_to_vec()));
        Ok(version)
    }

    /// Forgets everything of account `phone`.
    pub fn remove_account(&mut self, phone: &str) {
        self.accounts.remove(phone);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(mac: u8) -> Vec<u8> {
        wa::SyncdPatch {
            patch_mac: Some(vec![mac; 32]),
            ..Default::default()
        }
        .encode_to_vec()
    }

    #[test]
    fn versions_conflicts_and_paging() {
        let mut s = AppStateStore::default();
        assert_eq!(s.version("1", "regular"), 0);
        assert_eq!(s.push("1", "regular", 0, &patch(1)), Ok(1));
        assert_eq!(
            s.push("1", "regular", 0, &patch(2)),
            Err(PushError::Conflict { current: 1 })
        );
        assert_eq!(
            s.push("1", "regular", 1, b"\xff\xff"),
            Err(PushError::Malformed)
        );
        assert_eq!(s.push("1", "regular", 1, &patch(2)), Ok(2));
        assert_eq!(s.version("1", "regular_low"), 0);
        assert_eq!(s.version("2", "regular"), 0);
        let (p, more) = s.collection("1", "regular").patches_after(1);
        assert!(!more);
        assert_eq!(p.len(), 1);
        let d = wa::SyncdPatch::decode(p[0].as_slice()).unwrap();
        assert_eq!(d.version.and_then(|v| v.version), Some(2));
        assert_eq!(d.patch_mac, Some(vec![2; 32]));
        for v in 2..(PAGE as u64 + 5) {
            s.push("1", "regular", v, &patch(3)).unwrap();
        }
        let (p, more) = s.collection("1", "regular").patches_after(0);
        assert_eq!((p.len(), more), (PAGE, true));
        let (p, more) = s.collection("1", "regular").patches_after(PAGE as u64);
        assert_eq!((p.len(), more), (5, false));
    }
}
