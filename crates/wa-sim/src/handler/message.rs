//! Client `<message>` stanzas to users: the server acks them
//! (`<ack class="message" id from t>`) and fans each `<to jid><enc/></to>`
//! out to its device, PN- or LID-addressed. Devices of the recipient get
//! `<message from=SENDER_DEVICE ...>` with the sender's alternate JID;
//! the sender's own other devices get the copy with `recipient=CHAT`
//! (device-sent messages); `<enc>`s for a phone go to the virtual phone.
//! Groups and broadcasts are handed to [`super::groups`].

use wa_proto::binary::Node;
use wa_proto::jid::{Jid, Server};

use super::{Ctx, Handled, Reject};
use crate::phone::receive::{Incoming, on_message};
use crate::world::account::Family;
use crate::world::conns::Addr;
use crate::world::queue::Class;

/// Children of a client message passed through to recipients (besides the
/// `<enc>` meant for them).
const PASS_THROUGH: &[&str] = &["device-identity", "meta"];
/// Attributes of a client message copied to recipients.
const COPY_ATTRS: &[&str] = &["type", "edit", "category", "push_priority"];

/// The server's ack of a client stanza.
pub fn server_ack(
    id: &str,
    class: &'static str,
    from: Option<wa_proto::binary::AttrValue>,
    now: u64,
) -> Node {
    let mut n = Node::new("ack")
        .with_attr("class", class)
        .with_attr("id", id.to_owned());
    if let Some(f) = from {
        n.attrs.insert("from", f);
    }
    n.with_attr("t", now.to_string())
}

/// Handles a client `<message>`.
pub fn handle(ctx: &mut Ctx<'_>, node: Node) -> Handled {
    let sender = ctx.device()?.addr;
    let id = node
        .attr_text("id")
        .filter(|s| !s.is_empty() && s.len() <= 128)
        .ok_or(Reject("message without id"))?
        .into_owned();
    let to = node.attr_jid("to").ok_or(Reject("message without to"))?;
    if to.is_group() || to.is_broadcast() || to.is_status_broadcast() {
        return super::groups::route_message(ctx, &sender, &id, &to, &node);
    }
    if !matches!(to.server, Server::Pn | Server::Lid) {
        return Err(Reject("message to an unsupported server"));
    }
    let ack_from = node.attr("to").cloned();
    let Some(target) = ctx.world.phone_of(&to).map(str::to_owned) else {
        let ack = server_ack(&id, "message", ack_from, ctx.now).with_attr("error", "404");
        ctx.reply(ack);
        return Ok(());
    };
    ctx.reply(server_ack(&id, "message", ack_from, ctx.now));
    let family = Family::of(&to);
    let chat = to.to_non_ad();

    let mut targets: Vec<(Addr, Vec<Node>)> = Vec::new();
    match node.child("participants") {
        Some(parts) => {
            for t in parts.children_by_tag("to") {
                let Some(addr) = t.attr_jid("jid").and_then(|j| ctx.world.resolve(&j)) else {
                    continue;
                };
                if addr == sender
                    || (addr.phone != target && addr.phone != sender.phone)
                    || !ctx.world.device_exists(&addr)
                {
                    continue;
                }
                targets.push((addr, t.children_by_tag("enc").cloned().collect()));
            }
        }
        None => {
            // A single device: retries and peer messages put `<enc>` directly
            // under `<message>` and name the device in `to`.
            let addr = Addr::new(target.clone(), to.device);
            if addr != sender && ctx.world.device_exists(&addr) {
                targets.push((addr, node.children_by_tag("enc").cloned().collect()));
            }
        }
    }
    let extras: Vec<Node> = node
        .children()
        .iter()
        .filter(|c| PASS_THROUGH.contains(&c.tag.as_ref()))
        .cloned()
        .collect();
    let own_recipient = node.attr("recipient").cloned();
    // A recipient that blocked the sender gets nothing; the sender still
    // gets its ack and its own devices their copies.
    let blocked = ctx.world.blocks(&target, &sender.phone);
    for (addr, encs) in targets {
        if encs.is_empty() {
            continue;
        }
        let own = addr.phone == sender.phone;
        if blocked && !own {
            continue;
        }
        if addr.device == 0 {
            on_message(
                ctx.world,
                Incoming {
                    owner: addr.phone.clone(),
                    sender: sender.clone(),
                    family,
                    id: id.clone(),
                    chat: chat.clone(),
                    encs,
                    own,
                    now: ctx.now,
                },
            );
            continue;
        }
        let Some(from) = ctx.world.jid_of(&sender, family) else {
            continue;
        };
        let mut out = Node::new("message")
            .with_attr("from", from)
            .with_attr("id", id.clone())
            .with_attr("t", ctx.now.to_string());
        for key in COPY_ATTRS {
            if let Some(v) = node.attr(key) {
                out.attrs.insert(*key, v.clone());
            }
        }
        if own {
            let recipient = own_recipient.clone().unwrap_or_else(|| chat.clone().into());
            out.attrs.insert("recipient", recipient);
        } else {
            add_sender_attrs(ctx, &mut out, &sender.phone, family);
        }
        out = out
            .with_children(encs)
            .with_children(extras.iter().cloned());
        ctx.world.deliver(&addr, Class::Message, out);
    }
    Ok(())
}

/// Adds `notify` (push name) and the sender's alternate JID
/// (`sender_pn` for LID addressing, `sender_lid` for PN addressing).
pub fn add_sender_attrs(ctx: &Ctx<'_>, out: &mut Node, sender_phone: &str, family: Family) {
    let Some(a) = ctx.world.account(sender_phone) else {
        return;
    };
    match family {
        Family::Lid => {
            out.attrs.insert("sender_pn", Jid::pn(a.phone.clone()));
            out.attrs.insert("addressing_mode", "lid");
        }
        Family::Pn => {
            out.attrs.insert("sender_lid", Jid::lid(a.lid.clone()));
        }
    }
    if !a.name.is_empty() {
        out.attrs.insert("notify", a.name.clone());
    }
}
