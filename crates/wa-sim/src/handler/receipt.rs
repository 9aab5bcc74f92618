//! Client `<receipt>` and `<ack>` stanzas.
//!
//! A receipt acknowledges the message it names (and any `<list><item id>`)
//! on the device that sent it. Delivery (`inactive` counts as delivered),
//! `read` and `played` receipts are forwarded to every companion of the
//! original sender with `from` = the reader's user JID in the addressing
//! family of the chat; `retry` receipts go to the sending device (a virtual
//! phone re-sends). Acks dequeue the stanza of their class.

use wa_proto::binary::Node;
use wa_proto::jid::Jid;

use super::message::server_ack;
use super::{Ctx, Handled, Reject};
use crate::phone::send::resend;
use crate::world::account::Family;
use crate::world::conns::Addr;
use crate::world::queue::Class;

/// Receipt types forwarded to the original sender.
pub(crate) const FORWARDED: &[&str] = &["", "inactive", "read", "played"];

/// Handles a client `<receipt>`.
pub fn handle_receipt(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    let me = ctx.device()?.addr;
    let id = node
        .attr_text("id")
        .filter(|s| !s.is_empty())
        .ok_or(Reject("receipt without id"))?
        .into_owned();
    let kind = node.attr_text("type").unwrap_or_default().into_owned();
    let mut ids = vec![id.clone()];
    if let Some(list) = node.child("list") {
        ids.extend(
            list.children_by_tag("item")
                .filter_map(|i| i.attr_text("id").map(|s| s.into_owned())),
        );
    }
    for i in &ids {
        ctx.world.acknowledge(&me, Class::Message, i);
    }
    let to = node.attr_jid("to");
    let mut ack = server_ack(&id, "receipt", node.attr("to").cloned(), ctx.now);
    if !kind.is_empty() {
        ack.attrs.insert("type", kind.clone());
    }
    ctx.reply(ack);

    let Some(to) = to else { return Ok(()) };
    if to.is_group() {
        return super::groups::route_receipt(ctx, &me, node);
    }
    // `to` is the device that sent the message (or its user); the
    // `participant` attribute, when present, names the author device.
    let author_jid = node.attr_jid("participant").unwrap_or_else(|| to.clone());
    let Some(author) = ctx.world.resolve(&author_jid) else {
        return Ok(());
    };
    if author.phone == me.phone {
        return Ok(()); // `sender`/`peer_msg`/`hist_sync` receipts to ourselves.
    }
    let family = Family::of(&to);
    if kind == "retry" {
        forward_retry(ctx, &me, &author, family, node);
        return Ok(());
    }
    if !FORWARDED.contains(&kind.as_str()) {
        return Ok(());
    }
    let Some(from) = ctx.world.account(&me.phone).map(|a| a.user_jid(family)) else {
        return Ok(());
    };
    if author.device == 0
        && let Some(acc) = ctx.world.account_mut(&author.phone)
    {
        acc.phone_dev.record_receipt(crate::phone::PhoneReceipt {
            from: from.to_string(),
            kind: kind.clone(),
            ids: ids.clone(),
        });
    }
    forward_to_author(ctx, &author, from, None, &id, &kind, node);
    Ok(())
}

/// Delivers a delivery/read/played receipt to every companion of the
/// message's author: `from` is the reader (1:1) or the group, with the
/// reader as `participant` in groups. `inactive` counts as delivered.
pub fn forward_to_author(
    ctx: &mut Ctx<'_>,
    author: &Addr,
    from: Jid,
    participant: Option<Jid>,
    id: &str,
    kind: &str,
    node: &Node,
) {
    for dev in ctx.world.companions(&author.phone) {
        let mut r = Node::new("receipt").with_attr("from", from.clone());
        if let Some(p) = &participant {
            r.attrs.insert("participant", p.clone());
        }
        r.attrs.insert("id", id.to_owned());
        r.attrs.insert("t", ctx.now.to_string());
        if !kind.is_empty() && kind != "inactive" {
            r.attrs.insert("type", kind.to_owned());
        }
        if let Some(list) = node.child("list") {
            r.push_child(list.clone());
        }
        ctx.world.deliver(&dev, Class::Receipt, r);
    }
}

fn forward_retry(ctx: &mut Ctx<'_>, me: &Addr, author: &Addr, family: Family, node: &Node) {
    let id = node.attr_text("id").unwrap_or_default().into_owned();
    if author.device == 0 {
        resend(ctx.world, &author.phone, me, &id, ctx.now);
        return;
    }
    let Some(from) = ctx.world.jid_of(me, family) else {
        return;
    };
    let r = Node::new("receipt")
        .with_attr("from", from)
        .with_attr("id", id)
        .with_attr("type", "retry")
        .with_attr("t", ctx.now.to_string())
        .with_children(node.children().iter().cloned());
    ctx.world.deliver(author, Class::Receipt, r);
}

/// Handles a client `<ack>`: dequeues the acknowledged stanza.
pub fn handle_ack(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    let Some(me) = ctx.addr() else {
        return Ok(()); // acks on registration connections (pairing notifications)
    };
    let id = node.attr_text("id").ok_or(Reject("ack without id"))?;
    let Some(class) = node.attr_text("class").and_then(|c| Class::from_attr(&c)) else {
        return Ok(());
    };
    let id = id.into_owned();
    ctx.world.acknowledge(&me, class, &id);
    Ok(())
}

/// The user JID of `addr`'s account in `family`.
pub fn user_jid(ctx: &Ctx<'_>, addr: &Addr, family: Family) -> Option<Jid> {
    ctx.world.account(&addr.phone).map(|a| a.user_jid(family))
}
