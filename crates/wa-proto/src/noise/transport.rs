//! The transport phase after the handshake: one AES-256-GCM cipher per
//! direction, empty associated data, 32-bit counter nonces, a 16-byte tag
//! after each ciphertext.
//!
//! Frames arrive in order over one stream, so the receive counter is
//! implicit: a replayed, dropped, reordered or altered frame fails
//! authentication with [`Error::Decrypt`](crate::Error::Decrypt). Treat any
//! error as fatal for the connection.
//!
//! For speed, prefer the in-place methods: encrypting with
//! [`Transport::encrypt_in_place_detached`] or
//! [`Transport::encrypt_append`] into a reused buffer and decrypting with
//! [`Transport::decrypt_in_place`] avoid every copy but the one from the
//! socket.

use super::cipher::{CipherState, TAG_LEN};
use crate::Result;

/// Sending half of a [`Transport`]. Not `Clone`: two copies would reuse
/// nonces.
#[derive(Debug)]
pub struct SendCipher(CipherState);

/// Receiving half of a [`Transport`].
#[derive(Debug)]
pub struct RecvCipher(CipherState);

/// Both directions of an established Noise session. Not `Clone`, so a
/// nonce can never be used twice.
#[derive(Debug)]
pub struct Transport {
    send: SendCipher,
    recv: RecvCipher,
    handshake_hash: [u8; 32],
}

impl SendCipher {
    /// Encrypts `buf` in place and returns the tag to append after it.
    pub fn encrypt_in_place_detached(&mut self, buf: &mut [u8]) -> Result<[u8; TAG_LEN]> {
        self.0.encrypt_detached(&[], buf)
    }

    /// Appends `ciphertext ‖ tag` of `plaintext` to `out`. On error nothing
    /// is appended.
    pub fn encrypt_append(&mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<()> {
        self.0.encrypt_append(&[], plaintext, out)
    }

    /// `ciphertext ‖ tag` of `plaintext` in a new vector.
    pub fn encrypt(&mut self, plaintext: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(plaintext.len() + TAG_LEN);
        self.encrypt_append(plaintext, &mut out)?;
        Ok(out)
    }

    /// How many messages this half has encrypted.
    pub fn counter(&self) -> u64 {
        self.0.counter()
    }
}

impl RecvCipher {
    /// Decrypts `ciphertext ‖ tag` in place, returning the plaintext part of
    /// `buf`. On failure the counter does not advance.
    pub fn decrypt_in_place<'a>(&mut self, buf: &'a mut [u8]) -> Result<&'a mut [u8]> {
        self.0.decrypt_in_place(&[], buf, "transport frame")
    }

    /// Decrypts `ciphertext ‖ tag` into a new vector.
    pub fn decrypt(&mut self, ciphertext: &[u8]) -> Result<Vec<u8>> {
        self.0.decrypt_to_vec(&[], ciphertext, "transport frame")
    }

    /// How many messages this half has decrypted.
    pub fn counter(&self) -> u64 {
        self.0.counter()
    }
}

impl Transport {
    pub(crate) fn new(send: CipherState, recv: CipherState, handshake_hash: [u8; 32]) -> Self {
        Self {
            send: SendCipher(send),
            recv: RecvCipher(recv),
            handshake_hash,
        }
    }

    /// The final handshake hash (identical on both sides; usable for
    /// channel binding).
    pub fn handshake_hash(&self) -> &[u8; 32] {
        &self.handshake_hash
    }

    /// `ciphertext ‖ tag` of `plaintext` in a new vector.
    pub fn encrypt(&mut self, plaintext: &[u8]) -> Result<Vec<u8>> {
        self.send.encrypt(plaintext)
    }

    /// Appends `ciphertext ‖ tag` of `plaintext` to `out`.
    pub fn encrypt_append(&mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<()> {
        self.send.encrypt_append(plaintext, out)
    }

    /// Encrypts `buf` in place and returns the tag to send after it.
    pub fn encrypt_in_place_detached(&mut self, buf: &mut [u8]) -> Result<[u8; TAG_LEN]> {
        self.send.encrypt_in_place_detached(buf)
    }

    /// Decrypts `ciphertext ‖ tag` into a new vector.
    pub fn decrypt(&mut self, ciphertext: &[u8]) -> Result<Vec<u8>> {
        self.recv.decrypt(ciphertext)
    }

    /// Decrypts `ciphertext ‖ tag` in place, returning the plaintext part.
    pub fn decrypt_in_place<'a>(&mut self, buf: &'a mut [u8]) -> Result<&'a mut [u8]> {
        self.recv.decrypt_in_place(buf)
    }

    /// The sending half (for a writer that runs apart from the reader).
    pub fn sender(&mut self) -> &mut SendCipher {
        &mut self.send
    }

    /// The receiving half.
    pub fn receiver(&mut self) -> &mut RecvCipher {
        &mut self.recv
    }

    /// Splits into independent halves.
    pub fn into_split(self) -> (SendCipher, RecvCipher) {
        (self.send, self.recv)
    }
}
