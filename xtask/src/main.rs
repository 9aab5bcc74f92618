//! `cargo xtask <command>`: development automation for the workspace.
//!
//! Nothing here is needed at run time. Commands:
//! - `ci`: everything CI runs (format, lints, tests, interop, dependency rules).
//! - `node decode|encode`: the binary-node dev tool (a stable contract, see `docs/tools.md`).
//! - `interop`: interop suites against Baileys / libsignal (installed into `target/oracles`).
//! - `bench [--json]`: our criterion figures beside the peer figures, measured in one run.
//! - `fuzz [SECONDS]`: runs every cargo-fuzz target for SECONDS each.
//! - `load --raw-connections N [--json]`: load scenarios against a wa-sim process.
//! - `load-http [--sessions N] [--messages M] [--concurrency C] [--json]`: sendMessage over HTTP against wa-sim.
//! - `schemathesis [--max-examples N]`: property-based checks of the served OpenAPI document.
//! - `ffi-header [--check]`: regenerates (or checks) wa-ffi's C header with cbindgen.
//! - `gen-tokens [--check]`: regenerates the binary-node token tables from the oracle.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bench;
mod ci;
mod ffi_header;
mod fuzz;
mod gateway_proc;
mod gen_tokens;
mod interop;
mod load;
mod load_http;
mod node;
mod schemathesis;
mod util;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("ci") => ci::run(rest),
        Some("interop") => interop::run(rest),
        Some("bench") => bench::run(rest),
        Some("fuzz") => fuzz::run(rest),
        Some("node") => node::run(rest),
        Some("gen-tokens") => gen_tokens::run(rest),
        Some("load") => load::run(rest),
        Some("load-http") => load_http::run(rest),
        Some("schemathesis") => schemathesis::run(rest),
        Some("ffi-header") => ffi_header::run(rest),
        Some(cmd) => {
            anyhow::bail!("unknown xtask command: {cmd} (try: ci, node, interop, bench, fuzz)")
        }
        None => {
            eprintln!("usage: cargo xtask <ci|node|interop|bench|fuzz> [args]");
            Ok(())
        }
    }
}
