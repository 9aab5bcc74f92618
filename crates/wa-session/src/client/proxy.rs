//! Reaching the chat server through an HTTP `CONNECT` proxy
//! (`http://[user:password@]host:port`): a tunnel is opened to the server's
//! host and port, then TLS (for `wss://`) and the websocket run inside it.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::{Error, Result};

/// The longest proxy response head we read.
const MAX_HEAD: usize = 8 * 1024;

/// A parsed proxy URL.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Proxy {
    pub(crate) addr: String,
    pub(crate) auth: Option<String>,
}

fn bad(what: &str) -> Error {
    Error::Connection(format!("proxy: {what}"))
}

impl Proxy {
    /// Parses `http://[user:password@]host:port`.
    pub(crate) fn parse(url: &str) -> Result<Proxy> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| bad("only http:// proxies are supported"))?;
        let rest = rest.trim_end_matches('/');
        let (auth, addr) = match rest.rsplit_once('@') {
            Some((creds, addr)) => (Some(creds.to_owned()), addr),
            None => (None, rest),
        };
        if addr.is_empty() || !addr.contains(':') {
            return Err(bad("expected host:port"));
        }
        Ok(Proxy {
            addr: addr.to_owned(),
            auth,
        })
    }

    /// Opens a tunnel to the host and port of the websocket `url`.
    pub(crate) async fn tunnel(&self, url: &str) -> Result<TcpStream> {
        let req = url
            .into_client_request()
            .map_err(|e| Error::Connection(e.to_string()))?;
        let uri = req.uri();
        let host = uri.host().ok_or_else(|| bad("server URL without host"))?;
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("wss") | Some("https") => 443,
            _ => 80,
        });
        let target = format!("{host}:{port}");
        let mut tcp = TcpStream::connect(&self.addr)
            .await
            .map_err(|e| Error::Connection(format!("proxy {}: {e}", self.addr)))?;
        let mut head = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(auth) = &self.auth {
            use base64::Engine as _;
            let token = base64::engine::general_purpose::STANDARD.encode(auth);
            head.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
        }
        head.push_str("\r\n");
        tcp.write_all(head.as_bytes())
            .await
            .map_err(|e| Error::Connection(e.to_string()))?;
        // Read byte by byte up to the blank line: nothing of the tunnel's
        // payload may be consumed here.
        let mut resp = Vec::new();
        while !resp.ends_with(b"\r\n\r\n") {
            if resp.len() >= MAX_HEAD {
                return Err(bad("response head too long"));
            }
            let b = tcp
                .read_u8()
                .await
                .map_err(|e| Error::Connection(format!("proxy closed: {e}")))?;
            resp.push(b);
        }
        let status_line = String::from_utf8_lossy(&resp);
        let status = status_line.split_whitespace().nth(1).unwrap_or_default();
        if status != "200" {
            let line = status_line.lines().next().unwrap_or_default().to_owned();
            return Err(Error::Connection(format!(
                "proxy refused the tunnel: {line}"
            )));
        }
        Ok(tcp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proxy_urls() {
        assert_eq!(
            Proxy::parse("http://user:pw@10.0.0.1:3128/").ok(),
            Some(Proxy {
                addr: "10.0.0.1:3128".into(),
                auth: Some("user:pw".into())
            })
        );
        assert_eq!(
            Proxy::parse("http://proxy:8080").ok().map(|p| p.auth),
            Some(None)
        );
        assert!(Proxy::parse("socks5://proxy:1080").is_err());
        assert!(Proxy::parse("http://proxy").is_err());
    }
}
