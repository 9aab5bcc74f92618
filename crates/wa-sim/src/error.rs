//! The crate's single error type.
//!
//! Messages never contain key material or plaintext. [`Error::status`] maps
//! each variant to the HTTP status the control API answers with.

/// Every failure `wa-sim` reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Binding or serving the listening socket failed.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// TLS setup (certificate generation or rustls configuration) failed.
    #[error("tls: {0}")]
    Tls(String),
    /// A protocol-level failure from `wa-proto`.
    #[error("protocol: {0}")]
    Proto(#[from] wa_proto::Error),
    /// A request was malformed (bad JSON field, bad phone number, bad JID).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The named account, device, connection or pairing does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request conflicts with the current state (account exists, ...).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The feature is not implemented by the simulator (yet).
    #[error("not supported: {0}")]
    Unsupported(String),
    /// A pairing or other multi-step operation did not complete in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// Persisting or restoring the state snapshot failed.
    #[error("persistence: {0}")]
    Persist(String),
    /// The simulator is shutting down.
    #[error("the simulator is shut down")]
    Shutdown,
}

impl Error {
    /// The HTTP status code the control API uses for this error.
    pub fn status(&self) -> u16 {
        match self {
            Error::BadRequest(_) | Error::Proto(_) => 400,
            Error::NotFound(_) => 404,
            Error::Conflict(_) => 409,
            Error::Unsupported(_) => 422,
            Error::Timeout(_) => 504,
            Error::Shutdown => 503,
            Error::Io(_) | Error::Tls(_) | Error::Persist(_) => 500,
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
