//! Quality of service through the API: an agreement's month measured from hand-built item
//! histories with known answers, the drill-down to the S10 IDs behind each figure, the
//! calendars the days are counted in, and the same figures as CSV and as the PDF report.

#![allow(clippy::indexing_slicing)]

use axum::http::{Method, StatusCode};
use barid_core::lifecycle::ItemStatus;
use barid_core::{Milestone, NextAction, ReferenceData, Role};
use barid_store::contract::world::{self, cli, derived, new_item, s10};
use barid_store::model::{ItemIdSource, NewEvent};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::support::{Caller, TestApp};

fn event(milestone: Milestone, at: OffsetDateTime, office: &str) -> NewEvent {
    let reference = ReferenceData::embedded().unwrap();
    let code = reference.code_for(milestone).unwrap();
    world::event(code.as_str(), milestone, at, office)
}

/// An Egyptian registered item for Palestine with these events, the posting first.
async fn item(app: &TestApp, serial: u32, events: &[NewEvent]) -> String {
    let (first, rest) = events.split_first().unwrap();
    let (item, _) = app
        .store
        .create_item(
            &cli("EG"),
            &new_item(ItemIdSource::Given(s10(serial))),
            first,
            derived(ItemStatus::Accepted),
            &[],
        )
        .await
        .unwrap();
    for (version, event) in (1..).zip(rest) {
        app.store
            .record_event(
                &cli("EG"),
                item.id,
                version,
                event,
                derived(ItemStatus::DepartedOrigin),
                &[],
            )
            .await
            .unwrap();
    }
    item.s10.to_string()
}

struct April {
    met: String,
    late: String,
    overdue: String,
    returned: String,
    held: String,
}

/// Five items posted in April 2026 (Palestine rests on Friday and Saturday; registered mail
/// to Palestine is J+12 for 80 %, transit 4 working days):
/// - met: posted Wednesday 1st, delivered Monday 6th (J+3), transit 1 day;
/// - late: posted the 1st, 6 working days in transit, delivered the 22nd (J+15);
/// - overdue: posted Thursday 2nd, never got further than the outward office;
/// - returned: refused on the 10th and sent back;
/// - held: held by customs 24 hours, delivered J+5.
async fn april(app: &TestApp) -> April {
    use Milestone as M;
    let met = item(
        app,
        1,
        &[
            event(M::Posted, datetime!(2026-04-01 10:00 +02:00), "EG-CAIRO-1"),
            event(
                M::ArrivedOutwardOffice,
                datetime!(2026-04-01 16:00 +02:00),
                "EGCAIA",
            ),
            event(
                M::DepartedOutwardOffice,
                datetime!(2026-04-02 08:00 +02:00),
                "EGCAIA",
            ),
            event(
                M::ArrivedInwardOffice,
                datetime!(2026-04-05 09:00 +03:00),
                "PSRMHA",
            ),
            event(M::Delivered, datetime!(2026-04-06 12:00 +03:00), "PSRMHB"),
        ],
    )
    .await;
    let late = item(
        app,
        2,
        &[
            event(M::Posted, datetime!(2026-04-01 11:00 +02:00), "EG-CAIRO-1"),
            event(
                M::DepartedOutwardOffice,
                datetime!(2026-04-02 08:00 +02:00),
                "EGCAIA",
            ),
            event(
                M::ArrivedInwardOffice,
                datetime!(2026-04-12 09:00 +03:00),
                "PSRMHA",
            ),
            event(M::Delivered, datetime!(2026-04-22 12:00 +03:00), "PSRMHB"),
        ],
    )
    .await;
    let overdue = item(
        app,
        3,
        &[
            event(M::Posted, datetime!(2026-04-02 10:00 +02:00), "EG-CAIRO-1"),
            event(
                M::ArrivedOutwardOffice,
                datetime!(2026-04-02 15:00 +02:00),
                "EGCAIA",
            ),
        ],
    )
    .await;
    let mut refused = event(
        M::DeliveryAttemptFailed,
        datetime!(2026-04-10 10:00 +03:00),
        "PSRMHB",
    );
    refused.next_action = Some(NextAction::ReturnToSender);
    let returned = item(
        app,
        4,
        &[
            event(M::Posted, datetime!(2026-04-02 12:00 +02:00), "EG-CAIRO-1"),
            refused,
        ],
    )
    .await;
    let held = item(
        app,
        5,
        &[
            event(M::Posted, datetime!(2026-04-05 10:00 +02:00), "EG-CAIRO-1"),
            event(
                M::DepartedOutwardOffice,
                datetime!(2026-04-06 08:00 +02:00),
                "EGCAIA",
            ),
            event(
                M::ArrivedInwardOffice,
                datetime!(2026-04-07 09:00 +03:00),
                "PSRMHA",
            ),
            event(
                M::HeldImportCustoms,
                datetime!(2026-04-08 10:00 +03:00),
                "PSRMHA",
            ),
            event(
                M::ReleasedImportCustoms,
                datetime!(2026-04-09 10:00 +03:00),
                "PSRMHA",
            ),
            event(M::Delivered, datetime!(2026-04-12 12:00 +03:00), "PSRMHB"),
        ],
    )
    .await;
    April {
        met,
        late,
        overdue,
        returned,
        held,
    }
}

async fn palestine(app: &TestApp, caller: &Caller) -> i64 {
    let listed = app
        .call(caller, Method::GET, "/api/v1/agreements", None)
        .await;
    listed.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|agreement| agreement["partner"] == "PS")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

fn registered<'a>(figures: &'a Value, way: (&str, &str)) -> &'a Value {
    figures["directions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|direction| direction["origin"] == way.0 && direction["destination"] == way.1)
        .unwrap()["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|service| service["service"] == "registered")
        .unwrap()
}

async fn drilled(app: &TestApp, caller: &Caller, id: i64, query: &str) -> Vec<String> {
    let path = format!(
        "/api/v1/agreements/{id}/quality/items?month=2026-04&direction=EG-PS&service=registered&{query}"
    );
    let reply = app.call(caller, Method::GET, &path, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
    let mut s10s: Vec<String> = reply.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["s10"].as_str().unwrap().to_owned())
        .collect();
    s10s.sort();
    s10s
}

#[tokio::test]
async fn a_month_of_an_agreement_is_measured_against_its_targets_down_to_the_items() {
    let app = TestApp::new().await;
    app.demo_agreements().await;
    let items = april(&app).await;
    let supervisor = Caller::Person(app.login("EG", Role::Supervisor).await);
    let id = palestine(&app, &supervisor).await;

    let path = format!("/api/v1/agreements/{id}/quality?month=2026-04");
    let reply = app.call(&supervisor, Method::GET, &path, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let figures = reply.json();
    assert_eq!(figures["month"], "2026-04");
    let service = registered(&figures, ("EG", "PS"));
    assert_eq!(service["target_days"], 12);
    assert_eq!(service["target_per_mille"], 800);
    assert_eq!(service["posted"], 5);
    assert_eq!(
        (
            &service["met"],
            &service["late"],
            &service["overdue"],
            &service["in_flight"],
            &service["returned"]
        ),
        (&json!(2), &json!(1), &json!(1), &json!(0), &json!(1))
    );
    // Met over met, late and overdue: 2 of 4, below 80 %.
    assert_eq!(service["met_per_mille"], 500);
    assert_eq!(service["meets_target"], false);
    // J+3, J+5 and J+15 (the last bucket is J+30 and later).
    let distribution = service["distribution"].as_array().unwrap();
    assert_eq!(distribution.len(), 31);
    assert_eq!(
        (&distribution[3], &distribution[5], &distribution[15]),
        (&json!(1), &json!(1), &json!(1))
    );
    // Transit: 1, 6 and 1 working days against 4: two of three within, below 80 %.
    let transit = service["legs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|leg| leg["leg"] == "transit")
        .unwrap();
    assert_eq!(
        (
            &transit["items"],
            &transit["within_target"],
            &transit["late"]
        ),
        (&json!(3), &json!(2), &json!(true))
    );
    assert_eq!(service["late_legs"], json!(["transit"]));
    assert_eq!(service["customs"]["held"], 1);
    assert_eq!(service["customs"]["average_hold_hours"], 24);
    // Every month of the trend but April is empty.
    let trend = service["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 12);
    assert_eq!(trend[11]["month"], "2026-04");
    assert_eq!(trend[11]["met_per_mille"], 500);
    assert!(trend[..11].iter().all(|month| month["counted"] == 0));
    // Palestine's items for Egypt: none.
    assert_eq!(registered(&figures, ("PS", "EG"))["posted"], 0);
    // The overdue item has had nothing new for weeks: it is stuck at the outward office.
    let egypt_to_palestine = &figures["directions"][0];
    assert_eq!(egypt_to_palestine["via"], "JO");
    assert_eq!(
        egypt_to_palestine["stuck"]["items"][0]["s10"],
        json!(items.overdue)
    );
    assert_eq!(
        egypt_to_palestine["stuck"]["per_step"],
        json!([{"milestone": "arrived_outward_office", "items": 1}])
    );

    // The drill-down lists the items behind each figure.
    for (query, expected) in [
        ("figure=met", vec![items.met.clone(), items.held.clone()]),
        ("figure=late", vec![items.late.clone()]),
        ("figure=overdue", vec![items.overdue.clone()]),
        ("figure=returned", vec![items.returned.clone()]),
        ("figure=customs_held", vec![items.held.clone()]),
        ("figure=late_leg&leg=transit", vec![items.late.clone()]),
        ("figure=delivered_on&day=3", vec![items.met.clone()]),
    ] {
        let mut expected = expected;
        expected.sort();
        assert_eq!(
            drilled(&app, &supervisor, id, query).await,
            expected,
            "{query}"
        );
    }
    let bad = app
        .call(
            &supervisor,
            Method::GET,
            &format!("/api/v1/agreements/{id}/quality/items?figure=slowest"),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error_code().as_deref(), Some("invalid_query"));
    let bad_month = app
        .call(
            &supervisor,
            Method::GET,
            &format!("/api/v1/agreements/{id}/quality?month=2026-13"),
            None,
        )
        .await;
    assert_eq!(bad_month.error_code().as_deref(), Some("invalid_query"));

    // The network overview colours the route below its target, with the late leg.
    let network = app
        .call(
            &supervisor,
            Method::GET,
            "/api/v1/quality?month=2026-04",
            None,
        )
        .await
        .json();
    let route = network["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|route| route["destination"] == "PS" && route["service"] == "registered")
        .unwrap()
        .clone();
    assert_eq!(route["compliance"], "below");
    assert_eq!(route["late_legs"], json!(["transit"]));

    // CSV: the same figures, one row per way and service.
    let csv = app
        .call(
            &supervisor,
            Method::GET,
            &format!("/api/v1/agreements/{id}/quality.csv?month=2026-04"),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = csv.text();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("month,origin,destination,via,service,target_days"));
    assert!(
        text.lines()
            .any(|line| line
                .starts_with("2026-04,EG,PS,JO,registered,12,80.0,5,2,1,1,0,1,50.0,false")),
        "{text}"
    );

    // The monthly report: a PDF whose text reads.
    let pdf = app
        .call(
            &supervisor,
            Method::GET,
            &format!("/api/v1/agreements/{id}/quality.pdf?month=2026-04"),
            None,
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    let text = crate::acceptance::pdftotext(&pdf.body);
    // The stuck item's S10 ID is printed in groups, as on the labels.
    let overdue = &items.overdue;
    let grouped = format!(
        "{} {} {} {} {}",
        &overdue[..2],
        &overdue[2..5],
        &overdue[5..8],
        &overdue[8..11],
        &overdue[11..]
    );
    for expected in [
        "Quality of service report",
        "J+12",
        "50.0",
        "2026-04",
        grouped.as_str(),
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
}

#[tokio::test]
async fn working_days_follow_the_calendar_an_administrator_sets() {
    let app = TestApp::new().await;
    app.demo_agreements().await;
    let items = april(&app).await;
    let admin = Caller::Person(app.login("EG", Role::Admin).await);
    let supervisor = Caller::Person(app.login("EG", Role::Supervisor).await);
    let id = palestine(&app, &supervisor).await;

    let calendars = app
        .call(&supervisor, Method::GET, "/api/v1/calendars", None)
        .await
        .json();
    let ps = calendars["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|calendar| calendar["country"] == "PS")
        .unwrap()
        .clone();
    assert_eq!(ps["weekend"], json!(["friday", "saturday"]));
    assert_eq!(ps["set"], false);

    // Sunday 5 April becomes a public holiday in Palestine: the item delivered on Monday the
    // 6th took 2 working days, not 3.
    let body = json!({"weekend": ["friday", "saturday"], "holidays": ["2026-04-05"]}).to_string();
    let refused = app
        .call(
            &supervisor,
            Method::PUT,
            "/api/v1/calendars/PS",
            Some(&body),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let set = app
        .call(&admin, Method::PUT, "/api/v1/calendars/PS", Some(&body))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    assert_eq!(set.json()["holidays"], json!(["2026-04-05"]));
    assert_eq!(set.json()["set"], true);
    let figures = app
        .call(
            &supervisor,
            Method::GET,
            &format!("/api/v1/agreements/{id}/quality?month=2026-04"),
            None,
        )
        .await
        .json();
    let distribution = registered(&figures, ("EG", "PS"))["distribution"].clone();
    assert_eq!(distribution[2], 1, "{distribution}");
    assert_eq!(distribution[3], 0);
    assert_eq!(
        drilled(&app, &supervisor, id, "figure=delivered_on&day=2").await,
        vec![items.met.clone()]
    );

    // A calendar with no working day, or a day that is not one, is refused and changes nothing.
    for bad in [
        json!({"weekend": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"], "holidays": []}),
        json!({"weekend": ["caturday"], "holidays": []}),
        json!({"weekend": [], "holidays": ["2026-02-30"]}),
    ] {
        let reply = app
            .call(
                &admin,
                Method::PUT,
                "/api/v1/calendars/PS",
                Some(&bad.to_string()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(reply.error_code().as_deref(), Some("invalid_body"));
    }
    let after = app
        .call(&supervisor, Method::GET, "/api/v1/calendars", None)
        .await
        .json();
    assert!(after["items"].as_array().unwrap().iter().any(
        |calendar| calendar["country"] == "PS" && calendar["holidays"] == json!(["2026-04-05"])
    ));
}

#[tokio::test]
async fn administrators_set_a_working_calendar_on_its_page_and_the_figures_follow() {
    let app = TestApp::new().await;
    app.demo_agreements().await;
    let items = april(&app).await;
    let admin = Caller::Person(app.login("EG", Role::Admin).await);
    let supervisor = Caller::Person(app.login("EG", Role::Supervisor).await);
    let id = palestine(&app, &supervisor).await;

    // The quality page leads to the calendars; a supervisor reads them, in Arabic too.
    let quality = app.call(&supervisor, Method::GET, "/quality", None).await;
    assert!(
        quality.text().contains(r#"href="/quality/calendars""#),
        "{}",
        quality.text()
    );
    let page = app
        .call(&supervisor, Method::GET, "/quality/calendars?lang=ar", None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(r#"dir="rtl""#));
    assert!(
        html.contains(r#"<tr data-country="PS" data-set="false">"#),
        "{html}"
    );
    assert!(html.contains(r#"data-day="friday">الجمعة"#), "{html}");
    assert!(
        !html.contains(r#"action="/quality/calendars/PS""#),
        "{html}"
    );

    // The administrator makes Sunday 5 April a holiday in Palestine on the page.
    let page = app
        .call(&admin, Method::GET, "/quality/calendars", None)
        .await;
    assert!(
        page.text().contains(r#"action="/quality/calendars/PS""#),
        "{}",
        page.text()
    );
    let saved = app
        .post_form(
            &admin,
            "/quality/calendars/PS",
            "friday=on&saturday=on&holidays=2026-04-05%0D%0A",
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(
        saved.header("location"),
        Some("/quality/calendars?saved=PS")
    );
    let page = app
        .call(&admin, Method::GET, "/quality/calendars?saved=PS", None)
        .await;
    let html = page.text();
    assert!(html.contains(r#"data-saved="PS""#), "{html}");
    assert!(
        html.contains(r#"<tr data-country="PS" data-set="true">"#),
        "{html}"
    );
    assert!(html.contains(r#"<bdi class="holiday" dir="ltr">2026-04-05</bdi>"#));
    let calendars = app
        .call(&supervisor, Method::GET, "/api/v1/calendars", None)
        .await
        .json();
    assert!(
        calendars["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|calendar| {
                calendar["country"] == "PS"
                    && calendar["weekend"] == json!(["friday", "saturday"])
                    && calendar["holidays"] == json!(["2026-04-05"])
            })
    );
    // The item delivered on Monday the 6th took 2 working days, not 3.
    assert_eq!(
        drilled(&app, &supervisor, id, "figure=delivered_on&day=2").await,
        vec![items.met.clone()]
    );

    // A week with no working day, or a date that does not read, is refused on the page with
    // what was typed kept, and changes nothing.
    for (form, field) in [
        (
            "monday=on&tuesday=on&wednesday=on&thursday=on&friday=on&saturday=on&sunday=on&holidays=",
            "weekend",
        ),
        ("friday=on&holidays=2026-02-30", "holidays"),
    ] {
        let refused = app.post_form(&admin, "/quality/calendars/PS", form).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{form}");
        let html = refused.text();
        assert!(
            html.contains(&format!(r#"data-field="{field}" data-code="invalid_body""#)),
            "{html}"
        );
    }
    let refused = app
        .post_form(
            &admin,
            "/quality/calendars/PS",
            "friday=on&holidays=2026-02-30",
        )
        .await;
    assert!(refused.text().contains(">2026-02-30</textarea>"));
    let after = app
        .call(&supervisor, Method::GET, "/api/v1/calendars", None)
        .await
        .json();
    assert!(after["items"].as_array().unwrap().iter().any(|calendar| {
        calendar["country"] == "PS" && calendar["holidays"] == json!(["2026-04-05"])
    }));
}
