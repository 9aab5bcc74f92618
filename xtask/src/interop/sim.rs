//! Interop suites `sim-link`, `sim-chat`, `sim-media`, `sim-appstate` and
//! `sim-group`: an unmodified Baileys client against the `wa-sim` binary.
//!
//! Each suite builds `wa-sim`, starts it on a free port (`--listen
//! 127.0.0.1:0`, address read from its first stdout line), reads `/sim/info`
//! (root key, CA), writes the CA to a file for `NODE_EXTRA_CA_CERTS`, and
//! runs `node xtask/interop/sim-<suite>.mjs --url http://ADDR --root HEX`
//! from the oracle folder. The scripts share `xtask/interop/sim-lib.mjs`.
//!
//! Adding a scenario (groups, media, app state, ...): write
//! `xtask/interop/sim-<name>.mjs` on top of `sim-lib.mjs`, add a function
//! here calling [`scenario`] and register it in `interop/mod.rs`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail, ensure};

use super::ensure_oracle;
use crate::load::sim_proc::SimProcess;
use crate::util::root;

/// `sim-link`: QR link, pairing code, re-login from saved credentials.
pub(crate) fn link() -> anyhow::Result<()> {
    scenario("sim-link.mjs")
}

/// `sim-chat`: messages both ways, receipts, offline queue, dropped connections.
pub(crate) fn chat() -> anyhow::Result<()> {
    scenario("sim-chat.mjs")
}

/// `sim-media`: images both ways through the sim's HTTPS media server.
pub(crate) fn media() -> anyhow::Result<()> {
    scenario("sim-media.mjs")
}

/// `sim-appstate`: chat modifications round-trip between two companions.
pub(crate) fn appstate() -> anyhow::Result<()> {
    scenario("sim-appstate.mjs")
}

/// `sim-group`: group messages with virtual phones (sender keys), group
/// create/subject/metadata through Baileys' own API.
pub(crate) fn group() -> anyhow::Result<()> {
    scenario("sim-group.mjs")
}

/// `sim-profile`: status, push name, pictures, privacy, blocklist,
/// presence, chat states and logout.
pub(crate) fn profile() -> anyhow::Result<()> {
    scenario("sim-profile.mjs")
}

/// A minimal HTTP/1.1 GET on loopback returning the body.
fn http_get(addr: &str, path: &str) -> anyhow::Result<String> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut resp = String::new();
    s.read_to_string(&mut resp)?;
    let (head, body) = resp.split_once("\r\n\r\n").context("no HTTP body")?;
    ensure!(head.starts_with("HTTP/1.1 200"), "GET {path}: {head}");
    Ok(body.to_owned())
}

fn scenario(script: &str) -> anyhow::Result<()> {
    let dir = ensure_oracle()?;
    let sim = SimProcess::start(false)?;
    let info: serde_json::Value = serde_json::from_str(&http_get(&sim.addr, "/sim/info")?)?;
    let root_key = info["root_public_key_hex"]
        .as_str()
        .context("root_public_key_hex")?;
    let ca = info["ca_pem"].as_str().context("ca_pem")?;
    let ca_path = root()
        .join("target")
        .join(format!("wa-sim-ca-{}.pem", std::process::id()));
    std::fs::write(&ca_path, ca)?;
    let url = format!("http://{}", sim.addr);
    let out = Command::new("node")
        .arg(root().join("xtask/interop").join(script))
        .args(["--url", &url, "--root", root_key])
        .env("NODE_EXTRA_CA_CERTS", &ca_path)
        .current_dir(&dir)
        .stderr(Stdio::inherit())
        .output()?;
    let _ = std::fs::remove_file(&ca_path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout
        .lines()
        .filter(|l| l.starts_with("ok ") || l.starts_with("FAIL"))
    {
        eprintln!("  {line}");
    }
    if !out.status.success() {
        bail!("{script} failed ({}):\n{stdout}", out.status);
    }
    drop(sim);
    Ok(())
}
