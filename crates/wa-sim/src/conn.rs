//! One websocket connection: the Noise handshake (intro, cert chain from the
//! sim's root), the ClientPayload (see [`crate::login`]), then the node loop.
//!
//! A single task per connection reads websocket messages and drains the
//! connection's outbound queue; nodes are encoded and encrypted here, on the
//! writer side. Garbage (bad frames, undecryptable or undecodable payloads)
//! ends only this connection, with `<stream:error>` when the transport is
//! up, with a plain close before that.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use rand::RngExt;
use rand::rngs::StdRng;
use tokio::sync::mpsc;
use wa_proto::binary::{Node, decode, encode};
use wa_proto::frame::{FrameDecoder, encode_frame};
use wa_proto::noise::{
    FramedServerHandshake, NoiseSocket, RecvCipher, SendCipher, ServerEstablished, Step,
};

use crate::faults::droppable;
use crate::handler::{handle_node, stream_error_bad_node};
use crate::login::{Refused, on_client_hello};
use crate::sim::Shared;
use crate::world::conns::{ConnId, Out};

/// Time a client has to complete the handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a closing connection waits for the client's close frame.
const CLOSE_LINGER: Duration = Duration::from_secs(2);

/// Runs a connection to completion.
pub(crate) async fn run(mut ws: WebSocket, shared: Arc<Shared>) {
    let est = match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake(&mut ws, &shared)).await {
        Ok(Some(est)) => est,
        _ => {
            close_gracefully(ws).await;
            return;
        }
    };
    let ServerEstablished {
        socket,
        client_static,
        client_payload,
    } = est;
    let mut socket = Wire::new(socket);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let registered = {
        let mut world = shared.lock();
        on_client_hello(
            &mut world,
            tx,
            client_static,
            &client_payload,
            crate::sim::now(),
        )
    };
    let conn = match registered {
        Ok(c) => c,
        Err(Refused(node)) => {
            let _ = send_node(&mut ws, &mut socket, &node).await;
            close_gracefully(ws).await;
            return;
        }
    };
    let mut rng: StdRng = rand::make_rng();
    let mut shutdown = shared.shutdown.subscribe();
    // Flush bytes that arrived right after the handshake.
    let mut closed = feed(&shared, conn, &mut socket, &[]);
    while !closed {
        tokio::select! {
            msg = ws.recv() => match msg {
                Some(Ok(Message::Binary(b))) => closed = feed(&shared, conn, &mut socket, &b),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Text(_))) => closed = reject(&shared, conn),
                other => {
                    tracing::debug!(conn, ?other, "websocket ended");
                    break;
                }
            },
            out = rx.recv() => match out {
                Some(Out::Node(node)) => {
                    let faults = shared.faults.get();
                    if faults.drop_frame_rate > 0.0
                        && droppable(&node.tag)
                        && rng.random::<f64>() < faults.drop_frame_rate
                    {
                        continue;
                    }
                    if faults.frame_delay_ms > 0 {
                        tokio::time::sleep(Duration::from_millis(faults.frame_delay_ms)).await;
                    }
                    if send_node(&mut ws, &mut socket, &node).await.is_err() {
                        break;
                    }
                }
                Some(Out::Close(node)) => {
                    tracing::debug!(conn, ?node, "closing");
                    if let Some(n) = node {
                        let _ = send_node(&mut ws, &mut socket, &n).await;
                    }
                    break;
                }
                None => break,
            },
            _ = shutdown.changed() => break,
        }
    }
    tracing::debug!(conn, "connection closed");
    shared.lock().conns.remove(conn);
    close_gracefully(ws).await;
}

/// Sends a close frame and drains what the client still sends for a
/// moment: dropping a socket with unread input makes the kernel reset the
/// connection, and the client may then lose our last frames.
async fn close_gracefully(mut ws: WebSocket) {
    let _ = ws.send(Message::Close(None)).await;
    let _ = tokio::time::timeout(CLOSE_LINGER, async {
        while let Some(Ok(m)) = ws.recv().await {
            if matches!(m, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

/// The established transport with its two directions apart: garbage from
/// the client poisons only the receiving side, so the stream error can
/// still be sent.
struct Wire {
    send: SendCipher,
    recv: RecvCipher,
    decoder: FrameDecoder,
    broken: bool,
}

impl Wire {
    fn new(socket: NoiseSocket) -> Wire {
        let (transport, decoder, _) = socket.into_parts();
        let (send, recv) = transport.into_split();
        Wire {
            send,
            recv,
            decoder,
            broken: false,
        }
    }

    /// The next decrypted payload; `Err` once the input is garbage.
    fn next_payload(&mut self) -> Result<Option<&[u8]>, ()> {
        if self.broken {
            return Err(());
        }
        let frame = match self.decoder.next_frame_mut() {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(None),
            Err(_) => {
                self.broken = true;
                return Err(());
            }
        };
        match self.recv.decrypt_in_place(frame) {
            Ok(p) => Ok(Some(p)),
            Err(_) => {
                self.broken = true;
                Err(())
            }
        }
    }

    fn push_bytes(&mut self, bytes: &[u8]) -> Result<(), ()> {
        if self.broken || self.decoder.push(bytes).is_err() {
            self.broken = true;
            return Err(());
        }
        Ok(())
    }

    fn encrypt_frame(&mut self, payload: &[u8]) -> Result<Vec<u8>, ()> {
        let ct = self.send.encrypt(payload).map_err(|_| ())?;
        let mut out = Vec::with_capacity(ct.len() + 3);
        encode_frame(&ct, &mut out).map_err(|_| ())?;
        Ok(out)
    }
}

/// Feeds websocket bytes to the socket and every complete node to the
/// handler. Returns `true` if the connection must close (bad input).
fn feed(shared: &Shared, conn: ConnId, socket: &mut Wire, bytes: &[u8]) -> bool {
    if socket.push_bytes(bytes).is_err() {
        return reject(shared, conn);
    }
    loop {
        let node = match socket.next_payload() {
            Ok(None) => return false,
            Ok(Some(p)) => decode(p),
            Err(()) => return reject(shared, conn),
        };
        match node {
            Ok(n) => {
                let mut world = shared.lock();
                handle_node(&mut world, conn, n, crate::sim::now());
            }
            Err(_) => return reject(shared, conn),
        }
    }
}

/// Queues the stream error for a connection that sent garbage; the writer
/// side sends it and closes.
fn reject(shared: &Shared, conn: ConnId) -> bool {
    let world = shared.lock();
    world
        .conns
        .send(conn, Out::Close(Some(stream_error_bad_node())));
    false
}

async fn send_node(ws: &mut WebSocket, socket: &mut Wire, node: &Node) -> Result<(), ()> {
    let frame = socket.encrypt_frame(&encode(node))?;
    ws.send(Message::Binary(frame.into())).await.map_err(|_| ())
}

/// The handshake: intro + ClientHello, ServerHello, ClientFinish.
async fn handshake(ws: &mut WebSocket, shared: &Shared) -> Option<ServerEstablished> {
    let mut rng: StdRng = rand::make_rng();
    let mut hs = FramedServerHandshake::new(
        &mut rng,
        shared.keys.server_static.clone(),
        shared.keys.cert_chain.clone(),
    );
    let mut await_finish = loop {
        let bytes = next_binary(ws).await?;
        match hs.handle_bytes(&bytes).ok()? {
            Step::Pending(h) => hs = h,
            Step::Done((next, hello)) => {
                ws.send(Message::Binary(hello.into())).await.ok()?;
                break next;
            }
        }
    };
    loop {
        let bytes = next_binary(ws).await?;
        match await_finish.handle_bytes(&bytes).ok()? {
            Step::Pending(h) => await_finish = h,
            Step::Done(est) => return Some(est),
        }
    }
}

async fn next_binary(ws: &mut WebSocket) -> Option<Vec<u8>> {
    loop {
        match ws.recv().await? {
            Ok(Message::Binary(b)) => return Some(b.to_vec()),
            Ok(Message::Ping(_) | Message::Pong(_)) => {}
            _ => return None,
        }
    }
}
