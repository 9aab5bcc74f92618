//! Crash safety of the whole client: a child process runs three paired
//! sessions (restored from the store) while a virtual phone keeps sending
//! them messages and the sessions themselves send a storm of messages to
//! that phone; this test `kill -9`s the child at random instants, at least
//! 50 times, and restarts it. At least [`STORM`] messages are sent in all.
//!
//! Checked:
//! * after every restart, every session logs in again (no QR, no
//!   `LoggedOut`) within 10 s;
//! * after every kill the database passes `PRAGMA integrity_check`;
//! * no message ever fails to decrypt (the child reports `Undecryptable`
//!   events), which is what a Signal session saved out of step with the
//!   acked stanzas would cause;
//! * at the end, every message the phone sent is stored, once, in the
//!   session it was sent to;
//! * every message a session accepted (its outbox entry, and every id the
//!   child reported as accepted) reached the phone exactly once, the phone
//!   got nothing else from the sessions, and it never failed to decrypt
//!   one of their ciphertexts.
//!
//! The child is this test binary re-executed with `WA_CLIENT_CRASH_DB` set
//! (the ignored test `client_crash_child`); the wa-sim runs in this process
//! and outlives the kills, as the real network would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use client_common::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use wa_proto::keys::PublicKey;
use wa_proto::noise::TrustedRoot;
use wa_session::store::{MessageQuery, OutboxState, SqliteOptions, SqliteStore, Store};
use wa_session::{ClientTemplate, Event, SessionManager};

const SESSIONS: usize = 3;
const KILLS: u32 = 50;
const DB_ENV: &str = "WA_CLIENT_CRASH_DB";
const URL_ENV: &str = "WA_CLIENT_CRASH_URL";
const ROOT_ENV: &str = "WA_CLIENT_CRASH_ROOT";
const LIMIT_ENV: &str = "WA_CLIENT_CRASH_STORM_LIMIT";
const RUN_ENV: &str = "WA_CLIENT_CRASH_RUN";
/// Messages the sessions send to the phone over the whole test, at least.
const STORM: usize = 10_000;
const SENDER: &str = "6281477777777";

fn phone(i: usize) -> String {
    format!("628140000000{i}")
}

#[test]
#[ignore = "child process of client_crash_safety_under_kill_9"]
fn client_crash_child() {
    let (Ok(db), Ok(url), Ok(root)) = (
        std::env::var(DB_ENV),
        std::env::var(URL_ENV),
        std::env::var(ROOT_ENV),
    ) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(&db, SqliteOptions::default()).unwrap());
        let root: [u8; 32] = hex::decode(root).unwrap().try_into().unwrap();
        let template = ClientTemplate {
            url,
            root: TrustedRoot::new(PublicKey::from_raw(root)),
            options: test_options(),
            ..ClientTemplate::default()
        };
        let (m, mut events) = SessionManager::new(store, template);
        m.restore_all().await.unwrap();
        // The send storm: each session queues messages to the phone as fast
        // as the outbox accepts them, until killed (or the limit is hit).
        let limit: usize = std::env::var(LIMIT_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(usize::MAX);
        let run = std::env::var(RUN_ENV).unwrap_or_default();
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for i in 0..SESSIONS {
            let sid = format!("s{i}");
            let client = m.client(&sid).unwrap();
            let (accepted, run) = (Arc::clone(&accepted), run.clone());
            tokio::spawn(async move {
                let to = wa_proto::jid::Jid::pn(SENDER);
                for k in 0.. {
                    if accepted.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= limit {
                        break;
                    }
                    let msg = wa_proto::proto::wa::Message {
                        conversation: Some(format!("out {run} {sid} {k}")),
                        ..Default::default()
                    };
                    match client
                        .queue_message(&to, msg, wa_session::SendOptions::default())
                        .await
                    {
                        Ok(id) => println!("accepted {sid} {id}"),
                        Err(e) => {
                            println!("sendfail {sid} {e}");
                            break;
                        }
                    }
                }
            });
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while let Ok(Some((sid, e))) = tokio::time::timeout_at(deadline, events.recv()).await {
            let line = match e {
                Event::Connected { .. } => format!("connected {sid}"),
                Event::Message(m) => format!("msg {sid} {}", m.id),
                Event::Undecryptable { id, reason, .. } => {
                    format!("undecryptable {sid} {id} {reason}")
                }
                Event::Qr { .. } => format!("qr {sid}"),
                Event::LoggedOut { reason } => format!("loggedout {sid} {reason:?}"),
                _ => continue,
            };
            println!("{line}");
        }
    });
}

#[derive(Default)]
struct ChildLog {
    connected: HashSet<String>,
    accepted: Vec<String>,
    bad: Vec<String>,
}

fn spawn_child(
    exe: &std::path::Path,
    db: &std::path::Path,
    url: &str,
    root: &str,
    run: u32,
    limit: Option<usize>,
) -> (std::process::Child, Arc<Mutex<ChildLog>>) {
    let mut cmd = Command::new(exe);
    cmd.args(["client_crash_child", "--exact", "--ignored", "--nocapture"])
        .env(RUN_ENV, run.to_string());
    if let Some(l) = limit {
        cmd.env(LIMIT_ENV, l.to_string());
    }
    let mut child = cmd
        .env(DB_ENV, db)
        .env(URL_ENV, url)
        .env(ROOT_ENV, root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(ChildLog::default()));
    let out = child.stdout.take().unwrap();
    let log2 = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            let mut l = log2.lock().unwrap();
            let mut parts = line.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some("connected"), Some(sid)) => {
                    l.connected.insert(sid.to_owned());
                }
                (Some("accepted"), Some(_)) => {
                    if let Some(id) = parts.next() {
                        l.accepted.push(id.to_owned());
                    }
                }
                (Some("undecryptable" | "qr" | "loggedout" | "sendfail"), _) => {
                    l.bad.push(line.clone())
                }
                _ => {}
            }
        }
    });
    (child, log)
}

fn integrity_ok(db: &std::path::Path) {
    let c = rusqlite::Connection::open(db).unwrap();
    let r: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(r, "ok");
}

#[test]
fn client_crash_safety_under_kill_9() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gateway.db");
    let sim = rt.block_on(start_sim());
    // Pair the sessions once, in this process, then hand the store over.
    rt.block_on(async {
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(&db, SqliteOptions::default()).unwrap());
        sim.create_account(SENDER, "Sender").unwrap();
        for i in 0..SESSIONS {
            sim.create_account(&phone(i), "User").unwrap();
            let (c, mut events) = client(&sim, &store, &format!("s{i}")).await;
            pair_by_qr(&sim, &mut events, &phone(i)).await;
            c.disconnect().await;
        }
    });
    let url = sim.ws_url();
    let root = hex::encode(sim.root_public_key());
    let exe = std::env::current_exe().unwrap();

    // The phone sends to the sessions all along, dead child or not.
    let sent: Arc<Mutex<Vec<(usize, String)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sender = {
        let (sim, sent, stop) = (sim.clone(), Arc::clone(&sent), Arc::clone(&stop));
        rt.spawn(async move {
            let mut n = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let i = n % SESSIONS;
                let to = format!("{}@s.whatsapp.net", phone(i));
                let id = sim.send_text(SENDER, &to, &format!("n{n}")).unwrap();
                sent.lock().unwrap().push((i, id));
                n += 1;
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        })
    };

    let seed: u64 = rand::random();
    eprintln!("kill schedule seed {seed}");
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let started = Instant::now();
    let mut accepted: Vec<String> = Vec::new();
    let kills: u32 = std::env::var("WA_CLIENT_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(KILLS)
        .max(1);
    for kill in 0..kills {
        let (mut child, log) = spawn_child(&exe, &db, &url, &root, kill, None);
        let t0 = Instant::now();
        loop {
            {
                let l = log.lock().unwrap();
                assert!(l.bad.is_empty(), "run {kill}: {:?}", l.bad);
                if l.connected.len() == SESSIONS {
                    break;
                }
            }
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "run {kill}: sessions did not all log in"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(0..400)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert!(
            log.lock().unwrap().bad.is_empty(),
            "run {kill}: {:?}",
            log.lock().unwrap().bad
        );
        accepted.append(&mut log.lock().unwrap().accepted);
        integrity_ok(&db);
        if std::env::var("WA_CLIENT_CRASH_VERBOSE").is_ok() {
            eprintln!(
                "run {kill}: {} accepted so far, phone decrypt failures {}",
                accepted.len(),
                sim.stats().phone_decrypt_failures
            );
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    rt.block_on(sender).unwrap();
    eprintln!("{kills} kills in {:.1} s", started.elapsed().as_secs_f64());

    // A last, undisturbed run drains everything the server still holds and
    // tops the storm up to STORM messages.
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db, SqliteOptions::default()).unwrap());
    let in_outbox = rt.block_on(outbox_ids(&store)).len();
    let top_up = STORM.saturating_sub(in_outbox);
    eprintln!("{in_outbox} messages accepted during the kills, {top_up} more in the last run");
    let (mut child, log) = spawn_child(&exe, &db, &url, &root, kills, Some(top_up));
    let sent = sent.lock().unwrap().clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    let missing = loop {
        let missing: Vec<&(usize, String)> = rt.block_on(async {
            let mut missing = Vec::new();
            for i in 0..SESSIONS {
                let have: HashSet<String> = store
                    .messages(&format!("s{i}"), &MessageQuery::new(100_000))
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|m| m.id)
                    .collect();
                missing.extend(sent.iter().filter(|(s, id)| *s == i && !have.contains(id)));
            }
            missing
        });
        if missing.is_empty() || Instant::now() > deadline {
            break missing.len();
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // Every accepted outgoing message reaches the phone exactly once.
    let deadline = Instant::now() + Duration::from_secs(120);
    let (outbox, delivered) = loop {
        let outbox = rt.block_on(outbox_ids(&store));
        let acked = rt.block_on(all_acked(&store));
        let delivered = delivered_ids(&sim);
        if (acked && outbox.len() >= STORM && delivered.len() >= outbox.len())
            || Instant::now() > deadline
        {
            break (outbox, delivered);
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    accepted.append(&mut log.lock().unwrap().accepted);
    assert!(
        log.lock().unwrap().bad.is_empty(),
        "{:?}",
        log.lock().unwrap().bad
    );
    assert_eq!(
        missing,
        0,
        "{missing} of {} messages never stored",
        sent.len()
    );
    eprintln!("{} messages sent, all stored exactly once", sent.len());
    assert!(outbox.len() >= STORM, "only {} accepted", outbox.len());
    let unique: HashSet<&String> = delivered.iter().collect();
    assert_eq!(
        unique.len(),
        delivered.len(),
        "a message reached the phone twice"
    );
    let outbox_set: HashSet<&String> = outbox.iter().collect();
    let lost: Vec<&&String> = outbox_set.difference(&unique).collect();
    assert!(
        lost.is_empty(),
        "{} accepted messages never arrived",
        lost.len()
    );
    let extra: Vec<&&String> = unique.difference(&outbox_set).collect();
    assert!(extra.is_empty(), "{} unknown messages arrived", extra.len());
    for id in &accepted {
        assert!(
            outbox_set.contains(id),
            "reported accepted but not in the outbox: {id}"
        );
    }
    assert_eq!(sim.stats().phone_decrypt_failures, 0);
    eprintln!(
        "{} messages accepted ({} reported before a kill), each delivered exactly once",
        outbox.len(),
        accepted.len()
    );
    integrity_ok(&db);
}

/// Every outbox id of every session.
async fn outbox_ids(store: &Arc<dyn Store>) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..SESSIONS {
        let entries = store
            .outbox_by_state(&format!("s{i}"), &OutboxState::ALL, u32::MAX)
            .await
            .unwrap();
        ids.extend(entries.into_iter().map(|e| e.id));
    }
    ids
}

/// Whether every outbox entry is acked by the server (none failed).
async fn all_acked(store: &Arc<dyn Store>) -> bool {
    for i in 0..SESSIONS {
        let open = store
            .outbox_by_state(
                &format!("s{i}"),
                &[
                    OutboxState::Accepted,
                    OutboxState::Encrypted,
                    OutboxState::Sent,
                    OutboxState::Failed,
                ],
                1,
            )
            .await
            .unwrap();
        if !open.is_empty() {
            return false;
        }
    }
    true
}

/// Ids of the messages the phone got from the sessions.
fn delivered_ids(sim: &wa_sim::SimHandle) -> Vec<String> {
    sim.inbox(SENDER)
        .unwrap()
        .into_iter()
        .filter(|e| e.text.starts_with("out "))
        .map(|e| e.id)
        .collect()
}
