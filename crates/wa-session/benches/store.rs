//! Store commit throughput (criterion group `store`).
//!
//! One commit is a realistic unit of work: a Signal session record of about
//! 1.4 KB, a message row, and an outbox transition (`encrypted`, with one
//! 200-byte ciphertext) of an entry accepted beforehand (outside the timed
//! part). Throughput is reported in commits per second.
//!
//! * `commit_batch`: one task committing back to back (latency-bound: one
//!   transaction, one sync per commit).
//! * `commit_batch_concurrent_100`: 100 tasks committing at once; the
//!   writer's group commit shares each transaction and sync among them.
//!
//! Both run with the default `synchronous=FULL`; the `_normal` variants use
//! `synchronous=NORMAL` for comparison. Files live under cargo's target
//! tmpdir (a real disk, so syncs cost what they cost).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wa_proto::jid::Jid;
use wa_proto::signal::{
    LocalIdentity, PreKeyBundle, ProtocolAddress, SessionRecord, SignedPreKey,
    process_prekey_bundle,
};
use wa_session::store::{
    AckLevel, CiphertextKind, CommitContext, NewOutboxEntry, OutboxCiphertext, SqliteOptions,
    SqliteStore, Store, StoredMessage, Synchronous, WriteBatch,
};

/// A record with a current and three archived states (~1.4 KB).
fn record() -> SessionRecord {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let ours = LocalIdentity::generate(&mut rng);
    let theirs = LocalIdentity::generate(&mut rng);
    let spk = SignedPreKey::generate(&theirs.key_pair, 1, &mut rng);
    let bundle = PreKeyBundle::new(&theirs, &spk, None);
    let mut rec = SessionRecord::new();
    for _ in 0..4 {
        process_prekey_bundle(&mut rec, &ours, None, &bundle, &mut rng).unwrap();
    }
    rec
}

struct Bench {
    store: Arc<dyn Store>,
    ctx: CommitContext,
    record: SessionRecord,
    next: u64,
    _dir: tempfile::TempDir,
}

impl Bench {
    fn new(rt: &tokio::runtime::Runtime, sync: Synchronous) -> Self {
        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let options = SqliteOptions {
            synchronous: sync,
            ..SqliteOptions::default()
        };
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(dir.path().join("bench.db"), options).unwrap());
        let ctx = CommitContext::new("bench");
        rt.block_on(store.create_session("bench")).unwrap();
        Self {
            store,
            ctx,
            record: record(),
            next: 0,
            _dir: dir,
        }
    }

    /// Accepts `n` outbox entries (untimed) and returns their numbers.
    async fn accept(&mut self, n: u64) -> std::ops::Range<u64> {
        let first = self.next;
        self.next += n;
        for chunk in (first..self.next).collect::<Vec<_>>().chunks(1000) {
            let mut b = WriteBatch::new();
            for &i in chunk {
                b.outbox_accept(NewOutboxEntry {
                    id: format!("3EB0{i:016X}"),
                    chat: Jid::pn(format!("1555{:04}", i % 1000)),
                    payload: vec![0x0a; 120],
                    accepted_at_ms: i as i64,
                });
            }
            self.store.commit(&self.ctx, b).await.unwrap();
        }
        first..self.next
    }
}

/// The unit of work for entry `i`.
fn batch(record: &SessionRecord, i: u64) -> WriteBatch {
    let chat = Jid::pn(format!("1555{:04}", i % 1000));
    let id = format!("3EB0{i:016X}");
    let mut b = WriteBatch::new();
    b.put_signal_session(
        &ProtocolAddress::new(format!("1555{:04}", i % 1000), 0),
        record,
    )
    .put_message(StoredMessage {
        chat: chat.clone(),
        id: id.clone(),
        from_me: true,
        sender: None,
        timestamp: 1_700_000_000 + i as i64,
        kind: "chat".into(),
        body: Some(format!("hello number {i}, how are you doing today?")),
        raw: vec![0x0a; 80],
        media: None,
        ack: AckLevel::Pending,
    })
    .outbox_encrypted(
        &id,
        vec![OutboxCiphertext {
            recipient: chat,
            kind: CiphertextKind::Msg,
            bytes: vec![0x33; 200],
        }],
        i as i64,
    );
    b
}

fn bench_sequential(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    name: &str,
    sync: Synchronous,
) {
    let mut bench = Bench::new(rt, sync);
    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(1));
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let ids = bench.accept(iters).await;
                let start = Instant::now();
                for i in ids {
                    bench
                        .store
                        .commit(&bench.ctx, batch(&bench.record, i))
                        .await
                        .unwrap();
                }
                start.elapsed()
            })
        });
    });
    group.finish();
}

fn bench_concurrent(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    name: &str,
    sync: Synchronous,
) {
    const TASKS: u64 = 100;
    let mut bench = Bench::new(rt, sync);
    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(TASKS));
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let ids = bench.accept(iters * TASKS).await;
                let start = Instant::now();
                // 100 tasks, each committing its share one after another:
                // at any moment up to 100 commits are waiting together.
                let mut tasks = Vec::new();
                for t in 0..TASKS {
                    let store = Arc::clone(&bench.store);
                    let ctx = bench.ctx.clone();
                    let record = bench.record.clone();
                    let mine: Vec<u64> = ids
                        .clone()
                        .skip(t as usize)
                        .step_by(TASKS as usize)
                        .collect();
                    tasks.push(tokio::spawn(async move {
                        for i in mine {
                            store.commit(&ctx, batch(&record, i)).await.unwrap();
                        }
                    }));
                }
                for t in tasks {
                    t.await.unwrap();
                }
                start.elapsed()
            })
        });
    });
    group.finish();
}

fn store(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    eprintln!("session record: {} bytes", record().to_bytes().len());
    bench_sequential(c, &rt, "commit_batch", Synchronous::Full);
    bench_concurrent(c, &rt, "commit_batch_concurrent_100", Synchronous::Full);
    bench_sequential(c, &rt, "commit_batch_normal", Synchronous::Normal);
    bench_concurrent(
        c,
        &rt,
        "commit_batch_concurrent_100_normal",
        Synchronous::Normal,
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(6));
    targets = store
}
criterion_main!(benches);
