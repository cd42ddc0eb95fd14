//! Counter acceptance through the API: S10 issue, `EMA`, postage, customs form, refusals with
//! field codes, `Idempotency-Key`, bulk all-or-nothing, and the PDFs.

// JSON answers are read with `value["field"]`, which gives `null` rather than panicking.
#![allow(clippy::indexing_slicing)]

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use barid_core::{Agreement, Role, S10Id, S10Range, ServiceIndicator};
use barid_store::contract::world::{T0, cc, cli, site};
use barid_store::model::{AgreementStatus, NewAgreement, NewOperator};
use barid_web::acceptance::{AcceptanceDraft, AcceptanceError, accept};
use serde_json::{Value, json};

use crate::support::{Caller, Reply, TestApp, request};

/// The test app with what acceptance needs: Libya as a partner, Egypt's demo agreements with
/// Palestine, Jordan and Libya, and Egypt's EE, CP and RR ranges.
pub async fn app() -> TestApp {
    let app = TestApp::new().await;
    app.store
        .create_operator(
            &cli("LY"),
            &NewOperator {
                code: cc("LY"),
                name_en: "Libya Post".to_owned(),
                name_ar: "البريد الليبي".to_owned(),
                default_language: barid_store::model::Language::Ar,
                currency: barid_core::Currency::LYD,
                hosted: false,
            },
        )
        .await
        .unwrap();
    for agreement in Agreement::demo().unwrap() {
        if agreement.operator() != cc("EG")
            || !["PS", "JO", "LY"].contains(&agreement.partner().as_str())
        {
            continue;
        }
        app.store
            .create_agreement(
                &cli("EG"),
                &NewAgreement {
                    operator: agreement.operator(),
                    partner: agreement.partner(),
                    reference: agreement.reference().to_owned(),
                    status: AgreementStatus::parse(agreement.status().as_str()).unwrap(),
                    terms: agreement.terms().to_json_value(),
                },
            )
            .await
            .unwrap();
    }
    for indicator in ["EE", "CP", "RR"] {
        app.store
            .create_s10_range(
                &cli("EG"),
                &S10Range::new(
                    ServiceIndicator::parse(indicator).unwrap(),
                    cc("EG"),
                    1,
                    999,
                )
                .unwrap(),
            )
            .await
            .unwrap();
    }
    app
}

fn sender() -> Value {
    json!({
        "name": "أحمد محمود",
        "address_lines": ["12 شارع التحرير"],
        "city": "القاهرة",
        "postcode": "11511",
        "country": "EG",
        "phone": "+20 100 123 4567",
        "latin": {"name": "Ahmed Mahmoud", "address_lines": ["12 Tahrir Street"], "city": "Cairo"}
    })
}

fn addressee(country: &str) -> Value {
    json!({
        "name": "Layla Haddad",
        "address_lines": ["Al-Irsal Street 5"],
        "city": "Ramallah",
        "country": country,
        "phone": "+970 59 123 4567"
    })
}

fn customs(value_minor: i64, grams: i64) -> Value {
    json!({
        "category": "gift",
        "lines": [{
            "description": "Cotton shirts",
            "quantity": 2,
            "net_weight_grams": grams - 100,
            "value": {"amount_minor": value_minor, "currency": "EGP"},
            "hs_code": "6109.10",
            "origin": "EG"
        }],
        "gross_weight_grams": grams
    })
}

/// An EMS item to Palestine of 1 200 g with a gift declared at `value_minor` piastres.
pub(crate) fn ems(value_minor: i64) -> Value {
    json!({
        "service": "ems",
        "destination": "PS",
        "weight_grams": 1200,
        "length_mm": 300, "width_mm": 200, "height_mm": 50,
        "contents": "Cotton shirts",
        "sender": sender(),
        "addressee": addressee("PS"),
        "customs": customs(value_minor, 1200)
    })
}

pub(crate) async fn clerk(app: &TestApp) -> Caller {
    Caller::Person(app.login("EG", Role::Clerk).await)
}

pub(crate) async fn post(
    app: &TestApp,
    caller: &Caller,
    path: &str,
    body: &Value,
    key: Option<&str>,
) -> Reply {
    let mut request = request(caller, Method::POST, path, Some(&body.to_string()));
    if let Some(key) = key {
        request
            .headers_mut()
            .insert("idempotency-key", key.parse().unwrap());
    }
    app.send(request).await
}

/// Serials left in Egypt's ranges and Egypt's audit entries: what acceptance writes.
async fn written(app: &TestApp) -> (Vec<Option<u32>>, usize) {
    let ranges = app.store.s10_ranges(cc("EG")).await.unwrap();
    (
        ranges.iter().map(|range| range.next_serial).collect(),
        app.audit_count("EG").await,
    )
}

pub(crate) fn issues(reply: &Reply) -> Vec<(String, String)> {
    reply.json()["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors list: {}", reply.text()))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["error"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn acceptance_issues_the_s10_records_ema_and_prices_from_the_tariff() {
    let app = app().await;
    let clerk = clerk(&app).await;

    let reply = post(&app, &clerk, "/api/v1/items", &ems(100_000), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let body = reply.json();
    let first = S10Id::new(ServiceIndicator::parse("EE").unwrap(), 1, cc("EG")).unwrap();
    assert_eq!(body["s10"], first.to_string());
    assert_eq!(body["s10_human"], first.human());
    assert_eq!(body["status"], "accepted");
    // EMS, zone 1 (Palestine), step up to 2 000 g: 520.00 EGP.
    assert_eq!(
        body["postage"],
        json!({"amount_minor": 52000, "currency": "EGP"})
    );
    assert_eq!(body["customs_form"], "cn22");
    assert_eq!(
        body["documents"]["label"],
        format!("/api/v1/items/{first}/label.pdf")
    );
    assert_eq!(body["item"]["office"], "EGCAIA");
    assert_eq!(body["item"]["destination_country"], "PS");

    let item = app.store.item(cc("EG"), &first).await.unwrap().unwrap();
    assert_eq!(item.postage.unwrap().amount_minor(), 52_000);
    let events = app.store.item_events(cc("EG"), item.id).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.code.as_str(), "EMA");
    assert_eq!(events[0].event.office, site("EGCAIA"));
    assert_eq!(events[0].event.at, T0);

    // Worth about 460 SDR: a CN 23, and the next serial.
    let reply = post(&app, &clerk, "/api/v1/items", &ems(3_000_000), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    assert_eq!(reply.json()["customs_form"], "cn23");
    assert_eq!(
        reply.json()["s10"],
        S10Id::new(ServiceIndicator::parse("EE").unwrap(), 2, cc("EG"))
            .unwrap()
            .to_string()
    );

    // A parcel numbers from CP.
    let mut parcel = ems(100_000);
    parcel["service"] = json!("parcel");
    let reply = post(&app, &clerk, "/api/v1/items", &parcel, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    assert!(reply.json()["s10"].as_str().unwrap().starts_with("CP"));

    // A merchant token bound to an office accepts there without naming it.
    let (token, secret_hash) = barid_web::new_api_token();
    app.store
        .create_api_token(
            &cli("EG"),
            &barid_store::model::NewApiToken {
                operator: cc("EG"),
                name: "shop".to_owned(),
                secret_hash,
                role: Role::Merchant,
                office: Some(site("EGCAIA")),
                partner: None,
            },
        )
        .await
        .unwrap();
    let reply = post(
        &app,
        &Caller::Token(token),
        "/api/v1/items",
        &ems(100_000),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
}

#[tokio::test]
async fn refusals_name_their_fields_and_write_nothing() {
    let app = app().await;
    let clerk = clerk(&app).await;
    let before = written(&app).await;

    let mut libya = ems(100_000);
    libya["service"] = json!("parcel");
    libya["destination"] = json!("LY");
    libya["addressee"] = addressee("LY");
    let reply = post(&app, &clerk, "/api/v1/items", &libya, None).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_code().as_deref(), Some("acceptance_refused"));
    assert_eq!(
        issues(&reply),
        vec![("destination".to_owned(), "suspended".to_owned())]
    );
    assert!(
        reply.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Salloum")
    );

    let mut heavy = ems(100_000);
    heavy["weight_grams"] = json!(40_000);
    heavy["customs"] = customs(100_000, 40_000);
    let reply = post(&app, &clerk, "/api/v1/items", &heavy, None).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        issues(&reply).contains(&("weight_grams".to_owned(), "too_heavy".to_owned())),
        "{}",
        reply.text()
    );

    let mut undeclared = ems(100_000);
    undeclared["service"] = json!("parcel");
    undeclared["customs"] = Value::Null;
    let reply = post(&app, &clerk, "/api/v1/items", &undeclared, None).await;
    assert_eq!(
        issues(&reply),
        vec![("customs".to_owned(), "required".to_owned())]
    );

    // Every problem at once: a blank sender name, no contents, and a wrong addressee country.
    let mut several = ems(100_000);
    several["sender"]["name"] = json!("");
    several["contents"] = json!(" ");
    several["addressee"]["country"] = json!("JO");
    let reply = post(&app, &clerk, "/api/v1/items", &several, None).await;
    let found = issues(&reply);
    for expected in [
        ("sender.name", "required"),
        ("contents", "required"),
        ("addressee.country", "destination_mismatch"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {found:?}"
        );
    }

    // Another operator's office.
    let mut foreign = ems(100_000);
    foreign["office"] = json!("PSRMHA");
    let reply = post(&app, &clerk, "/api/v1/items", &foreign, None).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        issues(&reply),
        vec![("office".to_owned(), "unknown_office".to_owned())]
    );

    assert_eq!(written(&app).await, before);
}

#[tokio::test]
async fn a_missing_or_used_up_range_is_a_field_error() {
    let app = app().await;
    let clerk = clerk(&app).await;
    let mut tracked = ems(100_000);
    tracked["service"] = json!("tracked");
    tracked["weight_grams"] = json!(1200);
    let reply = post(&app, &clerk, "/api/v1/items", &tracked, None).await;
    assert_eq!(
        issues(&reply),
        vec![("service_indicator".to_owned(), "no_range".to_owned())]
    );
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_response() {
    let app = app().await;
    let clerk = clerk(&app).await;
    let first = post(&app, &clerk, "/api/v1/items", &ems(100_000), Some("k-1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let again = post(&app, &clerk, "/api/v1/items", &ems(100_000), Some("k-1")).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.header("idempotency-replayed"), Some("true"));
    assert_eq!(again.json()["s10"], first.json()["s10"]);
    assert_eq!(again.json(), first.json());

    let different = post(&app, &clerk, "/api/v1/items", &ems(200_000), Some("k-1")).await;
    assert_eq!(different.status, StatusCode::CONFLICT);
    assert_eq!(
        different.error_code().as_deref(),
        Some("idempotency_key_reused")
    );

    // A refusal is replayed too; a bad key is refused before anything runs.
    let mut heavy = ems(100_000);
    heavy["weight_grams"] = json!(40_000);
    let refused = post(&app, &clerk, "/api/v1/items", &heavy, Some("k-2")).await;
    let replayed = post(&app, &clerk, "/api/v1/items", &heavy, Some("k-2")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(replayed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(replayed.json(), refused.json());
    let bad = post(&app, &clerk, "/api/v1/items", &ems(1), Some("has space")).await;
    assert_eq!(bad.error_code().as_deref(), Some("invalid_idempotency_key"));

    // One serial was used in all.
    let ee = app.store.s10_ranges(cc("EG")).await.unwrap()[0].next_serial;
    assert_eq!(ee, Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_with_one_key_create_one_item() {
    let app = Arc::new(app().await);
    let clerk = clerk(&app).await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let app = Arc::clone(&app);
        let clerk = clerk.clone();
        tasks.push(tokio::spawn(async move {
            post(&app, &clerk, "/api/v1/items", &ems(100_000), Some("same")).await
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        let reply = task.await.unwrap();
        match reply.status {
            StatusCode::CREATED => ids.push(reply.json()["s10"].as_str().unwrap().to_owned()),
            StatusCode::CONFLICT => assert_eq!(
                reply.error_code().as_deref(),
                Some("idempotency_key_in_progress")
            ),
            other => panic!("unexpected {other}: {}", reply.text()),
        }
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let ee = app.store.s10_ranges(cc("EG")).await.unwrap()[0].next_serial;
    assert_eq!(ee, Some(2));
}

#[tokio::test]
async fn bulk_acceptance_is_all_or_nothing() {
    let app = app().await;
    let clerk = clerk(&app).await;
    let before = written(&app).await;
    let mut bad = ems(100_000);
    bad["weight_grams"] = json!(0);
    let batch = json!({"items": [ems(100_000), bad, ems(3_000_000)]});
    let reply = post(&app, &clerk, "/api/v1/items/bulk", &batch, None).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    let errors = reply.json()["errors"].as_array().unwrap().clone();
    assert!(!errors.is_empty());
    for error in &errors {
        assert_eq!(error["index"], 1, "{error}");
    }
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == "weight_grams" && e["error"] == "not_positive"),
        "{errors:?}"
    );
    assert_eq!(written(&app).await, before);

    let batch = json!({"items": [ems(100_000), ems(3_000_000)]});
    let reply = post(&app, &clerk, "/api/v1/items/bulk", &batch, Some("bulk-1")).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let items = reply.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_ne!(items[0]["s10"], items[1]["s10"]);
    assert_eq!(items[1]["customs_form"], "cn23");

    let too_many = json!({"items": vec![ems(1); 501]});
    let reply = post(&app, &clerk, "/api/v1/items/bulk", &too_many, None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_code().as_deref(), Some("too_many_items"));
}

pub(crate) fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed");
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn documents_are_pdfs_of_the_item() {
    let app = app().await;
    let clerk = clerk(&app).await;
    let reply = post(&app, &clerk, "/api/v1/items", &ems(3_000_000), None).await;
    let s10: S10Id = S10Id::parse(reply.json()["s10"].as_str().unwrap()).unwrap();
    let supervisor = Caller::Person(app.login("EG", Role::Supervisor).await);
    for (document, caller) in [
        ("label", &clerk),
        ("customs", &clerk),
        ("receipt", &supervisor),
    ] {
        let path = format!("/api/v1/items/{s10}/{document}.pdf");
        let reply = app.call(caller, Method::GET, &path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
        assert_eq!(reply.header("content-type"), Some("application/pdf"));
        assert!(
            reply
                .header("content-disposition")
                .unwrap()
                .starts_with("inline"),
            "{path}"
        );
        assert!(reply.body.starts_with(b"%PDF"), "{path}");
        if document == "label" {
            let text = pdftotext(&reply.body);
            assert!(text.contains(&s10.human()), "{text}");
        }
    }

    // A documents-only registered letter has no customs declaration.
    let mut letter = ems(1);
    letter["service"] = json!("registered");
    letter["weight_grams"] = json!(80);
    letter["customs"] = Value::Null;
    let reply = post(&app, &clerk, "/api/v1/items", &letter, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    assert_eq!(reply.json()["customs_form"], Value::Null);
    assert_eq!(reply.json()["documents"]["customs"], Value::Null);
    let path = format!(
        "/api/v1/items/{}/customs.pdf",
        reply.json()["s10"].as_str().unwrap()
    );
    let reply = app.call(&clerk, Method::GET, &path, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn accept_can_be_called_without_the_web_layer() {
    let app = app().await;
    let actor = barid_store::contract::world::clerk(
        "EG",
        app.store
            .user(
                cc("EG"),
                &barid_store::model::Username::parse("eg-clerk").unwrap(),
            )
            .await
            .unwrap()
            .unwrap()
            .id,
        "EGCAIA",
    );
    let draft: AcceptanceDraft = serde_json::from_value(ems(100_000)).unwrap();
    let accepted = accept(
        app.store.as_ref(),
        app.state.reference(),
        &actor,
        &site("EGCAIA"),
        draft.clone(),
    )
    .await
    .unwrap();
    assert_eq!(accepted.item.s10.service_indicator().as_str(), "EE");
    assert_eq!(accepted.event.event.at, actor.at);

    let mut heavy = draft;
    heavy.weight_grams = 40_000;
    match accept(
        app.store.as_ref(),
        app.state.reference(),
        &actor,
        &site("EGCAIA"),
        heavy,
    )
    .await
    {
        Err(AcceptanceError::Refused(issues)) => {
            assert!(issues.iter().any(|issue| issue.code == "too_heavy"))
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
