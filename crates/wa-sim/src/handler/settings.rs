//! Small namespaces Baileys queries around login and sends: privacy
//! settings and tokens, blocklist, server props (`abt`), status text,
//! default disappearing mode, profile pictures,
//! dirty bits, stats and pings.
//!
//! Answers are minimal but well-formed; the profile/privacy module replaces
//! the privacy, blocklist and picture parts with stored state.

use wa_proto::binary::Node;

use super::iq::{error, result, result_with};
use super::{Ctx, Handled};

/// Default privacy settings (`<category name value/>`).
pub const PRIVACY_DEFAULTS: &[(&str, &str)] = &[
    ("last", "all"),
    ("online", "all"),
    ("profile", "all"),
    ("status", "contacts"),
    ("groupadd", "all"),
    ("readreceipts", "all"),
    ("calladd", "all"),
    ("messages", "all"),
];

/// Handles an iq of one of the small namespaces.
pub fn handle(ctx: &mut Ctx<'_>, node: &Node, xmlns: &str) -> Handled {
    let me = ctx.device()?.addr;
    let set = node.attr_text("type").is_some_and(|t| t == "set");
    let reply = match xmlns {
        "privacy" if node.child("privacy").is_some() && !set => result_with(
            node,
            Node::new("privacy").with_children(PRIVACY_DEFAULTS.iter().map(|(n, v)| {
                Node::new("category")
                    .with_attr("name", *n)
                    .with_attr("value", *v)
            })),
        ),
        "privacy" => result(node), // settings change, privacy tokens
        "blocklist" if !set => result_with(node, Node::new("list").with_attr("dhash", "0")),
        "blocklist" => result(node),
        "abt" => result_with(
            node,
            Node::new("props")
                .with_attr("protocol", "1")
                .with_attr("hash", "sim"),
        ),
        "status" => {
            if let Some(text) = node.child("status").and_then(Node::bytes) {
                let text = String::from_utf8_lossy(text).into_owned();
                if let Some(a) = ctx.world.account_mut(&me.phone) {
                    a.status = text;
                    ctx.world.dirty = true;
                }
            }
            result(node)
        }
        "w:profile:picture" if !set => error(node, 404, "item-not-found"),
        "w:profile:picture" => result_with(
            node,
            Node::new("picture").with_attr("id", ctx.now.to_string()),
        ),
        _ => result(node),
    };
    ctx.reply(reply);
    Ok(())
}
