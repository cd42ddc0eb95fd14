//! The outward office of exchange over the JSON API: arrival scans, export customs, bagging
//! with its refusals, closing receptacles and the dispatch, and what the dispatch writes for
//! the partners (PREDES to the transit and destination posts, ITMATT to the destination).

#![allow(clippy::indexing_slicing)]

use axum::http::{Method, StatusCode};
use barid_core::Role;
use barid_messages::{BaridJsonV1, MessageBody, MessageCodec};
use barid_store::contract::world::{self, T0, cc};
use barid_store::model::ItemIdSource;
use serde_json::{Value, json};

use crate::acceptance::app;

fn reference() -> barid_core::ReferenceData {
    barid_core::ReferenceData::embedded().unwrap()
}
use crate::support::{Caller, Reply, TestApp};

async fn post(app: &TestApp, caller: &Caller, path: &str, body: Value) -> Reply {
    app.call(caller, Method::POST, path, Some(&body.to_string()))
        .await
}

fn rule(reply: &Reply) -> String {
    reply.json()["errors"][0]["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// An accepted EG item (RR, registered letter to PS) with the given serial.
async fn accepted(app: &TestApp, serial: u32) -> String {
    let (item, _) = world::accept(&app.store, ItemIdSource::Given(world::s10(serial)), &[])
        .await
        .unwrap();
    item.s10.to_string()
}

#[tokio::test]
async fn an_item_goes_from_arrival_to_a_closed_dispatch_with_its_pre_advice() {
    let app = app().await;
    let oe = Caller::Person(app.login("EG", Role::OeOperator).await);
    let first = accepted(&app, 501).await;
    let second = accepted(&app, 502).await;
    let held = accepted(&app, 503).await;

    // Arrival, twice: the second scan records nothing new.
    let arrival = post(
        &app,
        &oe,
        "/api/v1/exchange/arrivals",
        json!({"s10": first}),
    )
    .await;
    assert_eq!(arrival.status, StatusCode::CREATED, "{}", arrival.text());
    assert_eq!(arrival.json()["event"], "EMB");
    assert_eq!(arrival.json()["repeated"], false);
    let again = post(
        &app,
        &oe,
        "/api/v1/exchange/arrivals",
        json!({"s10": first}),
    )
    .await;
    assert_eq!(again.json()["repeated"], true);
    for s10 in [&second, &held] {
        let reply = post(&app, &oe, "/api/v1/exchange/arrivals", json!({"s10": s10})).await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }
    // An item nobody accepted is refused with its own code.
    let unknown = post(
        &app,
        &oe,
        "/api/v1/exchange/arrivals",
        json!({"s10": world::s10(999).to_string()}),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error_code().as_deref(), Some("refused"));
    assert_eq!(rule(&unknown), "unknown_item");
    let garbage = post(
        &app,
        &oe,
        "/api/v1/exchange/arrivals",
        json!({"s10": "XX1"}),
    )
    .await;
    assert_eq!(rule(&garbage), "invalid_s10");

    // Export customs holds one item: a hold needs a reason, and a held item cannot be bagged.
    let no_reason = post(
        &app,
        &oe,
        "/api/v1/exchange/export-customs",
        json!({"s10": held, "step": "present"}),
    )
    .await;
    assert_eq!(
        no_reason.status,
        StatusCode::CREATED,
        "{}",
        no_reason.text()
    );
    let hold = post(
        &app,
        &oe,
        "/api/v1/exchange/export-customs",
        json!({"s10": held, "step": "hold"}),
    )
    .await;
    assert_eq!(rule(&hold), "reason_required");

    // A receptacle for PSRMHA, airmail, registered letters.
    let opened = post(
        &app,
        &oe,
        "/api/v1/exchange/receptacles",
        json!({"destination": "PSRMHA", "category": "A", "subclass": "UR"}),
    )
    .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text());
    let receptacle = opened.json()["id"].as_i64().unwrap();
    assert_eq!(opened.json()["status"], "open");
    // No route to an office the agreement does not name.
    let nowhere = post(
        &app,
        &oe,
        "/api/v1/exchange/receptacles",
        json!({"destination": "JOAMMB", "category": "A", "subclass": "CN"}),
    )
    .await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY);

    let bag = |s10: String| {
        let app = &app;
        let oe = &oe;
        async move {
            post(
                app,
                oe,
                &format!("/api/v1/exchange/receptacles/{receptacle}/items"),
                json!({ "s10": s10 }),
            )
            .await
        }
    };
    let bagged = bag(first.clone()).await;
    assert_eq!(bagged.status, StatusCode::OK, "{}", bagged.text());
    assert_eq!(bagged.json()["items"].as_array().unwrap().len(), 1);
    assert_eq!(rule(&bag(first.clone()).await), "already_bagged");
    let presented = bag(held.clone()).await;
    assert_eq!(
        presented.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        presented.text()
    );
    assert_eq!(rule(&presented), "item_held");
    let not_arrived = accepted(&app, 504).await;
    assert_eq!(rule(&bag(not_arrived).await), "not_at_office");
    assert_eq!(bag(second.clone()).await.status, StatusCode::OK);

    // Out and back in again.
    let removed = app
        .call(
            &oe,
            Method::DELETE,
            &format!("/api/v1/exchange/receptacles/{receptacle}/items/{second}"),
            None,
        )
        .await;
    assert_eq!(removed.json()["items"].as_array().unwrap().len(), 1);
    assert_eq!(bag(second.clone()).await.status, StatusCode::OK);

    // The dispatch cannot close while the receptacle is open.
    let series = json!({"destination": "PSRMHA", "category": "A", "subclass": "UR"});
    let early = post(&app, &oe, "/api/v1/exchange/dispatches", series.clone()).await;
    assert_eq!(rule(&early), "open_receptacle");

    // Lighter than its contents (2 × 1 kg) is refused; then closed at 2.3 kg.
    let close = |grams: u32| {
        let app = &app;
        let oe = &oe;
        async move {
            post(
                app,
                oe,
                &format!("/api/v1/exchange/receptacles/{receptacle}/close"),
                json!({ "gross_weight_grams": grams }),
            )
            .await
        }
    };
    let light = close(1500).await;
    assert_eq!(
        light.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        light.text()
    );
    let closed = close(2300).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text());
    assert_eq!(closed.json()["status"], "closed");
    assert_eq!(closed.json()["registered"], true);
    // Reopen (audited) and close again.
    let reopened = post(
        &app,
        &oe,
        &format!("/api/v1/exchange/receptacles/{receptacle}/reopen"),
        json!({"reason": "weighed on the wrong scale"}),
    )
    .await;
    assert_eq!(reopened.json()["status"], "open");
    assert_eq!(close(2300).await.status, StatusCode::OK);

    let dispatch = post(&app, &oe, "/api/v1/exchange/dispatches", series.clone()).await;
    assert_eq!(dispatch.status, StatusCode::CREATED, "{}", dispatch.text());
    let body = dispatch.json();
    assert_eq!(body["s8"], "EGCAIAPSRMHAAUR60001");
    assert_eq!(body["transit_office"], "JOAMMA");
    assert_eq!(body["receptacle_count"], 1);
    assert_eq!(body["item_count"], 2);
    let s9 = body["receptacles"][0]["s9"].as_str().unwrap();
    assert_eq!(s9, "EGCAIAPSRMHAAUR60001001110023");
    // Nothing left to dispatch: a second closing is refused and takes no number.
    let empty = post(&app, &oe, "/api/v1/exchange/dispatches", series.clone()).await;
    assert_eq!(rule(&empty), "empty_dispatch");

    // Every item departed (EMC) and is no longer in a receptacle being built.
    for s10 in [&first, &second] {
        let item = app
            .store
            .item(cc("EG"), &barid_core::S10Id::parse(s10).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(item.status.as_str(), "departed_origin");
        let events = app.store.item_events(cc("EG"), item.id).await.unwrap();
        let codes: Vec<&str> = events.iter().map(|e| e.event.code.as_str()).collect();
        assert_eq!(codes, vec!["EMA", "EMB", "EMC"]);
    }

    // PREDES to Jordan (closed transit) and Palestine; ITMATT with both items to Palestine,
    // then an EMSEVT with what Egypt recorded on them so far.
    let later = T0 + time::Duration::days(1);
    let to_jordan = app
        .store
        .pending_outbox(cc("EG"), cc("JO"), later, 10)
        .await
        .unwrap();
    let to_palestine = app
        .store
        .pending_outbox(cc("EG"), cc("PS"), later, 10)
        .await
        .unwrap();
    assert_eq!(
        to_jordan
            .iter()
            .map(|m| m.message_type.as_str())
            .collect::<Vec<_>>(),
        vec!["PREDES"]
    );
    assert_eq!(
        to_palestine
            .iter()
            .map(|m| m.message_type.as_str())
            .collect::<Vec<_>>(),
        vec!["PREDES", "ITMATT", "EMSEVT"]
    );
    let history = BaridJsonV1.decode(to_palestine[2].body.as_bytes()).unwrap();
    match history.body() {
        MessageBody::Emsevt(emsevt) => {
            let codes: Vec<&str> = emsevt.events().iter().map(|e| e.code.as_str()).collect();
            assert_eq!(codes, vec!["EMA", "EMB", "EMC", "EMA", "EMB", "EMC"]);
        }
        other => panic!("expected an EMSEVT, got {other:?}"),
    }
    let predes = BaridJsonV1.decode(to_palestine[0].body.as_bytes()).unwrap();
    match predes.body() {
        MessageBody::Predes(predes) => {
            assert_eq!(predes.dispatch().to_string(), "EGCAIAPSRMHAAUR60001");
            assert_eq!(predes.receptacles()[0].id.to_string(), s9);
            assert_eq!(predes.receptacles()[0].items.len(), 2);
        }
        other => panic!("expected a PREDES, got {other:?}"),
    }
    let itmatt = BaridJsonV1.decode(to_palestine[1].body.as_bytes()).unwrap();
    match itmatt.body() {
        MessageBody::Itmatt(itmatt) => assert_eq!(itmatt.items().len(), 2),
        other => panic!("expected an ITMATT, got {other:?}"),
    }

    // The in-node dispatcher hands Palestine's messages to its inbox, in order, once; Jordan
    // is not hosted on this node, so its PREDES waits for the partner exchange.
    let delivered = barid_web::dispatcher::deliver_hosted(app.store.as_ref(), later)
        .await
        .unwrap();
    assert_eq!(delivered, 3);
    assert_eq!(
        barid_web::dispatcher::deliver_hosted(app.store.as_ref(), later)
            .await
            .unwrap(),
        0
    );
    let inbox = app
        .store
        .pending_inbox(cc("PS"), cc("EG"), 10)
        .await
        .unwrap();
    assert_eq!(
        inbox
            .iter()
            .map(|m| (m.message.sequence, m.message.message_type.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "PREDES"), (2, "ITMATT"), (3, "EMSEVT")]
    );
    assert_eq!(
        app.store
            .pending_outbox(cc("EG"), cc("JO"), later, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    // Palestine applies them: the inward dispatch it expects, and its copy of each item with
    // the advance customs data and the posting as Egypt reported it.
    let applied = barid_web::inbox::apply_hosted(app.store.as_ref(), &reference(), later)
        .await
        .unwrap();
    assert_eq!(applied.applied, 3);
    assert_eq!(applied.quarantined, 0);
    let expected = app
        .store
        .expected_dispatch(
            cc("PS"),
            &barid_core::DispatchId::parse("EGCAIAPSRMHAAUR60001").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(expected.direction.as_str(), "inward");
    assert_eq!(expected.office.as_str(), "PSRMHA");
    assert_eq!(expected.receptacles[0].s9.unwrap().to_string(), s9);
    for s10 in [&first, &second] {
        let copy = app
            .store
            .item(cc("PS"), &barid_core::S10Id::parse(s10).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert!(copy.customs.is_some());
        // The posting from the ITMATT, then Egypt's other events from the EMSEVT (its posting
        // again is recognised as the same event).
        let events = app.store.item_events(cc("PS"), copy.id).await.unwrap();
        let codes: Vec<&str> = events.iter().map(|e| e.event.code.as_str()).collect();
        assert_eq!(codes, vec!["EMA", "EMB", "EMC"]);
        assert!(events.iter().all(|e| e.event.reported_by == Some(cc("EG"))));
    }
    // Applying again finds nothing new.
    assert_eq!(
        barid_web::inbox::apply_hosted(app.store.as_ref(), &reference(), later)
            .await
            .unwrap(),
        barid_web::inbox::Applied::default()
    );

    // The dispatch reads back by its S8 ID, and lists at the office.
    let s8 = body["s8"].as_str().unwrap();
    let read = app
        .call(
            &oe,
            Method::GET,
            &format!("/api/v1/exchange/dispatches/{s8}"),
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    assert_eq!(read.json()["s8"], "EGCAIAPSRMHAAUR60001");
    assert_eq!(read.json()["id"], body["id"]);
    // A mistyped S8 ID is bad input; a well-formed one that names no dispatch of the
    // operator is not found.
    let path = |s8: &str| format!("/api/v1/exchange/dispatches/{s8}");
    let mistyped = app
        .call(&oe, Method::GET, &path("EGCAIAPSRMHAAUR6001"), None)
        .await;
    assert_eq!(mistyped.status, StatusCode::BAD_REQUEST);
    assert_eq!(mistyped.error_code().as_deref(), Some("invalid_path"));
    assert_eq!(mistyped.json()["field"], "s8");
    for suffix in ["", "/cn31.pdf", "/verify"] {
        let method = if suffix == "/verify" {
            Method::POST
        } else {
            Method::GET
        };
        let missing = app
            .call(
                &oe,
                method,
                &format!("{}{suffix}", path("EGCAIAPSRMHAAUR60002")),
                None,
            )
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{suffix}");
        assert_eq!(missing.error_code().as_deref(), Some("not_found"));
    }
    // The same S8 ID on Palestine's side is Palestine's own copy, its inward dispatch.
    let ps_oe = Caller::Person(app.login("PS", Role::OeOperator).await);
    let inward = app.call(&ps_oe, Method::GET, &path(s8), None).await;
    assert_eq!(inward.status, StatusCode::OK, "{}", inward.text());
    assert_eq!(inward.json()["direction"], "inward");
    assert_ne!(inward.json()["id"], body["id"]);
    // Staff of another office of the operator are refused it, as they always were.
    app.store
        .create_user(
            &world::cli("EG"),
            &barid_store::model::NewUser {
                operator: cc("EG"),
                username: barid_store::model::Username::parse("eg-oe-elsewhere").unwrap(),
                display_name: "Elsewhere".to_owned(),
                password_hash: crate::support::password_hash(),
                roles: std::collections::BTreeSet::from([Role::OeOperator]),
                offices: std::collections::BTreeSet::from([world::site("EG-CAIRO-1")]),
            },
        )
        .await
        .unwrap();
    let elsewhere = Caller::Person(app.session_for("eg-oe-elsewhere").await);
    let refused = app.call(&elsewhere, Method::GET, &path(s8), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    let listed = app
        .call(&oe, Method::GET, "/api/v1/exchange/dispatches", None)
        .await;
    assert_eq!(listed.json().as_array().unwrap().len(), 1);
    // A dispatched receptacle cannot be reopened.
    let late = post(
        &app,
        &oe,
        &format!("/api/v1/exchange/receptacles/{receptacle}/reopen"),
        json!({"reason": "too late"}),
    )
    .await;
    assert_eq!(rule(&late), "dispatch_closed");
}

#[tokio::test]
async fn only_offices_of_exchange_the_operator_works_at() {
    let app = app().await;
    let oe = Caller::Person(app.login("EG", Role::OeOperator).await);
    // A counter is no office of exchange.
    let counter = post(
        &app,
        &oe,
        "/api/v1/exchange/receptacles",
        json!({"office": "EG-CAIRO-1", "destination": "PSRMHA", "category": "A", "subclass": "UR"}),
    )
    .await;
    assert_eq!(counter.status, StatusCode::FORBIDDEN, "{}", counter.text());
    // Another operator's office does not exist for us.
    let foreign = post(
        &app,
        &oe,
        "/api/v1/exchange/arrivals",
        json!({"office": "PSRMHA", "s10": world::s10(1).to_string()}),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    // A supervisor may look but not scan.
    let supervisor = Caller::Person(app.login("EG", Role::Supervisor).await);
    let look = app
        .call(
            &supervisor,
            Method::GET,
            "/api/v1/exchange/receptacles?office=EGCAIA",
            None,
        )
        .await;
    assert_eq!(look.status, StatusCode::OK, "{}", look.text());
    let scan = post(
        &app,
        &supervisor,
        "/api/v1/exchange/arrivals",
        json!({"s10": "RR000000015EG"}),
    )
    .await;
    assert_eq!(scan.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn closing_a_dispatch_of_returns_reports_their_departure_to_the_origin_post() {
    use barid_core::lifecycle::{EventSource, ItemStatus, Leg};
    use barid_core::{Milestone, NextAction};
    use barid_store::model::{DerivedStatus, NewAgreement, NewItem};
    use barid_web::clock::Clock;

    let app = app().await;
    // Palestine's side of the Egypt–Palestine agreement: its routes run both ways.
    let agreement = barid_core::Agreement::demo()
        .unwrap()
        .into_iter()
        .find(|agreement| agreement.operator() == cc("EG") && agreement.partner() == cc("PS"))
        .unwrap();
    app.store
        .create_agreement(
            &world::cli("PS"),
            &NewAgreement {
                operator: cc("PS"),
                partner: cc("EG"),
                reference: agreement.reference().to_owned(),
                status: barid_store::model::AgreementStatus::Active,
                terms: agreement.terms().to_json_value(),
            },
        )
        .await
        .unwrap();
    // Palestine's copy of an Egyptian letter, refused at delivery: it goes back to Egypt.
    let s10 = world::s10(601);
    let mut posted = world::accepted(T0);
    posted.source = EventSource::Partner;
    posted.reported_by = Some(cc("EG"));
    let (item, _) = app
        .store
        .create_item(
            &world::cli("PS"),
            &NewItem {
                operator: cc("PS"),
                ..world::new_item(ItemIdSource::Given(s10))
            },
            &posted,
            world::derived(ItemStatus::Accepted),
            &[],
        )
        .await
        .unwrap();
    let steps = [
        ("EMD", Milestone::ArrivedInwardOffice, "PSRMHA", None),
        ("EMF", Milestone::DepartedInwardOffice, "PSRMHA", None),
        (
            "EMG",
            Milestone::ArrivedDeliveryOffice,
            "PS-RAMALLAH-1",
            None,
        ),
        (
            "EMH",
            Milestone::DeliveryAttemptFailed,
            "PS-RAMALLAH-1",
            Some(NextAction::ReturnToSender),
        ),
    ];
    for (minutes, (code, milestone, office, next_action)) in (1..).zip(steps) {
        let current = app.store.item(cc("PS"), &s10).await.unwrap().unwrap();
        let mut event = world::event(code, milestone, T0 + world::minutes(minutes), office);
        event.next_action = next_action;
        let (status, leg) = match next_action {
            Some(_) => (ItemStatus::ReturnPending, Leg::Return),
            None => (ItemStatus::AtDeliveryOffice, Leg::Outbound),
        };
        app.store
            .record_event(
                &world::cli("PS"),
                item.id,
                current.version,
                &event,
                DerivedStatus { status, leg },
                &[],
            )
            .await
            .unwrap();
    }
    app.clock.advance(world::minutes(10));

    let oe = Caller::Person(app.login("PS", Role::OeOperator).await);
    let arrival = post(
        &app,
        &oe,
        "/api/v1/exchange/arrivals",
        json!({"s10": s10.to_string()}),
    )
    .await;
    assert_eq!(arrival.status, StatusCode::CREATED, "{}", arrival.text());
    let series = json!({"destination": "EGCAIA", "category": "A", "subclass": "UR"});
    let opened = post(&app, &oe, "/api/v1/exchange/receptacles", series.clone()).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text());
    let receptacle = opened.json()["id"].as_i64().unwrap();
    let bagged = post(
        &app,
        &oe,
        &format!("/api/v1/exchange/receptacles/{receptacle}/items"),
        json!({"s10": s10.to_string()}),
    )
    .await;
    assert_eq!(bagged.status, StatusCode::OK, "{}", bagged.text());
    let closed = post(
        &app,
        &oe,
        &format!("/api/v1/exchange/receptacles/{receptacle}/close"),
        json!({"gross_weight_grams": 1200}),
    )
    .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text());
    let dispatch = post(&app, &oe, "/api/v1/exchange/dispatches", series).await;
    assert_eq!(dispatch.status, StatusCode::CREATED, "{}", dispatch.text());
    assert_eq!(dispatch.json()["s8"], "PSRMHAEGCAIAAUR60001");

    // Egypt gets the pre-advice and the item's departure from Ramallah; no advance data, as
    // the item is Egypt's own. Jordan, the transit post, gets the pre-advice only.
    let now = app.clock.now();
    let to_egypt = app
        .store
        .pending_outbox(cc("PS"), cc("EG"), now, 10)
        .await
        .unwrap();
    let types: Vec<&str> = to_egypt
        .iter()
        .map(|message| message.message_type.as_str())
        .collect();
    assert!(types.ends_with(&["PREDES", "EMSEVT"]), "{types:?}");
    assert!(!types.contains(&"ITMATT"));
    let report = BaridJsonV1
        .decode(to_egypt.last().unwrap().body.as_bytes())
        .unwrap();
    match report.body() {
        MessageBody::Emsevt(emsevt) => {
            let events = emsevt.events();
            assert_eq!(events.len(), 1);
            assert_eq!(events[0].s10, s10);
            assert_eq!(events[0].code.as_str(), "EMC");
            assert_eq!(events[0].office.as_str(), "PSRMHA");
            assert_eq!(events[0].at, now);
        }
        other => panic!("expected an EMSEVT, got {other:?}"),
    }
    let to_jordan = app
        .store
        .pending_outbox(cc("PS"), cc("JO"), now, 10)
        .await
        .unwrap();
    assert_eq!(
        to_jordan
            .iter()
            .map(|message| message.message_type.as_str())
            .collect::<Vec<_>>(),
        vec!["PREDES"]
    );
}

#[tokio::test]
async fn goods_on_a_route_that_needs_export_customs_are_bagged_once_it_releases_them() {
    // The demo agreement's route EGCAIA -> LYTIPA needs export customs.
    let app = app().await;
    let oe = Caller::Person(app.login("EG", Role::OeOperator).await);
    let to_libya = |serial: u32, customs: bool| {
        let mut item = world::new_item(ItemIdSource::Given(world::s10(serial)));
        item.destination_country = cc("LY");
        if !customs {
            item.customs = None;
        }
        item
    };
    let mut ids = Vec::new();
    for (serial, customs) in [(601, true), (602, false)] {
        let (item, _) = app
            .store
            .create_item(
                &world::cli("EG"),
                &to_libya(serial, customs),
                &world::accepted(T0),
                world::derived(barid_core::lifecycle::ItemStatus::Accepted),
                &[],
            )
            .await
            .unwrap();
        ids.push(item.s10.to_string());
    }
    let (goods, documents) = (&ids[0], &ids[1]);
    for s10 in [goods, documents] {
        let reply = post(&app, &oe, "/api/v1/exchange/arrivals", json!({"s10": s10})).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    }
    let opened = post(
        &app,
        &oe,
        "/api/v1/exchange/receptacles",
        json!({"destination": "LYTIPA", "category": "A", "subclass": "UR"}),
    )
    .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text());
    let bag = format!("/api/v1/exchange/receptacles/{}/items", opened.json()["id"]);
    // Documents need no customs; goods are refused until export customs releases them.
    let reply = post(&app, &oe, &bag, json!({"s10": documents})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let refused = post(&app, &oe, &bag, json!({"s10": goods})).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        rule(&refused),
        "export_customs_required",
        "{}",
        refused.text()
    );
    for step in ["present", "return"] {
        let reply = post(
            &app,
            &oe,
            "/api/v1/exchange/export-customs",
            json!({"s10": goods, "step": step}),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    }
    let reply = post(&app, &oe, &bag, json!({"s10": goods})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

/// A receptacle closed through the API keeps its items' advance data, and the dispatch's ITMATT
/// is put together from it; where that data is missing or does not fit the receptacle, the
/// closing reads the items itself. Either way the ITMATT carries every item, as accepted.
#[tokio::test]
async fn the_itmatt_is_built_from_advance_data_kept_at_receptacle_closing_or_read_when_missing() {
    let app = app().await;
    let oe = Caller::Person(app.login("EG", Role::OeOperator).await);
    let series = json!({"destination": "PSRMHA", "category": "A", "subclass": "UR"});
    let mut receptacles = Vec::new();
    let mut all = Vec::new();
    for serials in [[601, 602], [603, 604]] {
        let opened = post(&app, &oe, "/api/v1/exchange/receptacles", series.clone()).await;
        assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text());
        let receptacle = opened.json()["id"].as_i64().unwrap();
        for serial in serials {
            let s10 = accepted(&app, serial).await;
            let arrival = post(&app, &oe, "/api/v1/exchange/arrivals", json!({"s10": s10})).await;
            assert_eq!(arrival.status, StatusCode::CREATED, "{}", arrival.text());
            let path = format!("/api/v1/exchange/receptacles/{receptacle}/items");
            let bagged = post(&app, &oe, &path, json!({ "s10": s10 })).await;
            assert_eq!(bagged.status, StatusCode::OK, "{}", bagged.text());
            all.push(s10);
        }
        let path = format!("/api/v1/exchange/receptacles/{receptacle}/close");
        let closed = post(&app, &oe, &path, json!({"gross_weight_grams": 2300})).await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.text());
        receptacles.push((
            barid_store::model::ReceptacleRowId(receptacle),
            closed.json()["version"].as_i64().unwrap(),
        ));
    }
    let ids: Vec<_> = receptacles.iter().map(|(id, _)| *id).collect();
    let kept = app.store.receptacle_advance(cc("EG"), &ids).await.unwrap();
    assert_eq!(kept.len(), 2);
    for (_, text) in &kept {
        assert_eq!(BaridJsonV1.decode_items(text).unwrap().len(), 2);
    }
    // The second receptacle's data no longer lists its items: it is not used.
    let (second, version) = receptacles[1];
    assert!(
        app.store
            .keep_receptacle_advance(cc("EG"), second, version, "[]")
            .await
            .unwrap()
    );

    let dispatch = post(&app, &oe, "/api/v1/exchange/dispatches", series).await;
    assert_eq!(dispatch.status, StatusCode::CREATED, "{}", dispatch.text());
    let outbox = app
        .store
        .pending_outbox(cc("EG"), cc("PS"), T0 + time::Duration::days(1), 10)
        .await
        .unwrap();
    let itmatt = outbox
        .iter()
        .find(|message| message.message_type == "ITMATT")
        .unwrap();
    let envelope = BaridJsonV1.decode(itmatt.body.as_bytes()).unwrap();
    // The stored bytes are the canonical encoding of what they decode to.
    assert_eq!(
        BaridJsonV1.encode(&envelope).unwrap(),
        itmatt.body.as_bytes()
    );
    let MessageBody::Itmatt(body) = envelope.body() else {
        panic!("expected an ITMATT, got {envelope:?}");
    };
    let mut carried: Vec<String> = body
        .items()
        .iter()
        .map(|item| item.s10.to_string())
        .collect();
    carried.sort();
    all.sort();
    assert_eq!(carried, all);
    for advised in body.items() {
        let item = app
            .store
            .item(cc("EG"), &advised.s10)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(advised.addressee, item.addressee);
        assert_eq!(advised.customs, item.customs);
        assert_eq!(advised.gross_weight, item.weight);
    }
}

#[tokio::test]
async fn a_receptacle_from_one_of_our_own_offices_is_not_received_as_a_partners() {
    let app = app().await;
    let oe = app.token_at("EG", Role::OeOperator, "EGCAIA").await;
    // Alexandria's receptacle for Ramallah scanned on arrival in Cairo: Egypt's own mail.
    let s9 = "EGALXAPSRMHAAUR60001001010508";
    let reply = app
        .call(
            &oe,
            Method::POST,
            "/api/v1/exchange/receptacle-arrivals",
            Some(&json!({ "s9": s9 }).to_string()),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    assert_eq!(reply.json()["errors"][0]["error"], "own_dispatch");
    // Nothing was recorded: no copy of the dispatch stands in for Egypt's own.
    let dispatch = app
        .call(
            &oe,
            Method::GET,
            "/api/v1/exchange/dispatches/EGALXAPSRMHAAUR60001",
            None,
        )
        .await;
    assert_eq!(
        dispatch.status,
        StatusCode::NOT_FOUND,
        "{}",
        dispatch.text()
    );
}
