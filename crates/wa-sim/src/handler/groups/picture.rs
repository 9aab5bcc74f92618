//! Group pictures: `w:profile:picture` iqs whose `target` is a group.
//!
//! `set` with `<picture type="image">JPEG</picture>` sets a new picture id,
//! `set` without a child removes the picture; members of a locked group
//! need to be admins (403). Members' companions get `<notification
//! type="picture">` with `<set jid id author/>` or `<delete jid author/>`
//! (Baileys turns it into `GROUP_CHANGE_ICON`). `get` answers `<picture id
//! type url direct_path/>` or 404. Only the id is kept: the image bytes are
//! not stored or served (see `docs/sim.md`).

use wa_proto::binary::Node;
use wa_proto::jid::Jid;

use super::node::{Actor, notify_typed, user_jid};
use crate::handler::iq::{error, result, result_with};
use crate::handler::{Ctx, Handled};

/// Largest accepted picture (bytes).
const MAX_PICTURE: usize = 1 << 20;

/// The group a `w:profile:picture` iq targets, if it targets a group.
pub fn target_group(node: &Node) -> Option<Jid> {
    node.attr_jid("target").filter(Jid::is_group)
}

/// Handles a `w:profile:picture` iq targeting a group.
pub fn handle(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    let me = ctx.device()?.addr;
    let Some(gj) = target_group(node) else {
        ctx.reply(error(node, 400, "bad-request"));
        return Ok(());
    };
    let Some(g) = ctx.world.group(&gj.user).cloned() else {
        ctx.reply(error(node, 404, "item-not-found"));
        return Ok(());
    };
    let set = node.attr_text("type").as_deref() == Some("set");
    if !set {
        let reply = match &g.picture_id {
            Some(id) => {
                let kind = node
                    .child("picture")
                    .and_then(|p| p.attr_text("type"))
                    .map_or_else(|| "preview".to_owned(), |t| t.into_owned());
                let path = format!("/v/t61.24694-24/{}_{id}_{kind}.jpg", g.id);
                result_with(
                    node,
                    Node::new("picture")
                        .with_attr("id", id.clone())
                        .with_attr("type", kind)
                        .with_attr("url", format!("https://{}{path}", ctx.world.host))
                        .with_attr("direct_path", path),
                )
            }
            None => error(node, 404, "item-not-found"),
        };
        ctx.reply(reply);
        return Ok(());
    }
    let Some(role) = g.role_of(&me.phone) else {
        ctx.reply(error(node, 401, "not-authorized"));
        return Ok(());
    };
    if g.locked && !role.is_admin() {
        ctx.reply(error(node, 403, "forbidden"));
        return Ok(());
    }
    let image = node.child("picture").and_then(Node::bytes);
    if image.is_some_and(|b| b.is_empty() || b.len() > MAX_PICTURE) {
        ctx.reply(error(node, 406, "not-acceptable"));
        return Ok(());
    }
    // Picture ids grow with time and never repeat within a group.
    let prev: u64 = g
        .picture_id
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let new_id = image.map(|_| ctx.now.max(prev + 1).to_string());
    let Some(stored) = ctx.world.group_mut(&g.id) else {
        ctx.reply(error(node, 404, "item-not-found"));
        return Ok(());
    };
    stored.picture_id = new_id.clone();
    let g = stored.clone();
    let author = user_jid(ctx.world, &me.phone, g.addressing);
    let child = match &new_id {
        Some(id) => Node::new("set")
            .with_attr("jid", g.jid())
            .with_attr("id", id.clone())
            .with_attr("author", author),
        None => Node::new("delete")
            .with_attr("jid", g.jid())
            .with_attr("author", author),
    };
    notify_typed(
        ctx.world,
        &g,
        &Actor::device(&me),
        "picture",
        child,
        &[],
        ctx.now,
    );
    ctx.reply(match new_id {
        Some(id) => result_with(node, Node::new("picture").with_attr("id", id)),
        None => result(node),
    });
    Ok(())
}
