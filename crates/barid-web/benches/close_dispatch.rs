//! Closing a dispatch of N items in 50 receptacles, through the API in-process, on SQLite:
//! the numbering, the S9 IDs, `EMC` for every item, PREDES and ITMATT in the outbox, all in
//! one transaction; then the documents of the dispatch (CN 35 labels, CN 31, CN 33, CN 38).
//!
//! `cargo bench -p barid-web --bench close_dispatch` (sizes from `BARID_BENCH_SIZES`, default
//! `1000,10000,100000`). Setup (accepting the items, bagging them with one INSERT per
//! receptacle) is not timed. What is timed is what an operator waits for: closing each
//! receptacle through the API (which also encodes its items' advance data for the ITMATT, so
//! that work is shown in its own column), pressing "Close dispatch", and each document's link.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use barid_core::lifecycle::ItemStatus;
use barid_core::{
    Agreement, DispatchSeries, Grams, MailCategory, MailClass, MailSubclass, OfficeCode,
    ReferenceData, Role,
};
use barid_store::Store;
use barid_store::contract::world::{self, T0, cc, cli, site};
use barid_store::model::*;
use barid_web::{AppState, Config, build_router, new_api_token};
use tower::ServiceExt;

const RECEPTACLES: usize = 50;

fn series() -> DispatchSeries {
    DispatchSeries {
        origin: OfficeCode::parse("EGCAIA").unwrap(),
        destination: OfficeCode::parse("PSRMHA").unwrap(),
        category: MailCategory::parse("A").unwrap(),
        subclass: MailSubclass::parse("UR").unwrap(),
    }
}

struct Setup {
    _folder: tempfile::TempDir,
    store: Arc<dyn Store>,
    sql: barid_store::sql::SqlStore,
    token: String,
}

async fn setup() -> Setup {
    let (sql, folder) = barid_store_sqlite::temporary().await.unwrap();
    let store: Arc<dyn Store> = Arc::new(sql.clone());
    world::network(&store).await;
    for agreement in Agreement::demo().unwrap() {
        if agreement.operator() != cc("EG") || !["PS", "JO"].contains(&agreement.partner().as_str())
        {
            continue;
        }
        store
            .create_agreement(
                &cli("EG"),
                &NewAgreement {
                    operator: agreement.operator(),
                    partner: agreement.partner(),
                    reference: agreement.reference().to_owned(),
                    status: AgreementStatus::Active,
                    terms: agreement.terms().to_json_value(),
                },
            )
            .await
            .unwrap();
    }
    let (token, secret_hash) = new_api_token();
    store
        .create_api_token(
            &cli("EG"),
            &NewApiToken {
                operator: cc("EG"),
                name: "bench".to_owned(),
                secret_hash,
                role: Role::OeOperator,
                office: Some(site("EGCAIA")),
                partner: None,
            },
        )
        .await
        .unwrap();
    Setup {
        _folder: folder,
        store,
        sql,
        token,
    }
}

/// N items at EGCAIA (first event EMB) in 50 receptacles, closed through the API; gives the
/// slowest and the mean time of a receptacle's closing.
async fn fill(
    setup: &Setup,
    app: &axum::Router,
    items: usize,
    first_serial: u32,
) -> (Duration, Duration) {
    let mut closings = Vec::with_capacity(RECEPTACLES);
    let mut ids = Vec::with_capacity(items);
    let serials: Vec<u32> = (0..items).map(|n| first_serial + n as u32).collect();
    for chunk in serials.chunks(500) {
        let entries: Vec<NewItemEntry> = chunk
            .iter()
            .map(|serial| {
                let mut new = world::new_item(ItemIdSource::Given(world::s10(*serial)));
                new.weight = Grams::new(100);
                NewItemEntry {
                    new,
                    first_event: world::at_outward_office(T0),
                    derived: world::derived(ItemStatus::AtOutwardOffice),
                }
            })
            .collect();
        for (item, _) in setup
            .store
            .create_items(&cli("EG"), &entries)
            .await
            .unwrap()
        {
            ids.push(item.id);
        }
    }
    let per_receptacle = items.div_ceil(RECEPTACLES);
    for chunk in ids.chunks(per_receptacle) {
        let receptacle = setup
            .store
            .open_receptacle(
                &cli("EG"),
                &NewReceptacle {
                    office: site("EGCAIA"),
                    series: series(),
                    mail_class: MailClass::parse("U").unwrap(),
                },
            )
            .await
            .unwrap();
        let mut tx = setup.sql.writer().begin().await.unwrap();
        for (position, id) in chunk.iter().enumerate() {
            sqlx::query(
                "INSERT INTO receptacle_items (operator, receptacle_id, s10, item_id, position, \
                 advised, scanned, damaged, added_at_utc) \
                 SELECT 'EG', $1, s10, id, $2, 0, 1, 0, 0 FROM items WHERE id = $3",
            )
            .bind(receptacle.id.0)
            .bind(position as i64 + 1)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let gross = 100 * chunk.len() + 500;
        let started = Instant::now();
        let (status, _, text) = call(
            app,
            &setup.token,
            Method::POST,
            &format!("/api/v1/exchange/receptacles/{}/close", receptacle.id),
            Some(&format!(r#"{{"gross_weight_grams":{gross}}}"#)),
        )
        .await;
        closings.push(started.elapsed());
        assert_eq!(status, StatusCode::OK, "{text}");
    }
    let slowest = closings.iter().max().copied().unwrap_or_default();
    let mean = closings.iter().sum::<Duration>() / closings.len().max(1) as u32;
    (slowest, mean)
}

async fn call(
    app: &axum::Router,
    token: &str,
    method: Method,
    path: &str,
    body: Option<&str>,
) -> (StatusCode, usize, String) {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(body) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_owned())
        }
        None => Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(builder.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let text = if bytes.len() < 2_000 {
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        String::new()
    };
    (status, bytes.len(), text)
}

fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BARID_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000".to_owned())
        .split(',')
        .filter_map(|size| size.trim().parse().ok())
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        println!("| items | receptacles | close receptacle (mean / slowest) | close dispatch | CN 35 ×50 | CN 31 | CN 33 | CN 38 | close dispatch + documents |");
        println!("|---|---|---|---|---|---|---|---|---|");
        for (round, items) in sizes.into_iter().enumerate() {
            let setup = setup().await;
            let reference = ReferenceData::embedded().unwrap();
            let state = AppState::new(Arc::clone(&setup.store), reference, Config::default());
            let app = build_router(state);
            let (slowest, mean) = fill(&setup, &app, items, 1_000_000 * (round as u32 + 1)).await;

            let started = Instant::now();
            let (status, _, text) = call(
                &app,
                &setup.token,
                Method::POST,
                "/api/v1/exchange/dispatches",
                Some(r#"{"destination":"PSRMHA","category":"A","subclass":"UR"}"#),
            )
            .await;
            let close = started.elapsed();
            assert_eq!(status, StatusCode::CREATED, "{text}");
            let listed = setup
                .store
                .dispatches(cc("EG"), &DispatchQuery { office: None, direction: None, statuses: vec![] }, 1)
                .await
                .unwrap();
            let s8 = listed[0].s8;
            let outbox = setup
                .store
                .pending_outbox(cc("EG"), cc("PS"), T0 + time::Duration::days(400), 100)
                .await
                .unwrap();
            // A dispatch's advance data may come in several ITMATT (over 32 MiB of it).
            let advised: usize = outbox
                .iter()
                .filter(|message| message.message_type == "ITMATT")
                .map(|message| message.body.matches("\"s10\"").count())
                .sum();
            assert_eq!(advised, items);
            let mut documents = Vec::new();
            for document in ["cn35.pdf", "cn31.pdf", "cn33.pdf", "delivery-bill.pdf"] {
                let started = Instant::now();
                let (status, bytes, text) = call(
                    &app,
                    &setup.token,
                    Method::GET,
                    &format!("/api/v1/exchange/dispatches/{s8}/{document}"),
                    None,
                )
                .await;
                assert_eq!(status, StatusCode::OK, "{document}: {text}");
                assert!(bytes > 1000);
                documents.push(started.elapsed());
            }
            let total = close + documents.iter().sum::<Duration>();
            println!(
                "| {items} | {RECEPTACLES} | {} / {} | {} | {} | {} | {} | {} | {} |",
                ms(mean),
                ms(slowest),
                ms(close),
                ms(documents[0]),
                ms(documents[1]),
                ms(documents[2]),
                ms(documents[3]),
                ms(total)
            );
        }
    });
}
