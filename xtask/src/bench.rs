//! `cargo xtask bench [--json] [--quick]`: our criterion figures beside the
//! peer figures, measured in one run on the same machine.
//!
//! 1. Runs the peer bench (`xtask/interop/peer-bench.mjs`: Baileys' binary
//!    codec and libsignal-node's session cipher) from the oracle folder.
//! 2. Runs our criterion benches (`cargo bench -p wa-proto --bench <b>`).
//! 3. Reads criterion's `target/criterion/<group>/<function>/new/estimates.json`,
//!    converts median times to rates, and prints a table with the ratios.
//!
//! With `--json`, the last line of stdout is one JSON object with our keys
//! (`node_encode_per_s`, ...), the peer's under `peer_` keys and `ratio_` keys.
//! This output format is a contract: extend it, never rename keys.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::interop::node_script;
use crate::util::{cargo, root, run as sh};

/// How one of our figures is derived from a criterion result.
struct Metric {
    /// Key in the JSON object.
    key: &'static str,
    /// Bench target (file in `crates/<crate>/benches/`).
    bench: &'static str,
    /// Package holding the bench.
    package: &'static str,
    /// Criterion group id.
    group: &'static str,
    /// Criterion function id.
    function: &'static str,
    /// Units processed per iteration (elements or bytes).
    per_iter: f64,
}

const KIB64: f64 = 65536.0;
const MIB: f64 = 1048576.0;

const METRICS: &[Metric] = &[
    Metric {
        key: "node_encode_per_s",
        bench: "binary",
        package: "wa-proto",
        group: "binary",
        function: "encode_stanza",
        per_iter: 1.0,
    },
    Metric {
        key: "node_decode_per_s",
        bench: "binary",
        package: "wa-proto",
        group: "binary",
        function: "decode_stanza",
        per_iter: 1.0,
    },
    Metric {
        key: "node_decode_owned_per_s",
        bench: "binary",
        package: "wa-proto",
        group: "binary",
        function: "decode_stanza_owned",
        per_iter: 1.0,
    },
    Metric {
        key: "noise_encrypt_bytes_per_s",
        bench: "noise",
        package: "wa-proto",
        group: "noise",
        function: "encrypt_64KiB",
        per_iter: KIB64,
    },
    Metric {
        key: "noise_decrypt_bytes_per_s",
        bench: "noise",
        package: "wa-proto",
        group: "noise",
        function: "decrypt_64KiB",
        per_iter: KIB64,
    },
    Metric {
        key: "noise_encrypt_64b_per_s",
        bench: "noise",
        package: "wa-proto",
        group: "noise",
        function: "encrypt_64B",
        per_iter: 1.0,
    },
    Metric {
        key: "noise_decrypt_64b_per_s",
        bench: "noise",
        package: "wa-proto",
        group: "noise",
        function: "decrypt_64B",
        per_iter: 1.0,
    },
    Metric {
        key: "noise_handshake_per_s",
        bench: "noise",
        package: "wa-proto",
        group: "noise",
        function: "handshake",
        per_iter: 1.0,
    },
    Metric {
        key: "signal_encrypt_per_s",
        bench: "signal",
        package: "wa-proto",
        group: "signal",
        function: "encrypt_64B",
        per_iter: 1.0,
    },
    Metric {
        key: "signal_decrypt_per_s",
        bench: "signal",
        package: "wa-proto",
        group: "signal",
        function: "decrypt_64B",
        per_iter: 1.0,
    },
    Metric {
        key: "media_encrypt_bytes_per_s",
        bench: "media",
        package: "wa-proto",
        group: "media",
        function: "encrypt_1MiB",
        per_iter: MIB,
    },
    Metric {
        key: "media_decrypt_bytes_per_s",
        bench: "media",
        package: "wa-proto",
        group: "media",
        function: "decrypt_1MiB",
        per_iter: MIB,
    },
];

/// (our key, peer key, minimum ratio the issues ask for).
const RATIOS: &[(&str, &str, f64)] = &[
    ("node_encode_per_s", "peer_node_encode_per_s", 40.0),
    ("node_decode_per_s", "peer_node_decode_per_s", 14.0),
    ("signal_encrypt_per_s", "peer_signal_encrypt_per_s", 22.0),
    ("signal_decrypt_per_s", "peer_signal_decrypt_per_s", 22.0),
];

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let as_json = args.iter().any(|a| a == "--json");
    let quick = args.iter().any(|a| a == "--quick");

    let mut out = Map::new();
    peer_figures(quick, &mut out)?;
    our_figures(quick, &mut out)?;
    for (ours, peer, _) in RATIOS {
        if let (Some(a), Some(b)) = (
            out.get(*ours).and_then(Value::as_f64),
            out.get(*peer).and_then(Value::as_f64),
        ) && b > 0.0
        {
            let key = format!("ratio_{}", ours.trim_end_matches("_per_s"));
            out.insert(key, json!((a / b * 100.0).round() / 100.0));
        }
    }
    print_table(&out);
    if as_json {
        println!("{}", Value::Object(out));
    }
    Ok(())
}

fn peer_figures(quick: bool, out: &mut Map<String, Value>) -> anyhow::Result<()> {
    let args: &[&str] = if quick { &["--quick"] } else { &[] };
    let stdout = node_script("peer-bench.mjs", args)?;
    for line in stdout.lines() {
        let v: Value = serde_json::from_str(line)?;
        let prefix = match v["what"].as_str() {
            Some("baileys-binary") => "peer_node",
            Some("libsignal-node") => "peer_signal",
            _ => continue,
        };
        for (k, val) in v.as_object().into_iter().flatten() {
            if k != "what" && k != "bytes" {
                out.insert(format!("{prefix}_{k}"), val.clone());
            }
        }
    }
    Ok(())
}

fn our_figures(quick: bool, out: &mut Map<String, Value>) -> anyhow::Result<()> {
    // Run each bench target that exists, once.
    let mut benches: BTreeMap<(&str, &str), ()> = BTreeMap::new();
    for m in METRICS {
        let file = root()
            .join("crates")
            .join(m.package)
            .join("benches")
            .join(format!("{}.rs", m.bench));
        if file.exists() {
            benches.insert((m.package, m.bench), ());
        }
    }
    for (package, bench) in benches.keys() {
        let mut cmd = cargo();
        cmd.args([
            "bench", "--locked", "-p", package, "--bench", bench, "--", "--noplot",
        ]);
        if quick {
            cmd.args(["--warm-up-time", "1", "--measurement-time", "2"]);
        }
        sh(&mut cmd)?;
    }
    let criterion = root().join("target/criterion");
    for m in METRICS {
        if let Some(ns) = median_ns(&criterion.join(m.group).join(m.function))? {
            out.insert(m.key.to_string(), json!((m.per_iter * 1e9 / ns).round()));
        }
    }
    Ok(())
}

/// Median time per iteration in nanoseconds, if criterion recorded one.
fn median_ns(dir: &Path) -> anyhow::Result<Option<f64>> {
    let path = dir.join("new/estimates.json");
    if !path.exists() {
        return Ok(None);
    }
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    Ok(v["median"]["point_estimate"].as_f64())
}

fn print_table(out: &Map<String, Value>) {
    eprintln!("\n{:<32} {:>18}", "figure", "value");
    for (k, v) in out {
        eprintln!("{k:<32} {:>18}", human(v.as_f64().unwrap_or_default(), k));
    }
    for (ours, peer, want) in RATIOS {
        if let (Some(a), Some(b)) = (
            out.get(*ours).and_then(Value::as_f64),
            out.get(*peer).and_then(Value::as_f64),
        ) {
            let ratio = a / b;
            let verdict = if ratio >= *want { "ok" } else { "BELOW TARGET" };
            eprintln!("{ours} / {peer} = {ratio:.1}x (target {want}x): {verdict}");
        }
    }
}

fn human(v: f64, key: &str) -> String {
    if key.contains("bytes") {
        format!("{:.2} GB/s", v / 1e9)
    } else if key.starts_with("ratio_") {
        format!("{v:.2}x")
    } else {
        format!("{:.0}/s", v)
    }
}
