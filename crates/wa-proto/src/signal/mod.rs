//! The Signal protocol as WhatsApp uses it, written from the published
//! specifications (X3DH, Double Ratchet, XEdDSA, Sender Keys) and the wire
//! facts of libsignal v3.
//!
//! Everything is a **pure function over a record**: the caller loads a
//! [`SessionRecord`] (per peer device, [`ProtocolAddress`]) or a
//! [`SenderKeyRecord`] (per group and sender, [`SenderKeyName`]) from its
//! store, calls one function, and persists the record if the call returned
//! `Ok`. A call that fails leaves the record exactly as it was. Randomness
//! comes in as `&mut impl CryptoRng`; nothing here does IO.
//!
//! | module | owns |
//! |---|---|
//! | [`address`] | [`ProtocolAddress`], [`SenderKeyName`] and their string forms |
//! | [`prekey`] | identity, registration id, signed/one-time prekeys, bundles |
//! | [`message`] | `msg` / `pkmsg` wire formats |
//! | [`session`] | [`SessionRecord`]: current + archived states |
//! | [`cipher`] | X3DH setup, encrypt, decrypt of `msg` and `pkmsg` |
//! | [`sender_key`] | [`SenderKeyRecord`], SKDM and `skmsg` wire formats |
//! | [`group_cipher`] | sender-key create/process/encrypt/decrypt |
//! | [`padding`] | WhatsApp's 1–16 byte message padding |
//!
//! Typical pairwise use:
//!
//! ```
//! use rand::SeedableRng;
//! use wa_proto::signal::*;
//! let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (alice, bob) = (LocalIdentity::generate(&mut rng), LocalIdentity::generate(&mut rng));
//! let spk = SignedPreKey::generate(&bob.key_pair, 1, &mut rng);
//! let opk = PreKey::generate(7, &mut rng);
//! let bundle = PreKeyBundle::new(&bob, &spk, Some(&opk));
//!
//! let mut a = SessionRecord::new();
//! process_prekey_bundle(&mut a, &alice, None, &bundle, &mut rng)?;
//! let first = encrypt(&mut a, &alice, &pad(b"hi", &mut rng))?;
//! assert_eq!(first.kind, MessageType::PreKey);
//!
//! let mut b = SessionRecord::new();
//! let keys = ResponderKeys { signed_pre_key: Some(&spk), one_time_pre_key: Some(&opk) };
//! let got = decrypt_prekey(&mut b, &bob, None, &first.bytes, keys, &mut rng)?;
//! assert_eq!(unpad(&got.plaintext)?, b"hi");
//! assert_eq!(got.used_pre_key_id, Some(7));
//!
//! let reply = encrypt(&mut b, &bob, &pad(b"hello", &mut rng))?;
//! assert_eq!(reply.kind, MessageType::Whisper);
//! let pt = decrypt(&mut a, &alice, Some(bob.public()), &reply.bytes, &mut rng)?;
//! assert_eq!(unpad(&pt)?, b"hello");
//! # Ok::<(), wa_proto::Error>(())
//! ```

pub mod address;
pub mod cipher;
mod crypto;
#[doc(hidden)]
pub mod fuzzing;
pub mod group_cipher;
pub mod message;
pub mod padding;
pub mod prekey;
mod ratchet;
mod record;
pub mod sender_key;
pub mod session;
mod wire;
mod x3dh;

pub use address::{ProtocolAddress, SenderKeyName};
pub use cipher::{
    PreKeyDecrypted, decrypt, decrypt_message, decrypt_prekey, decrypt_prekey_message, encrypt,
    process_prekey_bundle,
};
pub use group_cipher::{
    create_distribution_message, group_decrypt, group_encrypt, process_distribution_message,
};
pub use message::{CiphertextMessage, MessageType, PreKeySignalMessage, SignalMessage};
pub use padding::{pad, unpad};
pub use prekey::{
    LocalIdentity, PreKey, PreKeyBundle, ResponderKeys, SignedPreKey, generate_registration_id,
};
pub use ratchet::{MAX_FORWARD_JUMP, MAX_SKIPPED_KEYS};
pub use sender_key::{SenderKeyDistributionMessage, SenderKeyMessage, SenderKeyRecord};
pub use session::SessionRecord;

#[doc(hidden)]
pub mod testing {
    //! Hooks for known-answer tests and interop drivers: the raw KDFs, so
    //! vectors computed by other implementations can be checked directly.

    /// HKDF-SHA256 with libsignal's zero salt (`salt = None`) or a 32-byte salt.
    pub fn hkdf<const N: usize>(ikm: &[u8], salt: Option<&[u8; 32]>, info: &[u8]) -> [u8; N] {
        super::crypto::hkdf(ikm, salt, info)
    }

    /// One chain step: `(HMAC(ck, 0x01), HMAC(ck, 0x02))`.
    pub fn chain_step(chain_key: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
        let h = super::crypto::HmacKey::new(chain_key);
        (h.mac(&[&[1]]), h.mac(&[&[2]]))
    }
}
