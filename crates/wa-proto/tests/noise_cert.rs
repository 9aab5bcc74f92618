//! Server certificate chains: issued chains verify; every kind of bad chain
//! is rejected with its own error, both by `TrustedRoot::verify` and by the
//! client handshake.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use prost::Message;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wa_proto::Error;
use wa_proto::keys::KeyPair;
use wa_proto::noise::cert::{
    CertDetails, ChainSpec, DEFAULT_NOT_AFTER, WA_ROOT_PUBLIC_KEY, WA_ROOT_SERIAL, sign_certificate,
};
use wa_proto::noise::{CertIssuer, ClientHandshake, ServerHandshake, TrustedRoot};
use wa_proto::proto::wa::CertChain;

const NOW: u64 = 1_750_000_000;

struct Fixture {
    rng: ChaCha20Rng,
    issuer: CertIssuer,
    root: KeyPair,
    intermediate: KeyPair,
    server: KeyPair,
}

fn fixture() -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    let root = KeyPair::generate(&mut rng);
    let intermediate = KeyPair::generate(&mut rng);
    let server = KeyPair::generate(&mut rng);
    let issuer = CertIssuer::new(root.clone(), intermediate.clone());
    Fixture {
        rng,
        issuer,
        root,
        intermediate,
        server,
    }
}

fn spec() -> ChainSpec {
    ChainSpec {
        intermediate_serial: 7,
        leaf_serial: 9,
        not_before: NOW - 3600,
        not_after: NOW + 3600,
    }
}

#[test]
fn issued_chain_verifies() {
    let mut f = fixture();
    let chain = f.issuer.issue(&mut f.rng, &f.server.public, &spec());
    let v = f
        .issuer
        .trusted_root()
        .verify(&chain, &f.server.public, NOW)
        .unwrap();
    assert_eq!(v.leaf.key, f.server.public);
    assert_eq!(v.leaf.serial, 9);
    assert_eq!(v.leaf.issuer_serial, 7);
    assert_eq!(v.intermediate.serial, 7);
    assert_eq!(v.intermediate.issuer_serial, WA_ROOT_SERIAL);
    assert_eq!(v.intermediate.key, f.intermediate.public);
    // Boundaries are inclusive.
    let tr = f.issuer.trusted_root();
    assert!(tr.verify(&chain, &f.server.public, NOW - 3600).is_ok());
    assert!(tr.verify(&chain, &f.server.public, NOW + 3600).is_ok());
}

#[test]
fn intermediate_issuer_serial_is_zero_on_the_wire() {
    // Baileys compares the decoded intermediate issuerSerial with 0, and
    // whatsmeow with WACertIssuerSerial = 0: our chains must carry it.
    let mut f = fixture();
    let chain =
        CertChain::decode(&f.issuer.issue(&mut f.rng, &f.server.public, &spec())[..]).unwrap();
    let d = CertDetails::decode(chain.intermediate.unwrap().details.as_deref().unwrap()).unwrap();
    assert_eq!(d.issuer_serial, 0);
    assert_eq!(TrustedRoot::default().key(), &WA_ROOT_PUBLIC_KEY);
    assert_eq!(
        hex::encode(WA_ROOT_PUBLIC_KEY.as_bytes()),
        "142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b"
    );
    assert!(ChainSpec::default().not_after == DEFAULT_NOT_AFTER);
    assert!(DEFAULT_NOT_AFTER < i64::MAX as u64);
}

#[test]
fn wrong_root_is_rejected() {
    let mut f = fixture();
    let chain = f.issuer.issue(&mut f.rng, &f.server.public, &spec());
    let other = KeyPair::generate(&mut f.rng);
    assert_eq!(
        TrustedRoot::new(other.public).verify(&chain, &f.server.public, NOW),
        Err(Error::CertUntrustedRoot)
    );
    // The real WhatsApp root does not trust test chains either.
    assert_eq!(
        TrustedRoot::whatsapp().verify(&chain, &f.server.public, NOW),
        Err(Error::CertUntrustedRoot)
    );
}

#[test]
fn wrong_leaf_key_is_rejected() {
    let mut f = fixture();
    let other = KeyPair::generate(&mut f.rng);
    let chain = f.issuer.issue(&mut f.rng, &other.public, &spec());
    assert_eq!(
        f.issuer
            .trusted_root()
            .verify(&chain, &f.server.public, NOW),
        Err(Error::CertKeyMismatch)
    );
}

fn tamper(chain: &[u8], edit: impl FnOnce(&mut CertChain)) -> Vec<u8> {
    let mut c = CertChain::decode(chain).unwrap();
    edit(&mut c);
    c.encode_to_vec()
}

#[test]
fn tampered_signatures_are_rejected() {
    let mut f = fixture();
    let chain = f.issuer.issue(&mut f.rng, &f.server.public, &spec());
    let tr = f.issuer.trusted_root();
    for byte in [0usize, 31, 32, 63] {
        let bad = tamper(&chain, |c| {
            c.leaf.as_mut().unwrap().signature.as_mut().unwrap()[byte] ^= 0x04;
        });
        assert_eq!(
            tr.verify(&bad, &f.server.public, NOW),
            Err(Error::CertBadSignature("leaf")),
            "leaf signature byte {byte}"
        );
        // A tampered intermediate signature cannot be told apart from a
        // signature by another root.
        let bad = tamper(&chain, |c| {
            c.intermediate.as_mut().unwrap().signature.as_mut().unwrap()[byte] ^= 0x04;
        });
        assert_eq!(
            tr.verify(&bad, &f.server.public, NOW),
            Err(Error::CertUntrustedRoot),
            "intermediate signature byte {byte}"
        );
    }
    // Changing signed details (the leaf's validity) breaks the signature.
    let bad = tamper(&chain, |c| {
        let leaf = c.leaf.as_mut().unwrap();
        let mut d = CertDetails::decode(leaf.details.as_deref().unwrap()).unwrap();
        d.not_after += 1;
        leaf.details = Some(d.encode());
    });
    assert_eq!(
        tr.verify(&bad, &f.server.public, NOW),
        Err(Error::CertBadSignature("leaf"))
    );
}

#[test]
fn expired_and_not_yet_valid_are_rejected() {
    let mut f = fixture();
    let chain = f.issuer.issue(&mut f.rng, &f.server.public, &spec());
    let tr = f.issuer.trusted_root();
    assert_eq!(
        tr.verify(&chain, &f.server.public, NOW + 3601),
        Err(Error::CertExpired("intermediate"))
    );
    assert_eq!(
        tr.verify(&chain, &f.server.public, NOW - 3601),
        Err(Error::CertNotYetValid("intermediate"))
    );
    // A leaf with a shorter window than its (valid) intermediate.
    let leaf_only = |not_before, not_after, f: &mut Fixture| {
        let int = CertDetails {
            serial: 7,
            issuer_serial: 0,
            key: f.intermediate.public,
            not_before: 0,
            not_after: DEFAULT_NOT_AFTER,
        };
        let leaf = CertDetails {
            serial: 9,
            issuer_serial: 7,
            key: f.server.public,
            not_before,
            not_after,
        };
        CertChain {
            intermediate: Some(sign_certificate(&mut f.rng, &f.root, &int)),
            leaf: Some(sign_certificate(&mut f.rng, &f.intermediate, &leaf)),
        }
        .encode_to_vec()
    };
    let expired = leaf_only(0, NOW - 1, &mut f);
    assert_eq!(
        tr.verify(&expired, &f.server.public, NOW),
        Err(Error::CertExpired("leaf"))
    );
    let early = leaf_only(NOW + 1, DEFAULT_NOT_AFTER, &mut f);
    assert_eq!(
        tr.verify(&early, &f.server.public, NOW),
        Err(Error::CertNotYetValid("leaf"))
    );
}

#[test]
fn issuer_serial_mismatch_is_rejected() {
    let mut f = fixture();
    let tr = f.issuer.trusted_root();
    let int = CertDetails {
        serial: 7,
        issuer_serial: 0,
        key: f.intermediate.public,
        not_before: 0,
        not_after: DEFAULT_NOT_AFTER,
    };
    let leaf = CertDetails {
        serial: 9,
        issuer_serial: 8, // not the intermediate's serial
        key: f.server.public,
        not_before: 0,
        not_after: DEFAULT_NOT_AFTER,
    };
    let chain = CertChain {
        intermediate: Some(sign_certificate(&mut f.rng, &f.root, &int)),
        leaf: Some(sign_certificate(&mut f.rng, &f.intermediate, &leaf)),
    }
    .encode_to_vec();
    assert_eq!(
        tr.verify(&chain, &f.server.public, NOW),
        Err(Error::CertIssuerMismatch("leaf"))
    );
    // An intermediate claiming another root serial.
    let issuer = CertIssuer::new(f.root.clone(), f.intermediate.clone()).with_root_serial(5);
    let chain = issuer.issue(&mut f.rng, &f.server.public, &spec());
    assert_eq!(
        tr.verify(&chain, &f.server.public, NOW),
        Err(Error::CertIssuerMismatch("intermediate"))
    );
    assert!(
        issuer
            .trusted_root()
            .verify(&chain, &f.server.public, NOW)
            .is_ok()
    );
}

#[test]
fn garbled_chains_are_rejected() {
    let mut f = fixture();
    let chain = f.issuer.issue(&mut f.rng, &f.server.public, &spec());
    let tr = f.issuer.trusted_root();
    let s = f.server.public;
    let malformed = |bytes: &[u8]| match tr.verify(bytes, &s, NOW) {
        Err(Error::CertMalformed(_)) => {}
        other => panic!("expected CertMalformed, got {other:?}"),
    };
    malformed(&[0xff, 0xff, 0xff]);
    malformed(&chain[..chain.len() / 2]);
    malformed(&[]); // empty chain: no certificates
    malformed(&tamper(&chain, |c| c.leaf = None));
    malformed(&tamper(&chain, |c| c.intermediate = None));
    malformed(&tamper(&chain, |c| c.leaf.as_mut().unwrap().details = None));
    malformed(&tamper(&chain, |c| {
        c.intermediate.as_mut().unwrap().signature = None;
    }));
    malformed(&tamper(&chain, |c| {
        c.leaf.as_mut().unwrap().signature.as_mut().unwrap().pop();
    }));
    malformed(&tamper(&chain, |c| {
        c.leaf.as_mut().unwrap().details = Some(vec![0x0a, 0xff]);
    }));
    // Details with a short key or without notAfter.
    let d = CertDetails::decode(
        CertChain::decode(&chain[..])
            .unwrap()
            .leaf
            .unwrap()
            .details
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    let mut raw =
        wa_proto::proto::wa::cert_chain::noise_certificate::Details::decode(&d.encode()[..])
            .unwrap();
    raw.key = Some(vec![1; 31]);
    malformed(&tamper(&chain, |c| {
        c.leaf.as_mut().unwrap().details = Some(raw.encode_to_vec());
    }));
    raw.key = Some(vec![1; 32]);
    raw.not_after = None;
    malformed(&tamper(&chain, |c| {
        c.leaf.as_mut().unwrap().details = Some(raw.encode_to_vec());
    }));
}

/// The client handshake runs the same checks on the decrypted chain.
#[test]
fn handshake_rejects_bad_chains() {
    let mut f = fixture();
    let stranger = CertIssuer::generate(&mut f.rng);
    let other_key = KeyPair::generate(&mut f.rng).public;
    let cases: Vec<(Vec<u8>, u64, Error)> = vec![
        (
            stranger.issue(&mut f.rng, &f.server.public, &spec()),
            NOW,
            Error::CertUntrustedRoot,
        ),
        (
            f.issuer.issue(&mut f.rng, &other_key, &spec()),
            NOW,
            Error::CertKeyMismatch,
        ),
        (
            f.issuer.issue(&mut f.rng, &f.server.public, &spec()),
            NOW + 7200,
            Error::CertExpired("intermediate"),
        ),
        (
            b"garbage".to_vec(),
            NOW,
            Error::CertMalformed("certificate chain does not decode"),
        ),
    ];
    for (chain, now, want) in cases {
        let noise_key = KeyPair::generate(&mut f.rng);
        let (client, hello) =
            ClientHandshake::start(&mut f.rng, noise_key, &wa_proto::frame::WA_HEADER).unwrap();
        let server = ServerHandshake::new(
            &mut f.rng,
            f.server.clone(),
            chain,
            &wa_proto::frame::WA_HEADER,
        );
        let (_, server_hello) = server.read_client_hello(&hello).unwrap();
        let got = client
            .read_server_hello(&server_hello, &f.issuer.trusted_root(), now)
            .map(|_| ());
        assert_eq!(got, Err(want));
    }
}
