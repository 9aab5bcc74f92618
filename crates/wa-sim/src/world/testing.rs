//! Helpers for tests and the fuzz target: companions added without a
//! pairing handshake.

use rand_core::CryptoRng;
use wa_proto::keys::KeyPair;
use wa_proto::signal::{LocalIdentity, SignedPreKey};

use super::World;
use super::account::{Device, DeviceKeys, SignedKeyPub};
use super::queue::Queue;

/// A companion's secrets, for a test client that logs in as it.
#[derive(Debug, Clone)]
pub struct CompanionSecrets {
    /// Noise static key pair.
    pub noise: KeyPair,
    /// Signal identity.
    pub identity: LocalIdentity,
    /// Signed prekey.
    pub signed: SignedPreKey,
}

/// Generates companion secrets.
pub fn companion_secrets<R: CryptoRng + ?Sized>(rng: &mut R) -> CompanionSecrets {
    let identity = LocalIdentity::generate(rng);
    let signed = SignedPreKey::generate(&identity.key_pair, 1, rng);
    CompanionSecrets {
        noise: KeyPair::generate(rng),
        identity,
        signed,
    }
}

/// Adds companion `device` to account `phone` with fresh keys; returns them.
pub fn add_companion(world: &mut World, phone: &str, device: u16) -> Option<CompanionSecrets> {
    let secrets = companion_secrets(&mut world.rng);
    let account = world.account_mut(phone)?;
    let key_index = account.next_key_index;
    account.next_key_index += 1;
    account.next_device = account.next_device.max(device.saturating_add(1));
    account.devices.insert(
        device,
        Device {
            id: device,
            noise_key: secrets.noise.public,
            keys: DeviceKeys {
                registration_id: secrets.identity.registration_id,
                identity: secrets.identity.key_pair.public,
                signed: SignedKeyPub {
                    id: secrets.signed.id,
                    key: secrets.signed.key_pair.public,
                    signature: secrets.signed.signature,
                },
                prekeys: Default::default(),
            },
            key_index,
            signed_identity: Vec::new(),
            platform: "test".into(),
            linked_at: 0,
            queue: Queue::default(),
            bootstrapped: true,
        },
    );
    world.dirty = true;
    Some(secrets)
}
