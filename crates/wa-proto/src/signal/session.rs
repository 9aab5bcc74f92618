//! Session state and the per-peer [`SessionRecord`].
//!
//! A record holds the current session state plus up to
//! [`MAX_PREVIOUS_STATES`] archived ones (most recent first), as libsignal
//! keeps them: a new session (our new bundle, or a peer's new `pkmsg`)
//! archives the current one, and decryption tries the current state first,
//! then the archived ones. We always send on the current (newest) state.
//!
//! Each state carries the root key, our current ratchet key pair with its
//! sending chain, receiving chains (newest first, bounded by
//! [`MAX_RECEIVER_CHAINS`]) with their skipped keys, and the pending prekey while we (the
//! initiator) have not yet heard back.
//!
//! Decryption is *plan, then commit*: `SessionState::try_decrypt` computes
//! keys, checks the MAC and decrypts without mutating anything, and
//! `SessionState::commit` applies the result. A message that fails leaves
//! the state untouched.

use std::collections::VecDeque;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::keys::{KeyPair, PublicKey};
use crate::signal::crypto::{HmacKey, cbc_decrypt};
use crate::signal::message::{MAC_LEN, SignalMessage};
use crate::signal::ratchet::{
    ChainKey, KeyChain, KeySource, MessageKeys, apply_receive, close_chain, kdf_root, plan_receive,
};
use crate::{Error, Result};

/// Most archived session states a record keeps (libsignal's limit).
pub const MAX_PREVIOUS_STATES: usize = 40;

/// Receiving chains a state always keeps (the newest ones).
pub const MIN_RECEIVER_CHAINS: usize = 10;

/// Most receiving chains a state keeps: beyond [`MIN_RECEIVER_CHAINS`], an
/// older chain is kept only while it still holds skipped keys (messages
/// that may yet arrive late).
pub const MAX_RECEIVER_CHAINS: usize = 32;

/// The prekey ids and base key the initiator repeats in every `pkmsg` until
/// the responder first replies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PendingPreKey {
    pub(crate) pre_key_id: Option<u32>,
    pub(crate) signed_pre_key_id: u32,
    pub(crate) base_key: PublicKey,
}

/// A receiving chain, keyed by the sender's ratchet public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReceiverChain {
    pub(crate) ratchet_key: PublicKey,
    pub(crate) keys: KeyChain,
}

/// One Double Ratchet session with one peer device.
#[derive(Clone)]
pub(crate) struct SessionState {
    pub(crate) remote_identity: PublicKey,
    pub(crate) remote_registration_id: u32,
    /// The initiator's base key: identifies the session.
    pub(crate) base_key: PublicKey,
    /// Whether we initiated (the base key is ours).
    pub(crate) initiator: bool,
    pub(crate) root_key: [u8; 32],
    /// Our current ratchet key pair.
    pub(crate) our_ratchet: KeyPair,
    /// The sending chain of `our_ratchet` (`None` only transiently, for a
    /// responder state before its first message is decrypted).
    pub(crate) sending: Option<ChainKey>,
    pub(crate) previous_counter: u32,
    /// Newest first.
    pub(crate) receivers: VecDeque<ReceiverChain>,
    pub(crate) pending_pre_key: Option<PendingPreKey>,
}

impl Drop for SessionState {
    fn drop(&mut self) {
        self.root_key.zeroize();
    }
}

impl std::fmt::Debug for SessionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionState")
            .field("remote_identity", &self.remote_identity)
            .field("base_key", &self.base_key)
            .field("initiator", &self.initiator)
            .field("sending", &self.sending)
            .field("receivers", &self.receivers.len())
            .field("pending_pre_key", &self.pending_pre_key)
            .finish_non_exhaustive()
    }
}

/// How a verified message changes its state.
#[derive(Debug)]
pub(crate) enum Plan {
    /// The message is on a known receiving chain.
    Existing { chain: usize, source: KeySource },
    /// The message starts a new receiving chain (a DH ratchet step).
    Step {
        their_ratchet: PublicKey,
        /// Root key after the receiving half of the step.
        root_key: [u8; 32],
        source: KeySource,
        /// The sender's previous counter: keys of our newest receiving chain
        /// up to it are kept before that chain closes.
        previous_counter: u32,
    },
}

impl SessionState {
    /// Drops old receiving chains: see [`MAX_RECEIVER_CHAINS`].
    fn trim_receivers(&mut self) {
        let mut i = 0;
        self.receivers.retain(|c| {
            i += 1;
            i <= MIN_RECEIVER_CHAINS || !c.keys.skipped.is_empty()
        });
        self.receivers.truncate(MAX_RECEIVER_CHAINS);
    }

    /// Decrypts `msg` without changing the state: returns the plaintext and
    /// the plan that `SessionState::commit` applies.
    pub(crate) fn try_decrypt(
        &self,
        msg: &SignalMessage<'_>,
        our_identity: &PublicKey,
    ) -> Result<(Plan, Vec<u8>)> {
        let found = self
            .receivers
            .iter()
            .enumerate()
            .find(|(_, c)| c.ratchet_key == msg.ratchet_key);
        let (mut seed, plan) = match found {
            Some((i, chain)) => {
                let (seed, source) = plan_receive(&chain.keys, msg.counter)?;
                (seed, Plan::Existing { chain: i, source })
            }
            None => {
                let mut dh = self.our_ratchet.agree(&msg.ratchet_key);
                let (root_key, chain_key) = kdf_root(&self.root_key, &dh);
                dh.zeroize();
                let fresh = KeyChain {
                    chain: Some(ChainKey::new(chain_key, 0)),
                    skipped: VecDeque::new(),
                };
                let (seed, source) = plan_receive(&fresh, msg.counter)?;
                let plan = Plan::Step {
                    their_ratchet: msg.ratchet_key,
                    root_key,
                    source,
                    previous_counter: msg.previous_counter,
                };
                (seed, plan)
            }
        };
        let keys = MessageKeys::derive(&seed);
        seed.zeroize();
        let mac = HmacKey::new(&keys.mac_key).mac(&[
            &self.remote_identity.serialize(),
            &our_identity.serialize(),
            msg.signed,
        ]);
        if !bool::from(mac[..MAC_LEN].ct_eq(msg.mac)) {
            return Err(Error::BadMac);
        }
        let plaintext = cbc_decrypt(&keys.cipher_key, &keys.iv, msg.ciphertext)?;
        Ok((plan, plaintext))
    }

    /// Applies a plan from `SessionState::try_decrypt`.
    pub(crate) fn commit<R: CryptoRng + ?Sized>(&mut self, plan: Plan, rng: &mut R) {
        match plan {
            Plan::Existing { chain, source } => {
                if let Some(c) = self.receivers.get_mut(chain) {
                    apply_receive(&mut c.keys, source);
                }
            }
            Plan::Step {
                their_ratchet,
                mut root_key,
                source,
                previous_counter,
            } => {
                if let Some(newest) = self.receivers.front_mut() {
                    close_chain(&mut newest.keys, previous_counter);
                }
                let mut keys = KeyChain::default();
                apply_receive(&mut keys, source);
                self.receivers.push_front(ReceiverChain {
                    ratchet_key: their_ratchet,
                    keys,
                });
                self.trim_receivers();
                // Sending half of the step: a fresh ratchet key pair.
                let ours = KeyPair::generate(rng);
                let mut dh = ours.agree(&their_ratchet);
                let (root, send) = kdf_root(&root_key, &dh);
                dh.zeroize();
                root_key.zeroize();
                self.previous_counter = self
                    .sending
                    .as_ref()
                    .map_or(0, |c| c.index.saturating_sub(1));
                self.sending = Some(ChainKey::new(send, 0));
                self.our_ratchet = ours;
                self.root_key = root;
            }
        }
        // Any reply proves the peer has the session: stop sending pkmsg.
        self.pending_pre_key = None;
    }
}

/// Everything we keep about the sessions with one peer device (one
/// [`super::ProtocolAddress`]). Persist it with [`SessionRecord::to_bytes`].
#[derive(Clone, Debug, Default)]
pub struct SessionRecord {
    pub(crate) current: Option<SessionState>,
    /// Most recent first.
    pub(crate) previous: VecDeque<SessionState>,
}

impl SessionRecord {
    /// An empty record (no session yet).
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the record holds no session state at all.
    pub fn is_empty(&self) -> bool {
        self.current.is_none() && self.previous.is_empty()
    }

    /// Whether there is a current session we can encrypt with.
    pub fn has_current_session(&self) -> bool {
        self.current.as_ref().is_some_and(|s| s.sending.is_some())
    }

    /// The identity key of the peer in the current session.
    pub fn remote_identity(&self) -> Option<&PublicKey> {
        self.current.as_ref().map(|s| &s.remote_identity)
    }

    /// The peer's registration id in the current session.
    pub fn remote_registration_id(&self) -> Option<u32> {
        self.current.as_ref().map(|s| s.remote_registration_id)
    }

    /// Whether our next message will still be a `pkmsg` (we initiated and
    /// have not heard back yet).
    pub fn has_pending_pre_key(&self) -> bool {
        self.current
            .as_ref()
            .is_some_and(|s| s.pending_pre_key.is_some())
    }

    /// Number of archived states.
    pub fn previous_count(&self) -> usize {
        self.previous.len()
    }

    /// Whether any state (current or archived) was set up by the peer's
    /// `pkmsg` with this base key.
    pub fn has_session_with_base_key(&self, base_key: &PublicKey) -> bool {
        self.find_their_base_key(base_key).is_some()
    }

    /// `Some(None)` for the current state, `Some(Some(i))` for archived `i`.
    pub(crate) fn find_their_base_key(&self, base_key: &PublicKey) -> Option<Option<usize>> {
        let hit = |s: &SessionState| !s.initiator && s.base_key == *base_key;
        if self.current.as_ref().is_some_and(hit) {
            return Some(None);
        }
        self.previous.iter().position(hit).map(Some)
    }

    /// Makes `state` current, archiving the previous current state.
    pub(crate) fn promote(&mut self, state: SessionState) {
        if let Some(old) = self.current.replace(state) {
            self.previous.push_front(old);
            self.previous.truncate(MAX_PREVIOUS_STATES);
        }
    }

    /// Archives the current state (e.g. after the peer's identity changed);
    /// the next message needs a new session.
    pub fn archive_current(&mut self) {
        if let Some(old) = self.current.take() {
            self.previous.push_front(old);
            self.previous.truncate(MAX_PREVIOUS_STATES);
        }
    }
}
