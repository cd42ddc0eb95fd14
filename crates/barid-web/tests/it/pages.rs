//! The staff pages (home by role, item search, item page), the static files, and that every
//! page is bilingual.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use barid_core::Role;
use barid_web::pages::{assets, strip_isolation};

use crate::support::{Caller, PEOPLE, Reply, TestApp, item_id};

async fn page(app: &TestApp, caller: &Caller, path: &str) -> Reply {
    app.call(caller, Method::GET, path, None).await
}

fn text(reply: &Reply) -> String {
    strip_isolation(&reply.text())
}

#[tokio::test]
async fn search_finds_only_the_callers_operators_items() {
    let app = TestApp::new().await;
    // Both operators have an item with the same sender and addressee.
    let eg = Caller::Person(app.login("EG", Role::Clerk).await);
    let (eg_item, ps_item) = (item_id("EG").to_string(), item_id("PS").to_string());

    for query in [
        "%D8%A3%D8%AD%D9%85%D8%AF",
        "fatma",
        "0599+123",
        "%D9%85%D9%83%D8%AA%D8%A8%D8%A9",
    ] {
        let reply = page(&app, &eg, &format!("/items/search?lang=en&q={query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        let html = text(&reply);
        assert!(
            html.contains(&format!(r#"<tr data-s10="{eg_item}">"#)),
            "{query}: {html}"
        );
        assert!(
            !html.contains(&ps_item),
            "{query}: PS's item listed:\n{html}"
        );
        assert!(html.contains("1 item"), "{query}");
        assert!(html.contains("Accepted at the post office"));
    }
    // Palestine's staff find Palestine's item only.
    let ps = Caller::Person(app.login("PS", Role::Supervisor).await);
    let html = text(&page(&app, &ps, "/items/search?lang=en&q=fatma").await);
    assert!(html.contains(&format!(r#"<tr data-s10="{ps_item}">"#)));
    assert!(!html.contains(&eg_item));

    // Another operator's S10 ID finds nothing.
    let html = text(&page(&app, &eg, &format!("/items/search?lang=en&q={ps_item}")).await);
    assert!(html.contains("0 items"), "{html}");
    assert!(!html.contains("<table>"));

    // A scanned ID of one's own goes straight to the item page, except in an htmx search.
    let reply = page(
        &app,
        &eg,
        &format!("/items/search?q={}", eg_item.to_lowercase()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        reply.header("location"),
        Some(format!("/items/{eg_item}").as_str())
    );
    let mut request = crate::support::request(
        &eg,
        Method::GET,
        &format!("/items/search?q={eg_item}"),
        None,
    );
    request
        .headers_mut()
        .insert("hx-request", "true".parse().unwrap());
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.text().contains(r#"id="results""#));

    // Too little to search for.
    let html = text(&page(&app, &eg, "/items/search?lang=en&q=a").await);
    assert!(html.contains(r#"data-error="invalid_query""#));
    assert!(html.contains("Type at least 2 letters of a name, or 4 digits of a phone number."));

    // In Arabic, right to left.
    let html = text(&page(&app, &eg, "/items/search?lang=ar&q=fatma").await);
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(html.contains("مادة واحدة"), "{html}");
}

#[tokio::test]
async fn the_item_page_shows_staff_the_whole_item_of_their_operator_only() {
    let app = TestApp::new().await;
    let eg = Caller::Person(app.login("EG", Role::Customs).await);
    let id = item_id("EG");
    let reply = page(&app, &eg, &format!("/items/{id}?lang=en")).await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = text(&reply);
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(html.contains(&id.human()));
    // Parties, customs lines and events: staff see them.
    assert!(html.contains("فاطمة الزهراء محمود"));
    assert!(html.contains("Fatma al-Zahraa Mahmoud, 12 Tahrir Street, Dokki, Giza"));
    assert!(html.contains("مكتبة الأمل"));
    assert!(html.contains("0599 123 456"));
    assert!(html.contains("Customs declaration (CN 22)"));
    assert!(html.contains("كتاب طبخ"));
    assert!(
        html.contains("6109.10") || html.contains("610910"),
        "{html}"
    );
    assert!(html.contains("Gift"));
    assert!(html.contains("125.50 EGP"));
    assert!(html.contains(r#"<li data-code="EMA">"#));
    assert!(html.contains("Registered letter"));

    let reply = page(&app, &eg, &format!("/items/{id}?lang=ar")).await;
    let html = text(&reply);
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(html.contains("البيان الجمركي (CN 22)"));
    assert!(html.contains("هدية"));

    // Another operator's item is not found; an invalid ID says why.
    let reply = page(&app, &eg, &format!("/items/{}?lang=en", item_id("PS"))).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.text().contains(r#"data-error="not_found""#));
    assert!(!reply.text().contains("فاطمة"));
    let reply = page(&app, &eg, "/items/RR123456784EG?lang=en").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(text(&reply).contains("the check digit should be 5, not 4"));

    // Anonymous browsers are sent to log in; machines are refused.
    let reply = page(&app, &Caller::Anonymous, &format!("/items/{id}")).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let (merchant, _) = app.token("EG", Role::Merchant).await;
    let reply = page(&app, &Caller::Token(merchant), "/items/search?q=fatma").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn each_role_has_a_home_page_listing_what_it_can_do() {
    let app = TestApp::new().await;
    let routes: Vec<&str> = barid_web::route_table().iter().map(|r| r.path).collect();
    for role in PEOPLE {
        let person = Caller::Person(app.login("EG", role).await);
        for lang in ["en", "ar"] {
            let reply = page(&app, &person, &format!("/?lang={lang}")).await;
            assert_eq!(reply.status, StatusCode::OK, "{role}");
            let html = text(&reply);
            let dir = if lang == "ar" { "rtl" } else { "ltr" };
            assert!(html.contains(&format!(r#"<html lang="{lang}" dir="{dir}">"#)));
            // Every link goes to a page or document that exists: no dead links.
            for piece in html.split("href=\"").skip(1) {
                let href = piece.split('"').next().unwrap();
                let path = href.split('?').next().unwrap();
                assert!(
                    routes.contains(&path) || path.starts_with("/static/") || path.starts_with('#'),
                    "{role}: dead link {href}"
                );
            }
            assert!(html.contains(r#"href="/items/search""#), "{role}");
        }
    }
    // What each role does, and honest about what is not there yet.
    let clerk = Caller::Person(app.login("EG", Role::Clerk).await);
    let html = text(&page(&app, &clerk, "/?lang=en").await);
    assert!(html.contains("Counter clerk"));
    assert!(
        html.contains(
            r#"<li><a href="/accept">Accept an item at the counter, with its customs declaration</a></li>"#
        ),
        "{html}"
    );
    assert!(html.contains(r#"<a href="/accept/bulk">"#), "{html}");
    let oe = Caller::Person(app.login("EG", Role::OeOperator).await);
    let html = text(&page(&app, &oe, "/?lang=en").await);
    assert!(html.contains(r#"<a href="/exchange">Open, fill and close receptacles</a>"#));
    let customs = Caller::Person(app.login("EG", Role::Customs).await);
    let html = text(&page(&app, &customs, "/?lang=en").await);
    assert!(
        html.contains(r#"<a href="/customs">Items waiting for customs: hold and release</a>"#),
        "{html}"
    );
    let admin = Caller::Person(app.login("EG", Role::Admin).await);
    let html = text(&page(&app, &admin, "/?lang=ar").await);
    assert!(html.contains("المسؤول"));
    assert!(
        html.contains("البريد المصري"),
        "the operator's name: {html}"
    );
}

#[tokio::test]
async fn static_files_are_served_with_long_cache_headers() {
    let app = TestApp::new().await;
    let version = assets::version();
    let reply = page(
        &app,
        &Caller::Anonymous,
        &format!("/static/barid.css?v={version}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(
        reply.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let css = reply.text();
    assert!(css.contains(&format!("/static/NotoNaskhArabic-Regular.ttf?v={version}")));
    assert!(css.contains("inline-size") && !css.contains("margin-left"));
    for (file, kind) in [
        ("htmx.min.js", "text/javascript; charset=utf-8"),
        ("barid.js", "text/javascript; charset=utf-8"),
        ("NotoSans-Regular.ttf", "font/ttf"),
        ("NotoNaskhArabic-Bold.ttf", "font/ttf"),
    ] {
        let reply = page(
            &app,
            &Caller::Anonymous,
            &format!("/static/{file}?v={version}"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{file}");
        assert_eq!(reply.header("content-type"), Some(kind), "{file}");
        assert!(reply.body.len() > 500, "{file}");
    }
    let htmx = page(&app, &Caller::Anonymous, "/static/htmx.min.js").await;
    assert!(htmx.text().contains(r#"version:"2.0.11""#));
    // An old or missing version is cached briefly.
    assert_eq!(htmx.header("cache-control"), Some("public, max-age=300"));
    let reply = page(&app, &Caller::Anonymous, "/static/secret.txt").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = page(&app, &Caller::Anonymous, "/static/..%2FCargo.toml").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    // Pages link them with the version, and no inline script.
    let reply = app
        .send(Request::get("/track").body(Body::empty()).unwrap())
        .await;
    let html = reply.text();
    assert!(html.contains(&format!(
        r#"<script src="/static/htmx.min.js?v={version}" defer></script>"#
    )));
    assert!(!html.contains("<script>"));
    assert!(
        reply
            .header("content-security-policy")
            .unwrap()
            .contains("script-src 'self'")
    );
}
