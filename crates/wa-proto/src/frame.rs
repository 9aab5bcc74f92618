//! Framing of the WhatsApp websocket stream and the connection intro.
//!
//! Every frame is a 3-byte big-endian payload length followed by the payload,
//! so a payload holds at most [`MAX_FRAME_LEN`] (2^24 − 1) bytes. Websocket
//! messages do not align with frames: one message may carry several frames or
//! only part of one, so [`FrameDecoder`] reassembles a byte stream.
//!
//! The client's first frame is preceded by an intro the server must strip:
//!
//! * plain: [`WA_HEADER`] = `57 41 06 03` ("WA", magic 6, token dictionary
//!   version 3);
//! * with routing info (sent after the server handed out `<edge_routing>`):
//!   [`ED_PREFIX`] = `45 44 00 01` ("ED", 0, 1) ‖ 3-byte big-endian length ‖
//!   routing bytes ‖ [`WA_HEADER`] (Baileys `lib/Utils/noise-handler.js`).
//!
//! The server never sends an intro. The Noise prologue is [`WA_HEADER`] only,
//! never the `ED` part.
//!
//! [`FrameEncoder`] writes frames (with the intro before the client's first
//! one); [`FrameDecoder`] reads them (and, on the server side, the intro).

use crate::{Error, Result};

/// The 4-byte intro header: "WA", protocol magic 6, dictionary version 3.
/// It is also the Noise prologue.
pub const WA_HEADER: [u8; 4] = [b'W', b'A', 6, 3];

/// The 4 bytes that start a routing-info intro ("ED", 0, 1).
pub const ED_PREFIX: [u8; 4] = [b'E', b'D', 0, 1];

/// Length of the frame length prefix.
pub const FRAME_HEADER_LEN: usize = 3;

/// Largest payload a frame can carry (2^24 − 1 bytes).
pub const MAX_FRAME_LEN: usize = (1 << 24) - 1;

/// Largest routing-info blob an `ED` intro can carry.
pub const MAX_ROUTING_INFO_LEN: usize = MAX_FRAME_LEN;

/// The 3-byte big-endian length prefix for a payload of `len` bytes.
///
/// Fails with [`Error::FrameTooLarge`] above [`MAX_FRAME_LEN`].
pub fn frame_header(len: usize) -> Result<[u8; FRAME_HEADER_LEN]> {
    if len > MAX_FRAME_LEN {
        return Err(Error::FrameTooLarge {
            len,
            max: MAX_FRAME_LEN,
        });
    }
    let [_, a, b, c] = u32::try_from(len)
        .map_err(|_| Error::FrameTooLarge {
            len,
            max: MAX_FRAME_LEN,
        })?
        .to_be_bytes();
    Ok([a, b, c])
}

/// Appends one frame (length prefix + `payload`) to `out`, without any intro.
pub fn encode_frame(payload: &[u8], out: &mut Vec<u8>) -> Result<()> {
    let header = frame_header(payload.len())?;
    out.reserve(FRAME_HEADER_LEN + payload.len());
    out.extend_from_slice(&header);
    out.extend_from_slice(payload);
    Ok(())
}

/// Builds the intro a client sends before its first frame: [`WA_HEADER`],
/// or the `ED` routing form when `routing_info` is given.
pub fn client_intro(routing_info: Option<&[u8]>) -> Result<Vec<u8>> {
    let Some(routing) = routing_info else {
        return Ok(WA_HEADER.to_vec());
    };
    if routing.len() > MAX_ROUTING_INFO_LEN {
        return Err(Error::FrameTooLarge {
            len: routing.len(),
            max: MAX_ROUTING_INFO_LEN,
        });
    }
    let mut out = Vec::with_capacity(ED_PREFIX.len() + 3 + routing.len() + WA_HEADER.len());
    out.extend_from_slice(&ED_PREFIX);
    out.extend_from_slice(&frame_header(routing.len())?);
    out.extend_from_slice(routing);
    out.extend_from_slice(&WA_HEADER);
    Ok(out)
}

/// Writes frames, putting the intro (if any) before the first one.
#[derive(Debug, Clone)]
pub struct FrameEncoder {
    /// Intro bytes still to be sent before the next frame.
    pending_intro: Option<Vec<u8>>,
}

impl FrameEncoder {
    /// A client encoder: the first frame is preceded by [`WA_HEADER`].
    pub fn client() -> Self {
        Self {
            pending_intro: Some(WA_HEADER.to_vec()),
        }
    }

    /// A client encoder whose first frame is preceded by the `ED` routing
    /// intro carrying `routing_info`.
    pub fn client_with_routing(routing_info: &[u8]) -> Result<Self> {
        Ok(Self {
            pending_intro: Some(client_intro(Some(routing_info))?),
        })
    }

    /// A server encoder: frames only, never an intro.
    pub fn server() -> Self {
        Self {
            pending_intro: None,
        }
    }

    /// Whether the intro has yet to be written.
    pub fn intro_pending(&self) -> bool {
        self.pending_intro.is_some()
    }

    /// Appends one frame carrying `payload` to `out` (preceded by the intro
    /// if it has not been sent yet).
    pub fn encode(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let header = frame_header(payload.len())?;
        if let Some(intro) = self.pending_intro.take() {
            out.extend_from_slice(&intro);
        }
        out.reserve(FRAME_HEADER_LEN + payload.len());
        out.extend_from_slice(&header);
        out.extend_from_slice(payload);
        Ok(())
    }

    /// Starts a frame whose payload the caller writes directly into `out`
    /// (zero-copy path): writes the pending intro and a placeholder length,
    /// and returns the offset to pass to [`FrameEncoder::finish_frame`].
    pub fn begin_frame(&mut self, out: &mut Vec<u8>) -> usize {
        if let Some(intro) = self.pending_intro.take() {
            out.extend_from_slice(&intro);
        }
        let start = out.len();
        out.extend_from_slice(&[0; FRAME_HEADER_LEN]);
        start
    }

    /// Completes a frame begun at `start`: the payload is everything in `out`
    /// after the placeholder. Fails if the payload is too long or `start` was
    /// not returned by [`FrameEncoder::begin_frame`] for this buffer.
    pub fn finish_frame(out: &mut [u8], start: usize) -> Result<()> {
        let payload_start = start
            .checked_add(FRAME_HEADER_LEN)
            .filter(|&p| p <= out.len())
            .ok_or(Error::InvalidArgument("frame start offset out of range"))?;
        let header = frame_header(out.len() - payload_start)?;
        if let Some(slot) = out.get_mut(start..payload_start) {
            slot.copy_from_slice(&header);
        }
        Ok(())
    }
}

/// What the decoder expects before the first frame.
#[derive(Debug, Clone)]
enum IntroState {
    /// Nothing (client side, or the intro was already read).
    None,
    /// A client intro ending in this header (server side).
    Expect([u8; 4]),
}

/// Outcome of looking at the start of unconsumed bytes.
enum Scan {
    /// More bytes are needed.
    NeedMore,
    /// An intro of `consumed` bytes, with routing info at `routing`.
    Intro {
        consumed: usize,
        routing: Option<std::ops::Range<usize>>,
    },
    /// A frame whose payload is at `payload`, `consumed` bytes in all.
    Frame {
        payload: std::ops::Range<usize>,
        consumed: usize,
    },
}

/// Streaming frame reader: feed it websocket messages of any split, take
/// payloads out.
///
/// Two ways to use it:
/// * [`push`](FrameDecoder::push) bytes, then call
///   [`next_frame`](FrameDecoder::next_frame) (or `next_frame_mut`, for
///   in-place decryption) until it returns `None`;
/// * [`for_each_frame`](FrameDecoder::for_each_frame), which hands frames
///   that lie entirely inside the input to a callback without copying them.
///
/// A server-side decoder ([`FrameDecoder::server`]) first reads and strips
/// the client intro (both forms) and keeps any routing info. After any error
/// the decoder is poisoned and keeps failing: close the connection.
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    /// Start of the unconsumed bytes in `buf`.
    pos: usize,
    max_len: usize,
    intro: IntroState,
    routing_info: Option<Vec<u8>>,
    poisoned: bool,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::client()
    }
}

impl FrameDecoder {
    /// A client-side decoder: frames only (the server sends no intro).
    pub fn client() -> Self {
        Self {
            buf: Vec::new(),
            pos: 0,
            max_len: MAX_FRAME_LEN,
            intro: IntroState::None,
            routing_info: None,
            poisoned: false,
        }
    }

    /// A server-side decoder: expects the client intro ending in
    /// [`WA_HEADER`] before the first frame.
    pub fn server() -> Self {
        Self::server_expecting(WA_HEADER)
    }

    /// A server-side decoder expecting an intro that ends in `header`
    /// (another dictionary version, say). Any other header is rejected.
    pub fn server_expecting(header: [u8; 4]) -> Self {
        Self {
            intro: IntroState::Expect(header),
            ..Self::client()
        }
    }

    /// Lowers the largest accepted payload to `max_len` (values above
    /// [`MAX_FRAME_LEN`] are capped to it). A longer frame is rejected as
    /// soon as its length prefix arrives.
    #[must_use]
    pub fn with_max_frame_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len.min(MAX_FRAME_LEN);
        self
    }

    /// The largest accepted payload length.
    pub fn max_frame_len(&self) -> usize {
        self.max_len
    }

    /// Whether the intro still has to arrive (server side only).
    pub fn awaiting_intro(&self) -> bool {
        matches!(self.intro, IntroState::Expect(_))
    }

    /// Routing info from an `ED` intro, once it was read.
    pub fn routing_info(&self) -> Option<&[u8]> {
        self.routing_info.as_deref()
    }

    /// Bytes received but not yet returned as frames.
    pub fn buffered_len(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Appends received bytes. Fails early if a pending length prefix (or
    /// intro) is already invalid.
    pub fn push(&mut self, bytes: &[u8]) -> Result<()> {
        self.check_poison()?;
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
        // Validate what is already visible so oversized frames are refused
        // before their payload is buffered.
        let r = self.scan_buffer().map(|_| ());
        self.poison_on_err(r)
    }

    /// The next complete frame's payload, if one has been received.
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>> {
        Ok(self.next_range()?.and_then(|r| self.buf.get(r)))
    }

    /// Like [`next_frame`](FrameDecoder::next_frame), but mutable so the
    /// payload can be decrypted in place.
    pub fn next_frame_mut(&mut self) -> Result<Option<&mut [u8]>> {
        Ok(self.next_range()?.and_then(|r| self.buf.get_mut(r)))
    }

    /// Reads every complete frame in `input` (after anything buffered
    /// before) and hands each payload to `on_frame`; an incomplete tail is
    /// kept for the next call. Frames that lie entirely inside `input` are
    /// passed without copying. Stops at the first error (from decoding or
    /// from `on_frame`).
    pub fn for_each_frame<F>(&mut self, input: &[u8], mut on_frame: F) -> Result<()>
    where
        F: FnMut(&[u8]) -> Result<()>,
    {
        self.check_poison()?;
        if self.buffered_len() > 0 {
            // Finish the split frame through the buffer (copying), then
            // continue without copying.
            self.push(input)?;
            while let Some(frame) = self.next_frame()? {
                on_frame(frame)?;
            }
            return Ok(());
        }
        self.buf.clear();
        self.pos = 0;
        let mut rest = input;
        loop {
            let scan = self.scan(rest);
            match self.poison_on_err(scan)? {
                Scan::NeedMore => {
                    self.buf.extend_from_slice(rest);
                    return Ok(());
                }
                Scan::Intro { consumed, routing } => {
                    self.accept_intro(routing.and_then(|r| rest.get(r)));
                    rest = rest.get(consumed..).unwrap_or_default();
                }
                Scan::Frame { payload, consumed } => {
                    on_frame(rest.get(payload).unwrap_or_default())?;
                    rest = rest.get(consumed..).unwrap_or_default();
                }
            }
        }
    }

    /// Consumes frames from the buffer, returning the range of the next
    /// payload inside `self.buf`.
    fn next_range(&mut self) -> Result<Option<std::ops::Range<usize>>> {
        self.check_poison()?;
        loop {
            let scan = self.scan_buffer();
            match self.poison_on_err(scan)? {
                Scan::NeedMore => return Ok(None),
                Scan::Intro { consumed, routing } => {
                    let routing = routing
                        .and_then(|r| self.buf.get(self.pos..)?.get(r))
                        .map(<[u8]>::to_vec);
                    self.intro = IntroState::None;
                    self.routing_info = routing;
                    self.pos += consumed;
                }
                Scan::Frame { payload, consumed } => {
                    let r = payload.start + self.pos..payload.end + self.pos;
                    self.pos += consumed;
                    return Ok(Some(r));
                }
            }
        }
    }

    fn scan_buffer(&self) -> Result<Scan> {
        self.scan(self.buf.get(self.pos..).unwrap_or_default())
    }

    /// Looks at the start of `data` (unconsumed bytes).
    fn scan(&self, data: &[u8]) -> Result<Scan> {
        if let IntroState::Expect(header) = self.intro {
            return scan_intro(data, &header, self.max_len);
        }
        let Some(&[a, b, c]) = data.get(..FRAME_HEADER_LEN) else {
            return Ok(Scan::NeedMore);
        };
        let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        if len > self.max_len {
            return Err(Error::FrameTooLarge {
                len,
                max: self.max_len,
            });
        }
        let end = FRAME_HEADER_LEN + len;
        if data.len() < end {
            return Ok(Scan::NeedMore);
        }
        Ok(Scan::Frame {
            payload: FRAME_HEADER_LEN..end,
            consumed: end,
        })
    }

    fn accept_intro(&mut self, routing: Option<&[u8]>) {
        self.intro = IntroState::None;
        self.routing_info = routing.map(<[u8]>::to_vec);
    }

    fn check_poison(&self) -> Result<()> {
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

/// Parses a client intro at the start of `data`.
fn scan_intro(data: &[u8], header: &[u8; 4], max_routing: usize) -> Result<Scan> {
    // Check the bytes we have so garbage is refused without waiting.
    let prefix_matches = |expected: &[u8]| agrees_with(data, expected);
    if data.len() < 2 {
        if prefix_matches(&header[..]) || prefix_matches(&ED_PREFIX) {
            return Ok(Scan::NeedMore);
        }
        return Err(Error::BadIntro("unknown intro"));
    }
    if data.get(..2) == Some(&ED_PREFIX[..2]) {
        if !prefix_matches(&ED_PREFIX) {
            return Err(Error::BadIntro("unsupported routing intro version"));
        }
        let Some(&[a, b, c]) = data.get(4..7) else {
            return Ok(Scan::NeedMore);
        };
        let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        if len > max_routing {
            return Err(Error::FrameTooLarge {
                len,
                max: max_routing,
            });
        }
        let routing = 7..7 + len;
        let end = routing.end + header.len();
        if let Some(tail) = data.get(routing.end..)
            && !agrees_with(tail, header)
        {
            return Err(Error::BadIntro(
                "routing intro not followed by the WA header",
            ));
        }
        if data.len() < end {
            return Ok(Scan::NeedMore);
        }
        return Ok(Scan::Intro {
            consumed: end,
            routing: Some(routing),
        });
    }
    if !prefix_matches(&header[..]) {
        return Err(Error::BadIntro("unexpected intro header"));
    }
    if data.len() < header.len() {
        return Ok(Scan::NeedMore);
    }
    Ok(Scan::Intro {
        consumed: header.len(),
        routing: None,
    })
}

/// Whether `data` agrees with `expected` as far as both go (`data` is a
/// prefix of `expected` or starts with it).
fn agrees_with(data: &[u8], expected: &[u8]) -> bool {
    let n = data.len().min(expected.len());
    data.get(..n) == expected.get(..n)
}
