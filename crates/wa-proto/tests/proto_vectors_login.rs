//! Typed assertions for the login, pairing, handshake, Signal wire and server
//! payload vectors Baileys encoded (ClientPayload built by Baileys' own
//! `generateRegistrationNode`/`generateLoginNode`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod proto_support;

use prost::Message as _;
use proto_support::{Vector, vector, vectors_of};
use wa_proto::proto::wa::{self, client_payload};

fn check_user_agent(ua: &client_payload::UserAgent, v: &Vector) {
    let p = "userAgent";
    assert_eq!(ua.platform().as_str_name(), v.s(&format!("{p}.platform")));
    let av = ua.app_version.as_ref().expect("appVersion");
    assert_eq!(
        u64::from(av.primary()),
        v.u(&format!("{p}.appVersion.primary"))
    );
    assert_eq!(
        u64::from(av.secondary()),
        v.u(&format!("{p}.appVersion.secondary"))
    );
    assert_eq!(
        u64::from(av.tertiary()),
        v.u(&format!("{p}.appVersion.tertiary"))
    );
    assert_eq!(ua.mcc(), v.s(&format!("{p}.mcc")));
    assert_eq!(ua.mnc(), v.s(&format!("{p}.mnc")));
    assert_eq!(ua.os_version(), v.s(&format!("{p}.osVersion")));
    assert_eq!(ua.device(), v.s(&format!("{p}.device")));
    assert_eq!(ua.os_build_number(), v.s(&format!("{p}.osBuildNumber")));
    assert_eq!(
        ua.release_channel().as_str_name(),
        v.s(&format!("{p}.releaseChannel"))
    );
    assert_eq!(
        ua.locale_language_iso6391(),
        v.s(&format!("{p}.localeLanguageIso6391"))
    );
    let country = ua.locale_country_iso31661_alpha2();
    assert_eq!(country, v.s(&format!("{p}.localeCountryIso31661Alpha2")));
}

fn check_client_payload(v: &Vector) {
    let c: wa::ClientPayload = v.decode();
    check_user_agent(c.user_agent.as_ref().expect("userAgent"), v);
    let web = c.web_info.as_ref().expect("webInfo");
    assert_eq!(
        web.web_sub_platform().as_str_name(),
        v.s("webInfo.webSubPlatform")
    );
    assert_eq!(c.connect_type().as_str_name(), v.s("connectType"));
    assert_eq!(c.connect_reason().as_str_name(), v.s("connectReason"));
    assert_eq!(c.passive(), v.b("passive"));
    assert_eq!(c.pull(), v.b("pull"));
    match v.name.as_str() {
        "client_payload_registration" => {
            // Registration: no username/device, passive=false and pull=false
            // written explicitly, and the companion's Signal identity.
            assert!(c.username.is_none() && c.device.is_none());
            assert_eq!((c.passive, c.pull), (Some(false), Some(false)));
            let d = c.device_pairing_data.as_ref().expect("devicePairingData");
            let p = "devicePairingData";
            assert_eq!(d.e_regid(), v.bytes_at(&format!("{p}.eRegid")));
            assert_eq!(d.e_regid(), 12345u32.to_be_bytes());
            assert_eq!(d.e_keytype(), [5]);
            assert_eq!(d.e_keytype(), v.bytes_at(&format!("{p}.eKeytype")));
            assert_eq!(d.e_ident(), v.bytes_at(&format!("{p}.eIdent")));
            assert_eq!(d.e_skey_id(), [0, 0, 1]);
            assert_eq!(d.e_skey_id(), v.bytes_at(&format!("{p}.eSkeyId")));
            assert_eq!(d.e_skey_val(), v.bytes_at(&format!("{p}.eSkeyVal")));
            assert_eq!(d.e_skey_sig().len(), 64);
            assert_eq!(d.e_skey_sig(), v.bytes_at(&format!("{p}.eSkeySig")));
            assert_eq!(d.build_hash().len(), 16, "MD5 of the version string");
            assert_eq!(d.build_hash(), v.bytes_at(&format!("{p}.buildHash")));
            assert_eq!(d.device_props(), v.bytes_at(&format!("{p}.deviceProps")));
            // The embedded DeviceProps is itself the device_props_registration vector.
            assert_eq!(d.device_props(), vector("device_props_registration").bytes);
        }
        "client_payload_login" => {
            assert_eq!(c.username(), v.u("username"));
            assert_eq!(c.username(), 15_551_234_567);
            assert_eq!(u64::from(c.device()), v.u("device"));
            assert_eq!(c.lid_db_migrated, Some(false));
            assert_eq!(c.lid_db_migrated(), v.b("lidDbMigrated"));
            assert!(c.device_pairing_data.is_none());
        }
        "client_payload_login_full" => {
            assert_eq!(c.username(), v.u("username"));
            let ua = c.user_agent.as_ref().expect("userAgent");
            let av = ua.app_version.as_ref().expect("appVersion");
            assert_eq!(av.quaternary, Some(0));
            assert_eq!(u64::from(av.quinary()), v.u("userAgent.appVersion.quinary"));
            assert_eq!(ua.manufacturer(), v.s("userAgent.manufacturer"));
            assert_eq!(ua.phone_id(), v.s("userAgent.phoneId"));
            assert_eq!(ua.device_board(), v.s("userAgent.deviceBoard"));
            assert_eq!(ua.device_type().as_str_name(), v.s("userAgent.deviceType"));
            assert_eq!(ua.device_model_type(), v.s("userAgent.deviceModelType"));
            let web = c.web_info.as_ref().expect("webInfo");
            assert_eq!(web.ref_token(), v.s("webInfo.refToken"));
            assert_eq!(web.version(), v.s("webInfo.version"));
            let wp = web.webd_payload.as_ref().expect("webdPayload");
            let path = "webInfo.webdPayload.usesParticipantInKey";
            assert_eq!(wp.uses_participant_in_key(), v.b(path));
            assert_eq!(
                wp.document_types(),
                v.s("webInfo.webdPayload.documentTypes")
            );
            assert_eq!(wp.features(), v.bytes_at("webInfo.webdPayload.features"));
            assert_eq!(c.push_name(), v.s("pushName"));
            assert_eq!(c.session_id(), -123_456);
            assert_eq!(i64::from(c.session_id()), v.i("sessionId"));
            assert_eq!(c.short_connect(), v.b("shortConnect"));
            assert_eq!(c.shards, [1, 2, -3]);
            let shards: Vec<i64> = (0..3).map(|i| v.i(&format!("shards.{i}"))).collect();
            assert_eq!(
                c.shards.iter().map(|&s| i64::from(s)).collect::<Vec<_>>(),
                shards
            );
            let dns = c.dns_source.as_ref().expect("dnsSource");
            assert_eq!(dns.dns_method().as_str_name(), v.s("dnsSource.dnsMethod"));
            assert_eq!(dns.app_cached(), v.b("dnsSource.appCached"));
            assert_eq!(
                u64::from(c.connect_attempt_count()),
                v.u("connectAttemptCount")
            );
            assert_eq!(u64::from(c.device()), v.u("device"));
            assert_eq!(c.product().as_str_name(), v.s("product"));
            assert_eq!(c.oc(), v.b("oc"));
            assert_eq!(i64::from(c.lc()), v.i("lc"));
            assert_eq!(c.padding_bytes(), v.bytes_at("paddingBytes"));
            assert_eq!(i64::from(c.year_class()), v.i("yearClass"));
            assert_eq!(i64::from(c.mem_class()), v.i("memClass"));
            let ta = c.traffic_anonymization().as_str_name();
            assert_eq!(ta, v.s("trafficAnonymization"));
            assert!(c.lid_db_migrated());
            assert_eq!(c.account_type().as_str_name(), v.s("accountType"));
            let seq = i64::from(c.connection_sequence_info());
            assert_eq!(seq, v.i("connectionSequenceInfo"));
            assert_eq!(c.preacks_count, Some(0));
        }
        other => panic!("no typed assertions for client payload vector {other}"),
    }
}

fn check_device_props(v: &Vector) {
    let d: wa::DeviceProps = v.decode();
    assert_eq!(d.os(), v.s("os"));
    assert_eq!(d.platform_type().as_str_name(), v.s("platformType"));
    assert_eq!(d.require_full_sync(), v.b("requireFullSync"));
    let ver = d.version.as_ref().expect("version");
    assert_eq!(u64::from(ver.primary()), v.u("version.primary"));
    assert_eq!(u64::from(ver.secondary()), v.u("version.secondary"));
    let h = d.history_sync_config.as_ref().expect("historySyncConfig");
    let p = "historySyncConfig";
    assert_eq!(
        u64::from(h.storage_quota_mb()),
        v.u(&format!("{p}.storageQuotaMb"))
    );
    let inline = h.inline_initial_payload_in_e2_ee_msg();
    assert_eq!(inline, v.b(&format!("{p}.inlineInitialPayloadInE2EeMsg")));
    let cag = h.support_cag_reactions_and_polls();
    assert_eq!(cag, v.b(&format!("{p}.supportCagReactionsAndPolls")));
    let assoc = h.support_message_association();
    assert_eq!(assoc, v.b(&format!("{p}.supportMessageAssociation")));
    let group = h.support_group_history();
    assert_eq!(group, v.b(&format!("{p}.supportGroupHistory")));
    if v.name == "device_props_full" {
        let days = u64::from(h.full_sync_days_limit());
        assert_eq!(days, v.u(&format!("{p}.fullSyncDaysLimit")));
        let recent = u64::from(h.recent_sync_days_limit());
        assert_eq!(recent, v.u(&format!("{p}.recentSyncDaysLimit")));
        assert_eq!(h.on_demand_ready(), v.b(&format!("{p}.onDemandReady")));
        let thumbs = u64::from(h.thumbnail_sync_days_limit());
        assert_eq!(thumbs, v.u(&format!("{p}.thumbnailSyncDaysLimit")));
    } else {
        // Baileys left recentSyncDaysLimit undefined: absent, not zero.
        assert!(h.recent_sync_days_limit.is_none());
        assert!(!v.has(&format!("{p}.recentSyncDaysLimit")));
    }
}

fn check_adv(v: &Vector) {
    match v.type_name.as_str() {
        "ADVDeviceIdentity" => {
            let d: wa::AdvDeviceIdentity = v.decode();
            assert_eq!(u64::from(d.raw_id()), v.u("rawId"));
            assert_eq!(d.timestamp(), v.u("timestamp"));
            assert_eq!(u64::from(d.key_index()), v.u("keyIndex"));
            assert_eq!(d.account_type().as_str_name(), v.s("accountType"));
            assert_eq!(d.device_type().as_str_name(), v.s("deviceType"));
        }
        "ADVSignedDeviceIdentity" => {
            let s: wa::AdvSignedDeviceIdentity = v.decode();
            assert_eq!(s.details(), v.bytes_at("details"));
            assert_eq!(s.details(), vector("adv_device_identity").bytes);
            assert_eq!(s.account_signature_key(), v.bytes_at("accountSignatureKey"));
            assert_eq!(s.account_signature(), v.bytes_at("accountSignature"));
            assert_eq!(s.device_signature(), v.bytes_at("deviceSignature"));
            let inner = wa::AdvDeviceIdentity::decode(s.details()).expect("details");
            assert_eq!(inner.key_index(), 5);
        }
        "ADVSignedDeviceIdentityHMAC" => {
            let h: wa::AdvSignedDeviceIdentityHmac = v.decode();
            assert_eq!(h.details(), v.bytes_at("details"));
            assert_eq!(h.details(), vector("adv_signed_device_identity").bytes);
            assert_eq!(h.hmac(), v.bytes_at("hmac"));
            if v.name.ends_with("hosted") {
                assert_eq!(h.account_type(), wa::AdvEncryptionType::Hosted);
                assert_eq!(h.account_type().as_str_name(), v.s("accountType"));
            } else {
                assert!(h.account_type.is_none());
            }
        }
        "ADVKeyIndexList" => {
            let k: wa::AdvKeyIndexList = v.decode();
            assert_eq!(u64::from(k.raw_id()), v.u("rawId"));
            assert_eq!(k.timestamp(), v.u("timestamp"));
            assert_eq!(u64::from(k.current_index()), v.u("currentIndex"));
            assert_eq!(k.valid_indexes, v.u32s("validIndexes"));
            assert_eq!(k.account_type().as_str_name(), v.s("accountType"));
        }
        "ADVSignedKeyIndexList" => {
            let s: wa::AdvSignedKeyIndexList = v.decode();
            assert_eq!(s.details(), vector("adv_key_index_list").bytes);
            assert_eq!(s.account_signature(), v.bytes_at("accountSignature"));
            assert_eq!(s.account_signature_key(), v.bytes_at("accountSignatureKey"));
        }
        other => panic!("not an ADV type: {other}"),
    }
}

fn check_handshake(v: &Vector) {
    match v.type_name.as_str() {
        "HandshakeMessage" => {
            let h: wa::HandshakeMessage = v.decode();
            match v.name.as_str() {
                "handshake_client_hello" => {
                    let c = h.client_hello.as_ref().expect("clientHello");
                    assert_eq!(c.ephemeral(), v.bytes_at("clientHello.ephemeral"));
                    assert!(c.r#static.is_none() && c.payload.is_none());
                    assert!(h.server_hello.is_none() && h.client_finish.is_none());
                }
                "handshake_server_hello" => {
                    let s = h.server_hello.as_ref().expect("serverHello");
                    assert_eq!(s.ephemeral(), v.bytes_at("serverHello.ephemeral"));
                    assert_eq!(s.r#static(), v.bytes_at("serverHello.static"));
                    assert_eq!(s.payload(), v.bytes_at("serverHello.payload"));
                }
                "handshake_client_finish" => {
                    let f = h.client_finish.as_ref().expect("clientFinish");
                    assert_eq!(f.r#static(), v.bytes_at("clientFinish.static"));
                    assert_eq!(f.payload(), v.bytes_at("clientFinish.payload"));
                }
                other => panic!("no typed assertions for {other}"),
            }
        }
        "CertChain" => {
            let c: wa::CertChain = v.decode();
            let leaf = c.leaf.as_ref().expect("leaf");
            let int = c.intermediate.as_ref().expect("intermediate");
            assert_eq!(leaf.details(), vector("cert_details_leaf").bytes);
            assert_eq!(int.details(), vector("cert_details_intermediate").bytes);
            assert_eq!(leaf.signature(), v.bytes_at("leaf.signature"));
            assert_eq!(int.signature(), v.bytes_at("intermediate.signature"));
        }
        "CertChain.NoiseCertificate.Details" => {
            let d: wa::cert_chain::noise_certificate::Details = v.decode();
            assert_eq!(u64::from(d.serial()), v.u("serial"));
            assert_eq!(u64::from(d.issuer_serial()), v.u("issuerSerial"));
            // issuerSerial 0 (the root) is written, not defaulted away.
            if v.name.ends_with("intermediate") {
                assert_eq!(d.issuer_serial, Some(0));
            }
            assert_eq!(d.key(), v.bytes_at("key"));
            assert_eq!(d.not_before(), v.u("notBefore"));
            assert_eq!(d.not_after(), v.u("notAfter"));
        }
        other => panic!("not a handshake type: {other}"),
    }
}

fn check_signal_and_server(v: &Vector) {
    match v.type_name.as_str() {
        "SignalMessage" => {
            let m: wa::SignalMessage = v.decode();
            assert_eq!(m.ratchet_key(), v.bytes_at("ratchetKey"));
            assert_eq!(m.ratchet_key()[0], 5);
            assert_eq!(u64::from(m.counter()), v.u("counter"));
            assert_eq!(u64::from(m.previous_counter()), v.u("previousCounter"));
            assert_eq!(m.ciphertext(), v.bytes_at("ciphertext"));
        }
        "PreKeySignalMessage" => {
            let m: wa::PreKeySignalMessage = v.decode();
            assert_eq!(u64::from(m.registration_id()), v.u("registrationId"));
            assert_eq!(u64::from(m.pre_key_id()), v.u("preKeyId"));
            assert_eq!(u64::from(m.signed_pre_key_id()), v.u("signedPreKeyId"));
            assert_eq!(m.base_key(), v.bytes_at("baseKey"));
            assert_eq!(m.identity_key(), v.bytes_at("identityKey"));
            let inner = m.message();
            assert_eq!(inner, v.bytes_at("message"));
            // version byte, then a SignalMessage body, then the 8-byte MAC.
            assert_eq!(inner[0], 0x33);
            let body = &inner[1..inner.len() - 8];
            assert_eq!(body, vector("signal_message").bytes);
        }
        "SenderKeyMessage" => {
            let m: wa::SenderKeyMessage = v.decode();
            assert_eq!(u64::from(m.id()), v.u("id"));
            assert_eq!(u64::from(m.iteration()), v.u("iteration"));
            assert_eq!(m.ciphertext(), v.bytes_at("ciphertext"));
        }
        "SenderKeyDistributionMessage" => {
            let m: wa::SenderKeyDistributionMessage = v.decode();
            assert_eq!(u64::from(m.id()), v.u("id"));
            assert_eq!(m.iteration, Some(0));
            assert_eq!(u64::from(m.iteration()), v.u("iteration"));
            assert_eq!(m.chain_key(), v.bytes_at("chainKey"));
            assert_eq!(m.signing_key(), v.bytes_at("signingKey"));
        }
        "MediaRetryNotification" => {
            let m: wa::MediaRetryNotification = v.decode();
            assert_eq!(m.stanza_id(), v.s("stanzaId"));
            assert_eq!(m.direct_path(), v.s("directPath"));
            assert_eq!(m.result().as_str_name(), v.s("result"));
            assert_eq!(m.message_secret(), v.bytes_at("messageSecret"));
        }
        "ServerErrorReceipt" => {
            let m: wa::ServerErrorReceipt = v.decode();
            assert_eq!(m.stanza_id(), v.s("stanzaId"));
        }
        "VerifiedNameCertificate" => {
            let m: wa::VerifiedNameCertificate = v.decode();
            assert_eq!(m.details(), vector("verified_name_details").bytes);
            assert_eq!(m.signature(), v.bytes_at("signature"));
            assert_eq!(m.server_signature(), v.bytes_at("serverSignature"));
        }
        "VerifiedNameCertificate.Details" => {
            let d: wa::verified_name_certificate::Details = v.decode();
            assert_eq!(d.serial(), v.u("serial"));
            assert_eq!(d.issuer(), v.s("issuer"));
            assert_eq!(d.verified_name(), v.s("verifiedName"));
            let l = &d.localized_names[0];
            assert_eq!(l.lg(), v.s("localizedNames.0.lg"));
            assert_eq!(l.lc(), v.s("localizedNames.0.lc"));
            assert_eq!(l.verified_name(), v.s("localizedNames.0.verifiedName"));
            assert_eq!(d.issue_time(), v.u("issueTime"));
        }
        other => panic!("not a signal/server type: {other}"),
    }
}

#[test]
fn login_handshake_and_wire_vectors_decode_to_baileys_values() {
    let mut checked = 0;
    for v in vectors_of(&TYPES) {
        match v.type_name.as_str() {
            "ClientPayload" => check_client_payload(v),
            "DeviceProps" => check_device_props(v),
            t if t.starts_with("ADV") => check_adv(v),
            "HandshakeMessage" | "CertChain" | "CertChain.NoiseCertificate.Details" => {
                check_handshake(v);
            }
            _ => check_signal_and_server(v),
        }
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} vectors");
}

/// The reference types this file asserts.
const TYPES: [&str; 18] = [
    "ClientPayload",
    "DeviceProps",
    "ADVDeviceIdentity",
    "ADVSignedDeviceIdentity",
    "ADVSignedDeviceIdentityHMAC",
    "ADVKeyIndexList",
    "ADVSignedKeyIndexList",
    "HandshakeMessage",
    "CertChain",
    "CertChain.NoiseCertificate.Details",
    "SignalMessage",
    "PreKeySignalMessage",
    "SenderKeyMessage",
    "SenderKeyDistributionMessage",
    "MediaRetryNotification",
    "ServerErrorReceipt",
    "VerifiedNameCertificate",
    "VerifiedNameCertificate.Details",
];
