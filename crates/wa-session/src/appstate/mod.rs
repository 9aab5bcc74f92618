//! Client-side app state ("syncd"): the chat settings, labels, contacts and
//! account settings every device of an account agrees on.
//!
//! | module | owns |
//! |---|---|
//! | this file | [`Collection`], the typed changes ([`ChatChange`], [`MessageChange`], [`LabelChange`]) |
//! | `index` | the JSON index (`["archive","123@s.whatsapp.net"]`) |
//! | `decode` | verifying a fetched patch (LTHash, snapshot, patch, value and index MACs) and decrypting its mutations |
//! | `apply` | one decrypted mutation as store writes and events |
//! | `sync` | fetching patches (`w:sync:app:state`) and committing each in one [`crate::store::WriteBatch`] |
//! | `push` | encoding our own mutations, pushing them, retrying on 409 |
//! | `worker` | the background task that syncs on triggers |
//!
//! **Triggers.** The session task never syncs itself: it only *asks* the
//! per-session sync worker (a spawned task) to sync, after `Connected`,
//! after an app-state key share was committed, and on
//! `<notification type="server_sync">`. The worker runs the fetches as
//! ordinary IQs through a [`crate::Client`] handle (it holds a weak one), so
//! the stanza loop keeps running while patches are fetched and applied (it
//! has to: it is the one delivering the IQ answers). One async lock per
//! session serializes syncs and pushes, so a push is always built on the
//! newest applied version.

mod apply;
mod decode;
mod index;
mod push;
mod sync;
mod worker;

use std::sync::{Mutex, OnceLock};

use tokio::sync::mpsc;
use wa_proto::jid::Jid;

use crate::client::Event;
use crate::store::Label;

pub(crate) use push::PendingMutation;
pub(crate) use worker::start;

/// An app-state collection. Each holds some kinds of records; WhatsApp
/// chooses the collection per record kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Collection {
    /// `critical_block`: push name and other account settings.
    CriticalBlock,
    /// `critical_unblock_low`: contacts.
    CriticalUnblockLow,
    /// `regular_high`: mute, clear chat, delete chat, delete for me.
    RegularHigh,
    /// `regular_low`: archive, pin, mark read, star.
    RegularLow,
    /// `regular`: labels and other settings.
    Regular,
}

impl Collection {
    /// Every collection, in the order they are synced after login.
    pub const ALL: [Collection; 5] = [
        Collection::CriticalBlock,
        Collection::CriticalUnblockLow,
        Collection::RegularHigh,
        Collection::RegularLow,
        Collection::Regular,
    ];

    /// The wire name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::CriticalBlock => "critical_block",
            Self::CriticalUnblockLow => "critical_unblock_low",
            Self::RegularHigh => "regular_high",
            Self::RegularLow => "regular_low",
            Self::Regular => "regular",
        }
    }

    /// The collection with this wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// How a chat changed through app state.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChatChange {
    /// Archived (`true`) or unarchived.
    Archived(bool),
    /// Pinned (`true`) or unpinned.
    Pinned(bool),
    /// Muted until this unix time in seconds (`-1`: forever), or unmuted.
    Muted(Option<i64>),
    /// Marked read (`true`) or unread.
    MarkedRead(bool),
    /// Its messages were cleared.
    Cleared,
    /// The chat was deleted.
    Deleted,
}

/// How a message changed through app state.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageChange {
    /// Starred (`true`) or unstarred.
    Starred(bool),
    /// Deleted for me.
    DeletedForMe,
}

/// How labels changed through app state.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LabelChange {
    /// A label was created or edited.
    Edited(Label),
    /// A label was deleted.
    Deleted(String),
    /// A label was attached to (`labeled`) or detached from a chat.
    Chat {
        /// The chat.
        chat: Jid,
        /// The label id.
        label: String,
        /// Attached (`true`) or detached.
        labeled: bool,
    },
}

/// Per-session app-state runtime state, kept in the session's shared state.
#[derive(Default)]
pub(crate) struct SyncState {
    /// Serializes syncs and pushes of the session.
    pub(crate) lock: tokio::sync::Mutex<()>,
    trigger: Mutex<Option<mpsc::UnboundedSender<Vec<Collection>>>>,
    events: OnceLock<mpsc::WeakUnboundedSender<Event>>,
}

impl SyncState {
    /// Asks the sync worker to sync `collections` (no-op before the worker
    /// started or after it stopped).
    pub(crate) fn trigger(&self, collections: &[Collection]) {
        if let Ok(t) = self.trigger.lock()
            && let Some(tx) = t.as_ref()
        {
            let _ = tx.send(collections.to_vec());
        }
    }

    /// Reports an event on the session's stream (if it is still open).
    pub(crate) fn emit(&self, event: Event) {
        if let Some(tx) = self.events.get().and_then(|w| w.upgrade()) {
            let _ = tx.send(event);
        }
    }
}

impl std::fmt::Debug for SyncState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncState").finish_non_exhaustive()
    }
}
