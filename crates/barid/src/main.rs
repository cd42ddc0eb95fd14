//! The one Barid binary: the server, node administration and postal command-line tools.
//!
//! Exit codes: 0 success, 1 a checked failure (invalid input found), 2 a usage error.

mod cli;
mod demo;
mod demo_items;
mod demo_nodes;
mod demo_quality;
mod demo_traffic;
mod exchange_files;
mod partner_commands;
mod reference_files;
mod server_commands;
mod storage;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(outcome) => outcome.exit_code(),
        Err(error) => {
            eprintln!("barid: {error:#}");
            ExitCode::from(1)
        }
    }
}
