//! What we send shows in the phone's inbox.

use prost::Message as _;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_session::Event;
use wa_session::message::build::{self, MessageRef};
use wa_session::message::poll::{self, PollSpec};

use super::client_common::*;
use super::*;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_other_device_applies_our_edits_revokes_and_reactions() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let (c, _events, store) = setup(&sim, dir.path()).await;
    let (_c2, mut ev2) = client(&sim, &store, "us2").await;
    pair_by_qr(&sim, &mut ev2, US).await;
    let phone = Jid::pn(PHONE);

    let sent = c
        .send_text(&phone, "draft", wa_session::message::TextOptions::default())
        .await
        .unwrap();
    until_message(&mut ev2, &sent.id).await;
    let copy = store
        .message("us2", &phone, &sent.id)
        .await
        .unwrap()
        .unwrap();
    assert!(copy.from_me);

    c.edit(&phone, &sent.id, "final").await.unwrap();
    let Event::Edited { id, text, .. } =
        next_event(&mut ev2, |e| matches!(e, Event::Edited { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        (id.as_str(), text.as_deref()),
        (sent.id.as_str(), Some("final"))
    );
    let copy = store
        .message("us2", &phone, &sent.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(copy.body.as_deref(), Some("final"));

    c.react(&MessageRef::own(phone.clone(), sent.id.clone()), "🔥")
        .await
        .unwrap();
    let Event::Reaction {
        id, emoji, from_me, ..
    } = next_event(&mut ev2, |e| matches!(e, Event::Reaction { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        (id.as_str(), emoji.as_str(), from_me),
        (sent.id.as_str(), "🔥", true)
    );

    c.revoke(&phone, &sent.id).await.unwrap();
    let Event::Revoked { id, .. } =
        next_event(&mut ev2, |e| matches!(e, Event::Revoked { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(id, sent.id);
    let copy = store
        .message("us2", &phone, &sent.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(copy.kind, "revoked");
}
