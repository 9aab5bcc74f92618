//! Fuzz entry points for the Signal layer (re-exported by
//! [`crate::fuzzing`]): each decodes arbitrary bytes and attempts decryption
//! against a fixed, deterministically built session or sender key, so the
//! fuzzer reaches the MAC, signature and decryption paths. Every entry checks
//! that a failed call left the record unchanged.
//!
//! [`seeds`] returns real messages of that fixture (they decrypt), used as
//! the committed seed corpus.

use std::sync::OnceLock;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::signal::*;

struct Fixture {
    bob: LocalIdentity,
    spk: SignedPreKey,
    opk: PreKey,
    /// Bob after the first pkmsg and his reply.
    bob_session: SessionRecord,
    /// A member holding Alice's sender key.
    member: SenderKeyRecord,
    pkmsg: Vec<Vec<u8>>,
    msg: Vec<Vec<u8>>,
    skmsg: Vec<Vec<u8>>,
    skdm: Vec<Vec<u8>>,
}

fn build() -> Option<Fixture> {
    let mut rng = ChaCha20Rng::seed_from_u64(0x5eed);
    let alice = LocalIdentity::generate(&mut rng);
    let bob = LocalIdentity::generate(&mut rng);
    let spk = SignedPreKey::generate(&bob.key_pair, 1, &mut rng);
    let opk = PreKey::generate(2, &mut rng);
    let mut a = SessionRecord::new();
    process_prekey_bundle(
        &mut a,
        &alice,
        None,
        &PreKeyBundle::new(&bob, &spk, Some(&opk)),
        &mut rng,
    )
    .ok()?;
    let p0 = encrypt(&mut a, &alice, &pad(b"hello bob", &mut rng)).ok()?;
    let p1 = encrypt(&mut a, &alice, &pad(b"second pkmsg", &mut rng)).ok()?;
    let mut b = SessionRecord::new();
    let keys = ResponderKeys {
        signed_pre_key: Some(&spk),
        one_time_pre_key: Some(&opk),
    };
    decrypt_prekey(&mut b, &bob, None, &p0.bytes, keys, &mut rng).ok()?;
    let reply = encrypt(&mut b, &bob, &pad(b"hi alice", &mut rng)).ok()?;
    decrypt(&mut a, &alice, None, &reply.bytes, &mut rng).ok()?;
    // Alice's next messages start a new chain (a ratchet step at Bob's).
    let msg = (0..3)
        .filter_map(|i| encrypt(&mut a, &alice, &pad(&[i; 40], &mut rng)).ok())
        .map(|m| m.bytes)
        .collect();

    let mut own = SenderKeyRecord::new();
    let skdm = create_distribution_message(&mut own, &mut rng).ok()?;
    let mut member = SenderKeyRecord::new();
    process_distribution_message(&mut member, &skdm);
    let skmsg = (0..3)
        .filter_map(|i| group_encrypt(&mut own, &pad(&[i; 30], &mut rng), &mut rng).ok())
        .collect();
    let skdm_later = create_distribution_message(&mut own, &mut rng).ok()?;
    Some(Fixture {
        bob,
        spk,
        opk,
        bob_session: b,
        member,
        pkmsg: vec![p0.bytes, p1.bytes],
        msg,
        skmsg,
        skdm: vec![skdm.serialize(), skdm_later.serialize()],
    })
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(build).as_ref()
}

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(1)
}

fn check_session<T>(before: &SessionRecord, after: &SessionRecord, res: &crate::Result<T>) {
    if res.is_err() {
        assert_eq!(
            before.to_bytes(),
            after.to_bytes(),
            "failed call changed the record"
        );
    }
}

/// `pkmsg`: parse, then decrypt against Bob's established session (a known
/// base key) or by X3DH with Bob's prekeys (an unknown one).
pub fn signal_pkmsg(data: &[u8]) {
    let Some(f) = fixture() else { return };
    let mut rec = f.bob_session.clone();
    let keys = ResponderKeys {
        signed_pre_key: Some(&f.spk),
        one_time_pre_key: Some(&f.opk),
    };
    let res = decrypt_prekey(&mut rec, &f.bob, None, data, keys, &mut rng());
    check_session(&f.bob_session, &rec, &res);
    if let Ok(out) = res {
        let _ = unpad(&out.plaintext);
        let _ = SessionRecord::from_bytes(&rec.to_bytes());
    }
}

/// `msg`: parse and decrypt against Bob's established session.
pub fn signal_msg(data: &[u8]) {
    let Some(f) = fixture() else { return };
    let mut rec = f.bob_session.clone();
    let res = decrypt(&mut rec, &f.bob, None, data, &mut rng());
    check_session(&f.bob_session, &rec, &res);
    if let Ok(pt) = res {
        let _ = unpad(&pt);
    }
}

/// `skmsg`: parse, verify and decrypt against a member's sender key.
pub fn signal_skmsg(data: &[u8]) {
    let Some(f) = fixture() else { return };
    let mut rec = f.member.clone();
    let res = group_decrypt(&mut rec, data);
    if res.is_err() {
        assert_eq!(
            rec.to_bytes(),
            f.member.to_bytes(),
            "failed call changed the record"
        );
    }
}

/// SKDM: parse, check the serialization round trip, and process it.
pub fn signal_skdm(data: &[u8]) {
    let Some(f) = fixture() else { return };
    if let Ok(skdm) = SenderKeyDistributionMessage::parse(data) {
        let again = SenderKeyDistributionMessage::parse(&skdm.serialize());
        assert_eq!(again.as_ref(), Ok(&skdm), "SKDM round trip");
        let mut rec = f.member.clone();
        process_distribution_message(&mut rec, &skdm);
        assert!(rec.len() <= sender_key::MAX_SENDER_KEY_STATES);
        let _ = SenderKeyRecord::from_bytes(&rec.to_bytes());
    }
}

/// Real inputs of the fixture, per fuzz target name, for the seed corpus.
pub fn seeds() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let Some(f) = fixture() else {
        return Vec::new();
    };
    vec![
        ("signal_pkmsg", f.pkmsg.clone()),
        ("signal_msg", f.msg.clone()),
        ("signal_skmsg", f.skmsg.clone()),
        ("signal_skdm", f.skdm.clone()),
    ]
}
