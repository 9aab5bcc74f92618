//! # wa-proto: the sans-IO core of the WhatsApp multi-device protocol
//!
//! This crate owns every byte-level fact of the protocol and nothing else:
//!
//! ```text
//! websocket bytes ─► frame ─► Noise transport ─► binary node ─► protobuf payloads
//!                  (frame)      (noise)            (binary)        (proto)
//! ```
//!
//! * [`jid`]: WhatsApp addresses (`user[:device]@server`, agents, LIDs).
//! * [`binary`]: the binary XML-like node codec with the version-3 token
//!   dictionaries, an owned [`binary::Node`] and a zero-copy reader.
//! * [`frame`]: the 3-byte length-prefixed framing and the intro header.
//! * [`noise`]: the `Noise_XX_25519_AESGCM_SHA256` handshake in both roles,
//!   the server certificate chain, and the transport cipher.
//! * [`keys`]: Curve25519 key pairs, X25519 agreement and XEdDSA signatures.
//! * [`media`]: media key expansion and streaming attachment encryption and
//!   decryption (AES-256-CBC, truncated HMAC, file hashes).
//! * [`appstate`]: app-state sync crypto: mutation keys, index/value/snapshot/
//!   patch MACs, value encryption and the LTHash.
//! * [`proto`]: prost types generated from the `proto/` schema.
//! * [`signal`]: the Signal protocol (X3DH, Double Ratchet, sender keys,
//!   WhatsApp padding) as pure functions over serializable records.
//! * [`pair`]: companion linking: QR data, pairing by code, the ADV signed
//!   device identity (both the phone's and the companion's side), ClientPayload.
//! * [`ids`]: message ids and the participant list hash.
//! * [`msgsecret`]: message-secret keys (poll votes, encrypted reactions)
//!   and poll option hashes.
//!
//! ## Example
//!
//! ```
//! use wa_proto::binary::{self, Node};
//! use wa_proto::jid::Jid;
//!
//! let to: Jid = "6281288888888@s.whatsapp.net".parse()?;
//! let node = Node::new("message")
//!     .with_attr("to", to)
//!     .with_attr("id", "3EB0ABCDEF1234567890")
//!     .with_child(Node::new("body").with_bytes(b"hi".to_vec()));
//! let bytes = binary::encode(&node); // flags byte first, as sent in a frame
//! let back = binary::decode_ref(&bytes)?;
//! assert_eq!(back.tag(), "message");
//! assert_eq!(back.to_owned(), node);
//! # Ok::<(), wa_proto::Error>(())
//! ```
//!
//! ## What this crate must not do
//! It performs no IO, never sleeps or spawns, depends on no async runtime, and
//! never reads the clock or a global random number generator: time is passed in
//! as a value and randomness as `&mut impl CryptoRng`. Every decoder returns a
//! typed [`Error`] on malformed input and never panics (the `fuzz/` targets
//! check this). The runtime that owns sockets and timers is `wa-session`.

pub mod appstate;
pub mod binary;
pub mod error;
pub mod frame;
#[doc(hidden)]
pub mod fuzzing;
pub mod ids;
pub mod jid;
pub mod keys;
pub mod media;
pub mod msgsecret;
pub mod noise;
pub mod pair;
pub mod proto;
pub mod signal;

pub use error::{Error, Result};
