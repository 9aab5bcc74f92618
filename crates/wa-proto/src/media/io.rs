//! `std::io` adapters over readers and writers the caller provides.
//!
//! These only drive the sans-IO [`MediaEncryptor`], [`MediaVerifier`] and
//! [`MediaDecryptor`](super::MediaDecryptor) with a fixed-size buffer; this crate never opens files
//! or sockets itself. Protocol failures come back as
//! [`std::io::ErrorKind::InvalidData`] errors wrapping a [`crate::Error`]
//! (see [`media_error`]).

use std::io::{self, Read, Seek, SeekFrom, Write};

use super::{
    DecryptedMedia, ExpectedMedia, MEDIA_KEY_LEN, MediaEncryptor, MediaInfo, MediaType,
    MediaVerifier,
};
use crate::Error;

/// Read size of the adapters.
const CHUNK: usize = 64 * 1024;

fn invalid(e: Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// The protocol error inside an error returned by this module, if any.
pub fn media_error(e: &io::Error) -> Option<&Error> {
    e.get_ref()?.downcast_ref::<Error>()
}

/// Fills `buf` from `reader` as far as it goes; returns the bytes read (less
/// than `buf.len()` only at end of input).
fn read_full<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(buf.get_mut(n..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Encrypts everything `reader` yields and writes the upload bytes
/// (ciphertext ‖ MAC) to `writer`.
///
/// # Errors
/// Errors of the reader or writer.
pub fn encrypt_stream<R: Read + ?Sized, W: Write + ?Sized>(
    media_key: [u8; MEDIA_KEY_LEN],
    media_type: MediaType,
    reader: &mut R,
    writer: &mut W,
) -> io::Result<MediaInfo> {
    let mut enc = MediaEncryptor::new(media_key, media_type);
    let mut buf = vec![0u8; CHUNK];
    let mut out = Vec::with_capacity(CHUNK + 32);
    loop {
        let n = read_full(reader, &mut buf)?;
        if n == 0 {
            break;
        }
        enc.update(buf.get(..n).unwrap_or_default(), &mut out);
        writer.write_all(&out)?;
        out.clear();
    }
    let info = enc.finish(&mut out);
    writer.write_all(&out)?;
    Ok(info)
}

/// Decrypts an encrypted file from a seekable `reader` in two passes: reads
/// it once to check `fileEncSha256` and the MAC, seeks back to where it
/// started and reads it again, writing plaintext to `writer` one verified
/// segment at a time. Nothing is written unless the MAC is valid.
///
/// # Errors
/// Errors of the reader or writer; an `InvalidData` error carrying the
/// [`crate::Error`] of a failed check. After a [`Error::MediaFileHashMismatch`]
/// or [`Error::MediaLengthMismatch`] the written plaintext must be discarded.
pub fn decrypt_seekable<R: Read + Seek + ?Sized, W: Write + ?Sized>(
    media_key: &[u8],
    media_type: MediaType,
    expected: ExpectedMedia,
    reader: &mut R,
    writer: &mut W,
) -> io::Result<DecryptedMedia> {
    let origin = reader.stream_position()?;
    let mut buf = vec![0u8; CHUNK];
    let mut verifier = MediaVerifier::new(media_key, media_type, expected);
    loop {
        let n = read_full(reader, &mut buf)?;
        if n == 0 {
            break;
        }
        verifier.update(buf.get(..n).unwrap_or_default());
    }
    let mut dec = verifier.finish().map_err(invalid)?.into_decryptor();
    reader.seek(SeekFrom::Start(origin))?;
    let mut out = Vec::with_capacity(CHUNK + super::SEGMENT_LEN);
    loop {
        let n = read_full(reader, &mut buf)?;
        if n == 0 {
            break;
        }
        dec.update(buf.get(..n).unwrap_or_default(), &mut out)
            .map_err(invalid)?;
        writer.write_all(&out)?;
        out.clear();
    }
    dec.finish().map_err(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn round_trip_through_io_adapters() {
        let plain: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut enc = Vec::new();
        let info = encrypt_stream([9; 32], MediaType::Video, &mut &plain[..], &mut enc).unwrap();
        let mut src = Cursor::new(enc.clone());
        let mut dec = Vec::new();
        let found = decrypt_seekable(
            &info.media_key,
            MediaType::Video,
            ExpectedMedia::from_info(&info),
            &mut src,
            &mut dec,
        )
        .unwrap();
        assert_eq!(dec, plain);
        assert_eq!(found.file_sha256, info.file_sha256);

        // A flipped MAC byte: an InvalidData error carrying MediaMacMismatch,
        // and nothing written.
        let last = enc.len() - 1;
        enc[last] ^= 1;
        let mut dec = Vec::new();
        let err = decrypt_seekable(
            &info.media_key,
            MediaType::Video,
            ExpectedMedia::default(),
            &mut Cursor::new(enc),
            &mut dec,
        )
        .unwrap_err();
        assert_eq!(media_error(&err), Some(&Error::MediaMacMismatch));
        assert!(dec.is_empty());
    }
}
