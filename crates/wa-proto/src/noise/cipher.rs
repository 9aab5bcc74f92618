//! The AES-256-GCM cipher state with WhatsApp's 32-bit counter nonces.
//!
//! WhatsApp builds the 12-byte nonce as 8 zero bytes followed by a 32-bit
//! big-endian counter (Baileys `generateIV`, whatsmeow `generateIV`).
//! Standard Noise with AESGCM uses 4 zero bytes followed by a 64-bit
//! big-endian counter. For counters below 2^32 the two layouts are the same
//! bytes, so a WhatsApp cipher state is a standard Noise cipher state that
//! must stop after 2^32 messages; [`CipherState`] enforces that with
//! [`Error::NonceExhausted`] instead of wrapping around.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};

use crate::{Error, Result};

/// Length of the AES-GCM authentication tag appended to each ciphertext.
pub const TAG_LEN: usize = 16;

/// Length of a cipher key.
pub(crate) const KEY_LEN: usize = 32;

/// The 12-byte nonce for message `counter`: 8 zero bytes ‖ `counter` (u32 BE).
///
/// These are the same bytes as standard Noise's AESGCM nonce (4 zero bytes ‖
/// u64 BE) for every counter below 2^32; cipher states stop there with
/// [`Error::NonceExhausted`].
pub fn nonce(counter: u32) -> [u8; 12] {
    let mut n = [0u8; 12];
    let [a, b, c, d] = counter.to_be_bytes();
    n[8] = a;
    n[9] = b;
    n[10] = c;
    n[11] = d;
    n
}

/// An AES-256-GCM key with its message counter.
///
/// The counter starts at 0 and advances after every successful operation; a
/// failed decryption does not advance it. After message 2^32 − 1 every call
/// fails with [`Error::NonceExhausted`].
pub(crate) struct CipherState {
    aead: Aes256Gcm,
    /// Next counter; values above `u32::MAX` mean exhausted.
    n: u64,
}

impl std::fmt::Debug for CipherState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CipherState")
            .field("n", &self.n)
            .finish_non_exhaustive()
    }
}

impl CipherState {
    /// A cipher with `key` and counter 0.
    pub(crate) fn new(key: &[u8; KEY_LEN]) -> Self {
        Self {
            aead: Aes256Gcm::new(key.into()),
            n: 0,
        }
    }

    /// The counter the next operation will use.
    pub(crate) fn counter(&self) -> u64 {
        self.n
    }

    #[cfg(test)]
    pub(crate) fn set_counter(&mut self, n: u64) {
        self.n = n;
    }

    fn current_nonce(&self) -> Result<Nonce<aes_gcm::aead::consts::U12>> {
        let n = u32::try_from(self.n).map_err(|_| Error::NonceExhausted)?;
        Ok(Nonce::from(nonce(n)))
    }

    /// Encrypts `buf` in place with associated data `ad`, returning the tag.
    pub(crate) fn encrypt_detached(&mut self, ad: &[u8], buf: &mut [u8]) -> Result<[u8; TAG_LEN]> {
        let nonce = self.current_nonce()?;
        let tag = self
            .aead
            .encrypt_inout_detached(&nonce, ad, buf.into())
            .map_err(|_| Error::FrameTooLarge {
                len: buf.len(),
                max: crate::frame::MAX_FRAME_LEN,
            })?;
        self.n += 1;
        Ok(tag.into())
    }

    /// Decrypts `buf` in place after checking `tag`; `what` names the field
    /// in the error.
    pub(crate) fn decrypt_detached(
        &mut self,
        ad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
        what: &'static str,
    ) -> Result<()> {
        let nonce = self.current_nonce()?;
        let tag = Tag::from(*tag);
        self.aead
            .decrypt_inout_detached(&nonce, ad, buf.into(), &tag)
            .map_err(|_| Error::Decrypt(what))?;
        self.n += 1;
        Ok(())
    }

    /// Appends `plaintext` encrypted (ciphertext ‖ tag) to `out`.
    pub(crate) fn encrypt_append(
        &mut self,
        ad: &[u8],
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let start = out.len();
        out.reserve(plaintext.len() + TAG_LEN);
        out.extend_from_slice(plaintext);
        let body = out.get_mut(start..).unwrap_or_default();
        match self.encrypt_detached(ad, body) {
            Ok(tag) => {
                out.extend_from_slice(&tag);
                Ok(())
            }
            Err(e) => {
                out.truncate(start);
                Err(e)
            }
        }
    }

    /// Decrypts `ciphertext ‖ tag` in place, returning the plaintext part.
    pub(crate) fn decrypt_in_place<'a>(
        &mut self,
        ad: &[u8],
        buf: &'a mut [u8],
        what: &'static str,
    ) -> Result<&'a mut [u8]> {
        let Some(split) = buf.len().checked_sub(TAG_LEN) else {
            return Err(Error::Decrypt(what));
        };
        let (body, tag) = buf.split_at_mut(split);
        let tag: [u8; TAG_LEN] = (&*tag).try_into().map_err(|_| Error::Decrypt(what))?;
        self.decrypt_detached(ad, body, &tag, what)?;
        Ok(body)
    }

    /// Decrypts `ciphertext ‖ tag` into a new vector.
    pub(crate) fn decrypt_to_vec(
        &mut self,
        ad: &[u8],
        ciphertext: &[u8],
        what: &'static str,
    ) -> Result<Vec<u8>> {
        let mut buf = ciphertext.to_vec();
        let len = self.decrypt_in_place(ad, &mut buf, what)?.len();
        buf.truncate(len);
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Standard Noise AESGCM nonce: 4 zero bytes ‖ 64-bit big-endian counter.
    fn standard_noise_nonce(n: u64) -> [u8; 12] {
        let mut out = [0u8; 12];
        out[4..].copy_from_slice(&n.to_be_bytes());
        out
    }

    #[test]
    fn wa_nonce_equals_standard_noise_nonce_below_2_pow_32() {
        for n in [0u32, 1, 2, 255, 256, 65_535, 65_536, 0x0102_0304, u32::MAX] {
            assert_eq!(nonce(n), standard_noise_nonce(u64::from(n)), "counter {n}");
        }
        // ...and the layouts diverge at 2^32, which is why the counter stops there.
        assert_ne!(standard_noise_nonce(1 << 32), nonce(0));
        assert_eq!(nonce(0x0a0b_0c0d)[8..], [0x0a, 0x0b, 0x0c, 0x0d]);
    }

    #[test]
    fn counter_stops_at_2_pow_32() {
        let key = [7u8; KEY_LEN];
        let mut enc = CipherState::new(&key);
        let mut dec = CipherState::new(&key);
        enc.set_counter(u64::from(u32::MAX));
        dec.set_counter(u64::from(u32::MAX));
        let mut out = Vec::new();
        enc.encrypt_append(&[], b"last", &mut out).unwrap();
        assert_eq!(
            dec.decrypt_to_vec(&[], &out, "t").unwrap(),
            b"last".to_vec()
        );
        let mut more = Vec::new();
        assert_eq!(
            enc.encrypt_append(&[], b"one more", &mut more),
            Err(Error::NonceExhausted)
        );
        assert!(
            more.is_empty(),
            "failed encryption must not leave bytes behind"
        );
        assert_eq!(
            dec.decrypt_to_vec(&[], &out, "t"),
            Err(Error::NonceExhausted)
        );
    }

    #[test]
    fn failed_decryption_does_not_advance() {
        let key = [9u8; KEY_LEN];
        let mut enc = CipherState::new(&key);
        let mut dec = CipherState::new(&key);
        let mut ct = Vec::new();
        enc.encrypt_append(b"ad", b"hello", &mut ct).unwrap();
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert_eq!(
            dec.decrypt_to_vec(b"ad", &bad, "t"),
            Err(Error::Decrypt("t"))
        );
        assert_eq!(dec.counter(), 0);
        assert_eq!(dec.decrypt_to_vec(b"ad", &ct, "t").unwrap(), b"hello");
        assert_eq!(dec.counter(), 1);
        assert!(dec.decrypt_to_vec(b"ad", &ct[..10], "t").is_err());
    }
}
