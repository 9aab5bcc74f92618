//! [`SimHandle`] methods for what a phone (the account owner) does with its
//! profile, privacy, blocklist, presence and chat states, and the account
//! view the control API shows.

use serde_json::{Value, json};
use wa_proto::binary::Node;
use wa_proto::jid::Jid;

use crate::error::{Error, Result};
use crate::handler::profile::{notify_own_account, picture_path};
use crate::sim::{SimHandle, now, parse_recipient};
use crate::world::account::Family;
use crate::world::conns::Addr;
use crate::world::profile::{MAX_PICTURE, PRIVACY_VALUES, Picture};

/// A phone-side profile change (`POST /sim/accounts/{phone}/profile`);
/// `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    /// New push name.
    pub name: Option<String>,
    /// New status text.
    pub status: Option<String>,
    /// `Some(Some(bytes))` sets the picture, `Some(None)` removes it.
    pub picture: Option<Option<Vec<u8>>>,
    /// Privacy categories to set.
    pub privacy: Vec<(String, String)>,
    /// Phone numbers to block.
    pub block: Vec<String>,
    /// Phone numbers to unblock.
    pub unblock: Vec<String>,
}

impl SimHandle {
    /// Applies a phone-side profile change; returns the account view.
    pub fn change_profile(&self, phone: &str, change: ProfileChange) -> Result<Value> {
        let now = now();
        let mut world = self.shared.lock();
        for (n, v) in &change.privacy {
            if n.is_empty() || !PRIVACY_VALUES.contains(&v.as_str()) {
                return Err(Error::BadRequest(format!("bad privacy setting {n}={v}")));
            }
        }
        for p in change.block.iter().chain(&change.unblock) {
            if world.account(p).is_none() || p == phone {
                return Err(Error::BadRequest(format!("cannot (un)block {p}")));
            }
        }
        if let Some(Some(b)) = &change.picture
            && (b.is_empty() || b.len() > MAX_PICTURE)
        {
            return Err(Error::BadRequest("picture must be 1 byte to 2 MiB".into()));
        }
        let a = world
            .account_mut(phone)
            .ok_or_else(|| Error::NotFound(format!("account {phone}")))?;
        if let Some(n) = change.name {
            a.name = n;
        }
        if let Some(s) = change.status {
            a.status = s;
            a.profile.status_t = now;
        }
        for (n, v) in &change.privacy {
            a.profile.set_privacy(n, v);
        }
        for p in &change.block {
            a.profile.blocked.insert(p.clone());
        }
        for p in &change.unblock {
            a.profile.blocked.remove(p);
        }
        let user = a.user_jid(Family::Pn);
        let picture_child = match change.picture {
            Some(Some(bytes)) => {
                let id = a
                    .profile
                    .picture
                    .as_ref()
                    .map_or(now, |p| p.id.saturating_add(1).max(now));
                a.profile.picture = Some(Picture { id, bytes });
                Some(
                    Node::new("set")
                        .with_attr("jid", user.clone())
                        .with_attr("id", id.to_string())
                        .with_attr("author", user.clone()),
                )
            }
            Some(None) => {
                a.profile.picture = None;
                Some(
                    Node::new("delete")
                        .with_attr("jid", user.clone())
                        .with_attr("author", user.clone()),
                )
            }
            None => None,
        };
        world.dirty = true;
        if let Some(child) = picture_child {
            notify_own_account(&mut world, phone, None, "picture", user, child, now);
        }
        drop(world);
        self.account_view(phone)
    }

    /// The phone of `phone` goes online or offline; its subscribers get
    /// the new presence. Returns the number of subscribed devices.
    pub fn set_presence(&self, phone: &str, available: bool) -> Result<usize> {
        let mut world = self.shared.lock();
        if world.account(phone).is_none() {
            return Err(Error::NotFound(format!("account {phone}")));
        }
        world.announce_presence(phone, available, now());
        Ok(world.presence.subscribers(phone).len())
    }

    /// The phone of `phone` types (`composing`), stops (`paused`) or
    /// records audio (`recording`) in the chat with `to`.
    pub fn send_chatstate(&self, phone: &str, to: &str, state: &str) -> Result<()> {
        let to = parse_recipient(to)?;
        let node = match state {
            "composing" => Node::new("composing"),
            "paused" => Node::new("paused"),
            "recording" => Node::new("composing").with_attr("media", "audio"),
            _ => {
                return Err(Error::BadRequest(
                    "state must be composing, paused or recording".into(),
                ));
            }
        };
        let world = self.shared.lock();
        if world.account(phone).is_none() {
            return Err(Error::NotFound(format!("account {phone}")));
        }
        let target = world
            .phone_of(&to)
            .map(str::to_owned)
            .ok_or_else(|| Error::NotFound(format!("no account for {to}")))?;
        world.send_chatstate(phone, &target, Family::of(&to), node);
        Ok(())
    }

    /// The last chat state (`composing`, `recording`, `paused`) a companion
    /// of account `from` sent to account `to`.
    pub fn last_chatstate(&self, from: &str, to: &str) -> Option<String> {
        let world = self.shared.lock();
        world.presence.last_chatstate(from, to).map(str::to_owned)
    }

    /// The device JIDs (`PHONE:DEV@s.whatsapp.net`) subscribed to the
    /// presence of account `phone`.
    pub fn presence_subscribers(&self, phone: &str) -> Vec<String> {
        let world = self.shared.lock();
        world
            .presence
            .subscribers(phone)
            .into_iter()
            .map(|(a, _)| Jid::pn(a.phone).with_device(a.device).to_string())
            .collect()
    }

    /// The bytes of picture `id` of `phone`, if it is the current one.
    pub fn picture(&self, phone: &str, id: u64) -> Option<Vec<u8>> {
        let world = self.shared.lock();
        world
            .account(phone)
            .and_then(|a| a.profile.picture.as_ref())
            .filter(|p| p.id == id)
            .map(|p| p.bytes.clone())
    }

    /// What `GET /sim/accounts/{phone}` shows.
    pub fn account_view(&self, phone: &str) -> Result<Value> {
        let world = self.shared.lock();
        let a = world
            .account(phone)
            .ok_or_else(|| Error::NotFound(format!("account {phone}")))?;
        let presence = world.presence.get(phone);
        Ok(json!({
            "jid": a.user_jid(Family::Pn).to_string(),
            "lid": a.user_jid(Family::Lid).to_string(),
            "name": a.name,
            "status": a.status,
            "picture": a.profile.picture.as_ref().map(|p| json!({
                "id": p.id.to_string(),
                "url": format!("https://{}{}", world.host, picture_path(phone, p.id, "image")),
                "size": p.bytes.len(),
            })),
            "privacy": a
                .profile
                .privacy_list()
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect::<serde_json::Map<String, Value>>(),
            "blocklist": a.profile.blocked.iter().collect::<Vec<_>>(),
            "presence": {
                "available": presence.is_some_and(|p| p.0),
                "last": presence.map(|p| p.1),
            },
            "devices": a.devices.values().map(|d| json!({
                "id": d.id,
                "jid": a.device_jid(Family::Pn, d.id).to_string(),
                "key_index": d.key_index,
                "platform": d.platform,
                "queued": d.queue.len(),
                "online": world.conns.of_device(&Addr::new(phone, d.id)).is_some(),
            })).collect::<Vec<_>>(),
        }))
    }
}
