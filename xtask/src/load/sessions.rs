//! `--sessions N`: N paired sessions of the client runtime on one
//! simulator, in a separate client process (`wa-session`'s
//! `many_sessions` example, built like the simulator).
//!
//! Setup provisions N accounts with one companion each through the control
//! API (`POST /sim/accounts/{phone}/devices`, the state a QR link leaves)
//! and writes their credentials into a fresh SQLite store, as pairing
//! would. Then the client process runs twice on that store:
//! 1. **first login**: every session logs in and uploads its first prekeys;
//! 2. **restart**: a cold start of the same store, what a gateway restart is.
//!
//! Each run reports the time until every session is `Connected`, the client
//! process RSS (total and per session), the sessions still connected after
//! holding them idle, and the time to restore and log in one session.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use base64::Engine as _;
use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{Value, json};
use wa_proto::jid::Jid;
use wa_proto::keys::KeyPair;
use wa_proto::signal::{LocalIdentity, SignedPreKey};
use wa_session::store::{
    CommitContext, DeviceCredentials, SqliteOptions, SqliteStore, Store, Synchronous, WriteBatch,
};

use super::sim_proc::{Control, SimProcess, provision_companion};
use crate::util::{cargo, run as run_cmd, target_dir};

/// Options of the sessions test.
#[derive(Debug, Clone)]
pub(crate) struct SessionsOpts {
    /// Sessions to run.
    pub(crate) sessions: usize,
    /// Seconds to hold them idle once connected.
    pub(crate) hold: u64,
    /// Release builds of the simulator and the client.
    pub(crate) release: bool,
    /// Messages each session sends in the first run (0: none).
    pub(crate) send: usize,
    /// Devices of the recipient of those messages.
    pub(crate) recipient_devices: u16,
}

/// The send storm of the first run.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct SendFigures {
    pub(crate) per_session: usize,
    pub(crate) recipient_devices: u16,
    pub(crate) messages: u64,
    pub(crate) secs: f64,
    pub(crate) messages_per_sec: f64,
    pub(crate) failed_sessions: u64,
}

/// One run of the client process.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct RunFigures {
    pub(crate) time_to_all_connected_secs: f64,
    pub(crate) connected: u64,
    pub(crate) failures: u64,
    pub(crate) client_rss_kib: u64,
    pub(crate) client_rss_per_session_kib: f64,
    pub(crate) alive_after_hold: u64,
    pub(crate) client_rss_after_hold_kib: u64,
    pub(crate) single_restore_login_ms_p50: f64,
    pub(crate) single_restore_login_ms_max: f64,
}

/// The figures of `--sessions N`.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct SessionsReport {
    pub(crate) mode: &'static str,
    pub(crate) build: &'static str,
    pub(crate) sessions: usize,
    pub(crate) setup_secs: f64,
    pub(crate) first_login: RunFigures,
    pub(crate) restart: RunFigures,
    pub(crate) send: Option<SendFigures>,
    pub(crate) sim_rss_kib: u64,
}

/// The account the send storm goes to.
const RECIPIENT: &str = "16669999999";

pub(crate) fn run(opts: &SessionsOpts) -> anyhow::Result<SessionsReport> {
    let sim = SimProcess::start(opts.release)?;
    let mut control = Control::connect(&sim.addr)?;
    let info = control.get("/sim/info")?;
    let root_hex = info["root_public_key_hex"]
        .as_str()
        .context("root_public_key_hex")?
        .to_owned();
    let dir = std::env::temp_dir().join(format!("wa-load-sessions-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("gateway.db");
    let _ = std::fs::remove_file(&db);

    eprintln!("load: provisioning {} sessions", opts.sessions);
    let t0 = Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(
        &db,
        SqliteOptions {
            synchronous: Synchronous::Normal,
            ..SqliteOptions::default()
        },
    )?);
    let mut pending = Vec::new();
    for i in 0..opts.sessions {
        let phone = format!("1666{i:08}");
        control.post(
            "/sim/accounts",
            &json!({"phone": phone, "name": format!("s{i}")}),
        )?;
        let mut rng = ChaCha20Rng::seed_from_u64(i as u64);
        let noise = KeyPair::generate(&mut rng);
        let identity = LocalIdentity::generate(&mut rng);
        let signed = SignedPreKey::generate(&identity.key_pair, 1, &mut rng);
        let mut adv = [0u8; 32];
        rng.fill_bytes(&mut adv);
        let r = provision_companion(&mut control, &phone, &noise, &identity, &signed)?;
        let text = |k: &str| r[k].as_str().with_context(|| format!("{k} in {r}"));
        let creds = DeviceCredentials {
            noise_key: noise,
            identity,
            adv_secret_key: adv,
            jid: Some(Jid::parse(text("device_jid")?)?),
            lid: Some(Jid::parse(text("lid_jid")?)?),
            account: Some(
                base64::engine::general_purpose::STANDARD.decode(text("signed_identity")?)?,
            ),
            platform: "load".into(),
            push_name: String::new(),
            business_name: String::new(),
        };
        let store = Arc::clone(&store);
        pending.push(rt.spawn(async move {
            let id = format!("s{i}");
            store.create_session(&id).await?;
            let mut batch = WriteBatch::new();
            batch.put_device(creds).put_signed_prekey(signed);
            store.commit(&CommitContext::new(id), batch).await
        }));
        if pending.len() >= 500 {
            for p in pending.drain(..) {
                rt.block_on(p)??;
            }
        }
    }
    for p in pending.drain(..) {
        rt.block_on(p)??;
    }
    drop(store);
    drop(rt);
    if opts.send > 0 {
        control.post(
            "/sim/accounts",
            &json!({"phone": RECIPIENT, "name": "recipient"}),
        )?;
        for d in 1..opts.recipient_devices {
            let mut rng = ChaCha20Rng::seed_from_u64(1_000_000 + u64::from(d));
            let noise = KeyPair::generate(&mut rng);
            let identity = LocalIdentity::generate(&mut rng);
            let signed = SignedPreKey::generate(&identity.key_pair, 1, &mut rng);
            provision_companion(&mut control, RECIPIENT, &noise, &identity, &signed)?;
        }
    }
    let setup_secs = t0.elapsed().as_secs_f64();
    eprintln!("load: setup took {setup_secs:.1} s");

    let client = build_client(opts.release)?;
    let url = format!("ws://{}/ws/chat", sim.addr);
    eprintln!("load: first login of every session");
    let (first_login, send) = client_run(&client, &db, &url, &root_hex, opts.hold, opts.send)?;
    let send = send.map(|mut s| {
        s.recipient_devices = opts.recipient_devices;
        s
    });
    eprintln!("load: restart (cold restore of the same store)");
    let (restart, _) = client_run(&client, &db, &url, &root_hex, opts.hold, 0)?;
    let sim_rss = sim.memory_kib()?.rss_kib;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(SessionsReport {
        mode: "sessions",
        build: if opts.release { "release" } else { "debug" },
        sessions: opts.sessions,
        setup_secs,
        first_login,
        restart,
        send,
        sim_rss_kib: sim_rss,
    })
}

fn build_client(release: bool) -> anyhow::Result<std::path::PathBuf> {
    let mut build = cargo();
    build.args([
        "build",
        "-q",
        "-p",
        "wa-session",
        "--example",
        "many_sessions",
    ]);
    if release {
        build.arg("--release");
    }
    run_cmd(&mut build)?;
    Ok(target_dir()
        .join(if release { "release" } else { "debug" })
        .join("examples")
        .join("many_sessions"))
}

fn client_run(
    bin: &std::path::Path,
    db: &std::path::Path,
    url: &str,
    root: &str,
    hold: u64,
    send: usize,
) -> anyhow::Result<(RunFigures, Option<SendFigures>)> {
    let mut cmd = Command::new(bin);
    cmd.arg("--db")
        .arg(db)
        .args(["--url", url, "--root", root, "--hold", &hold.to_string()])
        .args(["--single", "20"]);
    if send > 0 {
        cmd.args(["--send", &send.to_string(), "--to", RECIPIENT]);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the client process")?;
    let out = child.stdout.take().context("client stdout")?;
    let mut lines = Vec::new();
    for line in BufReader::new(out).lines() {
        let v: Value = serde_json::from_str(&line?)?;
        eprintln!("load: {v}");
        lines.push(v);
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("client process failed: {status}");
    }
    let find = |e: &str| {
        lines
            .iter()
            .find(|v| v["event"] == e)
            .cloned()
            .with_context(|| format!("no {e} line from the client"))
    };
    let all = find("all_connected")?;
    let held = find("held")?;
    let single = find("single_restore")?;
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or(0.0);
    let connected = n(&all, "connected");
    let rss = n(&all, "rss_kib");
    let send_figures = match send {
        0 => None,
        per_session => {
            let s = find("send")?;
            Some(SendFigures {
                per_session,
                recipient_devices: 0,
                messages: n(&s, "messages"),
                secs: f(&s, "secs"),
                messages_per_sec: f(&s, "per_sec"),
                failed_sessions: n(&s, "failed_sessions"),
            })
        }
    };
    let figures = RunFigures {
        time_to_all_connected_secs: f(&all, "secs"),
        connected,
        failures: n(&all, "failures"),
        client_rss_kib: rss,
        client_rss_per_session_kib: rss.saturating_sub(n(&all, "rss_start_kib")) as f64
            / connected.max(1) as f64,
        alive_after_hold: n(&held, "alive"),
        client_rss_after_hold_kib: n(&held, "rss_kib"),
        single_restore_login_ms_p50: f(&single, "p50_ms"),
        single_restore_login_ms_max: f(&single, "max_ms"),
    };
    Ok((figures, send_figures))
}

/// Prints the report as a table.
pub(crate) fn print(r: &SessionsReport) {
    let mib = |k: u64| k as f64 / 1024.0;
    println!("| measure | first login | restart |\n|---|---|---|");
    let row = |name: &str, a: String, b: String| println!("| {name} | {a} | {b} |");
    let (a, b) = (&r.first_login, &r.restart);
    println!("| sessions ({} build) | {} | |", r.build, r.sessions);
    row(
        "time to all connected",
        format!("{:.1} s", a.time_to_all_connected_secs),
        format!("{:.1} s", b.time_to_all_connected_secs),
    );
    row(
        "connected",
        a.connected.to_string(),
        b.connected.to_string(),
    );
    row("failures", a.failures.to_string(), b.failures.to_string());
    row(
        "client RSS all connected",
        format!("{:.1} MiB", mib(a.client_rss_kib)),
        format!("{:.1} MiB", mib(b.client_rss_kib)),
    );
    row(
        "client RSS per session",
        format!("{:.1} KiB", a.client_rss_per_session_kib),
        format!("{:.1} KiB", b.client_rss_per_session_kib),
    );
    row(
        "alive after hold",
        a.alive_after_hold.to_string(),
        b.alive_after_hold.to_string(),
    );
    row(
        "client RSS after hold",
        format!("{:.1} MiB", mib(a.client_rss_after_hold_kib)),
        format!("{:.1} MiB", mib(b.client_rss_after_hold_kib)),
    );
    row(
        "restore + login of one session p50 / max",
        format!(
            "{:.1} / {:.1} ms",
            a.single_restore_login_ms_p50, a.single_restore_login_ms_max
        ),
        format!(
            "{:.1} / {:.1} ms",
            b.single_restore_login_ms_p50, b.single_restore_login_ms_max
        ),
    );
    if let Some(s) = &r.send {
        println!(
            "| send: {} × {} messages to a {}-device recipient | {:.0} msg/s ({:.1} s) | |",
            r.sessions, s.per_session, s.recipient_devices, s.messages_per_sec, s.secs
        );
    }
    println!("| setup (provisioning) | {:.1} s | |", r.setup_secs);
    println!("| sim RSS at the end | {:.1} MiB | |", mib(r.sim_rss_kib));
}
