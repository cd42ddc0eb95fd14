//! The partner exchange over HTTPS, between nodes certified by a post's own certificate
//! authority: Palestine's node serves HTTPS only with a certificate from its private CA;
//! Egypt's node trusts that CA (`exchange_ca_file`) and its pre-advice arrives; a node that
//! does not trust it keeps its messages, with an error saying the certificate is the problem.

use std::path::PathBuf;
use std::time::Duration;

use barid_core::DispatchId;
use barid_store::contract::world::{T0, cc};
use barid_web::partner_exchange::{PartnerDispatcher, Sent};
use barid_web::{ExtraRoots, ServerTls, TlsError};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::partner_exchange::{Node, dispatcher, egypt_dispatches};
use crate::support::TestApp;

/// A post's private CA and one server certificate it issued for 127.0.0.1 and localhost, as
/// the PEM files a post would put in its configuration.
struct PrivateCa {
    _dir: tempfile::TempDir,
    ca_pem: String,
    cert: PathBuf,
    key: PathBuf,
    other_key: PathBuf,
}

fn private_ca(name: &str) -> PrivateCa {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, format!("{name} exchange CA"));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();

    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, format!("{name} exchange node"));
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &ca).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let files = PrivateCa {
        ca_pem: ca.pem(),
        cert: dir.path().join("cert.pem"),
        key: dir.path().join("key.pem"),
        other_key: dir.path().join("other-key.pem"),
        _dir: dir,
    };
    std::fs::write(&files.cert, cert.pem()).unwrap();
    std::fs::write(&files.key, key.serialize_pem()).unwrap();
    std::fs::write(
        &files.other_key,
        KeyPair::generate().unwrap().serialize_pem(),
    )
    .unwrap();
    files
}

impl Node {
    /// A post's node serving HTTPS only, on loopback, until dropped.
    async fn start_tls(operator: &'static str, tls: ServerTls) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let app = TestApp::node_of(operator).await;
        app.demo_agreements().await;
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let state = app.state.clone();
        tokio::spawn(async move {
            barid_web::serve_tls(state, listener, tls, async {
                stopped.await.ok();
            })
            .await
            .unwrap();
        });
        Self {
            app,
            address,
            _stop: stop,
        }
    }

    fn https_url(&self) -> String {
        format!("https://{}", self.address)
    }
}

/// Palestine's node on HTTPS with its CA's certificate, and Egypt's node sending it Egypt's
/// messages for Palestine with a token Palestine issued.
async fn egypt_and_palestine_over_https(ca: &PrivateCa) -> (Node, Node) {
    let tls = ServerTls::from_pem_files(&ca.cert, &ca.key).unwrap();
    let palestine = Node::start_tls("PS", tls).await;
    let egypt = Node::start("EG").await;
    let token = palestine.issue_partner_token("PS", "EG").await;
    egypt
        .send_to("EG", "PS", palestine.https_url(), token)
        .await;
    (egypt, palestine)
}

fn trusting(ca: &PrivateCa) -> PartnerDispatcher {
    let roots = ExtraRoots::from_pem(ca.ca_pem.as_bytes(), "Palestine's CA").unwrap();
    assert_eq!(roots.len(), 1);
    PartnerDispatcher::with_extra_roots(Duration::from_secs(10), &roots).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pre_advice_reaches_a_partner_over_https_when_its_ca_is_trusted() {
    let ca = private_ca("Palestine Post");
    let (egypt, palestine) = egypt_and_palestine_over_https(&ca).await;
    let s8 = egypt_dispatches(&egypt.app, 1..=2).await;
    let s8 = DispatchId::parse(&s8).unwrap();

    let sent = trusting(&ca)
        .deliver(egypt.app.store.as_ref(), T0 + time::Duration::hours(2))
        .await
        .unwrap();
    // The PREDES, the ITMATT and the EMSEVT of Egypt's events so far; the PREDES for Jordan
    // (the transit office) has no endpoint.
    assert_eq!(
        sent,
        Sent {
            delivered: 3,
            rejected: 0,
            failed: 0
        }
    );
    let expected = palestine
        .app
        .store
        .expected_dispatch(cc("PS"), &s8)
        .await
        .unwrap()
        .expect("Palestine expects the dispatch");
    assert_eq!(expected.s8, s8);
    let backlog = egypt.app.store.outbox_backlog(cc("EG")).await.unwrap();
    let to_palestine = backlog
        .iter()
        .find(|entry| entry.recipient == cc("PS"))
        .unwrap();
    assert_eq!(to_palestine.pending, 0, "{to_palestine:?}");

    // Palestine's node answers nothing over plain HTTP, so a token is never sent in clear.
    let plain = reqwest::Client::new()
        .get(format!("http://{}/healthz", palestine.address))
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_certificate_from_an_untrusted_ca_keeps_the_messages_with_the_reason() {
    let ca = private_ca("Palestine Post");
    let (egypt, palestine) = egypt_and_palestine_over_https(&ca).await;
    let s8 = egypt_dispatches(&egypt.app, 1..=2).await;
    let s8 = DispatchId::parse(&s8).unwrap();
    let now = T0 + time::Duration::hours(2);

    // Egypt's dispatcher knows only the web PKI roots.
    let sent = dispatcher()
        .deliver(egypt.app.store.as_ref(), now)
        .await
        .unwrap();
    assert_eq!(
        sent,
        Sent {
            delivered: 0,
            rejected: 0,
            failed: 3
        }
    );
    let backlog = egypt.app.store.outbox_backlog(cc("EG")).await.unwrap();
    let to_palestine = backlog
        .iter()
        .find(|entry| entry.recipient == cc("PS"))
        .unwrap();
    assert_eq!(to_palestine.pending, 3, "{to_palestine:?}");
    let error = to_palestine.last_error.as_deref().unwrap_or_default();
    assert!(
        error.contains("certificate") && error.contains("UnknownIssuer"),
        "{error}"
    );
    assert!(
        palestine
            .app
            .store
            .expected_dispatch(cc("PS"), &s8)
            .await
            .unwrap()
            .is_none()
    );

    // Once Egypt trusts Palestine's CA, the kept messages go, after their backoff.
    let sent = trusting(&ca)
        .deliver(egypt.app.store.as_ref(), now + time::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(sent.delivered, 3, "{sent:?}");
    assert!(
        palestine
            .app
            .store
            .expected_dispatch(cc("PS"), &s8)
            .await
            .unwrap()
            .is_some()
    );
}

#[test]
fn a_certificate_and_key_that_do_not_go_together_are_refused_naming_both_files() {
    let ca = private_ca("Palestine Post");
    let error = ServerTls::from_pem_files(&ca.cert, &ca.other_key).unwrap_err();
    assert!(matches!(error, TlsError::Unusable { .. }), "{error}");
    let text = error.to_string();
    assert!(
        text.contains("cert.pem") && text.contains("other-key.pem"),
        "{text}"
    );

    // A key file that holds no key.
    let error = ServerTls::from_pem_files(&ca.cert, &ca.cert).unwrap_err();
    assert!(matches!(error, TlsError::NoKey { .. }), "{error}");

    // The files swapped: the key file is read as the chain.
    let error = ServerTls::from_pem_files(&ca.key, &ca.cert).unwrap_err();
    assert!(matches!(error, TlsError::NoCertificate { .. }), "{error}");
    assert!(error.to_string().contains("key.pem"), "{error}");

    // The CA bundle for partners is checked the same way.
    let error = ExtraRoots::from_pem_file(&ca.key).unwrap_err();
    assert!(matches!(error, TlsError::NoCertificate { .. }), "{error}");
}
