//! Interop suite `sim-client`: OUR client (`wa_session::Client`) and an
//! unmodified Baileys client exchange messages through the `wa-sim` binary.
//!
//! Accounts: A (our client, linked by QR from `Event::Qr` through
//! `POST /sim/accounts/A/link`), B (Baileys, linked by QR inside
//! `xtask/interop/sim-client.mjs`) and C (a virtual phone, owner of the
//! group). The Baileys driver is a long-running child answering JSON
//! commands line by line (see the script's header); this file drives both
//! sides and checks every message on the receiving side:
//! 1. our client → Baileys, 1:1 text: Baileys decrypts it, same id and text,
//!    chat is A;
//! 2. Baileys → our client, 1:1 text: `Event::Message` with the same id,
//!    body, chat B, and the raw `wa.Message` carries the text;
//! 3. group (owner C, members A and B): our text reaches Baileys (group jid,
//!    participant A) and phone C; Baileys' text reaches our client (chat is
//!    the group, sender B);
//! 4. reactions: ours to Baileys' message (Baileys sees a reaction with the
//!    target id and emoji), Baileys' to ours (our raw decodes to a
//!    `reactionMessage` with the target id and emoji);
//! 5. images: Baileys → our client (the received `imageMessage` fields, then
//!    the blob downloaded from the sim and decrypted with `wa_proto::media`:
//!    length and SHA-256 of the original PNG); our client → Baileys (our own
//!    `media_conn` iq, encryption with `wa_proto::media`, upload to the sim's
//!    `/mms/image`; Baileys' `downloadMediaMessage` yields the original
//!    bytes).
//!
//! The sim serves plain HTTP and TLS on one port, so this Rust side uploads
//! and downloads media over plain HTTP; Baileys uses HTTPS with the sim's CA.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use base64::Engine as _;
use prost::Message as _;
use serde_json::{Value, json};
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::keys::PublicKey;
use wa_proto::media::{ExpectedMedia, MediaType};
use wa_proto::noise::TrustedRoot;
use wa_proto::proto::wa;
use wa_session::store::{SqliteOptions, SqliteStore, Store, StoredMessage};
use wa_session::{Client, Event, EventStream};

use super::ensure_oracle;
use crate::load::sim_proc::{Control, SimProcess};
use crate::util::root;

const A: &str = "6281255550001";
const B: &str = "6281255550002";
const C: &str = "6281255550003";
const WAIT: Duration = Duration::from_secs(15);

/// A 1×1 RGB PNG (the bytes our client sends as an image).
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

/// `sim-client`: see the module docs.
pub(crate) fn run() -> anyhow::Result<()> {
    let dir = ensure_oracle()?;
    let sim = SimProcess::start(false)?;
    let mut control = Control::connect(&sim.addr)?;
    let info = control.get("/sim/info")?;
    let root_hex = info["root_public_key_hex"]
        .as_str()
        .context("root_public_key_hex")?
        .to_owned();
    let ws_url = info["ws_url"].as_str().context("ws_url")?.to_owned();
    let ca_path = root()
        .join("target")
        .join(format!("wa-sim-ca-client-{}.pem", std::process::id()));
    std::fs::write(&ca_path, info["ca_pem"].as_str().context("ca_pem")?)?;
    let tmp = std::env::temp_dir().join(format!("wa-interop-client-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;

    let result = (|| {
        let mut baileys = Baileys::start(&dir, &sim.addr, &root_hex, &ca_path)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let r = scenario(
            &rt,
            &mut control,
            &mut baileys,
            &sim.addr,
            &ws_url,
            &root_hex,
            &tmp,
        );
        let _ = baileys.call("stop", json!({}));
        r
    })();
    let _ = std::fs::remove_file(&ca_path);
    let _ = std::fs::remove_dir_all(&tmp);
    drop(sim);
    result
}

/// Runs one named step, printing its outcome.
fn step<T>(name: &str, f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    let t0 = std::time::Instant::now();
    match f() {
        Ok(v) => {
            eprintln!("  ok   {name} ({} ms)", t0.elapsed().as_millis());
            Ok(v)
        }
        Err(e) => {
            eprintln!("  FAIL {name}: {e:#}");
            Err(e.context(format!("step {name:?}")))
        }
    }
}

#[allow(clippy::too_many_lines)]
fn scenario(
    rt: &tokio::runtime::Runtime,
    control: &mut Control,
    baileys: &mut Baileys,
    addr: &str,
    ws_url: &str,
    root_hex: &str,
    tmp: &std::path::Path,
) -> anyhow::Result<()> {
    let a_lid = account(control, A, "Alice")?;
    let b_lid = account(control, B, "Bob")?;
    let _c_lid = account(control, C, "Carol")?;
    let a_pn = format!("{A}@s.whatsapp.net");
    let b_pn = format!("{B}@s.whatsapp.net");
    let is_a = |j: &str| same_user(j, &a_pn) || same_user(j, &a_lid);
    let is_b = |j: &str| same_user(j, &b_pn) || same_user(j, &b_lid);

    let mut ours = step("link our client to A by QR", || {
        Ours::link(rt, control, ws_url, root_hex, tmp)
    })?;
    step("link Baileys to B by QR", || {
        baileys.call("link", json!({"phone": B, "name": "Bob"}))
    })?;

    // 1. our client → Baileys, 1:1 text.
    let ours_1to1 = step("our client → Baileys: 1:1 text", || {
        let text = "hello bob, from wa-session";
        let sent = rt.block_on(
            ours.client
                .send_message(&Jid::parse(&b_pn)?, text_message(text)),
        )?;
        let m = baileys.call("wait", json!({"id": sent.id}))?;
        check_eq(&m["text"], text, "text at Baileys")?;
        check_eq(&m["key"]["fromMe"], false, "fromMe at Baileys")?;
        let chat = key_user(&m["key"], "remoteJid", "remoteJidAlt");
        ensure!(
            chat.iter().any(|j| is_a(j)),
            "chat at Baileys is A: {}",
            m["key"]
        );
        Ok(m["key"].clone())
    })?;

    // 2. Baileys → our client, 1:1 text.
    let (baileys_1to1, b_chat) = step("Baileys → our client: 1:1 text", || {
        let text = "hello alice, from baileys";
        let r = baileys.call("sendText", json!({"to": a_pn, "text": text}))?;
        let id = str_of(&r, "id")?;
        let m = ours.wait_message(rt, |m| m.id == id)?;
        ensure!(!m.from_me, "from_me");
        ensure!(m.body.as_deref() == Some(text), "body {:?}", m.body);
        ensure!(is_b(&m.chat.to_string()), "chat {} is B", m.chat);
        let raw = wa::Message::decode(m.raw.as_slice())?;
        let raw_text = raw.conversation.clone().or_else(|| {
            raw.extended_text_message
                .as_ref()
                .and_then(|e| e.text.clone())
        });
        ensure!(raw_text.as_deref() == Some(text), "raw text {raw_text:?}");
        Ok((id.to_owned(), m.chat.clone()))
    })?;

    // 3. A group of C (owner), A and B.
    let group = step("phone C creates a group with A and B", || {
        let g = control.post(
            "/sim/groups",
            &json!({"subject": "Interop", "owner": C, "participants": [A, B]}),
        )?;
        Ok(str_of(&g, "jid")?.to_owned())
    })?;
    let gjid = Jid::parse(&group)?;
    step(
        "our client → group: Baileys and phone C decrypt it",
        || {
            let text = "hello group, from wa-session";
            let sent = rt.block_on(ours.client.send_message(&gjid, text_message(text)))?;
            let m = baileys.call("wait", json!({"id": sent.id}))?;
            check_eq(&m["text"], text, "text at Baileys")?;
            check_eq(
                &m["key"]["remoteJid"],
                group.as_str(),
                "group jid at Baileys",
            )?;
            let who = key_user(&m["key"], "participant", "participantAlt");
            ensure!(
                who.iter().any(|j| is_a(j)),
                "participant is A: {}",
                m["key"]
            );
            let inbox = control.get(&format!("/sim/accounts/{C}/inbox"))?;
            let hit = inbox
                .as_array()
                .and_then(|es| es.iter().find(|e| e["id"] == sent.id.as_str()))
                .with_context(|| format!("message {} in C's inbox", sent.id))?;
            check_eq(&hit["text"], text, "text at phone C")?;
            check_eq(&hit["chat"], group.as_str(), "chat at phone C")?;
            Ok(())
        },
    )?;
    step("Baileys → group: our client decrypts it", || {
        let text = "hello group, from baileys";
        let r = baileys.call("sendText", json!({"to": group, "text": text}))?;
        let id = str_of(&r, "id")?;
        let m = ours.wait_message(rt, |m| m.id == id)?;
        ensure!(m.chat == gjid, "chat {} is the group", m.chat);
        ensure!(m.body.as_deref() == Some(text), "body {:?}", m.body);
        let sender = m
            .sender
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        ensure!(is_b(&sender), "sender {sender} is B");
        Ok(())
    })?;

    // 4. Reactions.
    step("our client reacts to Baileys' message", || {
        let reaction = wa::Message {
            reaction_message: Some(wa::message::ReactionMessage {
                key: Some(wa::MessageKey {
                    remote_jid: Some(b_chat.to_string()),
                    from_me: Some(false),
                    id: Some(baileys_1to1.clone()),
                    participant: None,
                }),
                text: Some("👍".into()),
                sender_timestamp_ms: Some(now_ms()),
                ..Default::default()
            }),
            ..Default::default()
        };
        rt.block_on(ours.client.send_message(&b_chat, reaction))?;
        let r = baileys.call("waitReaction", json!({"target": baileys_1to1}))?;
        let reaction = if r["message"].is_object() {
            &r["message"]["reaction"]
        } else {
            &r["event"]["reaction"]
        };
        check_eq(&reaction["text"], "👍", "reaction emoji at Baileys")?;
        check_eq(
            &reaction["key"]["id"],
            baileys_1to1.as_str(),
            "reaction target",
        )?;
        Ok(())
    })?;
    step("Baileys reacts to our message", || {
        let target = str_of(&ours_1to1, "id")?.to_owned();
        let r = baileys.call("react", json!({"to": a_pn, "key": ours_1to1, "text": "❤️"}))?;
        let id = str_of(&r, "id")?;
        let m = ours.wait_message(rt, |m| m.id == id)?;
        let raw = wa::Message::decode(m.raw.as_slice())?;
        let rm = raw.reaction_message.context("a reactionMessage")?;
        ensure!(rm.text.as_deref() == Some("❤️"), "emoji {:?}", rm.text);
        let key = rm.key.context("reaction key")?;
        ensure!(
            key.id.as_deref() == Some(target.as_str()),
            "target {:?}",
            key.id
        );
        ensure!(is_b(&m.chat.to_string()), "chat {} is B", m.chat);
        Ok(())
    })?;

    // 5. Images.
    step(
        "Baileys → our client: image, downloaded and decrypted",
        || {
            let caption = "a picture from baileys";
            let r = baileys.call(
                "sendImage",
                json!({"to": a_pn, "caption": caption, "seed": 11}),
            )?;
            let id = str_of(&r, "id")?;
            let m = ours.wait_message(rt, |m| m.id == id)?;
            let raw = wa::Message::decode(m.raw.as_slice())?;
            let img = raw.image_message.context("an imageMessage")?;
            ensure!(
                img.mimetype.as_deref() == Some("image/png"),
                "mimetype {:?}",
                img.mimetype
            );
            ensure!(
                img.caption.as_deref() == Some(caption),
                "caption {:?}",
                img.caption
            );
            let length = r["length"].as_u64().context("length")?;
            ensure!(
                img.file_length == Some(length),
                "file_length {:?}",
                img.file_length
            );
            let sha = str_of(&r, "sha256")?;
            ensure!(
                img.file_sha256.as_deref().map(hex::encode).as_deref() == Some(sha),
                "file_sha256"
            );
            let key = img.media_key.as_deref().context("media_key")?;
            ensure!(key.len() == 32, "media_key length {}", key.len());
            let path = img.direct_path.as_deref().context("direct_path")?;
            let file = http_raw(addr, "GET", path, &[])?;
            let expected = ExpectedMedia {
                file_enc_sha256: img
                    .file_enc_sha256
                    .as_deref()
                    .and_then(|b| b.try_into().ok()),
                file_sha256: img.file_sha256.as_deref().and_then(|b| b.try_into().ok()),
                file_length: img.file_length,
            };
            ensure!(expected.file_enc_sha256.is_some(), "file_enc_sha256");
            let (plain, d) = wa_proto::media::decrypt(key, MediaType::Image, &file, &expected)?;
            ensure!(
                plain.len() as u64 == length,
                "decrypted length {}",
                plain.len()
            );
            ensure!(hex::encode(d.file_sha256) == sha, "decrypted sha256");
            ensure!(plain.starts_with(b"\x89PNG"), "a PNG");
            Ok(())
        },
    )?;
    step("our client → Baileys: image uploaded to the sim", || {
        let caption = "a picture from wa-session";
        let conn = rt.block_on(
            ours.client.iq(Node::new("iq")
                .with_attr("to", Jid::parse("s.whatsapp.net")?)
                .with_attr("type", "set")
                .with_attr("xmlns", "w:m")
                .with_child(Node::new("media_conn"))),
        )?;
        let mc = conn.child("media_conn").context("media_conn answer")?;
        let auth = mc.attr_text("auth").context("auth")?.into_owned();
        let mut key = [0u8; 32];
        rand::Rng::fill_bytes(&mut rand::rng(), &mut key);
        let (file, info) = wa_proto::media::encrypt(key, MediaType::Image, PNG_1X1);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(info.file_enc_sha256);
        let up = http_raw(
            addr,
            "POST",
            &format!("/mms/image/{token}?auth={auth}&token={token}"),
            &file,
        )?;
        let up: Value = serde_json::from_slice(&up)?;
        let msg = wa::Message {
            image_message: Some(Box::new(wa::message::ImageMessage {
                url: Some(str_of(&up, "url")?.to_owned()),
                direct_path: Some(str_of(&up, "direct_path")?.to_owned()),
                mimetype: Some("image/png".into()),
                caption: Some(caption.into()),
                media_key: Some(info.media_key.to_vec()),
                file_sha256: Some(info.file_sha256.to_vec()),
                file_enc_sha256: Some(info.file_enc_sha256.to_vec()),
                file_length: Some(info.file_length),
                media_key_timestamp: Some(now_ms() / 1000),
                width: Some(1),
                height: Some(1),
                ..Default::default()
            })),
            ..Default::default()
        };
        let sent = rt.block_on(ours.client.send_message(&Jid::parse(&b_pn)?, msg))?;
        let m = baileys.call("wait", json!({"id": sent.id}))?;
        check_eq(&m["image"]["caption"], caption, "caption at Baileys")?;
        check_eq(&m["image"]["mimetype"], "image/png", "mimetype at Baileys")?;
        check_eq(
            &m["image"]["downloadedLength"],
            PNG_1X1.len(),
            "downloaded length at Baileys",
        )?;
        check_eq(
            &m["image"]["sha256"],
            hex::encode(info.file_sha256),
            "downloaded sha256 at Baileys",
        )?;
        Ok(())
    })?;
    rt.block_on(ours.client.disconnect());
    Ok(())
}

/// Our client and its events.
struct Ours {
    client: Client,
    events: EventStream,
    /// Messages seen while waiting for another one.
    seen: Vec<StoredMessage>,
}

impl Ours {
    /// Builds a fresh session and links it to A by QR.
    fn link(
        rt: &tokio::runtime::Runtime,
        control: &mut Control,
        ws_url: &str,
        root_hex: &str,
        tmp: &std::path::Path,
    ) -> anyhow::Result<Ours> {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(
            tmp.join("gateway.db"),
            SqliteOptions::default(),
        )?);
        let root_key: [u8; 32] = hex::decode(root_hex)?
            .try_into()
            .map_err(|_| anyhow::anyhow!("root key is not 32 bytes"))?;
        let (client, events) = rt.block_on(
            Client::builder(store, "interop")
                .url(ws_url)
                .trusted_root(TrustedRoot::new(PublicKey::from_raw(root_key)))
                .build(),
        )?;
        let mut ours = Ours {
            client,
            events,
            seen: Vec::new(),
        };
        let Event::Qr { code, .. } =
            ours.next_event(rt, "a QR", |e| matches!(e, Event::Qr { .. }))?
        else {
            bail!("not a QR event");
        };
        control.post(&format!("/sim/accounts/{A}/link"), &json!({"qr": code}))?;
        ours.next_event(rt, "Connected", |e| matches!(e, Event::Connected { .. }))?;
        Ok(ours)
    }

    /// The next event matching `pred` (messages skipped on the way are kept).
    fn next_event(
        &mut self,
        rt: &tokio::runtime::Runtime,
        what: &str,
        mut pred: impl FnMut(&Event) -> bool,
    ) -> anyhow::Result<Event> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let events = &mut self.events;
            let e = rt
                .block_on(async { tokio::time::timeout_at(deadline, events.recv()).await })
                .map_err(|_| anyhow::anyhow!("timed out waiting for {what} at our client"))?
                .context("our client's event stream ended")?;
            if pred(&e) {
                return Ok(e);
            }
            if let Event::Message(m) = e {
                self.seen.push(*m);
            }
        }
    }

    /// A received (not own) message matching `pred`.
    fn wait_message(
        &mut self,
        rt: &tokio::runtime::Runtime,
        mut pred: impl FnMut(&StoredMessage) -> bool,
    ) -> anyhow::Result<StoredMessage> {
        if let Some(i) = self.seen.iter().position(|m| !m.from_me && pred(m)) {
            return Ok(self.seen.remove(i));
        }
        let e = self.next_event(
            rt,
            "a message",
            |e| matches!(e, Event::Message(m) if !m.from_me && pred(m)),
        )?;
        match e {
            Event::Message(m) => Ok(*m),
            _ => bail!("not a message"),
        }
    }
}

/// The Baileys driver (`xtask/interop/sim-client.mjs`) as a child process.
struct Baileys {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    seq: u64,
}

impl Drop for Baileys {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Baileys {
    fn start(
        dir: &std::path::Path,
        addr: &str,
        root_hex: &str,
        ca: &std::path::Path,
    ) -> anyhow::Result<Baileys> {
        let mut child = Command::new("node")
            .arg(root().join("xtask/interop/sim-client.mjs"))
            .args(["--url", &format!("http://{addr}"), "--root", root_hex])
            .env("NODE_EXTRA_CA_CERTS", ca)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting node sim-client.mjs")?;
        let stdin = child.stdin.take().context("driver stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("driver stdout")?);
        Ok(Baileys {
            child,
            stdin,
            stdout,
            seq: 0,
        })
    }

    /// Sends one command and waits for its answer (`ok: false` is an error).
    fn call(&mut self, cmd: &str, mut args: Value) -> anyhow::Result<Value> {
        self.seq += 1;
        args["seq"] = json!(self.seq);
        args["cmd"] = json!(cmd);
        writeln!(self.stdin, "{args}")?;
        self.stdin.flush()?;
        loop {
            let mut line = String::new();
            if self.stdout.read_line(&mut line)? == 0 {
                bail!("the Baileys driver exited during {cmd}");
            }
            let Some(body) = line.strip_prefix("@@ ") else {
                // libsignal logs session changes with console.log.
                if std::env::var_os("SIM_TRACE").is_some() {
                    eprint!("  [baileys] {line}");
                }
                continue;
            };
            let v: Value = serde_json::from_str(body)?;
            if v["seq"] != json!(self.seq) {
                continue;
            }
            if v["ok"] != json!(true) {
                bail!("Baileys {cmd}: {}", v["error"].as_str().unwrap_or("?"));
            }
            return Ok(v);
        }
    }
}

/// Creates an account; returns its LID.
fn account(control: &mut Control, phone: &str, name: &str) -> anyhow::Result<String> {
    let r = control.post("/sim/accounts", &json!({"phone": phone, "name": name}))?;
    Ok(str_of(&r, "lid")?.to_owned())
}

fn text_message(text: &str) -> wa::Message {
    wa::Message {
        conversation: Some(text.into()),
        ..Default::default()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn str_of<'a>(v: &'a Value, k: &str) -> anyhow::Result<&'a str> {
    v[k].as_str().with_context(|| format!("{k} in {v}"))
}

fn check_eq(actual: &Value, expected: impl Into<Value>, what: &str) -> anyhow::Result<()> {
    let expected = expected.into();
    ensure!(
        *actual == expected,
        "{what}: expected {expected}, got {actual}"
    );
    Ok(())
}

/// The user part of a JID text (no device, no server).
fn user_of(j: &str) -> &str {
    let user = j.split('@').next().unwrap_or(j);
    user.split([':', '_']).next().unwrap_or(user)
}

/// Same user and same server kind (PN or LID).
fn same_user(a: &str, b: &str) -> bool {
    let server = |j: &str| j.rsplit('@').next().map(str::to_owned);
    user_of(a) == user_of(b) && server(a) == server(b)
}

/// The JIDs a Baileys key names under `field` and its `Alt` twin.
fn key_user(key: &Value, field: &str, alt: &str) -> Vec<String> {
    [field, alt]
        .iter()
        .filter_map(|f| key[*f].as_str().map(str::to_owned))
        .collect()
}

/// A one-shot HTTP/1.1 request on loopback; returns the body of a 2xx.
fn http_raw(addr: &str, method: &str, path: &str, body: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    s.write_all(body)?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no HTTP body")?;
    let head = String::from_utf8_lossy(&resp[..split]).into_owned();
    ensure!(
        head.starts_with("HTTP/1.1 2"),
        "{method} {path}: {}",
        head.lines().next().unwrap_or("")
    );
    ensure!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{method} {path}: chunked answers are not handled"
    );
    Ok(resp[split + 4..].to_vec())
}
