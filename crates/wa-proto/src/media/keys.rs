//! Media key expansion (HKDF-SHA256) and the HKDF helper shared with app state.

use hkdf::Hkdf;
use rand_core::CryptoRng;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::MediaType;
use crate::{Error, Result};

/// Length of a media key as WhatsApp generates it.
pub const MEDIA_KEY_LEN: usize = 32;

/// Length of the HKDF output a media key expands to.
const EXPANDED_LEN: usize = 112;

/// HKDF-SHA256 (RFC 5869): extract with `salt` (an empty salt is the same as
/// none: 32 zero bytes), expand with `info` to `len` bytes.
///
/// # Errors
/// [`Error::KdfOutputTooLong`] if `len` exceeds 255 × 32 bytes.
pub fn hkdf_sha256(ikm: &[u8], salt: &[u8], info: &[u8], len: usize) -> Result<Vec<u8>> {
    let mut okm = vec![0u8; len];
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, &mut okm)
        .map_err(|_| Error::KdfOutputTooLong)?;
    Ok(okm)
}

/// Fills `out` with HKDF-SHA256(no salt, `ikm`, `info`); `out` is at most
/// 255 × 32 bytes by construction at every call site.
pub(crate) fn hkdf_fixed<const N: usize>(ikm: &[u8], info: &[u8]) -> [u8; N] {
    const { assert!(N <= 255 * 32) };
    let mut okm = [0u8; N];
    // Cannot fail: N is checked above.
    let _ = Hkdf::<Sha256>::new(None, ikm).expand(info, &mut okm);
    okm
}

/// The keys a media key expands to for one [`MediaType`].
/// Zeroized on drop; `Debug` does not print them.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MediaKeys {
    iv: [u8; 16],
    cipher_key: [u8; 32],
    mac_key: [u8; 32],
    ref_key: [u8; 32],
}

impl std::fmt::Debug for MediaKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MediaKeys(..)")
    }
}

impl MediaKeys {
    /// Expands `media_key` with HKDF-SHA256 (no salt, info
    /// [`MediaType::hkdf_info`]) to 112 bytes: IV, cipher key, MAC key and
    /// ref key. Any key length is accepted, as the HKDF input allows; media
    /// keys are 32 bytes in practice.
    pub fn expand(media_key: &[u8], media_type: MediaType) -> Self {
        let mut okm: [u8; EXPANDED_LEN] = hkdf_fixed(media_key, media_type.hkdf_info().as_bytes());
        let mut keys = Self {
            iv: [0; 16],
            cipher_key: [0; 32],
            mac_key: [0; 32],
            ref_key: [0; 32],
        };
        let (iv, rest) = okm.split_at(16);
        let (cipher, rest) = rest.split_at(32);
        let (mac, reference) = rest.split_at(32);
        keys.iv.copy_from_slice(iv);
        keys.cipher_key.copy_from_slice(cipher);
        keys.mac_key.copy_from_slice(mac);
        keys.ref_key.copy_from_slice(reference);
        okm.zeroize();
        keys
    }

    /// Draws a fresh 32-byte media key from `rng`.
    pub fn generate_media_key<R: CryptoRng + ?Sized>(rng: &mut R) -> [u8; MEDIA_KEY_LEN] {
        let mut key = [0u8; MEDIA_KEY_LEN];
        rng.fill_bytes(&mut key);
        key
    }

    /// The AES-CBC initialization vector (bytes 0..16).
    pub fn iv(&self) -> &[u8; 16] {
        &self.iv
    }

    /// The AES-256 key (bytes 16..48).
    pub fn cipher_key(&self) -> &[u8; 32] {
        &self.cipher_key
    }

    /// The HMAC-SHA256 key (bytes 48..80).
    pub fn mac_key(&self) -> &[u8; 32] {
        &self.mac_key
    }

    /// The ref key (bytes 80..112), used by WhatsApp for media references;
    /// not needed to encrypt or decrypt.
    pub fn ref_key(&self) -> &[u8; 32] {
        &self.ref_key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_is_the_hkdf_output_split_in_four() {
        let key = [3u8; 32];
        for t in MediaType::ALL {
            let okm = hkdf_sha256(&key, &[], t.hkdf_info().as_bytes(), 112).unwrap_or_default();
            let k = MediaKeys::expand(&key, t);
            let joined = [&k.iv()[..], k.cipher_key(), k.mac_key(), k.ref_key()].concat();
            assert_eq!(joined, okm);
        }
    }

    #[test]
    fn hkdf_rejects_too_long_output() {
        assert_eq!(
            hkdf_sha256(b"k", b"", b"i", 255 * 32 + 1),
            Err(Error::KdfOutputTooLong)
        );
        assert!(hkdf_sha256(b"k", b"", b"i", 255 * 32).is_ok());
    }
}
