//! The send pipeline against the in-process simulator: 1:1 to a phone and
//! its companions, our own other devices, groups, retries, the durable
//! outbox across restarts, and LID addressing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_common;

use std::time::Duration;

use client_common::*;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_session::store::{AckLevel, OutboxState};
use wa_session::{Event, SendOptions};

const ME: &str = "15550100001";
const BOB: &str = "15550100002";
const CAROL: &str = "15550100003";

fn text(s: &str) -> wa::Message {
    wa::Message {
        conversation: Some(s.into()),
        ..Default::default()
    }
}

fn inbox_ids(sim: &wa_sim::SimHandle, phone: &str, text: &str) -> Vec<String> {
    sim.inbox(phone)
        .unwrap()
        .into_iter()
        .filter(|e| e.text == text)
        .map(|e| e.id)
        .collect()
}

async fn wait_inbox(sim: &wa_sim::SimHandle, phone: &str, text: &str) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let ids = inbox_ids(sim, phone, text);
        if !ids.is_empty() || tokio::time::Instant::now() > deadline {
            return ids;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_reaches_the_phone_its_companions_and_our_other_device() {
    let sim = start_sim().await;
    sim.create_account(ME, "Me").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (me, mut ev) = client(&sim, &store, "me").await;
    pair_by_qr(&sim, &mut ev, ME).await;
    // Our second device and two companions of Bob: the message must reach
    // all of them, decrypted.
    let (me2, mut ev2) = client(&sim, &store, "me2").await;
    pair_by_qr(&sim, &mut ev2, ME).await;
    let (b1, mut bev1) = client(&sim, &store, "bob1").await;
    pair_by_qr(&sim, &mut bev1, BOB).await;
    let (b2, mut bev2) = client(&sim, &store, "bob2").await;
    pair_by_qr(&sim, &mut bev2, BOB).await;

    let bob = Jid::pn(BOB);
    let sent = me.send_message(&bob, text("hello bob")).await.unwrap();
    assert_eq!(sent.id.len(), 22);
    assert!(sent.id.starts_with("3EB0"));
    assert_eq!(
        wait_inbox(&sim, BOB, "hello bob").await,
        vec![sent.id.clone()]
    );
    for ev in [&mut bev1, &mut bev2] {
        let Event::Message(m) = next_event(ev, |e| matches!(e, Event::Message(_))).await else {
            unreachable!()
        };
        assert_eq!(m.id, sent.id);
        assert_eq!(m.body.as_deref(), Some("hello bob"));
        assert!(!m.from_me);
        assert_eq!(m.chat.user, ME);
    }
    // Our other device gets the device-sent copy, in Bob's chat.
    let Event::Message(m) = next_event(&mut ev2, |e| matches!(e, Event::Message(_))).await else {
        unreachable!()
    };
    assert_eq!(m.id, sent.id);
    assert!(m.from_me);
    assert_eq!(m.chat.user, BOB);
    assert_eq!(m.body.as_deref(), Some("hello bob"));

    // Stored as ours, acked by the server and then delivered.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let row = store.message("me", &bob, &sent.id).await.unwrap().unwrap();
        assert!(row.from_me);
        if row.ack >= AckLevel::Device {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no delivery receipt"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let entry = store.outbox_entry("me", &sent.id).await.unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::ServerAcked);

    // A reply from Bob's phone decrypts on the session our send created
    // (moved to Bob's LID address), and so does a second message from us.
    sim.send_text(BOB, ME, "hi back").unwrap();
    let Event::Message(m) = next_event(&mut ev, |e| matches!(e, Event::Message(_))).await else {
        unreachable!()
    };
    assert_eq!(m.body.as_deref(), Some("hi back"));
    let again = me.send_message(&bob, text("second")).await.unwrap();
    assert_eq!(wait_inbox(&sim, BOB, "second").await, vec![again.id]);
    let lid = store
        .lid_for_pn("me", &bob)
        .await
        .unwrap()
        .expect("LID learned");
    let lid_name = lid.signal_address().name;
    assert!(
        !store
            .signal_sessions_of("me", &lid_name)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .signal_sessions_of("me", BOB)
            .await
            .unwrap()
            .is_empty()
    );
    drop((me2, b1, b2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_message_reaches_every_member_and_companion() {
    let sim = start_sim().await;
    sim.create_account(ME, "Me").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    sim.create_account(CAROL, "Carol").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (me, mut ev) = client(&sim, &store, "me").await;
    pair_by_qr(&sim, &mut ev, ME).await;
    let (c1, mut cev) = client(&sim, &store, "carol1").await;
    pair_by_qr(&sim, &mut cev, CAROL).await;
    for pn in [false, true] {
        let group = sim
            .create_group(ME, "Team", &[BOB.to_owned(), CAROL.to_owned()], pn)
            .unwrap();
        let gjid = Jid::parse(&group).unwrap();
        for (i, body) in ["first to the group", "second to the group"]
            .iter()
            .enumerate()
        {
            let body = format!("{body} {pn}");
            let sent = me.send_message(&gjid, text(&body)).await.unwrap();
            for phone in [BOB, CAROL] {
                let got: Vec<_> = sim
                    .inbox(phone)
                    .unwrap()
                    .into_iter()
                    .filter(|e| e.id == sent.id)
                    .collect();
                assert_eq!(got.len(), 1, "{phone} message {i}");
                assert_eq!(got[0].chat, group);
                assert_eq!(got[0].text, body);
            }
            let Event::Message(m) = next_event(&mut cev, |e| matches!(e, Event::Message(_))).await
            else {
                unreachable!()
            };
            assert_eq!(m.id, sent.id);
            assert_eq!(m.chat.to_string(), group);
            assert_eq!(m.body.as_deref(), Some(body.as_str()));
        }
    }
    drop(c1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_receipt_gets_the_message_on_a_fresh_session() {
    let sim = start_sim().await;
    sim.create_account(ME, "Me").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (me, mut ev) = client(&sim, &store, "me").await;
    pair_by_qr(&sim, &mut ev, ME).await;
    let bob = Jid::pn(BOB);
    me.send_message(&bob, text("before")).await.unwrap();
    // Bob's phone loses its sessions: our next `msg` cannot be decrypted,
    // the phone asks for a retry, and we re-send on a new session.
    sim.with_world(|w| w.account_mut(BOB).unwrap().phone_dev.reset_sessions());
    let sent = me.send_message(&bob, text("after reset")).await.unwrap();
    assert_eq!(
        wait_inbox(&sim, BOB, "after reset").await,
        vec![sent.id.clone()]
    );
    // Exactly once, even though the stanza went out twice.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(inbox_ids(&sim, BOB, "after reset"), vec![sent.id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_messages_survive_a_restart_and_ids_are_idempotent() {
    let sim = start_sim().await;
    sim.create_account(ME, "Me").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (me, mut ev) = client(&sim, &store, "me").await;
    pair_by_qr(&sim, &mut ev, ME).await;
    me.disconnect().await;
    // Accepted while no session runs: nothing can go out yet...
    let (me, mut ev) = client(&sim, &store, "me").await;
    let bob = Jid::pn(BOB);
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            me.queue_message(&bob, text(&format!("queued {i}")), SendOptions::default())
                .await
                .unwrap(),
        );
    }
    // ...and everything is delivered once connected, in order.
    next_event(&mut ev, |e| matches!(e, Event::Connected { .. })).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let got: Vec<String> = sim
            .inbox(BOB)
            .unwrap()
            .into_iter()
            .filter(|e| e.text.starts_with("queued "))
            .map(|e| e.id)
            .collect();
        if got.len() == ids.len() {
            assert_eq!(got, ids);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "got {got:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The same id twice is one message.
    let opts = SendOptions {
        id: Some("3EB0FEEDFEEDFEEDFEEDFE".into()),
    };
    let a = me
        .send_message_with(&bob, text("once"), opts.clone())
        .await
        .unwrap();
    let b = me
        .send_message_with(&bob, text("once"), opts)
        .await
        .unwrap();
    assert_eq!(a.id, b.id);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(inbox_ids(&sim, BOB, "once").len(), 1);
    // A chat that cannot receive messages is refused before acceptance.
    assert!(me.send_message(&Jid::pn(""), text("x")).await.is_err());
    let nobody = me.send_message(&Jid::pn("15559999999"), text("x")).await;
    assert!(nobody.is_err(), "{nobody:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_both_ways_never_breaks_a_session() {
    let sim = start_sim().await;
    sim.create_account(ME, "Me").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (me, mut ev) = client(&sim, &store, "me").await;
    pair_by_qr(&sim, &mut ev, ME).await;
    let bob = Jid::pn(BOB);
    let incoming = {
        let sim = sim.clone();
        tokio::spawn(async move {
            for i in 0..300 {
                sim.send_text(BOB, ME, &format!("in {i}")).unwrap();
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let mut ids = Vec::new();
    for i in 0..1000 {
        ids.push(
            me.queue_message(&bob, text(&format!("storm {i}")), SendOptions::default())
                .await
                .unwrap(),
        );
    }
    incoming.await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let got: Vec<String> = sim
            .inbox(BOB)
            .unwrap()
            .into_iter()
            .filter(|e| e.text.starts_with("storm "))
            .map(|e| e.id)
            .collect();
        if got.len() >= ids.len() {
            assert_eq!(got, ids);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {}",
            got.len(),
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sim.stats().phone_decrypt_failures, 0);
    let mut n = 0;
    while n < 300 {
        if let Event::Message(_) = next_event(&mut ev, |e| matches!(e, Event::Message(_))).await {
            n += 1;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_are_paced_when_asked() {
    let sim = start_sim().await;
    sim.create_account(ME, "Me").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (me, mut ev) = wa_session::Client::builder(std::sync::Arc::clone(&store), "me")
        .url(sim.ws_url())
        .trusted_root(root(&sim))
        .options(wa_session::client::Options {
            send_interval: Duration::from_millis(150),
            ..test_options()
        })
        .build()
        .await
        .unwrap();
    pair_by_qr(&sim, &mut ev, ME).await;
    let bob = Jid::pn(BOB);
    me.send_message(&bob, text("warm-up")).await.unwrap();
    let t0 = tokio::time::Instant::now();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            me.queue_message(&bob, text(&format!("paced {i}")), SendOptions::default())
                .await
                .unwrap(),
        );
    }
    let last = ids.last().cloned().unwrap();
    me.send_message_with(&bob, text("ignored"), SendOptions { id: Some(last) })
        .await
        .unwrap();
    // Five stanzas, 150 ms apart: at least 600 ms from first to last.
    assert!(
        t0.elapsed() >= Duration::from_millis(600),
        "{:?}",
        t0.elapsed()
    );
    let got: Vec<String> = sim
        .inbox(BOB)
        .unwrap()
        .into_iter()
        .filter(|e| e.text.starts_with("paced "))
        .map(|e| e.id)
        .collect();
    assert_eq!(got, ids);
}
