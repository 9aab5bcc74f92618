//! `w:m`: `<media_conn/>`, where clients upload media. The answer names the
//! sim's own `HOST:PORT` as the only host (clients build
//! `https://{hostname}/mms/...`; TLS is served on the same port) and the
//! auth token the upload route checks.

use wa_proto::binary::Node;

use super::iq::{error, result_with};
use super::{Ctx, Handled};
use crate::media::{MEDIA_AUTH_TTL, MEDIA_CONN_TTL};

/// Handles a `w:m` iq.
pub fn handle(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    ctx.device()?;
    if node.child("media_conn").is_none() {
        ctx.reply(error(node, 400, "bad-request"));
        return Ok(());
    }
    // whatsmeow requires auth, ttl, auth_ttl and max_buckets, and only
    // <host> children (whatsmeow mediaconn.go).
    let conn = Node::new("media_conn")
        .with_attr("auth", ctx.world.media.auth().to_owned())
        .with_attr("ttl", MEDIA_CONN_TTL.to_string())
        .with_attr("auth_ttl", MEDIA_AUTH_TTL.to_string())
        .with_attr("max_buckets", "12")
        .with_child(Node::new("host").with_attr("hostname", ctx.world.host.clone()));
    ctx.reply(result_with(node, conn));
    Ok(())
}
