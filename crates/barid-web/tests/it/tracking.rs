//! Public tracking: the `/track` pages in both languages, the JSON API, the merged timeline of
//! several operators' copies, invalid and unknown IDs, lookups of many IDs, the rate limit,
//! and that nothing about the sender or addressee ever shows.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use barid_core::lifecycle::{EventSource, ItemStatus};
use barid_core::{Milestone, S10Id, ServiceIndicator};
use barid_store::contract::world::{self, T0, cc, cli, derived, minutes, site};
use barid_store::model::{ItemIdSource, NewEvent};
use barid_web::pages::strip_isolation;
use time::macros::offset;

use crate::support::{Caller, Reply, TestApp, encode, item_id, test_config};

/// Everything about the parties and the contents that the public must never see, from the
/// contract suite's sender and addressee (every test item has them).
const PRIVATE: [&str; 12] = [
    "فاطمة الزهراء محمود",
    "Fatma",
    "Mahmoud",
    "التحرير",
    "Tahrir",
    "أحمد خليل",
    "مكتبة الأمل",
    "شارع الإرسال",
    "0599",
    "+20 100",
    "fatma@example.eg",
    "كتب وملابس",
];

fn assert_private_data_absent(text: &str, context: &str) {
    for private in PRIVATE {
        assert!(
            !text.contains(private),
            "{context}: shows {private:?}:\n{text}"
        );
    }
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

/// The text of a page without Fluent's isolation marks.
fn page_text(reply: &Reply) -> String {
    strip_isolation(&reply.text())
}

fn s10(serial: u32, country: &str) -> S10Id {
    S10Id::new(ServiceIndicator::parse("RR").unwrap(), serial, cc(country)).unwrap()
}

/// An event of a partner post, as received.
fn partner_event(
    code: &str,
    milestone: Milestone,
    at: time::OffsetDateTime,
    office: &str,
    by: &str,
) -> NewEvent {
    let mut event = world::event(code, milestone, at, office);
    event.source = EventSource::Partner;
    event.reported_by = Some(cc(by));
    event
}

#[tokio::test]
async fn the_tracking_page_speaks_english_and_arabic_and_shows_no_party() {
    let app = TestApp::new().await;
    let id = item_id("EG").to_string();

    let reply = get(&app, &format!("/track/{id}?lang=en"), &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = page_text(&reply);
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#), "{html}");
    assert!(html.contains(r#"data-result="found""#));
    assert!(html.contains(&format!(r#"<bdi class="id" dir="ltr">{id}</bdi>"#)));
    assert!(html.contains(r#"data-status="accepted""#));
    assert!(html.contains("Accepted at the post office"));
    // The event's text from the reference data, its office, city and country, and the local
    // time with its UTC offset as stored.
    assert!(html.contains("Posting / collection"), "{html}");
    assert!(html.contains("Office EGCAIA"));
    assert!(html.contains("Cairo"));
    assert!(
        html.contains("From <strong>Egypt</strong> to <strong>Palestine"),
        "{html}"
    );
    assert!(html.contains(r#"<time datetime="2026-05-10T12:00:00+03:00">10 May 2026, 12:00"#));
    assert!(html.contains(r#"<bdi dir="ltr">UTC+03:00</bdi>"#));
    assert!(reply.set_cookies().iter().any(|c| c.starts_with("lang=en")));
    assert_private_data_absent(&html, "English page");

    // Arabic from Accept-Language, right to left, with the Arabic texts.
    let reply = get(
        &app,
        &format!("/track/{id}"),
        &[("accept-language", "ar-EG,ar;q=0.9,en;q=0.5")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = page_text(&reply);
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(html.contains("قبول الإرسالية بمكتب البريد"), "{html}");
    assert!(html.contains("قُبلت في مكتب البريد"));
    assert!(html.contains("مكتب EGCAIA"));
    assert!(html.contains("القاهرة"));
    assert!(html.contains("مايو"));
    // The ID stays Latin and left to right inside the Arabic page.
    assert!(html.contains(&format!(r#"<bdi class="id" dir="ltr">{id}</bdi>"#)));
    // The switch offers English, keeping the page.
    assert!(html.contains(&format!(
        r#"href="/track/{id}?lang=en" hreflang="en" lang="en">English</a>"#
    )));
    assert_private_data_absent(&html, "Arabic page");
    // Nothing comes from another origin.
    assert!(!html.contains("http://") && !html.contains("https://"));

    // The cookie chosen with ?lang= wins over Accept-Language.
    let reply = get(
        &app,
        &format!("/track/{id}"),
        &[("accept-language", "en"), ("cookie", "lang=ar")],
    )
    .await;
    assert!(reply.text().contains(r#"<html lang="ar" dir="rtl">"#));
}

#[tokio::test]
async fn the_json_timeline_is_public_and_shows_no_party() {
    let app = TestApp::new().await;
    let id = item_id("EG");
    let reply = app
        .call(
            &Caller::Anonymous,
            Method::GET,
            &format!("/api/v1/items/{id}/events"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_private_data_absent(&reply.text(), "events API");
    let timeline = reply.json();
    assert_eq!(timeline["s10"], id.to_string());
    assert_eq!(timeline["status"], "accepted");
    assert_eq!(timeline["origin_country"], "EG");
    assert_eq!(timeline["destination_country"], "PS");
    let event = &timeline["events"][0];
    assert_eq!(event["code"], "EMA");
    assert_eq!(event["name_en"], "Posting / collection");
    assert_eq!(event["name_ar"], "قبول الإرسالية بمكتب البريد");
    assert_eq!(event["at"], "2026-05-10T12:00:00+03:00");
    assert_eq!(event["office"], "EGCAIA");
    assert_eq!(event["office_name_en"], "Office EGCAIA");
    assert_eq!(event["city_ar"], "القاهرة");
    assert_eq!(event["country"], "EG");
    // No internal IDs, notes, signatories or parties: only these fields.
    let mut keys: Vec<&str> = timeline
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "destination_country",
            "events",
            "origin_country",
            "s10",
            "status"
        ]
    );
    let mut keys: Vec<&str> = event
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "at",
            "city_ar",
            "city_en",
            "code",
            "country",
            "name_ar",
            "name_en",
            "office",
            "office_name_ar",
            "office_name_en",
            "reason",
            "reason_ar",
            "reason_en"
        ]
    );
    // The staff view of the same item stays staff-only.
    let reply = app
        .call(
            &Caller::Anonymous,
            Method::GET,
            &format!("/api/v1/items/{id}"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn copies_of_one_item_make_one_timeline_in_time_order() {
    let app = TestApp::new().await;
    let id = item_id("EG");
    let eg_item = app.store.item(cc("EG"), &id).await.unwrap().unwrap();
    // Palestine, the destination, keeps its own copy, learnt from Egypt's messages: its
    // first event is the same acceptance Egypt recorded (same code, time and office).
    let mut copy = world::new_item(ItemIdSource::Given(id));
    copy.operator = cc("PS");
    copy.office = site("PSRMHA");
    let accepted = partner_event("EMA", Milestone::Posted, T0, "EGCAIA", "EG");
    let (ps_item, _) = app
        .store
        .create_item(
            &cli("PS"),
            &copy,
            &accepted,
            derived(ItemStatus::Accepted),
            &[],
        )
        .await
        .unwrap();

    let departed_at = T0 + minutes(180);
    let eg_events = [
        world::event(
            "EMB",
            Milestone::ArrivedOutwardOffice,
            T0 + minutes(60),
            "EGCAIA",
        ),
        world::event(
            "EMC",
            Milestone::DepartedOutwardOffice,
            departed_at,
            "EGCAIA",
        ),
        // Reported by Jordan, the transit post, after Palestine's arrival was recorded.
        partner_event(
            "EMJ",
            Milestone::ArrivedTransitOffice,
            (T0 + minutes(240)).to_offset(offset!(+03:00)),
            "JOAMMA",
            "JO",
        ),
    ];
    for (version, event) in eg_events.iter().enumerate() {
        app.store
            .record_event(
                &cli("EG"),
                eg_item.id,
                eg_item.version + i64::try_from(version).unwrap(),
                event,
                derived(ItemStatus::Accepted),
                &[],
            )
            .await
            .unwrap();
    }
    let ps_events = [
        // Egypt's departure again, as Palestine received it.
        partner_event(
            "EMC",
            Milestone::DepartedOutwardOffice,
            departed_at,
            "EGCAIA",
            "EG",
        ),
        // Arrival in Ramallah, in Palestine's UTC offset.
        world::event(
            "EMD",
            Milestone::ArrivedInwardOffice,
            (T0 + minutes(300)).to_offset(offset!(+02:00)),
            "PSRMHA",
        ),
    ];
    for (version, event) in ps_events.iter().enumerate() {
        app.store
            .record_event(
                &cli("PS"),
                ps_item.id,
                ps_item.version + i64::try_from(version).unwrap(),
                event,
                derived(ItemStatus::Accepted),
                &[],
            )
            .await
            .unwrap();
    }

    let reply = app
        .call(
            &Caller::Anonymous,
            Method::GET,
            &format!("/api/v1/items/{id}/events"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let timeline = reply.json();
    let codes: Vec<&str> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["EMA", "EMB", "EMC", "EMJ", "EMD"]);
    // The status is derived from all of them, whichever copy holds the latest.
    assert_eq!(timeline["status"], "at_inward_office");
    let events = timeline["events"].as_array().unwrap();
    assert_eq!(events[4]["at"], "2026-05-10T16:00:00+02:00");
    assert_eq!(events[4]["office_name_en"], "Office PSRMHA");
    assert_eq!(events[4]["country"], "PS");
    // An office that is not on this node: its code, and the country its IMPC code names.
    assert_eq!(events[3]["office"], "JOAMMA");
    assert!(events[3]["office_name_en"].is_null());
    assert_eq!(events[3]["country"], "JO");

    // The page shows the same five events in the same order.
    let reply = get(&app, &format!("/track/{id}?lang=en"), &[]).await;
    let html = page_text(&reply);
    let positions: Vec<usize> = ["EMA", "EMB", "EMC", "EMJ", "EMD"]
        .iter()
        .map(|code| {
            let marker = format!(r#"<li data-code="{code}">"#);
            assert_eq!(html.matches(&marker).count(), 1, "{code} once:\n{html}");
            html.find(&marker).unwrap()
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(html.contains("Arrived in the destination country"));
    assert!(html.contains("UTC+02:00"));
    assert!(
        html.contains(r#"<bdi class="id" dir="ltr">JOAMMA</bdi>, Jordan"#),
        "{html}"
    );
    assert_private_data_absent(&html, "merged page");
}

#[tokio::test]
async fn an_invalid_id_is_explained_on_the_page_and_an_unknown_one_is_not_known_yet() {
    let app = TestApp::new().await;
    // The right check digit of RR123456785.. is 5.
    let reply = get(&app, "/track/RR123456784EG?lang=en", &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = page_text(&reply);
    assert!(html.contains(r#"data-result="invalid""#));
    assert!(
        html.contains("the check digit should be 5, not 4"),
        "{html}"
    );
    let reply = get(&app, "/track/RR123456784EG?lang=ar", &[]).await;
    let html = page_text(&reply);
    assert_eq!(reply.status, StatusCode::OK);
    assert!(html.contains("رقم التحقق يجب أن يكون 5، لا 4"), "{html}");

    let reply = get(&app, "/track/RR12345?lang=en", &[]).await;
    assert!(page_text(&reply).contains("it should have 13 characters (spaces aside), it has 7"));

    let unknown = s10(1, "JO");
    let reply = get(&app, &format!("/track/{unknown}?lang=en"), &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = page_text(&reply);
    assert!(html.contains(r#"data-result="not_found""#));
    assert!(html.contains(&format!("{unknown} is not known yet")));

    // The API answers an invalid ID with the parser's reason too, as a 400.
    let reply = app
        .call(
            &Caller::Anonymous,
            Method::GET,
            "/api/v1/items/RR123456784EG/events",
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"], "invalid_path");
    assert_eq!(
        reply.json()["message"],
        "wrong check digit: it should be 5, found 4"
    );
}

#[tokio::test]
async fn up_to_fifty_ids_at_once_on_the_page_and_in_the_api() {
    let app = TestApp::new().await;
    let found = [item_id("EG"), item_id("PS")];
    let mut ids: Vec<String> = found.iter().map(ToString::to_string).collect();
    ids.push("RR123456784EG".to_owned());
    // Printed form, as under a barcode.
    ids.push(s10(2, "JO").human().to_lowercase());
    for serial in 100..146 {
        ids.push(s10(serial, "IQ").to_string());
    }
    assert_eq!(ids.len(), 50);

    // The page: one result each, in the order given; the several-IDs box keeps them.
    let text = ids.join("\n");
    let query = format!("/track?lang=en&ids={}", encode(&text));
    let reply = get(&app, &query, &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = page_text(&reply);
    assert_eq!(html.matches("<section class=\"card result\"").count(), 50);
    assert_eq!(html.matches(r#"data-result="found""#).count(), 2);
    assert_eq!(html.matches(r#"data-result="invalid""#).count(), 1);
    assert_eq!(html.matches(r#"data-result="not_found""#).count(), 47);
    assert!(html.find(&found[0].to_string()) < html.find(&found[1].to_string()));
    assert!(html.contains(&format!(r#"data-id="{}""#, s10(2, "JO"))));
    assert_private_data_absent(&html, "many IDs page");

    // The API: the same, as JSON.
    let reply = app
        .call(
            &Caller::Anonymous,
            Method::GET,
            &format!("/api/v1/tracking?ids={}", encode(&ids.join(","))),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_private_data_absent(&reply.text(), "tracking API");
    let results = reply.json();
    let items = results["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    assert_eq!(items[0]["result"], "found");
    assert_eq!(items[0]["item"]["events"][0]["code"], "EMA");
    assert_eq!(items[2]["result"], "invalid");
    assert_eq!(items[2]["error"], "check_digit");
    assert_eq!(
        items[2]["message"],
        "wrong check digit: it should be 5, found 4"
    );
    assert!(items[2]["s10"].is_null());
    assert_eq!(items[3]["result"], "not_found");
    assert_eq!(items[3]["query"], s10(2, "JO").human().to_lowercase());
    assert_eq!(items[3]["s10"], s10(2, "JO").to_string());
    assert!(results["next_cursor"].is_null());

    // 51 is too many, on the page and in the API; a repeated ID counts once.
    let mut too_many = ids.clone();
    too_many.push(ids[0].clone());
    too_many.push(s10(999, "IQ").to_string());
    let reply = get(
        &app,
        &format!("/track?lang=en&ids={}", encode(&too_many.join("\n"))),
        &[],
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let html = page_text(&reply);
    assert!(html.contains(r#"data-error="too_many_ids""#));
    assert!(
        html.contains("At most 50 items can be tracked at once; you entered 51."),
        "{html}"
    );
    let reply = app
        .call(
            &Caller::Anonymous,
            Method::GET,
            &format!("/api/v1/tracking?ids={}", encode(&too_many.join(","))),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"], "too_many_ids");
    assert_eq!(reply.json()["field"], "ids");

    let reply = app
        .call(
            &Caller::Anonymous,
            Method::GET,
            "/api/v1/tracking?ids=,",
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"], "invalid_query");
}

fn from(address: [u8; 4], path: &str) -> Request<Body> {
    let mut request = Request::get(path)
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(Body::empty())
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((address, 40_000))));
    request
}

#[tokio::test]
async fn public_lookups_are_rate_limited_per_client_address() {
    let app = TestApp::with_config(barid_web::Config {
        tracking_lookups_per_minute: 3,
        ..test_config()
    })
    .await;
    let id = item_id("EG");
    let client = [192, 0, 2, 10];
    // The form alone is not a lookup.
    for _ in 0..5 {
        assert_eq!(
            app.send(from(client, "/track")).await.status,
            StatusCode::OK
        );
    }
    for path in [
        format!("/track/{id}"),
        format!("/api/v1/items/{id}/events"),
        format!("/api/v1/tracking?ids={id}"),
    ] {
        let reply = app.send(from(client, &path)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
    }
    let reply = app
        .send(from(client, &format!("/api/v1/items/{id}/events")))
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.json()["error"], "rate_limited");
    assert!(reply.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    let reply = app.send(from(client, &format!("/track/{id}"))).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.text().contains(r#"data-error="rate_limited""#));
    assert!(page_text(&reply).contains("Too many lookups from your connection"));
    assert!(reply.header("retry-after").is_some());
    let reply = app
        .send(from(client, &format!("/api/v1/tracking?ids={id}")))
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    // Another client is not held back.
    let reply = app
        .send(from([192, 0, 2, 11], &format!("/track/{id}")))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn a_logged_in_visitor_sees_their_header_on_the_public_page() {
    let app = TestApp::new().await;
    let person = app.login("EG", barid_core::Role::Clerk).await;
    let reply = app
        .call(
            &Caller::Person(person),
            Method::GET,
            &format!("/track/{}", item_id("PS")),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = page_text(&reply);
    assert!(html.contains(r#"action="/logout""#));
    assert!(html.contains(r#"href="/items/search""#));
    assert!(html.contains("eg-clerk"));
    // Still no party, even for staff: the public page is the public page.
    assert_private_data_absent(&html, "public page for staff");
}
