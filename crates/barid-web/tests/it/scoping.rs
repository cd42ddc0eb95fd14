//! Lists never show another operator's rows. The authorisation matrix checks foreign objects
//! addressed by ID; this checks every list an operator's staff can read.

use axum::http::{Method, StatusCode};
use barid_core::Role;

use crate::support::{Caller, TestApp};

#[tokio::test]
async fn every_list_holds_only_the_callers_operator() {
    let app = TestApp::new().await;
    // Give PS rows of every kind a list shows.
    let _ = app.token("PS", Role::Supervisor).await;
    let ps_admin = Caller::Person(app.login("PS", Role::Admin).await);
    let reply = app
        .call(
            &ps_admin,
            Method::POST,
            "/api/v1/s10-ranges",
            Some(r#"{"service_indicator": "RR", "first": 1, "last": 1000}"#),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());

    let _ = app.token("EG", Role::Supervisor).await;
    let eg_admin = Caller::Person(app.login("EG", Role::Admin).await);
    let reply = app
        .call(
            &eg_admin,
            Method::POST,
            "/api/v1/s10-ranges",
            Some(r#"{"service_indicator": "EE", "first": 1, "last": 1000}"#),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    for list in [
        "/api/v1/offices",
        "/api/v1/users",
        "/api/v1/tokens",
        "/api/v1/s10-ranges",
        "/api/v1/audit",
    ] {
        let reply = app.call(&eg_admin, Method::GET, list, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{list}: {}", reply.text());
        let text = reply.text();
        for foreign in ["PSRMHA", "ps-admin", "ps-clerk", "\"operator\":\"PS\""] {
            assert!(!text.contains(foreign), "{list} shows {foreign}: {text}");
        }
        let json = reply.json();
        let items = json
            .as_array()
            .or_else(|| json["items"].as_array())
            .unwrap_or_else(|| panic!("{list} is not a list: {text}"));
        assert!(
            !items.is_empty(),
            "{list} shows nothing of EG either: {text}"
        );
    }
}
