//! Integration tests for the `barid` binary, compiled into one test binary.

// A panic in a test is a failed test; helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod browser;
mod cli;
mod demo_nodes;
mod exchange_files;
mod exchange_restart;
mod server;
