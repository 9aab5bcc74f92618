//! Delivering stanzas to companion devices.
//!
//! Every `<message>`, `<receipt>` and `<notification>` for a companion goes
//! into its [`Queue`](super::queue::Queue) first. If the device is connected
//! and active it is also sent at once; either way it stays queued until the
//! companion acknowledges it, so a stanza in flight when the connection dies
//! is redelivered. After `<passive><active/>` the whole queue is sent again
//! with `offline="1"`, followed by `<ib><offline count=N/>`.

use wa_proto::binary::Node;

use super::World;
use super::conns::{Addr, ConnId, Out, Session};
use super::queue::{Class, Queued};

impl World {
    /// Queues `node` for companion `to` and sends it if the device is online
    /// and active. Stanzas for unknown devices and for phones are dropped
    /// (phones are handled by [`crate::phone`]).
    pub fn deliver(&mut self, to: &Addr, class: Class, node: Node) {
        let id = node
            .attr_text("id")
            .map(|s| s.into_owned())
            .unwrap_or_default();
        let Some(dev) = self
            .accounts
            .get_mut(&to.phone)
            .and_then(|a| a.devices.get_mut(&to.device))
        else {
            return;
        };
        dev.queue.push(Queued {
            class,
            id,
            node: node.clone(),
        });
        self.dirty = true;
        if let Some(conn) = self.active_conn(to) {
            self.conns.send(conn, Out::Node(node));
        }
    }

    /// Sends `node` to companion `to` only if it is online and active
    /// (presence, chatstate: nothing is queued).
    pub fn deliver_ephemeral(&self, to: &Addr, node: Node) {
        if let Some(conn) = self.active_conn(to) {
            self.conns.send(conn, Out::Node(node));
        }
    }

    /// The connection of `addr` if it is logged in and active.
    pub fn active_conn(&self, addr: &Addr) -> Option<ConnId> {
        let conn = self.conns.of_device(addr)?;
        self.conns.device(conn).filter(|d| d.active).map(|_| conn)
    }

    /// Whether any companion of the account is connected.
    pub fn is_online(&self, phone: &str) -> bool {
        self.accounts.get(phone).is_some_and(|a| {
            a.devices
                .keys()
                .any(|d| self.conns.of_device(&Addr::new(phone, *d)).is_some())
        })
    }

    /// The companion devices of an account.
    pub fn companions(&self, phone: &str) -> Vec<Addr> {
        self.accounts
            .get(phone)
            .map(|a| a.devices.keys().map(|d| Addr::new(phone, *d)).collect())
            .unwrap_or_default()
    }

    /// The companion acknowledged stanza `id` of `class`: forget it.
    pub fn acknowledge(&mut self, addr: &Addr, class: Class, id: &str) {
        if let Some(dev) = self
            .accounts
            .get_mut(&addr.phone)
            .and_then(|a| a.devices.get_mut(&addr.device))
            && dev.queue.remove(class, id) > 0
        {
            self.dirty = true;
        }
    }

    /// Marks connection `conn` active and sends its device's queue with
    /// `offline="1"`, then `<ib><offline count=N/>`. Returns the count.
    pub fn activate(&mut self, conn: ConnId) -> usize {
        let Some(entry) = self.conns.get_mut(conn) else {
            return 0;
        };
        let Session::Device(d) = &mut entry.session else {
            return 0;
        };
        d.active = true;
        let addr = d.addr.clone();
        let nodes: Vec<Node> = self
            .accounts
            .get(&addr.phone)
            .and_then(|a| a.devices.get(&addr.device))
            .map(|dev| {
                dev.queue
                    .iter()
                    .map(|q| q.node.clone().with_attr("offline", "1"))
                    .collect()
            })
            .unwrap_or_default();
        let count = nodes.len();
        for n in nodes {
            self.conns.send(conn, Out::Node(n));
        }
        self.conns.send(
            conn,
            Out::Node(
                Node::new("ib")
                    .with_child(Node::new("offline").with_attr("count", count.to_string())),
            ),
        );
        count
    }

    /// Marks connection `conn` passive again (`<passive/>`).
    pub fn deactivate(&mut self, conn: ConnId) {
        if let Some(entry) = self.conns.get_mut(conn)
            && let Session::Device(d) = &mut entry.session
        {
            d.active = false;
        }
    }
}
