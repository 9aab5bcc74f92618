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

    // ---- frames (`frame`) ----
    /// A frame announced (or a caller asked for) a payload longer than the limit.
    #[error("frame of {len} bytes exceeds the limit of {max} bytes")]
    FrameTooLarge {
        /// Announced or requested payload length.
        len: usize,
        /// The limit in force.
        max: usize,
    },
    /// The connection intro (`WA` header or `ED` routing prefix) was wrong.
    #[error("bad connection intro: {0}")]
    BadIntro(&'static str),
    /// The frame stream failed earlier and cannot be used any more.
    #[error("frame stream is unusable after an earlier error")]
    StreamPoisoned,
    /// A caller passed an argument outside its documented range.
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),

    // ---- Noise (`noise`) ----
    /// A handshake message was missing a field, had a wrong length, or came
    /// in the wrong role.
    #[error("malformed handshake message: {0}")]
    HandshakeMalformed(&'static str),
    /// AEAD authentication failed (handshake field or transport frame).
    #[error("decryption failed: {0}")]
    Decrypt(&'static str),
    /// A cipher's 32-bit message counter is used up; the connection must be
    /// re-established.
    #[error("cipher nonce counter exhausted")]
    NonceExhausted,

    // ---- server certificate chain (`noise::cert`) ----
    /// The certificate chain is garbled or misses a required field.
    #[error("malformed certificate chain: {0}")]
    CertMalformed(&'static str),
    /// The intermediate certificate is not signed by the trusted root key
    /// (a different root, or a tampered intermediate signature).
    #[error("certificate chain is not signed by the trusted root")]
    CertUntrustedRoot,
    /// A certificate's signature does not verify under its issuer's key.
    #[error("{0} certificate signature is invalid")]
    CertBadSignature(&'static str),
    /// A certificate's issuer serial does not name its issuer.
    #[error("{0} certificate issuer serial does not match its issuer")]
    CertIssuerMismatch(&'static str),
    /// The leaf certificate's key is not the server's static key.
    #[error("leaf certificate key does not match the server static key")]
    CertKeyMismatch,
    /// A certificate's validity window ended before the given time.
    #[error("{0} certificate has expired")]
    CertExpired(&'static str),
    /// A certificate's validity window starts after the given time.
    #[error("{0} certificate is not yet valid")]
    CertNotYetValid(&'static str),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<prost::DecodeError> for Error {
    fn from(e: prost::DecodeError) -> Self {
        Error::Protobuf(e.to_string())
    }
}
