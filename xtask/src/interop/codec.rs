//! Interop suite `codec`: our binary node codec against Baileys' (`encodeBinaryNode`
//! / `decodeBinaryNode`, dictionary version 3).
//!
//! 1. Our token tables equal the oracle's (`gen-tokens --check`).
//! 2. `codec.mjs gen` builds thousands of random trees with a seeded PRNG (plus
//!    forced edge cases, zlib-compressed copies and hand-made byte strings) and
//!    encodes them with Baileys. We decode every encoding and compare the JSON
//!    form with the generated tree (or, for hand-made bytes, Baileys' reading).
//! 3. We encode every generated tree from its JSON form; Baileys decodes our
//!    bytes (`codec.mjs check`) and must read what it reads from its own bytes.
//!    Where no content was a JS string (Baileys writes those as tokens, we as
//!    bytes), our bytes must equal Baileys' byte for byte.

use anyhow::{Context, ensure};
use serde::Deserialize;
use serde_json::Value;

use super::node_script;
use crate::node::{JsonIn, from_hex, from_json_in, to_hex, to_json_value};
use crate::util::root;

/// Random trees per run (besides the forced and hand-made cases).
const COUNT: usize = 3000;
/// PRNG seed (fixed, so a failure reproduces; override with `CODEC_SEED`;
/// `CODEC_COUNT` overrides [`COUNT`]).
const SEED: u32 = 20_261_125;

/// One line of `codec.mjs gen` output.
#[derive(Deserialize)]
struct Line {
    hex: String,
    /// The generated tree, parsed in document order (attribute order matters
    /// for byte equality; a `Value` would sort the keys).
    orig: Option<JsonIn>,
    rt: Value,
    string_content: bool,
    kind: String,
}

struct Case {
    hex: String,
    orig: Option<Value>,
    rt: Value,
    string_content: bool,
    kind: String,
}

/// Runs the suite.
pub(crate) fn run() -> anyhow::Result<()> {
    crate::gen_tokens::run(&["--check".to_owned()])?;
    let seed = std::env::var("CODEC_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    let count = std::env::var("CODEC_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(COUNT);
    let dir = root().join("target/interop");
    std::fs::create_dir_all(&dir)?;
    let cases_path = dir.join("codec-cases.jsonl");
    let ours_path = dir.join("codec-ours.hex");
    let t0 = std::time::Instant::now();
    node_script(
        "codec.mjs",
        &[
            "gen",
            &seed.to_string(),
            &count.to_string(),
            path_str(&cases_path)?,
        ],
    )?;
    let text = std::fs::read_to_string(&cases_path)?;
    let t1 = std::time::Instant::now();

    // Baileys → us.
    let mut cases = Vec::new();
    let mut ours = String::new();
    let mut failures = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line: Line = serde_json::from_str(line).with_context(|| format!("case {i}"))?;
        let case = Case {
            hex: line.hex,
            orig: line.orig.as_ref().map(JsonIn::to_value),
            rt: line.rt,
            string_content: line.string_content,
            kind: line.kind,
        };
        let expected = case.orig.as_ref().unwrap_or(&case.rt);
        let bytes = from_hex(&case.hex)?;
        match wa_proto::binary::decode(&bytes) {
            Ok(node) if to_json_value(&node) == *expected => {}
            Ok(node) => failures.push(format!(
                "case {i} ({}): our decode differs: {}",
                case.kind,
                diff(&to_json_value(&node), expected)
            )),
            Err(e) => failures.push(format!("case {i} ({}): our decode failed: {e}", case.kind)),
        }
        // Us → Baileys, for generated trees.
        if let Some(orig) = line.orig {
            let node = from_json_in(orig)?;
            wa_proto::binary::check_encodable(&node)?;
            ours.push_str(&to_hex(&wa_proto::binary::encode(&node)));
            ours.push('\n');
            cases.push((i, case));
        }
    }
    std::fs::write(&ours_path, &ours)?;
    let t2 = std::time::Instant::now();
    let decoded = node_script("codec.mjs", &["check", path_str(&ours_path)?])?;
    let t3 = std::time::Instant::now();
    let decoded: Vec<&str> = decoded.lines().collect();
    ensure!(
        decoded.len() == cases.len(),
        "codec.mjs check returned {} lines for {}",
        decoded.len(),
        cases.len()
    );
    let (mut identical, mut comparable, mut lossless) = (0, 0, 0);
    for ((i, case), (theirs, ours_hex)) in cases.iter().zip(decoded.iter().zip(ours.lines())) {
        let theirs: Value = serde_json::from_str(theirs)?;
        // Baileys must read our bytes as it reads its own, or exactly as
        // generated: where a content string held an agent JID, Baileys' own
        // bytes lose the agent and ours (bytes) keep it. Checked value by value.
        let orig = case.orig.as_ref().unwrap_or(&case.rt);
        if theirs == *orig {
            lossless += 1;
        } else if let Some(d) = disagreement(&theirs, &case.rt, orig, &mut String::new()) {
            failures.push(format!(
                "case {i} ({}): Baileys reads our bytes differently {d}",
                case.kind
            ));
        }
        if !case.string_content && case.kind != "zlib" {
            comparable += 1;
            if *ours_hex == case.hex {
                identical += 1;
            } else {
                failures.push(format!(
                    "case {i} ({}): our bytes differ from Baileys'",
                    case.kind
                ));
            }
        }
    }
    eprintln!(
        "codec: {} cases decoded, {} encoded and read back by Baileys ({} exactly as generated), \
         {identical}/{comparable} byte-identical to Baileys (trees without string content)",
        text.lines().count(),
        cases.len(),
        lossless,
    );
    eprintln!(
        "codec: Baileys encode {:.1}s, our decode+encode {:.1}s, Baileys decode {:.1}s, compare {:.1}s",
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64(),
        t3.elapsed().as_secs_f64()
    );
    for f in failures.iter().take(10) {
        eprintln!("  {f}");
    }
    ensure!(
        failures.is_empty(),
        "codec interop: {} failure(s)",
        failures.len()
    );
    Ok(())
}

/// The first value where `theirs` equals neither `rt` nor `orig`.
fn disagreement(theirs: &Value, rt: &Value, orig: &Value, path: &mut String) -> Option<String> {
    if theirs == rt || theirs == orig {
        return None;
    }
    let child = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    match (theirs, rt) {
        (Value::Object(t), Value::Object(r)) if t.len() == r.len() => t.keys().find_map(|k| {
            let len = path.len();
            path.push_str(&format!(".{k}"));
            let d = disagreement(&child(theirs, k), &child(rt, k), &child(orig, k), path);
            path.truncate(len);
            d
        }),
        (Value::Array(t), Value::Array(r)) if t.len() == r.len() => (0..t.len()).find_map(|i| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let d = disagreement(
                &theirs[i],
                &rt[i],
                orig.get(i).unwrap_or(&Value::Null),
                path,
            );
            path.truncate(len);
            d
        }),
        _ => Some(format!("at {path}: {}", diff(theirs, rt))),
    }
}

fn path_str(p: &std::path::Path) -> anyhow::Result<&str> {
    p.to_str().context("non-UTF-8 path")
}

/// A short description of where two JSON trees first differ.
fn diff(a: &Value, b: &Value) -> String {
    fn walk(a: &Value, b: &Value, path: &mut String) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for k in x.keys().chain(y.keys()) {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    let d = walk(
                        x.get(k).unwrap_or(&Value::Null),
                        y.get(k).unwrap_or(&Value::Null),
                        path,
                    );
                    if d.is_some() {
                        return d;
                    }
                    path.truncate(len);
                }
                None
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    let d = walk(p, q, path);
                    if d.is_some() {
                        return d;
                    }
                    path.truncate(len);
                }
                None
            }
            _ if a == b => None,
            _ => {
                let short = |v: &Value| v.to_string().chars().take(120).collect::<String>();
                Some(format!("at {path}: {} vs expected {}", short(a), short(b)))
            }
        }
    }
    walk(a, b, &mut String::new()).unwrap_or_else(|| "(no difference found)".into())
}
