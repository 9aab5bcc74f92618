//! Group operations against an in-process wa-sim: every change is checked
//! in the sim's world (the server side), not just for an `Ok`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_common;

use client_common::*;
use wa_proto::jid::Jid;
use wa_session::Error;
use wa_session::ops::contacts::PictureKind;
use wa_session::ops::group_model::ParticipantRole;

const ME: &str = "6281300000001";
const BOB: &str = "6281300000002";
const CAROL: &str = "6281300000003";
const DAVE: &str = "6281300000004";
const NOBODY: &str = "6289999999990";

fn pn(p: &str) -> Jid {
    Jid::pn(p)
}

fn pn_text(p: &str) -> String {
    format!("{p}@s.whatsapp.net")
}

/// The sim's admin attribute of `phone` in group `jid` (`None` = member),
/// or `Err` if not a member.
fn sim_role(sim: &wa_sim::SimHandle, jid: &str, phone: &str) -> Result<Option<&'static str>, ()> {
    let info = sim.group_info(jid).unwrap();
    info.participants
        .iter()
        .find(|p| p.jid == pn_text(phone))
        .map(|p| p.admin)
        .ok_or(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_manages_a_group_end_to_end() {
    let sim = start_sim().await;
    for (p, n) in [(ME, "Me"), (BOB, "Bob"), (CAROL, "Carol"), (DAVE, "Dave")] {
        sim.create_account(p, n).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (c, mut events) = client(&sim, &store, "me").await;
    pair_by_qr(&sim, &mut events, ME).await;

    // Create: two members added, the unknown number reported with 404 only.
    let created = c
        .create_group(" Team ", &[pn(BOB), pn(CAROL), pn(NOBODY)])
        .await
        .unwrap();
    let gjid = created.info.jid.clone();
    let g = gjid.to_string();
    assert!(gjid.is_group());
    assert_eq!(created.info.subject, "Team");
    let status_of = |p: &str| {
        created
            .results
            .iter()
            .find(|r| r.jid == pn(p) || r.phone_number == Some(pn(p)))
            .map(|r| r.status)
    };
    assert_eq!(status_of(BOB), Some(200));
    assert_eq!(status_of(CAROL), Some(200));
    assert_eq!(status_of(NOBODY), Some(404));
    assert_eq!(created.results.len(), 3);
    let info = sim.group_info(&g).unwrap();
    assert_eq!(info.subject, "Team");
    assert_eq!(info.owner, pn_text(ME));
    assert_eq!(info.participants.len(), 3);
    assert_eq!(sim_role(&sim, &g, ME), Ok(Some("superadmin")));
    assert_eq!(sim_role(&sim, &g, BOB), Ok(None));

    // Info matches the server's view, in both JID families.
    let mine = c.group_info(&gjid).await.unwrap();
    assert_eq!(mine.participants.len(), 3);
    let me = mine.participant(&pn(ME)).unwrap();
    assert_eq!(me.role, ParticipantRole::SuperAdmin);
    let lid = &info.participants[0].lid;
    assert_eq!(me.jid.to_string(), *lid, "LID group: jid is the LID");
    assert_eq!(mine.creation, info.creation);
    assert!(!mine.announce && !mine.locked && mine.description.is_none());

    // Subject.
    c.set_group_subject(&gjid, "Team 2").await.unwrap();
    let info = sim.group_info(&g).unwrap();
    assert_eq!(info.subject, "Team 2");
    assert_eq!(info.subject_owner, pn_text(ME));

    // Description: set, change (prev = the current id), delete.
    let d1 = c
        .set_group_description(&gjid, Some("first"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        sim.group_info(&g).unwrap().description.as_deref(),
        Some("first")
    );
    let read = c.group_info(&gjid).await.unwrap().description.unwrap();
    assert_eq!(
        (read.id.as_str(), read.body.as_str()),
        (d1.as_str(), "first")
    );
    let d2 = c
        .set_group_description(&gjid, Some("second"))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(d1, d2);
    assert_eq!(
        sim.group_info(&g).unwrap().description.as_deref(),
        Some("second")
    );
    assert_eq!(c.set_group_description(&gjid, None).await.unwrap(), None);
    assert_eq!(sim.group_info(&g).unwrap().description, None);

    // Announce and locked on, then off.
    c.set_group_announce(&gjid, true).await.unwrap();
    c.set_group_locked(&gjid, true).await.unwrap();
    let info = sim.group_info(&g).unwrap();
    assert!(info.announce && info.locked);
    let mine = c.group_info(&gjid).await.unwrap();
    assert!(mine.announce && mine.locked);
    c.set_group_announce(&gjid, false).await.unwrap();
    c.set_group_locked(&gjid, false).await.unwrap();
    let info = sim.group_info(&g).unwrap();
    assert!(!info.announce && !info.locked);

    // Participants: per-participant results.
    let r = c
        .add_group_participants(&gjid, &[pn(DAVE), pn(BOB), pn(NOBODY)])
        .await
        .unwrap();
    let codes: Vec<(String, u16)> = r
        .iter()
        .map(|r| {
            let user = r.phone_number.as_ref().unwrap_or(&r.jid).user.clone();
            (user, r.status)
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            (DAVE.to_owned(), 200),
            (BOB.to_owned(), 409),
            (NOBODY.to_owned(), 404)
        ]
    );
    assert!(r[0].ok() && !r[1].ok());
    assert_eq!(sim_role(&sim, &g, DAVE), Ok(None));
    assert_eq!(sim.group_info(&g).unwrap().participants.len(), 4);

    let r = c
        .promote_group_participants(&gjid, &[pn(BOB)])
        .await
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].status, 200);
    assert_eq!(sim_role(&sim, &g, BOB), Ok(Some("admin")));
    let r = c
        .demote_group_participants(&gjid, &[pn(BOB)])
        .await
        .unwrap();
    assert_eq!(r[0].status, 200);
    assert_eq!(sim_role(&sim, &g, BOB), Ok(None));
    let r = c
        .remove_group_participants(&gjid, &[pn(CAROL)])
        .await
        .unwrap();
    assert_eq!(r[0].status, 200);
    assert_eq!(sim_role(&sim, &g, CAROL), Err(()));
    // Removing someone who is not a member fails for them only.
    let r = c
        .remove_group_participants(&gjid, &[pn(CAROL)])
        .await
        .unwrap();
    assert_eq!(r[0].status, 404);

    // Picture: set, read back, delete.
    let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 0xFF, 0xD9];
    let pic_id = c.set_group_picture(&gjid, jpeg).await.unwrap();
    let id = gjid.user.clone();
    let stored = sim.with_world(|w| w.group(&id).and_then(|g| g.picture_id.clone()));
    assert_eq!(stored.as_deref(), Some(pic_id.as_str()));
    let url = c
        .profile_picture(&gjid, PictureKind::Image)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(url.id, pic_id);
    assert!(url.url.starts_with("https://"));
    c.delete_group_picture(&gjid).await.unwrap();
    assert_eq!(
        sim.with_world(|w| w.group(&id).and_then(|g| g.picture_id.clone())),
        None
    );
    assert_eq!(
        c.profile_picture(&gjid, PictureKind::Preview)
            .await
            .unwrap(),
        None
    );

    // Invite code, revoke, invite info.
    let code = c.group_invite_code(&gjid).await.unwrap();
    assert_eq!(code, sim.group_info(&g).unwrap().invite_code);
    let fresh = c.revoke_group_invite(&gjid).await.unwrap();
    assert_ne!(fresh, code);
    assert_eq!(fresh, sim.group_info(&g).unwrap().invite_code);
    let via_link = c
        .group_invite_info(&format!("https://chat.whatsapp.com/{fresh}"))
        .await
        .unwrap();
    assert_eq!(
        (via_link.jid.clone(), via_link.subject.as_str()),
        (gjid.clone(), "Team 2")
    );
    assert!(matches!(
        c.group_invite_info(&code).await,
        Err(Error::Server { code: 404, .. })
    ));

    // Participating list, then leave.
    let list = c.participating_groups().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].jid, gjid);
    assert_eq!(list[0].participants.len(), 3);
    c.leave_group(&gjid).await.unwrap();
    assert_eq!(sim_role(&sim, &g, ME), Err(()));
    assert_eq!(sim.group_info(&g).unwrap().participants.len(), 2);
    assert!(c.participating_groups().await.unwrap().is_empty());
    assert!(matches!(
        c.group_info(&gjid).await,
        Err(Error::Server { code: 401, .. })
    ));
    assert!(matches!(
        c.leave_group(&gjid).await,
        Err(Error::Server { code: 401, .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_rights_and_joining_by_invite() {
    let sim = start_sim().await;
    for (p, n) in [(ME, "Me"), (BOB, "Bob"), (CAROL, "Carol")] {
        sim.create_account(p, n).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (c, mut events) = client(&sim, &store, "me").await;
    pair_by_qr(&sim, &mut events, ME).await;

    // Bob's group with us as a plain member.
    let g = sim
        .create_group(BOB, "Bob's", &[ME.to_owned(), CAROL.to_owned()], false)
        .unwrap();
    let gjid = Jid::parse(&g).unwrap();
    let info = c.group_info(&gjid).await.unwrap();
    assert_eq!(info.subject, "Bob's");
    assert_eq!(
        info.participant(&pn(ME)).map(|p| p.role),
        Some(ParticipantRole::Member)
    );
    assert_eq!(info.owner_pn, Some(pn(BOB)));

    // Admin-only operations are refused with the server's code.
    let e = c.promote_group_participants(&gjid, &[pn(CAROL)]).await;
    assert!(matches!(e, Err(Error::Server { code: 403, .. })), "{e:?}");
    assert_eq!(sim_role(&sim, &g, CAROL), Ok(None));
    let e = c.set_group_announce(&gjid, true).await;
    assert!(matches!(e, Err(Error::Server { code: 403, .. })), "{e:?}");
    assert!(!sim.group_info(&g).unwrap().announce);
    let e = c.group_invite_code(&gjid).await;
    assert!(matches!(e, Err(Error::Server { code: 403, .. })), "{e:?}");
    // Members may edit the info of an unlocked group.
    c.set_group_subject(&gjid, "Ours").await.unwrap();
    assert_eq!(sim.group_info(&g).unwrap().subject, "Ours");

    // PN-addressed group: participants carry their LID.
    let pn_group = sim
        .create_group(BOB, "PN group", &[ME.to_owned()], true)
        .unwrap();
    let info = c.group_info(&Jid::parse(&pn_group).unwrap()).await.unwrap();
    let bob = info.participant(&pn(BOB)).unwrap();
    assert_eq!(bob.jid, pn(BOB));
    assert!(bob.lid.as_ref().is_some_and(Jid::is_lid));
    assert_eq!(bob.role, ParticipantRole::SuperAdmin);

    // Joining by invite code.
    let other = sim
        .create_group(CAROL, "Carol's", &[BOB.to_owned()], false)
        .unwrap();
    let code = sim.group_info(&other).unwrap().invite_code;
    let preview = c.group_invite_info(&code).await.unwrap();
    assert_eq!(preview.subject, "Carol's");
    assert_eq!(sim_role(&sim, &other, ME), Err(()));
    let joined = c.accept_group_invite(&code).await.unwrap();
    assert_eq!(joined.to_string(), other);
    assert_eq!(sim_role(&sim, &other, ME), Ok(None));
    let e = c.accept_group_invite(&code).await;
    assert!(matches!(e, Err(Error::Server { code: 409, .. })), "{e:?}");
    let e = c.accept_group_invite("NoSuchCode123").await;
    assert!(matches!(e, Err(Error::Server { code: 404, .. })), "{e:?}");
    assert_eq!(c.participating_groups().await.unwrap().len(), 3);
}
