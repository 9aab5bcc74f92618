//! Replays the published Noise test vectors for `Noise_XX_25519_AESGCM_SHA256`
//! (cacophony, and snow's own set) through our XX state machine and
//! transport cipher: every handshake and transport ciphertext must match
//! byte for byte, and every payload must decrypt.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde::Deserialize;
use wa_proto::keys::{KeyPair, PrivateKey};
use wa_proto::noise::Transport;
use wa_proto::noise::xx::{Initiator, Responder, Variant};

#[derive(Deserialize)]
struct File {
    source: String,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    protocol_name: String,
    init_prologue: String,
    init_static: String,
    init_ephemeral: String,
    resp_prologue: String,
    resp_static: String,
    resp_ephemeral: String,
    handshake_hash: Option<String>,
    messages: Vec<Message>,
}

#[derive(Deserialize)]
struct Message {
    payload: String,
    ciphertext: String,
}

fn key(hex_str: &str) -> KeyPair {
    let bytes: [u8; 32] = hex::decode(hex_str).unwrap().try_into().unwrap();
    KeyPair::from_private(PrivateKey::from_bytes(bytes))
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn load(name: &str) -> File {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Runs one vector; returns how many messages were checked.
fn replay(v: &Vector) -> usize {
    assert_eq!(v.protocol_name, "Noise_XX_25519_AESGCM_SHA256");
    assert!(
        v.messages.len() >= 3,
        "a vector needs the 3 handshake messages"
    );
    let init = Initiator::new(
        Variant::Standard,
        key(&v.init_static),
        key(&v.init_ephemeral),
        &h(&v.init_prologue),
    );
    let resp = Responder::new(
        Variant::Standard,
        key(&v.resp_static),
        key(&v.resp_ephemeral),
        &h(&v.resp_prologue),
    );
    let m = &v.messages;

    // -> e
    let (init, c0) = init.write_message_1(&h(&m[0].payload)).unwrap();
    assert_eq!(hex::encode(&c0), m[0].ciphertext, "message 0");
    let (resp, p0) = resp.read_message_1(&c0).unwrap();
    assert_eq!(p0, h(&m[0].payload));

    // <- e, ee, s, es
    let (resp, c1) = resp.write_message_2(&h(&m[1].payload)).unwrap();
    assert_eq!(hex::encode(&c1), m[1].ciphertext, "message 1");
    let (init, p1) = init.read_message_2(&c1).unwrap();
    assert_eq!(p1, h(&m[1].payload));
    assert_eq!(*init.remote_static(), key(&v.resp_static).public);

    // -> s, se
    let (mut ti, c2) = init.write_message_3(&h(&m[2].payload)).unwrap();
    assert_eq!(hex::encode(&c2), m[2].ciphertext, "message 2");
    let (mut tr, rs, p2) = resp.read_message_3(&c2).unwrap();
    assert_eq!(p2, h(&m[2].payload));
    assert_eq!(rs, key(&v.init_static).public);

    assert_eq!(ti.handshake_hash(), tr.handshake_hash());
    if let Some(hh) = &v.handshake_hash {
        assert_eq!(hex::encode(ti.handshake_hash()), *hh, "handshake hash");
    }

    // Transport: even indices initiator → responder, odd the other way.
    for (i, msg) in m.iter().enumerate().skip(3) {
        let (send, recv): (&mut Transport, &mut Transport) = if i % 2 == 0 {
            (&mut ti, &mut tr)
        } else {
            (&mut tr, &mut ti)
        };
        let payload = h(&msg.payload);
        let ct = send.encrypt(&payload).unwrap();
        assert_eq!(hex::encode(&ct), msg.ciphertext, "transport message {i}");
        // In-place path too.
        let mut buf = ct.clone();
        let pt = recv.decrypt_in_place(&mut buf).unwrap();
        assert_eq!(pt, &payload[..], "transport message {i} decrypt");
    }
    m.len()
}

#[test]
fn cacophony_xx_25519_aesgcm_sha256() {
    let f = load("noise_cacophony.json");
    assert!(f.source.contains("cacophony"));
    assert!(!f.vectors.is_empty());
    let mut n = 0;
    for v in &f.vectors {
        assert!(
            v.handshake_hash.is_some(),
            "cacophony vectors carry the hash"
        );
        n += replay(v);
    }
    assert!(n >= 6, "expected handshake and transport messages, got {n}");
}

#[test]
fn snow_xx_25519_aesgcm_sha256() {
    let f = load("noise_snow.json");
    assert!(!f.vectors.is_empty());
    for v in &f.vectors {
        replay(v);
    }
}

/// A changed byte anywhere in a vector message must be rejected, so the
/// replay above is not vacuous.
#[test]
fn cacophony_messages_are_authenticated() {
    let f = load("noise_cacophony.json");
    let v = &f.vectors[0];
    let c1 = h(&v.messages[1].ciphertext);
    for pos in [0usize, 31, 32, 79, 80, c1.len() - 1] {
        let init = Initiator::new(
            Variant::Standard,
            key(&v.init_static),
            key(&v.init_ephemeral),
            &h(&v.init_prologue),
        );
        let (init, _) = init.write_message_1(&h(&v.messages[0].payload)).unwrap();
        let mut bad = c1.clone();
        bad[pos] ^= 0x01;
        assert!(init.read_message_2(&bad).is_err(), "flip at {pos} accepted");
    }
}

/// The WhatsApp variant differs from standard Noise exactly by not hashing
/// the empty first payload: with the vector's keys and an empty first
/// payload, the standard responder and a WhatsApp initiator disagree.
#[test]
fn whatsapp_variant_skips_the_first_payload_hash() {
    let f = load("noise_cacophony.json");
    let v = &f.vectors[0];
    let mk_init = |variant| {
        Initiator::new(
            variant,
            key(&v.init_static),
            key(&v.init_ephemeral),
            &h(&v.init_prologue),
        )
    };
    let mk_resp = |variant| {
        Responder::new(
            variant,
            key(&v.resp_static),
            key(&v.resp_ephemeral),
            &h(&v.resp_prologue),
        )
    };
    // Same variant on both ends: works.
    for variant in [Variant::Standard, Variant::WhatsApp] {
        let (i, m0) = mk_init(variant).write_message_1(&[]).unwrap();
        assert_eq!(m0.len(), 32);
        let (r, _) = mk_resp(variant).read_message_1(&m0).unwrap();
        let (_, m1) = r.write_message_2(b"x").unwrap();
        assert_eq!(i.read_message_2(&m1).unwrap().1, b"x");
    }
    // Mixed: the transcripts differ, so authentication fails.
    let (i, m0) = mk_init(Variant::WhatsApp).write_message_1(&[]).unwrap();
    let (r, _) = mk_resp(Variant::Standard).read_message_1(&m0).unwrap();
    let (_, m1) = r.write_message_2(b"x").unwrap();
    assert!(i.read_message_2(&m1).is_err());
    // And the WhatsApp first message refuses a payload.
    assert!(mk_init(Variant::WhatsApp).write_message_1(b"p").is_err());
    assert!(
        mk_resp(Variant::WhatsApp)
            .read_message_1(&[7u8; 33])
            .is_err()
    );
}
