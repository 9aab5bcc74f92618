//! Suite cases: contacts, chats, labels, messages, LID map, event buffer.

use std::sync::Arc;

use wa_proto::jid::Jid;
use wa_session::Error;
use wa_session::store::{
    AckLevel, Chat, ChatPatch, Contact, ContactPatch, Label, MessageQuery, Store, UnreadUpdate,
};

use super::fixtures::*;

pub async fn contacts_round_trip(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let alice = Jid::pn("111");
    let bob = Jid::pn("222");
    commit(&*store, &ctx, |w| {
        w.patch_contact(ContactPatch::new(bob.clone()).push_name(Some("bobby".into())))
            .patch_contact(
                ContactPatch::new(alice.clone())
                    .names(Some("Alice".into()), Some("Alice A".into())),
            );
    })
    .await;
    // A push name arrives later: the address-book names stay.
    commit(&*store, &ctx, |w| {
        w.patch_contact(ContactPatch::new(alice.clone()).push_name(Some("ali".into())));
    })
    .await;
    let a = store.contact("s", &alice).await.unwrap().unwrap();
    assert_eq!(
        a,
        Contact {
            jid: alice.clone(),
            first_name: Some("Alice".into()),
            full_name: Some("Alice A".into()),
            push_name: Some("ali".into()),
            business_name: None,
        }
    );
    // Clearing a field.
    commit(&*store, &ctx, |w| {
        w.patch_contact(
            ContactPatch::new(alice.clone())
                .names(None, Some("Alice B".into()))
                .business_name(Some("Biz".into())),
        );
    })
    .await;
    let all = store.contacts("s").await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].jid, alice);
    assert_eq!(all[0].first_name, None);
    assert_eq!(all[0].full_name.as_deref(), Some("Alice B"));
    assert_eq!(all[0].push_name.as_deref(), Some("ali"));
    assert_eq!(all[0].business_name.as_deref(), Some("Biz"));
    assert_eq!(all[1].push_name.as_deref(), Some("bobby"));
    assert!(store.contact("s", &Jid::pn("333")).await.unwrap().is_none());
}

pub async fn chats_and_labels_round_trip(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let (a, g, quiet) = (Jid::pn("111"), Jid::group("1203"), Jid::pn("999"));
    commit(&*store, &ctx, |w| {
        w.patch_chat(
            ChatPatch::new(a.clone())
                .message_at(100)
                .unread(UnreadUpdate::Increment),
        )
        .patch_chat(
            ChatPatch::new(a.clone())
                .message_at(90)
                .unread(UnreadUpdate::Increment),
        )
        .patch_chat(
            ChatPatch::new(g.clone())
                .name(Some("Group".into()))
                .message_at(200)
                .pinned(true)
                .muted_until(Some(-1)),
        )
        .patch_chat(ChatPatch::new(quiet.clone()).archived(true));
    })
    .await;
    let chat_a = store.chat("s", &a).await.unwrap().unwrap();
    assert_eq!(
        chat_a,
        Chat {
            jid: a.clone(),
            name: None,
            archived: false,
            pinned: false,
            muted_until: None,
            unread_count: 2,
            last_message_ts: Some(100),
            labels: vec![],
        }
    );
    // Newest first, chats without messages last.
    let order: Vec<Jid> = store
        .chats("s")
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.jid)
        .collect();
    assert_eq!(order, [g.clone(), a.clone(), quiet.clone()]);

    // Mark read, mark unread, increment after marked-unread, unmute.
    commit(&*store, &ctx, |w| {
        w.patch_chat(ChatPatch::new(a.clone()).unread(UnreadUpdate::Set(0)))
            .patch_chat(
                ChatPatch::new(g.clone())
                    .unread(UnreadUpdate::Set(-1))
                    .muted_until(None),
            );
    })
    .await;
    assert_eq!(store.chat("s", &a).await.unwrap().unwrap().unread_count, 0);
    let chat_g = store.chat("s", &g).await.unwrap().unwrap();
    assert_eq!(
        (chat_g.unread_count, chat_g.muted_until, chat_g.pinned),
        (-1, None, true)
    );
    assert_eq!(chat_g.name.as_deref(), Some("Group"));
    commit(&*store, &ctx, |w| {
        w.patch_chat(ChatPatch::new(g.clone()).unread(UnreadUpdate::Increment));
    })
    .await;
    assert_eq!(store.chat("s", &g).await.unwrap().unwrap().unread_count, 1);

    // Labels.
    let label = |id: &str, name: &str| Label {
        id: id.into(),
        name: name.into(),
        color: 3,
    };
    commit(&*store, &ctx, |w| {
        w.put_label(label("1", "New customer"))
            .put_label(label("2", "Paid"))
            .add_chat_label(&a, "2")
            .add_chat_label(&a, "1")
            .add_chat_label(&a, "1")
            .add_chat_label(&g, "1");
    })
    .await;
    assert_eq!(
        store.labels("s").await.unwrap(),
        [label("1", "New customer"), label("2", "Paid")]
    );
    assert_eq!(
        store.chat("s", &a).await.unwrap().unwrap().labels,
        ["1", "2"]
    );
    let with_1: Vec<Jid> = store
        .chats_with_label("s", "1")
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.jid)
        .collect();
    assert_eq!(with_1, [g.clone(), a.clone()]);
    let all = store.chats("s").await.unwrap();
    assert_eq!(all[1].labels, ["1", "2"]);
    assert_eq!(all[0].labels, ["1"]);
    // Renaming keeps assignments; a label that does not exist cannot be attached.
    commit(&*store, &ctx, |w| {
        w.put_label(label("2", "Paid!")).remove_chat_label(&a, "1");
    })
    .await;
    assert_eq!(store.chat("s", &a).await.unwrap().unwrap().labels, ["2"]);
    assert!(matches!(
        try_commit(&*store, &ctx, |w| {
            w.add_chat_label(&a, "77");
        })
        .await,
        Err(Error::Conflict(_))
    ));
    // Deleting a label detaches it everywhere.
    commit(&*store, &ctx, |w| {
        w.delete_label("2");
    })
    .await;
    assert!(
        store
            .chat("s", &a)
            .await
            .unwrap()
            .unwrap()
            .labels
            .is_empty()
    );
    assert!(store.chats_with_label("s", "2").await.unwrap().is_empty());

    // Deleting a chat takes its messages and labels.
    commit(&*store, &ctx, |w| {
        w.put_message(text_message(&g, "m1", 200, false, "hello"))
            .put_message(text_message(&a, "m2", 100, false, "hi"));
    })
    .await;
    commit(&*store, &ctx, |w| {
        w.delete_chat(&g);
    })
    .await;
    assert!(store.chat("s", &g).await.unwrap().is_none());
    assert!(store.message("s", &g, "m1").await.unwrap().is_none());
    assert!(store.chats_with_label("s", "1").await.unwrap().is_empty());
    assert!(store.message("s", &a, "m2").await.unwrap().is_some());
}

pub async fn messages_round_trip(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let chat = Jid::pn("111");
    let group = Jid::group("1203");
    let text = text_message(&chat, "3EB0AA", 1000, true, "hello there");
    let mut img = image_message(&group, "ABCD", 1001);
    img.sender = Some(Jid::lid("4242").with_device(2));
    commit(&*store, &ctx, |w| {
        w.put_message(text.clone()).put_message(img.clone());
    })
    .await;
    assert_eq!(
        store.message("s", &chat, "3EB0AA").await.unwrap(),
        Some(text.clone())
    );
    assert_eq!(
        store.message("s", &group, "ABCD").await.unwrap(),
        Some(img.clone())
    );
    assert!(
        store
            .message("s", &group, "3EB0AA")
            .await
            .unwrap()
            .is_none()
    );

    // Acks only go up; an error always applies.
    let ack = |s: Arc<dyn Store>| async move {
        s.message("s", &Jid::pn("111"), "3EB0AA")
            .await
            .unwrap()
            .unwrap()
            .ack
    };
    commit(&*store, &ctx, |w| {
        w.set_message_ack(&chat, "3EB0AA", AckLevel::Read)
            .set_message_ack(&chat, "3EB0AA", AckLevel::Device)
            .set_message_ack(&chat, "unknown", AckLevel::Read);
    })
    .await;
    assert_eq!(ack(Arc::clone(&store)).await, AckLevel::Read);
    // Re-putting the message (an edit) keeps the higher ack.
    let mut edited = text.clone();
    edited.body = Some("hello there (edited)".into());
    commit(&*store, &ctx, |w| {
        w.put_message(edited.clone());
    })
    .await;
    let got = store.message("s", &chat, "3EB0AA").await.unwrap().unwrap();
    assert_eq!((got.body, got.ack), (edited.body, AckLevel::Read));
    commit(&*store, &ctx, |w| {
        w.set_message_ack(&chat, "3EB0AA", AckLevel::Error);
    })
    .await;
    assert_eq!(ack(Arc::clone(&store)).await, AckLevel::Error);

    commit(&*store, &ctx, |w| {
        w.delete_message(&group, "ABCD");
    })
    .await;
    assert!(store.message("s", &group, "ABCD").await.unwrap().is_none());
    commit(&*store, &ctx, |w| {
        w.clear_chat(&chat);
    })
    .await;
    assert!(
        store
            .messages("s", &MessageQuery::new(10))
            .await
            .unwrap()
            .is_empty()
    );
    // Empty ids are refused.
    assert!(matches!(
        try_commit(&*store, &ctx, |w| {
            w.put_message(text_message(&chat, "", 1, true, "x"));
        })
        .await,
        Err(Error::InvalidValue(_))
    ));
}

pub async fn message_queries(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let (a, b) = (Jid::pn("111"), Jid::pn("222"));
    commit(&*store, &ctx, |w| {
        for i in 0..10i64 {
            let body = if i == 4 {
                "100% DONE_x".to_owned()
            } else {
                format!("note {i}")
            };
            w.put_message(text_message(
                &a,
                &format!("a{i}"),
                100 + i,
                i % 2 == 0,
                &body,
            ));
        }
        // Equal timestamps keep insertion order.
        w.put_message(text_message(&b, "b0", 105, false, "Note from b"))
            .put_message(text_message(&b, "b1", 105, true, "second"));
    })
    .await;
    let ids = |v: Vec<wa_session::store::StoredMessage>| -> Vec<String> {
        v.into_iter().map(|m| m.id).collect()
    };
    // The newest N, oldest first.
    let q = MessageQuery::new(3).chat(a.clone());
    assert_eq!(
        ids(store.messages("s", &q).await.unwrap()),
        ["a7", "a8", "a9"]
    );
    let q = MessageQuery::new(3).chat(a.clone()).from_me(true);
    assert_eq!(
        ids(store.messages("s", &q).await.unwrap()),
        ["a4", "a6", "a8"]
    );
    let q = MessageQuery::new(2).chat(a.clone()).before(104);
    assert_eq!(ids(store.messages("s", &q).await.unwrap()), ["a2", "a3"]);
    // Across chats.
    let q = MessageQuery::new(5).before(107);
    assert_eq!(
        ids(store.messages("s", &q).await.unwrap()),
        ["a4", "a5", "b0", "b1", "a6"]
    );
    // Search: case-insensitive, % and _ literal.
    let q = MessageQuery::new(50).text("NOTE");
    assert_eq!(
        ids(store.messages("s", &q).await.unwrap()),
        ["a0", "a1", "a2", "a3", "a5", "b0", "a6", "a7", "a8", "a9"]
    );
    let q = MessageQuery::new(50).text("0% done_");
    assert_eq!(ids(store.messages("s", &q).await.unwrap()), ["a4"]);
    let q = MessageQuery::new(50).text("%");
    assert_eq!(ids(store.messages("s", &q).await.unwrap()), ["a4"]);
    let q = MessageQuery::new(50)
        .text("note")
        .chat(b.clone())
        .from_me(false);
    assert_eq!(ids(store.messages("s", &q).await.unwrap()), ["b0"]);
    assert!(
        store
            .messages("s", &MessageQuery::new(0))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .messages("other", &MessageQuery::new(5))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn lid_map_round_trip(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let (lid, pn) = (Jid::lid("8001"), Jid::pn("15550001"));
    assert!(store.lid_for_pn("s", &pn).await.unwrap().is_none());
    // Device JIDs are reduced to their users.
    commit(&*store, &ctx, |w| {
        w.put_lid_mapping(&lid.clone().with_device(3), &pn.clone().with_device(3));
    })
    .await;
    assert_eq!(store.lid_for_pn("s", &pn).await.unwrap(), Some(lid.clone()));
    assert_eq!(
        store
            .lid_for_pn("s", &pn.clone().with_device(9))
            .await
            .unwrap(),
        Some(lid.clone())
    );
    assert_eq!(store.pn_for_lid("s", &lid).await.unwrap(), Some(pn.clone()));
    // A new LID for the number replaces the old mapping both ways.
    let lid2 = Jid::lid("8002");
    commit(&*store, &ctx, |w| {
        w.put_lid_mapping(&lid2, &pn);
    })
    .await;
    assert_eq!(
        store.lid_for_pn("s", &pn).await.unwrap(),
        Some(lid2.clone())
    );
    assert!(store.pn_for_lid("s", &lid).await.unwrap().is_none());
    assert_eq!(store.pn_for_lid("s", &lid2).await.unwrap(), Some(pn));
}

pub async fn event_buffer_round_trip(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let (h1, h2) = ([1u8; 32], [2u8; 32]);
    commit(&*store, &ctx, |w| {
        w.put_buffered_event(h1, b"plain one".to_vec(), 1_000)
            .put_buffered_event(h2, b"plain two".to_vec(), 2_000);
    })
    .await;
    assert_eq!(
        store.buffered_event("s", &h1).await.unwrap().as_deref(),
        Some(&b"plain one"[..])
    );
    assert!(store.buffered_event("s", &[3; 32]).await.unwrap().is_none());
    commit(&*store, &ctx, |w| {
        w.prune_buffered_events(1_500);
    })
    .await;
    assert!(store.buffered_event("s", &h1).await.unwrap().is_none());
    assert!(store.buffered_event("s", &h2).await.unwrap().is_some());
    commit(&*store, &ctx, |w| {
        w.delete_buffered_event(h2);
    })
    .await;
    assert!(store.buffered_event("s", &h2).await.unwrap().is_none());
}

pub async fn starred_messages(store: Arc<dyn Store>) {
    let ctx = new_session(&*store, "s").await;
    let chat = Jid::pn("111");
    commit(&*store, &ctx, |w| {
        for (i, id) in ["A1", "A2", "A3"].into_iter().enumerate() {
            w.put_message(text_message(&chat, id, 1000 + i as i64, false, "x"));
        }
        w.set_message_starred(&chat, "A1", true)
            .set_message_starred(&chat, "A3", true)
            .set_message_starred(&chat, "unknown", true);
    })
    .await;
    let ids = |q: MessageQuery| {
        let store = Arc::clone(&store);
        async move {
            store
                .messages("s", &q)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids(MessageQuery::new(10).starred(true)).await, ["A1", "A3"]);
    assert_eq!(ids(MessageQuery::new(10).starred(false)).await, ["A2"]);
    commit(&*store, &ctx, |w| {
        w.set_message_starred(&chat, "A1", false);
    })
    .await;
    assert_eq!(
        ids(MessageQuery::new(10).chat(chat.clone()).starred(true)).await,
        ["A3"]
    );
    // Re-putting a message (an edit) keeps its star.
    commit(&*store, &ctx, |w| {
        w.put_message(text_message(&chat, "A3", 1002, false, "edited"));
    })
    .await;
    assert_eq!(ids(MessageQuery::new(10).starred(true)).await, ["A3"]);
}
