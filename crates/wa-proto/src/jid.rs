//! WhatsApp addresses (JIDs): `user[_agent][:device]@server`.
//!
//! This module owns the [`Jid`] value, its text form (parse and format), the
//! [`Server`] names, and the derived Signal address. The binary node codec
//! ([`crate::binary`]) writes JIDs with dedicated tags; the text form is what
//! the REST API, the store and the JSON dev tools use.
//!
//! # Text form
//! * `user@server`, `user:device@server`, `user_agent:device@server` (the agent
//!   form Baileys writes); whatsmeow's `user.agent:device@server` is accepted on
//!   input and written back in the `_` form.
//! * A bare server name (`s.whatsapp.net`) or `@s.whatsapp.net` is a
//!   server-only JID. [`Jid`]'s `Display` writes the bare name.
//! * `c.us` is accepted on input and mapped to `s.whatsapp.net`;
//!   [`Jid::to_c_us`] writes the legacy form the REST API uses.
//! * Messenger JIDs (`msgr`) always carry the device (`user:0@msgr`) and
//!   interop JIDs the integrator too (`7-user:0@interop`), as Baileys prints them.
//!
//! [`Jid::parse`] never panics; it is a fuzz target (`fuzz/fuzz_targets/jid_parse.rs`).

use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// The server (domain) part of a JID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Server {
    /// `s.whatsapp.net`: phone-number ("PN") users (`c.us` maps here).
    Pn,
    /// `g.us`: groups.
    Group,
    /// `lid`: hidden linked identities.
    Lid,
    /// `broadcast`: broadcast lists and `status@broadcast`.
    Broadcast,
    /// `newsletter`: channels.
    Newsletter,
    /// `call`: call links.
    Call,
    /// `bot`: bots.
    Bot,
    /// `hosted`: hosted (Cloud API) phone-number devices.
    Hosted,
    /// `hosted.lid`: hosted LID devices.
    HostedLid,
    /// `msgr`: Messenger users.
    Msgr,
    /// `interop`: interop users (carry an integrator id).
    Interop,
    /// Any other server name, kept verbatim.
    Other(Box<str>),
}

impl Server {
    /// The known server named `name` (`c.us` gives [`Server::Pn`]), without allocating.
    pub fn known(name: &str) -> Option<Server> {
        Some(match name {
            "s.whatsapp.net" | "c.us" => Server::Pn,
            "g.us" => Server::Group,
            "lid" => Server::Lid,
            "broadcast" => Server::Broadcast,
            "newsletter" => Server::Newsletter,
            "call" => Server::Call,
            "bot" => Server::Bot,
            "hosted" => Server::Hosted,
            "hosted.lid" => Server::HostedLid,
            "msgr" => Server::Msgr,
            "interop" => Server::Interop,
            _ => return None,
        })
    }

    /// The server named `name`: a known one, or [`Server::Other`].
    pub fn from_name(name: &str) -> Server {
        Server::known(name).unwrap_or_else(|| Server::Other(name.into()))
    }

    /// The canonical name (`s.whatsapp.net` for [`Server::Pn`]).
    pub fn as_str(&self) -> &str {
        match self {
            Server::Pn => "s.whatsapp.net",
            Server::Group => "g.us",
            Server::Lid => "lid",
            Server::Broadcast => "broadcast",
            Server::Newsletter => "newsletter",
            Server::Call => "call",
            Server::Bot => "bot",
            Server::Hosted => "hosted",
            Server::HostedLid => "hosted.lid",
            Server::Msgr => "msgr",
            Server::Interop => "interop",
            Server::Other(name) => name,
        }
    }

    /// The AD domain byte of this server (0 PN, 1 LID, 128 hosted, 129 hosted LID),
    /// used by the `AD_JID` tag and the Signal address.
    pub fn ad_domain(&self) -> Option<u8> {
        match self {
            Server::Pn => Some(0),
            Server::Lid => Some(1),
            Server::Hosted => Some(128),
            Server::HostedLid => Some(129),
            _ => None,
        }
    }

    /// The server an `AD_JID` domain byte stands for, and the raw agent it
    /// leaves (domains other than 0, 1, 128, 129 are PN with that agent, as
    /// whatsmeow reads them).
    pub fn from_ad_domain(domain: u8) -> (Server, u8) {
        match domain {
            1 => (Server::Lid, 0),
            128 => (Server::Hosted, 0),
            129 => (Server::HostedLid, 0),
            agent => (Server::Pn, agent),
        }
    }
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A WhatsApp address.
///
/// `device` 0 is the primary device (the phone); companions are ≥ 1. `agent` is
/// the raw agent of the AD form (usually 0). `integrator` is only meaningful for
/// [`Server::Interop`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Jid {
    /// The user part (phone number, LID, group id, ...); empty for a server-only JID.
    pub user: String,
    /// Raw agent (0 when absent).
    pub agent: u8,
    /// Device id (0 = primary / none).
    pub device: u16,
    /// Interop integrator id (0 when absent).
    pub integrator: u16,
    /// The server.
    pub server: Server,
}

impl Jid {
    /// `user@server`.
    pub fn new(user: impl Into<String>, server: Server) -> Jid {
        Jid {
            user: user.into(),
            agent: 0,
            device: 0,
            integrator: 0,
            server,
        }
    }

    /// A phone-number user, `user@s.whatsapp.net`.
    pub fn pn(user: impl Into<String>) -> Jid {
        Jid::new(user, Server::Pn)
    }

    /// A LID user, `user@lid`.
    pub fn lid(user: impl Into<String>) -> Jid {
        Jid::new(user, Server::Lid)
    }

    /// A group, `id@g.us`.
    pub fn group(id: impl Into<String>) -> Jid {
        Jid::new(id, Server::Group)
    }

    /// A server-only JID such as `s.whatsapp.net`.
    pub fn server_only(server: Server) -> Jid {
        Jid::new(String::new(), server)
    }

    /// This JID with `device` set.
    #[must_use]
    pub fn with_device(mut self, device: u16) -> Jid {
        self.device = device;
        self
    }

    /// This JID with the raw `agent` set.
    #[must_use]
    pub fn with_agent(mut self, agent: u8) -> Jid {
        self.agent = agent;
        self
    }

    /// Parses the text form (see the module docs). Never panics.
    pub fn parse(s: &str) -> Result<Jid> {
        JidParts::parse(s).map(|p| p.to_jid())
    }

    /// The same user without agent and device (`user@server`).
    #[must_use]
    pub fn to_non_ad(&self) -> Jid {
        Jid {
            user: self.user.clone(),
            agent: 0,
            device: 0,
            integrator: self.integrator,
            server: self.server.clone(),
        }
    }

    /// Whether this is a server-only JID (`s.whatsapp.net`).
    pub fn is_server(&self) -> bool {
        self.user.is_empty() && self.agent == 0 && self.device == 0 && self.integrator == 0
    }

    /// Whether this is a group (`@g.us`).
    pub fn is_group(&self) -> bool {
        self.server == Server::Group
    }

    /// Whether this is a phone-number user (`@s.whatsapp.net`).
    pub fn is_pn(&self) -> bool {
        self.server == Server::Pn && !self.user.is_empty()
    }

    /// Whether this is a LID user (`@lid`).
    pub fn is_lid(&self) -> bool {
        self.server == Server::Lid
    }

    /// Whether this is a broadcast list or the status broadcast (`@broadcast`).
    pub fn is_broadcast(&self) -> bool {
        self.server == Server::Broadcast
    }

    /// Whether this is `status@broadcast`.
    pub fn is_status_broadcast(&self) -> bool {
        self.server == Server::Broadcast && self.user == "status"
    }

    /// Whether this is a newsletter (`@newsletter`).
    pub fn is_newsletter(&self) -> bool {
        self.server == Server::Newsletter
    }

    /// The Signal protocol address of this device: name `user` for PN, else
    /// `user_<domain>` (`_1` LID, `_128` hosted, `_129` hosted LID; other
    /// servers use the raw agent if any), and the device id.
    pub fn signal_address(&self) -> SignalAddress {
        let domain = self
            .server
            .ad_domain()
            .filter(|d| *d != 0)
            .unwrap_or(self.agent);
        let name = if domain == 0 {
            self.user.clone()
        } else {
            format!("{}_{}", self.user, domain)
        };
        SignalAddress {
            name,
            device: u32::from(self.device),
        }
    }

    /// The text form with `@c.us` instead of `@s.whatsapp.net` (the REST API's
    /// legacy chat ids); other servers are written unchanged.
    pub fn to_c_us(&self) -> String {
        if self.server == Server::Pn && !self.is_server() {
            let pn = self.text(false).to_string();
            match pn.strip_suffix("@s.whatsapp.net") {
                Some(user_part) => format!("{user_part}@c.us"),
                None => pn,
            }
        } else {
            self.to_string()
        }
    }

    /// The text form the binary-node layer uses: like `Display`, except that a
    /// server-only JID is written `@server` (as Baileys does), so a JID's text
    /// always contains `@` there.
    pub fn to_node_text(&self) -> String {
        self.text(true).to_string()
    }

    fn text(&self, node_form: bool) -> JidText<'_, str> {
        JidText {
            user: &self.user,
            user_is_empty: self.user.is_empty(),
            agent: self.agent,
            device: self.device,
            integrator: self.integrator,
            server: self.server.as_str(),
            node_form,
        }
    }
}

impl fmt::Display for Jid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text(false).fmt(f)
    }
}

impl FromStr for Jid {
    type Err = Error;
    fn from_str(s: &str) -> Result<Jid> {
        Jid::parse(s)
    }
}

/// A JID's parts, borrowed for formatting (shared by [`Jid`] and the node
/// reader's borrowed JIDs). `node_form` writes server-only JIDs as `@server`.
pub(crate) struct JidText<'a, U: ?Sized> {
    pub(crate) user: &'a U,
    pub(crate) user_is_empty: bool,
    pub(crate) agent: u8,
    pub(crate) device: u16,
    pub(crate) integrator: u16,
    /// The canonical server name ([`Server::as_str`]).
    pub(crate) server: &'a str,
    pub(crate) node_form: bool,
}

impl<U: fmt::Display + ?Sized> fmt::Display for JidText<'_, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let server = self.server;
        if self.user_is_empty && self.agent == 0 && self.device == 0 && self.integrator == 0 {
            if self.node_form {
                f.write_str("@")?;
            }
            return f.write_str(server);
        }
        self.fmt_user_part(f)?;
        write!(f, "@{server}")
    }
}

impl<U: fmt::Display + ?Sized> JidText<'_, U> {
    /// Writes `[integrator-]user[_agent][:device]`.
    fn fmt_user_part(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.server == "interop" {
            write!(f, "{}-", self.integrator)?;
        }
        self.user.fmt(f)?;
        if self.agent != 0 {
            write!(f, "_{}", self.agent)?;
        }
        if self.device != 0 || matches!(self.server, "msgr" | "interop") {
            write!(f, ":{}", self.device)?;
        }
        Ok(())
    }
}

/// A Signal protocol address: the session/identity key of one device.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SignalAddress {
    /// `user`, or `user_<domain>` for non-PN domains.
    pub name: String,
    /// The device id.
    pub device: u32,
}

impl fmt::Display for SignalAddress {
    /// `name:device` (e.g. `123_1:3`). libsignal-node's `ProtocolAddress`
    /// prints `name.device` instead: see [`SignalAddress::to_dotted`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.device)
    }
}

impl SignalAddress {
    /// `name.device`, the form libsignal-node's `ProtocolAddress.toString()` gives.
    pub fn to_dotted(&self) -> String {
        format!("{}.{}", self.name, self.device)
    }
}

/// A JID parsed in place: the parts borrow the input string.
///
/// Used by [`Jid::parse`] and by the node encoder, which writes string
/// attributes holding a JID with JID tags without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JidParts<'s> {
    pub(crate) user: &'s str,
    pub(crate) agent: u8,
    pub(crate) device: u16,
    pub(crate) integrator: u16,
    /// The server name as written (may be `c.us`).
    pub(crate) server: &'s str,
    /// Whether formatting the parsed JID in node form gives back the input exactly.
    pub(crate) canonical: bool,
}

impl<'s> JidParts<'s> {
    /// Parses the text form. Never panics.
    pub(crate) fn parse(s: &'s str) -> Result<JidParts<'s>> {
        if s.is_empty() {
            return Err(Error::InvalidJid("empty"));
        }
        let Some((user_part, server)) = s.split_once('@') else {
            // Bare server name: a server-only JID (not the node form).
            return Ok(JidParts {
                user: "",
                agent: 0,
                device: 0,
                integrator: 0,
                server: s,
                canonical: false,
            });
        };
        if server.is_empty() {
            return Err(Error::InvalidJid("empty server"));
        }
        if server.contains('@') {
            return Err(Error::InvalidJid("more than one '@'"));
        }
        let known = Server::known(server);
        let mut canonical = server != "c.us";
        if user_part.is_empty() {
            return Ok(JidParts {
                user: "",
                agent: 0,
                device: 0,
                integrator: 0,
                server,
                canonical,
            });
        }
        let is_interop = known == Some(Server::Interop);
        let always_device = matches!(known, Some(Server::Msgr | Server::Interop));

        // `integrator-` prefix (interop only).
        let mut rest = user_part;
        let mut integrator = 0u16;
        if is_interop {
            if let Some((prefix, tail)) = rest.split_once('-')
                && let Some(v) = parse_decimal(prefix)
                && let Ok(v) = u16::try_from(v)
            {
                canonical &= is_canonical_decimal(prefix);
                integrator = v;
                rest = tail;
            } else {
                canonical = false;
            }
        }

        // `:device` suffix.
        let mut device = 0u16;
        let has_device = rest.contains(':');
        let head = if let Some((head, dev)) = rest.rsplit_once(':') {
            if head.contains(':') {
                return Err(Error::InvalidJid("more than one ':'"));
            }
            let v = parse_decimal(dev).ok_or(Error::InvalidJid("device is not a number"))?;
            device = u16::try_from(v).map_err(|_| Error::InvalidJid("device out of range"))?;
            canonical &= is_canonical_decimal(dev) && (device != 0 || always_device);
            head
        } else {
            canonical &= !always_device;
            rest
        };

        // `_agent` (Baileys) or `.agent` (whatsmeow, only with a device) suffix.
        let mut agent = 0u8;
        let mut user = head;
        if let Some((u, a)) = head.rsplit_once('_')
            && let Some(v) = canonical_agent(a)
        {
            user = u;
            agent = v;
        } else if has_device
            && !always_device
            && let Some((u, a)) = head.rsplit_once('.')
            && let Some(v) = canonical_agent(a)
        {
            user = u;
            agent = v;
            canonical = false;
        }
        if user.is_empty() {
            return Err(Error::InvalidJid("empty user"));
        }
        Ok(JidParts {
            user,
            agent,
            device,
            integrator,
            server,
            canonical,
        })
    }

    /// The owned JID.
    pub(crate) fn to_jid(self) -> Jid {
        Jid {
            user: self.user.to_owned(),
            agent: self.agent,
            device: self.device,
            integrator: self.integrator,
            server: Server::from_name(self.server),
        }
    }
}

/// Parses 1-5 ASCII digits (enough for u16, bounded so it cannot overflow).
fn parse_decimal(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Digits without a leading zero (or exactly "0").
fn is_canonical_decimal(s: &str) -> bool {
    s == "0" || !s.starts_with('0')
}

/// An agent suffix: a canonical decimal in 1..=255 (so `_0`, `_05` and `_300`
/// stay part of the user and formatting is the exact inverse of parsing).
fn canonical_agent(s: &str) -> Option<u8> {
    if !is_canonical_decimal(s) {
        return None;
    }
    let v = parse_decimal(s)?;
    u8::try_from(v).ok().filter(|v| *v != 0)
}
