//! The `encrypt` namespace: one-time prekey count and upload, the digest
//! check, key-bundle fetches (which hand out and consume one-time prekeys,
//! virtual phones included) and signed-prekey rotation.

use std::collections::BTreeMap;

use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::keys::{DJB_TYPE, PublicKey};

use super::iq::{error, result, result_with};
use super::{Ctx, Handled, server_jid};
use crate::world::World;
use crate::world::account::{DeviceKeys, HexKey, SignedKeyPub};
use crate::world::conns::Addr;
use crate::world::queue::Class;

/// Below this many one-time prekeys a companion is told to upload more.
pub const LOW_PREKEYS: usize = 5;

/// Handles an `encrypt` iq.
pub fn handle(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    let addr = ctx.device()?.addr;
    let reply = if node.child("count").is_some() {
        let n = ctx
            .world
            .account(&addr.phone)
            .and_then(|a| a.keys(addr.device))
            .map_or(0, |k| k.prekeys.len());
        result_with(node, Node::new("count").with_attr("value", n.to_string()))
    } else if node.child("digest").is_some() {
        result_with(node, Node::new("digest"))
    } else if let Some(key) = node.child("key") {
        fetch_bundles(ctx, node, key)
    } else if let Some(rotate) = node.child("rotate") {
        match rotate.child("skey").and_then(parse_skey) {
            Some(skey) => {
                if let Some(k) = ctx
                    .world
                    .account_mut(&addr.phone)
                    .and_then(|a| a.keys_mut(addr.device))
                {
                    k.signed = skey;
                    ctx.world.dirty = true;
                }
                result(node)
            }
            None => error(node, 400, "bad-request"),
        }
    } else if node.child("list").is_some() || node.child("skey").is_some() {
        upload(ctx, &addr, node)
    } else {
        error(node, 400, "bad-request")
    };
    ctx.reply(reply);
    Ok(())
}

/// Big-endian unsigned integer of 1 to 4 bytes.
pub fn be_u32(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 {
        return None;
    }
    Some(b.iter().fold(0u32, |acc, &x| (acc << 8) | u32::from(x)))
}

fn key_of(node: &Node, tag: &str) -> Option<PublicKey> {
    PublicKey::from_bytes(node.child(tag)?.bytes()?).ok()
}

fn parse_skey(skey: &Node) -> Option<SignedKeyPub> {
    let signature: [u8; 64] = skey.child("signature")?.bytes()?.try_into().ok()?;
    Some(SignedKeyPub {
        id: be_u32(skey.child("id")?.bytes()?)?,
        key: key_of(skey, "value")?,
        signature,
    })
}

fn upload(ctx: &mut Ctx<'_>, addr: &Addr, node: &Node) -> Node {
    let registration = node.child("registration").and_then(|r| be_u32(r.bytes()?));
    let identity = key_of(node, "identity");
    let skey = node.child("skey").and_then(parse_skey);
    let mut keys = BTreeMap::new();
    for k in node.child("list").map(Node::children).unwrap_or_default() {
        match (
            k.child("id").and_then(|i| be_u32(i.bytes()?)),
            key_of(k, "value"),
        ) {
            (Some(id), Some(v)) => {
                keys.insert(id, HexKey(v));
            }
            _ => return error(node, 400, "bad-request"),
        }
    }
    let (Some(registration), Some(identity), Some(skey)) = (registration, identity, skey) else {
        return error(node, 400, "bad-request");
    };
    if !identity.verify(&skey.key.serialize(), &skey.signature) {
        return error(node, 406, "not-acceptable");
    }
    let Some(dev) = ctx
        .world
        .account_mut(&addr.phone)
        .and_then(|a| a.keys_mut(addr.device))
    else {
        return error(node, 404, "item-not-found");
    };
    dev.registration_id = registration;
    dev.identity = identity;
    dev.signed = skey;
    dev.prekeys.extend(keys);
    ctx.world.dirty = true;
    result(node)
}

/// The children of a bundle `<user>` (directly under it, as Baileys reads).
pub fn bundle_children(keys: &DeviceKeys, one_time: Option<(u32, PublicKey)>) -> Vec<Node> {
    let id3 = |id: u32| id.to_be_bytes()[1..].to_vec();
    let mut out = vec![
        Node::new("registration").with_bytes(keys.registration_id.to_be_bytes().to_vec()),
        Node::new("type").with_bytes(vec![DJB_TYPE]),
        Node::new("identity").with_bytes(keys.identity.as_bytes().to_vec()),
        Node::new("skey").with_children([
            Node::new("id").with_bytes(id3(keys.signed.id)),
            Node::new("value").with_bytes(keys.signed.key.as_bytes().to_vec()),
            Node::new("signature").with_bytes(keys.signed.signature.to_vec()),
        ]),
    ];
    if let Some((id, k)) = one_time {
        out.push(Node::new("key").with_children([
            Node::new("id").with_bytes(id3(id)),
            Node::new("value").with_bytes(k.as_bytes().to_vec()),
        ]));
    }
    out
}

/// Takes a bundle of `addr` out of the world (consuming a one-time prekey);
/// phones refill their stock, companions running low are notified.
pub fn take_bundle(
    world: &mut World,
    addr: &Addr,
    now: u64,
) -> Option<(DeviceKeys, Option<(u32, PublicKey)>)> {
    let account = world.accounts.get_mut(&addr.phone)?;
    let keys = account.keys_mut(addr.device)?;
    let one_time = keys.take_prekey();
    let remaining = keys.prekeys.len();
    let snapshot = keys.clone();
    if addr.device == 0 {
        account.phone_dev.refill_prekeys(&mut world.rng);
    }
    world.dirty = true;
    if addr.device != 0 && remaining + 1 == LOW_PREKEYS {
        let id = world.next_id();
        let n = Node::new("notification")
            .with_attr("from", server_jid())
            .with_attr("type", "encrypt")
            .with_attr("id", id)
            .with_attr("t", now.to_string())
            .with_child(Node::new("count").with_attr("value", remaining.to_string()));
        world.deliver(addr, Class::Notification, n);
    }
    Some((snapshot, one_time))
}

fn fetch_bundles(ctx: &mut Ctx<'_>, node: &Node, key: &Node) -> Node {
    let mut users = Vec::new();
    for u in key.children_by_tag("user") {
        let Some(attr) = u.attr("jid").cloned() else {
            continue;
        };
        let jid: Option<Jid> = attr.to_jid();
        let addr = jid.as_ref().and_then(|j| ctx.world.resolve(j));
        let bundle = match addr {
            Some(a) if ctx.world.device_exists(&a) => take_bundle(ctx.world, &a, ctx.now),
            _ => None,
        };
        let user = Node::new("user").with_attr("jid", attr);
        users.push(match bundle {
            Some((keys, one_time)) => user.with_children(bundle_children(&keys, one_time)),
            None => user.with_child(
                Node::new("error")
                    .with_attr("code", "404")
                    .with_attr("text", "item-not-found"),
            ),
        });
    }
    result_with(node, Node::new("list").with_children(users))
}
