//! Accounts and their companion devices as the server stores them: the
//! phone-number and LID identities of an account, its virtual phone (device
//! 0, see [`crate::phone`]) and, per linked companion, the keys it registered
//! and uploaded, its ADV identity and its queue of undelivered stanzas.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wa_proto::jid::{Jid, Server};
use wa_proto::keys::PublicKey;

use super::queue::Queue;
use crate::persist::codec;
use crate::phone::Phone;

/// A public key in a serializable wrapper (hex in the snapshot).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HexKey(#[serde(with = "codec::pubkey")] pub PublicKey);

/// The public half of a signed prekey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedKeyPub {
    /// Prekey id (24 bits on the wire).
    pub id: u32,
    /// The public key.
    #[serde(with = "codec::pubkey")]
    pub key: PublicKey,
    /// XEdDSA signature by the identity key over `05 ‖ key`.
    #[serde(with = "codec::sig")]
    pub signature: [u8; 64],
}

/// What a device publishes for Signal session setup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceKeys {
    /// Signal registration id.
    pub registration_id: u32,
    /// Identity public key.
    #[serde(with = "codec::pubkey")]
    pub identity: PublicKey,
    /// Current signed prekey.
    pub signed: SignedKeyPub,
    /// One-time prekeys not yet handed out, by id.
    pub prekeys: BTreeMap<u32, HexKey>,
}

impl DeviceKeys {
    /// Takes the one-time prekey with the lowest id (handed out in a bundle).
    pub fn take_prekey(&mut self) -> Option<(u32, PublicKey)> {
        self.prekeys.pop_first().map(|(id, k)| (id, k.0))
    }
}

/// Whether a JID belongs to the phone-number or the LID namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Family {
    /// `@s.whatsapp.net`.
    Pn,
    /// `@lid`.
    Lid,
}

impl Family {
    /// The family of a user JID (`Lid` for `@lid`, `Pn` otherwise).
    pub fn of(jid: &Jid) -> Family {
        if jid.server == Server::Lid {
            Family::Lid
        } else {
            Family::Pn
        }
    }
}

/// A linked companion device.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Device {
    /// Device number (1, 2, ...; 0 is the phone).
    pub id: u16,
    /// The Noise static key the companion logs in with.
    #[serde(with = "codec::pubkey")]
    pub noise_key: PublicKey,
    /// Its Signal keys (registration, then prekey uploads).
    pub keys: DeviceKeys,
    /// ADV key index assigned at pairing.
    pub key_index: u32,
    /// The serialized `ADVSignedDeviceIdentity` (with the account key).
    #[serde(with = "codec::bytes")]
    pub signed_identity: Vec<u8>,
    /// Companion platform as shown on the phone (`Chrome (Mac OS)`).
    pub platform: String,
    /// Unix time of linking.
    pub linked_at: u64,
    /// Stanzas waiting for delivery or acknowledgement.
    pub queue: Queue,
    /// Whether the phone already sent its post-link bootstrap.
    pub bootstrapped: bool,
}

/// One account: a phone number, its LID, the virtual phone and companions.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Account {
    /// Phone number digits (user part of the PN JID).
    pub phone: String,
    /// LID user part.
    pub lid: String,
    /// Push name.
    pub name: String,
    /// About / status text.
    pub status: String,
    /// Unix time of creation.
    pub created: u64,
    /// ADV raw id (fixed per account).
    pub adv_raw_id: u32,
    /// Next companion device number.
    pub next_device: u16,
    /// Next ADV key index.
    pub next_key_index: u32,
    /// Linked companions by device number.
    pub devices: BTreeMap<u16, Device>,
    /// The virtual phone (device 0).
    pub phone_dev: Phone,
    /// Picture, status time, privacy settings, blocklist.
    #[serde(default)]
    pub profile: super::profile::Profile,
}

impl Account {
    /// The user JID in `family`.
    pub fn user_jid(&self, family: Family) -> Jid {
        match family {
            Family::Pn => Jid::pn(self.phone.clone()),
            Family::Lid => Jid::lid(self.lid.clone()),
        }
    }

    /// The device JID in `family` (device 0 is written without suffix).
    pub fn device_jid(&self, family: Family, device: u16) -> Jid {
        self.user_jid(family).with_device(device)
    }

    /// Device numbers of all devices, phone first.
    pub fn device_ids(&self) -> Vec<u16> {
        std::iter::once(0)
            .chain(self.devices.keys().copied())
            .collect()
    }

    /// The public keys of device `id` (0 = the phone).
    pub fn keys_mut(&mut self, id: u16) -> Option<&mut DeviceKeys> {
        if id == 0 {
            Some(self.phone_dev.public_keys_mut())
        } else {
            self.devices.get_mut(&id).map(|d| &mut d.keys)
        }
    }

    /// The public keys of device `id` (0 = the phone).
    pub fn keys(&self, id: u16) -> Option<&DeviceKeys> {
        if id == 0 {
            Some(self.phone_dev.public_keys())
        } else {
            self.devices.get(&id).map(|d| &d.keys)
        }
    }
}
