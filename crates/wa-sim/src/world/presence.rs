//! Who is online and who watches whom: per-account availability (from
//! `<presence type=available|unavailable>` or the control API) and presence
//! subscriptions with the JID family each subscriber used. Not persisted: a
//! restart forgets both, as a server restart drops sessions.

use std::collections::{BTreeMap, HashMap};

use wa_proto::binary::Node;

use super::World;
use super::account::Family;
use super::conns::Addr;

/// Availability and subscriptions.
#[derive(Debug, Default)]
pub struct Presence {
    state: HashMap<String, (bool, u64)>,
    subs: HashMap<String, BTreeMap<Addr, Family>>,
    /// The last chat state each account sent to each other account
    /// (`(from, to)` phones → `composing`, `recording` or `paused`), for
    /// tests and the control API.
    chatstates: HashMap<(String, String), String>,
}

impl Presence {
    /// Records that account `phone` became (un)available at `now`.
    pub fn set(&mut self, phone: &str, available: bool, now: u64) {
        self.state.insert(phone.to_owned(), (available, now));
    }

    /// Device `sub` subscribes to the presence of account `target`,
    /// addressed in `family`.
    pub fn subscribe(&mut self, target: &str, sub: Addr, family: Family) {
        self.subs
            .entry(target.to_owned())
            .or_default()
            .insert(sub, family);
    }

    /// Forgets every subscription of device `sub` (it was removed).
    pub fn forget_device(&mut self, sub: &Addr) {
        for s in self.subs.values_mut() {
            s.remove(sub);
        }
    }

    /// The devices subscribed to `phone`, with the family they used.
    pub fn subscribers(&self, phone: &str) -> Vec<(Addr, Family)> {
        self.subs
            .get(phone)
            .map(|s| s.iter().map(|(a, f)| (a.clone(), *f)).collect())
            .unwrap_or_default()
    }

    /// Records that account `from` sent chat state `state` to `to`.
    pub fn note_chatstate(&mut self, from: &str, to: &str, state: &str) {
        self.chatstates
            .insert((from.to_owned(), to.to_owned()), state.to_owned());
    }

    /// The last chat state account `from` sent to account `to`.
    pub fn last_chatstate(&self, from: &str, to: &str) -> Option<&str> {
        self.chatstates
            .get(&(from.to_owned(), to.to_owned()))
            .map(String::as_str)
    }

    /// `(available, since)` of an account, if it ever announced presence.
    pub fn get(&self, phone: &str) -> Option<(bool, u64)> {
        self.state.get(phone).copied()
    }
}

impl World {
    /// `<presence from=USER [type=unavailable last=T|deny]/>` of account
    /// `phone` as `viewer` may see it (`last` privacy `none` or a block
    /// turns the time into `deny`).
    pub fn presence_node(&self, phone: &str, family: Family, viewer: &str) -> Option<Node> {
        let a = self.account(phone)?;
        let n = Node::new("presence").with_attr("from", a.user_jid(family));
        let online_visible = self.may_see(phone, viewer, "online");
        let last = |t: u64| {
            if self.may_see(phone, viewer, "last") {
                t.to_string()
            } else {
                "deny".to_owned()
            }
        };
        Some(match self.presence.get(phone) {
            Some((true, _)) if online_visible => n,
            Some((_, t)) => n
                .with_attr("type", "unavailable")
                .with_attr("last", last(t)),
            None => n.with_attr("type", "unavailable"),
        })
    }

    /// Account `phone` became (un)available: records it and sends its new
    /// presence to every subscribed device (none across a block, either
    /// way).
    pub fn announce_presence(&mut self, phone: &str, available: bool, now: u64) {
        self.presence.set(phone, available, now);
        for (sub, family) in self.presence.subscribers(phone) {
            if self.blocks(phone, &sub.phone) || self.blocks(&sub.phone, phone) {
                continue;
            }
            if let Some(n) = self.presence_node(phone, family, &sub.phone) {
                self.deliver_ephemeral(&sub, n);
            }
        }
    }

    /// Sends chat state `state` (`<composing/>`, `<paused/>`, `<composing
    /// media="audio"/>`) of account `from` to every companion of account
    /// `to`, addressed in `family`; nothing if `to` blocked `from`.
    pub fn send_chatstate(&self, from: &str, to: &str, family: Family, state: Node) {
        if self.blocks(to, from) {
            return;
        }
        let Some(sender) = self.account(from).map(|a| a.user_jid(family)) else {
            return;
        };
        let out = Node::new("chatstate")
            .with_attr("from", sender)
            .with_child(state);
        for dev in self.companions(to) {
            self.deliver_ephemeral(&dev, out.clone());
        }
    }
}
