//! The seed corpus of the `proto_handshake` fuzz target is Baileys' own
//! encodings of the messages it decodes (from `tests/vectors/proto/`). This
//! test checks that every such vector is in `fuzz/corpus/proto_handshake/` as
//! `vec-<name>`, byte for byte, and that the entry point accepts each one.
//! Run with `WA_WRITE_FUZZ_SEEDS=1` to (re)write the seed files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod proto_support;

use std::path::Path;

/// Reference types the `proto_handshake` target decodes.
const TYPES: &[&str] = &[
    "HandshakeMessage",
    "CertChain",
    "CertChain.NoiseCertificate.Details",
    "ClientPayload",
    "DeviceProps",
    "ADVSignedDeviceIdentityHMAC",
    "ADVSignedDeviceIdentity",
    "ADVDeviceIdentity",
];

#[test]
fn proto_handshake_seeds_are_the_baileys_vectors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/proto_handshake");
    let write = std::env::var_os("WA_WRITE_FUZZ_SEEDS").is_some();
    if write {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let seeds = proto_support::vectors_of(TYPES);
    assert!(seeds.len() >= 15, "only {} seeds", seeds.len());
    for v in seeds {
        let path = dir.join(format!("vec-{}", v.name));
        if write {
            std::fs::write(&path, &v.bytes).unwrap();
        }
        let on_disk = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "missing seed {} ({e}); run with WA_WRITE_FUZZ_SEEDS=1",
                path.display()
            )
        });
        assert_eq!(
            on_disk,
            v.bytes,
            "seed {} differs from the vector",
            path.display()
        );
        wa_proto::fuzzing::proto_handshake(&v.bytes);
    }
}
