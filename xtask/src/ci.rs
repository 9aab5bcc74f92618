//! `cargo xtask ci`: the whole check suite CI runs on a clean clone.
//!
//! Steps (each fails the run): rustfmt check, clippy with `-D warnings` on all
//! targets, the architecture rule that `wa-proto` depends on no async runtime or
//! IO crate, the C header of wa-ffi matching its sources (`cargo xtask
//! ffi-header --check`), all tests (nextest when installed, else `cargo
//! test`), doc tests,
//! rustdoc with warnings denied, schemathesis against the gateway's served
//! OpenAPI document (`cargo xtask schemathesis`),
//! and the interop suite against the independent implementations.
//! `--no-interop` skips the last step (for quick local runs).

use crate::util::{cargo, has, run as sh};

/// Crates `wa-proto` must never depend on (sans-IO rule).
const FORBIDDEN_IN_CORE: &[&str] = &[
    "tokio",
    "async-std",
    "smol",
    "futures",
    "async-trait",
    "mio",
    "rusqlite",
    "tungstenite",
    "tokio-tungstenite",
    "reqwest",
    "hyper",
    "socket2",
];

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let interop = !args.iter().any(|a| a == "--no-interop");
    sh(cargo().args(["fmt", "--all", "--", "--check"]))?;
    sh(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    check_core_dependencies()?;
    crate::ffi_header::run(&["--check".to_owned()])?;
    if has("cargo-nextest", &["nextest", "--version"]) {
        sh(cargo().args([
            "nextest",
            "run",
            "--workspace",
            "--locked",
            "--no-fail-fast",
        ]))?;
    } else {
        sh(cargo().args(["test", "--workspace", "--locked", "--no-fail-fast"]))?;
    }
    sh(cargo().args(["test", "--workspace", "--locked", "--doc"]))?;
    sh(cargo()
        .args(["doc", "--workspace", "--no-deps", "--locked"])
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    crate::schemathesis::run(&[])?;
    if interop {
        crate::interop::run(&[])?;
    }
    eprintln!("ci: all checks passed");
    Ok(())
}

/// Fails if the normal (non-dev, non-build) dependency tree of `wa-proto`
/// contains an async runtime or IO crate.
fn check_core_dependencies() -> anyhow::Result<()> {
    let out = cargo()
        .current_dir(crate::util::root())
        .args([
            "tree", "-p", "wa-proto", "-e", "normal", "--prefix", "none", "--locked",
        ])
        .output()?;
    anyhow::ensure!(out.status.success(), "cargo tree failed");
    let tree = String::from_utf8(out.stdout)?;
    let bad: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| FORBIDDEN_IN_CORE.contains(name))
        .collect();
    anyhow::ensure!(
        bad.is_empty(),
        "wa-proto must stay sans-IO but depends on: {bad:?}"
    );
    check_core_sources()?;
    eprintln!("ci: wa-proto dependency tree and sources are free of async runtimes and IO");
    Ok(())
}

/// Fails if `crates/wa-proto/src` uses the standard library's IO, threads or
/// clock (`clippy.toml` there also bans reading the clock and global RNGs).
fn check_core_sources() -> anyhow::Result<()> {
    const BANNED: &[&str] = &[
        "std::fs",
        "std::net",
        "std::thread",
        "std::process",
        "SystemTime::now",
        "Instant::now",
    ];
    let mut hits = Vec::new();
    let mut dirs = vec![crate::util::root().join("crates/wa-proto/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path)?;
                for (n, line) in text.lines().enumerate() {
                    if let Some(b) = BANNED.iter().find(|b| line.contains(*b)) {
                        hits.push(format!("{}:{}: {b}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    anyhow::ensure!(
        hits.is_empty(),
        "wa-proto must stay sans-IO:\n{}",
        hits.join("\n")
    );
    Ok(())
}
