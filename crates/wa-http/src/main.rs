//! `wa-http`: the gateway binary. Reads the configuration from the
//! environment and flags (`wa-http --help`), serves the REST API.

use clap::Parser;
use wa_http::{Config, Gateway};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    match run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wa-http: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let addr = format!("{}:{}", config.host, config.port);
    let gateway = Gateway::start(config).await?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!(%addr, "wa-http listening");
    if gateway.state.demo.is_some() {
        let port = gateway.state.config.port;
        println!(
            "\nwa-http demo: an offline WhatsApp network is running inside this process.\n\
             API:        http://localhost:{port}  (Swagger UI: http://localhost:{port}/api-docs/ui/)\n\
             Data:       {}\n\
             Session \"demo\" starts now; its QR is printed below and a virtual phone scans it.\n\
             Then try:\n  curl -s -X POST http://localhost:{port}/client/sendMessage/demo \\\n    \
             -H 'content-type: application/json' \\\n    \
             -d '{{\"chatId\":\"15550000001@c.us\",\"contentType\":\"string\",\"content\":\"Hello Alice\"}}'\n",
            gateway.state.config.sessions_path.display()
        );
        wa_http::sessions::start(&gateway.state, "demo").await?;
    }
    tokio::select! {
        r = gateway.serve(listener) => r?,
        _ = tokio::signal::ctrl_c() => tracing::info!("shutting down"),
    }
    gateway.shutdown().await;
    Ok(())
}
