//! CI-sized scale check: 500 companions registered through
//! `provision_device`, each logged in over its own websocket with the real
//! Noise handshake, held open together and answering pings. The full
//! 10 000-connection run is `cargo xtask load --raw-connections 10000`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Secrets, TestClient, start_sim};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use tokio::task::JoinSet;
use wa_proto::binary::Node;
use wa_sim::provision::CompanionKeys;
use wa_sim::world::account::SignedKeyPub;

const N: usize = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_idle_connections_stay_logged_in() {
    let sim = start_sim().await;
    let mut all = Vec::with_capacity(N);
    for i in 0..N {
        let phone = format!("4477{:08}", i / 2);
        if i % 2 == 0 {
            sim.create_account(&phone, "load").unwrap();
        }
        let mut rng = ChaCha20Rng::seed_from_u64(i as u64);
        let mut secrets = Secrets::generate(&mut rng);
        let p = sim
            .provision_device(
                &phone,
                CompanionKeys {
                    noise_key: secrets.noise.public,
                    identity: secrets.identity.key_pair.public,
                    registration_id: secrets.identity.registration_id,
                    signed_prekey: SignedKeyPub {
                        id: secrets.signed.id,
                        key: secrets.signed.key_pair.public,
                        signature: secrets.signed.signature,
                    },
                    platform: "load".into(),
                },
            )
            .unwrap();
        assert_eq!(p.device, 1 + (i % 2) as u16);
        assert!(p.device_jid.starts_with(&format!("{phone}:{}@", p.device)));
        secrets.me = Some((phone, p.device));
        all.push(secrets);
    }
    assert_eq!(sim.stats().companions, N);

    let mut set = JoinSet::new();
    for (i, secrets) in all.into_iter().enumerate() {
        let sim = sim.clone();
        set.spawn(async move {
            let mut c = TestClient::login(&sim, secrets, i as u64).await;
            let success = c.recv().await.expect("closed before <success>");
            assert_eq!(success.tag, "success", "{success:?}");
            let r = c.iq("passive", "set", vec![Node::new("active")]).await;
            assert_eq!(r.attr_str("type"), Some("result"));
            let ib = c.recv_tag("ib").await;
            // The first companion of each account was offline when the
            // second was added: its queue holds that `devices` notification.
            let queued = if i % 2 == 0 { "1" } else { "0" };
            assert_eq!(
                ib.child("offline").and_then(|o| o.attr_str("count")),
                Some(queued)
            );
            c
        });
    }
    let mut clients = Vec::with_capacity(N);
    while let Some(c) = set.join_next().await {
        clients.push(c.unwrap());
    }
    assert_eq!(sim.connection_count(), N);
    assert_eq!(sim.stats().connections, N);

    // Idle, then every connection still answers its keepalive.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    for c in &mut clients {
        let r = c.iq("w:p", "get", vec![Node::new("ping")]).await;
        assert_eq!(r.attr_str("type"), Some("result"));
    }
    assert_eq!(sim.connection_count(), N);
    let online = sim.with_world(|w| {
        (0..N / 2)
            .filter(|a| w.is_online(&format!("4477{a:08}")))
            .count()
    });
    assert_eq!(online, N / 2);
    for c in clients {
        c.close().await;
    }
}

#[tokio::test]
async fn provisioning_checks_keys_and_notifies_other_companions() {
    let sim = start_sim().await;
    sim.create_account("4479000001", "Ann").unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let mut first = Secrets::generate(&mut rng);
    let keys = |s: &Secrets| CompanionKeys {
        noise_key: s.noise.public,
        identity: s.identity.key_pair.public,
        registration_id: s.identity.registration_id,
        signed_prekey: SignedKeyPub {
            id: s.signed.id,
            key: s.signed.key_pair.public,
            signature: s.signed.signature,
        },
        platform: "x".into(),
    };
    let p = sim.provision_device("4479000001", keys(&first)).unwrap();
    assert_eq!((p.device, p.key_index), (1, 1));
    // The identity is signed by the account's phone.
    let phone_identity =
        sim.with_world(|w| w.account("4479000001").unwrap().phone_dev.identity().public);
    let signed = <wa_proto::proto::wa::AdvSignedDeviceIdentity as prost::Message>::decode(
        p.signed_identity.as_slice(),
    )
    .unwrap();
    assert_eq!(
        signed.account_signature_key.as_deref(),
        Some(phone_identity.as_bytes().as_slice())
    );
    let mut msg = vec![6, 0];
    msg.extend_from_slice(signed.details.as_deref().unwrap());
    msg.extend_from_slice(first.identity.key_pair.public.as_bytes());
    assert!(phone_identity.verify(&msg, signed.account_signature.as_deref().unwrap()));

    // A bad signed-prekey signature is refused; an unknown account too.
    let mut bad = keys(&first);
    bad.signed_prekey.signature[0] ^= 1;
    assert_eq!(
        sim.provision_device("4479000001", bad)
            .unwrap_err()
            .status(),
        400
    );
    assert_eq!(
        sim.provision_device("4479000009", keys(&first))
            .unwrap_err()
            .status(),
        404
    );

    // The first companion is online when the second is provisioned.
    first.me = Some(("4479000001".into(), 1));
    let mut c = TestClient::login(&sim, first, 1).await;
    c.recv_tag("success").await;
    let r = c.iq("passive", "set", vec![Node::new("active")]).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let second = Secrets::generate(&mut rng);
    let p2 = sim.provision_device("4479000001", keys(&second)).unwrap();
    assert_eq!((p2.device, p2.key_index), (2, 2));
    let n = c
        .recv_match(|n| n.tag == "notification" && n.attr_str("type") == Some("devices"))
        .await;
    let dev = n.child_path(&["add", "device"]).unwrap();
    assert_eq!(dev.attr_text("jid").unwrap(), "4479000001:2@s.whatsapp.net");
    assert_eq!(dev.attr_str("key-index"), Some("2"));
}
