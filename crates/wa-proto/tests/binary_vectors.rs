//! Known-byte vectors for the binary node codec. The expected bytes were
//! produced by the oracle (Baileys 7.0.0-rc14 `encodeBinaryNode`) or checked
//! by hand against the tag table; each test says which.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sha2::{Digest, Sha256};
use wa_proto::binary::{AttrValue, Content, Node, decode, decode_ref, encode, tag};
use wa_proto::jid::{Jid, Server};

/// The reference stanza of `peer-bench.mjs` (a message fanned out to three devices).
fn reference_stanza() -> Node {
    let to = |d: u16| {
        Node::new("to")
            .with_attr("jid", Jid::pn("6281288888888").with_device(d))
            .with_child(
                Node::new("enc")
                    .with_attr("v", "2")
                    .with_attr("type", "msg")
                    .with_bytes(vec![d as u8; 180]),
            )
    };
    Node::new("message")
        .with_attr("to", Jid::pn("6281288888888"))
        .with_attr("type", "text")
        .with_attr("id", "3EB0ABCDEF1234567890")
        .with_child(Node::new("participants").with_children([to(1), to(2), to(3)]))
        .with_child(Node::new("device-identity").with_bytes(vec![7; 140]))
}

#[test]
fn reference_stanza_matches_baileys_bytes() {
    let bytes = encode(&reference_stanza());
    assert_eq!(bytes.len(), 804);
    // Prefix and digest of Baileys' encoding of the same tree.
    assert!(hex::encode(&bytes).starts_with(
        "00f8081311faff876281288888888f03043808fb0a3eb0abcdef1234567890f802f8026bf803f804110cf70001ff876281288888888ff801f8061d5145044dfcb4"
    ));
    assert_eq!(
        hex::encode(Sha256::digest(&bytes)),
        "5951e9a372834179da2825a8c0e28217f9706a7929716db9220ca5723531cc9f"
    );
    assert_eq!(decode(&bytes).unwrap(), reference_stanza());
    let r = decode_ref(&bytes).unwrap();
    assert!(r.same_as(&reference_stanza()));
}

#[test]
fn string_jids_encode_like_typed_jids() {
    // Baileys writes any attribute string holding a JID with JID tags; so do we.
    let typed = reference_stanza();
    let mut stringly = typed.clone();
    stringly.attrs.insert("to", "6281288888888@s.whatsapp.net");
    if let Content::Children(c) = &mut stringly.content
        && let Content::Children(tos) = &mut c[0].content
    {
        for (i, to) in tos.iter_mut().enumerate() {
            to.attrs
                .insert("jid", format!("6281288888888:{}@s.whatsapp.net", i + 1));
        }
    }
    assert_eq!(encode(&stringly), encode(&typed));
}

#[test]
fn iq_ping_matches_baileys_bytes() {
    let iq = Node::new("iq")
        .with_attr("id", "abc")
        .with_attr("to", Jid::server_only(Server::Pn))
        .with_attr("type", "get")
        .with_attr("xmlns", "w:p")
        .with_child(Node::new("ping"));
    let bytes = encode(&iq);
    assert_eq!(
        hex::encode(&bytes),
        "00f80a1908fc0361626311fa000304291657f801f80156"
    );
    // Read by hand: list of 10 items, tag `iq` (token 25), `id`, raw "abc"
    // (lowercase: not hex-packed), `to`, JID_PAIR(LIST_EMPTY, s.whatsapp.net) ...
    assert_eq!(&bytes[..3], &[0x00, tag::LIST_8, 10]);
    assert_eq!(&bytes[11..15], &[tag::JID_PAIR, tag::LIST_EMPTY, 3, 4]);
    // The server-only JID's node text is Baileys' `@s.whatsapp.net`.
    let back = decode(&bytes).unwrap();
    assert_eq!(back.attr_text("to").unwrap(), "@s.whatsapp.net");
    assert_eq!(back.attr_jid("to"), Some(Jid::server_only(Server::Pn)));
}

#[test]
fn ad_jids_match_baileys_bytes() {
    let n = Node::new("receipt")
        .with_attr("id", "3eb0abc")
        .with_attr("from", "123456789012345:7@lid")
        .with_attr("t", "1700000000")
        .with_attr("participant", "99_5:2@s.whatsapp.net");
    let bytes = encode(&n);
    assert_eq!(
        hex::encode(&bytes),
        "00f8090708fc073365623061626306f70107ff88123456789012345f1aff05170000000005f70502ff0199"
    );
    let back = decode(&bytes).unwrap();
    assert_eq!(
        back.attr("from"),
        Some(&AttrValue::Jid(Jid::lid("123456789012345").with_device(7)))
    );
    assert_eq!(
        back.attr_text("participant").unwrap(),
        "99_5:2@s.whatsapp.net"
    );
    assert_eq!(
        back.attr_jid("participant")
            .unwrap()
            .signal_address()
            .to_string(),
        "99_5:2"
    );
}

#[test]
fn hand_checked_encodings() {
    // <a/>: LIST_8 1, raw "a" (not a token).
    assert_eq!(
        encode(&Node::new("a")),
        [0, tag::LIST_8, 1, tag::BINARY_8, 1, b'a']
    );
    // <ack class="" /> with an empty value: BINARY_8 0 (Baileys' choice).
    let ack = Node::new("ack").with_attr("class", "");
    let b = encode(&ack);
    assert_eq!(&b[5..], &[tag::BINARY_8, 0]);
    assert_eq!(decode(&b).unwrap(), ack);
    // Empty child list: LIST_EMPTY in content position.
    let empty = Node::new("list").with_children([]);
    let b = encode(&empty);
    assert_eq!(b.last(), Some(&tag::LIST_EMPTY));
    assert_eq!(decode(&b).unwrap().content, Content::Children(vec![]));
    // A double-byte token: `read-self` is dictionary 0, index 0.
    let b = encode(&Node::new("read-self"));
    assert_eq!(&b[3..], &[tag::DICTIONARY_0, 0]);
    // 256-byte string → BINARY_20 (0x000100); 2^20 bytes → BINARY_32.
    let b = encode(&Node::new("x").with_attr("v", "é".repeat(128)));
    assert_eq!(&b[7..11], &[tag::BINARY_20, 0x00, 0x01, 0x00]);
    let b = encode(&Node::new("x").with_bytes(vec![1; 1 << 20]));
    assert_eq!(&b[6..11], &[tag::BINARY_32, 0x00, 0x10, 0x00, 0x00]);
    // 256 children → LIST_16.
    let b = encode(&Node::new("x").with_children((0..256).map(|_| Node::new("y"))));
    assert_eq!(&b[6..9], &[tag::LIST_16, 0x01, 0x00]);
    assert_eq!(decode(&b).unwrap().children().len(), 256);
}

#[test]
fn zero_copy_accessors() {
    let n = Node::new("message")
        .with_attr("id", "3EB0ABCDEF1234567890")
        .with_attr("t", "1700000000")
        .with_attr("type", "text")
        .with_attr("notify", "Zoë")
        .with_attr("from", Jid::pn("6281288888888").with_device(2))
        .with_child(Node::new("body").with_bytes(b"hi".to_vec()))
        .with_child(Node::new("x"))
        .with_child(Node::new("x"));
    let bytes = encode(&n);
    let r = decode_ref(&bytes).unwrap();
    assert_eq!(r.tag(), "message");
    // Packed (hex, nibble), token and raw strings all read as text.
    assert_eq!(r.attr_str("id").unwrap(), "3EB0ABCDEF1234567890");
    assert_eq!(r.attr_parse::<u64>("t"), Some(1_700_000_000));
    assert!(matches!(
        r.attr_str("type"),
        Some(std::borrow::Cow::Borrowed("text"))
    ));
    assert!(matches!(
        r.attr_str("notify"),
        Some(std::borrow::Cow::Borrowed("Zoë"))
    ));
    // A JID is not a string attribute.
    assert_eq!(r.attr_str("from"), None);
    let from = r.attr_jid("from").unwrap();
    assert_eq!(from.to_jid(), Jid::pn("6281288888888").with_device(2));
    assert_eq!(from.to_string(), "6281288888888:2@s.whatsapp.net");
    assert!(r.attr("from").unwrap() == "6281288888888:2@s.whatsapp.net");
    assert_eq!(r.attrs().len(), 5);
    assert_eq!(r.child("body").and_then(|b| b.bytes()), Some(&b"hi"[..]));
    assert_eq!(r.children_by_tag("x").count(), 2);
    assert!(r.child_path(&["body"]).is_some() && r.child("nope").is_none());
    // The bytes are borrowed from the input buffer.
    let body = r.child("body").unwrap().bytes().unwrap();
    assert!(bytes.as_ptr_range().contains(&body.as_ptr()));
}
