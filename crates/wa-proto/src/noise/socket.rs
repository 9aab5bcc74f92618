//! Sans-IO sockets: frames + Noise, driven by raw websocket bytes.
//!
//! The runtime (or the simulator) only moves bytes: every websocket message
//! received goes into `handle_bytes`, every `Vec<u8>` returned goes out as
//! one websocket message.
//!
//! Handshake phase, client:
//! ```text
//! FramedClientHandshake::start ─► (FramedAwaitServerHello, bytes to send: intro + ClientHello)
//! FramedAwaitServerHello::handle_bytes ─► Pending(self) | Done(FramedSendClientFinish)
//! FramedSendClientFinish::finish(payload) ─► (NoiseSocket, bytes to send: ClientFinish)
//! ```
//! Handshake phase, server:
//! ```text
//! FramedServerHandshake::new ─► handle_bytes ─► Pending(self) | Done((FramedAwaitClientFinish, ServerHello bytes))
//! FramedAwaitClientFinish::handle_bytes ─► Pending(self) | Done(ServerEstablished { socket, .. })
//! ```
//! Bytes that arrive after the last handshake frame stay buffered and come
//! out of the [`NoiseSocket`]'s first `handle_bytes` call (pass `&[]` to
//! flush them).
//!
//! Established phase: [`NoiseSocket`] decrypts incoming frames and frames +
//! encrypts outgoing payloads. Any error is fatal: the socket is poisoned and
//! the connection must be closed.

use rand_core::CryptoRng;

use super::cert::TrustedRoot;
use super::cipher::TAG_LEN;
use super::handshake::{
    AwaitClientFinish, AwaitServerHello, ClientHandshake, SendClientFinish, ServerHandshake,
    ServerInfo,
};
use super::transport::Transport;
use crate::frame::{FRAME_HEADER_LEN, FrameDecoder, FrameEncoder, MAX_FRAME_LEN, WA_HEADER};
use crate::keys::{KeyPair, PublicKey};
use crate::{Error, Result};

/// Result of feeding bytes to a handshake step: still waiting (the step
/// comes back) or done (the next step).
#[derive(Debug)]
pub enum Step<P, D> {
    /// Not enough bytes yet; feed more to the returned state.
    Pending(P),
    /// The step completed.
    Done(D),
}

/// An established connection: frame decoding + transport decryption in,
/// transport encryption + framing out.
#[derive(Debug)]
pub struct NoiseSocket {
    transport: Transport,
    decoder: FrameDecoder,
    encoder: FrameEncoder,
    poisoned: bool,
}

impl NoiseSocket {
    /// Assembles a socket from a finished handshake's transport and the
    /// frame decoder/encoder used during the handshake (the decoder may
    /// hold bytes that already arrived).
    pub fn new(transport: Transport, decoder: FrameDecoder, encoder: FrameEncoder) -> Self {
        Self {
            transport,
            decoder,
            encoder,
            poisoned: false,
        }
    }

    /// Feeds received bytes and returns every payload they complete,
    /// decrypted, in order.
    pub fn handle_bytes(&mut self, bytes: &[u8]) -> Result<Vec<Vec<u8>>> {
        self.push_bytes(bytes)?;
        let mut out = Vec::new();
        while let Some(p) = self.next_payload()? {
            out.push(p.to_vec());
        }
        Ok(out)
    }

    /// Feeds received bytes without decrypting; take payloads out with
    /// [`NoiseSocket::next_payload`].
    pub fn push_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.check()?;
        let r = self.decoder.push(bytes);
        self.poison_on_err(r)
    }

    /// The next received payload, decrypted in place inside the socket's
    /// buffer (no copy), or `None` when no complete frame is buffered.
    pub fn next_payload(&mut self) -> Result<Option<&[u8]>> {
        self.check()?;
        let frame = match self.decoder.next_frame_mut() {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(None),
            Err(e) => {
                self.poisoned = true;
                return Err(e);
            }
        };
        match self.transport.decrypt_in_place(frame) {
            Ok(p) => Ok(Some(p)),
            Err(e) => {
                self.poisoned = true;
                Err(e)
            }
        }
    }

    /// One framed, encrypted payload, ready to send.
    pub fn encrypt_frame(&mut self, payload: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(FRAME_HEADER_LEN + payload.len() + TAG_LEN);
        self.encrypt_frame_into(payload, &mut out)?;
        Ok(out)
    }

    /// Appends one framed, encrypted payload to `out` (several frames may
    /// share one websocket message). On error nothing is appended.
    pub fn encrypt_frame_into(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<()> {
        self.check()?;
        check_payload_len(payload.len())?;
        let before = out.len();
        let start = self.encoder.begin_frame(out);
        out.extend_from_slice(payload);
        let r = self.seal_frame(out, start);
        if r.is_err() {
            out.truncate(before);
        }
        r
    }

    /// Zero-copy sending, step 1: writes the frame start into `out` and
    /// returns its offset. Write the plaintext payload after it, then call
    /// [`NoiseSocket::seal_frame`].
    pub fn begin_frame(&mut self, out: &mut Vec<u8>) -> usize {
        self.encoder.begin_frame(out)
    }

    /// Zero-copy sending, step 2: encrypts in place everything in `out`
    /// after the frame begun at `start`, appends the tag and fills in the
    /// length.
    pub fn seal_frame(&mut self, out: &mut Vec<u8>, start: usize) -> Result<()> {
        self.check()?;
        let body_start = start
            .checked_add(FRAME_HEADER_LEN)
            .filter(|&b| b <= out.len())
            .ok_or(Error::InvalidArgument("frame start offset out of range"))?;
        check_payload_len(out.len() - body_start)?;
        let body = out.get_mut(body_start..).unwrap_or_default();
        let tag = self.transport.encrypt_in_place_detached(body)?;
        out.extend_from_slice(&tag);
        FrameEncoder::finish_frame(out, start)
    }

    /// The transport cipher.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Routing info from the client's `ED` intro (server side).
    pub fn routing_info(&self) -> Option<&[u8]> {
        self.decoder.routing_info()
    }

    /// Takes the socket apart.
    pub fn into_parts(self) -> (Transport, FrameDecoder, FrameEncoder) {
        (self.transport, self.decoder, self.encoder)
    }

    fn check(&self) -> Result<()> {
        if self.poisoned {
            Err(Error::StreamPoisoned)
        } else {
            Ok(())
        }
    }

    fn poison_on_err<T>(&mut self, r: Result<T>) -> Result<T> {
        if r.is_err() {
            self.poisoned = true;
        }
        r
    }
}

/// A plaintext of `len` bytes must fit a frame once the tag is added.
fn check_payload_len(len: usize) -> Result<()> {
    let max = MAX_FRAME_LEN - TAG_LEN;
    if len > max {
        return Err(Error::FrameTooLarge { len, max });
    }
    Ok(())
}

// ------------------------------------------------------------------- client

/// Entry point of a client handshake over raw websocket bytes.
#[derive(Debug, Clone, Copy)]
pub struct FramedClientHandshake;

/// Client waiting for the `ServerHello` frame.
#[derive(Debug)]
pub struct FramedAwaitServerHello {
    hs: AwaitServerHello,
    decoder: FrameDecoder,
    encoder: FrameEncoder,
}

/// Client that verified the server and has to send `ClientFinish`.
#[derive(Debug)]
pub struct FramedSendClientFinish {
    hs: SendClientFinish,
    server: ServerInfo,
    decoder: FrameDecoder,
    encoder: FrameEncoder,
}

impl FramedClientHandshake {
    /// Starts the client side: returns the state and the bytes to send
    /// first (intro — with `routing_info` in the `ED` form if given — and
    /// the framed `ClientHello`). The prologue is [`WA_HEADER`].
    pub fn start<R: CryptoRng + ?Sized>(
        rng: &mut R,
        noise_key: KeyPair,
        routing_info: Option<&[u8]>,
    ) -> Result<(FramedAwaitServerHello, Vec<u8>)> {
        let mut encoder = match routing_info {
            Some(r) => FrameEncoder::client_with_routing(r)?,
            None => FrameEncoder::client(),
        };
        let (hs, hello) = ClientHandshake::start(rng, noise_key, &WA_HEADER)?;
        let mut out = Vec::new();
        encoder.encode(&hello, &mut out)?;
        let next = FramedAwaitServerHello {
            hs,
            decoder: FrameDecoder::client(),
            encoder,
        };
        Ok((next, out))
    }
}

impl FramedAwaitServerHello {
    /// Feeds received bytes; once the `ServerHello` frame is complete, reads
    /// it and verifies the chain against `trust` at `now_unix_secs`.
    pub fn handle_bytes(
        mut self,
        bytes: &[u8],
        trust: &TrustedRoot,
        now_unix_secs: u64,
    ) -> Result<Step<Self, FramedSendClientFinish>> {
        self.decoder.push(bytes)?;
        let Some(frame) = self.decoder.next_frame()? else {
            return Ok(Step::Pending(self));
        };
        let (hs, server) = self.hs.read_server_hello(frame, trust, now_unix_secs)?;
        Ok(Step::Done(FramedSendClientFinish {
            hs,
            server,
            decoder: self.decoder,
            encoder: self.encoder,
        }))
    }
}

impl FramedSendClientFinish {
    /// What the client learned about the server.
    pub fn server_info(&self) -> &ServerInfo {
        &self.server
    }

    /// Sends `client_payload` (an encoded `ClientPayload`): returns the
    /// established socket and the framed `ClientFinish` to send.
    pub fn finish(mut self, client_payload: &[u8]) -> Result<(NoiseSocket, Vec<u8>)> {
        let (transport, finish) = self.hs.finish(client_payload)?;
        let mut out = Vec::new();
        self.encoder.encode(&finish, &mut out)?;
        Ok((NoiseSocket::new(transport, self.decoder, self.encoder), out))
    }
}

// ------------------------------------------------------------------- server

/// Server handshake over raw websocket bytes, waiting for the intro and the
/// `ClientHello`.
#[derive(Debug)]
pub struct FramedServerHandshake {
    hs: ServerHandshake,
    decoder: FrameDecoder,
}

/// Server that sent its `ServerHello` and waits for the `ClientFinish` frame.
#[derive(Debug)]
pub struct FramedAwaitClientFinish {
    hs: AwaitClientFinish,
    decoder: FrameDecoder,
}

/// A completed server handshake.
#[derive(Debug)]
pub struct ServerEstablished {
    /// The established socket.
    pub socket: NoiseSocket,
    /// The client's static (noise) public key.
    pub client_static: PublicKey,
    /// The decrypted client payload (an encoded `ClientPayload`).
    pub client_payload: Vec<u8>,
}

impl FramedServerHandshake {
    /// A server expecting the standard intro ([`WA_HEADER`], also the
    /// prologue), with its static key and the encoded `CertChain` for it.
    pub fn new<R: CryptoRng + ?Sized>(
        rng: &mut R,
        server_static: KeyPair,
        cert_chain: Vec<u8>,
    ) -> Self {
        Self::with_decoder(
            rng,
            server_static,
            cert_chain,
            FrameDecoder::server(),
            WA_HEADER,
        )
    }

    /// Like [`FramedServerHandshake::new`] with a custom server-side
    /// decoder (e.g. a lower frame limit) expecting intro `header`, which is
    /// also the prologue.
    pub fn with_decoder<R: CryptoRng + ?Sized>(
        rng: &mut R,
        server_static: KeyPair,
        cert_chain: Vec<u8>,
        decoder: FrameDecoder,
        header: [u8; 4],
    ) -> Self {
        Self {
            hs: ServerHandshake::new(rng, server_static, cert_chain, &header),
            decoder,
        }
    }

    /// Feeds received bytes; once the intro and the `ClientHello` frame are
    /// in, returns the next state and the framed `ServerHello` to send.
    pub fn handle_bytes(
        mut self,
        bytes: &[u8],
    ) -> Result<Step<Self, (FramedAwaitClientFinish, Vec<u8>)>> {
        self.decoder.push(bytes)?;
        let Some(frame) = self.decoder.next_frame()? else {
            return Ok(Step::Pending(self));
        };
        let (hs, hello) = self.hs.read_client_hello(frame)?;
        let mut out = Vec::new();
        crate::frame::encode_frame(&hello, &mut out)?;
        let next = FramedAwaitClientFinish {
            hs,
            decoder: self.decoder,
        };
        Ok(Step::Done((next, out)))
    }
}

impl FramedAwaitClientFinish {
    /// Routing info the client sent in an `ED` intro, if any.
    pub fn routing_info(&self) -> Option<&[u8]> {
        self.decoder.routing_info()
    }

    /// Feeds received bytes; once the `ClientFinish` frame is in, completes
    /// the handshake.
    pub fn handle_bytes(mut self, bytes: &[u8]) -> Result<Step<Self, ServerEstablished>> {
        self.decoder.push(bytes)?;
        let Some(frame) = self.decoder.next_frame()? else {
            return Ok(Step::Pending(self));
        };
        let (transport, client_static, client_payload) = self.hs.read_client_finish(frame)?;
        Ok(Step::Done(ServerEstablished {
            socket: NoiseSocket::new(transport, self.decoder, FrameEncoder::server()),
            client_static,
            client_payload,
        }))
    }
}
