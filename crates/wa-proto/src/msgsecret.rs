//! Message-secret encryption: the keys that protect a modification of an
//! earlier message (a poll vote, an encrypted reaction or comment, an event
//! response) with that message's 32-byte `messageContextInfo.messageSecret`.
//!
//! Facts (whatsmeow `msgsecret.go` `generateMsgSecretKey`, Baileys
//! `lib/Utils/process-message.js` `decryptPollVote`):
//!
//! ```text
//! info = original message id ‖ original sender JID ‖ modification sender JID ‖ use case
//! key  = HKDF-SHA256(ikm = messageSecret, salt = none, info, 32 bytes)
//! aad  = original message id ‖ 0x00 ‖ modification sender JID   (poll votes, event responses)
//! payload = AES-256-GCM(key, 12-byte iv, protobuf bytes, aad)   (16-byte tag appended)
//! ```
//!
//! JIDs are written without a device (`user@server`). Which address family
//! (phone number or LID) the sender used is not part of the ciphertext; a
//! receiver that knows both forms tries each ([`decrypt`] is cheap and fails
//! closed on the GCM tag).
//!
//! Poll options are identified in a vote by the SHA-256 of their name
//! ([`option_hash`]).

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::media::hkdf_fixed;

/// Length of a message secret and of the derived key.
pub const SECRET_LEN: usize = 32;
/// Length of the GCM IV carried next to the payload (`encIv`).
pub const IV_LEN: usize = 12;

/// What the secret protects; the string is part of the key derivation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UseCase {
    /// `pollUpdateMessage.vote` (a `PollVoteMessage`).
    PollVote,
    /// `encReactionMessage` (a `ReactionMessage` without its key).
    Reaction,
    /// `encCommentMessage` (a `Message`).
    Comment,
    /// An event response (an `EventResponseMessage`).
    EventResponse,
}

impl UseCase {
    /// The label mixed into the key.
    pub const fn label(self) -> &'static str {
        match self {
            UseCase::PollVote => "Poll Vote",
            UseCase::Reaction => "Enc Reaction",
            UseCase::Comment => "Enc Comment",
            UseCase::EventResponse => "Event Response",
        }
    }

    const fn has_aad(self) -> bool {
        matches!(self, UseCase::PollVote | UseCase::EventResponse)
    }
}

/// The message a modification refers to, and who modifies it.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// The original message's id (the poll's id).
    pub message_id: &'a str,
    /// The original message's sender, `user@server` without a device (the
    /// poll creator).
    pub original_sender: &'a str,
    /// The sender of the modification, `user@server` (the voter).
    pub modification_sender: &'a str,
}

/// The key and additional authenticated data for `target` under `secret`.
fn key_and_aad(use_case: UseCase, secret: &[u8], target: &Target<'_>) -> ([u8; 32], Vec<u8>) {
    let mut info = Vec::with_capacity(
        target.message_id.len()
            + target.original_sender.len()
            + target.modification_sender.len()
            + use_case.label().len(),
    );
    info.extend_from_slice(target.message_id.as_bytes());
    info.extend_from_slice(target.original_sender.as_bytes());
    info.extend_from_slice(target.modification_sender.as_bytes());
    info.extend_from_slice(use_case.label().as_bytes());
    let key = hkdf_fixed::<32>(secret, &info);
    let aad = if use_case.has_aad() {
        let mut a =
            Vec::with_capacity(target.message_id.len() + 1 + target.modification_sender.len());
        a.extend_from_slice(target.message_id.as_bytes());
        a.push(0);
        a.extend_from_slice(target.modification_sender.as_bytes());
        a
    } else {
        Vec::new()
    };
    (key, aad)
}

fn check_secret(secret: &[u8]) -> Result<()> {
    if secret.len() == SECRET_LEN {
        Ok(())
    } else {
        Err(Error::InvalidKey("message secret must be 32 bytes"))
    }
}

/// Encrypts `plaintext` (an encoded protobuf) for `target` with a fresh IV;
/// returns `(encPayload, encIv)`.
///
/// # Errors
/// [`Error::InvalidKey`] if `secret` is not 32 bytes.
pub fn encrypt(
    use_case: UseCase,
    secret: &[u8],
    target: &Target<'_>,
    plaintext: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<(Vec<u8>, [u8; IV_LEN])> {
    check_secret(secret)?;
    let mut iv = [0u8; IV_LEN];
    rng.fill_bytes(&mut iv);
    let (key, aad) = key_and_aad(use_case, secret, target);
    let cipher = Aes256Gcm::new((&key).into());
    let ct = cipher
        .encrypt(
            (&iv).into(),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| Error::InvalidArgument("message secret encryption failed"))?;
    Ok((ct, iv))
}

/// Decrypts `(payload, iv)` for `target`; fails closed when the tag does not
/// verify (wrong secret, wrong JIDs or tampering).
///
/// # Errors
/// [`Error::InvalidKey`] for a secret that is not 32 bytes,
/// [`Error::InvalidArgument`] for an IV that is not 12 bytes,
/// [`Error::Decrypt`] when authentication fails.
pub fn decrypt(
    use_case: UseCase,
    secret: &[u8],
    target: &Target<'_>,
    payload: &[u8],
    iv: &[u8],
) -> Result<Vec<u8>> {
    check_secret(secret)?;
    let iv: &[u8; IV_LEN] = iv
        .try_into()
        .map_err(|_| Error::InvalidArgument("message secret IV must be 12 bytes"))?;
    let (key, aad) = key_and_aad(use_case, secret, target);
    let cipher = Aes256Gcm::new((&key).into());
    cipher
        .decrypt(
            iv.into(),
            Payload {
                msg: payload,
                aad: &aad,
            },
        )
        .map_err(|_| Error::Decrypt("message secret payload authentication failed"))
}

/// The SHA-256 of a poll option's name, as a vote lists it.
pub fn option_hash(option_name: &str) -> [u8; 32] {
    Sha256::digest(option_name.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn target() -> Target<'static> {
        Target {
            message_id: "3EB0POLL",
            original_sender: "111@s.whatsapp.net",
            modification_sender: "222@s.whatsapp.net",
        }
    }

    #[test]
    fn round_trip_and_fail_closed() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let secret = [7u8; 32];
        let (ct, iv) = encrypt(UseCase::PollVote, &secret, &target(), b"vote", &mut rng).unwrap();
        assert_eq!(ct.len(), 4 + 16);
        let back = decrypt(UseCase::PollVote, &secret, &target(), &ct, &iv).unwrap();
        assert_eq!(back, b"vote");
        // Another voter, another secret, another use case or a flipped bit: no.
        let other = Target {
            modification_sender: "333@s.whatsapp.net",
            ..target()
        };
        assert!(decrypt(UseCase::PollVote, &secret, &other, &ct, &iv).is_err());
        assert!(decrypt(UseCase::PollVote, &[8u8; 32], &target(), &ct, &iv).is_err());
        assert!(decrypt(UseCase::EventResponse, &secret, &target(), &ct, &iv).is_err());
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert!(decrypt(UseCase::PollVote, &secret, &target(), &bad, &iv).is_err());
        assert!(decrypt(UseCase::PollVote, &secret, &target(), &ct, &iv[..11]).is_err());
        assert!(decrypt(UseCase::PollVote, &secret[..31], &target(), &ct, &iv).is_err());
    }

    #[test]
    fn key_is_hkdf_over_the_concatenated_info() {
        // HKDF with an empty salt, one block: HMAC(HMAC(zeros, secret), info ‖ 1).
        use hmac::{Hmac, KeyInit as _, Mac};
        let secret = [9u8; 32];
        let t = target();
        let (key, aad) = key_and_aad(UseCase::PollVote, &secret, &t);
        let mut prk = Hmac::<Sha256>::new_from_slice(&[0u8; 32]).unwrap();
        prk.update(&secret);
        let prk = prk.finalize().into_bytes();
        let mut okm = Hmac::<Sha256>::new_from_slice(&prk).unwrap();
        okm.update(b"3EB0POLL111@s.whatsapp.net222@s.whatsapp.netPoll Vote\x01");
        assert_eq!(key.as_slice(), okm.finalize().into_bytes().as_slice());
        assert_eq!(aad, b"3EB0POLL\x00222@s.whatsapp.net");
        let (_, no_aad) = key_and_aad(UseCase::Reaction, &secret, &t);
        assert!(no_aad.is_empty());
    }

    #[test]
    fn option_hash_is_sha256_of_the_name() {
        assert_eq!(
            hex::encode(option_hash("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
