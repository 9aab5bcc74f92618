//! The bare `Noise_XX_25519_AESGCM_SHA256` pattern, both roles, one struct
//! per step:
//!
//! ```text
//! -> e
//! <- e, ee, s, es
//! -> s, se
//! ```
//!
//! Messages here are raw Noise messages (concatenated tokens and payload).
//! The WhatsApp handshake ([`super::handshake`]) is built on this module; the
//! published Noise test vectors for the suite are replayed through it in
//! [`Variant::Standard`].
//!
//! WhatsApp differs from standard Noise in one point of the handshake: the
//! first message has no payload at all, and its (empty) payload is **not**
//! mixed into the handshake hash, whereas standard Noise always performs
//! `MixHash(payload)`, even for an empty one (Baileys `noise-handler.js` and
//! whatsmeow `handshake.go` both hash the server ephemeral right after the
//! client ephemeral). [`Variant::WhatsApp`] selects that behaviour. The nonce
//! layouts agree below 2^32 (see [`super::nonce`]).

use super::cipher::TAG_LEN;
use super::symmetric::{SymmetricState, dh};
use super::transport::Transport;
use crate::keys::{KeyPair, PublicKey};
use crate::{Error, Result};

/// The Noise protocol name. It is 28 bytes, so the initial handshake hash is
/// the name padded with four zero bytes (which is why WhatsApp clients spell
/// it `"Noise_XX_25519_AESGCM_SHA256\0\0\0\0"`).
pub const PROTOCOL_NAME: &[u8] = b"Noise_XX_25519_AESGCM_SHA256";

/// Length of a Curve25519 public key on the wire.
pub const DH_LEN: usize = 32;

/// Length of an encrypted static key (key + tag).
pub const ENCRYPTED_STATIC_LEN: usize = DH_LEN + TAG_LEN;

/// Which flavour of the first message to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Standard Noise: message 1 is `e ‖ payload` and the payload is hashed.
    Standard,
    /// WhatsApp: message 1 is exactly `e`; no payload is hashed.
    WhatsApp,
}

fn public_key(bytes: &[u8], what: &'static str) -> Result<PublicKey> {
    let arr: [u8; DH_LEN] = bytes
        .try_into()
        .map_err(|_| Error::HandshakeMalformed(what))?;
    Ok(PublicKey::from_raw(arr))
}

fn split_at_checked<'a>(
    msg: &'a [u8],
    at: usize,
    what: &'static str,
) -> Result<(&'a [u8], &'a [u8])> {
    msg.split_at_checked(at)
        .ok_or(Error::HandshakeMalformed(what))
}

// ---------------------------------------------------------------- initiator

/// Initiator before message 1.
#[derive(Debug)]
pub struct Initiator {
    ss: SymmetricState,
    s: KeyPair,
    e: KeyPair,
    variant: Variant,
}

/// Initiator waiting for message 2.
#[derive(Debug)]
pub struct InitiatorAwait2 {
    ss: SymmetricState,
    s: KeyPair,
    e: KeyPair,
}

/// Initiator that has read message 2 and has to send message 3.
#[derive(Debug)]
pub struct InitiatorSend3 {
    ss: SymmetricState,
    s: KeyPair,
    re: PublicKey,
    rs: PublicKey,
}

impl Initiator {
    /// Starts a handshake with static key `s`, ephemeral key `e` and
    /// `prologue`.
    pub fn new(variant: Variant, s: KeyPair, e: KeyPair, prologue: &[u8]) -> Self {
        let mut ss = SymmetricState::new(PROTOCOL_NAME);
        ss.mix_hash(prologue);
        Self { ss, s, e, variant }
    }

    /// Writes message 1 (`e`, then `payload` in clear). In
    /// [`Variant::WhatsApp`] the payload must be empty and is not hashed.
    pub fn write_message_1(mut self, payload: &[u8]) -> Result<(InitiatorAwait2, Vec<u8>)> {
        let mut out = Vec::with_capacity(DH_LEN + payload.len());
        out.extend_from_slice(self.e.public.as_bytes());
        self.ss.mix_hash(self.e.public.as_bytes());
        match self.variant {
            Variant::Standard => self.ss.encrypt_and_hash(payload, &mut out)?,
            Variant::WhatsApp if payload.is_empty() => {}
            Variant::WhatsApp => {
                return Err(Error::HandshakeMalformed(
                    "the WhatsApp first message carries no payload",
                ));
            }
        }
        let next = InitiatorAwait2 {
            ss: self.ss,
            s: self.s,
            e: self.e,
        };
        Ok((next, out))
    }
}

impl InitiatorAwait2 {
    /// Reads message 2 (`e, ee, s, es`, payload), returning its payload.
    pub fn read_message_2(mut self, msg: &[u8]) -> Result<(InitiatorSend3, Vec<u8>)> {
        let (re, rest) = split_at_checked(msg, DH_LEN, "message 2 too short")?;
        let (enc_s, enc_payload) =
            split_at_checked(rest, ENCRYPTED_STATIC_LEN, "message 2 too short")?;
        if enc_payload.len() < TAG_LEN {
            return Err(Error::HandshakeMalformed("message 2 too short"));
        }
        let re = public_key(re, "bad ephemeral key")?;
        self.ss.mix_hash(re.as_bytes());
        self.ss.mix_key(&dh(&self.e, &re)?);
        let rs = self.ss.decrypt_and_hash(enc_s, "server static key")?;
        let rs = public_key(&rs, "bad static key")?;
        self.ss.mix_key(&dh(&self.e, &rs)?);
        let payload = self.ss.decrypt_and_hash(enc_payload, "message 2 payload")?;
        let next = InitiatorSend3 {
            ss: self.ss,
            s: self.s,
            re,
            rs,
        };
        Ok((next, payload))
    }
}

impl InitiatorSend3 {
    /// The responder's static key, authenticated by message 2.
    pub fn remote_static(&self) -> &PublicKey {
        &self.rs
    }

    /// Writes message 3 (`s, se`, encrypted `payload`) and splits.
    pub fn write_message_3(mut self, payload: &[u8]) -> Result<(Transport, Vec<u8>)> {
        let mut out = Vec::with_capacity(ENCRYPTED_STATIC_LEN + payload.len() + TAG_LEN);
        self.ss
            .encrypt_and_hash(self.s.public.as_bytes(), &mut out)?;
        self.ss.mix_key(&dh(&self.s, &self.re)?);
        self.ss.encrypt_and_hash(payload, &mut out)?;
        let (send, recv) = self.ss.split();
        let transport = Transport::new(send, recv, self.ss.handshake_hash());
        Ok((transport, out))
    }
}

// ---------------------------------------------------------------- responder

/// Responder before message 1.
#[derive(Debug)]
pub struct Responder {
    ss: SymmetricState,
    s: KeyPair,
    e: KeyPair,
    variant: Variant,
}

/// Responder that has read message 1 and has to send message 2.
#[derive(Debug)]
pub struct ResponderSend2 {
    ss: SymmetricState,
    s: KeyPair,
    e: KeyPair,
    re: PublicKey,
}

/// Responder waiting for message 3.
#[derive(Debug)]
pub struct ResponderAwait3 {
    ss: SymmetricState,
    e: KeyPair,
}

impl Responder {
    /// Prepares a responder with static key `s`, ephemeral key `e` and
    /// `prologue`.
    pub fn new(variant: Variant, s: KeyPair, e: KeyPair, prologue: &[u8]) -> Self {
        let mut ss = SymmetricState::new(PROTOCOL_NAME);
        ss.mix_hash(prologue);
        Self { ss, s, e, variant }
    }

    /// Reads message 1, returning its (clear) payload. In
    /// [`Variant::WhatsApp`] the message must be exactly the ephemeral key.
    pub fn read_message_1(mut self, msg: &[u8]) -> Result<(ResponderSend2, Vec<u8>)> {
        let (re, payload) = split_at_checked(msg, DH_LEN, "message 1 too short")?;
        let re = public_key(re, "bad ephemeral key")?;
        self.ss.mix_hash(re.as_bytes());
        let payload = match self.variant {
            Variant::Standard => self.ss.decrypt_and_hash(payload, "message 1 payload")?,
            Variant::WhatsApp if payload.is_empty() => Vec::new(),
            Variant::WhatsApp => {
                return Err(Error::HandshakeMalformed(
                    "the WhatsApp first message carries no payload",
                ));
            }
        };
        let next = ResponderSend2 {
            ss: self.ss,
            s: self.s,
            e: self.e,
            re,
        };
        Ok((next, payload))
    }
}

impl ResponderSend2 {
    /// Writes message 2 (`e, ee, s, es`, encrypted `payload`).
    pub fn write_message_2(mut self, payload: &[u8]) -> Result<(ResponderAwait3, Vec<u8>)> {
        let mut out = Vec::with_capacity(DH_LEN + ENCRYPTED_STATIC_LEN + payload.len() + TAG_LEN);
        out.extend_from_slice(self.e.public.as_bytes());
        self.ss.mix_hash(self.e.public.as_bytes());
        self.ss.mix_key(&dh(&self.e, &self.re)?);
        self.ss
            .encrypt_and_hash(self.s.public.as_bytes(), &mut out)?;
        self.ss.mix_key(&dh(&self.s, &self.re)?);
        self.ss.encrypt_and_hash(payload, &mut out)?;
        let next = ResponderAwait3 {
            ss: self.ss,
            e: self.e,
        };
        Ok((next, out))
    }
}

impl ResponderAwait3 {
    /// Reads message 3 (`s, se`, payload) and splits, returning the
    /// transport, the initiator's static key and the payload.
    pub fn read_message_3(mut self, msg: &[u8]) -> Result<(Transport, PublicKey, Vec<u8>)> {
        let (enc_s, enc_payload) =
            split_at_checked(msg, ENCRYPTED_STATIC_LEN, "message 3 too short")?;
        if enc_payload.len() < TAG_LEN {
            return Err(Error::HandshakeMalformed("message 3 too short"));
        }
        let rs = self.ss.decrypt_and_hash(enc_s, "client static key")?;
        let rs = public_key(&rs, "bad static key")?;
        self.ss.mix_key(&dh(&self.e, &rs)?);
        let payload = self.ss.decrypt_and_hash(enc_payload, "message 3 payload")?;
        let (recv, send) = self.ss.split();
        let transport = Transport::new(send, recv, self.ss.handshake_hash());
        Ok((transport, rs, payload))
    }
}
