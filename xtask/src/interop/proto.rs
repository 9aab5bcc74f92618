//! Interop suite `proto`: our protobuf schema and vectors against Baileys.
//!
//! 1. `proto-schema.mjs` checks every message, field and enum declared in
//!    `proto/*.proto` against Baileys' `WAProto.proto` (numbers, names, types,
//!    labels, oneofs, enum values).
//! 2. `proto-vectors.mjs` encodes representative messages with Baileys' own
//!    generated code and login/registration builders; its output must equal
//!    the committed `crates/wa-proto/tests/vectors/proto/baileys.json`, so the
//!    vectors the Rust tests decode are provably Baileys' output.

use crate::interop::node_script;
use crate::util::root;

const VECTORS: &str = "crates/wa-proto/tests/vectors/proto/baileys.json";

/// Runs both checks.
pub(crate) fn run() -> anyhow::Result<()> {
    let proto_dir = root().join("proto");
    let proto_dir = proto_dir.to_string_lossy();
    let summary = node_script("proto-schema.mjs", &[&proto_dir])?;
    eprint!("  {summary}");

    let fresh = node_script("proto-vectors.mjs", &[])?;
    let committed = std::fs::read_to_string(root().join(VECTORS))?;
    if fresh != committed {
        let out = root().join("target/proto-vectors.fresh.json");
        std::fs::write(&out, &fresh)?;
        let line = fresh
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "length".to_owned(), |i| format!("line {}", i + 1));
        anyhow::bail!(
            "{VECTORS} differs from Baileys' output (first difference: {line}); \
             fresh output written to {} (copy it over if the change is intended)",
            out.display()
        );
    }
    let count = fresh.lines().filter(|l| l.starts_with('{')).count();
    eprintln!("  vectors ok: {count} Baileys encodings match {VECTORS}");
    Ok(())
}
