//! Sender keys (group messaging): the per-(group, sender) [`SenderKeyRecord`]
//! and the two wire messages.
//!
//! ```text
//! SKDM  = 0x33 ‖ SenderKeyDistributionMessage{id=1, iteration=2, chainKey=3, signingKey=4 (33 bytes)}
//! skmsg = 0x33 ‖ SenderKeyMessage{id=1, iteration=2, ciphertext=3} ‖ XEdDSA signature[64]
//! ```
//!
//! The signature covers everything before it. A sender key state is a chain
//! (`seed = HMAC(ck, 0x01)`, `next = HMAC(ck, 0x02)`) whose message keys come
//! from `HKDF(seed, 0³², "WhisperGroup", 48)` → IV 16 ‖ AES-256 key 32.
//! A record keeps up to [`MAX_SENDER_KEY_STATES`] states, newest first.

use std::collections::VecDeque;

use prost::Message;

use crate::keys::{KeyPair, PrivateKey, PublicKey, SIGNATURE_LEN};
use crate::proto::signal as pb;
use crate::signal::message::{VERSION_BYTE, split_version};
use crate::signal::ratchet::{ChainKey, KeyChain};
use crate::signal::record::{
    chain_from_pb, chain_to_pb, key32, public, skipped_from_pb, skipped_to_pb,
};
use crate::signal::wire::{self, Reader};
use crate::{Error, Result};

/// Most sender key states a record keeps.
pub const MAX_SENDER_KEY_STATES: usize = 5;

/// One sender key chain: id, chain, signing key (with the private half only
/// in our own state) and skipped keys.
#[derive(Clone, Debug)]
pub(crate) struct SenderKeyState {
    pub(crate) id: u32,
    pub(crate) keys: KeyChain,
    pub(crate) signing_public: PublicKey,
    pub(crate) signing_private: Option<PrivateKey>,
}

/// The sender keys of one sender in one group ([`super::SenderKeyName`]).
/// Persist it with [`SenderKeyRecord::to_bytes`].
#[derive(Clone, Debug, Default)]
pub struct SenderKeyRecord {
    /// Newest first.
    pub(crate) states: VecDeque<SenderKeyState>,
}

impl SenderKeyRecord {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the record holds no state.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Number of states.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether the newest state is ours (has the signing private key).
    pub fn is_own(&self) -> bool {
        self.states
            .front()
            .is_some_and(|s| s.signing_private.is_some())
    }

    /// The state with key id `id`.
    pub(crate) fn state(&self, id: u32) -> Option<usize> {
        self.states.iter().position(|s| s.id == id)
    }

    /// Adds `state` as the newest, dropping the oldest beyond the limit.
    pub(crate) fn push(&mut self, state: SenderKeyState) {
        self.states.push_front(state);
        self.states.truncate(MAX_SENDER_KEY_STATES);
    }

    /// Serializes the record (protobuf `signal.SenderKeyRecordStructure`).
    pub fn to_bytes(&self) -> Vec<u8> {
        pb::SenderKeyRecordStructure {
            states: self
                .states
                .iter()
                .map(|s| pb::SenderKeyStateStructure {
                    id: Some(s.id),
                    chain_key: s.keys.chain.as_ref().map(chain_to_pb),
                    signing_public: Some(s.signing_public.serialize().to_vec()),
                    signing_private: s.signing_private.as_ref().map(|k| k.as_bytes().to_vec()),
                    skipped: s.keys.skipped.iter().map(skipped_to_pb).collect(),
                })
                .collect(),
        }
        .encode_to_vec()
    }

    /// Parses a record written by [`SenderKeyRecord::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let r = pb::SenderKeyRecordStructure::decode(bytes)?;
        if r.states.len() > MAX_SENDER_KEY_STATES {
            return Err(Error::InvalidMessage("corrupt record"));
        }
        let states = r
            .states
            .iter()
            .map(|s| {
                let signing_private = s
                    .signing_private
                    .as_ref()
                    .map(|k| key32(Some(k)).map(PrivateKey::from_bytes))
                    .transpose()?;
                let signing_public = public(s.signing_public.as_ref())?;
                if signing_private
                    .as_ref()
                    .is_some_and(|k| k.public_key() != signing_public)
                {
                    return Err(Error::InvalidMessage("corrupt record"));
                }
                Ok(SenderKeyState {
                    id: s.id.ok_or(Error::InvalidMessage("corrupt record"))?,
                    keys: KeyChain {
                        chain: Some(chain_from_pb(
                            s.chain_key
                                .as_ref()
                                .ok_or(Error::InvalidMessage("corrupt record"))?,
                        )?),
                        skipped: skipped_from_pb(&s.skipped)?,
                    },
                    signing_public,
                    signing_private,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Self { states })
    }
}

impl SenderKeyState {
    /// A fresh own state: random id (31 bits), chain key and signing key.
    pub(crate) fn generate<R: rand_core::CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut id = [0u8; 4];
        rng.fill_bytes(&mut id);
        let mut chain = [0u8; 32];
        rng.fill_bytes(&mut chain);
        let signing = KeyPair::generate(rng);
        Self {
            id: u32::from_le_bytes(id) & 0x7fff_ffff,
            keys: KeyChain {
                chain: Some(ChainKey::new(chain, 0)),
                skipped: VecDeque::new(),
            },
            signing_public: signing.public,
            signing_private: Some(signing.private),
        }
    }
}

/// A SenderKeyDistributionMessage: how a sender hands its chain to a member.
#[derive(Clone, PartialEq, Eq)]
pub struct SenderKeyDistributionMessage {
    /// The sender key id.
    pub key_id: u32,
    /// The chain iteration `chain_key` belongs to.
    pub iteration: u32,
    /// The chain key at `iteration`.
    pub chain_key: [u8; 32],
    /// The sender's signing public key.
    pub signing_key: PublicKey,
}

impl std::fmt::Debug for SenderKeyDistributionMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SenderKeyDistributionMessage")
            .field("key_id", &self.key_id)
            .field("iteration", &self.iteration)
            .field("signing_key", &self.signing_key)
            .finish_non_exhaustive()
    }
}

impl SenderKeyDistributionMessage {
    /// Serializes: `0x33 ‖ protobuf`.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(90);
        out.push(VERSION_BYTE);
        wire::put_u32_field(&mut out, 1, self.key_id);
        wire::put_u32_field(&mut out, 2, self.iteration);
        wire::put_bytes_field(&mut out, 3, &self.chain_key);
        wire::put_bytes_field(&mut out, 4, &self.signing_key.serialize());
        out
    }

    /// Parses a serialized distribution message.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let proto = split_version(bytes)?;
        let (mut id, mut iteration, mut chain_key, mut signing_key) = (None, None, None, None);
        let mut r = Reader::new(proto);
        while let Some((field, value)) = r.next_field()? {
            match field {
                1 => id = Some(value.as_u32()?),
                2 => iteration = Some(value.as_u32()?),
                3 => chain_key = Some(value.as_bytes()?),
                4 => signing_key = Some(value.as_bytes()?),
                _ => {}
            }
        }
        let (Some(key_id), Some(chain_key), Some(signing_key)) = (id, chain_key, signing_key)
        else {
            return Err(Error::InvalidMessage(
                "incomplete SenderKeyDistributionMessage",
            ));
        };
        Ok(Self {
            key_id,
            iteration: iteration.unwrap_or(0),
            chain_key: <[u8; 32]>::try_from(chain_key)
                .map_err(|_| Error::InvalidMessage("sender chain key must be 32 bytes"))?,
            signing_key: PublicKey::from_bytes(signing_key)?,
        })
    }
}

/// A parsed `skmsg`, borrowing from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderKeyMessage<'a> {
    /// The sender key id.
    pub key_id: u32,
    /// The chain iteration of this message.
    pub iteration: u32,
    /// AES-256-CBC ciphertext.
    pub ciphertext: &'a [u8],
    /// Everything the signature covers.
    pub(crate) signed: &'a [u8],
    /// The 64-byte signature.
    pub(crate) signature: &'a [u8],
}

impl<'a> SenderKeyMessage<'a> {
    /// Parses a serialized `skmsg` (structure only; the signature is checked
    /// by [`super::group_decrypt`]).
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let body = split_version(bytes)?;
        let short = Error::InvalidMessage("SenderKeyMessage shorter than its signature");
        let split = body.len().checked_sub(SIGNATURE_LEN).ok_or(short.clone())?;
        let (proto, _) = body.split_at_checked(split).ok_or(short.clone())?;
        let (signed, signature) = bytes.split_at_checked(split + 1).ok_or(short)?;
        let (mut id, mut iteration, mut ciphertext) = (None, None, None);
        let mut r = Reader::new(proto);
        while let Some((field, value)) = r.next_field()? {
            match field {
                1 => id = Some(value.as_u32()?),
                2 => iteration = Some(value.as_u32()?),
                3 => ciphertext = Some(value.as_bytes()?),
                _ => {}
            }
        }
        let (Some(key_id), Some(ciphertext)) = (id, ciphertext) else {
            return Err(Error::InvalidMessage("incomplete SenderKeyMessage"));
        };
        Ok(Self {
            key_id,
            iteration: iteration.unwrap_or(0),
            ciphertext,
            signed,
            signature,
        })
    }
}

/// Writes `0x33` and the SenderKeyMessage protobuf up to the length prefix of
/// the ciphertext; the caller appends the ciphertext and the signature.
pub(crate) fn write_skmsg_header(out: &mut Vec<u8>, key_id: u32, iteration: u32, ct_len: usize) {
    out.reserve(
        1 + wire::u32_field_len(key_id)
            + wire::u32_field_len(iteration)
            + wire::bytes_field_len(ct_len)
            + SIGNATURE_LEN,
    );
    out.push(VERSION_BYTE);
    wire::put_u32_field(out, 1, key_id);
    wire::put_u32_field(out, 2, iteration);
    wire::put_varint(out, (3 << 3) | 2);
    wire::put_varint(out, ct_len as u64);
}
