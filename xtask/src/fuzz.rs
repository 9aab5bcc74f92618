//! `cargo xtask fuzz [SECONDS] [TARGET...]`: runs cargo-fuzz targets one after
//! another, each for SECONDS (default 600), on the stable toolchain
//! (`RUSTC_BOOTSTRAP=1`). Installs `cargo-fuzz` if it is missing. New corpus
//! entries land in `fuzz/corpus/<target>/`; minimize with `cargo fuzz cmin`
//! before committing.

use crate::util::{cargo, has, root, run as sh};

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let seconds: u64 = match args.first() {
        Some(s) if s.chars().all(|c| c.is_ascii_digit()) => s.parse()?,
        _ => 600,
    };
    let named: Vec<&String> = args
        .iter()
        .filter(|a| !a.chars().all(|c| c.is_ascii_digit()))
        .collect();
    if !has("cargo-fuzz", &["--version"]) {
        sh(cargo().args(["install", "cargo-fuzz", "--locked"]))?;
    }
    let targets = std::fs::read_dir(root().join("fuzz/fuzz_targets"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|t| named.is_empty() || named.contains(&t))
        .collect::<Vec<_>>();
    anyhow::ensure!(!targets.is_empty(), "no fuzz target matches {named:?}");
    for target in targets {
        eprintln!("fuzz: {target} for {seconds} s");
        let mut cmd = cargo();
        cmd.current_dir(root().join("fuzz"))
            .env("RUSTC_BOOTSTRAP", "1")
            .args([
                "fuzz",
                "run",
                &target,
                "--",
                &format!("-max_total_time={seconds}"),
            ]);
        // `run` sets the working directory to the workspace root; cargo-fuzz
        // needs the fuzz/ directory, so spawn it directly.
        eprintln!("+ {cmd:?}");
        let status = cmd.status()?;
        anyhow::ensure!(status.success(), "fuzz target {target} failed ({status})");
    }
    Ok(())
}
