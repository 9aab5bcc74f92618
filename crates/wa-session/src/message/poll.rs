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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn spec(count: u32) -> PollSpec {
        PollSpec {
            name: "Lunch?".into(),
            options: vec!["Nasi goreng".into(), "Sate".into(), "Bakso".into()],
            selectable_count: count,
        }
    }

    #[test]
    fn single_choice_is_v3_multi_is_v1_with_a_fresh_secret() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let one = creation(&spec(1), &mut rng).unwrap();
        assert!(one.poll_creation_message_v3.is_some() && one.poll_creation_message.is_none());
        let many = creation(&spec(0), &mut rng).unwrap();
        assert!(many.poll_creation_message.is_some() && many.poll_creation_message_v3.is_none());
        let (a, b) = (secret_of(&one).unwrap(), secret_of(&many).unwrap());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert_eq!(option_names(&one), spec(1).options);
        assert_eq!(poll_of(&many).unwrap().selectable_options_count, Some(0));
        assert_eq!(poll_of(&many).unwrap().name.as_deref(), Some("Lunch?"));
    }

    #[test]
    fn invalid_polls_are_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let mut s = spec(4);
        assert!(creation(&s, &mut rng).is_err());
        s.selectable_count = 1;
        s.options = vec!["A".into(), "A".into()];
        assert!(creation(&s, &mut rng).is_err());
        s.options = vec!["A".into()];
        assert!(creation(&s, &mut rng).is_err());
        s.options = vec!["A".into(), String::new()];
        assert!(creation(&s, &mut rng).is_err());
        s.options = vec!["A".into(), "B".into()];
        s.name = " ".into();
        assert!(creation(&s, &mut rng).is_err());
    }

    #[test]
    fn a_vote_decrypts_to_the_chosen_names_only_for_its_parties() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let poll_msg = creation(&spec(0), &mut rng).unwrap();
        let secret = secret_of(&poll_msg).unwrap();
        let poll_ref = MessageRef {
            chat: Jid::group("120363000000000001"),
            id: "3EB0POLL".into(),
            from_me: false,
            sender: Some(Jid::pn("6281111111111").with_device(3)),
        };
        let creator = Jid::pn("6281111111111");
        let voter = Jid::pn("6282222222222").with_device(12);
        let msg = vote(
            &poll_ref,
            &creator,
            &voter,
            secret,
            &["Bakso", "Sate"],
            5,
            &mut rng,
        )
        .unwrap();
        let update = msg.poll_update_message.unwrap();
        let key = update.poll_creation_message_key.unwrap();
        assert_eq!(key.id.as_deref(), Some("3EB0POLL"));
        assert_eq!(
            key.participant.as_deref(),
            Some("6281111111111@s.whatsapp.net")
        );
        let enc = update.vote.unwrap();
        let parties = VoteParties {
            poll_id: "3EB0POLL".into(),
            creator: creator.clone(),
            // The device part never matters.
            voter: Jid::pn("6282222222222"),
        };
        let hashes = decrypt_vote(secret, &parties, &enc).unwrap();
        // Names come back in the poll's order, whatever the vote's order.
        assert_eq!(
            names_for(&hashes, &option_names(&poll_msg)),
            ["Sate", "Bakso"]
        );
        let stranger = VoteParties {
            voter: Jid::pn("6283333333333"),
            ..parties.clone()
        };
        assert!(decrypt_vote(secret, &stranger, &enc).is_err());
        let other_poll = VoteParties {
            poll_id: "3EB0OTHER".into(),
            ..parties
        };
        assert!(decrypt_vote(secret, &other_poll, &enc).is_err());
    }

    /// Produced by this code with the seed below and checked with Baileys'
    /// `decryptPollVote`: `node xtask/interop/poll-vote.mjs <secret> <id>
    /// <creator> <voter> <payload> <iv>` (run from `target/oracles/baileys`)
    /// printed the SHA-256 of "Sate" and "Bakso"; with another voter JID it
    /// failed authentication.
    #[test]
    fn vote_matches_the_vector_baileys_decrypted() {
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        let secret = [0x11u8; 32];
        let parties = VoteParties {
            poll_id: "3EB0C0FFEE0123456789".into(),
            creator: Jid::pn("6281111111111"),
            voter: Jid::lid("123456789012345"),
        };
        let v = encrypt_vote(&secret, &parties, &["Sate", "Bakso"], &mut rng).unwrap();
        assert_eq!(
            hex::encode(v.enc_payload.as_deref().unwrap()),
            "2e6a9b8aa7522047adcb8225614734eff59ead1eb5476e1d40627ec5c7132bc89277fc75ab3e8f55\
             e95a51ab1e5eb3d16fa81a8355745b21d0bb5936bc311f4307afeaeaa9c2447b6fd603cc4b90ddd8\
             db64f316"
        );
        assert_eq!(
            hex::encode(v.enc_iv.as_deref().unwrap()),
            "7848b5d711bc9883996317a3"
        );
        let hashes = decrypt_vote(&secret, &parties, &v).unwrap();
        assert_eq!(
            hashes.iter().map(hex::encode).collect::<Vec<_>>(),
            [
                "4399be4e5c27f086a085c74bd9cc9e074f8076918e3ac42253c0b013e30844d2",
                "b3ac38cf56cc0ca716bbc91f0afde3d07751f512c54f498463cd1a170f5d0bfc"
            ]
        );
    }
}
