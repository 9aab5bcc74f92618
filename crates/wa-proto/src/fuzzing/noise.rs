//! Fuzz entry points for frames and the Noise handshake.

// ---------------------------------------------------------------- frames

/// Splits `data` at pseudo-random points derived from `seed`.
fn split_points(len: usize, mut seed: u32) -> Vec<usize> {
    let mut cuts = vec![0];
    let mut at = 0usize;
    while at < len {
        // xorshift32: cheap, deterministic, no global RNG.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        at = at.saturating_add(1 + (seed as usize % 97)).min(len);
        cuts.push(at);
    }
    cuts
}

/// Decodes `stream` cut at `cuts` with the push/next_frame API.
fn decode_push(
    mut d: crate::frame::FrameDecoder,
    stream: &[u8],
    cuts: &[usize],
) -> (Vec<Vec<u8>>, bool, crate::frame::FrameDecoder) {
    let mut frames = Vec::new();
    for w in cuts.windows(2) {
        let (Some(&a), Some(&b)) = (w.first(), w.get(1)) else {
            continue;
        };
        if d.push(stream.get(a..b).unwrap_or_default()).is_err() {
            return (frames, false, d);
        }
        loop {
            match d.next_frame_mut() {
                Ok(Some(f)) => frames.push(f.to_vec()),
                Ok(None) => break,
                Err(_) => return (frames, false, d),
            }
        }
    }
    (frames, true, d)
}

/// Decodes `stream` cut at `cuts` with the callback API.
fn decode_callback(
    mut d: crate::frame::FrameDecoder,
    stream: &[u8],
    cuts: &[usize],
) -> (Vec<Vec<u8>>, bool) {
    let mut frames = Vec::new();
    for w in cuts.windows(2) {
        let (Some(&a), Some(&b)) = (w.first(), w.get(1)) else {
            continue;
        };
        let piece = stream.get(a..b).unwrap_or_default();
        let r = d.for_each_frame(piece, |f| {
            frames.push(f.to_vec());
            Ok(())
        });
        if r.is_err() {
            return (frames, false);
        }
    }
    (frames, true)
}

/// `frame_decode`: the first byte picks the split pattern, the side
/// (server with intro parsing, or client) and the frame limit; the rest is
/// the byte stream. Whole, split and callback decoding must agree, and a
/// cleanly decoded stream must re-encode to the same bytes.
pub fn frame_decode(data: &[u8]) {
    use crate::frame::{FrameDecoder, FrameEncoder};
    let Some((&ctl, stream)) = data.split_first() else {
        return;
    };
    let server = ctl & 1 == 0;
    let max = if ctl & 2 == 0 {
        64
    } else {
        crate::frame::MAX_FRAME_LEN
    };
    let make = || {
        let d = if server {
            FrameDecoder::server()
        } else {
            FrameDecoder::client()
        };
        d.with_max_frame_len(max)
    };
    let whole = [0, stream.len()];
    let cuts = split_points(
        stream.len(),
        u32::from(ctl).wrapping_mul(0x9e37_79b9).wrapping_add(1),
    );
    let other = split_points(stream.len(), u32::from(ctl) ^ 0x5bd1_e995);

    let (f1, ok1, d1) = decode_push(make(), stream, &whole);
    let (f2, ok2, d2) = decode_push(make(), stream, &cuts);
    let (f3, ok3) = decode_callback(make(), stream, &other);
    assert_eq!(f1, f2, "whole vs split");
    assert_eq!(f1, f3, "push vs callback");
    assert_eq!(ok1, ok2);
    assert_eq!(ok1, ok3);
    assert_eq!(d1.routing_info(), d2.routing_info());

    if ok1 && !d1.awaiting_intro() && (!server || !f1.is_empty()) {
        let mut enc = match (server, d1.routing_info()) {
            (false, _) => FrameEncoder::server(),
            (true, Some(r)) => match FrameEncoder::client_with_routing(r) {
                Ok(e) => e,
                Err(_) => return,
            },
            (true, None) => FrameEncoder::client(),
        };
        let mut out = Vec::new();
        for f in &f1 {
            assert!(enc.encode(f, &mut out).is_ok(), "decoded frame re-encodes");
        }
        let consumed = stream.len() - d1.buffered_len();
        assert_eq!(
            Some(&out[..]),
            stream.get(..consumed),
            "re-encoding differs"
        );
    }
}

// ---------------------------------------------------------------- Noise

/// Fixed keys and messages for `noise_handshake` (deterministic, so the
/// seed corpus made from [`noise_handshake_seeds`] stays valid).
struct NoiseFixture {
    client_e: crate::keys::KeyPair,
    client_s: crate::keys::KeyPair,
    server_e: crate::keys::KeyPair,
    server_s: crate::keys::KeyPair,
    chain: Vec<u8>,
    trust: crate::noise::TrustedRoot,
    client_hello: Vec<u8>,
}

/// Unix time the `noise_handshake` fixture verifies certificates at.
const FUZZ_NOW: u64 = 1_750_000_000;

fn noise_fixture() -> &'static NoiseFixture {
    use crate::keys::{KeyPair, PrivateKey};
    use rand_chacha::rand_core::SeedableRng;
    static FIXTURE: std::sync::OnceLock<NoiseFixture> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(|| {
        let key = |b: u8| KeyPair::from_private(PrivateKey::from_bytes([b; 32]));
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0xf022);
        let issuer = crate::noise::CertIssuer::new(key(1), key(2));
        let server_s = key(3);
        let chain = issuer.issue(
            &mut rng,
            &server_s.public,
            &crate::noise::ChainSpec::default(),
        );
        let client_e = key(5);
        let client_s = key(6);
        let client_hello = crate::noise::ClientHandshake::start_with_ephemeral(
            client_e.clone(),
            client_s.clone(),
            &crate::frame::WA_HEADER,
        )
        .map(|(_, hello)| hello)
        .unwrap_or_default();
        NoiseFixture {
            client_e,
            client_s,
            server_e: key(4),
            server_s,
            chain,
            trust: issuer.trusted_root(),
            client_hello,
        }
    })
}

fn fuzz_server(fx: &NoiseFixture) -> crate::noise::ServerHandshake {
    crate::noise::ServerHandshake::with_ephemeral(
        fx.server_e.clone(),
        fx.server_s.clone(),
        fx.chain.clone(),
        &crate::frame::WA_HEADER,
    )
}

/// Roles of `noise_handshake`, chosen by the first input byte.
const NOISE_MODES: [&str; 4] = [
    "server_hello",
    "client_hello",
    "client_finish",
    "cert_chain",
];

/// `noise_handshake`: the first byte picks what the rest is fed to (mode
/// `b % 4`): 0 the `ServerHello` for an initiator, 1 the `ClientHello` for a
/// responder, 2 the `ClientFinish` for a responder that read a valid hello,
/// 3 a certificate chain for [`crate::noise::TrustedRoot::verify`]. Keys are
/// fixed, so corpus seeds from [`noise_handshake_seeds`] reach the deep
/// paths.
pub fn noise_handshake(data: &[u8]) {
    use crate::noise::ClientHandshake;
    let Some((&mode, msg)) = data.split_first() else {
        return;
    };
    let fx = noise_fixture();
    match mode % 4 {
        0 => {
            if let Ok((client, _)) = ClientHandshake::start_with_ephemeral(
                fx.client_e.clone(),
                fx.client_s.clone(),
                &crate::frame::WA_HEADER,
            ) && let Ok((send, info)) = client.read_server_hello(msg, &fx.trust, FUZZ_NOW)
            {
                assert_eq!(info.static_key, fx.server_s.public);
                assert!(send.finish(b"fuzz").is_ok());
            }
        }
        1 => {
            let _ = fuzz_server(fx).read_client_hello(msg);
        }
        2 => {
            if let Ok((await_finish, _)) = fuzz_server(fx).read_client_hello(&fx.client_hello)
                && let Ok((_, client_static, _)) = await_finish.read_client_finish(msg)
            {
                assert_eq!(client_static, fx.client_s.public);
            }
        }
        _ => {
            if let Ok(chain) = fx.trust.verify(msg, &fx.server_s.public, FUZZ_NOW) {
                assert_eq!(chain.leaf.key, fx.server_s.public);
            }
        }
    }
}

/// Real messages of a fixture handshake as `noise_handshake` inputs (mode
/// byte + message), named by mode: the seed corpus.
pub fn noise_handshake_seeds() -> Vec<(&'static str, Vec<u8>)> {
    raw_noise_seeds()
        .into_iter()
        .filter_map(|(name, msg)| {
            let mode = NOISE_MODES.iter().position(|m| *m == name)?;
            let mut input = vec![u8::try_from(mode).ok()?];
            input.extend_from_slice(&msg);
            Some((name, input))
        })
        .collect()
}

/// The fixture handshake's messages by name.
fn raw_noise_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let fx = noise_fixture();
    let mut out = vec![
        ("client_hello", fx.client_hello.clone()),
        ("cert_chain", fx.chain.clone()),
    ];
    let Ok((client, _)) = crate::noise::ClientHandshake::start_with_ephemeral(
        fx.client_e.clone(),
        fx.client_s.clone(),
        &crate::frame::WA_HEADER,
    ) else {
        return out;
    };
    let Ok((server, server_hello)) = fuzz_server(fx).read_client_hello(&fx.client_hello) else {
        return out;
    };
    out.push(("server_hello", server_hello.clone()));
    if let Ok((send, _)) = client.read_server_hello(&server_hello, &fx.trust, FUZZ_NOW)
        && let Ok((_, finish)) = send.finish(b"\x08\x01\x18\x01")
        && server.read_client_finish(&finish).is_ok()
    {
        out.push(("client_finish", finish));
    }
    out
}
