//! Small namespaces Baileys queries around login and sends: privacy
//! settings and tokens, blocklist, server props (`abt`), status text,
//! default disappearing mode, `media_conn` (`w:m`), profile pictures,
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

/// Seconds a `media_conn` answer stays valid.
pub const MEDIA_CONN_TTL: u64 = 300;

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
        "w:m" if node.child("media_conn").is_some() => result_with(
            node,
            Node::new("media_conn")
                .with_attr("auth", "sim-media-auth")
                .with_attr("ttl", MEDIA_CONN_TTL.to_string())
                .with_attr("auth_ttl", "21600")
                .with_attr("max_buckets", "12")
                .with_child(Node::new("host").with_attr("hostname", ctx.world.host.clone())),
        ),
        _ => result(node),
    };
    ctx.reply(reply);
    Ok(())
}
