//! Barid's web layer: configuration, the HTTP server, the JSON API (`/api/v1`) with its
//! OpenAPI document, the HTML pages, authentication (passwords, sessions with CSRF tokens,
//! API tokens) and authorisation (one route table, one policy check).
//!
//! What belongs here: everything HTTP. What does not: postal rules (barid-core), storage
//! (barid-store and its backends), and choosing or opening the database (the binary).
//!
//! The binary's path: [`Config::load`] → open the store from `config.database_url` → load
//! the reference data → [`AppState::new`] → [`serve`], or [`serve_tls`] with a [`ServerTls`]
//! when `tls_cert` and `tls_key` are set (or [`build_router`] in tests).

pub mod acceptance;
pub mod acceptance_csv;
pub mod acceptance_form;
pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod delivery_policy;
pub mod dispatcher;
pub mod document_cache;
pub mod error;
pub mod exchange;
pub mod exchange_inward;
pub mod exchange_messages;
pub mod extract;
pub mod inbox;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pages;
pub mod partner_exchange;
pub mod partner_links;
pub mod quality;
pub mod router;
pub mod server;
pub mod state;
pub mod tls;
pub mod tracking;

pub use auth::password::{PasswordError, check_password_rules, hash_password, verify_password};
pub use auth::secret::new_api_token;
pub use config::{Config, ConfigError, DatabaseUrl, LogFormat};
pub use error::{ApiError, ErrorBody, ErrorCode};
pub use router::{build_router, route_table};
pub use server::{LoggingError, init_logging, serve, serve_tls};
pub use state::AppState;
pub use tls::{ExtraRoots, ServerTls, TlsError};
