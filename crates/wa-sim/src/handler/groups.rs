//! Groups and broadcasts: placeholder until the groups module lands.
//!
//! `w:g2` iqs answer `501 feature-not-implemented`; group and broadcast
//! messages are acked with `error="501"` (Baileys reports the send as
//! failed); group receipts are accepted and dropped. The groups module
//! replaces these three entry points.

use wa_proto::binary::Node;
use wa_proto::jid::Jid;

use super::iq::error;
use super::message::server_ack;
use super::{Ctx, Handled};
use crate::world::conns::Addr;

/// Handles a `w:g2` iq.
pub fn handle_iq(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    ctx.device()?;
    ctx.reply(error(node, 501, "feature-not-implemented"));
    Ok(())
}

/// Routes a client message to a group or broadcast list.
pub fn route_message(ctx: &mut Ctx<'_>, sender: &Addr, id: &str, to: &Jid, node: &Node) -> Handled {
    let _ = (sender, to);
    let ack =
        server_ack(id, "message", node.attr("to").cloned(), ctx.now).with_attr("error", "501");
    ctx.reply(ack);
    Ok(())
}

/// Forwards a client receipt for a group message.
pub fn route_receipt(ctx: &mut Ctx<'_>, reader: &Addr, node: &Node) -> Handled {
    let _ = (ctx, reader, node);
    Ok(())
}
