//! The ADV ("account device verification") signed device identity: how the
//! phone vouches for a new companion in `pair-success`, how the companion
//! checks it and countersigns it in `pair-device-sign`, and how anyone checks
//! a companion's identity later.
//!
//! ```text
//! details   = ADVDeviceIdentity{rawId, timestamp, keyIndex ≥ 1, accountType, deviceType}
//! accSig    = XEdDSA(phone identity, 06 00 ‖ details ‖ companion identity)      (06 05 if deviceType = HOSTED)
//! signed    = ADVSignedDeviceIdentity{details, accountSignatureKey = phone identity, accountSignature = accSig}
//! container = ADVSignedDeviceIdentityHMAC{details = signed, hmac, accountType}
//! hmac      = HMAC-SHA256(adv secret, signed)                                  (06 05 ‖ signed if accountType = HOSTED)
//! devSig    = XEdDSA(companion identity, 06 01 ‖ details ‖ companion identity ‖ accountSignatureKey)
//! ```
//!
//! `container` is the content of `<pair-success><device-identity>`. The
//! companion replies with `signed` plus `deviceSignature` and **without**
//! `accountSignatureKey` in `<pair-device-sign><device-identity key-index=K>`,
//! and stores the full identity (with the key) as its "account"; messages it
//! sends later carry that full identity.
//!
//! Sources: Baileys `configureSuccessfulPairing` and
//! `encodeSignedDeviceIdentity` (`lib/Utils/validate-connection.js`),
//! whatsmeow `handlePair`, `verifyAccountSignature`, `generateDeviceSignature`
//! (`pair.go`).

use prost::Message as _;
use rand_core::CryptoRng;
use subtle::ConstantTimeEq as _;

use crate::keys::{KeyPair, PublicKey, SIGNATURE_LEN};
use crate::pair::{
    ACCOUNT_SIGNATURE_PREFIX, AdvSecret, DEVICE_SIGNATURE_PREFIX, HOSTED_ACCOUNT_SIGNATURE_PREFIX,
    HOSTED_DEVICE_SIGNATURE_PREFIX, concat, hmac_sha256,
};
use crate::proto::wa;
pub use crate::proto::wa::AdvEncryptionType;
use crate::{Error, Result};

/// What the phone writes into the [`wa::AdvDeviceIdentity`] of a companion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceIdentityParams {
    /// A per-account number fixed for the account's lifetime.
    pub raw_id: u32,
    /// Unix time in seconds of the linking.
    pub timestamp: u64,
    /// The companion's key index: ≥ 1, incremented for each linked companion.
    pub key_index: u32,
    /// E2EE for normal accounts.
    pub account_type: AdvEncryptionType,
    /// E2EE for normal devices.
    pub device_type: AdvEncryptionType,
}

impl DeviceIdentityParams {
    /// Parameters of a normal (E2EE) account and device.
    pub const fn e2ee(raw_id: u32, timestamp: u64, key_index: u32) -> Self {
        Self {
            raw_id,
            timestamp,
            key_index,
            account_type: AdvEncryptionType::E2ee,
            device_type: AdvEncryptionType::E2ee,
        }
    }
}

/// Phone side of `pair-success`: the identity the phone signed for one
/// companion, kept until the companion's `pair-device-sign` reply arrives.
#[derive(Debug, Clone)]
pub struct PhonePairing {
    details: Vec<u8>,
    account_signature: [u8; SIGNATURE_LEN],
    account_identity: PublicKey,
    companion_identity: PublicKey,
    key_index: u32,
    container: Vec<u8>,
}

impl PhonePairing {
    /// Signs the device identity of the companion whose identity key is
    /// `companion_identity`, authenticated with `adv_secret` (from its QR code
    /// or derived by pairing by code).
    ///
    /// # Errors
    /// [`Error::AdvMalformed`] if `params.key_index` is 0 (clients crash or
    /// reject an identity without a key index).
    pub fn sign<R: CryptoRng + ?Sized>(
        phone_identity: &KeyPair,
        companion_identity: &PublicKey,
        adv_secret: &AdvSecret,
        params: &DeviceIdentityParams,
        rng: &mut R,
    ) -> Result<Self> {
        if params.key_index == 0 {
            return Err(Error::AdvMalformed("key index must be non-zero"));
        }
        let details = wa::AdvDeviceIdentity {
            raw_id: Some(params.raw_id),
            timestamp: Some(params.timestamp),
            key_index: Some(params.key_index),
            account_type: Some(params.account_type.into()),
            device_type: Some(params.device_type.into()),
        }
        .encode_to_vec();
        let prefix = account_prefix(params.device_type);
        let message = concat(&[&prefix, &details, companion_identity.as_bytes()]);
        let account_signature = phone_identity.sign(&message, rng);
        let signed = wa::AdvSignedDeviceIdentity {
            details: Some(details.clone()),
            account_signature_key: Some(phone_identity.public.as_bytes().to_vec()),
            account_signature: Some(account_signature.to_vec()),
            device_signature: None,
        }
        .encode_to_vec();
        let hmac = container_hmac(adv_secret, params.account_type, &signed);
        let container = wa::AdvSignedDeviceIdentityHmac {
            details: Some(signed),
            hmac: Some(hmac.to_vec()),
            account_type: Some(params.account_type.into()),
        }
        .encode_to_vec();
        Ok(Self {
            details,
            account_signature,
            account_identity: phone_identity.public,
            companion_identity: *companion_identity,
            key_index: params.key_index,
            container,
        })
    }

    /// The content of `<pair-success><device-identity>` (a serialized
    /// [`wa::AdvSignedDeviceIdentityHmac`]).
    pub fn device_identity(&self) -> &[u8] {
        &self.container
    }

    /// The key index written into the identity.
    pub const fn key_index(&self) -> u32 {
        self.key_index
    }

    /// The serialized [`wa::AdvDeviceIdentity`] the phone signed.
    pub fn details(&self) -> &[u8] {
        &self.details
    }

    /// Checks the companion's `pair-device-sign` reply: `reply` is the content
    /// of its `<device-identity>`, `key_index_attr` its `key-index` attribute
    /// (not checked when `None`).
    ///
    /// The reply must carry exactly the details and account signature the
    /// phone issued, no account key other than the phone's, and a valid
    /// device signature by the companion's identity key. Returns the full
    /// identity to store for the device (with the account key, as messages
    /// carry it).
    ///
    /// # Errors
    /// [`Error::AdvMalformed`] for undecodable or altered content or a wrong
    /// `key-index`, [`Error::AdvAccountSignatureMismatch`] if the account
    /// signature was changed, [`Error::AdvDeviceSignatureMismatch`] if the
    /// device signature does not verify.
    pub fn verify_reply(
        &self,
        reply: &[u8],
        key_index_attr: Option<&str>,
    ) -> Result<VerifiedDevice> {
        let signed: wa::AdvSignedDeviceIdentity = decode(reply, "reply is not a signed identity")?;
        if signed.details.as_deref() != Some(self.details.as_slice()) {
            return Err(Error::AdvMalformed(
                "reply details differ from the issued ones",
            ));
        }
        if signed.account_signature.as_deref() != Some(self.account_signature.as_slice()) {
            return Err(Error::AdvAccountSignatureMismatch);
        }
        if let Some(key) = signed.account_signature_key.as_deref()
            && !key.is_empty()
            && raw_key(key).ok() != Some(self.account_identity)
        {
            return Err(Error::AdvMalformed("reply names another account key"));
        }
        if let Some(attr) = key_index_attr
            && attr.parse::<u32>().ok() != Some(self.key_index)
        {
            return Err(Error::AdvMalformed(
                "key-index attribute differs from the identity",
            ));
        }
        let device_signature = signed
            .device_signature
            .as_deref()
            .ok_or(Error::AdvMalformed("reply has no device signature"))?;
        let message = concat(&[
            &DEVICE_SIGNATURE_PREFIX,
            &self.details,
            self.companion_identity.as_bytes(),
            self.account_identity.as_bytes(),
        ]);
        if !self.companion_identity.verify(&message, device_signature) {
            return Err(Error::AdvDeviceSignatureMismatch);
        }
        let device = decode(&self.details, "details are not a device identity")?;
        Ok(VerifiedDevice {
            identity: wa::AdvSignedDeviceIdentity {
                account_signature_key: Some(self.account_identity.as_bytes().to_vec()),
                ..signed
            },
            device,
            key_index: self.key_index,
            account_identity: self.account_identity,
        })
    }
}

/// A companion identity whose account and device signatures verified.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedDevice {
    /// The full signed identity, with `accountSignatureKey` set.
    pub identity: wa::AdvSignedDeviceIdentity,
    /// Its decoded details.
    pub device: wa::AdvDeviceIdentity,
    /// The key index (non-zero).
    pub key_index: u32,
    /// The account (primary device) identity key that signed it.
    pub account_identity: PublicKey,
}

impl VerifiedDevice {
    /// The full identity serialized (with the account key), as it travels
    /// in messages and device records.
    pub fn identity_bytes(&self) -> Vec<u8> {
        self.identity.encode_to_vec()
    }
}

/// Companion side of `pair-success`: the verified identity, countersigned.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanionPairing {
    /// The identity to store (Baileys' `creds.account`): details, account
    /// key, account signature and our device signature.
    pub account: wa::AdvSignedDeviceIdentity,
    /// The decoded details.
    pub device: wa::AdvDeviceIdentity,
    /// Our key index (non-zero), sent as the `key-index` attribute.
    pub key_index: u32,
    /// The phone's identity key: the Signal identity of the account's
    /// device 0, to be trusted for it.
    pub primary_identity: PublicKey,
    /// Whether the HMAC container declared a HOSTED account.
    pub hosted_account: bool,
}

impl CompanionPairing {
    /// Verifies the content of `<pair-success><device-identity>` fail-closed
    /// and computes our device signature.
    ///
    /// Checks, in order: the container decodes with a known account type;
    /// its HMAC under `adv_secret` matches; the signed identity and details
    /// decode with a 32-byte account key and a 64-byte signature; the account
    /// signature over our identity key verifies; the key index is present and
    /// non-zero.
    ///
    /// # Errors
    /// [`Error::AdvHmacMismatch`], [`Error::AdvAccountSignatureMismatch`], or
    /// [`Error::AdvMalformed`] for anything undecodable, missing or zero.
    pub fn verify<R: CryptoRng + ?Sized>(
        device_identity: &[u8],
        adv_secret: &AdvSecret,
        own_identity: &KeyPair,
        rng: &mut R,
    ) -> Result<Self> {
        let container: wa::AdvSignedDeviceIdentityHmac =
            decode(device_identity, "container is not an HMAC'd identity")?;
        let signed_bytes = container
            .details
            .as_deref()
            .ok_or(Error::AdvMalformed("container has no details"))?;
        let hmac = container
            .hmac
            .as_deref()
            .ok_or(Error::AdvMalformed("container has no hmac"))?;
        // The account type is outside the HMAC but selects its input: an
        // unknown value is refused rather than read as E2EE.
        let account_type = match container.account_type {
            None => AdvEncryptionType::E2ee,
            Some(t) => AdvEncryptionType::try_from(t)
                .map_err(|_| Error::AdvMalformed("unknown account type"))?,
        };
        let expected = container_hmac(adv_secret, account_type, signed_bytes);
        if !bool::from(expected.as_slice().ct_eq(hmac)) {
            return Err(Error::AdvHmacMismatch);
        }
        let mut account: wa::AdvSignedDeviceIdentity =
            decode(signed_bytes, "details are not a signed identity")?;
        let details = account
            .details
            .clone()
            .ok_or(Error::AdvMalformed("signed identity has no details"))?;
        let key_bytes = account
            .account_signature_key
            .clone()
            .ok_or(Error::AdvMalformed("signed identity has no account key"))?;
        let primary_identity = raw_key(&key_bytes)?;
        let signature = account
            .account_signature
            .as_deref()
            .filter(|s| s.len() == SIGNATURE_LEN)
            .ok_or(Error::AdvMalformed(
                "account signature missing or not 64 bytes",
            ))?;
        let device: wa::AdvDeviceIdentity = decode(&details, "details are not a device identity")?;
        let message = concat(&[
            &account_prefix(device.device_type()),
            &details,
            own_identity.public.as_bytes(),
        ]);
        if !primary_identity.verify(&message, signature) {
            return Err(Error::AdvAccountSignatureMismatch);
        }
        let key_index = device
            .key_index
            .filter(|&k| k != 0)
            .ok_or(Error::AdvMalformed("key index missing or zero"))?;
        let message = concat(&[
            &DEVICE_SIGNATURE_PREFIX,
            &details,
            own_identity.public.as_bytes(),
            &key_bytes,
        ]);
        account.device_signature = Some(own_identity.sign(&message, rng).to_vec());
        Ok(Self {
            account,
            device,
            key_index,
            primary_identity,
            hosted_account: account_type == AdvEncryptionType::Hosted,
        })
    }

    /// The content of `<pair-device-sign><device-identity>`: the identity
    /// with our device signature and without `accountSignatureKey`.
    pub fn reply(&self) -> Vec<u8> {
        encode_signed_identity(&self.account, false)
    }

    /// The `key-index` attribute of the reply's `<device-identity>`.
    pub fn key_index_attr(&self) -> String {
        self.key_index.to_string()
    }

    /// The full identity (with the account key), as carried in messages.
    pub fn account_bytes(&self) -> Vec<u8> {
        encode_signed_identity(&self.account, true)
    }
}

/// Serializes a signed identity, keeping `accountSignatureKey` only when
/// `include_account_key` is set and the key is non-empty (Baileys'
/// `encodeSignedDeviceIdentity`).
pub fn encode_signed_identity(
    identity: &wa::AdvSignedDeviceIdentity,
    include_account_key: bool,
) -> Vec<u8> {
    let mut identity = identity.clone();
    if !include_account_key
        || identity
            .account_signature_key
            .as_ref()
            .is_none_or(Vec::is_empty)
    {
        identity.account_signature_key = None;
    }
    identity.encode_to_vec()
}

/// Verifies a companion's signed identity as it appears in messages and key
/// bundles (`<device-identity>`): the account signature by the account key
/// and the device signature by `device_identity` (the companion's Signal
/// identity key).
///
/// The account key is the embedded `accountSignatureKey`, or `account_identity`
/// when the identity carries none. When both are present they must agree.
/// Hosted identities (`deviceType = HOSTED`) use the hosted prefixes; their
/// device signature is accepted with either device prefix.
///
/// # Errors
/// [`Error::AdvMalformed`] (undecodable, no usable account key, zero key
/// index), [`Error::AdvAccountSignatureMismatch`],
/// [`Error::AdvDeviceSignatureMismatch`].
pub fn verify_signed_identity(
    identity: &[u8],
    device_identity: &PublicKey,
    account_identity: Option<&PublicKey>,
) -> Result<VerifiedDevice> {
    let mut signed: wa::AdvSignedDeviceIdentity =
        decode(identity, "identity is not a signed identity")?;
    let details = signed
        .details
        .clone()
        .ok_or(Error::AdvMalformed("signed identity has no details"))?;
    let embedded = match signed.account_signature_key.as_deref() {
        Some(k) if !k.is_empty() => Some(raw_key(k)?),
        _ => None,
    };
    let account = match (embedded, account_identity) {
        (Some(e), Some(known)) if e != *known => {
            return Err(Error::AdvMalformed(
                "embedded account key differs from the known one",
            ));
        }
        (Some(e), _) => e,
        (None, Some(known)) => *known,
        (None, None) => return Err(Error::AdvMalformed("no account key to verify with")),
    };
    let device: wa::AdvDeviceIdentity = decode(&details, "details are not a device identity")?;
    let hosted = device.device_type() == AdvEncryptionType::Hosted;
    let account_signature = signed.account_signature.as_deref().unwrap_or_default();
    let message = concat(&[
        &account_prefix(device.device_type()),
        &details,
        device_identity.as_bytes(),
    ]);
    if !account.verify(&message, account_signature) {
        return Err(Error::AdvAccountSignatureMismatch);
    }
    let device_signature = signed.device_signature.as_deref().unwrap_or_default();
    let device_ok = |prefix: &[u8; 2]| {
        let message = concat(&[
            prefix,
            &details,
            device_identity.as_bytes(),
            account.as_bytes(),
        ]);
        device_identity.verify(&message, device_signature)
    };
    if !(device_ok(&DEVICE_SIGNATURE_PREFIX)
        || hosted && device_ok(&HOSTED_DEVICE_SIGNATURE_PREFIX))
    {
        return Err(Error::AdvDeviceSignatureMismatch);
    }
    let key_index = device
        .key_index
        .filter(|&k| k != 0)
        .ok_or(Error::AdvMalformed("key index missing or zero"))?;
    signed.account_signature_key = Some(account.as_bytes().to_vec());
    Ok(VerifiedDevice {
        identity: signed,
        device,
        key_index,
        account_identity: account,
    })
}

/// An account key as carried in identities: exactly 32 raw bytes (as
/// whatsmeow requires; the device signature covers these bytes as sent, so a
/// `05`-prefixed form would make the two sides sign different messages).
fn raw_key(bytes: &[u8]) -> Result<PublicKey> {
    <[u8; 32]>::try_from(bytes)
        .map(PublicKey::from_raw)
        .map_err(|_| Error::AdvMalformed("account key is not 32 bytes"))
}

/// The account signature prefix for a device type.
fn account_prefix(device_type: AdvEncryptionType) -> [u8; 2] {
    match device_type {
        AdvEncryptionType::Hosted => HOSTED_ACCOUNT_SIGNATURE_PREFIX,
        AdvEncryptionType::E2ee => ACCOUNT_SIGNATURE_PREFIX,
    }
}

/// The container HMAC: over `signed`, prefixed with `06 05` for HOSTED.
fn container_hmac(
    adv_secret: &AdvSecret,
    account_type: AdvEncryptionType,
    signed: &[u8],
) -> [u8; 32] {
    match account_type {
        AdvEncryptionType::Hosted => {
            hmac_sha256(adv_secret, &[&HOSTED_ACCOUNT_SIGNATURE_PREFIX, signed])
        }
        AdvEncryptionType::E2ee => hmac_sha256(adv_secret, &[signed]),
    }
}

/// Decodes a protobuf, mapping failure to [`Error::AdvMalformed`].
fn decode<M: prost::Message + Default>(bytes: &[u8], what: &'static str) -> Result<M> {
    M::decode(bytes).map_err(|_| Error::AdvMalformed(what))
}
