//! The owned `Node` API: builders, lookups, attribute values.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use wa_proto::binary::{AttrValue, Attrs, Content, Node};
use wa_proto::jid::{Jid, Server};

fn sample() -> Node {
    Node::new("iq")
        .with_attr("id", "42")
        .with_attr("type", "result")
        .with_attr("from", "120363025246125486@g.us")
        .with_attr("to", Jid::server_only(Server::Pn))
        .with_child(
            Node::new("list")
                .with_child(Node::new("item").with_attr("jid", Jid::pn("1")))
                .with_child(Node::new("item").with_attr("jid", Jid::pn("2"))),
        )
        .with_child(Node::new("count").with_attr("n", 7u32))
}

#[test]
fn lookups() {
    let n = sample();
    assert_eq!(n.attr_str("id"), Some("42"));
    assert_eq!(n.attr_parse::<u32>("id"), Some(42));
    assert_eq!(n.attr_str("missing"), None);
    // A string holding a JID parses; a JID value has no `&str` but has text.
    assert_eq!(n.attr_jid("from"), Some(Jid::group("120363025246125486")));
    assert_eq!(n.attr_str("to"), None);
    assert_eq!(n.attr_text("to").unwrap(), "@s.whatsapp.net");
    assert!(n.attr("type").unwrap() == "result");
    let items: Vec<_> = n
        .child("list")
        .unwrap()
        .children_by_tag("item")
        .map(|i| i.attr_jid("jid").unwrap())
        .collect();
    assert_eq!(items, [Jid::pn("1"), Jid::pn("2")]);
    assert_eq!(
        n.child_path(&["count"]).unwrap().attr_parse::<u8>("n"),
        Some(7)
    );
    assert!(n.child_path(&["list", "nope"]).is_none());
    assert_eq!(n.children().len(), 2);
    assert_eq!(n.bytes(), None);
}

#[test]
fn builders_and_attrs() {
    let mut n = Node::new("a").with_attr("k", "1").with_attr("k", "2");
    assert_eq!(n.attrs.len(), 1, "with_attr replaces");
    assert_eq!(n.attr_str("k"), Some("2"));
    n.attrs.push("k", "3");
    assert_eq!(n.attrs.len(), 2, "push appends");
    assert_eq!(n.attrs.remove("k").unwrap().as_str(), Some("2"));
    assert_eq!(n.attr_str("k"), Some("3"));
    n.push_child(Node::new("c"));
    assert_eq!(n.children().len(), 1);
    let b = Node::new("b").with_bytes(vec![1, 2]);
    assert_eq!(b.bytes(), Some(&[1u8, 2][..]));
    assert_eq!(
        Node::new("e").with_children([]).content,
        Content::Children(vec![])
    );
    let attrs: Attrs = [("x", "1"), ("y", "2")].into_iter().collect();
    assert_eq!(attrs.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["x", "y"]);
}

#[test]
fn attr_values_compare_by_text() {
    let s = AttrValue::from("1:2@s.whatsapp.net");
    let j = AttrValue::from(Jid::pn("1").with_device(2));
    assert_ne!(s, j, "structural equality keeps the variants apart");
    assert!(s.eq_text(&j) && j.eq_text(&s));
    assert_eq!(s.to_jid(), j.to_jid());
    assert_eq!(j.to_string(), "1:2@s.whatsapp.net");
    assert!(!AttrValue::from("x").eq_text(&j));
}
