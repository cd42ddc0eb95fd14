//! Serving the router on a listener until a shutdown signal, and the log output setup.
//!
//! What belongs here: running the app. What does not: opening the store or loading
//! reference data (the binary does that and hands over an [`AppState`]).

use std::future::Future;
use std::net::SocketAddr;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::router::build_router;
use crate::state::AppState;

/// Serves the app on `listener` until `shutdown` completes, then stops accepting connections
/// and waits for requests in progress to finish. The binary passes a future that completes
/// on SIGTERM or Ctrl-C.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, database = %state.config().database_url, "listening");
    }
    let app = build_router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Why logging could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error(
        "log_filter {filter:?} is not valid: {message}; try \"info\" or \"info,barid_web=debug\""
    )]
    Filter { filter: String, message: String },
    #[error("logging was already set up in this process")]
    AlreadySet,
}

/// Installs the process's log output: `text` or `json` lines on standard error, filtered by
/// `filter` (tracing's syntax). Call once, from the binary.
pub fn init_logging(format: LogFormat, filter: &str) -> Result<(), LoggingError> {
    let env_filter = EnvFilter::try_new(filter).map_err(|error| LoggingError::Filter {
        filter: filter.to_owned(),
        message: error.to_string(),
    })?;
    // Colour codes only for a person at a terminal: in files they hide forged lines.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
    };
    result.map_err(|_| LoggingError::AlreadySet)
}
