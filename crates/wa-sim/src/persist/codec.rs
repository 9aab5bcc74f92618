//! Serde adapters for protocol values kept in the state snapshot: keys and
//! byte strings as hex, Signal session records and binary nodes as base64 of
//! their wire encodings.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};
use wa_proto::binary::Node;
use wa_proto::keys::{KeyPair, PrivateKey, PublicKey};
use wa_proto::signal::{SenderKeyRecord, SessionRecord};

fn hex_to<const N: usize, E: serde::de::Error>(s: &str) -> Result<[u8; N], E> {
    let v = hex::decode(s).map_err(E::custom)?;
    <[u8; N]>::try_from(v.as_slice()).map_err(|_| E::custom("wrong length"))
}

/// A [`PublicKey`] as 64 hex digits.
pub(crate) mod pubkey {
    use super::*;
    pub(crate) fn serialize<S: Serializer>(k: &PublicKey, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(k.as_bytes()))
    }
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PublicKey, D::Error> {
        let s = String::deserialize(d)?;
        Ok(PublicKey::from_raw(hex_to(&s)?))
    }
}

/// A [`KeyPair`] as the 64 hex digits of its private key.
pub(crate) mod keypair {
    use super::*;
    pub(crate) fn serialize<S: Serializer>(k: &KeyPair, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(k.private.as_bytes()))
    }
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<KeyPair, D::Error> {
        let s = String::deserialize(d)?;
        Ok(KeyPair::from_private(PrivateKey::from_bytes(hex_to(&s)?)))
    }
}

/// A byte string as hex.
pub(crate) mod bytes {
    use super::*;
    pub(crate) fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s).map_err(D::Error::custom)
    }
}

/// A 64-byte signature as hex.
pub(crate) mod sig {
    use super::*;
    pub(crate) fn serialize<S: Serializer>(b: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
        let s = String::deserialize(d)?;
        hex_to(&s)
    }
}

/// A Signal [`SessionRecord`] as base64 of its serialized form.
pub(crate) mod session {
    use super::*;
    pub(crate) fn serialize<S: Serializer>(r: &SessionRecord, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(r.to_bytes()))
    }
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SessionRecord, D::Error> {
        let s = String::deserialize(d)?;
        let b = STANDARD.decode(s).map_err(D::Error::custom)?;
        SessionRecord::from_bytes(&b).map_err(D::Error::custom)
    }
}

/// A binary [`Node`] as base64 of its wire encoding.
pub(crate) mod node {
    use super::*;
    pub(crate) fn serialize<S: Serializer>(n: &Node, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(wa_proto::binary::encode(n)))
    }
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        let s = String::deserialize(d)?;
        let b = STANDARD.decode(s).map_err(D::Error::custom)?;
        wa_proto::binary::decode(&b).map_err(D::Error::custom)
    }
}

/// A Signal [`SenderKeyRecord`] as base64 of its serialized form.
pub(crate) mod sender_key {
    use super::*;
    pub(crate) fn serialize<S: Serializer>(r: &SenderKeyRecord, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(r.to_bytes()))
    }
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<SenderKeyRecord, D::Error> {
        let s = String::deserialize(d)?;
        let b = STANDARD.decode(s).map_err(D::Error::custom)?;
        SenderKeyRecord::from_bytes(&b).map_err(D::Error::custom)
    }
}
