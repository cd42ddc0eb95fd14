//! Bad input gets its documented code and leaves no trace: no new rows, no audit entries.

use axum::http::{Method, StatusCode};
use barid_core::Role;

use crate::support::{Caller, TestApp, test_config};

#[tokio::test]
async fn bad_input_is_refused_without_a_trace() {
    let app = TestApp::with_config(barid_web::Config {
        body_limit_bytes: 4096,
        ..test_config()
    })
    .await;
    let admin = Caller::Person(app.login("EG", Role::Admin).await);
    let eg_before = app.counts("EG").await;
    let ps_before = app.counts("PS").await;

    // (method, path, body, status, code, field)
    type Case<'a> = (
        Method,
        &'a str,
        String,
        StatusCode,
        &'a str,
        Option<&'a str>,
    );
    let cases: Vec<Case> = vec![
        (Method::POST, "/api/v1/offices", "{\"code\": ".to_owned(), StatusCode::BAD_REQUEST, "malformed_json", None),
        (Method::POST, "/api/v1/offices", "[1, 2]".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", None),
        (Method::POST, "/api/v1/offices",
            r#"{"code": "EG-X", "kind": "counter", "name_en": "A", "name_ar": "ا", "city_en": "C", "city_ar": "ق", "timezone": "Africa/Cairo", "admin": true}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("admin")),
        (Method::POST, "/api/v1/offices",
            r#"{"code": "EG-X", "kind": "castle", "name_en": "A", "name_ar": "ا", "city_en": "C", "city_ar": "ق", "timezone": "Africa/Cairo"}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("kind")),
        (Method::POST, "/api/v1/offices",
            r#"{"code": "EG-X", "kind": "counter", "name_en": "  ", "name_ar": "ا", "city_en": "C", "city_ar": "ق", "timezone": "Africa/Cairo"}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("name_en")),
        (Method::POST, "/api/v1/offices",
            r#"{"code": "PSXXXA", "impc": "PSXXXA", "kind": "exchange", "name_en": "A", "name_ar": "ا", "city_en": "C", "city_ar": "ق", "timezone": "Asia/Hebron"}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("impc")),
        (Method::POST, "/api/v1/users",
            r#"{"username": "new-user", "display_name": "N", "password": "short", "roles": ["clerk"], "offices": ["EGCAIA"]}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("password")),
        (Method::POST, "/api/v1/users",
            r#"{"username": "new-user", "display_name": "N", "password": "long enough password", "roles": ["merchant"]}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("roles")),
        (Method::POST, "/api/v1/users",
            r#"{"username": "new-user", "display_name": "N", "password": "long enough password", "roles": ["clerk"]}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("offices")),
        (Method::POST, "/api/v1/users",
            r#"{"username": "new-user", "display_name": "N", "password": "long enough password", "roles": ["clerk"], "offices": ["PSRMHA"]}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("offices")),
        (Method::POST, "/api/v1/users",
            r#"{"username": "new-user", "display_name": "N", "password": "long enough password", "roles": ["postmaster"]}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("roles[0]")),
        (Method::POST, "/api/v1/tokens", r#"{"name": "p", "role": "partner"}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("partner")),
        (Method::POST, "/api/v1/tokens", r#"{"name": "c", "role": "clerk"}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("office")),
        (Method::POST, "/api/v1/tokens", format!(r#"{{"name": "{}", "role": "merchant"}}"#, "n".repeat(5000)),
            StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None),
        (Method::POST, "/api/v1/s10-ranges", r#"{"service_indicator": "R1", "first": 1, "last": 2}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("service_indicator")),
        (Method::POST, "/api/v1/s10-ranges", r#"{"service_indicator": "RR", "first": 5, "last": 2}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("last")),
        (Method::POST, "/api/v1/s10-ranges", r#"{"service_indicator": "RR", "first": 1, "last": 123456789}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("last")),
        // Another operator's objects are indistinguishable from missing ones.
        (Method::PUT, "/api/v1/users/ps-clerk/access", r#"{"roles": ["admin"], "offices": []}"#.to_owned(),
            StatusCode::NOT_FOUND, "not_found", None),
        (Method::POST, "/api/v1/users/ps-admin/password", r#"{"password": "taken over password"}"#.to_owned(),
            StatusCode::NOT_FOUND, "not_found", None),
        (Method::PUT, "/api/v1/users/Not%20A%20Name/access", r#"{"roles": [], "offices": []}"#.to_owned(),
            StatusCode::BAD_REQUEST, "invalid_path", Some("username")),
    ];
    for (method, path, body, status, code, field) in &cases {
        let reply = app.call(&admin, method.clone(), path, Some(body)).await;
        assert_eq!(
            reply.status,
            *status,
            "{method} {path} {body}: {}",
            reply.text()
        );
        let json = reply.json();
        assert_eq!(json["error"], *code, "{json}");
        if let Some(field) = field {
            assert_eq!(json["field"], *field, "{body}: {json}");
        }
    }
    for (path, status, code) in [
        (
            "/api/v1/items/RR12345678EG",
            StatusCode::BAD_REQUEST,
            "invalid_path",
        ),
        (
            "/api/v1/items/RR123456784EG",
            StatusCode::BAD_REQUEST,
            "invalid_path",
        ),
        (
            "/api/v1/items/RR123456785PS",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        // Public tracking: a valid ID no post here knows.
        (
            "/api/v1/items/RR000000005JO/events",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "/api/v1/items/RR123456784EG/events",
            StatusCode::BAD_REQUEST,
            "invalid_path",
        ),
        ("/api/v1/offices/PSRMHA", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v1/offices/9", StatusCode::BAD_REQUEST, "invalid_path"),
        ("/api/v1/users/ps-admin", StatusCode::NOT_FOUND, "not_found"),
        (
            "/api/v1/audit?cursor=abc",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
    ] {
        let reply = app.call(&admin, Method::GET, path, None).await;
        assert_eq!(reply.status, status, "{path}: {}", reply.text());
        assert_eq!(reply.error_code().as_deref(), Some(code), "{path}");
    }
    let reply = app
        .call(&admin, Method::DELETE, "/api/v1/tokens/abc", None)
        .await;
    assert_eq!(reply.error_code().as_deref(), Some("invalid_path"));
    let (_, ps_token) = app.token("PS", Role::Merchant).await;
    let ps_before = (
        ps_before.0,
        ps_before.1,
        ps_before.2 + 1,
        ps_before.3,
        // Issuing that token through the store wrote its audit entry.
        ps_before.4 + 1,
    );
    let reply = app
        .call(
            &admin,
            Method::DELETE,
            &format!("/api/v1/tokens/{}", ps_token.0),
            None,
        )
        .await;
    assert_eq!(reply.error_code().as_deref(), Some("not_found"));

    assert_eq!(
        app.counts("EG").await,
        eg_before,
        "EG: no rows, no audit entries"
    );
    assert_eq!(
        app.counts("PS").await,
        ps_before,
        "PS: no rows, no audit entries"
    );
    let ps_tokens = app
        .store
        .api_tokens(barid_store::contract::world::cc("PS"))
        .await
        .unwrap();
    assert!(ps_tokens.iter().all(|t| t.revoked_at.is_none()));
}

#[tokio::test]
async fn the_item_routes_read_the_operators_own_item() {
    let app = TestApp::new().await;
    let delivery = Caller::Person(app.login("PS", Role::Delivery).await);
    let reply = app
        .call(&delivery, Method::GET, "/api/v1/items/RR123456785PS", None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let item = reply.json();
    assert_eq!(item["s10"], "RR123456785PS");
    assert_eq!(item["status"], "accepted");
    assert_eq!(item["weight_grams"], 1000);
    assert_eq!(item["postage"]["amount_minor"], 12550);
    let events = app
        .call(
            &delivery,
            Method::GET,
            "/api/v1/items/rr 123 456 785 ps/events"
                .replace(' ', "%20")
                .as_str(),
            None,
        )
        .await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.text());
    let events = events.json();
    assert_eq!(events["s10"], "RR123456785PS");
    assert_eq!(events["events"][0]["code"], "EMA");
    assert!(
        events["events"][0]["name_ar"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    let _ = test_config;
}

#[tokio::test]
async fn audit_pages_follow_the_cursor() {
    let app = TestApp::new().await;
    let admin = Caller::Person(app.login("EG", Role::Admin).await);
    for n in 0..3 {
        let body = format!(
            r#"{{"service_indicator": "RR", "first": {}, "last": {}}}"#,
            n * 100,
            n * 100 + 99
        );
        let reply = app
            .call(&admin, Method::POST, "/api/v1/s10-ranges", Some(&body))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    }
    let total = app.audit_count("EG").await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/v1/audit?limit=2&cursor={cursor}"),
            None => "/api/v1/audit?limit=2".to_owned(),
        };
        let page = app.call(&admin, Method::GET, &path, None).await.json();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_i64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), total);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first: {seen:?}"
    );
    let supervisor = Caller::Person(app.login("EG", Role::Supervisor).await);
    let first = app
        .call(&supervisor, Method::GET, "/api/v1/audit?limit=1", None)
        .await
        .json();
    assert_eq!(first["items"][0]["action"], "s10_range.create");
}
