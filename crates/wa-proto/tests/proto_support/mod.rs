//! Shared helpers for the `proto_*` tests: loads the protobuf vectors that
//! Baileys produced (`tests/vectors/proto/baileys.json`, regenerated and
//! compared by `cargo xtask interop proto`) and reads expected values from
//! Baileys' own decoding of each vector (`json`).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use base64::Engine as _;
use serde_json::Value;
use wa_proto::proto::wa;

/// One vector: Baileys' encoding of a message and Baileys' decoding of it.
#[derive(Debug)]
pub(crate) struct Vector {
    /// Unique name.
    pub(crate) name: String,
    /// Message path in the reference schema, e.g. `Message.PollVoteMessage`.
    pub(crate) type_name: String,
    /// Baileys' encoding.
    pub(crate) bytes: Vec<u8>,
    /// Baileys' decoding (protobufjs toJSON).
    pub(crate) json: Value,
}

impl Vector {
    /// Decodes the vector as `M` (panics on failure).
    pub(crate) fn decode<M: prost::Message + Default>(&self) -> M {
        M::decode(self.bytes.as_slice())
            .unwrap_or_else(|e| panic!("vector {} does not decode: {e}", self.name))
    }

    /// The JSON value at a dotted path (`a.b.0.c`); panics if absent.
    pub(crate) fn at(&self, path: &str) -> &Value {
        at(&self.json, path).unwrap_or_else(|| panic!("vector {}: no json at {path}", self.name))
    }

    /// A string at `path`.
    pub(crate) fn s(&self, path: &str) -> &str {
        self.at(path)
            .as_str()
            .unwrap_or_else(|| panic!("vector {}: {path} is not a string", self.name))
    }

    /// An unsigned integer at `path` (protobufjs writes 64-bit values as strings).
    pub(crate) fn u(&self, path: &str) -> u64 {
        match self.at(path) {
            Value::Number(n) => n.as_u64().expect("unsigned"),
            Value::String(s) => s.parse().expect("unsigned string"),
            other => panic!("vector {}: {path} is not an integer: {other}", self.name),
        }
    }

    /// A signed integer at `path`.
    pub(crate) fn i(&self, path: &str) -> i64 {
        match self.at(path) {
            Value::Number(n) => n.as_i64().expect("signed"),
            Value::String(s) => s.parse().expect("signed string"),
            other => panic!("vector {}: {path} is not an integer: {other}", self.name),
        }
    }

    /// A float at `path`.
    pub(crate) fn f(&self, path: &str) -> f64 {
        self.at(path).as_f64().expect("number")
    }

    /// A bool at `path`.
    pub(crate) fn b(&self, path: &str) -> bool {
        self.at(path).as_bool().expect("bool")
    }

    /// Bytes (base64 in the JSON) at `path`.
    pub(crate) fn bytes_at(&self, path: &str) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(self.s(path))
            .expect("base64")
    }

    /// Length of the array at `path`.
    pub(crate) fn len(&self, path: &str) -> usize {
        self.at(path).as_array().expect("array").len()
    }

    /// Whether `path` is present in Baileys' decoding.
    pub(crate) fn has(&self, path: &str) -> bool {
        at(&self.json, path).is_some()
    }

    /// The strings of the array at `path`.
    pub(crate) fn strings(&self, path: &str) -> Vec<String> {
        self.at(path)
            .as_array()
            .expect("array")
            .iter()
            .map(|x| x.as_str().expect("string").to_owned())
            .collect()
    }

    /// The unsigned integers of the array at `path`.
    pub(crate) fn u32s(&self, path: &str) -> Vec<u32> {
        self.at(path)
            .as_array()
            .expect("array")
            .iter()
            .map(|x| u32::try_from(x.as_u64().expect("number")).expect("u32"))
            .collect()
    }
}

fn at<'a>(mut v: &'a Value, path: &str) -> Option<&'a Value> {
    for part in path.split('.').filter(|p| !p.is_empty()) {
        v = match part.parse::<usize>() {
            Ok(i) => v.get(i)?,
            Err(_) => v.get(part)?,
        };
    }
    Some(v)
}

/// Every vector, in file order.
pub(crate) fn vectors() -> &'static [Vector] {
    static V: OnceLock<Vec<Vector>> = OnceLock::new();
    V.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/proto/baileys.json"
        );
        let text = std::fs::read_to_string(path).expect("read baileys.json");
        let raw: Vec<Value> = serde_json::from_str(&text).expect("parse baileys.json");
        raw.into_iter()
            .map(|v| Vector {
                name: v["name"].as_str().expect("name").to_owned(),
                type_name: v["type"].as_str().expect("type").to_owned(),
                bytes: hex::decode(v["hex"].as_str().expect("hex")).expect("hex"),
                json: v["json"].clone(),
            })
            .collect()
    })
}

/// The vector called `name`.
pub(crate) fn vector(name: &str) -> &'static Vector {
    vectors()
        .iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
}

/// The vectors whose type is one of `types`.
pub(crate) fn vectors_of(types: &[&str]) -> Vec<&'static Vector> {
    vectors()
        .iter()
        .filter(|v| types.contains(&v.type_name.as_str()))
        .collect()
}

fn roundtrip<M: prost::Message + Default + PartialEq + std::fmt::Debug>(v: &Vector) -> Vec<u8> {
    let m: M = v.decode();
    let out = m.encode_to_vec();
    // Whatever the byte order, our own encoding must decode to the same value.
    let again = M::decode(out.as_slice()).expect("re-decode");
    assert_eq!(again, m, "vector {}: decode(encode(m)) != m", v.name);
    out
}

/// Decodes the vector with the Rust type for its reference type and encodes
/// it again with prost.
pub(crate) fn reencode(v: &Vector) -> Vec<u8> {
    match v.type_name.as_str() {
        "Message" => roundtrip::<wa::Message>(v),
        "Message.PollVoteMessage" => roundtrip::<wa::message::PollVoteMessage>(v),
        "MessageKey" => roundtrip::<wa::MessageKey>(v),
        "ClientPayload" => roundtrip::<wa::ClientPayload>(v),
        "DeviceProps" => roundtrip::<wa::DeviceProps>(v),
        "ADVDeviceIdentity" => roundtrip::<wa::AdvDeviceIdentity>(v),
        "ADVSignedDeviceIdentity" => roundtrip::<wa::AdvSignedDeviceIdentity>(v),
        "ADVSignedDeviceIdentityHMAC" => roundtrip::<wa::AdvSignedDeviceIdentityHmac>(v),
        "ADVKeyIndexList" => roundtrip::<wa::AdvKeyIndexList>(v),
        "ADVSignedKeyIndexList" => roundtrip::<wa::AdvSignedKeyIndexList>(v),
        "HandshakeMessage" => roundtrip::<wa::HandshakeMessage>(v),
        "CertChain" => roundtrip::<wa::CertChain>(v),
        "CertChain.NoiseCertificate.Details" => {
            roundtrip::<wa::cert_chain::noise_certificate::Details>(v)
        }
        "SignalMessage" => roundtrip::<wa::SignalMessage>(v),
        "PreKeySignalMessage" => roundtrip::<wa::PreKeySignalMessage>(v),
        "SenderKeyMessage" => roundtrip::<wa::SenderKeyMessage>(v),
        "SenderKeyDistributionMessage" => roundtrip::<wa::SenderKeyDistributionMessage>(v),
        "MediaRetryNotification" => roundtrip::<wa::MediaRetryNotification>(v),
        "ServerErrorReceipt" => roundtrip::<wa::ServerErrorReceipt>(v),
        "VerifiedNameCertificate" => roundtrip::<wa::VerifiedNameCertificate>(v),
        "VerifiedNameCertificate.Details" => roundtrip::<wa::verified_name_certificate::Details>(v),
        "WebMessageInfo" => roundtrip::<wa::WebMessageInfo>(v),
        "HistorySync" => roundtrip::<wa::HistorySync>(v),
        "SyncActionValue" => roundtrip::<wa::SyncActionValue>(v),
        "SyncActionData" => roundtrip::<wa::SyncActionData>(v),
        "SyncdPatch" => roundtrip::<wa::SyncdPatch>(v),
        "SyncdMutations" => roundtrip::<wa::SyncdMutations>(v),
        "SyncdSnapshot" => roundtrip::<wa::SyncdSnapshot>(v),
        other => panic!("vector {}: no Rust type for {other}", v.name),
    }
}

/// Checks a MessageKey against Baileys' decoding at `path`.
pub(crate) fn check_key(k: &wa::MessageKey, v: &Vector, path: &str) {
    assert_eq!(
        k.remote_jid(),
        v.s(&format!("{path}.remoteJid")),
        "{}",
        v.name
    );
    assert_eq!(k.from_me(), v.b(&format!("{path}.fromMe")), "{}", v.name);
    assert_eq!(k.id(), v.s(&format!("{path}.id")), "{}", v.name);
    let p = format!("{path}.participant");
    if v.has(&p) {
        assert_eq!(k.participant(), v.s(&p), "{}", v.name);
    } else {
        assert!(k.participant.is_none(), "{}", v.name);
    }
}
