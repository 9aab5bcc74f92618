//! Binary node codec benchmarks on the reference stanza of
//! `/work/shared/oracles/peer-bench.mjs` (804 bytes with dictionary version 3).
//!
//! Group `binary` (read by `cargo xtask bench`):
//! * `encode_stanza`: owned `Node` → a new `Vec<u8>` per iteration;
//! * `decode_stanza`: zero-copy `NodeRef`;
//! * `decode_stanza_owned`: to an owned `Node`;
//! * `encode_stanza_string_jids`: as `encode_stanza`, with the JIDs given as
//!   strings (as Baileys is given them), so the encoder parses them.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wa_proto::binary::{Node, decode, decode_ref, encode};
use wa_proto::jid::Jid;

/// `message` to 6281288888888@s.whatsapp.net fanned out to devices 1-3, plus
/// the device identity: exactly the tree peer-bench.mjs builds.
fn stanza(string_jids: bool) -> Node {
    let jid = |d: u16| {
        let j = Jid::pn("6281288888888").with_device(d);
        if string_jids {
            j.to_string().into()
        } else {
            wa_proto::binary::AttrValue::Jid(j)
        }
    };
    let to = |d: u16| {
        Node::new("to").with_attr("jid", jid(d)).with_child(
            Node::new("enc")
                .with_attr("v", "2")
                .with_attr("type", "msg")
                .with_bytes(vec![d as u8; 180]),
        )
    };
    Node::new("message")
        .with_attr("to", jid(0))
        .with_attr("type", "text")
        .with_attr("id", "3EB0ABCDEF1234567890")
        .with_child(Node::new("participants").with_children([to(1), to(2), to(3)]))
        .with_child(Node::new("device-identity").with_bytes(vec![7; 140]))
}

fn bench(c: &mut Criterion) {
    let node = stanza(false);
    let string_node = stanza(true);
    let bytes = encode(&node);
    assert_eq!(bytes.len(), 804);
    assert_eq!(encode(&string_node), bytes);

    let mut g = c.benchmark_group("binary");
    g.throughput(Throughput::Elements(1));
    g.bench_function("encode_stanza", |b| b.iter(|| encode(black_box(&node))));
    g.bench_function("decode_stanza", |b| {
        b.iter(|| decode_ref(black_box(&bytes)))
    });
    g.bench_function("decode_stanza_owned", |b| {
        b.iter(|| decode(black_box(&bytes)))
    });
    g.bench_function("encode_stanza_string_jids", |b| {
        b.iter(|| encode(black_box(&string_node)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
