//! The `tocsin` binary: the command line, the Kafka bus (rdkafka) around the pure stages of the
//! `ingest`, `enrich` and `alerting` crates, replay over archived feeds, and the operator tools.
//!
//! Flow: `reports` topic (or NDJSON files) → ingest → enrich → `indicators` topic (keyed by region) →
//! alerting → `alerts` topic; rejected input → `reports.dlq`. See `docs/architecture.md`.

mod backtest;
mod cli;
mod commands;
mod eval_geocoding;
mod eval_indicators;
mod kafka;
mod metrics;
mod pipeline;
mod ratelimit;
mod replay;
mod setup;

use std::process::ExitCode;

/// Enrichment and alerting allocate many small, short-lived strings and vectors on every worker
/// thread; mimalloc's per-thread free lists serve them with fewer instructions than the system
/// allocator, and without contention between the worker threads (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(&cli.global);
    match commands::dispatch(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(u) = e.downcast_ref::<setup::UsageError>() {
                eprintln!("tocsin: {u}");
                ExitCode::from(2)
            } else {
                eprintln!("tocsin: error: {e:#}");
                ExitCode::from(1)
            }
        }
    }
}

fn init_logging(g: &cli::Global) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&g.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match g.log_format {
        cli::LogFormat::Json => builder.json().init(),
        cli::LogFormat::Text => {
            use std::io::IsTerminal as _;
            builder
                .with_target(false)
                .with_ansi(std::io::stderr().is_terminal())
                .init()
        }
    }
}
