//! Media decryption that authenticates before it releases plaintext; see
//! the [`media`](crate::media) module docs for the design.

use aes::Aes256;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit, array::Array};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::hashing::{BLOCK, H0, HmacSha256, Sha256, update_lockstep};
use super::{AES_BLOCK, MAC_LEN, MediaInfo, MediaKeys, MediaType};
use crate::{Error, Result};

/// Granularity at which the second pass is checked against the first.
/// A multiple of the SHA-256 block length.
pub const SEGMENT_LEN: usize = 64 * 1024;

const _: () = assert!(SEGMENT_LEN.is_multiple_of(BLOCK));

/// In-memory decryption works through the file in pieces of this size.
const BATCH: usize = 16 * 1024;

/// The values a media message promises about its file; each given value is
/// checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpectedMedia {
    /// `fileEncSha256`: SHA-256 of the downloaded bytes.
    pub file_enc_sha256: Option<[u8; 32]>,
    /// `fileSha256`: SHA-256 of the plaintext.
    pub file_sha256: Option<[u8; 32]>,
    /// `fileLength`: plaintext length.
    pub file_length: Option<u64>,
}

impl ExpectedMedia {
    /// Expects exactly what an encryptor reported.
    pub fn from_info(info: &MediaInfo) -> Self {
        Self {
            file_enc_sha256: Some(info.file_enc_sha256),
            file_sha256: Some(info.file_sha256),
            file_length: Some(info.file_length),
        }
    }
}

/// What decryption learned about the plaintext.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptedMedia {
    /// SHA-256 of the plaintext.
    pub file_sha256: [u8; 32],
    /// Plaintext length.
    pub file_length: u64,
}

/// Compares two MACs in constant time.
fn mac_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Wipes and drops `out[from..]`.
fn wipe_from(out: &mut Vec<u8>, from: usize) {
    if let Some(tail) = out.get_mut(from..) {
        tail.zeroize();
    }
    out.truncate(from);
}

/// Decrypts the whole blocks of `out[from..]` in place.
fn cbc_decrypt_in_place(cbc: &mut cbc::Decryptor<Aes256>, out: &mut [u8]) {
    let (blocks, _) = Array::slice_as_chunks_mut(out);
    cbc.decrypt_blocks(blocks);
}

/// The length of the PKCS#7 padding ending `plain`, if valid.
fn padding_len(plain: &[u8]) -> Option<usize> {
    let pad = usize::from(*plain.last()?);
    if pad == 0 || pad > AES_BLOCK || pad > plain.len() {
        return None;
    }
    let tail = plain.get(plain.len() - pad..)?;
    tail.iter().all(|&b| usize::from(b) == pad).then_some(pad)
}

/// Checks the plaintext against the expected length and hash.
fn check_plain(expected: &ExpectedMedia, found: &DecryptedMedia) -> Result<()> {
    if expected.file_length.is_some_and(|l| l != found.file_length) {
        return Err(Error::MediaLengthMismatch);
    }
    if expected.file_sha256.is_some_and(|h| h != found.file_sha256) {
        return Err(Error::MediaFileHashMismatch);
    }
    Ok(())
}

/// Decrypts a complete encrypted file (`ciphertext ‖ mac`) held in memory.
///
/// Returns the plaintext only if every check passes, in the order described
/// in the [`media`](crate::media) module docs; on error nothing is returned and the internal
/// plaintext buffer is wiped.
///
/// # Errors
/// [`Error::MediaTruncated`], [`Error::MediaEncHashMismatch`],
/// [`Error::MediaMacMismatch`], [`Error::MediaPadding`],
/// [`Error::MediaLengthMismatch`] or [`Error::MediaFileHashMismatch`].
pub fn decrypt(
    media_key: &[u8],
    media_type: MediaType,
    file: &[u8],
    expected: &ExpectedMedia,
) -> Result<(Vec<u8>, DecryptedMedia)> {
    let Some(ct_len) = file.len().checked_sub(MAC_LEN) else {
        return Err(Error::MediaTruncated);
    };
    let (ct, mac) = file.split_at(ct_len);
    let keys = MediaKeys::expand(media_key, media_type);
    let mut cbc = cbc::Decryptor::<Aes256>::new(&(*keys.cipher_key()).into(), &(*keys.iv()).into());
    let mut hmac = HmacSha256::new(keys.mac_key());
    hmac.update(keys.iv());
    let mut enc_sha = Sha256::new();
    let mut file_sha = Sha256::new();

    // Everything but the last AES block is decrypted and hashed in one pass;
    // the last block waits for the padding check.
    let decryptable = ct_len > 0 && ct_len.is_multiple_of(AES_BLOCK);
    let body_len = if decryptable { ct_len - AES_BLOCK } else { 0 };
    let (body, last) = ct.split_at(body_len);
    let mut out = Vec::with_capacity(if decryptable { ct_len } else { 0 });
    for piece in body.chunks(BATCH) {
        let start = out.len();
        out.extend_from_slice(piece);
        let plain = out.get_mut(start..).unwrap_or_default();
        cbc_decrypt_in_place(&mut cbc, plain);
        update_lockstep(
            [&mut enc_sha, &mut hmac.inner, &mut file_sha],
            [piece, piece, plain],
        );
    }
    update_lockstep([&mut enc_sha, &mut hmac.inner], [last, last]);
    enc_sha.update(mac);

    let result = (|| {
        if expected
            .file_enc_sha256
            .is_some_and(|h| h != enc_sha.finalize())
        {
            return Err(Error::MediaEncHashMismatch);
        }
        if !mac_eq(&hmac.finalize()[..MAC_LEN], mac) {
            return Err(Error::MediaMacMismatch);
        }
        if !decryptable {
            return Err(Error::MediaTruncated);
        }
        let start = out.len();
        out.extend_from_slice(last);
        let tail = out.get_mut(start..).unwrap_or_default();
        cbc_decrypt_in_place(&mut cbc, tail);
        let pad = padding_len(tail).ok_or(Error::MediaPadding)?;
        let keep = AES_BLOCK - pad;
        file_sha.update(tail.get(..keep).unwrap_or_default());
        wipe_from(&mut out, start + keep);
        let found = DecryptedMedia {
            file_length: out.len() as u64,
            file_sha256: file_sha.finalize(),
        };
        check_plain(expected, &found)?;
        Ok(found)
    })();
    match result {
        Ok(found) => Ok((out, found)),
        Err(e) => {
            wipe_from(&mut out, 0);
            Err(e)
        }
    }
}

/// First pass of streaming decryption: checks `fileEncSha256` and the MAC.
/// Feed it the whole downloaded file with [`update`](Self::update) (any
/// chunking), then call [`finish`](Self::finish).
pub struct MediaVerifier {
    keys: MediaKeys,
    expected: ExpectedMedia,
    enc_sha: Sha256,
    mac: HmacSha256,
    /// The last bytes seen, which may turn out to be the MAC.
    held: [u8; MAC_LEN],
    held_len: usize,
    checkpoints: Vec<[u32; 8]>,
}

impl std::fmt::Debug for MediaVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaVerifier")
            .field("bytes", &self.enc_sha.len())
            .finish_non_exhaustive()
    }
}

impl MediaVerifier {
    /// Starts verifying a file of `media_type` encrypted with `media_key`.
    pub fn new(media_key: &[u8], media_type: MediaType, expected: ExpectedMedia) -> Self {
        let keys = MediaKeys::expand(media_key, media_type);
        let mut mac = HmacSha256::new(keys.mac_key());
        mac.update(keys.iv());
        Self {
            keys,
            expected,
            enc_sha: Sha256::new(),
            mac,
            held: [0; MAC_LEN],
            held_len: 0,
            checkpoints: Vec::new(),
        }
    }

    /// Absorbs the next bytes of the encrypted file.
    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let into_segment = (self.enc_sha.len() % SEGMENT_LEN as u64) as usize;
            let (piece, rest) = data.split_at((SEGMENT_LEN - into_segment).min(data.len()));
            self.absorb(piece);
            if self.enc_sha.len().is_multiple_of(SEGMENT_LEN as u64) {
                self.checkpoints.extend(self.enc_sha.chaining_value());
            }
            data = rest;
        }
    }

    /// Hashes `piece` into `fileEncSha256` and, holding back the last
    /// [`MAC_LEN`] bytes seen, into the MAC.
    fn absorb(&mut self, piece: &[u8]) {
        let combined = self.held_len + piece.len();
        if combined <= MAC_LEN {
            self.held[self.held_len..combined].copy_from_slice(piece);
            self.held_len = combined;
            self.enc_sha.update(piece);
            return;
        }
        let release = combined - MAC_LEN;
        let from_held = release.min(self.held_len);
        self.mac.update(&self.held[..from_held]);
        let (to_mac, keep) = piece.split_at(release - from_held);
        update_lockstep([&mut self.enc_sha, &mut self.mac.inner], [piece, to_mac]);
        let mut held = [0u8; MAC_LEN];
        let old = self.held_len - from_held;
        held[..old].copy_from_slice(&self.held[from_held..self.held_len]);
        held[old..].copy_from_slice(keep);
        self.held = held;
        self.held_len = MAC_LEN;
    }

    /// Bytes seen so far.
    pub fn len(&self) -> u64 {
        self.enc_sha.len()
    }

    /// Whether no bytes were seen yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ends the first pass.
    ///
    /// # Errors
    /// [`Error::MediaTruncated`] (shorter than a MAC, or after the MAC check
    /// not a whole number of AES blocks), [`Error::MediaEncHashMismatch`],
    /// [`Error::MediaMacMismatch`].
    pub fn finish(self) -> Result<VerifiedMedia> {
        let total = self.enc_sha.len();
        if total < MAC_LEN as u64 {
            return Err(Error::MediaTruncated);
        }
        let enc_digest = self.enc_sha.finalize();
        if self
            .expected
            .file_enc_sha256
            .is_some_and(|h| h != enc_digest)
        {
            return Err(Error::MediaEncHashMismatch);
        }
        if !mac_eq(&self.mac.finalize()[..MAC_LEN], &self.held) {
            return Err(Error::MediaMacMismatch);
        }
        let ct_len = total - MAC_LEN as u64;
        if ct_len == 0 || !ct_len.is_multiple_of(AES_BLOCK as u64) {
            return Err(Error::MediaTruncated);
        }
        Ok(VerifiedMedia {
            keys: self.keys,
            expected: self.expected,
            ct_len,
            checkpoints: self.checkpoints,
            enc_digest,
        })
    }
}

/// A file whose MAC checked out; turn it into a [`MediaDecryptor`] and feed
/// it the same bytes again.
pub struct VerifiedMedia {
    keys: MediaKeys,
    expected: ExpectedMedia,
    ct_len: u64,
    checkpoints: Vec<[u32; 8]>,
    enc_digest: [u8; 32],
}

impl std::fmt::Debug for VerifiedMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedMedia")
            .field("ciphertext_len", &self.ct_len)
            .finish_non_exhaustive()
    }
}

impl VerifiedMedia {
    /// SHA-256 of the verified bytes (`fileEncSha256`).
    pub fn file_enc_sha256(&self) -> [u8; 32] {
        self.enc_digest
    }

    /// Length of the verified file, ciphertext and MAC.
    pub fn encrypted_len(&self) -> u64 {
        self.ct_len + MAC_LEN as u64
    }

    /// Heap bytes held for the checkpoints (32 per [`SEGMENT_LEN`]).
    pub fn checkpoint_bytes(&self) -> usize {
        self.checkpoints.capacity() * 32
    }

    /// Starts the second pass.
    pub fn into_decryptor(self) -> MediaDecryptor {
        let cbc = cbc::Decryptor::<Aes256>::new(
            &(*self.keys.cipher_key()).into(),
            &(*self.keys.iv()).into(),
        );
        MediaDecryptor {
            cbc,
            segment: Vec::with_capacity(SEGMENT_LEN + MAC_LEN),
            index: 0,
            ct_len: self.ct_len,
            checkpoints: self.checkpoints,
            enc_digest: self.enc_digest,
            expected: self.expected,
            file_sha: Sha256::new(),
            file_length: 0,
            done: false,
            failed: None,
        }
    }
}

/// Second pass of streaming decryption: feed it the same bytes as the
/// [`MediaVerifier`]; it appends plaintext to `out` one verified segment at a
/// time.
///
/// Memory: one segment buffer ([`SEGMENT_LEN`] + 10 bytes) plus the
/// checkpoints; each [`update`](Self::update) appends at most
/// `data.len() + SEGMENT_LEN` bytes to `out`. After an error every later call
/// returns the same error.
pub struct MediaDecryptor {
    cbc: cbc::Decryptor<Aes256>,
    segment: Vec<u8>,
    index: usize,
    ct_len: u64,
    checkpoints: Vec<[u32; 8]>,
    enc_digest: [u8; 32],
    expected: ExpectedMedia,
    file_sha: Sha256,
    file_length: u64,
    done: bool,
    failed: Option<Error>,
}

impl std::fmt::Debug for MediaDecryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaDecryptor")
            .field("released", &self.file_length)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl MediaDecryptor {
    /// Capacity of the internal segment buffer (for memory assertions).
    pub fn buffer_capacity(&self) -> usize {
        self.segment.capacity()
    }

    /// Plaintext bytes released so far.
    pub fn released(&self) -> u64 {
        self.file_length
    }

    fn segment_start(&self) -> u64 {
        self.index as u64 * SEGMENT_LEN as u64
    }

    /// Whether the current segment holds the end of the ciphertext.
    fn is_final(&self) -> bool {
        self.ct_len - self.segment_start() <= SEGMENT_LEN as u64
    }

    /// Bytes the current segment needs before it can be released.
    fn segment_target(&self) -> usize {
        if self.is_final() {
            (self.ct_len - self.segment_start()) as usize + MAC_LEN
        } else {
            SEGMENT_LEN
        }
    }

    fn fail(&mut self, e: Error) -> Result<()> {
        self.failed = Some(e.clone());
        Err(e)
    }

    /// Absorbs the next bytes of the file, appending verified plaintext to
    /// `out`.
    ///
    /// # Errors
    /// [`Error::MediaSourceChanged`] if the bytes differ from the first pass
    /// (nothing from the differing segment is released), [`Error::MediaPadding`].
    pub fn update(&mut self, mut data: &[u8], out: &mut Vec<u8>) -> Result<()> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        while !data.is_empty() {
            if self.done {
                return self.fail(Error::MediaSourceChanged);
            }
            let target = self.segment_target();
            let take = (target - self.segment.len()).min(data.len());
            let (head, rest) = data.split_at(take);
            self.segment.extend_from_slice(head);
            data = rest;
            if self.segment.len() == target {
                let released = if self.is_final() {
                    self.release_final(out)
                } else {
                    self.release_segment(out)
                };
                self.segment.clear();
                self.index += 1;
                if let Err(e) = released {
                    return self.fail(e);
                }
            }
        }
        Ok(())
    }

    /// The chaining values before and after segment `self.index`.
    fn checkpoint_pair(&self) -> Result<([u32; 8], Option<[u32; 8]>)> {
        let before = match self.index.checked_sub(1) {
            None => H0,
            Some(i) => *self.checkpoints.get(i).ok_or(Error::MediaSourceChanged)?,
        };
        Ok((before, self.checkpoints.get(self.index).copied()))
    }

    fn release_segment(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let (before, after) = self.checkpoint_pair()?;
        let mut verify = Sha256::resume(before, self.segment_start() / BLOCK as u64);
        let start = out.len();
        out.extend_from_slice(&self.segment);
        let plain = out.get_mut(start..).unwrap_or_default();
        cbc_decrypt_in_place(&mut self.cbc, plain);
        update_lockstep([&mut verify, &mut self.file_sha], [&self.segment, plain]);
        if after.is_none() || verify.chaining_value() != after {
            wipe_from(out, start);
            return Err(Error::MediaSourceChanged);
        }
        self.file_length += self.segment.len() as u64;
        Ok(())
    }

    fn release_final(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let (before, _) = self.checkpoint_pair()?;
        let mut verify = Sha256::resume(before, self.segment_start() / BLOCK as u64);
        let ct = self
            .segment
            .get(..self.segment.len() - MAC_LEN)
            .unwrap_or_default();
        let start = out.len();
        out.extend_from_slice(ct);
        let plain = out.get_mut(start..).unwrap_or_default();
        cbc_decrypt_in_place(&mut self.cbc, plain);
        let pad = padding_len(plain);
        let keep = plain.len() - pad.unwrap_or(0);
        update_lockstep(
            [&mut verify, &mut self.file_sha],
            [&self.segment, plain.get(..keep).unwrap_or_default()],
        );
        if verify.finalize() != self.enc_digest {
            wipe_from(out, start);
            return Err(Error::MediaSourceChanged);
        }
        if pad.is_none() {
            wipe_from(out, start);
            return Err(Error::MediaPadding);
        }
        wipe_from(out, start + keep);
        self.file_length += keep as u64;
        self.done = true;
        Ok(())
    }

    /// Ends the second pass and checks `fileLength` and `fileSha256`.
    ///
    /// # Errors
    /// The error of an earlier [`update`](Self::update);
    /// [`Error::MediaSourceChanged`] if fewer bytes came than in the first
    /// pass; [`Error::MediaLengthMismatch`], [`Error::MediaFileHashMismatch`]
    /// (the plaintext already released must then be discarded).
    pub fn finish(self) -> Result<DecryptedMedia> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if !self.done {
            return Err(Error::MediaSourceChanged);
        }
        let found = DecryptedMedia {
            file_sha256: self.file_sha.finalize(),
            file_length: self.file_length,
        };
        check_plain(&self.expected, &found)?;
        Ok(found)
    }
}
