//! App state: the phone's key share and key requests, `w:sync:app:state`
//! fetch/push with versions and conflicts, `server_sync` to the other
//! companions, persistence of collections.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use prost::Message as _;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_proto::proto::wa::message::protocol_message::Type as ProtocolType;

const ALICE: &str = "6281277720001";

fn patch(mac: u8, key_id: &[u8]) -> Vec<u8> {
    wa::SyncdPatch {
        mutations: vec![wa::SyncdMutation {
            operation: Some(0),
            record: Some(wa::SyncdRecord {
                index: Some(wa::SyncdIndex {
                    blob: Some(vec![mac; 32]),
                }),
                value: Some(wa::SyncdValue {
                    blob: Some(vec![mac; 80]),
                }),
                key_id: Some(wa::KeyId {
                    id: Some(key_id.to_vec()),
                }),
            }),
        }],
        snapshot_mac: Some(vec![mac; 32]),
        patch_mac: Some(vec![mac; 32]),
        key_id: Some(wa::KeyId {
            id: Some(key_id.to_vec()),
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn collection(name: &'static str, version: u64, snapshot: bool, patch: Option<Vec<u8>>) -> Node {
    let mut c = Node::new("collection")
        .with_attr("name", name)
        .with_attr("version", version.to_string())
        .with_attr("return_snapshot", if snapshot { "true" } else { "false" });
    if let Some(p) = patch {
        c = c.with_child(Node::new("patch").with_bytes(p));
    }
    c
}

async fn sync(c: &mut TestClient, cols: Vec<Node>) -> Vec<Node> {
    let r = c
        .iq(
            "w:sync:app:state",
            "set",
            vec![Node::new("sync").with_children(cols)],
        )
        .await;
    assert_eq!(r.attr_str("type"), Some("result"), "{r:?}");
    r.child("sync").unwrap().children().to_vec()
}

fn served(col: &Node) -> Vec<wa::SyncdPatch> {
    col.child("patches")
        .map(|ps| {
            ps.children_by_tag("patch")
                .map(|p| wa::SyncdPatch::decode(p.bytes().unwrap()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn companions_share_one_key_and_patches_round_trip_with_server_sync() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    let mut a = linked_client(&sim, ALICE, 400).await;
    let mut b = linked_client(&sim, ALICE, 410).await;
    // Both companions got the same key from the phone.
    assert_eq!(a.app_state_keys.len(), 1);
    assert_eq!(a.app_state_keys, b.app_state_keys);
    let key = &a.app_state_keys[0];
    let key_id = key.key_id.clone().unwrap().key_id.unwrap();
    assert_eq!(key_id.len(), 6);
    assert_eq!(
        key.key_data
            .as_ref()
            .unwrap()
            .key_data
            .as_ref()
            .unwrap()
            .len(),
        32
    );

    // Initial sync: every collection empty at version 0, no snapshot.
    let names = [
        "critical_block",
        "critical_unblock_low",
        "regular_high",
        "regular_low",
        "regular",
    ];
    let cols = sync(
        &mut a,
        names.iter().map(|n| collection(n, 0, true, None)).collect(),
    )
    .await;
    assert_eq!(cols.len(), 5);
    for (c, n) in cols.iter().zip(names) {
        assert_eq!(c.attr_str("name"), Some(n));
        assert_eq!(c.attr_str("version"), Some("0"));
        assert!(c.children().is_empty(), "no patches, no snapshot");
    }

    // A pushes two patches to regular_high.
    let p1 = patch(1, &key_id);
    let p2 = patch(2, &key_id);
    let r = sync(
        &mut a,
        vec![collection("regular_high", 0, false, Some(p1.clone()))],
    )
    .await;
    assert_eq!(r[0].attr_str("version"), Some("1"));
    assert!(r[0].attr("type").is_none());
    let n = b
        .recv_match(|n| n.tag == "notification" && n.attr_str("type") == Some("server_sync"))
        .await;
    let c = n.child("collection").unwrap();
    assert_eq!(c.attr_str("name"), Some("regular_high"));
    assert_eq!(c.attr_str("version"), Some("1"));
    let r = sync(
        &mut a,
        vec![collection("regular_high", 1, false, Some(p2.clone()))],
    )
    .await;
    assert_eq!(r[0].attr_str("version"), Some("2"));

    // B fetches from 0: both patches, in order, with their versions set and
    // everything else untouched.
    let r = sync(&mut b, vec![collection("regular_high", 0, true, None)]).await;
    assert_eq!(r[0].attr_str("version"), Some("2"));
    assert!(r[0].child("snapshot").is_none());
    let got = served(&r[0]);
    assert_eq!(got.len(), 2);
    for (i, (p, orig)) in got.iter().zip([&p1, &p2]).enumerate() {
        assert_eq!(p.version.as_ref().unwrap().version, Some(i as u64 + 1));
        let mut stripped = p.clone();
        stripped.version = None;
        assert_eq!(&stripped.encode_to_vec(), orig);
    }
    // From 1: only the second.
    let r = sync(&mut b, vec![collection("regular_high", 1, false, None)]).await;
    assert_eq!(served(&r[0]).len(), 1);
    assert_eq!(served(&r[0])[0].patch_mac, Some(vec![2; 32]));

    // B pushes on a stale base: 409 with the patches it misses.
    let r = sync(
        &mut b,
        vec![collection(
            "regular_high",
            1,
            false,
            Some(patch(3, &key_id)),
        )],
    )
    .await;
    assert_eq!(r[0].attr_str("type"), Some("error"));
    let e = r[0].child("error").unwrap();
    assert_eq!(
        (e.attr_str("code"), e.attr_str("text")),
        (Some("409"), Some("conflict"))
    );
    assert_eq!(served(&r[0]).len(), 1);
    // The pusher itself got no server_sync; A gets one for B's later push.
    let r = sync(
        &mut b,
        vec![collection(
            "regular_high",
            2,
            false,
            Some(patch(3, &key_id)),
        )],
    )
    .await;
    assert_eq!(r[0].attr_str("version"), Some("3"));
    let n = a
        .recv_match(|n| n.tag == "notification" && n.attr_str("type") == Some("server_sync"))
        .await;
    assert_eq!(
        n.child("collection").unwrap().attr_str("version"),
        Some("3")
    );

    // Unknown collections and garbage patches are refused per collection.
    let r = sync(
        &mut a,
        vec![
            collection("nope", 0, false, None),
            collection("regular", 0, false, Some(vec![0xff, 0xff])),
        ],
    )
    .await;
    assert_eq!(r[0].child("error").unwrap().attr_str("code"), Some("400"));
    assert_eq!(r[1].child("error").unwrap().attr_str("code"), Some("400"));
}

#[tokio::test]
async fn phone_answers_key_requests() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    let mut a = linked_client(&sim, ALICE, 420).await;
    let known = a.app_state_keys[0].key_id.clone().unwrap();
    let req = wa::Message {
        protocol_message: Some(Box::new(wa::message::ProtocolMessage {
            r#type: Some(ProtocolType::AppStateSyncKeyRequest as i32),
            app_state_sync_key_request: Some(wa::message::AppStateSyncKeyRequest {
                key_ids: vec![
                    known.clone(),
                    wa::message::AppStateSyncKeyId {
                        key_id: Some(vec![9; 6]),
                    },
                ],
            }),
            ..Default::default()
        })),
        ..Default::default()
    };
    let phone = Jid::pn(ALICE);
    let enc = a.encrypt_for(&phone, &req);
    a.send(
        &Node::new("message")
            .with_attr("id", "3EB0KEYREQ")
            .with_attr("to", phone.clone())
            .with_attr("type", "protocol")
            .with_attr("category", "peer")
            .with_child(enc),
    )
    .await;
    let m = a
        .recv_match(|n| n.tag == "message" && n.attr_str("category") == Some("peer"))
        .await;
    let msg = a.decrypt(&phone, m.child("enc").unwrap());
    let p = msg.protocol_message.unwrap();
    assert_eq!(p.r#type, Some(ProtocolType::AppStateSyncKeyShare as i32));
    let keys = p.app_state_sync_key_share.unwrap().keys;
    assert_eq!(keys.len(), 1, "only the key the phone has");
    assert_eq!(keys[0], a.app_state_keys[0]);
}

#[tokio::test]
async fn collections_and_keys_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("wa-sim-appstate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = wa_sim::SimConfig {
        data_dir: Some(dir.clone()),
        seed: Some(3),
        ..wa_sim::SimConfig::local()
    };
    let sim = wa_sim::Sim::start(config.clone()).await.unwrap();
    sim.create_account(ALICE, "Alice").unwrap();
    let mut a = linked_client(&sim, ALICE, 430).await;
    let key_id = a.app_state_keys[0].key_id.clone().unwrap().key_id.unwrap();
    let r = sync(
        &mut a,
        vec![collection("regular", 0, false, Some(patch(5, &key_id)))],
    )
    .await;
    assert_eq!(r[0].attr_str("version"), Some("1"));
    a.close().await;
    sim.shutdown().await;

    let sim = wa_sim::Sim::start(config).await.unwrap();
    // A new companion gets the same key and the stored patch.
    let mut b = linked_client(&sim, ALICE, 440).await;
    assert_eq!(
        b.app_state_keys[0].key_id.clone().unwrap().key_id.unwrap(),
        key_id
    );
    let r = sync(&mut b, vec![collection("regular", 0, true, None)]).await;
    assert_eq!(r[0].attr_str("version"), Some("1"));
    assert_eq!(served(&r[0])[0].patch_mac, Some(vec![5; 32]));
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
