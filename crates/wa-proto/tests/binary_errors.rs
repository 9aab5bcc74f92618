//! Malformed input: every case is a typed error, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

use wa_proto::Error;
use wa_proto::binary::{
    MAX_DEPTH, MAX_INFLATED, Node, decode, decode_body_ref, decode_ref, encode, tag, unpack,
};

fn stanza() -> Vec<u8> {
    encode(
        &Node::new("message")
            .with_attr("to", "6281288888888@s.whatsapp.net")
            .with_attr("id", "3EB0ABCDEF1234567890")
            .with_child(Node::new("body").with_bytes(b"hello".to_vec()))
            .with_child(Node::new("x").with_attr("é", "ünïcode")),
    )
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn every_truncation_is_an_error() {
    let full = stanza();
    assert!(decode(&full).is_ok());
    for n in 0..full.len() {
        let r = decode(&full[..n]);
        assert!(r.is_err(), "prefix of {n} bytes decoded");
        assert_eq!(decode_ref(&full[..n]).err(), r.err());
    }
    assert_eq!(decode(&[]), Err(Error::NodeTruncated));
    assert_eq!(decode(&[0]), Err(Error::NodeTruncated));
    assert_eq!(decode(&full[..full.len() - 1]), Err(Error::NodeTruncated));
}

#[test]
fn trailing_bytes_are_rejected() {
    let mut b = stanza();
    b.push(0);
    assert_eq!(decode(&b), Err(Error::NodeTrailingBytes(1)));
    assert_eq!(decode_ref(&b).err(), Some(Error::NodeTrailingBytes(1)));
}

#[test]
fn structural_errors() {
    // Zero list size, both spellings.
    assert_eq!(
        decode(&[0, tag::LIST_8, 0]),
        Err(Error::NodeInvalid("zero list size"))
    );
    assert_eq!(
        decode(&[0, tag::LIST_EMPTY]),
        Err(Error::NodeInvalid("zero list size"))
    );
    // Empty tag, both spellings.
    assert_eq!(
        decode(&[0, tag::LIST_8, 1, tag::LIST_EMPTY]),
        Err(Error::NodeInvalid("empty tag"))
    );
    assert_eq!(
        decode(&[0, tag::LIST_8, 1, tag::BINARY_8, 0]),
        Err(Error::NodeInvalid("empty tag"))
    );
    // A node header that is not a list.
    assert_eq!(
        decode(&[0, tag::BINARY_8, 0]),
        Err(Error::NodeUnexpectedTag {
            tag: tag::BINARY_8,
            position: "node header"
        })
    );
}

#[test]
fn bad_tags() {
    // 240..=244 are unused.
    for t in 240..=244u8 {
        assert_eq!(
            decode(&[0, tag::LIST_8, 1, t]),
            Err(Error::NodeUnexpectedTag {
                tag: t,
                position: "node tag"
            })
        );
    }
    // A JID is not a valid tag or key.
    let jid = [tag::JID_PAIR, tag::LIST_EMPTY, 3];
    let mut b = vec![0, tag::LIST_8, 1];
    b.extend(jid);
    assert_eq!(
        decode(&b),
        Err(Error::NodeUnexpectedTag {
            tag: tag::JID_PAIR,
            position: "node tag"
        })
    );
    let mut b = vec![0, tag::LIST_8, 3, 19];
    b.extend(jid);
    b.push(4);
    assert_eq!(
        decode(&b),
        Err(Error::NodeUnexpectedTag {
            tag: tag::JID_PAIR,
            position: "attribute key"
        })
    );
    // A list in attribute-value position.
    assert_eq!(
        decode(&[0, tag::LIST_8, 3, 19, 4, tag::LIST_8, 1]),
        Err(Error::NodeUnexpectedTag {
            tag: tag::LIST_8,
            position: "attribute value"
        })
    );
    // 240 in content position.
    assert_eq!(
        decode(&[0, tag::LIST_8, 2, 19, 240]),
        Err(Error::NodeUnexpectedTag {
            tag: 240,
            position: "content"
        })
    );
}

#[test]
fn bad_strings_and_jids() {
    assert_eq!(
        decode(&[0, tag::LIST_8, 1, tag::BINARY_8, 1, 0xff]),
        Err(Error::NodeInvalidUtf8)
    );
    assert_eq!(
        decode(&[0, tag::LIST_8, 1, tag::NIBBLE_8, 1, 0x1c]),
        Err(Error::NodeInvalidNibble(12))
    );
    assert_eq!(
        decode(&[0, tag::LIST_8, 1, tag::HEX_8, 0x80]),
        Err(Error::NodeInvalid("odd packed string of length 0"))
    );
    // FB_JID must be on `msgr`, INTEROP_JID on `interop`; a JID_PAIR needs a server.
    let fb = [
        0,
        tag::LIST_8,
        3,
        19,
        17,
        tag::FB_JID,
        tag::BINARY_8,
        1,
        b'u',
        0,
        1,
        3,
    ];
    assert_eq!(
        decode(&fb),
        Err(Error::NodeInvalidJid("FB/interop JID on the wrong server"))
    );
    let pair = [
        0,
        tag::LIST_8,
        3,
        19,
        17,
        tag::JID_PAIR,
        tag::LIST_EMPTY,
        tag::LIST_EMPTY,
    ];
    assert_eq!(decode(&pair), Err(Error::NodeInvalidJid("empty server")));
    // A JID nested inside a JID.
    let nested = [0, tag::LIST_8, 3, 19, 17, tag::JID_PAIR, tag::JID_PAIR];
    assert_eq!(
        decode(&nested),
        Err(Error::NodeUnexpectedTag {
            tag: tag::JID_PAIR,
            position: "JID user"
        })
    );
}

#[test]
fn oversized_lengths_fail_before_allocating() {
    // LIST_16 of 65535 children with 3 bytes left.
    assert_eq!(
        decode(&[0, tag::LIST_8, 2, 19, tag::LIST_16, 0xff, 0xff, 1, 2, 3]),
        Err(Error::NodeTruncated)
    );
    // BINARY_32 of 4 GiB.
    assert_eq!(
        decode(&[
            0,
            tag::LIST_8,
            2,
            19,
            tag::BINARY_32,
            0xff,
            0xff,
            0xff,
            0xff,
            1
        ]),
        Err(Error::NodeTruncated)
    );
}

fn nested(depth: usize) -> Vec<u8> {
    let mut b = vec![0];
    for _ in 1..depth {
        b.extend([tag::LIST_8, 2, 19, tag::LIST_8, 1]);
    }
    b.extend([tag::LIST_8, 1, 19]);
    b
}

#[test]
fn depth_limit() {
    assert_eq!(decode(&nested(MAX_DEPTH)).map(|_| ()), Ok(()));
    assert_eq!(
        decode(&nested(MAX_DEPTH + 1)),
        Err(Error::NodeTooDeep(MAX_DEPTH))
    );
    // A depth bomb far beyond the limit stops at the limit (no stack overflow).
    assert_eq!(
        decode(&nested(1_000_000)),
        Err(Error::NodeTooDeep(MAX_DEPTH))
    );
}

#[test]
fn compressed_frames() {
    let plain = stanza();
    let mut z = vec![0x02];
    z.extend(zlib(&plain[1..]));
    assert_eq!(decode(&z), decode(&plain));
    assert_eq!(decode_ref(&z).err(), Some(Error::NodeCompressed));
    let body = unpack(&z).unwrap();
    assert!(
        decode_body_ref(&body)
            .unwrap()
            .same_as(&decode(&plain).unwrap())
    );
    // Not zlib, and a truncated stream.
    assert_eq!(decode(&[0x02, 1, 2, 3]), Err(Error::NodeInflate));
    assert_eq!(decode(&z[..z.len() - 6]), Err(Error::NodeInflate));
}

/// A zlib stream inflating to `mib` MiB of zeros, without its final block
/// and checksum: one compressed MiB (ending in a sync flush, so it is
/// byte-aligned) repeated. Cheap to build even in a debug build.
fn zero_bomb(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let zeros = vec![0u8; 1 << 20];
    let mut c = Compress::new(Compression::best(), true);
    let mut out = Vec::with_capacity(1 << 16);
    c.compress_vec(&zeros, &mut out, FlushCompress::Sync)
        .unwrap();
    let first = out.len();
    c.compress_vec(&zeros, &mut out, FlushCompress::Sync)
        .unwrap();
    let chunk = out[first..].to_vec();
    for _ in 2..mib {
        out.extend_from_slice(&chunk);
    }
    out
}

#[test]
fn zip_bomb_is_bounded() {
    let limit_mib = MAX_INFLATED >> 20;
    // 4× the limit in well under 1 MiB of input: inflation stops at the limit.
    let mut z = vec![0x02];
    z.extend(zero_bomb(4 * limit_mib));
    assert!(z.len() < 1 << 20);
    assert_eq!(decode(&z), Err(Error::NodeTooLarge(MAX_INFLATED)));
    // Exactly the limit (then the stream just ends): not "too large".
    let mut z = vec![0x02];
    z.extend(zero_bomb(limit_mib));
    assert_eq!(decode(&z), Err(Error::NodeInflate));
}
