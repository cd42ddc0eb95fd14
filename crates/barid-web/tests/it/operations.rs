//! Health, readiness, metrics, request IDs, security headers, and the OpenAPI document with
//! its offline reference page.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use barid_web::route_table;
use barid_web::router::Verb;

use crate::support::{Caller, TestApp};

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::new().await;
    let reply = app
        .call(&Caller::Anonymous, Method::GET, "/healthz", None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), serde_json::json!({"status": "ok"}));
    let reply = app
        .call(&Caller::Anonymous, Method::GET, "/readyz", None)
        .await;
    assert_eq!(reply.json(), serde_json::json!({"status": "ready"}));
    app.call(&Caller::Anonymous, Method::GET, "/api/v1/offices", None)
        .await;

    let reply = app
        .call(&Caller::Anonymous, Method::GET, "/metrics", None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let text = reply.text();
    assert!(
        text.contains(r#"barid_http_requests_total{method="GET",route="/healthz",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/v1/offices",status="401""#),
        "{text}"
    );
    assert!(
        text.contains("barid_http_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn request_ids_and_security_headers_on_every_answer() {
    let app = TestApp::new().await;
    for path in ["/healthz", "/api/v1/me", "/nowhere", "/login"] {
        let reply = app.call(&Caller::Anonymous, Method::GET, path, None).await;
        let id = reply.header("x-request-id").unwrap();
        assert_eq!(id.len(), 36, "a UUID: {id}");
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
        assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
        let csp = reply.header("content-security-policy").unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{csp}"
        );
    }
    let reply = app
        .send(
            Request::get("/healthz")
                .header("x-request-id", "trace-me-42")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.header("x-request-id"), Some("trace-me-42"));
    let reply = app
        .send(
            Request::get("/healthz")
                .header("x-request-id", "no spaces <allowed>")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_ne!(reply.header("x-request-id"), Some("no spaces <allowed>"));
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_with_its_policy() {
    let app = TestApp::new().await;
    let reply = app
        .call(&Caller::Anonymous, Method::GET, "/api/openapi.json", None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "delete"] {
            if item.get(method).is_some() {
                documented.insert((method.to_owned(), path.clone()));
            }
        }
    }
    let routed: BTreeSet<(String, String)> = route_table()
        .iter()
        .map(|r| (r.verb.method().as_str().to_lowercase(), r.path.to_owned()))
        .collect();
    assert_eq!(documented, routed);
    for route in route_table() {
        let method = match route.verb {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
            Verb::Delete => "delete",
        };
        let operation = &doc["paths"][route.path][method];
        let secured = operation.get("security").is_some();
        assert_eq!(
            secured,
            route.policy != barid_web::router::Policy::Public,
            "{method} {}",
            route.path
        );
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in [
        "ErrorBody",
        "OfficeDto",
        "CreateOfficeRequest",
        "UserDto",
        "IssuedTokenDto",
        "AuditPage",
        "ItemDto",
        "PublicTimelineDto",
        "PublicEventDto",
        "TrackingResults",
        "MeDto",
    ] {
        assert!(schemas.contains_key(schema), "{schema} missing");
    }
    assert!(
        doc["paths"]["/api/v1/users"]["post"]["description"]
            .as_str()
            .unwrap()
            .contains("Roles: admin.")
    );
}

#[tokio::test]
async fn the_api_reference_page_is_served_from_the_binary() {
    let app = TestApp::new().await;
    let reply = app
        .call(&Caller::Anonymous, Method::GET, "/api/docs", None)
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.header("location"), Some("/api/docs/"));
    let reply = app
        .call(&Caller::Anonymous, Method::GET, "/api/docs/", None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.text().contains("swagger-ui"));
    let initializer = app
        .call(
            &Caller::Anonymous,
            Method::GET,
            "/api/docs/swagger-initializer.js",
            None,
        )
        .await;
    assert_eq!(initializer.status, StatusCode::OK);
    assert!(initializer.text().contains("/api/openapi.json"));
    for file in [
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
    ] {
        let reply = app
            .call(
                &Caller::Anonymous,
                Method::GET,
                &format!("/api/docs/{file}"),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{file}");
        assert!(reply.body.len() > 1000, "{file}");
    }
    let reply = app
        .call(
            &Caller::Anonymous,
            Method::GET,
            "/api/docs/nothing.js",
            None,
        )
        .await;
    assert_eq!(reply.error_code().as_deref(), Some("not_found"));
}
