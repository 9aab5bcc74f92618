//! `cargo xtask ffi-header [--check]`: regenerates the C header of wa-ffi
//! (`crates/wa-ffi/include/wa_ffi.h`) with cbindgen; `--check` fails if the
//! committed header differs from what the sources give (CI runs it).

use std::path::Path;

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let check = args.iter().any(|a| a == "--check");
    let root = crate::util::root();
    let crate_dir = root.join("crates/wa-ffi");
    let header = crate_dir.join("include/wa_ffi.h");
    let generated = generate(&crate_dir)?;
    if check {
        let committed = std::fs::read_to_string(&header).unwrap_or_default();
        anyhow::ensure!(
            committed == generated,
            "{} is stale: run `cargo xtask ffi-header` and commit it",
            header.display()
        );
        eprintln!("ffi-header: {} is up to date", header.display());
    } else {
        std::fs::write(&header, generated)?;
        eprintln!("ffi-header: wrote {}", header.display());
    }
    Ok(())
}

fn generate(crate_dir: &Path) -> anyhow::Result<String> {
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .map_err(|e| anyhow::anyhow!("cbindgen.toml: {e}"))?;
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()?;
    let mut out = Vec::new();
    bindings.write(&mut out);
    Ok(String::from_utf8(out)?)
}
