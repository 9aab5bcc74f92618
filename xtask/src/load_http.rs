//! `cargo xtask load-http`: sendMessage over HTTP for many sessions.
//!
//! Starts a release `wa-sim` and a release `wa-http` pointed at it (as a
//! user would: `--ws-url`, `--trust-root`, `--media-ca`), links N sessions
//! through the REST API (start, QR, the sim's phone scans it), then drives
//! `POST /client/sendMessage/{id}` from C client threads (keep-alive
//! connections, closed loop) to one recipient and reports requests per
//! second and the latency percentiles of the HTTP answers. Finally it waits
//! until the recipient's phone holds every message exactly once.
//!
//! Options: `--sessions N` (100), `--messages M` (20 000), `--concurrency
//! C` (64), `--json`, `--accept-only` (requests carry `options.waitForAck:
//! false`: the gateway answers once the message is in the durable outbox
//! instead of after WhatsApp's server ack).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use serde_json::{Value, json};

use crate::gateway_proc::{GatewayProcess, link_sessions};
use crate::load::sim_proc::{Control, SimProcess};

const RECIPIENT: &str = "4470000000000";
const SENDER_PREFIX: &str = "44710";

#[derive(Debug, Clone)]
struct Opts {
    sessions: usize,
    messages: usize,
    concurrency: usize,
    json: bool,
    /// `options.waitForAck: false`: answered once in the durable outbox.
    accept_only: bool,
}

/// The figures.
#[derive(Debug, serde::Serialize)]
struct Report {
    accept_only: bool,
    sessions: usize,
    messages: usize,
    concurrency: usize,
    link_s: f64,
    elapsed_s: f64,
    msg_per_s: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    errors: u64,
    delivered: usize,
    all_delivered_s: f64,
}

fn parse(args: &[String]) -> anyhow::Result<Opts> {
    let mut o = Opts {
        sessions: 100,
        messages: 20_000,
        concurrency: 64,
        json: false,
        accept_only: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .with_context(|| format!("{a} needs a value"))
        };
        match a.as_str() {
            "--sessions" => o.sessions = value()?.parse()?,
            "--messages" => o.messages = value()?.parse()?,
            "--concurrency" => o.concurrency = value()?.parse()?,
            "--json" => o.json = true,
            "--accept-only" => o.accept_only = true,
            other => bail!(
                "unknown option {other}\nusage: cargo xtask load-http [--sessions N] [--messages M] [--concurrency C] [--accept-only] [--json]"
            ),
        }
    }
    ensure!(
        o.sessions > 0 && o.concurrency > 0,
        "sessions and concurrency must be > 0"
    );
    Ok(o)
}

fn send(c: &mut Control, session: usize, text: &str, accept_only: bool) -> anyhow::Result<Value> {
    c.post(
        &format!("/client/sendMessage/s{session}"),
        &json!({"chatId": format!("{RECIPIENT}@c.us"), "contentType": "string", "content": text,
                "options": {"waitForAck": !accept_only}}),
    )
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)] as f64 / 1000.0
}

fn delivered(sim: &SimProcess, total: usize) -> anyhow::Result<usize> {
    let inbox = Control::connect(&sim.addr)?.get(&format!("/sim/accounts/{RECIPIENT}/inbox"))?;
    let mut ids = HashSet::new();
    let mut dup = 0;
    for e in inbox.as_array().context("inbox")? {
        if e["text"].as_str().is_some_and(|t| t.starts_with("load "))
            && !ids.insert(e["id"].to_string())
        {
            dup += 1;
        }
    }
    ensure!(dup == 0, "{dup} duplicated messages at the recipient");
    ensure!(ids.len() <= total, "more messages than sent");
    Ok(ids.len())
}

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let o = parse(args)?;
    let sim = SimProcess::start(true)?;
    let gw = GatewayProcess::start(&sim, true, &[])?;
    let t = Instant::now();
    Control::connect(&sim.addr)?.post(
        "/sim/accounts",
        &json!({"phone": RECIPIENT, "name": "Recipient"}),
    )?;
    link_sessions(&sim, &gw, o.sessions, SENDER_PREFIX)?;
    let link_s = t.elapsed().as_secs_f64();
    // Warm-up: one message per session (device lists, Signal sessions).
    {
        let mut c = Control::connect(&gw.addr)?;
        for i in 0..o.sessions {
            send(&mut c, i, "warm-up", false)?;
        }
    }
    std::thread::sleep(Duration::from_secs(2));
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut lat: Vec<u64> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..o.concurrency)
            .map(|_| {
                let next = Arc::clone(&next);
                let errors = Arc::clone(&errors);
                let gw = &gw;
                let o = &o;
                s.spawn(move || {
                    let mut lat = Vec::new();
                    let Ok(mut c) = Control::connect(&gw.addr) else {
                        errors.fetch_add(1, Ordering::Relaxed);
                        return lat;
                    };
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= o.messages {
                            return lat;
                        }
                        let t = Instant::now();
                        match send(&mut c, i % o.sessions, &format!("load {i}"), o.accept_only) {
                            Ok(_) => lat.push(t.elapsed().as_micros() as u64),
                            Err(e) => {
                                if errors.fetch_add(1, Ordering::Relaxed) < 3 {
                                    eprintln!("load-http: {e:#}");
                                }
                                if let Ok(fresh) = Control::connect(&gw.addr) {
                                    c = fresh;
                                }
                            }
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    lat.sort_unstable();
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut got = delivered(&sim, o.messages)?;
    while got < lat.len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        got = delivered(&sim, o.messages)?;
    }
    let r = Report {
        accept_only: o.accept_only,
        sessions: o.sessions,
        messages: o.messages,
        concurrency: o.concurrency,
        link_s,
        elapsed_s: elapsed,
        msg_per_s: lat.len() as f64 / elapsed,
        p50_ms: percentile(&lat, 0.50),
        p90_ms: percentile(&lat, 0.90),
        p99_ms: percentile(&lat, 0.99),
        max_ms: percentile(&lat, 1.0),
        errors: errors.load(Ordering::Relaxed),
        delivered: got,
        all_delivered_s: started.elapsed().as_secs_f64(),
    };
    if o.json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        println!(
            "load-http: {} sessions linked in {:.1} s; {} sendMessage calls, {} concurrent: {:.0} msg/s, \
             p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.1} ms, {} errors; {} delivered to the recipient's phone {:.1} s after the start",
            r.sessions,
            r.link_s,
            r.messages,
            r.concurrency,
            r.msg_per_s,
            r.p50_ms,
            r.p90_ms,
            r.p99_ms,
            r.max_ms,
            r.errors,
            r.delivered,
            r.all_delivered_s
        );
    }
    ensure!(r.errors == 0, "{} requests failed", r.errors);
    ensure!(
        r.delivered == lat.len(),
        "only {} of {} accepted messages reached the recipient",
        r.delivered,
        lat.len()
    );
    Ok(())
}
