//! `cargo xtask interop signal`: our `wa_proto::signal` against libsignal
//! 6.0.0 (sessions, XEdDSA) and Baileys' `lib/Signal/Group` (sender keys).
//!
//! The node side (`xtask/interop/signal.mjs`) is one long-running process
//! speaking JSON lines; this driver plays our side in-process, so a
//! conversation can interleave steps freely. The schedule (who sends, which
//! message is delivered when, which is dropped, replayed or tampered with)
//! comes from a seeded RNG: `SIGNAL_INTEROP_SEED=<n>` reproduces a run.
//! libsignal draws its own keys, so key material differs between runs.
//!
//! Checks: the committed known-answer vectors still come out of the oracle;
//! XEdDSA both ways (and tampered signatures rejected both ways);
//! session setup both ways, with and without a one-time prekey; per setup a
//! randomized conversation of 1 200 messages with interleaved replies,
//! out-of-order delivery, drops (delivered at the end), replays and tampered
//! copies (rejected, without harming the session), and a mid-conversation
//! re-key with messages of the old session still in flight; sender keys both
//! ways with out-of-order delivery. Every plaintext is compared.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use anyhow::{Context, anyhow, bail, ensure};
use base64::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{Value, json};
use wa_proto::keys::{KeyPair, PublicKey};
use wa_proto::signal::*;

mod conversation;

use super::{ensure_oracle, node_script};
use crate::util::root;
use conversation::Conversation;

/// Messages per conversation.
pub(super) const CONVERSATION_LEN: usize = 1200;
/// Messages per sender-key direction.
const GROUP_LEN: usize = 600;
/// Out-of-order window: a delivery picks one of the oldest WINDOW messages.
pub(super) const WINDOW: usize = 6;
const NODE_DEVICE: u32 = 1;
pub(super) const RUST_DEVICE: u32 = 2;

pub(super) fn b64(b: &[u8]) -> String {
    BASE64_STANDARD.encode(b)
}

pub(super) fn unb(v: &Value) -> anyhow::Result<Vec<u8>> {
    let s = v
        .as_str()
        .ok_or_else(|| anyhow!("expected a base64 string, got {v}"))?;
    Ok(BASE64_STANDARD.decode(s)?)
}

/// The node peer process.
pub(super) struct Node {
    child: Child,
    stdin: BufWriter<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Node {
    fn spawn() -> anyhow::Result<Self> {
        let dir = ensure_oracle()?;
        let mut child = Command::new("node")
            .arg(root().join("xtask/interop/signal.mjs"))
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting node")?;
        let stdin = BufWriter::new(child.stdin.take().context("node stdin")?);
        let stdout = BufReader::new(child.stdout.take().context("node stdout")?);
        Ok(Self {
            child,
            stdin,
            stdout,
        })
    }

    /// Sends one request; returns the reply, which may be `{"error": ...}`.
    pub(super) fn call_raw(&mut self, req: Value) -> anyhow::Result<Value> {
        writeln!(self.stdin, "{req}")?;
        self.stdin.flush()?;
        let mut line = String::new();
        ensure!(self.stdout.read_line(&mut line)? > 0, "node exited");
        Ok(serde_json::from_str(&line)?)
    }

    /// Sends one request; a node-side error is an error.
    pub(super) fn call(&mut self, req: Value) -> anyhow::Result<Value> {
        let op = req["op"].clone();
        let reply = self.call_raw(req)?;
        if let Some(e) = reply.get("error") {
            bail!("node {op} failed: {e}");
        }
        Ok(reply)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn run() -> anyhow::Result<()> {
    let seed: u64 = match std::env::var("SIGNAL_INTEROP_SEED") {
        Ok(s) => s.parse().context("SIGNAL_INTEROP_SEED")?,
        Err(_) => 0x0051_67a1,
    };
    eprintln!("signal interop: seed {seed} (set SIGNAL_INTEROP_SEED to reproduce)");
    vectors()?;
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut node = Node::spawn()?;
    xeddsa(&mut node, &mut rng)?;
    let mut n = 0;
    for rust_initiates in [true, false] {
        for one_time in [true, false] {
            n += 1;
            let mut c = Conversation::setup(&mut node, &mut rng, n, rust_initiates, one_time)?;
            let stats = c.run(&mut node, &mut rng)?;
            eprintln!(
                "  session {} initiator, {} one-time prekey: {stats}",
                if rust_initiates { "rust" } else { "libsignal" },
                if one_time { "with" } else { "without" },
            );
        }
    }
    group_node_to_rust(&mut node, &mut rng)?;
    group_rust_to_node(&mut node, &mut rng)?;
    Ok(())
}

/// The committed known-answer vectors are what the oracle computes today.
fn vectors() -> anyhow::Result<()> {
    let fresh: Value = serde_json::from_str(&node_script("signal-vectors.mjs", &[])?)?;
    let path = root().join("crates/wa-proto/tests/vectors/signal.json");
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    ensure!(
        fresh == committed,
        "{} is stale: regenerate it with xtask/interop/signal-vectors.mjs",
        path.display()
    );
    eprintln!("  known-answer vectors: libsignal/Baileys reproduce tests/vectors/signal.json");
    Ok(())
}

pub(super) fn random_bytes(rng: &mut ChaCha20Rng, max: usize) -> Vec<u8> {
    let len = rng.random_range(0..=max);
    (0..len).map(|_| rng.random()).collect()
}

fn xeddsa(node: &mut Node, rng: &mut ChaCha20Rng) -> anyhow::Result<()> {
    for i in 0..40 {
        let msg = random_bytes(rng, 200);
        // Ours signs, libsignal verifies.
        let kp = KeyPair::generate(rng);
        let sig = kp.sign(&msg, rng);
        let pubk = b64(&kp.public.serialize());
        let ok = node.call(
            json!({"op": "xeddsa_verify", "pub": pubk, "msg": b64(&msg), "sig": b64(&sig)}),
        )?;
        ensure!(
            ok["valid"] == json!(true),
            "libsignal rejected our signature #{i}"
        );
        let mut bad = sig;
        bad[i % 64] ^= 0x10;
        let no = node.call(
            json!({"op": "xeddsa_verify", "pub": pubk, "msg": b64(&msg), "sig": b64(&bad)}),
        )?;
        ensure!(
            no["valid"] == json!(false),
            "libsignal accepted a tampered signature #{i}"
        );
        // libsignal signs, ours verifies.
        let k = node.call(json!({"op": "xeddsa_keypair"}))?;
        let s = node.call(json!({"op": "xeddsa_sign", "priv": k["priv"], "msg": b64(&msg)}))?;
        let their = PublicKey::deserialize(&unb(&k["pub"])?)?;
        let mut sig = unb(&s["sig"])?;
        ensure!(
            their.verify(&msg, &sig),
            "we rejected libsignal's signature #{i}"
        );
        sig[(i * 7) % 64] ^= 0x01;
        ensure!(
            !their.verify(&msg, &sig),
            "we accepted a tampered signature #{i}"
        );
    }
    eprintln!("  xeddsa: 40 signatures each way verified, tampered ones rejected");
    Ok(())
}

/// Shuffles within a sliding window and drops some until the end.
fn delivery_order(n: usize, rng: &mut ChaCha20Rng) -> (Vec<usize>, usize) {
    let mut pending: Vec<usize> = (0..n).collect();
    let mut order = Vec::with_capacity(n);
    let mut late = Vec::new();
    while !pending.is_empty() {
        let i = rng.random_range(0..pending.len().min(WINDOW * 2));
        let m = pending.remove(i);
        if rng.random_bool(0.04) {
            late.push(m)
        } else {
            order.push(m)
        }
    }
    let dropped = late.len();
    order.extend(late);
    (order, dropped)
}

fn group_node_to_rust(node: &mut Node, rng: &mut ChaCha20Rng) -> anyhow::Result<()> {
    let group = "120363000000000001@g.us";
    node.call(json!({"op": "new_party", "name": "gnode"}))?;
    let r = node.call(
        json!({"op": "group_create", "name": "gnode", "device": NODE_DEVICE, "group": group}),
    )?;
    let mut record = SenderKeyRecord::new();
    process_distribution_message(
        &mut record,
        &SenderKeyDistributionMessage::parse(&unb(&r["skdm"])?)?,
    );
    let mut msgs = Vec::with_capacity(GROUP_LEN);
    for i in 0..GROUP_LEN {
        let pt = random_bytes(rng, 200);
        let r = node.call(json!({"op": "group_encrypt", "name": "gnode", "device": NODE_DEVICE, "group": group, "pt": b64(&pt)}))?;
        msgs.push((unb(&r["body"])?, pt));
        if i == GROUP_LEN / 2 {
            // A repeated SKDM (Baileys re-sends it) must not disturb the chain.
            let r = node.call(json!({"op": "group_create", "name": "gnode", "device": NODE_DEVICE, "group": group}))?;
            process_distribution_message(
                &mut record,
                &SenderKeyDistributionMessage::parse(&unb(&r["skdm"])?)?,
            );
        }
    }
    let (order, dropped) = delivery_order(msgs.len(), rng);
    let mut replays = 0;
    for (k, i) in order.into_iter().enumerate() {
        let (ct, pt) = &msgs[i];
        let got =
            group_decrypt(&mut record, ct).map_err(|e| anyhow!("skmsg {i} from Baileys: {e}"))?;
        ensure!(
            &got == pt,
            "group plaintext mismatch (Baileys → rust) at {i}"
        );
        if k % 50 == 0 {
            ensure!(
                matches!(
                    group_decrypt(&mut record, ct),
                    Err(wa_proto::Error::DuplicateMessage(_))
                ),
                "group replay accepted"
            );
            replays += 1;
        }
    }
    eprintln!(
        "  sender keys Baileys → rust: {GROUP_LEN} decrypted out of order ({dropped} late, {replays} replays rejected)"
    );
    Ok(())
}

fn group_rust_to_node(node: &mut Node, rng: &mut ChaCha20Rng) -> anyhow::Result<()> {
    let group = "120363000000000002@g.us";
    node.call(json!({"op": "new_party", "name": "gmember"}))?;
    let mut own = SenderKeyRecord::new();
    let skdm = create_distribution_message(&mut own, rng)?;
    node.call(
        json!({"op": "group_process", "name": "gmember", "group": group, "sender": "grust",
        "device": RUST_DEVICE, "skdm": b64(&skdm.serialize())}),
    )?;
    let mut msgs = Vec::with_capacity(GROUP_LEN);
    for _ in 0..GROUP_LEN {
        let pt = random_bytes(rng, 200);
        msgs.push((group_encrypt(&mut own, &pt, rng)?, pt));
    }
    let (order, dropped) = delivery_order(msgs.len(), rng);
    let (mut tampered, mut replays) = (0, 0);
    let call = |node: &mut Node, body: &[u8]| {
        node.call_raw(
            json!({"op": "group_decrypt", "name": "gmember", "group": group, "sender": "grust",
            "device": RUST_DEVICE, "body": b64(body)}),
        )
    };
    for (k, i) in order.into_iter().enumerate() {
        let (ct, pt) = &msgs[i];
        if k % 40 == 0 {
            let mut bad = ct.clone();
            let j = rng.random_range(1..bad.len());
            bad[j] ^= 0x20;
            ensure!(
                call(node, &bad)?.get("error").is_some(),
                "Baileys accepted a tampered skmsg"
            );
            tampered += 1;
        }
        let r = call(node, ct)?;
        if let Some(e) = r.get("error") {
            bail!("Baileys failed to decrypt our skmsg {i}: {e}");
        }
        ensure!(
            &unb(&r["pt"])? == pt,
            "group plaintext mismatch (rust → Baileys) at {i}"
        );
        if k % 50 == 0 {
            ensure!(
                call(node, ct)?.get("error").is_some(),
                "Baileys accepted a replayed skmsg"
            );
            replays += 1;
        }
    }
    eprintln!(
        "  sender keys rust → Baileys: {GROUP_LEN} decrypted out of order ({dropped} late, \
         {tampered} tampered and {replays} replays rejected)"
    );
    Ok(())
}
