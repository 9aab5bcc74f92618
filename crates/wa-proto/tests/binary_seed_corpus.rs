//! Writes the seed corpora of the `node_decode` and `jid_parse` fuzz targets
//! (`fuzz/corpus/<target>/`) from real, valid inputs. Run on demand:
//! `cargo test -p wa-proto --test binary_seed_corpus -- --ignored`.
//! The committed corpus is replayed by `tests/fuzz_corpus.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};
use wa_proto::binary::{Node, encode, tag};
use wa_proto::jid::{Jid, Server};

fn write(target: &str, data: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    std::fs::create_dir_all(&dir).unwrap();
    let name = format!("seed-{}", &hex::encode(Sha256::digest(data))[..16]);
    std::fs::write(dir.join(name), data).unwrap();
}

fn seed_nodes() -> Vec<Node> {
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
    let mut interop = Jid::new("42", Server::Interop).with_device(3);
    interop.integrator = 7;
    vec![
        Node::new("message")
            .with_attr("to", Jid::pn("6281288888888"))
            .with_attr("type", "text")
            .with_attr("id", "3EB0ABCDEF1234567890")
            .with_child(Node::new("participants").with_children([to(1), to(2), to(3)]))
            .with_child(Node::new("device-identity").with_bytes(vec![7; 140])),
        Node::new("iq")
            .with_attr("id", "abc")
            .with_attr("to", Jid::server_only(Server::Pn))
            .with_attr("type", "get")
            .with_attr("xmlns", "w:p")
            .with_child(Node::new("ping")),
        Node::new("receipt")
            .with_attr("from", Jid::lid("123456789012345").with_device(7))
            .with_attr("participant", Jid::pn("99").with_agent(5).with_device(2))
            .with_attr("recipient", Jid::new("1", Server::Hosted).with_device(99))
            .with_attr("peer", Jid::new("2", Server::HostedLid).with_device(99))
            .with_attr("t", "1700000000"),
        Node::new("notification")
            .with_attr("from", Jid::new("u", Server::Msgr).with_device(300))
            .with_attr("to", interop)
            .with_attr("group", Jid::group("120363025246125486"))
            .with_attr("x", "-1.5")
            .with_attr("odd", "ABC")
            .with_attr("lower", "abcdef")
            .with_attr("uni", "héllo wörld ✓")
            .with_attr("empty", ""),
        Node::new("list")
            .with_children((0..300).map(|i| Node::new("item").with_attr("i", i as u64))),
        Node::new("blob").with_bytes(vec![0xab; 70_000]),
        Node::new("read-self").with_children([]),
    ]
}

#[test]
#[ignore = "writes fuzz/corpus; run on demand"]
fn write_seed_corpus() {
    for n in seed_nodes() {
        let bytes = encode(&n);
        write("node_decode", &bytes);
        // The same node compressed (flags byte 0x02).
        let mut z = flate2::write::ZlibEncoder::new(vec![0x02], flate2::Compression::default());
        z.write_all(&bytes[1..]).unwrap();
        write("node_decode", &z.finish().unwrap());
    }
    // Hand-made JID forms Baileys can decode but not produce: content JIDs and packed strings.
    write(
        "node_decode",
        &[
            0,
            tag::LIST_8,
            2,
            19,
            tag::AD_JID,
            1,
            3,
            tag::NIBBLE_8,
            0x81,
            0x1f,
        ],
    );
    write(
        "node_decode",
        &[0, tag::LIST_8, 2, 19, tag::HEX_8, 0x02, 0xab, 0xcd],
    );
    for s in [
        "6281288888888@s.whatsapp.net",
        "6281288888888:3@s.whatsapp.net",
        "123_5:3@s.whatsapp.net",
        "123.5:3@s.whatsapp.net",
        "987654321098765:12@lid",
        "1:99@hosted",
        "1:99@hosted.lid",
        "120363025246125486@g.us",
        "status@broadcast",
        "6281288888888@c.us",
        "u:0@msgr",
        "7-1:2@interop",
        "s.whatsapp.net",
        "@g.us",
        "a@example.org",
    ] {
        write("jid_parse", s.as_bytes());
    }
}
