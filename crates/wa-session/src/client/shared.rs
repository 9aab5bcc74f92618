//! State shared between a session's task (`runner`) and its [`super::Client`]
//! handles: the store, the Signal lock, and the hooks the send pipeline and
//! the account operations use.

use std::sync::Arc;

use wa_proto::jid::Jid;

use crate::store::{CommitContext, DeviceCredentials, Store};
use crate::{Error, Result};

/// One per session; the runner and every client handle hold an `Arc`.
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) ctx: CommitContext,
    /// Held while Signal state (sessions, sender keys, identities) is read,
    /// advanced and committed, by the receive pipeline and by the send
    /// pipeline alike, so the two never advance one ratchet from the same
    /// stored state.
    pub(crate) signal: tokio::sync::Mutex<()>,
    /// The client handle state, for work the session task hands off to
    /// spawned tasks (history sync); weak so the task does not keep the
    /// handles alive.
    client: std::sync::OnceLock<std::sync::Weak<super::Inner>>,
    /// The send pipeline's in-memory state.
    pub(crate) send: crate::send::state::SendState,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("session", &self.ctx.session_id())
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn new(store: Arc<dyn Store>, ctx: CommitContext) -> Self {
        Self {
            store,
            ctx,
            signal: tokio::sync::Mutex::new(()),
            client: std::sync::OnceLock::new(),
            send: crate::send::state::SendState::default(),
        }
    }

    /// Records the handle state once the client is built.
    pub(super) fn attach(&self, inner: &Arc<super::Inner>) {
        let _ = self.client.set(Arc::downgrade(inner));
    }

    /// A client handle, while any handle is alive.
    pub(crate) fn client(&self) -> Option<super::Client> {
        let inner = self.client.get()?.upgrade()?;
        Some(super::Client { inner })
    }

    /// The stored device credentials.
    pub(crate) async fn device(&self) -> Result<DeviceCredentials> {
        self.store
            .device(self.ctx.session_id())
            .await?
            .ok_or_else(|| Error::InvalidState("the session has no credentials".into()))
    }

    /// Our device JID; an error until paired.
    pub(crate) async fn own_jid(&self) -> Result<Jid> {
        self.device()
            .await?
            .jid
            .ok_or_else(|| Error::InvalidState("the session is not paired".into()))
    }
}
