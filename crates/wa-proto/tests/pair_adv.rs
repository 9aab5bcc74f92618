//! The ADV signed device identity: phone signs, companion verifies and
//! countersigns, phone verifies the reply; every tampering is caught with the
//! right typed error; key index lists.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pair_support;

use pair_support::rng;
use proptest::prelude::*;
use prost::Message as _;
use rand_chacha::ChaCha20Rng;
use wa_proto::Error;
use wa_proto::keys::KeyPair;
use wa_proto::pair::adv::{
    AdvEncryptionType, CompanionPairing, DeviceIdentityParams, PhonePairing,
    encode_signed_identity, verify_signed_identity,
};
use wa_proto::pair::key_index::KeyIndexList;
use wa_proto::pair::{ACCOUNT_SIGNATURE_PREFIX, DEVICE_SIGNATURE_PREFIX};
use wa_proto::proto::wa;

struct Setup {
    rng: ChaCha20Rng,
    phone: KeyPair,
    companion: KeyPair,
    adv: [u8; 32],
}

fn setup(seed: u64) -> Setup {
    let mut rng = rng(seed);
    let phone = KeyPair::generate(&mut rng);
    let companion = KeyPair::generate(&mut rng);
    Setup {
        rng,
        phone,
        companion,
        adv: [seed as u8; 32],
    }
}

const PARAMS: DeviceIdentityParams = DeviceIdentityParams::e2ee(77, 1_700_000_000, 3);

fn sign(s: &mut Setup, params: &DeviceIdentityParams) -> PhonePairing {
    PhonePairing::sign(&s.phone, &s.companion.public, &s.adv, params, &mut s.rng).unwrap()
}

/// Rebuilds a container from a signed identity with a correct HMAC (to test
/// the checks behind the HMAC).
fn rewrap(signed: &wa::AdvSignedDeviceIdentity, adv: &[u8; 32]) -> Vec<u8> {
    use hmac::{KeyInit, Mac};
    let bytes = signed.encode_to_vec();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(adv).unwrap();
    mac.update(&bytes);
    wa::AdvSignedDeviceIdentityHmac {
        details: Some(bytes),
        hmac: Some(mac.finalize().into_bytes().to_vec()),
        account_type: None,
    }
    .encode_to_vec()
}

fn inner(container: &[u8]) -> wa::AdvSignedDeviceIdentity {
    let c = wa::AdvSignedDeviceIdentityHmac::decode(container).unwrap();
    wa::AdvSignedDeviceIdentity::decode(c.details()).unwrap()
}

#[test]
fn full_exchange() {
    let mut s = setup(1);
    let pairing = sign(&mut s, &PARAMS);
    assert_eq!(pairing.key_index(), 3);
    let c = CompanionPairing::verify(pairing.device_identity(), &s.adv, &s.companion, &mut s.rng)
        .unwrap();
    assert_eq!(c.key_index, 3);
    assert_eq!(c.key_index_attr(), "3");
    assert_eq!(c.primary_identity, s.phone.public);
    assert!(!c.hosted_account);
    assert_eq!(c.device.raw_id, Some(77));
    assert_eq!(c.device.timestamp, Some(1_700_000_000));
    // What the phone signed: 06 00 ‖ details ‖ companion identity.
    let details = c.account.details.clone().unwrap();
    assert_eq!(details, pairing.details());
    let msg = [
        &ACCOUNT_SIGNATURE_PREFIX[..],
        &details,
        s.companion.public.as_bytes(),
    ]
    .concat();
    assert!(s.phone.public.verify(&msg, c.account.account_signature()));
    // Our device signature: 06 01 ‖ details ‖ own identity ‖ account key.
    let msg = [
        &DEVICE_SIGNATURE_PREFIX[..],
        &details,
        s.companion.public.as_bytes(),
        s.phone.public.as_bytes(),
    ]
    .concat();
    assert!(
        s.companion
            .public
            .verify(&msg, c.account.device_signature())
    );
    // The reply omits the account key; the stored account keeps it.
    let reply = wa::AdvSignedDeviceIdentity::decode(c.reply().as_slice()).unwrap();
    assert!(reply.account_signature_key.is_none());
    assert_eq!(reply.device_signature, c.account.device_signature);
    let stored = wa::AdvSignedDeviceIdentity::decode(c.account_bytes().as_slice()).unwrap();
    assert_eq!(stored.account_signature_key(), s.phone.public.as_bytes());
    // The phone accepts the reply and stores the full identity.
    let v = pairing.verify_reply(&c.reply(), Some("3")).unwrap();
    assert_eq!(v.key_index, 3);
    assert_eq!(v.account_identity, s.phone.public);
    assert_eq!(v.identity_bytes(), c.account_bytes());
    // Anyone can verify the stored identity later.
    let later = verify_signed_identity(&c.account_bytes(), &s.companion.public, None).unwrap();
    assert_eq!(later, v);
}

#[test]
fn hosted_identities_use_the_hosted_prefixes() {
    let mut s = setup(2);
    let params = DeviceIdentityParams {
        account_type: AdvEncryptionType::Hosted,
        device_type: AdvEncryptionType::Hosted,
        ..PARAMS
    };
    let pairing = sign(&mut s, &params);
    let c = CompanionPairing::verify(pairing.device_identity(), &s.adv, &s.companion, &mut s.rng)
        .unwrap();
    assert!(c.hosted_account);
    pairing.verify_reply(&c.reply(), Some("3")).unwrap();
    // A plain-E2EE HMAC over a HOSTED container does not match.
    let mut container = wa::AdvSignedDeviceIdentityHmac::decode(pairing.device_identity()).unwrap();
    container.account_type = Some(AdvEncryptionType::E2ee.into());
    assert_eq!(
        CompanionPairing::verify(&container.encode_to_vec(), &s.adv, &s.companion, &mut s.rng),
        Err(Error::AdvHmacMismatch)
    );
    // An E2EE signature checked with the hosted prefix fails.
    let e2ee = sign(&mut s, &PARAMS);
    let mut signed = inner(e2ee.device_identity());
    let mut d = wa::AdvDeviceIdentity::decode(signed.details()).unwrap();
    d.device_type = Some(AdvEncryptionType::Hosted.into());
    signed.details = Some(d.encode_to_vec());
    assert_eq!(
        CompanionPairing::verify(&rewrap(&signed, &s.adv), &s.adv, &s.companion, &mut s.rng),
        Err(Error::AdvAccountSignatureMismatch)
    );
}

#[test]
fn companion_fails_closed() {
    let mut s = setup(3);
    let pairing = sign(&mut s, &PARAMS);
    let good = pairing.device_identity().to_vec();
    let signed = inner(&good);
    let adv = s.adv;
    let verify = |s: &mut Setup, bytes: &[u8]| {
        CompanionPairing::verify(bytes, &s.adv, &s.companion, &mut s.rng)
    };

    // HMAC: wrong secret, altered hmac, altered signed bytes, missing hmac.
    assert_eq!(
        CompanionPairing::verify(&good, &[0; 32], &s.companion, &mut s.rng),
        Err(Error::AdvHmacMismatch)
    );
    let mut c = wa::AdvSignedDeviceIdentityHmac::decode(good.as_slice()).unwrap();
    c.hmac.as_mut().unwrap()[0] ^= 1;
    assert_eq!(
        verify(&mut s, &c.encode_to_vec()),
        Err(Error::AdvHmacMismatch)
    );
    let mut c = wa::AdvSignedDeviceIdentityHmac::decode(good.as_slice()).unwrap();
    c.hmac.as_mut().unwrap().pop();
    assert_eq!(
        verify(&mut s, &c.encode_to_vec()),
        Err(Error::AdvHmacMismatch)
    );
    let mut c = wa::AdvSignedDeviceIdentityHmac::decode(good.as_slice()).unwrap();
    c.details.as_mut().unwrap().push(0);
    assert!(verify(&mut s, &c.encode_to_vec()).is_err());
    c.hmac = None;
    assert!(matches!(
        verify(&mut s, &c.encode_to_vec()),
        Err(Error::AdvMalformed(_))
    ));
    // An unknown account type (outside the HMAC) is refused, not read as E2EE.
    let mut c = wa::AdvSignedDeviceIdentityHmac::decode(good.as_slice()).unwrap();
    c.account_type = Some(2);
    assert_eq!(
        verify(&mut s, &c.encode_to_vec()),
        Err(Error::AdvMalformed("unknown account type"))
    );
    c.account_type = None;
    assert!(
        verify(&mut s, &c.encode_to_vec()).is_ok(),
        "absent means E2EE"
    );

    // Behind a valid HMAC: tampered details, signature, key.
    let mut t = signed.clone();
    let mut d = wa::AdvDeviceIdentity::decode(t.details()).unwrap();
    d.key_index = Some(4);
    t.details = Some(d.encode_to_vec());
    assert_eq!(
        verify(&mut s, &rewrap(&t, &adv)),
        Err(Error::AdvAccountSignatureMismatch)
    );
    let mut t = signed.clone();
    t.account_signature.as_mut().unwrap()[10] ^= 0x40;
    assert_eq!(
        verify(&mut s, &rewrap(&t, &adv)),
        Err(Error::AdvAccountSignatureMismatch)
    );
    let mut t = signed.clone();
    t.account_signature_key = Some(KeyPair::generate(&mut s.rng).public.as_bytes().to_vec());
    assert_eq!(
        verify(&mut s, &rewrap(&t, &adv)),
        Err(Error::AdvAccountSignatureMismatch)
    );
    // Signed for another companion.
    let stranger = KeyPair::generate(&mut s.rng);
    let other =
        PhonePairing::sign(&s.phone, &stranger.public, &s.adv, &PARAMS, &mut s.rng).unwrap();
    assert_eq!(
        verify(&mut s, other.device_identity()),
        Err(Error::AdvAccountSignatureMismatch)
    );

    // Malformed behind a valid HMAC.
    let malformed = |t: wa::AdvSignedDeviceIdentity, s: &mut Setup| {
        let r = verify(s, &rewrap(&t, &s.adv));
        assert!(matches!(r, Err(Error::AdvMalformed(_))), "{r:?}");
    };
    malformed(
        wa::AdvSignedDeviceIdentity {
            details: None,
            ..signed.clone()
        },
        &mut s,
    );
    malformed(
        wa::AdvSignedDeviceIdentity {
            account_signature_key: None,
            ..signed.clone()
        },
        &mut s,
    );
    malformed(
        wa::AdvSignedDeviceIdentity {
            account_signature_key: Some(vec![5; 31]),
            ..signed.clone()
        },
        &mut s,
    );
    malformed(
        wa::AdvSignedDeviceIdentity {
            account_signature: None,
            ..signed.clone()
        },
        &mut s,
    );
    malformed(
        wa::AdvSignedDeviceIdentity {
            account_signature: Some(vec![1; 63]),
            ..signed.clone()
        },
        &mut s,
    );
    malformed(
        wa::AdvSignedDeviceIdentity {
            details: Some(vec![0xff, 0xff]),
            ..signed.clone()
        },
        &mut s,
    );

    // Truncated and garbage containers.
    for cut in [0, 1, 10, good.len() / 2, good.len() - 1] {
        assert!(verify(&mut s, &good[..cut]).is_err(), "cut {cut}");
    }
    assert!(matches!(
        verify(&mut s, &[0xff; 40]),
        Err(Error::AdvMalformed(_))
    ));
}

#[test]
fn key_index_must_be_present_and_non_zero() {
    let mut s = setup(4);
    let zero = DeviceIdentityParams {
        key_index: 0,
        ..PARAMS
    };
    assert!(matches!(
        PhonePairing::sign(&s.phone, &s.companion.public, &s.adv, &zero, &mut s.rng),
        Err(Error::AdvMalformed("key index must be non-zero"))
    ));
    // A phone that signs an identity without or with a zero key index
    // (correctly signed and HMAC'd) is still refused by the companion.
    for key_index in [None, Some(0)] {
        let details = wa::AdvDeviceIdentity {
            raw_id: Some(1),
            timestamp: Some(2),
            key_index,
            ..Default::default()
        }
        .encode_to_vec();
        let msg = [
            &ACCOUNT_SIGNATURE_PREFIX[..],
            &details,
            s.companion.public.as_bytes(),
        ]
        .concat();
        let signed = wa::AdvSignedDeviceIdentity {
            details: Some(details),
            account_signature_key: Some(s.phone.public.as_bytes().to_vec()),
            account_signature: Some(s.phone.sign(&msg, &mut s.rng).to_vec()),
            device_signature: None,
        };
        assert_eq!(
            CompanionPairing::verify(&rewrap(&signed, &s.adv), &s.adv, &s.companion, &mut s.rng),
            Err(Error::AdvMalformed("key index missing or zero"))
        );
    }
}

#[test]
fn phone_rejects_bad_replies() {
    let mut s = setup(5);
    let pairing = sign(&mut s, &PARAMS);
    let c = CompanionPairing::verify(pairing.device_identity(), &s.adv, &s.companion, &mut s.rng)
        .unwrap();
    let reply = wa::AdvSignedDeviceIdentity::decode(c.reply().as_slice()).unwrap();
    let check = |r: &wa::AdvSignedDeviceIdentity, attr: Option<&str>| {
        pairing.verify_reply(&r.encode_to_vec(), attr)
    };

    assert!(check(&reply, None).is_ok());
    assert!(matches!(
        check(&reply, Some("4")),
        Err(Error::AdvMalformed(_))
    ));
    assert!(matches!(
        check(&reply, Some("x")),
        Err(Error::AdvMalformed(_))
    ));
    // Including the (right) account key is tolerated; a wrong one is not.
    let mut r = reply.clone();
    r.account_signature_key = Some(s.phone.public.as_bytes().to_vec());
    assert!(check(&r, Some("3")).is_ok());
    r.account_signature_key = Some(s.companion.public.as_bytes().to_vec());
    assert!(matches!(check(&r, Some("3")), Err(Error::AdvMalformed(_))));
    // Altered details or account signature.
    let mut r = reply.clone();
    r.details.as_mut().unwrap().push(0);
    assert!(matches!(check(&r, None), Err(Error::AdvMalformed(_))));
    let mut r = reply.clone();
    r.account_signature.as_mut().unwrap()[0] ^= 1;
    assert_eq!(check(&r, None), Err(Error::AdvAccountSignatureMismatch));
    // Device signature: flipped, missing, or made by another key.
    let mut r = reply.clone();
    r.device_signature.as_mut().unwrap()[5] ^= 1;
    assert_eq!(check(&r, None), Err(Error::AdvDeviceSignatureMismatch));
    let mut r = reply.clone();
    r.device_signature = None;
    assert!(matches!(check(&r, None), Err(Error::AdvMalformed(_))));
    let imposter = KeyPair::generate(&mut s.rng);
    let forged = CompanionPairing::verify(pairing.device_identity(), &s.adv, &imposter, &mut s.rng);
    assert_eq!(forged, Err(Error::AdvAccountSignatureMismatch));
    let mut r = reply.clone();
    let msg = [
        &DEVICE_SIGNATURE_PREFIX[..],
        pairing.details(),
        imposter.public.as_bytes(),
        s.phone.public.as_bytes(),
    ]
    .concat();
    r.device_signature = Some(imposter.sign(&msg, &mut s.rng).to_vec());
    assert_eq!(check(&r, None), Err(Error::AdvDeviceSignatureMismatch));
    assert!(matches!(
        pairing.verify_reply(&[0xff, 0xff, 0xff], None),
        Err(Error::AdvMalformed(_))
    ));
}

#[test]
fn verify_signed_identity_checks_both_signatures() {
    let mut s = setup(6);
    let pairing = sign(&mut s, &PARAMS);
    let c = CompanionPairing::verify(pairing.device_identity(), &s.adv, &s.companion, &mut s.rng)
        .unwrap();
    let full = c.account_bytes();
    let phone = s.phone.public;
    assert!(verify_signed_identity(&full, &s.companion.public, None).is_ok());
    assert!(verify_signed_identity(&full, &s.companion.public, Some(&phone)).is_ok());
    let other = KeyPair::generate(&mut s.rng).public;
    assert!(matches!(
        verify_signed_identity(&full, &s.companion.public, Some(&other)),
        Err(Error::AdvMalformed(_))
    ));
    assert_eq!(
        verify_signed_identity(&full, &other, None),
        Err(Error::AdvAccountSignatureMismatch)
    );
    let mut t = c.account.clone();
    t.device_signature.as_mut().unwrap()[0] ^= 1;
    assert_eq!(
        verify_signed_identity(&encode_signed_identity(&t, true), &s.companion.public, None),
        Err(Error::AdvDeviceSignatureMismatch)
    );
    t.device_signature = None;
    assert_eq!(
        verify_signed_identity(&encode_signed_identity(&t, true), &s.companion.public, None),
        Err(Error::AdvDeviceSignatureMismatch)
    );
    // encode_signed_identity drops an empty key even when asked to keep it.
    let mut e = c.account.clone();
    e.account_signature_key = Some(Vec::new());
    let bytes = encode_signed_identity(&e, true);
    assert!(
        wa::AdvSignedDeviceIdentity::decode(bytes.as_slice())
            .unwrap()
            .account_signature_key
            .is_none()
    );
}

#[test]
fn key_index_lists_sign_and_verify() {
    let mut s = setup(7);
    let list = KeyIndexList {
        raw_id: 77,
        timestamp: 1_700_000_123,
        current_index: 5,
        valid_indexes: vec![1, 3, 5],
        account_type: AdvEncryptionType::E2ee,
    };
    let signed = list.sign(&s.phone, false, &mut s.rng);
    assert_eq!(
        KeyIndexList::verify(&signed, &s.phone.public),
        Ok(list.clone())
    );
    let parsed = wa::AdvSignedKeyIndexList::decode(signed.as_slice()).unwrap();
    assert!(parsed.account_signature_key.is_none());
    let with_key =
        wa::AdvSignedKeyIndexList::decode(list.sign(&s.phone, true, &mut s.rng).as_slice())
            .unwrap();
    assert_eq!(with_key.account_signature_key(), s.phone.public.as_bytes());
    // Wrong key, tampered list, missing fields.
    assert_eq!(
        KeyIndexList::verify(&signed, &s.companion.public),
        Err(Error::AdvAccountSignatureMismatch)
    );
    let mut t = parsed.clone();
    t.details.as_mut().unwrap().push(0x20);
    assert_eq!(
        KeyIndexList::verify(&t.encode_to_vec(), &s.phone.public),
        Err(Error::AdvAccountSignatureMismatch)
    );
    let mut t = parsed;
    t.account_signature = None;
    assert!(matches!(
        KeyIndexList::verify(&t.encode_to_vec(), &s.phone.public),
        Err(Error::AdvMalformed(_))
    ));
    assert!(matches!(
        KeyIndexList::verify(&[0xff], &s.phone.public),
        Err(Error::AdvMalformed(_))
    ));
    // A correctly signed list without rawId is rejected.
    let details = wa::AdvKeyIndexList {
        timestamp: Some(1),
        ..Default::default()
    }
    .encode_to_vec();
    let msg = [&[6u8, 2][..], &details].concat();
    let bare = wa::AdvSignedKeyIndexList {
        details: Some(details),
        account_signature: Some(s.phone.sign(&msg, &mut s.rng).to_vec()),
        account_signature_key: None,
    };
    assert!(matches!(
        KeyIndexList::verify(&bare.encode_to_vec(), &s.phone.public),
        Err(Error::AdvMalformed(_))
    ));
}

/// Every single-bit flip in the authenticated part of the container (the
/// signed identity and its HMAC: everything but the trailing `accountType`
/// field, which is checked separately) is rejected.
#[test]
fn every_single_bit_flip_is_rejected() {
    let mut s = setup(9);
    let pairing = sign(&mut s, &PARAMS);
    let good = pairing.device_identity();
    assert_eq!(
        good[good.len() - 2..],
        [0x18, 0x00],
        "accountType is the last field"
    );
    for bit in 0..(good.len() - 2) * 8 {
        let mut bytes = good.to_vec();
        bytes[bit / 8] ^= 1 << (bit % 8);
        assert!(
            CompanionPairing::verify(&bytes, &s.adv, &s.companion, &mut s.rng).is_err(),
            "flip of bit {bit} accepted"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut s = setup(8);
        let _ = CompanionPairing::verify(&data, &s.adv, &s.companion, &mut s.rng);
        let _ = verify_signed_identity(&data, &s.companion.public, Some(&s.phone.public));
        let _ = KeyIndexList::verify(&data, &s.phone.public);
        let pairing = sign(&mut s, &PARAMS);
        let _ = pairing.verify_reply(&data, Some("3"));
    }

}
