//! The simulated network's state: accounts, devices, live connections and
//! what is owed to whom. Everything here is synchronous; the server keeps one
//! [`World`] behind a mutex and every connection task and control request
//! works on it in short critical sections (nothing awaits while holding it).
//!
//! | module | owns |
//! |---|---|
//! | this file | [`World`]: the account table, JID resolution, ids, randomness |
//! | [`account`] | [`account::Account`], [`account::Device`], published keys |
//! | [`conns`] | the live connection registry and outbound queues |
//! | [`queue`] | per-device stanza queues (offline delivery, redelivery) |
//! | [`presence`] | availability and presence subscriptions |
//! | [`profile`] | pictures, status time, privacy settings, blocklists |
//! | [`routing`] | delivering stanzas to devices, acks, the offline flush |
//! | [`groups`] | groups: subject, description, participants, settings |

pub mod account;
pub mod conns;
pub mod groups;
pub mod presence;
pub mod profile;
pub mod queue;
pub mod routing;
#[doc(hidden)]
pub mod testing;

use std::collections::{BTreeMap, HashMap};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};
use wa_proto::jid::{Jid, Server};

use crate::error::{Error, Result};
use crate::phone::Phone;
use account::{Account, Family};
use conns::{Addr, Conns};

/// The whole simulated network.
#[derive(Debug)]
pub struct World {
    pub(crate) accounts: BTreeMap<String, Account>,
    lids: HashMap<String, String>,
    pub(crate) conns: Conns,
    pub(crate) presence: presence::Presence,
    pub(crate) groups: groups::Groups,
    pub(crate) rng: StdRng,
    /// `host:port` advertised for media and in URLs.
    pub(crate) host: String,
    stanza_prefix: String,
    stanza_seq: u64,
    /// Set whenever persistent state changed (the snapshot writer clears it).
    pub(crate) dirty: bool,
    /// Uploaded media blobs.
    pub(crate) media: crate::media::MediaStore,
    /// App-state collections and sync keys per account.
    pub(crate) appstate: crate::appstate::AppStateStore,
    /// `<enc>`s virtual phones failed to decrypt (since start).
    pub(crate) phone_decrypt_failures: u64,
}

/// The persistent part of the world.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    /// Format version.
    pub version: u32,
    /// Every account.
    pub accounts: Vec<Account>,
    /// App-state collections and sync keys.
    #[serde(default)]
    pub appstate: crate::appstate::AppStateStore,
    /// Every group.
    #[serde(default)]
    pub groups: Vec<groups::Group>,
}

impl World {
    /// An empty world; `seed` makes its randomness deterministic.
    pub fn new(seed: Option<u64>, host: impl Into<String>) -> World {
        let mut rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => rand::make_rng(),
        };
        let prefix: u32 = rng.random();
        let media = crate::media::MediaStore::new(&mut rng);
        World {
            accounts: BTreeMap::new(),
            lids: HashMap::new(),
            conns: Conns::default(),
            presence: presence::Presence::default(),
            groups: groups::Groups::new(),
            rng,
            host: host.into(),
            stanza_prefix: format!("{prefix:08X}"),
            stanza_seq: 0,
            dirty: false,
            phone_decrypt_failures: 0,
            media,
            appstate: Default::default(),
        }
    }

    /// Restores the accounts of a snapshot.
    pub fn restore(&mut self, snap: Snapshot) {
        self.appstate = snap.appstate;
        for a in snap.accounts {
            self.lids.insert(a.lid.clone(), a.phone.clone());
            self.accounts.insert(a.phone.clone(), a);
        }
        for g in snap.groups {
            self.groups.insert(g.id.clone(), g);
        }
    }

    /// The persistent state.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            version: 1,
            accounts: self.accounts.values().cloned().collect(),
            appstate: self.appstate.clone(),
            groups: self.groups.values().cloned().collect(),
        }
    }

    /// A fresh id for a server-originated stanza.
    pub fn next_id(&mut self) -> String {
        self.stanza_seq += 1;
        format!("{}.{}", self.stanza_prefix, self.stanza_seq)
    }

    /// Creates an account for phone number `phone` (digits only, 5 to 20).
    pub fn create_account(&mut self, phone: &str, name: &str, now: u64) -> Result<&Account> {
        if !(5..=20).contains(&phone.len()) || !phone.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::BadRequest(
                "phone must be 5 to 20 digits, without '+'".into(),
            ));
        }
        if phone.starts_with('0') {
            return Err(Error::BadRequest(
                "phone must start with the country code".into(),
            ));
        }
        if self.accounts.contains_key(phone) {
            return Err(Error::Conflict(format!("account {phone} exists")));
        }
        let lid = loop {
            let n: u64 = self
                .rng
                .random_range(100_000_000_000_000..1_000_000_000_000_000);
            let s = n.to_string();
            if !self.lids.contains_key(&s) && !self.accounts.contains_key(&s) {
                break s;
            }
        };
        let account = Account {
            phone: phone.to_owned(),
            lid: lid.clone(),
            name: name.to_owned(),
            status: String::new(),
            created: now,
            adv_raw_id: self.rng.random(),
            next_device: 1,
            next_key_index: 1,
            devices: BTreeMap::new(),
            phone_dev: Phone::generate(&mut self.rng),
            profile: Default::default(),
        };
        self.lids.insert(lid, phone.to_owned());
        self.dirty = true;
        Ok(self.accounts.entry(phone.to_owned()).or_insert(account))
    }

    /// The media server's blob table (tests inspect and corrupt blobs).
    pub fn media_store(&mut self) -> &mut crate::media::MediaStore {
        &mut self.media
    }

    /// The `host:port` advertised for media and in URLs.
    pub fn media_host(&self) -> &str {
        &self.host
    }

    /// The account of a phone number.
    pub fn account(&self, phone: &str) -> Option<&Account> {
        self.accounts.get(phone)
    }

    /// The account of a phone number, mutably.
    pub fn account_mut(&mut self, phone: &str) -> Option<&mut Account> {
        self.accounts.get_mut(phone)
    }

    /// The phone-number user of a PN or LID user part.
    pub fn phone_of(&self, jid: &Jid) -> Option<&str> {
        match jid.server {
            Server::Pn => self.accounts.get(&jid.user).map(|a| a.phone.as_str()),
            Server::Lid => self.lids.get(&jid.user).map(String::as_str),
            _ => None,
        }
    }

    /// The device a PN or LID device JID names, if its account exists (the
    /// device itself may not).
    pub fn resolve(&self, jid: &Jid) -> Option<Addr> {
        self.phone_of(jid).map(|p| Addr::new(p, jid.device))
    }

    /// Whether `addr` names an existing device (the phone or a companion).
    pub fn device_exists(&self, addr: &Addr) -> bool {
        self.accounts
            .get(&addr.phone)
            .is_some_and(|a| addr.device == 0 || a.devices.contains_key(&addr.device))
    }

    /// The JID of a device in `family`.
    pub fn jid_of(&self, addr: &Addr, family: Family) -> Option<Jid> {
        self.accounts
            .get(&addr.phone)
            .map(|a| a.device_jid(family, addr.device))
    }

    /// Phone numbers of all accounts.
    pub fn phones(&self) -> Vec<String> {
        self.accounts.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_resolve_by_pn_and_lid() {
        let mut w = World::new(Some(1), "127.0.0.1:1");
        let lid = w
            .create_account("6281288888888", "Alice", 1)
            .unwrap()
            .lid
            .clone();
        assert_eq!(lid.len(), 15);
        let a = Addr::new("6281288888888", 3);
        assert_eq!(
            w.resolve(&Jid::pn("6281288888888").with_device(3)),
            Some(a.clone())
        );
        assert_eq!(w.resolve(&Jid::lid(lid.clone()).with_device(3)), Some(a));
        assert_eq!(w.resolve(&Jid::pn("62999")), None);
        assert!(w.create_account("6281288888888", "x", 1).is_err());
        assert!(w.create_account("+628", "x", 1).is_err());
        // snapshot round trip
        let json = serde_json::to_string(&w.snapshot()).unwrap();
        let mut w2 = World::new(Some(2), "h");
        w2.restore(serde_json::from_str(&json).unwrap());
        assert_eq!(
            w2.resolve(&Jid::lid(lid)),
            Some(Addr::new("6281288888888", 0))
        );
        let p1 = w
            .account("6281288888888")
            .unwrap()
            .phone_dev
            .identity()
            .public;
        let p2 = w2
            .account("6281288888888")
            .unwrap()
            .phone_dev
            .identity()
            .public;
        assert_eq!(p1, p2);
    }
}
