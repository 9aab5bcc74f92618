//! Known-answer tests against values computed by Baileys 7.0.0-rc14
//! (`tests/vectors/{hkdf,media}.json`, produced by `xtask/interop/media-vectors.mjs`;
//! `cargo xtask interop media` regenerates them and fails on any difference).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers

use serde::Deserialize;
use wa_proto::media::{
    ExpectedMedia, MediaDecryptor, MediaEncryptor, MediaKeys, MediaType, MediaVerifier, decrypt,
    encrypt, hkdf_sha256,
};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("vector hex")
}

fn arr<const N: usize>(s: &str) -> [u8; N] {
    unhex(s).try_into().expect("vector length")
}

fn load<T: for<'de> Deserialize<'de>>(name: &str) -> T {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(path).expect("vector file")).expect("vector json")
}

/// Our name for each media type, as the vector files spell it.
pub fn media_type(name: &str) -> MediaType {
    match name {
        "image" => MediaType::Image,
        "sticker" => MediaType::Sticker,
        "video" => MediaType::Video,
        "gif" => MediaType::Gif,
        "ptv" => MediaType::Ptv,
        "audio" => MediaType::Audio,
        "ptt" => MediaType::Ptt,
        "document" => MediaType::Document,
        "history" => MediaType::History,
        "app_state" => MediaType::AppState,
        "link_thumbnail" => MediaType::LinkThumbnail,
        "sticker_pack" => MediaType::StickerPack,
        other => panic!("unknown media type {other}"),
    }
}

#[derive(Deserialize)]
struct HkdfFile {
    cases: Vec<HkdfCase>,
}

#[derive(Deserialize)]
struct HkdfCase {
    ikm: String,
    salt: Option<String>,
    info: String,
    length: usize,
    okm: String,
}

#[test]
fn hkdf_matches_baileys() {
    let file: HkdfFile = load("hkdf.json");
    assert!(file.cases.len() >= 50);
    for c in &file.cases {
        let salt = c.salt.as_deref().map(unhex).unwrap_or_default();
        let okm = hkdf_sha256(&unhex(&c.ikm), &salt, c.info.as_bytes(), c.length).unwrap();
        assert_eq!(
            hex::encode(okm),
            c.okm,
            "info {:?} len {}",
            c.info,
            c.length
        );
    }
}

#[derive(Deserialize)]
struct MediaFile {
    keys: Vec<KeyCase>,
    files: Vec<FileCase>,
}

#[derive(Deserialize)]
struct KeyCase {
    #[serde(rename = "type")]
    ty: String,
    hkdf_info: String,
    media_key: String,
    iv: String,
    cipher_key: String,
    mac_key: String,
    ref_key: String,
}

#[derive(Deserialize)]
struct FileCase {
    #[serde(rename = "type")]
    ty: String,
    plaintext: String,
    media_key: String,
    encrypted: String,
    mac: String,
    file_sha256: String,
    file_enc_sha256: String,
    file_length: u64,
}

#[test]
fn media_key_expansion_matches_baileys_for_every_type() {
    let file: MediaFile = load("media.json");
    let mut seen = Vec::new();
    for k in &file.keys {
        let t = media_type(&k.ty);
        assert_eq!(t.hkdf_info(), k.hkdf_info, "{}", k.ty);
        let keys = MediaKeys::expand(&unhex(&k.media_key), t);
        assert_eq!(hex::encode(keys.iv()), k.iv, "{}", k.ty);
        assert_eq!(hex::encode(keys.cipher_key()), k.cipher_key, "{}", k.ty);
        assert_eq!(hex::encode(keys.mac_key()), k.mac_key, "{}", k.ty);
        assert_eq!(hex::encode(keys.ref_key()), k.ref_key, "{}", k.ty);
        seen.push(t);
    }
    seen.sort();
    let mut all = MediaType::ALL.to_vec();
    all.sort();
    assert_eq!(seen, all, "a vector for every media type");
}

#[test]
fn baileys_encrypted_files_decrypt_and_reencrypt_identically() {
    let file: MediaFile = load("media.json");
    assert!(file.files.len() >= 60);
    for f in &file.files {
        let t = media_type(&f.ty);
        let plain = unhex(&f.plaintext);
        let enc = unhex(&f.encrypted);
        let expected = ExpectedMedia {
            file_enc_sha256: Some(arr(&f.file_enc_sha256)),
            file_sha256: Some(arr(&f.file_sha256)),
            file_length: Some(f.file_length),
        };
        let ctx = format!("{} {} bytes", f.ty, plain.len());

        // One-shot decryption.
        let (out, found) = decrypt(&unhex(&f.media_key), t, &enc, &expected).expect(&ctx);
        assert_eq!(out, plain, "{ctx}");
        assert_eq!(hex::encode(found.file_sha256), f.file_sha256, "{ctx}");

        // Two-pass streaming decryption, 7-byte chunks.
        let mut v = MediaVerifier::new(&unhex(&f.media_key), t, expected.clone());
        enc.chunks(7).for_each(|c| v.update(c));
        let mut d: MediaDecryptor = v.finish().expect(&ctx).into_decryptor();
        let mut streamed = Vec::new();
        for c in enc.chunks(7) {
            d.update(c, &mut streamed).expect(&ctx);
        }
        assert_eq!(d.finish().expect(&ctx), found, "{ctx}");
        assert_eq!(streamed, plain, "{ctx}");

        // Our encryption with the same key gives Baileys' bytes exactly.
        let (ours, info) = encrypt(arr(&f.media_key), t, &plain);
        assert_eq!(hex::encode(&ours), f.encrypted, "{ctx}");
        assert_eq!(hex::encode(info.mac), f.mac, "{ctx}");
        assert_eq!(hex::encode(info.file_sha256), f.file_sha256, "{ctx}");
        assert_eq!(
            hex::encode(info.file_enc_sha256),
            f.file_enc_sha256,
            "{ctx}"
        );
        assert_eq!(info.file_length, f.file_length, "{ctx}");

        // And streaming encryption in 5-byte pieces as well.
        let mut e = MediaEncryptor::new(arr(&f.media_key), t);
        let mut streamed = Vec::new();
        plain.chunks(5).for_each(|c| e.update(c, &mut streamed));
        assert_eq!(e.finish(&mut streamed), info, "{ctx}");
        assert_eq!(streamed, ours, "{ctx}");
    }
}
