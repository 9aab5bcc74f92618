//! Signal addresses: which peer device a session (or sender key) belongs to.
//!
//! libsignal names a device `ProtocolAddress { name, deviceId }` and keys its
//! session store by the string `"{name}.{deviceId}"`. WhatsApp clients derive
//! the name from the device's JID (Baileys `jidToSignalProtocolAddress`,
//! whatsmeow `JID.SignalAddress`):
//!
//! | JID                              | name           | device |
//! |----------------------------------|----------------|--------|
//! | `123@s.whatsapp.net`             | `123`          | 0      |
//! | `123:7@s.whatsapp.net`           | `123`          | 7      |
//! | `456:3@lid`                      | `456_1`        | 3      |
//! | `123:99@hosted` (hosted PN)      | `123_128`      | 99     |
//! | `456:99@hosted.lid` (hosted LID) | `456_129`      | 99     |
//!
//! i.e. the user, with `_{domainType}` appended when the domain is not the
//! phone-number one (1 = LID, 128 = hosted, 129 = hosted LID). Group sender
//! keys are keyed by `"{groupJid}::{name}::{device}"` ([`SenderKeyName`]).
//! Mapping a `Jid` to an address belongs with the JID type; this module only
//! provides the address values and their string forms.

use std::fmt;

/// A peer device as Signal names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProtocolAddress {
    /// The user part (`123`, `456_1`, ...); never contains `.`.
    pub name: String,
    /// The device id (0 for the primary device).
    pub device: u32,
}

impl ProtocolAddress {
    /// An address for `name` (see the module table) and `device`.
    pub fn new(name: impl Into<String>, device: u32) -> Self {
        Self {
            name: name.into(),
            device,
        }
    }
}

impl fmt::Display for ProtocolAddress {
    /// libsignal's session key: `name.device`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.name, self.device)
    }
}

/// The key of one sender's sender-key record in one group.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SenderKeyName {
    /// The group JID as a string (`...@g.us`, or `status@broadcast`).
    pub group: String,
    /// The sending device.
    pub sender: ProtocolAddress,
}

impl SenderKeyName {
    /// The sender key of `sender` in `group`.
    pub fn new(group: impl Into<String>, sender: ProtocolAddress) -> Self {
        Self {
            group: group.into(),
            sender,
        }
    }
}

impl fmt::Display for SenderKeyName {
    /// Baileys' store key: `group::name::device`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}::{}::{}",
            self.group, self.sender.name, self.sender.device
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_forms() {
        let a = ProtocolAddress::new("456_1", 3);
        assert_eq!(a.to_string(), "456_1.3");
        let k = SenderKeyName::new("120363@g.us", a);
        assert_eq!(k.to_string(), "120363@g.us::456_1::3");
    }
}
