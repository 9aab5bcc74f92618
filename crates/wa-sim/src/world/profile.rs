//! What an account publishes about itself besides keys: the profile
//! picture, when its status text was set, its privacy settings and its
//! blocklist. Stored per account ([`super::account::Account::profile`]) and
//! persisted with it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::World;
use crate::persist::codec;

/// Privacy categories and their defaults (`<category name value/>`), in the
/// order the server lists them.
pub const PRIVACY_DEFAULTS: &[(&str, &str)] = &[
    ("last", "all"),
    ("online", "all"),
    ("profile", "all"),
    ("status", "contacts"),
    ("groupadd", "all"),
    ("readreceipts", "all"),
    ("calladd", "all"),
    ("messages", "all"),
    ("defense", "off"),
    ("stickers", "all"),
];

/// Values a privacy category may take (whatsmeow's `PrivacySetting` values).
pub const PRIVACY_VALUES: &[&str] = &[
    "all",
    "contacts",
    "contact_blacklist",
    "none",
    "match_last_seen",
    "known",
    "on_standard",
    "off",
    "contact_allowlist",
];

/// Largest profile picture accepted (bytes).
pub const MAX_PICTURE: usize = 2 << 20;

/// A profile picture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picture {
    /// Picture id (changes with every new picture).
    pub id: u64,
    /// The image bytes as uploaded (JPEG from clients).
    #[serde(with = "codec::bytes")]
    pub bytes: Vec<u8>,
}

/// The profile state of one account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Unix time the status text was last set (0 = never).
    #[serde(default)]
    pub status_t: u64,
    /// The current picture.
    #[serde(default)]
    pub picture: Option<Picture>,
    /// Privacy settings that differ from [`PRIVACY_DEFAULTS`].
    #[serde(default)]
    pub privacy: BTreeMap<String, String>,
    /// Phone numbers of blocked accounts.
    #[serde(default)]
    pub blocked: BTreeSet<String>,
}

impl Profile {
    /// The value of privacy category `name` (its default when unset).
    pub fn privacy_value(&self, name: &str) -> &str {
        self.privacy
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| {
                PRIVACY_DEFAULTS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or("all", |(_, v)| v)
            })
    }

    /// Every category with its value: the known ones in server order, then
    /// any other category a client set.
    pub fn privacy_list(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = PRIVACY_DEFAULTS
            .iter()
            .map(|(n, _)| ((*n).to_owned(), self.privacy_value(n).to_owned()))
            .collect();
        for (n, v) in &self.privacy {
            if !PRIVACY_DEFAULTS.iter().any(|(d, _)| d == n) {
                out.push((n.clone(), v.clone()));
            }
        }
        out
    }

    /// Sets a privacy category.
    pub fn set_privacy(&mut self, name: &str, value: &str) {
        self.privacy.insert(name.to_owned(), value.to_owned());
    }
}

impl World {
    /// Whether account `owner` blocked account `other`.
    pub fn blocks(&self, owner: &str, other: &str) -> bool {
        self.accounts
            .get(owner)
            .is_some_and(|a| a.profile.blocked.contains(other))
    }

    /// Whether `viewer` may see what `owner` shares under privacy category
    /// `category` (`none` hides it from everyone else, and a block either
    /// way hides everything; `contacts` and the list variants are treated
    /// as `all`: the sim keeps no address books).
    pub fn may_see(&self, owner: &str, viewer: &str, category: &str) -> bool {
        if owner == viewer {
            return true;
        }
        let Some(a) = self.accounts.get(owner) else {
            return false;
        };
        !a.profile.blocked.contains(viewer)
            && !self.blocks(viewer, owner)
            && a.profile.privacy_value(category) != "none"
    }
}
