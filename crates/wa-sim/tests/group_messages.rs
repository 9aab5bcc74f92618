//! Group messages: sender-key fan-out to virtual phones and companions
//! (PN and LID addressed), receipts back to the sender, phone sends and
//! retries, broadcast lists, and persistence of groups and sender keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::groups::*;
use common::*;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;

const ALICE: &str = "6281255500001";
const BOB: &str = "6281255500002";
const CAROL: &str = "6281255500003";

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
async fn a_phone_answers_a_group_retry_with_a_fresh_skdm() {
    let sim = start_sim().await;
    for (p, n) in [(ALICE, "Alice"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let gjid = sim
        .create_group(CAROL, "Retry", &[ALICE.to_owned()], false)
        .unwrap();
    let gj = Jid::parse(&gjid).unwrap();
    let mut a = linked_client(&sim, ALICE, 120).await;
    let clid = lid_of(&sim, CAROL);
    let id = sim.send_text(CAROL, &gjid, "lost").unwrap();
    let first = a
        .recv_match(|n| n.tag == "message" && n.attr_text("id").as_deref() == Some(&id))
        .await;
    assert_eq!(first.children().len(), 2, "SKDM and skmsg");
    // Pretend it could not be decrypted: ask for a retry.
    a.send(
        &Node::new("receipt")
            .with_attr("id", id.clone())
            .with_attr("to", gj.clone())
            .with_attr("participant", clid.clone())
            .with_attr("type", "retry")
            .with_children([
                Node::new("retry")
                    .with_attr("count", "1")
                    .with_attr("id", id.clone())
                    .with_attr("v", "1"),
                bytes_child(
                    "registration",
                    a.secrets.identity.registration_id.to_be_bytes(),
                ),
            ]),
    )
    .await;
    let again = a
        .recv_match(|n| {
            n.tag == "message"
                && n.attr_text("id").as_deref() == Some(&id)
                && n.attr("offline").is_none()
        })
        .await;
    let kinds: Vec<&str> = again
        .children_by_tag("enc")
        .map(|e| e.attr_str("type").unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["pkmsg", "skmsg"],
        "a fresh session and a new SKDM"
    );
    let mut records = std::collections::HashMap::new();
    assert_eq!(
        text_of(&open_group_message(&mut a, &mut records, &again)),
        "lost"
    );
}

#[tokio::test]
async fn broadcast_list_messages_reach_only_listed_devices() {
    let sim = start_sim().await;
    for (p, n) in [(ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let mut a = linked_client(&sim, ALICE, 130).await;
    let list = Jid::parse("1764000000@broadcast").unwrap();
    let mut key = SenderKey::new(&mut a);
    let bob = Jid::pn(BOB);
    a.start_session(&bob).await;
    let skdm = key.skdm_message(&list);
    let enc = a.encrypt_for(&bob, &skdm);
    let sk = key.skmsg(&mut a, &text_message("to my list"));
    a.send(
        &Node::new("message")
            .with_attr("id", "3EB0BC1")
            .with_attr("to", list.clone())
            .with_attr("type", "text")
            .with_child(sk)
            .with_child(
                Node::new("participants").with_child(
                    Node::new("to")
                        .with_attr("jid", bob.clone())
                        .with_child(enc),
                ),
            ),
    )
    .await;
    let ack = a
        .recv_match(|n| n.tag == "ack" && n.attr_str("id") == Some("3EB0BC1"))
        .await;
    assert!(ack.attr("error").is_none());
    let inbox = sim.inbox(BOB).unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].text, "to my list");
    // A broadcast-list message shows in the 1:1 chat with the sender.
    assert_eq!(inbox[0].chat, format!("{ALICE}@s.whatsapp.net"));
    assert!(
        sim.inbox(CAROL).unwrap().is_empty(),
        "not listed, not delivered"
    );
    let r = a
        .recv_match(|n| n.tag == "receipt" && n.attr_str("id") == Some("3EB0BC1"))
        .await;
    assert_eq!(r.attr_jid("from"), Some(list));
}

#[tokio::test]
async fn removing_a_member_rotates_the_phones_sender_keys() {
    let sim = start_sim().await;
    for (p, n) in [(ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let gjid = sim
        .create_group(ALICE, "Rotate", &[BOB.to_owned(), CAROL.to_owned()], false)
        .unwrap();
    let gj = Jid::parse(&gjid).unwrap();
    let mut a = linked_client(&sim, ALICE, 170).await;
    let mut records = std::collections::HashMap::new();
    let mut receive = async |a: &mut TestClient, text: &str| {
        let id = sim.send_text(CAROL, &gjid, text).unwrap();
        let m = a
            .recv_match(|n| n.tag == "message" && n.attr_text("id").as_deref() == Some(&id))
            .await;
        assert_eq!(text_of(&open_group_message(a, &mut records, &m)), text);
        m.children().len()
    };
    assert_eq!(receive(&mut a, "one").await, 2, "SKDM + skmsg");
    assert_eq!(receive(&mut a, "two").await, 1, "skmsg only");
    let r = g2(
        &mut a,
        gj.clone(),
        "set",
        Node::new("remove").with_child(Node::new("participant").with_attr("jid", Jid::pn(BOB))),
    )
    .await;
    assert!(
        r.child("remove").unwrap().children()[0]
            .attr("error")
            .is_none()
    );
    assert_eq!(
        receive(&mut a, "three").await,
        2,
        "a new sender key after the removal"
    );
    let bob_saw: Vec<String> = sim
        .inbox(BOB)
        .unwrap()
        .into_iter()
        .map(|e| e.text)
        .collect();
    assert_eq!(bob_saw, vec!["one".to_owned(), "two".to_owned()]);
}

#[tokio::test]
async fn pn_groups_address_by_pn_and_announce_groups_refuse_members() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let gjid = sim
        .create_group(ALICE, "PN", &[BOB.to_owned()], true)
        .unwrap();
    let gj = Jid::parse(&gjid).unwrap();
    let mut a = linked_client(&sim, ALICE, 180).await;
    let mut b = linked_client(&sim, BOB, 190).await;
    let adev = a.me().device;
    let bdev = b.me().device;
    // Alice sends with PN addressing; Bob's companion sees PN participants.
    let mut key = SenderKey::new(&mut a);
    let bjid = Jid::pn(BOB).with_device(bdev);
    a.start_session(&bjid).await;
    let enc = a.encrypt_for(&bjid, &key.skdm_message(&gj));
    let sk = key.skmsg(&mut a, &text_message("pn hello"));
    a.send(
        &Node::new("message")
            .with_attr("id", "3EB0PN1")
            .with_attr("to", gj.clone())
            .with_attr("type", "text")
            .with_attr("addressing_mode", "pn")
            .with_child(sk)
            .with_child(
                Node::new("participants")
                    .with_child(Node::new("to").with_attr("jid", bjid).with_child(enc)),
            ),
    )
    .await;
    let m = b
        .recv_match(|n| n.tag == "message" && n.attr_str("id") == Some("3EB0PN1"))
        .await;
    assert_eq!(
        m.attr_jid("participant"),
        Some(Jid::pn(ALICE).with_device(adev))
    );
    assert_eq!(m.attr_jid("participant_lid"), Some(lid_of(&sim, ALICE)));
    assert_eq!(m.attr_str("addressing_mode"), Some("pn"));
    let mut records = std::collections::HashMap::new();
    assert_eq!(
        text_of(&open_group_message(&mut b, &mut records, &m)),
        "pn hello"
    );
    // Bob's phone got it too (it had no SKDM listed for it: only the skmsg,
    // which it cannot decrypt, so it asks Alice's device for a retry).
    let r = a
        .recv_match(|n| {
            n.tag == "receipt"
                && n.attr_str("id") == Some("3EB0PN1")
                && n.attr_str("type") == Some("retry")
        })
        .await;
    assert_eq!(r.attr_jid("from"), Some(gj.clone()));
    assert_eq!(r.attr_jid("participant"), Some(Jid::pn(BOB)));

    // Announce-only: a member's message is refused with 403.
    let r = g2(&mut a, gj.clone(), "set", Node::new("announcement")).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let sk = SenderKey::new(&mut b).skmsg(&mut b, &text_message("may I?"));
    b.send(
        &Node::new("message")
            .with_attr("id", "3EB0PN2")
            .with_attr("to", gj.clone())
            .with_attr("type", "text")
            .with_child(sk),
    )
    .await;
    let ack = b
        .recv_match(|n| n.tag == "ack" && n.attr_str("id") == Some("3EB0PN2"))
        .await;
    assert_eq!(ack.attr_str("error"), Some("403"));
    assert!(sim.send_text(BOB, &gjid, "phone too").is_err());
    assert!(sim.inbox(ALICE).unwrap().is_empty());
}
