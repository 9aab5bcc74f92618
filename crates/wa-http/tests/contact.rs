//! `/contact/*` routes over real HTTP, each checked against the WhatsApp
//! side: the sim's blocklist (and its delivery rule), the about text and
//! picture the sim holds for the contact, and number formatting.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Harness;
use serde_json::{Value, json};
use wa_sim::sim_profile::ProfileChange;

const ME: &str = "6281600000001";
const BOB: &str = "6281600000002";
const CAROL: &str = "6281600000003";

fn bob() -> String {
    format!("{BOB}@c.us")
}

async fn linked() -> Harness {
    let h = Harness::new().await;
    h.account(ME, "Me");
    h.account(BOB, "Bob");
    h.account(CAROL, "Carol");
    h.link("s", ME).await;
    h
}

async fn result(h: &Harness, route: &str, contact: &str) -> Value {
    let (s, b) = h
        .post(
            &format!("/contact/{route}/s"),
            json!({"contactId": contact}),
        )
        .await;
    assert_eq!(s, 200, "{route}: {b}");
    assert_eq!(b["success"], true, "{route}: {b}");
    assert_eq!(b.as_object().unwrap().len(), 2, "{route}: {b}");
    b["result"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn class_info_block_and_unblock() {
    let h = linked().await;
    let c = result(&h, "getClassInfo", &bob()).await;
    assert_eq!(
        c["id"],
        json!({"server": "c.us", "user": BOB, "_serialized": bob()})
    );
    assert_eq!(
        (c["isUser"].clone(), c["isBlocked"].clone()),
        (json!(true), json!(false))
    );
    let me = result(&h, "getClassInfo", ME).await;
    assert_eq!(me["isMe"], true);
    let g = result(&h, "getClassInfo", "120363000000000001@g.us").await;
    assert_eq!(
        (g["isGroup"].clone(), g["isUser"].clone()),
        (json!(true), json!(false))
    );

    // Block: the server's list has Bob and stops his messages.
    assert_eq!(result(&h, "block", &bob()).await, json!(true));
    assert_eq!(h.sim.account_view(ME).unwrap()["blocklist"], json!([BOB]));
    assert!(h.sim.with_world(|w| w.blocks(ME, BOB)));
    assert_eq!(result(&h, "getClassInfo", &bob()).await["isBlocked"], true);
    // Carol never wrote: the server lists her by LID only.
    assert_eq!(result(&h, "block", CAROL).await, json!(true));
    let (_, b) = h.post("/client/getBlockedContacts/s", json!({})).await;
    let ids: Vec<String> = b["blockedContacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"]["_serialized"].as_str().unwrap().to_owned())
        .collect();
    let carol_lid = h.sim.account_view(CAROL).unwrap()["lid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&carol_lid), "{ids:?} {carol_lid}");

    // Unblock (idempotent).
    for _ in 0..2 {
        assert_eq!(result(&h, "unblock", &bob()).await, json!(true));
    }
    assert_eq!(h.sim.account_view(ME).unwrap()["blocklist"], json!([CAROL]));
    assert!(!h.sim.with_world(|w| w.blocks(ME, BOB)));
    assert_eq!(result(&h, "getClassInfo", &bob()).await["isBlocked"], false);

    // Errors.
    for (route, body) in [
        ("block", json!({"contactId": "120363000000000001@g.us"})),
        ("unblock", json!({})),
        ("getClassInfo", json!({"contactId": ""})),
        ("getAbout", json!({"contactId": "nope"})),
        ("getChat", json!({"contactId": 42})),
    ] {
        let (s, b) = h.post(&format!("/contact/{route}/s"), body).await;
        assert_eq!(s, 400, "{route}: {b}");
        assert!(
            b["error"].as_str().unwrap().contains("contactId"),
            "{route}: {b}"
        );
    }
    let (s, b) = h
        .post("/contact/block/nope", json!({"contactId": bob()}))
        .await;
    assert_eq!((s, b["error"].clone()), (404, json!("session_not_found")));
    h.get("/session/start/idle").await;
    h.wait_qr("idle").await;
    let (s, b) = h
        .post("/contact/getClassInfo/idle", json!({"contactId": bob()}))
        .await;
    assert_eq!(
        (s, b["error"].clone()),
        (404, json!("session_not_connected"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn about_picture_chat_and_number() {
    let h = linked().await;

    // About text as the sim holds it; null when privacy hides it.
    assert_eq!(result(&h, "getAbout", &bob()).await, Value::Null);
    h.sim
        .change_profile(
            BOB,
            ProfileChange {
                status: Some("at the gym".into()),
                ..ProfileChange::default()
            },
        )
        .unwrap();
    assert_eq!(result(&h, "getAbout", &bob()).await, json!("at the gym"));
    h.sim
        .change_profile(
            BOB,
            ProfileChange {
                privacy: vec![("status".into(), "none".into())],
                ..ProfileChange::default()
            },
        )
        .unwrap();
    assert_eq!(result(&h, "getAbout", &bob()).await, Value::Null);

    // Picture: none, then the sim's; hidden by privacy → null.
    assert_eq!(result(&h, "getProfilePicUrl", &bob()).await, Value::Null);
    let view = h
        .sim
        .change_profile(
            BOB,
            ProfileChange {
                picture: Some(Some(vec![0xFF, 0xD8, 9, 9, 0xFF, 0xD9])),
                ..ProfileChange::default()
            },
        )
        .unwrap();
    let id = view["picture"]["id"].as_str().unwrap().to_owned();
    let url = result(&h, "getProfilePicUrl", &bob()).await;
    assert!(
        url.as_str().unwrap().contains(&format!("/pp/{BOB}/{id}")),
        "{url}"
    );
    let (_, b) = h
        .post("/client/getProfilePicUrl/s", json!({"contactId": bob()}))
        .await;
    assert_eq!(b["result"], url);
    h.sim
        .change_profile(
            BOB,
            ProfileChange {
                privacy: vec![("profile".into(), "none".into())],
                ..ProfileChange::default()
            },
        )
        .unwrap();
    assert_eq!(result(&h, "getProfilePicUrl", &bob()).await, Value::Null);

    // The chat: defaults before any message, then what Bob's message made.
    let chat = result(&h, "getChat", &bob()).await;
    assert_eq!(chat["id"]["_serialized"], bob());
    assert_eq!(chat["isGroup"], false);
    assert_eq!(chat["timestamp"], 0);
    // No chat yet: the shared Chat object with its defaults, not 404.
    assert!(chat["name"] == "Bob" || chat["name"] == BOB, "{chat}");
    assert_eq!(chat["unreadCount"], 0);
    assert_eq!(chat["isReadOnly"], false);
    assert_eq!(chat["lastMessage"], Value::Null);
    assert!(chat.get("groupMetadata").is_none(), "{chat}");
    h.sim.send_text(BOB, ME, "hi").unwrap();
    let mut chat = Value::Null;
    for _ in 0..300 {
        chat = result(&h, "getChat", &bob()).await;
        if chat["timestamp"].as_i64().unwrap() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(chat["timestamp"].as_i64().unwrap() > 0, "{chat}");
    assert_eq!(chat["unreadCount"], 1);
    // The same Chat object as chat/getClassInfo, with the message.
    assert_eq!(chat["lastMessage"]["body"], "hi", "{chat}");
    let (s, b) = h
        .post("/chat/getClassInfo/s", json!({"chatId": bob()}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(chat, b["chat"]);
    for k in [
        "name",
        "isReadOnly",
        "archived",
        "pinned",
        "isMuted",
        "muteExpiration",
        "labels",
        "lastMessage",
    ] {
        assert!(chat.get(k).is_some(), "{k}: {chat}");
    }

    // Number formatting (libphonenumber metadata).
    assert_eq!(
        result(&h, "getFormattedNumber", "6281111111111@c.us").await,
        json!("+62 811-1111-1111")
    );
    assert_eq!(
        result(&h, "getCountryCode", "6281111111111@c.us").await,
        json!("62")
    );
    assert_eq!(
        result(&h, "getFormattedNumber", "15550001111").await,
        json!("+1 555-000-1111")
    );
    assert_eq!(
        result(&h, "getCountryCode", "15550001111").await,
        json!("1")
    );
    let (s, b) = h
        .post(
            "/contact/getCountryCode/s",
            json!({"contactId": "999@c.us"}),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(b["error"].as_str().unwrap().contains("contactId"));
}

/// The OpenAPI document lists every client and contact route of this
/// area with a 200 schema, and its references resolve.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_every_route() {
    let h = Harness::new().await;
    let (s, doc) = h.get("/api-docs").await;
    assert_eq!(s, 200);
    for (path, method) in [
        ("/client/getClassInfo/{sessionId}", "get"),
        ("/client/getBlockedContacts/{sessionId}", "post"),
        ("/client/getContactById/{sessionId}", "post"),
        ("/client/getContacts/{sessionId}", "get"),
        ("/client/getLabels/{sessionId}", "post"),
        ("/client/getLabelById/{sessionId}", "post"),
        ("/client/getChatLabels/{sessionId}", "post"),
        ("/client/addOrRemoveLabels/{sessionId}", "post"),
        ("/client/getNumberId/{sessionId}", "post"),
        ("/client/isRegisteredUser/{sessionId}", "post"),
        ("/client/getProfilePicUrl/{sessionId}", "post"),
        ("/client/getState/{sessionId}", "get"),
        ("/client/sendPresenceAvailable/{sessionId}", "post"),
        ("/client/sendPresenceUnavailable/{sessionId}", "post"),
        ("/client/setDisplayName/{sessionId}", "post"),
        ("/client/setProfilePicture/{sessionId}", "post"),
        ("/client/setStatus/{sessionId}", "post"),
        ("/client/getWWebVersion/{sessionId}", "get"),
        ("/contact/getClassInfo/{sessionId}", "post"),
        ("/contact/block/{sessionId}", "post"),
        ("/contact/unblock/{sessionId}", "post"),
        ("/contact/getAbout/{sessionId}", "post"),
        ("/contact/getChat/{sessionId}", "post"),
        ("/contact/getFormattedNumber/{sessionId}", "post"),
        ("/contact/getCountryCode/{sessionId}", "post"),
        ("/contact/getProfilePicUrl/{sessionId}", "post"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} undocumented");
        let ok = &op["responses"]["200"]["content"]["application/json"]["schema"];
        assert!(ok.is_object(), "{method} {path}: no 200 schema");
        assert!(op["responses"]["404"].is_object() || path.contains("getState"));
    }
    // Schemas resolve: every $ref points at a component.
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = r.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
    // A nullable result is documented as such.
    let r = &doc["components"]["schemas"]["ResultResponse_Option_WidJson"]["properties"]["result"];
    assert_eq!(r["oneOf"][0], json!({"type": "null"}), "{r}");
}
