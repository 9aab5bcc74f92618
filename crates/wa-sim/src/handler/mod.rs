//! The server's reaction to every node a client sends, as a synchronous
//! function of the [`World`]: [`handle_node`] dispatches on the stanza tag
//! (and, for `<iq>`, on `xmlns`) to one module per protocol area. Replies and
//! stanzas for other devices leave through the connection registry's
//! outbound queues, so the whole layer runs without sockets (unit tests and
//! the `sim_node` fuzz target drive it directly).
//!
//! | module | stanzas |
//! |---|---|
//! | [`iq`] | `<iq>` dispatch by `xmlns`, reply builders |
//! | [`prekeys`] | `encrypt`: count, upload, digest, key bundles, rotate |
//! | [`usync`] | `usync`: devices, lid, contact, status, disappearing mode |
//! | [`message`] | client `<message>`: fan-out, DSM, server ack |
//! | [`receipt`] | client `<receipt>` and `<ack>` |
//! | [`presence`] | `<presence>`, `<chatstate>` |
//! | [`settings`] | `abt`, small namespaces (forwards the next row's) |
//! | [`profile`] | `w:profile:picture`, `status`, `privacy`, `blocklist` (stored per account) |
//! | [`media`] | `w:m`: `media_conn` (upload host and auth token) |
//! | [`appstate`] | `w:sync:app:state`: fetch and push of app-state patches, `server_sync` |
//! | [`groups`] | `w:g2`, `w:gp2` notifications, group/broadcast messages and receipts |
//! | [`crate::pairing`] | `md`: pairing by code, `pair-device-sign` |
//!
//! Adding an area: write `handler/<area>.rs` with a `handle(ctx, node)` and
//! add one arm to [`iq::dispatch`] (or to [`handle_node`] for a new tag).

pub mod appstate;
pub mod groups;
pub mod iq;
pub mod media;
pub mod message;
pub mod prekeys;
pub mod presence;
pub mod profile;
pub mod receipt;
pub mod settings;
pub mod usync;

use wa_proto::binary::Node;
use wa_proto::jid::{Jid, Server};

use crate::world::World;
use crate::world::conns::{Addr, ConnId, DeviceSession, Out, Session};

/// A node the server refuses: the connection gets
/// `<stream:error><xml-not-well-formed/></stream:error>` and is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reject(pub &'static str);

/// Result of handling one node.
pub type Handled = Result<(), Reject>;

/// What a handler works with: the world, the connection the node came
/// from and the current time.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The simulated network.
    pub world: &'a mut World,
    /// The connection the node arrived on.
    pub conn: ConnId,
    /// Unix seconds.
    pub now: u64,
}

impl Ctx<'_> {
    /// Sends a node to this connection.
    pub fn reply(&self, node: Node) {
        self.world.conns.send(self.conn, Out::Node(node));
    }

    /// The logged-in device of this connection (rejects registration
    /// connections).
    pub fn device(&self) -> Result<DeviceSession, Reject> {
        self.world
            .conns
            .device(self.conn)
            .cloned()
            .ok_or(Reject("stanza needs a logged-in device"))
    }

    /// Whether this connection is a registering companion.
    pub fn is_registration(&self) -> bool {
        matches!(
            self.world.conns.get(self.conn).map(|e| &e.session),
            Some(Session::Registration(_))
        )
    }

    /// The device address of this connection, if logged in.
    pub fn addr(&self) -> Option<Addr> {
        self.world.conns.device(self.conn).map(|d| d.addr.clone())
    }
}

/// The server JID (`s.whatsapp.net`).
pub fn server_jid() -> Jid {
    Jid::server_only(Server::Pn)
}

/// The stream error sent before closing a connection that sent a bad node.
pub fn stream_error_bad_node() -> Node {
    Node::new("stream:error").with_child(Node::new("xml-not-well-formed"))
}

/// Handles one node from connection `conn`. A refused node closes the
/// connection with a stream error (and only that connection).
pub fn handle_node(world: &mut World, conn: ConnId, node: Node, now: u64) {
    if world.conns.get(conn).is_none() {
        return;
    }
    let mut ctx = Ctx { world, conn, now };
    let result = dispatch(&mut ctx, node);
    if let Err(Reject(why)) = result {
        tracing::debug!(conn, why, "refusing node");
        ctx.world
            .conns
            .send(conn, Out::Close(Some(stream_error_bad_node())));
    }
}

fn dispatch(ctx: &mut Ctx<'_>, node: Node) -> Handled {
    let registration = ctx.is_registration();
    match node.tag.as_ref() {
        "iq" => iq::dispatch(ctx, node),
        "ack" => receipt::handle_ack(ctx, &node),
        "ib" => Ok(()),
        "presence" if registration => Ok(()),
        _ if registration => Err(Reject("stanza not allowed before pairing")),
        "message" => message::handle(ctx, node),
        "receipt" => receipt::handle_receipt(ctx, &node),
        "presence" => presence::handle_presence(ctx, &node),
        "chatstate" => presence::handle_chatstate(ctx, &node),
        "call" => {
            let id = node.attr_text("id").unwrap_or_default().into_owned();
            ctx.reply(
                Node::new("ack")
                    .with_attr("id", id)
                    .with_attr("class", "call")
                    .with_attr("from", server_jid()),
            );
            Ok(())
        }
        _ => Err(Reject("unknown stanza")),
    }
}
