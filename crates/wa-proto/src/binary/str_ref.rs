//! Borrowed strings, JIDs and attribute values of the zero-copy reader.
//!
//! A string in a binary node is a dictionary token (`&'static str`), a raw
//! UTF-8 string borrowed from the input, or a packed string unpacked on demand.
//! [`StrRef`] covers the three without allocating; [`JidRef`] is a JID whose
//! parts are `StrRef`s; [`ValueRef`] is an attribute value (string or JID).

use std::borrow::Cow;
use std::fmt;

use super::node::AttrValue;
use super::packed::PackedStr;
use crate::jid::{Jid, JidText, Server};

/// A string read in place from a binary node.
///
/// Equality compares the characters, whatever the representation.
#[derive(Clone, Copy)]
pub enum StrRef<'a> {
    /// A dictionary token.
    Token(&'static str),
    /// A raw (BINARY_8/20/32) string, borrowed from the input.
    Raw(&'a str),
    /// A NIBBLE_8 / HEX_8 packed string, unpacked on demand.
    Packed(PackedStr<'a>),
}

impl<'a> StrRef<'a> {
    /// The string as a borrowed `&str`, unless it is packed (see [`StrRef::to_cow`]).
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            StrRef::Token(s) => Some(s),
            StrRef::Raw(s) => Some(s),
            StrRef::Packed(_) => None,
        }
    }

    /// The string, borrowed unless it is packed.
    pub fn to_cow(&self) -> Cow<'a, str> {
        match *self {
            StrRef::Token(s) => Cow::Borrowed(s),
            StrRef::Raw(s) => Cow::Borrowed(s),
            StrRef::Packed(p) => Cow::Owned(p.to_owned_string()),
        }
    }

    /// An owned copy that does not allocate for tokens (used by `to_owned`).
    pub fn to_static(&self) -> Cow<'static, str> {
        match *self {
            StrRef::Token(s) => Cow::Borrowed(s),
            StrRef::Raw(s) => Cow::Owned(s.to_owned()),
            StrRef::Packed(p) => Cow::Owned(p.to_owned_string()),
        }
    }

    /// Calls `f` with the string as `&str` (packed strings are unpacked into a
    /// stack buffer).
    pub fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        match *self {
            StrRef::Token(s) => f(s),
            StrRef::Raw(s) => f(s),
            StrRef::Packed(p) => p.with_str(f),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        match *self {
            StrRef::Token(s) => s.len(),
            StrRef::Raw(s) => s.len(),
            StrRef::Packed(p) => p.len(),
        }
    }

    /// Whether the string is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the string equals `s`.
    pub fn eq_str(&self, s: &str) -> bool {
        match *self {
            StrRef::Token(t) => t == s,
            StrRef::Raw(t) => t == s,
            StrRef::Packed(p) => p.eq_str(s),
        }
    }
}

impl PartialEq for StrRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        match other.as_str() {
            Some(s) => self.eq_str(s),
            None => other.with_str(|s| self.eq_str(s)),
        }
    }
}

impl Eq for StrRef<'_> {}

impl PartialEq<str> for StrRef<'_> {
    fn eq(&self, other: &str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<&str> for StrRef<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.eq_str(other)
    }
}

impl fmt::Display for StrRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| f.write_str(s))
    }
}

impl fmt::Debug for StrRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| write!(f, "{s:?}"))
    }
}

/// A JID read in place: user and server borrow the input.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct JidRef<'a> {
    pub(crate) user: StrRef<'a>,
    pub(crate) agent: u8,
    pub(crate) device: u16,
    pub(crate) integrator: u16,
    pub(crate) server: StrRef<'a>,
}

impl<'a> JidRef<'a> {
    /// The user part (empty for a server-only JID).
    pub fn user(&self) -> StrRef<'a> {
        self.user
    }

    /// The raw agent (0 when absent).
    pub fn agent(&self) -> u8 {
        self.agent
    }

    /// The device (0 = primary).
    pub fn device(&self) -> u16 {
        self.device
    }

    /// The interop integrator (0 when absent).
    pub fn integrator(&self) -> u16 {
        self.integrator
    }

    /// The server name as written on the wire.
    pub fn server_name(&self) -> StrRef<'a> {
        self.server
    }

    /// The server (allocates only for an unknown server name).
    pub fn server(&self) -> Server {
        self.server.with_str(Server::from_name)
    }

    /// Whether the server is `server` (compared without allocating).
    pub fn is_server_kind(&self, server: &Server) -> bool {
        match self.server.with_str(Server::known) {
            Some(known) => known == *server,
            None => matches!(server, Server::Other(name) if self.server.eq_str(name)),
        }
    }

    /// Whether this is a group JID.
    pub fn is_group(&self) -> bool {
        self.is_server_kind(&Server::Group)
    }

    /// The owned JID.
    pub fn to_jid(&self) -> Jid {
        Jid {
            user: self.user.to_cow().into_owned(),
            agent: self.agent,
            device: self.device,
            integrator: self.integrator,
            server: self.server(),
        }
    }

    /// Writes the text form; `node_form` writes server-only JIDs as `@server`.
    fn fmt_text(&self, f: &mut fmt::Formatter<'_>, node_form: bool) -> fmt::Result {
        self.server.with_str(|name| {
            let known = Server::known(name);
            let text = JidText {
                user: &self.user,
                user_is_empty: self.user.is_empty(),
                agent: self.agent,
                device: self.device,
                integrator: self.integrator,
                server: known.as_ref().map_or(name, Server::as_str),
                node_form,
            };
            fmt::Display::fmt(&text, f)
        })
    }

    /// The text form used by the node layer (`@server` for server-only JIDs).
    pub fn to_node_text(&self) -> String {
        NodeText(self).to_string()
    }
}

/// Formats a [`JidRef`] in node form.
struct NodeText<'r, 'a>(&'r JidRef<'a>);

impl fmt::Display for NodeText<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_text(f, true)
    }
}

impl fmt::Display for JidRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_text(f, false)
    }
}

impl fmt::Debug for JidRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JidRef({})", NodeText(self))
    }
}

/// An attribute value read in place.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ValueRef<'a> {
    /// A string.
    Str(StrRef<'a>),
    /// A JID (written with a JID tag).
    Jid(JidRef<'a>),
}

impl<'a> ValueRef<'a> {
    /// The string value as a borrowed `&str` (not for JIDs or packed strings).
    pub fn as_str(&self) -> Option<&'a str> {
        match self {
            ValueRef::Str(s) => s.as_str(),
            ValueRef::Jid(_) => None,
        }
    }

    /// The string value, or `None` for a JID.
    pub fn as_str_ref(&self) -> Option<StrRef<'a>> {
        match self {
            ValueRef::Str(s) => Some(*s),
            ValueRef::Jid(_) => None,
        }
    }

    /// The text of the value (a JID in node form), borrowed where possible.
    pub fn to_cow(&self) -> Cow<'a, str> {
        match self {
            ValueRef::Str(s) => s.to_cow(),
            ValueRef::Jid(j) => Cow::Owned(j.to_node_text()),
        }
    }

    /// The JID value, or a string value parsed as a JID.
    pub fn to_jid(&self) -> Option<Jid> {
        match self {
            ValueRef::Jid(j) => Some(j.to_jid()),
            ValueRef::Str(s) => s.with_str(|s| Jid::parse(s).ok()),
        }
    }

    /// Whether the value's text equals `s`.
    pub fn eq_str(&self, s: &str) -> bool {
        match self {
            ValueRef::Str(v) => v.eq_str(s),
            ValueRef::Jid(j) => j.to_node_text() == s,
        }
    }

    /// The owned value.
    pub fn to_owned_value(&self) -> AttrValue {
        match self {
            ValueRef::Str(s) => AttrValue::Str(s.to_static()),
            ValueRef::Jid(j) => AttrValue::Jid(j.to_jid()),
        }
    }
}

impl PartialEq<str> for ValueRef<'_> {
    fn eq(&self, other: &str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<&str> for ValueRef<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.eq_str(other)
    }
}

impl fmt::Display for ValueRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueRef::Str(s) => fmt::Display::fmt(s, f),
            ValueRef::Jid(j) => j.fmt_text(f, true),
        }
    }
}

impl fmt::Debug for ValueRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueRef::Str(s) => fmt::Debug::fmt(s, f),
            ValueRef::Jid(j) => fmt::Debug::fmt(j, f),
        }
    }
}
