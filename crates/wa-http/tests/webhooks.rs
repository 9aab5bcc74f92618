//! Webhooks over real HTTP: the durable queue (retries, 4xx, restart),
//! signatures, `DISABLED_CALLBACKS`, and the events of messages, media,
//! receipts, reactions, edits, revokes and group changes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::receiver::Receiver;
use common::{Harness, KEY};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use wa_http::webhook::events;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_session::message::build::{self, MessageRef};
use wa_session::message::{MediaDetails, MediaKind, MediaUpload};
use wa_sim::handler::groups::node::{Actor, notify, participant_node};

const SECRET: &str = "s3cret";
const US: &str = "15550001000";
const PEER: &str = "15550002000";

async fn harness(rx: &Receiver, f: impl FnOnce(&mut wa_http::Config)) -> Harness {
    let url = rx.url.clone();
    Harness::with(move |c, _| {
        c.base_webhook_url = Some(url);
        c.webhook_retry_base_ms = 50;
        c.webhook_timeout_ms = 2_000;
        f(c);
    })
    .await
}

/// Links session `wh` to `US` and creates the `PEER` account.
async fn linked(rx: &Receiver, f: impl FnOnce(&mut wa_http::Config)) -> Harness {
    let h = harness(rx, f).await;
    h.account(US, "Us");
    h.account(PEER, "Peer");
    h.link("wh", US).await;
    h
}

/// Waits until a delivery of `data_type` satisfies `pred`; returns its body.
async fn wait_for(rx: &Receiver, data_type: &str, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..300 {
        if let Some(v) = rx.of(data_type).into_iter().find(|v| pred(v)) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "no {data_type} webhook; got {:?}",
        rx.deliveries()
            .iter()
            .map(|d| d.body["dataType"].clone())
            .collect::<Vec<_>>()
    );
}

fn header<'a>(d: &'a common::receiver::Delivery, name: &str) -> &'a str {
    d.headers.get(name).unwrap().to_str().unwrap()
}

fn us() -> String {
    format!("{US}@c.us")
}

fn peer() -> String {
    format!("{PEER}@c.us")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_signed_and_shaped_like_the_reference() {
    let rx = Receiver::start().await;
    let h = linked(&rx, |c| c.webhook_secret = Some(SECRET.into())).await;
    wait_for(&rx, "ready", |_| true).await;
    let ds = rx.deliveries();
    assert!(ds.iter().any(|d| d.body["dataType"] == "qr"));
    for d in &ds {
        let ts = header(d, "x-webhook-timestamp");
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(format!("{ts}.").as_bytes());
        mac.update(&d.raw);
        let want = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(header(d, "x-webhook-signature"), want);
        assert_eq!(header(d, "x-api-key"), KEY);
        assert_eq!(header(d, "x-webhook-id").len(), 32);
        assert_eq!(d.body["sessionId"], "wh");
    }
    let ready = rx.of("ready").remove(0);
    assert_eq!(ready, json!({"dataType": "ready", "sessionId": "wh"}));
    let auth = rx.of("authenticated").remove(0);
    assert!(auth.get("data").is_none());
    let qr = rx.of("qr").remove(0);
    assert!(qr["data"]["qr"].as_str().unwrap().contains(','));
    drop(h);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_deliveries_are_retried_in_order_with_the_same_id() {
    let rx = Receiver::start().await;
    let h = harness(&rx, |_| {}).await;
    rx.fail_next(2);
    let w = &h.gateway.state.webhooks;
    w.emit("s1", "test_a", Some(json!({"n": 1})));
    w.emit("s1", "test_b", Some(json!({"n": 2})));
    let b = wait_for(&rx, "test_b", |_| true).await;
    assert_eq!(b["data"]["n"], 2);
    let got: Vec<Value> = rx.deliveries().into_iter().map(|d| d.body).collect();
    assert_eq!(got[0]["dataType"], "test_a", "{got:?}");
    assert_eq!(got[1]["dataType"], "test_b");
    let rejected = rx.rejected();
    assert_eq!(rejected.len(), 2);
    let id = header(&rx.deliveries()[0], "x-webhook-id").to_owned();
    for r in &rejected {
        assert_eq!(r.body["dataType"], "test_a");
        assert_eq!(header(r, "x-webhook-id"), id);
    }
    assert_eq!(rx.attempts(), 4);
    assert_ne!(header(&rx.deliveries()[1], "x-webhook-id"), id);
    let m = h.gateway.state.metrics.render(&[]);
    assert!(m.contains("outcome=\"retried\"} 2"), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_errors_are_not_retried_and_kept_dead() {
    let rx = Receiver::start().await;
    let h = harness(&rx, |_| {}).await;
    rx.fail_next_with(1, 400);
    let w = &h.gateway.state.webhooks;
    w.emit("s1", "test_a", None);
    w.emit("s1", "test_b", None);
    wait_for(&rx, "test_b", |_| true).await;
    assert_eq!(rx.attempts(), 2);
    assert!(rx.of("test_a").is_empty());
    let db = rusqlite::Connection::open(h.dir.path().join("webhooks.db")).unwrap();
    let (state, attempts): (String, u32) = db
        .query_row(
            "SELECT state, attempts FROM webhooks WHERE data_type = 'test_a'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((state.as_str(), attempts), ("dead", 1));
    // 429 is retried.
    rx.fail_next_with(1, 429);
    w.emit("s1", "test_c", None);
    wait_for(&rx, "test_c", |_| true).await;
    assert_eq!(rx.attempts(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_webhooks_survive_a_restart() {
    let rx = Receiver::start().await;
    let mut h = harness(&rx, |c| c.webhook_max_attempts = 50).await;
    rx.fail_next(u32::MAX);
    h.gateway
        .state
        .webhooks
        .emit("s1", "durable", Some(json!({"x": 1})));
    for _ in 0..100 {
        if rx.attempts() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(rx.attempts() > 0);
    h.gateway.shutdown().await;
    let first_id = header(&rx.rejected()[0], "x-webhook-id").to_owned();
    let dir = std::mem::replace(&mut h.dir, tempfile::tempdir().unwrap());
    let sim = h.sim.clone();
    let config = h.gateway.state.config.as_ref().clone();
    drop(h);
    tokio::time::sleep(Duration::from_millis(300)).await;
    rx.fail_next(0);
    let before = rx.attempts();
    assert!(rx.of("durable").is_empty());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let h2 = Harness::start(sim, dir, config, listener).await;
    let d = wait_for(&rx, "durable", |_| true).await;
    assert_eq!(d["data"]["x"], 1);
    assert!(rx.attempts() > before);
    let got = rx.deliveries();
    assert_eq!(header(&got[0], "x-webhook-id"), first_id);
    drop(h2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_media_and_acks() {
    let rx = Receiver::start().await;
    let h = linked(&rx, |_| {}).await;
    let id = h.sim.send_text(PEER, US, "hello there").unwrap();
    let m = wait_for(&rx, "message", |v| v["data"]["message"]["id"]["id"] == id).await;
    let msg = &m["data"]["message"];
    assert_eq!(msg["body"], "hello there");
    assert_eq!(msg["type"], "chat");
    assert_eq!(msg["from"], peer());
    assert_eq!(msg["to"], us());
    assert_eq!(msg["fromMe"], false);
    assert_eq!(msg["id"]["_serialized"], format!("false_{}_{id}", peer()));
    let c = wait_for(&rx, "message_create", |v| {
        v["data"]["message"]["id"]["id"] == id
    })
    .await;
    assert_eq!(c["data"]["message"], *msg);

    // A received image: `media` carries the bytes.
    let image = vec![0x89, b'P', b'N', b'G', 1, 2, 3, 4, 5, 6, 7, 8, 9];
    let img = h
        .sim
        .send_image(PEER, US, &image, "image/png", "a caption")
        .unwrap();
    let media = wait_for(&rx, "media", |v| v["data"]["message"]["id"]["id"] == img).await;
    let mm = &media["data"]["messageMedia"];
    assert_eq!(mm["mimetype"], "image/png");
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(mm["data"].as_str().unwrap())
            .unwrap(),
        image
    );
    assert_eq!(mm["filesize"], image.len());
    assert_eq!(media["data"]["message"]["hasMedia"], true);
    assert_eq!(media["data"]["message"]["body"], "a caption");

    // Our message: the phone's delivery receipt becomes message_ack 2.
    let client = h.gateway.state.manager.client("wh").unwrap();
    let sent = client
        .send_text(&Jid::pn(PEER), "from the api", Default::default())
        .await
        .unwrap();
    let ack = wait_for(&rx, "message_ack", |v| {
        v["data"]["message"]["id"]["id"] == sent.id && v["data"]["ack"] == 2
    })
    .await;
    assert_eq!(ack["data"]["message"]["fromMe"], true);
    assert_eq!(ack["data"]["message"]["body"], "from the api");
    assert_eq!(ack["data"]["message"]["ack"], 2);
    // The peer's phone reads it: message_ack 3.
    let now = wa_sim::sim::now();
    h.sim.with_world(|w| {
        for dev in w.companions(US) {
            let r = Node::new("receipt")
                .with_attr("from", format!("{PEER}@s.whatsapp.net"))
                .with_attr("id", sent.id.clone())
                .with_attr("type", "read")
                .with_attr("t", now.to_string());
            w.deliver(&dev, wa_sim::world::queue::Class::Receipt, r);
        }
    });
    let read = wait_for(&rx, "message_ack", |v| {
        v["data"]["message"]["id"]["id"] == sent.id && v["data"]["ack"] == 3
    })
    .await;
    assert_eq!(read["data"]["message"]["ack"], 3);
    let m = h.gateway.state.metrics.render(&[]);
    assert!(m.contains("wa_gateway_messages_received_total 2"), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_callbacks_are_not_sent() {
    let rx = Receiver::start().await;
    let h = linked(&rx, |c| {
        c.disabled_callbacks = "message_create|media|message_ack".into();
    })
    .await;
    let img = h
        .sim
        .send_image(PEER, US, &[1, 2, 3], "image/png", "")
        .unwrap();
    wait_for(&rx, "message", |v| v["data"]["message"]["id"]["id"] == img).await;
    let marker = h.sim.send_text(PEER, US, "marker").unwrap();
    wait_for(&rx, "message", |v| {
        v["data"]["message"]["id"]["id"] == marker
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(rx.of("media").is_empty());
    assert!(rx.of("message_create").is_empty());
    assert!(rx.of("message_ack").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reactions_edits_and_revokes() {
    let rx = Receiver::start().await;
    let h = linked(&rx, |_| {}).await;
    let first = h.sim.send_text(PEER, US, "first").unwrap();
    wait_for(&rx, "message", |v| {
        v["data"]["message"]["id"]["id"] == first
    })
    .await;
    let theirs = MessageRef::own(Jid::pn(US), first.clone());

    let r = h
        .sim
        .send_message(PEER, US, build::reaction(&theirs, "👍", 1))
        .unwrap();
    let re = wait_for(&rx, "message_reaction", |_| true).await;
    let reaction = &re["data"]["reaction"];
    assert_eq!(reaction["reaction"], "👍");
    assert_eq!(reaction["msgId"]["id"], first);
    assert_eq!(reaction["msgId"]["fromMe"], false);
    assert_eq!(reaction["id"]["id"], r);
    assert_eq!(reaction["senderId"], peer());
    assert_eq!(reaction["orphan"], 0);
    // No `message` for the reaction itself.
    assert!(
        !rx.of("message")
            .iter()
            .any(|v| v["data"]["message"]["id"]["id"] == r)
    );

    h.sim
        .send_message(PEER, US, build::edit(&theirs, "first, edited", 2).unwrap())
        .unwrap();
    let e = wait_for(&rx, "message_edit", |_| true).await;
    assert_eq!(e["data"]["newBody"], "first, edited");
    assert_eq!(e["data"]["prevBody"], "first");
    assert_eq!(e["data"]["message"]["id"]["id"], first);
    assert_eq!(e["data"]["message"]["body"], "first, edited");

    let second = h.sim.send_text(PEER, US, "second").unwrap();
    wait_for(&rx, "message", |v| {
        v["data"]["message"]["id"]["id"] == second
    })
    .await;
    h.sim
        .send_message(
            PEER,
            US,
            build::revoke(&MessageRef::own(Jid::pn(US), second.clone())),
        )
        .unwrap();
    let rv = wait_for(&rx, "message_revoke_everyone", |_| true).await;
    assert_eq!(rv["data"]["message"]["id"]["id"], second);
    assert_eq!(rv["data"]["message"]["type"], "revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_join_update_and_leave() {
    let rx = Receiver::start().await;
    let h = linked(&rx, |_| {}).await;
    let third = "15550003000";
    h.account(third, "Third");
    let gid = h
        .sim
        .create_group(PEER, "Team", &[US.to_owned()], true)
        .unwrap();
    let join = wait_for(&rx, "group_join", |_| true).await;
    let n = &join["data"]["notification"];
    assert_eq!(n["chatId"], gid.replace("@g.us", "") + "@g.us");
    assert_eq!(n["type"], "create");
    assert_eq!(n["author"], peer());

    let id = gid.trim_end_matches("@g.us").to_owned();
    let now = wa_sim::sim::now();
    h.sim.with_world(|w| {
        let g = w.group_mut(&id).unwrap();
        g.add(third, wa_sim::world::groups::Role::Member);
        let g = g.clone();
        let p = participant_node(w, third, g.addressing, None);
        notify(
            w,
            &g,
            &Actor::phone(PEER),
            Node::new("add").with_attr("reason", "add").with_child(p),
            &[],
            now,
        );
        let subject = Node::new("subject")
            .with_attr("subject", "Renamed")
            .with_attr("s_t", now.to_string());
        notify(w, &g, &Actor::phone(PEER), subject, &[], now);
        let g = w.group_mut(&id).unwrap();
        g.remove(third);
        let g = g.clone();
        let p = participant_node(w, third, g.addressing, None);
        notify(
            w,
            &g,
            &Actor::phone(third),
            Node::new("remove").with_child(p),
            &[third.to_owned()],
            now,
        );
    });
    let add = wait_for(&rx, "group_join", |v| {
        v["data"]["notification"]["type"] == "add"
    })
    .await;
    assert_eq!(
        add["data"]["notification"]["recipientIds"],
        json!([format!("{third}@c.us")])
    );
    let upd = wait_for(&rx, "group_update", |_| true).await;
    assert_eq!(upd["data"]["notification"]["type"], "subject");
    assert_eq!(upd["data"]["notification"]["body"], "Renamed");
    let leave = wait_for(&rx, "group_leave", |_| true).await;
    assert_eq!(leave["data"]["notification"]["type"], "leave");
    assert_eq!(
        leave["data"]["notification"]["author"],
        format!("{third}@c.us")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_does_not_hold_up_other_sessions() {
    let rx = Receiver::start().await;
    rx.fail_session("blocked");
    let h = harness(&rx, |c| c.webhook_max_attempts = 100).await;
    let w = &h.gateway.state.webhooks;
    w.emit("blocked", "stuck", None);
    for i in 0..20 {
        w.emit("free", "flowing", Some(json!({ "i": i })));
    }
    wait_for(&rx, "flowing", |v| v["data"]["i"] == 19).await;
    let order: Vec<Value> = rx
        .of("flowing")
        .into_iter()
        .map(|v| v["data"]["i"].clone())
        .collect();
    assert_eq!(order, (0..20).map(|i| json!(i)).collect::<Vec<_>>());
    assert!(
        rx.rejected()
            .iter()
            .any(|d| d.body["sessionId"] == "blocked")
    );
    assert!(rx.of("stuck").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_are_marked_seen_when_configured() {
    let rx = Receiver::start().await;
    let h = linked(&rx, |c| c.set_messages_as_seen = true).await;
    let id = h.sim.send_text(PEER, US, "read me").unwrap();
    wait_for(&rx, "message", |v| v["data"]["message"]["id"]["id"] == id).await;
    h.eventually(|| {
        h.sim.with_world(|w| {
            w.account(PEER)?
                .phone_dev
                .receipts()
                .iter()
                .find(|r| r.kind == "read" && r.ids.contains(&id))
                .cloned()
        })
    })
    .await;
}

/// Two gateway sessions linked to the same account: what one does shows on
/// the other as app-state and own-message events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_devices_actions_become_chat_and_message_create_events() {
    let rx = Receiver::start().await;
    let h = linked(&rx, |_| {}).await;
    h.link("wh2", US).await;
    let a = h.gateway.state.manager.client("wh").unwrap();
    let peer_jid = Jid::pn(PEER);
    let first = h.sim.send_text(PEER, US, "to both").unwrap();
    wait_for(&rx, "message", |v| {
        v["sessionId"] == "wh2" && v["data"]["message"]["id"]["id"] == first
    })
    .await;

    let sent = a
        .send_text(&peer_jid, "from device one", Default::default())
        .await
        .unwrap();
    let c = wait_for(&rx, "message_create", |v| {
        v["sessionId"] == "wh2" && v["data"]["message"]["id"]["id"] == sent.id
    })
    .await;
    assert_eq!(c["data"]["message"]["fromMe"], true);
    assert_eq!(c["data"]["message"]["from"], us());
    assert_eq!(c["data"]["message"]["to"], peer());
    assert!(
        !rx.of("message")
            .iter()
            .any(|v| v["data"]["message"]["id"]["id"] == sent.id)
    );

    // Media sent through the API (the send routes call `message_sent`):
    // media_uploaded + message_create on this session, message_create (and
    // no `media`) on the other device.
    let img = a
        .send_media(
            &peer_jid,
            MediaUpload::bytes(
                vec![7u8; 64],
                MediaDetails::new(MediaKind::Image).mimetype("image/jpeg"),
            ),
        )
        .await
        .unwrap();
    let stored = a.stored_message(&peer_jid, &img.id).await.unwrap();
    events::message_sent(&h.gateway.state, "wh", &stored).await;
    let up = wait_for(&rx, "media_uploaded", |v| v["sessionId"] == "wh").await;
    assert_eq!(up["data"]["message"]["id"]["id"], img.id);
    assert_eq!(up["data"]["message"]["hasMedia"], true);
    assert_eq!(up["data"]["message"]["fromMe"], true);
    wait_for(&rx, "message_create", |v| {
        v["sessionId"] == "wh" && v["data"]["message"]["id"]["id"] == img.id
    })
    .await;
    wait_for(&rx, "message_create", |v| {
        v["sessionId"] == "wh2" && v["data"]["message"]["id"]["id"] == img.id
    })
    .await;

    // Deleted for me on device one: message_revoke_me on device two.
    a.delete_message_for_me(&wa_session::ops::chats::MessageRef {
        chat: peer_jid.clone(),
        id: sent.id.clone(),
        from_me: true,
        participant: None,
    })
    .await
    .unwrap();
    let rm = wait_for(&rx, "message_revoke_me", |v| v["sessionId"] == "wh2").await;
    assert_eq!(rm["data"]["message"]["id"]["id"], sent.id);

    a.archive_chat(&peer_jid, true).await.unwrap();
    let ar = wait_for(&rx, "chat_archived", |v| v["sessionId"] == "wh2").await;
    assert_eq!(ar["data"]["currState"], true);
    assert_eq!(ar["data"]["prevState"], false);
    assert_eq!(ar["data"]["chat"]["id"]["_serialized"], peer());
    assert_eq!(ar["data"]["chat"]["archived"], true);

    a.mark_seen(&peer_jid).await.unwrap();
    let u = wait_for(&rx, "unread_count", |v| v["sessionId"] == "wh2").await;
    assert_eq!(u["data"]["chat"]["unreadCount"], 0);

    a.delete_chat(&peer_jid).await.unwrap();
    assert!(rx.of("media").is_empty());
    let cr = wait_for(&rx, "chat_removed", |v| v["sessionId"] == "wh2").await;
    assert_eq!(cr["data"]["chat"]["id"]["_serialized"], peer());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incoming_call_offer_becomes_call() {
    let rx = Receiver::start().await;
    let h = linked(&rx, |_| {}).await;
    h.sim.with_world(|w| {
        for dev in w.companions(US) {
            let offer = Node::new("offer")
                .with_attr("call-id", "CALL0001")
                .with_attr("call-creator", format!("{PEER}:0@s.whatsapp.net"))
                .with_child(Node::new("audio").with_attr("enc", "opus"))
                .with_child(Node::new("video").with_attr("enc", "vp8"));
            let call = Node::new("call")
                .with_attr("from", format!("{PEER}@s.whatsapp.net"))
                .with_attr("id", "STANZA01")
                .with_attr("t", "1700000000")
                .with_child(offer);
            w.deliver_ephemeral(&dev, call);
        }
    });
    let c = wait_for(&rx, "call", |_| true).await;
    assert_eq!(
        c["data"]["call"],
        json!({
            "id": "CALL0001",
            "from": peer(),
            "timestamp": 1_700_000_000,
            "isVideo": true,
            "isGroup": false,
            "fromMe": false,
            "canHandleLocally": false,
            "webClientShouldHandle": false,
            "participants": null,
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_progress_and_undecryptable_messages() {
    use wa_proto::proto::wa;
    let rx = Receiver::start().await;
    let h = linked(&rx, |_| {}).await;
    let history = wa::HistorySync {
        sync_type: Some(wa::history_sync::HistorySyncType::Recent as i32),
        chunk_order: Some(1),
        progress: Some(50),
        ..Default::default()
    };
    h.sim.send_history_sync(US, &history).unwrap();
    let l = wait_for(&rx, "loading_screen", |v| v["data"]["percent"] == 50).await;
    assert_eq!(l["data"]["message"], "WhatsApp");

    // A message whose ciphertext does not decrypt.
    let now = wa_sim::sim::now();
    h.sim.with_world(|w| {
        for dev in w.companions(US) {
            let enc = Node::new("enc")
                .with_attr("v", "2")
                .with_attr("type", "msg")
                .with_bytes(vec![0x33; 40]);
            let m = Node::new("message")
                .with_attr("from", format!("{PEER}@s.whatsapp.net"))
                .with_attr("id", "BADCIPHER0001")
                .with_attr("type", "text")
                .with_attr("t", now.to_string())
                .with_child(enc);
            w.deliver(&dev, wa_sim::world::queue::Class::Message, m);
        }
    });
    let c = wait_for(&rx, "message_ciphertext", |_| true).await;
    assert_eq!(c["data"]["message"]["id"]["id"], "BADCIPHER0001");
    assert_eq!(c["data"]["message"]["from"], peer());
}
