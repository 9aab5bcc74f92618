//! The Noise `SymmetricState` (Noise spec §5.2) for SHA-256 and AES-256-GCM:
//! chaining key, handshake hash and the handshake cipher.

use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::cipher::{CipherState, KEY_LEN};
use crate::{Error, Result};

/// Length of a SHA-256 output.
pub(crate) const HASH_LEN: usize = 32;

/// Chaining key, handshake hash and (after the first `MixKey`) a cipher.
pub(crate) struct SymmetricState {
    ck: [u8; HASH_LEN],
    h: [u8; HASH_LEN],
    cipher: Option<CipherState>,
}

impl std::fmt::Debug for SymmetricState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SymmetricState")
            .field("keyed", &self.cipher.is_some())
            .finish_non_exhaustive()
    }
}

impl Drop for SymmetricState {
    fn drop(&mut self) {
        self.ck.zeroize();
    }
}

/// HKDF-SHA256 with salt `ck` and input `ikm`, empty info, two 32-byte outputs
/// (Noise spec `HKDF(chaining_key, input_key_material, 2)`).
fn hkdf2(ck: &[u8; HASH_LEN], ikm: &[u8]) -> ([u8; 32], [u8; 32]) {
    let mut okm = [0u8; 64];
    // 64 bytes is far below HKDF-SHA256's 255 × 32 limit, so expand cannot fail.
    let _ = Hkdf::<Sha256>::new(Some(ck), ikm).expand(&[], &mut okm);
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    a.copy_from_slice(&okm[..32]);
    b.copy_from_slice(&okm[32..]);
    okm.zeroize();
    (a, b)
}

impl SymmetricState {
    /// `InitializeSymmetric(protocol_name)`: a name of at most 32 bytes is
    /// zero-padded to become `h`, a longer one is hashed; `ck = h`.
    pub(crate) fn new(protocol_name: &[u8]) -> Self {
        let mut h = [0u8; HASH_LEN];
        if protocol_name.len() <= HASH_LEN {
            h[..protocol_name.len()].copy_from_slice(protocol_name);
        } else {
            h.copy_from_slice(&Sha256::digest(protocol_name));
        }
        Self {
            ck: h,
            h,
            cipher: None,
        }
    }

    /// The handshake hash `h`.
    pub(crate) fn handshake_hash(&self) -> [u8; HASH_LEN] {
        self.h
    }

    /// `MixHash(data)`: `h = SHA-256(h ‖ data)`.
    pub(crate) fn mix_hash(&mut self, data: &[u8]) {
        let mut d = Sha256::new();
        d.update(self.h);
        d.update(data);
        self.h = d.finalize().into();
    }

    /// `MixKey(ikm)`: new chaining key and a fresh cipher key (counter 0).
    pub(crate) fn mix_key(&mut self, ikm: &[u8]) {
        let (ck, mut k) = hkdf2(&self.ck, ikm);
        self.ck = ck;
        self.cipher = Some(CipherState::new(&k));
        k.zeroize();
    }

    /// `EncryptAndHash(plaintext)`, appending the result to `out`. Without a
    /// key the plaintext is appended as is (and still hashed).
    pub(crate) fn encrypt_and_hash(&mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let start = out.len();
        match self.cipher.as_mut() {
            Some(c) => c.encrypt_append(&self.h, plaintext, out)?,
            None => out.extend_from_slice(plaintext),
        }
        let written = out.get(start..).unwrap_or_default();
        let mut d = Sha256::new();
        d.update(self.h);
        d.update(written);
        self.h = d.finalize().into();
        Ok(())
    }

    /// `DecryptAndHash(ciphertext)`; `what` names the field in errors.
    pub(crate) fn decrypt_and_hash(
        &mut self,
        ciphertext: &[u8],
        what: &'static str,
    ) -> Result<Vec<u8>> {
        let plaintext = match self.cipher.as_mut() {
            Some(c) => c.decrypt_to_vec(&self.h, ciphertext, what)?,
            None => ciphertext.to_vec(),
        };
        self.mix_hash(ciphertext);
        Ok(plaintext)
    }

    /// `Split()`: the two transport keys (initiator→responder first).
    pub(crate) fn split(&self) -> (CipherState, CipherState) {
        let (mut k1, mut k2) = hkdf2(&self.ck, &[]);
        let out = (CipherState::new(&k1), CipherState::new(&k2));
        k1.zeroize();
        k2.zeroize();
        out
    }
}

/// X25519 with a rejection of all-zero outputs (a low-order public key), so
/// a peer cannot force a known shared secret.
pub(crate) fn dh(
    private: &crate::keys::KeyPair,
    public: &crate::keys::PublicKey,
) -> Result<[u8; KEY_LEN]> {
    let shared = private.agree(public);
    if shared.iter().all(|&b| b == 0) {
        return Err(Error::InvalidKey("low-order public key"));
    }
    Ok(shared)
}
