//! Who a message goes to: the stanza's `to`, the recipient's devices, our
//! own other devices, and for groups the members' devices and the
//! participant hash. Everything here may query the server (usync, group
//! metadata, prekey bundles), so it runs before the Signal lock is taken.

use std::collections::HashSet;
use std::time::Instant;

use wa_proto::binary::Node;
use wa_proto::ids::{ad_jid, participant_hash};
use wa_proto::jid::{Jid, Server};

use super::state::CachedGroup;
use crate::client::Client;
use crate::store::DeviceCredentials;
use crate::{Error, Result};

/// Group-specific parts of a plan.
#[derive(Clone, Debug)]
pub(crate) struct GroupPlan {
    /// The group addresses members by LID.
    pub(crate) lid: bool,
    /// The participant hash over every member device (ours included).
    pub(crate) phash: String,
}

/// The addressing of one message.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// The stanza's `to`: a user (PN or LID) or the group.
    pub(crate) to: Jid,
    /// Our sending device, in the addressing family used.
    pub(crate) me: Jid,
    /// The recipient's devices (1:1), or every member device but ours (groups).
    pub(crate) recipients: Vec<Jid>,
    /// Our own other devices (1:1 only; in groups they are recipients).
    pub(crate) own: Vec<Jid>,
    /// Phone-number → LID mappings learned on the way.
    pub(crate) learn: Vec<(Jid, Jid)>,
    pub(crate) group: Option<GroupPlan>,
}

/// Parses `<group>` member users and the addressing mode.
pub(crate) fn parse_group(answer: &Node) -> Option<CachedGroup> {
    let g = answer.child("group")?;
    let lid = g.attr_str("addressing_mode") == Some("lid");
    let members = g
        .children_by_tag("participant")
        .filter_map(|p| p.attr_jid("jid"))
        .map(|j| j.to_non_ad())
        .collect();
    Some(CachedGroup {
        members,
        lid,
        at: Instant::now(),
    })
}

impl Client {
    /// The members of `group`, from the cache or `w:g2`.
    pub(crate) async fn group_members(&self, group: &Jid) -> Result<CachedGroup> {
        let key = group.to_string();
        if let Some(g) = self.shared().send.cached_group(&key) {
            return Ok(g);
        }
        let iq = Node::new("iq")
            .with_attr("to", group.to_non_ad())
            .with_attr("type", "get")
            .with_attr("xmlns", "w:g2")
            .with_child(Node::new("query").with_attr("request", "interactive"));
        let answer = self.iq(iq).await?;
        let g = parse_group(&answer)
            .ok_or_else(|| Error::InvalidValue(format!("no group metadata for {group}")))?;
        self.shared().send.put_group(key, g.clone());
        Ok(g)
    }

    /// Works out the addressing of a message to `chat`.
    pub(crate) async fn plan(&self, creds: &DeviceCredentials, chat: &Jid) -> Result<Plan> {
        let me_pn = creds
            .jid
            .clone()
            .ok_or_else(|| Error::InvalidState("the session is not paired".into()))?;
        if chat.is_group() {
            return self.plan_group(creds, &me_pn, chat).await;
        }
        if !matches!(chat.server, Server::Pn | Server::Lid) || chat.user.is_empty() {
            return Err(Error::InvalidValue(format!("cannot send to {chat}")));
        }
        let chat = chat.to_non_ad();
        let own_user = me_pn.to_non_ad();
        let found = self.user_devices(&[chat.clone(), own_user.clone()]).await?;
        let theirs = found.get(&chat.user).cloned();
        let mine = found.get(&own_user.user).cloned();
        let mut learn = Vec::new();
        let their_lid = theirs.as_ref().and_then(|d| d.lid.clone());
        let my_lid = mine
            .as_ref()
            .and_then(|d| d.lid.clone())
            .or_else(|| creds.lid.as_ref().map(Jid::to_non_ad));
        if let Some(l) = &their_lid {
            learn.push((chat.clone(), l.clone()));
        }
        if let Some(l) = &my_lid {
            learn.push((own_user.clone(), l.clone()));
        }
        // LID addressing once both LIDs are known (whatsmeow sends DMs to
        // the LID after the account's LID migration).
        let (to, my_user) = match (&chat.server, &their_lid, &my_lid) {
            (Server::Lid, _, Some(ml)) => (chat.clone(), ml.clone()),
            (Server::Pn, Some(tl), Some(ml)) => (tl.clone(), ml.clone()),
            _ => (chat.clone(), own_user.clone()),
        };
        let their_devices = theirs.map(|d| d.devices).unwrap_or_default();
        if their_devices.is_empty() {
            return Err(Error::InvalidValue(format!(
                "{chat} is not on WhatsApp (no devices)"
            )));
        }
        let recipients = their_devices
            .iter()
            .map(|d| to.clone().with_device(*d))
            .collect();
        let own = mine
            .map(|d| d.devices)
            .unwrap_or_default()
            .into_iter()
            .filter(|d| *d != me_pn.device)
            .map(|d| my_user.clone().with_device(d))
            .collect();
        Ok(Plan {
            me: my_user.with_device(me_pn.device),
            to,
            recipients,
            own,
            learn,
            group: None,
        })
    }

    async fn plan_group(
        &self,
        creds: &DeviceCredentials,
        me_pn: &Jid,
        group: &Jid,
    ) -> Result<Plan> {
        let g = self.group_members(group).await?;
        let me_user = if g.lid {
            creds
                .lid
                .as_ref()
                .map(Jid::to_non_ad)
                .ok_or_else(|| Error::InvalidState("our LID is unknown".into()))?
        } else {
            me_pn.to_non_ad()
        };
        let mut users = g.members.clone();
        if !users.iter().any(|u| u.user == me_user.user) {
            users.push(me_user.clone());
        }
        let found = self.user_devices(&users).await?;
        let me = me_user.clone().with_device(me_pn.device);
        let mut all = Vec::new();
        let mut seen = HashSet::new();
        for u in &users {
            let Some(d) = found.get(&u.user) else {
                continue;
            };
            for dev in &d.devices {
                let jid = u.clone().with_device(*dev);
                if seen.insert(jid.to_string()) {
                    all.push(jid);
                }
            }
        }
        if !all.contains(&me) {
            all.push(me.clone());
        }
        let phash = participant_hash(
            &all.iter()
                .map(|j| ad_jid(&j.user, 0, j.device, j.server.as_str()))
                .collect::<Vec<_>>(),
        );
        let recipients = all.into_iter().filter(|j| *j != me).collect();
        Ok(Plan {
            to: group.to_non_ad(),
            me,
            recipients,
            own: Vec::new(),
            learn: Vec::new(),
            group: Some(GroupPlan { lid: g.lid, phash }),
        })
    }
}
