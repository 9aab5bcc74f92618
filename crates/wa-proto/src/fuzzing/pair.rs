//! Fuzz entry points for pairing inputs (ClientPayload, QR, ADV identities).

/// The fixed phone side `pair_inputs` checks replies against: a phone key,
/// a companion key, and the identity the phone signed for it (key index 3,
/// ADV secret `[7; 32]`), made with a seeded RNG.
fn pair_fixture() -> &'static (
    crate::keys::KeyPair,
    crate::keys::KeyPair,
    crate::pair::adv::PhonePairing,
) {
    use rand_chacha::rand_core::SeedableRng;
    static FIXTURE: std::sync::OnceLock<(
        crate::keys::KeyPair,
        crate::keys::KeyPair,
        crate::pair::adv::PhonePairing,
    )> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
        let phone = crate::keys::KeyPair::generate(&mut rng);
        let companion = crate::keys::KeyPair::generate(&mut rng);
        let params = crate::pair::adv::DeviceIdentityParams::e2ee(1, 1_700_000_000, 3);
        let signed = crate::pair::adv::PhonePairing::sign(
            &phone,
            &companion.public,
            &[7; 32],
            &params,
            &mut rng,
        );
        // Signing only fails for key index 0.
        let Ok(pairing) = signed else {
            unreachable!("fixture key index is 3")
        };
        (phone, companion, pairing)
    })
}

/// A valid `pair_inputs` seed for selector 5: our companion's reply to the
/// fixture's pair-success.
pub fn pair_reply_seed() -> Vec<u8> {
    use rand_chacha::rand_core::SeedableRng;
    let (_, companion, pairing) = pair_fixture();
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([8; 32]);
    let mut seed = vec![5];
    if let Ok(c) = crate::pair::adv::CompanionPairing::verify(
        pairing.device_identity(),
        &[7; 32],
        companion,
        &mut rng,
    ) {
        seed.extend_from_slice(&c.reply());
    }
    seed
}

/// `pair_inputs`: what each side of pairing reads from the other. The first
/// byte selects the reader, keys it needs come first in the rest:
///
/// | byte % 6 | input |
/// |---|---|
/// | 0 | ClientPayload ([`crate::pair::payload::ClientHello::parse`]) |
/// | 1 | QR string and pairing code (UTF-8) |
/// | 2 | adv secret 32 ‖ companion private key 32 ‖ pair-success container |
/// | 3 | device key 32 ‖ account key 32 ‖ signed device identity |
/// | 4 | account key 32 ‖ signed key index list |
/// | 5 | pair-device-sign reply to the fixed phone pairing |
///
/// Pairing-code unwrapping is not fuzzed: every call runs PBKDF2 with 2^17
/// rounds, and its input is a fixed-length slice.
pub fn pair_inputs(data: &[u8]) {
    use crate::keys::{KeyPair, PrivateKey, PublicKey};
    use crate::pair::{adv, key_index, payload, qr};
    use rand_chacha::rand_core::SeedableRng;

    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let key32 = |b: &[u8]| -> Option<[u8; 32]> { b.get(..32)?.try_into().ok() };
    match selector % 6 {
        0 => {
            if let Ok(payload::ClientHello::Registration(r)) = payload::ClientHello::parse(rest) {
                assert!(r.keys.identity.verify(
                    &r.keys.signed_prekey.serialize(),
                    &r.keys.signed_prekey_signature
                ));
            }
        }
        1 => {
            if let Ok(s) = std::str::from_utf8(rest) {
                if let Ok(q) = qr::QrData::parse(s) {
                    assert_eq!(qr::QrData::parse(&q.encode()).ok(), Some(q), "QR re-encode");
                }
                if let Ok(code) = crate::pair::code::PairCode::parse(s) {
                    assert_eq!(
                        crate::pair::code::PairCode::parse(&code.display()).ok(),
                        Some(code)
                    );
                }
            }
        }
        2 => {
            let (Some(adv), Some(private)) = (key32(rest), rest.get(32..).and_then(key32)) else {
                return;
            };
            let companion = KeyPair::from_private(PrivateKey::from_bytes(private));
            let mut rng = rand_chacha::ChaCha20Rng::from_seed([0; 32]);
            let container = rest.get(64..).unwrap_or_default();
            if let Ok(c) = adv::CompanionPairing::verify(container, &adv, &companion, &mut rng) {
                let full = adv::verify_signed_identity(&c.account_bytes(), &companion.public, None);
                assert!(full.is_ok(), "own countersignature must verify");
            }
        }
        3 => {
            let (Some(device), Some(account)) = (key32(rest), rest.get(32..).and_then(key32))
            else {
                return;
            };
            let identity = rest.get(64..).unwrap_or_default();
            let _ = adv::verify_signed_identity(
                identity,
                &PublicKey::from_raw(device),
                Some(&PublicKey::from_raw(account)),
            );
            let _ = adv::verify_signed_identity(identity, &PublicKey::from_raw(device), None);
        }
        4 => {
            let Some(account) = key32(rest) else { return };
            let _ = key_index::KeyIndexList::verify(
                rest.get(32..).unwrap_or_default(),
                &PublicKey::from_raw(account),
            );
        }
        _ => {
            let (_, _, pairing) = pair_fixture();
            let _ = pairing.verify_reply(rest, Some("3"));
        }
    }
}
