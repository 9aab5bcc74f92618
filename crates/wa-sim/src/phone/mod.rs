//! Virtual phones: the primary device (device 0) of every account, run by
//! the simulator with `wa_proto::signal`.
//!
//! A phone holds a real Signal identity: it publishes a bundle like any
//! device (one-time prekeys are handed out by key fetches and replenished),
//! decrypts what companions send it, records an inbox, sends delivery
//! receipts and can send texts itself.
//!
//! | module | owns |
//! |---|---|
//! | this file | [`Phone`]: keys, prekeys, Signal sessions, inbox |
//! | [`inbox`] | classifying a decrypted `Message` into an [`InboxEntry`] |
//! | [`receive`] | decrypting `<enc>` nodes addressed to the phone |
//! | [`send`] | the phone sending a message: bundles, encryption, fan-out |
//! | [`media`] | downloading/decrypting received attachments, encrypting and storing sent images |
//! | [`bootstrap`] | what the phone sends a freshly linked companion |
//! | [`group`] | sender keys: group and broadcast messages both ways |
//! | [`history`] | history-sync chunks sent as encrypted blobs |

pub mod bootstrap;
pub mod group;
pub mod history;
pub mod inbox;
pub mod media;
pub mod receive;
pub mod send;

use std::collections::{BTreeMap, VecDeque};

use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use wa_proto::keys::KeyPair;
use wa_proto::signal::{LocalIdentity, PreKey, SessionRecord, SignedPreKey};

pub use inbox::InboxEntry;

use crate::persist::codec;
use crate::world::account::{DeviceKeys, HexKey, SignedKeyPub};
use crate::world::conns::Addr;

/// One-time prekeys a phone publishes at creation and refills to.
pub const PREKEY_STOCK: usize = 40;
/// When fewer published prekeys remain, the phone refills its stock.
pub const PREKEY_LOW: usize = 10;
/// Sent messages kept for answering retry receipts.
const RECENT_SENT: usize = 64;

/// A key pair in a serializable wrapper.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct HexKeyPair(#[serde(with = "codec::keypair")] KeyPair);

/// A session record in a serializable wrapper.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct SessionBox(#[serde(with = "codec::session")] SessionRecord);

/// A message the phone sent, kept to answer retry receipts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SentMessage {
    /// Message id.
    pub id: String,
    /// The chat (recipient user JID as addressed).
    pub chat: String,
    /// The stanza `type` attribute.
    pub stanza_type: String,
    /// The encoded `Message` (unpadded).
    #[serde(with = "codec::bytes")]
    pub plaintext: Vec<u8>,
}

/// The state of one virtual phone.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Phone {
    #[serde(with = "codec::keypair")]
    identity: KeyPair,
    #[serde(with = "codec::keypair")]
    signed_key: KeyPair,
    public: DeviceKeys,
    prekeys: BTreeMap<u32, HexKeyPair>,
    next_prekey_id: u32,
    sessions: BTreeMap<String, SessionBox>,
    inbox: Vec<InboxEntry>,
    recent: VecDeque<SentMessage>,
    /// Sender keys (groups and broadcast lists).
    #[serde(default)]
    pub(crate) groups: group::GroupKeys,
    /// `sender|id` of every message in the inbox: a message delivered
    /// again (the sender re-sent it not knowing it arrived) is recognised
    /// by its id, acknowledged and not recorded twice, as real clients do.
    #[serde(default)]
    seen: std::collections::HashSet<String>,
    /// Receipts other accounts sent for the phone's 1:1 messages.
    #[serde(default)]
    receipts: Vec<PhoneReceipt>,
}

/// A receipt the phone got for messages it sent (kept for tests and the
/// control API; only the newest few are kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneReceipt {
    /// The reader's user JID.
    pub from: String,
    /// `read`, `played` or empty (delivery).
    pub kind: String,
    /// The message ids (`id` and every `<list><item id>`).
    pub ids: Vec<String>,
}

impl Phone {
    /// A phone with a fresh identity, signed prekey and prekey stock.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Phone {
        let local = LocalIdentity::generate(rng);
        let signed = SignedPreKey::generate(&local.key_pair, 1, rng);
        let mut phone = Phone {
            public: DeviceKeys {
                registration_id: local.registration_id,
                identity: local.key_pair.public,
                signed: SignedKeyPub {
                    id: signed.id,
                    key: signed.key_pair.public,
                    signature: signed.signature,
                },
                prekeys: BTreeMap::new(),
            },
            identity: local.key_pair,
            signed_key: signed.key_pair,
            prekeys: BTreeMap::new(),
            next_prekey_id: 1,
            sessions: BTreeMap::new(),
            inbox: Vec::new(),
            recent: VecDeque::new(),
            groups: group::GroupKeys::default(),
            receipts: Vec::new(),
            seen: std::collections::HashSet::new(),
        };
        phone.refill_prekeys(rng);
        phone
    }

    /// The identity key pair (also the ADV account key).
    pub fn identity(&self) -> &KeyPair {
        &self.identity
    }

    /// The published keys.
    pub fn public_keys(&self) -> &DeviceKeys {
        &self.public
    }

    /// The published keys, mutably (key fetches take prekeys out).
    pub fn public_keys_mut(&mut self) -> &mut DeviceKeys {
        &mut self.public
    }

    /// Publishes new one-time prekeys when the stock ran low.
    pub fn refill_prekeys<R: CryptoRng + ?Sized>(&mut self, rng: &mut R) {
        if self.public.prekeys.len() >= PREKEY_LOW {
            return;
        }
        while self.public.prekeys.len() < PREKEY_STOCK {
            let key = PreKey::generate(self.next_prekey_id, rng);
            self.next_prekey_id = (self.next_prekey_id % 0x00ff_fffe) + 1;
            self.public
                .prekeys
                .insert(key.id, HexKey(key.key_pair.public));
            self.prekeys.insert(key.id, HexKeyPair(key.key_pair));
        }
    }

    /// The Signal identity for the pure cipher functions.
    pub(crate) fn local(&self) -> LocalIdentity {
        LocalIdentity {
            key_pair: self.identity.clone(),
            registration_id: self.public.registration_id,
        }
    }

    /// The signed prekey with its private half.
    pub(crate) fn signed_prekey(&self) -> SignedPreKey {
        SignedPreKey {
            id: self.public.signed.id,
            key_pair: self.signed_key.clone(),
            signature: self.public.signed.signature,
        }
    }

    /// One-time prekey `id` with its private half, if still unused.
    pub(crate) fn prekey(&self, id: u32) -> Option<PreKey> {
        self.prekeys.get(&id).map(|k| PreKey {
            id,
            key_pair: k.0.clone(),
        })
    }

    /// Forgets one-time prekey `id` after a `pkmsg` consumed it.
    pub(crate) fn consume_prekey(&mut self, id: u32) {
        self.prekeys.remove(&id);
        self.public.prekeys.remove(&id);
    }

    /// The session with a peer device, created empty if absent.
    pub(crate) fn session_mut(&mut self, peer: &Addr) -> &mut SessionRecord {
        &mut self.sessions.entry(session_key(peer)).or_default().0
    }

    /// Whether a session with the peer device exists.
    pub(crate) fn has_session(&self, peer: &Addr) -> bool {
        self.sessions
            .get(&session_key(peer))
            .is_some_and(|s| s.0.has_current_session())
    }

    /// Drops the session with a peer device (before a forced re-key).
    pub(crate) fn drop_session(&mut self, peer: &Addr) {
        self.sessions.remove(&session_key(peer));
    }

    /// Receipts for the phone's messages, oldest first.
    pub fn receipts(&self) -> &[PhoneReceipt] {
        &self.receipts
    }

    /// Records a receipt for the phone's messages.
    pub(crate) fn record_receipt(&mut self, r: PhoneReceipt) {
        if self.receipts.len() >= RECENT_SENT {
            self.receipts.remove(0);
        }
        self.receipts.push(r);
    }

    /// Everything the phone received and decrypted, oldest first.
    pub fn inbox(&self) -> &[InboxEntry] {
        &self.inbox
    }

    /// The chats the phone knows (from its inbox and recent sends), for the
    /// history sync it gives new companions: without them, companions drop
    /// app-state updates (archive, pin, mute) for chats they never saw.
    pub fn conversations(&self) -> Vec<wa_proto::proto::wa::Conversation> {
        let mut chats: BTreeMap<String, u64> = BTreeMap::new();
        for e in &self.inbox {
            let t = chats.entry(e.chat.clone()).or_default();
            *t = (*t).max(e.timestamp);
        }
        for m in &self.recent {
            chats.entry(m.chat.clone()).or_default();
        }
        chats
            .into_iter()
            .map(|(id, t)| wa_proto::proto::wa::Conversation {
                id: Some(id),
                conversation_timestamp: (t > 0).then_some(t),
                unread_count: Some(0),
                ..Default::default()
            })
            .collect()
    }

    /// Appends to the inbox.
    pub(crate) fn record(&mut self, entry: InboxEntry) {
        self.seen.insert(format!("{}|{}", entry.from, entry.id));
        self.inbox.push(entry);
    }

    /// Forgets every pairwise Signal session, as a reinstalled app would:
    /// the next message on an old session fails to decrypt and gets a retry
    /// receipt (a testing hook).
    pub fn reset_sessions(&mut self) {
        self.sessions.clear();
    }

    /// Records that message `id` from `from` was processed without an
    /// inbox entry (our own devices' copies).
    pub(crate) fn mark_seen(&mut self, from: &str, id: &str) {
        self.seen.insert(format!("{from}|{id}"));
    }

    /// Whether the inbox already holds message `id` from `from` (a
    /// phone-number user JID text).
    pub(crate) fn already_received(&self, from: &str, id: &str) -> bool {
        self.seen.contains(&format!("{from}|{id}"))
    }

    /// Remembers a sent message for retries.
    pub(crate) fn remember_sent(&mut self, sent: SentMessage) {
        if self.recent.len() >= RECENT_SENT {
            self.recent.pop_front();
        }
        self.recent.push_back(sent);
    }

    /// A recently sent message by id.
    pub(crate) fn sent(&self, id: &str) -> Option<&SentMessage> {
        self.recent.iter().rev().find(|m| m.id == id)
    }
}

/// Sessions are keyed by the peer's phone-number user and device, whatever
/// namespace (PN or LID) a stanza used.
fn session_key(peer: &Addr) -> String {
    format!("{}.{}", peer.phone, peer.device)
}
