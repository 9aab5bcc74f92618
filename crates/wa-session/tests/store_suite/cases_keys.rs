//! Suite cases: session lifecycle, device credentials, Signal state,
//! prekeys and app state.

use std::collections::HashSet;
use std::sync::Arc;

use wa_proto::appstate::LtHash;
use wa_proto::jid::Jid;
use wa_proto::keys::KeyPair;
use wa_proto::signal::{PreKey, ProtocolAddress, SenderKeyName, SignedPreKey};
use wa_session::Error;
use wa_session::store::{AppStateSyncKey, CommitContext, MAX_PREKEY_ID, MutationMac, Store};

use super::fixtures::*;

pub async fn sessions_lifecycle(store: Arc<dyn Store>) {
    assert!(store.list_sessions().await.unwrap().is_empty());
    store.create_session("b").await.unwrap();
    store.create_session("a").await.unwrap();
    assert!(matches!(
        store.create_session("a").await,
        Err(Error::SessionExists(id)) if id == "a"
    ));
    assert!(matches!(
        store.create_session("").await,
        Err(Error::InvalidValue(_))
    ));
    let list = store.list_sessions().await.unwrap();
    let ids: Vec<&str> = list.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert!(list.iter().all(|s| s.jid.is_none() && s.created_at_ms > 0));

    // The JID shows once the device is paired.
    let ctx = CommitContext::new("a");
    commit(&*store, &ctx, |b| {
        b.put_device(device(1, true));
    })
    .await;
    let a = store.session("a").await.unwrap().unwrap();
    assert_eq!(a.jid, Some(Jid::pn("15550001").with_device(7)));
    assert!(store.session("zzz").await.unwrap().is_none());

    assert!(store.delete_session("a").await.unwrap());
    assert!(!store.delete_session("a").await.unwrap());
    let ids: Vec<String> = store
        .list_sessions()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, ["b"]);
    // Writes to a deleted or unknown session fail.
    assert!(matches!(
        try_commit(&*store, &ctx, |b| {
            b.put_device(device(1, true));
        })
        .await,
        Err(Error::SessionNotFound(id)) if id == "a"
    ));
}

pub async fn device_round_trip(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    assert!(store.device("s").await.unwrap().is_none());

    let unpaired = device(3, false);
    commit(&*store, &ctx, |b| {
        b.put_device(unpaired.clone());
    })
    .await;
    let got = store.device("s").await.unwrap().unwrap();
    assert_eq!(got.noise_key.public, unpaired.noise_key.public);
    assert_eq!(
        got.noise_key.private.as_bytes(),
        unpaired.noise_key.private.as_bytes()
    );
    assert_eq!(
        got.identity.key_pair.public,
        unpaired.identity.key_pair.public
    );
    assert_eq!(
        got.identity.registration_id,
        unpaired.identity.registration_id
    );
    assert_eq!(got.adv_secret_key, unpaired.adv_secret_key);
    assert_eq!((got.jid, got.lid, got.account), (None, None, None));

    // Pairing completes: the same row is replaced.
    let mut paired = unpaired.clone();
    paired.jid = Some(Jid::pn("15550001").with_device(7));
    paired.lid = Some(Jid::lid("99887766").with_device(7));
    paired.account = Some(vec![9; 40]);
    paired.push_name = "Zoë".into();
    paired.business_name = "Shop".into();
    commit(&*store, &ctx, |b| {
        b.put_device(paired.clone());
    })
    .await;
    let got = store.device("s").await.unwrap().unwrap();
    assert_eq!(got.jid, paired.jid);
    assert_eq!(got.lid, paired.lid);
    assert_eq!(got.account, paired.account);
    assert_eq!(got.push_name, "Zoë");
    assert_eq!(got.business_name, "Shop");
    assert_eq!(got.platform, "Chrome");
    assert_eq!(
        got.identity.key_pair.public,
        unpaired.identity.key_pair.public
    );
}

pub async fn signal_round_trip(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let a1 = ProtocolAddress::new("123", 0);
    let a2 = ProtocolAddress::new("123", 5);
    let b = ProtocolAddress::new("456_1", 3);
    let (r1, r2, r3) = (
        session_record(1, 101),
        session_record(2, 102),
        session_record(3, 103),
    );
    assert!(store.signal_session("s", &a1).await.unwrap().is_none());
    commit(&*store, &ctx, |w| {
        w.put_signal_session(&a1, &r1)
            .put_signal_session(&a2, &r2)
            .put_signal_session(&b, &r3);
    })
    .await;
    let got = store.signal_session("s", &a1).await.unwrap().unwrap();
    assert_eq!(got.to_bytes(), r1.to_bytes());
    assert_eq!(got.remote_registration_id(), Some(101));

    let of = store.signal_sessions_of("s", "123").await.unwrap();
    assert_eq!(
        of.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>(),
        [a1.clone(), a2.clone()]
    );
    assert_eq!(of[1].1.to_bytes(), r2.to_bytes());
    let some = store
        .signal_sessions(
            "s",
            &[b.clone(), ProtocolAddress::new("nobody", 1), a2.clone()],
        )
        .await
        .unwrap();
    assert_eq!(some.len(), 2);
    assert_eq!(
        (&some[0].0, some[0].1.remote_registration_id()),
        (&b, Some(103))
    );
    assert_eq!(
        (&some[1].0, some[1].1.remote_registration_id()),
        (&a2, Some(102))
    );

    // Replace, delete one, delete all of a user.
    commit(&*store, &ctx, |w| {
        w.put_signal_session(&a1, &r3);
    })
    .await;
    let got = store.signal_session("s", &a1).await.unwrap().unwrap();
    assert_eq!(got.remote_registration_id(), Some(103));
    commit(&*store, &ctx, |w| {
        w.delete_signal_session(&b);
    })
    .await;
    assert!(store.signal_session("s", &b).await.unwrap().is_none());
    commit(&*store, &ctx, |w| {
        w.delete_signal_sessions_of("123");
    })
    .await;
    assert!(
        store
            .signal_sessions_of("s", "123")
            .await
            .unwrap()
            .is_empty()
    );

    // Identities.
    let k1 = KeyPair::generate(&mut rng(9)).public;
    let k2 = KeyPair::generate(&mut rng(10)).public;
    assert!(store.identity("s", &a1).await.unwrap().is_none());
    commit(&*store, &ctx, |w| {
        w.put_identity(&a1, k1).put_identity(&b, k2);
    })
    .await;
    assert_eq!(store.identity("s", &a1).await.unwrap(), Some(k1));
    commit(&*store, &ctx, |w| {
        w.put_identity(&a1, k2).delete_identity(&b);
    })
    .await;
    assert_eq!(store.identity("s", &a1).await.unwrap(), Some(k2));
    assert_eq!(store.identity("s", &b).await.unwrap(), None);

    // Sender keys.
    let name = SenderKeyName::new("120363@g.us", ProtocolAddress::new("123", 0));
    let other = SenderKeyName::new("120364@g.us", ProtocolAddress::new("123", 0));
    let sk = sender_key_record(4);
    commit(&*store, &ctx, |w| {
        w.put_sender_key(&name, &sk);
    })
    .await;
    let got = store.sender_key("s", &name).await.unwrap().unwrap();
    assert_eq!(got.to_bytes(), sk.to_bytes());
    assert!(got.is_own());
    assert!(store.sender_key("s", &other).await.unwrap().is_none());
    commit(&*store, &ctx, |w| {
        w.delete_sender_key(&name);
    })
    .await;
    assert!(store.sender_key("s", &name).await.unwrap().is_none());
}

pub async fn prekeys_round_trip(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let mut r = rng(5);
    let keys = PreKey::generate_batch(10, 5, &mut r); // ids 10..=14
    commit(&*store, &ctx, |w| {
        w.put_prekeys(keys.clone());
    })
    .await;
    let got = store.prekey("s", 12).await.unwrap().unwrap();
    assert_eq!(got.id, 12);
    assert_eq!(got.key_pair.public, keys[2].key_pair.public);
    assert!(store.prekey("s", 9).await.unwrap().is_none());

    let ids = |v: Vec<PreKey>| v.into_iter().map(|k| k.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.unuploaded_prekeys("s", 3).await.unwrap()),
        [10, 11, 12]
    );
    assert_eq!(store.uploaded_prekey_count("s").await.unwrap(), 0);
    commit(&*store, &ctx, |w| {
        w.mark_prekeys_uploaded(vec![10, 11, 12]);
    })
    .await;
    assert_eq!(
        ids(store.unuploaded_prekeys("s", 10).await.unwrap()),
        [13, 14]
    );
    assert_eq!(store.uploaded_prekey_count("s").await.unwrap(), 3);
    // Consumed by a pkmsg.
    commit(&*store, &ctx, |w| {
        w.remove_prekey(11);
    })
    .await;
    assert!(store.prekey("s", 11).await.unwrap().is_none());
    assert_eq!(store.uploaded_prekey_count("s").await.unwrap(), 2);
    // Ids outside 1..=2^24-1 are refused.
    let bad = PreKey::generate(0, &mut r);
    assert!(matches!(
        try_commit(&*store, &ctx, |w| {
            w.put_prekeys(vec![bad]);
        })
        .await,
        Err(Error::InvalidValue(_))
    ));

    // Signed prekeys: by id, latest = highest id.
    let id = wa_proto::signal::LocalIdentity::generate(&mut r);
    let s1 = SignedPreKey::generate(&id.key_pair, 1, &mut r);
    let s2 = SignedPreKey::generate(&id.key_pair, 2, &mut r);
    assert!(store.latest_signed_prekey("s").await.unwrap().is_none());
    commit(&*store, &ctx, |w| {
        w.put_signed_prekey(s2.clone())
            .put_signed_prekey(s1.clone());
    })
    .await;
    let got = store.signed_prekey("s", 1).await.unwrap().unwrap();
    assert_eq!(got.key_pair.public, s1.key_pair.public);
    assert_eq!(got.signature, s1.signature);
    assert!(got.verify(id.public()));
    let latest = store.latest_signed_prekey("s").await.unwrap().unwrap();
    assert_eq!((latest.id, latest.signature), (2, s2.signature));
}

pub async fn prekey_allocation_never_reuses(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let other = new_session(&*store, "t").await;
    let first = store.allocate_prekey_ids(&ctx, 30).await.unwrap();
    assert_eq!(first, (1..=30).collect::<Vec<u32>>());
    assert!(store.allocate_prekey_ids(&ctx, 0).await.unwrap().is_empty());
    // Per session: another session starts at 1 too.
    assert_eq!(store.allocate_prekey_ids(&other, 2).await.unwrap(), [1, 2]);

    // Concurrent allocations are disjoint and continue the sequence.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (s, c) = (Arc::clone(&store), ctx.clone());
        tasks.push(tokio::spawn(async move {
            s.allocate_prekey_ids(&c, 7).await.unwrap()
        }));
    }
    let mut seen: HashSet<u32> = first.iter().copied().collect();
    for t in tasks {
        for id in t.await.unwrap() {
            assert!(seen.insert(id), "prekey id {id} handed out twice");
        }
    }
    assert_eq!(seen.len(), 30 + 140);
    assert_eq!(seen.iter().max(), Some(&170));

    // Wrap-around within 24 bits, skipping 0.
    let rest = MAX_PREKEY_ID - 170 - 2;
    let big = store.allocate_prekey_ids(&ctx, rest).await.unwrap();
    assert_eq!(big.last(), Some(&(MAX_PREKEY_ID - 2)));
    drop(big);
    let wrapped = store.allocate_prekey_ids(&ctx, 4).await.unwrap();
    assert_eq!(wrapped, [MAX_PREKEY_ID - 1, MAX_PREKEY_ID, 1, 2]);
    assert!(matches!(
        store.allocate_prekey_ids(&ctx, MAX_PREKEY_ID + 1).await,
        Err(Error::InvalidValue(_))
    ));
    assert!(matches!(
        store
            .allocate_prekey_ids(&CommitContext::new("nope"), 1)
            .await,
        Err(Error::SessionNotFound(_))
    ));
}

pub async fn app_state_round_trip(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let key = |id: u8, ts: i64| AppStateSyncKey {
        key_id: vec![0, 0, id],
        key_data: vec![id; 32],
        fingerprint: vec![8, id],
        timestamp: ts,
    };
    assert!(
        store
            .latest_app_state_sync_key("s")
            .await
            .unwrap()
            .is_none()
    );
    commit(&*store, &ctx, |w| {
        w.put_app_state_sync_key(key(1, 100))
            .put_app_state_sync_key(key(2, 300))
            .put_app_state_sync_key(key(3, 200));
    })
    .await;
    assert_eq!(
        store.app_state_sync_key("s", &[0, 0, 3]).await.unwrap(),
        Some(key(3, 200))
    );
    assert_eq!(
        store.latest_app_state_sync_key("s").await.unwrap(),
        Some(key(2, 300))
    );
    assert!(store.app_state_sync_key("s", &[9]).await.unwrap().is_none());

    let mut hash = LtHash::new();
    hash.add(&[5; 32]);
    commit(&*store, &ctx, |w| {
        w.put_app_state_version("regular", 7, hash)
            .put_app_state_mutation_macs(
                "regular",
                7,
                vec![
                    MutationMac {
                        index_mac: vec![1; 32],
                        value_mac: vec![11; 32],
                    },
                    MutationMac {
                        index_mac: vec![2; 32],
                        value_mac: vec![22; 32],
                    },
                ],
            );
    })
    .await;
    let v = store
        .app_state_version("s", "regular")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((v.version, v.hash), (7, hash));
    assert!(
        store
            .app_state_version("s", "critical_block")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .app_state_value_mac("s", "regular", &[1; 32])
            .await
            .unwrap(),
        Some(vec![11; 32])
    );

    // A later patch overwrites one value, removes another.
    hash.add(&[6; 32]);
    commit(&*store, &ctx, |w| {
        w.put_app_state_version("regular", 8, hash)
            .put_app_state_mutation_macs(
                "regular",
                8,
                vec![MutationMac {
                    index_mac: vec![1; 32],
                    value_mac: vec![33; 32],
                }],
            )
            .delete_app_state_mutation_macs("regular", vec![vec![2; 32]]);
    })
    .await;
    let v = store
        .app_state_version("s", "regular")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((v.version, v.hash), (8, hash));
    assert_eq!(
        store
            .app_state_value_mac("s", "regular", &[1; 32])
            .await
            .unwrap(),
        Some(vec![33; 32])
    );
    assert!(
        store
            .app_state_value_mac("s", "regular", &[2; 32])
            .await
            .unwrap()
            .is_none()
    );

    commit(&*store, &ctx, |w| {
        w.delete_app_state_collection("regular");
    })
    .await;
    assert!(
        store
            .app_state_version("s", "regular")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .app_state_value_mac("s", "regular", &[1; 32])
            .await
            .unwrap()
            .is_none()
    );
    // Versions beyond i64 cannot be stored.
    assert!(matches!(
        try_commit(&*store, &ctx, |w| {
            w.put_app_state_version("regular", u64::MAX, hash);
        })
        .await,
        Err(Error::InvalidValue(_))
    ));
}
