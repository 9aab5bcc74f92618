//! Pairing by code: code generation and parsing, the full companion ↔ phone
//! exchange, wrong codes and garbled inputs. (PBKDF2 with 2^17 rounds is
//! slow in debug builds, so each test runs few exchanges.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pair_support;

use pair_support::{Replay, rng};
use proptest::prelude::*;
use wa_proto::Error;
use wa_proto::keys::{KeyPair, PublicKey};
use wa_proto::pair::code::{
    CompanionCodePairing, KEY_BUNDLE_LEN, PAIR_CODE_ALPHABET, PairCode, PhoneCodePairing,
    WRAPPED_KEY_LEN,
};

#[test]
fn generated_codes_use_the_alphabet_and_all_bits() {
    let mut rng = rng(21);
    let mut seen = [false; 32];
    for _ in 0..200 {
        let code = PairCode::generate(&mut rng);
        let s = code.as_str();
        assert_eq!(s.len(), 8);
        for b in s.bytes() {
            let i = PAIR_CODE_ALPHABET
                .iter()
                .position(|&a| a == b)
                .expect("alphabet");
            seen[i] = true;
        }
        assert_eq!(PairCode::parse(s).unwrap(), code);
        assert_eq!(PairCode::parse(&code.display()).unwrap(), code);
    }
    assert!(seen.iter().all(|&x| x), "every character appears");
}

#[test]
fn code_is_five_bytes_base32_most_significant_first() {
    // 5 bytes = 40 bits = 8 characters of 5 bits each.
    let cases: [([u8; 5], &str); 3] = [
        ([0; 5], "11111111"),
        ([0xff; 5], "ZZZZZZZZ"),
        ([0x08, 0x86, 0x42, 0x98, 0xe9], "2345678A"),
    ];
    for (raw, want) in cases {
        let code = PairCode::generate(&mut Replay::new(&[&raw]));
        assert_eq!(code.as_str(), want);
    }
    let code = PairCode::parse("2345678A").unwrap();
    assert_eq!(code.display(), "2345-678A");
}

#[test]
fn parse_normalizes_and_rejects() {
    assert_eq!(PairCode::parse("abcd-1234").unwrap().as_str(), "ABCD1234");
    assert_eq!(PairCode::parse(" ABCD 1234 ").unwrap().as_str(), "ABCD1234");
    // Custom codes may use characters outside the generation alphabet.
    assert_eq!(PairCode::parse("HELLO000").unwrap().as_str(), "HELLO000");
    for (bad, why) in [
        ("", "shorter than 8 characters"),
        ("ABCD123", "shorter than 8 characters"),
        ("ABCD12345", "longer than 8 characters"),
        ("ABCD_123", "only letters and digits are allowed"),
        ("ÄBCD1234", "only letters and digits are allowed"),
    ] {
        assert_eq!(
            PairCode::parse(bad),
            Err(Error::PairCodeInvalid(why)),
            "{bad:?}"
        );
    }
    assert_eq!(
        format!("{:?}", PairCode::parse("ABCD1234").unwrap()),
        "PairCode(..)"
    );
}

#[test]
fn wrap_layout_and_round_trip() {
    let mut rng = rng(22);
    let code = PairCode::parse("ABCD1234").unwrap();
    let key = KeyPair::generate(&mut rng).public;
    let salt_iv = [7u8; 48];
    let wrapped = code.wrap_key(&key, &mut Replay::new(&[&salt_iv]));
    assert_eq!(wrapped.len(), WRAPPED_KEY_LEN);
    assert_eq!(wrapped[..48], salt_iv, "salt ‖ iv in clear");
    assert_ne!(&wrapped[48..], key.as_bytes(), "key encrypted");
    assert_eq!(code.unwrap_key(&wrapped).unwrap(), key);
    // Trailing bytes are ignored; short input is an error.
    let mut longer = wrapped.to_vec();
    longer.extend_from_slice(&[1, 2, 3]);
    assert_eq!(code.unwrap_key(&longer).unwrap(), key);
    assert!(matches!(
        code.unwrap_key(&wrapped[..79]),
        Err(Error::PairCodeMalformed(_))
    ));
    // A wrong code silently yields another key.
    let other = PairCode::parse("ABCD1235").unwrap();
    assert_ne!(other.unwrap_key(&wrapped).unwrap(), key);
}

#[test]
fn full_exchange_derives_one_secret() {
    let mut rng = rng(23);
    let phone_identity = KeyPair::generate(&mut rng);
    let companion_identity = KeyPair::generate(&mut rng);
    let code = PairCode::generate(&mut rng);
    let companion = CompanionCodePairing::new(code.clone(), KeyPair::generate(&mut rng));
    assert_eq!(companion.code(), &code);
    let hello = companion.hello(&mut rng);
    // The user types the displayed form, in lowercase.
    let typed = PairCode::parse(&code.display().to_lowercase()).unwrap();
    let phone = PhoneCodePairing::start(&typed, &hello, &mut rng).unwrap();
    let fin = companion
        .finish(
            &companion_identity,
            &phone_identity.public,
            phone.wrapped_ephemeral(),
            &mut rng,
        )
        .unwrap();
    assert_eq!(fin.wrapped_key_bundle.len(), KEY_BUNDLE_LEN);
    assert_eq!(fin.companion_identity, companion_identity.public);
    let done = phone
        .finish(
            &phone_identity,
            &fin.wrapped_key_bundle,
            &companion_identity.public,
        )
        .unwrap();
    assert_eq!(done.adv_secret, fin.adv_secret);
    assert_eq!(done.companion_identity, companion_identity.public);
    assert_ne!(fin.adv_secret, [0; 32]);
    assert!(!format!("{fin:?}{done:?}").contains(&format!("{:?}", fin.adv_secret)));

    // The bundle fails closed: any flipped byte, wrong length, wrong claims.
    let bundle = &fin.wrapped_key_bundle;
    for i in [0, 31, 32, 43, 44, 100, KEY_BUNDLE_LEN - 1] {
        let mut t = bundle.clone();
        t[i] ^= 1;
        assert!(
            matches!(
                phone.finish(&phone_identity, &t, &companion_identity.public),
                Err(Error::PairCodeMismatch(_))
            ),
            "flip at {i}"
        );
    }
    for len in [0, 155, 157] {
        let mut t = bundle.clone();
        t.resize(len, 0);
        assert!(matches!(
            phone.finish(&phone_identity, &t, &companion_identity.public),
            Err(Error::PairCodeMalformed(_))
        ));
    }
    let stranger = KeyPair::generate(&mut rng);
    assert_eq!(
        phone
            .finish(&phone_identity, bundle, &stranger.public)
            .err(),
        Some(Error::PairCodeMismatch(
            "key bundle names another companion identity"
        ))
    );
    assert_eq!(
        phone
            .finish(&stranger, bundle, &companion_identity.public)
            .err(),
        Some(Error::PairCodeMismatch(
            "key bundle names another phone identity"
        ))
    );
}

#[test]
fn wrong_code_on_the_phone_is_detected_at_the_bundle() {
    let mut rng = rng(24);
    let phone_identity = KeyPair::generate(&mut rng);
    let companion_identity = KeyPair::generate(&mut rng);
    let companion = CompanionCodePairing::new(
        PairCode::parse("ABCD1234").unwrap(),
        KeyPair::generate(&mut rng),
    );
    let hello = companion.hello(&mut rng);
    let phone =
        PhoneCodePairing::start(&PairCode::parse("ABCD1243").unwrap(), &hello, &mut rng).unwrap();
    let fin = companion
        .finish(
            &companion_identity,
            &phone_identity.public,
            phone.wrapped_ephemeral(),
            &mut rng,
        )
        .unwrap();
    assert_eq!(
        phone
            .finish(
                &phone_identity,
                &fin.wrapped_key_bundle,
                &companion_identity.public
            )
            .err(),
        Some(Error::PairCodeMismatch(
            "key bundle does not decrypt (wrong code?)"
        ))
    );
}

#[test]
fn garbled_handshake_inputs_are_typed_errors() {
    let mut rng = rng(25);
    let code = PairCode::parse("ABCD1234").unwrap();
    let identity = KeyPair::generate(&mut rng);
    assert!(matches!(
        PhoneCodePairing::start(&code, &[0; 40], &mut rng),
        Err(Error::PairCodeMalformed(_))
    ));
    let companion = CompanionCodePairing::new(code.clone(), KeyPair::generate(&mut rng));
    assert!(matches!(
        companion.finish(&identity, &identity.public, &[0; 79], &mut rng),
        Err(Error::PairCodeMalformed(_))
    ));
    // A low-order peer key (all zeros) gives a zero agreement: refused.
    let zero = code.wrap_key(&PublicKey::from_raw([0; 32]), &mut rng);
    assert_eq!(
        companion
            .finish(&identity, &identity.public, &zero, &mut rng)
            .err(),
        Some(Error::PairCodeMalformed("degenerate ephemeral key"))
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics(s in ".{0,40}") {
        if let Ok(code) = PairCode::parse(&s) {
            prop_assert_eq!(code.as_str().len(), 8);
            prop_assert_eq!(PairCode::parse(&code.display()).unwrap(), code);
        }
    }
}
