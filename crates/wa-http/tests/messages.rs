//! `/message/*` and `/client/searchMessages`: the JSON each returns and
//! the effect on the WhatsApp side (the phone's inbox for reactions,
//! replies, forwards and revokes; the account's app state for stars and
//! deletes-for-me).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod msg_helpers;

use base64::Engine as _;
use common::Harness;
use msg_helpers::*;
use serde_json::{Value, json};

fn app_version(h: &Harness, collection: &str) -> u64 {
    h.sim.with_world(|w| w.appstate().version(US, collection))
}

/// The phone writes `text` to us; returns its id once we stored it.
async fn incoming(h: &Harness, text: &str) -> String {
    let id = h.sim.send_text(PHONE, US, text).unwrap();
    wait_stored(h, &cus(PHONE), &id).await;
    id
}

fn msg(id: &str) -> Value {
    json!({"chatId": cus(PHONE), "messageId": id})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn class_info_search_and_lookup_errors() {
    let h = setup().await;
    let chat = cus(PHONE);
    let id = incoming(&h, "find the needle here").await;
    let (s, b) = op(&h, "getClassInfo", msg(&id)).await;
    assert_eq!(s, 200, "{b}");
    let m = &b["message"];
    assert_eq!(m["id"]["id"], json!(id));
    assert_eq!(m["id"]["fromMe"], json!(false));
    assert_eq!(m["id"]["_serialized"], json!(format!("false_{chat}_{id}")));
    assert_eq!(m["from"], json!(chat));
    assert_eq!(m["to"], json!(cus(US)));
    assert_eq!(m["body"], json!("find the needle here"));
    assert_eq!(m["type"], json!("chat"));
    assert_eq!(m["author"], Value::Null);
    assert_eq!(m["isStarred"], json!(false));
    // The serialized id works too.
    let (s, b) = op(
        &h,
        "getClassInfo",
        json!({"chatId": chat, "messageId": format!("false_{chat}_{id}")}),
    )
    .await;
    assert_eq!((s, b["message"]["id"]["id"].clone()), (200, json!(id)));

    // Search: text, chat filter, paging (newest first).
    let other = send_ok(
        &h,
        json!({"chatId": cus(THIRD), "contentType": "string", "content": "a NEEDLE elsewhere"}),
    )
    .await;
    let (s, b) = post(&h, "/client/searchMessages/s", json!({"query": "needle"})).await;
    assert_eq!(s, 200, "{b}");
    let ids: Vec<&str> = b["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [other["id"]["id"].as_str().unwrap(), id.as_str()]);
    let (_, b) = post(
        &h,
        "/client/searchMessages/s",
        json!({"query": "needle", "options": {"chatId": chat}}),
    )
    .await;
    assert_eq!(b["messages"].as_array().unwrap().len(), 1);
    assert_eq!(b["messages"][0]["id"]["id"], json!(id));
    let (_, b) = post(
        &h,
        "/client/searchMessages/s",
        json!({"query": "needle", "options": {"limit": 1, "page": 2}}),
    )
    .await;
    assert_eq!(b["messages"].as_array().unwrap().len(), 1);
    assert_eq!(b["messages"][0]["id"]["id"], json!(id));
    let (_, b) = post(&h, "/client/searchMessages/s", json!({"query": "haystack"})).await;
    assert_eq!(b["messages"], json!([]));
    let (s, b) = post(&h, "/client/searchMessages/s", json!({})).await;
    names_field(s, &b, "query");
    let (s, b) = post(
        &h,
        "/client/searchMessages/s",
        json!({"query": "x", "options": {"chatId": "zz"}}),
    )
    .await;
    names_field(s, &b, "options.chatId");

    // Lookup errors, the same for every route.
    for route in [
        "getClassInfo",
        "delete",
        "downloadMedia",
        "forward",
        "getInfo",
        "getMentions",
        "getOrder",
        "getPayment",
        "getQuotedMessage",
        "react",
        "reply",
        "star",
        "unstar",
    ] {
        let body = json!({"chatId": chat, "messageId": "3EB0NOPE", "destinationChatId": cus(THIRD),
                          "reaction": "👍", "content": "x"});
        let (s, b) = op(&h, route, body).await;
        assert_eq!(
            (s, b.clone()),
            (404, json!({"success": false, "error": "Message not Found"})),
            "{route}"
        );
        let (s, b) = op(
            &h,
            route,
            json!({"chatId": "nope", "messageId": id, "destinationChatId": cus(THIRD),
                                           "reaction": "👍", "content": "x"}),
        )
        .await;
        names_field(s, &b, "chatId");
        let (s, b) = op(&h, route, json!({"chatId": chat})).await;
        assert_eq!(s, 400, "{route} {b}");
        let (s, _) = h.post(&format!("/message/{route}/nope"), msg(&id)).await;
        assert_eq!(s, 404, "{route}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn react_reply_forward_and_quoted() {
    let h = setup().await;
    let chat = cus(PHONE);
    let id = incoming(&h, "how are you?").await;

    let (s, b) = op(
        &h,
        "react",
        json!({"chatId": chat, "messageId": id, "reaction": "👍"}),
    )
    .await;
    assert_eq!((s, b), (200, json!({"success": true, "result": true})));
    let e = h
        .eventually(|| {
            h.sim
                .inbox(PHONE)
                .unwrap()
                .into_iter()
                .find(|e| e.kind == "reaction" && e.text == "👍")
        })
        .await;
    assert_eq!(e.refs.unwrap().target_id.as_deref(), Some(id.as_str()));
    let (s, _) = op(
        &h,
        "react",
        json!({"chatId": chat, "messageId": id, "reaction": ""}),
    )
    .await;
    assert_eq!(s, 200);
    let e = h
        .eventually(|| {
            h.sim
                .inbox(PHONE)
                .unwrap()
                .into_iter()
                .find(|e| e.kind == "reaction" && e.text.is_empty())
        })
        .await;
    assert_eq!(e.refs.unwrap().target_id.as_deref(), Some(id.as_str()));
    let (s, b) = op(&h, "react", json!({"chatId": chat, "messageId": id})).await;
    names_field(s, &b, "reaction");

    // Reply in the chat, with a mention.
    let (s, b) = op(
        &h,
        "reply",
        json!({"chatId": chat, "messageId": id, "content": format!("fine @{PHONE}"), "options": {"mentions": [chat]}}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let r = &b["repliedMessage"];
    assert_eq!(
        (r["body"].clone(), r["hasQuotedMsg"].clone()),
        (json!(format!("fine @{PHONE}")), json!(true))
    );
    let reply_id = r["id"]["id"].as_str().unwrap().to_owned();
    let e = inbox_entry(&h, PHONE, &reply_id).await;
    let refs = e.refs.unwrap();
    assert_eq!(refs.quoted_id.as_deref(), Some(id.as_str()));
    assert_eq!(refs.mentions, [format!("{PHONE}@s.whatsapp.net")]);

    // getQuotedMessage on the reply; getMentions on it.
    let (s, b) = op(&h, "getQuotedMessage", msg(&reply_id)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["quotedMessage"]["id"]["id"], json!(id));
    assert_eq!(b["quotedMessage"]["body"], json!("how are you?"));
    let (s, b) = op(&h, "getQuotedMessage", msg(&id)).await;
    assert_eq!(
        (s, b["error"].clone()),
        (404, json!("Quoted message not Found"))
    );
    let (s, b) = op(&h, "getMentions", msg(&reply_id)).await;
    assert_eq!(s, 200, "{b}");
    let c = &b["contacts"][0];
    assert_eq!(b["contacts"].as_array().unwrap().len(), 1);
    assert_eq!(
        c["id"],
        json!({"server": "c.us", "user": PHONE, "_serialized": chat})
    );
    assert_eq!(c["number"], json!(PHONE));
    assert_eq!(
        (c["isMe"].clone(), c["isUser"].clone(), c["isGroup"].clone()),
        (json!(false), json!(true), json!(false))
    );
    let (_, b) = op(&h, "getMentions", msg(&id)).await;
    assert_eq!(b["contacts"], json!([]));

    // A quote of a message we never stored: built from the quote itself.
    let ghost = wa_proto::proto::wa::Message {
        extended_text_message: Some(Box::new(
            wa_proto::proto::wa::message::ExtendedTextMessage {
                text: Some("re: ghost".into()),
                context_info: Some(Box::new(wa_proto::proto::wa::ContextInfo {
                    stanza_id: Some("3EB0GHOST".into()),
                    participant: Some(format!("{PHONE}@s.whatsapp.net")),
                    quoted_message: Some(Box::new(wa_proto::proto::wa::Message {
                        conversation: Some("ghost".into()),
                        ..Default::default()
                    })),
                    ..Default::default()
                })),
                ..Default::default()
            },
        )),
        ..Default::default()
    };
    let gid = h.sim.send_message(PHONE, US, ghost).unwrap();
    wait_stored(&h, &chat, &gid).await;
    let (s, b) = op(&h, "getQuotedMessage", msg(&gid)).await;
    assert_eq!(s, 200, "{b}");
    let q = &b["quotedMessage"];
    assert_eq!(
        (
            q["id"]["id"].clone(),
            q["body"].clone(),
            q["fromMe"].clone(),
            q["type"].clone()
        ),
        (
            json!("3EB0GHOST"),
            json!("ghost"),
            json!(false),
            json!("chat")
        )
    );

    // Reply elsewhere, and with media.
    let (s, b) = op(
        &h,
        "reply",
        json!({"chatId": chat, "messageId": id, "content": "fyi", "destinationChatId": cus(THIRD)}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["repliedMessage"]["id"]["remote"], json!(cus(THIRD)));
    let e = inbox_entry(&h, THIRD, b["repliedMessage"]["id"]["id"].as_str().unwrap()).await;
    assert_eq!(e.refs.unwrap().quoted_id.as_deref(), Some(id.as_str()));
    let img = file(3000, 5);
    let (s, b) = op(
        &h,
        "reply",
        json!({"chatId": chat, "messageId": id, "content": {"mimetype": "image/jpeg", "data": b64(&img)}, "options": {"caption": "look"}}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["repliedMessage"]["type"], json!("image"));
    let e = inbox_entry(&h, PHONE, b["repliedMessage"]["id"]["id"].as_str().unwrap()).await;
    assert_eq!((e.kind.as_str(), e.text.as_str()), ("image", "look"));
    assert_eq!(e.media.unwrap().sha256, Some(sha_hex(&img)));
    assert_eq!(e.refs.unwrap().quoted_id.as_deref(), Some(id.as_str()));
    let (s, b) = op(
        &h,
        "reply",
        json!({"chatId": chat, "messageId": id, "content": 5}),
    )
    .await;
    names_field(s, &b, "content");

    // Forward.
    let (s, b) = op(
        &h,
        "forward",
        json!({"chatId": chat, "messageId": id, "destinationChatId": cus(THIRD)}),
    )
    .await;
    assert_eq!((s, b), (200, json!({"success": true, "result": true})));
    let e = h
        .eventually(|| {
            h.sim
                .inbox(THIRD)
                .unwrap()
                .into_iter()
                .find(|e| e.text == "how are you?")
        })
        .await;
    assert!(e.refs.unwrap().forwarded);
    let (s, b) = op(
        &h,
        "forward",
        json!({"chatId": chat, "messageId": id, "destinationChatId": "x"}),
    )
    .await;
    names_field(s, &b, "destinationChatId");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn star_delete_and_info() {
    let h = setup().await;
    let chat = cus(PHONE);
    let theirs = incoming(&h, "keep this").await;
    let low = app_version(&h, "regular_low");
    let (s, b) = op(&h, "star", msg(&theirs)).await;
    assert_eq!((s, b), (200, json!({"success": true, "result": true})));
    assert_eq!(app_version(&h, "regular_low"), low + 1);
    let m = wait_stored(&h, &chat, &theirs).await;
    assert_eq!(m["isStarred"], json!(true));
    let (s, _) = op(&h, "unstar", msg(&theirs)).await;
    assert_eq!(s, 200);
    assert_eq!(app_version(&h, "regular_low"), low + 2);
    assert_eq!(
        wait_stored(&h, &chat, &theirs).await["isStarred"],
        json!(false)
    );

    // getInfo: null for theirs; for ours the 1:1 receipts.
    let (s, b) = op(&h, "getInfo", msg(&theirs)).await;
    assert_eq!((s, b), (200, json!({"success": true, "info": null})));
    let ours = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "string", "content": "mine"}),
    )
    .await;
    let ours = ours["id"]["id"].as_str().unwrap().to_owned();
    inbox_entry(&h, PHONE, &ours).await;
    let (s, b) = op(&h, "getInfo", msg(&ours)).await;
    assert_eq!(s, 200, "{b}");
    let info = &b["info"];
    for k in ["delivery", "played", "read"] {
        let list = info[k].as_array().unwrap();
        let remaining = info[format!("{k}Remaining")].as_u64().unwrap();
        assert_eq!(list.len() as u64 + remaining, 1, "{k}: {info}");
        for e in list {
            assert_eq!(e["id"]["_serialized"], json!(chat));
            assert!(e["t"].as_i64().unwrap() > 0);
        }
    }

    // getOrder / getPayment: null.
    let (s, b) = op(&h, "getOrder", msg(&ours)).await;
    assert_eq!((s, b), (200, json!({"success": true, "order": null})));
    let (s, b) = op(&h, "getPayment", msg(&ours)).await;
    assert_eq!((s, b), (200, json!({"success": true, "payment": null})));

    // Delete for everyone: the phone sees the revoke; ours becomes revoked.
    let (s, b) = op(
        &h,
        "delete",
        json!({"chatId": chat, "messageId": ours, "everyone": true}),
    )
    .await;
    assert_eq!((s, b), (200, json!({"success": true, "result": true})));
    let e = h
        .eventually(|| {
            h.sim
                .inbox(PHONE)
                .unwrap()
                .into_iter()
                .find(|e| e.kind == "revoke")
        })
        .await;
    assert_eq!(e.refs.unwrap().target_id.as_deref(), Some(ours.as_str()));
    assert_eq!(
        wait_stored(&h, &chat, &ours).await["type"],
        json!("revoked")
    );

    // Delete for me: an app-state mutation; gone from our store. Asking
    // "for everyone" on their message in a 1:1 chat does the same.
    let high = app_version(&h, "regular_high");
    let (s, b) = op(
        &h,
        "delete",
        json!({"chatId": chat, "messageId": theirs, "everyone": true}),
    )
    .await;
    assert_eq!((s, b), (200, json!({"success": true, "result": true})));
    assert_eq!(app_version(&h, "regular_high"), high + 1);
    let (s, _) = op(&h, "getClassInfo", msg(&theirs)).await;
    assert_eq!(s, 404);
    // Without `everyone`: the same.
    let other = incoming(&h, "forget this").await;
    let (s, _) = op(&h, "delete", msg(&other)).await;
    assert_eq!(s, 200);
    assert_eq!(app_version(&h, "regular_high"), high + 2);
    assert_eq!(op(&h, "getClassInfo", msg(&other)).await.0, 404);
    assert!(
        !h.sim
            .inbox(PHONE)
            .unwrap()
            .iter()
            .any(|e| e.kind == "revoke"
                && e.refs.as_ref().and_then(|r| r.target_id.as_deref()) == Some(theirs.as_str()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_media_of_received_and_sent_messages() {
    let h = setup().await;
    let chat = cus(PHONE);
    let img = file(7000, 3);
    let id = h
        .sim
        .send_image(PHONE, US, &img, "image/png", "a cat")
        .unwrap();
    let m = wait_stored(&h, &chat, &id).await;
    assert_eq!(
        (m["type"].clone(), m["hasMedia"].clone(), m["body"].clone()),
        (json!("image"), json!(true), json!("a cat"))
    );
    let (s, b) = op(&h, "downloadMedia", msg(&id)).await;
    assert_eq!(s, 200, "{b}");
    let mm = &b["messageMedia"];
    assert_eq!(mm["mimetype"], json!("image/png"));
    assert_eq!(mm["filesize"], json!(img.len()));
    assert_eq!(mm["filename"], Value::Null);
    let data = base64::engine::general_purpose::STANDARD
        .decode(mm["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(data, img);

    // Our own document.
    let pdf = file(5000, 8);
    let sent = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "MessageMedia", "content": {"mimetype": "application/pdf", "data": b64(&pdf), "filename": "r.pdf"}}),
    )
    .await;
    let (s, b) = op(&h, "downloadMedia", msg(sent["id"]["id"].as_str().unwrap())).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["messageMedia"]["filename"], json!("r.pdf"));
    assert_eq!(b["messageMedia"]["mimetype"], json!("application/pdf"));
    let data = base64::engine::general_purpose::STANDARD
        .decode(b["messageMedia"]["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(data, pdf);

    // No media: 422.
    let text = incoming(&h, "just text").await;
    let (s, b) = op(&h, "downloadMedia", msg(&text)).await;
    assert_eq!(
        (s, b["error"].clone()),
        (422, json!("The message has no media"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_above_the_attachment_limit_is_refused() {
    let h = Harness::with(|c, _| c.max_attachment_size = 4000).await;
    linked(&h).await;
    let id = h
        .sim
        .send_image(PHONE, US, &file(6000, 1), "image/png", "")
        .unwrap();
    wait_stored(&h, &cus(PHONE), &id).await;
    let (s, b) = op(&h, "downloadMedia", msg(&id)).await;
    assert_eq!(s, 422, "{b}");
    assert!(
        b["error"].as_str().unwrap().contains("MAX_ATTACHMENT_SIZE"),
        "{b}"
    );
}
