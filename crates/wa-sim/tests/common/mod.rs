//! A minimal companion built from wa-proto (Noise initiator, ClientPayload,
//! node codec, Signal, pairing), used to test the simulator over a real
//! websocket.
#![allow(dead_code, unreachable_pub)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use prost::Message as _;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use wa_proto::binary::{Node, decode, encode};
use wa_proto::jid::Jid;
use wa_proto::keys::{KeyPair, PublicKey};
use wa_proto::noise::{FramedClientHandshake, NoiseSocket, Step, TrustedRoot};
use wa_proto::pair::AdvSecret;
use wa_proto::pair::adv::CompanionPairing;
use wa_proto::pair::payload::{
    ClientConfig, RegistrationKeys, login_payload, registration_payload,
};
use wa_proto::pair::qr::QrData;
use wa_proto::proto::wa;
use wa_proto::signal::{
    LocalIdentity, MessageType, PreKey, PreKeyBundle, PreKeySignalMessage, ResponderKeys,
    SessionRecord, SignedPreKey, decrypt, decrypt_prekey_message, encrypt, pad,
    process_prekey_bundle, unpad,
};
use wa_sim::{Sim, SimConfig, SimHandle};

pub const TIMEOUT: Duration = Duration::from_secs(10);

pub async fn start_sim() -> SimHandle {
    Sim::start(SimConfig {
        seed: Some(1),
        ..SimConfig::local()
    })
    .await
    .unwrap()
}

/// A companion's long-term secrets.
#[derive(Clone, Debug)]
pub struct Secrets {
    pub noise: KeyPair,
    pub identity: LocalIdentity,
    pub signed: SignedPreKey,
    pub adv: AdvSecret,
    pub prekeys: Vec<PreKey>,
    /// `(phone, device)` once paired.
    pub me: Option<(String, u16)>,
}

impl Secrets {
    pub fn generate(rng: &mut ChaCha20Rng) -> Secrets {
        let identity = LocalIdentity::generate(rng);
        let signed = SignedPreKey::generate(&identity.key_pair, 1, rng);
        let mut adv = [0u8; 32];
        rand::Rng::fill_bytes(rng, &mut adv);
        Secrets {
            noise: KeyPair::generate(rng),
            identity,
            signed,
            adv,
            prekeys: PreKey::generate_batch(1, 20, rng),
            me: None,
        }
    }

    fn registration_keys(&self) -> RegistrationKeys {
        RegistrationKeys {
            registration_id: self.identity.registration_id,
            identity: self.identity.key_pair.public,
            signed_prekey_id: self.signed.id,
            signed_prekey: self.signed.key_pair.public,
            signed_prekey_signature: self.signed.signature,
        }
    }
}

pub fn bytes_child(tag: &'static str, b: impl Into<Vec<u8>>) -> Node {
    Node::new(tag).with_bytes(b.into())
}

pub struct TestClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    socket: NoiseSocket,
    pub secrets: Secrets,
    pub rng: ChaCha20Rng,
    inbox: VecDeque<Node>,
    seq: u32,
    pub sessions: HashMap<String, SessionRecord>,
    pub closed: bool,
    /// App-state sync keys the phone shared during the bootstrap.
    pub app_state_keys: Vec<wa::message::AppStateSyncKey>,
}

impl TestClient {
    /// Opens a websocket and completes the Noise handshake with `payload`.
    pub async fn connect(
        sim: &SimHandle,
        secrets: Secrets,
        payload: wa::ClientPayload,
        seed: u64,
    ) -> TestClient {
        let (mut ws, _) = tokio_tungstenite::connect_async(sim.ws_url())
            .await
            .unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (mut hs, hello) =
            FramedClientHandshake::start(&mut rng, secrets.noise.clone(), None).unwrap();
        ws.send(WsMessage::Binary(hello.into())).await.unwrap();
        let root = TrustedRoot::new(PublicKey::from_raw(sim.root_public_key()));
        let finish = loop {
            let msg = tokio::time::timeout(TIMEOUT, ws.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            match hs
                .handle_bytes(&msg.into_data(), &root, wa_sim::sim::now())
                .unwrap()
            {
                Step::Pending(h) => hs = h,
                Step::Done(f) => break f,
            }
        };
        let (socket, out) = finish.finish(&payload.encode_to_vec()).unwrap();
        ws.send(WsMessage::Binary(out.into())).await.unwrap();
        TestClient {
            ws,
            socket,
            secrets,
            rng,
            inbox: VecDeque::new(),
            seq: 0,
            sessions: HashMap::new(),
            closed: false,
            app_state_keys: Vec::new(),
        }
    }

    /// Connects with a registration payload (expects `pair-device`).
    pub async fn register(sim: &SimHandle, secrets: Secrets, seed: u64) -> TestClient {
        let payload = registration_payload(&ClientConfig::default(), &secrets.registration_keys());
        TestClient::connect(sim, secrets, payload, seed).await
    }

    /// Connects with a login payload.
    pub async fn login(sim: &SimHandle, secrets: Secrets, seed: u64) -> TestClient {
        let (phone, device) = secrets.me.clone().unwrap();
        let payload = login_payload(&ClientConfig::default(), &phone, u32::from(device)).unwrap();
        TestClient::connect(sim, secrets, payload, seed).await
    }

    pub fn me(&self) -> Jid {
        let (p, d) = self.secrets.me.clone().unwrap();
        Jid::pn(p).with_device(d)
    }

    pub async fn send(&mut self, node: &Node) {
        let frame = self.socket.encrypt_frame(&encode(node)).unwrap();
        self.ws.send(WsMessage::Binary(frame.into())).await.unwrap();
    }

    pub async fn send_raw(&mut self, bytes: Vec<u8>) {
        self.ws.send(WsMessage::Binary(bytes.into())).await.unwrap();
    }

    pub fn encrypt_raw(&mut self, payload: &[u8]) -> Vec<u8> {
        self.socket.encrypt_frame(payload).unwrap()
    }

    /// The next node from the server (`None` once the connection closed).
    pub async fn recv(&mut self) -> Option<Node> {
        if let Some(n) = self.inbox.pop_front() {
            return Some(n);
        }
        while !self.closed {
            let msg = match tokio::time::timeout(TIMEOUT, self.ws.next()).await {
                Ok(Some(Ok(m))) => m,
                Ok(_) => {
                    self.closed = true;
                    break;
                }
                Err(_) => panic!("timed out waiting for a node"),
            };
            match msg {
                WsMessage::Binary(b) => {
                    for p in self.socket.handle_bytes(&b).unwrap() {
                        self.inbox.push_back(decode(&p).unwrap());
                    }
                    if let Some(n) = self.inbox.pop_front() {
                        return Some(n);
                    }
                }
                WsMessage::Close(_) => self.closed = true,
                _ => {}
            }
        }
        None
    }

    /// Receives until `pred` matches; other nodes stay queued in order.
    pub async fn recv_match(&mut self, mut pred: impl FnMut(&Node) -> bool) -> Node {
        let mut skipped = VecDeque::new();
        loop {
            let n = self.recv().await.expect("connection closed while waiting");
            if pred(&n) {
                skipped.extend(self.inbox.drain(..));
                self.inbox = skipped;
                return n;
            }
            skipped.push_back(n);
        }
    }

    pub async fn recv_tag(&mut self, tag: &str) -> Node {
        self.recv_match(|n| n.tag == tag).await
    }

    /// Waits for the connection to close; returns the nodes received first.
    pub async fn until_closed(&mut self) -> Vec<Node> {
        let mut out = Vec::new();
        while let Some(n) = self.recv().await {
            out.push(n);
        }
        out
    }

    pub fn next_id(&mut self) -> String {
        self.seq += 1;
        format!("t.{}", self.seq)
    }

    /// Sends an iq and waits for the answer with the same id.
    pub async fn iq(
        &mut self,
        xmlns: &'static str,
        typ: &'static str,
        children: Vec<Node>,
    ) -> Node {
        let id = self.next_id();
        let node = Node::new("iq")
            .with_attr("id", id.clone())
            .with_attr("xmlns", xmlns)
            .with_attr("type", typ)
            .with_attr("to", Jid::server_only(wa_proto::jid::Server::Pn))
            .with_children(children);
        self.send(&node).await;
        self.recv_match(|n| n.tag == "iq" && n.attr_text("id").as_deref() == Some(&id))
            .await
    }

    /// Pairs by QR: reads `pair-device`, has the phone scan, answers
    /// `pair-success`; returns the device JID and the stream error seen.
    pub async fn pair_by_qr(&mut self, sim: &SimHandle, phone: &str) -> (Jid, Node) {
        let pd = self.recv_match(|n| n.child("pair-device").is_some()).await;
        let refs: Vec<String> = pd
            .child("pair-device")
            .unwrap()
            .children_by_tag("ref")
            .map(|r| String::from_utf8(r.bytes().unwrap().to_vec()).unwrap())
            .collect();
        assert_eq!(refs.len(), 6);
        let id = pd.attr_text("id").unwrap().into_owned();
        self.send(
            &Node::new("iq")
                .with_attr("id", id)
                .with_attr("type", "result"),
        )
        .await;
        let qr = QrData {
            reference: refs[2].clone(),
            noise_pub: self.secrets.noise.public,
            identity_pub: self.secrets.identity.key_pair.public,
            adv_secret: self.secrets.adv,
            platform: Some("1".into()),
        }
        .encode();
        let sim2 = sim.clone();
        let phone2 = phone.to_owned();
        let link = tokio::spawn(async move { sim2.link_qr(&phone2, &qr).await });
        let closing = self.answer_pair_success().await;
        let jid = link.await.unwrap().unwrap();
        self.secrets.me = Some((jid.user.clone(), jid.device));
        (jid, closing)
    }

    /// Verifies `pair-success` and sends `pair-device-sign`; returns the
    /// stream error that follows.
    pub async fn answer_pair_success(&mut self) -> Node {
        let ps = self.recv_match(|n| n.child("pair-success").is_some()).await;
        let identity = ps
            .child_path(&["pair-success", "device-identity"])
            .unwrap()
            .bytes()
            .unwrap();
        let pairing = CompanionPairing::verify(
            identity,
            &self.secrets.adv,
            &self.secrets.identity.key_pair,
            &mut self.rng,
        )
        .unwrap();
        let reply = Node::new("iq")
            .with_attr("id", ps.attr_text("id").unwrap().into_owned())
            .with_attr("type", "result")
            .with_child(
                Node::new("pair-device-sign").with_child(
                    Node::new("device-identity")
                        .with_attr("key-index", pairing.key_index_attr())
                        .with_bytes(pairing.reply()),
                ),
            );
        self.send(&reply).await;
        self.recv_tag("stream:error").await
    }

    /// After `<success>`: uploads the prekeys and activates; returns the
    /// offline count.
    pub async fn upload_and_activate(&mut self) -> u32 {
        let s = &self.secrets;
        let list: Vec<Node> = s
            .prekeys
            .iter()
            .map(|k| {
                Node::new("key").with_children([
                    bytes_child("id", k.id.to_be_bytes()[1..].to_vec()),
                    bytes_child("value", k.key_pair.public.as_bytes().to_vec()),
                ])
            })
            .collect();
        let children = vec![
            bytes_child(
                "registration",
                s.identity.registration_id.to_be_bytes().to_vec(),
            ),
            bytes_child("type", vec![5]),
            bytes_child("identity", s.identity.key_pair.public.as_bytes().to_vec()),
            Node::new("list").with_children(list),
            Node::new("skey").with_children([
                bytes_child("id", s.signed.id.to_be_bytes()[1..].to_vec()),
                bytes_child("value", s.signed.key_pair.public.as_bytes().to_vec()),
                bytes_child("signature", s.signed.signature.to_vec()),
            ]),
        ];
        let r = self.iq("encrypt", "set", children).await;
        assert_eq!(r.attr_str("type"), Some("result"));
        let r = self.iq("passive", "set", vec![Node::new("active")]).await;
        assert_eq!(r.attr_str("type"), Some("result"));
        let ib = self
            .recv_match(|n| n.tag == "ib" && n.child("offline").is_some())
            .await;
        ib.child("offline").unwrap().attr_parse("count").unwrap()
    }

    /// Fetches a bundle for `jid` and starts a session with it.
    pub async fn start_session(&mut self, jid: &Jid) -> Option<u32> {
        let r = self
            .iq(
                "encrypt",
                "get",
                vec![Node::new("key").with_child(Node::new("user").with_attr("jid", jid.clone()))],
            )
            .await;
        let user = r.child_path(&["list", "user"]).unwrap();
        let be = |n: &Node| {
            n.bytes()
                .unwrap()
                .iter()
                .fold(0u32, |a, b| (a << 8) | u32::from(*b))
        };
        let skey = user.child("skey").unwrap();
        let pre_key = user.child("key").map(|k| {
            (
                be(k.child("id").unwrap()),
                PublicKey::from_bytes(k.child("value").unwrap().bytes().unwrap()).unwrap(),
            )
        });
        let bundle = PreKeyBundle {
            registration_id: be(user.child("registration").unwrap()),
            identity_key: PublicKey::from_bytes(user.child("identity").unwrap().bytes().unwrap())
                .unwrap(),
            signed_pre_key_id: be(skey.child("id").unwrap()),
            signed_pre_key: PublicKey::from_bytes(skey.child("value").unwrap().bytes().unwrap())
                .unwrap(),
            signed_pre_key_signature: skey
                .child("signature")
                .unwrap()
                .bytes()
                .unwrap()
                .try_into()
                .unwrap(),
            pre_key,
        };
        let mut record = SessionRecord::new();
        process_prekey_bundle(
            &mut record,
            &self.secrets.identity,
            None,
            &bundle,
            &mut self.rng,
        )
        .unwrap();
        self.sessions.insert(session_key(jid), record);
        pre_key.map(|(id, _)| id)
    }

    /// Encrypts `msg` for device `jid` (a session must exist).
    pub fn encrypt_for(&mut self, jid: &Jid, msg: &wa::Message) -> Node {
        let record = self.sessions.get_mut(&session_key(jid)).unwrap();
        let ct = encrypt(
            record,
            &self.secrets.identity,
            &pad(&msg.encode_to_vec(), &mut self.rng),
        )
        .unwrap();
        let kind = if ct.kind == MessageType::PreKey {
            "pkmsg"
        } else {
            "msg"
        };
        Node::new("enc")
            .with_attr("v", "2")
            .with_attr("type", kind)
            .with_bytes(ct.bytes)
    }

    /// Decrypts the `<enc>` of a received message from `from`.
    pub fn decrypt(&mut self, from: &Jid, enc: &Node) -> wa::Message {
        let ct = enc.bytes().unwrap();
        let record = self.sessions.entry(session_key(from)).or_default();
        let padded = match enc.attr_str("type").unwrap() {
            "pkmsg" => {
                let msg = PreKeySignalMessage::parse(ct).unwrap();
                let opk = msg
                    .pre_key_id
                    .and_then(|id| self.secrets.prekeys.iter().find(|k| k.id == id).cloned());
                let keys = ResponderKeys {
                    signed_pre_key: Some(&self.secrets.signed),
                    one_time_pre_key: opk.as_ref(),
                };
                decrypt_prekey_message(
                    record,
                    &self.secrets.identity,
                    None,
                    &msg,
                    keys,
                    &mut self.rng,
                )
                .unwrap()
                .plaintext
            }
            _ => decrypt(record, &self.secrets.identity, None, ct, &mut self.rng).unwrap(),
        };
        wa::Message::decode(unpad(&padded).unwrap()).unwrap()
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

fn session_key(jid: &Jid) -> String {
    format!("{}.{}", jid.user, jid.device)
}

pub fn text_message(text: &str) -> wa::Message {
    wa::Message {
        extended_text_message: Some(Box::new(wa::message::ExtendedTextMessage {
            text: Some(text.into()),
            ..Default::default()
        })),
        ..Default::default()
    }
}

/// A fully set-up companion of `phone`: paired by QR, logged in, prekeys
/// uploaded, active, bootstrap drained.
pub async fn linked_client(sim: &SimHandle, phone: &str, seed: u64) -> TestClient {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let secrets = Secrets::generate(&mut rng);
    let mut reg = TestClient::register(sim, secrets, seed).await;
    let (_, err) = reg.pair_by_qr(sim, phone).await;
    assert_eq!(err.attr_str("code"), Some("515"));
    let secrets = reg.secrets.clone();
    let mut c = TestClient::login(sim, secrets, seed + 1000).await;
    c.recv_tag("success").await;
    c.upload_and_activate().await;
    // The phone's bootstrap arrives as peer messages: the app-state key
    // share, then the history sync.
    loop {
        let boot = c
            .recv_match(|n| n.tag == "message" && n.attr_str("category") == Some("peer"))
            .await;
        let from = boot.attr_jid("from").unwrap();
        let m = c.decrypt(&from, boot.child("enc").unwrap());
        let p = m.protocol_message.expect("a protocol message");
        if let Some(share) = &p.app_state_sync_key_share {
            c.app_state_keys.extend(share.keys.iter().cloned());
        }
        let id = boot.attr_text("id").unwrap().into_owned();
        c.send(
            &Node::new("receipt")
                .with_attr("id", id.clone())
                .with_attr("to", from)
                .with_attr("type", "peer_msg"),
        )
        .await;
        // The server acks the receipt once it dequeued the message.
        c.recv_match(|n| n.tag == "ack" && n.attr_text("id").as_deref() == Some(id.as_str()))
            .await;
        if p.history_sync_notification.is_some() {
            break;
        }
    }
    c
}

/// The public keys of `s` as `POST /sim/accounts/{phone}/devices` takes them.
pub fn companion_keys(s: &Secrets) -> wa_sim::provision::CompanionKeys {
    wa_sim::provision::CompanionKeys {
        noise_key: s.noise.public,
        identity: s.identity.key_pair.public,
        registration_id: s.identity.registration_id,
        signed_prekey: wa_sim::world::account::SignedKeyPub {
            id: s.signed.id,
            key: s.signed.key_pair.public,
            signature: s.signed.signature,
        },
        platform: "test".into(),
    }
}

/// A companion of `phone` registered from its public keys (no pairing
/// connection, no phone bootstrap), logged in, prekeys uploaded, active.
pub async fn provisioned_client(sim: &SimHandle, phone: &str, seed: u64) -> TestClient {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut secrets = Secrets::generate(&mut rng);
    let p = sim
        .provision_device(phone, companion_keys(&secrets))
        .unwrap();
    secrets.me = Some((phone.to_owned(), p.device));
    let mut c = TestClient::login(sim, secrets, seed + 1000).await;
    c.recv_tag("success").await;
    c.upload_and_activate().await;
    c
}

/// A plain HTTP GET on the sim's port: `(status, body)`.
pub async fn http_get(sim: &SimHandle, path: &str) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = TcpStream::connect(sim.addr()).await.unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        sim.addr()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap();
    (status, buf[split + 4..].to_vec())
}

/// A control API call over plain HTTP/1.1: `(status, JSON body)`.
pub async fn http_json(
    sim: &SimHandle,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = TcpStream::connect(sim.addr()).await.unwrap();
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}
pub mod groups;
