//! Wire formats of the pairwise Signal messages, as WhatsApp carries them in
//! `<enc type="msg">` and `<enc type="pkmsg">`:
//!
//! ```text
//! msg   = 0x33 ‖ SignalMessage{ratchetKey=1, counter=2, previousCounter=3, ciphertext=4} ‖ mac[8]
//! pkmsg = 0x33 ‖ PreKeySignalMessage{preKeyId=1, baseKey=2, identityKey=3,
//!                                    message=4 (a whole msg), registrationId=5, signedPreKeyId=6}
//! ```
//!
//! The MAC is the first 8 bytes of HMAC-SHA256(macKey, senderIdentity33 ‖
//! receiverIdentity33 ‖ 0x33 ‖ SignalMessage). Parsing borrows from the input
//! and never panics; it checks structure only (the MAC is checked by
//! [`super::cipher`], which knows the keys).

use crate::keys::PublicKey;
use crate::signal::wire::{self, Reader};
use crate::{Error, Result};

/// The only message version spoken: high nibble = message version 3, low
/// nibble = highest supported version 3.
pub const VERSION_BYTE: u8 = 0x33;

/// Length of the truncated MAC that ends a `msg`.
pub const MAC_LEN: usize = 8;

/// Checks the leading version byte and returns the rest.
pub(crate) fn split_version(bytes: &[u8]) -> Result<&[u8]> {
    match bytes.split_first() {
        Some((&VERSION_BYTE, rest)) => Ok(rest),
        Some((&v, _)) => Err(Error::UnsupportedVersion(v)),
        None => Err(Error::InvalidMessage("empty message")),
    }
}

/// Which of the two pairwise message types a ciphertext is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// `pkmsg`: a [`PreKeySignalMessage`], sent until the peer first replies.
    PreKey,
    /// `msg`: a plain [`SignalMessage`].
    Whisper,
}

impl MessageType {
    /// The value of the `type` attribute of `<enc>` (`"pkmsg"` or `"msg"`).
    pub const fn enc_type(self) -> &'static str {
        match self {
            MessageType::PreKey => "pkmsg",
            MessageType::Whisper => "msg",
        }
    }
}

/// An encrypted pairwise message ready for the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct CiphertextMessage {
    /// `pkmsg` or `msg`.
    pub kind: MessageType,
    /// The serialized message (the content of `<enc>`).
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for CiphertextMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CiphertextMessage")
            .field("kind", &self.kind)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A parsed `msg`, borrowing from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalMessage<'a> {
    /// The sender's current ratchet public key.
    pub ratchet_key: PublicKey,
    /// Index of this message in the sender's chain.
    pub counter: u32,
    /// Index of the last message of the sender's previous chain.
    pub previous_counter: u32,
    /// AES-256-CBC ciphertext.
    pub ciphertext: &'a [u8],
    /// Version byte and protobuf: what the MAC covers (after the identities).
    pub(crate) signed: &'a [u8],
    /// The 8-byte MAC.
    pub(crate) mac: &'a [u8],
}

impl<'a> SignalMessage<'a> {
    /// Parses a serialized `msg`.
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let body = split_version(bytes)?;
        let short = Error::InvalidMessage("SignalMessage shorter than its MAC");
        let split = body.len().checked_sub(MAC_LEN).ok_or(short.clone())?;
        let (proto, _) = body.split_at_checked(split).ok_or(short.clone())?;
        let (signed, mac) = bytes.split_at_checked(split + 1).ok_or(short)?;
        let (mut ratchet_key, mut counter, mut previous_counter, mut ciphertext) =
            (None, None, 0, None);
        let mut r = Reader::new(proto);
        while let Some((field, value)) = r.next_field()? {
            match field {
                1 => ratchet_key = Some(value.as_bytes()?),
                2 => counter = Some(value.as_u32()?),
                3 => previous_counter = value.as_u32()?,
                4 => ciphertext = Some(value.as_bytes()?),
                _ => {}
            }
        }
        let (Some(ratchet_key), Some(counter), Some(ciphertext)) =
            (ratchet_key, counter, ciphertext)
        else {
            return Err(Error::InvalidMessage("incomplete SignalMessage"));
        };
        Ok(Self {
            ratchet_key: PublicKey::from_bytes(ratchet_key)?,
            counter,
            previous_counter,
            ciphertext,
            signed,
            mac,
        })
    }
}

/// Writes `0x33` and the SignalMessage protobuf up to and including the
/// length prefix of `ciphertext` (field 4), reserving room for the
/// ciphertext and the MAC. The caller appends `ct_len` ciphertext bytes, then
/// the MAC computed over what was written from `out`'s original length.
pub(crate) fn write_signal_header(
    out: &mut Vec<u8>,
    ratchet_key: &PublicKey,
    counter: u32,
    previous_counter: u32,
    ct_len: usize,
) {
    out.reserve(
        1 + wire::bytes_field_len(33)
            + wire::u32_field_len(counter)
            + wire::u32_field_len(previous_counter)
            + wire::bytes_field_len(ct_len)
            + MAC_LEN,
    );
    out.push(VERSION_BYTE);
    wire::put_bytes_field(out, 1, &ratchet_key.serialize());
    wire::put_u32_field(out, 2, counter);
    wire::put_u32_field(out, 3, previous_counter);
    wire::put_varint(out, (4 << 3) | 2);
    wire::put_varint(out, ct_len as u64);
}

/// A parsed `pkmsg`, borrowing from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreKeySignalMessage<'a> {
    /// The sender's registration id (0 when absent).
    pub registration_id: u32,
    /// The one-time prekey the sender used, if any.
    pub pre_key_id: Option<u32>,
    /// The signed prekey the sender used.
    pub signed_pre_key_id: u32,
    /// The sender's X3DH base (ephemeral) key; identifies the session.
    pub base_key: PublicKey,
    /// The sender's identity key.
    pub identity_key: PublicKey,
    /// The embedded first `msg`.
    pub message: SignalMessage<'a>,
}

impl<'a> PreKeySignalMessage<'a> {
    /// Parses a serialized `pkmsg` (including its embedded `msg`).
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let proto = split_version(bytes)?;
        let mut registration_id = 0;
        let mut pre_key_id = None;
        let (mut signed_pre_key_id, mut base_key, mut identity_key, mut message) =
            (None, None, None, None);
        let mut r = Reader::new(proto);
        while let Some((field, value)) = r.next_field()? {
            match field {
                1 => pre_key_id = Some(value.as_u32()?),
                2 => base_key = Some(value.as_bytes()?),
                3 => identity_key = Some(value.as_bytes()?),
                4 => message = Some(value.as_bytes()?),
                5 => registration_id = value.as_u32()?,
                6 => signed_pre_key_id = Some(value.as_u32()?),
                _ => {}
            }
        }
        let (Some(signed_pre_key_id), Some(base_key), Some(identity_key), Some(message)) =
            (signed_pre_key_id, base_key, identity_key, message)
        else {
            return Err(Error::InvalidMessage("incomplete PreKeySignalMessage"));
        };
        Ok(Self {
            registration_id,
            pre_key_id,
            signed_pre_key_id,
            base_key: PublicKey::from_bytes(base_key)?,
            identity_key: PublicKey::from_bytes(identity_key)?,
            message: SignalMessage::parse(message)?,
        })
    }
}

/// Fields of an outgoing `pkmsg` besides its embedded message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PreKeyHeader<'a> {
    pub(crate) registration_id: u32,
    pub(crate) pre_key_id: Option<u32>,
    pub(crate) signed_pre_key_id: u32,
    pub(crate) base_key: &'a PublicKey,
    pub(crate) identity_key: &'a PublicKey,
}

/// Serializes a `pkmsg` around the serialized `msg` `message`.
pub(crate) fn encode_prekey_message(h: &PreKeyHeader<'_>, message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 2 * wire::bytes_field_len(33) + message.len() + 24);
    out.push(VERSION_BYTE);
    if let Some(id) = h.pre_key_id {
        wire::put_u32_field(&mut out, 1, id);
    }
    wire::put_bytes_field(&mut out, 2, &h.base_key.serialize());
    wire::put_bytes_field(&mut out, 3, &h.identity_key.serialize());
    wire::put_bytes_field(&mut out, 4, message);
    wire::put_u32_field(&mut out, 5, h.registration_id);
    wire::put_u32_field(&mut out, 6, h.signed_pre_key_id);
    out
}
