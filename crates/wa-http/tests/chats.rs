//! Chat routes over real HTTP (`/client/*Chat*`, `/client/sendSeen`,
//! `/chat/*`): the JSON shape of the Chat object and the effect on the
//! WhatsApp side — chat states at the sim, read receipts at the sender's
//! phone, and app-state changes (archive, pin, mute, unread, labels, clear,
//! delete) as seen by a second session linked to the same phone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::Harness;
use serde_json::{Value, json};
use wa_proto::jid::Jid;

const ALICE: &str = "6281400000001";
const BOB: &str = "6281400000002";

fn to_alice() -> String {
    format!("{ALICE}@s.whatsapp.net")
}

fn bob() -> String {
    format!("{BOB}@c.us")
}

/// Polls `path` (POST `body`, or GET when `body` is null) until `f` holds
/// for the answer.
async fn until(h: &Harness, path: &str, body: Value, f: impl Fn(u16, &Value) -> bool) -> Value {
    for _ in 0..300 {
        let (s, b) = if body.is_null() {
            h.get(path).await
        } else {
            h.post(path, body.clone()).await
        };
        if f(s, &b) {
            return b;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path} never answered as expected");
}

/// Waits until session `s` holds an app-state sync key (from the phone).
async fn app_state_ready(h: &Harness, s: &str) {
    let store = h.gateway.state.manager.store().clone();
    for _ in 0..300 {
        if store.latest_app_state_sync_key(s).await.unwrap().is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no app-state key for {s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_object_states_messages_and_seen() {
    let h = Harness::new().await;
    h.account(ALICE, "Alice");
    h.account(BOB, "Bob");
    h.link("a", ALICE).await;
    let id1 = h.sim.send_text(BOB, &to_alice(), "one").unwrap();
    let id2 = h.sim.send_text(BOB, &to_alice(), "two").unwrap();

    // getChats: the chat exists once the messages are stored.
    let b = until(&h, "/client/getChats/a", Value::Null, |s, b| {
        s == 200
            && b["chats"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["unreadCount"] == json!(2)))
    })
    .await;
    assert_eq!(b["success"], json!(true));
    let chat = &b["chats"][0];
    assert_eq!(
        chat["id"],
        json!({"server": "c.us", "user": BOB, "_serialized": bob()})
    );
    assert_eq!(chat["isGroup"], json!(false));
    assert_eq!(chat["isReadOnly"], json!(false));
    assert_eq!(chat["archived"], json!(false));
    assert_eq!(chat["pinned"], json!(false));
    assert_eq!(chat["isMuted"], json!(false));
    assert_eq!(chat["muteExpiration"], json!(0));
    assert!(chat["timestamp"].as_i64().unwrap() > 0);
    assert!(chat["name"].is_string());
    assert_eq!(chat["lastMessage"]["body"], json!("two"));
    assert_eq!(chat["lastMessage"]["id"]["id"], json!(id2));
    assert!(chat.get("groupMetadata").is_none());

    // getChatById and chat/getClassInfo answer the same chat.
    let (s, b) = h
        .post("/client/getChatById/a", json!({"chatId": bob()}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["chat"]["id"]["_serialized"], json!(bob()));
    let (s, b) = h.post("/chat/getClassInfo/a", json!({"chatId": BOB})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["chat"]["unreadCount"], json!(2));

    // fetchMessages: oldest first, limit keeps the newest, fromMe filters.
    let (s, b) = h
        .post("/chat/fetchMessages/a", json!({"chatId": bob()}))
        .await;
    assert_eq!(s, 200, "{b}");
    let bodies: Vec<&str> = b["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["one", "two"]);
    assert_eq!(b["messages"][0]["id"]["id"], json!(id1));
    assert_eq!(b["messages"][0]["from"], json!(bob()));
    let (_, b) = h
        .post(
            "/chat/fetchMessages/a",
            json!({"chatId": bob(), "searchOptions": {"limit": 1}}),
        )
        .await;
    assert_eq!(b["messages"].as_array().unwrap().len(), 1);
    assert_eq!(b["messages"][0]["body"], json!("two"));
    let (_, b) = h
        .post(
            "/chat/fetchMessages/a",
            json!({"chatId": bob(), "searchOptions": {"fromMe": true}}),
        )
        .await;
    assert_eq!(b["messages"], json!([]));

    // getContact.
    let (s, b) = h.post("/chat/getContact/a", json!({"chatId": bob()})).await;
    assert_eq!(s, 200, "{b}");
    let c = &b["contact"];
    assert_eq!(c["id"]["_serialized"], json!(bob()));
    assert_eq!(c["number"], json!(BOB));
    assert_eq!(c["isUser"], json!(true));
    assert_eq!(c["isGroup"], json!(false));
    assert_eq!(c["isMe"], json!(false));
    assert_eq!(c["isBlocked"], json!(false));
    // The shared Contact object: the same as contact/getClassInfo.
    let (s, b2) = h
        .post("/contact/getClassInfo/a", json!({"contactId": bob()}))
        .await;
    assert_eq!(s, 200, "{b2}");
    assert_eq!(c, &b2["result"]);
    for k in [
        "isEnterprise",
        "labels",
        "type",
        "isWAContact",
        "isMyContact",
    ] {
        assert!(c.get(k).is_some(), "{k}: {c}");
    }

    // Chat states reach the sim.
    for (route, key, state) in [
        ("sendStateTyping", "sendStateTyping", "composing"),
        ("sendStateRecording", "sendStateRecording", "recording"),
        ("clearState", "clearState", "paused"),
    ] {
        let (s, b) = h
            .post(&format!("/chat/{route}/a"), json!({"chatId": bob()}))
            .await;
        assert_eq!(s, 200, "{route}: {b}");
        assert_eq!(b, json!({"success": true, key: true}));
        h.eventually(|| (h.sim.last_chatstate(ALICE, BOB).as_deref() == Some(state)).then_some(()))
            .await;
    }

    // sendSeen: Bob's phone gets the read receipt; the chat is read.
    app_state_ready(&h, "a").await;
    let (s, b) = h.post("/client/sendSeen/a", json!({"chatId": bob()})).await;
    assert_eq!((s, b), (200, json!({"success": true, "result": true})));
    let mut want = vec![id1.clone(), id2.clone()];
    want.sort();
    h.eventually(|| {
        let mut got = h.sim.with_world(|w| {
            w.account(BOB)?
                .phone_dev
                .receipts()
                .iter()
                .find(|r| r.kind == "read" && r.from == to_alice())
                .map(|r| r.ids.clone())
        })?;
        got.sort();
        (got == want).then_some(())
    })
    .await;
    let (_, b) = h
        .post("/client/getChatById/a", json!({"chatId": bob()}))
        .await;
    assert_eq!(b["chat"]["unreadCount"], json!(0));

    // Errors: unknown chat, missing field, unknown label.
    let never = json!({"chatId": "6289999999999@c.us"});
    for path in [
        "/client/getChatById/a",
        "/chat/getClassInfo/a",
        "/chat/fetchMessages/a",
        "/chat/sendStateTyping/a",
        "/client/archiveChat/a",
    ] {
        let (s, b) = h.post(path, never.clone()).await;
        assert_eq!(
            (s, b),
            (404, json!({"success": false, "error": "Chat not Found"})),
            "{path}"
        );
    }
    let (s, b) = h.post("/chat/clearMessages/a", json!({})).await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().contains("chatId"), "{b}");
    let (s, b) = h
        .post("/client/getChatById/a", json!({"chatId": "abc"}))
        .await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().starts_with("chatId"), "{b}");
    let (s, b) = h.post("/client/getChatsByLabelId/a", json!({})).await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().contains("labelId"), "{b}");
    let (s, b) = h
        .post("/client/getChatsByLabelId/a", json!({"labelId": "99"}))
        .await;
    assert_eq!(
        (s, b),
        (404, json!({"success": false, "error": "Label not Found"}))
    );
    let (s, _) = h.post("/chat/getClassInfo/nosuch", never).await;
    assert_eq!(s, 404);

    // Every route of this area is in the OpenAPI document.
    let (s, doc) = h.get("/api-docs").await;
    assert_eq!(s, 200);
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/client/getChats/{sessionId}",
        "/client/getChatById/{sessionId}",
        "/client/getChatsByLabelId/{sessionId}",
        "/client/archiveChat/{sessionId}",
        "/client/unarchiveChat/{sessionId}",
        "/client/pinChat/{sessionId}",
        "/client/unpinChat/{sessionId}",
        "/client/muteChat/{sessionId}",
        "/client/unmuteChat/{sessionId}",
        "/client/markChatUnread/{sessionId}",
        "/client/sendSeen/{sessionId}",
        "/client/createGroup/{sessionId}",
        "/client/getCommonGroups/{sessionId}",
        "/client/acceptInvite/{sessionId}",
        "/client/getInviteInfo/{sessionId}",
        "/chat/getClassInfo/{sessionId}",
        "/chat/clearMessages/{sessionId}",
        "/chat/clearState/{sessionId}",
        "/chat/delete/{sessionId}",
        "/chat/fetchMessages/{sessionId}",
        "/chat/getContact/{sessionId}",
        "/chat/sendStateRecording/{sessionId}",
        "/chat/sendStateTyping/{sessionId}",
        "/groupChat/getClassInfo/{sessionId}",
        "/groupChat/addParticipants/{sessionId}",
        "/groupChat/removeParticipants/{sessionId}",
        "/groupChat/promoteParticipants/{sessionId}",
        "/groupChat/demoteParticipants/{sessionId}",
        "/groupChat/getInviteCode/{sessionId}",
        "/groupChat/revokeInvite/{sessionId}",
        "/groupChat/leave/{sessionId}",
        "/groupChat/setSubject/{sessionId}",
        "/groupChat/setDescription/{sessionId}",
        "/groupChat/setInfoAdminsOnly/{sessionId}",
        "/groupChat/setMessagesAdminsOnly/{sessionId}",
        "/groupChat/setPicture/{sessionId}",
        "/groupChat/deletePicture/{sessionId}",
    ] {
        assert!(paths.contains_key(p), "{p} missing from /api-docs");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for s in [
        "ChatJson",
        "GroupMetadataJson",
        "ParticipantJson",
        "WidJson",
    ] {
        assert!(schemas.contains_key(s), "schema {s} missing");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_state_routes_reach_the_other_device() {
    let h = Harness::new().await;
    h.account(ALICE, "Alice");
    h.account(BOB, "Bob");
    h.link("a", ALICE).await;
    h.link("b", ALICE).await;
    app_state_ready(&h, "a").await;
    app_state_ready(&h, "b").await;
    let id = h.sim.send_text(BOB, &to_alice(), "hello").unwrap();
    let chat = json!({"chatId": bob()});
    for s in ["a", "b"] {
        until(
            &h,
            &format!("/chat/fetchMessages/{s}"),
            chat.clone(),
            |s, b| s == 200 && b["messages"][0]["id"]["id"] == json!(id),
        )
        .await;
    }
    // What session b sees of the chat, once `f` holds.
    let on_b = |f: fn(&Value) -> bool| {
        until(&h, "/client/getChatById/b", chat.clone(), move |s, b| {
            s == 200 && f(&b["chat"])
        })
    };

    let (s, b) = h.post("/client/archiveChat/a", chat.clone()).await;
    assert_eq!((s, b), (200, json!({"success": true, "result": true})));
    on_b(|c| c["archived"] == json!(true)).await;

    let (s, b) = h.post("/client/pinChat/a", chat.clone()).await;
    assert_eq!((s, b), (200, json!({"success": true, "result": true})));
    on_b(|c| c["pinned"] == json!(true)).await;

    // Mute until a date (string), forever, then unmute.
    let t = chrono::Utc::now().timestamp() + 7200;
    let date = chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339();
    let (s, b) = h
        .post(
            "/client/muteChat/a",
            json!({"chatId": bob(), "unmuteDate": date}),
        )
        .await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"success": true, "mute": {"isMuted": true, "muteExpiration": t}})
        )
    );
    let c = until(&h, "/client/getChatById/b", chat.clone(), |s, b| {
        s == 200 && b["chat"]["isMuted"] == json!(true)
    })
    .await;
    assert_eq!(c["chat"]["muteExpiration"], json!(t));
    let (s, b) = h.post("/client/muteChat/a", chat.clone()).await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"success": true, "mute": {"isMuted": true, "muteExpiration": -1}})
        )
    );
    on_b(|c| c["muteExpiration"] == json!(-1)).await;
    let (s, b) = h.post("/client/unmuteChat/a", chat.clone()).await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"success": true, "result": {"isMuted": false, "muteExpiration": 0}})
        )
    );
    on_b(|c| c["isMuted"] == json!(false)).await;
    let (s, b) = h
        .post(
            "/client/muteChat/a",
            json!({"chatId": bob(), "unmuteDate": "2001-01-01"}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        b["error"].as_str().unwrap().starts_with("unmuteDate"),
        "{b}"
    );

    let (s, b) = h.post("/client/markChatUnread/a", chat.clone()).await;
    assert_eq!((s, b), (200, json!({"success": true, "mark": true})));
    on_b(|c| c["unreadCount"] == json!(-1)).await;

    let (s, b) = h.post("/client/unarchiveChat/a", chat.clone()).await;
    assert_eq!((s, b), (200, json!({"success": true, "result": false})));
    on_b(|c| c["archived"] == json!(false)).await;
    let (s, b) = h.post("/client/unpinChat/a", chat.clone()).await;
    assert_eq!((s, b), (200, json!({"success": true, "result": false})));
    on_b(|c| c["pinned"] == json!(false)).await;

    // A label put on the chat (through wa-session: the label routes are
    // another module's) lists it under getChatsByLabelId on b.
    let client_a = h.gateway.state.manager.client("a").unwrap();
    let jid: Jid = format!("{BOB}@s.whatsapp.net").parse().unwrap();
    client_a
        .put_label(&wa_session::store::Label {
            id: "5".into(),
            name: "VIP".into(),
            color: 1,
        })
        .await
        .unwrap();
    client_a.add_chat_label(&jid, "5").await.unwrap();
    let b = until(
        &h,
        "/client/getChatsByLabelId/b",
        json!({"labelId": "5"}),
        |s, b| s == 200 && b["chats"].as_array().is_some_and(|c| c.len() == 1),
    )
    .await;
    assert_eq!(b["chats"][0]["id"]["_serialized"], json!(bob()));
    assert_eq!(b["chats"][0]["labels"], json!(["5"]));

    // Clear: b's copy of the messages goes, the chat stays.
    let (s, b) = h.post("/chat/clearMessages/a", chat.clone()).await;
    assert_eq!(
        (s, b),
        (200, json!({"success": true, "clearMessages": true}))
    );
    until(&h, "/chat/fetchMessages/b", chat.clone(), |s, b| {
        s == 200 && b["messages"] == json!([])
    })
    .await;
    // Delete: the chat is gone on b.
    let (s, b) = h.post("/chat/delete/a", chat.clone()).await;
    assert_eq!((s, b), (200, json!({"success": true, "deleteChat": true})));
    until(&h, "/client/getChatById/b", chat.clone(), |s, b| {
        s == 404 && b["error"] == json!("Chat not Found")
    })
    .await;
}
