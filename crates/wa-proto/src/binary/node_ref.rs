//! The zero-copy node reader: [`NodeRef`] borrows tags, attributes and bytes
//! from the decoded buffer.
//!
//! Attributes are not materialized: [`AttrsRef`] keeps the (already validated)
//! bytes of the attribute block and reads them again on iteration, which costs a
//! table lookup per token and needs no allocation. Children are a `Vec` per list.
//!
//! ```
//! use wa_proto::binary::{decode_ref, encode, Node};
//!
//! let bytes = encode(&Node::new("iq").with_attr("type", "get").with_child(Node::new("ping")));
//! let node = decode_ref(&bytes)?;
//! assert_eq!(node.tag(), "iq");
//! assert!(node.attr("type").is_some_and(|v| v == "get"));
//! assert!(node.child("ping").is_some());
//! # Ok::<(), wa_proto::Error>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::decode::Reader;
use super::node::{Attrs, Content, Node};
use super::str_ref::{JidRef, StrRef, ValueRef};

/// The attribute block of a [`NodeRef`], read on demand.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AttrsRef<'a> {
    raw: &'a [u8],
    len: usize,
}

impl<'a> AttrsRef<'a> {
    /// `raw` must be a block of `len` attributes the decoder has validated.
    pub(crate) fn new(raw: &'a [u8], len: usize) -> AttrsRef<'a> {
        AttrsRef { raw, len }
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no attributes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The attributes in order.
    pub fn iter(&self) -> AttrsIter<'a> {
        AttrsIter {
            reader: Reader::new(self.raw),
            left: self.len,
        }
    }

    /// The value of the first attribute named `key`.
    pub fn get(&self, key: &str) -> Option<ValueRef<'a>> {
        self.iter().find(|(k, _)| k.eq_str(key)).map(|(_, v)| v)
    }

    /// Owned copies of the attributes.
    pub fn to_owned(&self) -> Attrs {
        let mut attrs = Attrs::with_capacity(self.len);
        for (k, v) in self.iter() {
            attrs.push(k.to_static(), v.to_owned_value());
        }
        attrs
    }
}

impl<'a> IntoIterator for AttrsRef<'a> {
    type Item = (StrRef<'a>, ValueRef<'a>);
    type IntoIter = AttrsIter<'a>;
    fn into_iter(self) -> AttrsIter<'a> {
        self.iter()
    }
}

impl fmt::Debug for AttrsRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Iterator over the attributes of a [`NodeRef`].
#[derive(Debug, Clone)]
pub struct AttrsIter<'a> {
    reader: Reader<'a>,
    left: usize,
}

impl<'a> Iterator for AttrsIter<'a> {
    type Item = (StrRef<'a>, ValueRef<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        // The block was validated when the node was decoded, so this cannot fail;
        // should it ever, the iteration simply ends.
        let item = self.reader.attr().ok();
        if item.is_none() {
            self.left = 0;
        }
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

/// The content of a [`NodeRef`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ContentRef<'a> {
    /// No content.
    #[default]
    None,
    /// Child nodes (possibly an empty list).
    Children(Vec<NodeRef<'a>>),
    /// Raw bytes (BINARY_8/20/32), borrowed.
    Bytes(&'a [u8]),
    /// A string (token or packed) in content position.
    Str(StrRef<'a>),
    /// A JID in content position.
    Jid(JidRef<'a>),
}

impl ContentRef<'_> {
    /// The owned content; strings and JIDs become their UTF-8 bytes (JIDs in
    /// node form).
    pub fn to_owned(&self) -> Content {
        match self {
            ContentRef::None => Content::None,
            ContentRef::Children(c) => Content::Children(c.iter().map(NodeRef::to_owned).collect()),
            ContentRef::Bytes(b) => Content::Bytes(b.to_vec()),
            ContentRef::Str(s) => Content::Bytes(s.to_cow().into_owned().into_bytes()),
            ContentRef::Jid(j) => Content::Bytes(j.to_node_text().into_bytes()),
        }
    }
}

/// A binary node read in place (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRef<'a> {
    pub(crate) tag: StrRef<'a>,
    pub(crate) attrs: AttrsRef<'a>,
    pub(crate) content: ContentRef<'a>,
}

impl<'a> NodeRef<'a> {
    /// A placeholder the decoder fills in place.
    pub(crate) const EMPTY: NodeRef<'static> = NodeRef {
        tag: StrRef::Token(""),
        attrs: AttrsRef { raw: &[], len: 0 },
        content: ContentRef::None,
    };

    /// The tag.
    pub fn tag(&self) -> StrRef<'a> {
        self.tag
    }

    /// The attributes.
    pub fn attrs(&self) -> AttrsRef<'a> {
        self.attrs
    }

    /// The value of attribute `key`.
    pub fn attr(&self, key: &str) -> Option<ValueRef<'a>> {
        self.attrs.get(key)
    }

    /// The string value of attribute `key` (`None` if absent or a JID; see
    /// [`NodeRef::attr_jid`]). Borrowed, except for packed strings (ids,
    /// timestamps), which are unpacked.
    pub fn attr_str(&self, key: &str) -> Option<Cow<'a, str>> {
        self.attr(key)?.as_str_ref().map(|s| s.to_cow())
    }

    /// Attribute `key` parsed as `T` (e.g. a number), without allocating.
    pub fn attr_parse<T: FromStr>(&self, key: &str) -> Option<T> {
        self.attr(key)?.as_str_ref()?.with_str(|s| s.parse().ok())
    }

    /// Attribute `key` as a JID reference, if it was written with a JID tag.
    pub fn attr_jid(&self, key: &str) -> Option<JidRef<'a>> {
        match self.attr(key)? {
            ValueRef::Jid(j) => Some(j),
            ValueRef::Str(_) => None,
        }
    }

    /// The content.
    pub fn content(&self) -> &ContentRef<'a> {
        &self.content
    }

    /// The children (empty unless the content is a child list).
    pub fn children(&self) -> &[NodeRef<'a>] {
        match &self.content {
            ContentRef::Children(c) => c,
            _ => &[],
        }
    }

    /// The first child with tag `tag`.
    pub fn child(&self, tag: &str) -> Option<&NodeRef<'a>> {
        self.children().iter().find(|c| c.tag.eq_str(tag))
    }

    /// The first descendant along `path`.
    pub fn child_path(&self, path: &[&str]) -> Option<&NodeRef<'a>> {
        path.iter().try_fold(self, |node, tag| node.child(tag))
    }

    /// The children with tag `tag`.
    pub fn children_by_tag<'s>(
        &'s self,
        tag: &'s str,
    ) -> impl Iterator<Item = &'s NodeRef<'a>> + 's {
        self.children().iter().filter(move |c| c.tag.eq_str(tag))
    }

    /// The byte content (BINARY_x), borrowed from the input.
    pub fn bytes(&self) -> Option<&'a [u8]> {
        match self.content {
            ContentRef::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// An owned copy of the whole subtree.
    pub fn to_owned(&self) -> Node {
        Node {
            tag: self.tag.to_static(),
            attrs: self.attrs.to_owned(),
            content: self.content.to_owned(),
        }
    }

    /// Whether this reader's view equals `node`, compared through the
    /// borrowed accessors (not through `to_owned`). The fuzz target uses it to
    /// check the two readers agree.
    pub fn same_as(&self, node: &Node) -> bool {
        if !self.tag.eq_str(&node.tag) || self.attrs.len() != node.attrs.len() {
            return false;
        }
        let attrs_equal = self
            .attrs
            .iter()
            .zip(node.attrs.iter())
            .all(|((k, v), (nk, nv))| {
                k.eq_str(nk)
                    && match (v, nv) {
                        (ValueRef::Str(s), super::AttrValue::Str(ns)) => s.eq_str(ns),
                        (ValueRef::Jid(j), super::AttrValue::Jid(nj)) => j.to_jid() == *nj,
                        _ => false,
                    }
            });
        if !attrs_equal {
            return false;
        }
        match (&self.content, &node.content) {
            (ContentRef::None, Content::None) => true,
            (ContentRef::Children(a), Content::Children(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
            }
            (ContentRef::Bytes(a), Content::Bytes(b)) => a == b,
            (ContentRef::Str(s), Content::Bytes(b)) => s.with_str(|s| s.as_bytes() == b.as_slice()),
            (ContentRef::Jid(j), Content::Bytes(b)) => j.to_node_text().as_bytes() == b.as_slice(),
            _ => false,
        }
    }
}
