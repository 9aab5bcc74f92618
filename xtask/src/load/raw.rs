//! `--raw-connections N`: N companions held idle on one simulator.
//!
//! Setup goes through the control API (accounts, then companions registered
//! from their public keys with `POST /sim/accounts/{phone}/devices`). Then
//! N lightweight tokio clients each open a websocket, run the real Noise XX
//! handshake with a login `ClientPayload`, wait for `<success>`, send
//! `<passive><active/>` and wait for `<ib><offline>`: from then on the
//! connection counts as connected. All of them stay idle for the hold
//! period, sending the keepalive ping a client sends every 30 s and
//! checking the answers; a connection that closes or gets a stream error
//! counts as a failure.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use prost::Message as _;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::json;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use wa_proto::binary::{Node, decode, encode};
use wa_proto::jid::{Jid, Server};
use wa_proto::keys::{KeyPair, PublicKey};
use wa_proto::noise::{FramedClientHandshake, NoiseSocket, Step, TrustedRoot};
use wa_proto::pair::payload::{ClientConfig, login_payload};
use wa_proto::signal::{LocalIdentity, SignedPreKey};

use super::sim_proc::{Control, Memory, SimProcess, provision_companion};

/// Options of the raw-connection test.
#[derive(Debug, Clone)]
pub(crate) struct RawOpts {
    /// Connections to open.
    pub(crate) connections: usize,
    /// Companions per account (1 = one account per connection).
    pub(crate) per_account: usize,
    /// How long all connections stay idle once connected.
    pub(crate) hold: Duration,
    /// Handshakes in flight at once.
    pub(crate) concurrency: usize,
    /// Keepalive ping interval of every client.
    pub(crate) ping_interval: Duration,
    /// Give up waiting for all connections after this long.
    pub(crate) connect_timeout: Duration,
    /// Run a release build of the simulator.
    pub(crate) release: bool,
}

/// The figures of one run.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct RawReport {
    pub(crate) mode: &'static str,
    pub(crate) sim_build: &'static str,
    pub(crate) connections: usize,
    pub(crate) accounts: usize,
    pub(crate) setup_secs: f64,
    pub(crate) time_to_all_connected_secs: f64,
    pub(crate) connected: usize,
    pub(crate) connect_latency_ms_p50: f64,
    pub(crate) connect_latency_ms_p99: f64,
    pub(crate) hold_secs: f64,
    pub(crate) alive_after_hold: usize,
    pub(crate) pings_sent: usize,
    pub(crate) pongs: usize,
    pub(crate) sim_connections_reported: u64,
    pub(crate) failures: BTreeMap<String, usize>,
    pub(crate) rss_start_kib: u64,
    pub(crate) rss_after_setup_kib: u64,
    pub(crate) rss_connected_kib: u64,
    pub(crate) rss_end_of_hold_kib: u64,
    pub(crate) hwm_kib: u64,
    pub(crate) rss_per_connection_kib: f64,
    pub(crate) rss_per_account_kib: f64,
}

/// A companion ready to log in.
struct Creds {
    phone: String,
    device: u32,
    noise: KeyPair,
}

/// How a client ended.
enum Outcome {
    /// Connected and still alive when told to stop.
    Held,
    /// Failed; the reason.
    Failed(String),
}

/// Counters the clients update.
#[derive(Default)]
struct Counters {
    pings: AtomicUsize,
    pongs: AtomicUsize,
    alive: AtomicUsize,
}

pub(crate) fn run(opts: &RawOpts) -> anyhow::Result<RawReport> {
    let sim = SimProcess::start(opts.release)?;
    let mut control = Control::connect(&sim.addr)?;
    let info = control.get("/sim/info")?;
    let root_hex = info["root_public_key_hex"]
        .as_str()
        .context("root_public_key_hex")?;
    let root = PublicKey::from_bytes(&hex::decode(root_hex)?)?;
    let rss_start = sim.memory_kib()?;

    eprintln!(
        "load: creating {} companions on {}",
        opts.connections, sim.addr
    );
    let setup_t0 = Instant::now();
    let per_account = opts.per_account.max(1);
    let mut creds = Vec::with_capacity(opts.connections);
    let mut accounts = 0;
    for i in 0..opts.connections {
        let phone = format!("1555{:08}", i / per_account);
        if i % per_account == 0 {
            control.post(
                "/sim/accounts",
                &json!({"phone": phone, "name": format!("load {i}")}),
            )?;
            accounts += 1;
        }
        let mut rng = ChaCha20Rng::seed_from_u64(i as u64);
        let noise = KeyPair::generate(&mut rng);
        let identity = LocalIdentity::generate(&mut rng);
        let signed = SignedPreKey::generate(&identity.key_pair, 1, &mut rng);
        let r = provision_companion(&mut control, &phone, &noise, &identity, &signed)?;
        let device = r["device"].as_u64().context("device")?;
        creds.push(Creds {
            phone,
            device: u32::try_from(device)?,
            noise,
        });
    }
    let setup_secs = setup_t0.elapsed().as_secs_f64();
    let rss_setup = sim.memory_kib()?;
    eprintln!("load: setup took {setup_secs:.1} s; opening connections");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let url = format!("ws://{}/ws/chat", sim.addr);
    let (
        connected_at,
        outcomes,
        counters,
        hold_secs,
        all_t,
        rss_connected,
        rss_end,
        hwm,
        sim_conns,
    ) = rt.block_on(async {
        let counters = Arc::new(Counters::default());
        let gate = Arc::new(Semaphore::new(opts.concurrency.max(1)));
        let (stop_tx, stop_rx) = watch::channel(false);
        let (up_tx, mut up_rx) = mpsc::unbounded_channel::<Result<Duration, String>>();
        let t0 = Instant::now();
        let mut tasks = Vec::with_capacity(creds.len());
        for (i, c) in creds.into_iter().enumerate() {
            let client = Client {
                url: url.clone(),
                root,
                creds: c,
                seed: i as u64,
                ping_interval: opts.ping_interval,
            };
            tasks.push(tokio::spawn(client.run(
                gate.clone(),
                up_tx.clone(),
                stop_rx.clone(),
                counters.clone(),
            )));
        }
        drop(up_tx);
        let mut latencies = Vec::with_capacity(tasks.len());
        let mut early_failures = 0usize;
        let deadline = tokio::time::Instant::now() + opts.connect_timeout;
        while latencies.len() + early_failures < tasks.len() {
            match tokio::time::timeout_at(deadline, up_rx.recv()).await {
                Ok(Some(Ok(d))) => {
                    latencies.push(d);
                    if latencies.len() % 1000 == 0 {
                        eprintln!(
                            "load: {} connected after {:.1} s",
                            latencies.len(),
                            t0.elapsed().as_secs_f64()
                        );
                    }
                }
                Ok(Some(Err(_))) => early_failures += 1,
                Ok(None) | Err(_) => break,
            }
        }
        let all_t = t0.elapsed();
        // Let the sim settle (freed handshake buffers) before measuring.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let rss_connected = sim.memory_kib().unwrap_or_default();
        eprintln!(
            "load: {} connected in {:.1} s; holding for {} s",
            latencies.len(),
            all_t.as_secs_f64(),
            opts.hold.as_secs()
        );
        let hold_t0 = Instant::now();
        tokio::time::sleep(opts.hold).await;
        let hold_secs = hold_t0.elapsed().as_secs_f64();
        let rss_end = sim.memory_kib().unwrap_or_default();
        let sim_conns = Control::connect(&sim.addr)
            .and_then(|mut c| c.get("/sim/stats"))
            .ok()
            .and_then(|v| v["connections"].as_u64())
            .unwrap_or(0);
        let _ = stop_tx.send(true);
        let mut outcomes = Vec::with_capacity(tasks.len());
        for t in tasks {
            outcomes.push(
                t.await
                    .unwrap_or_else(|e| Outcome::Failed(format!("client task: {e}"))),
            );
        }
        (
            latencies,
            outcomes,
            counters,
            hold_secs,
            all_t,
            rss_connected,
            rss_end,
            rss_end.hwm_kib,
            sim_conns,
        )
    });
    let mut failures = BTreeMap::new();
    for o in &outcomes {
        if let Outcome::Failed(why) = o {
            *failures.entry(why.clone()).or_insert(0) += 1;
        }
    }
    let mut lat: Vec<f64> = connected_at.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let connected = connected_at.len();
    let alive = counters.alive.load(Ordering::Relaxed);
    let per_conn = |m: Memory| {
        if connected == 0 {
            0.0
        } else {
            m.rss_kib.saturating_sub(rss_setup.rss_kib) as f64 / connected as f64
        }
    };
    Ok(RawReport {
        mode: "raw-connections",
        sim_build: if opts.release { "release" } else { "debug" },
        connections: opts.connections,
        accounts,
        setup_secs,
        time_to_all_connected_secs: all_t.as_secs_f64(),
        connected,
        connect_latency_ms_p50: pct(0.5),
        connect_latency_ms_p99: pct(0.99),
        hold_secs,
        alive_after_hold: alive,
        pings_sent: counters.pings.load(Ordering::Relaxed),
        pongs: counters.pongs.load(Ordering::Relaxed),
        sim_connections_reported: sim_conns,
        failures,
        rss_start_kib: rss_start.rss_kib,
        rss_after_setup_kib: rss_setup.rss_kib,
        rss_connected_kib: rss_connected.rss_kib,
        rss_end_of_hold_kib: rss_end.rss_kib,
        hwm_kib: hwm,
        rss_per_connection_kib: per_conn(rss_end),
        rss_per_account_kib: if accounts == 0 {
            0.0
        } else {
            rss_setup.rss_kib.saturating_sub(rss_start.rss_kib) as f64 / accounts as f64
        },
    })
}

/// One load client.
struct Client {
    url: String,
    root: PublicKey,
    creds: Creds,
    seed: u64,
    ping_interval: Duration,
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl Client {
    async fn run(
        self,
        gate: Arc<Semaphore>,
        up: mpsc::UnboundedSender<Result<Duration, String>>,
        mut stop: watch::Receiver<bool>,
        counters: Arc<Counters>,
    ) -> Outcome {
        let permit = gate.acquire_owned().await;
        let t0 = Instant::now();
        let (mut ws, mut socket) = match self.connect().await {
            Ok(x) => x,
            Err(e) => {
                let why = format!("connect: {e:#}");
                let _ = up.send(Err(why.clone()));
                return Outcome::Failed(why);
            }
        };
        drop(permit);
        let _ = up.send(Ok(t0.elapsed()));
        counters.alive.fetch_add(1, Ordering::Relaxed);
        let outcome = self.idle(&mut ws, &mut socket, &mut stop, &counters).await;
        if matches!(outcome, Outcome::Failed(_)) {
            counters.alive.fetch_sub(1, Ordering::Relaxed);
        } else {
            let _ = ws.close(None).await;
        }
        outcome
    }

    /// Websocket, Noise handshake, login, `<success>`, active, `<ib><offline>`.
    async fn connect(&self) -> anyhow::Result<(Ws, NoiseSocket)> {
        let (mut ws, _) = tokio_tungstenite::connect_async(self.url.as_str()).await?;
        let mut rng = ChaCha20Rng::seed_from_u64(self.seed ^ 0x5eed_0000_0000);
        let (mut hs, hello) =
            FramedClientHandshake::start(&mut rng, self.creds.noise.clone(), None)?;
        ws.send(WsMessage::Binary(hello.into())).await?;
        let trust = TrustedRoot::new(self.root);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs();
        let finish = loop {
            let b = next_binary(&mut ws).await?;
            match hs.handle_bytes(&b, &trust, now)? {
                Step::Pending(h) => hs = h,
                Step::Done(f) => break f,
            }
        };
        let payload = login_payload(
            &ClientConfig::default(),
            &self.creds.phone,
            self.creds.device,
        )?;
        let (mut socket, out) = finish.finish(&payload.encode_to_vec())?;
        ws.send(WsMessage::Binary(out.into())).await?;
        let mut pending = Vec::new();
        let success = recv_node(&mut ws, &mut socket, &mut pending).await?;
        if success.tag != "success" {
            bail!("login answered <{}>", success.tag);
        }
        let active = Node::new("iq")
            .with_attr("id", "load.active")
            .with_attr("xmlns", "passive")
            .with_attr("type", "set")
            .with_attr("to", Jid::server_only(Server::Pn))
            .with_child(Node::new("active"));
        send_node(&mut ws, &mut socket, &active).await?;
        loop {
            let n = recv_node(&mut ws, &mut socket, &mut pending).await?;
            if n.tag == "ib" && n.child("offline").is_some() {
                return Ok((ws, socket));
            }
            if n.tag == "stream:error" || n.tag == "failure" {
                bail!("<{}> before <ib><offline>", n.tag);
            }
        }
    }

    /// Stays connected until `stop`, pinging like an idle client.
    async fn idle(
        &self,
        ws: &mut Ws,
        socket: &mut NoiseSocket,
        stop: &mut watch::Receiver<bool>,
        counters: &Counters,
    ) -> Outcome {
        let offset =
            Duration::from_millis(self.seed * 7919 % self.ping_interval.as_millis().max(1) as u64);
        let mut tick =
            tokio::time::interval_at(tokio::time::Instant::now() + offset, self.ping_interval);
        let mut seq = 0u64;
        loop {
            tokio::select! {
                m = ws.next() => match m {
                    Some(Ok(WsMessage::Binary(b))) => {
                        let payloads = match socket.handle_bytes(&b) {
                            Ok(p) => p,
                            Err(e) => return Outcome::Failed(format!("undecryptable frame: {e}")),
                        };
                        for p in payloads {
                            let Ok(n) = decode(&p) else {
                                return Outcome::Failed("undecodable node".into());
                            };
                            match n.tag.as_ref() {
                                "iq" if n.attr_str("type") == Some("result") => {
                                    counters.pongs.fetch_add(1, Ordering::Relaxed);
                                }
                                "stream:error" | "failure" => {
                                    return Outcome::Failed(format!("server sent <{}> while idle", n.tag));
                                }
                                _ => {}
                            }
                        }
                    }
                    Some(Ok(WsMessage::Close(_))) | None => {
                        return Outcome::Failed("closed by the server while idle".into());
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Outcome::Failed(format!("websocket error while idle: {e}")),
                },
                _ = tick.tick() => {
                    seq += 1;
                    let ping = Node::new("iq")
                        .with_attr("id", format!("load.ping.{seq}"))
                        .with_attr("xmlns", "w:p")
                        .with_attr("type", "get")
                        .with_attr("to", Jid::server_only(Server::Pn))
                        .with_child(Node::new("ping"));
                    if send_node(ws, socket, &ping).await.is_err() {
                        return Outcome::Failed("ping send failed".into());
                    }
                    counters.pings.fetch_add(1, Ordering::Relaxed);
                }
                _ = stop.changed() => return Outcome::Held,
            }
        }
    }
}

async fn next_binary(ws: &mut Ws) -> anyhow::Result<Vec<u8>> {
    loop {
        match tokio::time::timeout(Duration::from_secs(60), ws.next()).await {
            Err(_) => bail!("timed out waiting for the server"),
            Ok(None) => bail!("closed by the server"),
            Ok(Some(m)) => match m? {
                WsMessage::Binary(b) => return Ok(b.to_vec()),
                WsMessage::Close(_) => bail!("closed by the server"),
                _ => {}
            },
        }
    }
}

async fn recv_node(
    ws: &mut Ws,
    socket: &mut NoiseSocket,
    pending: &mut Vec<Node>,
) -> anyhow::Result<Node> {
    loop {
        if !pending.is_empty() {
            return Ok(pending.remove(0));
        }
        let b = next_binary(ws).await?;
        for p in socket.handle_bytes(&b)? {
            pending.push(decode(&p)?);
        }
    }
}

async fn send_node(ws: &mut Ws, socket: &mut NoiseSocket, node: &Node) -> anyhow::Result<()> {
    let frame = socket.encrypt_frame(&encode(node))?;
    ws.send(WsMessage::Binary(frame.into())).await?;
    Ok(())
}
