//! The per-session sync worker: a spawned task that waits for sync triggers
//! (sent by the session task without waiting) and runs the fetches through
//! a [`Client`] handle. It holds only a weak handle between syncs, so it
//! never keeps a session alive; it ends when the session's shared state is
//! dropped (the trigger channel closes). A collection whose sync failed
//! transiently is tried once more after [`RETRY_AFTER`].

use tokio::sync::mpsc;

use super::Collection;
use crate::Error;
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

/// Delay before a collection whose sync failed transiently (timeout, server
/// error) is tried again, once; later failures wait for the next trigger.
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// Whether a failed sync is worth one retry (not a missing key, which the
/// key share triggers, nor a patch that does not verify).
fn transient(e: &Error) -> bool {
    matches!(e, Error::Timeout(_) | Error::Server { .. })
}

async fn run(client: WeakClient, mut rx: mpsc::UnboundedReceiver<Vec<Collection>>) {
    let mut retry: Vec<Collection> = Vec::new();
    loop {
        let (mut wanted, retrying) = if retry.is_empty() {
            match rx.recv().await {
                Some(v) => (v, false),
                None => return,
            }
        } else {
            tokio::select! {
                v = rx.recv() => match v {
                    Some(mut v) => {
                        v.append(&mut retry);
                        (v, false)
                    }
                    None => return,
                },
                () = tokio::time::sleep(RETRY_AFTER) => (std::mem::take(&mut retry), true),
            }
        };
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
                if !retrying && transient(&e) {
                    retry.push(c);
                }
            }
        }
    }
}
