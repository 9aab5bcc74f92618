//! Known-answer tests against app-state values computed by Baileys 7.0.0-rc14
//! (`tests/vectors/appstate.json`, produced by `xtask/interop/appstate-vectors.mjs`;
//! `cargo xtask interop appstate` regenerates it and fails on any difference).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers

use std::collections::HashMap;

use serde::Deserialize;
use wa_proto::Error;
use wa_proto::appstate::{LtHash, MutationKeys, Operation, split_value_blob};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("vector hex")
}

fn lthash(s: &str) -> LtHash {
    LtHash::from_bytes(unhex(s).try_into().expect("128 bytes"))
}

#[derive(Deserialize)]
struct Vectors {
    mutation_keys: Vec<KeysCase>,
    lthash: Vec<LtCase>,
    patches: Vec<PatchCase>,
    patch_macs: Vec<PatchMacCase>,
}

#[derive(Deserialize)]
struct KeysCase {
    key_data: String,
    index: String,
    value_encryption: String,
    value_mac: String,
    snapshot_mac: String,
    patch_mac: String,
}

#[derive(Deserialize)]
struct LtCase {
    base: String,
    subtract: Vec<String>,
    add: Vec<String>,
    result: String,
}

#[derive(Deserialize)]
struct PatchCase {
    collection: String,
    key_id: String,
    key_data: String,
    operation: i32,
    index_json: String,
    plaintext: String,
    value_blob: String,
    value_mac: String,
    index_mac: String,
    lthash_before: String,
    lthash_after: String,
    version: u64,
    snapshot_mac: String,
    patch_mac: String,
}

#[derive(Deserialize)]
struct PatchMacCase {
    key_data: String,
    snapshot_mac: String,
    value_macs: Vec<String>,
    version: u64,
    name: String,
    patch_mac: String,
}

fn vectors() -> Vectors {
    let path = format!("{}/tests/vectors/appstate.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(path).expect("vector file")).expect("vector json")
}

#[test]
fn mutation_key_expansion_matches_baileys() {
    let v = vectors();
    assert!(v.mutation_keys.len() >= 4);
    for c in &v.mutation_keys {
        let k = MutationKeys::expand(&unhex(&c.key_data));
        assert_eq!(hex::encode(k.index_key()), c.index);
        assert_eq!(hex::encode(k.value_encryption_key()), c.value_encryption);
        assert_eq!(hex::encode(k.value_mac_key()), c.value_mac);
        assert_eq!(hex::encode(k.snapshot_mac_key()), c.snapshot_mac);
        assert_eq!(hex::encode(k.patch_mac_key()), c.patch_mac);
    }
}

#[test]
fn lthash_matches_baileys() {
    let v = vectors();
    assert!(v.lthash.len() >= 6);
    for c in &v.lthash {
        let sub: Vec<Vec<u8>> = c.subtract.iter().map(|s| unhex(s)).collect();
        let add: Vec<Vec<u8>> = c.add.iter().map(|s| unhex(s)).collect();
        let mut h = lthash(&c.base);
        h.subtract_then_add(&sub, &add);
        assert_eq!(h, lthash(&c.result));
        // One at a time, in the other order: the same (the sum commutes).
        let mut g = lthash(&c.base);
        add.iter().rev().for_each(|m| g.add(m));
        sub.iter().for_each(|m| g.subtract(m));
        assert_eq!(g, h);
    }
}

#[test]
fn patches_match_baileys_encode_syncd_patch() {
    let v = vectors();
    assert!(v.patches.len() >= 6);
    // Per collection: index MAC → value MAC of the live SET, as a patch
    // processor would keep it.
    let mut live: HashMap<String, HashMap<Vec<u8>, Vec<u8>>> = HashMap::new();
    let mut hashes: HashMap<String, LtHash> = HashMap::new();
    let mut saw_overwrite = false;
    let mut saw_remove = false;
    for p in &v.patches {
        let keys = MutationKeys::expand(&unhex(&p.key_data));
        let op = Operation::from_wire(p.operation).unwrap();
        let key_id = unhex(&p.key_id);
        let blob = unhex(&p.value_blob);

        assert_eq!(
            hex::encode(keys.index_mac(p.index_json.as_bytes())),
            p.index_mac
        );
        keys.verify_index_mac(p.index_json.as_bytes(), &unhex(&p.index_mac))
            .unwrap();
        let (body, mac) = split_value_blob(&blob).unwrap();
        assert_eq!(hex::encode(mac), p.value_mac);
        assert_eq!(hex::encode(keys.value_mac(op, &key_id, body)), p.value_mac);
        assert_eq!(
            hex::encode(keys.decrypt_value(op, &key_id, &blob).unwrap()),
            p.plaintext
        );
        let iv: [u8; 16] = body[..16].try_into().unwrap();
        assert_eq!(
            keys.encrypt_value_with_iv(iv, op, &key_id, &unhex(&p.plaintext)),
            blob
        );

        let hash = hashes.entry(p.collection.clone()).or_default();
        assert_eq!(*hash, lthash(&p.lthash_before));
        let map = live.entry(p.collection.clone()).or_default();
        let index_mac = unhex(&p.index_mac);
        let previous = match op {
            Operation::Set => map.insert(index_mac.clone(), mac.to_vec()),
            Operation::Remove => map.remove(&index_mac),
        };
        saw_overwrite |= op == Operation::Set && previous.is_some();
        saw_remove |= op == Operation::Remove && previous.is_some();
        let added: Vec<&[u8]> = if op == Operation::Set {
            vec![&mac[..]]
        } else {
            vec![]
        };
        hash.subtract_then_add(previous.as_slice(), added);
        assert_eq!(
            *hash,
            lthash(&p.lthash_after),
            "{} v{}",
            p.collection,
            p.version
        );

        let snapshot_mac = keys.snapshot_mac(hash, p.version, &p.collection);
        assert_eq!(hex::encode(snapshot_mac), p.snapshot_mac);
        keys.verify_snapshot_mac(hash, p.version, &p.collection, &snapshot_mac)
            .unwrap();
        let patch_mac = keys.patch_mac(&snapshot_mac, [mac], p.version, &p.collection);
        assert_eq!(hex::encode(patch_mac), p.patch_mac);

        // Wrong version, name or MAC: typed errors.
        assert_eq!(
            keys.verify_snapshot_mac(hash, p.version + 1, &p.collection, &snapshot_mac),
            Err(Error::AppStateMacMismatch("snapshot"))
        );
        assert_eq!(
            keys.verify_patch_mac(&snapshot_mac, [mac], p.version, "regular", &patch_mac),
            Err(Error::AppStateMacMismatch("patch"))
        );
        assert_eq!(
            keys.verify_index_mac(b"[\"other\"]", &index_mac),
            Err(Error::AppStateMacMismatch("index"))
        );
    }
    assert!(
        saw_overwrite && saw_remove,
        "the sequence covers overwrite and remove"
    );
}

#[test]
fn multi_mutation_patch_macs_match_baileys() {
    let v = vectors();
    for c in &v.patch_macs {
        let keys = MutationKeys::expand(&unhex(&c.key_data));
        let macs: Vec<Vec<u8>> = c.value_macs.iter().map(|s| unhex(s)).collect();
        let mac = keys.patch_mac(&unhex(&c.snapshot_mac), &macs, c.version, &c.name);
        assert_eq!(hex::encode(mac), c.patch_mac, "{} macs", macs.len());
        keys.verify_patch_mac(&unhex(&c.snapshot_mac), &macs, c.version, &c.name, &mac)
            .unwrap();
    }
}
