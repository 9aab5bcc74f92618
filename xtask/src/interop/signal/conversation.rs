//! The pairwise part of the signal interop suite: one randomized
//! conversation between our `wa_proto::signal` and libsignal-node.

use std::collections::HashMap;

use anyhow::{anyhow, bail, ensure};
use rand::RngExt;
use rand_chacha::ChaCha20Rng;
use serde_json::{Value, json};
use wa_proto::keys::PublicKey;
use wa_proto::signal::*;

use super::{CONVERSATION_LEN, Node, RUST_DEVICE, WINDOW, b64, random_bytes, unb};

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

pub(super) struct Conversation {
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
pub(super) struct Stats {
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
    pub(super) fn setup(
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

    pub(super) fn run(&mut self, node: &mut Node, rng: &mut ChaCha20Rng) -> anyhow::Result<Stats> {
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
