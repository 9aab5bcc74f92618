//! Many sessions in one process: restores every paired session of a store
//! with a [`SessionManager`], waits until all are connected, holds them
//! idle, and reports time and memory as JSON lines on stdout. This is the
//! client side of `cargo xtask load --sessions N`, which provisions the
//! store and runs wa-sim; it works against any server the sessions belong
//! to.
//!
//! ```text
//! many_sessions --db PATH --url ws://HOST/ws/chat --root HEX [--hold SECS] [--single K]
//!               [--send M --to PHONE]
//! ```
//!
//! With `--send M --to PHONE`, once all are connected every session sends
//! M text messages to PHONE (up to 64 `send_message` calls in flight per
//! session, as concurrent API requests would be) and a `{"event":"send",...}`
//! line reports the time until the server acked them all.
//!
//! Lines: `{"event":"all_connected",...}`, `{"event":"held",...}`,
//! `{"event":"single_restore",...}` (K times: stop one session, start it
//! again, time to connected).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wa_proto::keys::PublicKey;
use wa_proto::noise::TrustedRoot;
use wa_session::store::{SqliteOptions, SqliteStore, Store};
use wa_session::{ClientTemplate, Event, SessionManager, Status};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Every session queues `per_session` messages to `to`; reports the time
/// until all are acked by the server.
async fn send_storm(
    m: &SessionManager,
    ids: &[String],
    per_session: usize,
    to: &str,
) -> Result<(), BoxError> {
    let to = wa_proto::jid::Jid::pn(to);
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for id in ids {
        let client = m.client(id).ok_or("session not running")?;
        let to = to.clone();
        tasks.push(tokio::spawn(async move {
            // Like API callers: up to IN_FLIGHT sends of one session at a
            // time, each waiting for the server's ack (acceptance commits
            // share the store's group commit).
            const IN_FLIGHT: usize = 64;
            let mut set = tokio::task::JoinSet::new();
            for k in 0..per_session {
                if set.len() >= IN_FLIGHT
                    && let Some(r) = set.join_next().await
                {
                    r.map_err(|e| wa_session::Error::InvalidState(e.to_string()))??;
                }
                let msg = wa_proto::proto::wa::Message {
                    conversation: Some(format!("load message {k}")),
                    ..Default::default()
                };
                let (client, to) = (client.clone(), to.clone());
                set.spawn(async move { client.send_message(&to, msg).await.map(|_| ()) });
            }
            while let Some(r) = set.join_next().await {
                r.map_err(|e| wa_session::Error::InvalidState(e.to_string()))??;
            }
            Ok::<_, wa_session::Error>(())
        }));
    }
    let mut failed = 0usize;
    for t in tasks {
        if !matches!(t.await, Ok(Ok(()))) {
            failed += 1;
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let total = ids.len() * per_session;
    println!(
        "{}",
        serde_json::json!({
            "event": "send", "sessions": ids.len(), "messages": total,
            "failed_sessions": failed, "secs": secs,
            "per_sec": total as f64 / secs.max(1e-9), "rss_kib": rss_kib(),
        })
    );
    Ok(())
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    let db = arg(&args, "--db").ok_or("--db PATH")?;
    let url = arg(&args, "--url").ok_or("--url URL")?;
    let root: [u8; 32] = hex::decode(arg(&args, "--root").ok_or("--root HEX")?)?
        .try_into()
        .map_err(|_| "root: 32 bytes")?;
    let hold: u64 = arg(&args, "--hold").map_or(Ok(10), |h| h.parse())?;
    let singles: usize = arg(&args, "--single").map_or(Ok(10), |h| h.parse())?;
    let send: usize = arg(&args, "--send").map_or(Ok(0), |h| h.parse())?;
    let to = arg(&args, "--to");

    let rss_start = rss_kib();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db, SqliteOptions::default())?);
    let template = ClientTemplate {
        url,
        root: TrustedRoot::new(PublicKey::from_raw(root)),
        ..ClientTemplate::default()
    };
    let (m, mut events) = SessionManager::new(store, template);
    let t0 = Instant::now();
    let ids = m.restore_all().await?;
    let total = ids.len();
    let mut connected = HashSet::new();
    let mut failures = 0usize;
    while connected.len() < total {
        let Ok(Some((sid, e))) =
            tokio::time::timeout(Duration::from_secs(120), events.recv()).await
        else {
            break;
        };
        match e {
            Event::Connected { .. } => {
                connected.insert(sid);
            }
            Event::LoggedOut { .. } | Event::Qr { .. } | Event::StreamReplaced => failures += 1,
            _ => {}
        }
    }
    let all_secs = t0.elapsed().as_secs_f64();
    let rss_connected = rss_kib();
    println!(
        "{}",
        serde_json::json!({
            "event": "all_connected", "sessions": total, "connected": connected.len(),
            "failures": failures, "secs": all_secs,
            "rss_start_kib": rss_start, "rss_kib": rss_connected,
        })
    );

    if let (true, Some(to)) = (send > 0, to) {
        send_storm(&m, &ids, send, &to).await?;
    }

    // Hold idle; keepalives run; count sessions still connected.
    let hold_until = tokio::time::Instant::now() + Duration::from_secs(hold);
    while tokio::time::timeout_at(hold_until, events.recv())
        .await
        .is_ok()
    {}
    let alive = m
        .list()
        .iter()
        .filter(|(_, s)| *s == Status::Connected)
        .count();
    println!(
        "{}",
        serde_json::json!({"event": "held", "secs": hold, "alive": alive, "rss_kib": rss_kib()})
    );

    // Restore + login of one session, measured K times.
    let mut times = Vec::new();
    for id in ids.iter().take(singles) {
        m.stop(id).await;
        let t = Instant::now();
        m.start(id).await?;
        loop {
            let Ok(Some((sid, e))) =
                tokio::time::timeout(Duration::from_secs(10), events.recv()).await
            else {
                return Err("single restore timed out".into());
            };
            if &*sid == id.as_str() && matches!(e, Event::Connected { .. }) {
                break;
            }
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let p50 = times.get(times.len() / 2).copied().unwrap_or(0.0);
    let max = times.last().copied().unwrap_or(0.0);
    println!(
        "{}",
        serde_json::json!({"event": "single_restore", "runs": times.len(), "p50_ms": p50, "max_ms": max})
    );
    m.shutdown().await;
    Ok(())
}
