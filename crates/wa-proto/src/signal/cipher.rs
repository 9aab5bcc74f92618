//! Pairwise session operations as pure functions over a [`SessionRecord`]:
//!
//! * [`process_prekey_bundle`]: X3DH as initiator; the record's new current
//!   state sends `pkmsg` until the peer replies;
//! * [`encrypt`]: one message on the current sending chain;
//! * [`decrypt`]: a `msg`, trying the current then the archived states;
//! * [`decrypt_prekey`]: a `pkmsg`, creating the responder state (X3DH) when
//!   its base key is new.
//!
//! Nothing here touches storage: the caller loads the record (and, for a
//! `pkmsg`, the prekeys it names), calls one function, and persists the
//! record if the call succeeded. **A failed call leaves the record exactly as
//! it was**, so a bad or replayed message never corrupts a session.

use std::collections::VecDeque;

use rand_core::CryptoRng;

use crate::keys::{KeyPair, PublicKey};
use crate::signal::crypto::{HmacKey, cbc_encrypt_into, cbc_len};
use crate::signal::message::{
    CiphertextMessage, MAC_LEN, MessageType, PreKeyHeader, PreKeySignalMessage, SignalMessage,
    encode_prekey_message, write_signal_header,
};
use crate::signal::prekey::{LocalIdentity, PreKeyBundle, ResponderKeys};
use crate::signal::ratchet::{ChainKey, MessageKeys, kdf_root};
use crate::signal::session::{PendingPreKey, SessionRecord, SessionState};
use crate::signal::x3dh;
use crate::{Error, Result};

fn check_identity(known: Option<&PublicKey>, actual: &PublicKey) -> Result<()> {
    match known {
        Some(k) if k != actual => Err(Error::UntrustedIdentity),
        _ => Ok(()),
    }
}

/// Starts a session with a peer device from its prekey bundle (X3DH as
/// initiator). The new state becomes current (an existing one is archived);
/// messages encrypted with it are `pkmsg` until the peer's first reply.
///
/// `known_identity` is the identity key we have on file for this peer, if
/// any; a bundle with another identity fails with
/// [`Error::UntrustedIdentity`]. A bad signed-prekey signature fails with
/// [`Error::InvalidSignature`]. On error the record is unchanged.
pub fn process_prekey_bundle<R: CryptoRng + ?Sized>(
    record: &mut SessionRecord,
    local: &LocalIdentity,
    known_identity: Option<&PublicKey>,
    bundle: &PreKeyBundle,
    rng: &mut R,
) -> Result<()> {
    check_identity(known_identity, &bundle.identity_key)?;
    bundle.verify()?;
    let base = KeyPair::generate(rng);
    let root0 = x3dh::initiator_root(
        &local.key_pair,
        &base,
        &bundle.identity_key,
        &bundle.signed_pre_key,
        bundle.pre_key.as_ref().map(|(_, k)| k),
    );
    // First sending chain: a ratchet step against their signed prekey.
    let ratchet = KeyPair::generate(rng);
    let (root_key, send) = kdf_root(&root0, &ratchet.agree(&bundle.signed_pre_key));
    let state = SessionState {
        remote_identity: bundle.identity_key,
        remote_registration_id: bundle.registration_id,
        base_key: base.public,
        initiator: true,
        root_key,
        our_ratchet: ratchet,
        sending: Some(ChainKey::new(send, 0)),
        previous_counter: 0,
        receivers: VecDeque::new(),
        pending_pre_key: Some(PendingPreKey {
            pre_key_id: bundle.pre_key.as_ref().map(|(id, _)| *id),
            signed_pre_key_id: bundle.signed_pre_key_id,
            base_key: base.public,
        }),
    };
    record.promote(state);
    Ok(())
}

/// Encrypts `plaintext` (already padded, see [`super::padding`]) for the
/// peer of `record`'s current session. Fails with [`Error::NoSession`] when
/// there is none; on error the record is unchanged.
pub fn encrypt(
    record: &mut SessionRecord,
    local: &LocalIdentity,
    plaintext: &[u8],
) -> Result<CiphertextMessage> {
    let state = record.current.as_mut().ok_or(Error::NoSession)?;
    let chain = state.sending.as_ref().ok_or(Error::NoSession)?;
    let (seed, next) = chain.step()?;
    let keys = MessageKeys::derive(&seed);
    let ct_len = cbc_len(plaintext.len());
    let mut msg = Vec::new();
    write_signal_header(
        &mut msg,
        &state.our_ratchet.public,
        chain.index,
        state.previous_counter,
        ct_len,
    );
    cbc_encrypt_into(&keys.cipher_key, &keys.iv, plaintext, &mut msg);
    let mac = HmacKey::new(&keys.mac_key).mac(&[
        &local.public().serialize(),
        &state.remote_identity.serialize(),
        &msg,
    ]);
    msg.extend_from_slice(&mac[..MAC_LEN]);
    state.sending = Some(next);
    Ok(match &state.pending_pre_key {
        None => CiphertextMessage {
            kind: MessageType::Whisper,
            bytes: msg,
        },
        Some(p) => CiphertextMessage {
            kind: MessageType::PreKey,
            bytes: encode_prekey_message(
                &PreKeyHeader {
                    registration_id: local.registration_id,
                    pre_key_id: p.pre_key_id,
                    signed_pre_key_id: p.signed_pre_key_id,
                    base_key: &p.base_key,
                    identity_key: local.public(),
                },
                &msg,
            ),
        },
    })
}

/// Decrypts a serialized `msg`. See [`decrypt_message`].
pub fn decrypt<R: CryptoRng + ?Sized>(
    record: &mut SessionRecord,
    local: &LocalIdentity,
    known_identity: Option<&PublicKey>,
    message: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>> {
    let msg = SignalMessage::parse(message)?;
    decrypt_message(record, local, known_identity, &msg, rng)
}

/// Decrypts a parsed `msg` with the current state, else with an archived
/// state.
///
/// An archived state that decrypts a message stays archived: we keep
/// sending on the newest session, as libsignal-node does. (Java libsignal
/// would promote it; but a libsignal-node peer that receives messages of an
/// older session after a newer one runs every message through the newer
/// session first and keeps the ratchet step that failure made, breaking its
/// newer session. Staying on the newest session never sends it old-session
/// messages, and any peer decrypts newest-session messages.)
///
/// Errors: [`Error::NoSession`] for an empty record;
/// [`Error::DuplicateMessage`] when a state owns the message's chain but
/// its key was already used; [`Error::UntrustedIdentity`] when the session's
/// peer identity differs from `known_identity`; otherwise the current state's
/// failure (typically [`Error::BadMac`]). On error the record is unchanged.
pub fn decrypt_message<R: CryptoRng + ?Sized>(
    record: &mut SessionRecord,
    local: &LocalIdentity,
    known_identity: Option<&PublicKey>,
    msg: &SignalMessage<'_>,
    rng: &mut R,
) -> Result<Vec<u8>> {
    let mut first_err = None;
    if let Some(state) = record.current.as_mut() {
        match state.try_decrypt(msg, local.public()) {
            Ok((plan, plaintext)) => {
                check_identity(known_identity, &state.remote_identity)?;
                state.commit(plan, rng);
                return Ok(plaintext);
            }
            Err(e @ Error::DuplicateMessage(_)) => return Err(e),
            Err(e) => first_err = Some(e),
        }
    }
    for i in 0..record.previous.len() {
        let Some(state) = record.previous.get(i) else {
            break;
        };
        match state.try_decrypt(msg, local.public()) {
            Ok((plan, plaintext)) => {
                check_identity(known_identity, &state.remote_identity)?;
                if let Some(state) = record.previous.get_mut(i) {
                    state.commit(plan, rng);
                }
                return Ok(plaintext);
            }
            Err(e @ Error::DuplicateMessage(_)) => return Err(e),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    Err(first_err.unwrap_or(Error::NoSession))
}

/// What decrypting a `pkmsg` produced.
#[derive(Clone, PartialEq, Eq)]
pub struct PreKeyDecrypted {
    /// The (still padded) plaintext.
    pub plaintext: Vec<u8>,
    /// The sender's identity key: save it if it was not on file.
    pub remote_identity: PublicKey,
    /// The sender's registration id.
    pub remote_registration_id: u32,
    /// The one-time prekey this message consumed: delete it from the store.
    /// `None` when the message used none or its session already existed.
    pub used_pre_key_id: Option<u32>,
    /// Whether this message created a new session state.
    pub new_session: bool,
}

impl std::fmt::Debug for PreKeyDecrypted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreKeyDecrypted")
            .field("len", &self.plaintext.len())
            .field("remote_identity", &self.remote_identity)
            .field("used_pre_key_id", &self.used_pre_key_id)
            .field("new_session", &self.new_session)
            .finish_non_exhaustive()
    }
}

/// Decrypts a serialized `pkmsg`. See [`decrypt_prekey_message`].
pub fn decrypt_prekey<R: CryptoRng + ?Sized>(
    record: &mut SessionRecord,
    local: &LocalIdentity,
    known_identity: Option<&PublicKey>,
    message: &[u8],
    keys: ResponderKeys<'_>,
    rng: &mut R,
) -> Result<PreKeyDecrypted> {
    let msg = PreKeySignalMessage::parse(message)?;
    decrypt_prekey_message(record, local, known_identity, &msg, keys, rng)
}

/// Decrypts a parsed `pkmsg` (parse first to learn which prekeys to load:
/// `msg.signed_pre_key_id` and `msg.pre_key_id`).
///
/// If a state with the message's base key exists (the initiator repeats
/// `pkmsg` until we reply), the embedded message is decrypted with it and no
/// prekey is needed. Otherwise a responder state is built by X3DH from
/// `keys`, and becomes current once the embedded message authenticates (the
/// old current state is archived).
///
/// Errors: [`Error::UntrustedIdentity`] if the sender's identity differs from
/// `known_identity`; [`Error::InvalidSignedPreKeyId`] /
/// [`Error::InvalidPreKeyId`] when the named prekeys were not supplied;
/// otherwise as [`decrypt_message`]. On error the record is unchanged.
pub fn decrypt_prekey_message<R: CryptoRng + ?Sized>(
    record: &mut SessionRecord,
    local: &LocalIdentity,
    known_identity: Option<&PublicKey>,
    msg: &PreKeySignalMessage<'_>,
    keys: ResponderKeys<'_>,
    rng: &mut R,
) -> Result<PreKeyDecrypted> {
    check_identity(known_identity, &msg.identity_key)?;
    let done = |plaintext, state: &SessionState, used, new_session| PreKeyDecrypted {
        plaintext,
        remote_identity: state.remote_identity,
        remote_registration_id: state.remote_registration_id,
        used_pre_key_id: used,
        new_session,
    };
    if let Some(slot) = record.find_their_base_key(&msg.base_key) {
        let state = match slot {
            None => record.current.as_ref(),
            Some(i) => record.previous.get(i),
        }
        .ok_or(Error::NoSession)?;
        let (plan, plaintext) = state.try_decrypt(&msg.message, local.public())?;
        let state = match slot {
            None => record.current.as_mut(),
            Some(i) => record.previous.get_mut(i),
        }
        .ok_or(Error::NoSession)?;
        state.commit(plan, rng);
        return Ok(done(plaintext, state, None, false));
    }
    let signed = keys
        .signed_pre_key
        .filter(|k| k.id == msg.signed_pre_key_id)
        .ok_or(Error::InvalidSignedPreKeyId(msg.signed_pre_key_id))?;
    let one_time = match msg.pre_key_id {
        Some(id) => Some(
            keys.one_time_pre_key
                .filter(|k| k.id == id)
                .ok_or(Error::InvalidPreKeyId(id))?,
        ),
        None => None,
    };
    let root_key = x3dh::responder_root(
        &local.key_pair,
        &signed.key_pair,
        one_time.map(|k| &k.key_pair),
        &msg.identity_key,
        &msg.base_key,
    );
    let mut state = SessionState {
        remote_identity: msg.identity_key,
        remote_registration_id: msg.registration_id,
        base_key: msg.base_key,
        initiator: false,
        root_key,
        our_ratchet: signed.key_pair.clone(),
        sending: None,
        previous_counter: 0,
        receivers: VecDeque::new(),
        pending_pre_key: None,
    };
    let (plan, plaintext) = state.try_decrypt(&msg.message, local.public())?;
    state.commit(plan, rng);
    let out = done(plaintext, &state, msg.pre_key_id, true);
    record.promote(state);
    Ok(out)
}
