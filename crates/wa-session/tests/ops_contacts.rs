//! Contact, profile and presence operations against an in-process wa-sim,
//! each checked on the server side (the sim's account view, blocklist,
//! presence subscriptions, chat-state log) or against data the sim holds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_common;

use std::time::Duration;

use client_common::*;
use wa_proto::jid::Jid;
use wa_session::ops::contacts::PictureKind;
use wa_session::ops::presence::{ChatState, Presence};
use wa_session::store::{ContactPatch, WriteBatch};
use wa_sim::sim_profile::ProfileChange;

const ME: &str = "6281400000001";
const BOB: &str = "6281400000002";
const CAROL: &str = "6281400000003";
const NOBODY: &str = "6289999999991";

/// Polls `f` until it returns `Some` (stanzas without answers are handled
/// by the sim asynchronously).
async fn eventually<T>(mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not reached in time"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn view(sim: &wa_sim::SimHandle, phone: &str) -> serde_json::Value {
    sim.account_view(phone).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_profile_and_blocklist() {
    let sim = start_sim().await;
    for (p, n) in [(ME, "Me"), (BOB, "Bob"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (c, mut events) = client(&sim, &store, "me").await;
    pair_by_qr(&sim, &mut events, ME).await;

    // Registration lookup: one answer per number, in order.
    let r = c
        .is_on_whatsapp(&["+62 814-0000-0002", NOBODY])
        .await
        .unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].query, "+62 814-0000-0002");
    assert_eq!(r[0].jid, Some(Jid::pn(BOB)));
    assert_eq!(r[1].jid, None);
    assert_eq!(c.number_id(CAROL).await.unwrap(), Some(Jid::pn(CAROL)));
    assert_eq!(c.number_id(NOBODY).await.unwrap(), None);

    // About text as the sim holds it; hidden when Bob's privacy says none.
    sim.change_profile(
        BOB,
        ProfileChange {
            status: Some("at the gym".into()),
            ..ProfileChange::default()
        },
    )
    .unwrap();
    let about = c.user_about(&Jid::pn(BOB)).await.unwrap().unwrap();
    assert_eq!(about.text, "at the gym");
    assert!(about.set_at > 0);
    sim.change_profile(
        BOB,
        ProfileChange {
            privacy: vec![("status".into(), "none".into())],
            ..ProfileChange::default()
        },
    )
    .unwrap();
    assert_eq!(c.user_about(&Jid::pn(BOB)).await.unwrap(), None);

    // Bob's picture URL: none, then the one the sim serves.
    assert_eq!(
        c.profile_picture(&Jid::pn(BOB), PictureKind::Preview)
            .await
            .unwrap(),
        None
    );
    sim.change_profile(
        BOB,
        ProfileChange {
            picture: Some(Some(vec![0xFF, 0xD8, 9, 9, 0xFF, 0xD9])),
            ..ProfileChange::default()
        },
    )
    .unwrap();
    let pic = c
        .profile_picture(&Jid::pn(BOB), PictureKind::Image)
        .await
        .unwrap()
        .unwrap();
    let sim_pic = view(&sim, BOB)["picture"].clone();
    assert_eq!(pic.id, sim_pic["id"].as_str().unwrap());
    assert_eq!(pic.kind, PictureKind::Image);
    assert!(pic.url.contains(&format!("/pp/{BOB}/{}", pic.id)));

    // Block and unblock: the sim's blocklist follows.
    let list = c.block_contact(&Jid::pn(BOB)).await.unwrap();
    assert_eq!(view(&sim, ME)["blocklist"], serde_json::json!([BOB]));
    let bob_lid = view(&sim, BOB)["lid"].as_str().unwrap().to_owned();
    assert_eq!(
        list.iter().map(Jid::to_string).collect::<Vec<_>>(),
        vec![bob_lid.clone()]
    );
    assert_eq!(c.blocklist().await.unwrap(), list);
    // The LID behind a number, asked of the server (usync `lid`).
    assert_eq!(
        c.lid_of(&Jid::pn(BOB)).await.unwrap(),
        Some(Jid::parse(&bob_lid).unwrap())
    );
    assert_eq!(c.lid_of(&Jid::pn(NOBODY)).await.unwrap(), None);
    assert!(c.lid_of(&Jid::group("1203")).await.is_err());
    // While blocked, Bob's messages are not delivered to us (the server
    // enforces our list).
    assert!(sim.with_world(|w| w.blocks(ME, BOB)));
    let list = c.unblock_contact(&Jid::pn(BOB)).await.unwrap();
    assert!(list.is_empty());
    assert_eq!(view(&sim, ME)["blocklist"], serde_json::json!([]));
    assert!(c.blocklist().await.unwrap().is_empty());

    // Formatting, for a PN and for a LID known to the store.
    let f = c.formatted_number(&Jid::pn("15550001111")).await.unwrap();
    assert_eq!(
        (f.international.as_str(), f.country_code.as_str()),
        ("+1 555-000-1111", "1")
    );
    let lid = Jid::parse(&bob_lid).unwrap();
    assert!(c.formatted_number(&lid).await.is_err());
    let mut b = WriteBatch::new();
    b.put_lid_mapping(&lid, &Jid::pn(BOB));
    store.commit(c.commit_context(), b).await.unwrap();
    let f = c.formatted_number(&lid).await.unwrap();
    assert_eq!(f.country_code, "62");
    assert_eq!(f.e164, format!("+{BOB}"));

    // Common groups: only the groups Bob is in too.
    let with_bob = sim
        .create_group(BOB, "With Bob", &[ME.to_owned()], false)
        .unwrap();
    sim.create_group(CAROL, "Without Bob", &[ME.to_owned()], false)
        .unwrap();
    let common = c.common_groups(&Jid::pn(BOB)).await.unwrap();
    assert_eq!(common.len(), 1);
    assert_eq!(common[0].jid.to_string(), with_bob);
    assert_eq!(c.common_groups(&lid).await.unwrap().len(), 1);
    assert_eq!(c.common_groups(&Jid::pn(CAROL)).await.unwrap().len(), 1);

    // Stored contacts.
    let mut b = WriteBatch::new();
    b.patch_contact(ContactPatch::new(Jid::pn(CAROL)).push_name(Some("Caz".into())));
    store.commit(c.commit_context(), b).await.unwrap();
    let all = c.contacts().await.unwrap();
    assert!(all.iter().any(|k| k.jid == Jid::pn(CAROL)));
    let carol = c.contact(&Jid::pn(CAROL)).await.unwrap().unwrap();
    assert_eq!(carol.push_name.as_deref(), Some("Caz"));
    assert_eq!(c.contact(&Jid::pn(NOBODY)).await.unwrap(), None);

    // Own profile: about text and picture.
    c.set_about("available for work").await.unwrap();
    assert_eq!(view(&sim, ME)["status"], "available for work");
    assert!(c.set_about(&"x".repeat(140)).await.is_err());
    let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 7, 7, 7, 0xFF, 0xD9];
    let id = c.set_profile_picture(jpeg.clone()).await.unwrap();
    assert_eq!(sim.picture(ME, id.parse().unwrap()), Some(jpeg));
    let own = c
        .own_profile_picture(PictureKind::Preview)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(own.id, id);
    c.delete_profile_picture().await.unwrap();
    assert!(view(&sim, ME)["picture"].is_null());
    assert_eq!(
        c.own_profile_picture(PictureKind::Image).await.unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_and_chat_states() {
    let sim = start_sim().await;
    for (p, n) in [(ME, "Me"), (BOB, "Bob")] {
        sim.create_account(p, n).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (c, mut events) = client(&sim, &store, "me").await;
    let device = pair_by_qr(&sim, &mut events, ME).await;

    // Our push name goes along with presence.
    let mut creds = store.device("me").await.unwrap().unwrap();
    creds.push_name = "Gateway Me".into();
    let mut b = WriteBatch::new();
    b.put_device(creds);
    store.commit(c.commit_context(), b).await.unwrap();

    c.send_presence(Presence::Available).await.unwrap();
    eventually(|| (view(&sim, ME)["presence"]["available"] == true).then_some(())).await;
    assert_eq!(view(&sim, ME)["name"], "Gateway Me");
    c.send_presence(Presence::Unavailable).await.unwrap();
    eventually(|| (view(&sim, ME)["presence"]["available"] == false).then_some(())).await;
    assert!(view(&sim, ME)["presence"]["last"].is_u64());

    // Subscribing registers our device as a watcher of Bob.
    assert!(sim.presence_subscribers(BOB).is_empty());
    c.subscribe_presence(&Jid::pn(BOB)).await.unwrap();
    let subs = eventually(|| {
        let s = sim.presence_subscribers(BOB);
        (!s.is_empty()).then_some(s)
    })
    .await;
    assert_eq!(subs, vec![device]);
    assert_eq!(sim.set_presence(BOB, true).unwrap(), 1);

    // Chat states reach the server as typed, recording, paused.
    for (state, name) in [
        (ChatState::Composing, "composing"),
        (ChatState::Recording, "recording"),
        (ChatState::Paused, "paused"),
    ] {
        c.send_chat_state(&Jid::pn(BOB), state).await.unwrap();
        eventually(|| (sim.last_chatstate(ME, BOB).as_deref() == Some(name)).then_some(())).await;
    }
    assert!(c.subscribe_presence(&Jid::group("1203")).await.is_err());
}
