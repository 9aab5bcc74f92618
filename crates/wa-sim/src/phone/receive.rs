//! A virtual phone receiving `<enc>` nodes: Signal decryption (`pkmsg`
//! creates the session and consumes the one-time prekey it names, `msg`
//! continues it), unpadding, parsing the `Message`, recording it in the
//! inbox, and answering the sender with a delivery receipt (or a retry
//! receipt when decryption fails).

use prost::Message as _;
use rand_core::CryptoRng;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_proto::signal::{
    PreKeySignalMessage, ResponderKeys, decrypt, decrypt_prekey_message, unpad,
};

use super::Phone;
use super::inbox::{InboxEntry, classify};
use crate::world::World;
use crate::world::account::Family;
use crate::world::conns::Addr;
use crate::world::queue::Class;

/// `<enc>` nodes for a phone, with where they came from.
#[derive(Debug)]
pub struct Incoming {
    /// The phone's account.
    pub owner: String,
    /// The sending device.
    pub sender: Addr,
    /// Addressing the sender used (the phone answers in the same family).
    pub family: Family,
    /// Message id.
    pub id: String,
    /// The chat as addressed by the sender (user JID).
    pub chat: Jid,
    /// The `<enc>` nodes for this phone.
    pub encs: Vec<Node>,
    /// Whether the sender is a companion of the same account (a
    /// device-sent copy or a peer message).
    pub own: bool,
    /// Unix seconds.
    pub now: u64,
}

/// Decrypts one pairwise ciphertext from `peer`, returning the unpadded
/// plaintext. The session is updated only on success.
pub fn decrypt_enc<R: CryptoRng + ?Sized>(
    phone: &mut Phone,
    peer: &Addr,
    kind: &str,
    ciphertext: &[u8],
    rng: &mut R,
) -> wa_proto::Result<Vec<u8>> {
    let local = phone.local();
    let padded = match kind {
        "pkmsg" => {
            let msg = PreKeySignalMessage::parse(ciphertext)?;
            let spk = phone.signed_prekey();
            let opk = msg.pre_key_id.and_then(|id| phone.prekey(id));
            let keys = ResponderKeys {
                signed_pre_key: (msg.signed_pre_key_id == spk.id).then_some(&spk),
                one_time_pre_key: opk.as_ref(),
            };
            let out =
                decrypt_prekey_message(phone.session_mut(peer), &local, None, &msg, keys, rng)?;
            if let Some(id) = out.used_pre_key_id {
                phone.consume_prekey(id);
            }
            out.plaintext
        }
        "msg" => decrypt(phone.session_mut(peer), &local, None, ciphertext, rng)?,
        _ => return Err(wa_proto::Error::InvalidArgument("unsupported enc type")),
    };
    Ok(unpad(&padded)?.to_vec())
}

/// Handles `<enc>` nodes addressed to the phone of `inc.owner`.
pub fn on_message(world: &mut World, inc: Incoming) {
    // A message delivered again (its sender re-sent it, not knowing it
    // arrived) is recognised by id, like real clients do; our own
    // devices' copies included.
    let from = Jid::pn(inc.sender.phone.clone()).to_string();
    if world
        .account(&inc.owner)
        .is_some_and(|a| a.phone_dev.already_received(&from, &inc.id))
    {
        if !inc.own {
            send_receipt(world, &inc, None);
        }
        return;
    }
    let mut decrypted = false;
    let mut failed = false;
    for enc in &inc.encs {
        let kind = enc.attr_text("type").unwrap_or_default().into_owned();
        let Some(ct) = enc.bytes() else { continue };
        let World { accounts, rng, .. } = &mut *world;
        let Some(account) = accounts.get_mut(&inc.owner) else {
            return;
        };
        match decrypt_enc(&mut account.phone_dev, &inc.sender, &kind, ct, rng) {
            Ok(plain) => {
                decrypted = true;
                world.dirty = true;
                let Ok(msg) = wa::Message::decode(plain.as_slice()) else {
                    continue;
                };
                if inc.own {
                    if let Some(a) = world.account_mut(&inc.owner) {
                        a.phone_dev.mark_seen(&from, &inc.id);
                    }
                    super::bootstrap::on_own_message(world, &inc, &msg);
                } else {
                    record(world, &inc, &msg);
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "virtual phone could not decrypt");
                failed = true;
                world.phone_decrypt_failures += 1;
            }
        }
    }
    if inc.own {
        return;
    }
    if decrypted {
        send_receipt(world, &inc, None);
    } else if failed {
        send_retry(world, &inc);
    }
}

fn record(world: &mut World, inc: &Incoming, msg: &wa::Message) {
    let Some((kind, text)) = classify(msg) else {
        return;
    };
    let from = Jid::pn(inc.sender.phone.clone()).to_string();
    let media = super::media::fetch(&world.media, msg);
    let entry = InboxEntry {
        id: inc.id.clone(),
        chat: from.clone(),
        from,
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

/// Sends the phone's receipt for `inc` (`kind` None = delivered) to every
/// companion of the sender's account.
pub fn send_receipt(world: &mut World, inc: &Incoming, kind: Option<&'static str>) {
    let Some(from) = world.account(&inc.owner).map(|a| a.user_jid(inc.family)) else {
        return;
    };
    for dev in world.companions(&inc.sender.phone) {
        let mut r = Node::new("receipt")
            .with_attr("from", from.clone())
            .with_attr("id", inc.id.clone())
            .with_attr("t", inc.now.to_string());
        if let Some(k) = kind {
            r.attrs.insert("type", k);
        }
        world.deliver(&dev, Class::Receipt, r);
    }
}

/// Asks the sending device to re-send (its session with the phone broke).
/// The children of a phone's retry receipt for message `id` received at
/// `now`: `<retry count=1 id t v=1/>` and its registration id.
pub(super) fn retry_children(id: &str, now: u64, registration: u32) -> [Node; 2] {
    [
        Node::new("retry")
            .with_attr("count", "1")
            .with_attr("id", id.to_owned())
            .with_attr("t", now.to_string())
            .with_attr("v", "1"),
        Node::new("registration").with_bytes(registration.to_be_bytes().to_vec()),
    ]
}

fn send_retry(world: &mut World, inc: &Incoming) {
    let Some(account) = world.account(&inc.owner) else {
        return;
    };
    let from = account.device_jid(inc.family, 0);
    let registration = account.phone_dev.public_keys().registration_id;
    if inc.sender.device == 0 {
        return;
    }
    let r = Node::new("receipt")
        .with_attr("from", from)
        .with_attr("id", inc.id.clone())
        .with_attr("type", "retry")
        .with_attr("t", inc.now.to_string())
        .with_children(retry_children(&inc.id, inc.now, registration));
    world.deliver(&inc.sender, Class::Receipt, r);
}
