//! WhatsApp's Noise layer: `Noise_XX_25519_AESGCM_SHA256` with the intro
//! header as prologue, in both roles, the server certificate chain, and the
//! transport cipher.
//!
//! * [`handshake`]: the WhatsApp handshake (`HandshakeMessage` protobufs),
//!   one struct per step for the client ([`ClientHandshake`]) and the server
//!   ([`ServerHandshake`]).
//! * [`cert`]: issuing ([`CertIssuer`]) and verifying ([`TrustedRoot`]) the
//!   server certificate chain.
//! * [`transport`]: the [`Transport`] cipher pair after the split.
//! * [`socket`]: sans-IO drivers from raw websocket bytes: the framed
//!   handshakes and the established [`NoiseSocket`].
//! * [`xx`]: the bare Noise XX pattern underneath (replayed against the
//!   published Noise test vectors).
//!
//! The Noise state machine is our own, on `aes-gcm`, `hkdf`/`sha2` and the
//! Curve25519 code in [`crate::keys`], rather than `snow`: snow caps every
//! transport message at 65 535 bytes (Noise's `MAXMSGLEN`) while WhatsApp
//! frames reach 2^24 − 1 bytes, its nonces are 64-bit where WhatsApp's stop
//! at 2^32, and WhatsApp's first message skips the `MixHash` of the empty
//! payload that standard Noise performs (see [`xx`]). snow still serves as
//! an independent implementation in the tests (`tests/noise_snow.rs`), next
//! to the published test vectors and the Baileys interop suite.
//!
//! Randomness (ephemeral keys, signature nonces) comes from the caller's
//! `CryptoRng`; time (certificate validity) is a parameter.

pub mod cert;
mod cipher;
pub mod handshake;
pub mod socket;
mod symmetric;
pub mod transport;
pub mod xx;

pub use cert::{CertDetails, CertIssuer, ChainSpec, TrustedRoot, VerifiedChain};
pub use cipher::{TAG_LEN, nonce};
pub use handshake::{
    AwaitClientFinish, AwaitServerHello, ClientHandshake, SendClientFinish, ServerHandshake,
    ServerInfo,
};
pub use socket::{
    FramedAwaitClientFinish, FramedAwaitServerHello, FramedClientHandshake, FramedSendClientFinish,
    FramedServerHandshake, NoiseSocket, ServerEstablished, Step,
};
pub use transport::{RecvCipher, SendCipher, Transport};
