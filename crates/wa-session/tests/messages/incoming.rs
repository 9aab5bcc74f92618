//! What a virtual phone sends us becomes typed events and store updates.

use prost::Message as _;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_session::Event;
use wa_session::message::build::{self, MessageRef};
use wa_session::message::poll::{self, PollSpec};

use super::client_common::*;
use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incoming_reactions_edits_and_revokes_become_events_and_store_updates() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let (c, mut events, store) = setup(&sim, dir.path()).await;
    let chat = Jid::pn(PHONE);

    let first = sim.send_text(PHONE, &us_jid(), "first").unwrap();
    until_message(&mut events, &first).await;

    // The phone reacts to its own message (from its side: fromMe, chat = us).
    let theirs = MessageRef::own(Jid::pn(US), first.clone());
    let r = sim
        .send_message(PHONE, &us_jid(), build::reaction(&theirs, "👍", 1))
        .unwrap();
    let Event::Reaction {
        chat: rc,
        id,
        sender,
        emoji,
        from_me,
    } = next_event(&mut events, |e| matches!(e, Event::Reaction { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        (rc, id.as_str(), sender, emoji.as_str(), from_me),
        (chat.clone(), first.as_str(), chat.clone(), "👍", false)
    );
    let kept = store.message("us", &chat, &r).await.unwrap().unwrap();
    assert_eq!(
        (kept.kind.as_str(), kept.body.as_deref()),
        ("reaction", Some("👍"))
    );

    // An edit replaces the stored body.
    sim.send_message(
        PHONE,
        &us_jid(),
        build::edit(&theirs, "first, edited", 2).unwrap(),
    )
    .unwrap();
    let Event::Edited {
        id, text, sender, ..
    } = next_event(&mut events, |e| matches!(e, Event::Edited { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        (id.as_str(), text.as_deref(), sender),
        (first.as_str(), Some("first, edited"), chat.clone())
    );
    let edited = store.message("us", &chat, &first).await.unwrap().unwrap();
    assert_eq!(edited.body.as_deref(), Some("first, edited"));
    assert_eq!(
        wa::Message::decode(edited.raw.as_slice())
            .unwrap()
            .conversation
            .as_deref(),
        Some("first, edited")
    );

    // A revoke clears the stored message.
    let second = sim.send_text(PHONE, &us_jid(), "second").unwrap();
    until_message(&mut events, &second).await;
    sim.send_message(
        PHONE,
        &us_jid(),
        build::revoke(&MessageRef::own(Jid::pn(US), second.clone())),
    )
    .unwrap();
    let Event::Revoked { id, sender, .. } =
        next_event(&mut events, |e| matches!(e, Event::Revoked { .. })).await
    else {
        unreachable!()
    };
    assert_eq!((id.as_str(), sender), (second.as_str(), chat.clone()));
    let revoked = store.message("us", &chat, &second).await.unwrap().unwrap();
    assert_eq!(
        (revoked.kind.as_str(), revoked.body.as_deref()),
        ("revoked", None)
    );
    assert!(revoked.raw.is_empty());

    // The phone cannot edit or revoke *our* message.
    put_own(&c, "3EB0OURS000000000001", &build_text("ours")).await;
    let ours = MessageRef {
        chat: Jid::pn(US),
        id: "3EB0OURS000000000001".into(),
        from_me: false,
        sender: Some(Jid::pn(US)),
    };
    let mut forged_edit = build::edit(
        &MessageRef::own(Jid::pn(US), ours.id.clone()),
        "hijacked",
        3,
    )
    .unwrap();
    if let Some(p) = forged_edit.protocol_message.as_mut() {
        p.key = Some(ours.to_key());
    }
    sim.send_message(PHONE, &us_jid(), forged_edit).unwrap();
    sim.send_message(PHONE, &us_jid(), build::revoke(&ours))
        .unwrap();
    let marker = sim.send_text(PHONE, &us_jid(), "marker").unwrap();
    let between = until_message(&mut events, &marker).await;
    assert!(
        !between
            .iter()
            .any(|e| matches!(e, Event::Edited { .. } | Event::Revoked { .. })),
        "{between:?}"
    );
    let still = store.message("us", &chat, &ours.id).await.unwrap().unwrap();
    assert_eq!(
        (still.kind.as_str(), still.body.as_deref()),
        ("chat", Some("ours"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incoming_poll_votes_are_decrypted_with_the_polls_secret() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let (c, mut events, store) = setup(&sim, dir.path()).await;
    let chat = Jid::pn(PHONE);
    let spec = PollSpec {
        name: "Lunch?".into(),
        options: vec!["Nasi goreng".into(), "Sate".into(), "Bakso".into()],
        selectable_count: 0,
    };

    // The phone's poll: we store it with its secret.
    let poll_msg = poll::creation(&spec, &mut rand::rng()).unwrap();
    let secret = poll::secret_of(&poll_msg).unwrap().to_vec();
    let poll_id = sim.send_message(PHONE, &us_jid(), poll_msg).unwrap();
    let Event::Message(m) = next_event(&mut events, |e| matches!(e, Event::Message(_))).await
    else {
        unreachable!()
    };
    assert_eq!(
        (m.id.as_str(), m.kind.as_str(), m.body.as_deref()),
        (poll_id.as_str(), "poll_creation", Some("Lunch?"))
    );

    // The phone votes on its own poll.
    let its_poll = MessageRef::own(Jid::pn(US), poll_id.clone());
    let vote = poll::vote(
        &its_poll,
        &chat,
        &chat,
        &secret,
        &["Bakso", "Sate"],
        5,
        &mut rand::rng(),
    )
    .unwrap();
    let vote_id = sim.send_message(PHONE, &us_jid(), vote).unwrap();
    let Event::PollVote {
        chat: vc,
        poll_id: pid,
        voter,
        selected_options,
    } = next_event(&mut events, |e| matches!(e, Event::PollVote { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        (vc, pid.as_str(), voter),
        (chat.clone(), poll_id.as_str(), chat.clone())
    );
    assert_eq!(selected_options, ["Sate", "Bakso"]);
    let kept = store.message("us", &chat, &vote_id).await.unwrap().unwrap();
    assert_eq!(
        (kept.kind.as_str(), kept.body.as_deref()),
        ("poll_vote", Some("Sate, Bakso"))
    );

    // Our poll (stored with its secret): the phone's vote names us as creator.
    let ours = poll::creation(&spec, &mut rand::rng()).unwrap();
    let our_secret = poll::secret_of(&ours).unwrap().to_vec();
    put_own(&c, "3EB0OURPOLL000000001", &ours).await;
    let our_poll = MessageRef {
        chat: Jid::pn(US),
        id: "3EB0OURPOLL000000001".into(),
        from_me: false,
        sender: Some(Jid::pn(US)),
    };
    let vote = poll::vote(
        &our_poll,
        &Jid::pn(US),
        &chat,
        &our_secret,
        &["Nasi goreng"],
        6,
        &mut rand::rng(),
    )
    .unwrap();
    sim.send_message(PHONE, &us_jid(), vote).unwrap();
    let Event::PollVote {
        poll_id: pid,
        selected_options,
        ..
    } = next_event(&mut events, |e| matches!(e, Event::PollVote { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        (pid.as_str(), selected_options),
        ("3EB0OURPOLL000000001", vec!["Nasi goreng".to_owned()])
    );

    // A vote under the wrong secret yields no event.
    let forged = poll::vote(
        &our_poll,
        &Jid::pn(US),
        &chat,
        &[9u8; 32],
        &["Sate"],
        7,
        &mut rand::rng(),
    )
    .unwrap();
    sim.send_message(PHONE, &us_jid(), forged).unwrap();
    let marker = sim.send_text(PHONE, &us_jid(), "marker").unwrap();
    let between = until_message(&mut events, &marker).await;
    assert!(
        !between.iter().any(|e| matches!(e, Event::PollVote { .. })),
        "{between:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_votes_and_reactions_in_a_lid_group() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let (c, mut events, store) = setup(&sim, dir.path()).await;
    let third = sim.create_account("6281300000003", "Third").unwrap();
    let phone_lid = sim.with_world(|w| w.account(PHONE).unwrap().lid.clone());
    let phone_lid = Jid::lid(phone_lid);
    let third_lid = Jid::parse(&third.lid).unwrap();
    let group = sim
        .create_group(PHONE, "Team", &[us_jid(), third.jid.clone()], false)
        .unwrap();
    let group_jid = Jid::parse(&group).unwrap();

    let spec = PollSpec {
        name: "When?".into(),
        options: vec!["Mon".into(), "Tue".into()],
        selectable_count: 1,
    };
    let poll_msg = poll::creation(&spec, &mut rand::rng()).unwrap();
    let secret = poll::secret_of(&poll_msg).unwrap().to_vec();
    let poll_id = sim.send_message(PHONE, &group, poll_msg).unwrap();
    let Event::Message(m) = next_event(&mut events, |e| matches!(e, Event::Message(_))).await
    else {
        unreachable!()
    };
    assert_eq!(
        (m.id.as_str(), m.chat.clone()),
        (poll_id.as_str(), group_jid.clone())
    );
    assert_eq!(m.sender.as_ref(), Some(&phone_lid));

    // The third member votes, keyed by LIDs as current clients do in LID groups.
    let poll_ref = MessageRef {
        chat: group_jid.clone(),
        id: poll_id.clone(),
        from_me: false,
        sender: Some(phone_lid.clone()),
    };
    let vote = poll::vote(
        &poll_ref,
        &phone_lid,
        &third_lid,
        &secret,
        &["Tue"],
        1,
        &mut rand::rng(),
    )
    .unwrap();
    sim.send_message("6281300000003", &group, vote).unwrap();
    let Event::PollVote {
        chat,
        poll_id: pid,
        voter,
        selected_options,
    } = next_event(&mut events, |e| matches!(e, Event::PollVote { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        (chat, pid.as_str(), voter),
        (group_jid.clone(), poll_id.as_str(), third_lid.clone())
    );
    assert_eq!(selected_options, ["Tue"]);

    // A reaction in the group names the reacted message's author.
    sim.send_message("6281300000003", &group, build::reaction(&poll_ref, "🎉", 2))
        .unwrap();
    let Event::Reaction {
        chat,
        id,
        sender,
        emoji,
        ..
    } = next_event(&mut events, |e| matches!(e, Event::Reaction { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        (chat, id.as_str(), sender, emoji.as_str()),
        (group_jid.clone(), poll_id.as_str(), third_lid.clone(), "🎉")
    );

    // Another member cannot delete the poll's author's message.
    sim.send_message("6281300000003", &group, build::revoke(&poll_ref))
        .unwrap();
    let marker = sim.send_text(PHONE, &group, "marker").unwrap();
    let between = until_message(&mut events, &marker).await;
    assert!(
        !between.iter().any(|e| matches!(e, Event::Revoked { .. })),
        "{between:?}"
    );
    let kept = store
        .message("us", &group_jid, &poll_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.kind, "poll_creation");

    // Our vote in the LID group is keyed by LIDs and opens with the secret.
    let sent = c.vote_poll(&kept, &["Mon"]).await.unwrap();
    let e = inbox_entry(&sim, PHONE, &sent.id).await;
    assert_eq!(
        (e.kind.as_str(), e.chat.as_str()),
        ("poll_vote", group.as_str())
    );
    let our_lid = sim.with_world(|w| w.account(US).unwrap().lid.clone());
    let ours = c.stored_message(&group_jid, &sent.id).await.unwrap();
    let update = wa::Message::decode(ours.raw.as_slice())
        .unwrap()
        .poll_update_message
        .unwrap();
    let parties = poll::VoteParties {
        poll_id: poll_id.clone(),
        creator: phone_lid.clone(),
        voter: Jid::lid(our_lid),
    };
    let hashes = poll::decrypt_vote(&secret, &parties, &update.vote.unwrap()).unwrap();
    assert_eq!(poll::names_for(&hashes, &spec.options), ["Mon"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_over_lid_finds_the_message_received_over_the_phone_number() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let (_c, mut events, store) = setup(&sim, dir.path()).await;
    let our_lid = sim.with_world(|w| w.account(US).unwrap().lid.clone());
    let our_lid = Jid::lid(our_lid).to_string();

    let id = sim.send_text(PHONE, &us_jid(), "typo").unwrap();
    until_message(&mut events, &id).await;
    // The same phone now addresses us by LID (sender_pn tells its number).
    let target = MessageRef::own(Jid::lid("0"), id.clone());
    sim.send_message(PHONE, &our_lid, build::edit(&target, "fixed", 1).unwrap())
        .unwrap();
    let Event::Edited { id: edited, .. } =
        next_event(&mut events, |e| matches!(e, Event::Edited { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(edited, id);
    let kept = store
        .message("us", &Jid::pn(PHONE), &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.body.as_deref(), Some("fixed"));
}
