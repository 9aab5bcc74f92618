//! Symmetric primitives of the Signal layer: HMAC-SHA256 with reusable key
//! state, HKDF-SHA256 (RFC 5869) as libsignal uses it, and AES-256-CBC with
//! PKCS#7 padding.
//!
//! Everything here works on fixed-size arrays and precomputed HMAC states so
//! the per-message path does no heap allocation besides the output buffers.

use std::sync::OnceLock;

use aes::Aes256;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use sha2::block_api::compress256;
use zeroize::Zeroize;

use crate::{Error, Result};

/// SHA-256 initial state (FIPS 180-4 §5.3.3).
const H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Finishes SHA-256 over `parts`, starting from `state` after `done` bytes
/// (a multiple of 64) were already compressed.
fn sha256_finish(mut state: [u32; 8], done: u64, parts: &[&[u8]]) -> [u8; 32] {
    let mut buf = [0u8; 64];
    let mut fill = 0usize;
    let mut total = done;
    for part in parts {
        let mut p = *part;
        total += p.len() as u64;
        if fill > 0 {
            let take = (64 - fill).min(p.len());
            buf[fill..fill + take].copy_from_slice(&p[..take]);
            fill += take;
            p = &p[take..];
            if fill < 64 {
                continue;
            }
            compress256(&mut state, core::slice::from_ref(&buf));
        }
        let mut blocks = p.chunks_exact(64);
        for block in &mut blocks {
            let mut b = [0u8; 64];
            b.copy_from_slice(block);
            compress256(&mut state, core::slice::from_ref(&b));
        }
        let rest = blocks.remainder();
        buf[..rest.len()].copy_from_slice(rest);
        fill = rest.len();
    }
    buf[fill] = 0x80;
    buf[fill + 1..].fill(0);
    if fill + 1 > 56 {
        compress256(&mut state, core::slice::from_ref(&buf));
        buf.fill(0);
    }
    buf[56..].copy_from_slice(&(total * 8).to_be_bytes());
    compress256(&mut state, core::slice::from_ref(&buf));
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// An HMAC-SHA256 key with its inner and outer pad blocks already
/// compressed (RFC 2104), so each MAC under it costs only the message blocks
/// plus one outer block.
#[derive(Clone)]
pub(crate) struct HmacKey {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl HmacKey {
    /// Prepares `key` (any length).
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut k = [0u8; 64];
        if key.len() > 64 {
            k[..32].copy_from_slice(&sha256_finish(H0, 0, &[key]));
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let mut pad = [0u8; 64];
        for (p, b) in pad.iter_mut().zip(&k) {
            *p = b ^ 0x36;
        }
        let mut inner = H0;
        compress256(&mut inner, core::slice::from_ref(&pad));
        for (p, b) in pad.iter_mut().zip(&k) {
            *p = b ^ 0x5c;
        }
        let mut outer = H0;
        compress256(&mut outer, core::slice::from_ref(&pad));
        k.zeroize();
        pad.zeroize();
        Self { inner, outer }
    }

    /// HMAC of the concatenation of `parts`.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let inner = sha256_finish(self.inner, 64, parts);
        sha256_finish(self.outer, 64, &[&inner])
    }
}

impl Drop for HmacKey {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

/// The extract step's HMAC state for libsignal's all-zero 32-byte salt.
fn zero_salt() -> &'static HmacKey {
    static ZERO: OnceLock<HmacKey> = OnceLock::new();
    ZERO.get_or_init(|| HmacKey::new(&[0u8; 32]))
}

/// HKDF-SHA256 of `ikm` with `salt` (libsignal passes 32 zero bytes when it
/// has none: `None` here) and `info`, producing `N` bytes (`N` ≤ 255·32).
pub(crate) fn hkdf<const N: usize>(ikm: &[u8], salt: Option<&[u8; 32]>, info: &[u8]) -> [u8; N] {
    let mut prk = match salt {
        Some(s) => HmacKey::new(s).mac(&[ikm]),
        None => zero_salt().mac(&[ikm]),
    };
    let expand = HmacKey::new(&prk);
    prk.zeroize();
    let mut out = [0u8; N];
    let mut prev = [0u8; 32];
    let mut counter = 1u8;
    let mut pos = 0;
    while pos < N {
        let t = if counter == 1 {
            expand.mac(&[info, &[counter]])
        } else {
            expand.mac(&[&prev, info, &[counter]])
        };
        let take = (N - pos).min(32);
        out[pos..pos + take].copy_from_slice(&t[..take]);
        prev = t;
        pos += take;
        counter = counter.wrapping_add(1);
    }
    prev.zeroize();
    out
}

/// Length of the AES-CBC/PKCS#7 ciphertext of `len` plaintext bytes.
pub(crate) const fn cbc_len(len: usize) -> usize {
    (len / 16 + 1) * 16
}

/// AES-256-CBC/PKCS#7 encryption of `plaintext`, appended to `out`.
pub(crate) fn cbc_encrypt_into(key: &[u8; 32], iv: &[u8; 16], plaintext: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let ct_len = cbc_len(plaintext.len());
    out.resize(start + ct_len, 0);
    let enc = cbc::Encryptor::<Aes256>::new(key.into(), iv.into());
    // The buffer is exactly the padded length, so padding cannot fail.
    if enc
        .encrypt_padded_b2b::<Pkcs7>(plaintext, &mut out[start..])
        .is_err()
    {
        out.truncate(start);
    }
}

/// AES-256-CBC/PKCS#7 decryption. Fails on a length that is not a positive
/// multiple of 16 or on bad PKCS#7 padding.
pub(crate) fn cbc_decrypt(key: &[u8; 32], iv: &[u8; 16], ciphertext: &[u8]) -> Result<Vec<u8>> {
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return Err(Error::InvalidMessage(
            "ciphertext length is not a multiple of 16",
        ));
    }
    let mut buf = ciphertext.to_vec();
    let dec = cbc::Decryptor::<Aes256>::new(key.into(), iv.into());
    let len = dec
        .decrypt_padded::<Pkcs7>(&mut buf)
        .map_err(|_| Error::InvalidMessage("bad ciphertext padding"))?
        .len();
    buf.truncate(len);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hkdf_matches_rfc5869_case_1() {
        // RFC 5869 test case 1 (salt is 13 bytes there, so use the generic path).
        let ikm = [0x0bu8; 22];
        let salt: [u8; 13] = core::array::from_fn(|i| i as u8);
        let info: [u8; 10] = core::array::from_fn(|i| 0xf0 + i as u8);
        let prk = HmacKey::new(&salt).mac(&[&ikm]);
        let expand = HmacKey::new(&prk);
        let t1 = expand.mac(&[&info, &[1]]);
        assert_eq!(
            hex::encode(&t1[..]),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        );
    }

    #[test]
    fn hmac_matches_the_hmac_crate() {
        use hmac::{Hmac, KeyInit, Mac};
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for key_len in [0usize, 1, 32, 63, 64, 65, 100] {
            let key = &data[..key_len];
            let ours = HmacKey::new(key);
            for len in [0usize, 1, 55, 56, 63, 64, 65, 119, 120, 128, 200, 300] {
                for split in [0, len / 3, len] {
                    let msg = &data[..len];
                    let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
                    m.update(msg);
                    let want: [u8; 32] = m.finalize().into_bytes().into();
                    assert_eq!(
                        ours.mac(&[&msg[..split], &msg[split..]]),
                        want,
                        "{key_len} {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn hmac_rfc4231_case_2() {
        let mac = HmacKey::new(b"Jefe").mac(&[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hkdf_zero_salt_equals_explicit_zero_salt() {
        let a: [u8; 80] = hkdf(b"input", None, b"info");
        let b: [u8; 80] = hkdf(b"input", Some(&[0u8; 32]), b"info");
        assert_eq!(a, b);
        let c: [u8; 64] = hkdf(b"input", None, b"info");
        assert_eq!(a[..64], c[..]);
    }

    #[test]
    fn cbc_round_trip_and_errors() {
        let key = [7u8; 32];
        let iv = [9u8; 16];
        for len in [0usize, 1, 15, 16, 17, 64, 100] {
            let pt: Vec<u8> = (0..len as u8).collect();
            let mut ct = vec![0xaa];
            cbc_encrypt_into(&key, &iv, &pt, &mut ct);
            assert_eq!(ct.len(), 1 + cbc_len(len));
            assert_eq!(cbc_decrypt(&key, &iv, &ct[1..]).unwrap(), pt);
        }
        assert!(cbc_decrypt(&key, &iv, &[]).is_err());
        assert!(cbc_decrypt(&key, &iv, &[0; 15]).is_err());
    }
}
