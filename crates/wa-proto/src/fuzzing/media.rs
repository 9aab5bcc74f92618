//! Fuzz entry points for media decryption and app-state values.

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
