//! The encoder: [`Node`] → frame payload (flags byte 0x00, then the node).
//!
//! Strings go out as, in this order: a single-byte token, a double-byte
//! token, NIBBLE_8, HEX_8, raw BINARY_8/20/32 (`""` is `BINARY_8 0`, as Baileys
//! writes it). Attribute values that are [`Jid`]s, or strings holding a JID in
//! its canonical text form, are written with JID tags:
//!
//! * `msgr` → FB_JID, `interop` → INTEROP_JID;
//! * a device or agent on `s.whatsapp.net`/`lid`/`hosted`/`hosted.lid` → AD_JID
//!   (domain 0 or the agent / 1 / 128 / 129, one-byte device);
//! * otherwise JID_PAIR (server-only: LIST_EMPTY user).
//!
//! A [`Jid`] value no JID tag can carry as is keeps its text: an agent the tag
//! cannot hold is folded into the user (`user_5`), and a device no tag can hold
//! (a device on `g.us`, above 255 on `s.whatsapp.net`) goes out as a JID_PAIR
//! whose user is the whole text before `@`.

use super::decode::MAX_DEPTH;
use super::node::{AttrValue, Content, Node};
use super::packed;
use super::tag;
use super::tokens::{self, Token};
use crate::jid::{Jid, JidParts, Server};
use crate::{Error, Result};

/// Encodes `node` as a frame payload: the flags byte `0x00`, then the node.
///
/// Never panics. A node that [`check_encodable`] rejects (e.g. more than
/// 65 535 children) produces bytes that do not decode.
pub fn encode(node: &Node) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + estimate(node));
    encode_into(node, &mut out);
    out
}

/// Appends the frame payload of `node` (flags byte first) to `out`.
pub fn encode_into(node: &Node, out: &mut Vec<u8>) {
    out.push(0);
    write_node(node, out);
}

/// Checks that `node` can be encoded faithfully: non-empty tags, at most
/// 65 535 children per list and 32 766 attributes per node, byte content below
/// 4 GiB, and nesting within [`MAX_DEPTH`].
pub fn check_encodable(node: &Node) -> Result<()> {
    check(node, 1)
}

fn check(node: &Node, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::NodeUnencodable("nested too deep"));
    }
    if node.tag.is_empty() {
        return Err(Error::NodeUnencodable("empty tag"));
    }
    if 2 * node.attrs.len() + 2 > usize::from(u16::MAX) {
        return Err(Error::NodeUnencodable("too many attributes"));
    }
    match &node.content {
        Content::None => Ok(()),
        Content::Bytes(b) if u32::try_from(b.len()).is_err() => {
            Err(Error::NodeUnencodable("content too long"))
        }
        Content::Bytes(_) => Ok(()),
        Content::Children(c) if c.len() > usize::from(u16::MAX) => {
            Err(Error::NodeUnencodable("more than 65535 children"))
        }
        Content::Children(c) => c.iter().try_for_each(|child| check(child, depth + 1)),
    }
}

/// A size estimate, so the output is usually allocated once (attribute
/// strings are mostly one- or two-byte tokens; bytes dominate large nodes).
fn estimate(node: &Node) -> usize {
    8 + node.tag.len()
        + 16 * node.attrs.len()
        + match &node.content {
            Content::None => 0,
            Content::Bytes(b) => b.len(),
            Content::Children(c) => c.iter().map(estimate).sum::<usize>(),
        }
}

fn write_node(node: &Node, out: &mut Vec<u8>) {
    let has_content = !matches!(node.content, Content::None);
    write_list_start(1 + 2 * node.attrs.len() + usize::from(has_content), out);
    write_str(&node.tag, out);
    for (k, v) in node.attrs.iter() {
        write_str(k, out);
        match v {
            AttrValue::Str(s) => write_value_str(s, out),
            AttrValue::Jid(j) => write_jid(j, out),
        }
    }
    match &node.content {
        Content::None => {}
        Content::Bytes(b) => write_bytes(b, out),
        Content::Children(children) => {
            write_list_start(children.len(), out);
            for child in children {
                write_node(child, out);
            }
        }
    }
}

#[inline]
fn write_list_start(n: usize, out: &mut Vec<u8>) {
    match u8::try_from(n) {
        Ok(0) => out.push(tag::LIST_EMPTY),
        Ok(n) => out.extend_from_slice(&[tag::LIST_8, n]),
        Err(_) => {
            out.push(tag::LIST_16);
            out.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes());
        }
    }
}

/// BINARY_8 / BINARY_20 / BINARY_32 length header.
#[inline]
fn write_len(n: usize, out: &mut Vec<u8>) {
    if let Ok(b) = u8::try_from(n) {
        out.extend_from_slice(&[tag::BINARY_8, b]);
    } else if n < 1 << 20 {
        let [_, a, b, c] = u32::try_from(n).unwrap_or(0).to_be_bytes();
        out.extend_from_slice(&[tag::BINARY_20, a, b, c]);
    } else {
        out.push(tag::BINARY_32);
        out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes());
    }
}

#[inline]
fn write_bytes(b: &[u8], out: &mut Vec<u8>) {
    write_len(b.len(), out);
    out.extend_from_slice(b);
}

/// A string in tag/key position: token, packed, or raw.
#[inline]
fn write_str(s: &str, out: &mut Vec<u8>) {
    write_string(s, out, false);
}

/// A string attribute value: also a JID, if it holds one in canonical text form.
#[inline]
fn write_value_str(s: &str, out: &mut Vec<u8>) {
    write_string(s, out, true);
}

/// Token, packed, JID (if `jid_ok`), or raw: the first that applies. A string
/// holding `@` is never a token or packed, so testing for a JID last is the
/// same order as Baileys' (token, nibble, hex, JID, raw).
#[inline]
fn write_string(s: &str, out: &mut Vec<u8>, jid_ok: bool) {
    let b = s.as_bytes();
    let packed = packed::classify(b);
    // Phone numbers, ids, hashes: packable and too long to be a token.
    if let Some(kind) = packed
        && !tokens::may_be_packed_token(kind, b.len())
    {
        return packed::write(kind, b, out);
    }
    match tokens::lookup(s) {
        Some(Token::Single(i)) => out.push(i),
        Some(Token::Double { dict, index }) => {
            out.extend_from_slice(&[tag::DICTIONARY_0 + dict, index])
        }
        None => match packed {
            Some(kind) => packed::write(kind, b, out),
            None if jid_ok && b.contains(&b'@') && write_jid_str(s, out) => {}
            None => write_bytes(b, out),
        },
    }
}

/// Writes `s` with JID tags if it is a JID's canonical text that a JID tag
/// carries; returns whether it did.
fn write_jid_str(s: &str, out: &mut Vec<u8>) -> bool {
    let Ok(p) = JidParts::parse(s) else {
        return false;
    };
    if !p.canonical {
        return false;
    }
    let known = Server::known(p.server);
    match plan(known.as_ref(), p.agent, p.device, p.integrator) {
        Some(plan) => {
            let server = known.as_ref().map_or(p.server, Server::as_str);
            write_planned(plan, p.user, p.device, p.integrator, server, out);
            true
        }
        None => false,
    }
}

/// Which JID tag carries a JID.
#[derive(Clone, Copy)]
enum Plan {
    Pair,
    Ad { domain: u8, device: u8 },
    Fb,
    Interop,
}

/// The JID tag for a JID on server `known` (`None`: an unknown server), or
/// `None` if no tag carries it faithfully.
fn plan(known: Option<&Server>, agent: u8, device: u16, integrator: u16) -> Option<Plan> {
    match known {
        Some(Server::Msgr) => (agent == 0 && integrator == 0).then_some(Plan::Fb),
        Some(Server::Interop) => (agent == 0).then_some(Plan::Interop),
        _ if integrator != 0 => None,
        _ if agent == 0 && device == 0 => Some(Plan::Pair),
        known => {
            let domain = known?.ad_domain()?;
            let device = u8::try_from(device).ok()?;
            let domain = match (domain, agent) {
                // On PN the domain byte carries the raw agent, except values
                // that would read back as another server.
                (0, a) if !matches!(a, 1 | 128 | 129) => a,
                (d, 0) => d,
                _ => return None,
            };
            Some(Plan::Ad { domain, device })
        }
    }
}

fn write_planned(
    plan: Plan,
    user: &str,
    device: u16,
    integrator: u16,
    server: &str,
    out: &mut Vec<u8>,
) {
    match plan {
        Plan::Pair => {
            out.push(tag::JID_PAIR);
            if user.is_empty() {
                out.push(tag::LIST_EMPTY);
            } else {
                write_str(user, out);
            }
            write_str(server, out);
        }
        Plan::Ad { domain, device } => {
            out.extend_from_slice(&[tag::AD_JID, domain, device]);
            write_str(user, out);
        }
        Plan::Fb => {
            out.push(tag::FB_JID);
            write_str(user, out);
            out.extend_from_slice(&device.to_be_bytes());
            write_str(server, out);
        }
        Plan::Interop => {
            out.push(tag::INTEROP_JID);
            write_str(user, out);
            out.extend_from_slice(&device.to_be_bytes());
            out.extend_from_slice(&integrator.to_be_bytes());
            write_str(server, out);
        }
    }
}

fn write_jid(j: &Jid, out: &mut Vec<u8>) {
    let server = j.server.as_str();
    let known = match j.server {
        Server::Other(_) => None,
        ref s => Some(s),
    };
    if let Some(p) = plan(known, j.agent, j.device, j.integrator) {
        return write_planned(p, &j.user, j.device, j.integrator, server, out);
    }
    // No tag carries it as is (see the module docs): fold the agent into the
    // user, else write the whole text before `@` as the user of a JID_PAIR.
    if j.agent != 0
        && let Some(p) = plan(known, 0, j.device, j.integrator)
    {
        let user = format!("{}_{}", j.user, j.agent);
        return write_planned(p, &user, j.device, j.integrator, server, out);
    }
    let text = j.to_node_text();
    let user_part = text
        .strip_suffix(server)
        .and_then(|t| t.strip_suffix('@'))
        .unwrap_or(&text);
    write_planned(Plan::Pair, user_part, 0, 0, server, out);
}
