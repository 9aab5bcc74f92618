//! Each session's device credentials, cached: nearly every operation reads
//! them (our JID, our identity for encryption), and decoding them derives
//! three public keys, a scalar multiplication each. Every write that can
//! change them (`PutDevice`, `ResetAccount`, session create/delete)
//! invalidates the entry once it returns; a read that raced with such a
//! write does not fill the cache (generation check).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::store::{DeviceCredentials, WriteBatch, WriteOp};

#[derive(Default)]
struct Inner {
    generation: u64,
    map: HashMap<String, DeviceCredentials>,
}

/// The cache (one per store).
#[derive(Default)]
pub(crate) struct DeviceCache {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for DeviceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCache").finish_non_exhaustive()
    }
}

impl DeviceCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached credentials, or the generation to pass to
    /// [`DeviceCache::fill`] after reading them from the database.
    pub(crate) fn get(&self, sid: &str) -> Result<DeviceCredentials, u64> {
        let g = self.lock();
        g.map.get(sid).cloned().ok_or(g.generation)
    }

    /// Caches what a read found, unless a write invalidated anything since
    /// `generation` was taken.
    pub(crate) fn fill(&self, sid: &str, generation: u64, creds: &DeviceCredentials) {
        let mut g = self.lock();
        if g.generation == generation {
            g.map.insert(sid.to_owned(), creds.clone());
        }
    }

    /// Forgets `sid`'s credentials.
    pub(crate) fn invalidate(&self, sid: &str) {
        let mut g = self.lock();
        g.generation = g.generation.wrapping_add(1);
        g.map.remove(sid);
    }

    /// Whether committing `batch` can change the credentials.
    pub(crate) fn touched_by(batch: &WriteBatch) -> bool {
        batch
            .ops()
            .iter()
            .any(|op| matches!(op, WriteOp::PutDevice(_) | WriteOp::ResetAccount))
    }
}
