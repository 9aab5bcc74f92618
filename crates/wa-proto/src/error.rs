//! The crate's single error type.
//!
//! Messages never contain key material or plaintext.

/// Every failure `wa-proto` reports.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A protobuf message could not be decoded.
    #[error("protobuf decode failed: {0}")]
    Protobuf(String),
    /// A key had the wrong length or type byte.
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// A pairing QR string could not be parsed (the reason names the part).
    #[error("invalid pairing QR string: {0}")]
    QrInvalid(&'static str),
    /// The HMAC of a pair-success device identity does not match the ADV
    /// secret: the identity was not made for this companion (or was altered).
    #[error("device identity HMAC mismatch")]
    AdvHmacMismatch,
    /// The account (primary device) signature of a device identity is invalid.
    #[error("device identity account signature mismatch")]
    AdvAccountSignatureMismatch,
    /// The device (companion) signature of a device identity is invalid.
    #[error("device identity device signature mismatch")]
    AdvDeviceSignatureMismatch,
    /// A device identity or key index list is malformed or inconsistent
    /// (missing field, wrong length, zero key index, unexpected value).
    #[error("malformed device identity: {0}")]
    AdvMalformed(&'static str),
    /// A pairing code is not 8 characters of the pairing alphabet.
    #[error("invalid pairing code: {0}")]
    PairCodeInvalid(&'static str),
    /// Pairing-code material is malformed (wrong length, degenerate key).
    #[error("malformed pairing-code data: {0}")]
    PairCodeMalformed(&'static str),
    /// The link-code key bundle did not decrypt or did not contain the
    /// expected keys; the usual cause is a wrong pairing code.
    #[error("pairing-code key bundle rejected: {0}")]
    PairCodeMismatch(&'static str),
    /// A ClientPayload is neither a valid registration nor a valid login.
    #[error("invalid client payload: {0}")]
    ClientPayloadInvalid(&'static str),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<prost::DecodeError> for Error {
    fn from(e: prost::DecodeError) -> Self {
        Error::Protobuf(e.to_string())
    }
}
