//! The wire shapes of groups: the `<group>` node of metadata answers and
//! `<create>` notifications, `<participant>` entries, and the `w:gp2`
//! notifications fanned out to member devices after every change.
//!
//! Members are written in the group's addressing family: in LID groups
//! `jid` is the LID and `phone_number` the PN; in PN groups `jid` is the PN
//! and `lid` the LID (Baileys' `extractGroupMetadata` reads exactly these).

use wa_proto::binary::Node;
use wa_proto::jid::Jid;

use crate::world::World;
use crate::world::account::Family;
use crate::world::conns::Addr;
use crate::world::groups::{Group, Role};
use crate::world::queue::Class;

/// The user JID of `phone` in `family` (falls back to a PN JID).
pub fn user_jid(world: &World, phone: &str, family: Family) -> Jid {
    world
        .account(phone)
        .map(|a| a.user_jid(family))
        .unwrap_or_else(|| Jid::pn(phone.to_owned()))
}

/// The alternate-JID attribute name and value of `phone` in `family`
/// (`phone_number` = PN for LID groups, `lid` for PN groups).
fn alternate(world: &World, phone: &str, family: Family) -> Option<(&'static str, Jid)> {
    let a = world.account(phone)?;
    Some(match family {
        Family::Lid => ("phone_number", a.user_jid(Family::Pn)),
        Family::Pn => ("lid", a.user_jid(Family::Lid)),
    })
}

/// `<participant jid phone_number|lid [type]/>`.
pub fn participant_node(world: &World, phone: &str, family: Family, role: Option<Role>) -> Node {
    let mut n = Node::new("participant").with_attr("jid", user_jid(world, phone, family));
    if let Some((k, v)) = alternate(world, phone, family) {
        n.attrs.insert(k, v);
    }
    if let Some(t) = role.and_then(Role::attr) {
        n.attrs.insert("type", t);
    }
    n
}

/// `s_o`/`creator` style attributes: the JID in the group's family plus its
/// `<name>_pn` alternate for LID groups.
fn owner_attrs(
    world: &World,
    n: &mut Node,
    key: &'static str,
    pn_key: &'static str,
    phone: &str,
    family: Family,
) {
    n.attrs.insert(key, user_jid(world, phone, family));
    if family == Family::Lid {
        n.attrs.insert(pn_key, user_jid(world, phone, Family::Pn));
    }
}

/// The full `<group>` node.
pub fn group_node(world: &World, g: &Group) -> Node {
    let family = g.addressing;
    let mut n = Node::new("group")
        .with_attr("id", g.id.clone())
        .with_attr("subject", g.subject.clone())
        .with_attr("s_t", g.subject_time.to_string());
    owner_attrs(world, &mut n, "s_o", "s_o_pn", &g.subject_owner, family);
    n.attrs.insert("creation", g.creation.to_string());
    owner_attrs(world, &mut n, "creator", "creator_pn", &g.creator, family);
    n.attrs.insert(
        "addressing_mode",
        match family {
            Family::Lid => "lid",
            Family::Pn => "pn",
        },
    );
    n.attrs.insert("size", g.participants.len().to_string());
    for p in &g.participants {
        n.push_child(participant_node(world, &p.phone, family, Some(p.role)));
    }
    if let Some(d) = &g.description {
        let mut desc = Node::new("description")
            .with_attr("id", d.id.clone())
            .with_attr("t", d.time.to_string());
        owner_attrs(
            world,
            &mut desc,
            "participant",
            "participant_pn",
            &d.owner,
            family,
        );
        n.push_child(desc.with_child(Node::new("body").with_bytes(d.body.as_bytes().to_vec())));
    }
    if g.announce {
        n.push_child(Node::new("announcement"));
    }
    if g.locked {
        n.push_child(Node::new("locked"));
    }
    if g.ephemeral > 0 {
        n.push_child(Node::new("ephemeral").with_attr("expiration", g.ephemeral.to_string()));
    }
    n.push_child(
        Node::new("member_add_mode").with_bytes(
            if g.all_member_add {
                "all_member_add"
            } else {
                "admin_add"
            }
            .as_bytes()
            .to_vec(),
        ),
    );
    n
}

/// Who caused a notification.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The acting account.
    pub phone: String,
    /// The acting device (gets no copy), if the change came from a device.
    pub device: Option<Addr>,
}

impl Actor {
    /// An actor without a device (a control API call).
    pub fn phone(phone: &str) -> Actor {
        Actor {
            phone: phone.to_owned(),
            device: None,
        }
    }

    /// The device `addr`.
    pub fn device(addr: &Addr) -> Actor {
        Actor {
            phone: addr.phone.clone(),
            device: Some(addr.clone()),
        }
    }
}

/// Sends `<notification from=GROUP type="w:gp2" participant=ACTOR>CHILD`
/// to every companion of the group's members and of `extra` (removed
/// members), except the acting device. Phones do not track group metadata.
pub fn notify(
    world: &mut World,
    g: &Group,
    actor: &Actor,
    child: Node,
    extra: &[String],
    now: u64,
) {
    notify_typed(world, g, actor, "w:gp2", child, extra, now);
}

/// [`notify`] with another notification `type` (`picture`).
pub fn notify_typed(
    world: &mut World,
    g: &Group,
    actor: &Actor,
    kind: &'static str,
    child: Node,
    extra: &[String],
    now: u64,
) {
    let family = g.addressing;
    let mut phones = g.phones();
    for e in extra {
        if !phones.contains(e) {
            phones.push(e.clone());
        }
    }
    let mut base = Node::new("notification")
        .with_attr("from", g.jid())
        .with_attr("type", kind)
        .with_attr("t", now.to_string());
    owner_attrs(
        world,
        &mut base,
        "participant",
        "participant_pn",
        &actor.phone,
        family,
    );
    if let Some(name) = world.account(&actor.phone).map(|a| a.name.clone())
        && !name.is_empty()
    {
        base.attrs.insert("notify", name);
    }
    if family == Family::Lid {
        base.attrs.insert("addressing_mode", "lid");
    }
    for phone in phones {
        for dev in world.companions(&phone) {
            if actor.device.as_ref() == Some(&dev) {
                continue;
            }
            let id = world.next_id();
            let n = base.clone().with_attr("id", id).with_child(child.clone());
            world.deliver(&dev, Class::Notification, n);
        }
    }
}
