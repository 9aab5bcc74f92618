//! `<iq>` requests: dispatch by `xmlns` and the reply shapes.
//!
//! Every `get`/`set` gets exactly one `<iq type="result"|"error" id=SAME>`
//! (Baileys waits 60 s for an unanswered id). Unknown namespaces answer
//! `501 feature-not-implemented`. `result`/`error` iqs from the client are
//! answers to the server's own requests (`pair-device`, `pair-success`).

use wa_proto::binary::Node;

use super::{Ctx, Handled, Reject, server_jid};
use crate::pairing;

/// A result reply to `req`: `<iq type="result" id from>`, `from` echoing
/// the request's `to` (the server unless it named a group).
pub fn result(req: &Node) -> Node {
    let from = req
        .attr("to")
        .cloned()
        .unwrap_or_else(|| server_jid().into());
    Node::new("iq")
        .with_attr("from", from)
        .with_attr("type", "result")
        .with_attr("id", req.attr_text("id").unwrap_or_default().into_owned())
}

/// A result reply with one child.
pub fn result_with(req: &Node, child: Node) -> Node {
    result(req).with_child(child)
}

/// An error reply: `<iq type="error" id><error code text/></iq>`.
pub fn error(req: &Node, code: u16, text: &'static str) -> Node {
    let mut n = result(req);
    n.attrs.insert("type", "error");
    n.with_child(
        Node::new("error")
            .with_attr("code", code.to_string())
            .with_attr("text", text),
    )
}

/// Dispatches an `<iq>`.
pub fn dispatch(ctx: &mut Ctx<'_>, node: Node) -> Handled {
    if node.attr("id").is_none() {
        return Err(Reject("iq without id"));
    }
    let typ = node.attr_text("type").unwrap_or_default().into_owned();
    match typ.as_str() {
        "result" | "error" => return pairing::on_iq_answer(ctx, &node),
        "get" | "set" => {}
        _ => return Err(Reject("iq with bad type")),
    }
    let xmlns = node.attr_text("xmlns").unwrap_or_default().into_owned();
    if ctx.is_registration() && !matches!(xmlns.as_str(), "w:p" | "md") {
        ctx.reply(error(&node, 401, "not-authorized"));
        return Ok(());
    }
    match xmlns.as_str() {
        "w:p" => {
            ctx.reply(result(&node));
            Ok(())
        }
        "md" => pairing::handle_md(ctx, &node),
        "encrypt" => super::prekeys::handle(ctx, &node),
        "usync" => super::usync::handle(ctx, &node),
        "passive" => passive(ctx, &node),
        "w:sync:app:state" => super::appstate::handle(ctx, &node),
        "w:g2" => super::groups::handle_iq(ctx, &node),
        "w:m" => super::media::handle(ctx, &node),
        "w:profile:picture" if super::groups::picture::target_group(&node).is_some() => {
            super::groups::picture::handle(ctx, &node)
        }
        "privacy"
        | "blocklist"
        | "abt"
        | "status"
        | "disappearing_mode"
        | "w:profile:picture"
        | "urn:xmpp:whatsapp:dirty"
        | "w:stats"
        | "urn:xmpp:ping" => super::settings::handle(ctx, &node, &xmlns),
        _ => {
            ctx.reply(error(&node, 501, "feature-not-implemented"));
            Ok(())
        }
    }
}

/// `passive`: `<active/>` starts stanza delivery (the offline queue first),
/// `<passive/>` stops it.
fn passive(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    let addr = ctx.device()?.addr;
    if node.child("active").is_some() {
        ctx.reply(result(node));
        ctx.world.activate(ctx.conn);
        crate::phone::bootstrap::after_active(ctx.world, &addr, ctx.now);
    } else if node.child("passive").is_some() {
        ctx.world.deactivate(ctx.conn);
        ctx.reply(result(node));
    } else {
        ctx.reply(error(node, 400, "bad-request"));
    }
    Ok(())
}
