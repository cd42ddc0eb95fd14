//! Serving the router on a listener until a shutdown signal, and the log output setup.
//!
//! What belongs here: running the app. What does not: opening the store or loading
//! reference data (the binary does that and hands over an [`AppState`]).

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::router::build_router;
use crate::state::AppState;
use crate::tls::ServerTls;

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

/// [`serve`] over HTTPS only: every connection on `listener` must complete a TLS handshake
/// with `tls`'s certificate before a request is read. Shutdown works as in [`serve`].
pub async fn serve_tls(
    state: AppState,
    listener: TcpListener,
    tls: ServerTls,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, database = %state.config().database_url, tls = true, "listening");
    }
    serve_router_tls(build_router(state), listener, tls, shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn serve_router_tls(
    router: axum::Router,
    listener: TcpListener,
    tls: ServerTls,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router.into_make_service_with_connect_info::<SocketAddr>();
    // axum gives `ConnectInfo<SocketAddr>` (the client's address, which the rate limits use)
    // to its own listeners and to any listener wrapped by `tap_io`; the orphan rule keeps a
    // listener of ours from saying so itself, hence the empty tap.
    let listener = TlsListener::new(listener, tls.acceptor()).tap_io(|_: &mut TlsStream<_>| {});
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// How long a client has to complete the TLS handshake, so that connections left half-open
/// do not pile up.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A TCP listener whose connections are handed to axum once their TLS handshake succeeded.
///
/// Handshakes run in tasks of their own, so a slow or silent client does not hold up the
/// others; a failed one is logged and dropped (it never was a request).
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    handshakes: JoinSet<Option<(TlsStream<TcpStream>, SocketAddr)>>,
}

impl TlsListener {
    fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> Self {
        Self {
            tcp,
            acceptor,
            handshakes: JoinSet::new(),
        }
    }

    fn start_handshake(&mut self, stream: TcpStream, peer: SocketAddr) {
        let acceptor = self.acceptor.clone();
        self.handshakes.spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => Some((tls, peer)),
                Ok(Err(error)) => {
                    tracing::debug!(%peer, %error, "TLS handshake failed");
                    None
                }
                Err(_) => {
                    tracing::debug!(%peer, "TLS handshake timed out");
                    None
                }
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    // Both branches are cancel-safe (axum drops this future when shutdown comes): a TCP
    // connection accepted is handed to a task at once, and a finished handshake stays in the
    // set until taken.
    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            tokio::select! {
                accepted = self.tcp.accept() => match accepted {
                    Ok((stream, peer)) => self.start_handshake(stream, peer),
                    Err(error) => accept_failed(error).await,
                },
                Some(done) = self.handshakes.join_next(), if !self.handshakes.is_empty() => {
                    if let Ok(Some(connection)) = done {
                        return connection;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// As axum's own listener does: a connection that went away before it was accepted is
/// nothing; anything else (out of file descriptors, typically) is logged, and accepting waits
/// a second for it to pass instead of spinning.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "could not accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::extract::ConnectInfo;
    use axum::routing::get;

    /// The client's address reaches the handlers over TLS as over plain HTTP: the rate limits
    /// key on it.
    #[tokio::test]
    async fn handlers_see_the_client_address_over_tls() {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (cert_file, key_file) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        std::fs::write(&cert_file, cert.pem()).unwrap();
        std::fs::write(&key_file, key.serialize_pem()).unwrap();
        let tls = ServerTls::from_pem_files(&cert_file, &key_file).unwrap();

        let router = axum::Router::new().route(
            "/peer",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_router_tls(router, listener, tls, async {
            stopped.await.ok();
        }));

        let client = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(ca.pem().as_bytes()).unwrap())
            .build()
            .unwrap();
        let peer = client
            .get(format!("https://{address}/peer"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(peer, "127.0.0.1");
        // Plain HTTP gets no answer from an HTTPS-only listener.
        assert!(
            client
                .get(format!("http://{address}/peer"))
                .send()
                .await
                .is_err()
        );

        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    }
}
