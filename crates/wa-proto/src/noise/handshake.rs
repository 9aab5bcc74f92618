//! The WhatsApp Noise handshake in both roles, one struct per step, each
//! consumed by value so steps cannot be skipped or repeated.
//!
//! Messages are `HandshakeMessage` protobufs (the frame payloads; framing is
//! [`crate::frame`]'s job):
//!
//! | step | message | fields |
//! |---|---|---|
//! | client → server | `ClientHello` | `ephemeral` (32 bytes) |
//! | server → client | `ServerHello` | `ephemeral`, `static` (encrypted, 48 bytes), `payload` (encrypted `CertChain`) |
//! | client → server | `ClientFinish` | `static` (encrypted, 48 bytes), `payload` (encrypted `ClientPayload`) |
//!
//! Client: [`ClientHandshake::start`] → [`AwaitServerHello::read_server_hello`]
//! (which verifies the certificate chain) → [`SendClientFinish::finish`].
//!
//! Server: [`ServerHandshake::new`] → [`ServerHandshake::read_client_hello`] →
//! [`AwaitClientFinish::read_client_finish`].
//!
//! Both ends finish with a [`Transport`]. The client payload is opaque bytes
//! here (an encoded `ClientPayload`).

use prost::Message;
use rand_core::CryptoRng;

use super::cert::{TrustedRoot, VerifiedChain};
use super::cipher::TAG_LEN;
use super::transport::Transport;
use super::xx::{self, DH_LEN, ENCRYPTED_STATIC_LEN, Variant};
use crate::keys::{KeyPair, PublicKey};
use crate::proto::wa::HandshakeMessage;
use crate::proto::wa::handshake_message::{ClientFinish, ClientHello, ServerHello};
use crate::{Error, Result};

/// What the client learned about the server from a verified `ServerHello`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// The server's static Noise key (equal to the leaf certificate key).
    pub static_key: PublicKey,
    /// The verified certificate chain.
    pub chain: VerifiedChain,
}

fn decode(bytes: &[u8]) -> Result<HandshakeMessage> {
    HandshakeMessage::decode(bytes).map_err(|_| Error::HandshakeMalformed("not a HandshakeMessage"))
}

fn field_exact<'a>(f: &'a Option<Vec<u8>>, len: usize, what: &'static str) -> Result<&'a [u8]> {
    match f.as_deref() {
        Some(b) if b.len() == len => Ok(b),
        _ => Err(Error::HandshakeMalformed(what)),
    }
}

fn field_sealed<'a>(f: &'a Option<Vec<u8>>, what: &'static str) -> Result<&'a [u8]> {
    match f.as_deref() {
        Some(b) if b.len() >= TAG_LEN => Ok(b),
        _ => Err(Error::HandshakeMalformed(what)),
    }
}

fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

// ------------------------------------------------------------------- client

/// Entry point of the client (initiator) handshake.
#[derive(Debug, Clone, Copy)]
pub struct ClientHandshake;

/// Client waiting for the `ServerHello`.
#[derive(Debug)]
pub struct AwaitServerHello {
    inner: xx::InitiatorAwait2,
}

/// Client that verified the server and has to send `ClientFinish`.
#[derive(Debug)]
pub struct SendClientFinish {
    inner: xx::InitiatorSend3,
}

impl ClientHandshake {
    /// Starts a handshake with the long-term `noise_key` and `prologue`
    /// (normally [`crate::frame::WA_HEADER`]); a fresh ephemeral key comes
    /// from `rng`. Returns the next state and the encoded `ClientHello`.
    pub fn start<R: CryptoRng + ?Sized>(
        rng: &mut R,
        noise_key: KeyPair,
        prologue: &[u8],
    ) -> Result<(AwaitServerHello, Vec<u8>)> {
        let e = KeyPair::generate(rng);
        Self::start_with_ephemeral(e, noise_key, prologue)
    }

    /// [`ClientHandshake::start`] with a given ephemeral key (for
    /// deterministic tests; real clients use a fresh one every time).
    pub fn start_with_ephemeral(
        ephemeral: KeyPair,
        noise_key: KeyPair,
        prologue: &[u8],
    ) -> Result<(AwaitServerHello, Vec<u8>)> {
        let init = xx::Initiator::new(Variant::WhatsApp, noise_key, ephemeral, prologue);
        let (inner, msg) = init.write_message_1(&[])?;
        let hello = HandshakeMessage {
            client_hello: Some(ClientHello {
                ephemeral: Some(msg),
                r#static: None,
                payload: None,
            }),
            ..Default::default()
        };
        Ok((AwaitServerHello { inner }, hello.encode_to_vec()))
    }
}

impl AwaitServerHello {
    /// Reads the encoded `ServerHello`, decrypts the server static key and
    /// certificate chain, and verifies the chain against `trust` at
    /// `now_unix_secs`. Any failure ends the handshake.
    pub fn read_server_hello(
        self,
        bytes: &[u8],
        trust: &TrustedRoot,
        now_unix_secs: u64,
    ) -> Result<(SendClientFinish, ServerInfo)> {
        let msg = decode(bytes)?;
        let hello = msg
            .server_hello
            .as_ref()
            .ok_or(Error::HandshakeMalformed("expected a ServerHello"))?;
        let e = field_exact(&hello.ephemeral, DH_LEN, "ServerHello ephemeral")?;
        let s = field_exact(&hello.r#static, ENCRYPTED_STATIC_LEN, "ServerHello static")?;
        let p = field_sealed(&hello.payload, "ServerHello payload")?;
        let (inner, cert_chain) = self.inner.read_message_2(&concat(&[e, s, p]))?;
        let static_key = *inner.remote_static();
        let chain = trust.verify(&cert_chain, &static_key, now_unix_secs)?;
        Ok((SendClientFinish { inner }, ServerInfo { static_key, chain }))
    }
}

impl SendClientFinish {
    /// Encrypts the client static key and `client_payload` (an encoded
    /// `ClientPayload`) into a `ClientFinish` and completes the handshake.
    pub fn finish(self, client_payload: &[u8]) -> Result<(Transport, Vec<u8>)> {
        let (transport, msg) = self.inner.write_message_3(client_payload)?;
        let (s, p) = msg
            .split_at_checked(ENCRYPTED_STATIC_LEN)
            .ok_or(Error::HandshakeMalformed("message 3 too short"))?;
        let finish = HandshakeMessage {
            client_finish: Some(ClientFinish {
                r#static: Some(s.to_vec()),
                payload: Some(p.to_vec()),
            }),
            ..Default::default()
        };
        Ok((transport, finish.encode_to_vec()))
    }
}

// ------------------------------------------------------------------- server

/// Server (responder) waiting for the `ClientHello`.
#[derive(Debug)]
pub struct ServerHandshake {
    inner: xx::Responder,
    cert_chain: Vec<u8>,
}

/// Server that sent its `ServerHello` and waits for `ClientFinish`.
#[derive(Debug)]
pub struct AwaitClientFinish {
    inner: xx::ResponderAwait3,
}

impl ServerHandshake {
    /// Prepares a responder with its static key, the encoded `CertChain`
    /// certifying that key (see [`super::cert::CertIssuer`]) and the
    /// `prologue` (the client's intro header, normally
    /// [`crate::frame::WA_HEADER`]). The ephemeral key comes from `rng`.
    pub fn new<R: CryptoRng + ?Sized>(
        rng: &mut R,
        server_static: KeyPair,
        cert_chain: Vec<u8>,
        prologue: &[u8],
    ) -> Self {
        let e = KeyPair::generate(rng);
        Self::with_ephemeral(e, server_static, cert_chain, prologue)
    }

    /// [`ServerHandshake::new`] with a given ephemeral key (deterministic
    /// tests only).
    pub fn with_ephemeral(
        ephemeral: KeyPair,
        server_static: KeyPair,
        cert_chain: Vec<u8>,
        prologue: &[u8],
    ) -> Self {
        Self {
            inner: xx::Responder::new(Variant::WhatsApp, server_static, ephemeral, prologue),
            cert_chain,
        }
    }

    /// Reads the encoded `ClientHello` and answers with the encoded
    /// `ServerHello`.
    pub fn read_client_hello(self, bytes: &[u8]) -> Result<(AwaitClientFinish, Vec<u8>)> {
        let msg = decode(bytes)?;
        let hello = msg
            .client_hello
            .as_ref()
            .ok_or(Error::HandshakeMalformed("expected a ClientHello"))?;
        let e = field_exact(&hello.ephemeral, DH_LEN, "ClientHello ephemeral")?;
        if hello.r#static.as_ref().is_some_and(|s| !s.is_empty())
            || hello.payload.as_ref().is_some_and(|p| !p.is_empty())
        {
            return Err(Error::HandshakeMalformed(
                "ClientHello must carry only an ephemeral key",
            ));
        }
        let (send2, _) = self.inner.read_message_1(e)?;
        let (inner, msg2) = send2.write_message_2(&self.cert_chain)?;
        let (eph, rest) = msg2
            .split_at_checked(DH_LEN)
            .ok_or(Error::HandshakeMalformed("message 2 too short"))?;
        let (s, p) = rest
            .split_at_checked(ENCRYPTED_STATIC_LEN)
            .ok_or(Error::HandshakeMalformed("message 2 too short"))?;
        let reply = HandshakeMessage {
            server_hello: Some(ServerHello {
                ephemeral: Some(eph.to_vec()),
                r#static: Some(s.to_vec()),
                payload: Some(p.to_vec()),
            }),
            ..Default::default()
        };
        Ok((AwaitClientFinish { inner }, reply.encode_to_vec()))
    }
}

impl AwaitClientFinish {
    /// Reads the encoded `ClientFinish`, completing the handshake. Returns
    /// the transport, the client's static (noise) public key and the
    /// decrypted client payload (an encoded `ClientPayload`).
    pub fn read_client_finish(self, bytes: &[u8]) -> Result<(Transport, PublicKey, Vec<u8>)> {
        let msg = decode(bytes)?;
        let finish = msg
            .client_finish
            .as_ref()
            .ok_or(Error::HandshakeMalformed("expected a ClientFinish"))?;
        let s = field_exact(
            &finish.r#static,
            ENCRYPTED_STATIC_LEN,
            "ClientFinish static",
        )?;
        let p = field_sealed(&finish.payload, "ClientFinish payload")?;
        self.inner.read_message_3(&concat(&[s, p]))
    }
}
