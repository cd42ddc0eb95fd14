//! Integration tests for barid-web, compiled into one test binary. Most call the router
//! in-process; `server` starts a real server on port 0.

// A panic in a test is a failed test; helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod acceptance;
mod agreements;
mod auth;
mod authz;
mod bad_input;
mod counter;
mod delivery;
mod errors;
mod exchange;
mod exchange_pages;
mod exchange_tls;
mod i18n;
mod inward_pages;
mod journey;
mod operations;
mod pages;
mod partner_exchange;
mod partners;
mod quality;
mod scoping;
mod server;
mod support;
mod tracking;
