//! `cargo xtask load`: load scenarios against a `wa-sim` process.
//!
//! The simulator runs as a child process (its own file-descriptor limit and
//! a clean `/proc/PID/status` for memory); this process is the client side.
//!
//! Modes (exactly one):
//! - `--sessions N`: N paired sessions of the client runtime in a separate
//!   client process, first login and cold restart ([`sessions`]).
//! - `--raw-connections N`: N companions, each on its own websocket with
//!   the real Noise handshake and login, held idle ([`raw`]).
//!
//! Sessions options: `--send M` makes every session send M messages to
//! one recipient account with `--recipient-devices D` devices (default 3:
//! its phone and two companions) during the first run, and reports the
//! messages per second acked by the server.
//! Common options: `--json` prints one JSON object on stdout instead of
//! the table; `--release` runs a release build of the simulator.
//! Raw-connection options: `--hold SECS` (default 60), `--per-account K`
//! (companions per account, default 1), `--concurrency C` (handshakes in
//! flight, default 200), `--ping-interval SECS` (default 30),
//! `--connect-timeout SECS` (default 600).
//!
//! A new mode adds a variant to [`Mode`], a line in [`parse`] and a module.

mod raw;
mod sessions;
pub(crate) mod sim_proc;

use std::time::Duration;

use anyhow::{Context, bail};

/// What to load the simulator with.
#[derive(Debug, Clone)]
enum Mode {
    /// `--raw-connections N`.
    RawConnections(raw::RawOpts),
    /// `--sessions N`.
    Sessions(sessions::SessionsOpts),
}

/// Parsed command line.
#[derive(Debug, Clone)]
struct Args {
    mode: Mode,
    json: bool,
}

const USAGE: &str = "usage: cargo xtask load --raw-connections N [--hold SECS] [--per-account K] \
[--concurrency C] [--ping-interval SECS] [--connect-timeout SECS] [--release] [--json]\n       \
cargo xtask load --sessions N [--hold SECS] [--send M [--recipient-devices D]] [--release] [--json]";

fn parse(args: &[String]) -> anyhow::Result<Args> {
    let mut raw_n: Option<usize> = None;
    let mut sessions_n: Option<usize> = None;
    let mut json = false;
    let mut release = false;
    let mut hold = 60u64;
    let mut per_account = 1usize;
    let mut concurrency = 200usize;
    let mut ping = 30u64;
    let mut connect_timeout = 600u64;
    let mut send = 0usize;
    let mut recipient_devices = 3u16;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| -> anyhow::Result<String> {
            it.next()
                .cloned()
                .with_context(|| format!("{name} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--raw-connections" => raw_n = Some(value(a)?.parse()?),
            "--sessions" => sessions_n = Some(value(a)?.parse()?),
            "--hold" => hold = value(a)?.parse()?,
            "--per-account" => per_account = value(a)?.parse()?,
            "--concurrency" => concurrency = value(a)?.parse()?,
            "--ping-interval" => ping = value(a)?.parse()?,
            "--connect-timeout" => connect_timeout = value(a)?.parse()?,
            "--send" => send = value(a)?.parse()?,
            "--recipient-devices" => recipient_devices = value(a)?.parse()?,
            "--release" => release = true,
            "--json" => json = true,
            "-h" | "--help" => bail!("{USAGE}"),
            other => bail!("unknown option {other}\n{USAGE}"),
        }
    }
    let mode = match (raw_n, sessions_n) {
        (Some(_), Some(_)) => bail!("choose one mode\n{USAGE}"),
        (None, Some(n)) => Mode::Sessions(sessions::SessionsOpts {
            sessions: n,
            hold: hold.min(3600),
            release,
            send,
            recipient_devices: recipient_devices.clamp(1, 16),
        }),
        (Some(n), None) => Mode::RawConnections(raw::RawOpts {
            connections: n,
            per_account: per_account.max(1),
            hold: Duration::from_secs(hold),
            concurrency,
            ping_interval: Duration::from_secs(ping.max(1)),
            connect_timeout: Duration::from_secs(connect_timeout),
            release,
        }),
        (None, None) => bail!("choose a mode\n{USAGE}"),
    };
    Ok(Args { mode, json })
}

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let args = parse(args)?;
    match &args.mode {
        Mode::Sessions(opts) => {
            let r = sessions::run(opts)?;
            if args.json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                sessions::print(&r);
            }
            if let Some(s) = &r.send
                && (s.failed_sessions > 0 || s.messages < (r.sessions * s.per_session) as u64)
            {
                bail!("the send storm failed: {s:?}");
            }
            for run in [&r.first_login, &r.restart] {
                if run.connected < r.sessions as u64 || run.failures > 0 {
                    bail!(
                        "{} of {} sessions connected, {} failures",
                        run.connected,
                        r.sessions,
                        run.failures
                    );
                }
            }
        }
        Mode::RawConnections(opts) => {
            let r = raw::run(opts)?;
            if args.json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                print_raw(&r);
            }
            let failed: usize = r.failures.values().sum();
            if failed > 0 || r.connected < r.connections {
                bail!(
                    "{failed} of {} connections failed: {:?}",
                    r.connections,
                    r.failures
                );
            }
        }
    }
    Ok(())
}

fn print_raw(r: &raw::RawReport) {
    let mib = |k: u64| k as f64 / 1024.0;
    let rows: Vec<(&str, String)> = vec![
        ("sim build", r.sim_build.to_owned()),
        ("connections requested", r.connections.to_string()),
        ("accounts", r.accounts.to_string()),
        (
            "setup (accounts + devices)",
            format!("{:.1} s", r.setup_secs),
        ),
        ("connected", r.connected.to_string()),
        (
            "time to all connected",
            format!("{:.1} s", r.time_to_all_connected_secs),
        ),
        (
            "connect latency p50 / p99",
            format!(
                "{:.0} / {:.0} ms",
                r.connect_latency_ms_p50, r.connect_latency_ms_p99
            ),
        ),
        ("held idle", format!("{:.0} s", r.hold_secs)),
        ("alive after hold", r.alive_after_hold.to_string()),
        ("pings / answers", format!("{} / {}", r.pings_sent, r.pongs)),
        (
            "sim-reported connections",
            r.sim_connections_reported.to_string(),
        ),
        ("failures", r.failures.values().sum::<usize>().to_string()),
        (
            "sim RSS at start",
            format!("{:.1} MiB", mib(r.rss_start_kib)),
        ),
        (
            "sim RSS after setup",
            format!("{:.1} MiB", mib(r.rss_after_setup_kib)),
        ),
        (
            "sim RSS all connected",
            format!("{:.1} MiB", mib(r.rss_connected_kib)),
        ),
        (
            "sim RSS end of hold",
            format!("{:.1} MiB", mib(r.rss_end_of_hold_kib)),
        ),
        ("sim peak RSS (VmHWM)", format!("{:.1} MiB", mib(r.hwm_kib))),
        (
            "RSS per connection",
            format!("{:.1} KiB", r.rss_per_connection_kib),
        ),
        (
            "RSS per account (setup)",
            format!("{:.1} KiB", r.rss_per_account_kib),
        ),
    ];
    println!("| measure | value |\n|---|---|");
    for (k, v) in rows {
        println!("| {k} | {v} |");
    }
    for (why, n) in &r.failures {
        println!("failure ×{n}: {why}");
    }
}
