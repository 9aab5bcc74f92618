//! The `MessageMediaFromURL` downloader: fetches a caller-given URL for the
//! gateway to send as media, without becoming a proxy into the gateway's
//! own network (SSRF).
//!
//! Rules:
//! - only `http` and `https` URLs;
//! - the host is resolved here and EVERY resolved address must be public:
//!   loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
//!   (169.254/16, fe80::/10), unspecified, "this network" (0/8), CGNAT
//!   (100.64/10), multicast, broadcast, reserved (240/4), site-local
//!   (fec0::/10) and the IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms
//!   of refused IPv4 addresses are refused, unless `ALLOW_PRIVATE_MEDIA_URLS`;
//! - the connection goes to the checked address only (the name is pinned to
//!   it, so a second DNS answer cannot differ);
//! - redirects are followed by hand, at most [`MAX_REDIRECTS`], each target
//!   checked the same way;
//! - the body is streamed and abandoned beyond `MAX_ATTACHMENT_SIZE`;
//! - [`CONNECT_TIMEOUT`] per connection, [`TOTAL_TIMEOUT`] for everything.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::Url;

use crate::config::Config;
use crate::error::ApiError;

/// Redirects followed at most.
pub const MAX_REDIRECTS: usize = 5;
/// Timeout of one TCP/TLS connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Timeout of the whole download, redirects included.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(60);

/// A downloaded file.
#[derive(Debug, Clone)]
pub struct Downloaded {
    /// The bytes.
    pub data: Vec<u8>,
    /// The `Content-Type` without parameters (`application/octet-stream`
    /// when absent).
    pub mimetype: String,
    /// The last segment of the final URL's path, if any.
    pub filename: Option<String>,
}

fn refused_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || o[0] == 0
        || o[0] >= 240
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
}

fn refused_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return refused_v4(v4);
    }
    // IPv4-compatible (::a.b.c.d, deprecated), NAT64 (64:ff9b::/96).
    let embedded_low = Ipv4Addr::new(
        (s[6] >> 8) as u8,
        (s[6] & 0xff) as u8,
        (s[7] >> 8) as u8,
        (s[7] & 0xff) as u8,
    );
    if s[..6] == [0, 0, 0, 0, 0, 0] && !ip.is_loopback() && !ip.is_unspecified() {
        return refused_v4(embedded_low);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return refused_v4(embedded_low);
    }
    // 6to4 (2002:a.b.c.d::/48).
    if s[0] == 0x2002 {
        let v4 = Ipv4Addr::new(
            (s[1] >> 8) as u8,
            (s[1] & 0xff) as u8,
            (s[2] >> 8) as u8,
            (s[2] & 0xff) as u8,
        );
        if refused_v4(v4) {
            return true;
        }
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
}

/// Whether a media URL may not point at `ip` (see the module rules).
pub fn is_refused(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => refused_v6(v6),
    }
}

fn content_err(what: impl std::fmt::Display) -> ApiError {
    ApiError::field("content", what)
}

/// The address to connect to for `url`: resolved, and checked unless
/// private addresses are allowed.
async fn checked_address(url: &Url, allow_private: bool) -> Result<SocketAddr, ApiError> {
    let host = url
        .host_str()
        .ok_or_else(|| content_err("the URL has no host"))?;
    let port = url
        .port_or_known_default()
        .ok_or_else(|| content_err("the URL has no port"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| ApiError::Timeout(format!("resolving {host}")))?
            .map_err(|e| content_err(format!("cannot resolve {host}: {e}")))?
            .collect(),
    };
    let first = *addrs
        .first()
        .ok_or_else(|| content_err(format!("{host} has no address")))?;
    if !allow_private && let Some(bad) = addrs.iter().find(|a| is_refused(a.ip())) {
        return Err(content_err(format!(
            "the URL's host {host} resolves to {}, a loopback, private, link-local or reserved address (set ALLOW_PRIVATE_MEDIA_URLS=true to allow)",
            bad.ip()
        )));
    }
    Ok(first)
}

fn parse_url(s: &str) -> Result<Url, ApiError> {
    let url = Url::parse(s.trim()).map_err(|e| content_err(format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(content_err("only http and https URLs can be fetched"));
    }
    Ok(url)
}

fn filename_of(url: &Url) -> Option<String> {
    url.path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_decode(s)
                .replace(['/', '\\', '\0'], "_")
                .chars()
                .take(200)
                .collect()
        })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|c| (*c as char).to_digit(16)),
                b.get(i + 2).and_then(|c| (*c as char).to_digit(16)),
            )
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn net_err(e: &reqwest::Error, url: &Url) -> ApiError {
    if e.is_timeout() {
        ApiError::Timeout(format!("fetching {url}"))
    } else {
        ApiError::BadGateway(format!("content: fetching {url} failed: {e}"))
    }
}

async fn fetch_inner(config: &Config, start: &str) -> Result<Downloaded, ApiError> {
    let cap = config.max_attachment_size;
    let mut url = parse_url(start)?;
    for _ in 0..=MAX_REDIRECTS {
        let addr = checked_address(&url, config.allow_private_media_urls).await?;
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            .no_proxy();
        if let Some(domain) = url.domain() {
            builder = builder.resolve(domain, addr);
        }
        let http = builder
            .build()
            .map_err(|e| ApiError::Internal(format!("HTTP client: {e}")))?;
        let mut resp = http
            .get(url.clone())
            .send()
            .await
            .map_err(|e| net_err(&e, &url))?;
        let status = resp.status();
        if status.is_redirection() {
            let loc = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    ApiError::BadGateway(format!("content: {url} redirected without a Location"))
                })?;
            url = url
                .join(loc)
                .map_err(|e| content_err(format!("bad redirect target {loc:?}: {e}")))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(content_err("redirected to a non-http URL"));
            }
            continue;
        }
        if !status.is_success() {
            return Err(ApiError::BadGateway(format!(
                "content: {url} answered {status}"
            )));
        }
        if let Some(len) = resp.content_length()
            && len > cap as u64
        {
            return Err(content_err(format!(
                "the file ({len} bytes) exceeds MAX_ATTACHMENT_SIZE ({cap} bytes)"
            )));
        }
        let mimetype = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| v.contains('/'))
            .unwrap_or_else(|| "application/octet-stream".to_owned());
        let mut data = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| net_err(&e, &url))? {
            if data.len() + chunk.len() > cap {
                return Err(content_err(format!(
                    "the file exceeds MAX_ATTACHMENT_SIZE ({cap} bytes)"
                )));
            }
            data.extend_from_slice(&chunk);
        }
        return Ok(Downloaded {
            data,
            mimetype,
            filename: filename_of(&url),
        });
    }
    Err(content_err(format!("more than {MAX_REDIRECTS} redirects")))
}

/// Downloads `url` under the module's rules.
///
/// # Errors
/// 400 naming `content` for a bad or refused URL, too many redirects or a
/// file above `MAX_ATTACHMENT_SIZE`; 502 when the host fails or answers an
/// error status; 504 on timeout.
pub async fn fetch(config: &Config, url: &str) -> Result<Downloaded, ApiError> {
    tokio::time::timeout(TOTAL_TIMEOUT, fetch_inner(config, url))
        .await
        .map_err(|_| ApiError::Timeout(format!("fetching {url}")))?
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn refused(s: &str) -> bool {
        is_refused(s.parse().unwrap())
    }

    #[test]
    fn address_filter() {
        for bad in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:c0a8:101::1",
        ] {
            assert!(refused(bad), "{bad} must be refused");
        }
        for good in [
            "8.8.8.8",
            "1.1.1.1",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "192.169.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(!refused(good), "{good} must be allowed");
        }
    }

    #[test]
    fn names_and_schemes() {
        let u = Url::parse("https://h.example/a/b/photo%20one.jpg?x=1").unwrap();
        assert_eq!(filename_of(&u).as_deref(), Some("photo one.jpg"));
        let u = Url::parse("https://h.example/").unwrap();
        assert_eq!(filename_of(&u), None);
        assert!(parse_url("ftp://h.example/x").is_err());
        assert!(parse_url("file:///etc/passwd").is_err());
        assert!(parse_url("not a url").is_err());
        assert!(parse_url("https://h.example/x").unwrap().domain().is_some());
    }

    #[tokio::test]
    async fn literal_private_addresses_are_refused_before_connecting() {
        let c = Config::defaults("/nonexistent");
        for u in [
            "http://127.0.0.1:9/x.png",
            "http://[::1]:9/x",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost:9/x",
        ] {
            let e = fetch(&c, u).await.unwrap_err();
            assert!(matches!(e, ApiError::BadRequest(_)), "{u}: {e}");
            assert!(e.to_string().starts_with("content:"), "{e}");
        }
    }
}
