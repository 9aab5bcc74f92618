//! Property tests: `decode(encode(n)) == n` for the owned and the zero-copy
//! reader, over random trees covering every string and JID encoding.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::borrow::Cow;
use std::io::Write;

use proptest::prelude::*;
use wa_proto::binary::{
    AttrValue, Attrs, Content, Node, decode, decode_body_ref, decode_ref, encode, tokens, unpack,
};
use wa_proto::jid::{Jid, Server};

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u8..=235).prop_map(|i| tokens::single(i).unwrap().to_owned()),
        (0u8..4, any::<u8>()).prop_map(|(d, i)| tokens::double(d, i).unwrap().to_owned()),
    ]
}

/// Strings of every encoding class; none holds a JID (no '@').
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => token(),
        2 => "[0-9.-]{0,130}",
        2 => "[0-9A-F]{0,130}",
        1 => "[0-9a-f]{1,40}",
        3 => "[^@]{0,40}",
        1 => "[a-z]{250,300}",
    ]
}

fn tag() -> impl Strategy<Value = String> {
    text().prop_filter("tags are not empty", |s| !s.is_empty())
}

/// JIDs that some JID tag carries exactly.
fn jid() -> impl Strategy<Value = Jid> {
    let user = prop_oneof!["[0-9]{1,20}", "[a-z0-9._-]{0,12}", token()];
    let pn = (user.clone(), any::<u8>(), any::<u8>()).prop_map(|(u, agent, device)| {
        let agent = if matches!(agent, 1 | 128 | 129) {
            0
        } else {
            agent
        };
        Jid::pn(u).with_agent(agent).with_device(device.into())
    });
    let ad = (
        user.clone(),
        prop_oneof![
            Just(Server::Lid),
            Just(Server::Hosted),
            Just(Server::HostedLid)
        ],
        any::<u8>(),
    )
        .prop_map(|(u, s, device)| Jid::new(u, s).with_device(device.into()));
    let fb =
        (user.clone(), any::<u16>()).prop_map(|(u, d)| Jid::new(u, Server::Msgr).with_device(d));
    let interop = (user.clone(), any::<u16>(), any::<u16>()).prop_map(|(u, d, i)| {
        let mut j = Jid::new(u, Server::Interop).with_device(d);
        j.integrator = i;
        j
    });
    let pair = (
        user,
        prop_oneof![
            Just(Server::Group),
            Just(Server::Broadcast),
            Just(Server::Newsletter),
            Just(Server::Call),
            Just(Server::Bot),
            Just(Server::Pn),
            Just(Server::Other("example.org".into())),
            Just(Server::Other("123".into())),
        ],
    )
        .prop_map(|(u, s)| Jid::new(u, s));
    prop_oneof![3 => pn, 2 => ad, 1 => fb, 1 => interop, 2 => pair]
}

fn value() -> impl Strategy<Value = AttrValue> {
    prop_oneof![
        3 => text().prop_map(AttrValue::from),
        2 => jid().prop_map(AttrValue::Jid),
        // Strings with '@' that are not a JID's canonical text stay strings.
        1 => prop_oneof![Just("x@c.us"), Just("1.5:3@s.whatsapp.net"), Just("1:0@lid"), Just("a@b@c"), Just("mail@")]
            .prop_map(AttrValue::from),
    ]
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => proptest::collection::vec(any::<u8>(), 0..300),
        1 => (0usize..3).prop_map(|k| vec![0x5a; [255, 256, 70_000][k]]),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = (
        tag(),
        proptest::collection::vec((text(), value()), 0..4),
        prop_oneof![Just(Content::None), bytes().prop_map(Content::Bytes),],
    )
        .prop_map(|(tag, attrs, content)| Node {
            tag: Cow::Owned(tag),
            attrs: attrs.into_iter().collect::<Attrs>(),
            content,
        });
    leaf.prop_recursive(4, 64, 8, |inner| {
        (
            tag(),
            proptest::collection::vec((text(), value()), 0..4),
            proptest::collection::vec(inner, 0..8),
        )
            .prop_map(|(tag, attrs, children)| Node {
                tag: Cow::Owned(tag),
                attrs: attrs.into_iter().collect::<Attrs>(),
                content: Content::Children(children),
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn owned_round_trip(n in node()) {
        let bytes = encode(&n);
        prop_assert_eq!(bytes[0], 0);
        prop_assert_eq!(decode(&bytes), Ok(n));
    }

    #[test]
    fn zero_copy_round_trip(n in node()) {
        let bytes = encode(&n);
        let r = decode_ref(&bytes).unwrap();
        prop_assert!(r.same_as(&n));
        prop_assert_eq!(r.to_owned(), n);
    }

    #[test]
    fn compressed_round_trip(n in node()) {
        let bytes = encode(&n);
        let mut e = flate2::write::ZlibEncoder::new(vec![0x02], flate2::Compression::default());
        e.write_all(&bytes[1..]).unwrap();
        let z = e.finish().unwrap();
        prop_assert_eq!(decode(&z), Ok(n.clone()));
        let body = unpack(&z).unwrap();
        prop_assert!(decode_body_ref(&body).unwrap().same_as(&n));
    }

    /// Any string attribute keeps its text, JID-looking or not.
    #[test]
    fn string_values_keep_their_text(s in prop_oneof![
        "[^@]{0,20}@[a-z.]{1,16}",
        "[0-9]{1,15}(_[0-9]{1,3})?(:[0-9]{1,5})?@(s.whatsapp.net|lid|hosted|hosted.lid|g.us|msgr|interop|c.us|x)",
        "([0-9]{1,5}-)?[a-z0-9]{1,8}(\\.[0-9]{1,3})?(:[0-9]{1,5})?@(msgr|interop|s.whatsapp.net)",
        "@(s.whatsapp.net|g.us|lid|c.us|foo)",
    ]) {
        let n = Node::new("n").with_attr("v", s.clone());
        let back = decode(&encode(&n)).unwrap();
        prop_assert_eq!(back.attr_text("v").unwrap(), s);
    }
}
