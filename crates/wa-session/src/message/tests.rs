//! Unit tests of the builders (build.rs, interactive.rs).

use prost::Message as _;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_proto::proto::wa::message::protocol_message::Type as ProtocolType;

use super::build::{self, ContactCard, LinkPreview, Location, MessageRef, TextOptions};
use super::interactive::{self, Buttons, List, ListRow, ListSection};
use crate::client::content;
use crate::store::{AckLevel, StoredMessage};

fn own() -> Jid {
    Jid::pn("6280000000000").with_device(5)
}

fn stored(
    chat: Jid,
    id: &str,
    from_me: bool,
    sender: Option<Jid>,
    msg: &wa::Message,
) -> StoredMessage {
    StoredMessage {
        chat,
        id: id.into(),
        from_me,
        sender,
        timestamp: 1,
        kind: "chat".into(),
        body: None,
        raw: msg.encode_to_vec(),
        media: None,
        ack: AckLevel::Device,
    }
}

fn conversation(t: &str) -> wa::Message {
    wa::Message {
        conversation: Some(t.into()),
        ..Default::default()
    }
}

fn ctx(m: &wa::Message) -> &wa::ContextInfo {
    m.extended_text_message
        .as_ref()
        .and_then(|e| e.context_info.as_deref())
        .expect("context info")
}

#[test]
fn plain_text_is_a_conversation_and_rich_text_is_extended() {
    let chat = Jid::pn("6281111111111");
    let plain = build::text("hello", &TextOptions::default(), &own(), &chat).unwrap();
    assert_eq!(plain.conversation.as_deref(), Some("hello"));
    assert!(plain.extended_text_message.is_none());
    assert!(build::text("", &TextOptions::default(), &own(), &chat).is_err());

    let opts = TextOptions {
        mentions: vec![Jid::pn("6282222222222").with_device(1)],
        ..Default::default()
    };
    let m = build::text("hi @6282222222222", &opts, &own(), &chat).unwrap();
    assert!(m.conversation.is_none());
    assert_eq!(ctx(&m).mentioned_jid, ["6282222222222@s.whatsapp.net"]);
    assert!(ctx(&m).stanza_id.is_none());

    let opts = TextOptions {
        link_preview: Some(LinkPreview {
            matched_text: "https://example.org".into(),
            title: Some("Example".into()),
            description: None,
        }),
        ..Default::default()
    };
    let m = build::text("see https://example.org", &opts, &own(), &chat).unwrap();
    let e = m.extended_text_message.as_ref().unwrap();
    assert_eq!(e.matched_text.as_deref(), Some("https://example.org"));
    assert_eq!(e.title.as_deref(), Some("Example"));
    assert!(e.context_info.is_none());
    assert_eq!(
        content::classify(&m),
        Some(("chat", Some("see https://example.org".into())))
    );
}

#[test]
fn a_reply_quotes_the_stored_content_without_its_own_quote() {
    let group = Jid::group("120363000000000001");
    let alice = Jid::pn("6281111111111").with_device(2);
    // The quoted message itself replied to something: that nested quote goes.
    let inner = wa::Message {
        extended_text_message: Some(Box::new(wa::message::ExtendedTextMessage {
            text: Some("original".into()),
            context_info: Some(Box::new(wa::ContextInfo {
                stanza_id: Some("OLDER".into()),
                ..Default::default()
            })),
            ..Default::default()
        })),
        message_context_info: Some(wa::MessageContextInfo {
            message_secret: Some(vec![1; 32]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let q = stored(group.clone(), "QUOTED1", false, Some(alice), &inner);
    let opts = TextOptions {
        quoted: Some(&q),
        ..Default::default()
    };
    let m = build::text("answer", &opts, &own(), &group).unwrap();
    let c = ctx(&m);
    assert_eq!(c.stanza_id.as_deref(), Some("QUOTED1"));
    assert_eq!(
        c.participant.as_deref(),
        Some("6281111111111@s.whatsapp.net")
    );
    assert!(c.remote_jid.is_none());
    let quoted = c.quoted_message.as_deref().unwrap();
    let qe = quoted.extended_text_message.as_ref().unwrap();
    assert_eq!(qe.text.as_deref(), Some("original"));
    assert!(qe.context_info.is_none());
    assert!(quoted.message_context_info.is_none());

    // Our own message quoted from another chat: participant is us, remoteJid set.
    let mine = stored(
        Jid::pn("6289999999999"),
        "MINE",
        true,
        None,
        &conversation("x"),
    );
    let mut loc = build::location(&Location {
        latitude: -6.2,
        longitude: 106.8,
        ..Default::default()
    })
    .unwrap();
    build::set_quote(
        &mut loc,
        build::quote_context(&mine, &group, &own()).unwrap(),
    )
    .unwrap();
    let c = loc
        .location_message
        .as_ref()
        .unwrap()
        .context_info
        .as_deref()
        .unwrap();
    assert_eq!(
        c.participant.as_deref(),
        Some("6280000000000@s.whatsapp.net")
    );
    assert_eq!(
        c.remote_jid.as_deref(),
        Some("6289999999999@s.whatsapp.net")
    );
    assert_eq!(
        c.quoted_message.as_deref().unwrap().conversation.as_deref(),
        Some("x")
    );
    // A revoked message (content cleared) cannot be quoted.
    let mut gone = mine.clone();
    gone.raw.clear();
    assert!(build::quote_context(&gone, &group, &own()).is_err());
    // A reaction cannot quote.
    let target = MessageRef::of(&mine);
    let mut r = build::reaction(&target, "👍", 1);
    assert!(
        build::set_quote(&mut r, build::quote_context(&mine, &group, &own()).unwrap()).is_err()
    );
}

#[test]
fn location_and_contacts() {
    let m = build::location(&Location {
        latitude: 51.5,
        longitude: -0.12,
        name: Some("London".into()),
        address: Some("UK".into()),
        url: None,
    })
    .unwrap();
    let l = m.location_message.as_ref().unwrap();
    assert_eq!(
        (l.degrees_latitude, l.degrees_longitude),
        (Some(51.5), Some(-0.12))
    );
    assert_eq!(
        content::classify(&m),
        Some(("location", Some("London".into())))
    );
    assert!(
        build::location(&Location {
            latitude: 91.0,
            ..Default::default()
        })
        .is_err()
    );

    let card = build::vcard("Budi\nEvil", "+62 811-1111");
    assert!(card.contains("FN:Budi Evil\n"));
    assert!(card.contains("waid=628111111:+628111111"));
    let one = ContactCard {
        display_name: "Budi".into(),
        vcard: card.clone(),
    };
    let m = build::contacts(std::slice::from_ref(&one)).unwrap();
    assert_eq!(
        m.contact_message.as_ref().unwrap().vcard.as_deref(),
        Some(card.as_str())
    );
    let two = build::contacts(&[one.clone(), one]).unwrap();
    let arr = two.contacts_array_message.as_ref().unwrap();
    assert_eq!(arr.contacts.len(), 2);
    assert_eq!(arr.display_name.as_deref(), Some("2 contacts"));
    assert!(build::contacts(&[]).is_err());
}

#[test]
fn reaction_revoke_and_edit_keys() {
    let group = Jid::group("120363000000000001");
    let theirs = MessageRef {
        chat: group.clone(),
        id: "ABC".into(),
        from_me: false,
        sender: Some(Jid::pn("6281111111111").with_device(7)),
    };
    let r = build::reaction(&theirs, "❤️", 1234);
    let rm = r.reaction_message.as_ref().unwrap();
    let key = rm.key.as_ref().unwrap();
    assert_eq!(key.remote_jid.as_deref(), Some("120363000000000001@g.us"));
    assert_eq!((key.from_me, key.id.as_deref()), (Some(false), Some("ABC")));
    assert_eq!(
        key.participant.as_deref(),
        Some("6281111111111@s.whatsapp.net")
    );
    assert_eq!(
        (rm.text.as_deref(), rm.sender_timestamp_ms),
        (Some("❤️"), Some(1234))
    );
    // 1:1 keys carry no participant; an empty emoji removes.
    let dm = MessageRef::own(Jid::pn("6281111111111"), "X");
    let r = build::reaction(&dm, "", 1);
    assert!(
        r.reaction_message
            .as_ref()
            .unwrap()
            .key
            .as_ref()
            .unwrap()
            .participant
            .is_none()
    );
    assert_eq!(
        content::classify(&r),
        Some(("reaction", Some(String::new())))
    );

    let rv = build::revoke(&theirs);
    let p = rv.protocol_message.as_ref().unwrap();
    assert_eq!(p.r#type, Some(ProtocolType::Revoke as i32));
    assert_eq!(
        p.key.as_ref().unwrap().participant.as_deref(),
        Some("6281111111111@s.whatsapp.net")
    );
    assert_eq!(content::classify(&rv), Some(("revoke", None)));

    assert!(build::edit(&theirs, "new", 1).is_err());
    assert!(build::edit(&dm, "", 1).is_err());
    let e = build::edit(&dm, "fixed", 99).unwrap();
    let p = e.protocol_message.as_ref().unwrap();
    assert_eq!(p.r#type, Some(ProtocolType::MessageEdit as i32));
    assert_eq!(p.timestamp_ms, Some(99));
    assert_eq!(p.key.as_ref().unwrap().from_me, Some(true));
    assert_eq!(content::classify(&e), Some(("edit", Some("fixed".into()))));
    // The wrapped form other clients send classifies the same.
    let wrapped = wa::Message {
        edited_message: Some(Box::new(wa::message::FutureProofMessage {
            message: Some(Box::new(e.clone())),
        })),
        ..Default::default()
    };
    assert_eq!(
        content::classify(&wrapped),
        Some(("edit", Some("fixed".into())))
    );
}

#[test]
fn forward_marks_others_messages_and_drops_quotes_and_secrets() {
    let chat = Jid::pn("6281111111111");
    let theirs = stored(
        chat.clone(),
        "T1",
        false,
        Some(chat.clone()),
        &conversation("news"),
    );
    let f = build::forward(&theirs).unwrap();
    let e = f.extended_text_message.as_ref().unwrap();
    assert_eq!(e.text.as_deref(), Some("news"));
    let c = e.context_info.as_deref().unwrap();
    assert_eq!((c.is_forwarded, c.forwarding_score), (Some(true), Some(1)));

    // A forward of a forward counts hops; the quote is not carried along.
    let reforward = wa::Message {
        image_message: Some(Box::new(wa::message::ImageMessage {
            caption: Some("pic".into()),
            context_info: Some(Box::new(wa::ContextInfo {
                forwarding_score: Some(3),
                is_forwarded: Some(true),
                stanza_id: Some("Q".into()),
                ..Default::default()
            })),
            ..Default::default()
        })),
        ..Default::default()
    };
    let f = build::forward(&stored(
        chat.clone(),
        "T2",
        false,
        Some(chat.clone()),
        &reforward,
    ))
    .unwrap();
    let c = f
        .image_message
        .as_ref()
        .unwrap()
        .context_info
        .as_deref()
        .unwrap();
    assert_eq!(c.forwarding_score, Some(4));
    assert!(c.stanza_id.is_none());

    // Our own message is not marked forwarded.
    let mine = stored(chat.clone(), "M1", true, None, &conversation("mine"));
    let f = build::forward(&mine).unwrap();
    let c = f
        .extended_text_message
        .as_ref()
        .unwrap()
        .context_info
        .as_deref();
    assert!(c.is_none_or(|c| c.is_forwarded.is_none()));

    let mut gone = mine.clone();
    gone.raw.clear();
    assert!(build::forward(&gone).is_err());
    let revoke = build::revoke(&MessageRef::own(chat.clone(), "X"));
    assert!(build::forward(&stored(chat.clone(), "R", true, None, &revoke)).is_err());
}

#[test]
fn buttons_and_lists_render_as_numbered_text() {
    let b = interactive::buttons(&Buttons {
        body: "Choose a size".into(),
        buttons: vec!["Small".into(), "Large".into()],
        title: Some("Coffee".into()),
        footer: Some("Reply with a number".into()),
    })
    .unwrap();
    assert_eq!(
        b.conversation.as_deref(),
        Some("*Coffee*\nChoose a size\n\n1. Small\n2. Large\n\n_Reply with a number_")
    );
    assert!(interactive::buttons(&Buttons::default()).is_err());

    let l = interactive::list(&List {
        body: "Menu".into(),
        button_text: "View".into(),
        sections: vec![
            ListSection {
                title: Some("Drinks".into()),
                rows: vec![ListRow {
                    id: Some("d1".into()),
                    title: "Tea".into(),
                    description: Some("hot".into()),
                }],
            },
            ListSection {
                title: Some("Food".into()),
                rows: vec![ListRow {
                    id: None,
                    title: "Rice".into(),
                    description: None,
                }],
            },
        ],
        title: None,
        footer: None,
    })
    .unwrap();
    assert_eq!(
        l.conversation.as_deref(),
        Some("Menu\n\n*View*\n\n_Drinks_\n1. Tea\n   hot\n\n_Food_\n2. Rice")
    );
    assert!(
        interactive::list(&List {
            body: "x".into(),
            ..Default::default()
        })
        .is_err()
    );
}
