//! Negative tests for media decryption: every failure is a typed error, the
//! checks come in whatsmeow's order, and no plaintext is released before the
//! MAC has been checked.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers

use aes::Aes256;
use cbc::cipher::{BlockModeEncrypt, KeyIvInit, array::Array};
use hmac::{KeyInit, Mac};
use proptest::prelude::*;
use wa_proto::Error;
use wa_proto::media::{
    DecryptedMedia, ExpectedMedia, MediaKeys, MediaType, MediaVerifier, SEGMENT_LEN, decrypt,
    encrypt,
};

const KEY: [u8; 32] = [0x42; 32];
const T: MediaType = MediaType::Document;

fn plain(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 131 + 7) as u8).collect()
}

/// Runs both decryption paths (one-shot, and two passes in 1000-byte chunks)
/// and checks they agree; returns the result and the streamed plaintext.
fn both(file: &[u8], expected: &ExpectedMedia) -> (Result<DecryptedMedia, Error>, Vec<u8>) {
    let one_shot = decrypt(&KEY, T, file, expected);
    let mut v = MediaVerifier::new(&KEY, T, expected.clone());
    file.chunks(1000).for_each(|c| v.update(c));
    let mut out = Vec::new();
    let streamed = v.finish().and_then(|verified| {
        let mut d = verified.into_decryptor();
        for c in file.chunks(1000) {
            d.update(c, &mut out)?;
        }
        d.finish()
    });
    match (&one_shot, &streamed) {
        (Ok((p, a)), Ok(b)) => {
            assert_eq!(a, b);
            assert_eq!(p, &out);
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "both paths report the same error"),
        _ => panic!("paths disagree: {one_shot:?} vs {streamed:?}"),
    }
    (streamed, out)
}

/// Builds a file from raw (already padded or deliberately unpadded) blocks
/// with a valid MAC, bypassing our encryptor.
fn forge(raw_plain: &[u8]) -> Vec<u8> {
    let keys = MediaKeys::expand(&KEY, T);
    let mut ct = raw_plain.to_vec();
    let (blocks, rest) = Array::slice_as_chunks_mut(&mut ct);
    assert!(rest.is_empty());
    cbc::Encryptor::<Aes256>::new(&(*keys.cipher_key()).into(), &(*keys.iv()).into())
        .encrypt_blocks(blocks);
    mac_and_append(&keys, ct)
}

fn mac_and_append(keys: &MediaKeys, mut ct: Vec<u8>) -> Vec<u8> {
    let mut h = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(keys.mac_key()).unwrap();
    h.update(keys.iv());
    h.update(&ct);
    ct.extend_from_slice(&h.finalize().into_bytes()[..10]);
    ct
}

#[test]
fn tampered_mac_is_rejected_before_any_plaintext() {
    for n in [0, 1, 16, 17, 70_000, 2 * SEGMENT_LEN + 5] {
        let (mut file, info) = encrypt(KEY, T, &plain(n));
        let last = file.len() - 1;
        file[last] ^= 0x01;
        let (r, out) = both(&file, &ExpectedMedia::default());
        assert_eq!(r, Err(Error::MediaMacMismatch), "{n}");
        assert!(out.is_empty());
        // With the expected encrypted hash, that check fires first.
        let (r, _) = both(&file, &ExpectedMedia::from_info(&info));
        assert_eq!(r, Err(Error::MediaEncHashMismatch), "{n}");
    }
}

#[test]
fn tampered_ciphertext_is_rejected_by_the_mac() {
    let (file, _) = encrypt(KEY, T, &plain(100));
    for i in 0..file.len() - 10 {
        let mut t = file.clone();
        t[i] ^= 0x80;
        let (r, out) = both(&t, &ExpectedMedia::default());
        assert_eq!(r, Err(Error::MediaMacMismatch), "byte {i}");
        assert!(out.is_empty());
    }
}

#[test]
fn wrong_enc_hash_is_rejected() {
    let (file, info) = encrypt(KEY, T, &plain(33));
    let mut expected = ExpectedMedia::from_info(&info);
    expected.file_enc_sha256 = Some([0; 32]);
    assert_eq!(both(&file, &expected).0, Err(Error::MediaEncHashMismatch));
}

#[test]
fn truncated_files_are_typed_errors() {
    let (file, info) = encrypt(KEY, T, &plain(50));
    for len in 0..file.len() {
        let cut = &file[..len];
        let (r, out) = both(cut, &ExpectedMedia::default());
        let e = r.unwrap_err();
        assert!(
            matches!(e, Error::MediaTruncated | Error::MediaMacMismatch),
            "len {len}: {e:?}"
        );
        if len < 10 {
            assert_eq!(e, Error::MediaTruncated);
        }
        assert!(out.is_empty());
        let (r, _) = both(cut, &ExpectedMedia::from_info(&info));
        let want = if len < 10 {
            Error::MediaTruncated
        } else {
            Error::MediaEncHashMismatch
        };
        assert_eq!(r, Err(want), "len {len}");
    }
}

#[test]
fn authentic_but_malformed_ciphertext_is_a_typed_error() {
    // A valid MAC over a ciphertext that is not whole blocks, or empty.
    let keys = MediaKeys::expand(&KEY, T);
    for ct_len in [0usize, 5, 17, 31] {
        let file = mac_and_append(&keys, vec![7; ct_len]);
        assert_eq!(
            both(&file, &ExpectedMedia::default()).0,
            Err(Error::MediaTruncated),
            "{ct_len}"
        );
    }
}

#[test]
fn bad_padding_is_rejected_without_output() {
    let mut cases: Vec<Vec<u8>> = Vec::new();
    for last in [0u8, 17, 255] {
        let mut b = plain(32);
        b[31] = last;
        cases.push(b);
    }
    let mut b = plain(32);
    b[30] = 1;
    b[31] = 2; // claims two bytes of padding, the other one is 1
    cases.push(b);
    let mut b = vec![16u8; 48];
    b[33] = 15; // a full padding block with one wrong byte
    cases.push(b);
    for raw in cases {
        let (r, out) = both(&forge(&raw), &ExpectedMedia::default());
        assert_eq!(r, Err(Error::MediaPadding));
        assert!(out.is_empty());
    }
    // Sanity: a correctly padded forged file decrypts.
    let mut good = plain(30);
    good.extend([2, 2]);
    let (r, out) = both(&forge(&good), &ExpectedMedia::default());
    assert_eq!(r.unwrap().file_length, 30);
    assert_eq!(out, plain(30));
}

#[test]
fn wrong_plaintext_hash_and_length_are_rejected() {
    let (file, info) = encrypt(KEY, T, &plain(1000));
    let mut e = ExpectedMedia::from_info(&info);
    e.file_sha256 = Some([1; 32]);
    assert_eq!(both(&file, &e).0, Err(Error::MediaFileHashMismatch));
    assert!(decrypt(&KEY, T, &file, &e).is_err());
    let mut e = ExpectedMedia::from_info(&info);
    e.file_length = Some(999);
    assert_eq!(both(&file, &e).0, Err(Error::MediaLengthMismatch));
    // The wrong media type means wrong keys: a MAC failure.
    let wrong = decrypt(&KEY, MediaType::Image, &file, &ExpectedMedia::default());
    assert_eq!(wrong.unwrap_err(), Error::MediaMacMismatch);
}

#[test]
fn second_pass_must_match_the_first() {
    let n = 3 * SEGMENT_LEN + 100;
    let (file, info) = encrypt(KEY, T, &plain(n));
    let verified = || {
        let mut v = MediaVerifier::new(&KEY, T, ExpectedMedia::from_info(&info));
        v.update(&file);
        v.finish().unwrap()
    };
    // A byte changed in segment k (or in the MAC): segments before k are
    // released, nothing from k on.
    for (pos, released) in [
        (5, 0),
        (SEGMENT_LEN + 3, SEGMENT_LEN),
        (3 * SEGMENT_LEN + 20, 3 * SEGMENT_LEN),
        (file.len() - 1, 3 * SEGMENT_LEN),
    ] {
        let mut changed = file.clone();
        changed[pos] ^= 4;
        let mut d = verified().into_decryptor();
        let mut out = Vec::new();
        let mut err = None;
        for c in changed.chunks(4096) {
            if let Err(e) = d.update(c, &mut out) {
                err = Some(e);
                break;
            }
        }
        assert_eq!(err, Some(Error::MediaSourceChanged), "pos {pos}");
        assert_eq!(out.len(), released, "pos {pos}");
        assert_eq!(out[..], plain(n)[..released]);
        // Errors are sticky.
        assert_eq!(d.update(&[0], &mut out), Err(Error::MediaSourceChanged));
        assert_eq!(d.finish(), Err(Error::MediaSourceChanged));
    }
    // Fewer or more bytes than the first pass.
    let mut d = verified().into_decryptor();
    let mut out = Vec::new();
    d.update(&file[..file.len() - 1], &mut out).unwrap();
    assert_eq!(d.finish(), Err(Error::MediaSourceChanged));
    let mut d = verified().into_decryptor();
    d.update(&file, &mut out).unwrap();
    assert_eq!(d.update(&[0], &mut out), Err(Error::MediaSourceChanged));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let (r, out) = both(&data, &ExpectedMedia::default());
        prop_assert!(r.is_err());
        prop_assert!(out.is_empty());
    }

    #[test]
    fn round_trip_with_random_chunking(
        data in proptest::collection::vec(any::<u8>(), 0..3000),
        enc_chunk in 1usize..200,
        dec_chunk in 1usize..200,
        key in any::<[u8; 32]>(),
    ) {
        let t = MediaType::ALL[usize::from(key[0]) % MediaType::ALL.len()];
        let mut e = wa_proto::media::MediaEncryptor::new(key, t);
        let mut file = Vec::new();
        data.chunks(enc_chunk).for_each(|c| e.update(c, &mut file));
        let info = e.finish(&mut file);
        prop_assert_eq!(file.len(), (data.len() / 16 + 1) * 16 + 10);
        let expected = ExpectedMedia::from_info(&info);
        let mut v = MediaVerifier::new(&key, t, expected.clone());
        file.chunks(dec_chunk).for_each(|c| v.update(c));
        let mut d = v.finish().unwrap().into_decryptor();
        let mut out = Vec::new();
        for c in file.chunks(dec_chunk) {
            d.update(c, &mut out).unwrap();
        }
        prop_assert_eq!(d.finish().unwrap().file_sha256, info.file_sha256);
        prop_assert_eq!(&out, &data);
        let (one_shot, _) = decrypt(&key, t, &file, &expected).unwrap();
        prop_assert_eq!(one_shot, data);
    }
}

/// Writes the seed corpora of the `media_decrypt` and `appstate_value` fuzz
/// targets (valid inputs for the fixed fuzzing keys). Run on purpose:
/// `cargo test -p wa-proto --test media_negative -- --ignored write_fuzz_seeds`.
#[test]
#[ignore = "writes fuzz/corpus seeds"]
fn write_fuzz_seeds() {
    use wa_proto::appstate::{MutationKeys, Operation};
    use wa_proto::fuzzing::{FUZZ_APPSTATE_KEY, FUZZ_MEDIA_KEY};
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let dir = corpus.join("media_decrypt");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, (sel, size)) in [
        (0u8, 0usize),
        (1, 1),
        (0x12, 15),
        (0x23, 16),
        (0x34, 17),
        (0xf5, 100),
        (0x77, 1000),
    ]
    .into_iter()
    .enumerate()
    {
        let t = MediaType::ALL[usize::from(sel) % MediaType::ALL.len()];
        let (file, _) = encrypt(FUZZ_MEDIA_KEY, t, &plain(size));
        std::fs::write(dir.join(format!("seed-{i}")), [&[sel][..], &file].concat()).unwrap();
    }
    let dir = corpus.join("appstate_value");
    std::fs::create_dir_all(&dir).unwrap();
    let keys = MutationKeys::expand(&FUZZ_APPSTATE_KEY);
    for (i, (op, key_id, size)) in [(0u8, &b"k1"[..], 0usize), (1, b"key-id", 20), (0, b"", 70)]
        .into_iter()
        .enumerate()
    {
        let o = Operation::from_wire(i32::from(op)).unwrap();
        let blob = keys.encrypt_value_with_iv([i as u8; 16], o, key_id, &plain(size));
        let input = [&[op, key_id.len() as u8][..], key_id, &blob].concat();
        std::fs::write(dir.join(format!("seed-{i}")), input).unwrap();
    }
}
