//! Known-answer tests against values computed by libsignal 6.0.0 and Baileys'
//! group cipher (`tests/vectors/signal.json`, produced by
//! `xtask/interop/signal-vectors.mjs`): the KDFs, and whole sessions and
//! sender-key messages reproduced byte for byte from the same fixed keys.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::convert::Infallible;

use prost::Message;
use rand::{TryCryptoRng, TryRng};
use serde_json::Value;
use wa_proto::keys::{KeyPair, PrivateKey, PublicKey};
use wa_proto::proto::signal as pb;
use wa_proto::signal::testing::{chain_step, hkdf};
use wa_proto::signal::*;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/signal.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn h32(v: &Value) -> [u8; 32] {
    h(v).try_into().unwrap()
}

/// Hands out the queued 32-byte private keys, in order, as "randomness".
struct Scripted(VecDeque<[u8; 32]>);

impl TryRng for Scripted {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        panic!("unexpected next_u32")
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        panic!("unexpected next_u64")
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        assert_eq!(dst.len(), 32, "only key generation may draw randomness");
        dst.copy_from_slice(&self.0.pop_front().expect("script exhausted"));
        Ok(())
    }
}
impl TryCryptoRng for Scripted {}

#[test]
fn hkdf_vectors() {
    let v = vectors();
    for case in v["hkdf"].as_array().unwrap() {
        let (ikm, salt) = (h(&case["ikm"]), h32(&case["salt"]));
        let info = case["info"].as_str().unwrap().as_bytes();
        let okm: [u8; 96] = hkdf(&ikm, Some(&salt), info);
        assert_eq!(okm.to_vec(), h(&case["okm"]), "{info:?}");
        if salt == [0; 32] {
            let zero: [u8; 96] = hkdf(&ikm, None, info);
            assert_eq!(zero, okm);
        }
    }
}

#[test]
fn chain_and_message_key_vectors() {
    let v = vectors();
    for c in v["chain"].as_array().unwrap() {
        let (seed, next) = chain_step(&h32(&c["chain_key"]));
        assert_eq!(seed, h32(&c["seed"]));
        assert_eq!(next, h32(&c["next"]));
        let mk: [u8; 80] = hkdf(&seed, None, b"WhisperMessageKeys");
        assert_eq!(mk[..32], h(&c["cipher_key"])[..]);
        assert_eq!(mk[32..64], h(&c["mac_key"])[..]);
        assert_eq!(mk[64..], h(&c["iv"])[..]);
        let gk: [u8; 48] = hkdf(&seed, None, b"WhisperGroup");
        assert_eq!(gk[..16], h(&c["group_iv"])[..]);
        assert_eq!(gk[16..], h(&c["group_cipher_key"])[..]);
    }
}

fn key_pair(k: &Value) -> KeyPair {
    let kp = KeyPair::from_private(PrivateKey::from_bytes(h32(&k["private"])));
    assert_eq!(kp.public, PublicKey::deserialize(&h(&k["public"])).unwrap());
    kp
}

#[test]
fn sessions_reproduce_libsignal_byte_for_byte() {
    let v = vectors();
    for s in v["sessions"].as_array().unwrap() {
        let k = &s["keys"];
        let priv_of = |name: &str| h32(&k[name]["private"]);
        let alice = LocalIdentity {
            key_pair: key_pair(&k["alice_identity"]),
            registration_id: 1111,
        };
        let bob = LocalIdentity {
            key_pair: key_pair(&k["bob_identity"]),
            registration_id: 2222,
        };
        let spk = SignedPreKey {
            id: 7,
            key_pair: key_pair(&k["bob_spk"]),
            signature: h(&s["signed_pre_key_signature"]).try_into().unwrap(),
        };
        assert!(
            spk.verify(bob.public()),
            "libsignal's signed prekey signature verifies"
        );
        let opk = PreKey {
            id: 5,
            key_pair: key_pair(&k["bob_opk"]),
        };
        let with_opk = s["one_time_pre_key"].as_bool().unwrap();
        let bundle = PreKeyBundle::new(&bob, &spk, with_opk.then_some(&opk));
        let msgs = s["messages"].as_array().unwrap();

        // Alice, with libsignal's base and ratchet keys, sends the same pkmsg.
        let mut ra = SessionRecord::new();
        let mut rng = Scripted([priv_of("alice_base"), priv_of("alice_ratchet_1")].into());
        process_prekey_bundle(&mut ra, &alice, None, &bundle, &mut rng).unwrap();
        let m1 = encrypt(&mut ra, &alice, &h(&msgs[0]["plaintext"])).unwrap();
        assert_eq!(m1.kind.enc_type(), msgs[0]["type"]);
        assert_eq!(
            m1.bytes,
            h(&msgs[0]["body"]),
            "pkmsg differs from libsignal's"
        );

        // Bob decrypts libsignal's pkmsg and replies with the same bytes.
        let mut rb = SessionRecord::new();
        let mut rng = Scripted([priv_of("bob_ratchet_1")].into());
        let keys = ResponderKeys {
            signed_pre_key: Some(&spk),
            one_time_pre_key: Some(&opk),
        };
        let out =
            decrypt_prekey(&mut rb, &bob, None, &h(&msgs[0]["body"]), keys, &mut rng).unwrap();
        assert_eq!(out.plaintext, h(&msgs[0]["plaintext"]));
        assert_eq!(out.used_pre_key_id, with_opk.then_some(5));
        let m2 = encrypt(&mut rb, &bob, &h(&msgs[1]["plaintext"])).unwrap();
        assert_eq!(m2.kind.enc_type(), msgs[1]["type"]);
        assert_eq!(
            m2.bytes,
            h(&msgs[1]["body"]),
            "reply differs from libsignal's"
        );

        // Alice decrypts it, steps her ratchet and sends the third message.
        let mut rng = Scripted([priv_of("alice_ratchet_2")].into());
        let pt = decrypt(&mut ra, &alice, Some(bob.public()), &m2.bytes, &mut rng).unwrap();
        assert_eq!(pt, h(&msgs[1]["plaintext"]));
        let m3 = encrypt(&mut ra, &alice, &h(&msgs[2]["plaintext"])).unwrap();
        assert_eq!(m3.kind.enc_type(), msgs[2]["type"]);
        assert_eq!(
            m3.bytes,
            h(&msgs[2]["body"]),
            "third message differs from libsignal's"
        );
        let mut rng = Scripted([[9u8; 32]].into()); // Bob's next ratchet key
        assert_eq!(
            decrypt(&mut rb, &bob, None, &m3.bytes, &mut rng).unwrap(),
            h(&msgs[2]["plaintext"])
        );
    }
}

#[test]
fn sender_keys_reproduce_baileys() {
    let v = vectors();
    let sk = &v["sender_key"];
    let signing = key_pair(&sk["signing"]);
    // Our own record with Baileys' state: same SKDM, same message up to the
    // (randomized, so different) signature.
    let state = pb::SenderKeyStateStructure {
        id: Some(sk["key_id"].as_u64().unwrap() as u32),
        chain_key: Some(pb::ChainKeyStructure {
            index: Some(0),
            key: Some(h(&sk["chain_key"])),
        }),
        signing_public: Some(signing.public.serialize().to_vec()),
        signing_private: Some(signing.private.as_bytes().to_vec()),
        skipped: vec![],
    };
    let bytes = pb::SenderKeyRecordStructure {
        states: vec![state],
    }
    .encode_to_vec();
    let mut own = SenderKeyRecord::from_bytes(&bytes).unwrap();
    let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::seed_from_u64(9);
    let skdm = create_distribution_message(&mut own, &mut rng).unwrap();
    assert_eq!(
        skdm.serialize(),
        h(&sk["skdm"]),
        "SKDM differs from Baileys'"
    );
    let msgs = sk["messages"].as_array().unwrap();
    let first = h(&msgs[0]["body"]);
    let ours = group_encrypt(&mut own, &h(&msgs[0]["plaintext"]), &mut rng).unwrap();
    assert_eq!(ours.len(), first.len());
    assert_eq!(
        ours[..ours.len() - 64],
        first[..first.len() - 64],
        "skmsg differs from Baileys'"
    );
    assert!(
        signing
            .public
            .verify(&ours[..ours.len() - 64], &ours[ours.len() - 64..])
    );

    // A member decrypts Baileys' messages (iterations 0 and 2).
    let mut member = SenderKeyRecord::new();
    process_distribution_message(
        &mut member,
        &SenderKeyDistributionMessage::parse(&h(&sk["skdm"])).unwrap(),
    );
    for m in msgs.iter().rev() {
        let body = h(&m["body"]);
        assert_eq!(
            SenderKeyMessage::parse(&body).unwrap().iteration as u64,
            m["iteration"].as_u64().unwrap()
        );
        assert_eq!(
            group_decrypt(&mut member, &body).unwrap(),
            h(&m["plaintext"])
        );
    }
}
