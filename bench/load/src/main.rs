//! `barid-load`: the load generator behind `bench/run.sh` and the figures in
//! `docs/PERFORMANCE.md`.
//!
//! What belongs here: driving a running Barid server over HTTP/1.1 (one keep-alive connection
//! per concurrent worker), timing each request from send to the last byte of the answer, and
//! reporting rates and latency percentiles. What does not: starting the server or preparing
//! its data (`bench/run.sh` and `barid demo` do that), and any assertion about how fast is
//! fast enough: this tool measures, `docs/PERFORMANCE.md` compares.
//!
//! The workers are closed-loop: each sends its next request when the previous answer has
//! arrived, so latencies are those of a server kept exactly `--concurrency` requests busy.

mod accept;
mod client;
mod ids;
mod report;
mod tracking;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "barid-load",
    about = "Load generator for a running Barid server"
)]
struct Cli {
    /// Worker threads of the load generator's own runtime. It shares the machine with the
    /// server, so fewer threads leave more CPU to the server.
    #[arg(long, global = true, default_value_t = 1)]
    threads: usize,
    /// Also append each report as one line of JSON to this file.
    #[arg(long, global = true, value_name = "FILE")]
    json: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Public tracking lookups: GET /api/v1/items/{s10}/events (or /track/{s10} with --page).
    Tracking(tracking::TrackingArgs),
    /// Acceptance through the API (POST /api/v1/items, or /api/v1/items/bulk with --bulk),
    /// each item followed by GET of its label.pdf unless --labels none.
    Accept(accept::AcceptArgs),
    /// Label rendering alone: GET /api/v1/items/{s10}/label.pdf for existing items.
    Labels(tracking::LabelArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cli.threads.max(1))
        .enable_all()
        .build()?;
    let reports = runtime.block_on(async {
        match cli.command {
            Command::Tracking(args) => tracking::run(args).await,
            Command::Accept(args) => accept::run(args).await,
            Command::Labels(args) => tracking::run_labels(args).await,
        }
    })?;
    for report in &reports {
        println!("{report}");
    }
    if let Some(path) = &cli.json {
        report::append_json(path, &reports)?;
    }
    Ok(())
}
