//! Seed inputs for the `frame_decode` and `noise_handshake` fuzz targets:
//! checks that they reach the deep paths (a fuzzer mutating them explores
//! real handshakes), and writes them to `fuzz/corpus/` when run with
//! `cargo test -p wa-proto --test noise_fuzz_seeds -- --ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wa_proto::frame::{FrameDecoder, FrameEncoder};
use wa_proto::fuzzing;
use wa_proto::keys::KeyPair;
use wa_proto::noise::{
    CertIssuer, ChainSpec, ClientHandshake, FramedClientHandshake, FramedServerHandshake, Step,
};

/// `frame_decode` inputs: a control byte, then a byte stream.
fn frame_seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let frames: Vec<Vec<u8>> = vec![vec![], b"a".to_vec(), vec![7; 40], vec![9; 300]];
    for (ctl, routing) in [(0x02u8, None), (0x00, None), (0x02, Some(&b"edge"[..]))] {
        let mut e = match routing {
            Some(r) => FrameEncoder::client_with_routing(r).unwrap(),
            None => FrameEncoder::client(),
        };
        let mut s = vec![ctl];
        for f in &frames {
            e.encode(f, &mut s).unwrap();
        }
        out.push((format!("client_stream_{ctl:02x}_{}", routing.is_some()), s));
    }
    let mut e = FrameEncoder::server();
    let mut s = vec![0x03];
    for f in &frames {
        e.encode(f, &mut s).unwrap();
    }
    out.push(("server_stream".into(), s));

    // The client's real bytes of a handshake plus transport frames.
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let issuer = CertIssuer::generate(&mut rng);
    let server_key = KeyPair::generate(&mut rng);
    let chain = issuer.issue(&mut rng, &server_key.public, &ChainSpec::default());
    let noise_key = KeyPair::generate(&mut rng);
    let (client, mut wire) =
        FramedClientHandshake::start(&mut rng, noise_key, Some(b"\x08\x01")).unwrap();
    let server = FramedServerHandshake::new(&mut rng, server_key, chain);
    let Step::Done((_, hello)) = server.handle_bytes(&wire).unwrap() else {
        panic!()
    };
    let Step::Done(ready) = client
        .handle_bytes(&hello, &issuer.trusted_root(), 1_750_000_000)
        .unwrap()
    else {
        panic!()
    };
    let (mut sock, finish) = ready.finish(b"payload").unwrap();
    wire.extend_from_slice(&finish);
    sock.encrypt_frame_into(b"<iq/>", &mut wire).unwrap();
    let mut seed = vec![0x02];
    seed.extend_from_slice(&wire);
    out.push(("client_handshake_wire".into(), seed));
    out
}

fn noise_seeds() -> Vec<(String, Vec<u8>)> {
    fuzzing::noise_handshake_seeds()
        .into_iter()
        .map(|(n, b)| (n.to_string(), b))
        .collect()
}

#[test]
fn noise_seeds_are_real_handshake_messages() {
    let seeds = noise_seeds();
    let names: Vec<&str> = seeds.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "client_hello",
            "cert_chain",
            "server_hello",
            "client_finish"
        ]
    );
    // Each seed starts with the byte selecting its role in the target.
    let modes: Vec<u8> = seeds.iter().map(|(_, b)| b[0]).collect();
    assert_eq!(modes, [1, 3, 0, 2]);
    for (_, bytes) in &seeds {
        fuzzing::noise_handshake(bytes);
    }
    let msg = |i: usize| &seeds[i].1[1..];
    // The fixture's ClientHello is a valid one for any responder.
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let issuer = CertIssuer::generate(&mut rng);
    let key = KeyPair::generate(&mut rng);
    let chain = issuer.issue(&mut rng, &key.public, &ChainSpec::default());
    let server =
        wa_proto::noise::ServerHandshake::new(&mut rng, key, chain, &wa_proto::frame::WA_HEADER);
    assert!(server.read_client_hello(msg(0)).is_ok());
    // ...and a fresh client cannot use the fixture's ServerHello (it is
    // bound to the fixture's ephemeral key).
    let (c, _) = ClientHandshake::start(
        &mut rng,
        KeyPair::generate(&mut ChaCha20Rng::seed_from_u64(2)),
        &wa_proto::frame::WA_HEADER,
    )
    .unwrap();
    assert!(
        c.read_server_hello(msg(2), &issuer.trusted_root(), 0)
            .is_err()
    );
}

#[test]
fn frame_seeds_decode_cleanly() {
    for (name, bytes) in frame_seeds() {
        fuzzing::frame_decode(&bytes);
        let (ctl, stream) = bytes.split_first().unwrap();
        let mut d = if ctl & 1 == 0 {
            FrameDecoder::server()
        } else {
            FrameDecoder::client()
        };
        d.push(stream).unwrap();
        let mut n = 0;
        while let Some(_f) = d.next_frame().unwrap_or_else(|e| panic!("{name}: {e}")) {
            n += 1;
        }
        assert!(n >= 2, "{name}: {n} frames");
        assert_eq!(d.buffered_len(), 0, "{name}");
    }
}

/// Writes the seed corpus (run with `--ignored` after changing a fixture).
#[test]
#[ignore = "writes fuzz/corpus; run by hand"]
fn write_seed_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    for (target, seeds) in [
        ("frame_decode", frame_seeds()),
        ("noise_handshake", noise_seeds()),
    ] {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in seeds {
            std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
        }
    }
}
