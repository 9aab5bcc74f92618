//! Group operations: `xmlns="w:g2"` IQs to `g.us` (create, participating
//! list, invite info, accept invite, leave) or to the group's JID (info,
//! participants, subject, description, settings, invite code), and group
//! pictures over `xmlns="w:profile:picture"` with the group as `target`.
//!
//! Answers are parsed by [`super::group_model`]. Server refusals surface
//! as [`Error::Server`] with the code (`401` not a member, `403` not an
//! admin, `404` no such group or invite, `406` too long, `409` conflict).

use wa_proto::binary::Node;
use wa_proto::jid::{Jid, Server};

use super::group_model::{
    GroupCreated, GroupInfo, ParticipantResult, group_child, parse_group, parse_results,
};
use crate::client::server_jid;
use crate::{Client, Error, Result};

/// The prefix of invite links; [`Client::accept_group_invite`] and
/// [`Client::group_invite_info`] accept codes with or without it.
pub const INVITE_LINK_PREFIX: &str = "https://chat.whatsapp.com/";

/// A participant change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParticipantAction {
    /// Add to the group.
    Add,
    /// Remove from the group.
    Remove,
    /// Make admin.
    Promote,
    /// Take admin rights away.
    Demote,
}

impl ParticipantAction {
    fn tag(self) -> &'static str {
        match self {
            ParticipantAction::Add => "add",
            ParticipantAction::Remove => "remove",
            ParticipantAction::Promote => "promote",
            ParticipantAction::Demote => "demote",
        }
    }
}

/// `g.us`, the `to` of requests not about one existing group.
fn groups_server() -> Jid {
    Jid::server_only(Server::Group)
}

fn g2(to: Jid, kind: &'static str, child: Node) -> Node {
    Node::new("iq")
        .with_attr("to", to)
        .with_attr("type", kind)
        .with_attr("xmlns", "w:g2")
        .with_child(child)
}

fn check_group(jid: &Jid) -> Result<Jid> {
    if jid.is_group() && !jid.user.is_empty() {
        Ok(jid.to_non_ad())
    } else {
        Err(Error::InvalidValue(format!("{jid} is not a group JID")))
    }
}

fn participant_nodes(users: &[Jid]) -> Vec<Node> {
    users
        .iter()
        .map(|u| Node::new("participant").with_attr("jid", u.to_non_ad()))
        .collect()
}

/// The code of an invite link or a bare code.
fn invite_code(code: &str) -> Result<String> {
    let c = code.trim();
    let c = c.strip_prefix(INVITE_LINK_PREFIX).unwrap_or(c);
    if c.is_empty() || !c.chars().all(|ch| ch.is_ascii_alphanumeric()) {
        return Err(Error::InvalidValue("bad invite code".into()));
    }
    Ok(c.to_owned())
}

/// A new description id (hex, like message ids).
fn new_description_id() -> String {
    let b: [u8; 8] = rand::random();
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fn picture_iq(group: Jid, child: Option<Node>) -> Node {
    let mut n = Node::new("iq")
        .with_attr("to", server_jid())
        .with_attr("type", "set")
        .with_attr("xmlns", "w:profile:picture")
        .with_attr("target", group);
    if let Some(c) = child {
        n.push_child(c);
    }
    n
}

impl Client {
    /// Creates a group with `subject` and `participants` (user JIDs, PN or
    /// LID). We become its superadmin. Returns its metadata and, per
    /// participant the server reported on, the result (a non-200 status
    /// for those that could not be added).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for an empty subject; [`Error::Server`] (`406`
    /// subject too long, ...); connection errors.
    pub async fn create_group(&self, subject: &str, participants: &[Jid]) -> Result<GroupCreated> {
        let subject = subject.trim();
        if subject.is_empty() {
            return Err(Error::InvalidValue("empty group subject".into()));
        }
        let own = self.own_jid().await?;
        let key = crate::send::new_message_id(&own.user);
        let create = Node::new("create")
            .with_attr("subject", subject.to_owned())
            .with_attr("key", key)
            .with_children(participant_nodes(participants));
        let answer = self.iq(g2(groups_server(), "set", create)).await?;
        let (info, failed) = parse_group(group_child(&answer)?)?;
        let own_lid = self.shared().device().await?.lid.map(|l| l.to_non_ad());
        let me = own.to_non_ad();
        let mut results: Vec<ParticipantResult> = info
            .participants
            .iter()
            .filter(|p| !p.is(&me) && !own_lid.as_ref().is_some_and(|l| p.is(l)))
            .map(|p| ParticipantResult {
                jid: p.jid.clone(),
                phone_number: p.phone_number.clone(),
                lid: p.lid.clone(),
                status: 200,
            })
            .collect();
        results.extend(failed);
        Ok(GroupCreated { info, results })
    }

    /// The metadata of `group`.
    ///
    /// # Errors
    /// [`Error::Server`] `401` when we are not a member, `404` for an
    /// unknown group.
    pub async fn group_info(&self, group: &Jid) -> Result<GroupInfo> {
        let group = check_group(group)?;
        let query = Node::new("query").with_attr("request", "interactive");
        let answer = self.iq(g2(group, "get", query)).await?;
        Ok(parse_group(group_child(&answer)?)?.0)
    }

    /// Every group we are a member of (`<participating>` with participants
    /// and descriptions).
    ///
    /// # Errors
    /// Connection and server errors.
    pub async fn participating_groups(&self) -> Result<Vec<GroupInfo>> {
        let q = Node::new("participating")
            .with_child(Node::new("participants"))
            .with_child(Node::new("description"));
        let answer = self.iq(g2(groups_server(), "get", q)).await?;
        let Some(groups) = answer.child("groups") else {
            return Ok(Vec::new());
        };
        groups
            .children_by_tag("group")
            .map(|g| parse_group(g).map(|(info, _)| info))
            .collect()
    }

    /// Adds, removes, promotes or demotes `participants` in `group`.
    /// Returns one result per participant: status `200` or the server's
    /// code for that participant only (`404` unknown account or not a
    /// member, `409` already a member, `403` not allowed).
    ///
    /// # Errors
    /// [`Error::Server`] for the whole request (`403` when we are not an
    /// admin, `401` not a member); [`Error::InvalidValue`] for an empty list.
    pub async fn update_group_participants(
        &self,
        group: &Jid,
        action: ParticipantAction,
        participants: &[Jid],
    ) -> Result<Vec<ParticipantResult>> {
        let group = check_group(group)?;
        if participants.is_empty() {
            return Err(Error::InvalidValue("no participants".into()));
        }
        let child = Node::new(action.tag()).with_children(participant_nodes(participants));
        let answer = self.iq(g2(group, "set", child)).await?;
        Ok(answer
            .child(action.tag())
            .map(parse_results)
            .unwrap_or_default())
    }

    /// [`Client::update_group_participants`] with [`ParticipantAction::Add`].
    ///
    /// # Errors
    /// As [`Client::update_group_participants`].
    pub async fn add_group_participants(
        &self,
        group: &Jid,
        participants: &[Jid],
    ) -> Result<Vec<ParticipantResult>> {
        self.update_group_participants(group, ParticipantAction::Add, participants)
            .await
    }

    /// [`Client::update_group_participants`] with [`ParticipantAction::Remove`].
    ///
    /// # Errors
    /// As [`Client::update_group_participants`].
    pub async fn remove_group_participants(
        &self,
        group: &Jid,
        participants: &[Jid],
    ) -> Result<Vec<ParticipantResult>> {
        self.update_group_participants(group, ParticipantAction::Remove, participants)
            .await
    }

    /// [`Client::update_group_participants`] with [`ParticipantAction::Promote`].
    ///
    /// # Errors
    /// As [`Client::update_group_participants`].
    pub async fn promote_group_participants(
        &self,
        group: &Jid,
        participants: &[Jid],
    ) -> Result<Vec<ParticipantResult>> {
        self.update_group_participants(group, ParticipantAction::Promote, participants)
            .await
    }

    /// [`Client::update_group_participants`] with [`ParticipantAction::Demote`].
    ///
    /// # Errors
    /// As [`Client::update_group_participants`].
    pub async fn demote_group_participants(
        &self,
        group: &Jid,
        participants: &[Jid],
    ) -> Result<Vec<ParticipantResult>> {
        self.update_group_participants(group, ParticipantAction::Demote, participants)
            .await
    }

    /// Sets the subject (name) of `group`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for an empty subject; [`Error::Server`]
    /// (`403` locked group and not an admin, `406` too long).
    pub async fn set_group_subject(&self, group: &Jid, subject: &str) -> Result<()> {
        let group = check_group(group)?;
        let subject = subject.trim();
        if subject.is_empty() {
            return Err(Error::InvalidValue("empty group subject".into()));
        }
        let child = Node::new("subject").with_bytes(subject.as_bytes().to_vec());
        self.iq(g2(group, "set", child)).await?;
        Ok(())
    }

    /// Sets (`Some`) or deletes (`None` or empty) the description of
    /// `group`. The server wants the current description id as `prev`, so
    /// this reads the group's metadata first. Returns the new description
    /// id (`None` after a delete).
    ///
    /// # Errors
    /// [`Error::Server`] (`403` locked and not an admin, `406` too long,
    /// `409` the description changed in between).
    pub async fn set_group_description(
        &self,
        group: &Jid,
        description: Option<&str>,
    ) -> Result<Option<String>> {
        let group = check_group(group)?;
        let prev = self.group_info(&group).await?.description.map(|d| d.id);
        let body = description.filter(|d| !d.is_empty());
        let mut child = Node::new("description");
        let new_id = body.map(|_| new_description_id());
        match (&new_id, body) {
            (Some(id), Some(text)) => {
                child.attrs.insert("id", id.clone());
                child.push_child(Node::new("body").with_bytes(text.as_bytes().to_vec()));
            }
            _ => child.attrs.insert("delete", "true"),
        }
        if let Some(p) = prev {
            child.attrs.insert("prev", p);
        }
        self.iq(g2(group, "set", child)).await?;
        Ok(new_id)
    }

    /// Only admins may send messages (`true`, `<announcement/>`) or every
    /// member may (`false`, `<not_announcement/>`).
    ///
    /// # Errors
    /// [`Error::Server`] `403` when we are not an admin.
    pub async fn set_group_announce(&self, group: &Jid, admins_only: bool) -> Result<()> {
        let group = check_group(group)?;
        let tag = if admins_only {
            "announcement"
        } else {
            "not_announcement"
        };
        self.iq(g2(group, "set", Node::new(tag))).await?;
        Ok(())
    }

    /// Only admins may edit the group info (`true`, `<locked/>`) or every
    /// member may (`false`, `<unlocked/>`).
    ///
    /// # Errors
    /// [`Error::Server`] `403` when we are not an admin.
    pub async fn set_group_locked(&self, group: &Jid, admins_only: bool) -> Result<()> {
        let group = check_group(group)?;
        let tag = if admins_only { "locked" } else { "unlocked" };
        self.iq(g2(group, "set", Node::new(tag))).await?;
        Ok(())
    }

    /// Sets the group picture to `jpeg` (a JPEG image, typically 640×640).
    /// Returns the new picture id.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for empty bytes; [`Error::Server`] (`403`
    /// locked and not an admin, `406` too large).
    pub async fn set_group_picture(&self, group: &Jid, jpeg: Vec<u8>) -> Result<String> {
        let group = check_group(group)?;
        if jpeg.is_empty() {
            return Err(Error::InvalidValue("empty picture".into()));
        }
        let pic = Node::new("picture")
            .with_attr("type", "image")
            .with_bytes(jpeg);
        let answer = self.iq(picture_iq(group, Some(pic))).await?;
        answer
            .child("picture")
            .and_then(|p| p.attr_text("id"))
            .map(|id| id.into_owned())
            .ok_or_else(|| Error::InvalidValue("picture answer without id".into()))
    }

    /// Removes the group picture.
    ///
    /// # Errors
    /// [`Error::Server`] (`403` locked and not an admin).
    pub async fn delete_group_picture(&self, group: &Jid) -> Result<()> {
        let group = check_group(group)?;
        self.iq(picture_iq(group, None)).await?;
        Ok(())
    }

    /// The current invite code of `group` (the link is
    /// [`INVITE_LINK_PREFIX`] + code).
    ///
    /// # Errors
    /// [`Error::Server`] `403` when we are not an admin.
    pub async fn group_invite_code(&self, group: &Jid) -> Result<String> {
        let group = check_group(group)?;
        let answer = self.iq(g2(group, "get", Node::new("invite"))).await?;
        invite_of(&answer)
    }

    /// Revokes the invite link of `group`; returns the new code.
    ///
    /// # Errors
    /// [`Error::Server`] `403` when we are not an admin.
    pub async fn revoke_group_invite(&self, group: &Jid) -> Result<String> {
        let group = check_group(group)?;
        let answer = self.iq(g2(group, "set", Node::new("invite"))).await?;
        invite_of(&answer)
    }

    /// The metadata of the group an invite code (or link) leads to, without
    /// joining.
    ///
    /// # Errors
    /// [`Error::Server`] `404` for an unknown or revoked code.
    pub async fn group_invite_info(&self, code: &str) -> Result<GroupInfo> {
        let code = invite_code(code)?;
        let child = Node::new("invite").with_attr("code", code);
        let answer = self.iq(g2(groups_server(), "get", child)).await?;
        Ok(parse_group(group_child(&answer)?)?.0)
    }

    /// Joins a group by invite code (or link); returns the group's JID.
    ///
    /// # Errors
    /// [`Error::Server`] `404` unknown or revoked code, `409` already a
    /// member.
    pub async fn accept_group_invite(&self, code: &str) -> Result<Jid> {
        let code = invite_code(code)?;
        let child = Node::new("invite").with_attr("code", code);
        let answer = self.iq(g2(groups_server(), "set", child)).await?;
        answer
            .child("group")
            .and_then(|g| g.attr_jid("jid"))
            .ok_or_else(|| Error::InvalidValue("accept answer without group jid".into()))
    }

    /// Leaves `group`.
    ///
    /// # Errors
    /// [`Error::Server`] with the per-group code (`401` not a member, `404`
    /// no such group).
    pub async fn leave_group(&self, group: &Jid) -> Result<()> {
        let group = check_group(group)?;
        let child = Node::new("leave").with_child(Node::new("group").with_attr("id", group));
        let answer = self.iq(g2(groups_server(), "set", child)).await?;
        let err = answer
            .child("leave")
            .and_then(|l| l.child("group"))
            .and_then(|g| g.attr_parse::<u16>("error"));
        match err {
            Some(code) => Err(Error::Server {
                code,
                text: "leave refused".into(),
            }),
            None => Ok(()),
        }
    }
}

fn invite_of(answer: &Node) -> Result<String> {
    answer
        .child("invite")
        .and_then(|i| i.attr_text("code"))
        .map(|c| c.into_owned())
        .ok_or_else(|| Error::InvalidValue("invite answer without code".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invite_codes_and_group_jids() {
        assert_eq!(
            invite_code("https://chat.whatsapp.com/AbC123")
                .ok()
                .as_deref(),
            Some("AbC123")
        );
        assert!(invite_code("bad code!").is_err());
        assert!(check_group(&Jid::pn("1555")).is_err());
        assert!(check_group(&Jid::group("1203")).is_ok());
    }
}
