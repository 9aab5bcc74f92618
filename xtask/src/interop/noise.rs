//! Interop suite `noise`: Baileys' client-side noise handler
//! (`makeNoiseHandler`, driven by `xtask/interop/noise.mjs`) connects over
//! loopback TCP to our responder (`wa_proto::noise::FramedServerHandshake`),
//! completes the handshake and exchanges frames of various sizes both ways.
//!
//! Checked on our side: the intro (both forms, the routing info must arrive
//! intact), the client static key and `ClientPayload` (echoed back, Baileys
//! compares), every client frame's content; on Baileys' side: the chain
//! verification against our test root, the echo, every server frame's
//! content, and the decrypted chain checked the way whatsmeow's
//! `verifyServerCert` does with libsignal-node's XEdDSA verifier (Baileys'
//! own check ignores signature results, see `noise.mjs`). Two negative
//! scenarios show the checks bite: a chain signed by another root (the
//! whatsmeow-style check refuses it), one certifying another key (likewise),
//! and one whose intermediate names another root serial (Baileys and the
//! whatsmeow-style check refuse it).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use wa_proto::keys::KeyPair;
use wa_proto::noise::{CertIssuer, ChainSpec, FramedServerHandshake, NoiseSocket, Step};

use super::node_script;

/// One connection of the suite.
struct Scenario {
    name: &'static str,
    routing: Option<&'static [u8]>,
    /// Which chain the server presents.
    chain: ChainKind,
    c2s: &'static [usize],
    s2c: &'static [usize],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ChainKind {
    /// Issued by the root Baileys trusts: must complete.
    Good,
    /// Issued by another root: Baileys must refuse.
    OtherRoot,
    /// Intermediate names root serial 5 (Baileys requires 0): must refuse.
    OtherRootSerial,
    /// Certifies a key other than the server static key.
    OtherLeafKey,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "plain",
        routing: None,
        chain: ChainKind::Good,
        c2s: &[0, 1, 17, 1000, 65_536, 3, 250, 70_000, 5],
        s2c: &[5, 0, 65_536, 1, 4096, 100_000, 77],
    },
    Scenario {
        name: "routing-info",
        routing: Some(b"\x08\x02\x12\x06edge-7"),
        chain: ChainKind::Good,
        c2s: &[64, 65_536, 2],
        s2c: &[65_536, 64, 0],
    },
    Scenario {
        name: "other-root",
        routing: None,
        chain: ChainKind::OtherRoot,
        c2s: &[],
        s2c: &[],
    },
    Scenario {
        name: "other-leaf-key",
        routing: None,
        chain: ChainKind::OtherLeafKey,
        c2s: &[],
        s2c: &[],
    },
    Scenario {
        name: "other-root-serial",
        routing: None,
        chain: ChainKind::OtherRootSerial,
        c2s: &[],
        s2c: &[],
    },
];

/// Deterministic frame contents, mirrored in `noise.mjs`.
fn pattern(dir: usize, i: usize, n: usize) -> Vec<u8> {
    (0..n)
        .map(|j| ((dir * 101 + i * 31 + j * 7 + (j >> 9)) & 0xff) as u8)
        .collect()
}

/// Wraps `content` in the smallest binary node Baileys' `decodeBinaryNode`
/// accepts: flags 0, LIST_8 of size 2 (tag + content), the tag as BINARY_8,
/// the content as BINARY_32 (tag values: docs/protocol facts, WABinary).
fn as_node(tag: &str, content: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = vec![0x00, 0xf8, 0x02, 0xfc, u8::try_from(tag.len())?];
    out.extend_from_slice(tag.as_bytes());
    out.push(0xfe);
    out.extend_from_slice(&u32::try_from(content.len())?.to_be_bytes());
    out.extend_from_slice(content);
    Ok(out)
}

/// Reads from `stream` until `f` returns `Some`, feeding every chunk to it.
fn read_until<T>(
    stream: &mut TcpStream,
    mut f: impl FnMut(&[u8]) -> anyhow::Result<Option<T>>,
) -> anyhow::Result<T> {
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = stream.read(&mut buf).context("read")?;
        if n == 0 {
            bail!("connection closed early");
        }
        if let Some(t) = f(&buf[..n])? {
            return Ok(t);
        }
    }
}

/// Collects `count` decrypted payloads from the socket; also returns the
/// most frames one read delivered.
fn read_payloads(
    stream: &mut TcpStream,
    socket: &mut NoiseSocket,
    count: usize,
) -> anyhow::Result<(Vec<Vec<u8>>, usize)> {
    let mut got = socket.handle_bytes(&[])?;
    let mut most = got.len();
    if got.len() >= count {
        return Ok((got, most));
    }
    read_until(stream, |bytes| {
        let new = socket.handle_bytes(bytes)?;
        most = most.max(new.len());
        got.extend(new);
        Ok((got.len() >= count).then(|| (std::mem::take(&mut got), most)))
    })
}

/// Serves one scenario on an accepted connection.
fn serve(
    mut stream: TcpStream,
    sc: &Scenario,
    rng: &mut ChaCha20Rng,
    trusted: &CertIssuer,
) -> anyhow::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(15)))?;
    stream.set_nodelay(true)?;
    let server_key = KeyPair::generate(rng);
    let issuer = match sc.chain {
        ChainKind::Good => trusted.clone(),
        ChainKind::OtherRoot => CertIssuer::generate(rng),
        ChainKind::OtherRootSerial => trusted.clone().with_root_serial(5),
        ChainKind::OtherLeafKey => trusted.clone(),
    };
    let certified = match sc.chain {
        ChainKind::OtherLeafKey => KeyPair::generate(rng).public,
        _ => server_key.public,
    };
    let chain = issuer.issue(rng, &certified, &ChainSpec::default());

    let mut hs = Some(FramedServerHandshake::new(rng, server_key, chain));
    let (await_finish, server_hello) = read_until(&mut stream, |bytes| {
        let Some(h) = hs.take() else {
            bail!("handshake state lost")
        };
        match h.handle_bytes(bytes)? {
            Step::Pending(h) => {
                hs = Some(h);
                Ok(None)
            }
            Step::Done(done) => Ok(Some(done)),
        }
    })
    .context("reading the intro and ClientHello")?;
    ensure!(
        await_finish.routing_info() == sc.routing,
        "routing info from the ED intro differs"
    );
    stream.write_all(&server_hello)?;

    if sc.chain != ChainKind::Good {
        // Baileys must refuse the chain and hang up without a ClientFinish.
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest)?;
        ensure!(
            rest.is_empty(),
            "client sent {} bytes after a chain it should refuse",
            rest.len()
        );
        return Ok(());
    }

    let mut state = Some(await_finish);
    let est = read_until(&mut stream, |bytes| {
        let Some(s) = state.take() else {
            bail!("handshake state lost")
        };
        match s.handle_bytes(bytes)? {
            Step::Pending(s) => {
                state = Some(s);
                Ok(None)
            }
            Step::Done(est) => Ok(Some(est)),
        }
    })
    .context("reading the ClientFinish")?;
    let mut socket = est.socket;
    ensure!(!est.client_payload.is_empty(), "empty client payload");

    // Echo the client's static key and payload; Baileys compares them.
    let mut echo = est.client_static.as_bytes().to_vec();
    echo.extend_from_slice(&est.client_payload);
    stream.write_all(&socket.encrypt_frame(&as_node("echo", &echo)?)?)?;

    let (got, most_per_read) = read_payloads(&mut stream, &mut socket, sc.c2s.len())?;
    // The client wrote half of its frames in one write: the decoder must
    // have taken several frames out of one chunk.
    ensure!(
        sc.c2s.len() < 4 || most_per_read >= 2,
        "never saw several frames in one read"
    );
    ensure!(
        got.len() == sc.c2s.len(),
        "expected {} frames, got {}",
        sc.c2s.len(),
        got.len()
    );
    for (i, (payload, &n)) in got.iter().zip(sc.c2s).enumerate() {
        ensure!(
            *payload == pattern(1, i, n),
            "client frame {i} ({n} bytes) differs"
        );
    }

    // All server frames in one TCP write.
    let mut wire = Vec::new();
    for (i, &n) in sc.s2c.iter().enumerate() {
        socket.encrypt_frame_into(&as_node("x", &pattern(2, i, n))?, &mut wire)?;
    }
    stream.write_all(&wire)?;

    let (bye, _) = read_payloads(&mut stream, &mut socket, 1)?;
    ensure!(bye == [b"bye".to_vec()], "expected the final 'bye' frame");
    Ok(())
}

/// Runs the suite.
pub(crate) fn run() -> anyhow::Result<()> {
    let mut rng = ChaCha20Rng::seed_from_u64(0x006e_6f69_7365);
    let trusted = CertIssuer::generate(&mut rng);
    let root_hex = hex::encode(trusted.root_public().as_bytes());

    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    listener.set_nonblocking(true)?;
    let server = std::thread::spawn(move || -> anyhow::Result<usize> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut served = 0;
        for sc in SCENARIOS {
            let stream = loop {
                match listener.accept() {
                    Ok((s, _)) => break s,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        ensure!(Instant::now() < deadline, "no connection for {}", sc.name);
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(e) => return Err(e.into()),
                }
            };
            stream.set_nonblocking(false)?;
            serve(stream, sc, &mut rng, &trusted)
                .with_context(|| format!("server, {}", sc.name))?;
            served += 1;
        }
        Ok(served)
    });

    let config = serde_json::json!({
        "port": port,
        "root_hex": root_hex,
        "scenarios": SCENARIOS.iter().map(|sc| serde_json::json!({
            "name": sc.name,
            "routing_hex": sc.routing.map(hex::encode),
            "expect": if sc.chain == ChainKind::Good { "ok" } else { "reject" },
            "c2s": sc.c2s,
            "s2c": sc.s2c,
        })).collect::<Vec<_>>(),
    });
    let node = node_script("noise.mjs", &[&config.to_string()]);
    let served = server
        .join()
        .map_err(|_| anyhow::anyhow!("server thread panicked"))?;
    let out = node?;
    let served = served?;
    ensure!(served == SCENARIOS.len(), "served {served} scenarios");

    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    ensure!(
        lines.len() == SCENARIOS.len(),
        "node printed {} results",
        lines.len()
    );
    for (sc, line) in SCENARIOS.iter().zip(&lines) {
        ensure!(line["name"] == sc.name, "result order");
        let independent = line["independent"].as_str().unwrap_or_default();
        let baileys = line["baileys"].as_str().unwrap_or_default();
        match sc.chain {
            ChainKind::Good => {
                ensure!(
                    line["ok"] == true && baileys == "accepted" && independent == "verified",
                    "{}: {line}",
                    sc.name
                );
                // Fewer TCP chunks than frames: Baileys' decodeFrame split
                // several frames out of one chunk.
                let chunks = line["tcp_chunks_in"].as_u64().unwrap_or(u64::MAX);
                let frames = line["received"].as_u64().unwrap_or(0) + 1;
                ensure!(
                    sc.s2c.len() < 4 || chunks < frames,
                    "{}: Baileys never got several frames in one chunk: {line}",
                    sc.name
                );
            }
            // Baileys itself lets this through (see noise.mjs): only the
            // whatsmeow-style check with libsignal's verifier catches it.
            ChainKind::OtherRoot => ensure!(
                independent == "intermediate signature invalid",
                "{}: {line}",
                sc.name
            ),
            ChainKind::OtherLeafKey => ensure!(
                independent == "leaf key is not the server static key",
                "{}: {line}",
                sc.name
            ),
            ChainKind::OtherRootSerial => ensure!(
                baileys.contains("certification match failed")
                    && independent == "intermediate issuer serial",
                "{}: {line}",
                sc.name
            ),
        }
        eprintln!("  noise/{}: {line}", sc.name);
    }
    Ok(())
}
