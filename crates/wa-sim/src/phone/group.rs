//! A virtual phone in groups (and broadcast lists): sender keys with
//! `wa_proto::signal::group_cipher`.
//!
//! Receiving: pairwise `<enc>`s (`pkmsg`/`msg`) carry members' sender key
//! distribution messages, `skmsg` the content; the phone records decrypted
//! content in its inbox with `chat` = the group and `from` = the sender, and
//! answers the sender's companions with a group receipt (`from=GROUP
//! participant=PHONE`), or the sending device with a retry receipt.
//!
//! Sending: the phone's own sender key for the group (created on first
//! use) encrypts the `skmsg`; every member device it has not yet given that
//! key to gets an SKDM in a pairwise `<enc>` in the same stanza.

use std::collections::{BTreeMap, BTreeSet};

use prost::Message as _;
use serde::{Deserialize, Serialize};
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_proto::signal::{
    SenderKeyDistributionMessage, SenderKeyRecord, create_distribution_message, group_decrypt,
    group_encrypt, pad, process_distribution_message, unpad,
};

use super::SentMessage;
use super::inbox::{InboxEntry, classify};
use super::receive::{decrypt_enc, retry_children};
use super::send::{Outgoing, encrypt_for, new_message_id};
use crate::error::{Error, Result};
use crate::persist::codec::sender_key;
use crate::world::World;
use crate::world::account::Family;
use crate::world::conns::Addr;
use crate::world::queue::Class;

/// A sender key record in a serializable wrapper.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct KeyBox(#[serde(with = "sender_key")] SenderKeyRecord);

/// A phone's sender-key state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GroupKeys {
    /// Members' sender keys by `chat|phone.device`.
    received: BTreeMap<String, KeyBox>,
    /// The phone's own sender key per chat.
    own: BTreeMap<String, KeyBox>,
    /// Devices (`phone.device`) that hold the phone's own key, per chat.
    distributed: BTreeMap<String, BTreeSet<String>>,
}

fn dev_key(a: &Addr) -> String {
    format!("{}.{}", a.phone, a.device)
}

/// A group or broadcast stanza for a phone.
#[derive(Debug)]
pub struct GroupIncoming {
    /// The phone's account.
    pub owner: String,
    /// The sending device.
    pub sender: Addr,
    /// The group (or broadcast list) JID.
    pub chat: Jid,
    /// The group's addressing family.
    pub family: Family,
    /// Message id.
    pub id: String,
    /// Pairwise `<enc>`s for this phone and the `skmsg`.
    pub encs: Vec<Node>,
    /// Unix seconds.
    pub now: u64,
}

/// Handles a group message for the phone of `inc.owner`.
pub fn on_group_message(world: &mut World, inc: GroupIncoming) {
    let own = inc.sender.phone == inc.owner;
    let from = Jid::pn(inc.sender.phone.clone()).to_string();
    if world
        .account(&inc.owner)
        .is_some_and(|a| a.phone_dev.already_received(&from, &inc.id))
    {
        if !own {
            send_receipt(world, &inc);
        }
        return;
    }
    let chat = inc.chat.to_string();
    let sk_key = format!("{chat}|{}", dev_key(&inc.sender));
    let mut decrypted = false;
    let mut failed = false;
    let mut contents: Vec<wa::Message> = Vec::new();
    // Pairwise first: the SKDM must be known before the skmsg.
    let mut encs: Vec<&Node> = inc.encs.iter().collect();
    encs.sort_by_key(|e| e.attr_str("type") == Some("skmsg"));
    for enc in encs {
        let kind = enc.attr_text("type").unwrap_or_default().into_owned();
        let Some(ct) = enc.bytes() else { continue };
        let World { accounts, rng, .. } = &mut *world;
        let Some(account) = accounts.get_mut(&inc.owner) else {
            return;
        };
        let phone = &mut account.phone_dev;
        let plain = if kind == "skmsg" {
            let rec = &mut phone.groups.received.entry(sk_key.clone()).or_default().0;
            group_decrypt(rec, ct).and_then(|p| Ok(unpad(&p)?.to_vec()))
        } else {
            decrypt_enc(phone, &inc.sender, &kind, ct, rng)
        };
        let msg = match plain {
            Ok(p) => wa::Message::decode(p.as_slice()).ok(),
            Err(e) => {
                tracing::debug!(error = %e, kind, "virtual phone could not decrypt a group message");
                failed = true;
                world.phone_decrypt_failures += 1;
                continue;
            }
        };
        decrypted = true;
        world.dirty = true;
        let Some(msg) = msg else { continue };
        if let Some(skdm) = msg
            .sender_key_distribution_message
            .as_ref()
            .and_then(|s| s.axolotl_sender_key_distribution_message.as_deref())
            .and_then(|b| SenderKeyDistributionMessage::parse(b).ok())
            && let Some(a) = world.account_mut(&inc.owner)
        {
            let rec = &mut a
                .phone_dev
                .groups
                .received
                .entry(sk_key.clone())
                .or_default()
                .0;
            process_distribution_message(rec, &skdm);
        }
        contents.push(msg);
    }
    if own {
        if decrypted && let Some(a) = world.account_mut(&inc.owner) {
            a.phone_dev.mark_seen(&from, &inc.id);
        }
        return;
    }
    // Broadcast-list messages show in the 1:1 chat with the sender.
    let sender_pn = Jid::pn(inc.sender.phone.clone()).to_string();
    let inbox_chat = if inc.chat.is_broadcast() && !inc.chat.is_status_broadcast() {
        sender_pn.clone()
    } else {
        chat.clone()
    };
    for msg in &contents {
        if let Some((kind, text)) = classify(msg) {
            let media = super::media::fetch(&world.media, msg);
            let entry = InboxEntry {
                id: inc.id.clone(),
                chat: inbox_chat.clone(),
                from: sender_pn.clone(),
                kind: kind.to_owned(),
                text,
                timestamp: inc.now,
                media,
                refs: super::inbox::refs(msg),
            };
            if let Some(a) = world.account_mut(&inc.owner) {
                a.phone_dev.record(entry);
            }
        }
    }
    if failed {
        send_retry(world, &inc);
    } else if decrypted {
        send_receipt(world, &inc);
    }
}

/// `<receipt from=CHAT participant=PHONE id t>` to the sender's companions.
fn send_receipt(world: &mut World, inc: &GroupIncoming) {
    let Some(me) = world.account(&inc.owner).map(|a| a.user_jid(inc.family)) else {
        return;
    };
    for dev in world.companions(&inc.sender.phone) {
        let r = Node::new("receipt")
            .with_attr("from", inc.chat.clone())
            .with_attr("participant", me.clone())
            .with_attr("id", inc.id.clone())
            .with_attr("t", inc.now.to_string());
        world.deliver(&dev, Class::Receipt, r);
    }
}

/// Asks the sending companion to re-send (with a fresh SKDM).
fn send_retry(world: &mut World, inc: &GroupIncoming) {
    if inc.sender.device == 0 {
        return;
    }
    let Some(account) = world.account(&inc.owner) else {
        return;
    };
    let me = account.device_jid(inc.family, 0);
    let registration = account.phone_dev.public_keys().registration_id;
    let r = Node::new("receipt")
        .with_attr("from", inc.chat.clone())
        .with_attr("participant", me)
        .with_attr("id", inc.id.clone())
        .with_attr("type", "retry")
        .with_attr("t", inc.now.to_string())
        .with_children(retry_children(&inc.id, inc.now, registration));
    world.deliver(&inc.sender, Class::Receipt, r);
}

/// The phone of `owner` sends `out` to group `to`; returns the message id.
pub fn send_group(
    world: &mut World,
    owner: &str,
    to: &Jid,
    out: &Outgoing,
    now: u64,
) -> Result<String> {
    let g = world
        .group(&to.user)
        .cloned()
        .ok_or_else(|| Error::NotFound(format!("group {to}")))?;
    if !g.is_member(owner) {
        return Err(Error::Conflict(format!("{owner} is not a member of {to}")));
    }
    if g.announce && !g.is_admin(owner) {
        return Err(Error::Conflict(format!("only admins may send to {to}")));
    }
    let id = new_message_id(world);
    let plaintext = out.message.encode_to_vec();
    if let Some(a) = world.account_mut(owner) {
        a.phone_dev.remember_sent(SentMessage {
            id: id.clone(),
            chat: g.jid().to_string(),
            stanza_type: out.stanza_type.to_owned(),
            plaintext: plaintext.clone(),
        });
    }
    let targets: Vec<Addr> = world
        .devices_of(&g.phones())
        .into_iter()
        .filter(|d| !(d.phone == owner && d.device == 0))
        .collect();
    fan_out(
        world,
        owner,
        &g.jid(),
        g.addressing,
        &targets,
        &id,
        out.stanza_type,
        &plaintext,
        now,
    )?;
    Ok(id)
}

/// Encrypts once with the phone's sender key and delivers to `targets`,
/// adding SKDMs for devices that lack the key.
#[allow(clippy::too_many_arguments)]
fn fan_out(
    world: &mut World,
    owner: &str,
    chat: &Jid,
    family: Family,
    targets: &[Addr],
    id: &str,
    stanza_type: &str,
    plaintext: &[u8],
    now: u64,
) -> Result<()> {
    let chat_s = chat.to_string();
    let (skdm, skmsg) = {
        let World { accounts, rng, .. } = &mut *world;
        let phone = &mut accounts
            .get_mut(owner)
            .ok_or_else(|| Error::NotFound(format!("account {owner}")))?
            .phone_dev;
        let rec = &mut phone.groups.own.entry(chat_s.clone()).or_default().0;
        let skdm = create_distribution_message(rec, rng)?;
        let padded = pad(plaintext, rng);
        (skdm, group_encrypt(rec, &padded, rng)?)
    };
    world.dirty = true;
    let skdm_msg = wa::Message {
        sender_key_distribution_message: Some(wa::message::SenderKeyDistributionMessage {
            group_id: Some(chat_s.clone()),
            axolotl_sender_key_distribution_message: Some(skdm.serialize()),
        }),
        ..Default::default()
    }
    .encode_to_vec();
    let skenc = Node::new("enc")
        .with_attr("v", "2")
        .with_attr("type", "skmsg")
        .with_bytes(skmsg);
    for addr in targets {
        let has_key = world
            .account(owner)
            .and_then(|a| a.phone_dev.groups.distributed.get(&chat_s))
            .is_some_and(|s| s.contains(&dev_key(addr)));
        let mut encs = Vec::new();
        if !has_key {
            let Some(enc) = encrypt_for(world, owner, addr, &skdm_msg, now) else {
                continue;
            };
            if let Some(a) = world.account_mut(owner) {
                a.phone_dev
                    .groups
                    .distributed
                    .entry(chat_s.clone())
                    .or_default()
                    .insert(dev_key(addr));
            }
            encs.push(enc);
        }
        encs.push(skenc.clone());
        let sender = Addr::new(owner, 0);
        if addr.device == 0 {
            on_group_message(
                world,
                GroupIncoming {
                    owner: addr.phone.clone(),
                    sender,
                    chat: chat.clone(),
                    family,
                    id: id.to_owned(),
                    encs,
                    now,
                },
            );
            continue;
        }
        let node =
            crate::handler::groups::message::incoming_node(world, chat, &sender, family, id, now)
                .with_attr("type", stanza_type.to_owned())
                .with_children(encs);
        world.deliver(addr, Class::Message, node);
    }
    Ok(())
}

/// Re-sends a recent group message to one device that asked for a retry,
/// over a fresh pairwise session and with a new SKDM.
pub fn resend(world: &mut World, owner: &str, peer: &Addr, id: &str, now: u64) {
    let Some(sent) = world
        .account(owner)
        .and_then(|a| a.phone_dev.sent(id))
        .cloned()
    else {
        return;
    };
    let Ok(chat) = Jid::parse(&sent.chat) else {
        return;
    };
    let family = world
        .group(&chat.user)
        .map_or(Family::Lid, |g| g.addressing);
    if let Some(a) = world.account_mut(owner) {
        a.phone_dev.drop_session(peer);
        if let Some(set) = a.phone_dev.groups.distributed.get_mut(&sent.chat) {
            set.remove(&dev_key(peer));
        }
    }
    let kind = if sent.stanza_type == "media" {
        "media"
    } else {
        "text"
    };
    let _ = fan_out(
        world,
        owner,
        &chat,
        family,
        std::slice::from_ref(peer),
        id,
        kind,
        &sent.plaintext,
        now,
    );
}

/// After members left or were removed, every phone drops its own sender key
/// for `chat` (a new key, distributed to the remaining members, protects
/// later messages from the removed ones).
pub fn rotate_sender_keys(world: &mut World, chat: &Jid) {
    let chat = chat.to_string();
    for a in world.accounts.values_mut() {
        let keys = &mut a.phone_dev.groups;
        if keys.own.remove(&chat).is_some() {
            keys.distributed.remove(&chat);
        }
    }
    world.dirty = true;
}
