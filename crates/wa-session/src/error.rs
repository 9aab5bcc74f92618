//! The one error type of `wa-session`.
//!
//! The store adds the variants below; the client runtime extends the same
//! enum (connection, pairing, IQ errors) rather than defining its own.
//! Messages never contain key material, plaintext or message bodies: they
//! name the operation, the session id and database diagnostics only.

use thiserror::Error;

/// Errors of `wa-session`.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The session id is not registered in the store.
    #[error("session {0:?} does not exist")]
    SessionNotFound(String),

    /// [`crate::store::Store::create_session`] for an id already in use.
    #[error("session {0:?} already exists")]
    SessionExists(String),

    /// A write conflicts with stored data: a duplicate outbox id, a
    /// reference to a row that does not exist, a constraint violation.
    #[error("conflict: {0}")]
    Conflict(String),

    /// An outbox entry was asked to move to a state that may not follow its
    /// current one (see [`crate::store::OutboxState::may_follow`]), or it does
    /// not exist.
    #[error("outbox entry {id:?}: cannot move to {to} (current state: {from})")]
    OutboxTransition {
        /// The message id of the entry.
        id: String,
        /// Its current state, or `missing`.
        from: String,
        /// The requested state.
        to: String,
    },

    /// A value in a write batch is out of range for the store (an integer
    /// that does not fit, an empty id).
    #[error("invalid value: {0}")]
    InvalidValue(String),

    /// A stored value could not be decoded (a record blob, a JID, a key).
    #[error("corrupt stored {what}: {reason}")]
    Corrupt {
        /// Which kind of value (`signal session record`, `jid`, ...).
        what: &'static str,
        /// Why it did not decode.
        reason: String,
    },

    /// The database failed (IO error, disk full, locked past the busy
    /// timeout, failed commit).
    #[error("database error during {operation}: {message}")]
    Database {
        /// What the store was doing.
        operation: &'static str,
        /// The driver's message.
        message: String,
    },

    /// The database was written by a newer version of this program.
    #[error("database schema version {found} is newer than this program supports ({supported})")]
    SchemaTooNew {
        /// `user_version` found in the file.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },

    /// A schema migration failed; the database stays at `from`.
    #[error("migration from schema version {from} failed: {message}")]
    Migration {
        /// The version the database was at.
        from: i64,
        /// The driver's message.
        message: String,
    },

    /// A protocol-core operation failed (handshake, crypto, codec).
    #[error("protocol: {0}")]
    Protocol(#[from] wa_proto::Error),

    /// The connection failed or closed.
    #[error("connection: {0}")]
    Connection(String),

    /// A frame could not be decrypted or decoded.
    #[error("bad frame: {0}")]
    BadFrame(String),

    /// The request needs a connected session.
    #[error("not connected")]
    NotConnected,

    /// An IQ or another request got no answer in time.
    #[error("timed out: {0}")]
    Timeout(&'static str),

    /// The server answered an IQ with an error.
    #[error("server error {code}: {text}")]
    Server {
        /// The error code (`404`, `500`, ...).
        code: u16,
        /// The error text.
        text: String,
    },

    /// The operation does not fit the session's state (pairing code on a
    /// paired session, ...).
    #[error("invalid state: {0}")]
    InvalidState(String),

    /// The session's runtime task is gone (stopped or crashed).
    #[error("the session is stopped")]
    Stopped,

    /// The store was shut down (its writer thread is gone).
    #[error("the store is closed")]
    Closed,

    /// A message could not be sent and was given up (its outbox entry is
    /// `failed` with this reason).
    #[error("message {id} failed: {reason}")]
    SendFailed {
        /// The message id.
        id: String,
        /// Why.
        reason: String,
    },
}

impl Error {
    /// A copy of this error for a second receiver: the variants that carry
    /// only text are copied, the others become [`Error::InvalidState`] with
    /// their message.
    pub(crate) fn duplicate(&self) -> Error {
        match self {
            Error::Server { code, text } => Error::Server {
                code: *code,
                text: text.clone(),
            },
            Error::SendFailed { id, reason } => Error::SendFailed {
                id: id.clone(),
                reason: reason.clone(),
            },
            Error::Timeout(w) => Error::Timeout(w),
            Error::NotConnected => Error::NotConnected,
            Error::Stopped => Error::Stopped,
            Error::InvalidValue(v) => Error::InvalidValue(v.clone()),
            other => Error::InvalidState(other.to_string()),
        }
    }
}

/// `Result` with [`Error`](enum@Error).
pub type Result<T, E = Error> = std::result::Result<T, E>;
