//! Signal session throughput, measured like `peer-bench.mjs` measures
//! libsignal-node: an established session (one round trip done), then many
//! 64-byte messages in a row on the steady sending chain, decrypted in order.
//! Both include the wire serialization / parsing a caller really does.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// Benches time their own loops (criterion `iter_custom`).
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wa_proto::signal::*;

struct Pair {
    alice: LocalIdentity,
    bob: LocalIdentity,
    ra: SessionRecord,
    rb: SessionRecord,
    rng: ChaCha20Rng,
}

fn established() -> Pair {
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    let alice = LocalIdentity::generate(&mut rng);
    let bob = LocalIdentity::generate(&mut rng);
    let spk = SignedPreKey::generate(&bob.key_pair, 7, &mut rng);
    let opk = PreKey::generate(5, &mut rng);
    let mut ra = SessionRecord::new();
    process_prekey_bundle(
        &mut ra,
        &alice,
        None,
        &PreKeyBundle::new(&bob, &spk, Some(&opk)),
        &mut rng,
    )
    .unwrap();
    let pt = [1u8; 64];
    let first = encrypt(&mut ra, &alice, &pt).unwrap();
    let mut rb = SessionRecord::new();
    let keys = ResponderKeys {
        signed_pre_key: Some(&spk),
        one_time_pre_key: Some(&opk),
    };
    decrypt_prekey(&mut rb, &bob, None, &first.bytes, keys, &mut rng).unwrap();
    let reply = encrypt(&mut rb, &bob, &pt).unwrap();
    decrypt(&mut ra, &alice, None, &reply.bytes, &mut rng).unwrap();
    Pair {
        alice,
        bob,
        ra,
        rb,
        rng,
    }
}

fn bench(c: &mut Criterion) {
    let pt = [1u8; 64];
    let mut g = c.benchmark_group("signal");
    g.throughput(Throughput::Elements(1));

    let mut p = established();
    g.bench_function("encrypt_64B", |b| {
        b.iter(|| black_box(encrypt(&mut p.ra, &p.alice, black_box(&pt)).unwrap()))
    });

    let mut p = established();
    g.bench_function("decrypt_64B", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(20_000);
                left -= n;
                let cts: Vec<_> = (0..n)
                    .map(|_| encrypt(&mut p.ra, &p.alice, &pt).unwrap().bytes)
                    .collect();
                let start = Instant::now();
                for ct in &cts {
                    black_box(decrypt(&mut p.rb, &p.bob, None, black_box(ct), &mut p.rng).unwrap());
                }
                total += start.elapsed();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
