//! A virtual phone sending: it fetches the bundles of devices it has no
//! session with straight from the world (consuming one-time prekeys, as a
//! key fetch would), encrypts one `<enc>` per device and delivers the
//! stanzas the way the server routes a client's message: to every device of
//! the recipient and, as device-sent copies, to its own companions.

use prost::Message as _;
use rand::RngExt;
use wa_proto::binary::Node;
use wa_proto::jid::{Jid, Server};
use wa_proto::proto::wa;
use wa_proto::signal::{MessageType, PreKeyBundle, encrypt, pad, process_prekey_bundle};

use super::SentMessage;
use super::receive::{Incoming, on_message};
use crate::error::{Error, Result};
use crate::handler::prekeys::take_bundle;
use crate::world::World;
use crate::world::account::Family;
use crate::world::conns::Addr;
use crate::world::queue::Class;

/// A fresh message id in the style of a phone (`3A` + 18 hex digits).
pub fn new_message_id(world: &mut World) -> String {
    let b: [u8; 9] = world.rng.random();
    format!("3A{}", hex::encode_upper(b))
}

/// Encrypts `plaintext` (an encoded `Message`) from the phone of `owner`
/// for device `peer`, starting a session from a fresh bundle if needed.
/// Returns the `<enc>` node, or `None` if the device has no usable keys.
pub fn encrypt_for(
    world: &mut World,
    owner: &str,
    peer: &Addr,
    plaintext: &[u8],
    now: u64,
) -> Option<Node> {
    let has_session = world.account(owner)?.phone_dev.has_session(peer);
    if !has_session {
        let (keys, one_time) = take_bundle(world, peer, now)?;
        let bundle = PreKeyBundle {
            registration_id: keys.registration_id,
            identity_key: keys.identity,
            signed_pre_key_id: keys.signed.id,
            signed_pre_key: keys.signed.key,
            signed_pre_key_signature: keys.signed.signature,
            pre_key: one_time,
        };
        let World { accounts, rng, .. } = &mut *world;
        let phone = &mut accounts.get_mut(owner)?.phone_dev;
        let local = phone.local();
        let record = phone.session_mut(peer);
        if let Err(e) = process_prekey_bundle(record, &local, None, &bundle, rng) {
            tracing::debug!(error = %e, "phone could not start a session");
            return None;
        }
    }
    let World { accounts, rng, .. } = &mut *world;
    let phone = &mut accounts.get_mut(owner)?.phone_dev;
    let local = phone.local();
    let padded = pad(plaintext, rng);
    let ct = encrypt(phone.session_mut(peer), &local, &padded).ok()?;
    world.dirty = true;
    let kind = match ct.kind {
        MessageType::PreKey => "pkmsg",
        _ => "msg",
    };
    Some(
        Node::new("enc")
            .with_attr("v", "2")
            .with_attr("type", kind)
            .with_bytes(ct.bytes),
    )
}

/// What a phone sends: content plus the stanza `type`.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The message.
    pub message: wa::Message,
    /// Stanza `type` (`text`, `media`, `reaction`, `poll`).
    pub stanza_type: &'static str,
}

/// A plain text message.
pub fn text(body: &str) -> Outgoing {
    Outgoing {
        message: wa::Message {
            conversation: Some(body.to_owned()),
            ..Default::default()
        },
        stanza_type: "text",
    }
}

/// Any content, with the stanza `type` a client would pick for it:
/// `reaction`, `poll` (creation or vote), `media` or `text`.
pub fn message(message: wa::Message) -> Outgoing {
    let m = super::inbox::unwrap(&message);
    let stanza_type = if m.reaction_message.is_some() || m.enc_reaction_message.is_some() {
        "reaction"
    } else if m.poll_update_message.is_some()
        || m.poll_creation_message.is_some()
        || m.poll_creation_message_v2.is_some()
        || m.poll_creation_message_v3.is_some()
    {
        "poll"
    } else if m.image_message.is_some()
        || m.video_message.is_some()
        || m.audio_message.is_some()
        || m.document_message.is_some()
        || m.sticker_message.is_some()
    {
        "media"
    } else {
        "text"
    };
    Outgoing {
        message,
        stanza_type,
    }
}

/// The phone of `owner` sends `out` to user `to` (PN or LID JID); returns
/// the message id.
pub fn send(world: &mut World, owner: &str, to: &Jid, out: &Outgoing, now: u64) -> Result<String> {
    if to.is_group() {
        return super::group::send_group(world, owner, to, out, now);
    }
    if to.is_broadcast() {
        return Err(Error::Unsupported("broadcast sends from a phone".into()));
    }
    if !matches!(to.server, Server::Pn | Server::Lid) {
        return Err(Error::BadRequest(format!("cannot send to {to}")));
    }
    if world.account(owner).is_none() {
        return Err(Error::NotFound(format!("account {owner}")));
    }
    let target = world
        .phone_of(to)
        .map(str::to_owned)
        .ok_or_else(|| Error::NotFound(format!("no account for {to}")))?;
    let id = new_message_id(world);
    let family = Family::of(to);
    let chat = to.to_non_ad();
    let plaintext = out.message.encode_to_vec();
    let sent = SentMessage {
        id: id.clone(),
        chat: chat.to_string(),
        stanza_type: out.stanza_type.to_owned(),
        plaintext: plaintext.clone(),
    };
    if let Some(a) = world.account_mut(owner) {
        a.phone_dev.remember_sent(sent);
    }
    let mut recipients: Vec<Addr> = Vec::new();
    // A recipient that blocked the sender gets nothing (the sender's own
    // companions still get their copies).
    if target != owner && !world.blocks(&target, owner) {
        recipients.push(Addr::new(target.clone(), 0));
        recipients.extend(world.companions(&target));
    }
    for addr in recipients {
        deliver_one(
            world,
            owner,
            &addr,
            &id,
            &chat,
            family,
            out.stanza_type,
            &plaintext,
            now,
        );
    }
    // Device-sent copies for the phone's own companions.
    let dsm = wa::Message {
        device_sent_message: Some(Box::new(wa::message::DeviceSentMessage {
            destination_jid: Some(chat.to_string()),
            message: Some(Box::new(out.message.clone())),
            phash: None,
        })),
        ..Default::default()
    }
    .encode_to_vec();
    for addr in world.companions(owner) {
        deliver_one(
            world,
            owner,
            &addr,
            &id,
            &chat,
            family,
            out.stanza_type,
            &dsm,
            now,
        );
    }
    Ok(id)
}

/// Re-sends a recently sent message to one device (answering its retry
/// receipt) over a fresh session.
pub fn resend(world: &mut World, owner: &str, peer: &Addr, id: &str, now: u64) {
    let Some(sent) = world
        .account(owner)
        .and_then(|a| a.phone_dev.sent(id))
        .cloned()
    else {
        return;
    };
    if let Some(a) = world.account_mut(owner) {
        a.phone_dev.drop_session(peer);
    }
    let Ok(chat) = Jid::parse(&sent.chat) else {
        return;
    };
    let family = Family::of(&chat);
    let plaintext = if peer.phone == owner {
        wa::Message {
            device_sent_message: Some(Box::new(wa::message::DeviceSentMessage {
                destination_jid: Some(sent.chat.clone()),
                message: wa::Message::decode(sent.plaintext.as_slice())
                    .ok()
                    .map(Box::new),
                phash: None,
            })),
            ..Default::default()
        }
        .encode_to_vec()
    } else {
        sent.plaintext.clone()
    };
    let kind = if sent.stanza_type == "media" {
        "media"
    } else {
        "text"
    };
    deliver_one(world, owner, peer, id, &chat, family, kind, &plaintext, now);
}

#[allow(clippy::too_many_arguments)]
fn deliver_one(
    world: &mut World,
    owner: &str,
    addr: &Addr,
    id: &str,
    chat: &Jid,
    family: Family,
    stanza_type: &str,
    plaintext: &[u8],
    now: u64,
) {
    let Some(enc) = encrypt_for(world, owner, addr, plaintext, now) else {
        return;
    };
    let own = addr.phone == owner;
    if addr.device == 0 {
        // Another virtual phone: no socket in between.
        on_message(
            world,
            Incoming {
                owner: addr.phone.clone(),
                sender: Addr::new(owner, 0),
                family,
                id: id.to_owned(),
                chat: chat.clone(),
                encs: vec![enc],
                own,
                now,
            },
        );
        return;
    }
    let Some(account) = world.account(owner) else {
        return;
    };
    let mut node = Node::new("message")
        .with_attr("from", account.user_jid(family))
        .with_attr("id", id.to_owned())
        .with_attr("t", now.to_string())
        .with_attr("type", stanza_type.to_owned());
    if own {
        node.attrs.insert("recipient", chat.clone());
    } else {
        match family {
            Family::Lid => {
                node.attrs
                    .insert("sender_pn", Jid::pn(account.phone.clone()));
                node.attrs.insert("addressing_mode", "lid");
            }
            Family::Pn => node
                .attrs
                .insert("sender_lid", Jid::lid(account.lid.clone())),
        }
        if !account.name.is_empty() {
            node.attrs.insert("notify", account.name.clone());
        }
    }
    world.deliver(addr, Class::Message, node.with_child(enc));
}
