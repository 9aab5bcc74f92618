//! Entry points shared by the cargo-fuzz targets in `fuzz/` and the corpus
//! replay test (`tests/fuzz_corpus.rs`), so both exercise exactly the same code.
//!
//! Each function feeds arbitrary bytes to a decoder (and, where it decodes,
//! checks round-trip invariants). They must never panic; a panic is a bug.
//! [`TARGETS`] lists them by the name of their fuzz target.

/// A fuzz entry point: arbitrary bytes in, no panic out.
pub type Entry = fn(&[u8]);

/// Every fuzz target: (name of `fuzz/fuzz_targets/<name>.rs`, entry point).
pub const TARGETS: &[(&str, Entry)] = &[
    ("proto_handshake", proto_handshake),
    ("media_decrypt", media_decrypt),
    ("appstate_value", appstate_value),
];

/// Decodes `data` as `M`; when it decodes, checks that prost's encoding is
/// canonical: it has the announced length, decodes to the same value, and
/// encodes to the same bytes again. Returns the decoded message.
fn proto_roundtrip<M: prost::Message + Default + PartialEq>(data: &[u8]) -> Option<M> {
    let m = M::decode(data).ok()?;
    let bytes = m.encode_to_vec();
    assert_eq!(
        bytes.len(),
        m.encoded_len(),
        "encoded_len disagrees with encode"
    );
    let again = M::decode(bytes.as_slice());
    assert!(again.as_ref() == Ok(&m), "re-decoded protobuf differs");
    let bytes_again = again.map(|a| a.encode_to_vec()).unwrap_or_default();
    assert!(bytes_again == bytes, "protobuf encoding is not stable");
    Some(m)
}

/// `proto_handshake`: the protobufs read before and during login, from
/// untrusted bytes: HandshakeMessage, CertChain and its certificate Details,
/// ClientPayload, and the pairing chain ADVSignedDeviceIdentityHMAC →
/// ADVSignedDeviceIdentity → ADVDeviceIdentity (each `details` decoded as the
/// next, like the pair-success handler does).
pub fn proto_handshake(data: &[u8]) {
    use crate::proto::wa;
    type Details = wa::cert_chain::noise_certificate::Details;

    let _ = proto_roundtrip::<wa::HandshakeMessage>(data);
    if let Some(chain) = proto_roundtrip::<wa::CertChain>(data) {
        for cert in [chain.leaf, chain.intermediate].into_iter().flatten() {
            let _ = proto_roundtrip::<Details>(cert.details());
        }
    }
    let _ = proto_roundtrip::<Details>(data);
    let _ = proto_roundtrip::<wa::ClientPayload>(data);
    if let Some(hmac) = proto_roundtrip::<wa::AdvSignedDeviceIdentityHmac>(data)
        && let Some(signed) = proto_roundtrip::<wa::AdvSignedDeviceIdentity>(hmac.details())
    {
        let _ = proto_roundtrip::<wa::AdvDeviceIdentity>(signed.details());
    }
    let _ = proto_roundtrip::<wa::AdvSignedDeviceIdentity>(data);
    let _ = proto_roundtrip::<wa::AdvDeviceIdentity>(data);
}

/// The media key `media_decrypt` decrypts with (seeds are encrypted with it).
pub const FUZZ_MEDIA_KEY: [u8; 32] = [0x5a; 32];

/// The app-state key data `appstate_value` expands (seeds use it).
pub const FUZZ_APPSTATE_KEY: [u8; 32] = [0xa5; 32];

/// `media_decrypt`: untrusted bytes as a downloaded media file. The first
/// byte picks the media type and a chunk size, the rest is the file. The
/// one-shot and the two-pass decryptors must agree, and nothing may be
/// released unless decryption succeeds.
pub fn media_decrypt(data: &[u8]) {
    use crate::media::{ExpectedMedia, MediaType, MediaVerifier, decrypt};
    let Some((&sel, file)) = data.split_first() else {
        return;
    };
    let ty = MediaType::ALL[usize::from(sel) % MediaType::ALL.len()];
    let chunk = usize::from(sel >> 4) * 7 + 1;
    let expected = ExpectedMedia::default();
    let one = decrypt(&FUZZ_MEDIA_KEY, ty, file, &expected);
    let mut verifier = MediaVerifier::new(&FUZZ_MEDIA_KEY, ty, expected);
    file.chunks(chunk).for_each(|c| verifier.update(c));
    let mut out = Vec::new();
    let two = verifier.finish().and_then(|verified| {
        let mut d = verified.into_decryptor();
        for c in file.chunks(chunk) {
            d.update(c, &mut out)?;
        }
        d.finish()
    });
    assert_eq!(
        one.is_ok(),
        two.is_ok(),
        "one decryptor failed, the other not"
    );
    match (one, two) {
        (Ok((plain, a)), Ok(b)) => assert!(a == b && plain == out, "decryptors disagree"),
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "decryptors report different errors");
            assert!(out.is_empty(), "plaintext released on error");
        }
        _ => {}
    }
}

/// `appstate_value`: untrusted bytes as a syncd record. Byte 0 is the
/// operation, byte 1 the key-id length, then the key id and the value blob.
/// A value that decrypts must re-encrypt (same IV) to the same blob.
pub fn appstate_value(data: &[u8]) {
    use crate::appstate::{LtHash, MutationKeys, Operation, split_value_blob};
    let [op, id_len, rest @ ..] = data else {
        return;
    };
    let op = Operation::from_wire(i32::from(*op & 1)).unwrap_or(Operation::Set);
    let (key_id, blob) = rest.split_at(usize::from(*id_len).min(rest.len()));
    let keys = MutationKeys::expand(&FUZZ_APPSTATE_KEY);
    if let Ok(plain) = keys.decrypt_value(op, key_id, blob) {
        let iv: [u8; 16] = blob
            .get(..16)
            .and_then(|iv| iv.try_into().ok())
            .unwrap_or_default();
        assert!(
            keys.encrypt_value_with_iv(iv, op, key_id, &plain) == blob,
            "value does not re-encrypt to the same blob"
        );
    }
    if let Ok((_, mac)) = split_value_blob(blob) {
        let mut h = LtHash::new();
        h.add(mac);
        h.subtract(mac);
        assert!(h == LtHash::new(), "LTHash add/subtract is not an inverse");
    }
}
