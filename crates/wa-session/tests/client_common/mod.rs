//! Shared harness for client tests: an in-process wa-sim, a store in a
//! temporary directory and clients pointed at the sim.
#![allow(dead_code, unreachable_pub)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use wa_proto::keys::PublicKey;
use wa_proto::noise::TrustedRoot;
use wa_session::client::{Backoff, Options};
use wa_session::store::{SqliteOptions, SqliteStore, Store};
use wa_session::{Client, ClientTemplate, Event, EventStream};
use wa_sim::{Sim, SimConfig, SimHandle};

pub const WAIT: Duration = Duration::from_secs(15);

pub async fn start_sim() -> SimHandle {
    Sim::start(SimConfig::local()).await.unwrap()
}

pub fn open_store(dir: &Path) -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(dir.join("gateway.db"), SqliteOptions::default()).unwrap())
}

pub fn root(sim: &SimHandle) -> TrustedRoot {
    TrustedRoot::new(PublicKey::from_raw(sim.root_public_key()))
}

pub fn test_options() -> Options {
    Options {
        keepalive_interval: Duration::from_secs(2),
        keepalive_grace: Duration::from_secs(2),
        offline_timeout: Duration::from_secs(2),
        iq_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(5),
        backoff: Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
        },
        ..Options::default()
    }
}

pub fn template(sim: &SimHandle) -> ClientTemplate {
    ClientTemplate {
        url: sim.ws_url(),
        root: root(sim),
        options: test_options(),
        ..ClientTemplate::default()
    }
}

pub async fn client(sim: &SimHandle, store: &Arc<dyn Store>, id: &str) -> (Client, EventStream) {
    Client::builder(Arc::clone(store), id)
        .url(sim.ws_url())
        .trusted_root(root(sim))
        .options(test_options())
        .build()
        .await
        .unwrap()
}

/// The next event matching `pred`, skipping others; panics after `WAIT`.
pub async fn next_event(events: &mut EventStream, mut pred: impl FnMut(&Event) -> bool) -> Event {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let e = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("timed out waiting for an event")
            .expect("event stream ended");
        if pred(&e) {
            return e;
        }
    }
}

/// Pairs a fresh session by QR with `phone`'s virtual phone and waits until
/// connected. Returns the device JID text.
pub async fn pair_by_qr(sim: &SimHandle, events: &mut EventStream, phone: &str) -> String {
    let Event::Qr { code, index, .. } = next_event(events, |e| matches!(e, Event::Qr { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(index, 0);
    let jid = sim.link_qr(phone, &code).await.unwrap();
    let Event::Paired { jid: paired, .. } =
        next_event(events, |e| matches!(e, Event::Paired { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(paired.to_string(), jid.to_string());
    next_event(events, |e| matches!(e, Event::Connected { .. })).await;
    jid.to_string()
}

/// The companion device ids the sim holds for `phone`.
pub fn sim_devices(sim: &SimHandle, phone: &str) -> Vec<u16> {
    sim.with_world(|w| {
        w.account(phone)
            .map(|a| a.devices.keys().copied().filter(|d| *d != 0).collect())
            .unwrap_or_default()
    })
}
