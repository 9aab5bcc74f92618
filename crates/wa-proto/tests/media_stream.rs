//! Streams 100 MiB through encryption and two-pass decryption in small
//! chunks and checks that memory stays bounded: the data is generated on the
//! fly and never held whole; every buffer's capacity is asserted.
//!
//! The 100 MiB run takes seconds with optimized code but minutes in a debug
//! build (the RustCrypto dependencies are unoptimized there), so debug runs
//! stream 4 MiB through the same code and skip the 100 MiB test unless asked:
//! `cargo test --release -p wa-proto --test media_stream` runs it, as does
//! `--include-ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers

use wa_proto::media::{
    ExpectedMedia, MediaEncryptor, MediaInfo, MediaType, MediaVerifier, SEGMENT_LEN,
};

const MIB: u64 = 1024 * 1024;
/// An odd chunk size, so chunk and block boundaries never line up.
const CHUNK: usize = 4093;
const KEY: [u8; 32] = [0x17; 32];
const T: MediaType = MediaType::Video;

/// Deterministic plaintext, produced chunk by chunk (xorshift64).
struct Source {
    state: u64,
    left: u64,
    buf: Vec<u8>,
}

impl Source {
    fn new(total: u64) -> Self {
        Self {
            state: 0x9e37_79b9_7f4a_7c15,
            left: total,
            buf: vec![0; CHUNK],
        }
    }

    fn next(&mut self) -> Option<&[u8]> {
        if self.left == 0 {
            return None;
        }
        let n = CHUNK.min(self.left as usize);
        for word in self.buf[..n].chunks_mut(8) {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            word.copy_from_slice(&self.state.to_le_bytes()[..word.len()]);
        }
        self.left -= n as u64;
        Some(&self.buf[..n])
    }
}

/// Encrypts the whole source, handing each piece of ciphertext to `sink`.
fn encrypt_stream(total: u64, mut sink: impl FnMut(&[u8])) -> MediaInfo {
    let mut src = Source::new(total);
    let mut enc = MediaEncryptor::new(KEY, T);
    let mut out = Vec::with_capacity(CHUNK + 16);
    let cap = out.capacity();
    while let Some(chunk) = src.next() {
        enc.update(chunk, &mut out);
        sink(&out);
        out.clear();
    }
    let info = enc.finish(&mut out);
    sink(&out);
    assert_eq!(out.capacity(), cap, "the output buffer never grew");
    info
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "minutes unoptimized: run with --release or --include-ignored"
)]
fn hundred_mib_streams_in_bounded_memory() {
    stream_through(100 * MIB);
}

#[test]
fn four_mib_streams_in_bounded_memory() {
    stream_through(4 * MIB);
}

fn stream_through(total: u64) {
    // Pass 1: encrypt, feeding the ciphertext straight into the verifier.
    let mut verifier = MediaVerifier::new(&KEY, T, ExpectedMedia::default());
    let info = encrypt_stream(total, |c| verifier.update(c));
    assert_eq!(info.file_length, total);
    assert_eq!(verifier.len(), (total / 16 + 1) * 16 + 10);
    let verified = verifier.finish().expect("MAC verifies");
    assert_eq!(verified.file_enc_sha256(), info.file_enc_sha256);
    // 32 bytes per 64 KiB segment (0.05 %), allowing for Vec doubling.
    let segments = (total as usize).div_ceil(SEGMENT_LEN);
    assert!(verified.checkpoint_bytes() <= 2 * 32 * segments);
    assert!(verified.checkpoint_bytes() <= 128 * 1024);

    // Pass 2: re-create the same ciphertext (same key, same data) and
    // decrypt it, comparing with a fresh copy of the source as it arrives.
    let mut decryptor = verified.into_decryptor();
    let mut expected_plain = Source::new(total);
    let mut pending: Vec<u8> = Vec::new();
    let mut out = Vec::with_capacity(CHUNK + SEGMENT_LEN);
    let out_cap = out.capacity();
    let mut max_pending = 0;
    encrypt_stream(total, |c| {
        decryptor.update(c, &mut out).expect("second pass");
        assert!(decryptor.buffer_capacity() <= SEGMENT_LEN + 16);
        // Compare the released plaintext with the source, keeping only the
        // unmatched remainder (less than a chunk).
        pending.extend_from_slice(&out);
        out.clear();
        while pending.len() >= CHUNK {
            let want = expected_plain.next().expect("source not exhausted");
            assert_eq!(&pending[..CHUNK], want);
            pending.drain(..CHUNK);
        }
        max_pending = max_pending.max(pending.capacity());
    });
    if let Some(want) = expected_plain.next() {
        assert_eq!(pending, want);
    } else {
        assert!(pending.is_empty());
    }
    assert!(expected_plain.next().is_none());
    assert_eq!(out.capacity(), out_cap, "the plaintext buffer never grew");
    assert!(max_pending <= 2 * (SEGMENT_LEN + CHUNK));
    let found = decryptor.finish().expect("finish");
    assert_eq!(found.file_length, total);
    assert_eq!(found.file_sha256, info.file_sha256);
}
