//! The decoder: frame payload → [`NodeRef`] (zero-copy) or [`Node`] (owned).
//!
//! There is one parser. It reads the whole tree into a [`NodeRef`] that
//! borrows the input, validating everything on the way (UTF-8 of raw strings,
//! nibbles of packed strings, JID shapes), so the borrowed accessors later
//! never fail. The owned [`decode`] is `decode_ref(..)?.to_owned()`.
//!
//! Limits: nesting depth [`MAX_DEPTH`]; decompressed size [`MAX_INFLATED`];
//! a list's length is checked against the bytes left before anything is
//! allocated; trailing bytes, a zero list size and an empty tag are errors.

use std::borrow::Cow;

use super::node::Node;
use super::node_ref::{AttrsRef, ContentRef, NodeRef};
use super::packed::{PackedKind, PackedStr};
use super::str_ref::{JidRef, StrRef, ValueRef};
use super::{tag, tokens};
use crate::{Error, Result};

/// Deepest node nesting the decoder accepts (the top-level node is depth 1).
pub const MAX_DEPTH: usize = 64;
/// Largest decompressed node payload accepted (64 MiB).
pub const MAX_INFLATED: usize = 64 << 20;
/// Flags-byte bit: the rest of the payload is zlib-compressed.
pub const FLAG_COMPRESSED: u8 = 0x02;
/// The smallest encoded node: list header (2 bytes) and a one-byte tag.
const MIN_NODE_LEN: usize = 3;

/// Decodes a whole decrypted frame payload (flags byte first) into an owned node.
/// Compressed payloads (flag 0x02) are inflated first.
pub fn decode(frame: &[u8]) -> Result<Node> {
    let body = unpack(frame)?;
    Ok(decode_body_ref(&body)?.to_owned())
}

/// Decodes a frame payload (flags byte first) in place.
///
/// A zero-copy reader cannot borrow from a buffer it inflates itself, so a
/// compressed payload gives [`Error::NodeCompressed`]: call [`unpack`] and
/// [`decode_body_ref`] instead, which handle both cases:
///
/// ```
/// # fn f(frame: &[u8]) -> wa_proto::Result<()> {
/// let body = wa_proto::binary::unpack(frame)?; // borrowed, or inflated if compressed
/// let node = wa_proto::binary::decode_body_ref(&body)?;
/// # Ok(()) }
/// ```
pub fn decode_ref(frame: &[u8]) -> Result<NodeRef<'_>> {
    match frame.split_first() {
        None => Err(Error::NodeTruncated),
        Some((flags, _)) if flags & FLAG_COMPRESSED != 0 => Err(Error::NodeCompressed),
        Some((_, body)) => decode_body_ref(body),
    }
}

/// Decodes a node body (the payload after the flags byte, already inflated) in place.
pub fn decode_body_ref(body: &[u8]) -> Result<NodeRef<'_>> {
    let mut r = Reader::new(body);
    let node = r.node(1)?;
    match r.remaining() {
        0 => Ok(node),
        n => Err(Error::NodeTrailingBytes(n)),
    }
}

/// Strips the flags byte and inflates a compressed payload (bounded by
/// [`MAX_INFLATED`]). Borrows the input when it is not compressed.
pub fn unpack(frame: &[u8]) -> Result<Cow<'_, [u8]>> {
    unpack_limited(frame, MAX_INFLATED)
}

/// [`unpack`] with another inflation limit (the fuzz target uses a smaller one).
pub(crate) fn unpack_limited(frame: &[u8], limit: usize) -> Result<Cow<'_, [u8]>> {
    match frame.split_first() {
        None => Err(Error::NodeTruncated),
        Some((flags, body)) if flags & FLAG_COMPRESSED != 0 => inflate(body, limit).map(Cow::Owned),
        Some((_, body)) => Ok(Cow::Borrowed(body)),
    }
}

/// Inflates a zlib stream (RFC 1950) into at most `limit` bytes.
fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    use flate2::{Decompress, FlushDecompress, Status};
    let mut z = Decompress::new(true);
    let mut out = Vec::with_capacity(
        data.len()
            .saturating_mul(4)
            .clamp(64, 1 << 20)
            .min(limit + 1),
    );
    loop {
        if out.len() == out.capacity() {
            if out.len() > limit {
                return Err(Error::NodeTooLarge(limit));
            }
            out.reserve(out.len().clamp(64, 8 << 20));
        }
        let consumed = usize::try_from(z.total_in()).map_err(|_| Error::NodeInflate)?;
        let input = data.get(consumed..).ok_or(Error::NodeInflate)?;
        let before = (z.total_in(), z.total_out());
        let status = z
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(|_| Error::NodeInflate)?;
        if out.len() > limit {
            return Err(Error::NodeTooLarge(limit));
        }
        match status {
            Status::StreamEnd => return Ok(out),
            // No progress with room left in `out`: the stream is truncated.
            _ if (z.total_in(), z.total_out()) == before && out.len() < out.capacity() => {
                return Err(Error::NodeInflate);
            }
            _ => {}
        }
    }
}

/// A cursor over the node body. Every read is bounds-checked.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    #[inline]
    fn byte(&mut self) -> Result<u8> {
        let b = *self.data.get(self.pos).ok_or(Error::NodeTruncated)?;
        self.pos += 1;
        Ok(b)
    }

    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or(Error::NodeTruncated)?;
        let s = self.data.get(self.pos..end).ok_or(Error::NodeTruncated)?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let s = self.take(N)?;
        s.try_into().map_err(|_| Error::NodeTruncated)
    }

    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// The length that follows a BINARY_8/20/32 tag.
    fn binary_len(&mut self, t: u8) -> Result<usize> {
        Ok(match t {
            tag::BINARY_8 => usize::from(self.byte()?),
            tag::BINARY_20 => {
                let [a, b, c] = self.array()?;
                usize::from(a & 0x0f) << 16 | usize::from(b) << 8 | usize::from(c)
            }
            _ => {
                let n = u32::from_be_bytes(self.array()?);
                usize::try_from(n).map_err(|_| Error::NodeTruncated)?
            }
        })
    }

    /// A string introduced by tag byte `t`.
    #[inline]
    pub(crate) fn string(&mut self, t: u8, position: &'static str) -> Result<StrRef<'a>> {
        // The common case first, as a range test rather than a jump table.
        if let Some(token) = tokens::single(t) {
            return Ok(StrRef::Token(token));
        }
        self.string_other(t, position)
    }

    /// [`Reader::string`] for everything but single-byte tokens.
    fn string_other(&mut self, t: u8, position: &'static str) -> Result<StrRef<'a>> {
        match t {
            tag::LIST_EMPTY => Ok(StrRef::Token("")),
            tag::DICTIONARY_0..=tag::DICTIONARY_3 => {
                let i = self.byte()?;
                tokens::double(t - tag::DICTIONARY_0, i)
                    .map(StrRef::Token)
                    .ok_or(Error::NodeUnexpectedTag { tag: t, position })
            }
            tag::BINARY_8 | tag::BINARY_20 | tag::BINARY_32 => {
                let n = self.binary_len(t)?;
                let raw = self.take(n)?;
                std::str::from_utf8(raw)
                    .map(StrRef::Raw)
                    .map_err(|_| Error::NodeInvalidUtf8)
            }
            tag::NIBBLE_8 | tag::HEX_8 => {
                let kind = if t == tag::NIBBLE_8 {
                    PackedKind::Nibble
                } else {
                    PackedKind::Hex
                };
                let len = self.byte()?;
                let bytes = self.take(usize::from(len & 0x7f))?;
                PackedStr::new(kind, len, bytes).map(StrRef::Packed)
            }
            _ => Err(Error::NodeUnexpectedTag { tag: t, position }),
        }
    }

    /// Validates a string without building it: accepts exactly what
    /// [`Reader::string`] accepts (the attribute pass of [`Reader::node`] uses
    /// it; attributes are built again, on demand, by [`Reader::attr`]).
    #[inline]
    fn skip_string(&mut self, t: u8, position: &'static str) -> Result<()> {
        // Every byte in 1..=235 is a single-byte token and every
        // (dictionary, byte) pair a double-byte one.
        if (1..tag::DICTIONARY_0).contains(&t) {
            return Ok(());
        }
        match t {
            tag::LIST_EMPTY => Ok(()),
            tag::DICTIONARY_0..=tag::DICTIONARY_3 => self.byte().map(drop),
            tag::BINARY_8 | tag::BINARY_20 | tag::BINARY_32 => {
                let n = self.binary_len(t)?;
                let raw = self.take(n)?;
                std::str::from_utf8(raw)
                    .map(drop)
                    .map_err(|_| Error::NodeInvalidUtf8)
            }
            tag::NIBBLE_8 | tag::HEX_8 => {
                let kind = if t == tag::NIBBLE_8 {
                    PackedKind::Nibble
                } else {
                    PackedKind::Hex
                };
                let len = self.byte()?;
                let bytes = self.take(usize::from(len & 0x7f))?;
                PackedStr::new(kind, len, bytes).map(drop)
            }
            _ => Err(Error::NodeUnexpectedTag { tag: t, position }),
        }
    }

    /// Validates an attribute value without building it (see [`Reader::skip_string`]).
    #[inline]
    fn skip_value(&mut self, t: u8, position: &'static str) -> Result<()> {
        match t {
            tag::AD_JID => {
                self.take(2)?;
                let user = self.byte()?;
                self.skip_string(user, "JID user")
            }
            tag::JID_PAIR | tag::FB_JID | tag::INTEROP_JID => self.jid(t).map(drop),
            _ => self.skip_string(t, position),
        }
    }

    /// An attribute value or content string: a JID or a string.
    #[inline]
    pub(crate) fn value(&mut self, t: u8, position: &'static str) -> Result<ValueRef<'a>> {
        match t {
            tag::JID_PAIR | tag::AD_JID | tag::FB_JID | tag::INTEROP_JID => {
                self.jid(t).map(ValueRef::Jid)
            }
            _ => self.string(t, position).map(ValueRef::Str),
        }
    }

    /// A JID introduced by tag byte `t` (one of the four JID tags).
    fn jid(&mut self, t: u8) -> Result<JidRef<'a>> {
        let mut j = JidRef {
            user: StrRef::Token(""),
            agent: 0,
            device: 0,
            integrator: 0,
            server: StrRef::Token(""),
        };
        match t {
            tag::JID_PAIR => {
                let user = self.byte()?;
                j.user = self.string(user, "JID user")?;
                let server = self.byte()?;
                j.server = self.string(server, "JID server")?;
                if j.server.is_empty() {
                    return Err(Error::NodeInvalidJid("empty server"));
                }
            }
            tag::AD_JID => {
                let domain = self.byte()?;
                j.device = u16::from(self.byte()?);
                let user = self.byte()?;
                j.user = self.string(user, "JID user")?;
                let (server, agent) = crate::jid::Server::from_ad_domain(domain);
                j.agent = agent;
                j.server = StrRef::Token(match server {
                    crate::jid::Server::Lid => "lid",
                    crate::jid::Server::Hosted => "hosted",
                    crate::jid::Server::HostedLid => "hosted.lid",
                    _ => "s.whatsapp.net",
                });
            }
            // FB_JID: user, u16 device, server "msgr"; INTEROP_JID: user, u16
            // device, u16 integrator, server "interop" (as whatsmeow reads them).
            _ => {
                let user = self.byte()?;
                j.user = self.string(user, "JID user")?;
                j.device = self.u16()?;
                let expected = if t == tag::FB_JID {
                    "msgr"
                } else {
                    j.integrator = self.u16()?;
                    "interop"
                };
                let server = self.byte()?;
                j.server = self.string(server, "JID server")?;
                if !j.server.eq_str(expected) {
                    return Err(Error::NodeInvalidJid("FB/interop JID on the wrong server"));
                }
            }
        }
        Ok(j)
    }

    /// The size that follows a list tag.
    fn list_size(&mut self, t: u8, position: &'static str) -> Result<usize> {
        match t {
            tag::LIST_EMPTY => Ok(0),
            tag::LIST_8 => Ok(usize::from(self.byte()?)),
            tag::LIST_16 => Ok(usize::from(self.u16()?)),
            _ => Err(Error::NodeUnexpectedTag { tag: t, position }),
        }
    }

    /// A node at nesting `depth`.
    pub(crate) fn node(&mut self, depth: usize) -> Result<NodeRef<'a>> {
        let mut node = NodeRef::EMPTY;
        self.node_into(depth, &mut node)?;
        Ok(node)
    }

    /// Reads a node at nesting `depth` into `out`. Nodes are built in place
    /// (children directly in their list) rather than returned by value: moving
    /// large results through memory was the decoder's main cost.
    fn node_into(&mut self, depth: usize, out: &mut NodeRef<'a>) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(Error::NodeTooDeep(MAX_DEPTH));
        }
        let t = self.byte()?;
        let size = self.list_size(t, "node header")?;
        if size == 0 {
            return Err(Error::NodeInvalid("zero list size"));
        }
        let t = self.byte()?;
        // A single-byte token is by far the most common tag: stored directly
        // (returning a `Result<StrRef>` costs a store-forwarding stall here).
        match tokens::single(t) {
            Some(token) => out.tag = StrRef::Token(token),
            None => out.tag = self.string_other(t, "node tag")?,
        }
        if out.tag.is_empty() {
            return Err(Error::NodeInvalid("empty tag"));
        }
        let count = (size - 1) / 2;
        let start = self.pos;
        for _ in 0..count {
            let k = self.byte()?;
            self.skip_string(k, "attribute key")?;
            let v = self.byte()?;
            self.skip_value(v, "attribute value")?;
        }
        let raw = self.data.get(start..self.pos).ok_or(Error::NodeTruncated)?;
        out.attrs = AttrsRef::new(raw, count);
        if size % 2 == 0 {
            self.content_into(depth, &mut out.content)?;
        }
        Ok(())
    }

    /// Reads the content of a node at `depth` into `out`.
    #[inline(always)]
    fn content_into(&mut self, depth: usize, out: &mut ContentRef<'a>) -> Result<()> {
        let t = self.byte()?;
        match t {
            tag::LIST_EMPTY | tag::LIST_8 | tag::LIST_16 => {
                let n = self.list_size(t, "content")?;
                if n > self.remaining() / MIN_NODE_LEN {
                    return Err(Error::NodeTruncated);
                }
                // The list is put in place first and filled there.
                *out = ContentRef::Children(Vec::with_capacity(n));
                if let ContentRef::Children(children) = out {
                    children.extend((0..n).map(|_| NodeRef::EMPTY));
                    for child in children.iter_mut() {
                        self.node_into(depth + 1, child)?;
                    }
                }
            }
            tag::BINARY_8 | tag::BINARY_20 | tag::BINARY_32 => {
                let n = self.binary_len(t)?;
                *out = ContentRef::Bytes(self.take(n)?);
            }
            _ => {
                *out = match self.value(t, "content")? {
                    ValueRef::Str(s) => ContentRef::Str(s),
                    ValueRef::Jid(j) => ContentRef::Jid(j),
                }
            }
        }
        Ok(())
    }

    /// Reads the next attribute of an already validated attribute block.
    pub(crate) fn attr(&mut self) -> Result<(StrRef<'a>, ValueRef<'a>)> {
        let k = self.byte()?;
        let key = self.string(k, "attribute key")?;
        let v = self.byte()?;
        Ok((key, self.value(v, "attribute value")?))
    }
}
