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
    /// A Signal wire message or record is malformed or truncated.
    #[error("invalid signal message: {0}")]
    InvalidMessage(&'static str),
    /// A Signal message carries a version byte we do not speak (only 0x33 is).
    #[error("unsupported signal message version byte {0:#04x}")]
    UnsupportedVersion(u8),
    /// A Signal message failed its MAC check against every session state.
    #[error("bad MAC")]
    BadMac,
    /// A Signal or sender-key message was already decrypted (or its key is gone).
    #[error("duplicate message (counter {0})")]
    DuplicateMessage(u32),
    /// A message is further ahead of its chain than the skip limit allows.
    #[error("message counter too far in the future")]
    TooFarInFuture,
    /// The peer's identity key differs from the one we trust for it.
    #[error("untrusted identity key")]
    UntrustedIdentity,
    /// There is no session (or no usable sending chain) for the peer.
    #[error("no session")]
    NoSession,
    /// A pkmsg names a one-time prekey we do not have (or was not supplied).
    #[error("unknown one-time prekey id {0}")]
    InvalidPreKeyId(u32),
    /// A pkmsg names a signed prekey we do not have (or was not supplied).
    #[error("unknown signed prekey id {0}")]
    InvalidSignedPreKeyId(u32),
    /// An XEdDSA signature (signed prekey, sender-key message) did not verify.
    #[error("invalid signature")]
    InvalidSignature,
    /// WhatsApp message padding is malformed.
    #[error("bad message padding")]
    BadPadding,
    /// There is no sender key for this group sender (or for this key id).
    #[error("no sender key")]
    NoSenderKey,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<prost::DecodeError> for Error {
    fn from(e: prost::DecodeError) -> Self {
        Error::Protobuf(e.to_string())
    }
}
