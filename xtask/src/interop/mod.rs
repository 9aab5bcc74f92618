//! `cargo xtask interop`: checks against independent implementations.
//!
//! The oracles (Baileys 7.0.0-rc14 and libsignal 6.0.0 from the npm registry)
//! are installed by [`ensure_oracle`] into `target/oracles/baileys` on first use.
//! Our own driver scripts live in `xtask/interop/*.mjs`; they load the oracle by
//! path from that folder.

mod codec;
mod media;
mod pair;
mod pair_code;
mod pair_payload;
mod poll_vote;
mod proto;
mod signal;
mod sim;
mod sim_client;

use std::path::PathBuf;
use std::process::Command;

use crate::util::{root, run as run_cmd};

mod noise;

/// Exact oracle versions (a change here is a deliberate re-baselining).
const ORACLE_PACKAGES: &[&str] = &["baileys@7.0.0-rc14", "libsignal@6.0.0"];

/// Folder holding `node_modules/{baileys,libsignal}`.
pub(crate) fn oracle_dir() -> PathBuf {
    root().join("target/oracles/baileys")
}

/// Installs the oracle packages with npm unless already present.
pub(crate) fn ensure_oracle() -> anyhow::Result<PathBuf> {
    let dir = oracle_dir();
    let marker = dir.join(".installed");
    if marker.exists() {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir)?;
    let pkg = dir.join("package.json");
    if !pkg.exists() {
        std::fs::write(
            &pkg,
            r#"{"name":"wa-oracles","private":true,"type":"module"}"#,
        )?;
    }
    let mut npm = Command::new("npm");
    npm.args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .args(ORACLE_PACKAGES);
    run_cmd(&mut npm)?;
    std::fs::write(&marker, ORACLE_PACKAGES.join("\n"))?;
    Ok(dir)
}

/// Runs `node xtask/interop/<script>` from the oracle folder with `args`,
/// returning its stdout.
pub(crate) fn node_script(script: &str, args: &[&str]) -> anyhow::Result<String> {
    let dir = ensure_oracle()?;
    let path = root().join("xtask/interop").join(script);
    let out = Command::new("node")
        .arg(&path)
        .args(args)
        .current_dir(&dir)
        .stderr(std::process::Stdio::inherit())
        .output()?;
    anyhow::ensure!(out.status.success(), "node {script} failed: {}", out.status);
    Ok(String::from_utf8(out.stdout)?)
}

/// One interop suite.
type Suite = fn() -> anyhow::Result<()>;

/// Runs every interop suite, or those named in `args`.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    ensure_oracle()?;
    let suites: &[(&str, Suite)] = &[
        ("codec", codec::run),
        ("noise", noise::run),
        ("proto", proto::run),
        ("media", media::media_suite),
        ("appstate", media::appstate_suite),
        ("signal", signal::run),
        ("pair", pair::run),
        ("sim-link", sim::link),
        ("sim-chat", sim::chat),
        ("sim-media", sim::media),
        ("sim-appstate", sim::appstate),
        ("sim-group", sim::group),
        ("sim-profile", sim::profile),
        ("poll-vote", poll_vote::run),
        ("sim-client", sim_client::run),
    ];
    let mut ran = 0;
    for (name, suite) in suites {
        if args.is_empty() || args.iter().any(|a| a == name) {
            eprintln!("interop: {name}");
            suite()?;
            ran += 1;
        }
    }
    eprintln!("interop: {ran} suite(s) passed");
    Ok(())
}
