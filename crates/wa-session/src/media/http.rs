//! A small HTTPS/1.1 client for the media servers: one connection per
//! request (hyper's connection API over tokio-rustls), trusting the public
//! web roots plus an optional extra CA, with a timeout on the connect and
//! response head and an idle timeout on the body.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::{Error, Result};

/// A request body: bytes in memory or a stream.
pub(crate) type Body = UnsyncBoxBody<Bytes, std::io::Error>;

/// A parsed `http(s)://host[:port]/path?query` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Url {
    pub(crate) tls: bool,
    /// Host without port.
    pub(crate) host: String,
    pub(crate) port: u16,
    /// Path and query, starting with `/`.
    pub(crate) path: String,
}

impl Url {
    /// Parses an absolute URL; only `https` and `http` are accepted.
    pub(crate) fn parse(url: &str) -> Result<Url> {
        let bad = || Error::InvalidValue("media URL is not http(s)://host/path".into());
        let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(bad());
        };
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        let default_port = if tls { 443 } else { 80 };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h, p.parse::<u16>().map_err(|_| bad())?),
            _ => (authority, default_port),
        };
        if host.is_empty() {
            return Err(bad());
        }
        let path = match path {
            "" => "/".to_owned(),
            p if p.starts_with('?') => format!("/{p}"),
            p => p.to_owned(),
        };
        Ok(Url {
            tls,
            host: host.to_owned(),
            port,
            path,
        })
    }

    fn authority(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// The HTTP client of one session.
#[derive(Clone)]
pub(crate) struct HttpClient {
    tls: TlsConnector,
    timeout: Duration,
    /// `Options::proxy`: media goes through the same `CONNECT` proxy as
    /// the chat connection.
    proxy: Option<Arc<crate::client::proxy::Proxy>>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

fn tls_error(e: impl std::fmt::Display) -> Error {
    Error::Connection(format!("media TLS: {e}"))
}

impl HttpClient {
    /// A client trusting the web roots and the certificates in
    /// `extra_ca_pem`, connecting through `proxy` if given.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if `extra_ca_pem` holds no valid certificate;
    /// [`Error::Connection`] for a proxy URL that does not parse.
    pub(crate) fn new(
        extra_ca_pem: Option<&str>,
        timeout: Duration,
        proxy: Option<&str>,
    ) -> Result<HttpClient> {
        let proxy = proxy
            .map(crate::client::proxy::Proxy::parse)
            .transpose()?
            .map(Arc::new);
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(pem) = extra_ca_pem {
            let mut added = 0;
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let cert = cert.map_err(|e| Error::InvalidValue(format!("media CA PEM: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| Error::InvalidValue(format!("media CA certificate: {e}")))?;
                added += 1;
            }
            if added == 0 {
                return Err(Error::InvalidValue(
                    "media CA PEM holds no certificate".into(),
                ));
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(HttpClient {
            tls: TlsConnector::from(Arc::new(config)),
            timeout,
            proxy,
        })
    }

    /// The idle timeout between body pieces.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends one request and returns the response head with its streaming
    /// body. The connect, TLS handshake and response head must complete
    /// within the timeout.
    pub(crate) async fn request(
        &self,
        method: Method,
        url: &Url,
        body: Body,
        headers: &[(&'static str, String)],
    ) -> Result<Response<Incoming>> {
        tokio::time::timeout(self.timeout, self.request_inner(method, url, body, headers))
            .await
            .map_err(|_| Error::Timeout("media request"))?
    }

    async fn request_inner(
        &self,
        method: Method,
        url: &Url,
        body: Body,
        headers: &[(&'static str, String)],
    ) -> Result<Response<Incoming>> {
        let conn_err = |e: std::io::Error| Error::Connection(format!("media {}: {e}", url.host));
        let tcp = match &self.proxy {
            Some(p) => {
                let scheme = if url.tls { "https" } else { "http" };
                p.tunnel(&format!("{scheme}://{}/", url.authority()))
                    .await?
            }
            None => TcpStream::connect((url.host.as_str(), url.port))
                .await
                .map_err(conn_err)?,
        };
        let _ = tcp.set_nodelay(true);
        let mut builder = Request::builder()
            .method(method)
            .uri(url.path.as_str())
            .header(hyper::header::HOST, url.authority())
            .header(hyper::header::USER_AGENT, "wa-session")
            .header("Origin", "https://web.whatsapp.com");
        for (k, v) in headers {
            builder = builder.header(*k, v.as_str());
        }
        let req = builder
            .body(body)
            .map_err(|e| Error::InvalidValue(format!("media request: {e}")))?;
        if url.tls {
            let name = ServerName::try_from(url.host.clone())
                .map_err(|e| Error::InvalidValue(format!("media host: {e}")))?;
            let stream = self.tls.connect(name, tcp).await.map_err(conn_err)?;
            send(TokioIo::new(stream), req).await
        } else {
            send(TokioIo::new(tcp), req).await
        }
    }
}

async fn send<T>(io: T, req: Request<Body>) -> Result<Response<Incoming>>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let http_err = |e: hyper::Error| Error::Connection(format!("media HTTP: {e}"));
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(http_err)?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "media connection ended");
        }
    });
    sender.send_request(req).await.map_err(http_err)
}

/// Whether a status means the upload auth is no longer valid.
pub(crate) fn is_auth_failure(status: StatusCode) -> bool {
    matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
}

/// The next piece of a response body, within the idle timeout; `None` at
/// the end.
pub(crate) async fn next_chunk(body: &mut Incoming, idle: Duration) -> Result<Option<Bytes>> {
    loop {
        let frame = tokio::time::timeout(idle, body.frame())
            .await
            .map_err(|_| Error::Timeout("media body"))?;
        match frame {
            None => return Ok(None),
            Some(Err(e)) => return Err(Error::Connection(format!("media body: {e}"))),
            Some(Ok(f)) => {
                if let Ok(data) = f.into_data() {
                    return Ok(Some(data));
                }
            }
        }
    }
}

/// Reads a whole (small) response body, at most `limit` bytes.
pub(crate) async fn read_all(body: &mut Incoming, idle: Duration, limit: u64) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = next_chunk(body, idle).await? {
        if (out.len() + chunk.len()) as u64 > limit {
            return Err(Error::InvalidValue("media response too large".into()));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// A body holding `bytes`.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    http_body_util::Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// A body streaming a file from its start, 64 KiB at a time.
pub(crate) fn file_body(file: tokio::fs::File) -> Body {
    use futures_util::StreamExt as _;
    use tokio::io::AsyncReadExt as _;
    let stream = futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(hyper::body::Frame::data(Bytes::from(buf))), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    BodyExt::boxed_unsync(http_body_util::StreamBody::new(stream.boxed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = Url::parse("https://127.0.0.1:9443/v/t62/ab.enc?ccb=1").unwrap_or_else(|_| Url {
            tls: false,
            host: String::new(),
            port: 0,
            path: String::new(),
        });
        assert_eq!(
            u,
            Url {
                tls: true,
                host: "127.0.0.1".into(),
                port: 9443,
                path: "/v/t62/ab.enc?ccb=1".into()
            }
        );
        let u = Url::parse("https://mmg.whatsapp.net?x=1").ok();
        assert_eq!(u.map(|u| (u.port, u.path)), Some((443, "/?x=1".into())));
        assert!(Url::parse("ftp://x/y").is_err());
        assert!(Url::parse("https://:1/").is_err());
        assert!(Url::parse("https://h:99999/").is_err());
    }
}
