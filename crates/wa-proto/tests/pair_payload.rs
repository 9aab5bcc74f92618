//! ClientPayload builders and the server-side parser; message ids and the
//! participant hash (`wa_proto::ids`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pair_support;

use pair_support::{rng, unhex};
use proptest::prelude::*;
use prost::Message as _;
use wa_proto::Error;
use wa_proto::keys::{KeyPair, PublicKey};
use wa_proto::pair::payload::{
    ClientConfig, ClientHello, RegistrationKeys, login_payload, registration_payload,
};
use wa_proto::proto::wa::{client_payload as cp, device_props::PlatformType};

fn keys(seed: u64) -> RegistrationKeys {
    let mut rng = rng(seed);
    let identity = KeyPair::generate(&mut rng);
    let signed_prekey = KeyPair::generate(&mut rng).public;
    RegistrationKeys {
        registration_id: 0x0000_2a3b,
        identity: identity.public,
        signed_prekey_id: 0x0102_0304,
        signed_prekey,
        signed_prekey_signature: identity.sign(&signed_prekey.serialize(), &mut rng),
    }
}

/// The deterministic bytes of `xtask/interop/proto-vectors-lib.mjs` `b(n, seed)`.
fn lcg(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761);
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 24) as u8
        })
        .collect()
}

/// The ClientPayload vectors Baileys encoded for the proto suite
/// (`tests/vectors/proto/baileys.json`).
fn proto_vector(name: &str) -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/proto/baileys.json"
    );
    let all: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = all
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap();
    unhex(v["hex"].as_str().unwrap())
}

#[test]
fn reproduces_the_proto_suite_vectors() {
    // Inputs of proto-vectors.mjs: Ubuntu/Chrome, version 2.3000.1029496320,
    // no full sync, registration id 12345, signed prekey 1.
    let config = ClientConfig {
        version: [2, 3000, 1_029_496_320],
        os: "Ubuntu".to_owned(),
        browser: "Chrome".to_owned(),
        os_version: "22.04".to_owned(),
        sync_full_history: false,
        ..ClientConfig::default()
    };
    let keys = RegistrationKeys {
        registration_id: 12345,
        identity: PublicKey::from_bytes(&lcg(32, 152)).unwrap(),
        signed_prekey_id: 1,
        signed_prekey: PublicKey::from_bytes(&lcg(32, 150)).unwrap(),
        signed_prekey_signature: lcg(64, 151).try_into().unwrap(),
    };
    assert_eq!(
        registration_payload(&config, &keys).encode_to_vec(),
        proto_vector("client_payload_registration")
    );
    assert_eq!(
        login_payload(&config, "15551234567", 3)
            .unwrap()
            .encode_to_vec(),
        proto_vector("client_payload_login")
    );
    // That signature is filler bytes: the server-side parser refuses it.
    assert_eq!(
        ClientHello::parse(&proto_vector("client_payload_registration")),
        Err(Error::ClientPayloadInvalid("eSkeySig does not verify"))
    );
}

#[test]
fn defaults_are_baileys_rc14() {
    let c = ClientConfig::default();
    assert_eq!(c.version_string(), "2.3000.1043857760");
    assert_eq!(
        hex::encode(c.build_hash()),
        "f6f65c0607a1cdffd8752b051fc95edf"
    );
    assert_eq!(c.companion_platform_id(), "1");
    assert_eq!(c.companion_platform_display(), "Chrome (Mac OS)");
    let p = login_payload(&c, "15551234567", 2).unwrap();
    let ua = p.user_agent.as_ref().unwrap();
    assert_eq!(ua.platform(), cp::user_agent::Platform::Web);
    let av = ua.app_version.as_ref().unwrap();
    assert_eq!(
        (av.primary(), av.secondary(), av.tertiary()),
        (2, 3000, 1_043_857_760)
    );
    assert_eq!(
        (
            ua.mcc(),
            ua.mnc(),
            ua.os_version(),
            ua.device(),
            ua.os_build_number()
        ),
        ("000", "000", "0.1", "Desktop", "0.1")
    );
    assert_eq!(
        ua.release_channel(),
        cp::user_agent::ReleaseChannel::Release
    );
    assert_eq!(
        (
            ua.locale_language_iso6391(),
            ua.locale_country_iso31661_alpha2()
        ),
        ("en", "US")
    );
    // Mac OS + Chrome: a web browser even with full sync (only "Desktop" changes it).
    assert_eq!(
        p.web_info.as_ref().unwrap().web_sub_platform(),
        cp::web_info::WebSubPlatform::WebBrowser
    );
    assert_eq!(p.connect_type(), cp::ConnectType::WifiUnknown);
    assert_eq!(p.connect_reason(), cp::ConnectReason::UserActivated);
    assert_eq!(
        (p.username, p.device, p.passive, p.pull, p.lid_db_migrated),
        (
            Some(15_551_234_567),
            Some(2),
            Some(true),
            Some(true),
            Some(false)
        )
    );
    assert!(p.push_name.is_none() && p.device_pairing_data.is_none() && p.lc.is_none());
    let props = c.device_props();
    assert_eq!(
        (props.os(), props.platform_type(), props.require_full_sync()),
        ("Mac OS", PlatformType::Chrome, true)
    );
    let v = props.version.as_ref().unwrap();
    assert_eq!((v.primary(), v.secondary(), v.tertiary()), (10, 15, 7));
    let h = props.history_sync_config.as_ref().unwrap();
    assert_eq!(h.storage_quota_mb(), 10240);
    assert!(h.inline_initial_payload_in_e2_ee_msg() && h.support_message_association());
    assert_eq!(
        (h.support_call_log_history, h.support_group_history),
        (Some(false), Some(false))
    );
    assert!(h.recent_sync_days_limit.is_none() && h.on_demand_ready.is_none());
}

#[test]
fn browser_dependent_fields() {
    let with = |os: &str, browser: &str, sync: bool| ClientConfig {
        os: os.to_owned(),
        browser: browser.to_owned(),
        sync_full_history: sync,
        ..ClientConfig::default()
    };
    let cases = [
        ("Mac OS", "Chrome", "1", PlatformType::Chrome),
        ("Ubuntu", "Edge", "2", PlatformType::Edge),
        ("Ubuntu", "Firefox", "3", PlatformType::Firefox),
        ("Windows", "IE", "4", PlatformType::Ie),
        ("Windows", "Opera", "5", PlatformType::Opera),
        ("Mac OS", "Safari", "6", PlatformType::Safari),
        ("Mac OS", "Desktop", "7", PlatformType::Desktop),
        ("Windows", "Desktop", "8", PlatformType::Desktop),
        ("Samsung", "Android", "9", PlatformType::AndroidPhone),
        ("Baileys", "Netscape", "9", PlatformType::Chrome),
        ("Baileys", "Unknown", "9", PlatformType::Chrome),
    ];
    for (os, browser, id, platform) in cases {
        let c = with(os, browser, true);
        assert_eq!(c.companion_platform_id(), id, "{browser}");
        assert_eq!(c.platform_type(), platform, "{browser}");
    }
    let sub = |c: &ClientConfig| {
        login_payload(c, "1", 1)
            .unwrap()
            .web_info
            .map(|w| w.web_sub_platform())
    };
    use cp::web_info::WebSubPlatform as W;
    assert_eq!(sub(&with("Mac OS", "Desktop", true)), Some(W::Darwin));
    assert_eq!(sub(&with("Windows", "Desktop", true)), Some(W::Win32));
    assert_eq!(sub(&with("Windows", "Desktop", false)), Some(W::WebBrowser));
    assert_eq!(sub(&with("Ubuntu", "Desktop", true)), Some(W::WebBrowser));
    // Android companions: ANDROID user agent, no webInfo.
    let android = login_payload(&with("Samsung", "Android", true), "1", 1).unwrap();
    assert!(android.web_info.is_none());
    assert_eq!(
        android.user_agent.unwrap().platform(),
        cp::user_agent::Platform::Android
    );
}

#[test]
fn registration_round_trips_through_the_parser() {
    let k = keys(31);
    let config = ClientConfig {
        push_name: Some("Gateway".to_owned()),
        ..ClientConfig::default()
    };
    let p = registration_payload(&config, &k);
    assert_eq!(
        (p.passive, p.pull, p.username, p.device),
        (Some(false), Some(false), None, None)
    );
    let d = p.device_pairing_data.as_ref().unwrap();
    assert_eq!(d.e_regid(), [0, 0, 0x2a, 0x3b]);
    assert_eq!(d.e_keytype(), [5]);
    assert_eq!(d.e_skey_id(), [2, 3, 4], "low 24 bits, big-endian");
    assert_eq!(d.build_hash(), config.build_hash());
    let ClientHello::Registration(r) = ClientHello::parse(&p.encode_to_vec()).unwrap() else {
        panic!("not a registration");
    };
    assert_eq!(
        r.keys,
        RegistrationKeys {
            signed_prekey_id: 0x02_0304,
            ..k
        }
    );
    assert_eq!(r.device_props, Some(config.device_props()));
    assert_eq!(r.push_name.as_deref(), Some("Gateway"));
    assert_eq!(r.build_hash, Some(config.build_hash()));
}

#[test]
fn parser_rejects_bad_registrations() {
    let k = keys(32);
    let base = registration_payload(&ClientConfig::default(), &k);
    let check = |edit: fn(&mut cp::DevicePairingRegistrationData), why: &'static str| {
        let mut p = base.clone();
        edit(p.device_pairing_data.as_mut().unwrap());
        assert_eq!(
            ClientHello::from_payload(&p),
            Err(Error::ClientPayloadInvalid(why)),
            "{why}"
        );
    };
    check(|d| d.e_regid = Some(vec![1, 2, 3]), "eRegid is not 4 bytes");
    check(|d| d.e_regid = None, "eRegid is not 4 bytes");
    check(|d| d.e_keytype = Some(vec![6]), "eKeytype is not 05");
    check(|d| d.e_keytype = None, "eKeytype is not 05");
    check(
        |d| d.e_ident = Some(vec![1; 31]),
        "eIdent is not a 32-byte key",
    );
    check(
        |d| d.e_skey_id = Some(vec![0, 0, 0, 1]),
        "eSkeyId is not 3 bytes",
    );
    check(|d| d.e_skey_val = None, "eSkeyVal is not a 32-byte key");
    check(
        |d| d.e_skey_sig = Some(vec![0; 63]),
        "eSkeySig is not 64 bytes",
    );
    check(
        |d| d.e_skey_sig.as_mut().unwrap()[3] ^= 1,
        "eSkeySig does not verify",
    );
    check(
        |d| d.e_skey_val.as_mut().unwrap()[0] ^= 1,
        "eSkeySig does not verify",
    );
    check(
        |d| d.build_hash = Some(vec![0; 15]),
        "buildHash is not 16 bytes",
    );
    check(
        |d| d.device_props = Some(vec![0xff, 0xff]),
        "deviceProps does not decode",
    );
    // Optional parts may be absent; a 33-byte 05-prefixed identity is accepted.
    let mut p = base.clone();
    let d = p.device_pairing_data.as_mut().unwrap();
    d.build_hash = None;
    d.device_props = None;
    d.e_ident = Some(k.identity.serialize().to_vec());
    let ClientHello::Registration(r) = ClientHello::from_payload(&p).unwrap() else {
        panic!()
    };
    assert_eq!(
        (r.build_hash, r.device_props, r.keys.identity),
        (None, None, k.identity)
    );
}

#[test]
fn login_parsing_and_errors() {
    let c = ClientConfig::default();
    let p = login_payload(&c, "4915112345678", 12).unwrap();
    assert_eq!(
        ClientHello::parse(&p.encode_to_vec()),
        Ok(ClientHello::Login(wa_proto::pair::payload::Login {
            username: 4_915_112_345_678,
            device: 12,
            passive: true,
            push_name: None,
        }))
    );
    let mut no_device = p.clone();
    no_device.device = None;
    assert_eq!(
        ClientHello::from_payload(&no_device),
        Err(Error::ClientPayloadInvalid("login without device"))
    );
    let mut no_user = p;
    no_user.username = None;
    assert_eq!(
        ClientHello::from_payload(&no_user),
        Err(Error::ClientPayloadInvalid("login without username"))
    );
    for bad in ["", "+4915112345678", "12a", " 1"] {
        assert_eq!(
            login_payload(&c, bad, 1),
            Err(Error::ClientPayloadInvalid("user is not a phone number"))
        );
    }
    assert_eq!(
        login_payload(&c, "99999999999999999999", 1),
        Err(Error::ClientPayloadInvalid(
            "phone number does not fit in 64 bits"
        ))
    );
    assert_eq!(
        ClientHello::parse(&[0xff; 3]),
        Err(Error::ClientPayloadInvalid("not a ClientPayload"))
    );
    // An empty payload is a login without username.
    assert_eq!(
        ClientHello::parse(&[]),
        Err(Error::ClientPayloadInvalid("login without username"))
    );
}

#[test]
fn message_ids_follow_whatsmeow() {
    use wa_proto::ids::{message_id, message_id_with};
    // SHA-256(u64 BE 1700000000 ‖ "15551234567@c.us" ‖ 07×16), first 9 bytes.
    assert_eq!(
        message_id_with(1_700_000_000, Some("15551234567"), &[7; 16]),
        "3EB0C00B1F1A715262B05A"
    );
    let counting: [u8; 16] = std::array::from_fn(|i| i as u8);
    assert_eq!(
        message_id_with(1_700_000_000, None, &counting),
        "3EB0548FCCCE1A4485214D"
    );
    let mut rng = rng(33);
    let a = message_id(1_700_000_000, Some("1"), &mut rng);
    let b = message_id(1_700_000_000, Some("1"), &mut rng);
    assert_ne!(a, b);
    assert_eq!(a.len(), 22);
}

#[test]
fn participant_hash_follows_whatsmeow() {
    use wa_proto::ids::{ad_jid, participant_hash};
    let jids = [
        ad_jid("15551234567", 0, 2, "s.whatsapp.net"),
        ad_jid("4915112345678", 0, 0, "s.whatsapp.net"),
        ad_jid("15551234567", 0, 0, "s.whatsapp.net"),
    ];
    assert_eq!(jids[0], "15551234567.0:2@s.whatsapp.net");
    // Unpadded base64 of the first 6 bytes of SHA-256 over the sorted list.
    assert_eq!(participant_hash(&jids), "2:Z+ocnIIG");
    let mut reversed = jids.clone();
    reversed.reverse();
    assert_eq!(
        participant_hash(&reversed),
        "2:Z+ocnIIG",
        "order does not matter"
    );
    assert_eq!(participant_hash::<&str>(&[]), "2:47DEQpj8");
}

proptest! {
    #[test]
    fn parser_never_panics(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = ClientHello::parse(&data);
    }
}
