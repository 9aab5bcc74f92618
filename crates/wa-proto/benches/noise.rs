//! Noise benchmarks (criterion group `noise`).
//!
//! * `encrypt_64B`, `encrypt_64KiB`: transport encryption of one frame
//!   payload, in place with a detached tag (what the zero-copy send path
//!   `NoiseSocket::begin_frame`/`seal_frame` does).
//! * `decrypt_64B`, `decrypt_64KiB`: transport decryption of one frame in
//!   place (what `NoiseSocket::next_payload` does).
//! * `socket_encrypt_64KiB`, `socket_decrypt_64KiB`: the copying socket
//!   path: `encrypt_frame_into` a reused buffer, and `push_bytes` +
//!   `next_payload` of a framed ciphertext.
//! * `baseline_aesgcm_encrypt_64KiB`: aes-gcm alone, for comparison.
//! * `handshake`: a full in-process client + server handshake (key
//!   generation, four X25519 per side, chain verification).
//!
//! Run: `cargo bench -p wa-proto --bench noise`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Benches time their own loops (criterion `iter_custom`).
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wa_proto::frame::WA_HEADER;
use wa_proto::keys::KeyPair;
use wa_proto::noise::{
    CertIssuer, ChainSpec, ClientHandshake, FramedClientHandshake, FramedServerHandshake,
    NoiseSocket, ServerHandshake, Step, TAG_LEN, Transport, TrustedRoot,
};

const NOW: u64 = 1_750_000_000;

struct Fixture {
    rng: ChaCha20Rng,
    trust: TrustedRoot,
    server_key: KeyPair,
    chain: Vec<u8>,
    noise_key: KeyPair,
}

fn fixture() -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let issuer = CertIssuer::generate(&mut rng);
    let server_key = KeyPair::generate(&mut rng);
    let chain = issuer.issue(&mut rng, &server_key.public, &ChainSpec::default());
    let noise_key = KeyPair::generate(&mut rng);
    Fixture {
        rng,
        trust: issuer.trusted_root(),
        server_key,
        chain,
        noise_key,
    }
}

/// One full handshake; returns (client transport, server transport).
fn handshake(f: &mut Fixture) -> (Transport, Transport) {
    let (c, hello) = ClientHandshake::start(&mut f.rng, f.noise_key.clone(), &WA_HEADER).unwrap();
    let s = ServerHandshake::new(
        &mut f.rng,
        f.server_key.clone(),
        f.chain.clone(),
        &WA_HEADER,
    );
    let (s, server_hello) = s.read_client_hello(&hello).unwrap();
    let (c, _) = c.read_server_hello(&server_hello, &f.trust, NOW).unwrap();
    let (ct, finish) = c.finish(b"\x08\x01").unwrap();
    let (st, _, _) = s.read_client_finish(&finish).unwrap();
    (ct, st)
}

fn sockets(f: &mut Fixture) -> (NoiseSocket, NoiseSocket) {
    let (c, wire) = FramedClientHandshake::start(&mut f.rng, f.noise_key.clone(), None).unwrap();
    let s = FramedServerHandshake::new(&mut f.rng, f.server_key.clone(), f.chain.clone());
    let Step::Done((s, wire)) = s.handle_bytes(&wire).unwrap() else {
        panic!()
    };
    let Step::Done(ready) = c.handle_bytes(&wire, &f.trust, NOW).unwrap() else {
        panic!()
    };
    let (c, wire) = ready.finish(b"\x08\x01").unwrap();
    let Step::Done(est) = s.handle_bytes(&wire).unwrap() else {
        panic!()
    };
    (c, est.socket)
}

fn bench_transport(c: &mut Criterion, f: &mut Fixture, name: &str, len: usize) {
    let mut g = c.benchmark_group("noise");
    g.throughput(Throughput::Bytes(len as u64));

    let (mut tx, _) = handshake(f);
    let mut buf: Vec<u8> = (0..len).map(|i| i as u8).collect();
    g.bench_function(format!("encrypt_{name}"), |b| {
        b.iter(|| {
            let tag = tx.encrypt_in_place_detached(black_box(&mut buf)).unwrap();
            black_box(tag);
        });
    });

    // Decryption needs a fresh ciphertext per counter value: encrypt a
    // batch untimed, then time decrypting it.
    let batch = (4 * 1024 * 1024 / (len + TAG_LEN)).clamp(8, 4096);
    let plain: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
    let (mut tx, mut rx) = handshake(f);
    g.bench_function(format!("decrypt_{name}"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(batch as u64) as usize;
                let mut frames: Vec<Vec<u8>> =
                    (0..n).map(|_| tx.encrypt(&plain).unwrap()).collect();
                let start = Instant::now();
                for fr in &mut frames {
                    black_box(rx.decrypt_in_place(fr).unwrap());
                }
                total += start.elapsed();
                left -= n as u64;
            }
            total
        });
    });
    g.finish();
}

fn bench_socket(c: &mut Criterion, f: &mut Fixture) {
    let len = 64 * 1024;
    let mut g = c.benchmark_group("noise");
    g.throughput(Throughput::Bytes(len as u64));
    let (mut client, _) = sockets(f);
    let payload: Vec<u8> = (0..len).map(|i| i as u8).collect();
    let mut out = Vec::with_capacity(len + 64);
    g.bench_function("socket_encrypt_64KiB", |b| {
        b.iter(|| {
            out.clear();
            client
                .encrypt_frame_into(black_box(&payload), &mut out)
                .unwrap();
        });
    });
    let (mut client, mut server) = sockets(f);
    g.bench_function("socket_decrypt_64KiB", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(32);
                let frames: Vec<Vec<u8>> = (0..n)
                    .map(|_| client.encrypt_frame(&payload).unwrap())
                    .collect();
                let start = Instant::now();
                for fr in &frames {
                    server.push_bytes(fr).unwrap();
                    black_box(server.next_payload().unwrap());
                }
                total += start.elapsed();
                left -= n;
            }
            total
        });
    });
    g.finish();
}

/// Reference point: aes-gcm alone on the same buffer, same nonce layout, so
/// the transport's overhead shows in the same run.
fn bench_baseline(c: &mut Criterion) {
    use aes_gcm::aead::{AeadInOut, KeyInit};
    let len = 64 * 1024;
    let mut g = c.benchmark_group("noise");
    g.throughput(Throughput::Bytes(len as u64));
    let aead = aes_gcm::Aes256Gcm::new(&[7u8; 32].into());
    let mut buf: Vec<u8> = (0..len).map(|i| i as u8).collect();
    let mut n = 0u32;
    g.bench_function("baseline_aesgcm_encrypt_64KiB", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            let nonce = aes_gcm::Nonce::from(wa_proto::noise::nonce(n));
            let tag = aead
                .encrypt_inout_detached(&nonce, &[], black_box(&mut buf[..]).into())
                .unwrap();
            black_box(tag);
        });
    });
    g.finish();
}

fn bench_handshake(c: &mut Criterion, f: &mut Fixture) {
    let mut g = c.benchmark_group("noise");
    g.throughput(Throughput::Elements(1));
    g.bench_function("handshake", |b| b.iter(|| black_box(handshake(f))));
    g.finish();
}

fn benches(c: &mut Criterion) {
    let mut f = fixture();
    bench_transport(c, &mut f, "64B", 64);
    bench_transport(c, &mut f, "64KiB", 64 * 1024);
    bench_socket(c, &mut f);
    bench_baseline(c);
    bench_handshake(c, &mut f);
}

criterion_group!(noise, benches);
criterion_main!(noise);
