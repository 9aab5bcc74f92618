//! Replays the committed `sim_node` fuzz corpus (`fuzz/corpus/sim_node/*`)
//! through the fuzz entry point, and (with `WA_SIM_WRITE_SEEDS=1`) writes
//! the seed inputs: real client stanzas of every handled kind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use wa_proto::binary::{Node, encode};
use wa_proto::jid::{Jid, Server};

fn corpus_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(name)
}

#[test]
fn replay_fuzz_corpus() {
    let mut total = 0;
    for (name, entry) in wa_sim::fuzzing::TARGETS {
        let dir = corpus_dir(name);
        let files =
            std::fs::read_dir(&dir).unwrap_or_else(|_| panic!("no corpus at {}", dir.display()));
        let mut n = 0;
        for f in files {
            let data = std::fs::read(f.unwrap().path()).unwrap();
            entry(&data);
            n += 1;
        }
        assert!(n > 0, "corpus for {name} is empty");
        total += n;
    }
    eprintln!("replayed {total} inputs");
}

#[test]
fn every_sim_fuzz_target_is_registered() {
    let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/fuzz_targets");
    for f in std::fs::read_dir(targets).unwrap() {
        let stem = f
            .unwrap()
            .path()
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        if stem.starts_with("sim_") {
            assert!(
                wa_sim::fuzzing::TARGETS.iter().any(|(n, _)| *n == stem),
                "{stem} not registered"
            );
        }
    }
}

fn iq(id: &str, xmlns: &'static str, typ: &'static str, children: Vec<Node>) -> Node {
    Node::new("iq")
        .with_attr("id", id.to_owned())
        .with_attr("xmlns", xmlns)
        .with_attr("type", typ)
        .with_attr("to", Jid::server_only(Server::Pn))
        .with_children(children)
}

fn b(tag: &'static str, bytes: &[u8]) -> Node {
    Node::new(tag).with_bytes(bytes.to_vec())
}

/// One seed per stanza kind, plus a few sequences.
fn seeds() -> Vec<(&'static str, Vec<Node>)> {
    let bob = Jid::pn("6281200000002");
    let me = Jid::pn("6281200000001");
    let key = [7u8; 32];
    let upload = iq(
        "u",
        "encrypt",
        "set",
        vec![
            b("registration", &[0, 0, 1, 2]),
            b("type", &[5]),
            b("identity", &key),
            Node::new("list").with_child(
                Node::new("key").with_children([b("id", &[0, 0, 1]), b("value", &key)]),
            ),
            Node::new("skey").with_children([
                b("id", &[0, 0, 1]),
                b("value", &key),
                b("signature", &[1; 64]),
            ]),
        ],
    );
    let usync = iq(
        "s",
        "usync",
        "get",
        vec![Node::new("usync").with_attr("sid", "x").with_children([
            Node::new("query").with_children([
                Node::new("devices").with_attr("version", "2"),
                Node::new("lid"),
                Node::new("contact"),
                Node::new("status"),
                Node::new("disappearing_mode"),
            ]),
            Node::new("list").with_children([
                Node::new("user").with_attr("jid", bob.clone()),
                Node::new("user").with_child(b("contact", b"+6281200000002")),
            ]),
        ])],
    );
    let message = Node::new("message")
        .with_attr("id", "3EB0SEED")
        .with_attr("to", bob.clone())
        .with_attr("type", "text")
        .with_child(
            Node::new("participants").with_children([
                Node::new("to").with_attr("jid", bob.clone()).with_child(
                    Node::new("enc")
                        .with_attr("v", "2")
                        .with_attr("type", "pkmsg")
                        .with_bytes(vec![0x33, 8, 1]),
                ),
                Node::new("to").with_attr("jid", me.clone()).with_child(
                    Node::new("enc")
                        .with_attr("v", "2")
                        .with_attr("type", "msg")
                        .with_bytes(vec![0x33, 0x0a]),
                ),
            ]),
        );
    vec![
        ("ping", vec![iq("p", "w:p", "get", vec![Node::new("ping")])]),
        (
            "count",
            vec![iq("c", "encrypt", "get", vec![Node::new("count")])],
        ),
        (
            "digest",
            vec![iq("d", "encrypt", "get", vec![Node::new("digest")])],
        ),
        ("upload", vec![upload]),
        (
            "bundle",
            vec![iq(
                "k",
                "encrypt",
                "get",
                vec![Node::new("key").with_children([
                    Node::new("user").with_attr("jid", bob.clone()),
                    Node::new("user").with_attr("jid", me.clone().with_device(1)),
                ])],
            )],
        ),
        ("usync", vec![usync]),
        (
            "active",
            vec![
                iq("a", "passive", "set", vec![Node::new("active")]),
                iq("a2", "passive", "set", vec![Node::new("passive")]),
            ],
        ),
        ("message", vec![message.clone()]),
        (
            "receipt",
            vec![
                Node::new("receipt")
                    .with_attr("id", "3EB0SEED")
                    .with_attr("to", bob.clone())
                    .with_attr("type", "read")
                    .with_child(
                        Node::new("list").with_child(Node::new("item").with_attr("id", "x")),
                    ),
            ],
        ),
        (
            "retry",
            vec![
                Node::new("receipt")
                    .with_attr("id", "3EB0SEED")
                    .with_attr("to", bob.clone())
                    .with_attr("type", "retry")
                    .with_child(Node::new("retry").with_attr("count", "1")),
            ],
        ),
        (
            "ack",
            vec![
                Node::new("ack")
                    .with_attr("id", "x")
                    .with_attr("class", "message"),
                Node::new("ack")
                    .with_attr("id", "y")
                    .with_attr("class", "notification"),
            ],
        ),
        (
            "presence",
            vec![
                Node::new("presence")
                    .with_attr("name", "Al")
                    .with_attr("type", "available"),
                Node::new("presence")
                    .with_attr("type", "subscribe")
                    .with_attr("to", bob.clone()),
            ],
        ),
        (
            "chatstate",
            vec![
                Node::new("chatstate")
                    .with_attr("to", bob.clone())
                    .with_child(Node::new("composing")),
            ],
        ),
        (
            "settings",
            vec![
                iq("1", "privacy", "get", vec![Node::new("privacy")]),
                iq("2", "blocklist", "get", vec![]),
                iq(
                    "3",
                    "abt",
                    "get",
                    vec![Node::new("props").with_attr("protocol", "1")],
                ),
                iq("4", "w:m", "set", vec![Node::new("media_conn")]),
                iq("5", "status", "set", vec![b("status", b"hey")]),
                iq(
                    "6",
                    "w:sync:app:state",
                    "set",
                    vec![
                        Node::new("sync").with_child(
                            Node::new("collection")
                                .with_attr("name", "regular")
                                .with_attr("version", "0"),
                        ),
                    ],
                ),
                iq("7", "w:g2", "get", vec![Node::new("query")]),
                iq("8", "x:unknown", "get", vec![]),
            ],
        ),
        (
            "md",
            vec![
                iq(
                    "m1",
                    "md",
                    "set",
                    vec![
                        Node::new("link_code_companion_reg")
                            .with_attr("jid", bob.clone())
                            .with_attr("stage", "companion_hello")
                            .with_child(b(
                                "link_code_pairing_wrapped_companion_ephemeral_pub",
                                &[1; 80],
                            )),
                    ],
                ),
                iq(
                    "m2",
                    "md",
                    "set",
                    vec![
                        Node::new("remove-companion-device")
                            .with_attr("jid", me.with_device(1))
                            .with_attr("reason", "user_initiated"),
                    ],
                ),
            ],
        ),
        (
            "answers",
            vec![
                Node::new("iq")
                    .with_attr("id", "zz")
                    .with_attr("type", "result"),
                Node::new("ib").with_child(Node::new("unified_session")),
            ],
        ),
        ("unknown", vec![Node::new("frobnicate"), message]),
        (
            "profile",
            vec![
                iq(
                    "p1",
                    "w:profile:picture",
                    "set",
                    vec![
                        Node::new("picture")
                            .with_attr("type", "image")
                            .with_bytes(vec![0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
                    ],
                ),
                iq(
                    "p2",
                    "w:profile:picture",
                    "get",
                    vec![
                        Node::new("picture")
                            .with_attr("type", "preview")
                            .with_attr("query", "url"),
                    ],
                )
                .with_attr("target", Jid::pn("6281200000001")),
                iq("p3", "w:profile:picture", "set", vec![]),
                iq(
                    "p4",
                    "privacy",
                    "set",
                    vec![
                        Node::new("privacy").with_child(
                            Node::new("category")
                                .with_attr("name", "last")
                                .with_attr("value", "none"),
                        ),
                    ],
                ),
                iq(
                    "p5",
                    "blocklist",
                    "set",
                    vec![
                        Node::new("item")
                            .with_attr("action", "block")
                            .with_attr("jid", bob.clone())
                            .with_attr("pn_jid", bob.clone()),
                    ],
                ),
                Node::new("presence")
                    .with_attr("type", "subscribe")
                    .with_attr("to", bob.clone()),
                Node::new("chatstate")
                    .with_attr("to", bob.clone())
                    .with_child(Node::new("composing").with_attr("media", "audio")),
                iq(
                    "p6",
                    "blocklist",
                    "set",
                    vec![
                        Node::new("item")
                            .with_attr("action", "unblock")
                            .with_attr("jid", bob.clone()),
                    ],
                ),
                Node::new("presence").with_attr("type", "unavailable"),
            ],
        ),
        ("group", group_seed()),
    ]
}

/// Group stanzas against the fuzz world's group.
fn group_seed() -> Vec<Node> {
    let (world, _) = wa_sim::fuzzing::fuzz_world();
    let g = world.groups_of("6281200000001")[0].jid();
    let bob = Jid::pn("6281200000002");
    let gus = Jid::server_only(Server::Group);
    let g2 = |id: &str, to: &Jid, typ: &'static str, child: Node| {
        iq(id, "w:g2", typ, vec![child]).with_attr("to", to.clone())
    };
    let part = |j: &Jid| Node::new("participant").with_attr("jid", j.clone());
    let enc = |t: &'static str, b: &[u8]| {
        Node::new("enc")
            .with_attr("v", "2")
            .with_attr("type", t)
            .with_bytes(b.to_vec())
    };
    vec![
        g2(
            "g1",
            &g,
            "get",
            Node::new("query").with_attr("request", "interactive"),
        ),
        g2(
            "g2",
            &gus,
            "get",
            Node::new("participating").with_child(Node::new("participants")),
        ),
        g2("g3", &g, "set", b("subject", b"New")),
        g2(
            "g4",
            &g,
            "set",
            Node::new("description")
                .with_attr("id", "D1")
                .with_child(b("body", b"about")),
        ),
        g2("g5", &g, "set", Node::new("promote").with_child(part(&bob))),
        g2("g6", &g, "set", Node::new("announcement")),
        g2(
            "g7",
            &g,
            "set",
            Node::new("ephemeral").with_attr("expiration", "86400"),
        ),
        g2("g8", &g, "get", Node::new("invite")),
        g2(
            "g9",
            &gus,
            "set",
            Node::new("invite").with_attr("code", "x"),
        ),
        g2(
            "g10",
            &gus,
            "set",
            Node::new("create")
                .with_attr("subject", "S")
                .with_child(part(&bob)),
        ),
        Node::new("message")
            .with_attr("id", "3EB0GSEED")
            .with_attr("to", g.clone())
            .with_attr("type", "text")
            .with_child(enc("skmsg", &[0x33, 8, 1, 16, 0, 26, 0]))
            .with_child(
                Node::new("participants").with_child(
                    Node::new("to")
                        .with_attr("jid", bob.clone())
                        .with_child(enc("pkmsg", &[0x33, 8, 1])),
                ),
            ),
        Node::new("receipt")
            .with_attr("id", "3EB0GSEED")
            .with_attr("to", g.clone())
            .with_attr("participant", bob.clone())
            .with_attr("type", "retry"),
        iq(
            "g11",
            "w:profile:picture",
            "set",
            vec![b("picture", &[0xFF, 0xD8])],
        )
        .with_attr("target", g.clone()),
        g2("g12", &g, "set", Node::new("remove").with_child(part(&bob))),
        g2(
            "g13",
            &gus,
            "set",
            Node::new("leave").with_child(Node::new("group").with_attr("id", g.clone())),
        ),
    ]
}

fn frame(nodes: &[Node]) -> Vec<u8> {
    let mut out = Vec::new();
    for n in nodes {
        let e = encode(n);
        out.extend_from_slice(&u16::try_from(e.len()).unwrap().to_be_bytes());
        out.extend_from_slice(&e);
    }
    out
}

#[test]
fn seeds_run_and_can_be_written() {
    let write = std::env::var_os("WA_SIM_WRITE_SEEDS").is_some();
    let dir = corpus_dir("sim_node");
    for (name, nodes) in seeds() {
        let data = frame(&nodes);
        wa_sim::fuzzing::sim_node(&data);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(format!("seed-{name}")), &data).unwrap();
        }
    }
}
