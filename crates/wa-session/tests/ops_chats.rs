//! Chat and label operations through app state, checked on the other side:
//! two of our clients are linked to the same virtual phone; every mutation
//! made on A must show in B's store (B syncs on the `server_sync`
//! notification) and in the sim's patch store. Also: concurrent pushes
//! (409 conflict and retry), a restart that keeps the synced versions, and
//! "mark seen" read receipts reaching the sender's phone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_common;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use client_common::*;
use wa_proto::jid::Jid;
use wa_session::appstate::{ChatChange, Collection, MessageChange};
use wa_session::ops::chats::{MessageRef, MuteUntil};
use wa_session::store::{Label, MessageQuery, Store};
use wa_session::{Client, Event, EventStream};

const ALICE: &str = "6281200000001";
const BOB: &str = "6281200000002";

/// Polls `f` until it returns `Some`, for at most `WAIT`.
async fn until<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

struct Pair {
    store: Arc<dyn Store>,
    a: Client,
    b: Client,
    eb: EventStream,
    _ea: EventStream,
    chat: Jid,
    _dir: tempfile::TempDir,
}

/// Two of our clients (sessions `a` and `b` in one store) linked to Alice's
/// phone, both holding the app-state key.
async fn linked_pair(sim: &wa_sim::SimHandle) -> Pair {
    sim.create_account(ALICE, "Alice").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (a, mut ea) = client(sim, &store, "a").await;
    pair_by_qr(sim, &mut ea, ALICE).await;
    let (b, mut eb) = client(sim, &store, "b").await;
    pair_by_qr(sim, &mut eb, ALICE).await;
    for s in ["a", "b"] {
        let st = Arc::clone(&store);
        until("the app-state key", || {
            let st = Arc::clone(&st);
            async move { st.latest_app_state_sync_key(s).await.unwrap() }
        })
        .await;
    }
    Pair {
        store,
        a,
        b,
        eb,
        _ea: ea,
        chat: format!("{BOB}@s.whatsapp.net").parse().unwrap(),
        _dir: dir,
    }
}

async fn chat_of(
    store: &Arc<dyn Store>,
    session: &str,
    chat: &Jid,
) -> Option<wa_session::store::Chat> {
    store.chat(session, chat).await.unwrap()
}

/// Waits until session `s` stores message `id` in `chat`.
async fn has_message(store: &Arc<dyn Store>, s: &str, chat: &Jid, id: &str) {
    until("the message", || {
        let store = Arc::clone(store);
        let chat = chat.clone();
        let id = id.to_owned();
        async move { store.message(s, &chat, &id).await.unwrap().map(|_| ()) }
    })
    .await;
}

fn sim_version(sim: &wa_sim::SimHandle, c: Collection) -> u64 {
    sim.with_world(|w| w.appstate().version(ALICE, c.name()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutation_reaches_the_other_device() {
    let sim = start_sim().await;
    let mut p = linked_pair(&sim).await;
    let (store, chat) = (Arc::clone(&p.store), p.chat.clone());
    let id1 = sim
        .send_text(BOB, &format!("{ALICE}@s.whatsapp.net"), "one")
        .unwrap();
    let id2 = sim
        .send_text(BOB, &format!("{ALICE}@s.whatsapp.net"), "two")
        .unwrap();
    for s in ["a", "b"] {
        has_message(&store, s, &chat, &id1).await;
        has_message(&store, s, &chat, &id2).await;
    }

    macro_rules! on_b {
        ($what:expr, |$c:ident| $cond:expr) => {{
            let st = Arc::clone(&store);
            let ch = chat.clone();
            until($what, || {
                let st = Arc::clone(&st);
                let ch = ch.clone();
                async move {
                    let $c = chat_of(&st, "b", &ch).await;
                    ($cond).then_some(())
                }
            })
            .await
        }};
    }

    p.a.archive_chat(&chat, true).await.unwrap();
    on_b!("archived on b", |c| c.is_some_and(|c| c.archived));
    assert!(chat_of(&store, "a", &chat).await.unwrap().archived);

    p.a.pin_chat(&chat, true).await.unwrap();
    on_b!("pinned on b", |c| c.is_some_and(|c| c.pinned));

    let until_t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 3600;
    p.a.mute_chat(&chat, Some(MuteUntil::Until(until_t)))
        .await
        .unwrap();
    on_b!("muted on b", |c| c
        .is_some_and(|c| c.muted_until == Some(until_t)));
    p.a.mute_chat(&chat, Some(MuteUntil::Forever))
        .await
        .unwrap();
    on_b!("muted forever on b", |c| c
        .is_some_and(|c| c.muted_until == Some(-1)));
    p.a.mute_chat(&chat, None).await.unwrap();
    on_b!("unmuted on b", |c| c
        .is_some_and(|c| c.muted_until.is_none()));

    p.a.mark_chat_unread(&chat, true).await.unwrap();
    on_b!("unread on b", |c| c.is_some_and(|c| c.unread_count == -1));

    p.a.archive_chat(&chat, false).await.unwrap();
    on_b!("unarchived on b", |c| c
        .is_some_and(|c| !c.archived && c.pinned));

    // Labels: create, assign; B lists the chat under the label.
    let vip = Label {
        id: "7".into(),
        name: "VIP".into(),
        color: 3,
    };
    p.a.put_label(&vip).await.unwrap();
    p.a.add_chat_label(&chat, "7").await.unwrap();
    on_b!("labelled on b", |c| c
        .is_some_and(|c| c.labels == vec!["7".to_owned()]));
    assert_eq!(p.b.label("7").await.unwrap(), Some(vip.clone()));
    let labelled = p.b.chats_with_label("7").await.unwrap();
    assert_eq!(labelled.len(), 1);
    assert_eq!(labelled[0].jid, chat);
    p.a.remove_chat_label(&chat, "7").await.unwrap();
    on_b!("unlabelled on b", |c| c
        .is_some_and(|c| c.labels.is_empty()));
    let gold = Label {
        id: "8".into(),
        name: "Gold".into(),
        color: 5,
    };
    p.a.put_label(&gold).await.unwrap();
    p.a.add_chat_label(&chat, "8").await.unwrap();
    p.a.delete_label("8").await.unwrap();
    until("label 8 deleted on b", || {
        let b = p.b.clone();
        async move { b.label("8").await.unwrap().is_none().then_some(()) }
    })
    .await;
    on_b!("only label 7 left", |c| c
        .is_some_and(|c| c.labels.is_empty()));
    assert_eq!(p.b.labels().await.unwrap(), vec![vip.clone()]);
    assert!(p.b.chats_with_label("8").await.unwrap().is_empty());

    // Star: B reports it and keeps the flag.
    let m1 = MessageRef {
        chat: chat.clone(),
        id: id1.clone(),
        from_me: false,
        participant: None,
    };
    p.a.star_message(&m1, true).await.unwrap();
    let e = next_event(&mut p.eb, |e| matches!(e, Event::MessageUpdated { .. })).await;
    let Event::MessageUpdated { id, change, .. } = e else {
        unreachable!()
    };
    assert_eq!(
        (id.as_str(), change),
        (id1.as_str(), MessageChange::Starred(true))
    );
    let starred = store
        .messages("b", &MessageQuery::new(10).chat(chat.clone()).starred(true))
        .await
        .unwrap();
    assert_eq!(starred.len(), 1);
    assert_eq!(starred[0].id, id1);

    // Delete for me: gone from B's store, the other message stays.
    let m2 = MessageRef {
        id: id2.clone(),
        ..m1.clone()
    };
    p.a.delete_message_for_me(&m2).await.unwrap();
    until("deleted for me on b", || {
        let st = Arc::clone(&store);
        let (ch, id2) = (chat.clone(), id2.clone());
        async move {
            st.message("b", &ch, &id2)
                .await
                .unwrap()
                .is_none()
                .then_some(())
        }
    })
    .await;
    assert!(store.message("b", &chat, &id1).await.unwrap().is_some());

    // Push name: B's credentials take it.
    p.a.set_push_name("Alice at work").await.unwrap();
    until("push name on b", || {
        let st = Arc::clone(&store);
        async move {
            let d = st.device("b").await.unwrap()?;
            (d.push_name == "Alice at work").then_some(())
        }
    })
    .await;
    assert_eq!(
        store.device("a").await.unwrap().unwrap().push_name,
        "Alice at work"
    );

    // Clear, then delete the chat.
    p.a.clear_chat(&chat).await.unwrap();
    until("cleared on b", || {
        let st = Arc::clone(&store);
        let (ch, id1) = (chat.clone(), id1.clone());
        async move {
            st.message("b", &ch, &id1)
                .await
                .unwrap()
                .is_none()
                .then_some(())
        }
    })
    .await;
    assert!(chat_of(&store, "b", &chat).await.is_some());
    p.a.delete_chat(&chat).await.unwrap();
    on_b!("deleted on b", |c| c.is_none());

    // The sim's patch store holds every patch; both devices are at its
    // versions.
    let expected = [
        (Collection::RegularLow, 5),  // archive, pin, unread, unarchive, star
        (Collection::RegularHigh, 6), // 3 mutes, delete-for-me, clear, delete
        (Collection::Regular, 6),     // 2 label edits, 3 assignments, 1 delete
        (Collection::CriticalBlock, 1),
    ];
    for (c, n) in expected {
        assert_eq!(sim_version(&sim, c), n, "{c:?}");
        for s in ["a", "b"] {
            let st = Arc::clone(&store);
            until("b at the sim's version", || {
                let st = Arc::clone(&st);
                async move {
                    let v = st.app_state_version(s, c.name()).await.unwrap()?;
                    (v.version == n).then_some(())
                }
            })
            .await;
        }
    }
    let a_hash = store
        .app_state_version("a", "regular_low")
        .await
        .unwrap()
        .unwrap();
    let b_hash = store
        .app_state_version("b", "regular_low")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a_hash, b_hash);
    let patch_bytes = sim.with_world(|w| {
        w.appstate()
            .collection(ALICE, "regular_low")
            .patches_after(0)
            .0
    });
    assert_eq!(patch_bytes.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pushes_both_apply_everywhere() {
    let sim = start_sim().await;
    let p = linked_pair(&sim).await;
    // Three rounds of one push each from A and B at the same moment, into
    // the same collection: one of each pair gets 409, re-syncs and retries.
    let chats: Vec<Jid> = (0..3)
        .map(|i| format!("62812000001{i}@s.whatsapp.net").parse().unwrap())
        .collect();
    for chat in &chats {
        let (ra, rb) = tokio::join!(p.a.archive_chat(chat, true), p.b.pin_chat(chat, true));
        ra.unwrap();
        rb.unwrap();
    }
    assert_eq!(sim_version(&sim, Collection::RegularLow), 6);
    for s in ["a", "b"] {
        for chat in &chats {
            let st = Arc::clone(&p.store);
            let ch = chat.clone();
            until("archived and pinned", || {
                let st = Arc::clone(&st);
                let ch = ch.clone();
                async move {
                    let c = st.chat(s, &ch).await.unwrap()?;
                    (c.archived && c.pinned).then_some(())
                }
            })
            .await;
        }
        let v = p
            .store
            .app_state_version(s, "regular_low")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v.version, 6);
    }
    let a = p.store.app_state_version("a", "regular_low").await.unwrap();
    let b = p.store.app_state_version("b", "regular_low").await.unwrap();
    assert_eq!(a, b, "both devices reach the same LTHash");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_keeps_the_synced_version() {
    let sim = start_sim().await;
    let p = linked_pair(&sim).await;
    let chat = p.chat.clone();
    p.a.archive_chat(&chat, true).await.unwrap();
    let st = Arc::clone(&p.store);
    until("b at version 1", || {
        let st = Arc::clone(&st);
        async move {
            let v = st.app_state_version("b", "regular_low").await.unwrap()?;
            (v.version == 1).then_some(())
        }
    })
    .await;
    p.b.disconnect().await;
    drop(p.eb);
    p.a.pin_chat(&chat, true).await.unwrap();

    let (b2, mut eb2) = client(&sim, &p.store, "b").await;
    // Only the patch pushed while B was away is applied again: B reports the
    // pin, then the sync at version 2, and never the archive of version 1.
    let mut seen = Vec::new();
    loop {
        let e = next_event(&mut eb2, |e| {
            matches!(e, Event::ChatUpdated { .. } | Event::AppStateSynced { .. })
        })
        .await;
        if let Event::AppStateSynced {
            collection: Collection::RegularLow,
            version,
        } = e
        {
            assert_eq!(version, 2);
            break;
        }
        if let Event::ChatUpdated { change, .. } = e {
            seen.push(change);
        }
    }
    assert_eq!(seen, vec![ChatChange::Pinned(true)]);
    let c = b2.chat(&chat).await.unwrap().unwrap();
    assert!(c.archived && c.pinned);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mark_seen_sends_read_receipts_to_the_sender() {
    let sim = start_sim().await;
    let mut p = linked_pair(&sim).await;
    let (store, chat) = (Arc::clone(&p.store), p.chat.clone());
    let to = format!("{ALICE}@s.whatsapp.net");
    let ids = [
        sim.send_text(BOB, &to, "one").unwrap(),
        sim.send_text(BOB, &to, "two").unwrap(),
    ];
    for id in &ids {
        has_message(&store, "a", &chat, id).await;
    }
    let mut seen = p.a.mark_seen(&chat).await.unwrap();
    seen.sort();
    let mut want = ids.to_vec();
    want.sort();
    assert_eq!(seen, want);
    // Bob's phone got one read receipt naming both messages.
    until("the read receipt at Bob's phone", || {
        let ids = ids.clone();
        let got = sim.with_world(|w| {
            let phone = &w.account(BOB)?.phone_dev;
            phone
                .receipts()
                .iter()
                .find(|r| r.kind == "read" && r.from == format!("{ALICE}@s.whatsapp.net"))
                .map(|r| r.ids.clone())
        });
        async move {
            let mut named = got?;
            named.sort();
            let mut ids = ids.to_vec();
            ids.sort();
            (named == ids).then_some(())
        }
    })
    .await;
    // Marked read on both devices, nothing left to receipt.
    let e = next_event(&mut p.eb, |e| {
        matches!(
            e,
            Event::ChatUpdated {
                change: ChatChange::MarkedRead(_),
                ..
            }
        )
    })
    .await;
    assert!(matches!(
        e,
        Event::ChatUpdated {
            change: ChatChange::MarkedRead(true),
            ..
        }
    ));
    assert!(p.a.mark_seen(&chat).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patch_that_does_not_verify_is_not_applied() {
    use prost::Message as _;
    use wa_proto::binary::Node;
    use wa_proto::proto::wa;

    let sim = start_sim().await;
    let mut p = linked_pair(&sim).await;
    let chat = p.chat.clone();
    p.a.archive_chat(&chat, true).await.unwrap();
    let st = Arc::clone(&p.store);
    until("b at version 1", || {
        let st = Arc::clone(&st);
        async move {
            let v = st.app_state_version("b", "regular_low").await.unwrap()?;
            (v.version == 1).then_some(())
        }
    })
    .await;
    let before = p.store.app_state_version("b", "regular_low").await.unwrap();
    // Replay A's patch as version 2 with one bit of its value flipped: the
    // server stores it (it cannot check), B must refuse it.
    let bytes = sim.with_world(|w| {
        w.appstate()
            .collection(ALICE, "regular_low")
            .patches_after(0)
            .0
    });
    let mut patch = wa::SyncdPatch::decode(bytes[0].as_slice()).unwrap();
    patch.version = None;
    let blob = patch.mutations[0]
        .record
        .as_mut()
        .unwrap()
        .value
        .as_mut()
        .unwrap()
        .blob
        .as_mut()
        .unwrap();
    blob[20] ^= 1;
    let iq = Node::new("iq")
        .with_attr("to", "s.whatsapp.net")
        .with_attr("type", "set")
        .with_attr("xmlns", "w:sync:app:state")
        .with_child(
            Node::new("sync").with_child(
                Node::new("collection")
                    .with_attr("name", "regular_low")
                    .with_attr("version", "1")
                    .with_child(Node::new("patch").with_bytes(patch.encode_to_vec())),
            ),
        );
    p.a.iq(iq).await.unwrap();
    assert_eq!(sim_version(&sim, Collection::RegularLow), 2);
    // B fetches it (a direct sync reports the failure) and applies nothing.
    let err =
        p.b.sync_app_state(Collection::RegularLow)
            .await
            .unwrap_err();
    assert!(matches!(err, wa_session::Error::Protocol(_)), "got {err:?}");
    assert_eq!(
        p.store.app_state_version("b", "regular_low").await.unwrap(),
        before
    );
    while let Ok(e) = p.eb.try_recv() {
        assert!(
            !matches!(e, Event::AppStateSynced { version: 2, .. }),
            "unexpected {e:?}"
        );
    }
    assert!(p.store.chat("b", &chat).await.unwrap().unwrap().archived);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starring_and_deleting_our_own_sent_message() {
    use wa_proto::proto::wa;

    let sim = start_sim().await;
    let mut p = linked_pair(&sim).await;
    let (store, chat) = (Arc::clone(&p.store), p.chat.clone());
    let msg = |t: &str| wa::Message {
        conversation: Some(t.to_owned()),
        ..Default::default()
    };
    let sent = p.a.send_message(&chat, msg("mine")).await.unwrap();
    let kept = p.a.send_message(&chat, msg("kept")).await.unwrap();
    // B gets our messages as DeviceSentMessage.
    for id in [&sent.id, &kept.id] {
        has_message(&store, "b", &chat, id).await;
    }
    let mine = MessageRef {
        chat: chat.clone(),
        id: sent.id.clone(),
        from_me: true,
        participant: None,
    };
    p.a.star_message(&mine, true).await.unwrap();
    let e = next_event(&mut p.eb, |e| matches!(e, Event::MessageUpdated { .. })).await;
    assert!(
        matches!(&e, Event::MessageUpdated { id, from_me: true, change: MessageChange::Starred(true), .. } if *id == sent.id),
        "{e:?}"
    );
    let starred = store
        .messages("b", &MessageQuery::new(10).starred(true))
        .await
        .unwrap();
    assert_eq!(starred.len(), 1);
    assert!(starred[0].from_me && starred[0].id == sent.id);

    p.a.star_message(&mine, false).await.unwrap();
    p.a.delete_message_for_me(&mine).await.unwrap();
    until("deleted for me on b", || {
        let st = Arc::clone(&store);
        let (ch, id) = (chat.clone(), sent.id.clone());
        async move {
            st.message("b", &ch, &id)
                .await
                .unwrap()
                .is_none()
                .then_some(())
        }
    })
    .await;
    assert!(store.message("b", &chat, &kept.id).await.unwrap().is_some());
    assert!(store.message("a", &chat, &sent.id).await.unwrap().is_none());
    // The recipient's phone still has it: delete-for-me is local to us.
    let inbox = sim.inbox(BOB).unwrap();
    assert!(inbox.iter().any(|m| m.id == sent.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_linked_later_syncs_the_whole_state() {
    let sim = start_sim().await;
    let p = linked_pair(&sim).await;
    let chat = p.chat.clone();
    p.a.archive_chat(&chat, true).await.unwrap();
    p.a.mute_chat(&chat, Some(MuteUntil::Forever))
        .await
        .unwrap();
    p.a.put_label(&Label {
        id: "1".into(),
        name: "New".into(),
        color: 1,
    })
    .await
    .unwrap();
    p.a.add_chat_label(&chat, "1").await.unwrap();
    // C links after the patches were pushed: it syncs from version 0 once
    // the phone shared the key.
    let (c, mut ec) = client(&sim, &p.store, "c").await;
    pair_by_qr(&sim, &mut ec, ALICE).await;
    let st = Arc::clone(&p.store);
    let ch = chat.clone();
    until("the whole state on c", || {
        let st = Arc::clone(&st);
        let ch = ch.clone();
        async move {
            let c = st.chat("c", &ch).await.unwrap()?;
            (c.archived && c.muted_until == Some(-1) && c.labels == vec!["1".to_owned()])
                .then_some(())
        }
    })
    .await;
    assert_eq!(c.label("1").await.unwrap().unwrap().name, "New");
}
