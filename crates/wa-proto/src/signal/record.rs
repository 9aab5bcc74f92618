//! Persistence of [`SessionRecord`] as protobuf bytes
//! (`signal.SessionRecordStructure` in `proto/signal.proto`).
//!
//! Decoding validates every key length and bound, so a corrupt record is an
//! [`Error::InvalidMessage`] rather than a later panic.

use std::collections::VecDeque;

use prost::Message;

use crate::keys::{KeyPair, PrivateKey, PublicKey};
use crate::proto::signal as pb;
use crate::signal::ratchet::{ChainKey, KeyChain, MAX_SKIPPED_KEYS, SkippedKey};
use crate::signal::session::{
    MAX_PREVIOUS_STATES, MAX_RECEIVER_CHAINS, PendingPreKey, ReceiverChain, SessionRecord,
    SessionState,
};
use crate::{Error, Result};

const CORRUPT: Error = Error::InvalidMessage("corrupt record");

pub(crate) fn key32(b: Option<&Vec<u8>>) -> Result<[u8; 32]> {
    b.and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .ok_or(CORRUPT)
}

pub(crate) fn public(b: Option<&Vec<u8>>) -> Result<PublicKey> {
    PublicKey::deserialize(b.ok_or(CORRUPT)?).map_err(|_| CORRUPT)
}

pub(crate) fn chain_to_pb(c: &ChainKey) -> pb::ChainKeyStructure {
    pb::ChainKeyStructure {
        index: Some(c.index),
        key: Some(c.key.to_vec()),
    }
}

pub(crate) fn chain_from_pb(c: &pb::ChainKeyStructure) -> Result<ChainKey> {
    Ok(ChainKey::new(
        key32(c.key.as_ref())?,
        c.index.ok_or(CORRUPT)?,
    ))
}

pub(crate) fn skipped_to_pb(k: &SkippedKey) -> pb::SkippedKeyStructure {
    pb::SkippedKeyStructure {
        index: Some(k.index),
        seed: Some(k.seed.to_vec()),
    }
}

pub(crate) fn skipped_from_pb(list: &[pb::SkippedKeyStructure]) -> Result<VecDeque<SkippedKey>> {
    if list.len() > MAX_SKIPPED_KEYS {
        return Err(CORRUPT);
    }
    list.iter()
        .map(|k| {
            Ok(SkippedKey {
                index: k.index.ok_or(CORRUPT)?,
                seed: key32(k.seed.as_ref())?,
            })
        })
        .collect()
}

fn state_to_pb(s: &SessionState) -> pb::SessionStateStructure {
    pb::SessionStateStructure {
        remote_identity: Some(s.remote_identity.serialize().to_vec()),
        remote_registration_id: Some(s.remote_registration_id),
        base_key: Some(s.base_key.serialize().to_vec()),
        initiator: Some(s.initiator),
        root_key: Some(s.root_key.to_vec()),
        our_ratchet_public: Some(s.our_ratchet.public.serialize().to_vec()),
        our_ratchet_private: Some(s.our_ratchet.private.as_bytes().to_vec()),
        sending_chain: s.sending.as_ref().map(chain_to_pb),
        previous_counter: Some(s.previous_counter),
        receiver_chains: s
            .receivers
            .iter()
            .map(|r| pb::ReceiverChainStructure {
                ratchet_key: Some(r.ratchet_key.serialize().to_vec()),
                chain_key: r.keys.chain.as_ref().map(chain_to_pb),
                skipped: r.keys.skipped.iter().map(skipped_to_pb).collect(),
            })
            .collect(),
        pending_pre_key: s
            .pending_pre_key
            .as_ref()
            .map(|p| pb::PendingPreKeyStructure {
                pre_key_id: p.pre_key_id,
                signed_pre_key_id: Some(p.signed_pre_key_id),
                base_key: Some(p.base_key.serialize().to_vec()),
            }),
    }
}

fn state_from_pb(s: &pb::SessionStateStructure) -> Result<SessionState> {
    let private = PrivateKey::from_bytes(key32(s.our_ratchet_private.as_ref())?);
    let our_ratchet = KeyPair::from_private(private);
    if our_ratchet.public != public(s.our_ratchet_public.as_ref())? {
        return Err(CORRUPT);
    }
    if s.receiver_chains.len() > MAX_RECEIVER_CHAINS {
        return Err(CORRUPT);
    }
    let receivers = s
        .receiver_chains
        .iter()
        .map(|r| {
            Ok(ReceiverChain {
                ratchet_key: public(r.ratchet_key.as_ref())?,
                keys: KeyChain {
                    chain: r.chain_key.as_ref().map(chain_from_pb).transpose()?,
                    skipped: skipped_from_pb(&r.skipped)?,
                },
            })
        })
        .collect::<Result<_>>()?;
    let pending_pre_key = s
        .pending_pre_key
        .as_ref()
        .map(|p| {
            Ok::<_, Error>(PendingPreKey {
                pre_key_id: p.pre_key_id,
                signed_pre_key_id: p.signed_pre_key_id.ok_or(CORRUPT)?,
                base_key: public(p.base_key.as_ref())?,
            })
        })
        .transpose()?;
    Ok(SessionState {
        remote_identity: public(s.remote_identity.as_ref())?,
        remote_registration_id: s.remote_registration_id.unwrap_or(0),
        base_key: public(s.base_key.as_ref())?,
        initiator: s.initiator.unwrap_or(false),
        root_key: key32(s.root_key.as_ref())?,
        our_ratchet,
        sending: Some(chain_from_pb(s.sending_chain.as_ref().ok_or(CORRUPT)?)?),
        previous_counter: s.previous_counter.unwrap_or(0),
        receivers,
        pending_pre_key,
    })
}

impl SessionRecord {
    /// Serializes the record (protobuf `signal.SessionRecordStructure`).
    pub fn to_bytes(&self) -> Vec<u8> {
        pb::SessionRecordStructure {
            current: self.current.as_ref().map(state_to_pb),
            previous: self.previous.iter().map(state_to_pb).collect(),
        }
        .encode_to_vec()
    }

    /// Parses a record written by [`SessionRecord::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let r = pb::SessionRecordStructure::decode(bytes)?;
        if r.previous.len() > MAX_PREVIOUS_STATES {
            return Err(CORRUPT);
        }
        Ok(Self {
            current: r.current.as_ref().map(state_from_pb).transpose()?,
            previous: r
                .previous
                .iter()
                .map(state_from_pb)
                .collect::<Result<_>>()?,
        })
    }
}
