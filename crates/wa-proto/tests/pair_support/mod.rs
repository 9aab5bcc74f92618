//! Shared helpers for the `pair_*` tests: a seeded RNG, a replaying RNG that
//! hands out recorded bytes (to reproduce Baileys' random draws exactly), key
//! helpers, and the committed Baileys vectors
//! (`tests/vectors/pair/baileys.json`, regenerated and compared by
//! `cargo xtask interop pair`).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::sync::OnceLock;

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rand_core::{TryCryptoRng, TryRng};
use serde_json::Value;
use wa_proto::keys::{KeyPair, PrivateKey, PublicKey};

/// A deterministic RNG for tests.
pub(crate) fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// An RNG that returns exactly the given bytes, in order, and panics when
/// they run out (so a test notices an unexpected extra draw).
#[derive(Debug)]
pub(crate) struct Replay {
    bytes: Vec<u8>,
    pos: usize,
}

impl Replay {
    pub(crate) fn new(parts: &[&[u8]]) -> Self {
        Self {
            bytes: parts.concat(),
            pos: 0,
        }
    }

    /// Whether every recorded byte was drawn.
    pub(crate) fn exhausted(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

impl TryRng for Replay {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let end = self.pos + dst.len();
        assert!(end <= self.bytes.len(), "replay RNG exhausted");
        dst.copy_from_slice(&self.bytes[self.pos..end]);
        self.pos = end;
        Ok(())
    }
}

impl TryCryptoRng for Replay {}

/// Hex to bytes.
pub(crate) fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex {s}: {e}"))
}

/// A public key from hex.
pub(crate) fn public(s: &str) -> PublicKey {
    PublicKey::from_bytes(&unhex(s)).unwrap()
}

/// A key pair from a hex private key, checked against a hex public key.
pub(crate) fn key_pair(private: &str, public_hex: &str) -> KeyPair {
    let bytes: [u8; 32] = unhex(private).try_into().unwrap();
    let pair = KeyPair::from_private(PrivateKey::from_bytes(bytes));
    assert_eq!(
        pair.public,
        public(public_hex),
        "private key does not match"
    );
    pair
}

/// A 32-byte secret from standard base64.
pub(crate) fn secret(b64: &str) -> [u8; 32] {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
        .try_into()
        .unwrap()
}

/// The committed Baileys vectors.
pub(crate) fn vectors() -> &'static Value {
    static V: OnceLock<Value> = OnceLock::new();
    V.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/pair/baileys.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

/// The string at a JSON pointer.
pub(crate) fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {ptr}"))
}
