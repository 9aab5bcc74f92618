//! Signed key index lists: the primary device's signed statement of which
//! companion key indexes of the account are currently valid.
//!
//! The server sends it as `<key-index-list ts=T>` bytes inside usync
//! `<devices>` results and device notifications; each `<device id=N
//! key-index=K>` refers to one of the indexes. Neither Baileys nor whatsmeow
//! verifies it (both only read `ts`), but WA Web does:
//!
//! ```text
//! details = ADVKeyIndexList{rawId, timestamp, currentIndex, validIndexes[], accountType}
//! signed  = ADVSignedKeyIndexList{details, accountSignature = XEdDSA(account identity, 06 02 ‖ details)
//!                                 [, accountSignatureKey]}
//! ```
//!
//! WA Web verifies with the stored identity of the account's device 0 and
//! ignores `accountSignatureKey` except for hosted accounts; rawId and
//! timestamp are required.

use prost::Message as _;
use rand_core::CryptoRng;

use crate::keys::{KeyPair, PublicKey};
use crate::pair::adv::AdvEncryptionType;
use crate::pair::{KEY_INDEX_LIST_SIGNATURE_PREFIX, concat};
use crate::proto::wa;
use crate::{Error, Result};

/// The valid key indexes of an account's companions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyIndexList {
    /// The account's ADV raw id (the same as in its device identities).
    pub raw_id: u32,
    /// Unix time in seconds of this list; also the `ts` attribute.
    pub timestamp: u64,
    /// The latest key index issued.
    pub current_index: u32,
    /// Every key index still valid (linked companions).
    pub valid_indexes: Vec<u32>,
    /// E2EE for normal accounts.
    pub account_type: AdvEncryptionType,
}

impl KeyIndexList {
    /// Signs the list with the account (phone) identity key, returning the
    /// content of `<key-index-list>` (a serialized [`wa::AdvSignedKeyIndexList`]).
    /// `include_account_key` adds `accountSignatureKey` (hosted accounts).
    pub fn sign<R: CryptoRng + ?Sized>(
        &self,
        account_identity: &KeyPair,
        include_account_key: bool,
        rng: &mut R,
    ) -> Vec<u8> {
        let details = wa::AdvKeyIndexList {
            raw_id: Some(self.raw_id),
            timestamp: Some(self.timestamp),
            current_index: Some(self.current_index),
            valid_indexes: self.valid_indexes.clone(),
            account_type: Some(self.account_type.into()),
        }
        .encode_to_vec();
        let message = concat(&[&KEY_INDEX_LIST_SIGNATURE_PREFIX, &details]);
        let signature = account_identity.sign(&message, rng);
        wa::AdvSignedKeyIndexList {
            details: Some(details),
            account_signature: Some(signature.to_vec()),
            account_signature_key: include_account_key
                .then(|| account_identity.public.as_bytes().to_vec()),
        }
        .encode_to_vec()
    }

    /// Decodes and verifies `<key-index-list>` content with the account's
    /// identity key (the identity of its device 0).
    ///
    /// # Errors
    /// [`Error::AdvMalformed`] if it does not decode or lacks the signature,
    /// rawId or timestamp; [`Error::AdvAccountSignatureMismatch`] if the
    /// signature does not verify.
    pub fn verify(signed: &[u8], account_identity: &PublicKey) -> Result<Self> {
        let signed = wa::AdvSignedKeyIndexList::decode(signed)
            .map_err(|_| Error::AdvMalformed("not a signed key index list"))?;
        let details = signed
            .details
            .as_deref()
            .ok_or(Error::AdvMalformed("key index list has no details"))?;
        let signature = signed
            .account_signature
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or(Error::AdvMalformed("key index list has no signature"))?;
        let message = concat(&[&KEY_INDEX_LIST_SIGNATURE_PREFIX, details]);
        if !account_identity.verify(&message, signature) {
            return Err(Error::AdvAccountSignatureMismatch);
        }
        let list = wa::AdvKeyIndexList::decode(details)
            .map_err(|_| Error::AdvMalformed("details are not a key index list"))?;
        let (Some(raw_id), Some(timestamp)) = (list.raw_id, list.timestamp) else {
            return Err(Error::AdvMalformed(
                "key index list lacks rawId or timestamp",
            ));
        };
        Ok(Self {
            raw_id,
            timestamp,
            current_index: list.current_index.unwrap_or(0),
            account_type: list.account_type(),
            valid_indexes: list.valid_indexes,
        })
    }
}
