//! The sim's media server: encrypted blobs uploaded by clients (and by
//! virtual phones), addressed by their `fileEncSha256`, served back over
//! HTTP(S) on the sim's own port.
//!
//! | module | owns |
//! |---|---|
//! | this file | [`MediaStore`]: the blob table, its memory bound, `--data` files, the auth token, URL shapes |
//! | [`http`] | the routes `POST /mms/{type}/{token}` (upload), `GET /mms/...` and `GET /v/...` (download) |
//!
//! Blobs are opaque to the server (it cannot decrypt them); it only checks
//! that an upload's SHA-256 matches the token in its path. A download path
//! looks like the real server's: `/v/t62.7118-24/<hex fileEncSha256>.enc?ccb=11-4&oh=01_sim&oe=<hex>`.

pub mod http;

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;

use axum::body::Bytes;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt;
use sha2::{Digest, Sha256};

/// Largest accepted upload (bytes).
pub const MAX_BLOB: usize = 64 << 20;
/// Bytes of blobs kept in memory; older blobs are evicted first (with
/// `--data` they stay readable from disk).
pub const MEMORY_BUDGET: usize = 256 << 20;
/// Seconds a `media_conn` answer stays valid (`ttl`).
pub const MEDIA_CONN_TTL: u64 = 300;
/// Seconds the upload auth token stays valid (`auth_ttl`).
pub const MEDIA_AUTH_TTL: u64 = 21_600;
/// The path prefix of download paths (the real server's image bucket).
pub const DIRECT_PATH_PREFIX: &str = "/v/t62.7118-24/";

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// The `auth` query parameter is not the current `media_conn` token.
    #[error("bad or missing auth token")]
    Unauthorized,
    /// The path token is not a base64url SHA-256, or `token=` differs from it.
    #[error("bad upload token")]
    BadToken,
    /// The body's SHA-256 is not the path token.
    #[error("body hash does not match the upload token")]
    HashMismatch,
    /// The body is larger than [`MAX_BLOB`].
    #[error("blob too large")]
    TooLarge,
}

/// Where an upload can be fetched.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Uploaded {
    /// `https://HOST:PORT{direct_path}`.
    pub url: String,
    /// The path a client stores as `directPath`.
    pub direct_path: String,
}

#[derive(Clone)]
struct Blob {
    data: Bytes,
    mms_type: String,
}

/// The blob table.
pub struct MediaStore {
    auth: String,
    blobs: HashMap<[u8; 32], Blob>,
    order: VecDeque<[u8; 32]>,
    bytes: usize,
    budget: usize,
    dir: Option<PathBuf>,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStore")
            .field("blobs", &self.blobs.len())
            .field("bytes", &self.bytes)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl MediaStore {
    /// An empty in-memory store with a random auth token.
    pub fn new<R: rand::Rng + ?Sized>(rng: &mut R) -> MediaStore {
        let token: [u8; 24] = rng.random();
        MediaStore {
            auth: URL_SAFE_NO_PAD.encode(token),
            blobs: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            budget: MEMORY_BUDGET,
            dir: None,
        }
    }

    /// Persists blobs under `dir/media/` and keeps the auth token in
    /// `dir/media/auth` (so clients' cached `media_conn` survive restarts).
    pub fn persist_to(&mut self, dir: PathBuf) -> std::io::Result<()> {
        let dir = dir.join("media");
        std::fs::create_dir_all(&dir)?;
        let auth_file = dir.join("auth");
        match std::fs::read_to_string(&auth_file) {
            Ok(a) if !a.trim().is_empty() => self.auth = a.trim().to_owned(),
            _ => std::fs::write(&auth_file, &self.auth)?,
        }
        self.dir = Some(dir);
        Ok(())
    }

    /// Replaces the auth token with a fresh one, as when the real server's
    /// token expires: uploads with the old token get `401` (tests).
    pub fn rotate_auth<R: rand::Rng + ?Sized>(&mut self, rng: &mut R) {
        let token: [u8; 24] = rng.random();
        self.auth = URL_SAFE_NO_PAD.encode(token);
    }

    /// Sets the memory bound (tests).
    pub fn set_budget(&mut self, bytes: usize) {
        self.budget = bytes;
        self.evict();
    }

    /// The `media_conn` auth token uploads must carry.
    pub fn auth(&self) -> &str {
        &self.auth
    }

    /// Number of blobs held in memory.
    pub fn len(&self) -> usize {
        self.blobs.len()
    }

    /// Whether no blob is held in memory.
    pub fn is_empty(&self) -> bool {
        self.blobs.is_empty()
    }

    /// Checks an upload (auth, token, hash, size) without storing it; the
    /// hash is the expensive part, so callers run this outside the world
    /// lock and then [`insert`](Self::insert).
    pub fn check_upload(
        auth: &str,
        expected_auth: &str,
        path_token: &str,
        query_token: Option<&str>,
        body: &[u8],
    ) -> Result<[u8; 32], UploadError> {
        if auth != expected_auth {
            return Err(UploadError::Unauthorized);
        }
        if query_token.is_some_and(|t| t != path_token) {
            return Err(UploadError::BadToken);
        }
        let token = decode_token(path_token).ok_or(UploadError::BadToken)?;
        if body.len() > MAX_BLOB {
            return Err(UploadError::TooLarge);
        }
        if sha256(body) != token {
            return Err(UploadError::HashMismatch);
        }
        Ok(token)
    }

    /// Stores a blob whose SHA-256 is `key` (already checked) and returns
    /// where it can be downloaded from `host`.
    pub fn insert(&mut self, key: [u8; 32], mms_type: &str, data: Bytes, host: &str) -> Uploaded {
        if let Some(dir) = &self.dir
            && let Err(e) = std::fs::write(dir.join(hex::encode(key)), &data)
        {
            tracing::warn!(error = %e, "could not persist a media blob");
        }
        if !self.blobs.contains_key(&key) {
            self.bytes += data.len();
            self.order.push_back(key);
        }
        self.blobs.insert(
            key,
            Blob {
                data,
                mms_type: mms_type.to_owned(),
            },
        );
        self.evict();
        uploaded(host, &key)
    }

    /// Stores bytes the sim itself produced (a virtual phone's upload).
    pub fn insert_own(&mut self, mms_type: &str, data: Vec<u8>, host: &str) -> Uploaded {
        let key = sha256(&data);
        self.insert(key, mms_type, Bytes::from(data), host)
    }

    /// The blob with SHA-256 `key`, from memory or from `--data`.
    pub fn get(&self, key: &[u8; 32]) -> Option<Bytes> {
        if let Some(b) = self.blobs.get(key) {
            return Some(b.data.clone());
        }
        let dir = self.dir.as_ref()?;
        std::fs::read(dir.join(hex::encode(key)))
            .ok()
            .map(Bytes::from)
    }

    /// The MMS type a blob was uploaded as (`image`, `video`, ...), if in memory.
    pub fn mms_type(&self, key: &[u8; 32]) -> Option<&str> {
        self.blobs.get(key).map(|b| b.mms_type.as_str())
    }

    /// The blob a download URL or path names (`https://host/v/...`,
    /// `/v/...`, `/mms/{type}/{token}`).
    pub fn get_by_url(&self, url_or_path: &str) -> Option<Bytes> {
        self.get(&key_from_path(url_or_path)?)
    }

    fn evict(&mut self) {
        while self.bytes > self.budget {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(b) = self.blobs.remove(&old) {
                self.bytes = self.bytes.saturating_sub(b.data.len());
            }
        }
    }
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Decodes an upload token (unpadded base64url of 32 bytes; padding and
/// the standard alphabet are tolerated).
pub fn decode_token(token: &str) -> Option<[u8; 32]> {
    let t = token
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_");
    URL_SAFE_NO_PAD.decode(t).ok()?.try_into().ok()
}

/// The download location of blob `key` on `host`.
pub fn uploaded(host: &str, key: &[u8; 32]) -> Uploaded {
    let direct_path = format!(
        "{DIRECT_PATH_PREFIX}{}.enc?ccb=11-4&oh=01_sim&oe=7FFFFFFF&_nc_sid=5e03e0&mms3=true",
        hex::encode(key)
    );
    Uploaded {
        url: format!("https://{host}{direct_path}"),
        direct_path,
    }
}

/// The blob key a download URL or path names.
pub fn key_from_path(url_or_path: &str) -> Option<[u8; 32]> {
    let path = match url_or_path.split_once("://") {
        Some((_, rest)) => rest.find('/').and_then(|i| rest.get(i..))?,
        None => url_or_path,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if let Some(rest) = path.strip_prefix("/mms/") {
        let (_, token) = rest.split_once('/')?;
        return decode_token(token);
    }
    let name = path.strip_prefix("/v/")?.rsplit('/').next()?;
    let name = name.strip_suffix(".enc").unwrap_or(name);
    hex::decode(name).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_checks_auth_token_and_hash() {
        let body = b"ciphertext and mac";
        let token = URL_SAFE_NO_PAD.encode(sha256(body));
        assert_eq!(
            MediaStore::check_upload("a", "a", &token, Some(&token), body),
            Ok(sha256(body))
        );
        assert_eq!(
            MediaStore::check_upload("b", "a", &token, None, body),
            Err(UploadError::Unauthorized)
        );
        assert_eq!(
            MediaStore::check_upload("a", "a", &token, Some("x"), body),
            Err(UploadError::BadToken)
        );
        assert_eq!(
            MediaStore::check_upload("a", "a", &token, None, b"other"),
            Err(UploadError::HashMismatch)
        );
        assert_eq!(
            MediaStore::check_upload("a", "a", "short", None, body),
            Err(UploadError::BadToken)
        );
    }

    #[test]
    fn urls_and_paths_name_the_blob() {
        let mut rng = rand::rng();
        let mut store = MediaStore::new(&mut rng);
        let up = store.insert_own("image", b"blob".to_vec(), "127.0.0.1:9");
        assert!(up.url.starts_with("https://127.0.0.1:9/v/"));
        assert_eq!(store.get_by_url(&up.url).as_deref(), Some(&b"blob"[..]));
        assert_eq!(
            store.get_by_url(&up.direct_path).as_deref(),
            Some(&b"blob"[..])
        );
        let mms = format!("/mms/image/{}", URL_SAFE_NO_PAD.encode(sha256(b"blob")));
        assert_eq!(store.get_by_url(&mms).as_deref(), Some(&b"blob"[..]));
        assert!(store.get_by_url("/v/t62/00.enc").is_none());
    }

    #[test]
    fn memory_is_bounded_oldest_first() {
        let mut rng = rand::rng();
        let mut store = MediaStore::new(&mut rng);
        store.set_budget(10);
        let a = store.insert_own("image", vec![1; 6], "h");
        let b = store.insert_own("image", vec![2; 6], "h");
        assert!(store.get_by_url(&a.url).is_none());
        assert_eq!(store.get_by_url(&b.url).map(|b| b.len()), Some(6));
        assert_eq!(store.len(), 1);
    }
}
