//! The pairing QR string: both forms, exact encoding, typed errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pair_support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use wa_proto::Error;
use wa_proto::keys::KeyPair;
use wa_proto::pair::qr::{QR_URL_PREFIX, QrData};

fn sample() -> QrData {
    let mut rng = pair_support::rng(11);
    QrData {
        reference: "2@XbcQ/Bc+8mUe1Cdq0t0ew==".to_owned(),
        noise_pub: KeyPair::generate(&mut rng).public,
        identity_pub: KeyPair::generate(&mut rng).public,
        adv_secret: [0xab; 32],
        platform: Some("1".to_owned()),
    }
}

#[test]
fn encodes_the_current_form_field_by_field() {
    let q = sample();
    let s = q.encode();
    let body = s.strip_prefix(QR_URL_PREFIX).expect("URL prefix");
    let fields: Vec<&str> = body.split(',').collect();
    assert_eq!(fields.len(), 5);
    assert_eq!(fields[0], q.reference);
    assert_eq!(fields[1], STANDARD.encode(q.noise_pub.as_bytes()));
    assert_eq!(fields[2], STANDARD.encode(q.identity_pub.as_bytes()));
    assert_eq!(fields[3], STANDARD.encode([0xab; 32]));
    assert!(fields[1].ends_with('='), "standard base64 with padding");
    assert_eq!(fields[4], "1");
}

#[test]
fn parses_every_form() {
    let q = sample();
    assert_eq!(QrData::parse(&q.encode()).unwrap(), q);
    // Surrounding whitespace (copied from a terminal) is ignored.
    assert_eq!(QrData::parse(&format!("  {}\n", q.encode())).unwrap(), q);
    // Bare five-field form.
    assert_eq!(QrData::parse(&q.encode_legacy()).unwrap(), q);
    // Legacy four-field form, with and without the URL.
    let legacy = QrData {
        platform: None,
        ..q.clone()
    };
    let four = legacy.encode_legacy();
    assert_eq!(four.matches(',').count(), 3);
    assert_eq!(QrData::parse(&four).unwrap(), legacy);
    assert_eq!(QrData::parse(&legacy.encode()).unwrap(), legacy);
    // whatsmeow's letter platform ids and unpadded base64 are accepted.
    let mac = QrData {
        platform: Some("c".to_owned()),
        ..q.clone()
    };
    assert_eq!(QrData::parse(&mac.encode()).unwrap(), mac);
    let unpadded = q.encode().replace('=', "");
    assert_eq!(
        QrData::parse(&unpadded).unwrap().identity_pub,
        q.identity_pub
    );
}

#[test]
fn rejects_garbage_with_typed_errors() {
    let q = sample().encode();
    let fields: Vec<String> = q
        .strip_prefix(QR_URL_PREFIX)
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let with = |i: usize, v: &str| {
        let mut f = fields.clone();
        f[i] = v.to_owned();
        format!("{QR_URL_PREFIX}{}", f.join(","))
    };
    let short_key = STANDARD.encode([1u8; 31]);
    let long_key = STANDARD.encode([1u8; 33]);
    let cases = [
        (String::new(), "expected 4 or 5 comma-separated fields"),
        ("hello".to_owned(), "expected 4 or 5 comma-separated fields"),
        (
            format!("{q},extra"),
            "expected 4 or 5 comma-separated fields",
        ),
        (
            fields[..3].join(","),
            "expected 4 or 5 comma-separated fields",
        ),
        (with(0, ""), "empty ref"),
        (with(0, "2@a\u{7}b"), "control character in ref"),
        (with(1, "!!!notbase64"), "noise key is not base64"),
        (with(2, &short_key), "identity key is not 32 bytes"),
        (with(3, &long_key), "adv secret is not 32 bytes"),
        (with(3, "A"), "adv secret is not base64"),
        (with(4, ""), "platform is not 1-8 ASCII alphanumerics"),
        (
            with(4, "chrome-1"),
            "platform is not 1-8 ASCII alphanumerics",
        ),
        (
            with(4, "123456789"),
            "platform is not 1-8 ASCII alphanumerics",
        ),
        (
            format!("ftp://x#{}", fields.join(",")),
            "text before '#' is not a URL",
        ),
    ];
    for (input, why) in cases {
        assert_eq!(
            QrData::parse(&input),
            Err(Error::QrInvalid(why)),
            "{input:?}"
        );
    }
}

#[test]
fn debug_output_hides_the_adv_secret() {
    let dbg = format!("{:?}", sample());
    assert!(
        !dbg.contains("171"),
        "adv secret bytes (0xab = 171) leaked: {dbg}"
    );
    assert!(dbg.contains("reference"));
}

proptest! {
    #[test]
    fn parse_never_panics(s in ".{0,300}") {
        let _ = QrData::parse(&s);
    }

    #[test]
    fn parse_never_panics_on_near_valid(cut in 0usize..200, byte in any::<u8>()) {
        let mut s = sample().encode().into_bytes();
        let at = cut % s.len();
        if let Some(b) = s.get_mut(at) {
            *b = byte;
        }
        if let Ok(s) = String::from_utf8(s) {
            let _ = QrData::parse(&s);
        }
    }

    #[test]
    fn round_trips(reference in "[A-Za-z0-9@/+=]{1,40}", secret in any::<[u8; 32]>(), p in "[0-9a-z]{1,8}") {
        let q = QrData { reference, adv_secret: secret, platform: Some(p), ..sample() };
        prop_assert_eq!(QrData::parse(&q.encode()).unwrap(), q);
    }
}
