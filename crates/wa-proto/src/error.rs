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

    // ---- media and app state (`media`, `appstate`) ----
    /// HKDF was asked for more than 255 × 32 bytes of output.
    #[error("HKDF output length too long")]
    KdfOutputTooLong,
    /// An encrypted media file is shorter than its MAC, or (after the MAC
    /// check) not a whole, non-zero number of AES blocks.
    #[error("encrypted media is truncated or malformed")]
    MediaTruncated,
    /// SHA-256 of the encrypted media differs from `fileEncSha256`.
    #[error("encrypted media SHA-256 does not match fileEncSha256")]
    MediaEncHashMismatch,
    /// The media MAC (truncated HMAC-SHA256) does not verify.
    #[error("media MAC mismatch")]
    MediaMacMismatch,
    /// The decrypted media ends in invalid PKCS#7 padding.
    #[error("invalid PKCS#7 padding in decrypted media")]
    MediaPadding,
    /// The decrypted media length differs from `fileLength`.
    #[error("decrypted media length does not match fileLength")]
    MediaLengthMismatch,
    /// SHA-256 of the decrypted media differs from `fileSha256`.
    #[error("decrypted media SHA-256 does not match fileSha256")]
    MediaFileHashMismatch,
    /// The second pass of a two-pass media decryption saw different bytes
    /// than the first (nothing from the differing segment was released).
    #[error("media source changed between verification and decryption")]
    MediaSourceChanged,
    /// An app-state value blob is too short or not whole AES blocks.
    #[error("malformed app-state value blob")]
    AppStateValueMalformed,
    /// An app-state MAC (`index`, `value`, `snapshot` or `patch`) does not verify.
    #[error("app-state {0} MAC mismatch")]
    AppStateMacMismatch(&'static str),
    /// A decrypted app-state value ends in invalid PKCS#7 padding.
    #[error("invalid PKCS#7 padding in app-state value")]
    AppStatePadding,
    /// A `SyncdOperation` value other than SET (0) or REMOVE (1).
    #[error("unknown app-state operation {0}")]
    AppStateOperation(i32),

    // ---- binary nodes and JIDs (`binary`, `jid`) ----
    /// A JID string could not be parsed (the reason is a fixed description).
    #[error("invalid JID: {0}")]
    InvalidJid(&'static str),

    /// A binary node ended before a complete value was read.
    #[error("binary node truncated")]
    NodeTruncated,
    /// A byte that is not valid at this position of a binary node.
    #[error("binary node: unexpected tag byte {tag} in {position}")]
    NodeUnexpectedTag {
        /// The offending byte.
        tag: u8,
        /// What was being read (e.g. "string", "list size", "content").
        position: &'static str,
    },
    /// A binary node is structurally invalid (zero list size, empty tag, ...).
    #[error("invalid binary node: {0}")]
    NodeInvalid(&'static str),
    /// A NIBBLE_8 string holds a nibble outside 0-11 and 15.
    #[error("binary node: invalid packed nibble {0}")]
    NodeInvalidNibble(u8),
    /// A string in a binary node is not valid UTF-8.
    #[error("binary node: string is not valid UTF-8")]
    NodeInvalidUtf8,
    /// A JID in a binary node is malformed (e.g. an FB_JID whose server is not `msgr`).
    #[error("binary node: invalid JID: {0}")]
    NodeInvalidJid(&'static str),
    /// Binary nodes are nested deeper than the decoder's limit.
    #[error("binary node nested deeper than {0} levels")]
    NodeTooDeep(usize),
    /// A decompressed binary node exceeds the size limit.
    #[error("binary node larger than {0} bytes after decompression")]
    NodeTooLarge(usize),
    /// A compressed binary node is not a valid zlib stream.
    #[error("binary node: zlib stream invalid")]
    NodeInflate,
    /// A compressed frame was given to a reader that borrows its input
    /// (use `binary::unpack` first).
    #[error("binary node is compressed: unpack it before reading it in place")]
    NodeCompressed,
    /// Bytes are left over after the top-level node.
    #[error("binary node followed by {0} trailing bytes")]
    NodeTrailingBytes(usize),
    /// A node cannot be encoded (too many children or attributes, empty tag, ...).
    #[error("binary node cannot be encoded: {0}")]
    NodeUnencodable(&'static str),

    // ---- Signal (`signal`) ----
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

    // ---- pairing (`pair`) ----
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
