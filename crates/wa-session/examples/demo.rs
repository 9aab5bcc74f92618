//! A complete round trip against an offline WhatsApp network: starts an
//! in-process wa-sim with two accounts, links a new session to Alice's
//! phone by QR, receives a message from Bob, restarts and logs in again
//! from the stored credentials. Run with
//!
//! ```text
//! cargo run -p wa-session --example demo
//! ```
//!
//! Against WhatsApp itself, drop the sim, leave the URL and root at their
//! defaults and show the `Event::Qr` string as a QR code to scan.

use std::sync::Arc;

use wa_proto::keys::PublicKey;
use wa_proto::noise::TrustedRoot;
use wa_session::store::{SqliteOptions, SqliteStore, Store};
use wa_session::{Client, Event, EventStream};
use wa_sim::{Sim, SimConfig};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn until(events: &mut EventStream, pred: impl Fn(&Event) -> bool) -> Result<Event, BoxError> {
    loop {
        let e = tokio::time::timeout(std::time::Duration::from_secs(15), events.recv())
            .await?
            .ok_or("event stream ended")?;
        println!("event: {e:?}");
        if pred(&e) {
            return Ok(e);
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let sim = Sim::start(SimConfig::local()).await?;
    sim.create_account("6281111111111", "Alice")?;
    sim.create_account("6282222222222", "Bob")?;
    let dir = tempfile::tempdir()?;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(
        dir.path().join("gateway.db"),
        SqliteOptions::default(),
    )?);
    let root = TrustedRoot::new(PublicKey::from_raw(sim.root_public_key()));

    // 1. A new session shows a QR; Alice's phone scans it.
    let (client, mut events) = Client::builder(Arc::clone(&store), "alice")
        .url(sim.ws_url())
        .trusted_root(root.clone())
        .build()
        .await?;
    let Event::Qr { code, .. } = until(&mut events, |e| matches!(e, Event::Qr { .. })).await?
    else {
        unreachable!()
    };
    sim.link_qr("6281111111111", &code).await?;
    until(&mut events, |e| matches!(e, Event::Connected { .. })).await?;

    // 2. Bob writes; the message is decrypted, stored, then acked.
    sim.send_text("6282222222222", "6281111111111@s.whatsapp.net", "Hi Alice!")?;
    if let Event::Message(m) = until(&mut events, |e| matches!(e, Event::Message(_))).await? {
        println!("{} says {:?}", m.chat, m.body);
    }

    // 3. Restart: the stored credentials log in without a QR.
    client.disconnect().await;
    let (client, mut events) = Client::builder(store, "alice")
        .url(sim.ws_url())
        .trusted_root(root)
        .build()
        .await?;
    until(&mut events, |e| matches!(e, Event::Connected { .. })).await?;
    println!("logged in again as {:?}", client.status());
    client.disconnect().await;
    sim.shutdown().await;
    Ok(())
}
