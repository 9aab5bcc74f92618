//! The virtual phone's app-state sync keys: one key per account, created on
//! first use, shared with every newly linked companion
//! (`APP_STATE_SYNC_KEY_SHARE`, through the bootstrap hook) and re-shared
//! when a companion asks (`APP_STATE_SYNC_KEY_REQUEST`).

use rand::RngExt;
use serde::{Deserialize, Serialize};
use wa_proto::proto::wa;
use wa_proto::proto::wa::message::protocol_message::Type as ProtocolType;

use crate::persist::codec;
use crate::phone::bootstrap::send_peer;
use crate::phone::receive::Incoming;
use crate::world::World;
use crate::world::conns::Addr;

/// Length of a key id (the phone uses 6 bytes).
pub const KEY_ID_LEN: usize = 6;

/// One app-state sync key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SyncKey {
    /// `keyId.keyId`.
    #[serde(with = "codec::bytes")]
    pub id: Vec<u8>,
    /// `keyData.keyData` (32 bytes).
    #[serde(with = "codec::bytes")]
    pub data: Vec<u8>,
    /// `fingerprint.rawId`.
    pub raw_id: u32,
    /// `keyData.timestamp` (milliseconds).
    pub timestamp: i64,
}

impl SyncKey {
    fn to_proto(&self) -> wa::message::AppStateSyncKey {
        wa::message::AppStateSyncKey {
            key_id: Some(wa::message::AppStateSyncKeyId {
                key_id: Some(self.id.clone()),
            }),
            key_data: Some(wa::message::AppStateSyncKeyData {
                key_data: Some(self.data.clone()),
                fingerprint: Some(wa::message::AppStateSyncKeyFingerprint {
                    raw_id: Some(self.raw_id),
                    current_index: Some(0),
                    device_indexes: vec![0],
                }),
                timestamp: Some(self.timestamp),
            }),
        }
    }
}

/// The account's current sync key, created if it has none.
pub fn current_key(world: &mut World, phone: &str, now: u64) -> SyncKey {
    if let Some(k) = world.appstate.account(phone).and_then(|a| a.keys.last()) {
        return k.clone();
    }
    let mut id = [0u8; KEY_ID_LEN];
    world.rng.fill(&mut id[..]);
    let data: [u8; 32] = world.rng.random();
    let key = SyncKey {
        id: id.to_vec(),
        data: data.to_vec(),
        raw_id: world.rng.random(),
        timestamp: i64::try_from(now.saturating_mul(1000)).unwrap_or(i64::MAX),
    };
    world.appstate.account_mut(phone).keys.push(key.clone());
    world.dirty = true;
    key
}

fn share_message(keys: Vec<wa::message::AppStateSyncKey>) -> wa::Message {
    wa::Message {
        protocol_message: Some(Box::new(wa::message::ProtocolMessage {
            r#type: Some(ProtocolType::AppStateSyncKeyShare as i32),
            app_state_sync_key_share: Some(wa::message::AppStateSyncKeyShare { keys }),
            ..Default::default()
        })),
        ..Default::default()
    }
}

/// Bootstrap hook: the phone shares the account's sync key with the newly
/// linked companion `addr`.
pub fn share_with_new_companion(world: &mut World, addr: &Addr, now: u64) {
    let key = current_key(world, &addr.phone, now);
    send_peer(world, addr, &share_message(vec![key.to_proto()]), now);
}

/// A peer message from a companion to its phone: answers
/// `APP_STATE_SYNC_KEY_REQUEST` with the requested keys the phone has (an
/// empty share if it has none of them, as the phone does).
pub fn on_peer_message(world: &mut World, inc: &Incoming, msg: &wa::Message) {
    let Some(p) = crate::phone::inbox::unwrap(msg).protocol_message.as_deref() else {
        return;
    };
    if p.r#type != Some(ProtocolType::AppStateSyncKeyRequest as i32) {
        return;
    }
    let Some(req) = &p.app_state_sync_key_request else {
        return;
    };
    let have: Vec<SyncKey> = world
        .appstate
        .account(&inc.owner)
        .map(|a| a.keys.clone())
        .unwrap_or_default();
    let found: Vec<_> = req
        .key_ids
        .iter()
        .filter_map(|id| id.key_id.as_ref())
        .filter_map(|id| have.iter().find(|k| &k.id == id))
        .map(SyncKey::to_proto)
        .collect();
    send_peer(world, &inc.sender, &share_message(found), inc.now);
}
