//! Typed group metadata parsed from `w:g2` answers: the `<group>` node of
//! info, create, invite-info and participating answers, its
//! `<participant>` entries, and per-participant results of participant
//! changes.
//!
//! Attribute names follow what the server sends (and what whatsmeow's
//! `parseGroupNode` and Baileys' `extractGroupMetadata` read): `s_o`/`s_t`
//! for the subject, `creator`/`creation`,
//! `<description id t participant><body>`, `<announcement/>`, `<locked/>`, `<ephemeral expiration>`,
//! `<member_add_mode>`, and per participant `jid`, `type`
//! (`admin`/`superadmin`), `phone_number` (LID groups), `lid` (PN groups)
//! and `error` (a failed add/create).

use wa_proto::binary::Node;
use wa_proto::jid::Jid;

use crate::{Error, Result};

/// A participant's role in a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParticipantRole {
    /// A plain member.
    Member,
    /// An admin.
    Admin,
    /// The creator (an admin other admins cannot demote).
    SuperAdmin,
}

impl ParticipantRole {
    fn parse(t: Option<&str>) -> ParticipantRole {
        match t {
            Some("superadmin") => ParticipantRole::SuperAdmin,
            Some("admin") => ParticipantRole::Admin,
            _ => ParticipantRole::Member,
        }
    }

    /// Whether the role may administer the group.
    pub fn is_admin(self) -> bool {
        self != ParticipantRole::Member
    }
}

/// How a group addresses its members on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressingMode {
    /// Phone-number JIDs (`…@s.whatsapp.net`).
    Pn,
    /// LIDs (`…@lid`), the default of new groups.
    Lid,
}

/// One member of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupParticipant {
    /// The JID in the group's addressing mode.
    pub jid: Jid,
    /// The phone-number JID, when `jid` is a LID and the server sent it.
    pub phone_number: Option<Jid>,
    /// The LID, when `jid` is a phone-number JID and the server sent it.
    pub lid: Option<Jid>,
    /// Role.
    pub role: ParticipantRole,
}

impl GroupParticipant {
    /// Whether this participant is `user` (compared without device, in
    /// either JID family).
    pub fn is(&self, user: &Jid) -> bool {
        let u = user.to_non_ad();
        self.jid == u || self.phone_number.as_ref() == Some(&u) || self.lid.as_ref() == Some(&u)
    }
}

/// The group description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDescription {
    /// The description id (the `prev` of the next change).
    pub id: String,
    /// The text.
    pub body: String,
    /// Who set it.
    pub owner: Option<Jid>,
    /// When (Unix seconds).
    pub time: u64,
}

/// Group metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupInfo {
    /// `<id>@g.us`.
    pub jid: Jid,
    /// Subject (name).
    pub subject: String,
    /// Who set the subject.
    pub subject_owner: Option<Jid>,
    /// When the subject was set (Unix seconds).
    pub subject_time: u64,
    /// The description, if any.
    pub description: Option<GroupDescription>,
    /// Creation time (Unix seconds).
    pub creation: u64,
    /// The creator.
    pub owner: Option<Jid>,
    /// The creator's phone-number JID (LID groups).
    pub owner_pn: Option<Jid>,
    /// Addressing mode.
    pub addressing: AddressingMode,
    /// Only admins may send messages.
    pub announce: bool,
    /// Only admins may edit the group info.
    pub locked: bool,
    /// Disappearing-messages timer in seconds, if on.
    pub ephemeral: Option<u32>,
    /// Whether every member may add participants.
    pub member_add_all: bool,
    /// The members (entries the server marked with an error are in
    /// [`GroupCreated::results`], not here).
    pub participants: Vec<GroupParticipant>,
}

impl GroupInfo {
    /// The member `user` is, if any (either JID family).
    pub fn participant(&self, user: &Jid) -> Option<&GroupParticipant> {
        self.participants.iter().find(|p| p.is(user))
    }
}

/// The outcome of a participant change for one participant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParticipantResult {
    /// The participant as the server named it.
    pub jid: Jid,
    /// Its phone-number JID, if the server sent it.
    pub phone_number: Option<Jid>,
    /// Its LID, if the server sent it.
    pub lid: Option<Jid>,
    /// `200` on success, else the server's code (`403` not allowed, `404`
    /// no such account or not a member, `409` already a member, ...).
    pub status: u16,
}

impl ParticipantResult {
    /// Whether the change succeeded for this participant.
    pub fn ok(&self) -> bool {
        self.status == 200
    }
}

/// What [`crate::Client::create_group`] returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupCreated {
    /// The new group.
    pub info: GroupInfo,
    /// One result per participant the server reported on, creator excluded.
    pub results: Vec<ParticipantResult>,
}

fn jid_attr(n: &Node, key: &str) -> Option<Jid> {
    n.attr_jid(key).map(|j| j.to_non_ad())
}

fn num_attr<T: std::str::FromStr>(n: &Node, key: &str) -> Option<T> {
    n.attr_parse(key)
}

fn text(n: &Node) -> String {
    String::from_utf8_lossy(n.bytes().unwrap_or_default()).into_owned()
}

/// Parses one `<participant>` entry: the member and, when it carries an
/// `error`, that code.
pub(crate) fn parse_participant(p: &Node) -> Option<(GroupParticipant, Option<u16>)> {
    let jid = jid_attr(p, "jid")?;
    let member = GroupParticipant {
        phone_number: jid_attr(p, "phone_number"),
        lid: jid_attr(p, "lid"),
        role: ParticipantRole::parse(p.attr_text("type").as_deref()),
        jid,
    };
    Some((member, num_attr(p, "error")))
}

/// The per-participant results of `<add|remove|promote|demote>` answers.
pub(crate) fn parse_results(action: &Node) -> Vec<ParticipantResult> {
    action
        .children_by_tag("participant")
        .filter_map(parse_participant)
        .map(|(p, err)| ParticipantResult {
            jid: p.jid,
            phone_number: p.phone_number,
            lid: p.lid,
            status: err.unwrap_or(200),
        })
        .collect()
}

/// Parses a `<group>` node; entries with an `error` are returned apart.
pub(crate) fn parse_group(g: &Node) -> Result<(GroupInfo, Vec<ParticipantResult>)> {
    let id = g
        .attr_text("id")
        .ok_or_else(|| Error::InvalidValue("group node without id".into()))?;
    let jid = if id.contains('@') {
        Jid::parse(&id)?
    } else {
        Jid::group(id.into_owned())
    };
    let description = g.child("description").and_then(|d| {
        // A `<delete/>` child (or no id) means no description.
        if d.child("delete").is_some() {
            return None;
        }
        Some(GroupDescription {
            id: d.attr_text("id")?.into_owned(),
            body: d.child("body").map(text).unwrap_or_default(),
            owner: jid_attr(d, "participant"),
            time: num_attr(d, "t").unwrap_or(0),
        })
    });
    let mut participants = Vec::new();
    let mut failed = Vec::new();
    for (p, err) in g
        .children_by_tag("participant")
        .filter_map(parse_participant)
    {
        match err {
            Some(code) => failed.push(ParticipantResult {
                jid: p.jid,
                phone_number: p.phone_number,
                lid: p.lid,
                status: code,
            }),
            None => participants.push(p),
        }
    }
    let info = GroupInfo {
        jid,
        subject: g.attr_text("subject").unwrap_or_default().into_owned(),
        subject_owner: jid_attr(g, "s_o"),
        subject_time: num_attr(g, "s_t").unwrap_or(0),
        description,
        creation: num_attr(g, "creation").unwrap_or(0),
        owner: jid_attr(g, "creator"),
        owner_pn: jid_attr(g, "creator_pn"),
        addressing: if g.attr_text("addressing_mode").as_deref() == Some("lid") {
            AddressingMode::Lid
        } else {
            AddressingMode::Pn
        },
        announce: g.child("announcement").is_some(),
        locked: g.child("locked").is_some(),
        ephemeral: g
            .child("ephemeral")
            .and_then(|e| num_attr::<u32>(e, "expiration"))
            .filter(|s| *s > 0),
        member_add_all: g.child("member_add_mode").map(text).as_deref() == Some("all_member_add"),
        participants,
    };
    Ok((info, failed))
}

/// The `<group>` child of an answer.
pub(crate) fn group_child(answer: &Node) -> Result<&Node> {
    answer
        .child("group")
        .ok_or_else(|| Error::InvalidValue("answer without <group>".into()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_group_node() {
        let g = Node::new("group")
            .with_attr("id", "120363000000000001")
            .with_attr("subject", "Team")
            .with_attr("s_t", "10")
            .with_attr("s_o", Jid::lid("111"))
            .with_attr("creation", "9")
            .with_attr("creator", Jid::lid("111"))
            .with_attr("creator_pn", Jid::pn("15550001111"))
            .with_attr("addressing_mode", "lid")
            .with_child(
                Node::new("participant")
                    .with_attr("jid", Jid::lid("111"))
                    .with_attr("phone_number", Jid::pn("15550001111"))
                    .with_attr("type", "superadmin"),
            )
            .with_child(
                Node::new("participant")
                    .with_attr("jid", Jid::pn("15550009999"))
                    .with_attr("error", "404"),
            )
            .with_child(
                Node::new("description")
                    .with_attr("id", "D1")
                    .with_attr("t", "11")
                    .with_child(Node::new("body").with_bytes(b"hi".to_vec())),
            )
            .with_child(Node::new("locked"))
            .with_child(Node::new("ephemeral").with_attr("expiration", "86400"));
        let (info, failed) = parse_group(&g).unwrap();
        assert_eq!(info.jid.to_string(), "120363000000000001@g.us");
        assert_eq!(info.subject, "Team");
        assert_eq!(info.addressing, AddressingMode::Lid);
        assert!(info.locked && !info.announce);
        assert_eq!(info.ephemeral, Some(86400));
        assert_eq!(
            info.description.as_ref().map(|d| d.body.as_str()),
            Some("hi")
        );
        assert_eq!(info.participants.len(), 1);
        assert_eq!(info.participants[0].role, ParticipantRole::SuperAdmin);
        assert!(info.participant(&Jid::pn("15550001111")).is_some());
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].status, 404);
        assert!(parse_group(&Node::new("group")).is_err());
    }
}
