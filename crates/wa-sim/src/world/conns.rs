//! The registry of live connections: the outbound queue of each websocket
//! task and what the connection is (a registering companion or a logged-in
//! device), plus the index from devices to their live connection.

use std::collections::HashMap;

use tokio::sync::mpsc::UnboundedSender;
use wa_proto::binary::Node;

use crate::pairing::RegSession;

/// Identifier of one websocket connection.
pub type ConnId = u64;

/// A device of an account: phone-number user and device number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Addr {
    /// Phone-number user of the account.
    pub phone: String,
    /// Device number (0 = phone).
    pub device: u16,
}

impl Addr {
    /// `phone`, device `device`.
    pub fn new(phone: impl Into<String>, device: u16) -> Addr {
        Addr {
            phone: phone.into(),
            device,
        }
    }
}

/// What the connection task should do next with its socket.
#[derive(Debug)]
pub enum Out {
    /// Encode, encrypt and send a node.
    Node(Node),
    /// Send the node (if any), then close the websocket.
    Close(Option<Node>),
}

/// A logged-in companion's connection state.
#[derive(Debug, Clone)]
pub struct DeviceSession {
    /// The device.
    pub addr: Addr,
    /// Whether the client sent `<passive><active/>` (stanzas flow only then).
    pub active: bool,
}

/// What a connection is.
#[derive(Debug)]
pub enum Session {
    /// A companion that registered and waits to be linked.
    Registration(Box<RegSession>),
    /// A logged-in companion.
    Device(DeviceSession),
}

/// One live connection.
#[derive(Debug)]
pub struct ConnEntry {
    /// Outbound queue of the connection task.
    pub tx: UnboundedSender<Out>,
    /// What it is.
    pub session: Session,
}

/// All live connections.
#[derive(Debug, Default)]
pub struct Conns {
    next: ConnId,
    map: HashMap<ConnId, ConnEntry>,
    by_device: HashMap<Addr, ConnId>,
}

impl Conns {
    /// Registers a connection; returns its id.
    pub fn insert(&mut self, tx: UnboundedSender<Out>, session: Session) -> ConnId {
        self.next += 1;
        let id = self.next;
        if let Session::Device(d) = &session {
            self.by_device.insert(d.addr.clone(), id);
        }
        self.map.insert(id, ConnEntry { tx, session });
        id
    }

    /// Forgets a connection (after its socket closed).
    pub fn remove(&mut self, id: ConnId) -> Option<ConnEntry> {
        let entry = self.map.remove(&id)?;
        if let Session::Device(d) = &entry.session
            && self.by_device.get(&d.addr) == Some(&id)
        {
            self.by_device.remove(&d.addr);
        }
        Some(entry)
    }

    /// The connection `id`.
    pub fn get(&self, id: ConnId) -> Option<&ConnEntry> {
        self.map.get(&id)
    }

    /// The connection `id`, mutably.
    pub fn get_mut(&mut self, id: ConnId) -> Option<&mut ConnEntry> {
        self.map.get_mut(&id)
    }

    /// The live connection of a device.
    pub fn of_device(&self, addr: &Addr) -> Option<ConnId> {
        self.by_device.get(addr).copied()
    }

    /// The device session of connection `id`, if it is a logged-in device.
    pub fn device(&self, id: ConnId) -> Option<&DeviceSession> {
        match &self.map.get(&id)?.session {
            Session::Device(d) => Some(d),
            Session::Registration(_) => None,
        }
    }

    /// Turns connection `id` into a logged-in device session.
    pub fn set_device(&mut self, id: ConnId, session: DeviceSession) {
        let addr = session.addr.clone();
        if let Some(e) = self.map.get_mut(&id) {
            e.session = Session::Device(session);
            self.by_device.insert(addr, id);
        }
    }

    /// Queues `out` on connection `id` (ignored if it is gone).
    pub fn send(&self, id: ConnId, out: Out) {
        if let Some(e) = self.map.get(&id) {
            let _ = e.tx.send(out);
        }
    }

    /// Every connection id.
    pub fn ids(&self) -> Vec<ConnId> {
        self.map.keys().copied().collect()
    }

    /// Iterates over registration sessions.
    pub fn registrations_mut(&mut self) -> impl Iterator<Item = (ConnId, &mut RegSession)> {
        self.map
            .iter_mut()
            .filter_map(|(id, e)| match &mut e.session {
                Session::Registration(r) => Some((*id, r.as_mut())),
                Session::Device(_) => None,
            })
    }

    /// Number of live connections.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are no live connections.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}
