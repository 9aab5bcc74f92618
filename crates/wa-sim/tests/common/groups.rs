//! Group helpers for the test companion: `w:g2` iqs, `w:gp2`
//! notifications, and a sender key to send and open group messages.
#![allow(dead_code, unreachable_pub)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use prost::Message as _;
use wa_proto::binary::Node;
use wa_proto::jid::{Jid, Server};
use wa_proto::proto::wa;
use wa_proto::signal::{
    SenderKeyDistributionMessage, SenderKeyRecord, create_distribution_message, group_decrypt,
    group_encrypt, pad, process_distribution_message, unpad,
};

use super::TestClient;

/// A `w:g2` iq to `to` (a group or `@g.us`).
pub async fn g2(c: &mut TestClient, to: Jid, typ: &'static str, child: Node) -> Node {
    let id = c.next_id();
    c.send(
        &Node::new("iq")
            .with_attr("id", id.clone())
            .with_attr("xmlns", "w:g2")
            .with_attr("type", typ)
            .with_attr("to", to)
            .with_child(child),
    )
    .await;
    c.recv_match(|n| n.tag == "iq" && n.attr_text("id").as_deref() == Some(&id))
        .await
}

pub fn g_us() -> Jid {
    Jid::server_only(Server::Group)
}

pub fn error_code(n: &Node) -> Option<u16> {
    n.child("error").and_then(|e| e.attr_parse("code"))
}

pub fn lid_of(sim: &wa_sim::SimHandle, phone: &str) -> Jid {
    let lid = sim.with_world(|w| w.account(phone).unwrap().lid.clone());
    Jid::lid(lid)
}

/// Waits for a `w:gp2` notification with child `tag`, acks it, returns it.
pub async fn gp2(c: &mut TestClient, tag: &str) -> Node {
    let n = c
        .recv_match(|n| {
            n.tag == "notification"
                && n.attr_str("type") == Some("w:gp2")
                && n.children().first().is_some_and(|ch| ch.tag == tag)
        })
        .await;
    let ack = Node::new("ack")
        .with_attr("id", n.attr_text("id").unwrap().into_owned())
        .with_attr("class", "notification")
        .with_attr("type", "w:gp2")
        .with_attr("to", n.attr("from").unwrap().clone());
    c.send(&ack).await;
    n
}

pub fn participants(group: &Node) -> Vec<(Jid, Option<Jid>, Option<String>)> {
    group
        .children_by_tag("participant")
        .map(|p| {
            (
                p.attr_jid("jid").unwrap(),
                p.attr_jid("phone_number"),
                p.attr_text("type").map(|t| t.into_owned()),
            )
        })
        .collect()
}

/// A test companion's own sender key for a group.
pub struct SenderKey {
    pub record: SenderKeyRecord,
    pub skdm: SenderKeyDistributionMessage,
}

impl SenderKey {
    pub fn new(c: &mut TestClient) -> SenderKey {
        let mut record = SenderKeyRecord::new();
        let skdm = create_distribution_message(&mut record, &mut c.rng).unwrap();
        SenderKey { record, skdm }
    }

    pub fn skdm_message(&self, group: &Jid) -> wa::Message {
        wa::Message {
            sender_key_distribution_message: Some(wa::message::SenderKeyDistributionMessage {
                group_id: Some(group.to_string()),
                axolotl_sender_key_distribution_message: Some(self.skdm.serialize()),
            }),
            ..Default::default()
        }
    }

    pub fn skmsg(&mut self, c: &mut TestClient, msg: &wa::Message) -> Node {
        let padded = pad(&msg.encode_to_vec(), &mut c.rng);
        let ct = group_encrypt(&mut self.record, &padded, &mut c.rng).unwrap();
        Node::new("enc")
            .with_attr("v", "2")
            .with_attr("type", "skmsg")
            .with_bytes(ct)
    }
}

/// Decrypts a group message a companion received: the pairwise SKDM (if
/// any) into `records`, then the skmsg.
pub fn open_group_message(
    c: &mut TestClient,
    records: &mut std::collections::HashMap<String, SenderKeyRecord>,
    m: &Node,
) -> wa::Message {
    let participant = m.attr_jid("participant").unwrap();
    let rec = records.entry(participant.to_string()).or_default();
    for enc in m.children_by_tag("enc") {
        if enc.attr_str("type") != Some("skmsg") {
            let inner = c.decrypt(&participant, enc);
            let skdm = inner.sender_key_distribution_message.unwrap();
            let skdm = SenderKeyDistributionMessage::parse(
                &skdm.axolotl_sender_key_distribution_message.unwrap(),
            )
            .unwrap();
            process_distribution_message(rec, &skdm);
        }
    }
    let sk = m
        .children_by_tag("enc")
        .find(|e| e.attr_str("type") == Some("skmsg"))
        .unwrap();
    let padded = group_decrypt(rec, sk.bytes().unwrap()).unwrap();
    wa::Message::decode(unpad(&padded).unwrap()).unwrap()
}

pub fn text_of(m: &wa::Message) -> String {
    m.conversation
        .clone()
        .or_else(|| {
            m.extended_text_message
                .as_ref()
                .and_then(|t| t.text.clone())
        })
        .unwrap_or_default()
}
