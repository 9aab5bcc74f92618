//! What a [`super::Client`] reports: the typed [`Event`] stream and the
//! [`Status`] a caller (the HTTP adapter) can poll.

use std::time::Duration;

use wa_proto::jid::Jid;

use crate::store::StoredMessage;

/// Why a session stopped being logged in. After any of these the stored
/// device credentials are gone (or unusable) and the session must pair again.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogoutReason {
    /// We called [`super::Client::logout`].
    Requested,
    /// The server refused the login (`<failure reason="401">`): the device
    /// was unlinked while we were offline.
    LoginRefused(String),
    /// The server closed the stream with `401` / `device_removed`: the device
    /// was unlinked from the phone (or another companion).
    DeviceRemoved,
}

/// Why a connection ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// The socket failed or closed without a stream error.
    ConnectionLost(String),
    /// No frame arrived within the keepalive deadline.
    KeepaliveTimeout,
    /// The server sent a stream error with this code (`503`, `500`, ...).
    StreamError(String),
    /// A frame could not be decrypted or decoded (corrupt transport).
    BadFrame(String),
    /// The server asked for a restart (`515`, after pairing).
    Restart,
    /// We called [`super::Client::disconnect`].
    Requested,
}

/// One event of a session, in the order things happened.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Event {
    /// A connection attempt starts.
    Connecting,
    /// A QR string to show (`ref,noise,identity,adv[,platform]`); `index`
    /// counts from 0 and grows as the server rotates refs. Valid for
    /// `valid_for`.
    Qr {
        /// The text to render as a QR code.
        code: String,
        /// Which ref this is (0 = first).
        index: usize,
        /// How long it stays valid.
        valid_for: Duration,
    },
    /// The last QR expired without a scan; the session stopped.
    QrTimeout,
    /// A pairing code to type on the phone (8 characters, shown `ABCD-EFGH`).
    PairingCode {
        /// The code as the phone shows it, with the dash.
        code: String,
    },
    /// Pairing succeeded: the device identity was verified and stored.
    Paired {
        /// Our device JID.
        jid: Jid,
        /// Our LID, when the server told it.
        lid: Option<Jid>,
        /// The phone's platform (`android`, `iphone`, ...).
        platform: String,
    },
    /// `pair-success` failed verification; nothing was stored.
    PairError {
        /// Why (never contains key material).
        reason: String,
    },
    /// Logged in, prekeys topped up, offline queue drained.
    Connected {
        /// How many stanzas the server delivered from the offline queue.
        offline: u32,
    },
    /// A connection ended; `reconnect_in` says when the next attempt starts
    /// (`None`: no reconnect).
    Disconnected {
        /// Why.
        reason: DisconnectReason,
        /// Delay before the next attempt, if any.
        reconnect_in: Option<Duration>,
    },
    /// Another client logged in with our credentials (`conflict` /
    /// `replaced`); we do not reconnect, so the two do not fight.
    StreamReplaced,
    /// The session is logged out; its credentials were cleared.
    LoggedOut {
        /// Why.
        reason: LogoutReason,
    },
    /// A message was received, decrypted and committed (acked after the
    /// commit).
    Message(Box<StoredMessage>),
    /// A message could not be decrypted; it was acked with an error and a
    /// retry receipt was sent.
    Undecryptable {
        /// The chat.
        chat: Jid,
        /// The message id.
        id: String,
        /// Who sent it.
        sender: Jid,
        /// Why (never contains key material).
        reason: String,
    },
    /// A receipt for messages we sent.
    Receipt {
        /// The chat.
        chat: Jid,
        /// The message ids.
        ids: Vec<String>,
        /// `delivery`, `read`, `played`, ...
        kind: String,
        /// Who sent the receipt.
        from: Jid,
    },
    /// The server acked a stanza we sent.
    ServerAck {
        /// The stanza id.
        id: String,
        /// The stanza class (`message`, `receipt`, ...).
        class: String,
        /// Set when the server refused it.
        error: Option<String>,
    },
    /// A notification the runtime does not handle itself (groups, privacy,
    /// ...), after it was acked.
    Notification(Box<wa_proto::binary::Node>),
    /// A chat changed through app state (a mutation of another device, or
    /// our own once pushed).
    ChatUpdated {
        /// The chat.
        chat: Jid,
        /// What changed.
        change: crate::appstate::ChatChange,
    },
    /// A message changed through app state (starred, deleted for me).
    MessageUpdated {
        /// The chat.
        chat: Jid,
        /// The message id.
        id: String,
        /// Whether we sent it.
        from_me: bool,
        /// What changed.
        change: crate::appstate::MessageChange,
    },
    /// Labels or label assignments changed through app state.
    LabelsUpdated(crate::appstate::LabelChange),
    /// A contact's address-book names changed through app state.
    ContactUpdated {
        /// The contact.
        jid: Jid,
        /// New first name.
        first_name: Option<String>,
        /// New full name.
        full_name: Option<String>,
    },
    /// Our push (display) name changed through app state.
    PushNameUpdated {
        /// The new name.
        name: String,
    },
    /// Patches of an app-state collection were fetched and applied.
    AppStateSynced {
        /// The collection.
        collection: crate::appstate::Collection,
        /// Its version now.
        version: u64,
    },
    /// A history-sync chunk from the phone was downloaded (or read inline),
    /// inflated and committed to the store in one batch.
    HistorySync(Box<crate::history::HistorySyncSummary>),
    /// A history-sync chunk could not be fetched, decoded or stored.
    HistorySyncFailed {
        /// Why (never contains key material).
        reason: String,
    },
    /// Someone (or one of our other devices) reacted to a message; an empty
    /// `emoji` removes the reaction. Follows the [`Event::Message`] of the
    /// reaction itself.
    Reaction {
        /// The chat.
        chat: Jid,
        /// The message reacted to.
        id: String,
        /// Who reacted.
        sender: Jid,
        /// The emoji; empty when the reaction was removed.
        emoji: String,
        /// Sent from one of our devices.
        from_me: bool,
    },
    /// A message was edited by its sender; the stored message now has the
    /// new body.
    Edited {
        /// The chat.
        chat: Jid,
        /// The edited message.
        id: String,
        /// Who edited it.
        sender: Jid,
        /// The new text (or caption).
        text: Option<String>,
    },
    /// A message was deleted for everyone; the stored message is now of
    /// kind `revoked` with its content cleared.
    Revoked {
        /// The chat.
        chat: Jid,
        /// The deleted message.
        id: String,
        /// Who deleted it.
        sender: Jid,
    },
    /// An incoming call was offered (`<call><offer>`); this device only
    /// acks it (it cannot answer), the phone keeps ringing.
    Call {
        /// The call id.
        id: String,
        /// The caller (user JID, phone number form when the server gave
        /// it).
        from: Jid,
        /// Unix seconds.
        timestamp: i64,
        /// A video call.
        is_video: bool,
        /// A group call.
        is_group: bool,
    },
    /// A vote on a poll, decrypted with the poll's message secret. An empty
    /// selection withdraws the voter's vote.
    PollVote {
        /// The chat.
        chat: Jid,
        /// The poll message id.
        poll_id: String,
        /// Who voted.
        voter: Jid,
        /// The option names now selected by this voter.
        selected_options: Vec<String>,
    },
}

/// Where a session is in its life, as the HTTP adapter reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// Created, not yet connecting.
    Starting,
    /// Connecting or logging in.
    Connecting,
    /// Waiting for a QR scan.
    Qr,
    /// Waiting for the pairing code to be entered.
    PairingCode,
    /// Logged in and delivering.
    Connected,
    /// Between connections (a reconnect is scheduled).
    Disconnected,
    /// Stopped by the caller; credentials kept.
    Stopped,
    /// Replaced by another login with the same credentials.
    Replaced,
    /// Logged out: must pair again.
    LoggedOut,
    /// The last QR expired; restart to get new ones.
    QrTimeout,
}

impl Status {
    /// The upper-case name (`CONNECTED`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Starting => "STARTING",
            Status::Connecting => "CONNECTING",
            Status::Qr => "SCAN_QR_CODE",
            Status::PairingCode => "PAIRING_CODE",
            Status::Connected => "CONNECTED",
            Status::Disconnected => "DISCONNECTED",
            Status::Stopped => "STOPPED",
            Status::Replaced => "REPLACED",
            Status::LoggedOut => "LOGGED_OUT",
            Status::QrTimeout => "QR_TIMEOUT",
        }
    }
}
