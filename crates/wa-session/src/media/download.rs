//! Downloads that authenticate before they release plaintext: the
//! attachment a [`MediaRef`] names is fetched from its `url`, then from
//! `https://{host}{directPath}` on each `media_conn` host, and checked
//! (`fileEncSha256`, MAC, padding, `fileLength`, `fileSha256`) by
//! `wa_proto::media`.
//!
//! In memory ([`Client::download`]) the whole file is held once; streaming
//! ([`Client::download_to`]) spools the encrypted bytes to an anonymous
//! temp file while checking hash and MAC, then decrypts from it into the
//! caller's writer one verified segment at a time.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;
use hyper::body::Incoming;
use hyper::{Method, Response};
use prost::Message as _;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWrite, AsyncWriteExt};
use wa_proto::media::{DecryptedMedia, ExpectedMedia, MediaType, MediaVerifier};
use wa_proto::proto::wa;

use super::http::{self, Url};
use crate::client::Client;
use crate::store::{MediaInfo, StoredMessage};
use crate::{Error, Result};

/// Everything needed to fetch and check one encrypted file.
/// `Debug` does not print the media key.
#[derive(Clone, PartialEq, Eq)]
pub struct MediaRef {
    /// What it was encrypted as (selects the key family and MMS type).
    pub media_type: MediaType,
    /// Full URL, if the message carried one.
    pub url: Option<String>,
    /// Path on any media host.
    pub direct_path: Option<String>,
    /// The media key.
    pub media_key: Vec<u8>,
    /// Expected SHA-256 of the encrypted file.
    pub file_enc_sha256: Option<[u8; 32]>,
    /// Expected SHA-256 of the plaintext.
    pub file_sha256: Option<[u8; 32]>,
    /// Expected plaintext length.
    pub file_length: Option<u64>,
    /// MIME type, if known.
    pub mimetype: Option<String>,
    /// File name (documents).
    pub file_name: Option<String>,
}

impl std::fmt::Debug for MediaRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaRef")
            .field("media_type", &self.media_type)
            .field("direct_path", &self.direct_path)
            .field("file_length", &self.file_length)
            .finish_non_exhaustive()
    }
}

fn arr32(v: Option<&Vec<u8>>) -> Option<[u8; 32]> {
    v.and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
}

macro_rules! media_ref {
    ($m:expr, $kind:expr, $name:expr) => {
        MediaRef {
            media_type: $kind,
            url: $m.url.clone(),
            direct_path: $m.direct_path.clone(),
            media_key: $m.media_key.clone().unwrap_or_default(),
            file_enc_sha256: arr32($m.file_enc_sha256.as_ref()),
            file_sha256: arr32($m.file_sha256.as_ref()),
            file_length: $m.file_length,
            mimetype: $m.mimetype.clone(),
            file_name: $name,
        }
    };
}

impl MediaRef {
    /// The attachment of a message (image, video, PTV, audio/voice note,
    /// document, sticker), looking through ephemeral, view-once,
    /// document-with-caption and device-sent containers.
    pub fn from_message(msg: &wa::Message) -> Option<MediaRef> {
        let m = crate::client::content::unwrap(msg);
        let r = if let Some(x) = &m.image_message {
            media_ref!(x, MediaType::Image, None)
        } else if let Some(x) = &m.video_message {
            let kind = if x.gif_playback == Some(true) {
                MediaType::Gif
            } else {
                MediaType::Video
            };
            media_ref!(x, kind, None)
        } else if let Some(x) = &m.ptv_message {
            media_ref!(x, MediaType::Ptv, None)
        } else if let Some(x) = &m.audio_message {
            let kind = if x.ptt == Some(true) {
                MediaType::Ptt
            } else {
                MediaType::Audio
            };
            media_ref!(x, kind, None)
        } else if let Some(x) = &m.document_message {
            media_ref!(x, MediaType::Document, x.file_name.clone())
        } else if let Some(x) = &m.sticker_message {
            media_ref!(x, MediaType::Sticker, None)
        } else {
            return None;
        };
        (!r.media_key.is_empty()).then_some(r)
    }

    /// The attachment of a stored message: from its raw protobuf, or else
    /// from its [`MediaInfo`] and kind (`image`, `video`, `audio`, `ptt`,
    /// `document`, `sticker`).
    pub fn from_stored(m: &StoredMessage) -> Option<MediaRef> {
        if let Some(r) = wa::Message::decode(m.raw.as_slice())
            .ok()
            .and_then(|msg| MediaRef::from_message(&msg))
        {
            return Some(r);
        }
        let kind = match m.kind.as_str() {
            "image" => MediaType::Image,
            "video" => MediaType::Video,
            "audio" => MediaType::Audio,
            "ptt" => MediaType::Ptt,
            "document" => MediaType::Document,
            "sticker" => MediaType::Sticker,
            _ => return None,
        };
        m.media.as_ref().map(|i| MediaRef::from_info(i, kind))
    }

    /// A reference from stored media details.
    pub fn from_info(info: &MediaInfo, media_type: MediaType) -> MediaRef {
        MediaRef {
            media_type,
            url: None,
            direct_path: Some(info.direct_path.clone()).filter(|p| !p.is_empty()),
            media_key: info.media_key.clone(),
            file_enc_sha256: arr32(Some(&info.file_enc_sha256)),
            file_sha256: arr32(Some(&info.file_sha256)),
            file_length: Some(info.file_length),
            mimetype: Some(info.mimetype.clone()),
            file_name: info.file_name.clone(),
        }
    }

    /// The blob a history-sync notification points to (`None` when it
    /// carries its payload inline or lacks a key or path).
    pub fn from_history(n: &wa::message::HistorySyncNotification) -> Option<MediaRef> {
        let key = n.media_key.clone().filter(|k| !k.is_empty())?;
        Some(MediaRef {
            media_type: MediaType::History,
            url: None,
            direct_path: Some(n.direct_path.clone()?),
            media_key: key,
            file_enc_sha256: arr32(n.file_enc_sha256.as_ref()),
            file_sha256: arr32(n.file_sha256.as_ref()),
            file_length: n.file_length,
            mimetype: None,
            file_name: None,
        })
    }

    /// What the store keeps about this attachment.
    pub fn to_info(&self) -> MediaInfo {
        MediaInfo {
            mimetype: self.mimetype.clone().unwrap_or_default(),
            direct_path: self.direct_path.clone().unwrap_or_default(),
            media_key: self.media_key.clone(),
            file_sha256: self.file_sha256.map(|h| h.to_vec()).unwrap_or_default(),
            file_enc_sha256: self.file_enc_sha256.map(|h| h.to_vec()).unwrap_or_default(),
            file_length: self.file_length.unwrap_or(0),
            file_name: self.file_name.clone(),
        }
    }

    fn expected(&self) -> ExpectedMedia {
        ExpectedMedia {
            file_enc_sha256: self.file_enc_sha256,
            file_sha256: self.file_sha256,
            file_length: self.file_length,
        }
    }

    /// `https://{host}{directPath}` with the query whatsmeow adds.
    fn host_url(&self, host: &str, direct_path: &str) -> String {
        let sep = if direct_path.contains('?') { '&' } else { '?' };
        let hash = self
            .file_enc_sha256
            .map(|h| super::query_escape(&URL_SAFE.encode(h)))
            .unwrap_or_default();
        format!(
            "https://{host}{direct_path}{sep}hash={hash}&mms-type={}&__wa-mms=",
            self.media_type.mms_type()
        )
    }
}

fn no_media() -> Error {
    Error::InvalidValue("the message has no downloadable media".into())
}

fn io_err(e: std::io::Error) -> Error {
    Error::Connection(format!("media spool: {e}"))
}

fn too_large() -> Error {
    Error::InvalidValue("media file exceeds media_max_bytes".into())
}

impl Client {
    /// Downloads, checks and decrypts the attachment of a stored message.
    ///
    /// # Errors
    /// As [`Client::download`]; [`Error::InvalidValue`] if the message has
    /// no media.
    pub async fn download_media(&self, message: &StoredMessage) -> Result<Vec<u8>> {
        let r = MediaRef::from_stored(message).ok_or_else(no_media)?;
        self.download(&r).await
    }

    /// Streams the checked plaintext of a stored message's attachment into
    /// `writer`; see [`Client::download_to`].
    ///
    /// # Errors
    /// As [`Client::download_to`].
    pub async fn download_media_to<W: AsyncWrite + Unpin + Send>(
        &self,
        message: &StoredMessage,
        writer: &mut W,
    ) -> Result<DecryptedMedia> {
        let r = MediaRef::from_stored(message).ok_or_else(no_media)?;
        self.download_to(&r, writer).await
    }

    /// Downloads the file `r` names into memory and returns its plaintext,
    /// only if every check passed.
    ///
    /// # Errors
    /// [`Error::Protocol`] with `MediaEncHashMismatch`, `MediaMacMismatch`,
    /// `MediaPadding`, `MediaLengthMismatch`, `MediaFileHashMismatch` or
    /// `MediaTruncated`; [`Error::Server`] (HTTP status) /
    /// [`Error::Connection`] / [`Error::Timeout`] when no source answered;
    /// [`Error::InvalidValue`] above `Options::media_max_bytes`.
    pub async fn download(&self, r: &MediaRef) -> Result<Vec<u8>> {
        let state = self.media_state();
        let mut resp = self.open_media(r).await?;
        let file = http::read_all(resp.body_mut(), state.http.timeout(), state.max_bytes)
            .await
            .map_err(|e| match e {
                Error::InvalidValue(_) => too_large(),
                e => e,
            })?;
        let (key, kind, expected) = (r.media_key.clone(), r.media_type, r.expected());
        let (plain, _) = tokio::task::spawn_blocking(move || {
            wa_proto::media::decrypt(&key, kind, &file, &expected)
        })
        .await
        .map_err(|e| Error::InvalidState(format!("decryption task: {e}")))??;
        Ok(plain)
    }

    /// Streams the plaintext of the file `r` names into `writer`. The
    /// encrypted file is first spooled to an anonymous temp file while its
    /// hash and MAC are checked; nothing is written to `writer` unless the
    /// MAC is valid. Returns the plaintext's length and SHA-256.
    ///
    /// # Errors
    /// As [`Client::download`]; write errors as [`Error::Connection`]. After
    /// a `MediaFileHashMismatch`/`MediaLengthMismatch` error the bytes
    /// already written must be discarded.
    pub async fn download_to<W: AsyncWrite + Unpin + Send>(
        &self,
        r: &MediaRef,
        writer: &mut W,
    ) -> Result<DecryptedMedia> {
        let state = self.media_state();
        let mut resp = self.open_media(r).await?;
        let std_file = tokio::task::spawn_blocking(tempfile::tempfile)
            .await
            .map_err(|e| Error::InvalidState(format!("temp file task: {e}")))?
            .map_err(io_err)?;
        let mut spool = tokio::fs::File::from_std(std_file);
        let mut verifier = MediaVerifier::new(&r.media_key, r.media_type, r.expected());
        while let Some(chunk) = http::next_chunk(resp.body_mut(), state.http.timeout()).await? {
            if verifier.len() + chunk.len() as u64 > state.max_bytes {
                return Err(too_large());
            }
            verifier.update(&chunk);
            spool.write_all(&chunk).await.map_err(io_err)?;
        }
        spool.flush().await.map_err(io_err)?;
        let mut dec = verifier.finish()?.into_decryptor();
        spool.rewind().await.map_err(io_err)?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut out = Vec::with_capacity(buf.len() + wa_proto::media::SEGMENT_LEN);
        loop {
            let n = spool.read(&mut buf).await.map_err(io_err)?;
            if n == 0 {
                break;
            }
            dec.update(buf.get(..n).unwrap_or_default(), &mut out)?;
            writer
                .write_all(&out)
                .await
                .map_err(|e| Error::Connection(format!("media writer: {e}")))?;
            out.clear();
        }
        writer
            .flush()
            .await
            .map_err(|e| Error::Connection(format!("media writer: {e}")))?;
        Ok(dec.finish()?)
    }

    /// The first successful (2xx) response among the sources of `r`.
    async fn open_media(&self, r: &MediaRef) -> Result<Response<Incoming>> {
        let state = self.media_state();
        let mut last = no_media();
        let mut tried_hosts = false;
        let mut sources: Vec<String> = r.url.iter().cloned().collect();
        let mut i = 0;
        loop {
            if i == sources.len() {
                // The direct path on each media host, once the URL failed.
                match (&r.direct_path, tried_hosts) {
                    (Some(path), false) => {
                        tried_hosts = true;
                        let conn = self.media_conn(false).await?;
                        sources.extend(conn.hosts.iter().map(|h| r.host_url(h, path)));
                        continue;
                    }
                    _ => return Err(last),
                }
            }
            let source = sources.get(i).cloned().unwrap_or_default();
            i += 1;
            let url = match Url::parse(&source) {
                Ok(u) => u,
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            match state
                .http
                .request(Method::GET, &url, http::full(Vec::new()), &[])
                .await
            {
                Ok(resp) if resp.status().is_success() => {
                    let too_big = resp
                        .headers()
                        .get(hyper::header::CONTENT_LENGTH)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .is_some_and(|len| len > state.max_bytes);
                    if too_big {
                        return Err(too_large());
                    }
                    return Ok(resp);
                }
                Ok(resp) => {
                    last = Error::Server {
                        code: resp.status().as_u16(),
                        text: "media download refused".into(),
                    };
                }
                Err(e) => last = e,
            }
            tracing::debug!(host = %url.host, error = %last, "media download source failed");
        }
    }
}
