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
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<prost::DecodeError> for Error {
    fn from(e: prost::DecodeError) -> Self {
        Error::Protobuf(e.to_string())
    }
}
