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

use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use anyhow::{Context, anyhow, bail, ensure};
use base64::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{Value, json};
use wa_proto::keys::{KeyPair, PublicKey};
use wa_proto::signal::*;

use super::{ensure_oracle, node_script};
use crate::util::root;

/// Messages per conversation.
const CONVERSATION_LEN: usize = 1200;
/// Messages per sender-key direction.
const GROUP_LEN: usize = 600;
/// Out-of-order window: a delivery picks one of the oldest WINDOW messages.
const WINDOW: usize = 6;
const NODE_DEVICE: u32 = 1;
const RUST_DEVICE: u32 = 2;

fn b64(b: &[u8]) -> String {
    BASE64_STANDARD.encode(b)
}

fn unb(v: &Value) -> anyhow::Result<Vec<u8>> {
    let s = v
        .as_str()
        .ok_or_else(|| anyhow!("expected a base64 string, got {v}"))?;
    Ok(BASE64_STANDARD.decode(s)?)
}

/// The node peer process.
struct Node {
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
    fn call_raw(&mut self, req: Value) -> anyhow::Result<Value> {
        writeln!(self.stdin, "{req}")?;
        self.stdin.flush()?;
        let mut line = String::new();
        ensure!(self.stdout.read_line(&mut line)? > 0, "node exited");
        Ok(serde_json::from_str(&line)?)
    }

    /// Sends one request; a node-side error is an error.
    fn call(&mut self, req: Value) -> anyhow::Result<Value> {
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

fn random_bytes(rng: &mut ChaCha20Rng, max: usize) -> Vec<u8> {
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

/// Our party in a pairwise conversation.
struct RustSide {
    id: LocalIdentity,
    record: SessionRecord,
    spk: SignedPreKey,
    pre_keys: HashMap<u32, PreKey>,
    next_pre_key: u32,
}

struct InFlight {
    kind: MessageType,
    bytes: Vec<u8>,
    plaintext: Vec<u8>,
}

struct Conversation {
    node_name: String,
    rust_name: String,
    rust: RustSide,
    node_identity: PublicKey,
    rust_initiates: bool,
    /// Hold our sends until libsignal's new pkmsg arrives (see `run`).
    rust_hold: bool,
    /// Queues towards each side.
    to_rust: Vec<InFlight>,
    to_node: Vec<InFlight>,
    delivered_to_rust: Vec<Vec<u8>>,
    delivered_to_node: Vec<InFlight>,
    dropped: Vec<(bool, InFlight)>,
}

#[derive(Default)]
struct Stats {
    sent: [usize; 2],
    decrypted: [usize; 2],
    pkmsg: usize,
    dropped: usize,
    replays: usize,
    tampered: usize,
    rekeys: usize,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rust→libsignal {}/{} decrypted, libsignal→rust {}/{} ({} pkmsg, {} dropped then \
             delivered late, {} replays and {} tampered copies rejected, {} re-key)",
            self.decrypted[0],
            self.sent[0],
            self.decrypted[1],
            self.sent[1],
            self.pkmsg,
            self.dropped,
            self.replays,
            self.tampered,
            self.rekeys
        )
    }
}

fn bundle_from_json(b: &Value) -> anyhow::Result<PreKeyBundle> {
    let num = |k: &str| -> anyhow::Result<u32> {
        b[k].as_u64()
            .map(|v| v as u32)
            .ok_or_else(|| anyhow!("bundle.{k}"))
    };
    let sig = unb(&b["spk_sig"])?;
    Ok(PreKeyBundle {
        registration_id: num("registration_id")?,
        identity_key: PublicKey::deserialize(&unb(&b["identity"])?)?,
        signed_pre_key_id: num("spk_id")?,
        signed_pre_key: PublicKey::deserialize(&unb(&b["spk"])?)?,
        signed_pre_key_signature: sig.try_into().map_err(|_| anyhow!("signature length"))?,
        pre_key: match b["pk_id"].as_u64() {
            Some(id) => Some((id as u32, PublicKey::deserialize(&unb(&b["pk"])?)?)),
            None => None,
        },
    })
}

fn bundle_to_json(b: &PreKeyBundle) -> Value {
    json!({
        "registration_id": b.registration_id,
        "identity": b64(&b.identity_key.serialize()),
        "spk_id": b.signed_pre_key_id,
        "spk": b64(&b.signed_pre_key.serialize()),
        "spk_sig": b64(&b.signed_pre_key_signature),
        "pk_id": b.pre_key.map(|(id, _)| id),
        "pk": b.pre_key.map(|(_, k)| b64(&k.serialize())),
    })
}

impl Conversation {
    fn setup(
        node: &mut Node,
        rng: &mut ChaCha20Rng,
        n: usize,
        rust_initiates: bool,
        one_time: bool,
    ) -> anyhow::Result<Self> {
        let node_name = format!("node{n}");
        let rust_name = format!("rust{n}");
        let reply = node.call(json!({"op": "new_party", "name": node_name}))?;
        let node_identity = PublicKey::deserialize(&unb(&reply["identity"])?)?;
        let id = LocalIdentity::generate(rng);
        let spk = SignedPreKey::generate(&id.key_pair, 1, rng);
        let mut c = Self {
            node_name,
            rust_name,
            rust: RustSide {
                id,
                record: SessionRecord::new(),
                spk,
                pre_keys: HashMap::new(),
                next_pre_key: 100,
            },
            node_identity,
            rust_initiates,
            rust_hold: false,
            to_rust: vec![],
            to_node: vec![],
            delivered_to_rust: vec![],
            delivered_to_node: vec![],
            dropped: vec![],
        };
        c.initiate(node, rng, one_time)?;
        Ok(c)
    }

    /// (Re-)starts the session from the initiator's side with a fresh bundle.
    fn initiate(
        &mut self,
        node: &mut Node,
        rng: &mut ChaCha20Rng,
        one_time: bool,
    ) -> anyhow::Result<()> {
        if self.rust_initiates {
            let pk_id = one_time.then_some(self.rust.next_pre_key);
            self.rust.next_pre_key += 1;
            let b = node.call(
                json!({"op": "make_bundle", "name": self.node_name, "spk_id": 7, "pk_id": pk_id}),
            )?;
            let bundle = bundle_from_json(&b)?;
            process_prekey_bundle(
                &mut self.rust.record,
                &self.rust.id,
                Some(&self.node_identity),
                &bundle,
                rng,
            )?;
        } else {
            let pk = one_time.then(|| PreKey::generate(self.rust.next_pre_key, rng));
            self.rust.next_pre_key += 1;
            let bundle = PreKeyBundle::new(&self.rust.id, &self.rust.spk, pk.as_ref());
            if let Some(pk) = pk {
                self.rust.pre_keys.insert(pk.id, pk);
            }
            node.call(
                json!({"op": "init_outgoing", "name": self.node_name, "peer": self.rust_name,
                "device": RUST_DEVICE, "bundle": bundle_to_json(&bundle)}),
            )?;
        }
        Ok(())
    }

    fn node_can_send(&self, node: &mut Node) -> anyhow::Result<bool> {
        let r = node.call(json!({"op": "has_session", "name": self.node_name, "peer": self.rust_name, "device": RUST_DEVICE}))?;
        Ok(r["open"] == json!(true))
    }

    fn run(&mut self, node: &mut Node, rng: &mut ChaCha20Rng) -> anyhow::Result<Stats> {
        let mut st = Stats::default();
        let rekey_at = CONVERSATION_LEN / 2;
        while st.sent[0] + st.sent[1] < CONVERSATION_LEN {
            if st.rekeys == 0 && st.sent[0] + st.sent[1] >= rekey_at {
                // libsignal-node cannot take a message of an older session
                // once it has a newer one: it tries the newer session first,
                // and the ratchet step of that failed attempt is stored with
                // the record (session_cipher.js decryptWithSessions). So let
                // everything in flight to libsignal arrive first, and while
                // libsignal is the one re-keying, do not send until its new
                // pkmsg has reached us. Its old-session messages stay in
                // flight to us: we decrypt them with the archived state.
                let (late_to_node, late_to_rust) = std::mem::take(&mut self.dropped)
                    .into_iter()
                    .partition(|(to_rust, _)| !to_rust);
                self.dropped = late_to_rust;
                self.to_node
                    .extend(late_to_node.into_iter().map(|(_, m): (bool, InFlight)| m));
                while !self.to_node.is_empty() {
                    self.deliver_to_node(node, rng, &mut st, false)?;
                }
                let one_time = rng.random_bool(0.5);
                self.initiate(node, rng, one_time)?;
                self.rust_hold = !self.rust_initiates;
                st.rekeys += 1;
            }
            let rust_can_send = self.rust.record.has_current_session() && !self.rust_hold;
            match rng.random_range(0..100) {
                0..25 if rust_can_send => self.rust_send(rng, &mut st)?,
                25..50 if self.node_can_send(node)? => self.node_send(node, rng, &mut st)?,
                50..75 if !self.to_rust.is_empty() => self.deliver_to_rust(rng, &mut st)?,
                75..100 if !self.to_node.is_empty() => {
                    self.deliver_to_node(node, rng, &mut st, true)?
                }
                _ => {}
            }
        }
        // Everything still queued or dropped arrives in the end.
        for (to_rust, m) in std::mem::take(&mut self.dropped) {
            if to_rust {
                self.to_rust.push(m)
            } else {
                self.to_node.push(m)
            }
        }
        while !self.to_rust.is_empty() || !self.to_node.is_empty() {
            if !self.to_rust.is_empty() {
                self.deliver_to_rust(rng, &mut st)?;
            }
            if !self.to_node.is_empty() {
                self.deliver_to_node(node, rng, &mut st, true)?;
            }
        }
        ensure!(self.dropped.is_empty(), "late drop after the end");
        ensure!(
            st.decrypted == st.sent,
            "not every message was decrypted: {st}"
        );
        Ok(st)
    }

    fn rust_send(&mut self, rng: &mut ChaCha20Rng, st: &mut Stats) -> anyhow::Result<()> {
        let plaintext = random_bytes(rng, 160);
        let m = encrypt(&mut self.rust.record, &self.rust.id, &plaintext)?;
        st.pkmsg += usize::from(m.kind == MessageType::PreKey);
        st.sent[0] += 1;
        self.to_node.push(InFlight {
            kind: m.kind,
            bytes: m.bytes,
            plaintext,
        });
        Ok(())
    }

    fn node_send(
        &mut self,
        node: &mut Node,
        rng: &mut ChaCha20Rng,
        st: &mut Stats,
    ) -> anyhow::Result<()> {
        let plaintext = random_bytes(rng, 160);
        let r = node.call(
            json!({"op": "encrypt", "name": self.node_name, "peer": self.rust_name,
            "device": RUST_DEVICE, "pt": b64(&plaintext)}),
        )?;
        let kind = if r["type"] == "pkmsg" {
            MessageType::PreKey
        } else {
            MessageType::Whisper
        };
        st.pkmsg += usize::from(kind == MessageType::PreKey);
        st.sent[1] += 1;
        self.to_rust.push(InFlight {
            kind,
            bytes: unb(&r["body"])?,
            plaintext,
        });
        Ok(())
    }

    /// Picks a message among the oldest WINDOW, or drops it until the end.
    fn pick(queue: &mut Vec<InFlight>, rng: &mut ChaCha20Rng) -> InFlight {
        let i = rng.random_range(0..queue.len().min(WINDOW));
        queue.remove(i)
    }

    fn rust_decrypt(&mut self, m: &InFlight, rng: &mut ChaCha20Rng) -> wa_proto::Result<Vec<u8>> {
        let known = Some(&self.node_identity);
        match m.kind {
            MessageType::Whisper => {
                decrypt(&mut self.rust.record, &self.rust.id, known, &m.bytes, rng)
            }
            MessageType::PreKey => {
                let parsed = PreKeySignalMessage::parse(&m.bytes)?;
                let keys = ResponderKeys {
                    signed_pre_key: Some(&self.rust.spk),
                    one_time_pre_key: parsed.pre_key_id.and_then(|id| self.rust.pre_keys.get(&id)),
                };
                let out = decrypt_prekey_message(
                    &mut self.rust.record,
                    &self.rust.id,
                    known,
                    &parsed,
                    keys,
                    rng,
                )?;
                if let Some(id) = out.used_pre_key_id {
                    self.rust.pre_keys.remove(&id);
                }
                if out.new_session {
                    self.rust_hold = false;
                }
                Ok(out.plaintext)
            }
        }
    }

    fn deliver_to_rust(&mut self, rng: &mut ChaCha20Rng, st: &mut Stats) -> anyhow::Result<()> {
        let m = Self::pick(&mut self.to_rust, rng);
        if rng.random_bool(0.03) && st.sent[0] + st.sent[1] < CONVERSATION_LEN {
            st.dropped += 1;
            self.dropped.push((true, m));
            return Ok(());
        }
        if rng.random_bool(0.03) {
            let mut bad = m.bytes.clone();
            let i = rng.random_range(0..bad.len());
            bad[i] ^= 1 << rng.random_range(0..8);
            let tampered = InFlight {
                kind: m.kind,
                bytes: bad,
                plaintext: vec![],
            };
            let before = self.rust.record.to_bytes();
            ensure!(
                self.rust_decrypt(&tampered, rng).is_err(),
                "we accepted a tampered message"
            );
            ensure!(
                self.rust.record.to_bytes() == before,
                "a tampered message changed our record"
            );
            st.tampered += 1;
        }
        let pt = self.rust_decrypt(&m, rng).map_err(|e| {
            let info = match m.kind {
                MessageType::Whisper => SignalMessage::parse(&m.bytes).map(|p| format!("{p:?}")),
                MessageType::PreKey => {
                    PreKeySignalMessage::parse(&m.bytes).map(|p| format!("{p:?}"))
                }
            };
            anyhow!(
                "we failed to decrypt {:?}: {e} (sent {:?}, rekeys {}, {info:?}, record {:?})",
                m.kind,
                st.sent,
                st.rekeys,
                self.rust.record
            )
        })?;
        ensure!(pt == m.plaintext, "plaintext mismatch (libsignal → rust)");
        st.decrypted[1] += 1;
        if m.kind == MessageType::Whisper {
            self.delivered_to_rust.push(m.bytes);
        }
        if rng.random_bool(0.02) && !self.delivered_to_rust.is_empty() {
            // A recent one: very old chains are forgotten, and a replay
            // on them fails the MAC instead.
            let n = self.delivered_to_rust.len();
            let i = rng.random_range(n.saturating_sub(8)..n);
            let old = InFlight {
                kind: MessageType::Whisper,
                bytes: self.delivered_to_rust[i].clone(),
                plaintext: vec![],
            };
            match self.rust_decrypt(&old, rng) {
                Err(wa_proto::Error::DuplicateMessage(_)) => st.replays += 1,
                other => bail!("replay to rust: expected DuplicateMessage, got {other:?}"),
            }
        }
        Ok(())
    }

    fn node_decrypt(&self, node: &mut Node, m: &InFlight) -> anyhow::Result<Value> {
        node.call_raw(
            json!({"op": "decrypt", "name": self.node_name, "peer": self.rust_name,
            "device": RUST_DEVICE, "type": m.kind.enc_type(), "body": b64(&m.bytes)}),
        )
    }

    fn deliver_to_node(
        &mut self,
        node: &mut Node,
        rng: &mut ChaCha20Rng,
        st: &mut Stats,
        may_drop: bool,
    ) -> anyhow::Result<()> {
        let m = Self::pick(&mut self.to_node, rng);
        if may_drop && rng.random_bool(0.03) && st.sent[0] + st.sent[1] < CONVERSATION_LEN {
            st.dropped += 1;
            self.dropped.push((false, m));
            return Ok(());
        }
        if rng.random_bool(0.03) {
            let mut bad = m.bytes.clone();
            let i = rng.random_range(1..bad.len());
            bad[i] ^= 1 << rng.random_range(0..8);
            let tampered = InFlight {
                kind: m.kind,
                bytes: bad,
                plaintext: vec![],
            };
            let r = self.node_decrypt(node, &tampered)?;
            ensure!(
                r.get("error").is_some(),
                "libsignal accepted a tampered message"
            );
            st.tampered += 1;
        }
        let r = self.node_decrypt(node, &m)?;
        if let Some(e) = r.get("error") {
            bail!("libsignal failed to decrypt our {}: {e}", m.kind.enc_type());
        }
        ensure!(
            unb(&r["pt"])? == m.plaintext,
            "plaintext mismatch (rust → libsignal)"
        );
        st.decrypted[0] += 1;
        if rng.random_bool(0.02) && !self.delivered_to_node.is_empty() {
            let i = rng.random_range(0..self.delivered_to_node.len());
            // libsignal rejects any replay (it keeps every chain).
            let r = self.node_decrypt(node, &self.delivered_to_node[i])?;
            ensure!(
                r.get("error").is_some(),
                "libsignal accepted a replayed message"
            );
            st.replays += 1;
        }
        if m.kind == MessageType::Whisper {
            self.delivered_to_node.push(m);
        }
        Ok(())
    }
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
