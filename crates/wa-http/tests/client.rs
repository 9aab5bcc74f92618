//! `/client/*` account routes over real HTTP, each checked on the WhatsApp
//! side: the sim's account view (about text, picture, presence, push
//! name), its blocklist, its registered numbers, and a second linked
//! device of the same account (labels, push name) through app state.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use base64::Engine as _;
use common::Harness;
use serde_json::{Value, json};
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_session::store::{Label, Store};

const ME: &str = "6281500000001";
const BOB: &str = "6281500000002";
const NOBODY: &str = "6289999999991";

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn bob() -> String {
    format!("{BOB}@c.us")
}

async fn linked() -> Harness {
    let h = Harness::new().await;
    h.account(ME, "Me");
    h.account(BOB, "Bob");
    h.link("s", ME).await;
    h
}

fn store(h: &Harness) -> Arc<dyn Store> {
    Arc::clone(h.gateway.state.manager.store())
}

/// Polls an HTTP call until `f` accepts its body.
async fn until_body(
    h: &Harness,
    what: &str,
    call: impl Fn() -> (String, Option<Value>),
    f: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..300 {
        let (path, body) = call();
        let (s, b) = match body {
            Some(body) => h.post(&path, body).await,
            None => h.get(&path).await,
        };
        if s == 200 && f(&b) {
            return b;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("never: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_state_version_and_number_lookups() {
    let h = linked().await;

    let (s, b) = h.get("/client/getClassInfo/s").await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["success"], true);
    let info = &b["sessionInfo"];
    let wid = json!({"server": "c.us", "user": ME, "_serialized": format!("{ME}@c.us")});
    assert_eq!(info["wid"], wid);
    assert_eq!(info["me"], wid);
    assert!(info.get("pushname").is_some() && info.get("platform").is_some());

    assert_eq!(
        h.get("/client/getState/s").await,
        (200, json!({"success": true, "state": "CONNECTED"}))
    );
    let (s, b) = h.get("/client/getWWebVersion/s").await;
    assert_eq!(s, 200);
    let v = b["result"].as_str().unwrap();
    assert!(v.starts_with("2.3000.") && v.split('.').count() == 3, "{v}");

    // Registration, as the sim's accounts say.
    for (number, registered) in [
        (BOB.to_owned(), true),
        ("+62 815-0000-0002".to_owned(), true),
        (bob(), true),
        (NOBODY.to_owned(), false),
    ] {
        let (s, b) = h
            .post("/client/isRegisteredUser/s", json!({"number": number}))
            .await;
        assert_eq!(
            (s, b),
            (200, json!({"success": true, "result": registered})),
            "{number}"
        );
    }
    let (s, b) = h
        .post("/client/getNumberId/s", json!({"number": BOB}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        b["result"],
        json!({"server": "c.us", "user": BOB, "_serialized": bob()})
    );
    let (s, b) = h
        .post("/client/getNumberId/s", json!({"number": NOBODY}))
        .await;
    assert_eq!((s, b), (200, json!({"success": true, "result": null})));

    // Bad input names the field.
    for body in [json!({}), json!({"number": "abc"}), json!({"number": 5})] {
        let (s, b) = h.post("/client/isRegisteredUser/s", body).await;
        assert_eq!(s, 400, "{b}");
        assert!(b["error"].as_str().unwrap().contains("number"), "{b}");
    }
    let (s, b) = h
        .post("/client/getNumberId/s", json!({"number": "1203@g.us"}))
        .await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().contains("number"));

    // Unknown and not-yet-linked sessions.
    let (s, b) = h.get("/client/getState/nope").await;
    assert_eq!((s, b["error"].clone()), (404, json!("session_not_found")));
    let (s, b) = h.get("/client/getClassInfo/nope").await;
    assert_eq!((s, b["error"].clone()), (404, json!("session_not_found")));
    h.get("/session/start/idle").await;
    h.wait_qr("idle").await;
    let (s, b) = h.get("/client/getState/idle").await;
    assert_eq!(
        (s, b),
        (200, json!({"success": true, "state": "SCAN_QR_CODE"}))
    );
    for path in [
        "/client/getClassInfo/idle",
        "/client/getContacts/idle",
        "/client/getWWebVersion/idle",
    ] {
        let (s, b) = h.get(path).await;
        assert_eq!(
            (s, b["error"].clone()),
            (404, json!("session_not_connected")),
            "{path}"
        );
    }
    let (s, b) = h
        .post("/client/isRegisteredUser/idle", json!({"number": BOB}))
        .await;
    assert_eq!(
        (s, b["error"].clone()),
        (404, json!("session_not_connected"))
    );
    let (s, _) = h.get("/client/getState/bad@id").await;
    assert_eq!(s, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_presence_and_push_name_reach_whatsapp() {
    let h = linked().await;

    // About text.
    let (s, b) = h
        .post("/client/setStatus/s", json!({"status": "building things"}))
        .await;
    assert_eq!((s, b), (200, json!({"success": true})));
    assert_eq!(h.sim.account_view(ME).unwrap()["status"], "building things");
    let (s, b) = h
        .post("/client/setStatus/s", json!({"status": "x".repeat(140)}))
        .await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().contains("status"));
    let (s, b) = h.post("/client/setStatus/s", json!({})).await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().contains("status"));

    // Profile picture: JPEG as is, PNG converted to JPEG.
    let (s, b) = h
        .post(
            "/client/getProfilePicUrl/s",
            json!({"contactId": format!("{ME}@c.us")}),
        )
        .await;
    assert_eq!((s, b), (200, json!({"success": true, "result": null})));
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9];
    let (s, b) = h
        .post(
            "/client/setProfilePicture/s",
            json!({"pictureMimetype": "image/jpeg", "pictureData": b64(&jpeg)}),
        )
        .await;
    assert_eq!((s, b), (200, json!({"success": true, "result": true})));
    let view = h.sim.account_view(ME).unwrap();
    let id: u64 = view["picture"]["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(h.sim.picture(ME, id).unwrap(), jpeg);
    let (s, b) = h
        .post("/client/getProfilePicUrl/s", json!({"contactId": ME}))
        .await;
    assert_eq!(s, 200);
    let url = b["result"].as_str().unwrap();
    assert!(url.contains(&format!("/pp/{ME}/{id}")), "{url}");

    let mut png = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png, 2, 2);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&[0, 128, 255, 255].repeat(4)).unwrap();
    }
    let (s, b) = h
        .post(
            "/client/setProfilePicture/s",
            json!({"pictureMimetype": "image/png", "pictureData": b64(&png)}),
        )
        .await;
    assert_eq!((s, b), (200, json!({"success": true, "result": true})));
    let view = h.sim.account_view(ME).unwrap();
    let id2: u64 = view["picture"]["id"].as_str().unwrap().parse().unwrap();
    assert_ne!(id2, id);
    let stored = h.sim.picture(ME, id2).unwrap();
    assert!(stored.starts_with(&[0xFF, 0xD8]) && stored.ends_with(&[0xFF, 0xD9]));

    for (body, field) in [
        (
            json!({"pictureMimetype": "image/gif", "pictureData": b64(&jpeg)}),
            "pictureMimetype",
        ),
        (
            json!({"pictureMimetype": "image/jpeg", "pictureData": "not base64!"}),
            "pictureData",
        ),
        (
            json!({"pictureMimetype": "image/png", "pictureData": b64(&jpeg)}),
            "pictureData",
        ),
        (
            json!({"pictureMimetype": "image/jpeg", "pictureData": b64(b"GIF89a")}),
            "pictureData",
        ),
        (json!({"pictureData": b64(&jpeg)}), "pictureMimetype"),
    ] {
        let (s, b) = h.post("/client/setProfilePicture/s", body).await;
        assert_eq!(s, 400, "{b}");
        assert!(b["error"].as_str().unwrap().contains(field), "{b}");
    }
    // Nothing changed by the rejected requests.
    assert_eq!(
        h.sim.account_view(ME).unwrap()["picture"]["id"],
        id2.to_string()
    );

    // Push name: the other linked device's credentials and our own
    // identity take it; presence then carries it to the server.
    h.link("b", ME).await;
    let (s, b) = h
        .post(
            "/client/setDisplayName/s",
            json!({"displayName": "Gateway Me"}),
        )
        .await;
    assert_eq!((s, b), (200, json!({"success": true, "result": true})));
    let st = store(&h);
    for _ in 0..300 {
        let d = st.device("b").await.unwrap().unwrap();
        if d.push_name == "Gateway Me" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        st.device("b").await.unwrap().unwrap().push_name,
        "Gateway Me"
    );
    until_body(
        &h,
        "pushname in getClassInfo",
        || ("/client/getClassInfo/s".into(), None),
        |b| b["sessionInfo"]["pushname"] == "Gateway Me",
    )
    .await;
    for body in [json!({"displayName": "  "}), json!({})] {
        let (s, b) = h.post("/client/setDisplayName/s", body).await;
        assert_eq!(s, 400);
        assert!(b["error"].as_str().unwrap().contains("displayName"), "{b}");
    }

    // Presence.
    let (s, b) = h.post("/client/sendPresenceAvailable/s", json!({})).await;
    assert_eq!(
        (s, b),
        (200, json!({"success": true, "presence": "available"}))
    );
    h.eventually(|| {
        let v = h.sim.account_view(ME).unwrap();
        (v["presence"]["available"] == true).then_some(())
    })
    .await;
    assert_eq!(h.sim.account_view(ME).unwrap()["name"], "Gateway Me");
    let (s, b) = h
        .post("/client/sendPresenceUnavailable/s", Value::Null)
        .await;
    assert_eq!(
        (s, b),
        (200, json!({"success": true, "presence": "unavailable"}))
    );
    h.eventually(|| {
        let v = h.sim.account_view(ME).unwrap();
        (v["presence"]["available"] == false && v["presence"]["last"].is_u64()).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_blocklist_and_labels() {
    let h = linked().await;
    h.link("b", ME).await;
    let st = store(&h);
    for s in ["s", "b"] {
        for _ in 0..300 {
            if st.latest_app_state_sync_key(s).await.unwrap().is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    // Bob writes (both devices get the chat); the phone's history sync
    // brings his push name.
    h.sim.send_text(BOB, ME, "hello").unwrap();
    let history = wa::HistorySync {
        sync_type: Some(wa::history_sync::HistorySyncType::PushName as i32),
        pushnames: vec![wa::Pushname {
            id: Some(format!("{BOB}@s.whatsapp.net")),
            pushname: Some("Bobby".into()),
        }],
        ..Default::default()
    };
    assert_eq!(h.sim.send_history_sync(ME, &history).unwrap(), 2);
    let b = until_body(
        &h,
        "Bob in getContacts",
        || ("/client/getContacts/s".into(), None),
        |b| {
            b["contacts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"]["_serialized"] == bob())
        },
    )
    .await;
    let c = b["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"]["_serialized"] == bob())
        .unwrap()
        .clone();
    assert_eq!(
        c["id"],
        json!({"server": "c.us", "user": BOB, "_serialized": bob()})
    );
    assert_eq!(c["number"], BOB);
    assert_eq!(c["pushname"], "Bobby");
    assert_eq!(c["type"], "out");
    for (k, v) in [
        ("isUser", true),
        ("isGroup", false),
        ("isMe", false),
        ("isBlocked", false),
        ("isWAContact", true),
        ("isEnterprise", false),
    ] {
        assert_eq!(c[k], v, "{k}: {c}");
    }
    for k in [
        "name",
        "pushname",
        "shortName",
        "type",
        "labels",
        "isBusiness",
        "isMyContact",
    ] {
        assert!(c.get(k).is_some(), "{k} missing: {c}");
    }

    let (s, b) = h
        .post("/client/getContactById/s", json!({"contactId": bob()}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["contact"]["id"]["_serialized"], bob());
    let (s, b) = h
        .post("/client/getContactById/s", json!({"contactId": ME}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["contact"]["isMe"], true);
    let (s, b) = h
        .post("/client/getContactById/s", json!({"contactId": NOBODY}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["contact"]["isWAContact"], false);
    for body in [
        json!({}),
        json!({"contactId": ""}),
        json!({"contactId": "x@c.us"}),
    ] {
        let (s, b) = h.post("/client/getContactById/s", body).await;
        assert_eq!(s, 400);
        assert!(b["error"].as_str().unwrap().contains("contactId"), "{b}");
    }

    // Blocklist: empty, then Bob (blocked on the server).
    let (s, b) = h.post("/client/getBlockedContacts/s", json!({})).await;
    assert_eq!(
        (s, b),
        (200, json!({"success": true, "blockedContacts": []}))
    );
    let (s, _) = h
        .post("/contact/block/s", json!({"contactId": bob()}))
        .await;
    assert_eq!(s, 200);
    assert!(h.sim.with_world(|w| w.blocks(ME, BOB)));
    let (s, b) = h.post("/client/getBlockedContacts/s", json!({})).await;
    assert_eq!(s, 200);
    let list = b["blockedContacts"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{b}");
    // The server lists LIDs; Bob wrote to us, so his number is known.
    assert_eq!(list[0]["id"]["_serialized"], bob());
    assert_eq!(list[0]["pushname"], "Bobby");
    assert_eq!(list[0]["isBlocked"], true);
    h.post("/contact/unblock/s", json!({"contactId": bob()}))
        .await;
    let (_, b) = h.post("/client/getBlockedContacts/s", json!({})).await;
    assert_eq!(b["blockedContacts"], json!([]));

    // Labels, created by the other device (the phone's role).
    let (s, b) = h.post("/client/getLabels/s", json!({})).await;
    assert_eq!((s, b), (200, json!({"success": true, "labels": []})));
    let other = h.gateway.state.manager.client("b").unwrap();
    for (id, name, color) in [("7", "VIP", 1), ("8", "Gold", 16)] {
        other
            .put_label(&Label {
                id: id.into(),
                name: name.into(),
                color,
            })
            .await
            .unwrap();
    }
    let vip = json!({"id": "7", "name": "VIP", "hexColor": "#64C4FF"});
    let gold = json!({"id": "8", "name": "Gold", "hexColor": "#FFAE07"});
    until_body(
        &h,
        "labels synced",
        || ("/client/getLabels/s".into(), Some(json!({}))),
        |b| b["labels"].as_array().unwrap().len() == 2,
    )
    .await;
    let (_, b) = h.post("/client/getLabels/s", json!({})).await;
    assert_eq!(b["labels"], json!([vip, gold]));
    for id in [json!("7"), json!(7)] {
        let (s, b) = h
            .post("/client/getLabelById/s", json!({"labelId": id}))
            .await;
        assert_eq!((s, b), (200, json!({"success": true, "label": vip})));
    }
    let (s, b) = h
        .post("/client/getLabelById/s", json!({"labelId": "99"}))
        .await;
    assert_eq!((s, b["error"].clone()), (404, json!("Label not Found")));
    let (s, b) = h.post("/client/getLabelById/s", json!({})).await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().contains("labelId"));

    // Set Bob's chat to [7]: the other device's chat follows.
    let bob_jid = Jid::pn(BOB);
    until_body(
        &h,
        "Bob's chat on s",
        || {
            (
                "/client/getChatLabels/s".into(),
                Some(json!({"chatId": bob()})),
            )
        },
        |b| b["chatLabels"] == json!([]),
    )
    .await;
    let (s, b) = h
        .post(
            "/client/addOrRemoveLabels/s",
            json!({"labelIds": ["7"], "chatIds": [bob()]}),
        )
        .await;
    assert_eq!((s, b), (200, json!({"success": true, "labels": [vip]})));
    let on_b = |want: Vec<&'static str>| {
        let st = Arc::clone(&st);
        let bob_jid = bob_jid.clone();
        async move {
            for _ in 0..300 {
                let c = st.chat("b", &bob_jid).await.unwrap();
                if c.as_ref().is_some_and(|c| c.labels == want) {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!("labels on b never became {want:?}");
        }
    };
    on_b(vec!["7"]).await;
    let (s, b) = h
        .post("/client/getChatLabels/s", json!({"chatId": bob()}))
        .await;
    assert_eq!((s, b), (200, json!({"success": true, "chatLabels": [vip]})));
    let (_, b) = h
        .post("/client/getContactById/s", json!({"contactId": bob()}))
        .await;
    assert_eq!(b["contact"]["labels"], json!(["7"]));
    // [8] replaces 7 (wwebjs semantics: exactly these labels).
    let (s, b) = h
        .post(
            "/client/addOrRemoveLabels/s",
            json!({"labelIds": [8], "chatIds": [BOB]}),
        )
        .await;
    assert_eq!((s, b), (200, json!({"success": true, "labels": [gold]})));
    on_b(vec!["8"]).await;
    // [] removes all.
    let (s, b) = h
        .post(
            "/client/addOrRemoveLabels/s",
            json!({"labelIds": [], "chatIds": [bob()]}),
        )
        .await;
    assert_eq!((s, b), (200, json!({"success": true, "labels": []})));
    on_b(vec![]).await;
    let (_, b) = h
        .post("/client/getChatLabels/s", json!({"chatId": bob()}))
        .await;
    assert_eq!(b["chatLabels"], json!([]));

    // Errors: unknown label or chat (nothing changed), bad fields.
    let (s, b) = h
        .post(
            "/client/addOrRemoveLabels/s",
            json!({"labelIds": ["7", "99"], "chatIds": [bob()]}),
        )
        .await;
    assert_eq!(s, 404, "{b}");
    assert!(b["error"].as_str().unwrap().contains("Label not Found"));
    let (s, b) = h
        .post(
            "/client/addOrRemoveLabels/s",
            json!({"labelIds": ["7"], "chatIds": [format!("{NOBODY}@c.us")]}),
        )
        .await;
    assert_eq!((s, b["error"].clone()), (404, json!("Chat not Found")));
    assert!(
        st.chat("s", &bob_jid)
            .await
            .unwrap()
            .unwrap()
            .labels
            .is_empty()
    );
    let (s, b) = h
        .post(
            "/client/getChatLabels/s",
            json!({"chatId": format!("{NOBODY}@c.us")}),
        )
        .await;
    assert_eq!((s, b["error"].clone()), (404, json!("Chat not Found")));
    for (body, field) in [
        (json!({"labelIds": ["7"]}), "chatIds"),
        (json!({"labelIds": ["7"], "chatIds": []}), "chatIds"),
        (json!({"labelIds": ["7"], "chatIds": ["abc"]}), "chatIds[0]"),
        (json!({"chatIds": [bob()]}), "labelIds"),
        (json!({"labelIds": "7", "chatIds": [bob()]}), "labelIds"),
    ] {
        let (s, b) = h.post("/client/addOrRemoveLabels/s", body).await;
        assert_eq!(s, 400, "{b}");
        assert!(b["error"].as_str().unwrap().contains(field), "{field}: {b}");
    }
    let (s, b) = h.post("/client/getChatLabels/s", json!({})).await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().contains("chatId"));
}
