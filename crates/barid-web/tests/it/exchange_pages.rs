//! The outward office of exchange's pages: an operator scans arrivals, opens a receptacle,
//! scans items in (a wrong one refused with its rule's code), closes it with its weight,
//! closes the dispatch and finds the S9 IDs on the dispatch page; in both languages, and
//! read-only for a supervisor.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use barid_core::lifecycle::ItemStatus;
use barid_core::{Role, S10Id, ServiceIndicator};
use barid_store::contract::world::{self, cc, cli, site};
use barid_store::model::{ItemIdSource, NewItem};
use barid_web::pages::strip_isolation;

use crate::acceptance::app;
use crate::support::{Caller, Person, Reply, TestApp, encode, item_id, request, send_to};

async fn post_form(app: &TestApp, person: &Person, path: &str, fields: &[(&str, &str)]) -> Reply {
    let mut pairs = vec![format!("csrf_token={}", person.csrf)];
    pairs.extend(
        fields
            .iter()
            .map(|(name, value)| format!("{}={}", encode(name), encode(value))),
    );
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, format!("barid_session={}", person.secret))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(Body::from(pairs.join("&")))
        .unwrap();
    app.send(request).await
}

async fn get(app: &TestApp, person: &Person, path: &str) -> Reply {
    app.call(&Caller::Person(person.clone()), Method::GET, path, None)
        .await
}

fn html(reply: &Reply) -> String {
    strip_isolation(&reply.text())
}

fn location(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    reply.header("location").unwrap().to_owned()
}

/// A registered item accepted at Cairo for Jordan: it cannot travel in a receptacle for
/// Ramallah.
async fn item_for_jordan(app: &TestApp) -> S10Id {
    let s10 = S10Id::new(ServiceIndicator::parse("RR").unwrap(), 22_222_222, cc("EG")).unwrap();
    let item = NewItem {
        destination_country: cc("JO"),
        office: site("EGCAIA"),
        ..world::new_item(ItemIdSource::Given(s10))
    };
    let mut first = world::accepted(world::T0);
    first.office = site("EGCAIA");
    app.store
        .create_item(
            &cli("EG"),
            &item,
            &first,
            world::derived(ItemStatus::Accepted),
            &[],
        )
        .await
        .unwrap();
    s10
}

#[tokio::test]
async fn an_operator_scans_bags_closes_and_dispatches_through_the_pages() {
    let app = app().await;
    let operator = app.login("EG", Role::OeOperator).await;
    let item = item_id("EG").to_string();
    let jordan = item_for_jordan(&app).await.to_string();

    // The desk: one scan field, focused, for the operator's office.
    let desk = get(&app, &operator, "/exchange?lang=en").await;
    assert_eq!(desk.status, StatusCode::OK, "{}", desk.text());
    let text = html(&desk);
    assert!(text.contains(r#"<form id="arrival-scan""#), "{text}");
    assert!(text.contains("autofocus"), "{text}");
    assert!(
        text.contains(r#"href="/exchange" aria-current="page""#),
        "{text}"
    );
    assert!(text.contains("EGCAIA"), "{text}");
    // The agreements' routes from Cairo propose Ramallah, through Amman.
    assert!(text.contains(r#"<option value="PSRMHA""#), "{text}");

    // Arrival scans: recorded, then a second scan says it had already arrived.
    let scanned = post_form(&app, &operator, "/exchange/arrivals", &[("s10", &item)]).await;
    assert_eq!(scanned.status, StatusCode::OK, "{}", scanned.text());
    let text = html(&scanned);
    assert!(
        text.contains(&format!(
            r#"data-arrived="{item}" data-code="EMB" data-repeated="false""#
        )),
        "{text}"
    );
    assert!(text.contains(&format!("{item} arrived (EMB)")), "{text}");
    assert!(
        text.contains(r#"id="arrival-s10" name="s10" type="text" dir="ltr" value="""#),
        "the field comes back empty: {text}"
    );
    let again = post_form(&app, &operator, "/exchange/arrivals", &[("s10", &item)]).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(html(&again).contains("already arrived"), "{}", again.text());
    assert!(html(&again).contains(r#"data-repeated="true""#));
    let jordan_scan = post_form(&app, &operator, "/exchange/arrivals", &[("s10", &jordan)]).await;
    assert_eq!(jordan_scan.status, StatusCode::OK, "{}", jordan_scan.text());

    // An unknown item and a mistyped ID are refused with their codes.
    let unknown = S10Id::new(ServiceIndicator::parse("RR").unwrap(), 99, cc("EG")).unwrap();
    let refused = post_form(
        &app,
        &operator,
        "/exchange/arrivals",
        &[("s10", &unknown.to_string())],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = html(&refused);
    assert!(
        text.contains(r#"role="alert" data-field="s10" data-code="unknown_item""#),
        "{text}"
    );
    let typo = post_form(&app, &operator, "/exchange/arrivals", &[("s10", "RR123")]).await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&typo).contains(r#"data-code="invalid_s10""#));

    // Open a receptacle for Ramallah, registered letter post, airmail.
    let opened = post_form(
        &app,
        &operator,
        "/exchange/receptacles",
        &[
            ("office", "EGCAIA"),
            ("destination", "PSRMHA"),
            ("category", "A"),
            ("subclass", "UR"),
        ],
    )
    .await;
    let receptacle = location(&opened);
    assert!(
        receptacle.starts_with("/exchange/receptacles/"),
        "{receptacle}"
    );
    let page = get(&app, &operator, &format!("{receptacle}?lang=en")).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = html(&page);
    assert!(text.contains(r#"<form id="bag-scan""#), "{text}");
    assert!(text.contains("PSRMHA AUR"), "{text}");

    // The Jordanian item is refused and not added; ours goes in.
    let items = format!("{receptacle}/items");
    let wrong = post_form(&app, &operator, &items, &[("s10", &jordan)]).await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.text()
    );
    let text = html(&wrong);
    assert!(
        text.contains(r#"role="alert" data-field="s10" data-code="wrong_destination""#),
        "{text}"
    );
    assert!(
        !text.contains(&format!(r#"<tr data-s10="{jordan}""#)),
        "{text}"
    );
    let bagged = post_form(&app, &operator, &items, &[("s10", &item)]).await;
    assert_eq!(bagged.status, StatusCode::OK, "{}", bagged.text());
    let text = html(&bagged);
    assert!(text.contains("data-added"), "{text}");
    assert!(
        text.contains(&format!(r#"<tr data-s10="{item}""#)),
        "{text}"
    );
    assert!(text.contains(r#"id="bag-s10" name="s10" type="text" dir="ltr" value="""#));
    let twice = post_form(&app, &operator, &items, &[("s10", &item)]).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&twice).contains(r#"data-code="already_bagged""#));
    // Bagged, it can no longer be scanned as arriving.
    let late = post_form(&app, &operator, "/exchange/arrivals", &[("s10", &item)]).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&late).contains(r#"data-code="already_bagged""#));

    // Close: a weight that is not a number, then lighter than the item, then right.
    let close = format!("{receptacle}/close");
    let typed = post_form(&app, &operator, &close, &[("gross_weight_grams", "heavy")]).await;
    assert_eq!(typed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html(&typed).contains(r#"data-field="gross_weight_grams" data-code="invalid_body""#),
        "{}",
        typed.text()
    );
    let light = post_form(&app, &operator, &close, &[("gross_weight_grams", "100")]).await;
    assert_eq!(light.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html(&light).contains(r#"data-code="lighter_than_contents""#),
        "{}",
        light.text()
    );
    let closed = post_form(&app, &operator, &close, &[("gross_weight_grams", "1500")]).await;
    assert_eq!(location(&closed), receptacle);
    let page = html(&get(&app, &operator, &format!("{receptacle}?lang=en")).await);
    assert!(page.contains(r#"data-status="closed""#), "{page}");
    assert!(page.contains(r#"<form id="reopen-receptacle""#), "{page}");
    assert!(page.contains(r#"data-registered="true""#), "{page}");
    // Reopening needs a reason.
    let no_reason = post_form(&app, &operator, &format!("{receptacle}/reopen"), &[]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&no_reason).contains(r#"data-field="reason" data-code="reason_required""#));

    // The desk offers to close the series' dispatch.
    let desk = html(&get(&app, &operator, "/exchange?lang=en").await);
    assert!(desk.contains(r#"data-series="PSRMHAAUR""#), "{desk}");
    let dispatched = post_form(
        &app,
        &operator,
        "/exchange/dispatches",
        &[
            ("office", "EGCAIA"),
            ("destination", "PSRMHA"),
            ("category", "A"),
            ("subclass", "UR"),
        ],
    )
    .await;
    let dispatch = location(&dispatched);
    // Addressed by its S8 ID.
    assert_eq!(dispatch, "/exchange/dispatches/EGCAIAPSRMHAAUR60001");

    let page = get(&app, &operator, &format!("{dispatch}?lang=en")).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = html(&page);
    assert!(text.contains("EGCAIAPSRMHAAUR"), "{text}");
    assert!(text.contains(r#"data-transit>JOAMMA"#), "{text}");
    let s9 = text
        .split("data-s9>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap();
    assert_eq!(s9.len(), 29, "{s9}");
    assert!(s9.starts_with("EGCAIAPSRMHAAUR"), "{s9}");
    assert!(text.contains(r#"<nav id="dispatch-documents""#));
    // The first print comes from what the closing rendered; after a restart the same
    // document is rendered again from the stored dispatch, byte for byte.
    let restarted = app.restarted();
    for document in ["cn35.pdf", "cn31.pdf", "cn33.pdf", "delivery-bill.pdf"] {
        let s8 = dispatch.rsplit('/').next().unwrap();
        let path = format!("/api/v1/exchange/dispatches/{s8}/{document}");
        assert!(text.contains(&path), "{document}");
        let first = get(&app, &operator, &path).await;
        assert_eq!(first.status, StatusCode::OK, "{document}");
        assert!(first.body.starts_with(b"%PDF"), "{document}");
        let caller = Caller::Person(operator.clone());
        let reprint = send_to(&restarted, request(&caller, Method::GET, &path, None)).await;
        assert_eq!(reprint.status, StatusCode::OK, "{document}");
        assert_eq!(
            first.header("content-disposition"),
            reprint.header("content-disposition")
        );
        assert!(
            first.body == reprint.body,
            "{document} differs after a restart"
        );
    }
    // The desk lists the dispatch; the receptacle left with it.
    let desk = html(&get(&app, &operator, "/exchange?lang=en").await);
    assert!(desk.contains(&format!(r#"href="{dispatch}""#)), "{desk}");
    assert!(!desk.contains(r#"data-series="PSRMHAAUR""#), "{desk}");
    let gone = post_form(
        &app,
        &operator,
        &format!("{receptacle}/reopen"),
        &[("reason", "forgot one")],
    )
    .await;
    assert_eq!(gone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html(&gone).contains(r#"data-code="dispatch_closed""#),
        "{}",
        gone.text()
    );
}

#[tokio::test]
async fn the_desk_is_arabic_right_to_left_and_read_only_for_supervisors() {
    let app = app().await;
    let operator = app.login("EG", Role::OeOperator).await;
    let arabic = get(&app, &operator, "/exchange?lang=ar").await;
    assert_eq!(arabic.status, StatusCode::OK);
    let text = html(&arabic);
    assert!(text.contains(r#"dir="rtl""#), "{text}");
    assert!(text.contains("مكتب التبادل"), "{text}");
    let home = html(&get(&app, &operator, "/?lang=en").await);
    assert!(home.contains(r#"<a href="/exchange">"#), "{home}");

    let refused = post_form(
        &app,
        &operator,
        "/exchange/arrivals?lang=ar",
        &[("s10", "RR123")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html(&refused).contains("ليس رقم مادة"),
        "{}",
        refused.text()
    );

    let supervisor = app.login("EG", Role::Supervisor).await;
    let desk = get(&app, &supervisor, "/exchange?lang=en").await;
    assert_eq!(desk.status, StatusCode::OK, "{}", desk.text());
    let text = html(&desk);
    assert!(text.contains("EGCAIA"), "{text}");
    assert!(!text.contains(r#"<form id="arrival-scan""#), "{text}");

    // A receptacle of nobody's is not found, as a page.
    let missing = get(&app, &operator, "/exchange/receptacles/999999?lang=en").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text().contains(r#"data-error="not_found""#));
}
