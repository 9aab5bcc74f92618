//! Pairing (QR and code), login, prekeys and usync, driven by a wa-proto
//! test client over a real websocket.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::keys::KeyPair;
use wa_proto::pair::code::{CompanionCodePairing, PairCode};

const ALICE: &str = "6281288888801";
const BOB: &str = "6281288888802";

#[tokio::test]
async fn qr_pairing_login_prekeys_and_bootstrap() {
    let sim = start_sim().await;
    let info = sim.create_account(ALICE, "Alice").unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut reg = TestClient::register(&sim, Secrets::generate(&mut rng), 1).await;
    let (jid, err) = reg.pair_by_qr(&sim, ALICE).await;
    assert_eq!(jid, Jid::pn(ALICE).with_device(1));
    assert_eq!(err.attr_str("code"), Some("515"));
    assert!(reg.until_closed().await.is_empty());
    // The device is stored with the identity from the registration.
    let stored = sim.with_world(|w| w.account(ALICE).unwrap().devices[&1].keys.identity);
    assert_eq!(stored, reg.secrets.identity.key_pair.public);

    let mut c = TestClient::login(&sim, reg.secrets.clone(), 2).await;
    let success = c.recv_tag("success").await;
    let lid = success.attr_jid("lid").unwrap();
    assert_eq!(lid.device, 1);
    assert_eq!(format!("{}@lid", lid.user), info.lid);
    let count = c.iq("encrypt", "get", vec![Node::new("count")]).await;
    assert_eq!(count.child("count").unwrap().attr_str("value"), Some("0"));
    assert_eq!(c.upload_and_activate().await, 0);
    // 20 uploaded, one taken by the phone for its bootstrap message.
    let count = c.iq("encrypt", "get", vec![Node::new("count")]).await;
    assert_eq!(count.child("count").unwrap().attr_str("value"), Some("19"));
    let digest = c.iq("encrypt", "get", vec![Node::new("digest")]).await;
    assert!(digest.child("digest").is_some());
    // Bootstrap: the app-state key share, then an inline history sync from
    // the phone, as peer messages.
    let share = c.recv_match(|n| n.tag == "message").await;
    assert_eq!(share.attr_str("category"), Some("peer"));
    let from = share.attr_jid("from").unwrap();
    assert_eq!(from, Jid::pn(ALICE));
    let m = c.decrypt(&from, share.child("enc").unwrap());
    let keys = m
        .protocol_message
        .unwrap()
        .app_state_sync_key_share
        .unwrap()
        .keys;
    assert_eq!(keys.len(), 1);
    let boot = c.recv_match(|n| n.tag == "message").await;
    assert_eq!(boot.attr_str("category"), Some("peer"));
    let m = c.decrypt(&from, boot.child("enc").unwrap());
    let hist = m
        .protocol_message
        .unwrap()
        .history_sync_notification
        .unwrap();
    assert!(hist.initial_hist_bootstrap_inline_payload.is_some());
    // Pings are answered.
    let pong = c.iq("w:p", "get", vec![Node::new("ping")]).await;
    assert_eq!(pong.attr_str("type"), Some("result"));
}

#[tokio::test]
async fn code_pairing_links_the_companion() {
    let sim = start_sim().await;
    sim.create_account(BOB, "Bob").unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let mut c = TestClient::register(&sim, Secrets::generate(&mut rng), 5).await;
    let pd = c.recv_match(|n| n.child("pair-device").is_some()).await;
    let id = pd.attr_text("id").unwrap().into_owned();
    c.send(
        &Node::new("iq")
            .with_attr("id", id)
            .with_attr("type", "result"),
    )
    .await;

    let code = PairCode::parse("ABCD1234").unwrap();
    let companion = CompanionCodePairing::new(code, KeyPair::generate(&mut rng));
    let hello = companion.hello(&mut rng);
    let r = c
        .iq(
            "md",
            "set",
            vec![
                Node::new("link_code_companion_reg")
                    .with_attr("jid", Jid::pn(BOB))
                    .with_attr("stage", "companion_hello")
                    .with_children([
                        bytes_child(
                            "link_code_pairing_wrapped_companion_ephemeral_pub",
                            hello.to_vec(),
                        ),
                        bytes_child(
                            "companion_server_auth_key_pub",
                            c.secrets.noise.public.as_bytes().to_vec(),
                        ),
                        bytes_child("companion_platform_id", b"1".to_vec()),
                        bytes_child("companion_platform_display", b"Chrome (Mac OS)".to_vec()),
                        bytes_child("link_code_pairing_nonce", b"0".to_vec()),
                    ]),
            ],
        )
        .await;
    let reference = r
        .child_path(&["link_code_companion_reg", "link_code_pairing_ref"])
        .unwrap()
        .bytes()
        .unwrap()
        .to_vec();

    let sim2 = sim.clone();
    let link = tokio::spawn(async move { sim2.link_code(BOB, "abcd-1234").await });
    let n = c
        .recv_match(|n| n.attr_str("type") == Some("link_code_companion_reg"))
        .await;
    let reg = n.child("link_code_companion_reg").unwrap();
    assert_eq!(
        reg.child("link_code_pairing_ref").unwrap().bytes().unwrap(),
        reference.as_slice()
    );
    let primary = wa_proto::keys::PublicKey::from_bytes(
        reg.child("primary_identity_pub").unwrap().bytes().unwrap(),
    )
    .unwrap();
    let phone_identity = sim.with_world(|w| w.account(BOB).unwrap().phone_dev.identity().public);
    assert_eq!(primary, phone_identity);
    let wrapped = reg
        .child("link_code_pairing_wrapped_primary_ephemeral_pub")
        .unwrap()
        .bytes()
        .unwrap();
    let finish = companion
        .finish(&c.secrets.identity.key_pair, &primary, wrapped, &mut rng)
        .unwrap();
    c.secrets.adv = finish.adv_secret;
    let r = c
        .iq(
            "md",
            "set",
            vec![
                Node::new("link_code_companion_reg")
                    .with_attr("jid", Jid::pn(BOB))
                    .with_attr("stage", "companion_finish")
                    .with_children([
                        bytes_child(
                            "link_code_pairing_wrapped_key_bundle",
                            finish.wrapped_key_bundle.clone(),
                        ),
                        bytes_child(
                            "companion_identity_public",
                            finish.companion_identity.as_bytes().to_vec(),
                        ),
                        bytes_child("link_code_pairing_ref", reference),
                    ]),
            ],
        )
        .await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let err = c.answer_pair_success().await;
    assert_eq!(err.attr_str("code"), Some("515"));
    assert_eq!(link.await.unwrap().unwrap(), Jid::pn(BOB).with_device(1));
}

#[tokio::test]
async fn wrong_code_fails_and_unknown_logins_get_401() {
    let sim = start_sim().await;
    sim.create_account(BOB, "Bob").unwrap();
    // A login for a device that does not exist.
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let mut s = Secrets::generate(&mut rng);
    s.me = Some((BOB.into(), 3));
    let mut c = TestClient::login(&sim, s.clone(), 9).await;
    let nodes = c.until_closed().await;
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0].tag, "failure");
    assert_eq!(nodes[0].attr_str("reason"), Some("401"));
    // A real device with the wrong noise key.
    let linked = linked_client(&sim, BOB, 10).await;
    let mut wrong = linked.secrets.clone();
    wrong.noise = KeyPair::generate(&mut rng);
    let mut c = TestClient::login(&sim, wrong, 11).await;
    let nodes = c.until_closed().await;
    assert_eq!(nodes.first().map(|n| n.tag.as_ref()), Some("failure"));
    // Entering a code nobody waits for.
    assert!(sim.link_code(BOB, "ABCD1234").await.is_err());
}

#[tokio::test]
async fn usync_devices_lid_contact_and_bundles() {
    let sim = start_sim().await;
    let alice = sim.create_account(ALICE, "Alice").unwrap();
    let bob = sim.create_account(BOB, "Bob").unwrap();
    let mut a = linked_client(&sim, ALICE, 20).await;
    let _b = linked_client(&sim, BOB, 30).await;
    let query = |users: Vec<Node>| {
        vec![
            Node::new("usync")
                .with_attr("sid", "s1")
                .with_attr("mode", "query")
                .with_attr("context", "message")
                .with_children([
                    Node::new("query").with_children([
                        Node::new("devices").with_attr("version", "2"),
                        Node::new("lid"),
                        Node::new("contact"),
                        Node::new("status"),
                    ]),
                    Node::new("list").with_children(users),
                ]),
        ]
    };
    let r = a
        .iq(
            "usync",
            "get",
            query(vec![
                Node::new("user").with_attr("jid", Jid::pn(BOB)),
                Node::new("user").with_child(bytes_child("contact", b"+6299999".to_vec())),
            ]),
        )
        .await;
    let users: Vec<&Node> = r
        .child_path(&["usync", "list"])
        .unwrap()
        .children_by_tag("user")
        .collect();
    assert_eq!(users.len(), 2);
    let devices: Vec<(String, Option<String>)> = users[0]
        .child_path(&["devices", "device-list"])
        .unwrap()
        .children_by_tag("device")
        .map(|d| {
            (
                d.attr_text("id").unwrap().into_owned(),
                d.attr_text("key-index").map(|k| k.into_owned()),
            )
        })
        .collect();
    assert_eq!(
        devices,
        vec![("0".into(), None), ("1".into(), Some("1".into()))]
    );
    assert!(
        users[0]
            .child("lid")
            .unwrap()
            .attr_text("val")
            .unwrap()
            .ends_with("@lid")
    );
    assert_eq!(
        users[0].child("contact").unwrap().attr_str("type"),
        Some("in")
    );
    assert_eq!(
        users[1].child("contact").unwrap().attr_str("type"),
        Some("out")
    );
    // Own devices by LID: no <lid> child for LID queries.
    let r = a
        .iq(
            "usync",
            "get",
            query(vec![
                Node::new("user").with_attr("jid", Jid::parse(&alice.lid).unwrap()),
            ]),
        )
        .await;
    let me = r.child_path(&["usync", "list", "user"]).unwrap();
    assert!(me.child("lid").is_none());
    assert_eq!(
        me.child_path(&["devices", "device-list"])
            .unwrap()
            .children()
            .len(),
        2
    );

    // Bundles: each fetch hands out a different one-time prekey (phones
    // included), and companions' stock shrinks.
    let p1 = a.start_session(&Jid::pn(BOB)).await.unwrap();
    let p2 = a.start_session(&Jid::pn(BOB)).await.unwrap();
    assert_ne!(p1, p2);
    let k1 = a.start_session(&Jid::pn(BOB).with_device(1)).await.unwrap();
    let k2 = a
        .start_session(&Jid::parse(&bob.lid).unwrap().with_device(1))
        .await
        .unwrap();
    assert_ne!(k1, k2);
    let left = sim.with_world(|w| w.account(BOB).unwrap().devices[&1].keys.prekeys.len());
    assert_eq!(
        left,
        20 - 1 - 2,
        "bootstrap and two fetches consumed prekeys"
    );
    // Unknown devices get an error entry.
    let r = a
        .iq(
            "encrypt",
            "get",
            vec![
                Node::new("key")
                    .with_child(Node::new("user").with_attr("jid", Jid::pn(BOB).with_device(9))),
            ],
        )
        .await;
    assert!(r.child_path(&["list", "user", "error"]).is_some());
}
