//! Entry point of the `sim_node` fuzz target (and its corpus replay test):
//! arbitrary bytes are split into binary nodes and fed to the handler of a
//! small in-memory world with one logged-in companion, one registering
//! companion, two accounts with virtual phones and a group of both.
//! Nothing may panic.

use std::sync::OnceLock;

use tokio::sync::mpsc;
use wa_proto::binary::decode;

use crate::handler::handle_node;
use crate::world::World;
use crate::world::conns::{Addr, ConnId, DeviceSession, Session};

/// A fuzz entry point.
pub type Entry = fn(&[u8]);

/// The fuzz targets of this crate: `(name, entry point)`.
pub const TARGETS: &[(&str, Entry)] = &[("sim_node", sim_node)];

/// Template world: creating accounts generates keys, so build it once.
fn template() -> &'static (crate::world::Snapshot, String) {
    static T: OnceLock<(crate::world::Snapshot, String)> = OnceLock::new();
    T.get_or_init(|| {
        let mut w = World::new(Some(7), "127.0.0.1:1");
        let _ = w.create_account("6281200000001", "Alice", 1);
        let _ = w.create_account("6281200000002", "Bob", 1);
        let lid = w
            .account("6281200000002")
            .map(|a| a.lid.clone())
            .unwrap_or_default();
        crate::world::testing::add_companion(&mut w, "6281200000001", 1);
        let _ = w.create_group(
            &crate::world::groups::NewGroup {
                owner: "6281200000001",
                subject: "Fuzz",
                participants: &["6281200000002".to_owned()],
                addressing: crate::world::account::Family::Lid,
            },
            1,
        );
        (w.snapshot(), lid)
    })
}

/// A world with the template accounts and a logged-in, active companion
/// `6281200000001:1`; returns the world and that connection.
pub fn fuzz_world() -> (World, ConnId) {
    let (snap, _) = template();
    let mut w = World::new(Some(7), "127.0.0.1:1");
    w.restore(snap.clone());
    // The receiver is dropped: replies to the fuzzed connection are discarded.
    let (tx, _) = mpsc::unbounded_channel();
    let conn = w.conns.insert(
        tx,
        Session::Device(DeviceSession {
            addr: Addr::new("6281200000001", 1),
            active: true,
        }),
    );
    (w, conn)
}

/// Input format: a sequence of `u16 big-endian length ‖ frame payload`
/// (flags byte + node), each decoded and handled in order.
pub fn sim_node(data: &[u8]) {
    let (mut world, conn) = fuzz_world();
    let mut rest = data;
    let mut t = 1_700_000_000;
    while let [a, b, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*a, *b]));
        let Some((frame, next)) = tail.split_at_checked(len.min(tail.len())) else {
            break;
        };
        if let Ok(node) = decode(frame) {
            handle_node(&mut world, conn, node, t);
        }
        t += 1;
        rest = next;
    }
}
