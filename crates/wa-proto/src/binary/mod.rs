//! The binary XML-like node codec ("WABinary") with the version-3 token
//! dictionaries.
//!
//! A decrypted frame payload is one flags byte (bit `0x02`: the rest is
//! zlib-compressed; we always send `0x00`) followed by one node. A node is a
//! list whose first item is the tag, followed by attribute key/value pairs and
//! optionally the content (a child list, bytes, a string or a JID).
//!
//! * [`Node`]: the owned tree, with builders and lookups.
//! * [`NodeRef`]: the zero-copy reader for the hot path; tokens are
//!   `&'static str`, raw strings and bytes borrow the input, packed strings are
//!   unpacked on demand, attributes are read on demand.
//! * [`encode`] / [`encode_into`], [`decode`] / [`decode_ref`] /
//!   [`decode_body_ref`] and [`unpack`] (flags byte and zlib).
//!
//! The decoder never panics: every malformed input is a typed [`crate::Error`]
//! (`Node*` variants), nesting is limited to [`MAX_DEPTH`] and inflation to
//! [`MAX_INFLATED`] bytes. The `node_decode` fuzz target checks this.
//!
//! ```
//! use wa_proto::binary::{decode, encode, Node};
//! use wa_proto::jid::Jid;
//!
//! let node = Node::new("message")
//!     .with_attr("to", Jid::pn("6281288888888"))
//!     .with_attr("type", "text")
//!     .with_child(Node::new("body").with_bytes(b"hi".to_vec()));
//! let bytes = encode(&node);
//! assert_eq!(bytes[0], 0x00); // flags byte
//! assert_eq!(decode(&bytes)?, node);
//! # Ok::<(), wa_proto::Error>(())
//! ```

mod decode;
pub(crate) use decode::unpack_limited;
mod encode;
mod node;
mod node_ref;
pub mod packed;
mod str_ref;
pub mod tokens;

pub use decode::{
    FLAG_COMPRESSED, MAX_DEPTH, MAX_INFLATED, decode, decode_body_ref, decode_ref, unpack,
};
pub use encode::{check_encodable, encode, encode_into};
pub use node::{AttrValue, Attrs, Content, Node, Text};
pub use node_ref::{AttrsIter, AttrsRef, ContentRef, NodeRef};
pub use str_ref::{JidRef, StrRef, ValueRef};

/// Tag bytes of the binary format. Bytes 1..=235 in a string position are
/// single-byte tokens; 240..=244 are unused.
pub mod tag {
    /// Empty list / absent value.
    pub const LIST_EMPTY: u8 = 0;
    /// Double-byte token from dictionary 0 (next byte is the index).
    pub const DICTIONARY_0: u8 = 236;
    /// Double-byte token from dictionary 1.
    pub const DICTIONARY_1: u8 = 237;
    /// Double-byte token from dictionary 2.
    pub const DICTIONARY_2: u8 = 238;
    /// Double-byte token from dictionary 3.
    pub const DICTIONARY_3: u8 = 239;
    /// Interop JID: user, u16 device, u16 integrator, server `interop`.
    pub const INTEROP_JID: u8 = 245;
    /// Messenger JID: user, u16 device, server `msgr`.
    pub const FB_JID: u8 = 246;
    /// AD JID: u8 domain, u8 device, user.
    pub const AD_JID: u8 = 247;
    /// List with a u8 size.
    pub const LIST_8: u8 = 248;
    /// List with a u16 size.
    pub const LIST_16: u8 = 249;
    /// JID pair: user (or LIST_EMPTY), server.
    pub const JID_PAIR: u8 = 250;
    /// Hex-packed string.
    pub const HEX_8: u8 = 251;
    /// Bytes with a u8 length.
    pub const BINARY_8: u8 = 252;
    /// Bytes with a 20-bit length (3 bytes, high nibble of the first unused).
    pub const BINARY_20: u8 = 253;
    /// Bytes with a u32 length.
    pub const BINARY_32: u8 = 254;
    /// Nibble-packed string.
    pub const NIBBLE_8: u8 = 255;
}
