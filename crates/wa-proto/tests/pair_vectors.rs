//! Replays the Baileys pairing vectors (`tests/vectors/pair/baileys.json`,
//! produced by `xtask/interop/pair-vectors.mjs` with seeded randomness and
//! checked by `cargo xtask interop pair`) without node: our code must accept
//! what Baileys produced and, given Baileys' random draws, produce the same
//! bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pair_support;

use pair_support::{Replay, key_pair, public, rng, s, secret, unhex, vectors};
use prost::Message as _;
use wa_proto::Error;
use wa_proto::keys::KeyPair;
use wa_proto::pair::adv::{CompanionPairing, verify_signed_identity};
use wa_proto::pair::code::{CompanionCodePairing, PairCode, PhoneCodePairing};
use wa_proto::pair::payload::{
    ClientConfig, ClientHello, RegistrationKeys, login_payload, registration_payload,
};
use wa_proto::pair::qr::QrData;

#[test]
fn qr_string_matches_baileys() {
    let v = &vectors()["qr"];
    let shown = s(v, "/qr");
    let qr = QrData::parse(shown).unwrap();
    assert_eq!(qr.reference, s(v, "/ref"));
    assert_eq!(qr.noise_pub, public(s(v, "/creds/noisePub")));
    assert_eq!(qr.identity_pub, public(s(v, "/creds/identityPub")));
    assert_eq!(qr.adv_secret, secret(s(v, "/creds/advSecretKey")));
    assert_eq!(qr.platform.as_deref(), Some("1"));
    assert_eq!(qr.encode(), shown);
}

#[test]
fn libsignal_signed_identities_get_the_expected_verdicts() {
    let v = &vectors()["pairSuccess"];
    let companion = key_pair(
        s(v, "/companion/identityPriv"),
        s(v, "/companion/identityPub"),
    );
    let adv = secret(s(v, "/companion/advSecretKey"));
    let phone = public(s(v, "/phonePub"));
    let mut rng = rng(1);
    let cases = v["cases"].as_object().unwrap();
    assert_eq!(cases.len(), 9);
    for (name, container) in cases {
        let result = CompanionPairing::verify(
            &unhex(container.as_str().unwrap()),
            &adv,
            &companion,
            &mut rng,
        );
        match (name.as_str(), result) {
            ("good" | "typed_e2ee" | "hosted", Ok(p)) => {
                assert_eq!(p.primary_identity, phone);
                assert_eq!(p.key_index, 7);
                assert_eq!(p.hosted_account, name == "hosted");
                assert_eq!(p.device.raw_id, Some(4_242_424));
                // Our countersignature verifies (both signatures, both keys).
                let ours =
                    verify_signed_identity(&p.reply(), &companion.public, Some(&phone)).unwrap();
                assert_eq!(ours.key_index, 7);
                assert!(
                    verify_signed_identity(&p.account_bytes(), &companion.public, None).is_ok()
                );
            }
            ("bad_hmac", Err(Error::AdvHmacMismatch))
            | (
                "other_companion" | "wrong_signer" | "tampered_details",
                Err(Error::AdvAccountSignatureMismatch),
            )
            | ("no_key_index" | "truncated", Err(Error::AdvMalformed(_))) => {}
            (name, other) => panic!("{name}: unexpected {other:?}"),
        }
    }
}

#[test]
fn baileys_countersignatures_verify() {
    let v = &vectors()["pairSuccess"];
    let companion = public(s(v, "/companion/identityPub"));
    let phone = public(s(v, "/phonePub"));
    let mut accepted = 0;
    for r in v["baileys"].as_array().unwrap() {
        if r["strictOk"] != true {
            continue;
        }
        accepted += 1;
        let reply = unhex(s(r, "/reply/content"));
        let verified = verify_signed_identity(&reply, &companion, Some(&phone)).unwrap();
        assert_eq!(s(r, "/reply/keyIndex"), verified.key_index.to_string());
        assert!(verified.identity.device_signature.is_some());
        // Without a known account key the reply (which omits it) cannot be checked.
        assert!(matches!(
            verify_signed_identity(&reply, &companion, None),
            Err(Error::AdvMalformed(_))
        ));
        // A different device key fails the device signature... or the account one.
        let other = KeyPair::generate(&mut rng(2)).public;
        assert!(verify_signed_identity(&reply, &other, Some(&phone)).is_err());
        let stored =
            verify_signed_identity(&unhex(s(r, "/account/accountBytes")), &companion, None)
                .unwrap();
        assert_eq!(stored.account_identity, phone);
    }
    assert_eq!(accepted, 3);
}

#[test]
fn our_companion_reproduces_baileys_pairing_code_bytes() {
    let v = &vectors()["code"];
    let creds = &v["hello"]["creds"];
    let code = PairCode::parse(s(v, "/hello/code")).unwrap();
    let ephemeral = key_pair(s(creds, "/pairingEphPriv"), s(creds, "/pairingEphPub"));
    let identity = key_pair(s(creds, "/identityPriv"), s(creds, "/identityPub"));
    let companion = CompanionCodePairing::new(code, ephemeral);

    // Same salt and iv as Baileys drew: the wrapped key is byte-identical.
    let wrapped = unhex(s(v, "/hello/wrapped"));
    let mut replay = Replay::new(&[&wrapped[..48]]);
    assert_eq!(companion.hello(&mut replay).as_slice(), wrapped.as_slice());
    assert!(replay.exhausted());

    // Same random, salt and nonce: the key bundle and ADV secret are identical.
    let bundle = unhex(s(v, "/finish/bundle"));
    let mut replay = Replay::new(&[&unhex(s(v, "/finish/random")), &bundle[..44]]);
    let fin = companion
        .finish(
            &identity,
            &public(s(v, "/phone/phoneIdentityPub")),
            &unhex(s(v, "/phone/wrappedPrimary")),
            &mut replay,
        )
        .unwrap();
    assert!(replay.exhausted());
    assert_eq!(fin.wrapped_key_bundle, bundle);
    assert_eq!(fin.adv_secret, secret(s(v, "/finish/advSecretKey")));
}

#[test]
fn our_phone_reproduces_the_helper_phone_and_accepts_baileys_bundle() {
    let v = &vectors()["code"];
    let p = &v["phone"];
    let code = PairCode::parse(s(v, "/hello/code")).unwrap();
    let ephemeral = key_pair(s(p, "/phoneEphPriv"), s(p, "/phoneEphPub"));
    let identity = key_pair(s(p, "/phoneIdentityPriv"), s(p, "/phoneIdentityPub"));
    let wrapped_primary = unhex(s(p, "/wrappedPrimary"));
    let mut replay = Replay::new(&[&wrapped_primary[..48]]);
    let phone = PhoneCodePairing::with_ephemeral(
        &code,
        &unhex(s(v, "/hello/wrapped")),
        ephemeral,
        &mut replay,
    )
    .unwrap();
    assert_eq!(
        phone.wrapped_ephemeral().as_slice(),
        wrapped_primary.as_slice()
    );
    let done = phone
        .finish(
            &identity,
            &unhex(s(v, "/finish/bundle")),
            &public(s(v, "/finish/companionIdentityPub")),
        )
        .unwrap();
    assert_eq!(done.adv_secret, secret(s(v, "/finish/advSecretKey")));
    // The bundle names Baileys' companion: claiming another identity fails.
    let other = KeyPair::generate(&mut rng(3)).public;
    assert!(matches!(
        phone.finish(&identity, &unhex(s(v, "/finish/bundle")), &other),
        Err(Error::PairCodeMismatch(_))
    ));
}

fn config_of(cfg: &serde_json::Value) -> ClientConfig {
    let b: Vec<String> = serde_json::from_value(cfg["browser"].clone()).unwrap();
    let version: Vec<u32> = serde_json::from_value(cfg["version"].clone()).unwrap();
    ClientConfig {
        version: version.try_into().unwrap(),
        os: b[0].clone(),
        browser: b[1].clone(),
        os_version: b[2].clone(),
        country_code: s(cfg, "/countryCode").to_owned(),
        push_name: cfg["pushName"].as_str().map(str::to_owned),
        sync_full_history: cfg["syncFullHistory"] == true,
        ..ClientConfig::default()
    }
}

#[test]
fn payloads_match_baileys_bytes_and_parse() {
    let v = &vectors()["payloads"];
    let c = &v["creds"];
    let keys = RegistrationKeys {
        registration_id: u32::try_from(c["registrationId"].as_u64().unwrap()).unwrap(),
        identity: public(s(c, "/identityPub")),
        signed_prekey_id: u32::try_from(c["signedPreKeyId"].as_u64().unwrap()).unwrap(),
        signed_prekey: public(s(c, "/signedPreKeyPub")),
        signed_prekey_signature: unhex(s(c, "/signedPreKeySig")).try_into().unwrap(),
    };
    let configs = v["configs"].as_array().unwrap();
    let payloads = v["payloads"].as_array().unwrap();
    assert_eq!(configs.len(), payloads.len());
    for (cfg, p) in configs.iter().zip(payloads) {
        let config = config_of(cfg);
        let reg = unhex(s(p, "/registration"));
        let login = unhex(s(p, "/login"));
        assert_eq!(
            registration_payload(&config, &keys).encode_to_vec(),
            reg,
            "{}",
            cfg["name"]
        );
        assert_eq!(
            login_payload(&config, "15551234567", 7)
                .unwrap()
                .encode_to_vec(),
            login,
            "{}",
            cfg["name"]
        );
        let ClientHello::Registration(r) = ClientHello::parse(&reg).unwrap() else {
            panic!("registration parsed as login");
        };
        assert_eq!(r.keys, keys);
        assert_eq!(r.build_hash, Some(config.build_hash()));
        assert_eq!(r.device_props, Some(config.device_props()));
        assert_eq!(r.push_name, config.push_name);
        let ClientHello::Login(l) = ClientHello::parse(&login).unwrap() else {
            panic!("login parsed as registration");
        };
        assert_eq!((l.username, l.device, l.passive), (15_551_234_567, 7, true));
    }
}

#[test]
fn participant_hash_extends_baileys() {
    for case in vectors()["phash"].as_array().unwrap() {
        let list: Vec<String> = serde_json::from_value(case["list"].clone()).unwrap();
        let ours = wa_proto::ids::participant_hash(&list);
        let theirs = s(case, "/baileys");
        assert_eq!(theirs.len(), 8);
        assert!(ours.starts_with(theirs), "{ours} vs {theirs}");
    }
}
