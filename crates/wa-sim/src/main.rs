//! `wa-sim --listen 127.0.0.1:PORT [--data DIR]`: runs the simulator until
//! interrupted. The first line on stdout is the bound address.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// An offline WhatsApp-compatible server.
#[derive(Debug, Parser)]
#[command(name = "wa-sim", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Keep state in DIR (keys, CA, accounts, queues) instead of memory.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Seed for deterministic ids and keys.
    #[arg(long)]
    seed: Option<u64>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WA_SIM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = wa_sim::SimConfig {
        listen: args.listen,
        data_dir: args.data,
        seed: args.seed,
    };
    let sim = match wa_sim::Sim::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("wa-sim: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{}", sim.addr());
    let _ = out.flush();
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    std::process::ExitCode::SUCCESS
}
