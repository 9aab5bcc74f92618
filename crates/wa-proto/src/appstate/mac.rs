//! Index, value, snapshot and patch MACs, and record value encryption.

use aes::Aes256;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, array::Array};
use hmac::{Hmac, KeyInit, Mac};
use rand_core::CryptoRng;
use sha2::Sha512;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::{LtHash, MutationKeys, Operation};
use crate::media::hashing::HmacSha256;
use crate::{Error, Result};

/// Length of a value MAC (HMAC-SHA512 truncated to 32 bytes).
pub const VALUE_MAC_LEN: usize = 32;

const IV_LEN: usize = 16;
const AES_BLOCK: usize = 16;

/// Splits a record value blob into `iv ‖ ciphertext` and the value MAC that
/// ends it (whatsmeow takes `value[len-32:]` the same way).
///
/// # Errors
/// [`Error::AppStateValueMalformed`] if the blob is shorter than an IV, one
/// AES block and a MAC, or the ciphertext is not whole AES blocks.
pub fn split_value_blob(blob: &[u8]) -> Result<(&[u8], &[u8; VALUE_MAC_LEN])> {
    let body_len = blob
        .len()
        .checked_sub(VALUE_MAC_LEN)
        .filter(|&n| n >= IV_LEN + AES_BLOCK && (n - IV_LEN).is_multiple_of(AES_BLOCK))
        .ok_or(Error::AppStateValueMalformed)?;
    let (body, mac) = blob.split_at(body_len);
    let mac = mac.try_into().map_err(|_| Error::AppStateValueMalformed)?;
    Ok((body, mac))
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

fn hmac_sha256(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut h = HmacSha256::new(key);
    for p in parts {
        h.update(p);
    }
    h.finalize()
}

impl MutationKeys {
    /// The index MAC: HMAC-SHA256(index key, index JSON bytes). It is the
    /// record's `index.blob` and identifies the record across patches.
    pub fn index_mac(&self, index: &[u8]) -> [u8; 32] {
        hmac_sha256(&self.index, &[index])
    }

    /// Checks a record's index MAC against its decrypted index JSON.
    ///
    /// # Errors
    /// [`Error::AppStateMacMismatch`]`("index")`.
    pub fn verify_index_mac(&self, index: &[u8], index_mac: &[u8]) -> Result<()> {
        if ct_eq(&self.index_mac(index), index_mac) {
            Ok(())
        } else {
            Err(Error::AppStateMacMismatch("index"))
        }
    }

    /// The value MAC: the first 32 bytes of HMAC-SHA512(value MAC key,
    /// `op+1 ‖ key_id ‖ iv_ciphertext ‖ u64be(len(key_id) + 1)`).
    pub fn value_mac(
        &self,
        op: Operation,
        key_id: &[u8],
        iv_ciphertext: &[u8],
    ) -> [u8; VALUE_MAC_LEN] {
        let mut block = [0u8; 128];
        block[..32].copy_from_slice(&self.value_mac);
        let mut h = <Hmac<Sha512> as KeyInit>::new(&block.into());
        block.zeroize();
        h.update(&[op.mac_byte()]);
        h.update(key_id);
        h.update(iv_ciphertext);
        h.update(&(key_id.len() as u64 + 1).to_be_bytes());
        let full = h.finalize().into_bytes();
        let mut out = [0u8; VALUE_MAC_LEN];
        out.copy_from_slice(&full[..VALUE_MAC_LEN]);
        out
    }

    /// Encrypts a record value (the serialized `SyncActionData`) with a fresh
    /// random IV: returns `iv ‖ ciphertext ‖ value MAC`.
    pub fn encrypt_value<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        op: Operation,
        key_id: &[u8],
        plaintext: &[u8],
    ) -> Vec<u8> {
        let mut iv = [0u8; IV_LEN];
        rng.fill_bytes(&mut iv);
        self.encrypt_value_with_iv(iv, op, key_id, plaintext)
    }

    /// [`encrypt_value`](Self::encrypt_value) with a given IV (for
    /// reproducible tests; never reuse an IV).
    pub fn encrypt_value_with_iv(
        &self,
        iv: [u8; IV_LEN],
        op: Operation,
        key_id: &[u8],
        plaintext: &[u8],
    ) -> Vec<u8> {
        let pad = AES_BLOCK - plaintext.len() % AES_BLOCK;
        let mut blob = Vec::with_capacity(IV_LEN + plaintext.len() + pad + VALUE_MAC_LEN);
        blob.extend_from_slice(&iv);
        blob.extend_from_slice(plaintext);
        blob.resize(IV_LEN + plaintext.len() + pad, pad as u8);
        let body = blob.get_mut(IV_LEN..).unwrap_or_default();
        let (blocks, _) = Array::slice_as_chunks_mut(body);
        cbc::Encryptor::<Aes256>::new(&self.value_encryption.into(), &iv.into())
            .encrypt_blocks(blocks);
        let mac = self.value_mac(op, key_id, &blob);
        blob.extend_from_slice(&mac);
        blob
    }

    /// Verifies a record value blob's MAC, then decrypts it.
    ///
    /// # Errors
    /// [`Error::AppStateValueMalformed`], [`Error::AppStateMacMismatch`]`("value")`,
    /// [`Error::AppStatePadding`].
    pub fn decrypt_value(&self, op: Operation, key_id: &[u8], blob: &[u8]) -> Result<Vec<u8>> {
        let (body, mac) = split_value_blob(blob)?;
        if !ct_eq(&self.value_mac(op, key_id, body), mac) {
            return Err(Error::AppStateMacMismatch("value"));
        }
        let (iv, ct) = body.split_at(IV_LEN);
        let iv: [u8; IV_LEN] = iv.try_into().map_err(|_| Error::AppStateValueMalformed)?;
        let mut plain = ct.to_vec();
        let (blocks, _) = Array::slice_as_chunks_mut(&mut plain);
        cbc::Decryptor::<Aes256>::new(&self.value_encryption.into(), &iv.into())
            .decrypt_blocks(blocks);
        let pad = plain.last().map_or(0, |&p| usize::from(p));
        let valid = (1..=AES_BLOCK).contains(&pad)
            && plain
                .get(plain.len() - pad..)
                .is_some_and(|t| t.iter().all(|&b| usize::from(b) == pad));
        if !valid {
            plain.zeroize();
            return Err(Error::AppStatePadding);
        }
        plain.truncate(plain.len() - pad);
        Ok(plain)
    }

    /// The snapshot MAC: HMAC-SHA256(snapshot key, `lthash ‖ u64be(version) ‖ name`).
    pub fn snapshot_mac(&self, lthash: &LtHash, version: u64, name: &str) -> [u8; 32] {
        hmac_sha256(
            &self.snapshot_mac,
            &[lthash.as_bytes(), &version.to_be_bytes(), name.as_bytes()],
        )
    }

    /// Checks a snapshot MAC.
    ///
    /// # Errors
    /// [`Error::AppStateMacMismatch`]`("snapshot")`.
    pub fn verify_snapshot_mac(
        &self,
        lthash: &LtHash,
        version: u64,
        name: &str,
        mac: &[u8],
    ) -> Result<()> {
        if ct_eq(&self.snapshot_mac(lthash, version, name), mac) {
            Ok(())
        } else {
            Err(Error::AppStateMacMismatch("snapshot"))
        }
    }

    /// The patch MAC: HMAC-SHA256(patch key, `snapshot_mac ‖ value_mac… ‖
    /// u64be(version) ‖ name`), with the value MACs of the patch's mutations
    /// in order.
    pub fn patch_mac<I>(
        &self,
        snapshot_mac: &[u8],
        value_macs: I,
        version: u64,
        name: &str,
    ) -> [u8; 32]
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut h = HmacSha256::new(&self.patch_mac);
        h.update(snapshot_mac);
        for m in value_macs {
            h.update(m.as_ref());
        }
        h.update(&version.to_be_bytes());
        h.update(name.as_bytes());
        h.finalize()
    }

    /// Checks a patch MAC.
    ///
    /// # Errors
    /// [`Error::AppStateMacMismatch`]`("patch")`.
    pub fn verify_patch_mac<I>(
        &self,
        snapshot_mac: &[u8],
        value_macs: I,
        version: u64,
        name: &str,
        mac: &[u8],
    ) -> Result<()>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        if ct_eq(
            &self.patch_mac(snapshot_mac, value_macs, version, name),
            mac,
        ) {
            Ok(())
        } else {
            Err(Error::AppStateMacMismatch("patch"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_round_trip_and_tamper() {
        let keys = MutationKeys::expand(&[5; 32]);
        let blob = keys.encrypt_value_with_iv([1; 16], Operation::Set, b"kid", b"sync action");
        assert_eq!(blob.len(), 16 + 16 + 32);
        assert_eq!(
            keys.decrypt_value(Operation::Set, b"kid", &blob).unwrap(),
            b"sync action"
        );
        // The operation and the key id are bound by the MAC.
        assert_eq!(
            keys.decrypt_value(Operation::Remove, b"kid", &blob),
            Err(Error::AppStateMacMismatch("value"))
        );
        assert_eq!(
            keys.decrypt_value(Operation::Set, b"kie", &blob),
            Err(Error::AppStateMacMismatch("value"))
        );
        for i in 0..blob.len() {
            let mut t = blob.clone();
            t[i] ^= 0x40;
            assert_eq!(
                keys.decrypt_value(Operation::Set, b"kid", &t),
                Err(Error::AppStateMacMismatch("value"))
            );
        }
        for len in [0, 10, 47, 48, 63] {
            assert_eq!(
                keys.decrypt_value(Operation::Set, b"kid", &blob[..len]),
                Err(Error::AppStateValueMalformed),
                "len {len}"
            );
        }
        let longer = [&blob[..], &[0u8][..]].concat();
        assert_eq!(
            keys.decrypt_value(Operation::Set, b"kid", &longer),
            Err(Error::AppStateValueMalformed)
        );
    }

    #[test]
    fn bad_padding_under_a_valid_mac_is_reported() {
        let keys = MutationKeys::expand(&[6; 32]);
        // Encrypt a block whose last byte is not valid padding, by hand.
        let iv = [2u8; 16];
        let mut body = [0u8; 16];
        let (blocks, _) = Array::slice_as_chunks_mut(&mut body[..]);
        cbc::Encryptor::<Aes256>::new(&keys.value_encryption.into(), &iv.into())
            .encrypt_blocks(blocks);
        let mut blob = [&iv[..], &body[..]].concat();
        let mac = keys.value_mac(Operation::Set, b"k", &blob);
        blob.extend_from_slice(&mac);
        assert_eq!(
            keys.decrypt_value(Operation::Set, b"k", &blob),
            Err(Error::AppStatePadding)
        );
    }
}
