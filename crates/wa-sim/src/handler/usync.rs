//! `usync`: user sync queries (device lists with key indexes, LID, contact
//! registration, status text, disappearing mode), answered per `<user>` in
//! the order asked.

use wa_proto::binary::Node;
use wa_proto::jid::{Jid, Server};

use super::iq::result_with;
use super::{Ctx, Handled};
use crate::world::account::Account;

/// Handles a `usync` iq.
pub fn handle(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    ctx.device()?;
    let Some(usync) = node.child("usync") else {
        ctx.reply(super::iq::error(node, 400, "bad-request"));
        return Ok(());
    };
    let protocols: Vec<String> = usync
        .child("query")
        .map(|q| q.children().iter().map(|c| c.tag.to_string()).collect())
        .unwrap_or_default();
    let mut users = Vec::new();
    for u in usync
        .child("list")
        .map(|l| l.children_by_tag("user").collect::<Vec<_>>())
        .unwrap_or_default()
    {
        users.push(user_result(ctx, u, &protocols));
    }
    let mut echo = Node::new("usync");
    for key in ["sid", "mode", "context", "last", "index"] {
        if let Some(v) = usync.attr(key) {
            echo.attrs.insert(key, v.clone());
        }
    }
    echo.attrs.insert("index", "0");
    echo.attrs.insert("last", "true");
    let reply = result_with(
        node,
        echo.with_child(Node::new("list").with_children(users)),
    );
    ctx.reply(reply);
    Ok(())
}

fn user_result(ctx: &Ctx<'_>, u: &Node, protocols: &[String]) -> Node {
    // `<user jid>` or `<user><contact>+62...</contact></user>`.
    let (jid, by_contact) = match u.attr_jid("jid") {
        Some(j) => (Some(j), false),
        None => {
            let digits: String = u
                .child("contact")
                .and_then(Node::bytes)
                .map(|b| {
                    String::from_utf8_lossy(b)
                        .chars()
                        .filter(char::is_ascii_digit)
                        .collect()
                })
                .unwrap_or_default();
            ((!digits.is_empty()).then(|| Jid::pn(digits)), true)
        }
    };
    let Some(jid) = jid else {
        return Node::new("user");
    };
    let account = ctx.world.phone_of(&jid).and_then(|p| ctx.world.account(p));
    let mut out = Node::new("user").with_attr("jid", jid.to_non_ad());
    for p in protocols {
        let child = match (p.as_str(), account) {
            ("devices", Some(a)) => Some(devices(a)),
            ("devices", None) => {
                Some(Node::new("devices").with_child(Node::new("device-list").with_children([])))
            }
            ("lid", Some(a)) if jid.server == Server::Pn => {
                Some(Node::new("lid").with_attr("val", Jid::lid(a.lid.clone())))
            }
            ("lid", _) => None,
            ("contact", a) => {
                Some(Node::new("contact").with_attr("type", if a.is_some() { "in" } else { "out" }))
            }
            ("status", Some(a)) => Some(status(ctx, a)),
            ("disappearing_mode", Some(_)) => Some(
                Node::new("disappearing_mode")
                    .with_attr("duration", "0")
                    .with_attr("t", "0"),
            ),
            (_, None) if !by_contact => None,
            _ => None,
        };
        if let Some(c) = child {
            out.push_child(c);
        }
    }
    out
}

/// `<status t>text</status>`, or `<status code="401" t="0"/>` when the
/// owner's `status` privacy (or a block) hides it from the asker.
fn status(ctx: &Ctx<'_>, a: &Account) -> Node {
    let viewer = ctx.addr().map(|d| d.phone).unwrap_or_default();
    if !ctx.world.may_see(&a.phone, &viewer, "status") {
        return Node::new("status")
            .with_attr("code", "401")
            .with_attr("t", "0");
    }
    let t = if a.profile.status_t > 0 {
        a.profile.status_t
    } else {
        a.created
    };
    Node::new("status")
        .with_attr("t", t.to_string())
        .with_bytes(a.status.as_bytes().to_vec())
}

/// `<devices><device-list>`: the phone and every companion with its key index.
pub fn devices(a: &Account) -> Node {
    let mut list = vec![Node::new("device").with_attr("id", "0")];
    for d in a.devices.values() {
        list.push(
            Node::new("device")
                .with_attr("id", d.id.to_string())
                .with_attr("key-index", d.key_index.to_string()),
        );
    }
    Node::new("devices").with_child(Node::new("device-list").with_children(list))
}
