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
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<prost::DecodeError> for Error {
    fn from(e: prost::DecodeError) -> Self {
        Error::Protobuf(e.to_string())
    }
}
