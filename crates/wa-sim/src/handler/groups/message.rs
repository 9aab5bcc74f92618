//! Group and broadcast messages from clients, and receipts for them.
//!
//! A client sends one `<message to=GROUP>` with a shared `<enc
//! type="skmsg">` and, under `<participants>`, pairwise `<enc>`s (the
//! sender key distribution) for the devices that lack its sender key. Every
//! member device except the sending one gets `<message from=GROUP
//! participant=SENDER_DEVICE>` with its own pairwise `<enc>` (if listed) and
//! the `skmsg`; virtual phones decrypt theirs ([`crate::phone::group`]).
//! `<to>` entries may name devices by PN or LID. Broadcast lists go to the
//! listed devices only.
//!
//! Receipts `<receipt to=GROUP participant=AUTHOR>` reach the author's
//! companions as `<receipt from=GROUP participant=READER>`; retry receipts
//! go to the author device (a phone re-sends with a fresh SKDM).

use std::collections::HashMap;

use wa_proto::binary::Node;
use wa_proto::ids::{ad_jid, participant_hash};
use wa_proto::jid::Jid;

use crate::handler::message::server_ack;
use crate::handler::{Ctx, Handled};
use crate::phone::group::{GroupIncoming, on_group_message};
use crate::world::World;
use crate::world::account::Family;
use crate::world::conns::Addr;
use crate::world::queue::Class;

/// Attributes of a client message copied to recipients.
const COPY_ATTRS: &[&str] = &["type", "edit", "category", "push_priority", "expiration"];
/// Children of a client message passed through to recipients.
const PASS_THROUGH: &[&str] = &["device-identity", "meta"];

/// `<message from=CHAT participant=SENDER_DEVICE ...>` without content, in
/// the shape Baileys reads for group messages.
pub fn incoming_node(
    world: &World,
    chat: &Jid,
    sender: &Addr,
    family: Family,
    id: &str,
    now: u64,
) -> Node {
    let mut n = Node::new("message")
        .with_attr("from", chat.clone())
        .with_attr("id", id.to_owned())
        .with_attr("t", now.to_string());
    if let Some(a) = world.account(&sender.phone) {
        n.attrs
            .insert("participant", a.device_jid(family, sender.device));
        match family {
            Family::Lid => {
                n.attrs.insert("participant_pn", a.user_jid(Family::Pn));
                n.attrs.insert("addressing_mode", "lid");
            }
            Family::Pn => {
                n.attrs.insert("participant_lid", a.user_jid(Family::Lid));
                n.attrs.insert("addressing_mode", "pn");
            }
        }
        if !a.name.is_empty() {
            n.attrs.insert("notify", a.name.clone());
        }
    }
    n
}

/// whatsmeow's participant hash over the devices the server knows.
fn server_phash(world: &World, devices: &[Addr], family: Family) -> String {
    let jids: Vec<String> = devices
        .iter()
        .filter_map(|d| {
            let a = world.account(&d.phone)?;
            let u = a.user_jid(family);
            Some(ad_jid(&u.user, 0, d.device, u.server.as_str()))
        })
        .collect();
    participant_hash(&jids)
}

/// Routes a client message to a group or broadcast list.
pub fn route_message(ctx: &mut Ctx<'_>, sender: &Addr, id: &str, to: &Jid, node: &Node) -> Handled {
    let ack_from = node.attr("to").cloned();
    let (members, family, chat) = if to.is_group() {
        let Some(g) = ctx.world.group(&to.user) else {
            ctx.reply(server_ack(id, "message", ack_from, ctx.now).with_attr("error", "404"));
            return Ok(());
        };
        let refused = !g.is_member(&sender.phone) || (g.announce && !g.is_admin(&sender.phone));
        if refused {
            ctx.reply(server_ack(id, "message", ack_from, ctx.now).with_attr("error", "403"));
            return Ok(());
        }
        (Some(g.phones()), g.addressing, g.jid())
    } else {
        let family = if node.attr_str("addressing_mode") == Some("pn") {
            Family::Pn
        } else {
            Family::Lid
        };
        (None, family, to.to_non_ad())
    };
    // Pairwise encs by device, PN or LID addressed.
    let mut pairwise: HashMap<Addr, Vec<Node>> = HashMap::new();
    if let Some(parts) = node.child("participants") {
        for t in parts.children_by_tag("to") {
            let Some(addr) = t.attr_jid("jid").and_then(|j| ctx.world.resolve(&j)) else {
                continue;
            };
            pairwise
                .entry(addr)
                .or_default()
                .extend(t.children_by_tag("enc").cloned());
        }
    }
    let skmsg: Vec<Node> = node
        .children_by_tag("enc")
        .filter(|e| e.attr_str("type") == Some("skmsg"))
        .cloned()
        .collect();
    let targets: Vec<Addr> = match &members {
        Some(phones) => ctx.world.devices_of(phones),
        None => {
            let mut t: Vec<Addr> = pairwise.keys().cloned().collect();
            t.sort();
            t
        }
    };
    let mut ack = server_ack(id, "message", ack_from, ctx.now);
    if members.is_some()
        && let Some(theirs) = node.attr_text("phash")
    {
        let ours = server_phash(ctx.world, &targets, family);
        if *theirs != ours {
            ack.attrs.insert("phash", ours);
        }
    }
    ctx.reply(ack);
    let extras: Vec<Node> = node
        .children()
        .iter()
        .filter(|c| PASS_THROUGH.contains(&c.tag.as_ref()))
        .cloned()
        .collect();
    for addr in targets {
        if addr == *sender || !ctx.world.device_exists(&addr) {
            continue;
        }
        let mut encs = pairwise.remove(&addr).unwrap_or_default();
        encs.extend(skmsg.iter().cloned());
        if encs.is_empty() {
            continue;
        }
        if addr.device == 0 {
            on_group_message(
                ctx.world,
                GroupIncoming {
                    owner: addr.phone.clone(),
                    sender: sender.clone(),
                    chat: chat.clone(),
                    family,
                    id: id.to_owned(),
                    encs,
                    now: ctx.now,
                },
            );
            continue;
        }
        let mut out = incoming_node(ctx.world, &chat, sender, family, id, ctx.now);
        for key in COPY_ATTRS {
            if let Some(v) = node.attr(key) {
                out.attrs.insert(*key, v.clone());
            }
        }
        let out = out
            .with_children(encs)
            .with_children(extras.iter().cloned());
        ctx.world.deliver(&addr, Class::Message, out);
    }
    Ok(())
}

/// Forwards a client receipt for a group message to its author.
pub fn route_receipt(ctx: &mut Ctx<'_>, reader: &Addr, node: &Node) -> Handled {
    let Some(chat) = node.attr_jid("to") else {
        return Ok(());
    };
    let Some(author_jid) = node.attr_jid("participant") else {
        return Ok(());
    };
    let Some(author) = ctx.world.resolve(&author_jid) else {
        return Ok(());
    };
    if author.phone == reader.phone {
        return Ok(());
    }
    let family = ctx
        .world
        .group(&chat.user)
        .map_or_else(|| Family::of(&author_jid), |g| g.addressing);
    let id = node.attr_text("id").unwrap_or_default().into_owned();
    let kind = node.attr_text("type").unwrap_or_default().into_owned();
    if kind == "retry" {
        if author.device == 0 {
            crate::phone::group::resend(ctx.world, &author.phone, reader, &id, ctx.now);
            return Ok(());
        }
        let Some(from) = ctx.world.jid_of(reader, family) else {
            return Ok(());
        };
        let r = Node::new("receipt")
            .with_attr("from", chat.to_non_ad())
            .with_attr("participant", from)
            .with_attr("id", id)
            .with_attr("type", "retry")
            .with_attr("t", ctx.now.to_string())
            .with_children(node.children().iter().cloned());
        ctx.world.deliver(&author, Class::Receipt, r);
        return Ok(());
    }
    if !crate::handler::receipt::FORWARDED.contains(&kind.as_str()) {
        return Ok(());
    }
    let Some(reader_jid) = ctx.world.account(&reader.phone).map(|a| a.user_jid(family)) else {
        return Ok(());
    };
    crate::handler::receipt::forward_to_author(
        ctx,
        &author,
        chat.to_non_ad(),
        Some(reader_jid),
        &id,
        &kind,
        node,
    );
    Ok(())
}
