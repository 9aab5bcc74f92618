//! Profile pictures (`w:profile:picture`), status text (`status`), privacy
//! settings (`privacy`) and the blocklist (`blocklist`), stored per account
//! in [`crate::world::profile::Profile`].
//!
//! * Picture get answers `<picture id url direct_path type>` with a URL on
//!   the sim's own port (`https://HOST/pp/PHONE/ID?type=image|preview`,
//!   served by the control router), `404 item-not-found` without a picture
//!   and `401 not-authorized` when the owner's `profile` privacy is `none`
//!   or the owner blocked the asker. Set answers `<picture id/>`; an empty
//!   set deletes. The owner's other companions get a `picture`
//!   notification.
//! * Status set stores the text and its time (served by usync `status`).
//! * Privacy get lists every category; set validates and stores, answers
//!   an empty result and sends `account_sync <privacy>` to the other own
//!   companions. Privacy tokens get an empty result.
//! * Blocklist get answers `<list dhash><item jid=LID/>…</list>`; set
//!   (`<item action=block|unblock jid [pn_jid]>`) answers the new list and
//!   sends `account_sync <blocklist>` to the other own companions. Messages,
//!   chat states and presence from a blocked account are not delivered.

use std::hash::{Hash, Hasher};

use wa_proto::binary::Node;
use wa_proto::jid::{Jid, Server};

use super::iq::{error, result, result_with};
use super::{Ctx, Handled};
use crate::world::World;
use crate::world::account::Family;
use crate::world::conns::Addr;
use crate::world::profile::{MAX_PICTURE, PRIVACY_VALUES, Picture};
use crate::world::queue::Class;

/// Handles an iq of `w:profile:picture`, `status`, `privacy` or `blocklist`.
pub fn handle(ctx: &mut Ctx<'_>, node: &Node, xmlns: &str) -> Handled {
    let me = ctx.device()?.addr;
    let set = node.attr_text("type").is_some_and(|t| t == "set");
    let reply = match xmlns {
        "w:profile:picture" if set => set_picture(ctx, node, &me),
        "w:profile:picture" => get_picture(ctx, node, &me),
        "status" if set => set_status(ctx, node, &me),
        "privacy" => privacy(ctx, node, &me, set),
        "blocklist" if set => set_blocklist(ctx, node, &me),
        "blocklist" => result_with(node, blocklist_node(ctx.world, &me.phone)),
        _ => result(node),
    };
    ctx.reply(reply);
    Ok(())
}

/// The path a picture is served under (after `https://HOST`).
pub fn picture_path(phone: &str, id: u64, kind: &str) -> String {
    format!("/pp/{phone}/{id}?type={kind}")
}

fn get_picture(ctx: &Ctx<'_>, node: &Node, me: &Addr) -> Node {
    let target = node
        .attr_jid("target")
        .unwrap_or_else(|| Jid::pn(me.phone.clone()));
    if target.is_group() {
        // Group pictures belong to the groups module.
        return error(node, 501, "feature-not-implemented");
    }
    let Some(owner) = ctx.world.phone_of(&target).map(str::to_owned) else {
        return error(node, 404, "item-not-found");
    };
    if !ctx.world.may_see(&owner, &me.phone, "profile") {
        return error(node, 401, "not-authorized");
    }
    let Some(pic) = ctx
        .world
        .account(&owner)
        .and_then(|a| a.profile.picture.as_ref())
    else {
        return error(node, 404, "item-not-found");
    };
    let kind = node
        .child("picture")
        .and_then(|p| p.attr_text("type"))
        .filter(|t| t == "image")
        .map_or("preview", |_| "image");
    let path = picture_path(&owner, pic.id, kind);
    result_with(
        node,
        Node::new("picture")
            .with_attr("id", pic.id.to_string())
            .with_attr("type", kind)
            .with_attr("url", format!("https://{}{path}", ctx.world.host))
            .with_attr("direct_path", path),
    )
}

fn set_picture(ctx: &mut Ctx<'_>, node: &Node, me: &Addr) -> Node {
    if let Some(target) = node.attr_jid("target") {
        if target.is_group() {
            return error(node, 501, "feature-not-implemented");
        }
        if ctx.world.phone_of(&target) != Some(me.phone.as_str()) {
            return error(node, 401, "not-authorized");
        }
    }
    let bytes = node
        .child("picture")
        .and_then(Node::bytes)
        .filter(|b| !b.is_empty())
        .map(<[u8]>::to_vec);
    if bytes.as_ref().is_some_and(|b| b.len() > MAX_PICTURE) {
        return error(node, 406, "not-acceptable");
    }
    let now = ctx.now;
    let Some(account) = ctx.world.account_mut(&me.phone) else {
        return error(node, 404, "item-not-found");
    };
    let reply = match bytes {
        Some(bytes) => {
            let id = account
                .profile
                .picture
                .as_ref()
                .map_or(now, |p| p.id.saturating_add(1).max(now));
            account.profile.picture = Some(Picture { id, bytes });
            result_with(node, Node::new("picture").with_attr("id", id.to_string()))
        }
        None => {
            account.profile.picture = None;
            result(node)
        }
    };
    let picture = account.profile.picture.as_ref().map(|p| p.id);
    let user = account.user_jid(Family::Pn);
    ctx.world.dirty = true;
    let child = match picture {
        Some(id) => Node::new("set")
            .with_attr("jid", user.clone())
            .with_attr("id", id.to_string())
            .with_attr("author", user.clone()),
        None => Node::new("delete")
            .with_attr("jid", user.clone())
            .with_attr("author", user.clone()),
    };
    notify_own(ctx.world, me, "picture", user, child, now);
    reply
}

fn set_status(ctx: &mut Ctx<'_>, node: &Node, me: &Addr) -> Node {
    let text = node
        .child("status")
        .and_then(Node::bytes)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    if text.chars().count() > 139 {
        return error(node, 406, "not-acceptable");
    }
    if let Some(a) = ctx.world.account_mut(&me.phone) {
        a.status = text;
        a.profile.status_t = ctx.now;
        ctx.world.dirty = true;
    }
    result(node)
}

fn privacy(ctx: &mut Ctx<'_>, node: &Node, me: &Addr, set: bool) -> Node {
    let Some(p) = node.child("privacy") else {
        // Privacy tokens (`<tokens>`) and anything else: an empty result.
        return result(node);
    };
    if !set {
        let list = ctx
            .world
            .account(&me.phone)
            .map(|a| a.profile.privacy_list())
            .unwrap_or_default();
        return result_with(node, privacy_node(&list));
    }
    let mut changes = Vec::new();
    for c in p.children_by_tag("category") {
        let (Some(name), Some(value)) = (c.attr_text("name"), c.attr_text("value")) else {
            return error(node, 400, "bad-request");
        };
        if name.is_empty() || name.len() > 32 || !PRIVACY_VALUES.contains(&value.as_ref()) {
            return error(node, 400, "bad-request");
        }
        changes.push((name.into_owned(), value.into_owned()));
    }
    if changes.is_empty() {
        return error(node, 400, "bad-request");
    }
    let Some(account) = ctx.world.account_mut(&me.phone) else {
        return error(node, 404, "item-not-found");
    };
    for (n, v) in &changes {
        account.profile.set_privacy(n, v);
    }
    let user = account.user_jid(Family::Pn);
    ctx.world.dirty = true;
    notify_own(
        ctx.world,
        me,
        "account_sync",
        user,
        privacy_node(&changes),
        ctx.now,
    );
    result(node)
}

fn privacy_node(list: &[(String, String)]) -> Node {
    Node::new("privacy").with_children(list.iter().map(|(n, v)| {
        Node::new("category")
            .with_attr("name", n.clone())
            .with_attr("value", v.clone())
    }))
}

/// `<list dhash><item jid=LID/>…</list>` for the blocklist of `phone`.
pub fn blocklist_node(world: &World, phone: &str) -> Node {
    let blocked: Vec<Jid> = world
        .account(phone)
        .map(|a| {
            a.profile
                .blocked
                .iter()
                .filter_map(|p| world.account(p).map(|b| b.user_jid(Family::Lid)))
                .collect()
        })
        .unwrap_or_default();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for j in &blocked {
        j.to_string().hash(&mut h);
    }
    let dhash = if blocked.is_empty() {
        "0".to_owned()
    } else {
        format!("{:016x}", h.finish())
    };
    Node::new("list").with_attr("dhash", dhash).with_children(
        blocked
            .into_iter()
            .map(|j| Node::new("item").with_attr("jid", j)),
    )
}

fn set_blocklist(ctx: &mut Ctx<'_>, node: &Node, me: &Addr) -> Node {
    let Some(item) = node.child("item") else {
        return error(node, 400, "bad-request");
    };
    let block = match item.attr_text("action").as_deref() {
        Some("block") => true,
        Some("unblock") => false,
        _ => return error(node, 400, "bad-request"),
    };
    let target = item
        .attr_jid("jid")
        .filter(|j| matches!(j.server, Server::Pn | Server::Lid))
        .or_else(|| item.attr_jid("pn_jid"));
    let Some(target) = target else {
        return error(node, 400, "bad-request");
    };
    let Some(other) = ctx.world.phone_of(&target).map(str::to_owned) else {
        return error(node, 404, "item-not-found");
    };
    if other == me.phone {
        return error(node, 400, "bad-request");
    }
    let Some(account) = ctx.world.account_mut(&me.phone) else {
        return error(node, 404, "item-not-found");
    };
    let changed = if block {
        account.profile.blocked.insert(other.clone())
    } else {
        account.profile.blocked.remove(&other)
    };
    let user = account.user_jid(Family::Pn);
    if changed {
        ctx.world.dirty = true;
        let jid = ctx
            .world
            .account(&other)
            .map(|a| a.user_jid(Family::of(&target)));
        if let Some(jid) = jid {
            let child = Node::new("blocklist").with_child(
                Node::new("item")
                    .with_attr("action", if block { "block" } else { "unblock" })
                    .with_attr("jid", jid),
            );
            notify_own(ctx.world, me, "account_sync", user, child, ctx.now);
        }
    }
    result_with(node, blocklist_node(ctx.world, &me.phone))
}

/// Sends `<notification type from=USER id t>child</notification>` to the
/// companions of `me`'s account other than `me`.
pub fn notify_own(
    world: &mut World,
    me: &Addr,
    kind: &'static str,
    user: Jid,
    child: Node,
    now: u64,
) {
    notify_own_account(world, &me.phone, Some(me), kind, user, child, now);
}

/// Sends `<notification type from=USER id t>child</notification>` to every
/// companion of account `phone` except `except`.
pub fn notify_own_account(
    world: &mut World,
    phone: &str,
    except: Option<&Addr>,
    kind: &'static str,
    user: Jid,
    child: Node,
    now: u64,
) {
    for other in world.companions(phone) {
        if Some(&other) == except {
            continue;
        }
        let id = world.next_id();
        let n = Node::new("notification")
            .with_attr("from", user.clone())
            .with_attr("type", kind)
            .with_attr("id", id)
            .with_attr("t", now.to_string())
            .with_child(child.clone());
        world.deliver(&other, Class::Notification, n);
    }
}
