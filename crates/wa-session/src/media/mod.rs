//! Media transfer: where to upload (`media_conn`), encrypted uploads and
//! authenticated downloads of attachments and history-sync blobs.
//!
//! ```text
//! upload:   plaintext ─► MediaEncryptor (memory or a temp file) ─► POST https://{host}/mms/{type}/{b64url fileEncSha256}?auth=…
//!           ─► {url, direct_path} + media key and hashes ─► a media message (crate::message)
//! download: url, then https://{host}{directPath}&hash=…&mms-type=… ─► fileEncSha256 + MAC checked
//!           ─► plaintext (in memory, or streamed after a spooled first pass) ─► fileSha256 checked
//! ```
//!
//! The crypto is `wa_proto::media`; this module adds the IO around it.
//!
//! | module | owns |
//! |---|---|
//! | this file | `MediaState` (HTTP client + `media_conn` cache), [`MediaConn`] and its fetch |
//! | `http` | the HTTPS/1.1 client (hyper over tokio-rustls, extra CA, timeouts) |
//! | [`upload`] | [`crate::Client::upload_media`], [`crate::Client::upload_media_reader`], [`UploadedMedia`] |
//! | [`download`] | [`MediaRef`], [`crate::Client::download_media`] and its streaming variant |
//!
//! Facts from whatsmeow `mediaconn.go`, `upload.go`, `download.go` and
//! Baileys `Utils/messages-media.js`.

pub mod download;
pub(crate) mod http;
pub mod upload;

use std::time::{Duration, Instant};

use wa_proto::binary::Node;

pub use download::MediaRef;
pub use upload::UploadedMedia;
pub use wa_proto::media::MediaType;

use crate::client::Client;
use crate::client::options::Options;
use crate::{Error, Result};

/// The answer to a `media_conn` query: the upload auth token and the media
/// hosts, valid for `ttl` after it was fetched.
#[derive(Clone)]
pub struct MediaConn {
    /// Upload auth token (`auth` query parameter).
    pub auth: String,
    /// How long the host list is valid.
    pub ttl: Duration,
    /// How long the auth token is valid.
    pub auth_ttl: Duration,
    /// Media hostnames (`host[:port]`), in the order to try them.
    pub hosts: Vec<String>,
    /// When it was fetched.
    pub fetched_at: Instant,
}

impl std::fmt::Debug for MediaConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaConn")
            .field("ttl", &self.ttl)
            .field("hosts", &self.hosts)
            .finish_non_exhaustive()
    }
}

impl MediaConn {
    /// Parses the `<iq>` answer holding `<media_conn auth ttl auth_ttl><host hostname/>…</media_conn>`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when `auth` or every host is missing.
    pub fn parse(answer: &Node, now: Instant) -> Result<MediaConn> {
        let bad = |what: &str| Error::InvalidValue(format!("media_conn answer: {what}"));
        let conn = answer
            .child("media_conn")
            .ok_or_else(|| bad("no <media_conn>"))?;
        let auth = conn
            .attr_text("auth")
            .filter(|a| !a.is_empty())
            .ok_or_else(|| bad("no auth"))?
            .into_owned();
        let secs =
            |k: &str, default: u64| Duration::from_secs(conn.attr_parse(k).unwrap_or(default));
        let hosts: Vec<String> = conn
            .children_by_tag("host")
            .filter_map(|h| h.attr_text("hostname").map(|s| s.into_owned()))
            .filter(|h| !h.is_empty())
            .collect();
        if hosts.is_empty() {
            return Err(bad("no host"));
        }
        Ok(MediaConn {
            auth,
            ttl: secs("ttl", 300),
            auth_ttl: secs("auth_ttl", 300),
            hosts,
            fetched_at: now,
        })
    }

    /// Whether the answer (hosts or auth) has expired at `now`.
    pub fn expired(&self, now: Instant) -> bool {
        now.duration_since(self.fetched_at) >= self.ttl.min(self.auth_ttl)
    }
}

/// Per-session media state: the HTTP client and the cached `media_conn`.
pub(crate) struct MediaState {
    pub(crate) http: http::HttpClient,
    pub(crate) max_bytes: u64,
    conn: tokio::sync::Mutex<Option<MediaConn>>,
}

impl std::fmt::Debug for MediaState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaState")
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl MediaState {
    /// Builds the state from the client options.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for an unusable `media_ca_pem`,
    /// [`Error::Connection`] for an unusable `proxy`.
    pub(crate) fn new(opts: &Options) -> Result<MediaState> {
        Ok(MediaState {
            http: http::HttpClient::new(
                opts.media_ca_pem.as_deref(),
                opts.media_timeout,
                opts.proxy.as_deref(),
            )?,
            max_bytes: opts.media_max_bytes,
            conn: tokio::sync::Mutex::new(None),
        })
    }
}

impl Client {
    /// The media hosts and upload token, from the cache while it is valid;
    /// `refresh` forces a new query (after an upload was refused).
    ///
    /// # Errors
    /// IQ errors ([`Error::NotConnected`], [`Error::Timeout`],
    /// [`Error::Server`]); [`Error::InvalidValue`] for an unusable answer.
    pub async fn media_conn(&self, refresh: bool) -> Result<MediaConn> {
        let state = self.media_state();
        let mut cached = state.conn.lock().await;
        if !refresh
            && let Some(c) = cached.as_ref()
            && !c.expired(Instant::now())
        {
            return Ok(c.clone());
        }
        let iq = Node::new("iq")
            .with_attr("xmlns", "w:m")
            .with_attr("type", "set")
            .with_attr("to", crate::client::server_jid())
            .with_child(Node::new("media_conn"));
        let answer = self.iq(iq).await?;
        let conn = MediaConn::parse(&answer, Instant::now())?;
        *cached = Some(conn.clone());
        Ok(conn)
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_media_conn_and_expires() {
        let answer = Node::new("iq").with_child(
            Node::new("media_conn")
                .with_attr("auth", "tok")
                .with_attr("ttl", "10")
                .with_attr("auth_ttl", "5")
                .with_children([
                    Node::new("host").with_attr("hostname", "a.example:1"),
                    Node::new("host").with_attr("hostname", "b.example"),
                ]),
        );
        let t0 = Instant::now();
        let c = MediaConn::parse(&answer, t0).ok();
        let c = c.as_ref();
        assert_eq!(c.map(|c| c.auth.as_str()), Some("tok"));
        assert_eq!(
            c.map(|c| c.hosts.clone()),
            Some(vec!["a.example:1".to_owned(), "b.example".to_owned()])
        );
        assert_eq!(
            c.map(|c| c.expired(t0 + Duration::from_secs(4))),
            Some(false)
        );
        assert_eq!(
            c.map(|c| c.expired(t0 + Duration::from_secs(5))),
            Some(true)
        );
        let no_host = Node::new("iq").with_child(Node::new("media_conn").with_attr("auth", "x"));
        assert!(MediaConn::parse(&no_host, t0).is_err());
    }

    #[test]
    fn escapes_query_values() {
        assert_eq!(query_escape("a+b/c=_-"), "a%2Bb%2Fc%3D_-");
    }
}
