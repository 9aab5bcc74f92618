//! One websocket connection to the chat server: TCP/TLS, websocket upgrade,
//! the Noise handshake with the login or registration payload, then nodes
//! in and out through the Noise transport.
//!
//! [`Conn::recv`] is cancel-safe (the only await is the websocket read;
//! decrypted frames are queued before it returns), so the runner can use it
//! in `select!`.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use prost::Message as _;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use wa_proto::binary::{Node, decode, encode};
use wa_proto::keys::KeyPair;
use wa_proto::noise::{FramedClientHandshake, NoiseSocket, Step, TrustedRoot};
use wa_proto::proto::wa;

use crate::{Error, Result};

/// Initial capacity of the websocket read buffer (it grows for larger
/// messages).
const READ_BUFFER: usize = 8 * 1024;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An open, authenticated-by-Noise connection.
pub(crate) struct Conn {
    ws: Ws,
    socket: NoiseSocket,
    queue: VecDeque<Node>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("queued", &self.queue.len())
            .finish_non_exhaustive()
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn lost(e: impl std::fmt::Display) -> Error {
    Error::Connection(e.to_string())
}

impl Conn {
    /// Connects to `url`, runs the Noise handshake as `noise_key` trusting
    /// `root`, and sends `payload` (login or registration) in the final
    /// handshake message, through the HTTP `CONNECT` `proxy` if given.
    /// Everything must finish within `timeout`.
    pub(crate) async fn open(
        url: &str,
        noise_key: &KeyPair,
        root: &TrustedRoot,
        payload: &wa::ClientPayload,
        timeout: Duration,
        proxy: Option<&str>,
    ) -> Result<Conn> {
        tokio::time::timeout(
            timeout,
            Self::open_inner(url, noise_key, root, payload, proxy),
        )
        .await
        .map_err(|_| Error::Connection("connect timed out".into()))?
    }

    async fn open_inner(
        url: &str,
        noise_key: &KeyPair,
        root: &TrustedRoot,
        payload: &wa::ClientPayload,
        proxy: Option<&str>,
    ) -> Result<Conn> {
        // Small buffers: tungstenite's defaults (128 KiB each way) would
        // dominate the memory of an idle session; chat frames are small and
        // every send is flushed at once anyway.
        let config = WebSocketConfig::default()
            .read_buffer_size(READ_BUFFER)
            .write_buffer_size(0);
        let mut ws = match proxy {
            None => {
                tokio_tungstenite::connect_async_with_config(url, Some(config), false)
                    .await
                    .map_err(lost)?
                    .0
            }
            Some(p) => {
                let tunnel = super::proxy::Proxy::parse(p)?.tunnel(url).await?;
                tokio_tungstenite::client_async_tls_with_config(url, tunnel, Some(config), None)
                    .await
                    .map_err(lost)?
                    .0
            }
        };
        let (mut hs, hello) =
            FramedClientHandshake::start(&mut rand::rng(), noise_key.clone(), None)
                .map_err(Error::Protocol)?;
        ws.send(WsMessage::Binary(hello.into()))
            .await
            .map_err(lost)?;
        let finish = loop {
            let bytes = match ws.next().await {
                Some(Ok(WsMessage::Binary(b))) => b,
                Some(Ok(WsMessage::Close(_))) | None => {
                    return Err(Error::Connection("closed during the handshake".into()));
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(lost(e)),
            };
            match hs
                .handle_bytes(&bytes, root, now_secs())
                .map_err(Error::Protocol)?
            {
                Step::Pending(next) => hs = next,
                Step::Done(f) => break f,
            }
        };
        let (socket, out) = finish
            .finish(&payload.encode_to_vec())
            .map_err(Error::Protocol)?;
        ws.send(WsMessage::Binary(out.into())).await.map_err(lost)?;
        Ok(Conn {
            ws,
            socket,
            queue: VecDeque::new(),
        })
    }

    /// Encrypts and sends one node.
    pub(crate) async fn send(&mut self, node: &Node) -> Result<()> {
        let frame = self
            .socket
            .encrypt_frame(&encode(node))
            .map_err(Error::Protocol)?;
        self.ws
            .send(WsMessage::Binary(frame.into()))
            .await
            .map_err(lost)
    }

    /// The next node; `Ok(None)` when the server closed the connection.
    /// Cancel-safe.
    pub(crate) async fn recv(&mut self) -> Result<Option<Node>> {
        loop {
            if let Some(n) = self.queue.pop_front() {
                return Ok(Some(n));
            }
            let bytes = match self.ws.next().await {
                Some(Ok(WsMessage::Binary(b))) => b,
                Some(Ok(WsMessage::Close(_))) | None => return Ok(None),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(lost(e)),
            };
            let frames = self
                .socket
                .handle_bytes(&bytes)
                .map_err(|e| Error::BadFrame(e.to_string()))?;
            for f in frames {
                let node = decode(&f).map_err(|e| Error::BadFrame(e.to_string()))?;
                self.queue.push_back(node);
            }
        }
    }

    /// Closes the websocket (best effort).
    pub(crate) async fn close(&mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(1), self.ws.close(None)).await;
    }
}
