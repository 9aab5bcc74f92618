//! Crash safety: a child process commits batches in a loop while this test
//! `kill -9`s it at random instants, at least 50 times. After every kill the
//! database must pass `PRAGMA integrity_check`, every batch must be all or
//! nothing, and every commit the child saw succeed must be there.
//!
//! The child is this test binary re-executed with `WA_STORE_CRASH_DB` set
//! (the ignored test `crash_child`). It runs several workers, one session
//! each, that simulate receiving `pkmsg`s: each batch stores a Signal
//! session record whose remote registration id is the counter `n`, a
//! message with id `n`, consumes prekey `n`, stores the event-buffer entry
//! and an outbox entry `n`, and moves the chat's timestamp. After `commit`
//! returns, the worker prints `ack <worker> <n>`.
//!
//! Invariants checked after each kill, per worker, with `c` the counter in
//! the session record:
//! * messages, event-buffer entries and outbox entries are exactly `1..=c`;
//! * no prekey `<= c` is left (consumed with its message) and the remaining
//!   ones are `c+1..` contiguous (none consumed without its message);
//! * `c` is the last acknowledged counter or one more (a commit that
//!   finished just before the kill, before its `ack` line was printed).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rusqlite::Connection;
use wa_proto::jid::Jid;
use wa_proto::signal::{
    LocalIdentity, PreKey, PreKeyBundle, ProtocolAddress, SessionRecord, SignedPreKey,
    process_prekey_bundle,
};
use wa_session::Error;
use wa_session::store::{
    AckLevel, ChatPatch, CommitContext, NewOutboxEntry, SqliteOptions, SqliteStore, Store,
    StoredMessage, Synchronous, WriteBatch,
};

const WORKERS: u32 = 6;
const KILLS: u32 = 60;
const DB_ENV: &str = "WA_STORE_CRASH_DB";
const SYNC_ENV: &str = "WA_STORE_CRASH_SYNC";
/// The child stops by itself after this long, should the parent be gone.
const CHILD_LIFETIME: Duration = Duration::from_secs(30);
/// Prekeys added whenever a worker runs out.
const PREKEY_STOCK: u32 = 40;

fn peer() -> ProtocolAddress {
    ProtocolAddress::new("15550001", 0)
}

fn chat() -> Jid {
    Jid::pn("15550001")
}

/// The child: workers committing "incoming message" batches until killed.
#[test]
#[ignore = "child process of crash_safety_under_kill_9; runs only when re-executed by it"]
fn crash_child() {
    let Ok(path) = std::env::var(DB_ENV) else {
        return;
    };
    let sync = match std::env::var(SYNC_ENV).as_deref() {
        Ok("normal") => Synchronous::Normal,
        _ => Synchronous::Full,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let options = SqliteOptions {
            synchronous: sync,
            ..SqliteOptions::default()
        };
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path, options).unwrap());
        let mut tasks = Vec::new();
        for w in 0..WORKERS {
            let store = Arc::clone(&store);
            tasks.push(tokio::spawn(worker(store, w)));
        }
        let _ = tokio::time::timeout(CHILD_LIFETIME, async {
            for t in tasks {
                t.await.unwrap();
            }
        })
        .await;
    });
}

async fn worker(store: Arc<dyn Store>, w: u32) {
    let sid = format!("w{w}");
    match store.create_session(&sid).await {
        Ok(()) | Err(Error::SessionExists(_)) => {}
        Err(e) => panic!("{e}"),
    }
    let ctx = CommitContext::new(sid.as_str());
    let mut rng = ChaCha20Rng::seed_from_u64(u64::from(w) ^ u64::from(std::process::id()) << 8);
    let ours = LocalIdentity::generate(&mut rng);
    let theirs = LocalIdentity::generate(&mut rng);
    let spk = SignedPreKey::generate(&theirs.key_pair, 1, &mut rng);
    loop {
        let n = store
            .signal_session(&sid, &peer())
            .await
            .unwrap()
            .and_then(|r| r.remote_registration_id())
            .unwrap_or(0);
        let next = n + 1;
        if store.prekey(&sid, next).await.unwrap().is_none() {
            let mut b = WriteBatch::new();
            b.put_prekeys(PreKey::generate_batch(next, PREKEY_STOCK, &mut rng));
            store.commit(&ctx, b).await.unwrap();
        }
        // "Decrypt" the next message: a new session record (about 1 KB).
        let mut bundle = PreKeyBundle::new(&theirs, &spk, None);
        bundle.registration_id = next;
        let mut record = SessionRecord::new();
        process_prekey_bundle(&mut record, &ours, None, &bundle, &mut rng).unwrap();
        let id = format!("{next}");
        let mut b = WriteBatch::new();
        b.put_signal_session(&peer(), &record)
            .remove_prekey(next)
            .put_message(StoredMessage {
                chat: chat(),
                id: id.clone(),
                from_me: false,
                sender: Some(chat()),
                timestamp: i64::from(next),
                kind: "chat".into(),
                body: Some(format!("message {next}")),
                raw: vec![0x0a; 64],
                media: None,
                ack: AckLevel::Server,
            })
            .patch_chat(ChatPatch::new(chat()).message_at(i64::from(next)))
            .put_buffered_event(hash_of(next), vec![1; 80], i64::from(next))
            .outbox_accept(NewOutboxEntry {
                id,
                chat: chat(),
                payload: vec![2; 60],
                accepted_at_ms: i64::from(next),
            });
        store.commit(&ctx, b).await.unwrap();
        println!("ack {w} {next}");
    }
}

fn hash_of(n: u32) -> [u8; 32] {
    let mut h = [0u8; 32];
    h[..4].copy_from_slice(&n.to_be_bytes());
    h
}

/// Checks the database after a kill; returns the counter of every worker.
fn check(path: &Path, acked: &HashMap<u32, u32>) -> HashMap<u32, u32> {
    let conn = Connection::open(path).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let fk: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0, "foreign key violations");
    let mut counters = HashMap::new();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    if version == 0 {
        // Killed before the first child created the schema.
        assert!(acked.values().all(|&a| a == 0));
        return (0..WORKERS).map(|w| (w, 0)).collect();
    }
    for w in 0..WORKERS {
        let sid = format!("w{w}");
        let record: Option<Vec<u8>> = conn
            .query_row(
                "SELECT record FROM signal_sessions WHERE session_id = ?1",
                [&sid],
                |r| r.get(0),
            )
            .ok();
        let c = record
            .map(|b| {
                SessionRecord::from_bytes(&b)
                    .expect("stored session record decodes")
                    .remote_registration_id()
                    .unwrap()
            })
            .unwrap_or(0);
        let count_max = |table: &str, col: &str| -> (u32, u32) {
            conn.query_row(
                &format!(
                    "SELECT COUNT(*), COALESCE(MAX(CAST({col} AS INTEGER)), 0)
                     FROM {table} WHERE session_id = ?1"
                ),
                [&sid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
        };
        assert_eq!(count_max("messages", "msg_id"), (c, c), "{sid} messages");
        assert_eq!(count_max("outbox", "msg_id"), (c, c), "{sid} outbox");
        let (events, _) = count_max("event_buffer", "inserted_at_ms");
        assert_eq!(events, c, "{sid} event buffer");
        let last_ts: Option<i64> = conn
            .query_row(
                "SELECT last_message_ts FROM chats WHERE session_id = ?1",
                [&sid],
                |r| r.get(0),
            )
            .ok()
            .flatten();
        assert_eq!(last_ts.unwrap_or(0), i64::from(c), "{sid} chat timestamp");
        let prekeys: Vec<u32> = conn
            .prepare("SELECT key_id FROM prekeys WHERE session_id = ?1 ORDER BY key_id")
            .unwrap()
            .query_map([&sid], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        if let Some(&first) = prekeys.first() {
            assert_eq!(first, c + 1, "{sid}: prekeys {prekeys:?} with counter {c}");
            let want: Vec<u32> = (first..first + prekeys.len() as u32).collect();
            assert_eq!(
                prekeys, want,
                "{sid}: a prekey consumed without its message"
            );
        }
        let a = acked.get(&w).copied().unwrap_or(0);
        assert!(
            c == a || c == a + 1,
            "{sid}: counter {c} but last acknowledged commit {a}"
        );
        counters.insert(w, c);
    }
    counters
}

#[test]
fn crash_safety_under_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let exe = std::env::current_exe().unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    println!("kill schedule seed {seed}");
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let started = Instant::now();
    let mut acked: HashMap<u32, u32> = HashMap::new();
    let mut last = HashMap::new();
    let mut total_runs_with_progress = 0;
    for kill in 0..KILLS {
        let mut child = Command::new(&exe)
            .args(["crash_child", "--exact", "--ignored", "--nocapture"])
            .env(DB_ENV, &path)
            .env(SYNC_ENV, if kill % 2 == 0 { "full" } else { "normal" })
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let seen = Arc::new(Mutex::new(Vec::<(u32, u32)>::new()));
        let reader = {
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    let mut parts = line.split_whitespace();
                    if parts.next() == Some("ack") {
                        let w = parts.next().and_then(|s| s.parse().ok());
                        let n = parts.next().and_then(|s| s.parse().ok());
                        if let (Some(w), Some(n)) = (w, n) {
                            seen.lock().unwrap().push((w, n));
                        }
                    }
                }
            })
        };
        std::thread::sleep(Duration::from_millis(rng.random_range(40..260)));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "the child must not have exited by itself"
        );
        reader.join().unwrap();
        for (w, n) in seen.lock().unwrap().drain(..) {
            let a = acked.entry(w).or_insert(0);
            *a = (*a).max(n);
        }
        let counters = check(&path, &acked);
        if counters != last {
            total_runs_with_progress += 1;
        }
        // The next run starts from what is stored.
        for (w, c) in &counters {
            acked.insert(*w, *c);
        }
        last = counters;
    }
    let total: u32 = last.values().sum();
    println!(
        "{KILLS} kills in {:.1} s, {total} batches committed, {total_runs_with_progress} runs made progress",
        started.elapsed().as_secs_f64()
    );
    assert!(
        total_runs_with_progress >= KILLS / 2,
        "too few runs got to commit anything"
    );
}
