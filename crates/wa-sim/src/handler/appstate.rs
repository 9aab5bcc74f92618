//! `w:sync:app:state`: placeholder until the app-state module lands. Every
//! collection is answered as empty at version 0 (the shape the real server
//! uses for a never-written collection) and pushes are refused with 501, so
//! clients finish their initial sync without waiting.

use wa_proto::binary::Node;

use super::iq::{error, result_with};
use super::{Ctx, Handled};

/// Handles a `w:sync:app:state` iq.
pub fn handle(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    ctx.device()?;
    let Some(sync) = node.child("sync") else {
        ctx.reply(error(node, 400, "bad-request"));
        return Ok(());
    };
    if sync
        .children_by_tag("collection")
        .any(|c| c.child("patch").is_some())
    {
        ctx.reply(error(node, 501, "feature-not-implemented"));
        return Ok(());
    }
    let collections = sync.children_by_tag("collection").map(|c| {
        Node::new("collection")
            .with_attr("name", c.attr_text("name").unwrap_or_default().into_owned())
            .with_attr("version", "0")
    });
    ctx.reply(result_with(
        node,
        Node::new("sync").with_children(collections),
    ));
    Ok(())
}
