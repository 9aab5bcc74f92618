//! What a phone does for a freshly linked companion, and its reaction to
//! peer messages from its own companions.
//!
//! After a companion's first `<passive><active/>`, the phone sends (as a
//! `category="peer"` message) an inline `INITIAL_BOOTSTRAP` history sync with
//! the account's push name, PN↔LID mapping and known chats (no messages), so clients leave their
//! initial-sync wait at once.
//!
//! Hooks for later modules: [`APP_STATE_KEY_SHARE`] is where the app-state
//! module shares its sync key; [`on_own_message`] is where it answers
//! `APP_STATE_SYNC_KEY_REQUEST`s and other peer protocol messages.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use prost::Message as _;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_proto::proto::wa::message::protocol_message::Type as ProtocolType;

use super::receive::Incoming;
use super::send::{encrypt_for, new_message_id};
use crate::world::World;
use crate::world::conns::Addr;
use crate::world::queue::Class;

/// A hook run when a companion is first activated, before the history
/// sync: the app-state module sets it to send `APP_STATE_SYNC_KEY_SHARE`.
pub type BootstrapHook = fn(&mut World, &Addr, u64);

/// Hooks run (in order) for a newly linked companion: the app-state key
/// share.
pub const APP_STATE_KEY_SHARE: &[BootstrapHook] =
    &[crate::appstate::keys::share_with_new_companion];

/// Runs the bootstrap for `addr` if it has not run yet.
pub fn after_active(world: &mut World, addr: &Addr, now: u64) {
    let Some(dev) = world
        .account_mut(&addr.phone)
        .and_then(|a| a.devices.get_mut(&addr.device))
    else {
        return;
    };
    if dev.bootstrapped {
        return;
    }
    dev.bootstrapped = true;
    world.dirty = true;
    for hook in APP_STATE_KEY_SHARE {
        hook(world, addr, now);
    }
    if let Some(msg) = history_sync(world, &addr.phone) {
        send_peer(world, addr, &msg, now);
    }
}

/// Sends a protocol message from the phone to its own companion `to` as a
/// `category="peer"` message.
pub fn send_peer(world: &mut World, to: &Addr, msg: &wa::Message, now: u64) {
    let Some(enc) = encrypt_for(world, &to.phone, to, &msg.encode_to_vec(), now) else {
        return;
    };
    let id = new_message_id(world);
    let node = Node::new("message")
        .with_attr("from", Jid::pn(to.phone.clone()))
        .with_attr("id", id)
        .with_attr("t", now.to_string())
        .with_attr("type", "text")
        .with_attr("category", "peer")
        .with_child(enc);
    world.deliver(to, Class::Message, node);
}

/// The `HISTORY_SYNC_NOTIFICATION` with an inline bootstrap payload.
fn history_sync(world: &World, phone: &str) -> Option<wa::Message> {
    let account = world.account(phone)?;
    let history = wa::HistorySync {
        sync_type: Some(wa::history_sync::HistorySyncType::InitialBootstrap as i32),
        chunk_order: Some(0),
        progress: Some(100),
        pushnames: vec![wa::Pushname {
            id: Some(Jid::pn(account.phone.clone()).to_string()),
            pushname: Some(account.name.clone()),
        }],
        conversations: account.phone_dev.conversations(),
        phone_number_to_lid_mappings: vec![wa::PhoneNumberToLidMapping {
            pn_jid: Some(Jid::pn(account.phone.clone()).to_string()),
            lid_jid: Some(Jid::lid(account.lid.clone()).to_string()),
        }],
        ..Default::default()
    };
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(&history.encode_to_vec()).ok()?;
    let inline = z.finish().ok()?;
    Some(wa::Message {
        protocol_message: Some(Box::new(wa::message::ProtocolMessage {
            r#type: Some(ProtocolType::HistorySyncNotification as i32),
            history_sync_notification: Some(wa::message::HistorySyncNotification {
                sync_type: Some(wa::message::HistorySyncType::InitialBootstrap as i32),
                chunk_order: Some(0),
                progress: Some(100),
                initial_hist_bootstrap_inline_payload: Some(inline),
                ..Default::default()
            }),
            ..Default::default()
        })),
        ..Default::default()
    })
}

/// A message from one of the phone's own companions: device-sent copies of
/// its sends and peer protocol messages. The phone keeps its sessions in
/// step (decryption already happened) and otherwise ignores them; the
/// app-state module hooks `APP_STATE_SYNC_KEY_REQUEST` handling in here.
pub fn on_own_message(world: &mut World, inc: &Incoming, msg: &wa::Message) {
    crate::appstate::keys::on_peer_message(world, inc, msg);
}
