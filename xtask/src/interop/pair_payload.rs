//! Suite `pair`, parts 4 and 5: ClientPayload and participant hash against
//! Baileys (`pair.mjs payloads`, `decode-payloads`, `phash`).
//!
//! Baileys' `generateRegistrationNode`/`generateLoginNode` payloads for six
//! configurations parse with our server-side [`ClientHello`] parser to the
//! creds' keys; our builders produce byte-identical encodings, and Baileys
//! decodes ours and its own to the same fields. Baileys' 6-character
//! participant hashes are prefixes of ours (whatsmeow's rule).

use anyhow::{Context as _, bail, ensure};
use prost::Message as _;
use serde_json::{Value, json};
use wa_proto::pair::payload::{
    ClientConfig, ClientHello, RegistrationKeys, login_payload, registration_payload,
};

use super::pair::{bytes, call, public, text};

/// Part 4: the ClientPayload.
pub(crate) fn payloads() -> anyhow::Result<()> {
    let configs = json!([
        {"name": "default", "browser": ["Mac OS", "Chrome", "14.4.1"], "version": [2, 3000, 1_043_857_760], "countryCode": "US", "syncFullHistory": true},
        {"name": "windows_desktop", "browser": ["Windows", "Desktop", "10.0.22631"], "version": [2, 3000, 1_043_857_760], "countryCode": "BR", "syncFullHistory": true, "pushName": "Gateway"},
        {"name": "mac_desktop", "browser": ["Mac OS", "Desktop", "14.4.1"], "version": [2, 3000, 1_029_496_320], "countryCode": "US", "syncFullHistory": true},
        {"name": "ubuntu_firefox_nosync", "browser": ["Ubuntu", "Firefox", "22.04.4"], "version": [2, 3000, 1_043_857_760], "countryCode": "DE", "syncFullHistory": false},
        {"name": "android", "browser": ["Samsung", "Android", ""], "version": [2, 3000, 1_043_857_760], "countryCode": "ID", "syncFullHistory": true},
        {"name": "unknown_browser", "browser": ["Baileys", "Netscape", "6.5.0"], "version": [2, 2413, 51], "countryCode": "US", "syncFullHistory": false},
    ]);
    let out = call(
        "pair.mjs",
        "payloads",
        &json!({"seed": "payloads", "configs": configs, "loginJid": "15551234567:7@s.whatsapp.net"}),
    )?;
    let c = &out["creds"];
    let sig: [u8; 64] = bytes(c, "/signedPreKeySig")?
        .try_into()
        .map_err(|_| anyhow::anyhow!("signature length"))?;
    let keys = RegistrationKeys {
        registration_id: u32::try_from(c["registrationId"].as_u64().context("registrationId")?)?,
        identity: public(c, "/identityPub")?,
        signed_prekey_id: u32::try_from(c["signedPreKeyId"].as_u64().context("keyId")?)?,
        signed_prekey: public(c, "/signedPreKeyPub")?,
        signed_prekey_signature: sig,
    };
    let mut pairs = Vec::new();
    for (cfg, p) in configs
        .as_array()
        .into_iter()
        .flatten()
        .zip(out["payloads"].as_array().into_iter().flatten())
    {
        let name = text(cfg, "/name")?;
        let config = client_config(cfg)?;
        let theirs_reg = bytes(p, "/registration")?;
        let theirs_login = bytes(p, "/login")?;
        let ClientHello::Registration(reg) = ClientHello::parse(&theirs_reg)? else {
            bail!("{name}: Baileys' registration parsed as a login");
        };
        ensure!(reg.keys == keys, "{name}: registration keys differ");
        ensure!(
            reg.build_hash == Some(config.build_hash()),
            "{name}: build hash"
        );
        ensure!(
            reg.device_props.as_ref() == Some(&config.device_props()),
            "{name}: device props"
        );
        ensure!(reg.push_name == config.push_name, "{name}: push name");
        let ClientHello::Login(login) = ClientHello::parse(&theirs_login)? else {
            bail!("{name}: Baileys' login parsed as a registration");
        };
        ensure!(
            (login.username, login.device, login.passive) == (15_551_234_567, 7, true),
            "{name}: login {login:?}"
        );
        let ours_reg = registration_payload(&config, &keys).encode_to_vec();
        let ours_login = login_payload(&config, "15551234567", 7)?.encode_to_vec();
        ensure!(
            ours_reg == theirs_reg,
            "{name}: registration bytes differ\n ours {}\n them {}",
            hex::encode(&ours_reg),
            hex::encode(&theirs_reg)
        );
        ensure!(
            ours_login == theirs_login,
            "{name}: login bytes differ\n ours {}\n them {}",
            hex::encode(&ours_login),
            hex::encode(&theirs_login)
        );
        pairs.push(json!({"name": format!("{name}/registration"), "ours": hex::encode(&ours_reg), "baileys": hex::encode(&theirs_reg)}));
        pairs.push(json!({"name": format!("{name}/login"), "ours": hex::encode(&ours_login), "baileys": hex::encode(&theirs_login)}));
    }
    let decoded = call("pair.mjs", "decode-payloads", &json!({"pairs": pairs}))?;
    let mut fields = 0;
    for r in decoded["results"].as_array().context("results")? {
        let diffs = r["diffs"].as_array().context("diffs")?;
        ensure!(
            diffs.is_empty(),
            "{}: fields differ in Baileys' decoding: {diffs:?}",
            r["name"]
        );
        fields += r["fields"].as_u64().unwrap_or(0);
    }
    eprintln!(
        "  payloads: {} Baileys payloads parse; ours are byte-identical ({fields} fields compared in Baileys)",
        pairs.len()
    );
    Ok(())
}

/// Our [`ClientConfig`] for one Baileys config object.
pub(crate) fn client_config(cfg: &Value) -> anyhow::Result<ClientConfig> {
    let browser: Vec<String> = serde_json::from_value(cfg["browser"].clone())?;
    let version: Vec<u32> = serde_json::from_value(cfg["version"].clone())?;
    let [os, browser, os_version] =
        <[String; 3]>::try_from(browser).map_err(|_| anyhow::anyhow!("browser"))?;
    Ok(ClientConfig {
        version: <[u32; 3]>::try_from(version).map_err(|_| anyhow::anyhow!("version"))?,
        os,
        browser,
        os_version,
        country_code: text(cfg, "/countryCode")?.to_owned(),
        push_name: cfg["pushName"].as_str().map(str::to_owned),
        sync_full_history: cfg["syncFullHistory"] == true,
        ..ClientConfig::default()
    })
}

/// Part 5: the participant hash.
pub(crate) fn participant_hash() -> anyhow::Result<()> {
    let lists = json!([
        [
            "15551234567@s.whatsapp.net",
            "15551234567:2@s.whatsapp.net",
            "4915112345678@s.whatsapp.net"
        ],
        [
            "123456789012345@lid",
            "123456789012345:3@lid",
            "98765432109876@lid",
            "98765432109876:12@lid"
        ],
        ["15551234567.0:0@s.whatsapp.net"],
        [],
    ]);
    let out = call("pair.mjs", "phash", &json!({"lists": lists}))?;
    for (list, theirs) in lists
        .as_array()
        .into_iter()
        .flatten()
        .zip(out["hashes"].as_array().into_iter().flatten())
    {
        let list: Vec<String> = serde_json::from_value(list.clone())?;
        let ours = wa_proto::ids::participant_hash(&list);
        let theirs = theirs.as_str().context("hash")?;
        ensure!(
            ours.len() == 10 && theirs.len() == 8,
            "lengths {ours} {theirs}"
        );
        ensure!(
            ours.starts_with(theirs),
            "phash of {list:?}: ours {ours}, Baileys {theirs}"
        );
    }
    eprintln!("  phash: Baileys' 6-character hashes are prefixes of ours for the same strings");
    Ok(())
}
