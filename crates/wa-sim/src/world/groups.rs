//! Groups as the server stores them: `<id>@g.us` with subject, description,
//! creator, participants and their admin roles, addressing mode (PN or LID,
//! as real groups have), announce/locked settings, invite code and
//! disappearing-messages timer. Persisted with the rest of the world.
//!
//! This module owns the state and its invariants (membership, roles, ids);
//! the `w:g2` protocol around it lives in [`crate::handler::groups`].

use std::collections::BTreeMap;

use rand::RngExt;
use serde::{Deserialize, Serialize};
use wa_proto::jid::Jid;

use super::World;
use super::account::Family;
use super::conns::Addr;
use crate::error::{Error, Result};

/// Longest subject the server accepts (characters).
pub const MAX_SUBJECT: usize = 100;
/// Longest description the server accepts (characters).
pub const MAX_DESCRIPTION: usize = 2048;
/// Most participants in a group.
pub const MAX_PARTICIPANTS: usize = 1024;
/// Characters of invite codes.
const INVITE_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A participant's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// A plain member.
    Member,
    /// An admin.
    Admin,
    /// The creator (an admin that cannot be demoted by other admins).
    SuperAdmin,
}

impl Role {
    /// The `type` attribute of a `<participant>` (none for members).
    pub fn attr(self) -> Option<&'static str> {
        match self {
            Role::Member => None,
            Role::Admin => Some("admin"),
            Role::SuperAdmin => Some("superadmin"),
        }
    }

    /// Whether the role may administer the group.
    pub fn is_admin(self) -> bool {
        self != Role::Member
    }
}

/// One member of a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Phone-number user of the member's account.
    pub phone: String,
    /// Role.
    pub role: Role,
}

/// The group description.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Description {
    /// Description id (changes with every edit; `prev` in requests).
    pub id: String,
    /// The text.
    pub body: String,
    /// Who set it (phone-number user).
    pub owner: String,
    /// When (Unix seconds).
    pub time: u64,
}

/// One group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The bare id (user part of `<id>@g.us`).
    pub id: String,
    /// Subject.
    pub subject: String,
    /// Who set the subject (phone-number user).
    pub subject_owner: String,
    /// When the subject was set.
    pub subject_time: u64,
    /// Description, if set.
    pub description: Option<Description>,
    /// The creator (phone-number user).
    pub creator: String,
    /// Creation time.
    pub creation: u64,
    /// Members in joining order.
    pub participants: Vec<Participant>,
    /// How members are addressed on the wire (`addressing_mode`).
    pub addressing: Family,
    /// Only admins may send (`<announcement/>`).
    pub announce: bool,
    /// Only admins may edit the group info (`<locked/>`).
    pub locked: bool,
    /// Disappearing-messages timer in seconds (0 = off).
    pub ephemeral: u32,
    /// Current invite code.
    pub invite_code: String,
    /// Whether every member may add participants (`all_member_add`).
    #[serde(default)]
    pub all_member_add: bool,
    /// Picture id, once one was set.
    #[serde(default)]
    pub picture_id: Option<String>,
}

impl Group {
    /// `<id>@g.us`.
    pub fn jid(&self) -> Jid {
        Jid::group(self.id.clone())
    }

    /// The role of `phone`, if a member.
    pub fn role_of(&self, phone: &str) -> Option<Role> {
        self.participants
            .iter()
            .find(|p| p.phone == phone)
            .map(|p| p.role)
    }

    /// Whether `phone` is a member.
    pub fn is_member(&self, phone: &str) -> bool {
        self.role_of(phone).is_some()
    }

    /// Whether `phone` is an admin (or the superadmin).
    pub fn is_admin(&self, phone: &str) -> bool {
        self.role_of(phone).is_some_and(Role::is_admin)
    }

    /// Member phone numbers in order.
    pub fn phones(&self) -> Vec<String> {
        self.participants.iter().map(|p| p.phone.clone()).collect()
    }

    /// Adds a member (no-op if present); returns whether it was added.
    pub fn add(&mut self, phone: &str, role: Role) -> bool {
        if self.is_member(phone) {
            return false;
        }
        self.participants.push(Participant {
            phone: phone.to_owned(),
            role,
        });
        true
    }

    /// Removes a member; returns whether it was one.
    pub fn remove(&mut self, phone: &str) -> bool {
        let before = self.participants.len();
        self.participants.retain(|p| p.phone != phone);
        before != self.participants.len()
    }

    /// Sets a member's role; returns whether it is a member.
    pub fn set_role(&mut self, phone: &str, role: Role) -> bool {
        match self.participants.iter_mut().find(|p| p.phone == phone) {
            Some(p) => {
                p.role = role;
                true
            }
            None => false,
        }
    }
}

/// What a new group starts with.
#[derive(Debug, Clone)]
pub struct NewGroup<'a> {
    /// The creator (phone-number user); becomes superadmin.
    pub owner: &'a str,
    /// Subject.
    pub subject: &'a str,
    /// Other members (phone-number users of existing accounts).
    pub participants: &'a [String],
    /// Addressing mode.
    pub addressing: Family,
}

impl World {
    /// Creates a group; returns its bare id.
    pub fn create_group(&mut self, new: &NewGroup<'_>, now: u64) -> Result<String> {
        if self.account(new.owner).is_none() {
            return Err(Error::NotFound(format!("account {}", new.owner)));
        }
        let subject = new.subject.trim();
        if subject.is_empty() || subject.chars().count() > MAX_SUBJECT {
            return Err(Error::BadRequest(format!(
                "subject must be 1 to {MAX_SUBJECT} characters"
            )));
        }
        if new.participants.len() + 1 > MAX_PARTICIPANTS {
            return Err(Error::BadRequest("too many participants".into()));
        }
        for p in new.participants {
            if self.account(p).is_none() {
                return Err(Error::NotFound(format!("account {p}")));
            }
        }
        let id = loop {
            let n: u64 = self.rng.random_range(100_000_000_000..1_000_000_000_000);
            let id = format!("120363{n}");
            if !self.groups.contains_key(&id) {
                break id;
            }
        };
        let invite_code = self.new_invite_code();
        let mut group = Group {
            id: id.clone(),
            subject: subject.to_owned(),
            subject_owner: new.owner.to_owned(),
            subject_time: now,
            description: None,
            creator: new.owner.to_owned(),
            creation: now,
            participants: Vec::new(),
            addressing: new.addressing,
            announce: false,
            locked: false,
            ephemeral: 0,
            invite_code,
            all_member_add: false,
            picture_id: None,
        };
        group.add(new.owner, Role::SuperAdmin);
        for p in new.participants {
            group.add(p, Role::Member);
        }
        self.groups.insert(id.clone(), group);
        self.dirty = true;
        Ok(id)
    }

    /// A fresh 22-character invite code.
    pub fn new_invite_code(&mut self) -> String {
        (0..22)
            .map(|_| {
                let i = self.rng.random_range(0..INVITE_ALPHABET.len());
                char::from(INVITE_ALPHABET.get(i).copied().unwrap_or(b'A'))
            })
            .collect()
    }

    /// The group with bare id `id`.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.get(id)
    }

    /// The group with bare id `id`, mutably (marks the world dirty).
    pub fn group_mut(&mut self, id: &str) -> Option<&mut Group> {
        let g = self.groups.get_mut(id);
        if g.is_some() {
            self.dirty = true;
        }
        g
    }

    /// The group whose invite code is `code`.
    pub fn group_by_invite(&self, code: &str) -> Option<&Group> {
        self.groups.values().find(|g| g.invite_code == code)
    }

    /// The groups `phone` is a member of.
    pub fn groups_of(&self, phone: &str) -> Vec<&Group> {
        self.groups
            .values()
            .filter(|g| g.is_member(phone))
            .collect()
    }

    /// Every device (phones and companions) of the given accounts.
    pub fn devices_of(&self, phones: &[String]) -> Vec<Addr> {
        phones
            .iter()
            .filter_map(|p| self.account(p))
            .flat_map(|a| a.device_ids().into_iter().map(|d| Addr::new(&a.phone, d)))
            .collect()
    }
}

/// One participant in [`GroupInfo`].
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ParticipantInfo {
    /// Phone-number JID.
    pub jid: String,
    /// LID JID.
    pub lid: String,
    /// `superadmin`, `admin` or `null`.
    pub admin: Option<&'static str>,
}

/// What `GET /sim/groups/{jid}` returns.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GroupInfo {
    /// `<id>@g.us`.
    pub jid: String,
    /// Subject.
    pub subject: String,
    /// Description text, `null` if none.
    pub description: Option<String>,
    /// The creator's phone-number JID.
    pub owner: String,
    /// Creation time (Unix seconds).
    pub creation: u64,
    /// Members in joining order.
    pub participants: Vec<ParticipantInfo>,
    /// Only admins may send.
    pub announce: bool,
    /// Only admins may edit the group info.
    pub locked: bool,
    /// Disappearing-messages timer in seconds, `null` when off.
    pub ephemeral: Option<u32>,
    /// `lid` or `pn`.
    pub addressing_mode: &'static str,
    /// Who set the subject (phone-number JID).
    pub subject_owner: String,
    /// When the subject was set.
    pub subject_time: u64,
    /// The current invite code.
    pub invite_code: String,
}

impl World {
    /// The control API view of group `id`.
    pub fn group_info(&self, id: &str) -> Option<GroupInfo> {
        let g = self.group(id)?;
        let pn = |p: &str| Jid::pn(p.to_owned()).to_string();
        Some(GroupInfo {
            jid: g.jid().to_string(),
            subject: g.subject.clone(),
            description: g.description.as_ref().map(|d| d.body.clone()),
            owner: pn(&g.creator),
            creation: g.creation,
            participants: g
                .participants
                .iter()
                .map(|p| ParticipantInfo {
                    jid: pn(&p.phone),
                    lid: self
                        .account(&p.phone)
                        .map(|a| a.user_jid(Family::Lid).to_string())
                        .unwrap_or_default(),
                    admin: p.role.attr(),
                })
                .collect(),
            announce: g.announce,
            locked: g.locked,
            ephemeral: (g.ephemeral > 0).then_some(g.ephemeral),
            addressing_mode: match g.addressing {
                Family::Lid => "lid",
                Family::Pn => "pn",
            },
            subject_owner: pn(&g.subject_owner),
            subject_time: g.subject_time,
            invite_code: g.invite_code.clone(),
        })
    }
}

/// The persistent groups, keyed by bare id.
pub type Groups = BTreeMap<String, Group>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_and_membership() {
        let mut w = World::new(Some(3), "h");
        for p in ["6280000000001", "6280000000002", "6280000000003"] {
            w.create_account(p, "x", 1).unwrap();
        }
        let others = vec!["6280000000002".to_owned()];
        let id = w
            .create_group(
                &NewGroup {
                    owner: "6280000000001",
                    subject: "Team",
                    participants: &others,
                    addressing: Family::Lid,
                },
                10,
            )
            .unwrap();
        assert!(id.starts_with("120363") && id.len() == 18);
        let g = w.group(&id).unwrap();
        assert_eq!(g.role_of("6280000000001"), Some(Role::SuperAdmin));
        assert_eq!(g.role_of("6280000000002"), Some(Role::Member));
        assert!(!g.is_member("6280000000003"));
        assert_eq!(g.invite_code.len(), 22);
        assert_eq!(w.devices_of(&g.phones()).len(), 2);
        let bad = vec!["6289999999999".to_owned()];
        assert!(
            w.create_group(
                &NewGroup {
                    owner: "6280000000001",
                    subject: "x",
                    participants: &bad,
                    addressing: Family::Lid
                },
                1
            )
            .is_err()
        );
        // persisted with the snapshot
        let json = serde_json::to_string(&w.snapshot()).unwrap();
        let mut w2 = World::new(Some(4), "h");
        w2.restore(serde_json::from_str(&json).unwrap());
        assert_eq!(w2.group(&id), w.group(&id));
    }
}
