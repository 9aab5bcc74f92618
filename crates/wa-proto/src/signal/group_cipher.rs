//! Group (sender key) operations as pure functions over a [`SenderKeyRecord`]:
//!
//! * [`create_distribution_message`]: our own sender key for a group
//!   (created on first use) as an SKDM to hand to every member device;
//! * [`process_distribution_message`]: a member's SKDM into its record;
//! * [`group_encrypt`] / [`group_decrypt`]: `skmsg`.
//!
//! Like the pairwise cipher, **a failed call leaves the record unchanged**.

use rand_core::CryptoRng;
use zeroize::Zeroize;

use crate::signal::crypto::{cbc_decrypt, cbc_encrypt_into, cbc_len, hkdf};
use crate::signal::ratchet::{ChainKey, KeyChain, MAX_FORWARD_JUMP, apply_receive, plan_receive};
use crate::signal::sender_key::{
    SenderKeyDistributionMessage, SenderKeyMessage, SenderKeyRecord, SenderKeyState,
    write_skmsg_header,
};
use crate::{Error, Result};

/// `(iv, cipher key)` of a sender-key message from its seed.
fn group_keys(seed: &[u8; 32]) -> ([u8; 16], [u8; 32]) {
    let mut okm: [u8; 48] = hkdf(seed, None, b"WhisperGroup");
    let mut iv = [0u8; 16];
    let mut key = [0u8; 32];
    iv.copy_from_slice(&okm[..16]);
    key.copy_from_slice(&okm[16..]);
    okm.zeroize();
    (iv, key)
}

/// Our sender key for the group of `record` as a distribution message.
/// Creates the sender key (random id, chain and signing key) if the record
/// holds none of ours yet.
pub fn create_distribution_message<R: CryptoRng + ?Sized>(
    record: &mut SenderKeyRecord,
    rng: &mut R,
) -> Result<SenderKeyDistributionMessage> {
    if !record.is_own() {
        *record = SenderKeyRecord::new();
        record.push(SenderKeyState::generate(rng));
    }
    let state = record.states.front().ok_or(Error::NoSenderKey)?;
    let chain = state.keys.chain.as_ref().ok_or(Error::NoSenderKey)?;
    Ok(SenderKeyDistributionMessage {
        key_id: state.id,
        iteration: chain.index,
        chain_key: chain.key,
        signing_key: state.signing_public,
    })
}

/// Whether chain `a` and the chain key `key` at `index` are the same chain
/// (one derives the other within the jump limit).
fn same_chain(a: &ChainKey, key: &[u8; 32], index: u32) -> bool {
    let b = ChainKey::new(*key, index);
    let (from, to) = if a.index <= index { (a, &b) } else { (&b, a) };
    if to.index - from.index > MAX_FORWARD_JUMP {
        return false;
    }
    let mut cur = from.clone();
    while cur.index < to.index {
        match cur.step() {
            Ok((_, next)) => cur = next,
            Err(_) => return false,
        }
    }
    cur.key == to.key
}

/// Adds a member's sender key from its distribution message.
///
/// An SKDM for a chain the record already follows (same key id, signing key
/// and chain) is a no-op, so repeated SKDMs do not lose skipped keys; a
/// different chain under a known key id replaces that state.
pub fn process_distribution_message(
    record: &mut SenderKeyRecord,
    skdm: &SenderKeyDistributionMessage,
) {
    if let Some((i, s)) = record
        .states
        .iter()
        .enumerate()
        .find(|(_, s)| s.id == skdm.key_id)
    {
        let known = s.signing_public == skdm.signing_key
            && s.keys
                .chain
                .as_ref()
                .is_some_and(|c| same_chain(c, &skdm.chain_key, skdm.iteration));
        if known {
            return;
        }
        record.states.remove(i);
    }
    record.push(SenderKeyState {
        id: skdm.key_id,
        keys: KeyChain {
            chain: Some(ChainKey::new(skdm.chain_key, skdm.iteration)),
            skipped: Default::default(),
        },
        signing_public: skdm.signing_key,
        signing_private: None,
    });
}

/// Encrypts `plaintext` (already padded) with our newest sender key.
/// Fails with [`Error::NoSenderKey`] if the record holds no own key.
pub fn group_encrypt<R: CryptoRng + ?Sized>(
    record: &mut SenderKeyRecord,
    plaintext: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>> {
    let state = record.states.front_mut().ok_or(Error::NoSenderKey)?;
    let signing = state.signing_private.as_ref().ok_or(Error::NoSenderKey)?;
    let chain = state.keys.chain.as_ref().ok_or(Error::NoSenderKey)?;
    let (mut seed, next) = chain.step()?;
    let (iv, mut key) = group_keys(&seed);
    seed.zeroize();
    let mut out = Vec::new();
    write_skmsg_header(&mut out, state.id, chain.index, cbc_len(plaintext.len()));
    cbc_encrypt_into(&key, &iv, plaintext, &mut out);
    key.zeroize();
    let signature = signing.sign(&out, rng);
    out.extend_from_slice(&signature);
    state.keys.chain = Some(next);
    Ok(out)
}

/// Decrypts a serialized `skmsg` from the sender of `record`.
///
/// Errors: [`Error::NoSenderKey`] for an unknown key id,
/// [`Error::InvalidSignature`], [`Error::DuplicateMessage`] for an iteration
/// whose key is gone, [`Error::TooFarInFuture`], [`Error::InvalidMessage`].
pub fn group_decrypt(record: &mut SenderKeyRecord, message: &[u8]) -> Result<Vec<u8>> {
    let msg = SenderKeyMessage::parse(message)?;
    let state = record
        .state(msg.key_id)
        .and_then(|i| record.states.get_mut(i))
        .ok_or(Error::NoSenderKey)?;
    if !state.signing_public.verify(msg.signed, msg.signature) {
        return Err(Error::InvalidSignature);
    }
    let (mut seed, source) = plan_receive(&state.keys, msg.iteration)?;
    let (iv, mut key) = group_keys(&seed);
    seed.zeroize();
    let plaintext = cbc_decrypt(&key, &iv, msg.ciphertext);
    key.zeroize();
    let plaintext = plaintext?;
    apply_receive(&mut state.keys, source);
    Ok(plaintext)
}
