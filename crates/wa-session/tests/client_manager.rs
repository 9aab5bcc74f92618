//! The session manager against an in-process wa-sim: many sessions paired,
//! restored after a restart, and back to CONNECTED within 5 s of network
//! faults clearing, with every message delivered exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use client_common::*;
use wa_session::client::Status;
use wa_session::manager::ManagerEvents;
use wa_session::{Event, SessionManager};
use wa_sim::{FaultSettings, SimHandle};

const SESSIONS: usize = 4;

fn phone(i: usize) -> String {
    format!("62813000000{i:02}")
}

async fn next_for(
    events: &mut ManagerEvents,
    id: &str,
    mut pred: impl FnMut(&Event) -> bool,
) -> Event {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (sid, e) = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("timed out waiting for a session event")
            .expect("stream ended");
        if &*sid == id && pred(&e) {
            return e;
        }
    }
}

async fn pair_all(sim: &SimHandle, m: &SessionManager, events: &mut ManagerEvents) {
    for i in 0..SESSIONS {
        sim.create_account(&phone(i), &format!("User {i}")).unwrap();
        let id = format!("s{i}");
        m.start(&id).await.unwrap();
        let Event::Qr { code, .. } = next_for(events, &id, |e| matches!(e, Event::Qr { .. })).await
        else {
            unreachable!()
        };
        sim.link_qr(&phone(i), &code).await.unwrap();
        next_for(events, &id, |e| matches!(e, Event::Connected { .. })).await;
    }
    sim.create_account("6281399999999", "Sender").unwrap();
}

/// What the event stream showed since the last reset.
#[derive(Default)]
struct Seen {
    disconnected: std::collections::HashSet<String>,
    reconnected: std::collections::HashSet<String>,
    messages: HashMap<String, usize>,
}

/// Reads events until `done` holds (panics after `limit`).
async fn pump(
    events: &mut ManagerEvents,
    seen: &mut Seen,
    limit: Duration,
    done: impl Fn(&Seen) -> bool,
) {
    let deadline = tokio::time::Instant::now() + limit;
    while !done(seen) {
        let (sid, e) = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("timed out")
            .expect("stream ended");
        match e {
            Event::Disconnected { .. } => {
                seen.disconnected.insert(sid.to_string());
            }
            Event::Connected { .. } if seen.disconnected.contains(&*sid) => {
                seen.reconnected.insert(sid.to_string());
            }
            Event::Message(m) => *seen.messages.entry(m.id).or_default() += 1,
            _ => {}
        }
    }
}

/// After a fault: every session reports a disconnect and then CONNECTED
/// again within 5 s.
async fn all_reconnect(
    m: &SessionManager,
    events: &mut ManagerEvents,
    seen: &mut Seen,
) -> Duration {
    let start = Instant::now();
    pump(events, seen, Duration::from_secs(5), |s| {
        s.reconnected.len() == SESSIONS
    })
    .await;
    for (id, status) in m.list() {
        assert_eq!(status, Status::Connected, "{id}");
    }
    seen.disconnected.clear();
    seen.reconnected.clear();
    start.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_restore_after_restart() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (m, mut events) = SessionManager::new(Arc::clone(&store), template(&sim));
    pair_all(&sim, &m, &mut events).await;
    m.shutdown().await;
    assert!(m.list().is_empty());
    drop((m, events, store));

    let store = open_store(dir.path());
    let (m, mut events) = SessionManager::new(Arc::clone(&store), template(&sim));
    let started = Instant::now();
    let restored = m.restore_all().await.unwrap();
    assert_eq!(restored.len(), SESSIONS);
    let mut waiting: std::collections::HashSet<String> = restored.iter().cloned().collect();
    while !waiting.is_empty() {
        let (sid, e) = tokio::time::timeout(WAIT, events.recv())
            .await
            .expect("timed out waiting for restored sessions")
            .unwrap();
        assert!(!matches!(e, Event::Qr { .. }), "{sid} asked for a QR");
        if matches!(e, Event::Connected { .. }) {
            waiting.remove(&*sid);
        }
    }
    eprintln!(
        "cold restore + login of {SESSIONS} sessions: {:?}",
        started.elapsed()
    );
    // One more session after the restart: restore + login of one session.
    m.stop("s0").await;
    let one = Instant::now();
    m.start("s0").await.unwrap();
    next_for(&mut events, "s0", |e| matches!(e, Event::Connected { .. })).await;
    let took = one.elapsed();
    eprintln!("restore + login of one session: {took:?}");
    assert!(took < Duration::from_secs(2));
    for (id, status) in m.list() {
        assert_eq!(status, Status::Connected, "{id}");
    }
    // Logout and delete through the manager.
    m.delete("s1").await.unwrap();
    assert!(store.session("s1").await.unwrap().is_none());
    assert!(m.status("s1").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_within_5s_after_faults_and_exactly_once_delivery() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (m, mut events) = SessionManager::new(Arc::clone(&store), template(&sim));
    pair_all(&sim, &m, &mut events).await;

    // 1. Every connection dropped at once.
    let mut seen = Seen::default();
    assert_eq!(sim.drop_connections(), SESSIONS);
    let took = all_reconnect(&m, &mut events, &mut seen).await;
    eprintln!("after drop_connections: all connected again in {took:?}");

    // 2. Slow and lossy network while messages flow.
    sim.set_faults(FaultSettings {
        frame_delay_ms: 150,
        drop_frame_rate: 0.3,
    });
    let mut sent = Vec::new();
    for round in 0..5 {
        for i in 0..SESSIONS {
            let to = format!("{}@s.whatsapp.net", phone(i));
            sent.push(
                sim.send_text("6281399999999", &to, &format!("m{round}-{i}"))
                    .unwrap(),
            );
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    sim.clear_faults();
    // A stanza lost on a live connection is what a connection reset does on
    // a real network: the reset comes with it, and the server redelivers
    // everything that was not acked at the next login.
    sim.drop_connections();
    let took = all_reconnect(&m, &mut events, &mut seen).await;
    eprintln!("after clearing faults: all connected again in {took:?}");

    pump(&mut events, &mut seen, Duration::from_secs(20), |s| {
        s.messages.len() >= sent.len()
    })
    .await;
    // Duplicates would arrive shortly after; give them a moment.
    let _ = tokio::time::timeout(
        Duration::from_millis(500),
        pump(&mut events, &mut seen, Duration::from_secs(1), |_| false),
    )
    .await;
    for id in &sent {
        assert_eq!(seen.messages.get(id), Some(&1), "message {id}");
    }
    assert_eq!(seen.messages.len(), sent.len(), "unexpected extra messages");
}
