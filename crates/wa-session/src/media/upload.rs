//! Encrypted uploads: encrypt with a fresh media key (in memory, or
//! streaming into an anonymous temp file for readers), then `POST` the
//! encrypted file to each `media_conn` host in order until one takes it;
//! a refused auth token refetches `media_conn` once.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use hyper::Method;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use wa_proto::media::{MediaEncryptor, MediaInfo, MediaKeys, MediaType};

use super::http::{self, Url};
use crate::client::Client;
use crate::{Error, Result};

/// Where an encrypted upload landed and what a media message needs to
/// reference it. `Debug` does not print the media key.
#[derive(Clone, PartialEq, Eq)]
pub struct UploadedMedia {
    /// The kind it was encrypted as.
    pub media_type: MediaType,
    /// Full download URL.
    pub url: String,
    /// The path on any media host (`directPath`).
    pub direct_path: String,
    /// The random 32-byte key (`mediaKey`).
    pub media_key: [u8; 32],
    /// SHA-256 of the plaintext (`fileSha256`).
    pub file_sha256: [u8; 32],
    /// SHA-256 of the uploaded bytes (`fileEncSha256`).
    pub file_enc_sha256: [u8; 32],
    /// Plaintext length (`fileLength`).
    pub file_length: u64,
}

impl std::fmt::Debug for UploadedMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadedMedia")
            .field("media_type", &self.media_type)
            .field("direct_path", &self.direct_path)
            .field("file_length", &self.file_length)
            .finish_non_exhaustive()
    }
}

/// The encrypted file to upload, kept where it can be re-read per attempt.
enum Spooled {
    Memory(Bytes),
    File(tokio::fs::File),
}

impl Spooled {
    async fn body(&mut self) -> Result<http::Body> {
        Ok(match self {
            Spooled::Memory(b) => http::full(b.clone()),
            Spooled::File(f) => {
                f.rewind().await.map_err(io_err)?;
                let clone = f.try_clone().await.map_err(io_err)?;
                http::file_body(clone)
            }
        })
    }
}

fn io_err(e: std::io::Error) -> Error {
    Error::Connection(format!("media spool: {e}"))
}

fn too_large() -> Error {
    Error::InvalidValue("media file exceeds media_max_bytes".into())
}

impl Client {
    /// Encrypts `data` as `media_type` with a fresh media key and uploads it.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if larger than `Options::media_max_bytes`;
    /// `media_conn` IQ errors; the last host's error ([`Error::Server`] with
    /// the HTTP status, [`Error::Connection`], [`Error::Timeout`]).
    pub async fn upload_media(
        &self,
        data: impl Into<Bytes>,
        media_type: MediaType,
    ) -> Result<UploadedMedia> {
        let data: Bytes = data.into();
        if data.len() as u64 > self.media_state().max_bytes {
            return Err(too_large());
        }
        let key = MediaKeys::generate_media_key(&mut rand::rng());
        let (file, info) =
            tokio::task::spawn_blocking(move || wa_proto::media::encrypt(key, media_type, &data))
                .await
                .map_err(|e| Error::InvalidState(format!("encryption task: {e}")))?;
        self.upload_spooled(Spooled::Memory(Bytes::from(file)), &info, media_type)
            .await
    }

    /// Encrypts everything `reader` yields as `media_type` and uploads it;
    /// the ciphertext is spooled to an anonymous temp file (the upload path
    /// names its hash, so it must be complete before the upload starts), and
    /// memory use stays constant.
    ///
    /// # Errors
    /// As [`Client::upload_media`]; read errors of `reader` and of the temp
    /// file as [`Error::Connection`].
    pub async fn upload_media_reader<R: AsyncRead + Unpin + Send>(
        &self,
        mut reader: R,
        media_type: MediaType,
    ) -> Result<UploadedMedia> {
        let max = self.media_state().max_bytes;
        let std_file = tokio::task::spawn_blocking(tempfile::tempfile)
            .await
            .map_err(|e| Error::InvalidState(format!("temp file task: {e}")))?
            .map_err(io_err)?;
        let mut file = tokio::fs::File::from_std(std_file);
        let key = MediaKeys::generate_media_key(&mut rand::rng());
        let mut enc = MediaEncryptor::new(key, media_type);
        let mut buf = vec![0u8; 64 * 1024];
        let mut out = Vec::with_capacity(buf.len() + 32);
        loop {
            let n = reader.read(&mut buf).await.map_err(io_err)?;
            if n == 0 {
                break;
            }
            if enc.file_length() + n as u64 > max {
                return Err(too_large());
            }
            enc.update(buf.get(..n).unwrap_or_default(), &mut out);
            file.write_all(&out).await.map_err(io_err)?;
            out.clear();
        }
        let info = enc.finish(&mut out);
        file.write_all(&out).await.map_err(io_err)?;
        file.flush().await.map_err(io_err)?;
        self.upload_spooled(Spooled::File(file), &info, media_type)
            .await
    }

    async fn upload_spooled(
        &self,
        mut spooled: Spooled,
        info: &MediaInfo,
        media_type: MediaType,
    ) -> Result<UploadedMedia> {
        let token = URL_SAFE_NO_PAD.encode(info.file_enc_sha256);
        let state = self.media_state();
        let mut last = Error::InvalidState("no media host".into());
        for attempt in 0..2 {
            let conn = self.media_conn(attempt > 0).await?;
            let mut auth_refused = false;
            for host in &conn.hosts {
                let url = Url::parse(&format!(
                    "https://{host}{}/{token}?auth={}&token={token}",
                    media_type.upload_path(),
                    super::query_escape(&conn.auth),
                ))?;
                let body = spooled.body().await?;
                let headers = [("Content-Type", "application/octet-stream".to_owned())];
                let mut resp = match state.http.request(Method::POST, &url, body, &headers).await {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::debug!(host, error = %e, "media upload failed");
                        last = e;
                        continue;
                    }
                };
                let status = resp.status();
                let answer = http::read_all(resp.body_mut(), state.http.timeout(), 64 * 1024).await;
                if http::is_auth_failure(status) {
                    auth_refused = true;
                    last = server_error(status, "upload auth refused");
                    break;
                }
                if !status.is_success() {
                    last = server_error(status, "upload refused");
                    continue;
                }
                let answer = answer?;
                let json: serde_json::Value = serde_json::from_slice(&answer)
                    .map_err(|_| Error::InvalidValue("upload answer is not JSON".into()))?;
                let field = |k: &str| json.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                let direct_path = field("direct_path").ok_or_else(|| {
                    Error::InvalidValue("upload answer has no direct_path".into())
                })?;
                let url = field("url").unwrap_or_else(|| format!("https://{host}{direct_path}"));
                return Ok(UploadedMedia {
                    media_type,
                    url,
                    direct_path,
                    media_key: info.media_key,
                    file_sha256: info.file_sha256,
                    file_enc_sha256: info.file_enc_sha256,
                    file_length: info.file_length,
                });
            }
            if !auth_refused {
                break;
            }
        }
        Err(last)
    }
}

fn server_error(status: hyper::StatusCode, text: &str) -> Error {
    Error::Server {
        code: status.as_u16(),
        text: text.to_owned(),
    }
}
