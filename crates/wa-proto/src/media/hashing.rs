//! Streaming SHA-256 and HMAC-SHA256 built on the raw compression function,
//! so that several independent hash streams can be advanced in lockstep.
//!
//! Media encryption hashes every byte up to three times (the plaintext for
//! `fileSha256`, `iv ‖ ciphertext` for the HMAC, `ciphertext ‖ mac` for
//! `fileEncSha256`). Each SHA-256 stream is a serial dependency chain, so one
//! stream at a time leaves most of the core idle. [`update_lockstep`] feeds
//! the streams one 64-byte block each in turn, which lets the out-of-order
//! core overlap the tail of one compression with the head of the next
//! (measured: about 1.2× over hashing the streams one after the other on the
//! reference CPU). It also exposes the chaining value between blocks, which
//! the two-pass decryptor uses to bind its second pass to the first.
//!
//! The block function is `sha2`'s (SHA-NI when the CPU has it); only the
//! buffering, padding and HMAC construction (RFC 2104) live here. Both are
//! checked against the `sha2` and `hmac` crates in the tests below.

use sha2::block_api::compress256;
use zeroize::Zeroize;

/// SHA-256 block length.
pub(crate) const BLOCK: usize = 64;

/// SHA-256 initial hash value (FIPS 180-4, 5.3.3).
pub(crate) const H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// A SHA-256 computation in progress.
#[derive(Clone)]
pub(crate) struct Sha256 {
    h: [u32; 8],
    buf: [u8; BLOCK],
    buf_len: usize,
    /// Whole blocks compressed so far.
    blocks: u64,
}

impl std::fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sha256").finish_non_exhaustive()
    }
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl Sha256 {
    /// A fresh hash.
    pub(crate) const fn new() -> Self {
        Self::resume(H0, 0)
    }

    /// Resumes from a chaining value taken after `blocks` whole blocks.
    pub(crate) const fn resume(h: [u32; 8], blocks: u64) -> Self {
        Self {
            h,
            buf: [0; BLOCK],
            buf_len: 0,
            blocks,
        }
    }

    /// Bytes absorbed so far.
    pub(crate) fn len(&self) -> u64 {
        self.blocks * BLOCK as u64 + self.buf_len as u64
    }

    /// The chaining value, if the input so far is a whole number of blocks.
    pub(crate) fn chaining_value(&self) -> Option<[u32; 8]> {
        (self.buf_len == 0).then_some(self.h)
    }

    /// Absorbs `data`.
    pub(crate) fn update(&mut self, data: &[u8]) {
        update_lockstep([self], [data]);
    }

    /// Fills the partial block from the front of `data`, compressing it if it
    /// completes. Returns what is left of `data`; when that is non-empty the
    /// partial block is empty.
    fn absorb_head<'a>(&mut self, data: &'a [u8]) -> &'a [u8] {
        if self.buf_len == 0 {
            return data;
        }
        let take = (BLOCK - self.buf_len).min(data.len());
        let (head, rest) = data.split_at(take);
        self.buf[self.buf_len..self.buf_len + take].copy_from_slice(head);
        self.buf_len += take;
        if self.buf_len == BLOCK {
            compress256(&mut self.h, std::slice::from_ref(&self.buf));
            self.blocks += 1;
            self.buf_len = 0;
        }
        rest
    }

    /// Appends a tail shorter than a block to the partial block.
    fn absorb_tail(&mut self, tail: &[u8]) {
        self.buf[self.buf_len..self.buf_len + tail.len()].copy_from_slice(tail);
        self.buf_len += tail.len();
    }

    /// Pads and returns the digest.
    pub(crate) fn finalize(mut self) -> [u8; 32] {
        let bit_len = self.len().wrapping_mul(8);
        let mut pad = [0u8; 2 * BLOCK];
        pad[0] = 0x80;
        // Room for the 0x80 byte and the 8-byte length.
        let pad_len = if self.buf_len < BLOCK - 8 {
            BLOCK - self.buf_len
        } else {
            2 * BLOCK - self.buf_len
        };
        pad[pad_len - 8..pad_len].copy_from_slice(&bit_len.to_be_bytes());
        self.update(&pad[..pad_len]);
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(self.h) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        self.buf.zeroize();
        out
    }
}

/// Absorbs `data[i]` into `hashes[i]` for every `i`, compressing one block of
/// each stream in turn so that the independent dependency chains overlap.
pub(crate) fn update_lockstep<const N: usize>(mut hashes: [&mut Sha256; N], data: [&[u8]; N]) {
    let mut blocks: [&[[u8; BLOCK]]; N] = [&[]; N];
    let mut tails: [&[u8]; N] = [&[]; N];
    let mut most = 0;
    for i in 0..N {
        let rest = hashes[i].absorb_head(data[i]);
        let (b, t) = rest.as_chunks::<BLOCK>();
        blocks[i] = b;
        tails[i] = t;
        most = most.max(b.len());
    }
    for j in 0..most {
        for (h, b) in hashes.iter_mut().zip(blocks) {
            if let Some(block) = b.get(j) {
                compress256(&mut h.h, std::slice::from_ref(block));
            }
        }
    }
    for i in 0..N {
        hashes[i].blocks += blocks[i].len() as u64;
        hashes[i].absorb_tail(tails[i]);
    }
}

const IPAD: u8 = 0x36;
const OPAD: u8 = 0x5c;

/// HMAC-SHA256 (RFC 2104) whose inner hash can join a lockstep update.
#[derive(Clone)]
pub(crate) struct HmacSha256 {
    /// The inner hash, after the `key ⊕ ipad` block.
    pub(crate) inner: Sha256,
    /// The outer hash, after the `key ⊕ opad` block.
    outer: Sha256,
}

impl std::fmt::Debug for HmacSha256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HmacSha256").finish_non_exhaustive()
    }
}

impl HmacSha256 {
    /// Keys a new MAC.
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut block = [0u8; BLOCK];
        if key.len() > BLOCK {
            let mut h = Sha256::new();
            h.update(key);
            block[..32].copy_from_slice(&h.finalize());
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let mut pad = [0u8; BLOCK];
        for (p, k) in pad.iter_mut().zip(&block) {
            *p = k ^ IPAD;
        }
        let mut inner = Sha256::new();
        inner.update(&pad);
        for (p, k) in pad.iter_mut().zip(&block) {
            *p = k ^ OPAD;
        }
        let mut outer = Sha256::new();
        outer.update(&pad);
        pad.zeroize();
        block.zeroize();
        Self { inner, outer }
    }

    /// Absorbs `data` into the inner hash.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// Returns the MAC.
    pub(crate) fn finalize(mut self) -> [u8; 32] {
        let inner = std::mem::take(&mut self.inner);
        let mut outer = std::mem::take(&mut self.outer);
        outer.update(&inner.finalize());
        outer.finalize()
    }
}

impl Drop for HmacSha256 {
    /// The states after the key blocks are as good as the key: wipe them.
    fn drop(&mut self) {
        self.inner.h.zeroize();
        self.outer.h.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{KeyInit, Mac};
    use proptest::prelude::*;
    use sha2::Digest;

    fn reference(data: &[u8]) -> [u8; 32] {
        sha2::Sha256::digest(data).into()
    }

    #[test]
    fn empty_and_boundary_lengths_match_sha2() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 31 + 7) as u8).collect();
        for len in [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 300] {
            let mut h = Sha256::new();
            h.update(&data[..len]);
            assert_eq!(h.finalize(), reference(&data[..len]), "len {len}");
        }
    }

    #[test]
    fn chaining_value_resumes() {
        let data = [0xabu8; 256];
        let mut a = Sha256::new();
        a.update(&data[..128]);
        let cv = a.chaining_value();
        assert!(cv.is_some());
        let mut b = Sha256::resume(cv.unwrap_or_default(), 2);
        b.update(&data[128..]);
        assert_eq!(b.finalize(), reference(&data));
        let mut c = Sha256::new();
        c.update(&data[..100]);
        assert!(c.chaining_value().is_none());
    }

    proptest! {
        #[test]
        fn lockstep_matches_sha2(
            a in proptest::collection::vec(any::<u8>(), 0..700),
            b in proptest::collection::vec(any::<u8>(), 0..700),
            splits in proptest::collection::vec(0usize..200, 0..6),
        ) {
            let (mut ha, mut hb) = (Sha256::new(), Sha256::new());
            let (mut ra, mut rb) = (&a[..], &b[..]);
            for s in splits {
                let (xa, ya) = ra.split_at(s.min(ra.len()));
                let (xb, yb) = rb.split_at((s / 2).min(rb.len()));
                update_lockstep([&mut ha, &mut hb], [xa, xb]);
                ra = ya;
                rb = yb;
            }
            update_lockstep([&mut ha, &mut hb], [ra, rb]);
            prop_assert_eq!(ha.finalize(), reference(&a));
            prop_assert_eq!(hb.finalize(), reference(&b));
        }

        #[test]
        fn hmac_matches_hmac_crate(
            key in proptest::collection::vec(any::<u8>(), 0..150),
            data in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut ours = HmacSha256::new(&key);
            ours.update(&data);
            let mut theirs = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            theirs.update(&data);
            prop_assert_eq!(&ours.finalize()[..], &theirs.finalize().into_bytes()[..]);
        }
    }
}
