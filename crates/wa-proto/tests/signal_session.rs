//! Pairwise Signal sessions between two of our own parties: setup in both
//! variants, randomized conversations with reordering and loss, record
//! persistence, archived states, and every failure mode as a typed error that
//! leaves the record unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use prost::Message;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use wa_proto::Error;
use wa_proto::proto::signal as pb;
use wa_proto::proto::wa;
use wa_proto::signal::*;

struct Party {
    id: LocalIdentity,
    spk: SignedPreKey,
    opks: Vec<PreKey>,
}

impl Party {
    fn new(rng: &mut ChaCha20Rng) -> Self {
        let id = LocalIdentity::generate(rng);
        let spk = SignedPreKey::generate(&id.key_pair, 3, rng);
        let opks = PreKey::generate_batch(100, 4, rng);
        Self { id, spk, opks }
    }
    fn bundle(&self, with_opk: bool) -> PreKeyBundle {
        PreKeyBundle::new(&self.id, &self.spk, with_opk.then(|| &self.opks[0]))
    }
    fn keys_for(&self, msg: &[u8]) -> ResponderKeys<'_> {
        let m = PreKeySignalMessage::parse(msg).unwrap();
        ResponderKeys {
            signed_pre_key: (m.signed_pre_key_id == self.spk.id).then_some(&self.spk),
            one_time_pre_key: m
                .pre_key_id
                .and_then(|id| self.opks.iter().find(|k| k.id == id)),
        }
    }
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Alice initiates to Bob; returns both records after one round trip.
fn established(
    r: &mut ChaCha20Rng,
    with_opk: bool,
) -> (Party, Party, SessionRecord, SessionRecord) {
    let (a, b) = (Party::new(r), Party::new(r));
    let mut ra = SessionRecord::new();
    process_prekey_bundle(&mut ra, &a.id, None, &b.bundle(with_opk), r).unwrap();
    let m = encrypt(&mut ra, &a.id, b"first").unwrap();
    assert_eq!(m.kind, MessageType::PreKey);
    let mut rb = SessionRecord::new();
    let out = decrypt_prekey(&mut rb, &b.id, None, &m.bytes, b.keys_for(&m.bytes), r).unwrap();
    assert_eq!(out.plaintext, b"first");
    assert_eq!(out.used_pre_key_id, with_opk.then_some(100));
    assert!(out.new_session);
    assert_eq!(out.remote_identity, *a.id.public());
    assert_eq!(out.remote_registration_id, a.id.registration_id);
    let reply = encrypt(&mut rb, &b.id, b"reply").unwrap();
    assert_eq!(reply.kind, MessageType::Whisper);
    assert_eq!(
        decrypt(&mut ra, &a.id, Some(b.id.public()), &reply.bytes, r).unwrap(),
        b"reply"
    );
    assert!(!ra.has_pending_pre_key());
    (a, b, ra, rb)
}

#[test]
fn setup_with_and_without_one_time_prekey() {
    let mut r = rng(1);
    for with_opk in [true, false] {
        let (a, b, mut ra, mut rb) = established(&mut r, with_opk);
        let m = encrypt(&mut ra, &a.id, b"after").unwrap();
        assert_eq!(m.kind, MessageType::Whisper);
        assert_eq!(
            decrypt(&mut rb, &b.id, None, &m.bytes, &mut r).unwrap(),
            b"after"
        );
    }
}

#[test]
fn pkmsg_repeats_until_first_reply() {
    let mut r = rng(2);
    let (a, b) = (Party::new(&mut r), Party::new(&mut r));
    let mut ra = SessionRecord::new();
    process_prekey_bundle(&mut ra, &a.id, None, &b.bundle(true), &mut r).unwrap();
    let msgs: Vec<_> = (0..3)
        .map(|i| encrypt(&mut ra, &a.id, &[i]).unwrap())
        .collect();
    assert!(msgs.iter().all(|m| m.kind == MessageType::PreKey));
    let mut rb = SessionRecord::new();
    // Delivered out of order; the one-time prekey is only needed once.
    let first = decrypt_prekey(
        &mut rb,
        &b.id,
        None,
        &msgs[2].bytes,
        b.keys_for(&msgs[2].bytes),
        &mut r,
    )
    .unwrap();
    assert_eq!((first.plaintext, first.new_session), (vec![2], true));
    for i in [0usize, 1] {
        let out = decrypt_prekey(
            &mut rb,
            &b.id,
            None,
            &msgs[i].bytes,
            ResponderKeys::default(),
            &mut r,
        )
        .unwrap();
        assert_eq!(out.plaintext, vec![i as u8]);
        assert!(!out.new_session);
        assert_eq!(out.used_pre_key_id, None);
    }
    assert_eq!(rb.previous_count(), 0);
}

/// A randomized conversation: each side sends bursts, delivery is shuffled
/// and some messages are only delivered late; every message decrypts once.
fn conversation(seed: u64, with_opk: bool, persist: bool) {
    let mut r = rng(seed);
    let (a, b, ra, rb) = established(&mut r, with_opk);
    let mut recs = [ra, rb];
    let ids = [&a.id, &b.id];
    let mut inflight: [Vec<(Vec<u8>, Vec<u8>)>; 2] = [vec![], vec![]]; // to side i
    for step in 0..1500 {
        let from = r.random_range(0..2usize);
        let to = 1 - from;
        if r.random_bool(0.6) {
            let pt: Vec<u8> = (0..r.random_range(0..80)).map(|_| r.random()).collect();
            let padded = pad(&pt, &mut r);
            let m = encrypt(&mut recs[from], ids[from], &padded).unwrap();
            assert_eq!(m.kind, MessageType::Whisper);
            inflight[to].push((m.bytes, pt));
        } else if !inflight[to].is_empty() {
            let i = r.random_range(0..inflight[to].len());
            let (ct, pt) = inflight[to].swap_remove(i);
            let got = decrypt(
                &mut recs[to],
                ids[to],
                Some(ids[from].public()),
                &ct,
                &mut r,
            )
            .unwrap_or_else(|e| panic!("step {step}: {e}"));
            assert_eq!(unpad(&got).unwrap(), &pt[..]);
            // A second delivery is a duplicate and changes nothing.
            let before = recs[to].to_bytes();
            assert!(matches!(
                decrypt(&mut recs[to], ids[to], None, &ct, &mut r),
                Err(Error::DuplicateMessage(_))
            ));
            assert_eq!(recs[to].to_bytes(), before);
        }
        if persist && step % 7 == 0 {
            for rec in &mut recs {
                *rec = SessionRecord::from_bytes(&rec.to_bytes()).unwrap();
            }
        }
    }
    for to in 0..2 {
        for (ct, pt) in std::mem::take(&mut inflight[to]) {
            let got = decrypt(&mut recs[to], ids[to], None, &ct, &mut r).unwrap();
            assert_eq!(unpad(&got).unwrap(), &pt[..]);
        }
    }
}

#[test]
fn randomized_conversations() {
    conversation(10, true, false);
    conversation(11, false, true);
}

#[test]
fn archived_state_still_decrypts() {
    let mut r = rng(3);
    let (a, b, mut ra, mut rb) = established(&mut r, true);
    let old = encrypt(&mut ra, &a.id, b"old session").unwrap();
    // Alice starts over with a fresh bundle (no one-time prekey left).
    process_prekey_bundle(&mut ra, &a.id, None, &b.bundle(false), &mut r).unwrap();
    assert_eq!(ra.previous_count(), 1);
    let new = encrypt(&mut ra, &a.id, b"new session").unwrap();
    assert_eq!(new.kind, MessageType::PreKey);
    let out = decrypt_prekey(
        &mut rb,
        &b.id,
        None,
        &new.bytes,
        b.keys_for(&new.bytes),
        &mut r,
    )
    .unwrap();
    assert_eq!(out.plaintext, b"new session");
    assert_eq!(rb.previous_count(), 1);
    // A late message of the old session decrypts with the archived state.
    assert_eq!(
        decrypt(&mut rb, &b.id, None, &old.bytes, &mut r).unwrap(),
        b"old session"
    );
    // Bob keeps replying on the newest session.
    let reply = encrypt(&mut rb, &b.id, b"to new").unwrap();
    assert_eq!(
        decrypt(&mut ra, &a.id, None, &reply.bytes, &mut r).unwrap(),
        b"to new"
    );
    assert!(!ra.has_pending_pre_key());
    assert_eq!(rb.previous_count(), 1);
}

#[test]
fn record_bytes_round_trip() {
    let mut r = rng(4);
    let (a, _b, ra, rb) = established(&mut r, true);
    for rec in [&ra, &rb] {
        let bytes = rec.to_bytes();
        let back = SessionRecord::from_bytes(&bytes).unwrap();
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.remote_identity(), rec.remote_identity());
    }
    assert!(SessionRecord::from_bytes(&[0xff, 0xff]).is_err());
    // A record whose ratchet private key does not match its public key is corrupt.
    let mut p = pb::SessionRecordStructure::decode(&ra.to_bytes()[..]).unwrap();
    p.current.as_mut().unwrap().our_ratchet_private = Some(vec![1; 32]);
    assert!(SessionRecord::from_bytes(&p.encode_to_vec()).is_err());
    let _ = a;
}

#[test]
fn wire_encoding_matches_prost() {
    let mut r = rng(5);
    let (a, b) = (Party::new(&mut r), Party::new(&mut r));
    let mut ra = SessionRecord::new();
    process_prekey_bundle(&mut ra, &a.id, None, &b.bundle(true), &mut r).unwrap();
    let m = encrypt(&mut ra, &a.id, &[7; 100]).unwrap();
    let outer = wa::PreKeySignalMessage::decode(&m.bytes[1..]).unwrap();
    assert_eq!(m.bytes[0], 0x33);
    assert_eq!(outer.pre_key_id, Some(100));
    assert_eq!(outer.signed_pre_key_id, Some(3));
    assert_eq!(outer.registration_id, Some(a.id.registration_id));
    assert_eq!(
        outer.identity_key.as_deref(),
        Some(&a.id.public().serialize()[..])
    );
    let inner = outer.message.unwrap();
    let sm = wa::SignalMessage::decode(&inner[1..inner.len() - 8]).unwrap();
    assert_eq!(sm.counter, Some(0));
    assert_eq!(sm.previous_counter, Some(0));
    assert_eq!(sm.ciphertext.unwrap().len(), 112);
    assert_eq!(sm.ratchet_key.unwrap().len(), 33);
    // Our parser reads prost's encoding, unknown fields included.
    let mut again = wa::PreKeySignalMessage::decode(&m.bytes[1..]).unwrap();
    again.registration_id = Some(77);
    let mut bytes = vec![0x33];
    again.encode(&mut bytes).unwrap();
    bytes.extend_from_slice(&[0x78, 0x01]); // field 15, varint 1
    let parsed = PreKeySignalMessage::parse(&bytes).unwrap();
    assert_eq!(parsed.registration_id, 77);
    assert_eq!(parsed.pre_key_id, Some(100));
}

// ---- negative tests: typed errors, never a panic, record unchanged ----

fn assert_unchanged<T: std::fmt::Debug>(
    rec: &mut SessionRecord,
    expect: impl Fn(&Error) -> bool,
    f: impl FnOnce(&mut SessionRecord) -> Result<T, Error>,
) {
    let before = rec.to_bytes();
    let res = f(rec);
    match &res {
        Err(e) if expect(e) => {}
        other => panic!("unexpected result {other:?}"),
    }
    assert_eq!(rec.to_bytes(), before, "record changed by a failed call");
}

#[test]
fn tampered_mac_and_body() {
    let mut r = rng(6);
    let (a, b, mut ra, mut rb) = established(&mut r, true);
    let m = encrypt(&mut ra, &a.id, b"tamper").unwrap();
    for i in 0..m.bytes.len() {
        let mut bad = m.bytes.clone();
        bad[i] ^= 0x01;
        assert_unchanged(
            &mut rb,
            |_| true,
            |rec| decrypt(rec, &b.id, None, &bad, &mut r),
        );
    }
    let mut bad = m.bytes.clone();
    *bad.last_mut().unwrap() ^= 0x80;
    assert_unchanged(
        &mut rb,
        |e| *e == Error::BadMac,
        |rec| decrypt(rec, &b.id, None, &bad, &mut r),
    );
    assert_eq!(
        decrypt(&mut rb, &b.id, None, &m.bytes, &mut r).unwrap(),
        b"tamper"
    );
}

#[test]
fn wrong_identity() {
    let mut r = rng(7);
    let (a, b, mut ra, mut rb) = established(&mut r, true);
    let stranger = LocalIdentity::generate(&mut r);
    let m = encrypt(&mut ra, &a.id, b"x").unwrap();
    assert_unchanged(
        &mut rb,
        |e| *e == Error::UntrustedIdentity,
        |rec| decrypt(rec, &b.id, Some(stranger.public()), &m.bytes, &mut r),
    );
    // Decrypting as the wrong receiver identity fails the MAC.
    assert_unchanged(
        &mut rb,
        |e| *e == Error::BadMac,
        |rec| decrypt(rec, &stranger, None, &m.bytes, &mut r),
    );
    // A pkmsg from an identity other than the one on file.
    let c = Party::new(&mut r);
    let mut rc = SessionRecord::new();
    process_prekey_bundle(&mut rc, &c.id, None, &b.bundle(false), &mut r).unwrap();
    let pk = encrypt(&mut rc, &c.id, b"y").unwrap();
    assert_unchanged(
        &mut rb,
        |e| *e == Error::UntrustedIdentity,
        |rec| {
            decrypt_prekey(
                rec,
                &b.id,
                Some(a.id.public()),
                &pk.bytes,
                b.keys_for(&pk.bytes),
                &mut r,
            )
        },
    );
    // And a bundle whose identity differs from the one on file.
    let mut fresh = SessionRecord::new();
    assert_unchanged(
        &mut fresh,
        |e| *e == Error::UntrustedIdentity,
        |rec| process_prekey_bundle(rec, &a.id, Some(c.id.public()), &b.bundle(true), &mut r),
    );
    let mut bad = b.bundle(true);
    bad.signed_pre_key_signature[3] ^= 1;
    assert_unchanged(
        &mut fresh,
        |e| *e == Error::InvalidSignature,
        |rec| process_prekey_bundle(rec, &a.id, None, &bad, &mut r),
    );
}

#[test]
fn replayed_message() {
    let mut r = rng(8);
    let (a, b, mut ra, mut rb) = established(&mut r, true);
    let m = encrypt(&mut ra, &a.id, b"once").unwrap();
    decrypt(&mut rb, &b.id, None, &m.bytes, &mut r).unwrap();
    assert_unchanged(
        &mut rb,
        |e| *e == Error::DuplicateMessage(0),
        |rec| decrypt(rec, &b.id, None, &m.bytes, &mut r),
    );
}

#[test]
fn truncated_input() {
    let mut r = rng(9);
    let (a, b) = (Party::new(&mut r), Party::new(&mut r));
    let mut ra = SessionRecord::new();
    process_prekey_bundle(&mut ra, &a.id, None, &b.bundle(true), &mut r).unwrap();
    let pk = encrypt(&mut ra, &a.id, b"trunc").unwrap();
    let mut rb = SessionRecord::new();
    for n in 0..pk.bytes.len() {
        assert_unchanged(
            &mut rb,
            |e| {
                matches!(
                    e,
                    Error::InvalidMessage(_)
                        | Error::UnsupportedVersion(_)
                        | Error::InvalidKey(_)
                        | Error::BadMac
                )
            },
            |rec| {
                decrypt_prekey(
                    rec,
                    &b.id,
                    None,
                    &pk.bytes[..n],
                    b.keys_for(&pk.bytes),
                    &mut r,
                )
            },
        );
    }
    let out = decrypt_prekey(
        &mut rb,
        &b.id,
        None,
        &pk.bytes,
        b.keys_for(&pk.bytes),
        &mut r,
    )
    .unwrap();
    assert_eq!(out.plaintext, b"trunc");
    let m = encrypt(&mut rb, &b.id, b"msg").unwrap();
    for n in 0..m.bytes.len() {
        assert_unchanged(
            &mut ra,
            |_| true,
            |rec| decrypt(rec, &a.id, None, &m.bytes[..n], &mut r),
        );
    }
    assert_eq!(
        decrypt(&mut ra, &a.id, None, &m.bytes, &mut r).unwrap(),
        b"msg"
    );
}

#[test]
fn unknown_prekey_ids_and_missing_session() {
    let mut r = rng(12);
    let (a, b) = (Party::new(&mut r), Party::new(&mut r));
    let mut ra = SessionRecord::new();
    assert_unchanged(
        &mut ra,
        |e| *e == Error::NoSession,
        |rec| encrypt(rec, &a.id, b"x"),
    );
    process_prekey_bundle(&mut ra, &a.id, None, &b.bundle(true), &mut r).unwrap();
    let pk = encrypt(&mut ra, &a.id, b"x").unwrap();
    let mut rb = SessionRecord::new();
    let other = PreKey::generate(101, &mut r);
    assert_unchanged(
        &mut rb,
        |e| *e == Error::InvalidPreKeyId(100),
        |rec| {
            let keys = ResponderKeys {
                signed_pre_key: Some(&b.spk),
                one_time_pre_key: Some(&other),
            };
            decrypt_prekey(rec, &b.id, None, &pk.bytes, keys, &mut r)
        },
    );
    assert_unchanged(
        &mut rb,
        |e| *e == Error::InvalidSignedPreKeyId(3),
        |rec| {
            let keys = ResponderKeys {
                signed_pre_key: None,
                one_time_pre_key: Some(&b.opks[0]),
            };
            decrypt_prekey(rec, &b.id, None, &pk.bytes, keys, &mut r)
        },
    );
    // The right id but the wrong key pair: the MAC fails.
    let wrong = PreKey {
        id: 100,
        key_pair: other.key_pair.clone(),
    };
    assert_unchanged(
        &mut rb,
        |e| *e == Error::BadMac,
        |rec| {
            let keys = ResponderKeys {
                signed_pre_key: Some(&b.spk),
                one_time_pre_key: Some(&wrong),
            };
            decrypt_prekey(rec, &b.id, None, &pk.bytes, keys, &mut r)
        },
    );
    assert_unchanged(
        &mut rb,
        |e| *e == Error::NoSession,
        |rec| {
            let inner = inner_msg(&pk.bytes);
            decrypt(rec, &b.id, None, &inner, &mut r)
        },
    );
}

fn inner_msg(pkmsg: &[u8]) -> Vec<u8> {
    wa::PreKeySignalMessage::decode(&pkmsg[1..])
        .unwrap()
        .message
        .unwrap()
}

#[test]
fn bad_padding_is_typed() {
    let mut r = rng(13);
    let (a, b, mut ra, mut rb) = established(&mut r, true);
    let m = encrypt(&mut ra, &a.id, b"no padding here\x00").unwrap();
    let pt = decrypt(&mut rb, &b.id, None, &m.bytes, &mut r).unwrap();
    assert_eq!(unpad(&pt), Err(Error::BadPadding));
}

#[test]
fn too_far_in_future() {
    let mut r = rng(14);
    let (a, b, mut ra, mut rb) = established(&mut r, true);
    let mut last = None;
    for _ in 0..=MAX_FORWARD_JUMP + 1 {
        last = Some(encrypt(&mut ra, &a.id, b"skip").unwrap());
    }
    let last = last.unwrap();
    assert_unchanged(
        &mut rb,
        |e| *e == Error::TooFarInFuture,
        |rec| decrypt(rec, &b.id, None, &last.bytes, &mut r),
    );
}

#[test]
fn simultaneous_initiation_keeps_working() {
    let mut r = rng(15);
    let (a, b) = (Party::new(&mut r), Party::new(&mut r));
    let (mut ra, mut rb) = (SessionRecord::new(), SessionRecord::new());
    process_prekey_bundle(&mut ra, &a.id, None, &b.bundle(true), &mut r).unwrap();
    process_prekey_bundle(&mut rb, &b.id, None, &a.bundle(true), &mut r).unwrap();
    let pa = encrypt(&mut ra, &a.id, b"from a").unwrap();
    let pb = encrypt(&mut rb, &b.id, b"from b").unwrap();
    let out = decrypt_prekey(
        &mut ra,
        &a.id,
        None,
        &pb.bytes,
        a.keys_for(&pb.bytes),
        &mut r,
    )
    .unwrap();
    assert_eq!(out.plaintext, b"from b");
    let out = decrypt_prekey(
        &mut rb,
        &b.id,
        None,
        &pa.bytes,
        b.keys_for(&pa.bytes),
        &mut r,
    )
    .unwrap();
    assert_eq!(out.plaintext, b"from a");
    // Each now sends on the session the other started; both still decrypt.
    for round in 0..5u8 {
        let m = encrypt(&mut ra, &a.id, &[round]).unwrap();
        assert_eq!(m.kind, MessageType::Whisper);
        assert_eq!(
            decrypt(&mut rb, &b.id, None, &m.bytes, &mut r).unwrap(),
            [round]
        );
        let m = encrypt(&mut rb, &b.id, &[round, 1]).unwrap();
        assert_eq!(
            decrypt(&mut ra, &a.id, None, &m.bytes, &mut r).unwrap(),
            [round, 1]
        );
    }
    assert_eq!((ra.previous_count(), rb.previous_count()), (1, 1));
}
