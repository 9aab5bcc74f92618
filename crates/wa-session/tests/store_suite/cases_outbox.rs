//! Suite cases: the outbox, batch atomicity, group commit under
//! concurrency, deleting and resetting sessions.

use std::sync::Arc;

use wa_proto::appstate::LtHash;
use wa_proto::jid::Jid;
use wa_proto::signal::{PreKey, ProtocolAddress, SenderKeyName, SignedPreKey};
use wa_session::Error;
use wa_session::store::{
    AppStateSyncKey, ChatPatch, CiphertextKind, CommitContext, ContactPatch, Label, MessageQuery,
    MutationMac, NewOutboxEntry, OutboxCiphertext, OutboxState, Store,
};

use super::fixtures::*;

fn entry(id: &str, at: i64) -> NewOutboxEntry {
    NewOutboxEntry {
        id: id.into(),
        chat: Jid::pn("111"),
        payload: format!("payload of {id}").into_bytes(),
        accepted_at_ms: at,
    }
}

fn ciphertexts(tag: u8) -> Vec<OutboxCiphertext> {
    vec![
        OutboxCiphertext {
            recipient: Jid::pn("111").with_device(2),
            kind: CiphertextKind::PkMsg,
            bytes: vec![tag; 200],
        },
        OutboxCiphertext {
            recipient: Jid::pn("111"),
            kind: CiphertextKind::Msg,
            bytes: vec![tag + 1; 180],
        },
    ]
}

pub async fn outbox_lifecycle(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let addr = ProtocolAddress::new("111", 0);
    commit(&*store, &ctx, |w| {
        w.outbox_accept(entry("M1", 10));
    })
    .await;
    let e = store.outbox_entry("s", "M1").await.unwrap().unwrap();
    assert_eq!(e.state, OutboxState::Accepted);
    assert_eq!(e.payload, b"payload of M1");
    assert_eq!((e.accepted_at_ms, e.updated_at_ms), (10, 10));
    assert!(e.ciphertexts.is_empty());

    // The same id again is a conflict (exactly-once by message id).
    assert!(matches!(
        try_commit(&*store, &ctx, |w| {
            w.outbox_accept(entry("M1", 11));
        })
        .await,
        Err(Error::Conflict(_))
    ));

    // Encrypted: ciphertexts committed with the session state they advanced.
    let rec = session_record(7, 4242);
    commit(&*store, &ctx, |w| {
        w.outbox_encrypted("M1", ciphertexts(1), 20)
            .put_signal_session(&addr, &rec);
    })
    .await;
    let e = store.outbox_entry("s", "M1").await.unwrap().unwrap();
    assert_eq!((e.state, e.updated_at_ms), (OutboxState::Encrypted, 20));
    let mut want = ciphertexts(1);
    want.sort_by_key(|c| c.recipient.to_string());
    assert_eq!(e.ciphertexts, want);
    assert_eq!(
        store
            .signal_session("s", &addr)
            .await
            .unwrap()
            .unwrap()
            .remote_registration_id(),
        Some(4242)
    );

    // sent keeps the ciphertexts; re-encryption replaces them.
    commit(&*store, &ctx, |w| {
        w.outbox_sent("M1", 30);
    })
    .await;
    let e = store.outbox_entry("s", "M1").await.unwrap().unwrap();
    assert_eq!((e.state, e.ciphertexts.len()), (OutboxState::Sent, 2));
    commit(&*store, &ctx, |w| {
        w.outbox_encrypted("M1", ciphertexts(5)[..1].to_vec(), 35);
    })
    .await;
    let e = store.outbox_entry("s", "M1").await.unwrap().unwrap();
    assert_eq!(e.state, OutboxState::Encrypted);
    assert_eq!(e.ciphertexts, ciphertexts(5)[..1].to_vec());

    // Server ack drops the ciphertexts, keeps the payload (retry receipts).
    commit(&*store, &ctx, |w| {
        w.outbox_sent("M1", 40).outbox_server_acked("M1", 50);
    })
    .await;
    let e = store.outbox_entry("s", "M1").await.unwrap().unwrap();
    assert_eq!((e.state, e.updated_at_ms), (OutboxState::ServerAcked, 50));
    assert!(e.ciphertexts.is_empty());
    assert_eq!(e.payload, b"payload of M1");
    // A replayed ack is fine; going back is not.
    commit(&*store, &ctx, |w| {
        w.outbox_server_acked("M1", 51);
    })
    .await;
    for bad in [
        OutboxState::Encrypted,
        OutboxState::Sent,
        OutboxState::Failed,
    ] {
        let r = try_commit(&*store, &ctx, |w| {
            match bad {
                OutboxState::Encrypted => w.outbox_encrypted("M1", ciphertexts(9), 60),
                OutboxState::Sent => w.outbox_sent("M1", 60),
                _ => w.outbox_failed("M1", "late", 60),
            };
        })
        .await;
        assert!(
            matches!(&r, Err(Error::OutboxTransition { id, from, to })
                if id == "M1" && from == "server_acked" && to == bad.as_str()),
            "{r:?}"
        );
    }
    // Unknown entries cannot move; `sent` needs `encrypted` first.
    assert!(matches!(
        try_commit(&*store, &ctx, |w| {
            w.outbox_sent("nope", 1);
        })
        .await,
        Err(Error::OutboxTransition { from, .. }) if from == "missing"
    ));
    commit(&*store, &ctx, |w| {
        w.outbox_accept(entry("M2", 70));
    })
    .await;
    assert!(
        try_commit(&*store, &ctx, |w| {
            w.outbox_sent("M2", 71);
        })
        .await
        .is_err()
    );
    // Failure with a reason.
    commit(&*store, &ctx, |w| {
        w.outbox_encrypted("M2", ciphertexts(3), 72)
            .outbox_failed("M2", "no devices", 73);
    })
    .await;
    let e = store.outbox_entry("s", "M2").await.unwrap().unwrap();
    assert_eq!(e.state, OutboxState::Failed);
    assert_eq!(e.error.as_deref(), Some("no devices"));
    assert!(e.ciphertexts.is_empty());

    // Pruning removes finished entries older than the cut-off only.
    commit(&*store, &ctx, |w| {
        w.outbox_accept(entry("M3", 80)).prune_outbox(60);
    })
    .await;
    assert!(store.outbox_entry("s", "M1").await.unwrap().is_none());
    assert!(store.outbox_entry("s", "M2").await.unwrap().is_some());
    commit(&*store, &ctx, |w| {
        w.prune_outbox(1_000);
    })
    .await;
    assert!(store.outbox_entry("s", "M2").await.unwrap().is_none());
    assert!(store.outbox_entry("s", "M3").await.unwrap().is_some());
    commit(&*store, &ctx, |w| {
        w.outbox_remove("M3");
    })
    .await;
    assert!(store.outbox_entry("s", "M3").await.unwrap().is_none());
}

pub async fn outbox_resume_query(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let other = new_session(&*store, "t").await;
    // Ten entries left in every state, as a crash would leave them.
    commit(&*store, &ctx, |w| {
        for i in 0..10 {
            let id = format!("E{i}");
            w.outbox_accept(entry(&id, 100 + i));
            match i % 5 {
                0 => {}
                1 => {
                    w.outbox_encrypted(&id, ciphertexts(i as u8), 200);
                }
                2 => {
                    w.outbox_encrypted(&id, ciphertexts(i as u8), 200)
                        .outbox_sent(&id, 201);
                }
                3 => {
                    w.outbox_encrypted(&id, ciphertexts(i as u8), 200)
                        .outbox_sent(&id, 201)
                        .outbox_server_acked(&id, 202);
                }
                _ => {
                    w.outbox_failed(&id, "gave up", 200);
                }
            }
        }
    })
    .await;
    commit(&*store, &other, |w| {
        w.outbox_accept(entry("E0", 1));
    })
    .await;
    let pending = store.outbox_pending("s", 100).await.unwrap();
    let got: Vec<(String, OutboxState, usize)> = pending
        .into_iter()
        .map(|e| (e.id, e.state, e.ciphertexts.len()))
        .collect();
    use OutboxState::*;
    assert_eq!(
        got,
        [
            ("E0".into(), Accepted, 0),
            ("E1".into(), Encrypted, 2),
            ("E2".into(), Sent, 2),
            ("E5".into(), Accepted, 0),
            ("E6".into(), Encrypted, 2),
            ("E7".into(), Sent, 2),
        ]
    );
    let first_two: Vec<String> = store
        .outbox_pending("s", 2)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(first_two, ["E0", "E1"]);
    let acked: Vec<String> = store
        .outbox_by_state("s", &[ServerAcked, Failed], 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(acked, ["E3", "E4", "E8", "E9"]);
    assert!(
        store
            .outbox_by_state("s", &[], 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.outbox_pending("t", 100).await.unwrap().len(), 1);
}

pub async fn batch_is_atomic(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let chat = Jid::pn("111");
    let addr = ProtocolAddress::new("111", 0);
    commit(&*store, &ctx, |w| {
        w.put_prekeys(PreKey::generate_batch(1, 3, &mut rng(1)))
            .put_signal_session(&addr, &session_record(1, 1));
    })
    .await;
    // A whole "incoming pkmsg" unit of work whose last entry fails.
    let r = try_commit(&*store, &ctx, |w| {
        w.put_signal_session(&addr, &session_record(2, 2))
            .remove_prekey(2)
            .put_message(text_message(&chat, "X1", 5, false, "secret"))
            .patch_chat(ChatPatch::new(chat.clone()).message_at(5))
            .put_buffered_event([9; 32], b"secret".to_vec(), 5)
            .outbox_sent("does-not-exist", 5);
    })
    .await;
    assert!(matches!(r, Err(Error::OutboxTransition { .. })), "{r:?}");
    // Nothing of it is visible.
    assert_eq!(
        store
            .signal_session("s", &addr)
            .await
            .unwrap()
            .unwrap()
            .remote_registration_id(),
        Some(1)
    );
    assert!(store.prekey("s", 2).await.unwrap().is_some());
    assert!(store.message("s", &chat, "X1").await.unwrap().is_none());
    assert!(store.chat("s", &chat).await.unwrap().is_none());
    assert!(store.buffered_event("s", &[9; 32]).await.unwrap().is_none());
    // A failing constraint (a label that does not exist) in the middle too.
    let r = try_commit(&*store, &ctx, |w| {
        w.remove_prekey(3)
            .add_chat_label(&chat, "missing")
            .put_message(text_message(&chat, "X2", 6, false, "x"));
    })
    .await;
    assert!(matches!(r, Err(Error::Conflict(_))), "{r:?}");
    assert!(store.prekey("s", 3).await.unwrap().is_some());
    assert!(store.message("s", &chat, "X2").await.unwrap().is_none());
    // The store keeps working, and an empty batch is fine.
    commit(&*store, &ctx, |w| {
        w.remove_prekey(2)
            .put_message(text_message(&chat, "X1", 5, false, "secret"));
    })
    .await;
    commit(&*store, &ctx, |_| {}).await;
    assert!(store.prekey("s", 2).await.unwrap().is_none());
    assert!(store.message("s", &chat, "X1").await.unwrap().is_some());
}

pub async fn group_commit_under_concurrency(store: Arc<dyn Store>) {
    const TASKS: usize = 64;
    const ROUNDS: usize = 10;
    for s in 0..4 {
        store.create_session(&format!("s{s}")).await.unwrap();
    }
    let record = session_record(3, 77);
    let mut handles = Vec::new();
    for t in 0..TASKS {
        let store = Arc::clone(&store);
        let record = record.clone();
        handles.push(tokio::spawn(async move {
            let ctx = CommitContext::new(format!("s{}", t % 4));
            let chat = Jid::pn(format!("{}", 1000 + t));
            let addr = ProtocolAddress::new(format!("{}", 1000 + t), 0);
            for r in 0..ROUNDS {
                let id = format!("T{t}R{r}");
                // Every third task also sends batches that must fail, which
                // must not take the other batches of the group down.
                if t % 3 == 0 {
                    let bad = try_commit(&*store, &ctx, |w| {
                        w.put_message(text_message(&chat, &format!("bad{id}"), 1, false, "x"))
                            .outbox_sent("missing", 1);
                    })
                    .await;
                    assert!(bad.is_err());
                }
                commit(&*store, &ctx, |w| {
                    w.put_signal_session(&addr, &record)
                        .put_message(text_message(&chat, &id, r as i64, false, "m"))
                        .outbox_accept(entry(&id, r as i64));
                })
                .await;
                // The caller sees its own write as soon as commit returns.
                let got = store.message(ctx.session_id(), &chat, &id).await.unwrap();
                assert!(got.is_some(), "{id} not visible after commit");
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    for t in 0..TASKS {
        let sid = format!("s{}", t % 4);
        let chat = Jid::pn(format!("{}", 1000 + t));
        let msgs = store
            .messages(&sid, &MessageQuery::new(100).chat(chat))
            .await
            .unwrap();
        let ids: Vec<String> = msgs.into_iter().map(|m| m.id).collect();
        let want: Vec<String> = (0..ROUNDS).map(|r| format!("T{t}R{r}")).collect();
        assert_eq!(ids, want);
    }
    let pending = store.outbox_pending("s0", 10_000).await.unwrap();
    assert_eq!(pending.len(), TASKS / 4 * ROUNDS);
}

/// Writes at least one row into every kind of data of session `sid`.
async fn populate(store: &dyn Store, sid: &str, seed: u64) {
    let ctx = CommitContext::new(sid);
    let chat = Jid::pn("111");
    let addr = ProtocolAddress::new("111", 1);
    let mut r = rng(seed);
    let ident = wa_proto::signal::LocalIdentity::generate(&mut r);
    commit(store, &ctx, |w| {
        w.put_device(device(seed, true))
            .put_signal_session(&addr, &session_record(seed, 5))
            .put_identity(&addr, ident.key_pair.public)
            .put_prekeys(PreKey::generate_batch(1, 2, &mut r))
            .put_signed_prekey(SignedPreKey::generate(&ident.key_pair, 1, &mut r))
            .put_sender_key(
                &SenderKeyName::new("1@g.us", addr.clone()),
                &sender_key_record(seed),
            )
            .put_app_state_sync_key(AppStateSyncKey {
                key_id: vec![1],
                key_data: vec![2; 32],
                fingerprint: vec![3],
                timestamp: 4,
            })
            .put_app_state_version("regular", 3, LtHash::new())
            .put_app_state_mutation_macs(
                "regular",
                3,
                vec![MutationMac {
                    index_mac: vec![1],
                    value_mac: vec![2],
                }],
            )
            .patch_contact(ContactPatch::new(chat.clone()).push_name(Some("p".into())))
            .patch_chat(ChatPatch::new(chat.clone()).message_at(9))
            .put_label(Label {
                id: "1".into(),
                name: "L".into(),
                color: 1,
            })
            .add_chat_label(&chat, "1")
            .put_message(text_message(&chat, "M", 9, true, "hi"))
            .outbox_accept(entry("O", 1))
            .outbox_encrypted("O", ciphertexts(1), 2)
            .put_lid_mapping(&Jid::lid("8"), &Jid::pn("111"))
            .put_buffered_event([7; 32], vec![1], 1);
    })
    .await;
}

/// A summary of everything the getters show for `sid`.
async fn snapshot(store: &dyn Store, sid: &str) -> Vec<String> {
    let chat = Jid::pn("111");
    let addr = ProtocolAddress::new("111", 1);
    vec![
        format!(
            "device {:?}",
            store.device(sid).await.unwrap().map(|d| d.jid)
        ),
        format!(
            "session {}",
            store.signal_session(sid, &addr).await.unwrap().is_some()
        ),
        format!("identity {:?}", store.identity(sid, &addr).await.unwrap()),
        format!("prekey {}", store.prekey(sid, 1).await.unwrap().is_some()),
        format!(
            "unuploaded {}",
            store.unuploaded_prekeys(sid, 10).await.unwrap().len()
        ),
        format!(
            "spk {}",
            store.latest_signed_prekey(sid).await.unwrap().is_some()
        ),
        format!(
            "sk {}",
            store
                .sender_key(sid, &SenderKeyName::new("1@g.us", addr.clone()))
                .await
                .unwrap()
                .is_some()
        ),
        format!(
            "synckey {:?}",
            store.latest_app_state_sync_key(sid).await.unwrap()
        ),
        format!(
            "version {:?}",
            store.app_state_version(sid, "regular").await.unwrap()
        ),
        format!(
            "mac {:?}",
            store
                .app_state_value_mac(sid, "regular", &[1])
                .await
                .unwrap()
        ),
        format!("contacts {:?}", store.contacts(sid).await.unwrap()),
        format!("chats {:?}", store.chats(sid).await.unwrap()),
        format!("labels {:?}", store.labels(sid).await.unwrap()),
        format!(
            "messages {:?}",
            store.messages(sid, &MessageQuery::new(10)).await.unwrap()
        ),
        format!("outbox {:?}", store.outbox_entry(sid, "O").await.unwrap()),
        format!("lid {:?}", store.lid_for_pn(sid, &chat).await.unwrap()),
        format!(
            "event {:?}",
            store.buffered_event(sid, &[7; 32]).await.unwrap()
        ),
    ]
}

pub async fn delete_session_removes_everything(store: Arc<dyn Store>) {
    store.create_session("a").await.unwrap();
    store.create_session("b").await.unwrap();
    let empty = snapshot(&*store, "a").await;
    populate(&*store, "a", 1).await;
    populate(&*store, "b", 2).await;
    let b_before = snapshot(&*store, "b").await;
    let a_full = snapshot(&*store, "a").await;
    for (e, f) in empty.iter().zip(&a_full) {
        assert_ne!(e, f, "populate left a kind of data empty");
    }
    assert!(store.delete_session("a").await.unwrap());
    assert_eq!(snapshot(&*store, "a").await, empty);
    // A new session with the same id starts empty: rows were deleted, not
    // just orphaned.
    store.create_session("a").await.unwrap();
    assert_eq!(snapshot(&*store, "a").await, empty);
    assert_eq!(
        store
            .allocate_prekey_ids(&CommitContext::new("a"), 1)
            .await
            .unwrap(),
        [1]
    );
    assert_eq!(snapshot(&*store, "b").await, b_before);
}

pub async fn reset_account_keeps_registration(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "a").await;
    store.create_session("b").await.unwrap();
    let empty = snapshot(&*store, "a").await;
    populate(&*store, "a", 1).await;
    populate(&*store, "b", 2).await;
    let b_before = snapshot(&*store, "b").await;
    let ids = store.allocate_prekey_ids(&ctx, 5).await.unwrap();
    commit(&*store, &ctx, |w| {
        w.reset_account();
    })
    .await;
    assert_eq!(snapshot(&*store, "a").await, empty);
    assert!(
        store
            .session("a")
            .await
            .unwrap()
            .is_some_and(|s| s.jid.is_none())
    );
    assert_eq!(snapshot(&*store, "b").await, b_before);
    // Prekey ids continue after a reset (never reused).
    let next = store.allocate_prekey_ids(&ctx, 1).await.unwrap();
    assert_eq!(next, [ids[4] + 1]);
}
