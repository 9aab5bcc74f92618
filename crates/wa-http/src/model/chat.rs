//! The Chat and GroupChat objects, shaped like whatsapp-web.js's `Chat` and
//! `GroupChat` JSON: a chat from the store (`wa_session::store::Chat`),
//! and for groups the metadata the server sent (`wa_session::ops`
//! `GroupInfo`) as `groupMetadata` and `participants`.

use serde::Serialize;
use utoipa::ToSchema;
use wa_proto::jid::{Jid, Server};
use wa_session::ops::group_model::{
    GroupInfo, GroupParticipant, ParticipantResult, ParticipantRole,
};
use wa_session::ops::groups::ParticipantAction;
use wa_session::store::Chat;

use crate::jid::serialize;
use crate::model::message::MessageJson;

pub use crate::model::contact::WidJson;

/// A group member.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantJson {
    /// The member: its phone-number id (`…@c.us`) when the server told it,
    /// else its LID (`…@lid`).
    pub id: WidJson,
    /// Admin (superadmins are admins too).
    pub is_admin: bool,
    /// The group's creator.
    pub is_super_admin: bool,
}

/// Group metadata (wwebjs `GroupMetadata`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupMetadataJson {
    /// The group id (`…@g.us`).
    pub id: WidJson,
    /// Creation time, Unix seconds.
    pub creation: u64,
    /// The creator, when known.
    pub owner: Option<WidJson>,
    /// The subject (name).
    pub subject: String,
    /// When the subject was set, Unix seconds.
    pub subject_time: u64,
    /// The description, `null` when none.
    pub desc: Option<String>,
    /// The description's id (needed by WhatsApp to change it), `null` when
    /// none.
    pub desc_id: Option<String>,
    /// Only admins may edit the group info.
    pub restrict: bool,
    /// Only admins may send messages.
    pub announce: bool,
    /// Number of members.
    pub size: usize,
    /// The members.
    pub participants: Vec<ParticipantJson>,
}

/// The mute state of a chat (what `muteChat`/`unmuteChat` answer).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MuteJson {
    /// Muted now.
    pub is_muted: bool,
    /// Unix seconds when the mute ends; `-1` forever, `0` not muted.
    pub mute_expiration: i64,
}

/// A chat (wwebjs `Chat`); a group chat (wwebjs `GroupChat`) has
/// `groupMetadata` and `participants` too.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatJson {
    /// The chat id: `…@c.us` for users, `…@g.us` for groups.
    pub id: WidJson,
    /// The group subject, the contact's name, or the number.
    pub name: String,
    /// A group.
    pub is_group: bool,
    /// We cannot send here (a group we left, or admins-only and we are
    /// not an admin).
    pub is_read_only: bool,
    /// Unread messages; `-1` when marked unread by hand.
    pub unread_count: i32,
    /// Time of the newest message, Unix seconds (0 when none).
    pub timestamp: i64,
    /// Archived.
    pub archived: bool,
    /// Pinned.
    pub pinned: bool,
    /// Muted.
    pub is_muted: bool,
    /// Unix seconds when the mute ends; `-1` forever, `0` not muted.
    pub mute_expiration: i64,
    /// Label ids on the chat (WhatsApp Business).
    pub labels: Vec<String>,
    /// The newest stored message, `null` when none.
    pub last_message: Option<MessageJson>,
    /// Groups only: the metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_metadata: Option<GroupMetadataJson>,
    /// Groups only: the members (as in `groupMetadata`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<ParticipantJson>>,
}

/// The id to show for a member: the phone number when known.
pub fn member_jid(p: &GroupParticipant) -> Jid {
    if p.jid.server == Server::Pn {
        return p.jid.clone();
    }
    p.phone_number.clone().unwrap_or_else(|| p.jid.clone())
}

/// The outcome of a participant change for one participant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantOutcomeJson {
    /// `200` done; else WhatsApp's code for this participant (`403` may
    /// only be invited, `404` not on WhatsApp or not a member, `409`
    /// already a member, ...).
    pub code: u16,
    /// What the code means.
    pub message: String,
}

/// What a participant code means for `action`.
pub fn outcome_message(action: ParticipantAction, code: u16) -> &'static str {
    use ParticipantAction as A;
    match (code, action) {
        (200, A::Add) => "The participant was added successfully",
        (200, A::Remove) => "The participant was removed successfully",
        (200, A::Promote) => "The participant was promoted successfully",
        (200, A::Demote) => "The participant was demoted successfully",
        (403, A::Add) => "The participant can be added by sending private invitation only",
        (403, _) => "Not allowed",
        (404, A::Add) => "The phone number is not registered on WhatsApp",
        (404, _) => "The participant is not a group member",
        (408, _) => "The participant can't be added because they left the group recently",
        (409, A::Add) => "The participant is already a group member",
        (409, _) => "Conflict",
        (417, _) => "The participant can't be added to the community",
        (419, _) => "The group is full",
        _ => "Failed",
    }
}

/// The id a participant result is keyed by: its phone number when known.
pub fn outcome_key(r: &ParticipantResult) -> String {
    let j = if r.jid.server == Server::Pn {
        &r.jid
    } else {
        r.phone_number.as_ref().unwrap_or(&r.jid)
    };
    serialize(j)
}

impl ParticipantOutcomeJson {
    /// The JSON of `r`.
    pub fn of(action: ParticipantAction, r: &ParticipantResult) -> Self {
        ParticipantOutcomeJson {
            code: r.status,
            message: outcome_message(action, r.status).to_owned(),
        }
    }
}

impl ParticipantJson {
    /// The JSON of a member.
    pub fn of(p: &GroupParticipant) -> Self {
        ParticipantJson {
            id: WidJson::of(&member_jid(p)),
            is_admin: p.role.is_admin(),
            is_super_admin: p.role == ParticipantRole::SuperAdmin,
        }
    }
}

impl GroupMetadataJson {
    /// The metadata of `g`.
    pub fn of(g: &GroupInfo) -> Self {
        let participants: Vec<ParticipantJson> =
            g.participants.iter().map(ParticipantJson::of).collect();
        GroupMetadataJson {
            id: WidJson::of(&g.jid),
            creation: g.creation,
            owner: g.owner_pn.as_ref().or(g.owner.as_ref()).map(WidJson::of),
            subject: g.subject.clone(),
            subject_time: g.subject_time,
            desc: g.description.as_ref().map(|d| d.body.clone()),
            desc_id: g.description.as_ref().map(|d| d.id.clone()),
            restrict: g.locked,
            announce: g.announce,
            size: g.participants.len(),
            participants,
        }
    }
}

impl MuteJson {
    /// The mute state of a stored `muted_until`.
    pub fn of(muted_until: Option<i64>) -> Self {
        let now = chrono::Utc::now().timestamp();
        match muted_until {
            Some(-1) => MuteJson {
                is_muted: true,
                mute_expiration: -1,
            },
            Some(t) if t > now => MuteJson {
                is_muted: true,
                mute_expiration: t,
            },
            _ => MuteJson {
                is_muted: false,
                mute_expiration: 0,
            },
        }
    }
}

impl ChatJson {
    /// A chat with nothing stored yet (a group we are in whose messages we
    /// have not seen).
    pub fn empty(jid: &Jid, name: String) -> Self {
        ChatJson {
            id: WidJson::of(jid),
            name,
            is_group: jid.is_group(),
            is_read_only: false,
            unread_count: 0,
            timestamp: 0,
            archived: false,
            pinned: false,
            is_muted: false,
            mute_expiration: 0,
            labels: Vec::new(),
            last_message: None,
            group_metadata: None,
            participants: None,
        }
    }

    /// The JSON of a stored chat, named `name`, with its newest message.
    pub fn of(c: &Chat, name: String, last_message: Option<MessageJson>) -> Self {
        let mute = MuteJson::of(c.muted_until);
        ChatJson {
            unread_count: c.unread_count,
            timestamp: c.last_message_ts.unwrap_or(0),
            archived: c.archived,
            pinned: c.pinned,
            is_muted: mute.is_muted,
            mute_expiration: mute.mute_expiration,
            labels: c.labels.clone(),
            last_message,
            ..ChatJson::empty(&c.jid, name)
        }
    }

    /// Makes this chat a GroupChat with `g`'s metadata; `own` (our PN and
    /// LID) decides `isReadOnly`.
    #[must_use]
    pub fn with_group(mut self, g: &GroupInfo, own: &[Jid]) -> Self {
        let me = g.participants.iter().find(|p| own.iter().any(|o| p.is(o)));
        self.is_read_only = match me {
            None => true,
            Some(p) => g.announce && !p.role.is_admin(),
        };
        if self.name.is_empty() || self.name == self.id.user {
            self.name = g.subject.clone();
        }
        let meta = GroupMetadataJson::of(g);
        self.participants = Some(meta.participants.clone());
        self.group_metadata = Some(meta);
        self
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_and_mute() {
        let w = WidJson::of(&Jid::pn("628111").with_device(3));
        assert_eq!(
            (w.server.as_str(), w.user.as_str(), w.serialized.as_str()),
            ("c.us", "628111", "628111@c.us")
        );
        let g = WidJson::of(&Jid::group("1203"));
        assert_eq!(g.serialized, "1203@g.us");
        assert_eq!(g.server, "g.us");
        assert!(MuteJson::of(Some(-1)).is_muted);
        assert!(!MuteJson::of(Some(5)).is_muted);
        assert_eq!(MuteJson::of(None).mute_expiration, 0);
    }
}
