//! The accept loop: plain and TLS connections on one port.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// First byte of a TLS record carrying a handshake (the ClientHello).
const TLS_HANDSHAKE: u8 = 0x16;
/// Time a client has to send its first byte / finish the TLS handshake.
const FIRST_BYTES_TIMEOUT: Duration = Duration::from_secs(20);

/// Accepts connections until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Arc<rustls::ServerConfig>,
    mut shutdown: watch::Receiver<bool>,
) {
    let acceptor = TlsAcceptor::from(tls);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                tokio::spawn(handle(stream, router.clone(), acceptor.clone()));
            }
            _ = shutdown.changed() => break,
        }
    }
}

async fn handle(stream: TcpStream, router: Router, acceptor: TlsAcceptor) {
    let mut first = [0u8; 1];
    let peeked = tokio::time::timeout(FIRST_BYTES_TIMEOUT, stream.peek(&mut first)).await;
    if !matches!(peeked, Ok(Ok(1))) {
        return;
    }
    if first[0] == TLS_HANDSHAKE {
        let Ok(Ok(tls)) = tokio::time::timeout(FIRST_BYTES_TIMEOUT, acceptor.accept(stream)).await
        else {
            return;
        };
        serve_http(TokioIo::new(tls), router).await;
    } else {
        serve_http(TokioIo::new(stream), router).await;
    }
}

async fn serve_http<I>(io: TokioIo<I>, router: Router)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = TowerToHyperService::new(router);
    let _ = hyper::server::conn::http1::Builder::new()
        .max_buf_size(64 * 1024)
        .serve_connection(io, service)
        .with_upgrades()
        .await;
}
