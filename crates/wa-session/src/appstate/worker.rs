//! The per-session sync worker: a spawned task that waits for sync triggers
//! (sent by the session task without waiting) and runs the fetches through
//! a [`Client`] handle. It holds only a weak handle between syncs, so it
//! never keeps a session alive; it ends when the session's shared state is
//! dropped (the trigger channel closes).

use tokio::sync::mpsc;

use super::Collection;
use crate::client::{Client, Event, Status, WeakClient};

/// Starts the worker of `client`'s session; events go to `events`.
pub(crate) fn start(client: &Client, events: mpsc::WeakUnboundedSender<Event>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let state = &client.shared().appstate;
    let _ = state.events.set(events);
    if let Ok(mut t) = state.trigger.lock() {
        *t = Some(tx);
    }
    tokio::spawn(run(client.downgrade(), rx));
}

async fn run(client: WeakClient, mut rx: mpsc::UnboundedReceiver<Vec<Collection>>) {
    while let Some(first) = rx.recv().await {
        let mut wanted = first;
        while let Ok(more) = rx.try_recv() {
            wanted.extend(more);
        }
        wanted.sort();
        wanted.dedup();
        let Some(client) = client.upgrade() else {
            return;
        };
        // Not connected: the next `Connected` triggers a full sync anyway.
        if client.status() != Status::Connected {
            continue;
        }
        for c in wanted {
            if let Err(e) = client.sync_app_state(c).await {
                tracing::warn!(collection = c.name(), error = %e, "app-state sync failed");
            }
        }
    }
}
