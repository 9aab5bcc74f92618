//! The durable outbox: the states an outgoing message goes through and which
//! transitions the store accepts.
//!
//! ```text
//!  accepted ──► encrypted ──► sent ──► server_acked
//!     │            │  ▲ │       │
//!     │            └──┘ └───────┤ (re-encrypted for a retry or after restart)
//!     └────────────┴────────────┴──► failed (with a reason)
//! ```
//!
//! * **accepted**: the API call returned; the plaintext `wa.Message` is stored.
//! * **encrypted**: the per-device ciphertexts are stored, *in the same
//!   transaction* as the Signal session records the encryption advanced, so
//!   a restart resends exactly these bytes and never encrypts twice with one
//!   chain key.
//! * **sent**: the stanza was written to the socket.
//! * **server_acked**: the server's ack arrived; the ciphertexts are dropped,
//!   the plaintext stays (retry receipts re-encrypt it) until pruned.
//! * **failed**: given up, with a reason.
//!
//! The transition rules live here ([`OutboxState::may_follow`]) so every
//! backend enforces the same ones; a batch with a forbidden transition fails
//! as a whole.

use std::fmt;

use wa_proto::jid::Jid;

/// The durable state of an outgoing message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutboxState {
    /// Stored, not yet encrypted.
    Accepted,
    /// Ciphertexts stored with the session state that produced them.
    Encrypted,
    /// Written to the socket.
    Sent,
    /// Acknowledged by the server.
    ServerAcked,
    /// Given up.
    Failed,
}

impl OutboxState {
    /// Every state, in lifecycle order.
    pub const ALL: [Self; 5] = [
        Self::Accepted,
        Self::Encrypted,
        Self::Sent,
        Self::ServerAcked,
        Self::Failed,
    ];

    /// The states [`crate::store::Store::outbox_pending`] returns: what a
    /// restarted client must resume.
    pub const PENDING: [Self; 3] = [Self::Accepted, Self::Encrypted, Self::Sent];

    /// The stable name used in storage and logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Encrypted => "encrypted",
            Self::Sent => "sent",
            Self::ServerAcked => "server_acked",
            Self::Failed => "failed",
        }
    }

    /// Parses [`OutboxState::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The states an entry may be in for a move to `self` to be accepted.
    ///
    /// Re-encryption (`encrypted` again, from `encrypted` or `sent`) happens
    /// after a restart with fresh sessions or for a retry receipt; a server
    /// ack may overtake the `sent` commit and may be replayed, so it is
    /// accepted from `encrypted`, `sent` and `server_acked`.
    pub const fn predecessors(self) -> &'static [Self] {
        match self {
            Self::Accepted => &[],
            Self::Encrypted => &[Self::Accepted, Self::Encrypted, Self::Sent],
            Self::Sent => &[Self::Encrypted, Self::Sent],
            Self::ServerAcked => &[Self::Encrypted, Self::Sent, Self::ServerAcked],
            Self::Failed => &[Self::Accepted, Self::Encrypted, Self::Sent, Self::Failed],
        }
    }

    /// Whether an entry in state `from` may move to `self`.
    pub fn may_follow(self, from: Self) -> bool {
        self.predecessors().contains(&from)
    }
}

impl fmt::Display for OutboxState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which Signal message type a ciphertext is (the `type` attribute of its
/// `<enc>` node).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CiphertextKind {
    /// `msg`: a whisper message on an established session.
    Msg,
    /// `pkmsg`: a prekey message setting up a session.
    PkMsg,
    /// `skmsg`: a sender-key (group) message.
    SkMsg,
}

impl CiphertextKind {
    /// The `<enc type>` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Msg => "msg",
            Self::PkMsg => "pkmsg",
            Self::SkMsg => "skmsg",
        }
    }

    /// Parses [`CiphertextKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Msg, Self::PkMsg, Self::SkMsg]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One encrypted copy of an outgoing message.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxCiphertext {
    /// The device it is for (for `skmsg`, the group).
    pub recipient: Jid,
    /// Its type.
    pub kind: CiphertextKind,
    /// The ciphertext bytes.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for OutboxCiphertext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxCiphertext")
            .field("recipient", &self.recipient)
            .field("kind", &self.kind)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A new outgoing message, as accepted from the API.
#[derive(Clone, PartialEq, Eq)]
pub struct NewOutboxEntry {
    /// The message id (WhatsApp format); unique per session.
    pub id: String,
    /// The destination chat.
    pub chat: Jid,
    /// The plaintext `wa.Message` protobuf bytes.
    pub payload: Vec<u8>,
    /// When it was accepted (unix milliseconds).
    pub accepted_at_ms: i64,
}

impl fmt::Debug for NewOutboxEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewOutboxEntry")
            .field("id", &self.id)
            .field("chat", &self.chat)
            .field("accepted_at_ms", &self.accepted_at_ms)
            .finish_non_exhaustive()
    }
}

/// An outgoing message as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The message id.
    pub id: String,
    /// The destination chat.
    pub chat: Jid,
    /// The plaintext `wa.Message` protobuf bytes.
    pub payload: Vec<u8>,
    /// The current state.
    pub state: OutboxState,
    /// The ciphertexts of the last encryption (empty unless `encrypted` or
    /// `sent`), ordered by recipient.
    pub ciphertexts: Vec<OutboxCiphertext>,
    /// Why it failed (state `failed`).
    pub error: Option<String>,
    /// When it was accepted (unix milliseconds).
    pub accepted_at_ms: i64,
    /// When its state last changed (unix milliseconds).
    pub updated_at_ms: i64,
}

impl fmt::Debug for OutboxEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxEntry")
            .field("id", &self.id)
            .field("chat", &self.chat)
            .field("state", &self.state)
            .field("ciphertexts", &self.ciphertexts)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in OutboxState::ALL {
            assert_eq!(OutboxState::parse(s.as_str()), Some(s));
        }
        assert_eq!(OutboxState::parse("nope"), None);
        for k in [
            CiphertextKind::Msg,
            CiphertextKind::PkMsg,
            CiphertextKind::SkMsg,
        ] {
            assert_eq!(CiphertextKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn transitions() {
        use OutboxState::*;
        assert!(Encrypted.may_follow(Accepted));
        assert!(Sent.may_follow(Encrypted));
        assert!(ServerAcked.may_follow(Sent));
        assert!(ServerAcked.may_follow(ServerAcked));
        assert!(!Sent.may_follow(Accepted));
        assert!(!Encrypted.may_follow(ServerAcked));
        assert!(!Failed.may_follow(ServerAcked));
        assert!(!Accepted.may_follow(Accepted));
    }
}
