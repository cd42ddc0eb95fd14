//! TLS: the certificate and key the server presents (`tls_cert`, `tls_key`), and the extra root
//! certificates the partner exchange trusts (`exchange_ca_file`).
//!
//! What belongs here: reading and checking the PEM files, once, at startup, so that a file that
//! cannot be read or used stops Barid with an error naming it, before the port is bound. What
//! does not: serving ([`crate::server::serve_tls`]) and sending
//! ([`crate::partner_exchange::PartnerDispatcher::with_extra_roots`]).
//!
//! The crypto is rustls' ring provider, chosen explicitly rather than through rustls' process
//! default: it is the one reqwest's rustls already builds, and naming it means a second provider
//! entering the dependency graph later cannot make the choice ambiguous at run time.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::ServerConfig;

/// Why a TLS file cannot be used. Every message names the file and what it should hold.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    // The I/O error is part of the message rather than its source: the message is complete
    // on its own, and error chains do not print it twice.
    #[error("cannot read {file}: {error}")]
    Read { file: String, error: std::io::Error },
    #[error(
        "{file} holds no certificate: it should be PEM blocks \"-----BEGIN CERTIFICATE-----\", \
         {expected}"
    )]
    NoCertificate {
        file: String,
        expected: &'static str,
    },
    #[error("{file} is not valid PEM: {problem}")]
    Pem { file: String, problem: String },
    #[error(
        "{file} holds no private key: it should be one PEM block \"-----BEGIN PRIVATE KEY-----\" \
         (or RSA or EC PRIVATE KEY), unencrypted"
    )]
    NoKey { file: String },
    #[error("the certificate in {cert} cannot be served with the key in {key}: {problem}")]
    Unusable {
        cert: String,
        key: String,
        problem: String,
    },
    #[error("{file}: certificate {index} cannot be a trusted root: {problem}")]
    Root {
        file: String,
        index: usize,
        problem: String,
    },
}

/// The server side of TLS: a certificate chain and its private key, checked to go together.
#[derive(Clone)]
pub struct ServerTls {
    config: Arc<ServerConfig>,
}

impl fmt::Debug for ServerTls {
    // The config holds the private key: show nothing of it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTls").finish_non_exhaustive()
    }
}

impl ServerTls {
    /// Reads `cert` (the PEM chain, server certificate first) and `key` (its PEM private key).
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let cert_name = cert.display().to_string();
        let key_name = key.display().to_string();
        let cert_pem = read(cert)?;
        let key_pem = read(key)?;
        let chain = certificates(
            &cert_pem,
            &cert_name,
            "the server's certificate first, then its intermediates",
        )?;
        let key_der = match PrivateKeyDer::from_pem_slice(&key_pem) {
            Ok(key) => key,
            Err(rustls::pki_types::pem::Error::NoItemsFound) => {
                return Err(TlsError::NoKey { file: key_name });
            }
            Err(error) => {
                return Err(TlsError::Pem {
                    file: key_name,
                    problem: error.to_string(),
                });
            }
        };
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .and_then(|builder| {
                builder
                    .with_no_client_auth()
                    .with_single_cert(chain, key_der)
            })
            .map_err(|error| TlsError::Unusable {
                cert: cert_name,
                key: key_name,
                problem: match error {
                    rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                        "the key is not the certificate's".to_owned()
                    }
                    other => other.to_string(),
                },
            })?;
        // The server speaks HTTP/1.1 only (axum's http2 feature is off): offering h2 would have
        // clients pick a protocol nobody answers.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            config: Arc::new(config),
        })
    }

    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.config.clone())
    }
}

/// Root certificates the partner exchange trusts in addition to the built-in web PKI roots
/// (Mozilla's list, compiled in): a post's private certificate authority, typically.
#[derive(Debug, Clone, Default)]
pub struct ExtraRoots {
    certificates: Vec<CertificateDer<'static>>,
}

impl ExtraRoots {
    /// No extra roots: partners need certificates from the web PKI.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads a PEM bundle of one or more certificates (`exchange_ca_file`).
    pub fn from_pem_file(file: &Path) -> Result<Self, TlsError> {
        Self::from_pem(&read(file)?, &file.display().to_string())
    }

    /// A PEM bundle already in memory; `name` says where it came from, in errors.
    pub fn from_pem(pem: &[u8], name: &str) -> Result<Self, TlsError> {
        let certificates = certificates(pem, name, "the certificate authorities to trust")?;
        // The client would refuse a bad root only when it is built, with a vaguer message:
        // check each one here, where the file and the certificate's place in it are known.
        let mut store = RootCertStore::empty();
        for (index, certificate) in certificates.iter().enumerate() {
            store
                .add(certificate.clone())
                .map_err(|error| TlsError::Root {
                    file: name.to_owned(),
                    index: index + 1,
                    problem: error.to_string(),
                })?;
        }
        Ok(Self { certificates })
    }

    /// How many certificates the bundle holds.
    pub fn len(&self) -> usize {
        self.certificates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty()
    }

    pub(crate) fn der(&self) -> impl Iterator<Item = &[u8]> {
        self.certificates
            .iter()
            .map(|certificate| certificate.as_ref())
    }
}

// rustls 0.23.48 deprecates the ring provider because it has no post-quantum key exchange;
// aws-lc-rs has one, but it is a second C library to build, and reqwest's rustls (the
// partner exchange's sender) uses ring all the same. The key exchange stays X25519 or ECDHE.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|error| TlsError::Read {
        file: path.display().to_string(),
        error,
    })
}

/// Every certificate of a PEM text, in order; at least one.
fn certificates(
    pem: &[u8],
    name: &str,
    expected: &'static str,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| TlsError::Pem {
            file: name.to_owned(),
            problem: error.to_string(),
        })?;
    if certificates.is_empty() {
        return Err(TlsError::NoCertificate {
            file: name.to_owned(),
            expected,
        });
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_cannot_be_used_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let error = ServerTls::from_pem_files(&missing, &missing).unwrap_err();
        assert!(matches!(error, TlsError::Read { .. }), "{error}");
        assert!(error.to_string().contains("missing.pem"), "{error}");

        let garbage = dir.path().join("garbage.pem");
        std::fs::write(&garbage, "not a certificate\n").unwrap();
        let error = ServerTls::from_pem_files(&garbage, &garbage).unwrap_err();
        assert!(matches!(error, TlsError::NoCertificate { .. }), "{error}");
        assert!(error.to_string().contains("garbage.pem"), "{error}");

        let error = ExtraRoots::from_pem_file(&garbage).unwrap_err();
        assert!(error.to_string().contains("garbage.pem"), "{error}");

        // A certificate block whose contents are not a certificate.
        let broken = dir.path().join("broken.pem");
        std::fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let error = ExtraRoots::from_pem_file(&broken).unwrap_err();
        assert!(matches!(error, TlsError::Root { index: 1, .. }), "{error}");
        assert!(error.to_string().contains("broken.pem"), "{error}");
    }
}
