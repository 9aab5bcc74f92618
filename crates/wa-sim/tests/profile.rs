//! Profile pictures, status text, push names, privacy settings,
//! blocklists, presence, chat states and logout, over real websockets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{TestClient, http_get, provisioned_client, start_sim};
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_sim::sim_profile::ProfileChange;

const ANN: &str = "4470000001";
const BOB: &str = "4470000002";

fn lid_of(sim: &wa_sim::SimHandle, phone: &str) -> Jid {
    let v = sim.account_view(phone).unwrap();
    Jid::parse(v["lid"].as_str().unwrap()).unwrap()
}

async fn picture_iq(c: &mut TestClient, target: &Jid, kind: &str) -> Node {
    let id = c.next_id();
    let n = Node::new("iq")
        .with_attr("id", id.clone())
        .with_attr("xmlns", "w:profile:picture")
        .with_attr("type", "get")
        .with_attr("target", target.clone())
        .with_attr("to", Jid::server_only(wa_proto::jid::Server::Pn))
        .with_child(
            Node::new("picture")
                .with_attr("type", kind.to_owned())
                .with_attr("query", "url"),
        );
    c.send(&n).await;
    c.recv_match(|n| n.tag == "iq" && n.attr_text("id").as_deref() == Some(&id))
        .await
}

async fn status_of(c: &mut TestClient) -> Node {
    let q = Node::new("usync")
        .with_attr("sid", "s1")
        .with_attr("mode", "query")
        .with_attr("context", "interactive")
        .with_children([
            Node::new("query").with_child(Node::new("status")),
            Node::new("list").with_child(Node::new("user").with_attr("jid", Jid::pn(ANN))),
        ]);
    let r = c.iq("usync", "get", vec![q]).await;
    r.child_path(&["usync", "list", "user", "status"])
        .unwrap()
        .clone()
}

fn error_code(n: &Node) -> Option<String> {
    n.child("error")
        .and_then(|e| e.attr_text("code"))
        .map(|c| c.into_owned())
}

async fn raw_message(c: &mut TestClient, id: &str, to_user: &Jid, device: u16) {
    let n = Node::new("message")
        .with_attr("id", id.to_owned())
        .with_attr("to", to_user.clone())
        .with_attr("type", "text")
        .with_child(
            Node::new("participants").with_child(
                Node::new("to")
                    .with_attr("jid", to_user.clone().with_device(device))
                    .with_child(
                        Node::new("enc")
                            .with_attr("v", "2")
                            .with_attr("type", "msg")
                            .with_bytes(vec![1, 2, 3]),
                    ),
            ),
        );
    c.send(&n).await;
    c.recv_match(|n| n.tag == "ack" && n.attr_text("id").as_deref() == Some(id))
        .await;
}

#[tokio::test]
async fn picture_status_push_name_and_privacy() {
    let sim = start_sim().await;
    sim.create_account(ANN, "Ann").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let mut a1 = provisioned_client(&sim, ANN, 1).await;
    let mut a2 = provisioned_client(&sim, ANN, 2).await;
    let mut b1 = provisioned_client(&sim, BOB, 3).await;
    let ann = Jid::pn(ANN);

    // No picture yet.
    let r = picture_iq(&mut b1, &ann, "preview").await;
    assert_eq!(error_code(&r).as_deref(), Some("404"));

    // Ann sets a picture from a1; a2 is told.
    let jpeg = b"\xff\xd8\xff\xe0fake-jpeg-bytes".to_vec();
    let r = a1
        .iq(
            "w:profile:picture",
            "set",
            vec![
                Node::new("picture")
                    .with_attr("type", "image")
                    .with_bytes(jpeg.clone()),
            ],
        )
        .await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let pic_id = r
        .child("picture")
        .unwrap()
        .attr_text("id")
        .unwrap()
        .into_owned();
    let n = a2
        .recv_match(|n| n.tag == "notification" && n.attr_str("type") == Some("picture"))
        .await;
    let set = n.child("set").unwrap();
    assert_eq!(set.attr_text("id").unwrap(), pic_id);
    assert_eq!(
        set.attr_text("jid").unwrap(),
        format!("{ANN}@s.whatsapp.net")
    );

    // Bob fetches the URL, by PN and by LID, and downloads the bytes.
    let r = picture_iq(&mut b1, &ann, "image").await;
    let pic = r.child("picture").unwrap();
    assert_eq!(pic.attr_text("id").unwrap(), pic_id);
    assert_eq!(pic.attr_str("type"), Some("image"));
    let url = pic.attr_text("url").unwrap().into_owned();
    let path = pic.attr_text("direct_path").unwrap().into_owned();
    assert_eq!(url, format!("https://{}{path}", sim.addr()));
    assert_eq!(http_get(&sim, &path).await, (200, jpeg.clone()));
    let r = picture_iq(&mut b1, &lid_of(&sim, ANN), "preview").await;
    assert_eq!(r.child("picture").unwrap().attr_text("id").unwrap(), pic_id);
    assert_eq!(http_get(&sim, &format!("/pp/{ANN}/1")).await.0, 404);

    // Status text, served by usync with its time.
    let r = a1
        .iq(
            "status",
            "set",
            vec![Node::new("status").with_bytes("Building bots 🤖".as_bytes().to_vec())],
        )
        .await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let st = status_of(&mut b1).await;
    assert_eq!(st.bytes().unwrap(), "Building bots 🤖".as_bytes());
    let t: u64 = st.attr_parse("t").unwrap();
    assert!(t + 60 > wa_sim::sim::now());

    // Push name from presence.
    a1.send(
        &Node::new("presence")
            .with_attr("name", "Ann Bot")
            .with_attr("type", "available"),
    )
    .await;
    a1.iq("w:p", "get", vec![Node::new("ping")]).await;
    assert_eq!(sim.account_view(ANN).unwrap()["name"], "Ann Bot");

    // Privacy: defaults, then a change seen by a2 and enforced for Bob.
    let r = a1.iq("privacy", "get", vec![Node::new("privacy")]).await;
    let cats: Vec<(String, String)> = r
        .child("privacy")
        .unwrap()
        .children_by_tag("category")
        .map(|c| {
            (
                c.attr_text("name").unwrap().into_owned(),
                c.attr_text("value").unwrap().into_owned(),
            )
        })
        .collect();
    assert!(cats.contains(&("profile".into(), "all".into())));
    assert!(cats.contains(&("last".into(), "all".into())));
    let set_privacy = |name: &'static str, value: &'static str| {
        vec![
            Node::new("privacy").with_child(
                Node::new("category")
                    .with_attr("name", name)
                    .with_attr("value", value),
            ),
        ]
    };
    let r = a1
        .iq("privacy", "set", set_privacy("profile", "none"))
        .await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let r = a1.iq("privacy", "set", set_privacy("status", "none")).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let r = a1.iq("privacy", "set", set_privacy("last", "bogus")).await;
    assert_eq!(error_code(&r).as_deref(), Some("400"));
    let n = a2
        .recv_match(|n| n.tag == "notification" && n.attr_str("type") == Some("account_sync"))
        .await;
    let cat = n.child_path(&["privacy", "category"]).unwrap();
    assert_eq!(cat.attr_str("name"), Some("profile"));
    assert_eq!(cat.attr_str("value"), Some("none"));
    let r = a2.iq("privacy", "get", vec![Node::new("privacy")]).await;
    assert!(
        r.child("privacy")
            .unwrap()
            .children_by_tag("category")
            .any(|c| {
                c.attr_str("name") == Some("profile") && c.attr_str("value") == Some("none")
            })
    );
    let r = picture_iq(&mut b1, &ann, "preview").await;
    assert_eq!(error_code(&r).as_deref(), Some("401"));
    let st = status_of(&mut b1).await;
    assert_eq!(st.attr_str("code"), Some("401"));
    assert!(st.bytes().is_none_or(<[u8]>::is_empty));
    // Ann still sees her own.
    let r = picture_iq(&mut a2, &ann, "preview").await;
    assert_eq!(r.child("picture").unwrap().attr_text("id").unwrap(), pic_id);

    // Removing the picture: empty set.
    let r = a1.iq("w:profile:picture", "set", vec![]).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let n = a2
        .recv_match(|n| n.tag == "notification" && n.attr_str("type") == Some("picture"))
        .await;
    assert!(n.child("delete").is_some());
    let r = picture_iq(&mut a2, &ann, "preview").await;
    assert_eq!(error_code(&r).as_deref(), Some("404"));
    assert_eq!(http_get(&sim, &path).await.0, 404);

    // Setting someone else's picture is refused.
    let id = b1.next_id();
    b1.send(
        &Node::new("iq")
            .with_attr("id", id.clone())
            .with_attr("xmlns", "w:profile:picture")
            .with_attr("type", "set")
            .with_attr("target", ann.clone())
            .with_child(Node::new("picture").with_bytes(jpeg)),
    )
    .await;
    let r = b1
        .recv_match(|n| n.tag == "iq" && n.attr_text("id").as_deref() == Some(&id))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("401"));

    // Server props.
    let r = a1
        .iq(
            "abt",
            "get",
            vec![Node::new("props").with_attr("protocol", "1")],
        )
        .await;
    let props = r.child("props").unwrap();
    assert!(props.attr_str("hash").is_some());
    assert!(props.children_by_tag("prop").any(|p| {
        p.attr_str("config_code") == Some("10518") && p.attr_str("config_value") == Some("true")
    }));
}

#[tokio::test]
async fn blocklist_stops_messages_chatstates_and_presence() {
    let sim = start_sim().await;
    sim.create_account(ANN, "Ann").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let mut a1 = provisioned_client(&sim, ANN, 11).await;
    let mut b1 = provisioned_client(&sim, BOB, 12).await;
    let mut b2 = provisioned_client(&sim, BOB, 13).await;
    let ann_lid = lid_of(&sim, ANN);
    let bob = Jid::pn(BOB);

    let block = |action: &'static str| {
        let mut item = Node::new("item")
            .with_attr("action", action)
            .with_attr("jid", ann_lid.clone());
        if action == "block" {
            item.attrs.insert("pn_jid", Jid::pn(ANN));
        }
        vec![item]
    };
    let r = b1.iq("blocklist", "set", block("block")).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let items: Vec<String> = r
        .child("list")
        .unwrap()
        .children_by_tag("item")
        .map(|i| i.attr_text("jid").unwrap().into_owned())
        .collect();
    assert_eq!(items, vec![ann_lid.to_string()]);
    let n = b2
        .recv_match(|n| n.tag == "notification" && n.attr_str("type") == Some("account_sync"))
        .await;
    let item = n.child_path(&["blocklist", "item"]).unwrap();
    assert_eq!(item.attr_str("action"), Some("block"));
    assert_eq!(item.attr_text("jid").unwrap(), ann_lid.to_string());
    let r = b2.iq("blocklist", "get", vec![]).await;
    let list = r.child("list").unwrap();
    assert_ne!(list.attr_str("dhash"), Some("0"));
    assert_eq!(list.children_by_tag("item").count(), 1);
    assert_eq!(sim.account_view(BOB).unwrap()["blocklist"][0], ANN);

    // While blocked: Ann's message, chat state and phone text do not reach Bob.
    raw_message(&mut a1, "BLOCKED1", &bob, 1).await;
    a1.send(
        &Node::new("chatstate")
            .with_attr("to", bob.clone())
            .with_child(Node::new("composing")),
    )
    .await;
    sim.send_text(ANN, BOB, "from a blocked phone").unwrap();
    // Bob subscribing to Ann sees no last-seen time.
    sim.set_presence(ANN, false).unwrap();
    b1.send(
        &Node::new("presence")
            .with_attr("type", "subscribe")
            .with_attr("to", Jid::pn(ANN))
            .with_attr("id", "sub1"),
    )
    .await;
    let p = b1.recv_tag("presence").await;
    assert_eq!(p.attr_str("last"), Some("deny"));
    sim.set_presence(ANN, true).unwrap();

    // Unblock; the next message arrives and is the first one Bob sees.
    let r = b1.iq("blocklist", "set", block("unblock")).await;
    assert_eq!(r.child("list").unwrap().children_by_tag("item").count(), 0);
    raw_message(&mut a1, "AFTER1", &bob, 1).await;
    let m = b1.recv_tag("message").await;
    assert_eq!(m.attr_str("id"), Some("AFTER1"));
    // Nothing blocked was queued for later either.
    let queued: Vec<(String, String)> = sim.with_world(|w| {
        w.account(BOB).unwrap().devices[&1]
            .queue
            .iter()
            .map(|q| (q.id.clone(), q.node.tag.to_string()))
            .collect()
    });
    assert!(queued.iter().any(|(id, _)| id == "AFTER1"));
    assert_eq!(
        queued.iter().filter(|(_, tag)| tag == "message").count(),
        1,
        "only AFTER1 awaits its receipt: {queued:?}"
    );
    assert!(sim.inbox(BOB).unwrap().is_empty());
    b1.send(
        &Node::new("presence")
            .with_attr("type", "subscribe")
            .with_attr("to", Jid::pn(ANN))
            .with_attr("id", "sub2"),
    )
    .await;
    let p = b1.recv_match(|n| n.tag == "presence").await;
    assert_eq!(p.attr_str("type"), None, "Ann is online: {p:?}");
}

#[tokio::test]
async fn presence_subscriptions_and_chatstates_fan_out() {
    let sim = start_sim().await;
    sim.create_account(ANN, "Ann").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let mut a1 = provisioned_client(&sim, ANN, 21).await;
    let mut b1 = provisioned_client(&sim, BOB, 22).await;
    let mut b2 = provisioned_client(&sim, BOB, 23).await;
    let ann_lid = lid_of(&sim, ANN);

    // Subscribing answers with the current presence at once.
    b1.send(
        &Node::new("presence")
            .with_attr("type", "subscribe")
            .with_attr("to", Jid::pn(ANN))
            .with_attr("id", "s1"),
    )
    .await;
    let p = b1.recv_tag("presence").await;
    assert_eq!(
        p.attr_text("from").unwrap(),
        format!("{ANN}@s.whatsapp.net")
    );
    assert_eq!(p.attr_str("type"), Some("unavailable"));
    b2.send(
        &Node::new("presence")
            .with_attr("type", "subscribe")
            .with_attr("to", ann_lid.clone())
            .with_attr("id", "s2"),
    )
    .await;
    let p = b2.recv_tag("presence").await;
    assert_eq!(p.attr_text("from").unwrap(), ann_lid.to_string());

    // Ann comes online from her companion: both subscribers hear it, each
    // in the family it subscribed with.
    a1.send(
        &Node::new("presence")
            .with_attr("name", "Ann")
            .with_attr("type", "available"),
    )
    .await;
    let p = b1.recv_tag("presence").await;
    assert_eq!(p.attr_str("type"), None);
    assert_eq!(
        p.attr_text("from").unwrap(),
        format!("{ANN}@s.whatsapp.net")
    );
    let p = b2.recv_tag("presence").await;
    assert_eq!(p.attr_text("from").unwrap(), ann_lid.to_string());
    assert_eq!(p.attr_str("type"), None);

    // The phone goes offline through the control API: `last` is the time.
    let n = sim.set_presence(ANN, false).unwrap();
    assert_eq!(n, 2);
    let p = b1.recv_tag("presence").await;
    assert_eq!(p.attr_str("type"), Some("unavailable"));
    let last: u64 = p.attr_parse("last").unwrap();
    assert!(last + 60 > wa_sim::sim::now());
    b2.recv_tag("presence").await;

    // Privacy `last: none` hides the time.
    sim.change_profile(
        ANN,
        ProfileChange {
            privacy: vec![("last".into(), "none".into())],
            ..Default::default()
        },
    )
    .unwrap();
    sim.set_presence(ANN, false).unwrap();
    let p = b1.recv_tag("presence").await;
    assert_eq!(p.attr_str("last"), Some("deny"));
    b2.recv_tag("presence").await;

    // Chat states: from rewritten to Ann's user JID in the family of `to`,
    // to every device of Bob; recording is composing media=audio.
    a1.send(
        &Node::new("chatstate")
            .with_attr("from", Jid::pn(ANN).with_device(1))
            .with_attr("to", Jid::pn(BOB))
            .with_child(Node::new("composing")),
    )
    .await;
    for c in [&mut b1, &mut b2] {
        let cs = c.recv_tag("chatstate").await;
        assert_eq!(
            cs.attr_text("from").unwrap(),
            format!("{ANN}@s.whatsapp.net")
        );
        assert!(cs.child("composing").is_some());
        assert!(cs.attr("to").is_none());
    }
    a1.send(
        &Node::new("chatstate")
            .with_attr("to", lid_of(&sim, BOB))
            .with_child(Node::new("composing").with_attr("media", "audio")),
    )
    .await;
    let cs = b1.recv_tag("chatstate").await;
    assert_eq!(cs.attr_text("from").unwrap(), ann_lid.to_string());
    assert_eq!(
        cs.child("composing").unwrap().attr_str("media"),
        Some("audio")
    );
    b2.recv_tag("chatstate").await;
    sim.send_chatstate(ANN, BOB, "paused").unwrap();
    let cs = b1.recv_tag("chatstate").await;
    assert!(cs.child("paused").is_some());
    assert!(sim.send_chatstate(ANN, BOB, "dancing").is_err());
}

#[tokio::test]
async fn logout_and_phone_unlink_remove_devices() {
    let sim = start_sim().await;
    sim.create_account(ANN, "Ann").unwrap();
    let mut a1 = provisioned_client(&sim, ANN, 31).await;
    let mut a2 = provisioned_client(&sim, ANN, 32).await;
    let mut a3 = provisioned_client(&sim, ANN, 33).await;
    let secrets1 = a1.secrets.clone();

    // a1 logs out: result, then 401 device_removed, and it is gone.
    let id = a1.next_id();
    a1.send(
        &Node::new("iq")
            .with_attr("id", id.clone())
            .with_attr("xmlns", "md")
            .with_attr("type", "set")
            .with_child(
                Node::new("remove-companion-device")
                    .with_attr("jid", Jid::pn(ANN).with_device(1))
                    .with_attr("reason", "user_initiated"),
            ),
    )
    .await;
    let rest = a1.until_closed().await;
    let pos_result = rest
        .iter()
        .position(|n| n.tag == "iq" && n.attr_text("id").as_deref() == Some(&id))
        .unwrap();
    assert_eq!(rest[pos_result].attr_str("type"), Some("result"));
    let err = rest.iter().position(|n| n.tag == "stream:error").unwrap();
    assert!(err > pos_result);
    assert_eq!(rest[err].attr_str("code"), Some("401"));
    assert_eq!(
        rest[err].child("conflict").unwrap().attr_str("type"),
        Some("device_removed")
    );
    for c in [&mut a2, &mut a3] {
        let n = c
            .recv_match(|n| n.attr_str("type") == Some("devices") && n.child("remove").is_some())
            .await;
        let d = n.child_path(&["remove", "device"]).unwrap();
        assert_eq!(
            d.attr_text("jid").unwrap(),
            format!("{ANN}:1@s.whatsapp.net")
        );
    }
    let view = sim.account_view(ANN).unwrap();
    let ids: Vec<u64> = view["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![2, 3]);
    // Its credentials no longer log in.
    let mut again = TestClient::login(&sim, secrets1, 99).await;
    let f = again.recv().await.unwrap();
    assert_eq!(f.tag, "failure");
    assert_eq!(f.attr_str("reason"), Some("401"));

    // The phone unlinks a2 (control API): 401 to a2, notification to a3.
    sim.unlink(ANN, 2).unwrap();
    let rest = a2.until_closed().await;
    let err = rest.iter().find(|n| n.tag == "stream:error").unwrap();
    assert_eq!(err.attr_str("code"), Some("401"));
    let n = a3
        .recv_match(|n| n.attr_str("type") == Some("devices") && n.child("remove").is_some())
        .await;
    assert_eq!(
        n.child_path(&["remove", "device"])
            .unwrap()
            .attr_text("jid")
            .unwrap(),
        format!("{ANN}:2@s.whatsapp.net")
    );
    assert!(sim.unlink(ANN, 2).is_err());
    // A companion cannot remove another account's device.
    let r = a3
        .iq(
            "md",
            "set",
            vec![
                Node::new("remove-companion-device").with_attr("jid", Jid::pn(BOB).with_device(1)),
            ],
        )
        .await;
    assert_eq!(r.attr_str("type"), Some("error"));
}

#[tokio::test]
async fn profile_state_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("wa-sim-profile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = wa_sim::SimConfig {
        data_dir: Some(dir.clone()),
        ..wa_sim::SimConfig::local()
    };
    let sim = wa_sim::Sim::start(config.clone()).await.unwrap();
    sim.create_account(ANN, "Ann").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let before = sim
        .change_profile(
            ANN,
            ProfileChange {
                status: Some("persisted".into()),
                picture: Some(Some(vec![0xff, 0xd8, 9, 9])),
                privacy: vec![("online".into(), "none".into())],
                block: vec![BOB.into()],
                ..Default::default()
            },
        )
        .unwrap();
    sim.shutdown().await;
    drop(sim);
    let sim = wa_sim::Sim::start(config).await.unwrap();
    let after = sim.account_view(ANN).unwrap();
    for key in ["status", "privacy", "blocklist"] {
        assert_eq!(after[key], before[key], "{key}");
    }
    assert_eq!(after["picture"]["id"], before["picture"]["id"]);
    let id: u64 = after["picture"]["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(sim.picture(ANN, id), Some(vec![0xff, 0xd8, 9, 9]));
    assert_eq!(after["privacy"]["online"], "none");
    assert_eq!(after["blocklist"][0], BOB);
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn push_name_from_the_login_payload() {
    let sim = start_sim().await;
    sim.create_account(ANN, "Ann").unwrap();
    let c = provisioned_client(&sim, ANN, 41).await;
    let secrets = c.secrets.clone();
    c.close().await;
    let mut payload = wa_proto::pair::payload::login_payload(
        &wa_proto::pair::payload::ClientConfig::default(),
        ANN,
        u32::from(secrets.me.clone().unwrap().1),
    )
    .unwrap();
    payload.push_name = Some("Ann from login".into());
    let mut c = TestClient::connect(&sim, secrets, payload, 42).await;
    c.recv_tag("success").await;
    assert_eq!(sim.account_view(ANN).unwrap()["name"], "Ann from login");
}
