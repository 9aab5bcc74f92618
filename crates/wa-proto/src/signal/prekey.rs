//! Long-term and medium-term keys of a Signal device: the identity key pair
//! with its registration id ([`LocalIdentity`]), signed prekeys, one-time
//! prekeys, and the [`PreKeyBundle`] a peer publishes for session setup.
//!
//! A signed prekey's signature is an XEdDSA signature by the identity key
//! over the 33-byte serialized (`0x05`-prefixed) prekey public key.
//! WhatsApp carries prekey ids as 3 bytes and the registration id as 4 bytes
//! in its `<key>`, `<skey>` and `<registration>` nodes.

use rand_core::CryptoRng;

use crate::keys::{KeyPair, PublicKey, SIGNATURE_LEN};
use crate::{Error, Result};

/// Our own identity: the identity key pair and the registration id we
/// published with it.
#[derive(Clone, Debug)]
pub struct LocalIdentity {
    /// The long-term identity key pair.
    pub key_pair: KeyPair,
    /// Our registration id (sent in every `pkmsg`).
    pub registration_id: u32,
}

impl LocalIdentity {
    /// Generates a fresh identity key pair and registration id.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self {
            key_pair: KeyPair::generate(rng),
            registration_id: generate_registration_id(rng),
        }
    }

    /// The identity public key.
    pub fn public(&self) -> &PublicKey {
        &self.key_pair.public
    }
}

/// A random registration id: 14 bits like libsignal's, never 0.
pub fn generate_registration_id<R: CryptoRng + ?Sized>(rng: &mut R) -> u32 {
    let mut b = [0u8; 2];
    rng.fill_bytes(&mut b);
    let id = u32::from(u16::from_le_bytes(b)) & 0x3fff;
    id.max(1)
}

/// A one-time prekey: an id and a key pair, used once then deleted.
#[derive(Clone, Debug)]
pub struct PreKey {
    /// The prekey id (WhatsApp uses 24-bit ids).
    pub id: u32,
    /// The key pair.
    pub key_pair: KeyPair,
}

impl PreKey {
    /// Generates prekey `id`.
    pub fn generate<R: CryptoRng + ?Sized>(id: u32, rng: &mut R) -> Self {
        Self {
            id,
            key_pair: KeyPair::generate(rng),
        }
    }

    /// Generates `count` prekeys with consecutive ids from `first_id`
    /// (wrapping within 24 bits, skipping 0).
    pub fn generate_batch<R: CryptoRng + ?Sized>(
        first_id: u32,
        count: u32,
        rng: &mut R,
    ) -> Vec<Self> {
        (0..count)
            .map(|i| {
                let id = (first_id.wrapping_add(i).wrapping_sub(1) % 0x00ff_ffff) + 1;
                Self::generate(id, rng)
            })
            .collect()
    }
}

/// A signed prekey: key pair plus the identity key's signature over the
/// serialized public key.
#[derive(Clone, Debug)]
pub struct SignedPreKey {
    /// The signed prekey id.
    pub id: u32,
    /// The key pair.
    pub key_pair: KeyPair,
    /// XEdDSA signature by the identity key over `key_pair.public.serialize()`.
    pub signature: [u8; SIGNATURE_LEN],
}

impl SignedPreKey {
    /// Generates signed prekey `id`, signed by `identity`.
    pub fn generate<R: CryptoRng + ?Sized>(identity: &KeyPair, id: u32, rng: &mut R) -> Self {
        let key_pair = KeyPair::generate(rng);
        let signature = identity.sign(&key_pair.public.serialize(), rng);
        Self {
            id,
            key_pair,
            signature,
        }
    }

    /// Whether the signature verifies under `identity`.
    pub fn verify(&self, identity: &PublicKey) -> bool {
        identity.verify(&self.key_pair.public.serialize(), &self.signature)
    }
}

/// What a peer device publishes for session setup (the content of a
/// `<user>` entry of a prekey fetch reply).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreKeyBundle {
    /// The peer's registration id.
    pub registration_id: u32,
    /// The peer's identity key.
    pub identity_key: PublicKey,
    /// The signed prekey id.
    pub signed_pre_key_id: u32,
    /// The signed prekey.
    pub signed_pre_key: PublicKey,
    /// Signature of the serialized signed prekey by the identity key.
    pub signed_pre_key_signature: [u8; SIGNATURE_LEN],
    /// An optional one-time prekey `(id, key)`.
    pub pre_key: Option<(u32, PublicKey)>,
}

impl PreKeyBundle {
    /// The bundle a device with these keys publishes.
    pub fn new(identity: &LocalIdentity, signed: &SignedPreKey, one_time: Option<&PreKey>) -> Self {
        Self {
            registration_id: identity.registration_id,
            identity_key: identity.key_pair.public,
            signed_pre_key_id: signed.id,
            signed_pre_key: signed.key_pair.public,
            signed_pre_key_signature: signed.signature,
            pre_key: one_time.map(|k| (k.id, k.key_pair.public)),
        }
    }

    /// Checks the signed prekey's signature.
    pub fn verify(&self) -> Result<()> {
        if self.identity_key.verify(
            &self.signed_pre_key.serialize(),
            &self.signed_pre_key_signature,
        ) {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }
}

/// The private prekeys a responder needs for one `pkmsg`: the caller looks
/// up the ids the message names ([`super::PreKeySignalMessage`]) and passes
/// what it has.
#[derive(Clone, Copy, Debug, Default)]
pub struct ResponderKeys<'a> {
    /// The signed prekey named by `signed_pre_key_id`.
    pub signed_pre_key: Option<&'a SignedPreKey>,
    /// The one-time prekey named by `pre_key_id`, if the message names one.
    pub one_time_pre_key: Option<&'a PreKey>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn signed_prekey_and_bundle_verify() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let id = LocalIdentity::generate(&mut rng);
        assert!((1..=0x3fff).contains(&id.registration_id));
        let spk = SignedPreKey::generate(&id.key_pair, 7, &mut rng);
        assert!(spk.verify(id.public()));
        let pk = PreKey::generate(9, &mut rng);
        let mut bundle = PreKeyBundle::new(&id, &spk, Some(&pk));
        assert_eq!(bundle.verify(), Ok(()));
        assert_eq!(bundle.pre_key, Some((9, pk.key_pair.public)));
        bundle.signed_pre_key_signature[0] ^= 1;
        assert_eq!(bundle.verify(), Err(Error::InvalidSignature));
    }

    #[test]
    fn prekey_batch_ids() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let ids: Vec<u32> = PreKey::generate_batch(0x00ff_fffe, 3, &mut rng)
            .iter()
            .map(|k| k.id)
            .collect();
        assert_eq!(ids, [0x00ff_fffe, 0x00ff_ffff, 1]);
    }
}
