//! Direct companion provisioning (`POST /sim/accounts/{phone}/devices`): a
//! companion is registered from its public keys without a pairing
//! connection, for load tests and fixtures that need many devices quickly.
//!
//! The phone signs the companion's ADV identity exactly as in a QR link
//! (same details, same account signature, next key index), but there is no
//! `pair-device-sign` round trip, so the stored identity carries no device
//! signature (the companion holds the only key that could add it). Other
//! devices would reject that identity in a `pkmsg`; load-test companions
//! never send. The account's other companions get the usual `devices`
//! notification.

use prost::Message as _;
use wa_proto::binary::Node;
use wa_proto::keys::PublicKey;
use wa_proto::pair::adv::{DeviceIdentityParams, PhonePairing};
use wa_proto::proto::wa;

use crate::error::{Error, Result};
use crate::world::World;
use crate::world::account::{Device, DeviceKeys, Family, SignedKeyPub};
use crate::world::queue::{Class, Queue};

/// The public keys a companion registers with (what a registration
/// ClientPayload carries).
#[derive(Debug, Clone)]
pub struct CompanionKeys {
    /// The Noise static key it will log in with.
    pub noise_key: PublicKey,
    /// Signal identity key.
    pub identity: PublicKey,
    /// Signal registration id.
    pub registration_id: u32,
    /// Signed prekey id, key and signature.
    pub signed_prekey: SignedKeyPub,
    /// Platform shown on the phone.
    pub platform: String,
}

/// A provisioned companion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioned {
    /// Device number.
    pub device: u16,
    /// `PHONE:DEV@s.whatsapp.net`.
    pub device_jid: String,
    /// `LID:DEV@lid`.
    pub lid_jid: String,
    /// ADV key index.
    pub key_index: u32,
    /// The serialized `ADVSignedDeviceIdentity` (details, account signature
    /// key and account signature; no device signature).
    pub signed_identity: Vec<u8>,
}

/// Registers a companion of `phone` with `keys`.
///
/// # Errors
/// [`Error::NotFound`] for an unknown account, [`Error::BadRequest`] for a
/// signed prekey whose signature does not verify, [`Error::Conflict`] when
/// the account ran out of device numbers.
pub fn provision(
    world: &mut World,
    phone: &str,
    keys: CompanionKeys,
    now: u64,
) -> Result<Provisioned> {
    let mut signed_msg = [0u8; 33];
    signed_msg[0] = 5;
    signed_msg[1..].copy_from_slice(keys.signed_prekey.key.as_bytes());
    if !keys
        .identity
        .verify(&signed_msg, &keys.signed_prekey.signature)
    {
        return Err(Error::BadRequest(
            "signed prekey signature does not verify with the identity key".into(),
        ));
    }
    let World { accounts, rng, .. } = &mut *world;
    let account = accounts
        .get_mut(phone)
        .ok_or_else(|| Error::NotFound(format!("account {phone}")))?;
    let device = account.next_device;
    if device == u16::MAX {
        return Err(Error::Conflict(format!(
            "account {phone} has no device numbers left"
        )));
    }
    let key_index = account.next_key_index;
    let params = DeviceIdentityParams::e2ee(account.adv_raw_id, now, key_index);
    // No QR secret exists here: the HMAC container is discarded.
    let adv_secret = [0u8; 32];
    let pairing = PhonePairing::sign(
        account.phone_dev.identity(),
        &keys.identity,
        &adv_secret,
        &params,
        rng,
    )?;
    let signed_identity = wa::AdvSignedDeviceIdentityHmac::decode(pairing.device_identity())
        .ok()
        .and_then(|c| c.details)
        .ok_or_else(|| Error::Persist("signed identity did not round-trip".into()))?;
    account.next_device += 1;
    account.next_key_index += 1;
    account.devices.insert(
        device,
        Device {
            id: device,
            noise_key: keys.noise_key,
            keys: DeviceKeys {
                registration_id: keys.registration_id,
                identity: keys.identity,
                signed: keys.signed_prekey,
                prekeys: Default::default(),
            },
            key_index,
            signed_identity: signed_identity.clone(),
            platform: keys.platform,
            linked_at: now,
            queue: Queue::default(),
            // Provisioned devices skip the phone's history bootstrap.
            bootstrapped: true,
        },
    );
    let jid = account.device_jid(Family::Pn, device);
    let lid = account.device_jid(Family::Lid, device);
    let user = account.user_jid(Family::Pn);
    world.dirty = true;
    for other in world.companions(phone) {
        if other.device == device {
            continue;
        }
        let id = world.next_id();
        let n = Node::new("notification")
            .with_attr("from", user.clone())
            .with_attr("type", "devices")
            .with_attr("id", id)
            .with_attr("t", now.to_string())
            .with_child(
                Node::new("add").with_child(
                    Node::new("device")
                        .with_attr("jid", jid.clone())
                        .with_attr("lid", lid.clone())
                        .with_attr("key-index", key_index.to_string()),
                ),
            );
        world.deliver(&other, Class::Notification, n);
    }
    Ok(Provisioned {
        device,
        device_jid: jid.to_string(),
        lid_jid: lid.to_string(),
        key_index,
        signed_identity,
    })
}
