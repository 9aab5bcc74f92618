//! Fuzz entry points for the binary node codec and JIDs.

/// Inflation limit of the fuzz target (the decoder's real limit is 64 MiB;
/// inflating that much on every zlib bomb would slow the fuzzer to a crawl).
const FUZZ_INFLATE_LIMIT: usize = 1 << 20;

/// Decodes `data` as a frame payload with both readers. If they succeed they
/// must agree, and re-encoding must give a node that decodes to the same tree
/// (attribute values compared by text) and re-encodes to the same bytes.
#[allow(clippy::panic)]
pub fn node_decode(data: &[u8]) {
    use crate::binary;
    let compressed = data
        .first()
        .is_some_and(|f| f & binary::FLAG_COMPRESSED != 0);
    let body = match binary::unpack_limited(data, FUZZ_INFLATE_LIMIT) {
        Ok(body) => body,
        Err(e) => {
            if !compressed {
                assert_eq!(
                    binary::decode(data),
                    Err(e),
                    "unpack failed but decode did not"
                );
            }
            return;
        }
    };
    let by_ref = binary::decode_body_ref(&body);
    let owned = if compressed {
        by_ref
            .as_ref()
            .map(binary::NodeRef::to_owned)
            .map_err(Clone::clone)
    } else {
        assert_eq!(
            binary::decode_ref(data).as_ref().err(),
            by_ref.as_ref().err()
        );
        binary::decode(data)
    };
    let node = match (by_ref, owned) {
        (Ok(r), Ok(node)) => {
            assert!(r.same_as(&node), "zero-copy and owned readers disagree");
            assert_eq!(r.to_owned(), node);
            node
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "readers fail differently");
            return;
        }
        (r, o) => panic!(
            "readers disagree: ref ok {} owned ok {}",
            r.is_ok(),
            o.is_ok()
        ),
    };
    assert_eq!(binary::check_encodable(&node), Ok(()));
    let bytes = binary::encode(&node);
    let again = match binary::decode(&bytes) {
        Ok(n) => n,
        Err(e) => panic!("re-encoded node does not decode: {e}"),
    };
    assert!(same_text(&again, &node), "re-encoded node differs");
    assert_eq!(binary::encode(&again), bytes, "encoding is not stable");
}

/// Trees equal with attribute values compared by text.
fn same_text(a: &crate::binary::Node, b: &crate::binary::Node) -> bool {
    use crate::binary::Content;
    a.tag == b.tag
        && a.attrs.len() == b.attrs.len()
        && a.attrs
            .iter()
            .zip(b.attrs.iter())
            .all(|((ka, va), (kb, vb))| ka == kb && va.eq_text(vb))
        && match (&a.content, &b.content) {
            (Content::Children(x), Content::Children(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_text(p, q))
            }
            (x, y) => x == y,
        }
}

/// Parses `data` (if UTF-8) as a JID. If it parses: formatting and parsing
/// again gives the same JID, the encoder's canonical-text test is exact, and
/// a JID or string attribute keeps its text through encode and decode.
#[allow(clippy::panic)]
pub fn jid_parse(data: &[u8]) {
    use crate::binary::{self, AttrValue, Node};
    use crate::jid::{Jid, JidParts};
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    // Any string attribute keeps its text.
    let node = Node::new("n").with_attr("a", s.to_owned());
    let text =
        binary::decode(&binary::encode(&node)).map(|n| n.attr_text("a").map(|t| t.into_owned()));
    assert_eq!(
        text,
        Ok(Some(s.to_owned())),
        "string attribute lost its text"
    );

    let Ok(parts) = JidParts::parse(s) else {
        return;
    };
    let jid = parts.to_jid();
    assert_eq!(
        Jid::parse(&jid.to_string()).as_ref(),
        Ok(&jid),
        "Display does not reparse"
    );
    let node_text = jid.to_node_text();
    assert_eq!(
        Jid::parse(&node_text).as_ref(),
        Ok(&jid),
        "node text does not reparse"
    );
    assert_eq!(parts.canonical, node_text == s, "canonical flag wrong");
    let node = Node::new("n").with_attr("a", AttrValue::Jid(jid));
    let text =
        binary::decode(&binary::encode(&node)).map(|n| n.attr_text("a").map(|t| t.into_owned()));
    assert_eq!(text, Ok(Some(node_text)), "JID attribute lost its text");
}
