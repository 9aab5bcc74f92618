//! Per-device queue of stanzas the server owes a companion: everything
//! routed to it stays here until the companion acknowledges it (a receipt or
//! an `<ack>`), so stanzas in flight when a connection drops are redelivered
//! with `offline="1"` at the next login.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use wa_proto::binary::Node;

use crate::persist::codec;

/// Most stanzas kept per device; the oldest are dropped beyond this.
pub const MAX_QUEUED: usize = 10_000;

/// The acknowledgement class of a queued stanza (`<ack class=...>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Class {
    /// `<message>`: acked by a `<receipt>` or `<ack class="message">`.
    Message,
    /// `<receipt>`: acked by `<ack class="receipt">`.
    Receipt,
    /// `<notification>`: acked by `<ack class="notification">`.
    Notification,
}

impl Class {
    /// The class of a stanza by its tag.
    pub fn of_tag(tag: &str) -> Option<Class> {
        match tag {
            "message" => Some(Class::Message),
            "receipt" => Some(Class::Receipt),
            "notification" => Some(Class::Notification),
            _ => None,
        }
    }

    /// The class named by an `<ack class=...>` attribute.
    pub fn from_attr(s: &str) -> Option<Class> {
        Class::of_tag(s)
    }
}

/// One stanza owed to a device.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Queued {
    /// Ack class.
    pub class: Class,
    /// Stanza id.
    pub id: String,
    /// The stanza as delivered live (without `offline`).
    #[serde(with = "codec::node")]
    pub node: Node,
}

/// The queue of one device.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Queue {
    items: VecDeque<Queued>,
}

impl Queue {
    /// Appends a stanza (dropping the oldest beyond [`MAX_QUEUED`]).
    pub fn push(&mut self, item: Queued) {
        if self.items.len() >= MAX_QUEUED {
            self.items.pop_front();
        }
        self.items.push_back(item);
    }

    /// Removes the stanzas of `class` with id `id`; returns how many.
    pub fn remove(&mut self, class: Class, id: &str) -> usize {
        let before = self.items.len();
        self.items.retain(|q| !(q.class == class && q.id == id));
        before - self.items.len()
    }

    /// The queued stanzas, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Queued> {
        self.items.iter()
    }

    /// Number of queued stanzas.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Drops everything.
    pub fn clear(&mut self) {
        self.items.clear();
    }
}
