//! Group routes over real HTTP (`/client/createGroup`, `getCommonGroups`,
//! `getInviteInfo`, `acceptInvite`, `/groupChat/*`): the GroupChat JSON
//! and every change checked in the sim's world (`h.sim.group_info`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use common::Harness;
use serde_json::{Value, json};

const ME: &str = "6281500000001";
const BOB: &str = "6281500000002";
const CAROL: &str = "6281500000003";
const DAVE: &str = "6281500000004";
const NOBODY: &str = "6289999999990";

fn cus(p: &str) -> String {
    format!("{p}@c.us")
}

/// The sim's admin attribute of `phone` in group `g` (`None` = member),
/// `Err` when not a member.
fn sim_role(h: &Harness, g: &str, phone: &str) -> Result<Option<&'static str>, ()> {
    let info = h.sim.group_info(g).unwrap();
    info.participants
        .iter()
        .find(|p| p.jid == format!("{phone}@s.whatsapp.net"))
        .map(|p| p.admin)
        .ok_or(())
}

fn picture_id(h: &Harness, g: &str) -> Option<String> {
    let id = g.trim_end_matches("@g.us").to_owned();
    h.sim
        .with_world(|w| w.group(&id).and_then(|g| g.picture_id.clone()))
}

async fn harness() -> Harness {
    let h = Harness::new().await;
    for (p, n) in [(ME, "Me"), (BOB, "Bob"), (CAROL, "Carol"), (DAVE, "Dave")] {
        h.account(p, n);
    }
    h.link("s", ME).await;
    h
}

async fn participants(h: &Harness, op: &str, g: &str, who: &[&str]) -> (u16, Value) {
    let ids: Vec<String> = who.iter().map(|p| cus(p)).collect();
    h.post(
        &format!("/groupChat/{op}Participants/s"),
        json!({"chatId": g, "contactIds": ids}),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_manages_a_group_end_to_end() {
    let h = harness().await;

    // createGroup: the unknown number is reported, the group is made.
    let (s, b) = h
        .post(
            "/client/createGroup/s",
            json!({"name": "Team", "participants": [cus(BOB), CAROL, cus(NOBODY)]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let r = &b["response"];
    assert_eq!(r["title"], json!("Team"));
    assert_eq!(r["gid"]["server"], json!("g.us"));
    let g = r["gid"]["_serialized"].as_str().unwrap().to_owned();
    assert_eq!(g, format!("{}@g.us", r["gid"]["user"].as_str().unwrap()));
    assert_eq!(
        r["participants"][cus(BOB)],
        json!({"statusCode": 200, "message": "The participant was added successfully",
               "isGroupCreator": false, "isInviteV4Sent": false})
    );
    assert_eq!(r["participants"][cus(CAROL)]["statusCode"], json!(200));
    assert_eq!(r["participants"][cus(NOBODY)]["statusCode"], json!(404));
    let info = h.sim.group_info(&g).unwrap();
    assert_eq!(info.subject, "Team");
    assert_eq!(info.participants.len(), 3);
    assert_eq!(sim_role(&h, &g, ME), Ok(Some("superadmin")));

    // The GroupChat object, from three routes.
    let (s, b) = h
        .post("/groupChat/getClassInfo/s", json!({"chatId": g}))
        .await;
    assert_eq!(s, 200, "{b}");
    let chat = &b["chat"];
    assert_eq!(chat["id"]["_serialized"], json!(g));
    assert_eq!(chat["isGroup"], json!(true));
    assert_eq!(chat["isReadOnly"], json!(false));
    assert_eq!(chat["name"], json!("Team"));
    let meta = &chat["groupMetadata"];
    assert_eq!(meta["id"]["_serialized"], json!(g));
    assert_eq!(meta["subject"], json!("Team"));
    assert_eq!(meta["owner"]["_serialized"], json!(cus(ME)));
    assert_eq!(meta["creation"], json!(info.creation));
    assert_eq!(meta["size"], json!(3));
    assert_eq!(meta["restrict"], json!(false));
    assert_eq!(meta["announce"], json!(false));
    assert_eq!(meta["desc"], Value::Null);
    assert_eq!(chat["participants"], meta["participants"]);
    let me = meta["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"]["_serialized"] == json!(cus(ME)))
        .unwrap();
    assert_eq!(
        me,
        &json!({"id": {"server": "c.us", "user": ME, "_serialized": cus(ME)},
                "isAdmin": true, "isSuperAdmin": true})
    );
    let (_, b2) = h.post("/chat/getClassInfo/s", json!({"chatId": g})).await;
    assert_eq!(b2["chat"]["groupMetadata"], *meta);
    let (_, b3) = h.post("/client/getChatById/s", json!({"chatId": g})).await;
    assert_eq!(b3["chat"]["groupMetadata"], *meta);
    // getChats lists it even before any message.
    let (_, all) = h.get("/client/getChats/s").await;
    assert!(
        all["chats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"]["_serialized"] == json!(g) && c["groupMetadata"]["size"] == json!(3)),
        "{all}"
    );

    // Participants: per-participant outcomes, effect in the sim.
    let (s, b) = participants(&h, "add", &g, &[DAVE]).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        b,
        json!({"success": true, "participants": {cus(DAVE): {"code": 200,
               "message": "The participant was added successfully"}}})
    );
    assert_eq!(sim_role(&h, &g, DAVE), Ok(None));
    let (_, b) = participants(&h, "add", &g, &[DAVE]).await;
    assert_eq!(b["participants"][cus(DAVE)]["code"], json!(409));
    let (_, b) = participants(&h, "promote", &g, &[BOB]).await;
    assert_eq!(b["participants"][cus(BOB)]["code"], json!(200));
    assert_eq!(sim_role(&h, &g, BOB), Ok(Some("admin")));
    let (_, b) = participants(&h, "demote", &g, &[BOB]).await;
    assert_eq!(b["participants"][cus(BOB)]["code"], json!(200));
    assert_eq!(sim_role(&h, &g, BOB), Ok(None));
    let (_, b) = participants(&h, "remove", &g, &[CAROL]).await;
    assert_eq!(b["participants"][cus(CAROL)]["code"], json!(200));
    assert_eq!(sim_role(&h, &g, CAROL), Err(()));
    let (_, b) = participants(&h, "remove", &g, &[CAROL]).await;
    assert_eq!(b["participants"][cus(CAROL)]["code"], json!(404));

    // Subject and description answer the group after the change.
    let (s, b) = h
        .post(
            "/groupChat/setSubject/s",
            json!({"chatId": g, "subject": "Team 2"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["success"], json!(true));
    assert_eq!(b["chat"]["groupMetadata"]["subject"], json!("Team 2"));
    assert_eq!(h.sim.group_info(&g).unwrap().subject, "Team 2");
    let (s, b) = h
        .post(
            "/groupChat/setDescription/s",
            json!({"chatId": g, "description": "About us"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["chat"]["groupMetadata"]["desc"], json!("About us"));
    assert!(b["chat"]["groupMetadata"]["descId"].is_string());
    assert_eq!(
        h.sim.group_info(&g).unwrap().description.as_deref(),
        Some("About us")
    );

    // Settings.
    let flag = json!({"success": true, "result": true});
    let (s, b) = h
        .post(
            "/groupChat/setInfoAdminsOnly/s",
            json!({"chatId": g, "adminsOnly": true}),
        )
        .await;
    assert_eq!((s, b), (200, flag.clone()));
    assert!(h.sim.group_info(&g).unwrap().locked);
    let (s, b) = h
        .post("/groupChat/setMessagesAdminsOnly/s", json!({"chatId": g}))
        .await;
    assert_eq!((s, b), (200, flag.clone()));
    assert!(h.sim.group_info(&g).unwrap().announce);
    let (_, b) = h
        .post("/groupChat/getClassInfo/s", json!({"chatId": g}))
        .await;
    assert_eq!(b["chat"]["groupMetadata"]["restrict"], json!(true));
    assert_eq!(b["chat"]["groupMetadata"]["announce"], json!(true));
    for op in ["setInfoAdminsOnly", "setMessagesAdminsOnly"] {
        let (s, _) = h
            .post(
                &format!("/groupChat/{op}/s"),
                json!({"chatId": g, "adminsOnly": false}),
            )
            .await;
        assert_eq!(s, 200);
    }
    let info = h.sim.group_info(&g).unwrap();
    assert!(!info.locked && !info.announce);

    // Picture.
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 0xFF, 0xD9];
    let data = base64::engine::general_purpose::STANDARD.encode(jpeg);
    let (s, b) = h
        .post(
            "/groupChat/setPicture/s",
            json!({"chatId": g, "pictureMimetype": "image/jpeg", "pictureData": data}),
        )
        .await;
    assert_eq!((s, b), (200, flag.clone()));
    assert!(picture_id(&h, &g).is_some());
    let (s, b) = h
        .post("/groupChat/deletePicture/s", json!({"chatId": g}))
        .await;
    assert_eq!((s, b), (200, flag.clone()));
    assert_eq!(picture_id(&h, &g), None);

    // Invite code and revoke.
    let (s, b) = h
        .post("/groupChat/getInviteCode/s", json!({"chatId": g}))
        .await;
    assert_eq!(s, 200, "{b}");
    let code = h.sim.group_info(&g).unwrap().invite_code;
    assert_eq!(b, json!({"success": true, "inviteCode": code}));
    let (s, b) = h
        .post("/groupChat/revokeInvite/s", json!({"chatId": g}))
        .await;
    assert_eq!(s, 200, "{b}");
    let fresh = h.sim.group_info(&g).unwrap().invite_code;
    assert_ne!(fresh, code);
    assert_eq!(b, json!({"success": true, "newInviteCode": fresh}));

    // Common groups with Bob (still a member) and Carol (removed).
    let (s, b) = h
        .post("/client/getCommonGroups/s", json!({"contactId": cus(BOB)}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        b["groups"],
        json!([{"server": "g.us", "user": g.trim_end_matches("@g.us"), "_serialized": g}])
    );
    let (_, b) = h
        .post("/client/getCommonGroups/s", json!({"contactId": CAROL}))
        .await;
    assert_eq!(b["groups"], json!([]));

    // Errors.
    let (s, b) = h
        .post("/groupChat/getInviteCode/s", json!({"chatId": cus(BOB)}))
        .await;
    assert_eq!(
        (s, b),
        (
            422,
            json!({"success": false, "error": "The chat is not a group"})
        )
    );
    let (s, b) = h
        .post("/groupChat/addParticipants/s", json!({"chatId": g}))
        .await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().contains("contactIds"), "{b}");
    let (s, b) = h
        .post(
            "/groupChat/addParticipants/s",
            json!({"chatId": g, "contactIds": []}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        b["error"].as_str().unwrap().starts_with("contactIds"),
        "{b}"
    );
    let (s, b) = h
        .post(
            "/groupChat/setPicture/s",
            json!({"chatId": g, "pictureMimetype": "image/png", "pictureData": "iVBO"}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        b["error"].as_str().unwrap().starts_with("pictureMimetype"),
        "{b}"
    );
    let (s, b) = h
        .post("/groupChat/setSubject/s", json!({"chatId": g}))
        .await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().contains("subject"), "{b}");
    let unknown = json!({"chatId": "120363999999999999@g.us"});
    for op in ["getClassInfo", "getInviteCode", "leave"] {
        let (s, b) = h.post(&format!("/groupChat/{op}/s"), unknown.clone()).await;
        assert_eq!(
            (s, b),
            (404, json!({"success": false, "error": "Chat not Found"})),
            "{op}"
        );
    }
    let (s, b) = h.post("/client/createGroup/s", json!({"name": "X"})).await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().contains("participants"), "{b}");

    // Leave: we are gone in the sim; with no stored message the group is
    // no longer a chat of ours, and changes are refused.
    let (s, b) = h.post("/groupChat/leave/s", json!({"chatId": g})).await;
    assert_eq!((s, b), (200, json!({"success": true, "outcome": true})));
    assert_eq!(sim_role(&h, &g, ME), Err(()));
    let (s, b) = h
        .post("/groupChat/getClassInfo/s", json!({"chatId": g}))
        .await;
    assert_eq!(s, 404, "{b}");
    let (s, b) = h
        .post(
            "/groupChat/setSubject/s",
            json!({"chatId": g, "subject": "Y"}),
        )
        .await;
    assert_eq!(
        (s, b),
        (
            422,
            json!({"success": false, "error": "Not a member of the group"})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_by_invite() {
    let h = harness().await;
    let g = h
        .sim
        .create_group(BOB, "Other", &[CAROL.to_owned()], false)
        .unwrap();
    let code = h.sim.group_info(&g).unwrap().invite_code;

    let (s, b) = h
        .post("/client/getInviteInfo/s", json!({"inviteCode": code}))
        .await;
    assert_eq!(s, 200, "{b}");
    let info = &b["inviteInfo"];
    assert_eq!(info["id"]["_serialized"], json!(g));
    assert_eq!(info["subject"], json!("Other"));
    assert_eq!(sim_role(&h, &g, ME), Err(()), "info does not join");

    let (s, b) = h
        .post(
            "/client/acceptInvite/s",
            json!({"inviteCode": format!("https://chat.whatsapp.com/{code}")}),
        )
        .await;
    assert_eq!((s, b), (200, json!({"success": true, "acceptInvite": g})));
    assert_eq!(sim_role(&h, &g, ME), Ok(None));
    let (s, b) = h
        .post("/groupChat/getClassInfo/s", json!({"chatId": g}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["chat"]["groupMetadata"]["size"], json!(3));
    assert_eq!(
        b["chat"]["groupMetadata"]["owner"]["_serialized"],
        json!(cus(BOB))
    );

    // Not an admin: refused by WhatsApp.
    let (s, _) = h
        .post("/groupChat/getInviteCode/s", json!({"chatId": g}))
        .await;
    assert_eq!(s, 422);

    let (s, b) = h
        .post(
            "/client/acceptInvite/s",
            json!({"inviteCode": "NoSuchCode123"}),
        )
        .await;
    assert_eq!(
        (s, b),
        (404, json!({"success": false, "error": "Invite not Found"}))
    );
    let (s, b) = h
        .post(
            "/client/getInviteInfo/s",
            json!({"inviteCode": "bad code!"}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        b["error"].as_str().unwrap().starts_with("inviteCode"),
        "{b}"
    );
    let (s, b) = h.post("/client/getInviteInfo/s", json!({})).await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().contains("inviteCode"), "{b}");
}
