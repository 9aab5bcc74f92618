//! `w:sync:app:state`: app-state sync. One iq carries
//! `<sync><collection name version return_snapshot>…</sync>` children:
//!
//! * without `<patch>`: a fetch. The answer is
//!   `<collection name version=CURRENT>[<patches><patch>SyncdPatch</patch>…</patches>]</collection>`
//!   with every patch after the requested version (each with its
//!   `version` field set), paged with `has_more_patches="true"`. No
//!   `<snapshot>` is ever sent, even for `return_snapshot="true"`: a
//!   snapshot is an external blob clients fetch from the real media host
//!   (Baileys: `mmg.whatsapp.net`), and the patches from version 0 carry
//!   the same state. A never-written collection is `version="0"`, empty.
//! * with `<patch>`: a push on top of `version`. If that is the current
//!   version the patch becomes `version+1` and the answer is
//!   `<collection name version=NEW/>`; otherwise
//!   `<collection name type="error"><error code="409" text="conflict"/><patches>missing…</patches></collection>`.
//!   After a push the account's other companions get
//!   `<notification type="server_sync"><collection name version/></notification>`
//!   and fetch.
//!
//! Patches stay opaque: the server cannot decrypt them (see
//! [`crate::appstate`]).

use wa_proto::binary::Node;

use super::iq::{error, result_with};
use super::{Ctx, Handled, server_jid};
use crate::appstate::{COLLECTIONS, PushError};
use crate::world::queue::Class;

fn collection_error(name: &str, code: u16, text: &'static str) -> Node {
    Node::new("collection")
        .with_attr("name", name.to_owned())
        .with_attr("type", "error")
        .with_child(
            Node::new("error")
                .with_attr("code", code.to_string())
                .with_attr("text", text),
        )
}

fn patches_node(patches: Vec<Vec<u8>>) -> Node {
    Node::new("patches").with_children(
        patches
            .into_iter()
            .map(|p| Node::new("patch").with_bytes(p)),
    )
}

/// Handles a `w:sync:app:state` iq.
pub fn handle(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    let me = ctx.device()?.addr;
    let Some(sync) = node.child("sync") else {
        ctx.reply(error(node, 400, "bad-request"));
        return Ok(());
    };
    let mut answers = Vec::new();
    let mut pushed: Vec<(String, u64)> = Vec::new();
    for c in sync.children_by_tag("collection") {
        let name = c.attr_text("name").unwrap_or_default().into_owned();
        if !COLLECTIONS.contains(&name.as_str()) {
            answers.push(collection_error(&name, 400, "bad-request"));
            continue;
        }
        let Some(version) = c
            .attr_text("version")
            .map_or(Some(0), |v| v.parse::<u64>().ok())
        else {
            answers.push(collection_error(&name, 400, "bad-request"));
            continue;
        };
        let mut patches: Vec<&Node> = c.children_by_tag("patch").collect();
        if let Some(ps) = c.child("patches") {
            patches.extend(ps.children_by_tag("patch"));
        }
        if patches.is_empty() {
            answers.push(fetch(ctx, &me.phone, &name, version));
            continue;
        }
        let mut base = version;
        let mut answer = None;
        for p in patches {
            let bytes = p.bytes().unwrap_or_default();
            match ctx.world.appstate.push(&me.phone, &name, base, bytes) {
                Ok(v) => base = v,
                Err(PushError::Conflict { .. }) => {
                    let (missing, _) = ctx
                        .world
                        .appstate
                        .collection(&me.phone, &name)
                        .patches_after(base);
                    let mut n = collection_error(&name, 409, "conflict");
                    if !missing.is_empty() {
                        n = n.with_child(patches_node(missing));
                    }
                    answer = Some(n);
                    break;
                }
                Err(PushError::Malformed) => {
                    answer = Some(collection_error(&name, 400, "bad-request"));
                    break;
                }
            }
        }
        if base != version {
            ctx.world.dirty = true;
            pushed.push((name.clone(), base));
        }
        answers.push(answer.unwrap_or_else(|| {
            Node::new("collection")
                .with_attr("name", name.clone())
                .with_attr("version", base.to_string())
        }));
    }
    ctx.reply(result_with(node, Node::new("sync").with_children(answers)));
    for (name, version) in pushed {
        notify_others(ctx, &me, &name, version);
    }
    Ok(())
}

fn fetch(ctx: &Ctx<'_>, phone: &str, name: &str, after: u64) -> Node {
    let coll = ctx.world.appstate.collection(phone, name);
    let (patches, more) = coll.patches_after(after);
    let version = if more {
        after + patches.len() as u64
    } else {
        coll.version()
    };
    let mut n = Node::new("collection")
        .with_attr("name", name.to_owned())
        .with_attr("version", version.to_string());
    if more {
        n.attrs.insert("has_more_patches", "true");
    }
    if !patches.is_empty() {
        n = n.with_child(patches_node(patches));
    }
    n
}

/// `server_sync` to every other companion of the account.
fn notify_others(ctx: &mut Ctx<'_>, me: &crate::world::conns::Addr, name: &str, version: u64) {
    for dev in ctx.world.companions(&me.phone) {
        if dev == *me {
            continue;
        }
        let id = ctx.world.next_id();
        let n = Node::new("notification")
            .with_attr("from", server_jid())
            .with_attr("type", "server_sync")
            .with_attr("id", id)
            .with_attr("t", ctx.now.to_string())
            .with_child(
                Node::new("collection")
                    .with_attr("name", name.to_owned())
                    .with_attr("version", version.to_string()),
            );
        ctx.world.deliver(&dev, Class::Notification, n);
    }
}
