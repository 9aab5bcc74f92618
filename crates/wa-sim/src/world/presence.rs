//! Who is online and who watches whom: per-account availability (from
//! `<presence type=available|unavailable>`) and presence subscriptions. Not
//! persisted: a restart forgets both, as a server restart drops sessions.

use std::collections::{BTreeSet, HashMap};

use wa_proto::binary::Node;

use super::World;
use super::account::Family;
use super::conns::Addr;

/// Availability and subscriptions.
#[derive(Debug, Default)]
pub struct Presence {
    state: HashMap<String, (bool, u64)>,
    subs: HashMap<String, BTreeSet<Addr>>,
}

impl Presence {
    /// Records that account `phone` became (un)available at `now`.
    pub fn set(&mut self, phone: &str, available: bool, now: u64) {
        self.state.insert(phone.to_owned(), (available, now));
    }

    /// Device `sub` subscribes to the presence of account `target`.
    pub fn subscribe(&mut self, target: &str, sub: Addr) {
        self.subs.entry(target.to_owned()).or_default().insert(sub);
    }

    /// The devices subscribed to `phone`.
    pub fn subscribers(&self, phone: &str) -> Vec<Addr> {
        self.subs
            .get(phone)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// `(available, since)` of an account, if it ever announced presence.
    pub fn get(&self, phone: &str) -> Option<(bool, u64)> {
        self.state.get(phone).copied()
    }
}

impl World {
    /// `<presence from=USER [type=unavailable last=T]/>` for account `phone`.
    pub fn presence_node(&self, phone: &str, family: Family) -> Option<Node> {
        let a = self.account(phone)?;
        let n = Node::new("presence").with_attr("from", a.user_jid(family));
        Some(match self.presence.get(phone) {
            Some((true, _)) => n,
            Some((false, t)) => n
                .with_attr("type", "unavailable")
                .with_attr("last", t.to_string()),
            None => n.with_attr("type", "unavailable"),
        })
    }
}
