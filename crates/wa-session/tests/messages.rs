//! Message contents against an in-process wa-sim: what a virtual phone
//! sends us (reactions, edits, revokes, poll votes) becomes typed events and
//! store updates; what we send shows in the phone's inbox with the right
//! type, text and references.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_common;

use client_common::*;
use prost::Message as _;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_session::Event;
use wa_session::message::build::{self, MessageRef};
use wa_session::message::poll::{self, PollSpec};
use wa_session::store::{AckLevel, StoredMessage, WriteBatch};

const US: &str = "6281300000001";
const PHONE: &str = "6281300000002";

fn us_jid() -> String {
    format!("{US}@s.whatsapp.net")
}

/// A paired client for `US` and a phone `PHONE` that can talk to it.
async fn setup(
    sim: &wa_sim::SimHandle,
    dir: &std::path::Path,
) -> (
    wa_session::Client,
    wa_session::EventStream,
    std::sync::Arc<dyn wa_session::store::Store>,
) {
    sim.create_account(US, "Us").unwrap();
    sim.create_account(PHONE, "Phone").unwrap();
    let store = open_store(dir);
    let (c, mut events) = client(sim, &store, "us").await;
    pair_by_qr(sim, &mut events, US).await;
    (c, events, store)
}

/// Waits for the `Event::Message` with `id`, returning the events seen
/// before it (to check that something did *not* happen).
async fn until_message(events: &mut wa_session::EventStream, id: &str) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        let e = next_event(events, |_| true).await;
        if matches!(&e, Event::Message(m) if m.id == id) {
            return seen;
        }
        seen.push(e);
    }
}

/// Something of ours in the phone's chat, as if sent earlier.
async fn put_own(c: &wa_session::Client, id: &str, msg: &wa::Message) {
    let mut b = WriteBatch::new();
    b.put_message(StoredMessage {
        chat: Jid::pn(PHONE),
        id: id.into(),
        from_me: true,
        sender: Some(Jid::pn(US)),
        timestamp: 1,
        kind: "chat".into(),
        body: msg.conversation.clone(),
        raw: msg.encode_to_vec(),
        media: None,
        ack: AckLevel::Server,
    });
    c.store().commit(c.commit_context(), b).await.unwrap();
}

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

fn build_text(t: &str) -> wa::Message {
    wa::Message {
        conversation: Some(t.into()),
        ..Default::default()
    }
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

/// The phone's inbox entry with `id`, waiting for it to arrive.
async fn inbox_entry(sim: &wa_sim::SimHandle, phone: &str, id: &str) -> wa_sim::InboxEntry {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(e) = sim.inbox(phone).unwrap().into_iter().find(|e| e.id == id) {
            return e;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no inbox entry {id}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn kind_text(e: &wa_sim::InboxEntry) -> (&str, &str) {
    (e.kind.as_str(), e.text.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_content_we_send_shows_in_the_phones_inbox() {
    use wa_session::message::{
        Buttons, ContactCard, LinkPreview, List, ListRow, ListSection, Location, TextOptions,
    };
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let (c, mut events, store) = setup(&sim, dir.path()).await;
    let third = sim.create_account("6281300000003", "Third").unwrap();
    let phone = Jid::pn(PHONE);

    let plain = c
        .send_text(&phone, "plain", TextOptions::default())
        .await
        .unwrap();
    assert_eq!(
        kind_text(&inbox_entry(&sim, PHONE, &plain.id).await),
        ("text", "plain")
    );

    // A reply with a mention.
    let question_id = sim.send_text(PHONE, &us_jid(), "question?").unwrap();
    until_message(&mut events, &question_id).await;
    let question = c.stored_message(&phone, &question_id).await.unwrap();
    let opts = TextOptions {
        mentions: vec![phone.clone()],
        quoted: Some(&question),
        ..Default::default()
    };
    let reply = c
        .send_text(&phone, "answer @6281300000002", opts)
        .await
        .unwrap();
    let e = inbox_entry(&sim, PHONE, &reply.id).await;
    assert_eq!(kind_text(&e), ("text", "answer @6281300000002"));
    let refs = e.refs.unwrap();
    assert_eq!(refs.quoted_id.as_deref(), Some(question_id.as_str()));
    assert_eq!(refs.mentions, [format!("{PHONE}@s.whatsapp.net")]);

    let preview = TextOptions {
        link_preview: Some(LinkPreview {
            matched_text: "https://example.org".into(),
            title: Some("Example".into()),
            description: None,
        }),
        ..Default::default()
    };
    let link = c
        .send_text(&phone, "https://example.org", preview)
        .await
        .unwrap();
    assert_eq!(
        kind_text(&inbox_entry(&sim, PHONE, &link.id).await),
        ("text", "https://example.org")
    );

    let loc = Location {
        latitude: -6.1754,
        longitude: 106.8272,
        name: Some("Monas".into()),
        ..Default::default()
    };
    let sent = c.send_location(&phone, &loc, None).await.unwrap();
    assert_eq!(
        kind_text(&inbox_entry(&sim, PHONE, &sent.id).await),
        ("location", "Monas")
    );

    let card = |n: &str, p: &str| ContactCard {
        display_name: n.into(),
        vcard: build::vcard(n, p),
    };
    let sent = c
        .send_contacts(&phone, &[card("Budi", "6281111111111")], None)
        .await
        .unwrap();
    assert_eq!(
        kind_text(&inbox_entry(&sim, PHONE, &sent.id).await),
        ("contact", "Budi")
    );
    let two = [card("Budi", "6281111111111"), card("Sari", "6282222222222")];
    let sent = c.send_contacts(&phone, &two, None).await.unwrap();
    assert_eq!(
        kind_text(&inbox_entry(&sim, PHONE, &sent.id).await),
        ("contact", "2 contacts")
    );

    // A poll; the phone's vote on it is decrypted with the secret we stored.
    let spec = PollSpec {
        name: "Lunch?".into(),
        options: vec!["Sate".into(), "Bakso".into()],
        selectable_count: 1,
    };
    let poll_sent = c.send_poll(&phone, &spec).await.unwrap();
    assert_eq!(
        kind_text(&inbox_entry(&sim, PHONE, &poll_sent.id).await),
        ("poll", "Lunch?")
    );
    let our_poll = c.stored_message(&phone, &poll_sent.id).await.unwrap();
    let content = wa::Message::decode(our_poll.raw.as_slice()).unwrap();
    let secret = poll::secret_of(&content)
        .expect("the stored poll keeps its secret")
        .to_vec();
    let key = MessageRef {
        chat: Jid::pn(US),
        id: poll_sent.id.clone(),
        from_me: false,
        sender: Some(Jid::pn(US)),
    };
    let vote = poll::vote(
        &key,
        &Jid::pn(US),
        &phone,
        &secret,
        &["Bakso"],
        1,
        &mut rand::rng(),
    )
    .unwrap();
    sim.send_message(PHONE, &us_jid(), vote).unwrap();
    let Event::PollVote {
        poll_id,
        selected_options,
        voter,
        ..
    } = next_event(&mut events, |e| matches!(e, Event::PollVote { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        (poll_id.as_str(), voter, selected_options),
        (
            poll_sent.id.as_str(),
            phone.clone(),
            vec!["Bakso".to_owned()]
        )
    );

    // Reactions (and removing one).
    let sent = c.react(&MessageRef::of(&question), "👍").await.unwrap();
    let e = inbox_entry(&sim, PHONE, &sent.id).await;
    assert_eq!(kind_text(&e), ("reaction", "👍"));
    assert_eq!(
        e.refs.unwrap().target_id.as_deref(),
        Some(question_id.as_str())
    );
    let sent = c.react(&MessageRef::of(&question), "").await.unwrap();
    assert_eq!(
        kind_text(&inbox_entry(&sim, PHONE, &sent.id).await),
        ("reaction", "")
    );

    // A forward to someone else.
    let third_jid = Jid::parse(&third.jid).unwrap();
    let sent = c.forward(&question, &third_jid).await.unwrap();
    let e = inbox_entry(&sim, "6281300000003", &sent.id).await;
    assert_eq!(kind_text(&e), ("text", "question?"));
    assert!(e.refs.unwrap().forwarded);

    // Edit and revoke: the phone sees them, our store follows.
    let sent = c.edit(&phone, &plain.id, "plain, edited").await.unwrap();
    let e = inbox_entry(&sim, PHONE, &sent.id).await;
    assert_eq!(kind_text(&e), ("edit", "plain, edited"));
    assert_eq!(
        e.refs.unwrap().target_id.as_deref(),
        Some(plain.id.as_str())
    );
    let kept = store
        .message("us", &phone, &plain.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.body.as_deref(), Some("plain, edited"));
    let sent = c.revoke(&phone, &link.id).await.unwrap();
    let e = inbox_entry(&sim, PHONE, &sent.id).await;
    assert_eq!(e.kind, "revoke");
    assert_eq!(e.refs.unwrap().target_id.as_deref(), Some(link.id.as_str()));
    let kept = store
        .message("us", &phone, &link.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.kind.as_str(), kept.body.as_deref()),
        ("revoked", None)
    );

    // Buttons and lists arrive as readable text.
    let b = Buttons {
        body: "Size?".into(),
        buttons: vec!["Small".into(), "Large".into()],
        title: None,
        footer: None,
    };
    let sent = c.send_buttons(&phone, &b, None).await.unwrap();
    assert_eq!(
        kind_text(&inbox_entry(&sim, PHONE, &sent.id).await),
        ("text", "Size?\n\n1. Small\n2. Large")
    );
    let l = List {
        body: "Menu".into(),
        button_text: "Open".into(),
        sections: vec![ListSection {
            title: None,
            rows: vec![ListRow {
                id: None,
                title: "Tea".into(),
                description: None,
            }],
        }],
        title: None,
        footer: None,
    };
    let sent = c.send_list(&phone, &l, Some(&question)).await.unwrap();
    let e = inbox_entry(&sim, PHONE, &sent.id).await;
    assert_eq!(kind_text(&e), ("text", "Menu\n\n*Open*\n\n1. Tea"));
    assert_eq!(
        e.refs.unwrap().quoted_id.as_deref(),
        Some(question_id.as_str())
    );

    // We vote on the phone's poll.
    let their_poll = poll::creation(&spec, &mut rand::rng()).unwrap();
    let their_secret = poll::secret_of(&their_poll).unwrap().to_vec();
    let their_id = sim.send_message(PHONE, &us_jid(), their_poll).unwrap();
    until_message(&mut events, &their_id).await;
    let stored_poll = c.stored_message(&phone, &their_id).await.unwrap();
    assert!(c.vote_poll(&stored_poll, &["Nope"]).await.is_err());
    let sent = c.vote_poll(&stored_poll, &["Sate"]).await.unwrap();
    let e = inbox_entry(&sim, PHONE, &sent.id).await;
    assert_eq!(e.kind, "poll_vote");
    assert_eq!(
        e.refs.unwrap().target_id.as_deref(),
        Some(their_id.as_str())
    );
    // The phone (knowing its poll's secret) can open our vote.
    let our_vote = c.stored_message(&phone, &sent.id).await.unwrap();
    let update = wa::Message::decode(our_vote.raw.as_slice())
        .unwrap()
        .poll_update_message
        .unwrap();
    let parties = poll::VoteParties {
        poll_id: their_id.clone(),
        creator: phone.clone(),
        voter: Jid::pn(US),
    };
    let hashes = poll::decrypt_vote(&their_secret, &parties, &update.vote.unwrap()).unwrap();
    assert_eq!(poll::names_for(&hashes, &spec.options), ["Sate"]);
}
