//! `cargo xtask schemathesis`: property-based API testing of the served
//! OpenAPI document with schemathesis (installed from PyPI into
//! `target/schemathesis-venv`).
//!
//! A debug `wa-sim` and `wa-http` are started; session `s0` is linked, so
//! generated requests for `sessionId = s0` reach a connected session (the
//! rest exercise validation and `session_not_found`). The run fails on any
//! 5xx answer and on any answer that violates the document (status code,
//! content type, body schema). Options: `--max-examples N` (default 15),
//! `--seed S`.

use std::process::Command;

use anyhow::{Context, ensure};

use crate::gateway_proc::{GatewayProcess, link_sessions};
use crate::load::sim_proc::SimProcess;
use crate::util::{root, run as run_cmd, target_dir};

/// The schemathesis release CI installs.
const VERSION: &str = "4.32.5";
const KEY: &str = "schemathesis-key";

fn install() -> anyhow::Result<std::path::PathBuf> {
    let venv = target_dir().join("schemathesis-venv");
    let st = venv.join("bin").join("st");
    let pinned = Command::new(&st)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(VERSION));
    if !pinned {
        run_cmd(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run_cmd(
            Command::new(venv.join("bin").join("pip"))
                .args(["install", "-q", "--disable-pip-version-check"])
                .arg(format!("schemathesis=={VERSION}")),
        )?;
    }
    Ok(st)
}

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let mut max_examples = "15".to_owned();
    let mut seed = "1".to_owned();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--max-examples" => max_examples = it.next().context("--max-examples N")?.clone(),
            "--seed" => seed = it.next().context("--seed S")?.clone(),
            other => anyhow::bail!("unknown option {other}"),
        }
    }
    let st = install()?;
    let sim = SimProcess::start(false)?;
    let gw = GatewayProcess::start(
        &sim,
        false,
        &[
            ("API_KEY", KEY),
            ("ENABLE_SWAGGER_ENDPOINT", "true"),
            ("ENABLE_LOCAL_CALLBACK_EXAMPLE", "true"),
        ],
    )?;
    link_sessions(&sim, &gw, 1, "44720")?;
    let report = target_dir().join("schemathesis-report");
    let status = Command::new(&st)
        .current_dir(root())
        .args(["--config-file", "xtask/schemathesis.toml", "--no-color"])
        .args(["run", &format!("http://{}/api-docs", gw.addr)])
        .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"])
        .args(["--header", &format!("x-api-key: {KEY}")])
        .args(["--max-examples", &max_examples, "--seed", &seed])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--request-timeout", "30", "--workers", "2"])
        .arg("--report-dir")
        .arg(&report)
        .status()
        .context("running schemathesis")?;
    ensure!(
        status.success(),
        "schemathesis found failures (report in {})",
        report.display()
    );
    eprintln!("schemathesis: no 5xx, every answer conforms to /api-docs");
    Ok(())
}
