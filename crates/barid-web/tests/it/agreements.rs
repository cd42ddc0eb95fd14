//! The agreements API: administrators change an agreement as a new version, supervisors read
//! it and its history, and acceptance follows the change at once (one source of truth).

#![allow(clippy::indexing_slicing)]

use axum::http::{Method, StatusCode};
use barid_core::Role;
use serde_json::{Value, json};

use crate::acceptance::{app, clerk, ems, issues, post};
use crate::support::Caller;

fn with_path(path: &str, body: &Value) -> String {
    format!("{path} {body}")
}

#[tokio::test]
async fn an_agreement_changes_as_a_new_version_and_acceptance_follows_it() {
    let app = app().await;
    let admin = Caller::Person(app.login("EG", Role::Admin).await);
    let supervisor = Caller::Person(app.login("EG", Role::Supervisor).await);
    let clerk = clerk(&app).await;

    let listed = app
        .call(&supervisor, Method::GET, "/api/v1/agreements", None)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    let agreements = listed.json()["items"].as_array().unwrap().clone();
    let mut partners: Vec<&str> = agreements
        .iter()
        .map(|agreement| agreement["partner"].as_str().unwrap())
        .collect();
    partners.sort_unstable();
    assert_eq!(partners, vec!["JO", "LY", "PS"]);
    let palestine = agreements
        .iter()
        .find(|agreement| agreement["partner"] == "PS")
        .unwrap()
        .clone();
    let id = palestine["id"].as_i64().unwrap();
    assert_eq!(palestine["version"], 1);
    assert_eq!(palestine["status"], "active");
    assert_eq!(palestine["terms"]["targets"][0]["days"], 7);
    let path = format!("/api/v1/agreements/{id}");
    let read = app.call(&supervisor, Method::GET, &path, None).await;
    assert_eq!(read.json(), palestine);

    // EMS to Palestine is accepted under version 1.
    let accepted = post(&app, &clerk, "/api/v1/items", &ems(100_000), None).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.text());

    // The joint working team suspends EMS and tightens the EMS target: version 2.
    let mut terms = palestine["terms"].clone();
    terms["suspensions"].as_array_mut().unwrap().push(json!({
        "service": "ems",
        "from": "2026-01-01",
        "reason": {"en": "EMS flights suspended", "ar": "توقف رحلات البريد السريع"}
    }));
    terms["targets"][0]["days"] = json!(6);
    let change = json!({"version": 1, "status": "active", "terms": terms});
    let changed = app
        .call(&admin, Method::PUT, &path, Some(&change.to_string()))
        .await;
    assert_eq!(
        changed.status,
        StatusCode::OK,
        "{}",
        with_path(&path, &changed.json())
    );
    assert_eq!(changed.json()["version"], 2);
    assert_eq!(changed.json()["terms"]["targets"][0]["days"], 6);

    // Acceptance reads the same agreement: EMS to Palestine is refused now, with the reason.
    let refused = post(&app, &clerk, "/api/v1/items", &ems(100_000), None).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        issues(&refused),
        vec![("destination".to_owned(), "suspended".to_owned())],
        "{}",
        refused.text()
    );

    // The history keeps both versions, oldest first.
    let history = app
        .call(&supervisor, Method::GET, &format!("{path}/history"), None)
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.text());
    let versions = history.json()["items"].as_array().unwrap().clone();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(versions[0]["terms"]["targets"][0]["days"], 7);
    assert_eq!(versions[1]["version"], 2);
    assert_eq!(versions[1]["terms"]["targets"][0]["days"], 6);

    // A change made from version 1 again is refused: someone changed it meanwhile.
    let stale = app
        .call(&admin, Method::PUT, &path, Some(&change.to_string()))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
    assert_eq!(stale.error_code().as_deref(), Some("conflict"));

    // Terms that do not hold are refused with every problem and its path; nothing changes.
    let mut wrong = palestine["terms"].clone();
    wrong["targets"][0]["share_percent"] = json!(150);
    wrong["routes"][0]["transit_office"] = json!("XXNOPE");
    let refused = app
        .call(
            &admin,
            Method::PUT,
            &path,
            Some(&json!({"version": 2, "status": "active", "terms": wrong}).to_string()),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert_eq!(refused.error_code().as_deref(), Some("invalid_body"));
    let fields: Vec<String> = refused.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        fields
            .iter()
            .any(|field| field == "terms.targets[0].share_percent"),
        "{fields:?}"
    );
    assert!(
        fields
            .iter()
            .any(|field| field.starts_with("terms.routes[0]")),
        "{fields:?}"
    );
    let unknown_status = app
        .call(
            &admin,
            Method::PUT,
            &path,
            Some(&json!({"version": 2, "status": "paused", "terms": terms}).to_string()),
        )
        .await;
    assert_eq!(unknown_status.status, StatusCode::UNPROCESSABLE_ENTITY);
    let read = app.call(&supervisor, Method::GET, &path, None).await;
    assert_eq!(read.json()["version"], 2);

    // A new agreement, with Iraq, as version 1; the same reference again is a conflict.
    app.store
        .create_operator(
            &barid_store::contract::world::cli("IQ"),
            &barid_store::contract::world::new_operator("IQ", false),
        )
        .await
        .unwrap();
    let iraq = barid_core::Agreement::demo()
        .unwrap()
        .into_iter()
        .find(|agreement| agreement.partner().as_str() == "IQ")
        .unwrap();
    let new = json!({
        "partner": "IQ",
        "reference": iraq.reference(),
        "status": "draft",
        "terms": iraq.terms().to_json_value(),
    });
    let created = app
        .call(
            &admin,
            Method::POST,
            "/api/v1/agreements",
            Some(&new.to_string()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.json()["status"], "draft");
    assert_eq!(created.json()["version"], 1);
    let again = app
        .call(
            &admin,
            Method::POST,
            "/api/v1/agreements",
            Some(&new.to_string()),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());

    // Another post's agreement is not found; a supervisor cannot change one.
    let foreign = app
        .store
        .agreements(barid_store::contract::world::cc("PS"))
        .await
        .unwrap();
    assert!(foreign.is_empty());
    let missing = app
        .call(&supervisor, Method::GET, "/api/v1/agreements/999999", None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let forbidden = app
        .call(&supervisor, Method::PUT, &path, Some(&change.to_string()))
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn supervisors_read_the_agreements_and_their_targets_on_the_pages() {
    let app = app().await;
    let supervisor = Caller::Person(app.login("EG", Role::Supervisor).await);
    let list = app
        .call(&supervisor, Method::GET, "/agreements", None)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let html = list.text();
    assert!(
        html.contains(r#"data-partner="PS" data-status="active""#),
        "{html}"
    );
    assert!(html.contains(r#"data-partner="LY""#), "{html}");
    let id = app
        .store
        .agreements(barid_store::contract::world::cc("EG"))
        .await
        .unwrap();
    let palestine = id
        .iter()
        .find(|agreement| agreement.partner.as_str() == "PS")
        .unwrap();
    let page = app
        .call(
            &supervisor,
            Method::GET,
            &format!("/agreements/{}?lang=ar", palestine.id.0),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    // EMS to Palestine: J+7 for 85 %, the legs 1, 1, 3, 2 and 2 working days.
    assert!(
        html.contains(r#"data-service="ems" data-days="7""#),
        "{html}"
    );
    assert!(html.contains("85.0 %"), "{html}");
    assert!(html.contains("EGCAIA → JOAMMA → PSRMHA"), "{html}");
    assert!(html.contains("أهداف التسليم"), "{html}");
    assert!(html.contains(r#"data-version="1""#), "{html}");
    // Libya's parcel suspension is on Libya's page, with its reason in the page's language.
    let libya = id
        .iter()
        .find(|agreement| agreement.partner.as_str() == "LY")
        .unwrap();
    let page = app
        .call(
            &supervisor,
            Method::GET,
            &format!("/agreements/{}", libya.id.0),
            None,
        )
        .await;
    // The page keeps the language chosen before: the reason is the Arabic one.
    assert!(page.text().contains("منفذ السلوم"), "{}", page.text());
    let missing = app
        .call(&supervisor, Method::GET, "/agreements/999999", None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let clerk = clerk(&app).await;
    let refused = app.call(&clerk, Method::GET, "/agreements", None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn administrators_change_an_agreement_from_its_page_and_a_bad_change_writes_nothing() {
    use crate::support::encode;
    let app = app().await;
    let admin = Caller::Person(app.login("EG", Role::Admin).await);
    let supervisor = Caller::Person(app.login("EG", Role::Supervisor).await);
    let listed = app
        .call(&supervisor, Method::GET, "/api/v1/agreements", None)
        .await
        .json();
    let palestine = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|agreement| agreement["partner"] == "PS")
        .unwrap()
        .clone();
    let id = palestine["id"].as_i64().unwrap();
    let path = format!("/agreements/{id}");

    // Administrators see the form with the terms; supervisors only read.
    let page = app.call(&admin, Method::GET, &path, None).await;
    assert!(page.text().contains(r#"id="agreement-change""#));
    let read_only = app.call(&supervisor, Method::GET, &path, None).await;
    assert!(!read_only.text().contains(r#"id="agreement-change""#));

    // Terms that do not hold: the form again with every problem, the text as typed, and
    // nothing written.
    let mut terms = palestine["terms"].clone();
    terms["targets"][0]["days"] = json!(-3);
    let typed = terms.to_string();
    let body = format!("version=1&status=active&terms={}", encode(&typed));
    let refused = app.post_form(&admin, &path, &body).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    let html = refused.text();
    assert!(html.contains(r#"id="agreement-problems""#), "{html}");
    assert!(html.contains("terms.targets[0].days"), "{html}");
    let not_json = app
        .post_form(&admin, &path, "version=1&status=active&terms=%7B")
        .await;
    assert_eq!(not_json.status, StatusCode::UNPROCESSABLE_ENTITY);
    let after = app
        .call(&supervisor, Method::GET, &format!("/api/v1{path}"), None)
        .await
        .json();
    assert_eq!(after["version"], 1);

    // A good change: the next version, and the page says so.
    terms["targets"][0]["days"] = json!(6);
    let body = format!(
        "version=1&status=active&terms={}",
        encode(&terms.to_string())
    );
    let changed = app.post_form(&admin, &path, &body).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text());
    assert_eq!(
        changed.header("location"),
        Some(format!("/agreements/{id}?done=changed").as_str())
    );
    let after = app
        .call(&supervisor, Method::GET, &format!("/api/v1{path}"), None)
        .await
        .json();
    assert_eq!(after["version"], 2);
    assert_eq!(after["terms"]["targets"][0]["days"], 6);
    // The same form again was made from version 1: someone changed it meanwhile.
    let stale = app.post_form(&admin, &path, &body).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    // Supervisors may not change it.
    let forbidden = app.post_form(&supervisor, &path, &body).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}
