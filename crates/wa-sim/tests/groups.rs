//! Groups: `w:g2` create/info/list, participant changes with `w:gp2`
//! notifications, admin rules and error codes, the invite flow, and the
//! `/sim/groups` control API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::groups::*;
use common::*;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;

const ALICE: &str = "6281255500001";
const BOB: &str = "6281255500002";
const CAROL: &str = "6281255500003";

#[tokio::test]
async fn create_info_list_and_create_notification() {
    let sim = start_sim().await;
    for (p, n) in [(ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let mut a = linked_client(&sim, ALICE, 10).await;
    let mut b = linked_client(&sim, BOB, 20).await;
    let (alid, blid, clid) = (lid_of(&sim, ALICE), lid_of(&sim, BOB), lid_of(&sim, CAROL));
    let create = Node::new("create")
        .with_attr("subject", "Team")
        .with_attr("key", "3EB0KEY")
        .with_children([
            Node::new("participant").with_attr("jid", Jid::pn(BOB)),
            Node::new("participant").with_attr("jid", clid.clone()),
        ]);
    let r = g2(&mut a, g_us(), "set", create).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let group = r.child("group").unwrap();
    let id = group.attr_text("id").unwrap().into_owned();
    assert!(id.starts_with("120363"));
    assert_eq!(group.attr_str("subject"), Some("Team"));
    assert_eq!(group.attr_str("addressing_mode"), Some("lid"));
    assert_eq!(group.attr_jid("creator"), Some(alid.clone()));
    assert_eq!(group.attr_jid("creator_pn"), Some(Jid::pn(ALICE)));
    assert_eq!(
        participants(group),
        vec![
            (
                alid.clone(),
                Some(Jid::pn(ALICE)),
                Some("superadmin".into())
            ),
            (blid.clone(), Some(Jid::pn(BOB)), None),
            (clid.clone(), Some(Jid::pn(CAROL)), None),
        ]
    );
    // Bob's companion learns about it; Alice's own (acting) device does not.
    let n = gp2(&mut b, "create").await;
    assert_eq!(n.attr_jid("from"), Some(Jid::group(id.clone())));
    assert_eq!(n.attr_jid("participant"), Some(alid.clone()));
    assert_eq!(n.attr_jid("participant_pn"), Some(Jid::pn(ALICE)));
    let c = n.children().first().unwrap();
    assert_eq!(c.attr_str("key"), Some("3EB0KEY"));
    assert_eq!(
        c.child("group").unwrap().attr_text("id").as_deref(),
        Some(id.as_str())
    );

    // Info, as Bob.
    let gj = Jid::group(id.clone());
    let info = g2(
        &mut b,
        gj.clone(),
        "get",
        Node::new("query").with_attr("request", "interactive"),
    )
    .await;
    assert_eq!(info.attr_jid("from"), Some(gj.clone()));
    let g = info.child("group").unwrap();
    assert_eq!(g.attr_str("subject"), Some("Team"));
    assert_eq!(participants(g).len(), 3);
    // Participating groups.
    let list = g2(
        &mut b,
        g_us(),
        "get",
        Node::new("participating")
            .with_children([Node::new("participants"), Node::new("description")]),
    )
    .await;
    let ids: Vec<String> = list
        .child("groups")
        .unwrap()
        .children_by_tag("group")
        .map(|g| g.attr_text("id").unwrap().into_owned())
        .collect();
    assert_eq!(ids, vec![id.clone()]);
    // The control API view.
    let v = sim.group_info(&gj.to_string()).unwrap();
    assert_eq!(v.subject, "Team");
    assert_eq!(v.owner, format!("{ALICE}@s.whatsapp.net"));
    assert_eq!(v.participants[0].admin, Some("superadmin"));
    assert_eq!(v.participants[2].lid, clid.to_string());
    assert!(!v.announce && !v.locked && v.ephemeral.is_none());
    let json = serde_json::to_value(&v).unwrap();
    for key in [
        "jid",
        "subject",
        "description",
        "owner",
        "creation",
        "participants",
        "announce",
        "locked",
        "ephemeral",
    ] {
        assert!(json.get(key).is_some(), "{key} in the control API view");
    }
    // Unknown group: 404.
    let r = g2(
        &mut b,
        Jid::group("120363000000000000"),
        "get",
        Node::new("query").with_attr("request", "interactive"),
    )
    .await;
    assert_eq!(error_code(&r), Some(404));
}

#[tokio::test]
async fn admin_rules_participant_changes_and_settings() {
    let sim = start_sim().await;
    for (p, n) in [(ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let gjid = sim
        .create_group(ALICE, "Rules", &[BOB.to_owned()], false)
        .unwrap();
    let gj = Jid::parse(&gjid).unwrap();
    let mut a = linked_client(&sim, ALICE, 30).await;
    let mut b = linked_client(&sim, BOB, 40).await;
    let (blid, clid) = (lid_of(&sim, BOB), lid_of(&sim, CAROL));

    // A member may rename an unlocked group; everyone else is told.
    let r = g2(
        &mut b,
        gj.clone(),
        "set",
        Node::new("subject").with_bytes(b"Renamed".to_vec()),
    )
    .await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let n = gp2(&mut a, "subject").await;
    assert_eq!(n.children()[0].attr_str("subject"), Some("Renamed"));
    assert_eq!(n.attr_jid("participant"), Some(blid.clone()));
    assert_eq!(sim.group_info(&gjid).unwrap().subject, "Renamed");

    // Members may not change settings or participants: 403.
    for child in [
        Node::new("locked"),
        Node::new("announcement"),
        Node::new("add").with_child(Node::new("participant").with_attr("jid", Jid::pn(CAROL))),
        Node::new("invite"),
    ] {
        let r = g2(&mut b, gj.clone(), "set", child).await;
        assert_eq!(error_code(&r), Some(403));
    }
    // The admin locks it; then the member cannot rename.
    let r = g2(&mut a, gj.clone(), "set", Node::new("locked")).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    gp2(&mut b, "locked").await;
    let r = g2(
        &mut b,
        gj.clone(),
        "set",
        Node::new("subject").with_bytes(b"x".to_vec()),
    )
    .await;
    assert_eq!(error_code(&r), Some(403));
    assert!(sim.group_info(&gjid).unwrap().locked);

    // Add: Carol (by LID) succeeds, Bob is already in (409), unknown is 404.
    let add = Node::new("add").with_children([
        Node::new("participant").with_attr("jid", clid.clone()),
        Node::new("participant").with_attr("jid", Jid::pn(BOB)),
        Node::new("participant").with_attr("jid", Jid::pn("6289999999999")),
    ]);
    let r = g2(&mut a, gj.clone(), "set", add).await;
    let errs: Vec<Option<String>> = r
        .child("add")
        .unwrap()
        .children_by_tag("participant")
        .map(|p| p.attr_text("error").map(|e| e.into_owned()))
        .collect();
    assert_eq!(errs, vec![None, Some("409".into()), Some("404".into())]);
    let n = gp2(&mut b, "add").await;
    let added = participants(&n.children()[0]);
    assert_eq!(added, vec![(clid.clone(), Some(Jid::pn(CAROL)), None)]);

    // Promote Bob: he becomes admin and may now lock/unlock.
    let r = g2(
        &mut a,
        gj.clone(),
        "set",
        Node::new("promote").with_child(Node::new("participant").with_attr("jid", Jid::pn(BOB))),
    )
    .await;
    assert!(
        r.child("promote").unwrap().children()[0]
            .attr("error")
            .is_none()
    );
    let n = gp2(&mut b, "promote").await;
    assert_eq!(participants(&n.children()[0])[0].0, blid);
    let r = g2(&mut b, gj.clone(), "set", Node::new("unlocked")).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    gp2(&mut a, "unlocked").await;
    // An admin cannot demote the superadmin.
    let r = g2(
        &mut b,
        gj.clone(),
        "set",
        Node::new("demote").with_child(Node::new("participant").with_attr("jid", Jid::pn(ALICE))),
    )
    .await;
    assert_eq!(
        r.child("demote").unwrap().children()[0].attr_str("error"),
        Some("403")
    );

    // Description: set, then a stale `prev` is a conflict.
    let desc = |id: &str, prev: Option<&str>| {
        let mut d = Node::new("description")
            .with_attr("id", id.to_owned())
            .with_child(Node::new("body").with_bytes(b"about".to_vec()));
        if let Some(p) = prev {
            d.attrs.insert("prev", p.to_owned());
        }
        d
    };
    let r = g2(&mut a, gj.clone(), "set", desc("D1", None)).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let n = gp2(&mut b, "description").await;
    assert_eq!(
        n.children()[0].child("body").unwrap().bytes(),
        Some(&b"about"[..])
    );
    let r = g2(&mut a, gj.clone(), "set", desc("D2", Some("WRONG"))).await;
    assert_eq!(error_code(&r), Some(409));
    let r = g2(&mut a, gj.clone(), "set", desc("D2", Some("D1"))).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    assert_eq!(
        sim.group_info(&gjid).unwrap().description.as_deref(),
        Some("about")
    );

    // Ephemeral and announce.
    let r = g2(
        &mut a,
        gj.clone(),
        "set",
        Node::new("ephemeral").with_attr("expiration", "604800"),
    )
    .await;
    assert_eq!(r.attr_str("type"), Some("result"));
    assert_eq!(
        gp2(&mut b, "ephemeral").await.children()[0].attr_str("expiration"),
        Some("604800")
    );
    assert_eq!(sim.group_info(&gjid).unwrap().ephemeral, Some(604_800));

    // Remove Bob: he is told, and afterwards is not a member (401).
    let r = g2(
        &mut a,
        gj.clone(),
        "set",
        Node::new("remove").with_child(Node::new("participant").with_attr("jid", blid.clone())),
    )
    .await;
    assert!(
        r.child("remove").unwrap().children()[0]
            .attr("error")
            .is_none()
    );
    let n = gp2(&mut b, "remove").await;
    assert_eq!(participants(&n.children()[0])[0].0, blid);
    let r = g2(
        &mut b,
        gj.clone(),
        "get",
        Node::new("query").with_attr("request", "interactive"),
    )
    .await;
    assert_eq!(error_code(&r), Some(401));
    let v = sim.group_info(&gjid).unwrap();
    let members: Vec<&str> = v.participants.iter().map(|p| p.jid.as_str()).collect();
    assert_eq!(
        members,
        vec![
            format!("{ALICE}@s.whatsapp.net").as_str(),
            format!("{CAROL}@s.whatsapp.net").as_str()
        ]
    );
}

#[tokio::test]
async fn invite_code_info_accept_revoke_and_leave() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let gjid = sim.create_group(ALICE, "Invite", &[], false).unwrap();
    let gj = Jid::parse(&gjid).unwrap();
    let mut a = linked_client(&sim, ALICE, 50).await;
    let mut b = linked_client(&sim, BOB, 60).await;
    let r = g2(&mut a, gj.clone(), "get", Node::new("invite")).await;
    let code = r
        .child("invite")
        .unwrap()
        .attr_text("code")
        .unwrap()
        .into_owned();
    assert_eq!(code, sim.group_info(&gjid).unwrap().invite_code);
    // A non-member sees the group by its code, then joins.
    let r = g2(
        &mut b,
        g_us(),
        "get",
        Node::new("invite").with_attr("code", code.clone()),
    )
    .await;
    assert_eq!(
        r.child("group").unwrap().attr_str("subject"),
        Some("Invite")
    );
    let r = g2(
        &mut b,
        g_us(),
        "set",
        Node::new("invite").with_attr("code", code.clone()),
    )
    .await;
    assert_eq!(r.child("group").unwrap().attr_jid("jid"), Some(gj.clone()));
    let n = gp2(&mut a, "add").await;
    assert_eq!(n.children()[0].attr_str("reason"), Some("invite"));
    assert_eq!(participants(&n.children()[0])[0].1, Some(Jid::pn(BOB)));
    // Joining twice is a conflict.
    let r = g2(
        &mut b,
        g_us(),
        "set",
        Node::new("invite").with_attr("code", code.clone()),
    )
    .await;
    assert_eq!(error_code(&r), Some(409));
    // Revoke: a new code, the old one is gone.
    let r = g2(&mut a, gj.clone(), "set", Node::new("invite")).await;
    let new_code = r
        .child("invite")
        .unwrap()
        .attr_text("code")
        .unwrap()
        .into_owned();
    assert_ne!(new_code, code);
    assert_eq!(
        gp2(&mut b, "invite").await.children()[0]
            .attr_text("code")
            .as_deref(),
        Some(new_code.as_str())
    );
    let r = g2(
        &mut b,
        g_us(),
        "get",
        Node::new("invite").with_attr("code", code),
    )
    .await;
    assert_eq!(error_code(&r), Some(404));
    // Leave.
    let r = g2(
        &mut b,
        g_us(),
        "set",
        Node::new("leave").with_child(Node::new("group").with_attr("id", gj.clone())),
    )
    .await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let n = gp2(&mut a, "remove").await;
    assert_eq!(n.attr_jid("participant"), Some(lid_of(&sim, BOB)));
    assert_eq!(sim.group_info(&gjid).unwrap().participants.len(), 1);
}

#[tokio::test]
async fn control_api_groups_contract() {
    let sim = start_sim().await;
    for (p, n) in [(ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let mut b = linked_client(&sim, BOB, 110).await;
    let body =
        format!(r#"{{"subject":"Api","owner":"{ALICE}","participants":["{BOB}","+{CAROL}"]}}"#);
    let (s, v) = http_json(&sim, "POST", "/sim/groups", Some(&body)).await;
    assert_eq!(s, 200, "{v}");
    let jid = v["jid"].as_str().unwrap().to_owned();
    assert!(jid.ends_with("@g.us"));
    // Participants' companions get the create notification.
    let n = gp2(&mut b, "create").await;
    assert_eq!(n.attr_text("from").as_deref(), Some(jid.as_str()));
    let (s, v) = http_json(&sim, "GET", &format!("/sim/groups/{jid}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(v["jid"], jid.as_str());
    assert_eq!(v["subject"], "Api");
    assert_eq!(v["description"], serde_json::Value::Null);
    assert_eq!(v["owner"], format!("{ALICE}@s.whatsapp.net"));
    assert!(v["creation"].as_u64().unwrap() > 0);
    assert_eq!(v["announce"], false);
    assert_eq!(v["locked"], false);
    assert_eq!(v["ephemeral"], serde_json::Value::Null);
    let parts = v["participants"].as_array().unwrap();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0]["jid"], format!("{ALICE}@s.whatsapp.net"));
    assert_eq!(parts[0]["admin"], "superadmin");
    assert_eq!(parts[1]["admin"], serde_json::Value::Null);
    assert_eq!(parts[2]["lid"], lid_of(&sim, CAROL).to_string());
    // Errors: unknown group, unknown participant, missing subject.
    let (s, _) = http_json(&sim, "GET", "/sim/groups/120363000000000000@g.us", None).await;
    assert_eq!(s, 404);
    let body = format!(r#"{{"subject":"x","owner":"{ALICE}","participants":["6289999999999"]}}"#);
    assert_eq!(
        http_json(&sim, "POST", "/sim/groups", Some(&body)).await.0,
        404
    );
    let body = format!(r#"{{"subject":"","owner":"{ALICE}","participants":[]}}"#);
    assert_eq!(
        http_json(&sim, "POST", "/sim/groups", Some(&body)).await.0,
        400
    );
    // Sending to the group through the phone's send endpoint.
    let body = format!(r#"{{"to":"{jid}","text":"via api"}}"#);
    let (s, v) = http_json(
        &sim,
        "POST",
        &format!("/sim/accounts/{ALICE}/send"),
        Some(&body),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (_, inbox) = http_json(&sim, "GET", &format!("/sim/accounts/{CAROL}/inbox"), None).await;
    let e = &inbox.as_array().unwrap()[0];
    assert_eq!(e["chat"], jid.as_str());
    assert_eq!(e["from"], format!("{ALICE}@s.whatsapp.net"));
    assert_eq!(e["text"], "via api");
    assert_eq!(e["id"], v["id"]);
}

/// A `w:profile:picture` iq targeting `target`.
async fn picture_iq(
    c: &mut TestClient,
    target: &Jid,
    typ: &'static str,
    child: Option<Node>,
) -> Node {
    let id = c.next_id();
    let mut n = Node::new("iq")
        .with_attr("id", id.clone())
        .with_attr("xmlns", "w:profile:picture")
        .with_attr("type", typ)
        .with_attr("to", Jid::server_only(wa_proto::jid::Server::Pn))
        .with_attr("target", target.clone());
    if let Some(ch) = child {
        n.push_child(ch);
    }
    c.send(&n).await;
    c.recv_match(|n| n.tag == "iq" && n.attr_text("id").as_deref() == Some(&id))
        .await
}

#[tokio::test]
async fn group_picture_set_get_remove_with_notifications() {
    let sim = start_sim().await;
    for (p, n) in [(ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let gjid = sim
        .create_group(ALICE, "Pics", &[BOB.to_owned()], false)
        .unwrap();
    let gj = Jid::parse(&gjid).unwrap();
    let mut a = linked_client(&sim, ALICE, 140).await;
    let mut b = linked_client(&sim, BOB, 150).await;
    let mut c = linked_client(&sim, CAROL, 160).await;
    let r = picture_iq(
        &mut a,
        &gj,
        "get",
        Some(Node::new("picture").with_attr("type", "image")),
    )
    .await;
    assert_eq!(error_code(&r), Some(404), "no picture yet");
    let jpeg = Node::new("picture")
        .with_attr("type", "image")
        .with_bytes(vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
    let r = picture_iq(&mut a, &gj, "set", Some(jpeg.clone())).await;
    let pic = r
        .child("picture")
        .unwrap()
        .attr_text("id")
        .unwrap()
        .into_owned();
    let n = b
        .recv_match(|n| n.tag == "notification" && n.attr_str("type") == Some("picture"))
        .await;
    assert_eq!(n.attr_jid("from"), Some(gj.clone()));
    let set = n.child("set").unwrap();
    assert_eq!(set.attr_text("id").as_deref(), Some(pic.as_str()));
    assert_eq!(set.attr_jid("author"), Some(lid_of(&sim, ALICE)));
    let r = picture_iq(
        &mut b,
        &gj,
        "get",
        Some(Node::new("picture").with_attr("type", "image")),
    )
    .await;
    let p = r.child("picture").unwrap();
    assert_eq!(p.attr_text("id").as_deref(), Some(pic.as_str()));
    assert!(p.attr_text("url").unwrap().starts_with("https://"));
    // Non-members may not change it.
    let r = picture_iq(&mut c, &gj, "set", Some(jpeg)).await;
    assert_eq!(error_code(&r), Some(401));
    // Removal.
    let r = picture_iq(&mut b, &gj, "set", None).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let n = a
        .recv_match(|n| n.tag == "notification" && n.attr_str("type") == Some("picture"))
        .await;
    assert!(n.child("delete").is_some());
    let r = picture_iq(&mut a, &gj, "get", None).await;
    assert_eq!(error_code(&r), Some(404));
}

#[tokio::test]
async fn create_reports_unknown_participants_with_404() {
    let sim = start_sim().await;
    for (p, n) in [(ALICE, "Alice"), (BOB, "Bob")] {
        sim.create_account(p, n).unwrap();
    }
    let mut a = linked_client(&sim, ALICE, 130).await;
    let create = Node::new("create")
        .with_attr("subject", "Some fail")
        .with_children([
            Node::new("participant").with_attr("jid", Jid::pn(BOB)),
            Node::new("participant").with_attr("jid", Jid::pn("6289999999999")),
        ]);
    let r = g2(&mut a, g_us(), "set", create).await;
    let group = r.child("group").unwrap();
    let failed: Vec<(Option<Jid>, Option<String>)> = group
        .children_by_tag("participant")
        .filter(|p| p.attr("error").is_some())
        .map(|p| {
            (
                p.attr_jid("jid"),
                p.attr_text("error").map(|e| e.into_owned()),
            )
        })
        .collect();
    assert_eq!(
        failed,
        vec![(Some(Jid::pn("6289999999999")), Some("404".into()))]
    );
    // The stored group holds only the members that exist.
    let id = group.attr_text("id").unwrap().into_owned();
    assert_eq!(sim.group_info(&id).unwrap().participants.len(), 2);
}
