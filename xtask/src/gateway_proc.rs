//! A `wa-http` child process for xtask scenarios (load, schema checks):
//! started on a free port and pointed at a `wa-sim` child, as a user would
//! (`WA_WEBSOCKET_URL`, `WA_TRUSTED_ROOT_KEY`, `WA_MEDIA_CA_PEM`), and
//! sessions linked through its REST API.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use serde_json::json;

use crate::load::sim_proc::{Control, SimProcess};
use crate::util::{cargo, run as run_cmd, target_dir};

/// The gateway process, killed on drop.
pub(crate) struct GatewayProcess {
    /// `127.0.0.1:PORT`.
    child: Child,
    pub(crate) addr: String,
    _dir: tempfile_dir::Dir,
}

impl Drop for GatewayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

mod tempfile_dir {
    /// A directory removed on drop.
    pub(crate) struct Dir(pub(crate) std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub(crate) fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl GatewayProcess {
    /// Builds `wa-http` (`release` or debug) and starts it on a free port,
    /// pointed at `sim`, with `env` added.
    pub(crate) fn start(
        sim: &SimProcess,
        release: bool,
        env: &[(&str, &str)],
    ) -> anyhow::Result<GatewayProcess> {
        let mut build = cargo();
        build.args(["build", "-q", "-p", "wa-http", "--bin", "wa-http"]);
        if release {
            build.arg("--release");
        }
        run_cmd(&mut build)?;
        let info = Control::connect(&sim.addr)?.get("/sim/info")?;
        let dir = std::env::temp_dir().join(format!("wa-load-http-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let dir = tempfile_dir::Dir(dir);
        let ca = dir.0.join("sim-ca.pem");
        std::fs::write(&ca, info["ca_pem"].as_str().context("ca_pem")?)?;
        let port = free_port()?;
        let mut cmd = Command::new(
            target_dir()
                .join(if release { "release" } else { "debug" })
                .join("wa-http"),
        );
        cmd.envs(env.iter().copied());
        let child = cmd
            .env("PORT", port.to_string())
            .env("HOST", "127.0.0.1")
            .env("SESSIONS_PATH", dir.0.join("sessions"))
            .env(
                "WA_WEBSOCKET_URL",
                info["ws_url"].as_str().context("ws_url")?,
            )
            .env(
                "WA_TRUSTED_ROOT_KEY",
                info["root_public_key_hex"].as_str().context("root")?,
            )
            .env("WA_MEDIA_CA_PEM", &ca)
            .env_remove("API_KEY")
            .env_remove("BASE_WEBHOOK_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting wa-http")?;
        let gw = GatewayProcess {
            child,
            addr: format!("127.0.0.1:{port}"),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(mut c) = Control::connect(&gw.addr)
                && c.get("/ping").is_ok()
            {
                return Ok(gw);
            }
            ensure!(Instant::now() < deadline, "wa-http did not answer /ping");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Creates sim accounts `<prefix><i:08>` and links sessions `s<i>` to them
/// through the REST API (start, QR, the phone scans), 8 at a time.
pub(crate) fn link_sessions(
    sim: &SimProcess,
    gw: &GatewayProcess,
    n: usize,
    prefix: &str,
) -> anyhow::Result<()> {
    let mut simc = Control::connect(&sim.addr)?;
    for i in 0..n {
        simc.post(
            "/sim/accounts",
            &json!({"phone": format!("{prefix}{i:08}"), "name": format!("Sender {i}")}),
        )?;
    }
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| -> anyhow::Result<()> {
                    let mut g = Control::connect(&gw.addr)?;
                    let mut simc = Control::connect(&sim.addr)?;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return Ok(());
                        }
                        g.get(&format!("/session/start/s{i}"))?;
                        let qr = wait_for(|| {
                            let v = g.get(&format!("/session/qr/s{i}")).ok()?;
                            v["qr"].as_str().map(str::to_owned)
                        })?;
                        simc.post(
                            &format!("/sim/accounts/{prefix}{i:08}/link"),
                            &json!({ "qr": qr }),
                        )?;
                        wait_for(|| {
                            let v = g.get(&format!("/session/status/s{i}")).ok()?;
                            (v["state"] == "CONNECTED").then_some(())
                        })?;
                    }
                })
            })
            .collect();
        for w in workers {
            w.join()
                .map_err(|_| anyhow::anyhow!("link worker panicked"))??;
        }
        Ok(())
    })
}

pub(crate) fn wait_for<T>(mut f: impl FnMut() -> Option<T>) -> anyhow::Result<T> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = f() {
            return Ok(v);
        }
        ensure!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
}
