//! The values the store keeps, as every backend sees them: device
//! credentials, app-state keys and versions, contacts, chats, labels,
//! messages, outbox entries and the small enums they use.
//!
//! Signal records (`SessionRecord`, `SenderKeyRecord`), prekeys and JIDs are
//! `wa_proto` types and are used as they are.

use std::fmt;

use wa_proto::appstate::LtHash;
use wa_proto::jid::Jid;
use wa_proto::keys::KeyPair;
use wa_proto::signal::LocalIdentity;

/// One registered session of the gateway (one linked device, paired or not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// The caller-chosen session id.
    pub id: String,
    /// When the session was created (unix milliseconds, store clock).
    pub created_at_ms: i64,
    /// The device JID once paired (from the stored credentials).
    pub jid: Option<Jid>,
}

/// What a linked companion device must keep to log in again: the keys it
/// generated before pairing and what pairing told it.
///
/// The current signed prekey is stored separately
/// ([`crate::store::WriteBatch::put_signed_prekey`]).
#[derive(Clone)]
pub struct DeviceCredentials {
    /// The Noise static key pair (the device's transport identity).
    pub noise_key: KeyPair,
    /// The Signal identity key pair and registration id.
    pub identity: LocalIdentity,
    /// The ADV secret (HMAC key of the `pair-success` device identity).
    pub adv_secret_key: [u8; 32],
    /// Our device JID (`user:device@s.whatsapp.net`) once paired.
    pub jid: Option<Jid>,
    /// Our LID (`user:device@lid`) once known.
    pub lid: Option<Jid>,
    /// The signed device identity (`ADVSignedDeviceIdentity` protobuf bytes,
    /// account signature included) from `pair-success`.
    pub account: Option<Vec<u8>>,
    /// Platform string reported at pairing.
    pub platform: String,
    /// Our push (display) name.
    pub push_name: String,
    /// Our business name, if any.
    pub business_name: String,
}

impl fmt::Debug for DeviceCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceCredentials")
            .field("noise_public", &self.noise_key.public)
            .field("identity_public", &self.identity.key_pair.public)
            .field("registration_id", &self.identity.registration_id)
            .field("jid", &self.jid)
            .field("lid", &self.lid)
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

/// An app-state sync key (`AppStateSyncKeyShare` entry).
#[derive(Clone, PartialEq, Eq)]
pub struct AppStateSyncKey {
    /// The key id (opaque bytes).
    pub key_id: Vec<u8>,
    /// The 32-byte key data mutation keys are expanded from.
    pub key_data: Vec<u8>,
    /// The `AppStateSyncKeyFingerprint` protobuf bytes.
    pub fingerprint: Vec<u8>,
    /// The key's timestamp (as sent by the phone).
    pub timestamp: i64,
}

impl fmt::Debug for AppStateSyncKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppStateSyncKey")
            .field("key_id", &self.key_id)
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

/// The state of one app-state collection (`regular`, `critical_block`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppStateVersion {
    /// The last applied patch version.
    pub version: u64,
    /// The LTHash of the collection at that version.
    pub hash: LtHash,
}

/// One live value of an app-state collection: its index MAC and value MAC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MutationMac {
    /// HMAC of the index JSON.
    pub index_mac: Vec<u8>,
    /// The value MAC (needed to subtract the value from the LTHash later).
    pub value_mac: Vec<u8>,
}

/// A contact as the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// The contact's JID (user JID, no device).
    pub jid: Jid,
    /// First name from the address book.
    pub first_name: Option<String>,
    /// Full name from the address book.
    pub full_name: Option<String>,
    /// The name the contact chose (push name).
    pub push_name: Option<String>,
    /// Verified business name.
    pub business_name: Option<String>,
}

/// A change to one contact: `None` leaves a field as it is, `Some(None)`
/// clears it. Applying a patch to an unknown contact creates it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactPatch {
    /// Which contact.
    pub jid: Jid,
    /// New first name.
    pub first_name: Option<Option<String>>,
    /// New full name.
    pub full_name: Option<Option<String>>,
    /// New push name.
    pub push_name: Option<Option<String>>,
    /// New business name.
    pub business_name: Option<Option<String>>,
}

impl ContactPatch {
    /// A patch changing nothing yet.
    pub fn new(jid: Jid) -> Self {
        Self {
            jid,
            first_name: None,
            full_name: None,
            push_name: None,
            business_name: None,
        }
    }

    /// Sets the address-book names.
    #[must_use]
    pub fn names(mut self, first: Option<String>, full: Option<String>) -> Self {
        self.first_name = Some(first);
        self.full_name = Some(full);
        self
    }

    /// Sets the push name.
    #[must_use]
    pub fn push_name(mut self, name: Option<String>) -> Self {
        self.push_name = Some(name);
        self
    }

    /// Sets the business name.
    #[must_use]
    pub fn business_name(mut self, name: Option<String>) -> Self {
        self.business_name = Some(name);
        self
    }
}

/// A chat as the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chat {
    /// The chat JID (user or group).
    pub jid: Jid,
    /// Display name (group subject, or contact name at the time).
    pub name: Option<String>,
    /// Archived.
    pub archived: bool,
    /// Pinned.
    pub pinned: bool,
    /// Muted until this unix time (seconds); `Some(-1)` means forever.
    pub muted_until: Option<i64>,
    /// Unread message count; `-1` means "marked as unread" as WhatsApp does.
    pub unread_count: i32,
    /// Timestamp of the newest message (unix seconds).
    pub last_message_ts: Option<i64>,
    /// Label ids attached to the chat, sorted.
    pub labels: Vec<String>,
}

/// How a [`ChatPatch`] changes the unread count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnreadUpdate {
    /// Set it (0 = read, -1 = marked unread).
    Set(i32),
    /// Add one (an incoming message); a "marked unread" `-1` becomes 1.
    Increment,
}

/// A change to one chat: `None` leaves a field as it is. Applying a patch to
/// an unknown chat creates it with defaults for the other fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatPatch {
    /// Which chat.
    pub jid: Jid,
    /// New name (`Some(None)` clears).
    pub name: Option<Option<String>>,
    /// New archived flag.
    pub archived: Option<bool>,
    /// New pinned flag.
    pub pinned: Option<bool>,
    /// New mute end (`Some(None)` unmutes).
    pub muted_until: Option<Option<i64>>,
    /// Unread count change.
    pub unread: Option<UnreadUpdate>,
    /// A message timestamp: the stored value becomes the maximum of the two.
    pub last_message_ts: Option<i64>,
}

impl ChatPatch {
    /// A patch changing nothing yet.
    pub fn new(jid: Jid) -> Self {
        Self {
            jid,
            name: None,
            archived: None,
            pinned: None,
            muted_until: None,
            unread: None,
            last_message_ts: None,
        }
    }

    /// Sets the name.
    #[must_use]
    pub fn name(mut self, name: Option<String>) -> Self {
        self.name = Some(name);
        self
    }

    /// Sets the archived flag.
    #[must_use]
    pub fn archived(mut self, archived: bool) -> Self {
        self.archived = Some(archived);
        self
    }

    /// Sets the pinned flag.
    #[must_use]
    pub fn pinned(mut self, pinned: bool) -> Self {
        self.pinned = Some(pinned);
        self
    }

    /// Mutes until `until` (unix seconds, -1 forever) or unmutes (`None`).
    #[must_use]
    pub fn muted_until(mut self, until: Option<i64>) -> Self {
        self.muted_until = Some(until);
        self
    }

    /// Changes the unread count.
    #[must_use]
    pub fn unread(mut self, update: UnreadUpdate) -> Self {
        self.unread = Some(update);
        self
    }

    /// Records a message timestamp (kept if newer than the stored one).
    #[must_use]
    pub fn message_at(mut self, ts: i64) -> Self {
        self.last_message_ts = Some(ts);
        self
    }

    /// The change a live (sent or received) message makes to its chat: the
    /// chat exists and its newest-message time moves; an incoming message
    /// other than a reaction counts as unread.
    pub fn for_live_message(m: &StoredMessage) -> Self {
        let p = ChatPatch::new(m.chat.clone()).message_at(m.timestamp);
        if m.from_me || m.kind == "reaction" {
            p
        } else {
            p.unread(UnreadUpdate::Increment)
        }
    }
}

/// A WhatsApp Business label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The label id (app-state index).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its color index.
    pub color: i32,
}

/// How far a message got, as the REST API reports it (wwebjs `ack`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AckLevel {
    /// Sending failed.
    Error,
    /// Not yet acknowledged by the server.
    Pending,
    /// The server has it.
    Server,
    /// Delivered to a device of the recipient.
    Device,
    /// Read.
    Read,
    /// Played (voice notes, videos).
    Played,
}

impl AckLevel {
    /// The wwebjs number: -1 ..= 4.
    pub const fn to_i8(self) -> i8 {
        match self {
            Self::Error => -1,
            Self::Pending => 0,
            Self::Server => 1,
            Self::Device => 2,
            Self::Read => 3,
            Self::Played => 4,
        }
    }

    /// The level for a wwebjs number.
    pub const fn from_i8(v: i8) -> Option<Self> {
        Some(match v {
            -1 => Self::Error,
            0 => Self::Pending,
            1 => Self::Server,
            2 => Self::Device,
            3 => Self::Read,
            4 => Self::Played,
            _ => return None,
        })
    }
}

/// Where the media of a message lives and how to decrypt it.
#[derive(Clone, PartialEq, Eq)]
pub struct MediaInfo {
    /// MIME type.
    pub mimetype: String,
    /// CDN direct path.
    pub direct_path: String,
    /// The media key (32 bytes).
    pub media_key: Vec<u8>,
    /// SHA-256 of the plaintext file.
    pub file_sha256: Vec<u8>,
    /// SHA-256 of the encrypted file.
    pub file_enc_sha256: Vec<u8>,
    /// Plaintext length in bytes.
    pub file_length: u64,
    /// File name (documents).
    pub file_name: Option<String>,
}

impl fmt::Debug for MediaInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaInfo")
            .field("mimetype", &self.mimetype)
            .field("file_length", &self.file_length)
            .finish_non_exhaustive()
    }
}

/// A message kept for fetch and search.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// The chat it belongs to.
    pub chat: Jid,
    /// The message id (unique within a chat).
    pub id: String,
    /// Sent by us (from any of our devices).
    pub from_me: bool,
    /// Who sent it (the participant in groups).
    pub sender: Option<Jid>,
    /// Message timestamp (unix seconds).
    pub timestamp: i64,
    /// Message type (`chat`, `image`, `reaction`, ...).
    pub kind: String,
    /// The text (body or caption), used for search.
    pub body: Option<String>,
    /// The `wa.Message` protobuf bytes.
    pub raw: Vec<u8>,
    /// Attached media.
    pub media: Option<MediaInfo>,
    /// Acknowledgement level.
    pub ack: AckLevel,
}

impl fmt::Debug for StoredMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredMessage")
            .field("chat", &self.chat)
            .field("id", &self.id)
            .field("from_me", &self.from_me)
            .field("timestamp", &self.timestamp)
            .field("kind", &self.kind)
            .field("ack", &self.ack)
            .finish_non_exhaustive()
    }
}

/// Which messages [`crate::store::Store::messages`] returns: the newest
/// `limit` matching ones, in chronological order (oldest first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageQuery {
    /// Only this chat (all chats when `None`).
    pub chat: Option<Jid>,
    /// Only ours (`Some(true)`) or only theirs (`Some(false)`).
    pub from_me: Option<bool>,
    /// Only messages whose body contains this text (case-insensitive for
    /// ASCII letters; `%` and `_` have no special meaning).
    pub text: Option<String>,
    /// Only messages strictly older than this timestamp (unix seconds).
    pub before: Option<i64>,
    /// At most this many.
    pub limit: u32,
    /// Only starred (`Some(true)`) or only unstarred messages.
    pub starred: Option<bool>,
    /// Only the message with this id (with `chat`: one index lookup).
    pub id: Option<String>,
}

impl MessageQuery {
    /// The newest `limit` messages of every chat.
    pub fn new(limit: u32) -> Self {
        Self {
            chat: None,
            from_me: None,
            text: None,
            before: None,
            limit,
            starred: None,
            id: None,
        }
    }

    /// Restricts to the message with id `id`.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Restricts to one chat.
    #[must_use]
    pub fn chat(mut self, chat: Jid) -> Self {
        self.chat = Some(chat);
        self
    }

    /// Restricts to ours / theirs.
    #[must_use]
    pub fn from_me(mut self, from_me: bool) -> Self {
        self.from_me = Some(from_me);
        self
    }

    /// Restricts to bodies containing `text`.
    #[must_use]
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Restricts to messages older than `ts`.
    #[must_use]
    pub fn before(mut self, ts: i64) -> Self {
        self.before = Some(ts);
        self
    }

    /// Restricts to starred / unstarred messages.
    #[must_use]
    pub fn starred(mut self, starred: bool) -> Self {
        self.starred = Some(starred);
        self
    }
}
