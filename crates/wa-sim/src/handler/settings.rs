//! Small namespaces Baileys queries around login and sends: privacy
//! settings and tokens, blocklist, server props (`abt`), status text,
//! default disappearing mode, profile pictures,
//! dirty bits, stats and pings.
//!
//! Answers are minimal but well-formed; privacy, blocklist, status and
//! pictures are stored state handled by [`super::profile`].

use wa_proto::binary::Node;

use super::iq::{result, result_with};
use super::{Ctx, Handled};

/// Default privacy settings (`<category name value/>`).
pub use crate::world::profile::PRIVACY_DEFAULTS;

/// Server props (`abt`): `(config_code, config_value)`. 10518: attach
/// privacy tokens to 1:1 messages; 9666: to picture queries; 14303: issue
/// tokens to the LID (the props Baileys reads).
pub const PROPS: &[(&str, &str)] = &[("10518", "true"), ("9666", "true"), ("14303", "true")];

/// Hash of [`PROPS`] (changes whenever they change).
pub const PROPS_HASH: &str = "sim-props-1";

/// Handles an iq of one of the small namespaces.
pub fn handle(ctx: &mut Ctx<'_>, node: &Node, xmlns: &str) -> Handled {
    ctx.device()?;
    let reply = match xmlns {
        "privacy" | "blocklist" | "status" | "w:profile:picture" => {
            return super::profile::handle(ctx, node, xmlns);
        }
        "abt" => result_with(
            node,
            Node::new("props")
                .with_attr("protocol", "1")
                .with_attr("hash", PROPS_HASH)
                .with_children(PROPS.iter().map(|(c, v)| {
                    Node::new("prop")
                        .with_attr("config_code", *c)
                        .with_attr("config_value", *v)
                })),
        ),
        _ => result(node),
    };
    ctx.reply(reply);
    Ok(())
}
