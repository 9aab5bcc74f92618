//! Webhook events over real HTTP: what messages, media, receipts,
//! reactions, edits, revokes, group changes, other devices' actions, calls
//! and the history sync become. Delivery itself is in `webhooks.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod webhook_helpers;

use base64::Engine as _;
use common::receiver::Receiver;
use serde_json::json;
use wa_http::webhook::events;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_session::message::build::{self, MessageRef};
use wa_session::message::{MediaDetails, MediaKind, MediaUpload};
use wa_sim::handler::groups::node::{Actor, notify, participant_node};
use webhook_helpers::*;

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
