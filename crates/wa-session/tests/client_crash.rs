//! Crash safety of the whole client: a child process runs three paired
//! sessions (restored from the store) while a virtual phone keeps sending
//! them messages; this test `kill -9`s the child at random instants, at
//! least 50 times, and restarts it.
//!
//! Checked:
//! * after every restart, every session logs in again (no QR, no
//!   `LoggedOut`) within 10 s;
//! * after every kill the database passes `PRAGMA integrity_check`;
//! * no message ever fails to decrypt (the child reports `Undecryptable`
//!   events), which is what a Signal session saved out of step with the
//!   acked stanzas would cause;
//! * at the end, every message the phone sent is stored, once, in the
//!   session it was sent to.
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
use wa_session::store::{MessageQuery, SqliteOptions, SqliteStore, Store};
use wa_session::{ClientTemplate, Event, SessionManager};

const SESSIONS: usize = 3;
const KILLS: u32 = 50;
const DB_ENV: &str = "WA_CLIENT_CRASH_DB";
const URL_ENV: &str = "WA_CLIENT_CRASH_URL";
const ROOT_ENV: &str = "WA_CLIENT_CRASH_ROOT";
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
    bad: Vec<String>,
}

fn spawn_child(
    exe: &std::path::Path,
    db: &std::path::Path,
    url: &str,
    root: &str,
) -> (std::process::Child, Arc<Mutex<ChildLog>>) {
    let mut child = Command::new(exe)
        .args(["client_crash_child", "--exact", "--ignored", "--nocapture"])
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
                (Some("undecryptable" | "qr" | "loggedout"), _) => l.bad.push(line.clone()),
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
    for kill in 0..KILLS {
        let (mut child, log) = spawn_child(&exe, &db, &url, &root);
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
        integrity_ok(&db);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    rt.block_on(sender).unwrap();
    eprintln!("{KILLS} kills in {:.1} s", started.elapsed().as_secs_f64());

    // A last, undisturbed run drains everything the server still holds.
    let (mut child, log) = spawn_child(&exe, &db, &url, &root);
    let sent = sent.lock().unwrap().clone();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db, SqliteOptions::default()).unwrap());
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
    child.kill().unwrap();
    child.wait().unwrap();
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
    integrity_ok(&db);
}
