//! `w:g2` requests. Requests to `@g.us` create, list, join by invite and
//! leave; requests to `<id>@g.us` read or change one group. Every change
//! is answered, then announced to the members with a `w:gp2` notification.
//!
//! Errors as the real server reports them (whatsmeow maps them to
//! `ErrNotInGroup`, `ErrGroupNotFound`, ...): 400 bad request, 401 the
//! requester is not a member, 403 not an admin, 404 no such group or
//! invite, 406 subject/description too long, 409 a stale description `prev`
//! or an accept by a current member.

use wa_proto::binary::Node;
use wa_proto::jid::Jid;

use super::node::{Actor, group_node, notify, participant_node};
use crate::handler::iq::{error, result, result_with};
use crate::handler::{Ctx, Handled};
use crate::world::account::Family;
use crate::world::conns::Addr;
use crate::world::groups::{Description, Group, MAX_DESCRIPTION, MAX_SUBJECT, NewGroup, Role};

/// An iq failure: code and text.
type Fail = (u16, &'static str);

const BAD_REQUEST: Fail = (400, "bad-request");
const NOT_MEMBER: Fail = (401, "not-authorized");
const NOT_ADMIN: Fail = (403, "forbidden");
const NOT_FOUND: Fail = (404, "item-not-found");
const TOO_LONG: Fail = (406, "not-acceptable");
const CONFLICT: Fail = (409, "conflict");

/// Handles a `w:g2` iq.
pub fn handle_iq(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    let me = ctx.device()?.addr;
    let set = node.attr_text("type").as_deref() == Some("set");
    let group = node
        .attr_jid("to")
        .filter(|j| j.is_group() && !j.user.is_empty());
    let Some(child) = node.children().first().cloned() else {
        ctx.reply(error(node, BAD_REQUEST.0, BAD_REQUEST.1));
        return Ok(());
    };
    let outcome = match group {
        None => server_request(ctx, &me, set, &child),
        Some(g) => group_request(ctx, &me, set, &g.user, &child),
    };
    let reply = match outcome {
        Ok(Some(c)) => result_with(node, c),
        Ok(None) => result(node),
        Err((code, text)) => error(node, code, text),
    };
    ctx.reply(reply);
    Ok(())
}

fn server_request(
    ctx: &mut Ctx<'_>,
    me: &Addr,
    set: bool,
    child: &Node,
) -> Result<Option<Node>, Fail> {
    match (set, child.tag.as_ref()) {
        (true, "create") => create(ctx, me, child).map(Some),
        (false, "participating") => {
            let groups: Vec<Node> = ctx
                .world
                .groups_of(&me.phone)
                .into_iter()
                .map(|g| group_node(ctx.world, g))
                .collect();
            Ok(Some(Node::new("groups").with_children(groups)))
        }
        (true, "invite") => accept_invite(ctx, me, child).map(Some),
        (false, "invite") => {
            let code = child.attr_text("code").ok_or(BAD_REQUEST)?;
            let g = ctx.world.group_by_invite(&code).ok_or(NOT_FOUND)?;
            Ok(Some(group_node(ctx.world, g)))
        }
        (true, "leave") => leave(ctx, me, child).map(Some),
        _ => Err(BAD_REQUEST),
    }
}

/// The phone-number users named by `<participant jid>` children (PN or
/// LID), with the JID as sent; unknown accounts resolve to `None`.
fn named(ctx: &Ctx<'_>, n: &Node) -> Vec<(Jid, Option<String>)> {
    n.children_by_tag("participant")
        .filter_map(|p| p.attr_jid("jid"))
        .map(|j| {
            let phone = ctx.world.phone_of(&j).map(str::to_owned);
            (j.to_non_ad(), phone)
        })
        .collect()
}

fn create(ctx: &mut Ctx<'_>, me: &Addr, child: &Node) -> Result<Node, Fail> {
    let subject = child.attr_text("subject").unwrap_or_default().into_owned();
    if subject.chars().count() > MAX_SUBJECT {
        return Err(TOO_LONG);
    }
    let key = child.attr_text("key").map(|k| k.into_owned());
    let asked = named(ctx, child);
    // Participants without an account are reported in the answer with
    // `error="404"` (whatsmeow: "adding some participants may fail") and
    // left out of the group.
    let unknown: Vec<Jid> = asked
        .iter()
        .filter(|(_, p)| p.is_none())
        .map(|(j, _)| j.clone())
        .collect();
    let mut phones: Vec<String> = asked
        .into_iter()
        .filter_map(|(_, p)| p)
        .filter(|p| p != &me.phone)
        .collect();
    phones.dedup();
    let id = ctx
        .world
        .create_group(
            &NewGroup {
                owner: &me.phone,
                subject: &subject,
                participants: &phones,
                addressing: Family::Lid,
            },
            ctx.now,
        )
        .map_err(|_| BAD_REQUEST)?;
    let g = ctx.world.group(&id).cloned().ok_or(NOT_FOUND)?;
    let mut node = group_node(ctx.world, &g);
    for j in unknown {
        node.push_child(
            Node::new("participant")
                .with_attr("jid", j)
                .with_attr("error", "404"),
        );
    }
    announce_create(ctx.world, &g, &Actor::device(me), key, ctx.now);
    Ok(node)
}

/// Sends the `<create>` notification to every member device but the actor's.
pub fn announce_create(
    world: &mut crate::world::World,
    g: &Group,
    actor: &Actor,
    key: Option<String>,
    now: u64,
) {
    let mut create = Node::new("create").with_attr("reason", "create");
    if let Some(k) = key {
        create.attrs.insert("key", k);
    }
    let create = create.with_child(group_node(world, g));
    notify(world, g, actor, create, &[], now);
}

fn accept_invite(ctx: &mut Ctx<'_>, me: &Addr, child: &Node) -> Result<Node, Fail> {
    let code = child.attr_text("code").ok_or(BAD_REQUEST)?;
    let id = ctx
        .world
        .group_by_invite(&code)
        .map(|g| g.id.clone())
        .ok_or(NOT_FOUND)?;
    join(ctx, me, &id, "invite")?;
    Ok(Node::new("group").with_attr("jid", Jid::group(id)))
}

/// `me` joins group `id` (invite link or v4 invite).
fn join(ctx: &mut Ctx<'_>, me: &Addr, id: &str, reason: &'static str) -> Result<(), Fail> {
    let g = ctx.world.group_mut(id).ok_or(NOT_FOUND)?;
    if !g.add(&me.phone, Role::Member) {
        return Err(CONFLICT);
    }
    let g = g.clone();
    let p = participant_node(ctx.world, &me.phone, g.addressing, None);
    let add = Node::new("add").with_attr("reason", reason).with_child(p);
    notify(ctx.world, &g, &Actor::device(me), add, &[], ctx.now);
    Ok(())
}

fn leave(ctx: &mut Ctx<'_>, me: &Addr, child: &Node) -> Result<Node, Fail> {
    let mut out = Vec::new();
    for gnode in child.children_by_tag("group") {
        let Some(jid) = gnode.attr_jid("id") else {
            continue;
        };
        let Some(g) = ctx.world.group_mut(&jid.user) else {
            out.push(
                Node::new("group")
                    .with_attr("id", jid)
                    .with_attr("error", "404"),
            );
            continue;
        };
        if !g.remove(&me.phone) {
            out.push(
                Node::new("group")
                    .with_attr("id", jid)
                    .with_attr("error", "401"),
            );
            continue;
        }
        let g = g.clone();
        crate::phone::group::rotate_sender_keys(ctx.world, &g.jid());
        let p = participant_node(ctx.world, &me.phone, g.addressing, None);
        let rm = Node::new("remove").with_child(p);
        notify(
            ctx.world,
            &g,
            &Actor::device(me),
            rm,
            std::slice::from_ref(&me.phone),
            ctx.now,
        );
        out.push(Node::new("group").with_attr("id", jid));
    }
    Ok(Node::new("leave").with_children(out))
}

fn group_request(
    ctx: &mut Ctx<'_>,
    me: &Addr,
    set: bool,
    id: &str,
    child: &Node,
) -> Result<Option<Node>, Fail> {
    let g = ctx.world.group(id).cloned().ok_or(NOT_FOUND)?;
    let tag = child.tag.to_string();
    // Invite info and v4 accepts come from non-members.
    if set && tag == "accept" {
        let code = child.attr_text("code").ok_or(BAD_REQUEST)?;
        if code != g.invite_code {
            return Err(NOT_FOUND);
        }
        join(ctx, me, id, "invite")?;
        return Ok(None);
    }
    let role = g.role_of(&me.phone).ok_or(NOT_MEMBER)?;
    let admin = role.is_admin();
    let actor = Actor::device(me);
    let now = ctx.now;
    match (set, tag.as_str()) {
        (false, "query") => Ok(Some(group_node(ctx.world, &g))),
        (false, "invite") => {
            if !admin {
                return Err(NOT_ADMIN);
            }
            Ok(Some(Node::new("invite").with_attr("code", g.invite_code)))
        }
        (true, "invite") => {
            if !admin {
                return Err(NOT_ADMIN);
            }
            let code = ctx.world.new_invite_code();
            let g = update(ctx, id, |g| g.invite_code = code.clone())?;
            let n = Node::new("invite").with_attr("code", code.clone());
            notify(ctx.world, &g, &actor, n, &[], now);
            Ok(Some(Node::new("invite").with_attr("code", code)))
        }
        (true, "subject") => {
            if g.locked && !admin {
                return Err(NOT_ADMIN);
            }
            let subject = String::from_utf8_lossy(child.bytes().unwrap_or_default())
                .trim()
                .to_owned();
            if subject.is_empty() {
                return Err(BAD_REQUEST);
            }
            if subject.chars().count() > MAX_SUBJECT {
                return Err(TOO_LONG);
            }
            let g = update(ctx, id, |g| {
                g.subject = subject.clone();
                g.subject_owner = me.phone.clone();
                g.subject_time = now;
            })?;
            let mut n = Node::new("subject")
                .with_attr("subject", subject)
                .with_attr("s_t", now.to_string())
                .with_attr(
                    "s_o",
                    super::node::user_jid(ctx.world, &me.phone, g.addressing),
                );
            if g.addressing == Family::Lid {
                n.attrs.insert(
                    "s_o_pn",
                    super::node::user_jid(ctx.world, &me.phone, Family::Pn),
                );
            }
            notify(ctx.world, &g, &actor, n, &[], now);
            Ok(None)
        }
        (true, "description") => description(ctx, me, &g, admin, child).map(|()| None),
        (true, "add" | "remove" | "promote" | "demote") => {
            participants(ctx, me, &g, role, &tag, child).map(Some)
        }
        (true, "announcement" | "not_announcement" | "locked" | "unlocked") => {
            if !admin {
                return Err(NOT_ADMIN);
            }
            let on = !tag.starts_with("not_") && tag != "unlocked";
            let announce = tag.contains("announcement");
            let g = update(ctx, id, |g| {
                if announce {
                    g.announce = on;
                } else {
                    g.locked = on;
                }
            })?;
            notify(ctx.world, &g, &actor, Node::new(tag), &[], now);
            Ok(None)
        }
        (true, "ephemeral" | "not_ephemeral") => {
            if g.locked && !admin {
                return Err(NOT_ADMIN);
            }
            let secs: u32 = if tag == "ephemeral" {
                child.attr_parse("expiration").ok_or(BAD_REQUEST)?
            } else {
                0
            };
            let g = update(ctx, id, |g| g.ephemeral = secs)?;
            let n = if secs > 0 {
                Node::new("ephemeral").with_attr("expiration", secs.to_string())
            } else {
                Node::new("not_ephemeral")
            };
            notify(ctx.world, &g, &actor, n, &[], now);
            Ok(None)
        }
        (true, "member_add_mode") => {
            if !admin {
                return Err(NOT_ADMIN);
            }
            let mode = String::from_utf8_lossy(child.bytes().unwrap_or_default()).into_owned();
            let all = match mode.as_str() {
                "all_member_add" => true,
                "admin_add" => false,
                _ => return Err(BAD_REQUEST),
            };
            let g = update(ctx, id, |g| g.all_member_add = all)?;
            let n = Node::new("member_add_mode").with_bytes(mode.into_bytes());
            notify(ctx.world, &g, &actor, n, &[], now);
            Ok(None)
        }
        (true, "membership_approval_mode") => {
            if !admin {
                return Err(NOT_ADMIN);
            }
            notify(ctx.world, &g, &actor, child.clone(), &[], now);
            Ok(None)
        }
        _ => Err(BAD_REQUEST),
    }
}

/// Applies `f` to group `id` and returns the updated copy.
fn update(ctx: &mut Ctx<'_>, id: &str, f: impl FnOnce(&mut Group)) -> Result<Group, Fail> {
    let g = ctx.world.group_mut(id).ok_or(NOT_FOUND)?;
    f(g);
    Ok(g.clone())
}

fn description(
    ctx: &mut Ctx<'_>,
    me: &Addr,
    g: &Group,
    admin: bool,
    child: &Node,
) -> Result<(), Fail> {
    if g.locked && !admin {
        return Err(NOT_ADMIN);
    }
    let current = g.description.as_ref().map(|d| d.id.clone());
    let prev = child.attr_text("prev").map(|p| p.into_owned());
    if prev.is_some() && prev != current {
        return Err(CONFLICT);
    }
    let delete = child.attr_text("delete").as_deref() == Some("true");
    let now = ctx.now;
    let new = if delete {
        None
    } else {
        let id = child.attr_text("id").ok_or(BAD_REQUEST)?.into_owned();
        let body = child
            .child("body")
            .and_then(Node::bytes)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        if body.chars().count() > MAX_DESCRIPTION {
            return Err(TOO_LONG);
        }
        Some(Description {
            id,
            body,
            owner: me.phone.clone(),
            time: now,
        })
    };
    let n = match &new {
        Some(d) => Node::new("description")
            .with_attr("id", d.id.clone())
            .with_child(Node::new("body").with_bytes(d.body.as_bytes().to_vec())),
        None => Node::new("description")
            .with_attr("id", ctx.world.next_id())
            .with_child(Node::new("delete")),
    };
    let g = update(ctx, &g.id, |g| g.description = new)?;
    notify(ctx.world, &g, &Actor::device(me), n, &[], now);
    Ok(())
}

fn participants(
    ctx: &mut Ctx<'_>,
    me: &Addr,
    g: &Group,
    role: Role,
    action: &str,
    child: &Node,
) -> Result<Node, Fail> {
    let may_add = role.is_admin() || (action == "add" && g.all_member_add);
    if !may_add {
        return Err(NOT_ADMIN);
    }
    let mut results = Vec::new();
    let mut changed: Vec<String> = Vec::new();
    let mut group = g.clone();
    for (jid, phone) in named(ctx, child) {
        let mut r = Node::new("participant").with_attr("jid", jid.clone());
        let err = match (phone, action) {
            (None, _) => Some("404"),
            (Some(p), "add") => {
                if group.add(&p, Role::Member) {
                    changed.push(p);
                    None
                } else {
                    Some("409")
                }
            }
            (Some(p), _) if !group.is_member(&p) => Some("404"),
            // Only the superadmin may act on the superadmin.
            (Some(p), _)
                if group.role_of(&p) == Some(Role::SuperAdmin) && role != Role::SuperAdmin =>
            {
                Some("403")
            }
            (Some(p), "remove") => {
                group.remove(&p);
                changed.push(p);
                None
            }
            (Some(p), "promote" | "demote") => {
                let keep_super = group.role_of(&p) == Some(Role::SuperAdmin) && action == "promote";
                if !keep_super {
                    group.set_role(
                        &p,
                        if action == "promote" {
                            Role::Admin
                        } else {
                            Role::Member
                        },
                    );
                }
                changed.push(p);
                None
            }
            _ => Some("400"),
        };
        if let Some(e) = err {
            r.attrs.insert("error", e);
        } else if let Some(p) = changed.last() {
            let alt = participant_node(ctx.world, p, g.addressing, None);
            for key in ["phone_number", "lid"] {
                if let Some(v) = alt.attr(key) {
                    r.attrs.insert(key, v.clone());
                }
            }
        }
        results.push(r);
    }
    if !changed.is_empty() {
        let g = update(ctx, &g.id, |stored| *stored = group.clone())?;
        let role_of = |p: &String| {
            if action == "promote" {
                g.role_of(p)
            } else {
                None
            }
        };
        let parts: Vec<Node> = changed
            .iter()
            .map(|p| participant_node(ctx.world, p, g.addressing, role_of(p)))
            .collect();
        let n = Node::new(action.to_owned()).with_children(parts);
        if action == "remove" {
            crate::phone::group::rotate_sender_keys(ctx.world, &g.jid());
        }
        let extra = if action == "remove" {
            changed.clone()
        } else {
            Vec::new()
        };
        notify(ctx.world, &g, &Actor::device(me), n, &extra, ctx.now);
    }
    Ok(Node::new(action.to_owned()).with_children(results))
}
