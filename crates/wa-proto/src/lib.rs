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
//! ## Example: JIDs and Signal addresses
//!
//! ```
//! use wa_proto::jid::{Jid, Server};
//!
//! // A companion device (device 3) of a phone-number user; `c.us` is the
//! // legacy spelling of `s.whatsapp.net`.
//! let pn: Jid = "15551234567:3@c.us".parse()?;
//! assert_eq!(pn.server, Server::Pn);
//! assert_eq!(pn.to_string(), "15551234567:3@s.whatsapp.net");
//! assert_eq!(pn.to_non_ad().to_c_us(), "15551234567@c.us");
//! assert_eq!(pn.signal_address().to_string(), "15551234567:3");
//!
//! // The same person's hidden identity (LID): the Signal address carries
//! // the AD domain (`_1`), so PN and LID sessions never collide.
//! let lid = Jid::lid("98765432109876").with_device(3);
//! assert!(lid.is_lid());
//! assert_eq!(lid.to_string(), "98765432109876:3@lid");
//! assert_eq!(lid.signal_address().to_string(), "98765432109876_1:3");
//! # Ok::<(), wa_proto::Error>(())
//! ```
//!
//! ## Example: a connection in memory (frames, Noise, nodes)
//!
//! Both roles are here, so a client and a server can be run against each
//! other without a socket: the bytes each step returns are what would be
//! written to the websocket.
//!
//! ```
//! use rand::SeedableRng;
//! use wa_proto::binary::{self, Node};
//! use wa_proto::frame::WA_HEADER;
//! use wa_proto::keys::KeyPair;
//! use wa_proto::noise::{CertIssuer, ChainSpec, FramedClientHandshake, FramedServerHandshake, Step};
//!
//! let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
//! // Server side: a certificate root, and a chain certifying its static key.
//! let issuer = CertIssuer::generate(&mut rng);
//! let server_key = KeyPair::generate(&mut rng);
//! let chain = issuer.issue(&mut rng, &server_key.public, &ChainSpec::default());
//! let now = 1_750_000_000; // Unix seconds: the caller passes the time in
//!
//! // -> intro + ClientHello
//! let noise_key = KeyPair::generate(&mut rng);
//! let (client, to_server) = FramedClientHandshake::start(&mut rng, noise_key.clone(), None)?;
//! assert_eq!(&to_server[..4], &WA_HEADER[..]);
//! let server = FramedServerHandshake::new(&mut rng, server_key, chain);
//! let Step::Done((server, to_client)) = server.handle_bytes(&to_server)? else { panic!() };
//!
//! // <- ServerHello; the client verifies the chain against the trusted root.
//! let Step::Done(client) = client.handle_bytes(&to_client, &issuer.trusted_root(), now)? else {
//!     panic!()
//! };
//! // -> ClientFinish carrying the (encoded) ClientPayload.
//! let (mut client, to_server) = client.finish(b"ClientPayload bytes")?;
//! let Step::Done(mut server) = server.handle_bytes(&to_server)? else { panic!() };
//! assert_eq!(server.client_static, noise_key.public);
//! assert_eq!(server.client_payload, b"ClientPayload bytes");
//!
//! // Transport phase: a node, encoded, encrypted and framed.
//! let ping = Node::new("iq").with_attr("xmlns", "w:p").with_attr("type", "get");
//! let wire = client.encrypt_frame(&binary::encode(&ping))?;
//! let frames = server.socket.handle_bytes(&wire)?;
//! assert_eq!(binary::decode(&frames[0])?, ping);
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
