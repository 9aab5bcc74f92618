//! Interop suite `pair`: companion linking against Baileys 7.0.0-rc14, in both
//! directions, with seeded randomness on both sides.
//!
//! 1. QR and pair-success: Baileys' creds and QR string parse with our
//!    [`QrData`] and re-encode identically; a `device-identity` signed by our
//!    phone side is accepted by Baileys' `configureSuccessfulPairing`, whose
//!    reply passes our phone-side verification; bad containers are rejected
//!    by both.
//!
//!    Baileys rc14's `Curve.verify` (lib/Utils/crypto.js) returns true for
//!    every well-formed signature: it only catches exceptions, and
//!    libsignal's `verifySignature` returns `false` instead of throwing. So
//!    `configureSuccessfulPairing` (and the Noise certificate check) never
//!    rejects a bad signature. `pair.mjs` therefore runs each case twice, as
//!    shipped and with a working verify; the suite asserts both verdicts.
//! 2. The reverse: identities signed with libsignal the way the phone does
//!    (plus tampered variants) go through our companion side and Baileys'
//!    `configureSuccessfulPairing`; both accept and reject the same ones, and
//!    libsignal verifies our device signatures.
//! 3. Pairing by code, Baileys companion → our phone and our companion → a
//!    phone built from Baileys' crypto helpers: same ADV secret, and the
//!    derived secret authenticates a pair-success Baileys accepts.
//! 4. ClientPayload: Baileys' registration/login payloads parse with our
//!    server-side parser; ours are byte-identical and decode to the same
//!    fields in Baileys.
//! 5. Participant hash: Baileys' `generateParticipantHashV2` is a prefix of ours.
//!
//! 6. `pair-vectors.mjs` (seeded, deterministic) must reproduce the committed
//!    `crates/wa-proto/tests/vectors/pair/baileys.json`, which
//!    `tests/pair_vectors.rs` replays without node.
//!
//! Part 3 lives in [`super::pair_code`], parts 4 and 5 in [`super::pair_payload`].

use anyhow::{Context as _, bail, ensure};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};
use wa_proto::Error;
use wa_proto::keys::{KeyPair, PrivateKey, PublicKey};
use wa_proto::pair::adv::{
    CompanionPairing, DeviceIdentityParams, PhonePairing, verify_signed_identity,
};
use wa_proto::pair::payload::ClientConfig;
use wa_proto::pair::qr::QrData;

use crate::interop::node_script;
use crate::util::root;

/// Fixed ADV raw id and time of the phone's identities.
pub(crate) const RAW_ID: u32 = 4_242_424;
pub(crate) const TIMESTAMP: u64 = 1_700_000_000;
const REF: &str = "2@Q3j6ZtC0j1vxk4YqJxQ0lFQm0hM+9b2gR1yX8uKf/7s=";
const JID: &str = "15551234567:4@s.whatsapp.net";
const LID: &str = "123456789012345:4@lid";
const VECTORS: &str = "crates/wa-proto/tests/vectors/pair/baileys.json";

/// Runs every part.
pub(crate) fn run() -> anyhow::Result<()> {
    let mut rng = ChaCha20Rng::seed_from_u64(0x7061_6972);
    qr_and_pair_success(&mut rng).context("QR and pair-success (our phone, Baileys companion)")?;
    phone_signed_by_libsignal(&mut rng)
        .context("pair-success signed with libsignal (our companion)")?;
    super::pair_code::run(&mut rng).context("pairing by code")?;
    super::pair_payload::payloads().context("ClientPayload")?;
    super::pair_payload::participant_hash().context("participant hash")?;
    vectors().context("committed vectors")?;
    Ok(())
}

/// Regenerates the committed Baileys vectors and compares them.
fn vectors() -> anyhow::Result<()> {
    let fresh = node_script("pair-vectors.mjs", &[])?;
    let committed = std::fs::read_to_string(root().join(VECTORS))?;
    if fresh != committed {
        let out = root().join("target/pair-vectors.fresh.json");
        std::fs::write(&out, &fresh)?;
        bail!(
            "{VECTORS} differs from Baileys' output; fresh output written to {} (copy it over if the change is intended)",
            out.display()
        );
    }
    eprintln!("  vectors ok: {VECTORS} matches Baileys' output");
    Ok(())
}

/// Runs `node <script> <command> <input.json>` and parses its JSON output.
pub(crate) fn call(script: &str, command: &str, input: &Value) -> anyhow::Result<Value> {
    let dir = root().join("target/interop-pair");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{command}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(input)?)?;
    let out = node_script(script, &[command, &path.to_string_lossy()])?;
    serde_json::from_str(out.trim()).with_context(|| format!("{script} {command}: bad JSON output"))
}

/// The string at JSON pointer `ptr`.
pub(crate) fn text<'a>(v: &'a Value, ptr: &str) -> anyhow::Result<&'a str> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .with_context(|| format!("missing string {ptr}"))
}

/// The hex bytes at `ptr`.
pub(crate) fn bytes(v: &Value, ptr: &str) -> anyhow::Result<Vec<u8>> {
    hex::decode(text(v, ptr)?).with_context(|| format!("{ptr} is not hex"))
}

/// The 32-byte public key (hex) at `ptr`.
pub(crate) fn public(v: &Value, ptr: &str) -> anyhow::Result<PublicKey> {
    Ok(PublicKey::from_bytes(&bytes(v, ptr)?)?)
}

/// The key pair whose private key (hex) is at `priv_ptr`, checked against
/// the public key at `pub_ptr`.
pub(crate) fn key_pair(v: &Value, priv_ptr: &str, pub_ptr: &str) -> anyhow::Result<KeyPair> {
    let private: [u8; 32] = bytes(v, priv_ptr)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("{priv_ptr} is not 32 bytes"))?;
    let pair = KeyPair::from_private(PrivateKey::from_bytes(private));
    ensure!(
        pair.public == public(v, pub_ptr)?,
        "{priv_ptr} does not match {pub_ptr}"
    );
    Ok(pair)
}

/// A 32-byte secret given in standard base64.
pub(crate) fn secret_b64(s: &str) -> anyhow::Result<[u8; 32]> {
    STANDARD
        .decode(s)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("secret is not 32 bytes"))
}

/// One `configure-pairing` case for a container.
pub(crate) fn pairing_case(name: &str, container: &[u8]) -> Value {
    json!({"name": name, "container": hex::encode(container), "id": format!("pair-{name}"),
           "jid": JID, "lid": LID, "platform": "android"})
}

/// Baileys' configureSuccessfulPairing on `cases`, results by name.
pub(crate) fn configure(creds: &Value, cases: Vec<Value>) -> anyhow::Result<Vec<Value>> {
    let out = call(
        "pair.mjs",
        "configure-pairing",
        &json!({"creds": creds, "cases": cases}),
    )?;
    Ok(out["results"].as_array().cloned().unwrap_or_default())
}

/// Checks Baileys' verdicts on one container: with a working signature check
/// (`strictOk`) Baileys must agree with `expected_ok`. As shipped, rc14's
/// `Curve.verify` accepts every well-formed signature, so containers whose
/// only fault is a bad account signature (`signature_fault`) pass; that known
/// bug is asserted too, so a fixed Baileys shows up here.
pub(crate) fn check_verdicts(
    result: &Value,
    expected_ok: bool,
    signature_fault: bool,
) -> anyhow::Result<()> {
    let name = text(result, "/name")?;
    ensure!(
        (result["strictOk"] == true) == expected_ok,
        "{name}: Baileys (working verify) says {}, we say {expected_ok} ({})",
        result["strictOk"],
        result["strictError"]
    );
    let shipped_ok = expected_ok || signature_fault;
    ensure!(
        (result["ok"] == true) == shipped_ok,
        "{name}: shipped Baileys says {} (expected {shipped_ok}; its Curve.verify accepts any signature): {}",
        result["ok"],
        result["error"]
    );
    Ok(())
}

/// Checks Baileys' accepted pair-success result against our phone side.
pub(crate) fn check_baileys_reply(
    result: &Value,
    pairing: &PhonePairing,
    phone: &PublicKey,
    companion: &PublicKey,
) -> anyhow::Result<()> {
    let name = text(result, "/name")?;
    ensure!(
        result["ok"] == true,
        "Baileys rejected {name}: {}",
        result["error"]
    );
    let r = &result["reply"];
    let expect = [
        ("/tag", "iq"),
        ("/to", "@s.whatsapp.net"),
        ("/type", "result"),
        ("/signTag", "pair-device-sign"),
        ("/identityTag", "device-identity"),
    ];
    for (ptr, want) in expect {
        ensure!(
            text(r, ptr)? == want,
            "{name}: reply {ptr} is {:?}",
            r.pointer(ptr)
        );
    }
    ensure!(
        text(r, "/id")? == format!("pair-{name}"),
        "{name}: reply id"
    );
    let key_index = text(r, "/keyIndex")?;
    ensure!(
        key_index == pairing.key_index().to_string(),
        "{name}: key-index {key_index}"
    );
    let content = bytes(r, "/content")?;
    let verified = pairing
        .verify_reply(&content, Some(key_index))
        .with_context(|| format!("{name}: our phone rejects Baileys' pair-device-sign"))?;
    ensure!(
        verified.key_index == pairing.key_index(),
        "{name}: verified key index"
    );
    let reply: wa_proto::proto::wa::AdvSignedDeviceIdentity = wa_proto::proto::decode(&content)?;
    ensure!(
        reply.account_signature_key.is_none(),
        "{name}: Baileys' reply carries the account key"
    );
    let acc = &result["account"];
    ensure!(
        bytes(acc, "/details")? == pairing.details(),
        "{name}: stored details differ"
    );
    ensure!(
        public(acc, "/accountSignatureKey")? == *phone,
        "{name}: stored account key"
    );
    let stored = verify_signed_identity(&bytes(acc, "/accountBytes")?, companion, None)
        .with_context(|| format!("{name}: Baileys' stored account does not verify"))?;
    ensure!(
        stored.identity == verified.identity,
        "{name}: stored and replied identities differ"
    );
    ensure!(
        text(result, "/me/id")? == JID && text(result, "/me/lid")? == LID,
        "{name}: me"
    );
    ensure!(text(result, "/platform")? == "android", "{name}: platform");
    Ok(())
}

/// Which error our companion must return for a bad container.
type Expect = fn(&Error) -> bool;

fn qr_and_pair_success(rng: &mut ChaCha20Rng) -> anyhow::Result<()> {
    let out = call(
        "pair.mjs",
        "companion-creds",
        &json!({"seed": "qr", "ref": REF, "browser": ["Mac OS", "Chrome", "14.4.1"]}),
    )?;
    let creds = &out["creds"];
    let shown = text(&out, "/qr")?;
    let qr = QrData::parse(shown)?;
    ensure!(qr.reference == REF, "ref {:?}", qr.reference);
    ensure!(qr.noise_pub == public(creds, "/noisePub")?, "noise key");
    ensure!(
        qr.identity_pub == public(creds, "/identityPub")?,
        "identity key"
    );
    ensure!(
        qr.adv_secret == secret_b64(text(creds, "/advSecretKey")?)?,
        "adv secret"
    );
    ensure!(
        qr.platform.as_deref() == Some(ClientConfig::default().companion_platform_id()),
        "platform"
    );
    ensure!(
        qr.encode() == shown,
        "our QR string differs from Baileys':\n{}\n{shown}",
        qr.encode()
    );
    ensure!(
        QrData::parse(&qr.encode_legacy())?.identity_pub == qr.identity_pub,
        "legacy form"
    );
    eprintln!("  QR: Baileys' string parses and re-encodes byte-identically");

    let phone = KeyPair::generate(rng);
    let companion = key_pair(creds, "/identityPriv", "/identityPub")?;
    let params = DeviceIdentityParams::e2ee(RAW_ID, TIMESTAMP, 4);
    let good = PhonePairing::sign(&phone, &qr.identity_pub, &qr.adv_secret, &params, rng)?;
    let wrong_adv = PhonePairing::sign(&phone, &qr.identity_pub, &[0x5a; 32], &params, rng)?;
    let stranger = KeyPair::generate(rng);
    let wrong_companion =
        PhonePairing::sign(&phone, &stranger.public, &qr.adv_secret, &params, rng)?;
    let mut flipped = good.device_identity().to_vec();
    if let Some(b) = flipped.get_mut(20) {
        *b ^= 0x01;
    }
    let truncated = good
        .device_identity()
        .get(..30)
        .unwrap_or_default()
        .to_vec();
    let cases: [(&str, &[u8], Expect); 5] = [
        ("good", good.device_identity(), |_| false),
        ("wrong_adv", wrong_adv.device_identity(), |e| {
            *e == Error::AdvHmacMismatch
        }),
        ("wrong_companion", wrong_companion.device_identity(), |e| {
            *e == Error::AdvAccountSignatureMismatch
        }),
        ("flipped", &flipped, |e| {
            matches!(e, Error::AdvHmacMismatch | Error::AdvMalformed(_))
        }),
        ("truncated", &truncated, |e| {
            matches!(e, Error::AdvMalformed(_))
        }),
    ];
    let results = configure(
        creds,
        cases.iter().map(|(n, c, _)| pairing_case(n, c)).collect(),
    )?;
    ensure!(
        results.len() == cases.len(),
        "configure-pairing returned {} results",
        results.len()
    );
    let adv = secret_b64(text(creds, "/advSecretKey")?)?;
    for ((name, container, expected), result) in cases.iter().zip(&results) {
        let ours = CompanionPairing::verify(container, &adv, &companion, rng);
        let signature_fault = *name == "wrong_companion";
        check_verdicts(result, *name == "good", signature_fault)?;
        if *name == "good" {
            check_baileys_reply(result, &good, &phone.public, &companion.public)?;
            let ours = ours.context("our companion rejects our phone's identity")?;
            good.verify_reply(&ours.reply(), Some(&ours.key_index_attr()))?;
            continue;
        }
        match ours {
            Err(e) if expected(&e) => {}
            other => bail!("our companion on {name}: {other:?}"),
        }
        if signature_fault {
            // Shipped Baileys countersigned an identity meant for another
            // companion; our phone must refuse that reply.
            let content = bytes(&result["reply"], "/content")?;
            match wrong_companion.verify_reply(&content, None) {
                Err(Error::AdvDeviceSignatureMismatch) => {}
                other => {
                    bail!("our phone accepted a countersignature by the wrong companion: {other:?}")
                }
            }
        }
    }
    eprintln!(
        "  pair-success: Baileys accepts our phone's identity and its reply verifies; {} bad containers: same verdicts (shipped Baileys skips signature checks)",
        cases.len() - 1
    );
    Ok(())
}

fn phone_signed_by_libsignal(rng: &mut ChaCha20Rng) -> anyhow::Result<()> {
    let companion = KeyPair::generate(rng);
    let mut adv = [0u8; 32];
    rng.fill_bytes(&mut adv);
    let key_index = 5;
    let out = call(
        "pair.mjs",
        "phone-sign",
        &json!({"seed": "phone", "companionIdentityPub": hex::encode(companion.public.as_bytes()),
                "advSecret": STANDARD.encode(adv), "keyIndex": key_index, "rawId": RAW_ID, "timestamp": TIMESTAMP}),
    )?;
    let phone = public(&out, "/phonePub")?;
    let cases = out["cases"].as_object().context("cases")?;
    let mut names: Vec<&String> = cases.keys().collect();
    names.sort();
    let creds = json!({"identityPub": hex::encode(companion.public.as_bytes()),
                       "identityPriv": hex::encode(companion.private.as_bytes()),
                       "advSecretKey": STANDARD.encode(adv)});
    let containers: Vec<Vec<u8>> = names
        .iter()
        .map(|n| bytes(&out, &format!("/cases/{n}")))
        .collect::<anyhow::Result<_>>()?;
    let baileys = configure(
        &creds,
        names
            .iter()
            .zip(&containers)
            .map(|(n, c)| pairing_case(n, c))
            .collect(),
    )?;
    let mut replies = Vec::new();
    for ((name, container), theirs) in names.iter().zip(&containers).zip(&baileys) {
        let ours = CompanionPairing::verify(container, &adv, &companion, rng);
        let expected_ok = matches!(name.as_str(), "good" | "typed_e2ee" | "hosted");
        match (&ours, name.as_str()) {
            (Ok(_), _) if expected_ok => {}
            (Err(Error::AdvHmacMismatch), "bad_hmac") => {}
            (
                Err(Error::AdvAccountSignatureMismatch),
                "other_companion" | "wrong_signer" | "tampered_details",
            ) => {}
            (Err(Error::AdvMalformed(_)), "no_key_index" | "truncated") => {}
            (other, _) => bail!("our companion on {name}: {other:?}"),
        }
        let signature_fault = matches!(
            name.as_str(),
            "other_companion" | "wrong_signer" | "tampered_details"
        );
        check_verdicts(theirs, expected_ok, signature_fault)?;
        if let Ok(p) = ours {
            ensure!(
                p.primary_identity == phone && p.key_index == key_index,
                "{name}: stored identity"
            );
            ensure!(
                p.hosted_account == (name.as_str() == "hosted"),
                "{name}: hosted flag"
            );
            let details = p.account.details.clone().unwrap_or_default();
            replies.push(json!({"name": name, "reply": hex::encode(p.reply()), "details": hex::encode(&details),
                                "hosted": p.hosted_account}));
            let content = bytes(theirs, "/reply/content")?;
            let by_baileys = verify_signed_identity(&content, &companion.public, Some(&phone))
                .with_context(|| format!("{name}: Baileys' reply does not verify"))?;
            let by_us = verify_signed_identity(&p.reply(), &companion.public, Some(&phone))?;
            ensure!(
                by_us.device == by_baileys.device,
                "{name}: replies name different details"
            );
            ensure!(
                by_us.identity.account_signature == by_baileys.identity.account_signature,
                "{name}: replies carry different account signatures"
            );
        }
    }
    let checked = call(
        "pair.mjs",
        "verify-replies",
        &json!({"phonePub": hex::encode(phone.as_bytes()),
                "companionPub": hex::encode(companion.public.as_bytes()), "replies": replies}),
    )?;
    for r in checked["results"].as_array().context("results")? {
        for flag in [
            "detailsMatch",
            "accountSignatureValid",
            "deviceSignatureValid",
            "flippedRejected",
        ] {
            ensure!(r[flag] == true, "libsignal: {flag} false for {}", r["name"]);
        }
        ensure!(
            r["hasAccountKey"] == false,
            "our reply carries the account key ({})",
            r["name"]
        );
    }
    eprintln!(
        "  reverse: {} libsignal-signed containers; ours and Baileys' verdicts agree, libsignal verifies our device signatures",
        names.len()
    );
    Ok(())
}
