//! Sender keys between our own parties: distribution, out-of-order and
//! duplicate delivery, signature and key-id failures (typed, record
//! unchanged), repeated SKDMs, record persistence and bounds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use wa_proto::Error;
use wa_proto::signal::*;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn expect_unchanged(rec: &mut SenderKeyRecord, msg: &[u8], want: impl Fn(&Error) -> bool) {
    let before = rec.to_bytes();
    match group_decrypt(rec, msg) {
        Err(e) if want(&e) => {}
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(rec.to_bytes(), before);
}

#[test]
fn distribute_encrypt_decrypt_out_of_order() {
    let mut r = rng(1);
    let mut own = SenderKeyRecord::new();
    let skdm = create_distribution_message(&mut own, &mut r).unwrap();
    assert!(own.is_own());
    assert_eq!(skdm.iteration, 0);
    let wire = skdm.serialize();
    assert_eq!(wire[0], 0x33);
    let parsed = SenderKeyDistributionMessage::parse(&wire).unwrap();
    assert_eq!(parsed, skdm);
    // Asking again returns the same key.
    assert_eq!(create_distribution_message(&mut own, &mut r).unwrap(), skdm);

    let mut member = SenderKeyRecord::new();
    process_distribution_message(&mut member, &parsed);
    let mut msgs: Vec<(Vec<u8>, Vec<u8>)> = (0..120)
        .map(|i| {
            let pt = vec![i as u8; i % 50];
            (group_encrypt(&mut own, &pt, &mut r).unwrap(), pt)
        })
        .collect();
    // Shuffle, drop a few, decrypt, and check replays.
    for i in (1..msgs.len()).rev() {
        let j = r.random_range(0..=i);
        msgs.swap(i, j);
    }
    for (k, (ct, pt)) in msgs.iter().enumerate() {
        if k % 13 == 0 {
            continue;
        }
        let m = SenderKeyMessage::parse(ct).unwrap();
        assert_eq!(m.key_id, skdm.key_id);
        assert_eq!(group_decrypt(&mut member, ct).unwrap(), *pt);
        expect_unchanged(&mut member, ct, |e| matches!(e, Error::DuplicateMessage(_)));
    }
    // Persisted and restored, the dropped ones still decrypt.
    let mut member = SenderKeyRecord::from_bytes(&member.to_bytes()).unwrap();
    for (ct, pt) in msgs.iter().step_by(13) {
        assert_eq!(group_decrypt(&mut member, ct).unwrap(), *pt);
    }
}

#[test]
fn failures_are_typed_and_leave_the_record_unchanged() {
    let mut r = rng(2);
    let mut own = SenderKeyRecord::new();
    let skdm = create_distribution_message(&mut own, &mut r).unwrap();
    let mut member = SenderKeyRecord::new();
    expect_unchanged(&mut member, &[0x33; 100], |e| {
        *e == Error::InvalidMessage("incomplete SenderKeyMessage")
            || matches!(e, Error::InvalidMessage(_))
    });
    process_distribution_message(&mut member, &skdm);
    let ct = group_encrypt(&mut own, b"hello group", &mut r).unwrap();
    // Any flipped bit: bad signature or malformed.
    for i in 0..ct.len() {
        let mut bad = ct.clone();
        bad[i] ^= 0x04;
        expect_unchanged(&mut member, &bad, |e| {
            matches!(
                e,
                Error::InvalidSignature
                    | Error::InvalidMessage(_)
                    | Error::UnsupportedVersion(_)
                    | Error::NoSenderKey
            )
        });
    }
    for n in 0..ct.len() {
        expect_unchanged(&mut member, &ct[..n], |_| true);
    }
    // A sender key we do not have.
    let mut stranger = SenderKeyRecord::new();
    create_distribution_message(&mut stranger, &mut r).unwrap();
    let other = group_encrypt(&mut stranger, b"x", &mut r).unwrap();
    expect_unchanged(&mut member, &other, |e| *e == Error::NoSenderKey);
    // Too far ahead.
    let mut far = None;
    for _ in 0..=MAX_FORWARD_JUMP + 1 {
        far = Some(group_encrypt(&mut own, b"f", &mut r).unwrap());
    }
    expect_unchanged(&mut member, &far.unwrap(), |e| *e == Error::TooFarInFuture);
    assert_eq!(group_decrypt(&mut member, &ct).unwrap(), b"hello group");
    // A member record cannot encrypt.
    assert_eq!(
        group_encrypt(&mut member, b"x", &mut r),
        Err(Error::NoSenderKey)
    );
}

#[test]
fn repeated_skdm_keeps_skipped_keys_and_new_chain_replaces() {
    let mut r = rng(3);
    let mut own = SenderKeyRecord::new();
    let skdm0 = create_distribution_message(&mut own, &mut r).unwrap();
    let mut member = SenderKeyRecord::new();
    process_distribution_message(&mut member, &skdm0);
    let c0 = group_encrypt(&mut own, b"0", &mut r).unwrap();
    let c1 = group_encrypt(&mut own, b"1", &mut r).unwrap();
    assert_eq!(group_decrypt(&mut member, &c1).unwrap(), b"1");
    // The sender re-sends its (advanced) SKDM: same chain, nothing lost.
    let skdm2 = create_distribution_message(&mut own, &mut r).unwrap();
    assert_eq!(skdm2.iteration, 2);
    process_distribution_message(&mut member, &skdm2);
    process_distribution_message(&mut member, &skdm0);
    assert_eq!(member.len(), 1);
    assert_eq!(group_decrypt(&mut member, &c0).unwrap(), b"0");
    // Same key id, different chain: replaced.
    let mut forged = skdm2.clone();
    forged.chain_key[0] ^= 1;
    process_distribution_message(&mut member, &forged);
    assert_eq!(member.len(), 1);
    let c2 = group_encrypt(&mut own, b"2", &mut r).unwrap();
    assert!(group_decrypt(&mut member, &c2).is_err());
}

#[test]
fn at_most_five_states() {
    let mut r = rng(4);
    let mut member = SenderKeyRecord::new();
    let mut owns = Vec::new();
    for _ in 0..7 {
        let mut own = SenderKeyRecord::new();
        let skdm = create_distribution_message(&mut own, &mut r).unwrap();
        process_distribution_message(&mut member, &skdm);
        owns.push(own);
    }
    assert_eq!(member.len(), 5);
    let oldest = group_encrypt(&mut owns[0], b"old", &mut r).unwrap();
    assert_eq!(group_decrypt(&mut member, &oldest), Err(Error::NoSenderKey));
    let newest = group_encrypt(&mut owns[6], b"new", &mut r).unwrap();
    assert_eq!(group_decrypt(&mut member, &newest).unwrap(), b"new");
    let back = SenderKeyRecord::from_bytes(&member.to_bytes()).unwrap();
    assert_eq!(back.to_bytes(), member.to_bytes());
    assert!(SenderKeyRecord::from_bytes(&[0x0a, 0x02, 0x08]).is_err());
}
