//! The simulator under test: a `wa-sim` child process, its memory figures
//! from `/proc`, and a keep-alive HTTP/1.1 client for its control API (one
//! TCP connection for thousands of requests, so setup does not exhaust
//! ephemeral ports).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use serde_json::Value;

use crate::util::{cargo, run as run_cmd, target_dir};

/// A running `wa-sim`, killed on drop.
pub(crate) struct SimProcess {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub(crate) addr: String,
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SimProcess {
    /// Builds `wa-sim` (`release` or debug) and starts it on a free port.
    pub(crate) fn start(release: bool) -> anyhow::Result<SimProcess> {
        let mut build = cargo();
        build.args(["build", "-q", "-p", "wa-sim", "--bin", "wa-sim"]);
        if release {
            build.arg("--release");
        }
        run_cmd(&mut build)?;
        let bin = target_dir()
            .join(if release { "release" } else { "debug" })
            .join("wa-sim");
        let mut child = Command::new(bin)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting wa-sim")?;
        let stdout = child.stdout.take().context("wa-sim stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let sim = SimProcess {
            child,
            addr: line.trim().to_owned(),
        };
        ensure!(
            sim.addr.starts_with("127.0.0.1:"),
            "unexpected first line from wa-sim: {line:?}"
        );
        Ok(sim)
    }

    /// The child's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `(VmRSS, VmHWM)` in KiB from `/proc/PID/status`.
    pub(crate) fn memory_kib(&self) -> anyhow::Result<Memory> {
        memory_kib(self.pid())
    }
}

/// Resident memory of a process.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub(crate) struct Memory {
    /// Current resident set (`VmRSS`), KiB.
    pub(crate) rss_kib: u64,
    /// Peak resident set (`VmHWM`), KiB.
    pub(crate) hwm_kib: u64,
}

/// Reads `VmRSS` and `VmHWM` of process `pid`.
pub(crate) fn memory_kib(pid: u32) -> anyhow::Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .with_context(|| format!("{name} missing in /proc/{pid}/status"))
    };
    Ok(Memory {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
    })
}

/// Registers a companion of `phone` from its public keys
/// (`POST /sim/accounts/{phone}/devices`); returns the sim's answer
/// (`device`, `device_jid`, `lid_jid`, `key_index`, `signed_identity`).
pub(crate) fn provision_companion(
    control: &mut Control,
    phone: &str,
    noise: &wa_proto::keys::KeyPair,
    identity: &wa_proto::signal::LocalIdentity,
    signed: &wa_proto::signal::SignedPreKey,
) -> anyhow::Result<Value> {
    control.post(
        &format!("/sim/accounts/{phone}/devices"),
        &serde_json::json!({
            "noise_key": hex::encode(noise.public.as_bytes()),
            "identity_key": hex::encode(identity.key_pair.public.as_bytes()),
            "registration_id": identity.registration_id,
            "signed_prekey": {
                "id": signed.id,
                "key": hex::encode(signed.key_pair.public.as_bytes()),
                "signature": hex::encode(signed.signature),
            },
            "platform": "load",
        }),
    )
}

/// A keep-alive HTTP/1.1 JSON client for the control API.
pub(crate) struct Control {
    addr: String,
    stream: BufReader<TcpStream>,
}

impl Control {
    /// Connects to `addr`.
    pub(crate) fn connect(addr: &str) -> anyhow::Result<Control> {
        let s = TcpStream::connect(addr)?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        s.set_nodelay(true)?;
        Ok(Control {
            addr: addr.to_owned(),
            stream: BufReader::new(s),
        })
    }

    /// `GET path` → the JSON body (fails on a non-2xx status).
    pub(crate) fn get(&mut self, path: &str) -> anyhow::Result<Value> {
        self.request("GET", path, None)
    }

    /// `POST path` with a JSON body → the JSON body.
    pub(crate) fn post(&mut self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.request("POST", path, Some(body))
    }

    fn request(&mut self, method: &str, path: &str, body: Option<&Value>) -> anyhow::Result<Value> {
        let body = body.map(Value::to_string).unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        self.stream.get_mut().write_all(req.as_bytes())?;
        let mut status = String::new();
        self.stream.read_line(&mut status)?;
        let code: u16 = status
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .with_context(|| format!("bad status line {status:?}"))?;
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            self.stream.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                len = v.trim().parse()?;
            }
        }
        let mut buf = vec![0u8; len];
        self.stream.read_exact(&mut buf)?;
        let v: Value = serde_json::from_slice(&buf)
            .with_context(|| format!("{method} {path}: body is not JSON"))?;
        if !(200..300).contains(&code) {
            bail!("{method} {path}: HTTP {code}: {v}");
        }
        Ok(v)
    }
}
