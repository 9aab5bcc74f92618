//! Polls: creation messages (with the random `messageSecret` that keys the
//! votes), votes (`pollUpdateMessage`, encrypted with
//! [`wa_proto::msgsecret`]) and mapping a vote's option hashes back to names.
//!
//! A single-choice poll travels as `pollCreationMessageV3`, a multiple-choice
//! one as `pollCreationMessage` (Baileys `generateWAMessageContent`); both
//! carry `messageContextInfo.messageSecret`. Our own polls are stored with
//! that secret in their raw bytes, which is what decrypts the votes.

use prost::Message as _;
use rand::CryptoRng;
use wa_proto::jid::Jid;
use wa_proto::msgsecret::{self, Target, UseCase};
use wa_proto::proto::wa;

use super::build::MessageRef;
use crate::{Error, Result};

/// A poll to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollSpec {
    /// The question.
    pub name: String,
    /// The options (unique names; a vote identifies them by hash).
    pub options: Vec<String>,
    /// How many options a voter may select: 1 for single choice, 0 for any
    /// number.
    pub selectable_count: u32,
}

/// A poll creation message with a fresh 32-byte message secret.
///
/// # Errors
/// [`Error::InvalidValue`] for an empty question, fewer than two options,
/// duplicate or empty option names, or a selectable count above the number
/// of options.
pub fn creation(spec: &PollSpec, rng: &mut impl CryptoRng) -> Result<wa::Message> {
    if spec.name.trim().is_empty() {
        return Err(Error::InvalidValue("a poll needs a question".into()));
    }
    if spec.options.len() < 2 {
        return Err(Error::InvalidValue(
            "a poll needs at least two options".into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for o in &spec.options {
        if o.is_empty() || !seen.insert(o.as_str()) {
            return Err(Error::InvalidValue(format!(
                "poll options must be unique and non-empty: {o:?}"
            )));
        }
    }
    let count = usize::try_from(spec.selectable_count).unwrap_or(usize::MAX);
    if count > spec.options.len() {
        return Err(Error::InvalidValue(format!(
            "selectable count {} exceeds the {} options",
            spec.selectable_count,
            spec.options.len()
        )));
    }
    let poll = wa::message::PollCreationMessage {
        name: Some(spec.name.clone()),
        options: spec
            .options
            .iter()
            .map(|o| wa::message::poll_creation_message::Option {
                option_name: Some(o.clone()),
                ..Default::default()
            })
            .collect(),
        selectable_options_count: Some(spec.selectable_count),
        ..Default::default()
    };
    let mut msg = wa::Message {
        message_context_info: Some(secret_context(rng)),
        ..Default::default()
    };
    if spec.selectable_count == 1 {
        msg.poll_creation_message_v3 = Some(Box::new(poll));
    } else {
        msg.poll_creation_message = Some(Box::new(poll));
    }
    Ok(msg)
}

/// A `messageContextInfo` with a fresh random 32-byte message secret.
pub fn secret_context(rng: &mut impl CryptoRng) -> wa::MessageContextInfo {
    let mut secret = vec![0u8; msgsecret::SECRET_LEN];
    rng.fill_bytes(&mut secret);
    wa::MessageContextInfo {
        message_secret: Some(secret),
        ..Default::default()
    }
}

/// The poll carried by `msg` (any version), if it is one.
pub fn poll_of(msg: &wa::Message) -> Option<&wa::message::PollCreationMessage> {
    [
        &msg.poll_creation_message,
        &msg.poll_creation_message_v2,
        &msg.poll_creation_message_v3,
        &msg.poll_creation_message_v5,
    ]
    .into_iter()
    .flatten()
    .next()
    .map(|b| &**b)
}

/// The option names of a poll message.
pub fn option_names(msg: &wa::Message) -> Vec<String> {
    poll_of(msg)
        .map(|p| {
            p.options
                .iter()
                .filter_map(|o| o.option_name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The message secret of a poll message.
pub fn secret_of(msg: &wa::Message) -> Option<&[u8]> {
    msg.message_context_info
        .as_ref()
        .and_then(|c| c.message_secret.as_deref())
}

/// Maps option hashes back to names, in the poll's option order; unknown
/// hashes are skipped.
pub fn names_for(hashes: &[Vec<u8>], options: &[String]) -> Vec<String> {
    options
        .iter()
        .filter(|o| {
            let h = msgsecret::option_hash(o);
            hashes.iter().any(|x| x.as_slice() == h)
        })
        .cloned()
        .collect()
}

/// Who a vote involves: the poll's id, its creator and the voter, as
/// `user@server` JIDs (no device).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteParties {
    /// The poll message id.
    pub poll_id: String,
    /// The poll's creator.
    pub creator: Jid,
    /// The voter.
    pub voter: Jid,
}

impl VoteParties {
    fn strings(&self) -> (String, String) {
        (
            self.creator.to_non_ad().to_string(),
            self.voter.to_non_ad().to_string(),
        )
    }
}

/// Encrypts a vote for `selected` option names.
///
/// # Errors
/// [`Error::Protocol`] for a secret that is not 32 bytes.
pub fn encrypt_vote(
    secret: &[u8],
    parties: &VoteParties,
    selected: &[&str],
    rng: &mut impl CryptoRng,
) -> Result<wa::message::PollEncValue> {
    let vote = wa::message::PollVoteMessage {
        selected_options: selected
            .iter()
            .map(|s| msgsecret::option_hash(s).to_vec())
            .collect(),
    };
    let (creator, voter) = parties.strings();
    let target = Target {
        message_id: &parties.poll_id,
        original_sender: &creator,
        modification_sender: &voter,
    };
    let (payload, iv) = msgsecret::encrypt(
        UseCase::PollVote,
        secret,
        &target,
        &vote.encode_to_vec(),
        rng,
    )?;
    Ok(wa::message::PollEncValue {
        enc_payload: Some(payload),
        enc_iv: Some(iv.to_vec()),
    })
}

/// Decrypts a vote: the hashes of the selected options.
///
/// # Errors
/// [`Error::Protocol`] when the vote does not authenticate under these
/// parties and secret, or does not decode.
pub fn decrypt_vote(
    secret: &[u8],
    parties: &VoteParties,
    vote: &wa::message::PollEncValue,
) -> Result<Vec<Vec<u8>>> {
    let (creator, voter) = parties.strings();
    let target = Target {
        message_id: &parties.poll_id,
        original_sender: &creator,
        modification_sender: &voter,
    };
    let plain = msgsecret::decrypt(
        UseCase::PollVote,
        secret,
        &target,
        vote.enc_payload.as_deref().unwrap_or_default(),
        vote.enc_iv.as_deref().unwrap_or_default(),
    )?;
    let decoded = wa::message::PollVoteMessage::decode(plain.as_slice())
        .map_err(|e| wa_proto::Error::Protobuf(e.to_string()))?;
    Ok(decoded.selected_options)
}

/// A vote message on `poll` (whose secret is `secret`) by `voter`,
/// selecting `selected` option names.
///
/// # Errors
/// As [`encrypt_vote`].
pub fn vote(
    poll: &MessageRef,
    creator: &Jid,
    voter: &Jid,
    secret: &[u8],
    selected: &[&str],
    sender_timestamp_ms: i64,
    rng: &mut impl CryptoRng,
) -> Result<wa::Message> {
    let parties = VoteParties {
        poll_id: poll.id.clone(),
        creator: creator.clone(),
        voter: voter.clone(),
    };
    let enc = encrypt_vote(secret, &parties, selected, rng)?;
    Ok(wa::Message {
        poll_update_message: Some(wa::message::PollUpdateMessage {
            poll_creation_message_key: Some(poll.to_key()),
            vote: Some(enc),
            sender_timestamp_ms: Some(sender_timestamp_ms),
            ..Default::default()
        }),
        ..Default::default()
    })
}
