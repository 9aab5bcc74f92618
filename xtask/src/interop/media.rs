//! Interop suites `media` and `appstate` (wa-proto's media and app-state
//! crypto against Baileys 7.0.0-rc14).
//!
//! `media`:
//! 1. Regenerates `crates/wa-proto/tests/vectors/{hkdf,media}.json` with
//!    `xtask/interop/media-vectors.mjs` and fails on any difference, so the
//!    committed known-answer vectors are provably Baileys' output.
//! 2. Baileys → us: Baileys' `encryptedStream` encrypts sizes 0, 1, 15, 16,
//!    17 bytes and 5 MiB + 3 for every media type it maps (all but sticker
//!    packs); we decrypt each (in memory and two-pass from the file), compare
//!    plaintext and hashes, and re-encrypt the small ones with the same key to
//!    the same bytes.
//! 3. Us → Baileys: we encrypt the same plaintexts; Baileys derives the keys
//!    (`getMediaKeys`) and decrypts (`downloadEncryptedContent`, served from a
//!    loopback HTTP server) to the same plaintext.
//! 4. Tampered MACs (ours and Baileys' files): we reject them with
//!    `MediaMacMismatch`; the oracle script's HMAC check with Baileys' macKey
//!    rejects them too. Baileys' download helper itself never checks the MAC
//!    (it drops the last 10 bytes); the suite reports that it still returns
//!    plaintext for the tampered files.
//! 5. Runs the 100 MiB bounded-memory streaming test with optimizations
//!    (`cargo test --release -p wa-proto --test media_stream`).
//!
//! `appstate`:
//! 1. Regenerates `tests/vectors/appstate.json` with
//!    `xtask/interop/appstate-vectors.mjs` and fails on any difference.
//! 2. Us → Baileys: we build a snapshot and patches (SET, overwrite, REMOVE,
//!    values encrypted, index/value/snapshot/patch MACs, LTHash) and Baileys'
//!    `decodeSyncdSnapshot` + `decodePatches` verify and decode them, ending
//!    at our LTHash; a patch with a tampered patch MAC is rejected by both.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use serde::Deserialize;
use serde_json::{Value, json};
use wa_proto::Error;
use wa_proto::appstate::{LtHash, MutationKeys, Operation, split_value_blob};
use wa_proto::media::{
    self, ExpectedMedia, MEDIA_KEY_LEN, MediaType, decrypt, encrypt, hkdf_sha256,
};

use super::node_script;
use crate::util::{cargo, root, run as sh};

/// Plaintext sizes every media type is tested with.
const SIZES: [usize; 6] = [0, 1, 15, 16, 17, 5 * 1024 * 1024 + 3];

/// Our media types with the names the oracle scripts use (`None`: Baileys has
/// no mapping for the type).
const TYPES: [(MediaType, &str, bool); 12] = [
    (MediaType::Image, "image", true),
    (MediaType::Sticker, "sticker", true),
    (MediaType::Video, "video", true),
    (MediaType::Gif, "gif", true),
    (MediaType::Ptv, "ptv", true),
    (MediaType::Audio, "audio", true),
    (MediaType::Ptt, "ptt", true),
    (MediaType::Document, "document", true),
    (MediaType::History, "history", true),
    (MediaType::AppState, "app_state", true),
    (MediaType::LinkThumbnail, "link_thumbnail", true),
    (MediaType::StickerPack, "sticker_pack", false),
];

fn media_type(name: &str) -> anyhow::Result<MediaType> {
    TYPES
        .iter()
        .find(|(_, n, _)| *n == name)
        .map(|(t, _, _)| *t)
        .with_context(|| format!("unknown media type {name}"))
}

fn vectors_dir() -> PathBuf {
    root().join("crates/wa-proto/tests/vectors")
}

fn work_dir(name: &str) -> anyhow::Result<PathBuf> {
    let dir = root().join("target").join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Deterministic bytes for keys and IVs (HKDF of a label).
fn derive<const N: usize>(label: &str) -> [u8; N] {
    let okm = hkdf_sha256(b"wa-gateway interop", &[], label.as_bytes(), N).unwrap_or_default();
    let mut out = [0u8; N];
    out.copy_from_slice(&okm);
    out
}

/// Deterministic plaintext (xorshift64).
fn plaintext(len: usize) -> Vec<u8> {
    let mut s: u64 = 0x2545_f491_4f6c_dd1d ^ len as u64;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        out.extend_from_slice(&s.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Regenerates a vector file with its node script and compares it with the
/// committed one.
fn check_vectors(file: &str, script: &str, args: &[&str]) -> anyhow::Result<()> {
    let fresh = node_script(script, args)?;
    let committed_path = vectors_dir().join(file);
    let committed = fs::read_to_string(&committed_path)
        .with_context(|| format!("reading {}", committed_path.display()))?;
    let a: Value = serde_json::from_str(&fresh)?;
    let b: Value = serde_json::from_str(&committed)?;
    if a != b {
        let out = root().join("target").join(format!("{file}.fresh"));
        fs::write(&out, &fresh)?;
        bail!(
            "{file} differs from what Baileys computes now (fresh output in {}); \
             regenerate with `node xtask/interop/{script} {}` from target/oracles/baileys",
            out.display(),
            args.join(" ")
        );
    }
    eprintln!("  {file}: identical to Baileys' output");
    Ok(())
}

#[derive(Deserialize)]
struct BaileysFile {
    #[serde(rename = "type")]
    ty: String,
    size: usize,
    file: String,
    media_key: String,
    file_sha256: String,
    file_enc_sha256: String,
    file_length: u64,
}

#[derive(Deserialize)]
struct NodeResult {
    file: String,
    mac_ok: bool,
    enc_sha256_ok: Option<bool>,
    download_error: Option<String>,
    plaintext_matches: bool,
}

fn arr32(s: &str) -> anyhow::Result<[u8; 32]> {
    hex::decode(s)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("expected 32 bytes"))
}

/// Our full check of one encrypted file: one-shot and two-pass decryption.
fn our_decrypt(
    dir: &Path,
    file: &str,
    key: &[u8],
    ty: MediaType,
    expected: &ExpectedMedia,
) -> Result<Vec<u8>, Error> {
    let enc = fs::read(dir.join(file)).map_err(|_| Error::MediaTruncated)?;
    let (plain, found) = decrypt(key, ty, &enc, expected)?;
    let mut src = fs::File::open(dir.join(file)).map_err(|_| Error::MediaTruncated)?;
    let mut streamed = Vec::new();
    let found2 = media::io::decrypt_seekable(key, ty, expected.clone(), &mut src, &mut streamed)
        .map_err(|e| {
            media::io::media_error(&e)
                .cloned()
                .unwrap_or(Error::MediaTruncated)
        })?;
    assert_eq!(found, found2, "one-shot and two-pass agree");
    assert_eq!(plain, streamed, "one-shot and two-pass agree");
    Ok(plain)
}

/// The `media` suite.
pub(crate) fn media_suite() -> anyhow::Result<()> {
    check_vectors("hkdf.json", "media-vectors.mjs", &["hkdf"])?;
    check_vectors("media.json", "media-vectors.mjs", &["media"])?;

    let dir = work_dir("interop-media")?;
    let dir_s = dir.to_string_lossy().into_owned();
    for size in SIZES {
        fs::write(dir.join(format!("plain-{size}.bin")), plaintext(size))?;
    }

    // Baileys → us.
    let size_args: Vec<String> = SIZES.iter().map(ToString::to_string).collect();
    let mut args = vec!["encrypt", dir_s.as_str()];
    args.extend(size_args.iter().map(String::as_str));
    let baileys: Vec<BaileysFile> =
        serde_json::from_str(&node_script("media-interop.mjs", &args)?)?;
    let mapped = TYPES.iter().filter(|t| t.2).count();
    ensure!(
        baileys.len() == mapped * SIZES.len(),
        "Baileys encrypted every case"
    );
    for b in &baileys {
        let ty = media_type(&b.ty)?;
        let plain = plaintext(b.size);
        let expected = ExpectedMedia {
            file_enc_sha256: Some(arr32(&b.file_enc_sha256)?),
            file_sha256: Some(arr32(&b.file_sha256)?),
            file_length: Some(b.file_length),
        };
        let key = hex::decode(&b.media_key)?;
        let ours = our_decrypt(&dir, &b.file, &key, ty, &expected)
            .map_err(|e| anyhow::anyhow!("{}: {e}", b.file))?;
        ensure!(ours == plain, "{}: plaintext differs", b.file);
        // Same key, same bytes (small files; the large ones are covered by
        // the other direction).
        if b.size < 1024 {
            let key32: [u8; MEDIA_KEY_LEN] = arr32(&b.media_key)?;
            let (again, _) = encrypt(key32, ty, &plain);
            ensure!(
                again == fs::read(dir.join(&b.file))?,
                "{}: our encryption differs",
                b.file
            );
        }
    }
    eprintln!(
        "  Baileys → us: {} files ({mapped} types × {} sizes) decrypt with matching hashes",
        baileys.len(),
        SIZES.len()
    );

    // Us → Baileys, plus tampered files of both origins.
    let mut manifest = Vec::new();
    for (ty, name, mapped) in TYPES {
        for size in SIZES {
            let key: [u8; 32] = derive(&format!("media key {name} {size}"));
            let file = format!("ours-{name}-{size}.enc");
            let mut src = fs::File::open(dir.join(format!("plain-{size}.bin")))?;
            let mut out = fs::File::create(dir.join(&file))?;
            let info = media::io::encrypt_stream(key, ty, &mut src, &mut out)?;
            drop(out);
            if !mapped {
                // Sticker packs: Baileys has no mapping; we round-trip only.
                let back = our_decrypt(&dir, &file, &key, ty, &ExpectedMedia::from_info(&info))
                    .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
                ensure!(back == plaintext(size), "{file}: our round trip");
            } else {
                manifest.push(json!({
                    "file": file, "type": name, "media_key": hex::encode(key),
                    "plain": format!("plain-{size}.bin"),
                    "file_enc_sha256": hex::encode(info.file_enc_sha256),
                }));
            }
        }
    }
    let mut tampered = Vec::new();
    for (origin, name, size, key) in [
        (
            "ours",
            "image",
            17,
            derive::<32>("media key image 17").to_vec(),
        ),
        (
            "ours",
            "document",
            SIZES[5],
            derive::<32>(&format!("media key document {}", SIZES[5])).to_vec(),
        ),
        ("baileys", "video", 16, Vec::new()),
    ] {
        let src = format!("{origin}-{name}-{size}.enc");
        let key = if key.is_empty() {
            let b = baileys
                .iter()
                .find(|b| b.file == src)
                .context("Baileys file to tamper")?;
            hex::decode(&b.media_key)?
        } else {
            key
        };
        let mut bytes = fs::read(dir.join(&src))?;
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        let file = format!("tampered-{src}");
        fs::write(dir.join(&file), &bytes)?;
        let ours = our_decrypt(
            &dir,
            &file,
            &key,
            media_type(name)?,
            &ExpectedMedia::default(),
        );
        ensure!(
            ours == Err(Error::MediaMacMismatch),
            "{file}: we must reject a tampered MAC, got {ours:?}"
        );
        manifest.push(json!({
            "file": file, "type": name, "media_key": hex::encode(&key),
            "plain": format!("plain-{size}.bin"),
        }));
        tampered.push(file);
    }
    let manifest_path = dir.join("manifest.json");
    fs::write(&manifest_path, serde_json::to_vec(&manifest)?)?;
    let results: Vec<NodeResult> = serde_json::from_str(&node_script(
        "media-interop.mjs",
        &["decrypt", &dir_s, &manifest_path.to_string_lossy()],
    )?)?;
    ensure!(
        results.len() == manifest.len(),
        "Baileys answered every file"
    );
    let mut baileys_returned_tampered = 0;
    for r in &results {
        if tampered.contains(&r.file) {
            ensure!(!r.mac_ok, "{}: the oracle's MAC check must fail", r.file);
            if r.download_error.is_none() && r.plaintext_matches {
                baileys_returned_tampered += 1;
            }
        } else {
            ensure!(
                r.download_error.is_none(),
                "{}: Baileys failed: {:?}",
                r.file,
                r.download_error
            );
            ensure!(r.mac_ok, "{}: MAC rejected by Baileys' keys", r.file);
            ensure!(r.enc_sha256_ok == Some(true), "{}: fileEncSha256", r.file);
            ensure!(
                r.plaintext_matches,
                "{}: Baileys' plaintext differs",
                r.file
            );
        }
    }
    eprintln!(
        "  us → Baileys: {} files decrypt to the original bytes",
        results.len() - tampered.len()
    );
    eprintln!(
        "  tampered MAC: rejected by us and by the MAC check with Baileys' keys ({} files); \
         note Baileys' downloadEncryptedContent does not check the MAC and returned \
         plaintext for {baileys_returned_tampered} of them",
        tampered.len()
    );

    sh(cargo().args([
        "test",
        "--release",
        "--locked",
        "-p",
        "wa-proto",
        "--test",
        "media_stream",
    ]))?;
    Ok(())
}

/// Hand-encoded `SyncActionData { index, value: { timestamp }, version }`.
fn sync_action_data(index: &[u8], timestamp: u64, version: u32) -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    let mut value = vec![0x08];
    varint(&mut value, timestamp);
    let mut out = vec![0x0a];
    varint(&mut out, index.len() as u64);
    out.extend_from_slice(index);
    out.push(0x12);
    varint(&mut out, value.len() as u64);
    out.extend_from_slice(&value);
    out.push(0x20);
    varint(&mut out, u64::from(version));
    out
}

struct Collection {
    keys: MutationKeys,
    key_id: Vec<u8>,
    hash: LtHash,
    /// index MAC → value MAC of live records.
    live: Vec<([u8; 32], [u8; 32])>,
    counter: u32,
}

impl Collection {
    /// Encrypts one mutation, updates the LTHash, returns its JSON.
    fn mutation(&mut self, op: Operation, index: &str) -> anyhow::Result<(Value, [u8; 32])> {
        self.counter += 1;
        let plain = sync_action_data(
            index.as_bytes(),
            1_700_000_000_000 + u64::from(self.counter),
            3,
        );
        let iv: [u8; 16] = derive(&format!("appstate iv {}", self.counter));
        let blob = self
            .keys
            .encrypt_value_with_iv(iv, op, &self.key_id, &plain);
        let (_, mac) = split_value_blob(&blob)?;
        let mac = *mac;
        let index_mac = self.keys.index_mac(index.as_bytes());
        let previous = self.live.iter().position(|(i, _)| *i == index_mac);
        if let Some(p) = previous {
            let (_, old) = self.live.remove(p);
            self.hash.subtract(&old);
        }
        if op == Operation::Set {
            self.hash.add(&mac);
            self.live.push((index_mac, mac));
        }
        Ok((
            json!({
                "operation": op.to_wire(), "index_mac": hex::encode(index_mac),
                "value_blob": hex::encode(&blob),
            }),
            mac,
        ))
    }
}

#[derive(Deserialize)]
struct AppStateResult {
    snapshot_hash: String,
    final_hash: String,
    decoded: Vec<String>,
    warnings: Vec<String>,
}

/// The `appstate` suite.
pub(crate) fn appstate_suite() -> anyhow::Result<()> {
    check_vectors("appstate.json", "appstate-vectors.mjs", &[])?;

    let name = "regular_high";
    let key_data: [u8; 32] = derive("appstate key data");
    let key_id: [u8; 6] = derive("appstate key id");
    let mut c = Collection {
        keys: MutationKeys::expand(&key_data),
        key_id: key_id.to_vec(),
        hash: LtHash::new(),
        live: Vec::new(),
        counter: 0,
    };
    let idx = |kind: &str, n: u32| format!(r#"["{kind}","{n}@s.whatsapp.net"]"#);

    // Snapshot at version 5 with three records.
    let mut records = Vec::new();
    for n in 1..=3 {
        records.push(c.mutation(Operation::Set, &idx("mute", n))?.0);
    }
    let snapshot_hash = c.hash;
    let snapshot = json!({
        "version": 5, "records": records,
        "mac": hex::encode(c.keys.snapshot_mac(&c.hash, 5, name)),
    });

    // Patches: v6 overwrites record 1 and removes record 2; v7 adds one;
    // v8 carries a tampered patch MAC and must be rejected.
    let mut patches = Vec::new();
    let mut final_hash = c.hash;
    for (version, ops) in [
        (
            6u64,
            vec![
                (Operation::Set, idx("mute", 1)),
                (Operation::Remove, idx("mute", 2)),
            ],
        ),
        (7, vec![(Operation::Set, idx("pin_v1", 4))]),
        (8, vec![(Operation::Set, idx("pin_v1", 5))]),
    ] {
        let mut mutations = Vec::new();
        let mut macs = Vec::new();
        for (op, index) in ops {
            let (m, mac) = c.mutation(op, &index)?;
            mutations.push(m);
            macs.push(mac);
        }
        let snapshot_mac = c.keys.snapshot_mac(&c.hash, version, name);
        let mut patch_mac = c.keys.patch_mac(&snapshot_mac, &macs, version, name);
        if version == 8 {
            patch_mac[0] ^= 1;
            ensure!(
                c.keys
                    .verify_patch_mac(&snapshot_mac, &macs, version, name, &patch_mac)
                    == Err(Error::AppStateMacMismatch("patch")),
                "we reject the tampered patch MAC"
            );
        } else {
            final_hash = c.hash;
        }
        patches.push(json!({
            "version": version, "mutations": mutations,
            "snapshot_mac": hex::encode(snapshot_mac), "patch_mac": hex::encode(patch_mac),
        }));
    }
    let input = json!({
        "name": name, "key_id": hex::encode(key_id), "key_data": hex::encode(key_data),
        "snapshot": snapshot, "patches": patches,
    });
    let dir = work_dir("interop-appstate")?;
    let path = dir.join("input.json");
    fs::write(&path, serde_json::to_vec(&input)?)?;
    let r: AppStateResult = serde_json::from_str(&node_script(
        "appstate-verify.mjs",
        &[&path.to_string_lossy()],
    )?)?;
    ensure!(
        r.snapshot_hash == hex::encode(snapshot_hash.as_bytes()),
        "Baileys' LTHash after our snapshot differs"
    );
    ensure!(
        r.final_hash == hex::encode(final_hash.as_bytes()),
        "Baileys' LTHash after our patches differs"
    );
    ensure!(
        r.decoded.len() == 6,
        "Baileys decoded {} of our 6 valid mutations",
        r.decoded.len()
    );
    ensure!(
        r.warnings.len() == 1 && r.warnings[0].contains("failed to decode patch"),
        "Baileys must reject exactly the tampered patch, warnings: {:?}",
        r.warnings
    );
    eprintln!(
        "  us → Baileys: snapshot + 2 patches verified and decoded (value, index, snapshot and \
         patch MACs, LTHash); the tampered patch MAC is rejected by both"
    );
    Ok(())
}
