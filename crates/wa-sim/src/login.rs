//! What the server does with a finished handshake: classify the
//! ClientPayload, then either start a registration (`pair-device`) or log a
//! paired companion in (`<success>`, replacing an older connection of the
//! same device with `conflict type=replaced`), or refuse it
//! (`<failure reason="401"/>`).

use tokio::sync::mpsc::UnboundedSender;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::keys::PublicKey;
use wa_proto::pair::payload::ClientHello;

use crate::handler::stream_error_bad_node;
use crate::pairing::start_registration;
use crate::world::World;
use crate::world::conns::{Addr, ConnId, DeviceSession, Out, Session};

/// Why a handshake does not become a session: send the node, then close.
#[derive(Debug)]
pub struct Refused(pub Node);

/// `<failure reason="401"/>`: unknown user or device, or wrong noise key.
pub fn failure_401() -> Node {
    Node::new("failure")
        .with_attr("reason", "401")
        .with_attr("location", "sim")
}

/// `<stream:error><conflict type="replaced"/></stream:error>`.
pub fn conflict_replaced() -> Node {
    Node::new("stream:error").with_child(Node::new("conflict").with_attr("type", "replaced"))
}

/// Registers a connection whose handshake finished with `client_static`
/// and `payload`. Its first nodes are queued on `tx`.
pub fn on_client_hello(
    world: &mut World,
    tx: UnboundedSender<Out>,
    client_static: PublicKey,
    payload: &[u8],
    now: u64,
) -> Result<ConnId, Refused> {
    let hello = ClientHello::parse(payload).map_err(|_| Refused(stream_error_bad_node()))?;
    match hello {
        ClientHello::Registration(reg) => Ok(start_registration(world, tx, client_static, *reg)),
        ClientHello::Login(login) => {
            let phone = login.username.to_string();
            let device = u16::try_from(login.device).map_err(|_| Refused(failure_401()))?;
            let addr = Addr::new(phone.clone(), device);
            let account = world
                .account(&phone)
                .ok_or_else(|| Refused(failure_401()))?;
            let dev = account
                .devices
                .get(&device)
                .filter(|d| d.noise_key == client_static)
                .ok_or_else(|| Refused(failure_401()))?;
            let _ = dev;
            let lid = Jid::lid(account.lid.clone()).with_device(device);
            let success = Node::new("success")
                .with_attr("t", now.to_string())
                .with_attr("props", "27")
                .with_attr("abprops", "8")
                .with_attr("location", "sim")
                .with_attr("creation", account.created.to_string())
                .with_attr("lid", lid);
            // A `pushName` in the payload is the account's push name.
            if let Some(name) = login.push_name.as_deref().filter(|n| !n.is_empty())
                && let Some(a) = world.account_mut(&phone)
                && a.name != name
            {
                a.name = name.to_owned();
                world.dirty = true;
            }
            if let Some(old) = world.conns.of_device(&addr) {
                world.conns.send(old, Out::Close(Some(conflict_replaced())));
                world.conns.remove(old);
            }
            let conn = world.conns.insert(
                tx,
                Session::Device(DeviceSession {
                    addr,
                    active: false,
                }),
            );
            world.conns.send(conn, Out::Node(success));
            if !login.passive {
                world.activate(conn);
            }
            Ok(conn)
        }
    }
}
