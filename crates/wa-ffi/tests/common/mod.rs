//! Test support: the built shared library, and a wa-sim playing the
//! WhatsApp side for the example programs (a phone that scans the QR they
//! print, a contact that answers what they send).

#![allow(dead_code, unreachable_pub)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use wa_sim::{Sim, SimConfig, SimHandle};

/// The phone that links the example's session.
pub const PHONE: &str = "15557770001";
/// The contact the example writes to; it answers `echo: <text>`.
pub const CONTACT: &str = "15557770002";

/// The crate directory.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The directory holding `libwa_ffi.so` (built with the tests: the
/// library target is a cdylib too).
pub fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    for dir in [deps.parent().unwrap(), deps] {
        if dir.join("libwa_ffi.so").is_file() {
            return dir.to_path_buf();
        }
    }
    panic!("libwa_ffi.so not found next to {}", exe.display());
}

/// Compiles a C file against the header and the shared library.
pub fn compile_c(source: &Path, out: &Path, extra: &[&str]) {
    let status = std::process::Command::new("gcc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g"])
        .args(extra)
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg(source)
        .arg("-L")
        .arg(lib_dir())
        .args(["-lwa_ffi", "-o"])
        .arg(out)
        .status()
        .expect("gcc runs");
    assert!(status.success(), "gcc failed on {}", source.display());
}

/// Compiles a C file against the header and the static library.
pub fn compile_c_static(source: &Path, out: &Path) {
    let status = std::process::Command::new("gcc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror"])
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg(source)
        .arg(lib_dir().join("libwa_ffi.a"))
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(out)
        .status()
        .expect("gcc runs");
    assert!(status.success(), "gcc failed on {}", source.display());
}

/// Starts a sim with the phone and the answering contact.
pub async fn sim() -> SimHandle {
    let sim = Sim::start(SimConfig::local()).await.unwrap();
    sim.create_account(PHONE, "Example phone").unwrap();
    sim.create_account(CONTACT, "Echo").unwrap();
    let answering = sim.clone();
    tokio::spawn(async move {
        let mut seen = HashSet::new();
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            for m in answering.inbox(CONTACT).unwrap_or_default() {
                if m.kind == "text" && seen.insert(m.id.clone()) {
                    let _ = answering.send_text(CONTACT, &m.chat, &format!("echo: {}", m.text));
                }
            }
        }
    });
    sim
}

/// Runs an example program against `sim`: sets the environment it reads,
/// links the session when it prints `QR: <code>`, and returns its output
/// once it exits (within 120 s).
pub async fn run_example(sim: &SimHandle, mut cmd: Command, data: &Path) -> (bool, String) {
    let root: String = sim
        .root_public_key()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let ca = data.join("sim-ca.pem");
    std::fs::write(&ca, sim.ca_pem()).unwrap();
    cmd.env("WA_WEBSOCKET_URL", sim.ws_url())
        .env("WA_TRUSTED_ROOT_KEY", root)
        .env("WA_MEDIA_CA_PEM", &ca)
        .env("WA_SESSIONS_PATH", data.join("sessions"))
        .env("WA_CONTACT", format!("{CONTACT}@c.us"))
        .env("LD_LIBRARY_PATH", lib_dir())
        .env_remove("WA_DEMO")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut output = String::new();
    let run = async {
        while let Ok(Some(line)) = lines.next_line().await {
            println!("example: {line}");
            if let Some(qr) = line.strip_prefix("QR: ") {
                sim.link_qr(PHONE, qr).await.unwrap();
            }
            output.push_str(&line);
            output.push('\n');
        }
        child.wait().await.unwrap()
    };
    let status = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the example finishes within 120 s");
    (status.success(), output)
}
