//! The symmetric half of the Double Ratchet (and of sender keys): chain keys,
//! message keys, skipped-key bookkeeping and the root-key KDF.
//!
//! * chain step: `seed = HMAC(chainKey, 0x01)`, `next = HMAC(chainKey, 0x02)`;
//! * message keys: `HKDF(seed, salt = 0³², "WhisperMessageKeys", 80)` →
//!   cipher key 32 ‖ MAC key 32 ‖ IV 16;
//! * root step: `HKDF(DH, salt = rootKey, "WhisperRatchet", 64)` →
//!   new root key 32 ‖ chain key 32.
//!
//! Receiving uses a *plan, then commit* pattern: [`plan_receive`] works out
//! the key for a counter without touching the chain; [`apply_receive`]
//! applies it once the message has authenticated.

use std::collections::VecDeque;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::signal::crypto::{HmacKey, hkdf};
use crate::{Error, Result};

/// Most message keys kept per chain for messages that have not arrived yet;
/// the oldest is evicted first.
pub const MAX_SKIPPED_KEYS: usize = 2000;

/// How far ahead of its chain a message may be (libsignal's limit).
pub const MAX_FORWARD_JUMP: u32 = 2000;

/// A chain key and the index of the next message key it yields.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub(crate) struct ChainKey {
    pub(crate) key: [u8; 32],
    pub(crate) index: u32,
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainKey")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl ChainKey {
    pub(crate) fn new(key: [u8; 32], index: u32) -> Self {
        Self { key, index }
    }

    /// The message-key seed for `self.index` and the next chain key.
    pub(crate) fn step(&self) -> Result<([u8; 32], ChainKey)> {
        let index = self
            .index
            .checked_add(1)
            .ok_or(Error::InvalidMessage("chain index overflow"))?;
        let h = HmacKey::new(&self.key);
        Ok((h.mac(&[&[0x01]]), ChainKey::new(h.mac(&[&[0x02]]), index)))
    }
}

/// A message-key seed kept for a message that has not arrived yet.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub(crate) struct SkippedKey {
    pub(crate) index: u32,
    pub(crate) seed: [u8; 32],
}

/// The keys that encrypt and authenticate one pairwise message.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct MessageKeys {
    pub(crate) cipher_key: [u8; 32],
    pub(crate) mac_key: [u8; 32],
    pub(crate) iv: [u8; 16],
}

impl MessageKeys {
    /// Expands a seed with `WhisperMessageKeys`.
    pub(crate) fn derive(seed: &[u8; 32]) -> Self {
        let mut okm: [u8; 80] = hkdf(seed, None, b"WhisperMessageKeys");
        let mut keys = Self {
            cipher_key: [0; 32],
            mac_key: [0; 32],
            iv: [0; 16],
        };
        keys.cipher_key.copy_from_slice(&okm[..32]);
        keys.mac_key.copy_from_slice(&okm[32..64]);
        keys.iv.copy_from_slice(&okm[64..]);
        okm.zeroize();
        keys
    }
}

/// Root-key step: `(new root key, new chain key)` from a DH output.
pub(crate) fn kdf_root(root_key: &[u8; 32], dh: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
    let mut okm: [u8; 64] = hkdf(dh, Some(root_key), b"WhisperRatchet");
    let mut root = [0u8; 32];
    let mut chain = [0u8; 32];
    root.copy_from_slice(&okm[..32]);
    chain.copy_from_slice(&okm[32..]);
    okm.zeroize();
    (root, chain)
}

/// A chain's live chain key (if still open) and its kept skipped keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeyChain {
    /// `None` once the chain is closed.
    pub(crate) chain: Option<ChainKey>,
    /// Oldest first; at most [`MAX_SKIPPED_KEYS`].
    pub(crate) skipped: VecDeque<SkippedKey>,
}

impl std::fmt::Debug for SkippedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SkippedKey({})", self.index)
    }
}

/// Where the key for a received counter comes from.
#[derive(Debug)]
pub(crate) enum KeySource {
    /// A kept skipped key, at this position of `skipped`.
    Skipped(usize),
    /// Derived by advancing the chain: the new chain key and the keys passed over.
    Advance {
        next: ChainKey,
        passed: Vec<SkippedKey>,
    },
}

/// Works out the message-key seed for `counter` without changing `chain`.
///
/// Errors: [`Error::DuplicateMessage`] for a counter whose key is gone
/// (already used, or evicted), [`Error::TooFarInFuture`] beyond the jump limit.
pub(crate) fn plan_receive(chain: &KeyChain, counter: u32) -> Result<([u8; 32], KeySource)> {
    if let Some(ck) = chain.chain.as_ref().filter(|ck| counter >= ck.index) {
        if counter - ck.index > MAX_FORWARD_JUMP {
            return Err(Error::TooFarInFuture);
        }
        let mut passed = Vec::new();
        let mut cur = ck.clone();
        while cur.index < counter {
            let (seed, next) = cur.step()?;
            passed.push(SkippedKey {
                index: cur.index,
                seed,
            });
            cur = next;
        }
        let (seed, next) = cur.step()?;
        return Ok((seed, KeySource::Advance { next, passed }));
    }
    chain
        .skipped
        .iter()
        .enumerate()
        .find(|(_, k)| k.index == counter)
        .map(|(pos, k)| (k.seed, KeySource::Skipped(pos)))
        .ok_or(Error::DuplicateMessage(counter))
}

/// Commits a [`plan_receive`] result.
pub(crate) fn apply_receive(chain: &mut KeyChain, source: KeySource) {
    match source {
        KeySource::Skipped(pos) => {
            chain.skipped.remove(pos);
        }
        KeySource::Advance { next, passed } => {
            chain.chain = Some(next);
            push_skipped(&mut chain.skipped, passed);
        }
    }
}

/// Appends skipped keys, evicting the oldest beyond [`MAX_SKIPPED_KEYS`].
pub(crate) fn push_skipped(skipped: &mut VecDeque<SkippedKey>, keys: Vec<SkippedKey>) {
    skipped.extend(keys);
    while skipped.len() > MAX_SKIPPED_KEYS {
        skipped.pop_front();
    }
}

/// Derives and keeps every key of `chain` up to and including `last`
/// (bounded by the jump limit), then closes the chain.
pub(crate) fn close_chain(chain: &mut KeyChain, last: u32) {
    if let Some(mut cur) = chain.chain.take() {
        let end = last.min(cur.index.saturating_add(MAX_FORWARD_JUMP));
        let mut passed = Vec::new();
        while cur.index <= end {
            let Ok((seed, next)) = cur.step() else { break };
            passed.push(SkippedKey {
                index: cur.index,
                seed,
            });
            cur = next;
        }
        push_skipped(&mut chain.skipped, passed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(index: u32) -> KeyChain {
        KeyChain {
            chain: Some(ChainKey::new([3; 32], index)),
            skipped: VecDeque::new(),
        }
    }

    #[test]
    fn in_order_and_out_of_order() {
        let mut c = chain(0);
        let (s0, src) = plan_receive(&c, 0).unwrap();
        apply_receive(&mut c, src);
        let (s3, src) = plan_receive(&c, 3).unwrap();
        apply_receive(&mut c, src);
        assert_eq!(c.skipped.len(), 2);
        let (s1, src) = plan_receive(&c, 1).unwrap();
        apply_receive(&mut c, src);
        assert_eq!(c.skipped.len(), 1);
        assert_ne!(s0, s1);
        assert_ne!(s1, s3);
        assert_eq!(plan_receive(&c, 1).unwrap_err(), Error::DuplicateMessage(1));
        assert_eq!(plan_receive(&c, 3).unwrap_err(), Error::DuplicateMessage(3));
        // The same seeds come from a fresh chain.
        let fresh = chain(0);
        assert_eq!(plan_receive(&fresh, 3).unwrap().0, s3);
    }

    #[test]
    fn jump_limit_and_eviction() {
        let mut c = chain(0);
        assert_eq!(
            plan_receive(&c, MAX_FORWARD_JUMP + 1).unwrap_err(),
            Error::TooFarInFuture
        );
        let (_, src) = plan_receive(&c, MAX_FORWARD_JUMP).unwrap();
        apply_receive(&mut c, src);
        assert_eq!(c.skipped.len(), MAX_SKIPPED_KEYS);
        let (_, src) = plan_receive(&c, 2 * MAX_FORWARD_JUMP).unwrap();
        apply_receive(&mut c, src);
        assert_eq!(c.skipped.len(), MAX_SKIPPED_KEYS);
        // The oldest were evicted.
        assert!(plan_receive(&c, 0).is_err());
        assert!(plan_receive(&c, 2 * MAX_FORWARD_JUMP - 1).is_ok());
    }

    #[test]
    fn closing_keeps_keys_up_to_previous_counter() {
        let mut c = chain(2);
        close_chain(&mut c, 5);
        assert!(c.chain.is_none());
        let idx: Vec<u32> = c.skipped.iter().map(|k| k.index).collect();
        assert_eq!(idx, [2, 3, 4, 5]);
        assert_eq!(plan_receive(&c, 6).unwrap_err(), Error::DuplicateMessage(6));
    }

    #[test]
    fn index_overflow_is_an_error() {
        let c = chain(u32::MAX);
        assert!(plan_receive(&c, u32::MAX).is_err());
    }
}
