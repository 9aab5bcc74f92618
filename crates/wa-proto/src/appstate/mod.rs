//! App-state sync crypto: the pure functions under WhatsApp's "syncd"
//! collections (`critical_block`, `regular`, …), with no knowledge of the
//! protobuf messages around them.
//!
//! ```text
//! keyData (from AppStateSyncKeyShare)
//!   └─ HKDF-SHA256(no salt, "WhatsApp Mutation Keys", 160)
//!        = index ‖ valueEncryption ‖ valueMac ‖ snapshotMac ‖ patchMac   (32 bytes each)
//! record.index.blob = HMAC-SHA256(index, index JSON)
//! record.value.blob = iv[16] ‖ AES-256-CBC(valueEncryption, iv, SyncActionData) ‖ valueMAC[32]
//! valueMAC    = HMAC-SHA512(valueMac, (op+1) ‖ keyId ‖ iv‖ciphertext ‖ u64be(len(keyId)+1))[..32]
//! ltHash      = Σ HKDF(valueMAC, "WhatsApp Patch Integrity", 128)  (64 × u16 LE, wrapping)
//! snapshotMAC = HMAC-SHA256(snapshotMac, ltHash ‖ u64be(version) ‖ name)
//! patchMAC    = HMAC-SHA256(patchMac, snapshotMAC ‖ valueMAC… ‖ u64be(version) ‖ name)
//! ```
//!
//! * [`MutationKeys`]: key expansion and every MAC and value operation above.
//! * [`LtHash`]: the WAPatchIntegrity summation hash.
//! * [`Operation`]: SET / REMOVE as they enter the value MAC.
//!
//! Sources: whatsmeow `appstate/keys.go`, `appstate/hash.go`,
//! `appstate/lthash/lthash.go`; Baileys `Utils/chat-utils.js`. The
//! known-answer vectors in `tests/vectors/appstate.json` were computed by
//! Baileys.

mod keys;
mod lthash;
mod mac;

pub use keys::{MUTATION_KEYS_INFO, MutationKeys};
pub use lthash::{LTHASH_INFO, LTHASH_LEN, LtHash};
pub use mac::{VALUE_MAC_LEN, split_value_blob};

use crate::{Error, Result};

/// A syncd mutation's operation (`SyncdMutation.SyncdOperation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `SET` (wire value 0): the record now has this value.
    Set,
    /// `REMOVE` (wire value 1): the record is deleted.
    Remove,
}

impl Operation {
    /// Parses the protobuf enum value.
    ///
    /// # Errors
    /// [`Error::AppStateOperation`] for values other than 0 and 1.
    pub const fn from_wire(value: i32) -> Result<Self> {
        match value {
            0 => Ok(Self::Set),
            1 => Ok(Self::Remove),
            other => Err(Error::AppStateOperation(other)),
        }
    }

    /// The protobuf enum value.
    pub const fn to_wire(self) -> i32 {
        match self {
            Self::Set => 0,
            Self::Remove => 1,
        }
    }

    /// The byte that starts the value-MAC input: the wire value plus one.
    pub(crate) const fn mac_byte(self) -> u8 {
        match self {
            Self::Set => 1,
            Self::Remove => 2,
        }
    }
}
