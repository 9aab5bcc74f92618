//! Streaming media encryption.

use aes::Aes256;
use cbc::cipher::{BlockModeEncrypt, KeyIvInit, array::Array};
use zeroize::Zeroize;

use super::hashing::{HmacSha256, Sha256, update_lockstep};
use super::{AES_BLOCK, MAC_LEN, MEDIA_KEY_LEN, MediaKeys, MediaType};

/// Plaintext is encrypted and hashed in pieces of this size, so the fresh
/// ciphertext is still in L1/L2 cache when the two ciphertext hashes read it.
const BATCH: usize = 16 * 1024;

/// What a media message needs to reference an encrypted upload.
///
/// `Debug` does not print the media key.
#[derive(Clone, PartialEq, Eq)]
pub struct MediaInfo {
    /// The random key the file was encrypted with (`mediaKey`).
    pub media_key: [u8; MEDIA_KEY_LEN],
    /// SHA-256 of the plaintext (`fileSha256`).
    pub file_sha256: [u8; 32],
    /// SHA-256 of the uploaded bytes, ciphertext ‖ MAC (`fileEncSha256`).
    pub file_enc_sha256: [u8; 32],
    /// Plaintext length in bytes (`fileLength`).
    pub file_length: u64,
    /// The truncated MAC that ends the uploaded bytes.
    pub mac: [u8; MAC_LEN],
}

impl std::fmt::Debug for MediaInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaInfo")
            .field("file_sha256", &Hex(&self.file_sha256))
            .field("file_enc_sha256", &Hex(&self.file_enc_sha256))
            .field("file_length", &self.file_length)
            .finish_non_exhaustive()
    }
}

/// Lower-case hex in `Debug` output.
pub(super) struct Hex<'a>(pub(super) &'a [u8]);

impl std::fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// Sans-IO streaming encryptor: feed plaintext with [`update`](Self::update),
/// collect ciphertext from the `out` buffer after each call, and end with
/// [`finish`](Self::finish), which appends the last block and the MAC.
///
/// Memory use is constant: each call appends at most `plaintext.len() + 15`
/// bytes to `out` (and `finish` at most 26), so a caller that drains `out`
/// after every call can encrypt a file of any size.
///
/// ```
/// use wa_proto::media::{MediaEncryptor, MediaType, decrypt, ExpectedMedia};
/// let mut enc = MediaEncryptor::new([7; 32], MediaType::Image);
/// let mut file = Vec::new();
/// enc.update(b"hello ", &mut file);
/// enc.update(b"world", &mut file);
/// let info = enc.finish(&mut file);
/// assert_eq!(file.len(), 16 + 10);
/// let expected = ExpectedMedia::from_info(&info);
/// let (plain, _) = decrypt(&info.media_key, MediaType::Image, &file, &expected).unwrap();
/// assert_eq!(plain, b"hello world");
/// ```
pub struct MediaEncryptor {
    media_key: [u8; MEDIA_KEY_LEN],
    cbc: cbc::Encryptor<Aes256>,
    /// Plaintext not yet forming a whole block.
    pending: [u8; AES_BLOCK],
    pending_len: usize,
    file_sha: Sha256,
    mac: HmacSha256,
    enc_sha: Sha256,
    file_length: u64,
}

impl std::fmt::Debug for MediaEncryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaEncryptor")
            .field("file_length", &self.file_length)
            .finish_non_exhaustive()
    }
}

impl Drop for MediaEncryptor {
    fn drop(&mut self) {
        self.media_key.zeroize();
        self.pending.zeroize();
    }
}

impl MediaEncryptor {
    /// Starts encrypting a file of `media_type` with `media_key` (normally
    /// from [`MediaKeys::generate_media_key`]).
    pub fn new(media_key: [u8; MEDIA_KEY_LEN], media_type: MediaType) -> Self {
        let keys = MediaKeys::expand(&media_key, media_type);
        let cbc = cbc::Encryptor::<Aes256>::new(&(*keys.cipher_key()).into(), &(*keys.iv()).into());
        let mut mac = HmacSha256::new(keys.mac_key());
        mac.update(keys.iv());
        Self {
            media_key,
            cbc,
            pending: [0; AES_BLOCK],
            pending_len: 0,
            file_sha: Sha256::new(),
            mac,
            enc_sha: Sha256::new(),
            file_length: 0,
        }
    }

    /// Plaintext bytes consumed so far.
    pub fn file_length(&self) -> u64 {
        self.file_length
    }

    /// Encrypts `plaintext`, appending every whole ciphertext block to `out`
    /// (up to 15 bytes are held until the next call or [`finish`](Self::finish)).
    pub fn update(&mut self, mut plaintext: &[u8], out: &mut Vec<u8>) {
        self.file_length += plaintext.len() as u64;
        if self.pending_len > 0 {
            let take = (AES_BLOCK - self.pending_len).min(plaintext.len());
            let (head, rest) = plaintext.split_at(take);
            self.pending[self.pending_len..self.pending_len + take].copy_from_slice(head);
            self.pending_len += take;
            plaintext = rest;
            if self.pending_len < AES_BLOCK {
                self.file_sha.update(head);
                return;
            }
            let block = self.pending;
            self.pending_len = 0;
            self.encrypt_blocks(head, &block, out);
        }
        let whole = plaintext.len() - plaintext.len() % AES_BLOCK;
        let (blocks, tail) = plaintext.split_at(whole);
        for piece in blocks.chunks(BATCH) {
            self.encrypt_blocks(piece, piece, out);
        }
        self.pending[..tail.len()].copy_from_slice(tail);
        self.pending_len = tail.len();
        self.file_sha.update(tail);
    }

    /// Encrypts `blocks` (whole AES blocks) into `out`, hashing `new_plain`
    /// (the plaintext bytes of this call they contain) into `fileSha256` and
    /// the ciphertext into the MAC and `fileEncSha256`, all in lockstep.
    fn encrypt_blocks(&mut self, new_plain: &[u8], blocks: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(blocks);
        let ct = out.get_mut(start..).unwrap_or_default();
        let (chunks, _) = Array::slice_as_chunks_mut(ct);
        self.cbc.encrypt_blocks(chunks);
        let ct = out.get(start..).unwrap_or_default();
        update_lockstep(
            [&mut self.file_sha, &mut self.mac.inner, &mut self.enc_sha],
            [new_plain, ct, ct],
        );
    }

    /// Pads and encrypts the last block, appends it and the 10-byte MAC to
    /// `out`, and returns the file's metadata.
    pub fn finish(mut self, out: &mut Vec<u8>) -> MediaInfo {
        // PKCS#7: always at least one byte of padding, a whole block if the
        // plaintext is block-aligned.
        let pad = AES_BLOCK - self.pending_len;
        let mut block = self.pending;
        block[self.pending_len..].fill(pad as u8);
        self.encrypt_blocks(&[], &block, out);
        block.zeroize();

        let mac_full = std::mem::replace(&mut self.mac, HmacSha256::new(&[])).finalize();
        let mut mac = [0u8; MAC_LEN];
        mac.copy_from_slice(&mac_full[..MAC_LEN]);
        out.extend_from_slice(&mac);
        let mut enc_sha = std::mem::take(&mut self.enc_sha);
        enc_sha.update(&mac);
        MediaInfo {
            media_key: self.media_key,
            file_sha256: std::mem::take(&mut self.file_sha).finalize(),
            file_enc_sha256: enc_sha.finalize(),
            file_length: self.file_length,
            mac,
        }
    }
}

/// Encrypts a whole buffer: returns the bytes to upload (ciphertext ‖ MAC)
/// and their metadata.
pub fn encrypt(
    media_key: [u8; MEDIA_KEY_LEN],
    media_type: MediaType,
    plaintext: &[u8],
) -> (Vec<u8>, MediaInfo) {
    let mut out = Vec::with_capacity(plaintext.len() + AES_BLOCK + MAC_LEN);
    let mut enc = MediaEncryptor::new(media_key, media_type);
    enc.update(plaintext, &mut out);
    let info = enc.finish(&mut out);
    (out, info)
}
