//! Login, logout, session cookies, CSRF, API tokens and the login rate limit.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use barid_core::Role;
use barid_store::contract::world::cc;

use crate::support::{Caller, PASSWORD, Reply, TestApp, request, test_config};

/// GETs the login form and returns (login CSRF cookie value, hidden field value).
async fn login_form(app: &TestApp, query: &str) -> (Reply, String) {
    let reply = app
        .send(
            Request::get(format!("/login{query}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.text();
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).unwrap() + marker.len();
    let token = html[start..].split('"').next().unwrap().to_owned();
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("barid_login_csrf="))
        .unwrap();
    let value = cookie["barid_login_csrf=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        value, token,
        "double-submit: cookie and field carry the same token"
    );
    (reply, token)
}

async fn post_login(app: &TestApp, username: &str, password: &str, csrf: &str) -> Reply {
    // The form sends the language it was shown in; these tests read the English messages.
    let form = format!(
        "username={username}&password={}&csrf_token={csrf}&lang=en",
        password.replace(' ', "+")
    );
    app.send(
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("barid_login_csrf={csrf}"))
            .body(Body::from(form))
            .unwrap(),
    )
    .await
}

fn session_secret(reply: &Reply) -> String {
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("barid_session="))
        .unwrap();
    cookie["barid_session=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_logout_ends_the_session() {
    let app = TestApp::new().await;
    let (_, csrf) = login_form(&app, "").await;
    let reply = post_login(&app, "eg-clerk", PASSWORD, &csrf).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    assert_eq!(reply.header("location"), Some("/"));
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("barid_session="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(flag), "{flag} missing in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");
    let secret = session_secret(&reply);
    assert!(secret.len() >= 43, "at least 32 random bytes");

    // The home page and the API know the user.
    let home = app
        .send(
            Request::get("/")
                .header(header::COOKIE, format!("barid_session={secret}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text().contains("eg-clerk"));
    // EG's default language is Arabic.
    assert!(
        home.text().contains(r#"<html lang="ar" dir="rtl">"#),
        "{}",
        home.text()
    );
    let me = app
        .send(
            Request::get("/api/v1/me")
                .header(header::COOKIE, format!("barid_session={secret}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let me = me.json();
    assert_eq!(me["name"], "eg-clerk");
    assert_eq!(me["operator"], "EG");
    assert_eq!(me["roles"], serde_json::json!(["clerk"]));
    let csrf_token = me["csrf_token"].as_str().unwrap().to_owned();

    let logout = |token: Option<String>| {
        let mut builder = Request::post("/logout")
            .header(header::COOKIE, format!("barid_session={secret}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if token.is_none() {
            builder = builder.header("x-unused", "1");
        }
        builder
            .body(Body::from(
                token.map(|t| format!("csrf_token={t}")).unwrap_or_default(),
            ))
            .unwrap()
    };
    let reply = app.send(logout(None)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_code().as_deref(), Some("csrf_failed"));
    let reply = app.send(logout(Some("wrong".to_owned()))).await;
    assert_eq!(reply.error_code().as_deref(), Some("csrf_failed"));
    let reply = app.send(logout(Some(csrf_token))).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.header("location"), Some("/login"));
    assert!(
        reply
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("barid_session=;") && c.contains("Max-Age=0"))
    );

    let me = app
        .send(
            Request::get("/api/v1/me")
                .header(header::COOKIE, format!("barid_session={secret}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cookies_are_secure_when_configured() {
    let app = TestApp::with_config(barid_web::Config {
        cookie_secure: true,
        ..test_config()
    })
    .await;
    let (reply, csrf) = login_form(&app, "").await;
    assert!(reply.set_cookies().iter().all(|c| c.contains("; Secure")));
    let reply = post_login(&app, "eg-admin", PASSWORD, &csrf).await;
    assert!(
        reply
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("barid_session=") && c.contains("; Secure"))
    );
}

#[tokio::test]
async fn login_page_speaks_arabic_right_to_left_and_english() {
    let app = TestApp::new().await;
    let (reply, _) = login_form(&app, "?lang=ar").await;
    assert!(reply.text().contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(reply.text().contains("تسجيل الدخول"));
    assert!(
        reply
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("lang=ar") && c.contains("SameSite=Lax"))
    );
    let (reply, _) = login_form(&app, "?lang=en").await;
    assert!(reply.text().contains(r#"<html lang="en" dir="ltr">"#));
    assert!(reply.text().contains("Log in"));
    // Without a preference, the language of the operators this node hosts (Arabic here).
    let (reply, _) = login_form(&app, "").await;
    assert!(reply.text().contains(r#"<html lang="ar" dir="rtl">"#));
    // The cookie outranks Accept-Language.
    let reply = app
        .send(
            Request::get("/login")
                .header(header::ACCEPT_LANGUAGE, "ar")
                .header(header::COOKIE, "lang=en")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(reply.text().contains(r#"<html lang="en" dir="ltr">"#));
    let reply = app
        .send(
            Request::get("/login")
                .header(header::ACCEPT_LANGUAGE, "ar-PS,ar;q=0.9,en;q=0.5")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(reply.text().contains(r#"dir="rtl""#));
    let html = reply.text();
    assert!(
        html.contains(r#"<label for="username">"#) && html.contains(r#"<label for="password">"#)
    );
}

#[tokio::test]
async fn failed_logins_say_the_same_whether_or_not_the_user_exists() {
    let app = TestApp::new().await;
    let (_, csrf) = login_form(&app, "").await;
    let wrong_password = post_login(&app, "eg-clerk", "not the password at all", &csrf).await;
    let no_such_user = post_login(&app, "nobody-here", "not the password at all", &csrf).await;
    let bad_name = post_login(&app, "!!", "not the password at all", &csrf).await;
    for reply in [&wrong_password, &no_such_user, &bad_name] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(
            reply
                .text()
                .contains(r#"data-error="login_failed">Wrong username or password.</p>"#),
            "{}",
            reply.text()
        );
        assert!(
            reply
                .set_cookies()
                .iter()
                .all(|c| !c.starts_with("barid_session="))
        );
    }
    // Without the double-submit cookie the form is refused.
    let reply = app
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "username=eg-clerk&password={}&csrf_token=x",
                    PASSWORD.replace(' ', "+")
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.text().contains(r#"data-error="csrf_failed""#));
}

#[tokio::test]
async fn login_attempts_are_rate_limited() {
    let app = TestApp::with_config(barid_web::Config {
        login_attempts_per_minute: 3,
        ..test_config()
    })
    .await;
    let (_, csrf) = login_form(&app, "").await;
    for _ in 0..3 {
        let reply = post_login(&app, "eg-clerk", "wrong wrong wrong", &csrf).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let reply = post_login(&app, "eg-clerk", PASSWORD, &csrf).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.text().contains(r#"data-error="rate_limited""#));
    assert!(reply.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    // Another username is not held back by someone else's attempts.
    let reply = post_login(&app, "eg-admin", PASSWORD, &csrf).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
}

const NEW_OFFICE: &str = r#"{"code": "EG-GIZA-1", "kind": "counter", "name_en": "Giza", "name_ar": "الجيزة",
    "city_en": "Giza", "city_ar": "الجيزة", "timezone": "Africa/Cairo"}"#;

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_for_state_changes() {
    let app = TestApp::new().await;
    let admin = app.login("EG", Role::Admin).await;
    let before = app.counts("EG").await;
    for token in [None, Some("wrong"), Some("")] {
        let mut request = request(
            &Caller::Anonymous,
            Method::POST,
            "/api/v1/offices",
            Some(NEW_OFFICE),
        );
        request.headers_mut().insert(
            header::COOKIE,
            format!("barid_session={}", admin.secret).parse().unwrap(),
        );
        if let Some(token) = token {
            request
                .headers_mut()
                .insert("x-csrf-token", token.parse().unwrap());
        }
        let reply = app.send(request).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{token:?}");
        assert_eq!(reply.error_code().as_deref(), Some("csrf_failed"));
    }
    assert_eq!(app.counts("EG").await, before, "nothing written");
    // Reads need no token.
    let mut request = request(&Caller::Anonymous, Method::GET, "/api/v1/offices", None);
    request.headers_mut().insert(
        header::COOKIE,
        format!("barid_session={}", admin.secret).parse().unwrap(),
    );
    assert_eq!(app.send(request).await.status, StatusCode::OK);
    // With the token it works, and the audit log says who did it.
    let reply = app
        .call(
            &Caller::Person(admin),
            Method::POST,
            "/api/v1/offices",
            Some(NEW_OFFICE),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let audit = app.store.audit_log(cc("EG"), None, 1).await.unwrap();
    assert_eq!(audit.items[0].actor, "eg-admin");
    assert_eq!(audit.items[0].action, "office.create");
}

#[tokio::test]
async fn bearer_tokens_need_no_csrf_token_and_stop_working_when_revoked() {
    let app = TestApp::new().await;
    let (secret, id) = app.token("EG", Role::Admin).await;
    let caller = Caller::Token(secret.clone());
    let reply = app
        .call(&caller, Method::POST, "/api/v1/offices", Some(NEW_OFFICE))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let me = app
        .call(&caller, Method::GET, "/api/v1/me", None)
        .await
        .json();
    assert_eq!(me["kind"], "token");
    assert!(me.get("csrf_token").is_none());

    // Issue a token through the API: the secret is shown once.
    let reply = app
        .call(
            &caller,
            Method::POST,
            "/api/v1/tokens",
            Some(r#"{"name": "PS node", "role": "partner", "partner": "PS"}"#),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let issued = reply.json();
    let partner_secret = issued["secret"].as_str().unwrap().to_owned();
    assert!(partner_secret.starts_with("barid_"));
    let listed = app
        .call(&caller, Method::GET, "/api/v1/tokens", None)
        .await
        .text();
    assert!(!listed.contains(&partner_secret) && !listed.contains(&secret));
    let partner = Caller::Token(partner_secret);
    assert_eq!(
        app.call(&partner, Method::GET, "/api/v1/me", None)
            .await
            .status,
        StatusCode::OK
    );
    let partner_id = issued["token"]["id"].as_i64().unwrap();
    let reply = app
        .call(
            &caller,
            Method::DELETE,
            &format!("/api/v1/tokens/{partner_id}"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = app.call(&partner, Method::GET, "/api/v1/me", None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error_code().as_deref(), Some("unauthenticated"));
    let reply = app
        .call(
            &caller,
            Method::DELETE,
            &format!("/api/v1/tokens/{partner_id}"),
            None,
        )
        .await;
    assert_eq!(reply.error_code().as_deref(), Some("conflict"));

    // Revoking itself works too, and then it is locked out.
    let reply = app
        .call(
            &caller,
            Method::DELETE,
            &format!("/api/v1/tokens/{}", id.0),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.call(&caller, Method::GET, "/api/v1/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // Malformed or unknown bearer tokens are 401, never anonymous.
    for header_value in ["Bearer nope", "Basic abc", "Bearer barid_unknown"] {
        let request = Request::get("/healthz")
            .header(header::AUTHORIZATION, header_value)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            app.send(request).await.status,
            StatusCode::OK,
            "public routes ignore credentials"
        );
        let request = Request::get("/api/v1/me")
            .header(header::AUTHORIZATION, header_value)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            app.send(request).await.status,
            StatusCode::UNAUTHORIZED,
            "{header_value}"
        );
    }
}

#[tokio::test]
async fn sessions_expire() {
    let app = TestApp::new().await;
    let clerk = Caller::Person(app.login("EG", Role::Clerk).await);
    assert_eq!(
        app.call(&clerk, Method::GET, "/api/v1/me", None)
            .await
            .status,
        StatusCode::OK
    );
    app.clock.advance(time::Duration::hours(13));
    assert_eq!(
        app.call(&clerk, Method::GET, "/api/v1/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn office_scoping_is_one_helper_on_the_principal() {
    use barid_store::contract::world::site;
    let app = TestApp::new().await;
    let clerk = app.login("EG", Role::Clerk).await;
    let principal = barid_web::auth::authenticate(&app.state, &{
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            header::COOKIE,
            format!("barid_session={}", clerk.secret).parse().unwrap(),
        );
        headers
    })
    .await
    .unwrap()
    .unwrap();
    assert!(principal.require_office(&site("EGCAIA")).is_ok());
    assert_eq!(
        principal
            .require_office(&site("EG-CAIRO-1"))
            .unwrap_err()
            .code(),
        barid_web::ErrorCode::Forbidden
    );
    assert_eq!(
        principal.actor(app.state.now()).office,
        Some(site("EGCAIA"))
    );
    let supervisor = app.login("EG", Role::Supervisor).await;
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        header::COOKIE,
        format!("barid_session={}", supervisor.secret)
            .parse()
            .unwrap(),
    );
    let principal = barid_web::auth::authenticate(&app.state, &headers)
        .await
        .unwrap()
        .unwrap();
    assert!(principal.require_office(&site("EG-CAIRO-1")).is_ok());
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_and_other_schemes_fall_back_to_the_session() {
    let app = TestApp::new().await;
    let (secret, _) = app.token("EG", Role::Supervisor).await;
    let lower = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, format!("bearer {secret}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(lower).await.status, StatusCode::OK);

    // A proxy's Basic credentials are not ours to judge: the session cookie decides.
    let person = app.login("EG", Role::Clerk).await;
    let basic = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, "Basic cHJveHk6cGFzcw==")
        .header(header::COOKIE, format!("barid_session={}", person.secret))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(basic).await.status, StatusCode::OK);
    let anonymous_basic = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, "Basic cHJveHk6cGFzcw==")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.send(anonymous_basic).await.status,
        StatusCode::UNAUTHORIZED
    );
    let empty_bearer = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, "Bearer ")
        .header(header::COOKIE, format!("barid_session={}", person.secret))
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.send(empty_bearer).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn many_usernames_from_one_address_hit_the_per_address_limit() {
    // Three attempts a minute per username, and six times that per address: cycling through
    // usernames from one address must run into the second limit.
    let app = TestApp::with_config(barid_web::Config {
        login_attempts_per_minute: 3,
        ..test_config()
    })
    .await;
    let mut attempts_before_limit = None;
    for n in 0..40 {
        let (_, csrf) = login_form(&app, "").await;
        let reply = post_login(&app, &format!("nobody-{n}"), "wrong password!", &csrf).await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            attempts_before_limit = Some(n);
            break;
        }
    }
    assert_eq!(attempts_before_limit, Some(18));
}
