//! `cargo xtask node decode|encode`: the binary-node dev tool, and the JSON
//! node form it speaks (a stable contract, documented in `docs/tools.md`).
//!
//! * `decode`: one hex string per stdin line (a whole decrypted frame payload,
//!   flags byte first; compressed payloads are inflated) → one JSON node per line.
//! * `encode`: one JSON node per line → one hex payload per line (flags byte 0x00).
//!
//! A line that fails prints `{"error": "..."}` and processing continues.
//!
//! JSON node form: `{"tag": str, "attrs": {str: str}, "content": null |
//! [node, ...] | {"base64": str}}`. Attribute order is kept both ways. JIDs are
//! written as text (a server-only JID as `@server`, as Baileys writes it);
//! string-typed content (tokens, packed strings, JIDs) as its UTF-8 bytes. On
//! encode, an attribute value holding a JID in canonical text form is written
//! with JID tags.

use std::fmt;
use std::io::{BufRead, BufWriter, Write};

use anyhow::{Context, bail, ensure};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wa_proto::binary::{self, AttrValue, Attrs, Content, Node};

/// Entry point of `cargo xtask node`.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let convert: fn(&str) -> anyhow::Result<String> = match args.first().map(String::as_str) {
        Some("decode") => decode_line,
        Some("encode") => encode_line,
        _ => bail!("usage: cargo xtask node <decode|encode>  (lines on stdin, results on stdout)"),
    };
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lines() {
        let line = line?;
        match convert(line.trim()) {
            Ok(s) => writeln!(out, "{s}")?,
            Err(e) => writeln!(out, "{}", serde_json::json!({ "error": format!("{e:#}") }))?,
        }
    }
    out.flush()?;
    Ok(())
}

/// Hex frame payload → JSON node (one line).
pub(crate) fn decode_line(line: &str) -> anyhow::Result<String> {
    ensure!(!line.is_empty(), "empty line");
    let bytes = from_hex(line).context("not a hex string")?;
    let node = binary::decode(&bytes)?;
    Ok(to_json(&node))
}

/// JSON node (one line) → hex frame payload.
pub(crate) fn encode_line(line: &str) -> anyhow::Result<String> {
    ensure!(!line.is_empty(), "empty line");
    let node = from_json(line)?;
    binary::check_encodable(&node)?;
    Ok(to_hex(&binary::encode(&node)))
}

/// Lowercase hex (a plain loop: the suite runs this on megabytes in debug builds,
/// where iterator-based encoders are slow).
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 15)]);
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Parses hex (either case).
pub(crate) fn from_hex(s: &str) -> anyhow::Result<Vec<u8>> {
    fn nibble(c: u8) -> anyhow::Result<u8> {
        Ok(match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => bail!("invalid hex digit {:?}", char::from(c)),
        })
    }
    let s = s.as_bytes();
    ensure!(s.len().is_multiple_of(2), "odd number of hex digits");
    let mut out = Vec::with_capacity(s.len() / 2);
    for pair in s.chunks_exact(2) {
        out.push(nibble(pair[0])? << 4 | nibble(pair[1])?);
    }
    Ok(out)
}

/// The JSON form of `node` (compact, attribute order kept).
pub(crate) fn to_json(node: &Node) -> String {
    serde_json::to_string(&JsonOut(node)).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// The JSON form of `node` as a value (for comparisons).
pub(crate) fn to_json_value(node: &Node) -> serde_json::Value {
    serde_json::to_value(JsonOut(node)).unwrap_or(serde_json::Value::Null)
}

/// Parses the JSON form (attribute order kept).
pub(crate) fn from_json(s: &str) -> anyhow::Result<Node> {
    let n: JsonIn = serde_json::from_str(s)?;
    n.into_node()
}

/// Converts an already parsed JSON node.
pub(crate) fn from_json_in(n: JsonIn) -> anyhow::Result<Node> {
    n.into_node()
}

/// Serializes a [`Node`] in the JSON form.
struct JsonOut<'a>(&'a Node);

impl Serialize for JsonOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.0;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("tag", n.tag.as_ref())?;
        m.serialize_entry("attrs", &AttrsOut(&n.attrs))?;
        match &n.content {
            Content::None => m.serialize_entry("content", &())?,
            Content::Bytes(b) => {
                m.serialize_entry("content", &serde_json::json!({ "base64": B64.encode(b) }))?
            }
            Content::Children(c) => m.serialize_entry("content", &ChildrenOut(c))?,
        }
        m.end()
    }
}

struct AttrsOut<'a>(&'a Attrs);

impl Serialize for AttrsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0.iter() {
            m.serialize_entry(k, v.to_text().as_ref())?;
        }
        m.end()
    }
}

struct ChildrenOut<'a>(&'a [Node]);

impl Serialize for ChildrenOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for c in self.0 {
            seq.serialize_element(&JsonOut(c))?;
        }
        seq.end()
    }
}

/// A node in the JSON form, as parsed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct JsonIn {
    tag: String,
    #[serde(default)]
    attrs: OrderedAttrs,
    #[serde(default)]
    content: Option<JsonContent>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum JsonContent {
    Children(Vec<JsonIn>),
    Bytes { base64: String },
}

impl JsonIn {
    /// The same tree as a JSON value (attribute order is lost).
    pub(crate) fn to_value(&self) -> serde_json::Value {
        let attrs: serde_json::Map<String, serde_json::Value> = self
            .attrs
            .0
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
            .collect();
        let content = match &self.content {
            None => serde_json::Value::Null,
            Some(JsonContent::Bytes { base64 }) => serde_json::json!({ "base64": base64 }),
            Some(JsonContent::Children(c)) => c.iter().map(JsonIn::to_value).collect(),
        };
        serde_json::json!({ "tag": self.tag, "attrs": attrs, "content": content })
    }

    fn into_node(self) -> anyhow::Result<Node> {
        ensure!(!self.tag.is_empty(), "empty tag");
        let content = match self.content {
            None => Content::None,
            Some(JsonContent::Bytes { base64 }) => {
                Content::Bytes(B64.decode(base64).context("bad base64 content")?)
            }
            Some(JsonContent::Children(c)) => Content::Children(
                c.into_iter()
                    .map(JsonIn::into_node)
                    .collect::<anyhow::Result<_>>()?,
            ),
        };
        let attrs = self
            .attrs
            .0
            .into_iter()
            .map(|(k, v)| (k, AttrValue::from(v)))
            .collect();
        Ok(Node {
            tag: self.tag.into(),
            attrs,
            content,
        })
    }
}

/// `{"key": "value", ...}` kept in document order.
#[derive(Debug, Default)]
struct OrderedAttrs(Vec<(String, String)>);

impl<'de> Deserialize<'de> for OrderedAttrs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedAttrs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of string attribute values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedAttrs, A::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = map.next_entry::<String, String>()? {
                    v.push((k, val));
                }
                Ok(OrderedAttrs(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<OrderedAttrs, E> {
                Ok(OrderedAttrs::default())
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_order_and_jids() {
        let line = r#"{"tag":"iq","attrs":{"type":"get","to":"@s.whatsapp.net","id":"1"},"content":[{"tag":"ping","attrs":{},"content":null},{"tag":"b","attrs":{"jid":"1:2@lid"},"content":{"base64":"AAE="}}]}"#;
        let hex = encode_line(line).unwrap();
        assert_eq!(decode_line(&hex).unwrap(), line);
    }

    #[test]
    fn bad_lines_are_errors() {
        assert!(decode_line("zz").is_err());
        assert!(decode_line("00f8").is_err());
        assert!(encode_line(r#"{"tag":""}"#).is_err());
        assert!(encode_line(r#"{"tag":"a","attrs":{"k":1}}"#).is_err());
        assert!(encode_line(r#"{"tag":"a","content":{"base64":"!"}}"#).is_err());
        assert!(encode_line(r#"{"tag":"a","extra":1}"#).is_err());
    }
}
