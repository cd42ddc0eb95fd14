//! The whole journey on one node hosting the three posts: 200 registered letters from Egypt
//! through Jordan (closed transit at JOAMMA) to Palestine, and one of them back to its sender.
//! Every step goes through the JSON API as the post's people would do it (the office of
//! exchange at EGCAIA, JOAMMA and PSRMHA, customs at PSRMHA, the delivery offices), and the
//! messages between the posts move as the server moves them every second: the in-node
//! dispatcher (outbox to inbox) and the inbox application, between the steps.
//!
//! On the way: a receptacle short by one item, a receptacle nobody advised, a customs hold and
//! its release, a failed delivery attempt then a delivery, and a return to sender that travels
//! back through the same machinery. At the end, Egypt's copy of every item tells its whole
//! story, Palestine's verification note (CN 43) lists exactly what went wrong, and Egypt's
//! receptacle labels (CN 35) scan as their S9 IDs.

#![allow(clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use axum::http::{Method, StatusCode};
use barid_core::{CountryCode, ReceptacleId, ReceptacleSerial, ReceptacleWeight, Role, S10Id};
use barid_store::contract::world::{self, cc};
use barid_store::model::ItemIdSource;
use barid_web::clock::Clock;
use serde_json::{Value, json};

use crate::support::{Caller, Reply, TestApp};

const ITEMS: u32 = 200;
const PER_RECEPTACLE: u32 = 50;
/// The item advised in the last receptacle that Palestine does not find in it.
const MISSING: u32 = 200;
/// Held by Palestinian customs, then released and delivered.
const CUSTOMS: u32 = 17;
/// Delivered at the second attempt.
const FAILED_ONCE: u32 = 42;
/// Refused by its addressee and returned to its sender in Egypt.
const RETURNED: u32 = 123;

fn s10(serial: u32) -> S10Id {
    world::s10(serial)
}

async fn call(app: &TestApp, caller: &Caller, path: &str, body: Value) -> Reply {
    app.call(caller, Method::POST, path, Some(&body.to_string()))
        .await
}

/// A step that must succeed; its JSON answer.
#[track_caller]
fn accepted(reply: &Reply, what: &str) -> Value {
    assert!(
        reply.status == StatusCode::OK || reply.status == StatusCode::CREATED,
        "{what}: {} {}",
        reply.status,
        reply.text()
    );
    reply.json()
}

async fn ok(app: &TestApp, caller: &Caller, path: &str, body: Value) -> Value {
    let what = format!("POST {path} {body}");
    let reply = call(app, caller, path, body).await;
    accepted(&reply, &what)
}

/// The event codes of `operator`'s copy of the item, in the order recorded, with who reported
/// each (`None` for the copy's own post).
async fn history(
    app: &TestApp,
    operator: &str,
    serial: u32,
) -> (String, Vec<(String, Option<CountryCode>)>) {
    let item = app
        .store
        .item(cc(operator), &s10(serial))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{operator} has no copy of {}", s10(serial)));
    let events = app.store.item_events(cc(operator), item.id).await.unwrap();
    let mut last = None;
    for event in &events {
        if let Some(last) = last {
            assert!(
                event.event.at >= last,
                "{}: {} at {} is before the event before it",
                item.s10,
                event.event.code.as_str(),
                event.event.at
            );
        }
        last = Some(event.event.at);
    }
    (
        item.status.as_str().to_owned(),
        events
            .iter()
            .map(|event| {
                (
                    event.event.code.as_str().to_owned(),
                    event.event.reported_by,
                )
            })
            .collect(),
    )
}

/// Where Egypt's copy of the item says its transit events (EMJ, EMK) happened.
async fn transit_offices(app: &TestApp, serial: u32) -> Vec<String> {
    let item = app
        .store
        .item(cc("EG"), &s10(serial))
        .await
        .unwrap()
        .unwrap();
    app.store
        .item_events(cc("EG"), item.id)
        .await
        .unwrap()
        .iter()
        .filter(|event| ["EMJ", "EMK"].contains(&event.event.code.as_str()))
        .map(|event| event.event.office.to_string())
        .collect()
}

fn codes(events: &[(String, Option<CountryCode>)]) -> Vec<&str> {
    events.iter().map(|(code, _)| code.as_str()).collect()
}

/// Renders every page of `pdf` at 300 dpi and reads its barcodes with zbarimg, page by page.
fn scan_pages(pdf: &[u8], name: &str) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let prefix = dir.path().join(name);
    let rendered = Command::new("pdftoppm")
        .args(["-r", "300", "-png"])
        .arg(&path)
        .arg(&prefix)
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run pdftoppm ({error}): apt-get install -y poppler-utils")
        });
    assert!(
        rendered.status.success(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    // pdftoppm names pages NAME-1.png... (zero-padded to the page count's width).
    let mut pages: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "png"))
        .collect();
    pages.sort();
    pages.iter().map(|page| zbarimg(page)).collect()
}

/// The text of a PDF, with pdftotext.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run pdftotext ({error}): apt-get install -y poppler-utils")
        });
    assert!(
        output.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn zbarimg(image: &Path) -> Vec<String> {
    let output = Command::new("zbarimg")
        .arg("-q")
        .arg(image)
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run zbarimg ({error}): apt-get install -y zbar-tools")
        });
    // zbarimg exits 4 when it finds nothing: that is an answer, not a failure.
    assert!(
        output.status.success() || output.status.code() == Some(4),
        "zbarimg: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Palestine's people at PSRMHA and at its delivery office.
struct Palestine {
    oe: Caller,
    customs: Caller,
    delivery: Caller,
}

/// A delivery-office step (`/api/v1/delivery/events`).
async fn deliver_step(app: &TestApp, caller: &Caller, serial: u32, step: &str, extra: Value) {
    let mut body = json!({"s10": s10(serial).to_string(), "step": step});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    ok(app, caller, "/api/v1/delivery/events", body).await;
}

#[tokio::test]
async fn two_hundred_items_from_egypt_through_jordan_to_palestine_and_one_back() {
    let app = TestApp::with_three_posts().await;
    app.demo_agreements().await;
    let eg_oe = app.token_at("EG", Role::OeOperator, "EGCAIA").await;
    let eg_delivery = app.token_at("EG", Role::Delivery, "EG-GIZA-1").await;
    let jo_oe = app.token_at("JO", Role::OeOperator, "JOAMMA").await;
    let ps = Palestine {
        oe: app.token_at("PS", Role::OeOperator, "PSRMHA").await,
        customs: app.token_at("PS", Role::Customs, "PSRMHA").await,
        delivery: app.token_at("PS", Role::Delivery, "PS-RAMALLAH-1").await,
    };

    // Accepted at the Cairo counter (EMA at T0): 200 registered letters with a CN 22.
    for serial in 1..=ITEMS {
        world::accept(&app.store, ItemIdSource::Given(s10(serial)), &[])
            .await
            .unwrap();
    }

    // --- Egypt, outward office of exchange EGCAIA ---------------------------------------------
    app.later(60);
    for serial in 1..=ITEMS {
        let scan = ok(
            &app,
            &eg_oe,
            "/api/v1/exchange/arrivals",
            json!({"s10": s10(serial).to_string()}),
        )
        .await;
        assert_eq!(scan["event"], "EMB");
    }
    app.later(30);
    let series = json!({"destination": "PSRMHA", "category": "A", "subclass": "UR"});
    for bag in 0..ITEMS / PER_RECEPTACLE {
        let opened = ok(&app, &eg_oe, "/api/v1/exchange/receptacles", series.clone()).await;
        let id = opened["id"].as_i64().unwrap();
        for serial in bag * PER_RECEPTACLE + 1..=(bag + 1) * PER_RECEPTACLE {
            ok(
                &app,
                &eg_oe,
                &format!("/api/v1/exchange/receptacles/{id}/items"),
                json!({"s10": s10(serial).to_string()}),
            )
            .await;
        }
        // 50 letters of 1 kg and the bag.
        let closed = ok(
            &app,
            &eg_oe,
            &format!("/api/v1/exchange/receptacles/{id}/close"),
            json!({"gross_weight_grams": 50_800}),
        )
        .await;
        assert_eq!(closed["status"], "closed");
    }
    app.later(30);
    let dispatch = ok(&app, &eg_oe, "/api/v1/exchange/dispatches", series.clone()).await;
    let s8 = dispatch["s8"].as_str().unwrap().to_owned();
    assert_eq!(s8, "EGCAIAPSRMHAAUR60001");
    assert_eq!(dispatch["transit_office"], "JOAMMA");
    assert_eq!(dispatch["item_count"], ITEMS);
    let s9s: Vec<String> = dispatch["receptacles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|receptacle| receptacle["s9"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        s9s,
        vec![
            "EGCAIAPSRMHAAUR60001001010508",
            "EGCAIAPSRMHAAUR60001002010508",
            "EGCAIAPSRMHAAUR60001003010508",
            "EGCAIAPSRMHAAUR60001004110508",
        ]
    );
    // The receptacles' S9 IDs as advised, with the items advised in each.
    let advised: BTreeMap<String, Vec<String>> = dispatch["receptacles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|receptacle| {
            (
                receptacle["s9"].as_str().unwrap().to_owned(),
                receptacle["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|item| item["s10"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect();

    // The CN 35 labels scan as their S9 IDs, with the real decoder.
    let labels = app
        .call(
            &eg_oe,
            Method::GET,
            &format!("/api/v1/exchange/dispatches/{s8}/cn35.pdf"),
            None,
        )
        .await;
    assert_eq!(labels.status, StatusCode::OK, "{}", labels.text());
    assert_eq!(labels.header("content-type"), Some("application/pdf"));
    let scanned = scan_pages(&labels.body, "cn35");
    assert_eq!(
        scanned,
        s9s.iter()
            .map(|s9| vec![format!("CODE-128:{s9}")])
            .collect::<Vec<_>>()
    );

    // PREDES to Jordan and Palestine, ITMATT to Palestine, then the EMSEVT of Egypt's events
    // on the items so far.
    assert_eq!(app.pump().await, 4);
    let jo_expected = app
        .store
        .expected_dispatch(cc("JO"), &barid_core::DispatchId::parse(&s8).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(jo_expected.direction.as_str(), "transit");
    assert_eq!(jo_expected.office.as_str(), "JOAMMA");

    // --- Jordan, closed transit at JOAMMA ------------------------------------------------------
    app.later(240);
    for s9 in &s9s {
        let received = ok(
            &app,
            &jo_oe,
            "/api/v1/exchange/receptacle-arrivals",
            json!({"s9": s9, "measured_weight_grams": 50_800}),
        )
        .await;
        assert_eq!(received["status"], "received");
    }
    // A closed transit receptacle is not opened.
    let jo_receptacle = app
        .store
        .expected_dispatch(cc("JO"), &barid_core::DispatchId::parse(&s8).unwrap())
        .await
        .unwrap()
        .unwrap()
        .receptacles[0]
        .id
        .0;
    let opened = call(
        &app,
        &jo_oe,
        &format!("/api/v1/exchange/receptacles/{jo_receptacle}/found-items"),
        json!({"s10": s10(1).to_string()}),
    )
    .await;
    assert_eq!(opened.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.pump().await;
    app.later(120);
    let forwarded = ok(
        &app,
        &jo_oe,
        &format!("/api/v1/exchange/dispatches/{s8}/forward"),
        json!({}),
    )
    .await;
    assert_eq!(forwarded["status"], "forwarded");
    app.pump().await;

    // --- Palestine, inward office of exchange PSRMHA ------------------------------------------
    app.later(300);
    let mut ps_receptacles = Vec::new();
    let mut ps_dispatch_id = None;
    for s9 in &s9s {
        let received = ok(
            &app,
            &ps.oe,
            "/api/v1/exchange/receptacle-arrivals",
            json!({"s9": s9, "measured_weight_grams": 50_800}),
        )
        .await;
        ps_dispatch_id = received["dispatch_id"].as_i64();
        // The receptacle names its dispatch by the S8 the routes take.
        assert_eq!(received["dispatch_s8"], s8.as_str(), "{received}");
        ps_receptacles.push((s9.clone(), received["id"].as_i64().unwrap()));
    }
    let ps_dispatch_id = ps_dispatch_id.unwrap();
    // A receptacle of the same dispatch that the pre-advice did not list.
    let extra = ReceptacleId {
        dispatch: barid_core::DispatchId::parse(&s8).unwrap(),
        serial: ReceptacleSerial::new(5).unwrap(),
        highest: true,
        registered: false,
        weight: ReceptacleWeight::from_grams(2_000).unwrap(),
    };
    let received = ok(
        &app,
        &ps.oe,
        "/api/v1/exchange/receptacle-arrivals",
        json!({"s9": extra.to_string(), "measured_weight_grams": 2_000}),
    )
    .await;
    assert_eq!(received["dispatch_id"].as_i64(), Some(ps_dispatch_id));
    app.pump().await;

    // Opening: every advised item is found, except one.
    app.later(60);
    for (s9, id) in &ps_receptacles {
        for item in &advised[s9] {
            if *item == s10(MISSING).to_string() {
                continue;
            }
            ok(
                &app,
                &ps.oe,
                &format!("/api/v1/exchange/receptacles/{id}/found-items"),
                json!({ "s10": item }),
            )
            .await;
        }
    }
    app.pump().await;
    app.later(30);
    let verification = ok(
        &app,
        &ps.oe,
        &format!("/api/v1/exchange/dispatches/{s8}/verify"),
        json!({}),
    )
    .await;
    assert_eq!(verification["dispatch"]["status"], "verified");
    let discrepancies = verification["discrepancies"].as_array().unwrap().clone();
    let listed: BTreeSet<(String, String, String)> = discrepancies
        .iter()
        .map(|discrepancy| {
            (
                discrepancy["code"].as_str().unwrap().to_owned(),
                discrepancy["receptacle"].as_str().unwrap().to_owned(),
                discrepancy["item"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(discrepancies.len(), 2, "{discrepancies:?}");
    assert_eq!(
        listed,
        BTreeSet::from([
            (
                "missing_item".to_owned(),
                s9s[3].clone(),
                s10(MISSING).to_string()
            ),
            (
                "extra_receptacle".to_owned(),
                extra.to_string(),
                String::new()
            ),
        ])
    );
    let cn43 = app
        .call(
            &ps.oe,
            Method::GET,
            &format!("/api/v1/exchange/dispatches/{s8}/cn43.pdf"),
            None,
        )
        .await;
    assert_eq!(cn43.status, StatusCode::OK, "{}", cn43.text());
    assert_eq!(cn43.header("content-type"), Some("application/pdf"));
    assert!(cn43.body.starts_with(b"%PDF-"));
    // It lists the two irregularities, naming the missing item (its S10 ID is printed in the
    // spaced form, so spaces are ignored here).
    let note: String = pdf_text(&cn43.body)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(note.contains(&s10(MISSING).to_string()), "{note}");
    assert_eq!(note.matches("Missingitem").count(), 1, "{note}");
    assert_eq!(note.matches("Extrareceptacle").count(), 1, "{note}");
    assert!(note.contains("Numberofirregularities"), "{note}");

    // The RESDES reaches Egypt's inbox.
    let delivered = barid_web::dispatcher::deliver_hosted(app.store.as_ref(), app.clock.now())
        .await
        .unwrap();
    assert!(delivered >= 1);
    let inbox = app
        .store
        .pending_inbox(cc("EG"), cc("PS"), 100)
        .await
        .unwrap();
    let resdes: Vec<_> = inbox
        .iter()
        .filter(|message| message.message.message_type == "RESDES")
        .collect();
    assert_eq!(resdes.len(), 1);
    assert!(resdes[0].message.body.contains(&s8));
    app.apply_inboxes().await;

    // It closes the loop on Egypt's outward dispatch: what arrived, and the two discrepancies.
    let outward = app
        .call(
            &eg_oe,
            Method::GET,
            &format!("/api/v1/exchange/dispatches/{s8}"),
            None,
        )
        .await
        .json();
    let response = &outward["partner_response"];
    assert_eq!(response["office"], "PSRMHA", "{outward}");
    assert_eq!(response["receptacles"].as_array().unwrap().len(), 5);
    assert_eq!(
        response["receptacles"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|receptacle| receptacle["condition"] == "sound")
            .count(),
        5
    );
    let reported: BTreeSet<String> = response["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|discrepancy| discrepancy["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        reported,
        BTreeSet::from(["missing_item".to_owned(), "extra_receptacle".to_owned()])
    );
    let page = app
        .call(
            &eg_oe,
            Method::GET,
            &format!("/exchange/dispatches/{s8}"),
            None,
        )
        .await;
    let html = page.text();
    assert!(html.contains(r#"id="partner-response""#), "{html}");
    assert!(html.contains(r#"data-discrepancies="2""#), "{html}");
    assert!(html.contains(r#"id="response-discrepancies""#), "{html}");
    assert!(
        html.contains(&format!(r#"data-s10="{}""#, s10(MISSING))),
        "{html}"
    );

    // Import customs holds one item, then releases it.
    app.later(30);
    let customs_step = |step: &str, extra: Value| {
        let mut body = json!({"s10": s10(CUSTOMS).to_string(), "step": step});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        body
    };
    ok(
        &app,
        &ps.customs,
        "/api/v1/exchange/import-customs",
        customs_step("present", json!({})),
    )
    .await;
    app.later(10);
    let no_reason = call(
        &app,
        &ps.customs,
        "/api/v1/exchange/import-customs",
        customs_step("hold", json!({})),
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let held = ok(
        &app,
        &ps.customs,
        "/api/v1/exchange/import-customs",
        customs_step("hold", json!({"reason": "10", "note": "invoice requested"})),
    )
    .await;
    assert_eq!(held["status"], "held_by_import_customs");
    app.pump().await;
    // A held item does not leave the office of exchange.
    app.later(10);
    let blocked = call(
        &app,
        &ps.oe,
        "/api/v1/exchange/forwarding",
        json!({"s10": s10(CUSTOMS).to_string(), "step": "forward"}),
    )
    .await;
    assert_eq!(blocked.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.later(24 * 60);
    let released = ok(
        &app,
        &ps.customs,
        "/api/v1/exchange/import-customs",
        customs_step("release", json!({})),
    )
    .await;
    assert_eq!(released["status"], "released_by_import_customs");
    app.pump().await;

    // Every item found leaves PSRMHA for the delivery office, and arrives there.
    let found: Vec<u32> = (1..=ITEMS).filter(|serial| *serial != MISSING).collect();
    app.later(60);
    for serial in &found {
        ok(
            &app,
            &ps.oe,
            "/api/v1/exchange/forwarding",
            json!({"s10": s10(*serial).to_string(), "step": "forward"}),
        )
        .await;
    }
    app.pump().await;
    app.later(180);
    for serial in &found {
        deliver_step(&app, &ps.delivery, *serial, "arrival", json!({})).await;
    }
    app.pump().await;

    // Out for delivery: one attempt fails (addressee absent), one item is refused and goes back.
    app.later(60);
    for serial in [CUSTOMS, FAILED_ONCE, RETURNED] {
        deliver_step(&app, &ps.delivery, serial, "out_for_delivery", json!({})).await;
    }
    app.later(120);
    deliver_step(
        &app,
        &ps.delivery,
        FAILED_ONCE,
        "attempt",
        json!({"reason": "03", "next_action": "redeliver"}),
    )
    .await;
    deliver_step(
        &app,
        &ps.delivery,
        RETURNED,
        "attempt",
        json!({"reason": "04", "next_action": "return_to_sender", "note": "refused at the door"}),
    )
    .await;
    for serial in found
        .iter()
        .filter(|serial| ![FAILED_ONCE, RETURNED].contains(serial))
    {
        deliver_step(
            &app,
            &ps.delivery,
            *serial,
            "delivered",
            json!({"signatory": "Layla Haddad"}),
        )
        .await;
    }
    app.pump().await;
    app.later(24 * 60);
    deliver_step(
        &app,
        &ps.delivery,
        FAILED_ONCE,
        "out_for_delivery",
        json!({}),
    )
    .await;
    app.later(60);
    deliver_step(
        &app,
        &ps.delivery,
        FAILED_ONCE,
        "delivered",
        json!({"signatory": "أحمد خليل"}),
    )
    .await;
    app.pump().await;

    // --- The return: Palestine sends the refused item back to Egypt ---------------------------
    app.later(24 * 60);
    let arrival = ok(
        &app,
        &ps.oe,
        "/api/v1/exchange/arrivals",
        json!({"s10": s10(RETURNED).to_string()}),
    )
    .await;
    assert_eq!(arrival["event"], "EMB");
    assert_eq!(arrival["repeated"], false);
    let back_series = json!({"destination": "EGCAIA", "category": "A", "subclass": "UR"});
    let opened = ok(
        &app,
        &ps.oe,
        "/api/v1/exchange/receptacles",
        back_series.clone(),
    )
    .await;
    let back_receptacle = opened["id"].as_i64().unwrap();
    ok(
        &app,
        &ps.oe,
        &format!("/api/v1/exchange/receptacles/{back_receptacle}/items"),
        json!({"s10": s10(RETURNED).to_string()}),
    )
    .await;
    ok(
        &app,
        &ps.oe,
        &format!("/api/v1/exchange/receptacles/{back_receptacle}/close"),
        json!({"gross_weight_grams": 1_300}),
    )
    .await;
    app.later(30);
    let back = ok(&app, &ps.oe, "/api/v1/exchange/dispatches", back_series).await;
    let back_s8 = back["s8"].as_str().unwrap().to_owned();
    assert_eq!(back_s8, "PSRMHAEGCAIAAUR60001");
    assert_eq!(back["transit_office"], "JOAMMA");
    let back_s9 = back["receptacles"][0]["s9"].as_str().unwrap().to_owned();
    assert_eq!(back_s9, "PSRMHAEGCAIAAUR60001001110013");
    app.pump().await;

    // Through Jordan again, closed.
    app.later(240);
    let received = ok(
        &app,
        &jo_oe,
        "/api/v1/exchange/receptacle-arrivals",
        json!({"s9": back_s9}),
    )
    .await;
    assert_eq!(received["status"], "received");
    app.pump().await;
    app.later(60);
    ok(
        &app,
        &jo_oe,
        &format!("/api/v1/exchange/dispatches/{back_s8}/forward"),
        json!({}),
    )
    .await;
    app.pump().await;

    // Egypt receives it at EGCAIA, opens it, verifies it and hands the item back to its sender.
    app.later(300);
    let received = ok(
        &app,
        &eg_oe,
        "/api/v1/exchange/receptacle-arrivals",
        json!({"s9": back_s9, "measured_weight_grams": 1_300}),
    )
    .await;
    let eg_back_receptacle = received["id"].as_i64().unwrap();
    app.later(10);
    let opened = ok(
        &app,
        &eg_oe,
        &format!("/api/v1/exchange/receptacles/{eg_back_receptacle}/found-items"),
        json!({"s10": s10(RETURNED).to_string()}),
    )
    .await;
    assert_eq!(opened["items"][0]["status"], "at_inward_office");
    app.later(10);
    let verified = ok(
        &app,
        &eg_oe,
        &format!("/api/v1/exchange/dispatches/{back_s8}/verify"),
        json!({}),
    )
    .await;
    assert_eq!(verified["discrepancies"], json!([]));
    app.later(30);
    ok(
        &app,
        &eg_oe,
        "/api/v1/exchange/forwarding",
        json!({"s10": s10(RETURNED).to_string(), "step": "forward"}),
    )
    .await;
    app.later(120);
    deliver_step(&app, &eg_delivery, RETURNED, "arrival", json!({})).await;
    app.later(60);
    deliver_step(
        &app,
        &eg_delivery,
        RETURNED,
        "delivered",
        json!({"signatory": "فاطمة الزهراء محمود"}),
    )
    .await;
    // Egypt's RESDES for the returned dispatch reaches Palestine.
    barid_web::dispatcher::deliver_hosted(app.store.as_ref(), app.clock.now())
        .await
        .unwrap();
    let ps_inbox = app
        .store
        .pending_inbox(cc("PS"), cc("EG"), 100)
        .await
        .unwrap();
    let resdes: Vec<_> = ps_inbox
        .iter()
        .filter(|message| message.message.message_type == "RESDES")
        .collect();
    assert_eq!(resdes.len(), 1);
    assert!(resdes[0].message.body.contains(&back_s8));
    app.apply_inboxes().await;

    // --- What Egypt's copy of every item says --------------------------------------------------
    let jo = Some(cc("JO"));
    let ps_code = Some(cc("PS"));
    for serial in 1..=ITEMS {
        let (status, events) = history(&app, "EG", serial).await;
        let expected_codes: Vec<&str> = match serial {
            MISSING => vec!["EMA", "EMB", "EMC", "EMJ", "EMK"],
            CUSTOMS => vec![
                "EMA", "EMB", "EMC", "EMJ", "EMK", "EMD", "EDB", "EME", "EDC", "EMF", "EMG", "EDG",
                "EMI",
            ],
            FAILED_ONCE => vec![
                "EMA", "EMB", "EMC", "EMJ", "EMK", "EMD", "EMF", "EMG", "EDG", "EMH", "EDG", "EMI",
            ],
            // Both legs, with Jordan's transit on the way back too: a transit office reports to
            // each item's origin post as well as to the dispatch's.
            RETURNED => vec![
                "EMA", "EMB", "EMC", "EMJ", "EMK", "EMD", "EMF", "EMG", "EDG", "EMH", "EMB", "EMC",
                "EMJ", "EMK", "EMD", "EMF", "EMG", "EMI",
            ],
            _ => vec![
                "EMA", "EMB", "EMC", "EMJ", "EMK", "EMD", "EMF", "EMG", "EMI",
            ],
        };
        assert_eq!(codes(&events), expected_codes, "{}", s10(serial));
        let expected_status = match serial {
            MISSING => "departed_transit_office",
            RETURNED => "returned_to_sender",
            _ => "delivered",
        };
        assert_eq!(status, expected_status, "{}", s10(serial));
        // EMA, EMB, EMC are Egypt's own; JO reported the transit; PS reported the rest of the
        // outbound leg (and the start of the return).
        assert_eq!(events[0].1, None);
        assert_eq!(events[1].1, None);
        assert_eq!(events[2].1, None);
        assert_eq!(events[3], ("EMJ".to_owned(), jo), "{}", s10(serial));
        let transit_scans = if serial == RETURNED { 4 } else { 2 };
        assert_eq!(
            transit_offices(&app, serial).await,
            vec!["JOAMMA"; transit_scans]
        );
        assert_eq!(events[4], ("EMK".to_owned(), jo), "{}", s10(serial));
        let outbound_end = match serial {
            RETURNED => 12,
            _ => events.len(),
        };
        for (code, reporter) in &events[5..outbound_end] {
            assert_eq!(reporter, &ps_code, "{} {code}", s10(serial));
        }
        if serial == RETURNED {
            assert_eq!(events[12], ("EMJ".to_owned(), jo), "{}", s10(serial));
            assert_eq!(events[13], ("EMK".to_owned(), jo), "{}", s10(serial));
            for (code, reporter) in &events[14..] {
                assert_eq!(reporter, &None, "{} {code}", s10(serial));
            }
        }
    }
    // The delivery details travelled with the events.
    let item = app
        .store
        .item(cc("EG"), &s10(FAILED_ONCE))
        .await
        .unwrap()
        .unwrap();
    let events = app.store.item_events(cc("EG"), item.id).await.unwrap();
    let attempt = events
        .iter()
        .find(|event| event.event.code.as_str() == "EMH")
        .unwrap();
    assert_eq!(
        attempt.event.reason.as_ref().map(|reason| reason.as_str()),
        Some("03")
    );
    assert_eq!(
        attempt.event.next_action.map(|action| action.as_str()),
        Some("redeliver")
    );
    assert_eq!(attempt.event.office.as_str(), "PS-RAMALLAH-1");
    let delivery = events.last().unwrap();
    assert_eq!(delivery.event.signatory.as_deref(), Some("أحمد خليل"));
    let item = app
        .store
        .item(cc("EG"), &s10(CUSTOMS))
        .await
        .unwrap()
        .unwrap();
    let events = app.store.item_events(cc("EG"), item.id).await.unwrap();
    let hold = events
        .iter()
        .find(|event| event.event.code.as_str() == "EME")
        .unwrap();
    assert_eq!(
        hold.event.reason.as_ref().map(|reason| reason.as_str()),
        Some("10")
    );
    let item = app
        .store
        .item(cc("EG"), &s10(RETURNED))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.leg.as_str(), "return");
    let events = app.store.item_events(cc("EG"), item.id).await.unwrap();
    let refusal = events
        .iter()
        .find(|event| event.event.code.as_str() == "EMH")
        .unwrap();
    assert_eq!(
        refusal.event.next_action.map(|action| action.as_str()),
        Some("return_to_sender")
    );
    assert_eq!(
        events.last().unwrap().event.office.as_str(),
        "EG-GIZA-1",
        "handed back at Giza"
    );

    // Palestine's copies: the missing item was never seen there, but Palestine heard of its
    // departure from Cairo (from Egypt, with the dispatch) and of Jordan's transit scans
    // (passed on by Egypt, which Jordan reports to); the returned one left.
    let (status, events) = history(&app, "PS", MISSING).await;
    assert_eq!(
        (status.as_str(), codes(&events)),
        (
            "departed_transit_office",
            vec!["EMA", "EMB", "EMC", "EMJ", "EMK"]
        )
    );
    let (status, events) = history(&app, "PS", RETURNED).await;
    assert_eq!(status, "departed_transit_office");
    assert_eq!(
        codes(&events),
        vec![
            "EMA", "EMB", "EMC", "EMJ", "EMK", "EMD", "EMF", "EMG", "EDG", "EMH", "EMB", "EMC",
            "EMJ", "EMK"
        ]
    );

    // Every message was delivered and applied: nothing left in any outbox or inbox.
    let now = app.clock.now();
    for sender in ["EG", "PS", "JO"] {
        for recipient in ["EG", "PS", "JO"] {
            if sender == recipient {
                continue;
            }
            assert!(
                app.store
                    .pending_outbox(cc(sender), cc(recipient), now, 10)
                    .await
                    .unwrap()
                    .is_empty(),
                "{sender} → {recipient}"
            );
            assert!(
                app.store
                    .pending_inbox(cc(recipient), cc(sender), 10)
                    .await
                    .unwrap()
                    .is_empty(),
                "{sender} → {recipient}"
            );
        }
    }
}
