//! Pairing by code ("link with phone number"): the companion shows an
//! 8-character code, the user types it on the phone, and both sides derive
//! the ADV secret without a QR code.
//!
//! ```text
//! code        = 8 chars of 123456789ABCDEFGHJKLMNPQRSTVWXYZ (5 random bytes, base32)
//! wrap(pub)   = salt32 ‖ iv16 ‖ AES-256-CTR(PBKDF2-HMAC-SHA256(code, salt32, 2^17, 32), iv16, pub)  (80 bytes)
//!
//! companion_hello  (companion → phone)  wrap(companion ephemeral pub)
//! primary_hello    (phone → companion)  wrap(phone ephemeral pub), phone identity pub
//! companion_finish (companion → phone)  bundle, companion identity pub
//!
//! shared      = X25519(own ephemeral, peer ephemeral)
//! bundle      = salt32 ‖ nonce12 ‖ AES-256-GCM(HKDF(shared, salt32, "link_code_pairing_key_bundle_encryption_key", 32),
//!                                              nonce12, companion identity ‖ phone identity ‖ random32)    (156 bytes)
//! adv secret  = HKDF(shared ‖ X25519(companion identity, phone identity) ‖ random32, no salt, "adv_secret", 32)
//! ```
//!
//! A wrong code is not detected when unwrapping (CTR has no tag); it makes
//! the two ephemeral agreements differ, so the phone's bundle decryption
//! fails ([`Error::PairCodeMismatch`]).
//!
//! Sources: Baileys `requestPairingCode`/`generatePairingKey`
//! (`lib/Socket/socket.js`), the `link_code_companion_reg` notification
//! handler (`lib/Socket/messages-recv.js`), `derivePairingCodeKey`
//! (`lib/Utils/crypto.js`); whatsmeow `pair-code.go`. The phone side is the
//! mirror image (the primary device's code is not public); the simulator
//! uses it.

use aes::Aes256;
use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit};
use ctr::cipher::{KeyIvInit, StreamCipher};
use hkdf::Hkdf;
use rand_core::CryptoRng;
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::keys::{KeyPair, PublicKey};
use crate::pair::{ADV_SECRET_LEN, AdvSecret, concat};
use crate::{Error, Result};

/// Characters of a pairing code (Crockford-like base32 without 0, I, O, U).
pub const PAIR_CODE_ALPHABET: &[u8; 32] = b"123456789ABCDEFGHJKLMNPQRSTVWXYZ";
/// Length of a pairing code.
pub const PAIR_CODE_LEN: usize = 8;
/// PBKDF2 iterations used to turn the code into a wrapping key (`2 << 16`).
pub const PBKDF2_ROUNDS: u32 = 2 << 16;
/// Length of a wrapped ephemeral key: salt 32 ‖ iv 16 ‖ key 32.
pub const WRAPPED_KEY_LEN: usize = 80;
/// Length of the wrapped key bundle: salt 32 ‖ nonce 12 ‖ 96 ‖ tag 16.
pub const KEY_BUNDLE_LEN: usize = 156;
/// HKDF info of the key bundle encryption key.
pub const KEY_BUNDLE_INFO: &[u8] = b"link_code_pairing_key_bundle_encryption_key";
/// HKDF info of the ADV secret.
pub const ADV_SECRET_INFO: &[u8] = b"adv_secret";

const SALT_LEN: usize = 32;
const IV_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const BUNDLE_PLAIN_LEN: usize = 96;

/// An 8-character pairing code, stored without the dash.
#[derive(Clone, PartialEq, Eq)]
pub struct PairCode([u8; PAIR_CODE_LEN]);

impl std::fmt::Debug for PairCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PairCode(..)")
    }
}

impl PairCode {
    /// A fresh code: 5 random bytes in the pairing alphabet (each character
    /// holds 5 bits, most significant first).
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut raw = [0u8; 5];
        rng.fill_bytes(&mut raw);
        let mut bits = raw.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        raw.zeroize();
        let mut code = [0u8; PAIR_CODE_LEN];
        for c in code.iter_mut().rev() {
            // `bits & 31` is < 32, so the index is in range.
            *c = PAIR_CODE_ALPHABET[(bits & 31) as usize];
            bits >>= 5;
        }
        Self(code)
    }

    /// Parses a code as typed or displayed: dashes and spaces are dropped and
    /// letters uppercased; the result must be 8 ASCII letters or digits.
    ///
    /// Characters outside the generation alphabet (`0`, `I`, `O`, `U`) are
    /// accepted because Baileys lets a companion choose any 8-character
    /// custom code.
    ///
    /// # Errors
    /// [`Error::PairCodeInvalid`] for another length or other characters.
    pub fn parse(code: &str) -> Result<Self> {
        let mut out = [0u8; PAIR_CODE_LEN];
        let mut n = 0;
        for b in code
            .bytes()
            .filter(|b| *b != b'-' && !b.is_ascii_whitespace())
        {
            if !b.is_ascii_alphanumeric() {
                return Err(Error::PairCodeInvalid(
                    "only letters and digits are allowed",
                ));
            }
            let slot = out
                .get_mut(n)
                .ok_or(Error::PairCodeInvalid("longer than 8 characters"))?;
            *slot = b.to_ascii_uppercase();
            n += 1;
        }
        if n != PAIR_CODE_LEN {
            return Err(Error::PairCodeInvalid("shorter than 8 characters"));
        }
        Ok(Self(out))
    }

    /// The code as the companion sends it and derives keys from: 8 characters,
    /// no dash.
    pub fn as_str(&self) -> &str {
        // Only ASCII alphanumerics are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The code for display: `XXXX-XXXX`.
    pub fn display(&self) -> String {
        let s = self.as_str();
        format!(
            "{}-{}",
            s.get(..4).unwrap_or_default(),
            s.get(4..).unwrap_or_default()
        )
    }

    /// The 32-byte wrapping key for `salt`.
    fn wrapping_key(&self, salt: &[u8]) -> Zeroizing<[u8; 32]> {
        let mut key = Zeroizing::new([0u8; 32]);
        pbkdf2::pbkdf2_hmac::<Sha256>(&self.0, salt, PBKDF2_ROUNDS, key.as_mut());
        key
    }

    /// Wraps an ephemeral public key: `salt ‖ iv ‖ AES-256-CTR(key(code, salt), iv, pub)`.
    pub fn wrap_key<R: CryptoRng + ?Sized>(
        &self,
        key: &PublicKey,
        rng: &mut R,
    ) -> [u8; WRAPPED_KEY_LEN] {
        let mut out = [0u8; WRAPPED_KEY_LEN];
        rng.fill_bytes(&mut out[..SALT_LEN + IV_LEN]);
        out[SALT_LEN + IV_LEN..].copy_from_slice(key.as_bytes());
        let (head, body) = out.split_at_mut(SALT_LEN + IV_LEN);
        let (salt, iv) = head.split_at(SALT_LEN);
        ctr_apply(&self.wrapping_key(salt), iv, body);
        out
    }

    /// Unwraps an ephemeral public key wrapped with [`PairCode::wrap_key`].
    /// Bytes after the first 80 are ignored (as whatsmeow does). A wrong code
    /// yields a wrong key, not an error.
    ///
    /// # Errors
    /// [`Error::PairCodeMalformed`] if `wrapped` is shorter than 80 bytes.
    pub fn unwrap_key(&self, wrapped: &[u8]) -> Result<PublicKey> {
        let wrapped = wrapped
            .get(..WRAPPED_KEY_LEN)
            .ok_or(Error::PairCodeMalformed(
                "wrapped ephemeral key shorter than 80 bytes",
            ))?;
        let (salt, rest) = wrapped.split_at(SALT_LEN);
        let (iv, ciphertext) = rest.split_at(IV_LEN);
        let mut key = [0u8; 32];
        key.copy_from_slice(ciphertext);
        ctr_apply(&self.wrapping_key(salt), iv, &mut key);
        Ok(PublicKey::from_raw(key))
    }
}

/// AES-256-CTR (128-bit big-endian counter) over `data` in place.
fn ctr_apply(key: &[u8; 32], iv: &[u8], data: &mut [u8]) {
    let mut iv_block = [0u8; IV_LEN];
    iv_block.copy_from_slice(iv);
    let mut cipher = ctr::Ctr128BE::<Aes256>::new(key.into(), &iv_block.into());
    cipher.apply_keystream(data);
}

/// X25519 that refuses an all-zero result (a low-order peer key).
fn agree_checked(own: &KeyPair, their: &PublicKey) -> Result<Zeroizing<[u8; 32]>> {
    let shared = Zeroizing::new(own.agree(their));
    if shared.iter().all(|&b| b == 0) {
        return Err(Error::PairCodeMalformed("degenerate ephemeral key"));
    }
    Ok(shared)
}

/// HKDF-SHA256 to 32 bytes.
fn hkdf32(ikm: &[u8], salt: Option<&[u8]>, info: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's 8160-byte limit.
    let _ = Hkdf::<Sha256>::new(salt, ikm).expand(info, out.as_mut());
    out
}

/// The ADV secret from the ephemeral agreement, the identity agreement and
/// the companion's 32 random bytes.
fn adv_secret(ephemeral_shared: &[u8], identity_shared: &[u8], random: &[u8]) -> AdvSecret {
    let ikm = Zeroizing::new(concat(&[ephemeral_shared, identity_shared, random]));
    let mut out = [0u8; ADV_SECRET_LEN];
    out.copy_from_slice(hkdf32(&ikm, None, ADV_SECRET_INFO).as_ref());
    out
}

/// The AES-256-GCM cipher for the key bundle under `salt`.
fn bundle_cipher(shared: &[u8], salt: &[u8]) -> Aes256Gcm {
    let key = hkdf32(shared, Some(salt), KEY_BUNDLE_INFO);
    let key: &[u8; 32] = &key;
    Aes256Gcm::new(key.into())
}

/// A 12-byte GCM nonce from a slice known to be 12 bytes long.
fn gcm_nonce(nonce: &[u8]) -> aes_gcm::aead::Nonce<Aes256Gcm> {
    let mut n = [0u8; NONCE_LEN];
    n.copy_from_slice(nonce);
    n.into()
}

/// Companion side of pairing by code.
#[derive(Debug, Clone)]
pub struct CompanionCodePairing {
    code: PairCode,
    ephemeral: KeyPair,
}

/// What the companion sends in `companion_finish`, and the secret it keeps.
#[derive(Clone)]
pub struct CompanionFinish {
    /// `link_code_pairing_wrapped_key_bundle` (156 bytes).
    pub wrapped_key_bundle: Vec<u8>,
    /// `companion_identity_public`: our identity public key.
    pub companion_identity: PublicKey,
    /// The ADV secret that will authenticate pair-success.
    pub adv_secret: AdvSecret,
}

impl std::fmt::Debug for CompanionFinish {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompanionFinish")
            .field("wrapped_key_bundle_len", &self.wrapped_key_bundle.len())
            .field("companion_identity", &self.companion_identity)
            .finish_non_exhaustive()
    }
}

impl CompanionCodePairing {
    /// Starts pairing with `code` (from [`PairCode::generate`] or a custom
    /// [`PairCode::parse`]) and the companion's pairing ephemeral key pair
    /// (Baileys keeps one in its credentials; a fresh one works as well).
    pub const fn new(code: PairCode, ephemeral: KeyPair) -> Self {
        Self { code, ephemeral }
    }

    /// The code to show the user.
    pub const fn code(&self) -> &PairCode {
        &self.code
    }

    /// `link_code_pairing_wrapped_companion_ephemeral_pub` for
    /// `companion_hello` (80 bytes; fresh salt and iv on every call).
    pub fn hello<R: CryptoRng + ?Sized>(&self, rng: &mut R) -> [u8; WRAPPED_KEY_LEN] {
        self.code.wrap_key(&self.ephemeral.public, rng)
    }

    /// Handles the phone's `primary_hello` (its identity key and wrapped
    /// ephemeral key) and produces `companion_finish` and the ADV secret.
    ///
    /// # Errors
    /// [`Error::PairCodeMalformed`] if the wrapped key is shorter than 80
    /// bytes or an agreement is degenerate.
    pub fn finish<R: CryptoRng + ?Sized>(
        &self,
        own_identity: &KeyPair,
        primary_identity: &PublicKey,
        wrapped_primary_ephemeral: &[u8],
        rng: &mut R,
    ) -> Result<CompanionFinish> {
        let primary_ephemeral = self.code.unwrap_key(wrapped_primary_ephemeral)?;
        let shared = agree_checked(&self.ephemeral, &primary_ephemeral)?;
        let mut random = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(random.as_mut());
        let mut head = [0u8; SALT_LEN + NONCE_LEN];
        rng.fill_bytes(&mut head);
        let (salt, nonce) = head.split_at(SALT_LEN);
        let plain = Zeroizing::new(concat(&[
            own_identity.public.as_bytes(),
            primary_identity.as_bytes(),
            random.as_ref(),
        ]));
        let sealed = bundle_cipher(shared.as_ref(), salt)
            .encrypt(&gcm_nonce(nonce), plain.as_slice())
            .map_err(|_| Error::PairCodeMalformed("key bundle encryption failed"))?;
        let identity_shared = agree_checked(own_identity, primary_identity)?;
        Ok(CompanionFinish {
            wrapped_key_bundle: concat(&[&head, &sealed]),
            companion_identity: own_identity.public,
            adv_secret: adv_secret(shared.as_ref(), identity_shared.as_ref(), random.as_ref()),
        })
    }
}

/// Phone side of pairing by code (the simulator's virtual phone).
#[derive(Debug, Clone)]
pub struct PhoneCodePairing {
    ephemeral: KeyPair,
    companion_ephemeral: PublicKey,
    wrapped_ephemeral: [u8; WRAPPED_KEY_LEN],
}

/// What the phone learns from `companion_finish`.
#[derive(Clone)]
pub struct PhoneFinish {
    /// The companion's identity key (checked against the bundle).
    pub companion_identity: PublicKey,
    /// The ADV secret to authenticate pair-success with.
    pub adv_secret: AdvSecret,
}

impl std::fmt::Debug for PhoneFinish {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhoneFinish")
            .field("companion_identity", &self.companion_identity)
            .finish_non_exhaustive()
    }
}

impl PhoneCodePairing {
    /// The user typed `code` on the phone: unwraps the companion's ephemeral
    /// key from `companion_hello` and wraps a fresh phone ephemeral key for
    /// `primary_hello` (see [`PhoneCodePairing::wrapped_ephemeral`]).
    ///
    /// # Errors
    /// [`Error::PairCodeMalformed`] if the wrapped key is shorter than 80 bytes.
    pub fn start<R: CryptoRng + ?Sized>(
        code: &PairCode,
        wrapped_companion_ephemeral: &[u8],
        rng: &mut R,
    ) -> Result<Self> {
        let ephemeral = KeyPair::generate(rng);
        Self::with_ephemeral(code, wrapped_companion_ephemeral, ephemeral, rng)
    }

    /// [`PhoneCodePairing::start`] with the caller's phone ephemeral key pair
    /// (`rng` then only draws the wrapping salt and iv).
    ///
    /// # Errors
    /// [`Error::PairCodeMalformed`] if the wrapped key is shorter than 80 bytes.
    pub fn with_ephemeral<R: CryptoRng + ?Sized>(
        code: &PairCode,
        wrapped_companion_ephemeral: &[u8],
        ephemeral: KeyPair,
        rng: &mut R,
    ) -> Result<Self> {
        let companion_ephemeral = code.unwrap_key(wrapped_companion_ephemeral)?;
        let wrapped_ephemeral = code.wrap_key(&ephemeral.public, rng);
        Ok(Self {
            ephemeral,
            companion_ephemeral,
            wrapped_ephemeral,
        })
    }

    /// `link_code_pairing_wrapped_primary_ephemeral_pub` for `primary_hello`
    /// (80 bytes). The notification also carries the phone's identity public
    /// key as `primary_identity_pub`.
    pub const fn wrapped_ephemeral(&self) -> &[u8; WRAPPED_KEY_LEN] {
        &self.wrapped_ephemeral
    }

    /// Handles `companion_finish`: decrypts the key bundle, checks that it
    /// names `companion_identity` and our identity, and derives the ADV
    /// secret.
    ///
    /// # Errors
    /// [`Error::PairCodeMalformed`] for a bundle of the wrong length or a
    /// degenerate key; [`Error::PairCodeMismatch`] if the bundle does not
    /// decrypt (wrong code) or names other keys.
    pub fn finish(
        &self,
        own_identity: &KeyPair,
        wrapped_key_bundle: &[u8],
        companion_identity: &PublicKey,
    ) -> Result<PhoneFinish> {
        if wrapped_key_bundle.len() != KEY_BUNDLE_LEN {
            return Err(Error::PairCodeMalformed("key bundle is not 156 bytes"));
        }
        let (salt, rest) = wrapped_key_bundle.split_at(SALT_LEN);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let shared = agree_checked(&self.ephemeral, &self.companion_ephemeral)?;
        let plain = Zeroizing::new(
            bundle_cipher(shared.as_ref(), salt)
                .decrypt(&gcm_nonce(nonce), sealed)
                .map_err(|_| {
                    Error::PairCodeMismatch("key bundle does not decrypt (wrong code?)")
                })?,
        );
        let (Some(bundle_companion), Some(bundle_primary), Some(random)) = (
            plain.get(..32),
            plain.get(32..64),
            plain.get(64..BUNDLE_PLAIN_LEN),
        ) else {
            return Err(Error::PairCodeMalformed(
                "key bundle plaintext is not 96 bytes",
            ));
        };
        if bundle_primary != own_identity.public.as_bytes() {
            return Err(Error::PairCodeMismatch(
                "key bundle names another phone identity",
            ));
        }
        if bundle_companion != companion_identity.as_bytes() {
            return Err(Error::PairCodeMismatch(
                "key bundle names another companion identity",
            ));
        }
        let identity_shared = agree_checked(own_identity, companion_identity)?;
        Ok(PhoneFinish {
            companion_identity: *companion_identity,
            adv_secret: adv_secret(shared.as_ref(), identity_shared.as_ref(), random),
        })
    }
}
