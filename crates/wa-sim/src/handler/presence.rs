//! `<presence>` and `<chatstate>` from clients.
//!
//! `<presence name>` sets the account's push name. `available` /
//! `unavailable` are fanned out to subscribers (see
//! [`World::announce_presence`](crate::world::World::announce_presence));
//! `subscribe` registers the subscriber and answers with the target's
//! current presence (`last` honours the target's privacy and blocklist).
//! Chat states go to the recipient's connected devices (never queued),
//! `from` rewritten to the sender's user JID in the family of `to`.

use wa_proto::binary::Node;

use super::{Ctx, Handled};
use crate::world::account::Family;

/// Handles a client `<presence>`.
pub fn handle_presence(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    let me = ctx.device()?.addr;
    if let Some(name) = node.attr_text("name").filter(|n| !n.is_empty())
        && let Some(a) = ctx.world.account_mut(&me.phone)
        && a.name != name
    {
        a.name = name.into_owned();
        ctx.world.dirty = true;
    }
    let kind = node.attr_text("type").unwrap_or_default().into_owned();
    match kind.as_str() {
        "available" | "unavailable" => {
            ctx.world
                .announce_presence(&me.phone, kind == "available", ctx.now);
        }
        "subscribe" => {
            if let Some(target) = node.attr_jid("to").and_then(|j| {
                ctx.world
                    .phone_of(&j)
                    .map(str::to_owned)
                    .map(|p| (p, Family::of(&j)))
            }) {
                ctx.world
                    .presence
                    .subscribe(&target.0, me.clone(), target.1);
                if let Some(n) = ctx.world.presence_node(&target.0, target.1, &me.phone) {
                    ctx.reply(n);
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Handles a client `<chatstate to><composing/>|<paused/></chatstate>`.
pub fn handle_chatstate(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    let me = ctx.device()?.addr;
    let Some(to) = node.attr_jid("to") else {
        return Ok(());
    };
    if to.is_group() {
        return Ok(()); // group chat states belong to the groups module
    }
    let Some(target) = ctx.world.phone_of(&to).map(str::to_owned) else {
        return Ok(());
    };
    let Some(state) = node.children().first().cloned() else {
        return Ok(());
    };
    let name = match (state.tag.as_ref(), state.attr_text("media").as_deref()) {
        ("composing", Some("audio")) => "recording",
        (t, _) => t,
    }
    .to_owned();
    ctx.world.presence.note_chatstate(&me.phone, &target, &name);
    ctx.world
        .send_chatstate(&me.phone, &target, Family::of(&to), state);
    Ok(())
}
