//! The counter pages: the acceptance form (CSRF, defaults, refusals at each field with what
//! was typed kept, one item per form even when sent twice) and the CSV bulk upload.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use barid_core::Role;
use barid_store::contract::world::cc;
use barid_web::acceptance_csv;
use barid_web::pages::strip_isolation;

use crate::acceptance::app;
use crate::support::{Caller, Person, Reply, TestApp, encode};

/// A browser's form post: the session cookie, and the CSRF token only as the form field.
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
        .body(Body::from(pairs.join("&")))
        .unwrap();
    app.send(request).await
}

async fn upload(app: &TestApp, person: &Person, csrf: Option<&str>, csv: &str) -> Reply {
    let boundary = "----barid-test-boundary";
    let mut body = String::new();
    if let Some(csrf) = csrf {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"office\"\r\n\r\n\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"items.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ));
    let request = Request::builder()
        .method(Method::POST)
        .uri("/accept/bulk?lang=en")
        .header(header::COOKIE, format!("barid_session={}", person.secret))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

fn html(reply: &Reply) -> String {
    strip_isolation(&reply.text())
}

/// A CN 23 item: a sale of goods worth 25 000 EGP, from Cairo to Ramallah.
fn cn23_item(form_key: &str) -> Vec<(&'static str, String)> {
    [
        ("form_key", form_key),
        ("service", "ems"),
        ("destination", "PS"),
        ("weight_grams", "1200"),
        ("length_mm", "300"),
        ("contents", "Mobile phone"),
        ("sender.name", "أحمد محمود"),
        ("sender.address_line1", "12 شارع التحرير"),
        ("sender.city", "القاهرة"),
        ("sender.country", "EG"),
        ("sender.phone", "+20 100 123 4567"),
        ("addressee.name", "ليلى حداد"),
        ("addressee.address_line1", "شارع الإرسال 5"),
        ("addressee.city", "رام الله"),
        ("addressee.country", ""),
        ("addressee.latin.name", "Layla Haddad"),
        ("addressee.latin.address_line1", "5 Al-Irsal Street"),
        ("addressee.latin.city", "Ramallah"),
        ("customs.category", "sale_of_goods"),
        ("customs.invoice_number", "INV-77"),
        ("customs.lines.0.description", "Mobile phone"),
        ("customs.lines.0.quantity", "1"),
        ("customs.lines.0.net_weight_grams", "900"),
        ("customs.lines.0.value", "25000.00"),
        ("customs.lines.0.currency", "EGP"),
        ("customs.lines.0.hs_code", "851712"),
        ("customs.lines.0.origin", "EG"),
        ("customs.lines.1.currency", "EGP"),
        ("customs.lines.1.origin", "EG"),
        ("action", "accept"),
    ]
    .into_iter()
    .map(|(name, value)| (name, value.to_owned()))
    .collect()
}

fn with(
    fields: &[(&'static str, String)],
    changes: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    fields
        .iter()
        .map(|(name, value)| {
            let changed = changes.iter().find(|(changed, _)| changed == name);
            (
                *name,
                changed.map_or_else(|| value.clone(), |(_, new)| (*new).to_owned()),
            )
        })
        .collect()
}

fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

async fn item_count(app: &TestApp) -> usize {
    let ranges = app.store.s10_ranges(cc("EG")).await.unwrap();
    ranges
        .iter()
        .map(|range| range.next_serial.map_or(0, |next| next as usize - 1))
        .sum()
}

#[tokio::test]
async fn the_form_has_the_clerks_defaults_and_needs_its_csrf_token() {
    let app = app().await;
    let clerk = app.login("EG", Role::Clerk).await;
    let reply = app
        .call(
            &Caller::Person(clerk.clone()),
            Method::GET,
            "/accept?lang=en",
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let page = html(&reply);
    assert!(page.contains(r#"<form id="acceptance""#), "{page}");
    assert!(page.contains(&format!(r#"name="csrf_token" value="{}""#, clerk.csrf)));
    assert!(
        page.contains(r#"<option value="ems" selected>"#),
        "EMS is the default service"
    );
    assert!(
        page.contains(r#"<option value="" selected>"#),
        "the destination is chosen, never assumed"
    );
    let next = html(
        &app.call(
            &Caller::Person(clerk.clone()),
            Method::GET,
            "/accept?destination=PS",
            None,
        )
        .await,
    );
    assert!(
        next.contains(r#"<option value="PS" selected>"#),
        "the next item of a run keeps its destination"
    );
    assert!(
        page.contains(r#"name="customs.lines.0.currency" type="text" value="EGP""#),
        "{page}"
    );
    assert!(
        page.contains(r#"href="/accept" aria-current="page""#),
        "the counter is in the navigation"
    );

    // A form post without the token is refused before anything is read.
    let request = Request::builder()
        .method(Method::POST)
        .uri("/accept")
        .header(header::COOKIE, format!("barid_session={}", clerk.secret))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("service=ems&destination=PS&weight_grams=100"))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_code().as_deref(), Some("csrf_failed"));
    assert_eq!(item_count(&app).await, 0);

    // Delivery staff do not work the counter.
    let delivery = Caller::Person(app.login("EG", Role::Delivery).await);
    let reply = app.call(&delivery, Method::GET, "/accept", None).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_cn23_item_is_accepted_once_per_form_and_its_documents_are_offered() {
    let app = app().await;
    let clerk = app.login("EG", Role::Clerk).await;
    let fields = cn23_item("form-key-1");
    let reply = post_form(&app, &clerk, "/accept", &pairs(&fields)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", html(&reply));
    let location = reply.header("location").unwrap().to_owned();
    assert!(
        location.starts_with("/items/EE") && location.ends_with("EG?accepted=1"),
        "{location}"
    );
    let s10 = location
        .trim_start_matches("/items/")
        .trim_end_matches("?accepted=1")
        .to_owned();

    // Enter pressed twice, or the form sent again after a timeout: the same item.
    let again = post_form(&app, &clerk, "/accept", &pairs(&fields)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.header("location"), Some(location.as_str()));
    assert_eq!(item_count(&app).await, 1);

    let page = html(
        &app.call(
            &Caller::Person(clerk.clone()),
            Method::GET,
            &format!("{location}&lang=en"),
            None,
        )
        .await,
    );
    assert!(page.contains(&format!(r#"data-s10="{s10}""#)), "{page}");
    assert!(page.contains(r#"id="accepted-notice""#));
    assert!(page.contains(&format!(
        r#"id="label-pdf" href="/api/v1/items/{s10}/label.pdf""#
    )));
    assert!(page.contains(&format!(
        r#"id="customs-pdf" href="/api/v1/items/{s10}/customs.pdf""#
    )));
    assert!(page.contains(&format!(
        r#"id="receipt-pdf" href="/api/v1/items/{s10}/receipt.pdf""#
    )));
    assert!(page.contains("CN 23"), "{page}");
    assert!(page.contains("Layla Haddad"));

    let item = app
        .store
        .item(cc("EG"), &barid_core::S10Id::parse(&s10).unwrap())
        .await
        .unwrap()
        .unwrap();
    let customs = item.customs.unwrap();
    assert_eq!(
        customs.lines().len(),
        1,
        "the untouched second line is not declared"
    );
    assert_eq!(customs.total_value().amount_minor(), 2_500_000);
    assert_eq!(item.addressee.country(), cc("PS"));
    assert_eq!(item.addressee.latin().unwrap().city(), "Ramallah");

    // A new form is a new item.
    let other = cn23_item("form-key-2");
    let reply = post_form(&app, &clerk, "/accept", &pairs(&other)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_ne!(reply.header("location"), Some(location.as_str()));
    assert_eq!(item_count(&app).await, 2);
}

#[tokio::test]
async fn a_refused_item_comes_back_with_a_message_at_each_field_and_nothing_stored() {
    let app = app().await;
    let clerk = app.login("EG", Role::Clerk).await;
    // Parcels to Libya are suspended in the demo agreements.
    let fields = with(
        &cn23_item("refused-1"),
        &[("service", "parcel"), ("destination", "LY")],
    );
    let reply = post_form(&app, &clerk, "/accept?lang=en", &pairs(&fields)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&reply);
    assert!(
        page.contains(r#"class="error-summary alert" role="alert""#),
        "{page}"
    );
    assert!(
        page.contains(r#"data-field="destination" data-code="suspended""#),
        "{page}"
    );
    assert!(page.contains("parcel to Libya (LY) is suspended"), "{page}");
    // What the clerk typed is kept, including the choices.
    assert!(page.contains(r#"value="أحمد محمود""#), "{page}");
    assert!(page.contains(r#"<option value="LY" selected>"#));
    assert!(page.contains(r#"<option value="parcel" selected>"#));
    assert_eq!(item_count(&app).await, 0);

    // Fields that do not read are reported together with the rules' problems.
    let fields = with(
        &cn23_item("refused-2"),
        &[
            ("weight_grams", "heavy"),
            ("sender.name", ""),
            ("customs.lines.0.value", "12.345"),
        ],
    );
    let reply = post_form(&app, &clerk, "/accept?lang=en", &pairs(&fields)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&reply);
    for (field, code) in [
        ("weight_grams", "not_a_number"),
        ("customs.lines.0.value", "too_many_decimals"),
        ("sender.name", "required"),
    ] {
        assert!(
            page.contains(&format!(r#"data-field="{field}" data-code="{code}""#)),
            "{field} {code}: {page}"
        );
    }
    assert!(page.contains(r#"aria-invalid="true""#));
    assert_eq!(item_count(&app).await, 0);
}

#[tokio::test]
async fn add_line_shows_one_more_customs_line_and_accepts_nothing() {
    let app = app().await;
    let clerk = app.login("EG", Role::Clerk).await;
    let fields = with(&cn23_item("lines"), &[("action", "add_line")]);
    let reply = post_form(&app, &clerk, "/accept?lang=en", &pairs(&fields)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let page = html(&reply);
    assert!(
        page.contains(r#"name="customs.lines.2.description""#),
        "{page}"
    );
    assert!(page.contains(r#"value="Mobile phone""#));
    assert!(
        page.contains(r#"name="customs.lines.2.currency" type="text" value="EGP""#),
        "a new line has the counter's defaults: {page}"
    );
    assert_eq!(item_count(&app).await, 0);
}

#[tokio::test]
async fn a_csv_file_is_accepted_whole_or_not_at_all() {
    let app = app().await;
    let clerk = app.login("EG", Role::Clerk).await;

    let template = app
        .call(
            &Caller::Person(clerk.clone()),
            Method::GET,
            "/accept/bulk/template.csv",
            None,
        )
        .await;
    assert_eq!(template.status, StatusCode::OK);
    assert_eq!(template.text(), acceptance_csv::template());

    // The file upload needs the CSRF token too, as a form field.
    let reply = upload(&app, &clerk, None, &acceptance_csv::template()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = upload(&app, &clerk, Some("wrong"), &acceptance_csv::template()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(item_count(&app).await, 0);

    // Two items; the second refers to Libya by parcel, which is suspended.
    let mut csv = acceptance_csv::template();
    let second = csv
        .lines()
        .nth(1)
        .unwrap()
        .replace("ORDER-1001", "ORDER-1002")
        .replacen(",ems,", ",parcel,", 1)
        .replacen(",PS,", ",LY,", 1);
    csv.push_str(&second);
    csv.push('\n');
    let reply = upload(&app, &clerk, Some(&clerk.csrf), &csv).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        html(&reply)
    );
    let page = html(&reply);
    assert!(
        page.contains(r#"<tr data-line="4" data-code="suspended">"#),
        "{page}"
    );
    assert!(page.contains("ORDER-1002"));
    assert_eq!(
        item_count(&app).await,
        0,
        "nothing is accepted from a refused file"
    );

    let reply = upload(&app, &clerk, Some(&clerk.csrf), &acceptance_csv::template()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", html(&reply));
    let page = html(&reply);
    assert!(page.contains(r#"data-accepted="1""#), "{page}");
    assert!(page.contains("/label.pdf"));
    assert_eq!(item_count(&app).await, 1);

    // A file that is not the expected CSV says why.
    let reply = upload(&app, &clerk, Some(&clerk.csrf), "name,colour\nx,y\n").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&reply).contains(r#"data-error="invalid_file""#));
}
