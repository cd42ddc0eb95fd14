//! The destination post's last steps over the JSON API: duty assessed by import customs and
//! collected on delivery, and the delivery policy sending an item back after the last allowed
//! attempt or once it has waited out its days at the delivery office.

#![allow(clippy::indexing_slicing)]

use axum::http::{Method, StatusCode};
use barid_core::lifecycle::{ItemStatus, Leg};
use barid_core::{Milestone, Role};
use barid_store::contract::world::{self, T0, cc, cli, site};
use barid_store::model::{ItemIdSource, NewItem};
use barid_web::clock::Clock;
use barid_web::config::Config;
use serde_json::{Value, json};

use crate::support::{Caller, Reply, TestApp, test_config};

async fn post(app: &TestApp, caller: &Caller, path: &str, body: Value) -> Reply {
    app.call(caller, Method::POST, path, Some(&body.to_string()))
        .await
}

#[track_caller]
fn created(reply: &Reply) -> Value {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()
}

#[track_caller]
fn refused(reply: &Reply, rule: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    assert_eq!(
        reply.error_code().as_deref(),
        Some("refused"),
        "{}",
        reply.text()
    );
    assert_eq!(reply.json()["errors"][0]["error"], rule, "{}", reply.text());
}

/// Palestine's copy of an Egyptian item (with a CN 22) that has arrived at PSRMHA.
async fn arrived_at_psrmha(app: &TestApp, serial: u32) -> String {
    let s10 = world::s10(serial);
    let item = NewItem {
        operator: cc("PS"),
        office: site("PSRMHA"),
        ..world::new_item(ItemIdSource::Given(s10))
    };
    app.store
        .create_item(
            &cli("PS"),
            &item,
            &world::event("EMD", Milestone::ArrivedInwardOffice, T0, "PSRMHA"),
            world::derived(ItemStatus::AtInwardOffice),
            &[],
        )
        .await
        .unwrap();
    s10.to_string()
}

/// The people of Palestine's offices, by API token.
struct Palestine {
    customs: Caller,
    exchange: Caller,
    delivery: Caller,
}

async fn palestine(app: &TestApp) -> Palestine {
    Palestine {
        customs: app.token_at("PS", Role::Customs, "PSRMHA").await,
        exchange: app.token_at("PS", Role::OeOperator, "PSRMHA").await,
        delivery: app.token_at("PS", Role::Delivery, "PS-RAMALLAH-1").await,
    }
}

/// Forwards an item from PSRMHA and records its arrival at PS-RAMALLAH-1.
async fn to_delivery_office(app: &TestApp, ps: &Palestine, s10: &str) {
    app.later(10);
    created(
        &post(
            app,
            &ps.exchange,
            "/api/v1/exchange/forwarding",
            json!({"s10": s10, "step": "forward"}),
        )
        .await,
    );
    app.later(60);
    created(
        &post(
            app,
            &ps.delivery,
            "/api/v1/delivery/events",
            json!({"s10": s10, "step": "arrival"}),
        )
        .await,
    );
}

async fn step(app: &TestApp, caller: &Caller, path: &str, body: Value) -> Value {
    app.later(5);
    created(&post(app, caller, path, body).await)
}

#[tokio::test]
async fn customs_assesses_duty_and_the_delivery_office_collects_exactly_that() {
    let app = TestApp::new().await;
    let ps = palestine(&app).await;
    let goods = arrived_at_psrmha(&app, 701).await;
    let other = arrived_at_psrmha(&app, 702).await;
    let customs_path = "/api/v1/exchange/import-customs";
    let duty_path = "/api/v1/exchange/import-customs/duty";
    let duty = |s10: &str, amount: &str, currency: &str| {
        json!({"s10": s10, "duty": {"amount": amount, "currency": currency},
               "note": "HS 6109: 16 % of the declared value"})
    };

    // Not before customs has the item.
    app.later(5);
    refused(
        &post(&app, &ps.customs, duty_path, duty(&goods, "12.50", "ILS")).await,
        "not_with_customs",
    );
    step(
        &app,
        &ps.customs,
        customs_path,
        json!({"s10": goods, "step": "present"}),
    )
    .await;
    let bad = post(&app, &ps.customs, duty_path, duty(&goods, "12.50", "XYZ")).await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    assert_eq!(bad.error_code().as_deref(), Some("invalid_body"));
    assert_eq!(bad.json()["field"], "duty.currency", "{}", bad.text());
    let bad = post(&app, &ps.customs, duty_path, duty(&goods, "12,5x", "ILS")).await;
    assert_eq!(bad.json()["field"], "duty.amount");
    refused(
        &post(&app, &ps.customs, duty_path, duty(&goods, "-1.00", "ILS")).await,
        "negative_duty",
    );
    // A first assessment, then the one that counts.
    step(&app, &ps.customs, duty_path, duty(&goods, "20.00", "ILS")).await;
    let assessed = step(&app, &ps.customs, duty_path, duty(&goods, "12.50", "ILS")).await;
    assert_eq!(
        assessed["amount"],
        json!({"amount_minor": 1250, "currency": "ILS"})
    );
    assert_eq!(assessed["shown"], "12.50 ILS");
    assert_eq!(assessed["office"], "PSRMHA");
    // The delivery office reads it; an item without duty has none.
    let read = app
        .call(
            &ps.delivery,
            Method::GET,
            &format!("/api/v1/items/{goods}/duty"),
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    assert_eq!(read.json()["shown"], "12.50 ILS");
    let none = app
        .call(
            &ps.delivery,
            Method::GET,
            &format!("/api/v1/items/{other}/duty"),
            None,
        )
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "{}", none.text());
    // Only customs assesses.
    let clerk = post(&app, &ps.exchange, duty_path, duty(&goods, "1.00", "ILS")).await;
    assert_eq!(clerk.status, StatusCode::FORBIDDEN, "{}", clerk.text());

    step(
        &app,
        &ps.customs,
        customs_path,
        json!({"s10": goods, "step": "release"}),
    )
    .await;
    to_delivery_office(&app, &ps, &goods).await;
    let delivered = |collected: Value| {
        json!({"s10": goods, "step": "delivered", "signatory": "Layla Haddad",
               "collected": collected})
    };
    let path = "/api/v1/delivery/events";
    app.later(5);
    refused(
        &post(&app, &ps.delivery, path, delivered(Value::Null)).await,
        "duty_not_collected",
    );
    refused(
        &post(
            &app,
            &ps.delivery,
            path,
            delivered(json!({"amount": "10.00", "currency": "ILS"})),
        )
        .await,
        "duty_amount_differs",
    );
    refused(
        &post(
            &app,
            &ps.delivery,
            path,
            delivered(json!({"amount": "12.50", "currency": "JOD"})),
        )
        .await,
        "duty_amount_differs",
    );
    let done = step(
        &app,
        &ps.delivery,
        path,
        delivered(json!({"amount": "12.50", "currency": "ILS"})),
    )
    .await;
    assert_eq!(done["event"], "EMI");
    let item = app
        .store
        .item(cc("PS"), &world::s10(701))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.status, ItemStatus::Delivered);
    let events = app.store.item_events(cc("PS"), item.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        last.event
            .collected
            .map(|money| money.to_string())
            .as_deref(),
        Some("12.50 ILS")
    );

    // An item without duty is handed over without collecting any; collecting some is refused.
    to_delivery_office(&app, &ps, &other).await;
    app.later(5);
    refused(
        &post(
            &app,
            &ps.delivery,
            path,
            json!({"s10": other, "step": "delivered", "signatory": "Omar",
                   "collected": {"amount": "5.00", "currency": "ILS"}}),
        )
        .await,
        "no_duty_due",
    );
    step(
        &app,
        &ps.delivery,
        path,
        json!({"s10": other, "step": "delivered", "signatory": "Omar"}),
    )
    .await;
}

#[tokio::test]
async fn the_last_allowed_attempt_sends_the_item_back_to_its_sender() {
    let app = TestApp::with_config(Config {
        delivery_attempts: 2,
        ..test_config()
    })
    .await;
    let ps = palestine(&app).await;
    let s10 = arrived_at_psrmha(&app, 711).await;
    to_delivery_office(&app, &ps, &s10).await;
    let path = "/api/v1/delivery/events";
    let attempt = json!({"s10": s10, "step": "attempt", "reason": "03",
                         "next_action": "redeliver"});
    step(
        &app,
        &ps.delivery,
        path,
        json!({"s10": s10, "step": "out_for_delivery"}),
    )
    .await;
    let first = step(&app, &ps.delivery, path, attempt.clone()).await;
    assert_eq!(first["status"], "delivery_attempt_failed", "{first}");
    step(
        &app,
        &ps.delivery,
        path,
        json!({"s10": s10, "step": "out_for_delivery"}),
    )
    .await;
    // The second attempt is the last of two: redelivery is not what happens.
    let second = step(&app, &ps.delivery, path, attempt).await;
    assert_eq!(second["status"], "return_pending", "{second}");
    let item = app
        .store
        .item(cc("PS"), &world::s10(711))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.leg, Leg::Return);
    let events = app.store.item_events(cc("PS"), item.id).await.unwrap();
    assert_eq!(
        events
            .last()
            .unwrap()
            .event
            .next_action
            .map(|action| action.as_str()),
        Some("return_to_sender")
    );
}

#[tokio::test]
async fn an_item_that_waited_out_its_days_goes_back_and_its_origin_is_told() {
    let app = TestApp::new().await;
    let ps = palestine(&app).await;
    let waiting = arrived_at_psrmha(&app, 721).await;
    let fresh = arrived_at_psrmha(&app, 722).await;
    to_delivery_office(&app, &ps, &waiting).await;
    step(
        &app,
        &ps.delivery,
        "/api/v1/delivery/events",
        json!({"s10": waiting, "step": "pickup"}),
    )
    .await;
    // Fourteen days on, nothing is due yet.
    app.later(14 * 24 * 60);
    to_delivery_office(&app, &ps, &fresh).await;
    assert_eq!(
        barid_web::delivery_policy::send_back_waited_out(&app.state)
            .await
            .unwrap(),
        0
    );
    // On the fifteenth day since its arrival the first goes back; the second stays.
    app.later(24 * 60);
    assert_eq!(
        barid_web::delivery_policy::send_back_waited_out(&app.state)
            .await
            .unwrap(),
        1
    );
    let item = app
        .store
        .item(cc("PS"), &world::s10(721))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (item.status, item.leg),
        (ItemStatus::ReturnPending, Leg::Return)
    );
    let events = app.store.item_events(cc("PS"), item.id).await.unwrap();
    let sent_back = &events.last().unwrap().event;
    assert_eq!(sent_back.code.as_str(), "EDF");
    assert_eq!(sent_back.office.as_str(), "PS-RAMALLAH-1");
    assert_eq!(
        sent_back.reason.as_ref().map(|reason| reason.as_str()),
        Some("08")
    );
    let other = app
        .store
        .item(cc("PS"), &world::s10(722))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(other.status, ItemStatus::AtDeliveryOffice);
    // The audit log says who did it, and Egypt hears of it (EMSEVT in the outbox).
    let audit = app.store.audit_log(cc("PS"), None, 5).await.unwrap();
    assert!(
        audit
            .items
            .iter()
            .any(|entry| entry.actor == "delivery-policy"),
        "{audit:?}"
    );
    let pending = app
        .store
        .pending_outbox(cc("PS"), cc("EG"), app.clock.now(), 100)
        .await
        .unwrap();
    assert!(
        pending
            .iter()
            .any(|message| message.message_type == "EMSEVT" && message.body.contains("EDF")),
        "{pending:?}"
    );
    // Run again: nothing more to do.
    assert_eq!(
        barid_web::delivery_policy::send_back_waited_out(&app.state)
            .await
            .unwrap(),
        0
    );
}
