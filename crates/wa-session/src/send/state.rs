//! What the send pipeline keeps in memory per session: the worker's wake-up,
//! the waiters for server acks and for API results, retry requests, and the
//! device-list, group and sender-key caches.
//!
//! Nothing here is needed for correctness after a restart: the outbox in the
//! store is the source of truth, the caches refill from the server.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, oneshot};
use wa_proto::jid::Jid;

use super::SentMessage;
use crate::Result;

/// How long a fetched device list is trusted without a `devices`
/// notification invalidating it.
pub(crate) const DEVICE_TTL: Duration = Duration::from_secs(3600);
/// How long fetched group participants are trusted without a `w:gp2`
/// notification invalidating them.
pub(crate) const GROUP_TTL: Duration = Duration::from_secs(600);

/// The server's answer to one message stanza.
#[derive(Clone, Debug)]
pub(crate) struct ServerAck {
    pub(crate) error: Option<String>,
    pub(crate) t: Option<i64>,
    /// The server's participant hash when it differs from ours (groups).
    pub(crate) phash: Option<String>,
}

/// A `<receipt type="retry">` for one of our messages.
#[derive(Clone, Debug)]
pub(crate) struct RetryRequest {
    /// The message id.
    pub(crate) id: String,
    /// The chat (`from` of the receipt: user or group).
    pub(crate) chat: Jid,
    /// The device asking (the participant for groups).
    pub(crate) device: Jid,
    /// `<retry count>`.
    pub(crate) count: u32,
    /// A prekey bundle the device attached (`<keys>`), raw.
    pub(crate) keys: Option<wa_proto::binary::Node>,
}

/// A user's devices as usync reported them.
#[derive(Clone, Debug)]
pub(crate) struct CachedDevices {
    pub(crate) devices: Vec<u16>,
    pub(crate) lid: Option<Jid>,
    pub(crate) at: Instant,
}

/// A group's members as `w:g2` reported them.
#[derive(Clone, Debug)]
pub(crate) struct CachedGroup {
    /// Member users (PN or LID, as the group addresses them).
    pub(crate) members: Vec<Jid>,
    /// Whether the group addresses members by LID.
    pub(crate) lid: bool,
    pub(crate) at: Instant,
}

type Waiters = HashMap<String, Vec<oneshot::Sender<Result<SentMessage>>>>;

/// Per-session send state, part of the client's shared state.
#[derive(Default)]
pub(crate) struct SendState {
    pub(crate) wake: Notify,
    acks: Mutex<HashMap<String, oneshot::Sender<ServerAck>>>,
    waiters: Mutex<Waiters>,
    retries: Mutex<VecDeque<RetryRequest>>,
    /// Retries answered, by (message id, device, count): at most one resend
    /// per retry.
    answered: Mutex<HashSet<(String, String, u32)>>,
    devices: Mutex<HashMap<String, CachedDevices>>,
    groups: Mutex<HashMap<String, CachedGroup>>,
    /// Devices known to hold our current sender key, per group.
    sk_holders: Mutex<HashMap<String, HashSet<String>>>,
    /// When the last message stanza may have been written (pacing).
    last_stanza: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for SendState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendState").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl SendState {
    /// Registers interest in the server ack of stanza `id`.
    pub(crate) fn expect_ack(&self, id: &str) -> oneshot::Receiver<ServerAck> {
        let (tx, rx) = oneshot::channel();
        lock(&self.acks).insert(id.to_owned(), tx);
        rx
    }

    /// Called by the session task for `<ack class="message">`. Returns
    /// whether someone was waiting.
    pub(crate) fn on_ack(&self, id: &str, ack: ServerAck) -> bool {
        match lock(&self.acks).remove(id) {
            Some(tx) => tx.send(ack).is_ok(),
            None => false,
        }
    }

    /// Forgets ack waits that will not be answered (connection lost).
    pub(crate) fn drop_ack_waits(&self, ids: &[String]) {
        let mut acks = lock(&self.acks);
        for id in ids {
            acks.remove(id);
        }
    }

    /// Registers an API caller waiting for the outcome of message `id`.
    pub(crate) fn wait_result(&self, id: &str) -> oneshot::Receiver<Result<SentMessage>> {
        let (tx, rx) = oneshot::channel();
        lock(&self.waiters)
            .entry(id.to_owned())
            .or_default()
            .push(tx);
        rx
    }

    /// Reports the outcome of message `id` to its waiters.
    pub(crate) fn finish(&self, id: &str, result: &Result<SentMessage>) {
        let waiters = lock(&self.waiters).remove(id).unwrap_or_default();
        for w in waiters {
            let r = match result {
                Ok(s) => Ok(s.clone()),
                Err(e) => Err(e.duplicate()),
            };
            let _ = w.send(r);
        }
    }

    /// How long to wait before the next message stanza so that stanzas are
    /// `interval` apart; reserves the slot.
    pub(crate) fn pace_wait(&self, interval: Duration) -> Option<Duration> {
        let mut last = lock(&self.last_stanza);
        let now = Instant::now();
        let at = match *last {
            Some(prev) if prev + interval > now => prev + interval,
            _ => now,
        };
        *last = Some(at);
        at.checked_duration_since(now).filter(|d| !d.is_zero())
    }

    /// Queues a retry request and wakes the worker.
    pub(crate) fn push_retry(&self, r: RetryRequest) {
        lock(&self.retries).push_back(r);
        self.wake.notify_one();
    }

    /// The queued retry requests.
    pub(crate) fn take_retries(&self) -> Vec<RetryRequest> {
        lock(&self.retries).drain(..).collect()
    }

    /// Whether this retry is new (and records it as answered).
    pub(crate) fn first_answer(&self, r: &RetryRequest) -> bool {
        lock(&self.answered).insert((r.id.clone(), r.device.to_string(), r.count))
    }

    pub(crate) fn cached_devices(&self, user: &str) -> Option<CachedDevices> {
        lock(&self.devices)
            .get(user)
            .filter(|c| c.at.elapsed() < DEVICE_TTL)
            .cloned()
    }

    pub(crate) fn put_devices(&self, user: String, devices: CachedDevices) {
        lock(&self.devices).insert(user, devices);
    }

    /// Drops a user's cached device list (a `devices` notification).
    pub(crate) fn invalidate_devices(&self, user: &str) {
        lock(&self.devices).remove(user);
    }

    pub(crate) fn cached_group(&self, group: &str) -> Option<CachedGroup> {
        lock(&self.groups)
            .get(group)
            .filter(|c| c.at.elapsed() < GROUP_TTL)
            .cloned()
    }

    pub(crate) fn put_group(&self, group: String, g: CachedGroup) {
        lock(&self.groups).insert(group, g);
    }

    /// Drops a group's cached members (a `w:gp2` notification) and the
    /// record of who holds our sender key there.
    pub(crate) fn invalidate_group(&self, group: &str) {
        lock(&self.groups).remove(group);
    }

    /// The devices (signal address text) of `group` that hold our key.
    pub(crate) fn sk_holders(&self, group: &str) -> HashSet<String> {
        lock(&self.sk_holders)
            .get(group)
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn add_sk_holders(&self, group: &str, devices: impl IntoIterator<Item = String>) {
        lock(&self.sk_holders)
            .entry(group.to_owned())
            .or_default()
            .extend(devices);
    }

    /// Forgets who holds our key in `group` (a new key was made).
    pub(crate) fn invalidate_group_holders(&self, group: &str) {
        lock(&self.sk_holders).remove(group);
    }

    /// Forgets that `device` holds our key in any group (its session was
    /// reset, so it must get the key again).
    pub(crate) fn forget_sk_holder(&self, device: &str) {
        for set in lock(&self.sk_holders).values_mut() {
            set.remove(device);
        }
    }
}
