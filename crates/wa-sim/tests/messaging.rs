//! Routing: messages to virtual phones and between companions, receipts,
//! the offline queue and connection replacement.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;

const ALICE: &str = "6281277700001";
const BOB: &str = "6281277700002";

fn message(to: &Jid, id: &str, typ: &'static str, tos: Vec<(Jid, Node)>) -> Node {
    Node::new("message")
        .with_attr("id", id.to_owned())
        .with_attr("to", to.clone())
        .with_attr("type", typ)
        .with_child(
            Node::new("participants").with_children(
                tos.into_iter()
                    .map(|(j, enc)| Node::new("to").with_attr("jid", j).with_child(enc)),
            ),
        )
}

#[tokio::test]
async fn message_to_virtual_phone_lands_in_its_inbox_with_receipts() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    let bob = sim.create_account(BOB, "Bob").unwrap();
    let mut a = linked_client(&sim, ALICE, 100).await;
    let phone = Jid::pn(BOB);
    a.start_session(&phone).await;
    let loc = wa::Message {
        location_message: Some(Box::new(wa::message::LocationMessage {
            name: Some("Monas".into()),
            degrees_latitude: Some(-6.17),
            ..Default::default()
        })),
        ..Default::default()
    };
    for (i, msg) in [text_message("first"), text_message("second"), loc]
        .iter()
        .enumerate()
    {
        let enc = a.encrypt_for(&phone, msg);
        // Until the phone answers with a message, every message is a pkmsg
        // (the phone accepts the repeated base key).
        assert_eq!(enc.attr_str("type"), Some("pkmsg"));
        let id = format!("3EB0AA{i}");
        a.send(&message(&phone, &id, "text", vec![(phone.clone(), enc)]))
            .await;
        let ack = a
            .recv_match(|n| n.tag == "ack" && n.attr_text("id").as_deref() == Some(id.as_str()))
            .await;
        assert_eq!(ack.attr_str("class"), Some("message"));
        assert!(ack.attr_parse::<u64>("t").unwrap() > 0);
        assert!(ack.attr("error").is_none());
        let r = a
            .recv_match(|n| n.tag == "receipt" && n.attr_text("id").as_deref() == Some(id.as_str()))
            .await;
        assert_eq!(r.attr_jid("from"), Some(Jid::pn(BOB)));
        assert!(r.attr("type").is_none(), "a delivery receipt");
    }
    let inbox = sim.inbox(BOB).unwrap();
    let got: Vec<(&str, &str, &str)> = inbox
        .iter()
        .map(|e| (e.id.as_str(), e.kind.as_str(), e.text.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("3EB0AA0", "text", "first"),
            ("3EB0AA1", "text", "second"),
            ("3EB0AA2", "location", "Monas")
        ]
    );
    assert_eq!(inbox[0].from, format!("{ALICE}@s.whatsapp.net"));
    assert_eq!(inbox[0].chat, format!("{ALICE}@s.whatsapp.net"));

    // LID addressing: receipts come back in the LID family.
    let lid = Jid::parse(&bob.lid).unwrap();
    let enc = a.encrypt_for(&phone, &text_message("by lid"));
    a.send(&message(&lid, "3EB0LID", "text", vec![(lid.clone(), enc)]))
        .await;
    let r = a
        .recv_match(|n| n.tag == "receipt" && n.attr_str("id") == Some("3EB0LID"))
        .await;
    assert_eq!(r.attr_jid("from"), Some(lid));
    assert_eq!(sim.inbox(BOB).unwrap().last().unwrap().text, "by lid");
}

#[tokio::test]
async fn phone_sends_to_companion_and_offline_queue_redelivers() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let mut a = linked_client(&sim, ALICE, 200).await;
    let id = sim.send_text(BOB, ALICE, "hi from bob").unwrap();
    let m = a
        .recv_match(|n| n.tag == "message" && n.attr_text("id").as_deref() == Some(id.as_str()))
        .await;
    assert_eq!(m.attr_jid("from"), Some(Jid::pn(BOB)));
    assert_eq!(m.attr_str("notify"), Some("Bob"));
    assert!(m.attr_jid("sender_lid").unwrap().user.len() == 15);
    assert!(m.attr("offline").is_none());
    let msg = a.decrypt(&Jid::pn(BOB), m.child("enc").unwrap());
    assert_eq!(msg.conversation.as_deref(), Some("hi from bob"));
    // Unacknowledged: still queued; a receipt dequeues it.
    let queued = || sim.with_world(|w| w.account(ALICE).unwrap().devices[&1].queue.len());
    assert_eq!(queued(), 1);
    a.send(
        &Node::new("receipt")
            .with_attr("id", id.clone())
            .with_attr("to", Jid::pn(BOB)),
    )
    .await;
    let ack = a
        .recv_match(|n| n.tag == "ack" && n.attr_str("class") == Some("receipt"))
        .await;
    assert_eq!(ack.attr_text("id").as_deref(), Some(id.as_str()));
    assert_eq!(queued(), 0);

    // Offline: the message waits and comes with offline="1" after <active/>.
    let secrets = a.secrets.clone();
    let sessions = a.sessions.clone();
    a.close().await;
    for _ in 0..50 {
        if sim.connection_count() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let id2 = sim
        .send_text(BOB, &format!("{ALICE}@s.whatsapp.net"), "while away")
        .unwrap();
    assert_eq!(queued(), 1);
    let mut a = TestClient::login(&sim, secrets, 201).await;
    a.sessions = sessions;
    a.recv_tag("success").await;
    let r = a.iq("passive", "set", vec![Node::new("active")]).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let m = a.recv_tag("message").await;
    assert_eq!(m.attr_text("id").as_deref(), Some(id2.as_str()));
    assert_eq!(m.attr_str("offline"), Some("1"));
    let ib = a.recv_tag("ib").await;
    assert_eq!(ib.child("offline").unwrap().attr_str("count"), Some("1"));
    let msg = a.decrypt(&Jid::pn(BOB), m.child("enc").unwrap());
    assert_eq!(msg.conversation.as_deref(), Some("while away"));
}

#[tokio::test]
async fn companions_exchange_messages_and_receipts_are_forwarded() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let mut a = linked_client(&sim, ALICE, 300).await;
    let mut b = linked_client(&sim, BOB, 400).await;
    let bob_dev = Jid::pn(BOB).with_device(1);
    a.start_session(&bob_dev).await;
    let enc = a.encrypt_for(&bob_dev, &text_message("hello companion"));
    a.send(
        &message(
            &Jid::pn(BOB),
            "3EB0C1",
            "text",
            vec![(bob_dev.clone(), enc)],
        )
        .with_child(Node::new("device-identity").with_bytes(vec![1, 2, 3])),
    )
    .await;
    let m = b
        .recv_match(|n| n.tag == "message" && n.attr_str("id") == Some("3EB0C1"))
        .await;
    let from = m.attr_jid("from").unwrap();
    assert_eq!(from, Jid::pn(ALICE).with_device(1));
    assert_eq!(m.attr_str("type"), Some("text"));
    assert_eq!(
        m.child("device-identity").unwrap().bytes(),
        Some(&[1u8, 2, 3][..])
    );
    let got = b.decrypt(&from, m.child("enc").unwrap());
    assert_eq!(
        got.extended_text_message.unwrap().text.as_deref(),
        Some("hello companion")
    );
    // Delivery, then read: both reach the sender with from = Bob's user JID.
    b.send(
        &Node::new("receipt")
            .with_attr("id", "3EB0C1")
            .with_attr("to", from.clone()),
    )
    .await;
    let r = a
        .recv_match(|n| n.tag == "receipt" && n.attr_str("id") == Some("3EB0C1"))
        .await;
    assert_eq!(r.attr_jid("from"), Some(Jid::pn(BOB)));
    assert!(r.attr("type").is_none());
    b.send(
        &Node::new("receipt")
            .with_attr("id", "3EB0C1")
            .with_attr("to", from.clone())
            .with_attr("type", "read"),
    )
    .await;
    let r = a
        .recv_match(|n| n.tag == "receipt" && n.attr_str("type") == Some("read"))
        .await;
    assert_eq!(r.attr_str("id"), Some("3EB0C1"));
    // Retry receipts go to the sending device with the reader's device JID.
    b.send(
        &Node::new("receipt")
            .with_attr("id", "3EB0C1")
            .with_attr("to", from)
            .with_attr("type", "retry")
            .with_child(
                Node::new("retry")
                    .with_attr("count", "1")
                    .with_attr("id", "3EB0C1"),
            ),
    )
    .await;
    let r = a
        .recv_match(|n| n.tag == "receipt" && n.attr_str("type") == Some("retry"))
        .await;
    assert_eq!(r.attr_jid("from"), Some(bob_dev));
    assert!(r.child("retry").is_some());
}

#[tokio::test]
async fn second_login_replaces_the_first_connection() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    let mut a = linked_client(&sim, ALICE, 500).await;
    let mut again = TestClient::login(&sim, a.secrets.clone(), 501).await;
    again.recv_tag("success").await;
    let rest = a.until_closed().await;
    let err = rest
        .iter()
        .find(|n| n.tag == "stream:error")
        .expect("stream error");
    assert_eq!(
        err.child("conflict").unwrap().attr_str("type"),
        Some("replaced")
    );
    let pong = again.iq("w:p", "get", vec![]).await;
    assert_eq!(pong.attr_str("type"), Some("result"));
}
