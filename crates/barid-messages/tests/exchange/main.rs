//! The integration tests of barid-messages, in one binary.

// Helpers of a test binary may panic like tests: a failed helper is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod advance;
mod decode_errors;
mod golden;
mod round_trip;
mod rules;
mod schemas;
mod strategies;
mod support;
