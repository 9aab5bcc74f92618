//! Suite `pair`, part 3: pairing by code against Baileys (`pair-code.mjs`).
//!
//! * Baileys' companion (generated and custom code) → our phone
//!   ([`PhoneCodePairing`]): the same ADV secret on both sides, a wrong code
//!   is rejected by our phone, and a pair-success authenticated with the
//!   derived secret is accepted by Baileys' `configureSuccessfulPairing`.
//! * Our companion ([`CompanionCodePairing`]) → a phone written with
//!   Baileys' crypto helpers: the bundle decrypts there and both derive the
//!   same secret; with a wrong code the bundle does not decrypt.

use anyhow::{Context as _, bail, ensure};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand_chacha::ChaCha20Rng;
use serde_json::json;
use wa_proto::Error;
use wa_proto::keys::KeyPair;
use wa_proto::pair::adv::{DeviceIdentityParams, PhonePairing};
use wa_proto::pair::code::{
    CompanionCodePairing, KEY_BUNDLE_LEN, PAIR_CODE_ALPHABET, PairCode, PhoneCodePairing,
};

use super::pair::{
    RAW_ID, TIMESTAMP, bytes, call, check_baileys_reply, configure, pairing_case, public,
    secret_b64, text,
};

const SCRIPT: &str = "pair-code.mjs";

/// Runs both directions.
pub(crate) fn run(rng: &mut ChaCha20Rng) -> anyhow::Result<()> {
    for custom in [None, Some("ABCD1234")] {
        baileys_companion(rng, custom)
            .with_context(|| format!("Baileys companion, custom code {custom:?}"))?;
    }
    our_companion(rng).context("our companion")?;
    Ok(())
}

fn baileys_companion(rng: &mut ChaCha20Rng, custom: Option<&str>) -> anyhow::Result<()> {
    let seed = format!("code-{}", custom.unwrap_or("generated"));
    let hello = call(
        SCRIPT,
        "companion-hello",
        &json!({"seed": seed, "customCode": custom}),
    )?;
    let creds = &hello["creds"];
    let shown = text(&hello, "/code")?;
    let code = PairCode::parse(shown)?;
    ensure!(
        code.as_str() == shown,
        "code {shown} normalized to {}",
        code.as_str()
    );
    if custom.is_none() {
        ensure!(
            shown.bytes().all(|b| PAIR_CODE_ALPHABET.contains(&b)),
            "code {shown} outside the alphabet"
        );
    }
    let wrapped = bytes(&hello, "/wrapped")?;
    ensure!(
        wrapped.len() == 80,
        "wrapped companion key is {} bytes",
        wrapped.len()
    );
    ensure!(
        code.unwrap_key(&wrapped)? == public(creds, "/pairingEphPub")?,
        "our unwrap differs from Baileys' key"
    );

    let phone_identity = KeyPair::generate(rng);
    let finish = |phone: &PhoneCodePairing, code: &str| {
        call(
            SCRIPT,
            "companion-finish",
            &json!({"seed": format!("{seed}-finish"), "creds": creds, "code": code,
                    "primaryIdentityPub": hex::encode(phone_identity.public.as_bytes()),
                    "wrappedPrimary": hex::encode(phone.wrapped_ephemeral())}),
        )
    };
    let phone = PhoneCodePairing::start(&PairCode::parse(&code.display())?, &wrapped, rng)?;
    let fin = finish(&phone, shown)?;
    let bundle = bytes(&fin, "/bundle")?;
    ensure!(
        bundle.len() == KEY_BUNDLE_LEN,
        "bundle is {} bytes",
        bundle.len()
    );
    let companion_identity = public(&fin, "/companionIdentityPub")?;
    ensure!(
        companion_identity == public(creds, "/identityPub")?,
        "companion identity"
    );
    let done = phone.finish(&phone_identity, &bundle, &companion_identity)?;
    let baileys_adv = secret_b64(text(&fin, "/advSecretKey")?)?;
    ensure!(done.adv_secret == baileys_adv, "ADV secrets differ");

    // The phone typed a wrong code: Baileys' bundle must not decrypt for it.
    let wrong = PhoneCodePairing::start(&PairCode::parse("ZZZZ-9999")?, &wrapped, rng)?;
    let fin_wrong = finish(&wrong, shown)?;
    match wrong.finish(
        &phone_identity,
        &bytes(&fin_wrong, "/bundle")?,
        &companion_identity,
    ) {
        Err(Error::PairCodeMismatch(_)) => {}
        other => bail!("wrong code accepted by our phone: {other:?}"),
    }

    // The derived secret authenticates a pair-success Baileys accepts.
    let params = DeviceIdentityParams::e2ee(RAW_ID, TIMESTAMP, 2);
    let pairing = PhonePairing::sign(
        &phone_identity,
        &companion_identity,
        &done.adv_secret,
        &params,
        rng,
    )?;
    let mut creds = creds.clone();
    creds["advSecretKey"] = json!(text(&fin, "/advSecretKey")?);
    let results = configure(
        &creds,
        vec![pairing_case("code", pairing.device_identity())],
    )?;
    let result = results.first().context("no result")?;
    check_baileys_reply(
        result,
        &pairing,
        &phone_identity.public,
        &companion_identity,
    )?;
    eprintln!(
        "  code ({}): Baileys companion and our phone derive the same ADV secret; pair-success accepted; wrong code rejected",
        if custom.is_some() {
            "custom"
        } else {
            "generated"
        }
    );
    Ok(())
}

fn our_companion(rng: &mut ChaCha20Rng) -> anyhow::Result<()> {
    let code = PairCode::generate(rng);
    let ephemeral = KeyPair::generate(rng);
    let identity = KeyPair::generate(rng);
    let companion = CompanionCodePairing::new(code.clone(), ephemeral.clone());
    let hello = companion.hello(rng);
    let phone_hello = |code: &str, seed: &str| {
        call(
            SCRIPT,
            "phone-hello",
            &json!({"seed": seed, "code": code, "wrappedCompanion": hex::encode(hello)}),
        )
    };
    let ph = phone_hello(code.as_str(), "phone-code")?;
    ensure!(
        public(&ph, "/companionEphPub")? == ephemeral.public,
        "Baileys' helpers unwrap another key"
    );
    let fin = companion.finish(
        &identity,
        &public(&ph, "/phoneIdentityPub")?,
        &bytes(&ph, "/wrappedPrimary")?,
        rng,
    )?;
    ensure!(
        fin.wrapped_key_bundle.len() == KEY_BUNDLE_LEN,
        "bundle length"
    );
    let phone_finish = |ph: &serde_json::Value, bundle: &[u8]| {
        let mut input = ph.clone();
        input["bundle"] = json!(hex::encode(bundle));
        input["companionIdentityPub"] = json!(hex::encode(identity.public.as_bytes()));
        call(SCRIPT, "phone-finish", &input)
    };
    let pf = phone_finish(&ph, &fin.wrapped_key_bundle)?;
    ensure!(
        pf["ok"] == true,
        "Baileys-helper phone rejects our bundle: {}",
        pf["error"]
    );
    ensure!(
        STANDARD.decode(text(&pf, "/advSecret")?)? == fin.adv_secret,
        "ADV secrets differ"
    );

    let wrong = phone_hello("ZZZZ9999", "phone-wrong")?;
    let fin_wrong = companion.finish(
        &identity,
        &public(&wrong, "/phoneIdentityPub")?,
        &bytes(&wrong, "/wrappedPrimary")?,
        rng,
    )?;
    let pf_wrong = phone_finish(&wrong, &fin_wrong.wrapped_key_bundle)?;
    ensure!(
        pf_wrong["ok"] == false,
        "a phone with the wrong code decrypted our bundle"
    );
    eprintln!(
        "  code: our companion and a Baileys-helper phone derive the same ADV secret; wrong code rejected"
    );
    Ok(())
}
