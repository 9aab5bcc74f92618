//! Media and app-state crypto throughput.
//!
//! * `media/encrypt_1MiB`: [`MediaEncryptor`] over a 1 MiB buffer fed in
//!   64 KiB chunks: SHA-256 of the plaintext, AES-256-CBC, the HMAC and
//!   SHA-256 of the ciphertext.
//! * `media/decrypt_1MiB`: the streaming two-pass decryption of that file in
//!   64 KiB chunks: pass 1 checks `fileEncSha256` and the MAC, pass 2
//!   re-verifies each segment against pass 1, decrypts and hashes the
//!   plaintext, and every expected value is checked.
//! * `media/decrypt_1MiB_oneshot`: [`decrypt`] on the same buffer (one pass,
//!   all hashes, output released only after all checks).
//! * `appstate/lthash_add`, `appstate/value_mac`: one LTHash addition (an
//!   HKDF expansion to 128 bytes plus 64 lane additions) and one value MAC
//!   over a typical 112-byte `iv ‖ ciphertext`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wa_proto::appstate::{LtHash, MutationKeys, Operation};
use wa_proto::media::{ExpectedMedia, MediaEncryptor, MediaType, MediaVerifier, decrypt, encrypt};

const LEN: usize = 1 << 20;
const CHUNK: usize = 64 * 1024;
const KEY: [u8; 32] = [0x5a; 32];

fn media(c: &mut Criterion) {
    let plain: Vec<u8> = (0..LEN)
        .map(|i| ((i * 2_654_435_761usize) >> 13) as u8)
        .collect();
    let (file, info) = encrypt(KEY, MediaType::Video, &plain);
    let expected = ExpectedMedia::from_info(&info);

    let mut g = c.benchmark_group("media");
    g.throughput(Throughput::Bytes(LEN as u64));
    let mut out = Vec::with_capacity(CHUNK + 64);
    g.bench_function("encrypt_1MiB", |b| {
        b.iter(|| {
            let mut enc = MediaEncryptor::new(KEY, MediaType::Video);
            for chunk in plain.chunks(CHUNK) {
                enc.update(chunk, &mut out);
                black_box(&out);
                out.clear();
            }
            black_box(enc.finish(&mut out));
            out.clear();
        });
    });
    let mut out = Vec::with_capacity(2 * CHUNK + 64);
    g.bench_function("decrypt_1MiB", |b| {
        b.iter(|| {
            let mut v = MediaVerifier::new(&KEY, MediaType::Video, expected.clone());
            file.chunks(CHUNK).for_each(|c| v.update(c));
            let mut d = v.finish().unwrap().into_decryptor();
            for chunk in file.chunks(CHUNK) {
                d.update(chunk, &mut out).unwrap();
                black_box(&out);
                out.clear();
            }
            black_box(d.finish().unwrap());
        });
    });
    g.bench_function("decrypt_1MiB_oneshot", |b| {
        b.iter(|| black_box(decrypt(&KEY, MediaType::Video, &file, &expected).unwrap()));
    });
    g.finish();
}

fn appstate(c: &mut Criterion) {
    let keys = MutationKeys::expand(&[7; 32]);
    let blob = vec![3u8; 112];
    let mac = keys.value_mac(Operation::Set, b"keyid1", &blob);
    let mut g = c.benchmark_group("appstate");
    g.throughput(Throughput::Elements(1));
    let mut h = LtHash::new();
    g.bench_function("lthash_add", |b| {
        b.iter(|| h.add(black_box(&mac)));
    });
    g.bench_function("value_mac", |b| {
        b.iter(|| black_box(keys.value_mac(Operation::Set, b"keyid1", black_box(&blob))));
    });
    g.finish();
}

criterion_group!(benches, media, appstate);
criterion_main!(benches);
