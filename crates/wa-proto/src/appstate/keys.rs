//! Mutation key expansion.

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::media::hkdf_fixed;

/// HKDF info string of the mutation key expansion.
pub const MUTATION_KEYS_INFO: &str = "WhatsApp Mutation Keys";

/// The five keys an app-state sync key expands to. Zeroized on drop; `Debug`
/// does not print them.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MutationKeys {
    pub(super) index: [u8; 32],
    pub(super) value_encryption: [u8; 32],
    pub(super) value_mac: [u8; 32],
    pub(super) snapshot_mac: [u8; 32],
    pub(super) patch_mac: [u8; 32],
}

impl std::fmt::Debug for MutationKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MutationKeys(..)")
    }
}

impl MutationKeys {
    /// Expands the `keyData` of an `AppStateSyncKey` with HKDF-SHA256 (no
    /// salt, info [`MUTATION_KEYS_INFO`]) to 160 bytes, split in five.
    pub fn expand(key_data: &[u8]) -> Self {
        let mut okm: [u8; 160] = hkdf_fixed(key_data, MUTATION_KEYS_INFO.as_bytes());
        let mut keys = Self {
            index: [0; 32],
            value_encryption: [0; 32],
            value_mac: [0; 32],
            snapshot_mac: [0; 32],
            patch_mac: [0; 32],
        };
        for (dst, src) in [
            &mut keys.index,
            &mut keys.value_encryption,
            &mut keys.value_mac,
            &mut keys.snapshot_mac,
            &mut keys.patch_mac,
        ]
        .into_iter()
        .zip(okm.chunks_exact(32))
        {
            dst.copy_from_slice(src);
        }
        okm.zeroize();
        keys
    }

    /// Key of the index MAC (bytes 0..32).
    pub fn index_key(&self) -> &[u8; 32] {
        &self.index
    }

    /// AES-256 key of record values (bytes 32..64).
    pub fn value_encryption_key(&self) -> &[u8; 32] {
        &self.value_encryption
    }

    /// Key of the value MAC (bytes 64..96).
    pub fn value_mac_key(&self) -> &[u8; 32] {
        &self.value_mac
    }

    /// Key of the snapshot MAC (bytes 96..128).
    pub fn snapshot_mac_key(&self) -> &[u8; 32] {
        &self.snapshot_mac
    }

    /// Key of the patch MAC (bytes 128..160).
    pub fn patch_mac_key(&self) -> &[u8; 32] {
        &self.patch_mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::hkdf_sha256;

    #[test]
    fn expansion_is_hkdf_split_in_five() {
        let okm = hkdf_sha256(b"some key data", &[], MUTATION_KEYS_INFO.as_bytes(), 160).unwrap();
        let k = MutationKeys::expand(b"some key data");
        let joined = [
            &k.index_key()[..],
            k.value_encryption_key(),
            k.value_mac_key(),
            k.snapshot_mac_key(),
            k.patch_mac_key(),
        ]
        .concat();
        assert_eq!(joined, okm);
    }
}
