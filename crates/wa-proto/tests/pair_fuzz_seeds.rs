//! The seed corpus of the `pair_inputs` fuzz target: Baileys' pairing
//! vectors (`tests/vectors/pair/baileys.json`) laid out the way the entry
//! point reads them (selector byte, keys, data), plus a signed key index list
//! and a reply to the entry point's fixed pairing. This test checks that
//! every seed is in `fuzz/corpus/pair_inputs/` byte for byte and that the
//! entry point accepts it. Run with `WA_WRITE_FUZZ_SEEDS=1` to (re)write them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pair_support;

use std::path::Path;

use pair_support::{key_pair, rng, s, secret, unhex, vectors};
use wa_proto::keys::KeyPair;
use wa_proto::pair::adv::AdvEncryptionType;
use wa_proto::pair::key_index::KeyIndexList;

fn seeds() -> Vec<(String, Vec<u8>)> {
    let v = vectors();
    let mut out = Vec::new();
    let mut push = |name: String, parts: &[&[u8]]| out.push((name, parts.concat()));
    for p in v["payloads"]["payloads"].as_array().unwrap() {
        for kind in ["registration", "login"] {
            push(
                format!("payload-{}-{kind}", s(p, "/name")),
                &[&[0], &unhex(s(p, &format!("/{kind}")))],
            );
        }
    }
    push("qr".to_owned(), &[&[1], s(v, "/qr/qr").as_bytes()]);
    push("code".to_owned(), &[&[1], b"abcd-1234"]);
    let ps = &v["pairSuccess"];
    let companion = key_pair(
        s(ps, "/companion/identityPriv"),
        s(ps, "/companion/identityPub"),
    );
    let adv = secret(s(ps, "/companion/advSecretKey"));
    for (name, container) in ps["cases"].as_object().unwrap() {
        push(
            format!("container-{name}"),
            &[
                &[2],
                &adv,
                companion.private.as_bytes(),
                &unhex(container.as_str().unwrap()),
            ],
        );
    }
    let phone = unhex(s(ps, "/phonePub"));
    for r in ps["baileys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ok"] == true)
    {
        let name = s(r, "/name");
        for (kind, ptr) in [
            ("reply", "/reply/content"),
            ("account", "/account/accountBytes"),
        ] {
            push(
                format!("identity-{name}-{kind}"),
                &[&[3], companion.public.as_bytes(), &phone, &unhex(s(r, ptr))],
            );
        }
    }
    let mut rng = rng(41);
    let account = KeyPair::generate(&mut rng);
    let list = KeyIndexList {
        raw_id: 9,
        timestamp: 1_700_000_000,
        current_index: 4,
        valid_indexes: vec![2, 4],
        account_type: AdvEncryptionType::E2ee,
    };
    push(
        "key-index-list".to_owned(),
        &[
            &[4],
            account.public.as_bytes(),
            &list.sign(&account, false, &mut rng),
        ],
    );
    push(
        "reply-fixture".to_owned(),
        &[&wa_proto::fuzzing::pair_reply_seed()],
    );
    out
}

#[test]
fn pair_inputs_seeds_are_the_vectors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/pair_inputs");
    let write = std::env::var_os("WA_WRITE_FUZZ_SEEDS").is_some();
    if write {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let seeds = seeds();
    assert!(seeds.len() >= 25, "only {} seeds", seeds.len());
    for (name, bytes) in seeds {
        let path = dir.join(format!("vec-{name}"));
        if write {
            std::fs::write(&path, &bytes).unwrap();
        }
        let on_disk = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "missing seed {} ({e}); run with WA_WRITE_FUZZ_SEEDS=1",
                path.display()
            )
        });
        assert_eq!(on_disk, bytes, "seed {} differs", path.display());
        wa_proto::fuzzing::pair_inputs(&bytes);
    }
}

#[test]
fn the_reply_seed_is_a_real_reply() {
    use prost::Message as _;
    use wa_proto::proto::wa;
    let seed = wa_proto::fuzzing::pair_reply_seed();
    assert_eq!(seed[0], 5);
    let reply = wa::AdvSignedDeviceIdentity::decode(&seed[1..]).unwrap();
    assert_eq!(reply.device_signature().len(), 64);
    assert!(reply.account_signature_key.is_none());
    let details = wa::AdvDeviceIdentity::decode(reply.details()).unwrap();
    assert_eq!(details.key_index, Some(3));
}
