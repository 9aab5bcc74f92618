//! Groups: `w:g2` create/info/list, participant changes with `w:gp2`
//! notifications, admin rules and error codes, the invite flow, and group
//! messages with sender keys fanned out to virtual phones and companions,
//! with receipts back to the sender.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use prost::Message as _;
use wa_proto::binary::Node;
use wa_proto::jid::{Jid, Server};
use wa_proto::proto::wa;
use wa_proto::signal::{
    SenderKeyDistributionMessage, SenderKeyRecord, create_distribution_message, group_decrypt,
    group_encrypt, pad, process_distribution_message, unpad,
};

const ALICE: &str = "6281255500001";
const BOB: &str = "6281255500002";
const CAROL: &str = "6281255500003";

/// A `w:g2` iq to `to` (a group or `@g.us`).
async fn g2(c: &mut TestClient, to: Jid, typ: &'static str, child: Node) -> Node {
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

fn g_us() -> Jid {
    Jid::server_only(Server::Group)
}

fn error_code(n: &Node) -> Option<u16> {
    n.child("error").and_then(|e| e.attr_parse("code"))
}

fn lid_of(sim: &wa_sim::SimHandle, phone: &str) -> Jid {
    let lid = sim.with_world(|w| w.account(phone).unwrap().lid.clone());
    Jid::lid(lid)
}

/// Waits for a `w:gp2` notification with child `tag`, acks it, returns it.
async fn gp2(c: &mut TestClient, tag: &str) -> Node {
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

fn participants(group: &Node) -> Vec<(Jid, Option<Jid>, Option<String>)> {
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

#[tokio::test]
async fn create_info_list_and_create_notification() {
    let sim = start_sim().await;
    for (p, n) in [(ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let mut a = linked_client(&sim, ALICE, 10).await;
    let mut b = linked_client(&sim, BOB, 20).await;
    let (alid, blid, clid) = (lid_of(&sim, ALICE), lid_of(&sim, BOB), lid_of(&sim, CAROL));
    let create = Node::new("create")
        .with_attr("subject", "Team")
        .with_attr("key", "3EB0KEY")
        .with_children([
            Node::new("participant").with_attr("jid", Jid::pn(BOB)),
            Node::new("participant").with_attr("jid", clid.clone()),
        ]);
    let r = g2(&mut a, g_us(), "set", create).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let group = r.child("group").unwrap();
    let id = group.attr_text("id").unwrap().into_owned();
    assert!(id.starts_with("120363"));
    assert_eq!(group.attr_str("subject"), Some("Team"));
    assert_eq!(group.attr_str("addressing_mode"), Some("lid"));
    assert_eq!(group.attr_jid("creator"), Some(alid.clone()));
    assert_eq!(group.attr_jid("creator_pn"), Some(Jid::pn(ALICE)));
    assert_eq!(
        participants(group),
        vec![
            (
                alid.clone(),
                Some(Jid::pn(ALICE)),
                Some("superadmin".into())
            ),
            (blid.clone(), Some(Jid::pn(BOB)), None),
            (clid.clone(), Some(Jid::pn(CAROL)), None),
        ]
    );
    // Bob's companion learns about it; Alice's own (acting) device does not.
    let n = gp2(&mut b, "create").await;
    assert_eq!(n.attr_jid("from"), Some(Jid::group(id.clone())));
    assert_eq!(n.attr_jid("participant"), Some(alid.clone()));
    assert_eq!(n.attr_jid("participant_pn"), Some(Jid::pn(ALICE)));
    let c = n.children().first().unwrap();
    assert_eq!(c.attr_str("key"), Some("3EB0KEY"));
    assert_eq!(
        c.child("group").unwrap().attr_text("id").as_deref(),
        Some(id.as_str())
    );

    // Info, as Bob.
    let gj = Jid::group(id.clone());
    let info = g2(
        &mut b,
        gj.clone(),
        "get",
        Node::new("query").with_attr("request", "interactive"),
    )
    .await;
    assert_eq!(info.attr_jid("from"), Some(gj.clone()));
    let g = info.child("group").unwrap();
    assert_eq!(g.attr_str("subject"), Some("Team"));
    assert_eq!(participants(g).len(), 3);
    // Participating groups.
    let list = g2(
        &mut b,
        g_us(),
        "get",
        Node::new("participating")
            .with_children([Node::new("participants"), Node::new("description")]),
    )
    .await;
    let ids: Vec<String> = list
        .child("groups")
        .unwrap()
        .children_by_tag("group")
        .map(|g| g.attr_text("id").unwrap().into_owned())
        .collect();
    assert_eq!(ids, vec![id.clone()]);
    // The control API view.
    let v = sim.group_info(&gj.to_string()).unwrap();
    assert_eq!(v.subject, "Team");
    assert_eq!(v.owner, format!("{ALICE}@s.whatsapp.net"));
    assert_eq!(v.participants[0].admin, Some("superadmin"));
    assert_eq!(v.participants[2].lid, clid.to_string());
    assert!(!v.announce && !v.locked && v.ephemeral.is_none());
    let json = serde_json::to_value(&v).unwrap();
    for key in [
        "jid",
        "subject",
        "description",
        "owner",
        "creation",
        "participants",
        "announce",
        "locked",
        "ephemeral",
    ] {
        assert!(json.get(key).is_some(), "{key} in the control API view");
    }
    // Unknown group: 404.
    let r = g2(
        &mut b,
        Jid::group("120363000000000000"),
        "get",
        Node::new("query").with_attr("request", "interactive"),
    )
    .await;
    assert_eq!(error_code(&r), Some(404));
}

#[tokio::test]
async fn admin_rules_participant_changes_and_settings() {
    let sim = start_sim().await;
    for (p, n) in [(ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let gjid = sim
        .create_group(ALICE, "Rules", &[BOB.to_owned()], false)
        .unwrap();
    let gj = Jid::parse(&gjid).unwrap();
    let mut a = linked_client(&sim, ALICE, 30).await;
    let mut b = linked_client(&sim, BOB, 40).await;
    let (blid, clid) = (lid_of(&sim, BOB), lid_of(&sim, CAROL));

    // A member may rename an unlocked group; everyone else is told.
    let r = g2(
        &mut b,
        gj.clone(),
        "set",
        Node::new("subject").with_bytes(b"Renamed".to_vec()),
    )
    .await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let n = gp2(&mut a, "subject").await;
    assert_eq!(n.children()[0].attr_str("subject"), Some("Renamed"));
    assert_eq!(n.attr_jid("participant"), Some(blid.clone()));
    assert_eq!(sim.group_info(&gjid).unwrap().subject, "Renamed");

    // Members may not change settings or participants: 403.
    for child in [
        Node::new("locked"),
        Node::new("announcement"),
        Node::new("add").with_child(Node::new("participant").with_attr("jid", Jid::pn(CAROL))),
        Node::new("invite"),
    ] {
        let r = g2(&mut b, gj.clone(), "set", child).await;
        assert_eq!(error_code(&r), Some(403));
    }
    // The admin locks it; then the member cannot rename.
    let r = g2(&mut a, gj.clone(), "set", Node::new("locked")).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    gp2(&mut b, "locked").await;
    let r = g2(
        &mut b,
        gj.clone(),
        "set",
        Node::new("subject").with_bytes(b"x".to_vec()),
    )
    .await;
    assert_eq!(error_code(&r), Some(403));
    assert!(sim.group_info(&gjid).unwrap().locked);

    // Add: Carol (by LID) succeeds, Bob is already in (409), unknown is 404.
    let add = Node::new("add").with_children([
        Node::new("participant").with_attr("jid", clid.clone()),
        Node::new("participant").with_attr("jid", Jid::pn(BOB)),
        Node::new("participant").with_attr("jid", Jid::pn("6289999999999")),
    ]);
    let r = g2(&mut a, gj.clone(), "set", add).await;
    let errs: Vec<Option<String>> = r
        .child("add")
        .unwrap()
        .children_by_tag("participant")
        .map(|p| p.attr_text("error").map(|e| e.into_owned()))
        .collect();
    assert_eq!(errs, vec![None, Some("409".into()), Some("404".into())]);
    let n = gp2(&mut b, "add").await;
    let added = participants(&n.children()[0]);
    assert_eq!(added, vec![(clid.clone(), Some(Jid::pn(CAROL)), None)]);

    // Promote Bob: he becomes admin and may now lock/unlock.
    let r = g2(
        &mut a,
        gj.clone(),
        "set",
        Node::new("promote").with_child(Node::new("participant").with_attr("jid", Jid::pn(BOB))),
    )
    .await;
    assert!(
        r.child("promote").unwrap().children()[0]
            .attr("error")
            .is_none()
    );
    let n = gp2(&mut b, "promote").await;
    assert_eq!(participants(&n.children()[0])[0].0, blid);
    let r = g2(&mut b, gj.clone(), "set", Node::new("unlocked")).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    gp2(&mut a, "unlocked").await;
    // An admin cannot demote the superadmin.
    let r = g2(
        &mut b,
        gj.clone(),
        "set",
        Node::new("demote").with_child(Node::new("participant").with_attr("jid", Jid::pn(ALICE))),
    )
    .await;
    assert_eq!(
        r.child("demote").unwrap().children()[0].attr_str("error"),
        Some("403")
    );

    // Description: set, then a stale `prev` is a conflict.
    let desc = |id: &str, prev: Option<&str>| {
        let mut d = Node::new("description")
            .with_attr("id", id.to_owned())
            .with_child(Node::new("body").with_bytes(b"about".to_vec()));
        if let Some(p) = prev {
            d.attrs.insert("prev", p.to_owned());
        }
        d
    };
    let r = g2(&mut a, gj.clone(), "set", desc("D1", None)).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let n = gp2(&mut b, "description").await;
    assert_eq!(
        n.children()[0].child("body").unwrap().bytes(),
        Some(&b"about"[..])
    );
    let r = g2(&mut a, gj.clone(), "set", desc("D2", Some("WRONG"))).await;
    assert_eq!(error_code(&r), Some(409));
    let r = g2(&mut a, gj.clone(), "set", desc("D2", Some("D1"))).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    assert_eq!(
        sim.group_info(&gjid).unwrap().description.as_deref(),
        Some("about")
    );

    // Ephemeral and announce.
    let r = g2(
        &mut a,
        gj.clone(),
        "set",
        Node::new("ephemeral").with_attr("expiration", "604800"),
    )
    .await;
    assert_eq!(r.attr_str("type"), Some("result"));
    assert_eq!(
        gp2(&mut b, "ephemeral").await.children()[0].attr_str("expiration"),
        Some("604800")
    );
    assert_eq!(sim.group_info(&gjid).unwrap().ephemeral, Some(604_800));

    // Remove Bob: he is told, and afterwards is not a member (401).
    let r = g2(
        &mut a,
        gj.clone(),
        "set",
        Node::new("remove").with_child(Node::new("participant").with_attr("jid", blid.clone())),
    )
    .await;
    assert!(
        r.child("remove").unwrap().children()[0]
            .attr("error")
            .is_none()
    );
    let n = gp2(&mut b, "remove").await;
    assert_eq!(participants(&n.children()[0])[0].0, blid);
    let r = g2(
        &mut b,
        gj.clone(),
        "get",
        Node::new("query").with_attr("request", "interactive"),
    )
    .await;
    assert_eq!(error_code(&r), Some(401));
    let v = sim.group_info(&gjid).unwrap();
    let members: Vec<&str> = v.participants.iter().map(|p| p.jid.as_str()).collect();
    assert_eq!(
        members,
        vec![
            format!("{ALICE}@s.whatsapp.net").as_str(),
            format!("{CAROL}@s.whatsapp.net").as_str()
        ]
    );
}

#[tokio::test]
async fn invite_code_info_accept_revoke_and_leave() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let gjid = sim.create_group(ALICE, "Invite", &[], false).unwrap();
    let gj = Jid::parse(&gjid).unwrap();
    let mut a = linked_client(&sim, ALICE, 50).await;
    let mut b = linked_client(&sim, BOB, 60).await;
    let r = g2(&mut a, gj.clone(), "get", Node::new("invite")).await;
    let code = r
        .child("invite")
        .unwrap()
        .attr_text("code")
        .unwrap()
        .into_owned();
    assert_eq!(code, sim.group_info(&gjid).unwrap().invite_code);
    // A non-member sees the group by its code, then joins.
    let r = g2(
        &mut b,
        g_us(),
        "get",
        Node::new("invite").with_attr("code", code.clone()),
    )
    .await;
    assert_eq!(
        r.child("group").unwrap().attr_str("subject"),
        Some("Invite")
    );
    let r = g2(
        &mut b,
        g_us(),
        "set",
        Node::new("invite").with_attr("code", code.clone()),
    )
    .await;
    assert_eq!(r.child("group").unwrap().attr_jid("jid"), Some(gj.clone()));
    let n = gp2(&mut a, "add").await;
    assert_eq!(n.children()[0].attr_str("reason"), Some("invite"));
    assert_eq!(participants(&n.children()[0])[0].1, Some(Jid::pn(BOB)));
    // Joining twice is a conflict.
    let r = g2(
        &mut b,
        g_us(),
        "set",
        Node::new("invite").with_attr("code", code.clone()),
    )
    .await;
    assert_eq!(error_code(&r), Some(409));
    // Revoke: a new code, the old one is gone.
    let r = g2(&mut a, gj.clone(), "set", Node::new("invite")).await;
    let new_code = r
        .child("invite")
        .unwrap()
        .attr_text("code")
        .unwrap()
        .into_owned();
    assert_ne!(new_code, code);
    assert_eq!(
        gp2(&mut b, "invite").await.children()[0]
            .attr_text("code")
            .as_deref(),
        Some(new_code.as_str())
    );
    let r = g2(
        &mut b,
        g_us(),
        "get",
        Node::new("invite").with_attr("code", code),
    )
    .await;
    assert_eq!(error_code(&r), Some(404));
    // Leave.
    let r = g2(
        &mut b,
        g_us(),
        "set",
        Node::new("leave").with_child(Node::new("group").with_attr("id", gj.clone())),
    )
    .await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let n = gp2(&mut a, "remove").await;
    assert_eq!(n.attr_jid("participant"), Some(lid_of(&sim, BOB)));
    assert_eq!(sim.group_info(&gjid).unwrap().participants.len(), 1);
}

/// A test companion's own sender key for a group.
struct SenderKey {
    record: SenderKeyRecord,
    skdm: SenderKeyDistributionMessage,
}

impl SenderKey {
    fn new(c: &mut TestClient) -> SenderKey {
        let mut record = SenderKeyRecord::new();
        let skdm = create_distribution_message(&mut record, &mut c.rng).unwrap();
        SenderKey { record, skdm }
    }

    fn skdm_message(&self, group: &Jid) -> wa::Message {
        wa::Message {
            sender_key_distribution_message: Some(wa::message::SenderKeyDistributionMessage {
                group_id: Some(group.to_string()),
                axolotl_sender_key_distribution_message: Some(self.skdm.serialize()),
            }),
            ..Default::default()
        }
    }

    fn skmsg(&mut self, c: &mut TestClient, msg: &wa::Message) -> Node {
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
fn open_group_message(
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

fn text_of(m: &wa::Message) -> String {
    m.conversation
        .clone()
        .or_else(|| {
            m.extended_text_message
                .as_ref()
                .and_then(|t| t.text.clone())
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn group_messages_fan_out_with_sender_keys_and_receipts() {
    let sim = start_sim().await;
    for (p, n) in [(ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let gjid = sim
        .create_group(ALICE, "Chat", &[BOB.to_owned(), CAROL.to_owned()], false)
        .unwrap();
    let gj = Jid::parse(&gjid).unwrap();
    let mut a = linked_client(&sim, ALICE, 70).await;
    let mut b = linked_client(&sim, BOB, 80).await;
    let (alid, blid, clid) = (lid_of(&sim, ALICE), lid_of(&sim, BOB), lid_of(&sim, CAROL));
    let bdev = b.me().device;
    let adev = a.me().device;

    // Alice's companion sends: skmsg for all, SKDMs pairwise to Bob's phone
    // (PN), Bob's companion (LID) and Carol's phone (LID), and to itself
    // (Baileys does that; the sim must not echo it back).
    let mut key = SenderKey::new(&mut a);
    let targets = [
        Jid::pn(BOB),
        blid.clone().with_device(bdev),
        clid.clone(),
        alid.clone().with_device(adev),
    ];
    let skdm = key.skdm_message(&gj);
    let mut tos = Vec::new();
    for t in &targets[..3] {
        a.start_session(t).await;
        tos.push(
            Node::new("to")
                .with_attr("jid", t.clone())
                .with_child(a.encrypt_for(t, &skdm)),
        );
    }
    tos.push(
        Node::new("to")
            .with_attr("jid", targets[3].clone())
            .with_child(tos[0].children()[0].clone()),
    );
    let sk = key.skmsg(&mut a, &text_message("hello group"));
    let msg = Node::new("message")
        .with_attr("id", "3EB0G1")
        .with_attr("to", gj.clone())
        .with_attr("type", "text")
        .with_attr("addressing_mode", "lid")
        .with_attr("phash", "2:stale")
        .with_child(sk)
        .with_child(Node::new("participants").with_children(tos));
    a.send(&msg).await;
    let ack = a
        .recv_match(|n| n.tag == "ack" && n.attr_str("id") == Some("3EB0G1"))
        .await;
    assert!(ack.attr("error").is_none());
    assert_eq!(ack.attr_jid("from"), Some(gj.clone()));
    assert!(
        ack.attr_str("phash").unwrap().starts_with("2:"),
        "our phash differs from a stale one"
    );

    // Both phones decrypted it into their inboxes.
    for p in [BOB, CAROL] {
        let inbox = sim.inbox(p).unwrap();
        let e = inbox.iter().find(|e| e.id == "3EB0G1").unwrap();
        assert_eq!(
            (e.chat.as_str(), e.text.as_str()),
            (gjid.as_str(), "hello group")
        );
        assert_eq!(e.from, format!("{ALICE}@s.whatsapp.net"));
    }
    // Bob's companion gets the stanza with `participant` = Alice's device.
    let m = b
        .recv_match(|n| n.tag == "message" && n.attr_str("id") == Some("3EB0G1"))
        .await;
    assert_eq!(m.attr_jid("from"), Some(gj.clone()));
    assert_eq!(
        m.attr_jid("participant"),
        Some(alid.clone().with_device(adev))
    );
    assert_eq!(m.attr_jid("participant_pn"), Some(Jid::pn(ALICE)));
    assert_eq!(m.attr_str("addressing_mode"), Some("lid"));
    assert_eq!(m.attr_str("notify"), Some("Alice"));
    let mut records = std::collections::HashMap::new();
    assert_eq!(
        text_of(&open_group_message(&mut b, &mut records, &m)),
        "hello group"
    );
    // Receipts from both phones reach Alice with participant = reader.
    let mut readers = Vec::new();
    for _ in 0..2 {
        let r = a
            .recv_match(|n| n.tag == "receipt" && n.attr_str("id") == Some("3EB0G1"))
            .await;
        assert_eq!(r.attr_jid("from"), Some(gj.clone()));
        readers.push(r.attr_jid("participant").unwrap());
    }
    readers.sort_by_key(|j| j.user.clone());
    let mut want = vec![blid.clone(), clid.clone()];
    want.sort_by_key(|j| j.user.clone());
    assert_eq!(readers, want);
    // Bob's companion reads it: Alice gets a read receipt.
    b.send(
        &Node::new("receipt")
            .with_attr("id", "3EB0G1")
            .with_attr("to", gj.clone())
            .with_attr("participant", alid.clone().with_device(adev))
            .with_attr("type", "read"),
    )
    .await;
    let r = a
        .recv_match(|n| {
            n.tag == "receipt"
                && n.attr_str("id") == Some("3EB0G1")
                && n.attr_str("type") == Some("read")
        })
        .await;
    assert_eq!(r.attr_jid("participant"), Some(blid.clone()));

    // A second message needs no SKDM.
    let sk = key.skmsg(&mut a, &text_message("second"));
    a.send(
        &Node::new("message")
            .with_attr("id", "3EB0G2")
            .with_attr("to", gj.clone())
            .with_attr("type", "text")
            .with_child(sk),
    )
    .await;
    let m = b
        .recv_match(|n| n.tag == "message" && n.attr_str("id") == Some("3EB0G2"))
        .await;
    assert_eq!(
        text_of(&open_group_message(&mut b, &mut records, &m)),
        "second"
    );
    assert!(sim.inbox(CAROL).unwrap().iter().any(|e| e.text == "second"));

    // Carol's phone sends with its own sender key: both companions decrypt.
    let id = sim.send_text(CAROL, &gjid, "carol here").unwrap();
    for c in [&mut a, &mut b] {
        let m = c
            .recv_match(|n| n.tag == "message" && n.attr_text("id").as_deref() == Some(&id))
            .await;
        assert_eq!(m.attr_jid("participant"), Some(clid.clone()));
        assert_eq!(m.attr_str("type"), Some("text"));
        let mut recs = std::collections::HashMap::new();
        assert_eq!(text_of(&open_group_message(c, &mut recs, &m)), "carol here");
    }
    assert!(
        sim.inbox(BOB)
            .unwrap()
            .iter()
            .any(|e| e.id == id && e.chat == gjid && e.from == format!("{CAROL}@s.whatsapp.net"))
    );
    // A second phone message reuses the key: skmsg only.
    let id2 = sim.send_text(CAROL, &gjid, "again").unwrap();
    let m = a
        .recv_match(|n| n.tag == "message" && n.attr_text("id").as_deref() == Some(&id2))
        .await;
    assert_eq!(m.children().len(), 1);
    assert_eq!(m.children()[0].attr_str("type"), Some("skmsg"));

    // A non-member's send is refused.
    sim.create_account("6281255500009", "Eve").unwrap();
    let mut e = linked_client(&sim, "6281255500009", 90).await;
    let sk = SenderKey::new(&mut e).skmsg(&mut e, &text_message("let me in"));
    e.send(
        &Node::new("message")
            .with_attr("id", "3EB0E1")
            .with_attr("to", gj.clone())
            .with_attr("type", "text")
            .with_child(sk),
    )
    .await;
    let ack = e
        .recv_match(|n| n.tag == "ack" && n.attr_str("id") == Some("3EB0E1"))
        .await;
    assert_eq!(ack.attr_str("error"), Some("403"));
    assert!(sim.send_text("6281255500009", &gjid, "x").is_err());
}

#[tokio::test]
async fn groups_survive_a_restart_with_data_dir() {
    let dir = std::env::temp_dir().join(format!("wa-sim-groups-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || wa_sim::SimConfig {
        data_dir: Some(dir.clone()),
        seed: Some(5),
        ..wa_sim::SimConfig::local()
    };
    let sim = wa_sim::Sim::start(config()).await.unwrap();
    sim.create_account(ALICE, "Alice").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let gjid = sim
        .create_group(ALICE, "Kept", &[BOB.to_owned()], true)
        .unwrap();
    // Sender keys persist too: Bob's phone sends once before the restart.
    sim.send_text(BOB, &gjid, "before").unwrap();
    let before = sim.group_info(&gjid).unwrap();
    sim.shutdown().await;
    let sim = wa_sim::Sim::start(config()).await.unwrap();
    let after = sim.group_info(&gjid).unwrap();
    assert_eq!(after, before);
    assert_eq!(after.addressing_mode, "pn");
    sim.send_text(BOB, &gjid, "after").unwrap();
    let texts: Vec<String> = sim
        .inbox(ALICE)
        .unwrap()
        .into_iter()
        .map(|e| e.text)
        .collect();
    assert_eq!(texts, vec!["before".to_owned(), "after".to_owned()]);
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn control_api_groups_contract() {
    let sim = start_sim().await;
    for (p, n) in [(ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let mut b = linked_client(&sim, BOB, 110).await;
    let body =
        format!(r#"{{"subject":"Api","owner":"{ALICE}","participants":["{BOB}","+{CAROL}"]}}"#);
    let (s, v) = http_json(&sim, "POST", "/sim/groups", Some(&body)).await;
    assert_eq!(s, 200, "{v}");
    let jid = v["jid"].as_str().unwrap().to_owned();
    assert!(jid.ends_with("@g.us"));
    // Participants' companions get the create notification.
    let n = gp2(&mut b, "create").await;
    assert_eq!(n.attr_text("from").as_deref(), Some(jid.as_str()));
    let (s, v) = http_json(&sim, "GET", &format!("/sim/groups/{jid}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(v["jid"], jid.as_str());
    assert_eq!(v["subject"], "Api");
    assert_eq!(v["description"], serde_json::Value::Null);
    assert_eq!(v["owner"], format!("{ALICE}@s.whatsapp.net"));
    assert!(v["creation"].as_u64().unwrap() > 0);
    assert_eq!(v["announce"], false);
    assert_eq!(v["locked"], false);
    assert_eq!(v["ephemeral"], serde_json::Value::Null);
    let parts = v["participants"].as_array().unwrap();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0]["jid"], format!("{ALICE}@s.whatsapp.net"));
    assert_eq!(parts[0]["admin"], "superadmin");
    assert_eq!(parts[1]["admin"], serde_json::Value::Null);
    assert_eq!(parts[2]["lid"], lid_of(&sim, CAROL).to_string());
    // Errors: unknown group, unknown participant, missing subject.
    let (s, _) = http_json(&sim, "GET", "/sim/groups/120363000000000000@g.us", None).await;
    assert_eq!(s, 404);
    let body = format!(r#"{{"subject":"x","owner":"{ALICE}","participants":["6289999999999"]}}"#);
    assert_eq!(
        http_json(&sim, "POST", "/sim/groups", Some(&body)).await.0,
        404
    );
    let body = format!(r#"{{"subject":"","owner":"{ALICE}","participants":[]}}"#);
    assert_eq!(
        http_json(&sim, "POST", "/sim/groups", Some(&body)).await.0,
        400
    );
    // Sending to the group through the phone's send endpoint.
    let body = format!(r#"{{"to":"{jid}","text":"via api"}}"#);
    let (s, v) = http_json(
        &sim,
        "POST",
        &format!("/sim/accounts/{ALICE}/send"),
        Some(&body),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (_, inbox) = http_json(&sim, "GET", &format!("/sim/accounts/{CAROL}/inbox"), None).await;
    let e = &inbox.as_array().unwrap()[0];
    assert_eq!(e["chat"], jid.as_str());
    assert_eq!(e["from"], format!("{ALICE}@s.whatsapp.net"));
    assert_eq!(e["text"], "via api");
    assert_eq!(e["id"], v["id"]);
}
