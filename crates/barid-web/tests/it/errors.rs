//! The error JSON, pinned exactly for each code.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use axum::response::IntoResponse;
use barid_core::Role;
use barid_store::StoreError;
use barid_web::{ApiError, ErrorCode};
use serde_json::json;

use crate::support::{Caller, Reply, TestApp, request, test_config};

fn pinned(reply: &Reply, status: StatusCode, expected: serde_json::Value) {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(reply.json(), expected);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
}

async fn render(error: ApiError) -> Reply {
    crate::support::reply_of(error.into_response()).await
}

#[tokio::test]
async fn each_code_renders_exactly() {
    let app = TestApp::with_config(barid_web::Config {
        body_limit_bytes: 2048,
        ..test_config()
    })
    .await;
    let admin = Caller::Person(app.login("EG", Role::Admin).await);
    let clerk = Caller::Person(app.login("EG", Role::Clerk).await);

    let reply = app
        .call(&admin, Method::POST, "/api/v1/offices", Some("{"))
        .await;
    pinned(
        &reply,
        StatusCode::BAD_REQUEST,
        json!({
            "error": "malformed_json",
            "message": "the body is not valid JSON: EOF while parsing an object at line 1 column 1"
        }),
    );

    let reply = app
        .call(
            &admin,
            Method::POST,
            "/api/v1/tokens",
            Some(r#"{"name": "x", "role": "merchant", "colour": "red"}"#),
        )
        .await;
    pinned(
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({
            "error": "invalid_body",
            "message": "unknown field `colour`, expected one of `name`, `role`, `office`, `partner`",
            "field": "colour"
        }),
    );

    let reply = app
        .call(
            &admin,
            Method::POST,
            "/api/v1/s10-ranges",
            Some(r#"{"service_indicator": "RR", "first": "one", "last": 5}"#),
        )
        .await;
    pinned(
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({
            "error": "invalid_body",
            "message": "invalid type: string \"one\", expected u32",
            "field": "first"
        }),
    );

    let reply = app.call(&admin, Method::POST, "/api/v1/users", Some(r#"{"username": "x", "display_name": "X", "password": "long enough password", "roles": []}"#)).await;
    pinned(
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({
            "error": "invalid_body",
            "message": "a username is 3 to 32 characters a-z, 0-9, '.', '_' or '-', found \"x\"",
            "field": "username"
        }),
    );

    let reply = app
        .call(&clerk, Method::GET, "/api/v1/items/RR123456784EG", None)
        .await;
    pinned(
        &reply,
        StatusCode::BAD_REQUEST,
        json!({
            "error": "invalid_path",
            "message": "wrong check digit: it should be 5, found 4",
            "field": "s10"
        }),
    );

    let reply = app
        .call(&admin, Method::GET, "/api/v1/audit?limit=0", None)
        .await;
    pinned(
        &reply,
        StatusCode::BAD_REQUEST,
        json!({
            "error": "invalid_query",
            "message": "limit must be between 1 and 200",
            "field": "limit"
        }),
    );
    let reply = app
        .call(&admin, Method::GET, "/api/v1/audit?page=2", None)
        .await;
    assert_eq!(reply.error_code().as_deref(), Some("invalid_query"));
    assert_eq!(reply.json()["field"], "page");

    let reply = app
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("username=a"))
                .unwrap(),
        )
        .await;
    pinned(
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({
            "error": "invalid_form",
            "message": "missing field `password`",
            "field": "password"
        }),
    );

    let reply = app
        .call(&Caller::Anonymous, Method::GET, "/api/v1/offices", None)
        .await;
    pinned(
        &reply,
        StatusCode::UNAUTHORIZED,
        json!({
            "error": "unauthenticated",
            "message": "log in, or send an API token as `Authorization: Bearer barid_...`"
        }),
    );

    let reply = app.call(&clerk, Method::GET, "/api/v1/users", None).await;
    pinned(
        &reply,
        StatusCode::FORBIDDEN,
        json!({
            "error": "forbidden",
            "message": "your roles do not allow this"
        }),
    );

    let Caller::Person(person) = &admin else {
        unreachable!()
    };
    let mut no_csrf = request(
        &Caller::Anonymous,
        Method::POST,
        "/api/v1/tokens",
        Some("{}"),
    );
    no_csrf.headers_mut().insert(
        header::COOKIE,
        format!("barid_session={}", person.secret).parse().unwrap(),
    );
    pinned(
        &app.send(no_csrf).await,
        StatusCode::FORBIDDEN,
        json!({
            "error": "csrf_failed",
            "message": "missing or wrong CSRF token: send the session's token as the `csrf_token` form field or the `X-CSRF-Token` header"
        }),
    );

    let reply = app
        .call(&clerk, Method::GET, "/api/v1/offices/PSRMHA", None)
        .await;
    pinned(
        &reply,
        StatusCode::NOT_FOUND,
        json!({"error": "not_found", "message": "office not found"}),
    );
    let reply = app
        .call(&clerk, Method::GET, "/api/v1/offices/EGXXXX", None)
        .await;
    pinned(
        &reply,
        StatusCode::NOT_FOUND,
        json!({"error": "not_found", "message": "office not found"}),
    );
    let reply = app
        .call(&Caller::Anonymous, Method::GET, "/nowhere", None)
        .await;
    pinned(
        &reply,
        StatusCode::NOT_FOUND,
        json!({"error": "not_found", "message": "no such page or API route"}),
    );

    let reply = app
        .call(&Caller::Anonymous, Method::DELETE, "/healthz", None)
        .await;
    pinned(
        &reply,
        StatusCode::METHOD_NOT_ALLOWED,
        json!({
            "error": "method_not_allowed",
            "message": "this route does not take that method"
        }),
    );

    let office = r#"{"code": "EGCAIA", "kind": "counter", "name_en": "A", "name_ar": "ا", "city_en": "C", "city_ar": "ق", "timezone": "Africa/Cairo"}"#;
    let reply = app
        .call(&admin, Method::POST, "/api/v1/offices", Some(office))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["error"], "conflict");
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");

    let big = format!(r#"{{"name": "{}", "role": "merchant"}}"#, "x".repeat(4096));
    let reply = app
        .call(&admin, Method::POST, "/api/v1/tokens", Some(&big))
        .await;
    pinned(
        &reply,
        StatusCode::PAYLOAD_TOO_LARGE,
        json!({
            "error": "payload_too_large",
            "message": "the request body is larger than this server accepts"
        }),
    );

    let mut plain = request(&admin, Method::POST, "/api/v1/tokens", None);
    plain
        .headers_mut()
        .insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
    *plain.body_mut() = Body::from("name=x");
    pinned(
        &app.send(plain).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        json!({
            "error": "unsupported_media_type",
            "message": "send the body as JSON with `Content-Type: application/json`"
        }),
    );

    let reply = render(ApiError::rate_limited(30)).await;
    pinned(
        &reply,
        StatusCode::TOO_MANY_REQUESTS,
        json!({
            "error": "rate_limited",
            "message": "too many attempts; try again in 30 s"
        }),
    );
    assert_eq!(reply.header("retry-after"), Some("30"));

    let reply = render(
        StoreError::RangeExhausted {
            range: "RR 1-2 EG".to_owned(),
        }
        .into(),
    )
    .await;
    pinned(
        &reply,
        StatusCode::CONFLICT,
        json!({
            "error": "range_exhausted",
            "message": "S10 range RR 1-2 EG is used up; add a new range"
        }),
    );

    let reply = render(StoreError::corrupt("item", "column secret_table is garbage").into()).await;
    pinned(
        &reply,
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({
            "error": "internal",
            "message": "something went wrong on the server; the x-request-id response header identifies the log entry"
        }),
    );

    let reply = render(ApiError::unavailable("connection refused at 10.0.0.1")).await;
    pinned(
        &reply,
        StatusCode::SERVICE_UNAVAILABLE,
        json!({
            "error": "unavailable",
            "message": "the database cannot be reached; try again shortly"
        }),
    );

    // Every code the API documents was seen above.
    let reply = render(barid_web::tracking::too_many_ids(51)).await;
    pinned(
        &reply,
        StatusCode::BAD_REQUEST,
        json!({
            "error": "too_many_ids",
            "message": "at most 50 IDs can be looked up at once, this asks for 51",
            "field": "ids"
        }),
    );

    let reply = render(ApiError::refused(
        "wrong_destination",
        "s10",
        "RR000000015EG is addressed to JO; this receptacle goes to PSRMHA",
    ))
    .await;
    pinned(
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({
            "error": "refused",
            "message": "RR000000015EG is addressed to JO; this receptacle goes to PSRMHA",
            "field": "s10",
            "errors": [{
                "error": "wrong_destination",
                "message": "RR000000015EG is addressed to JO; this receptacle goes to PSRMHA",
                "field": "s10"
            }]
        }),
    );

    assert_eq!(ErrorCode::ALL.len(), 24);
}
