//! The owned binary node: [`Node`] `{ tag, attrs, content }`.
//!
//! Strings are `Cow<'static, str>`, so tags, keys and values that are string
//! literals (or dictionary tokens, when decoding) cost no allocation. Attribute
//! values are strings or [`Jid`]s ([`AttrValue`]); attributes keep their order.
//!
//! ```
//! use wa_proto::binary::{Node, AttrValue};
//! use wa_proto::jid::Jid;
//!
//! let iq = Node::new("iq")
//!     .with_attr("id", "1234")
//!     .with_attr("to", Jid::pn("6281288888888"))
//!     .with_child(Node::new("ping"));
//! assert_eq!(iq.attr_str("id"), Some("1234"));
//! assert_eq!(iq.attr_jid("to"), Some(Jid::pn("6281288888888")));
//! assert!(iq.child("ping").is_some());
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::jid::Jid;

/// A string in an owned node: borrowed for literals and tokens, owned otherwise.
pub type Text = Cow<'static, str>;

/// An attribute value: a string, or a JID (written with JID tags).
///
/// The encoder also writes a string value as a JID when it holds a JID in its
/// canonical text form (as Baileys does), so `AttrValue::Str("1@s.whatsapp.net")`
/// decodes as `AttrValue::Jid`. Compare values by text with [`AttrValue::eq_text`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttrValue {
    /// A string.
    Str(Text),
    /// A JID.
    Jid(Jid),
}

impl AttrValue {
    /// The string value (`None` for a JID; see [`AttrValue::to_text`]).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Str(s) => Some(s),
            AttrValue::Jid(_) => None,
        }
    }

    /// The JID value (`None` for a string; see [`AttrValue::to_jid`]).
    pub fn as_jid(&self) -> Option<&Jid> {
        match self {
            AttrValue::Jid(j) => Some(j),
            AttrValue::Str(_) => None,
        }
    }

    /// The JID value, or the string value parsed as a JID.
    pub fn to_jid(&self) -> Option<Jid> {
        match self {
            AttrValue::Jid(j) => Some(j.clone()),
            AttrValue::Str(s) => Jid::parse(s).ok(),
        }
    }

    /// The text of the value; a JID in node form (`@server` when server-only).
    pub fn to_text(&self) -> Cow<'_, str> {
        match self {
            AttrValue::Str(s) => Cow::Borrowed(s),
            AttrValue::Jid(j) => Cow::Owned(j.to_node_text()),
        }
    }

    /// Whether both values have the same text (a JID equals its text form).
    pub fn eq_text(&self, other: &AttrValue) -> bool {
        match (self, other) {
            (AttrValue::Str(a), AttrValue::Str(b)) => a == b,
            (AttrValue::Jid(a), AttrValue::Jid(b)) => {
                a == b || a.to_node_text() == b.to_node_text()
            }
            _ => self.to_text() == other.to_text(),
        }
    }
}

impl fmt::Display for AttrValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl PartialEq<str> for AttrValue {
    fn eq(&self, other: &str) -> bool {
        match self {
            AttrValue::Str(s) => s == other,
            AttrValue::Jid(j) => j.to_node_text() == other,
        }
    }
}

impl PartialEq<&str> for AttrValue {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl From<&'static str> for AttrValue {
    fn from(s: &'static str) -> Self {
        AttrValue::Str(Cow::Borrowed(s))
    }
}

impl From<String> for AttrValue {
    fn from(s: String) -> Self {
        AttrValue::Str(Cow::Owned(s))
    }
}

impl From<Text> for AttrValue {
    fn from(s: Text) -> Self {
        AttrValue::Str(s)
    }
}

impl From<Jid> for AttrValue {
    fn from(j: Jid) -> Self {
        AttrValue::Jid(j)
    }
}

impl From<&Jid> for AttrValue {
    fn from(j: &Jid) -> Self {
        AttrValue::Jid(j.clone())
    }
}

macro_rules! attr_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for AttrValue {
            fn from(v: $t) -> Self {
                AttrValue::Str(Cow::Owned(v.to_string()))
            }
        }
    )*};
}
attr_from_int!(u8, u16, u32, u64, usize, i32, i64);

/// The attributes of a node, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attrs(Vec<(Text, AttrValue)>);

impl Attrs {
    /// No attributes.
    pub fn new() -> Attrs {
        Attrs(Vec::new())
    }

    /// Room for `n` attributes.
    pub fn with_capacity(n: usize) -> Attrs {
        Attrs(Vec::with_capacity(n))
    }

    /// The value of the first attribute named `key`.
    pub fn get(&self, key: &str) -> Option<&AttrValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets `key` to `value`, replacing the first attribute of that name or appending.
    pub fn insert(&mut self, key: impl Into<Text>, value: impl Into<AttrValue>) {
        let key = key.into();
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// Appends an attribute without looking for an existing one of that name.
    pub fn push(&mut self, key: impl Into<Text>, value: impl Into<AttrValue>) {
        self.0.push((key.into(), value.into()));
    }

    /// Removes and returns the first attribute named `key`.
    pub fn remove(&mut self, key: &str) -> Option<AttrValue> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    /// The attributes in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &AttrValue)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no attributes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<Text>, V: Into<AttrValue>> FromIterator<(K, V)> for Attrs {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Attrs(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl<'a> IntoIterator for &'a Attrs {
    type Item = &'a (Text, AttrValue);
    type IntoIter = std::slice::Iter<'a, (Text, AttrValue)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// The content of a node.
///
/// String-typed content on the wire (a token, a packed string, a JID) is read
/// as its UTF-8 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Content {
    /// No content.
    #[default]
    None,
    /// Child nodes (possibly an empty list).
    Children(Vec<Node>),
    /// Bytes.
    Bytes(Vec<u8>),
}

/// An owned binary node.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    /// The tag (never empty on the wire).
    pub tag: Text,
    /// The attributes, in order.
    pub attrs: Attrs,
    /// The content.
    pub content: Content,
}

impl Node {
    /// A node with no attributes and no content.
    pub fn new(tag: impl Into<Text>) -> Node {
        Node {
            tag: tag.into(),
            attrs: Attrs::new(),
            content: Content::None,
        }
    }

    /// Builder: sets attribute `key` (replacing an existing one).
    #[must_use]
    pub fn with_attr(mut self, key: impl Into<Text>, value: impl Into<AttrValue>) -> Node {
        self.attrs.insert(key, value);
        self
    }

    /// Builder: sets several attributes.
    #[must_use]
    pub fn with_attrs<K: Into<Text>, V: Into<AttrValue>>(
        mut self,
        attrs: impl IntoIterator<Item = (K, V)>,
    ) -> Node {
        for (k, v) in attrs {
            self.attrs.insert(k, v);
        }
        self
    }

    /// Builder: appends a child (turning the content into a child list).
    #[must_use]
    pub fn with_child(mut self, child: Node) -> Node {
        self.push_child(child);
        self
    }

    /// Builder: appends children (turning the content into a child list, even if empty).
    #[must_use]
    pub fn with_children(mut self, children: impl IntoIterator<Item = Node>) -> Node {
        match &mut self.content {
            Content::Children(list) => list.extend(children),
            _ => self.content = Content::Children(children.into_iter().collect()),
        }
        self
    }

    /// Builder: sets byte content.
    #[must_use]
    pub fn with_bytes(mut self, bytes: impl Into<Vec<u8>>) -> Node {
        self.content = Content::Bytes(bytes.into());
        self
    }

    /// Appends a child (turning the content into a child list).
    pub fn push_child(&mut self, child: Node) {
        match &mut self.content {
            Content::Children(list) => list.push(child),
            _ => self.content = Content::Children(vec![child]),
        }
    }

    /// The value of attribute `key`.
    pub fn attr(&self, key: &str) -> Option<&AttrValue> {
        self.attrs.get(key)
    }

    /// The string value of attribute `key` (`None` if absent or a JID; see
    /// [`Node::attr_text`]).
    pub fn attr_str(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).and_then(AttrValue::as_str)
    }

    /// The text of attribute `key`, whatever its type.
    pub fn attr_text(&self, key: &str) -> Option<Cow<'_, str>> {
        self.attrs.get(key).map(AttrValue::to_text)
    }

    /// Attribute `key` as a JID (a JID value, or a string that parses as one).
    pub fn attr_jid(&self, key: &str) -> Option<Jid> {
        self.attrs.get(key).and_then(AttrValue::to_jid)
    }

    /// Attribute `key` parsed as `T` (e.g. a number).
    pub fn attr_parse<T: FromStr>(&self, key: &str) -> Option<T> {
        self.attrs.get(key).and_then(|v| v.to_text().parse().ok())
    }

    /// The children (empty unless the content is a child list).
    pub fn children(&self) -> &[Node] {
        match &self.content {
            Content::Children(list) => list,
            _ => &[],
        }
    }

    /// The first child with tag `tag`.
    pub fn child(&self, tag: &str) -> Option<&Node> {
        self.children().iter().find(|c| c.tag == tag)
    }

    /// The first descendant along `path` (`["list", "item"]`).
    pub fn child_path(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, tag| node.child(tag))
    }

    /// The children with tag `tag`.
    pub fn children_by_tag<'s>(&'s self, tag: &'s str) -> impl Iterator<Item = &'s Node> + 's {
        self.children().iter().filter(move |c| c.tag == tag)
    }

    /// The byte content, if any.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.content {
            Content::Bytes(b) => Some(b),
            _ => None,
        }
    }
}
