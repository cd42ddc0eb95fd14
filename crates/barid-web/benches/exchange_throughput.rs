//! Partner exchange throughput: EMSEVT events from the moment they are recorded on node A
//! until they are visible in public tracking on node B. Two nodes in this process, each a real
//! server with its own SQLite database (on disk, `synchronous = FULL`), talking HTTP on
//! 127.0.0.1 through the real sender (`PartnerDispatcher::deliver`) and the real receiver
//! (`POST /exchange/v1/messages`, which stores the batch in B's inbox and applies it with
//! `inbox::apply_from`).
//!
//! `cargo bench -p barid-web --bench exchange_throughput`. Settings, all optional:
//!
//! | variable | default | what |
//! |---|---|---|
//! | `BARID_BENCH_EVENTS` | `20000` | events recorded on A per unit |
//! | `BARID_BENCH_UNITS` | `scan,receptacle` | which producers run, each on two fresh nodes |
//! | `BARID_BENCH_POLL_MS` | `1` | pause between two polls of B's tracking |
//! | `BARID_BENCH_TICK_MS` | `0` | `0`: A's dispatcher delivers continuously (a pass as soon as the last one ended, 1 ms pause when nothing was due); `N`: one pass every N ms, as `barid serve` does with 1000 |
//!
//! Egypt (EG) is node B, the origin post: it accepted the items and keeps them. Events flow
//! back to it from node A, because that is the direction Barid writes EMSEVTs: an event is
//! reported to the item's origin post (`exchange::record_local_event`, `open_item`), and a
//! transit office reports to the dispatch's and the item's origin (`transit_reports`). Egypt
//! recording events on its own items writes no EMSEVT at all.
//!
//! Setup, not timed: Egypt's items are stored through the store, bagged 200 to a receptacle
//! (one INSERT per item, as the dispatch benchmark does), the receptacles and the dispatch
//! (EGCAIA → PSRMHA through JOAMMA) are closed through Egypt's API, and Egypt's dispatcher
//! sends the PREDES and ITMATT over HTTP to node A, which applies them: A's copies of the
//! items come from the ITMATT, as in production. Then, timed, one of two producers:
//!
//! - `scan`: A is Palestine (PS), the destination. One scanner works through the items the
//!   way the inward office and the delivery office do, one API call per item and event, in
//!   process through A's router with an API token: every item found in its receptacle
//!   (`EMD`), presented to and released by import customs (`EDB`, `EDC`), sent on to the
//!   delivery office (`EMF`), arrived there (`EMG`), out for delivery (`EDG`), delivered
//!   (`EMI`). Each step records one event and one EMSEVT of one event, in one transaction.
//!   Items = events / 7.
//! - `receptacle`: A is Jordan (JO), the closed transit office. Each receptacle scanned on
//!   arrival reports its 200 items (`EMJ`, one EMSEVT per receptacle), and sending the dispatch
//!   on reports every item again (`EMK`, one EMSEVT for the whole dispatch). Items = events / 2.
//!
//! A's dispatcher loop runs meanwhile. A watcher polls B's `Store::tracked_item` (the read
//! behind `GET /api/v1/items/{s10}/events`) to find when each event becomes visible. B applies
//! a sender's messages strictly in sequence order, a run of them in one transaction, so
//! visibility advances in recording order: the watcher only looks at the first event not yet
//! seen, and when it is there, gallops forward (1, 2, 4... events on, then halves) to the last
//! one visible; every event passed gets the time of that poll, an upper bound within one poll
//! interval plus the poll's reads. Afterwards the order is checked against B's database, and
//! every item's tracking is read to check that every event arrived once.
//!
//! Afterwards B's receive path is replayed by hand on its database, to split the time B spends
//! per batch between storing the messages in its inbox (`Store::insert_inbox_all`, one
//! transaction a batch, as `receive` does) and applying them (`inbox::apply_from`, which
//! settles a run of EMSEVTs in one transaction): the same calls, with
//! EMSEVTs of the same shape from another partner (JO or PS), on the same items.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod measure;
use measure::{env_number, load_average, ms, percentile};

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use barid_core::lifecycle::ItemStatus;
use barid_core::{
    Agreement, CountryCode, DispatchSeries, Grams, MailCategory, MailClass, MailSubclass,
    Milestone, OfficeCode, ReferenceData, Role, S10Id,
};
use barid_messages::{BaridJsonV1, TrackingEvent};
use barid_store::Store;
use barid_store::contract::world::{self, T0, cc, cli, site};
use barid_store::model::*;
use barid_store::sql::SqlStore;
use barid_web::partner_exchange::{PATH, PartnerDispatcher, Sent};
use barid_web::{AppState, Config, build_router, new_api_token};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceExt;

/// Items per receptacle, as an office of exchange bags letters.
const RECEPTACLE_ITEMS: usize = 200;

/// The scan producer's steps on each item, in order: (path, step, milestone). `found` goes to
/// the item's receptacle.
const SCAN_STEPS: [(&str, &str, Milestone); 7] = [
    ("found", "", Milestone::ArrivedInwardOffice),
    (
        "/api/v1/exchange/import-customs",
        "present",
        Milestone::PresentedImportCustoms,
    ),
    (
        "/api/v1/exchange/import-customs",
        "release",
        Milestone::ReleasedImportCustoms,
    ),
    (
        "/api/v1/exchange/forwarding",
        "forward",
        Milestone::DepartedInwardOffice,
    ),
    (
        "/api/v1/delivery/events",
        "arrival",
        Milestone::ArrivedDeliveryOffice,
    ),
    (
        "/api/v1/delivery/events",
        "out_for_delivery",
        Milestone::OutForDelivery,
    ),
    ("/api/v1/delivery/events", "delivered", Milestone::Delivered),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Scan,
    Receptacle,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::Scan => "scan",
            Unit::Receptacle => "receptacle",
        }
    }

    /// Node A's post.
    fn node_a(self) -> &'static str {
        match self {
            Unit::Scan => "PS",
            Unit::Receptacle => "JO",
        }
    }

    fn events_per_item(self) -> usize {
        match self {
            Unit::Scan => SCAN_STEPS.len(),
            Unit::Receptacle => 2,
        }
    }
}

/// How long B took to answer each exchange request, measured around its whole router.
#[derive(Debug, Default)]
struct ExchangeRequests {
    took: Mutex<Vec<Duration>>,
}

async fn time_exchange(
    State(requests): State<Arc<ExchangeRequests>>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path() != PATH {
        return next.run(request).await;
    }
    let started = Instant::now();
    let response = next.run(request).await;
    requests.took.lock().unwrap().push(started.elapsed());
    response
}

/// A post's node serving on loopback until dropped.
struct Node {
    operator: &'static str,
    store: Arc<dyn Store>,
    sql: SqlStore,
    router: Router,
    address: SocketAddr,
    requests: Arc<ExchangeRequests>,
    _stop: oneshot::Sender<()>,
    _folder: tempfile::TempDir,
}

impl Node {
    /// The node of `operator` in the three-post network (the other two are partners on nodes
    /// of their own), with the demo agreements. Served as `barid_web::serve` serves it, with
    /// one more layer outside the router that times `POST /exchange/v1/messages`.
    async fn start(operator: &'static str) -> Self {
        let (sql, folder) = barid_store_sqlite::temporary().await.unwrap();
        let store: Arc<dyn Store> = Arc::new(sql.clone());
        world::three_posts_on_the_node_of(&store, operator).await;
        agreements(&store).await;
        let config = Config {
            tracking_lookups_per_minute: 1_000_000_000,
            ..Config::default()
        };
        let state = AppState::new(
            Arc::clone(&store),
            ReferenceData::embedded().unwrap(),
            config,
        );
        let router = build_router(state);
        let requests = Arc::new(ExchangeRequests::default());
        let served = router.clone().layer(axum::middleware::from_fn_with_state(
            Arc::clone(&requests),
            time_exchange,
        ));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(
                listener,
                served.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                stopped.await.ok();
            })
            .await
            .unwrap();
        });
        Self {
            operator,
            store,
            sql,
            router,
            address,
            requests,
            _stop: stop,
            _folder: folder,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn code(&self) -> CountryCode {
        cc(self.operator)
    }

    async fn token(&self, role: Role, office: Option<&str>, partner: Option<&str>) -> String {
        let (secret, secret_hash) = new_api_token();
        self.store
            .create_api_token(
                &cli(self.operator),
                &NewApiToken {
                    operator: self.code(),
                    name: format!("bench {role}"),
                    secret_hash,
                    role,
                    office: office.map(site),
                    partner: partner.map(cc),
                },
            )
            .await
            .unwrap();
        secret
    }

    /// This node sends its messages for `partner` to `partner`'s node, with a token that node
    /// issued.
    async fn link_to(&self, partner: &Node) {
        let token = partner
            .token(Role::Partner, None, Some(self.operator))
            .await;
        self.store
            .set_partner_endpoint(
                &cli(self.operator),
                &PartnerEndpoint {
                    operator: self.code(),
                    partner: partner.code(),
                    url: partner.url(),
                    outbound_token: token,
                    paused: false,
                    updated_at: T0,
                },
            )
            .await
            .unwrap();
    }
}

/// Egypt's demo agreements with Palestine and Jordan, and Palestine's side of the
/// Egypt–Palestine agreement, as the integration tests' nodes have them.
async fn agreements(store: &Arc<dyn Store>) {
    for agreement in Agreement::demo().unwrap() {
        if agreement.operator() != cc("EG") {
            continue;
        }
        let mut sides = Vec::new();
        if ["PS", "JO"].contains(&agreement.partner().as_str()) {
            sides.push((agreement.operator(), agreement.partner()));
        }
        if agreement.partner() == cc("PS") {
            sides.push((cc("PS"), cc("EG")));
        }
        for (operator, partner) in sides {
            store
                .create_agreement(
                    &cli(operator.as_str()),
                    &NewAgreement {
                        operator,
                        partner,
                        reference: agreement.reference().to_owned(),
                        status: AgreementStatus::parse(agreement.status().as_str()).unwrap(),
                        terms: agreement.terms().to_json_value(),
                    },
                )
                .await
                .unwrap();
        }
    }
}

async fn call(
    router: &Router,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut builder = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(body) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let response = router
        .clone()
        .oneshot(builder.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value)
}

async fn call_ok(router: &Router, token: &str, method: Method, path: &str, body: Value) -> Value {
    let (status, value) = call(router, token, method, path, Some(body.clone())).await;
    assert!(
        status == StatusCode::OK || status == StatusCode::CREATED,
        "{path} {body}: {status} {value}"
    );
    value
}

fn series() -> DispatchSeries {
    DispatchSeries {
        origin: OfficeCode::parse("EGCAIA").unwrap(),
        destination: OfficeCode::parse("PSRMHA").unwrap(),
        category: MailCategory::parse("A").unwrap(),
        subclass: MailSubclass::parse("UR").unwrap(),
    }
}

/// Egypt's dispatch of `items` registered letters to Ramallah through Amman, closed through
/// Egypt's API: the dispatch's JSON.
async fn egypt_dispatches(egypt: &Node, items: usize) -> Value {
    let oe = egypt.token(Role::OeOperator, Some("EGCAIA"), None).await;
    let serials: Vec<u32> = (0..items).map(|n| 10_000_000 + n as u32).collect();
    let mut ids = Vec::with_capacity(items);
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
        for (item, _) in egypt
            .store
            .create_items(&cli("EG"), &entries)
            .await
            .unwrap()
        {
            ids.push(item.id);
        }
    }
    for chunk in ids.chunks(RECEPTACLE_ITEMS) {
        let receptacle = egypt
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
        let mut tx = egypt.sql.writer().begin().await.unwrap();
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
        call_ok(
            &egypt.router,
            &oe,
            Method::POST,
            &format!("/api/v1/exchange/receptacles/{}/close", receptacle.id),
            json!({ "gross_weight_grams": gross }),
        )
        .await;
    }
    call_ok(
        &egypt.router,
        &oe,
        Method::POST,
        "/api/v1/exchange/dispatches",
        json!({"destination": "PSRMHA", "category": "A", "subclass": "UR"}),
    )
    .await
}

/// One event the producer records on A, in recording order.
#[derive(Debug, Clone)]
struct Planned {
    s10: S10Id,
    milestone: Milestone,
}

/// What the producer left: when each event was recorded (its call answered), and each call's
/// duration and number of events.
#[derive(Debug, Default)]
struct Recording {
    recorded: Vec<Instant>,
    calls: Vec<(Duration, usize)>,
}

/// Shared between the producer, the dispatcher loop and the watcher.
#[derive(Debug)]
struct Progress {
    /// Events recorded on A so far (a prefix of the plan).
    recorded: AtomicUsize,
    /// Every event is visible on B.
    finished: AtomicBool,
}

/// The system clock, as the nodes read it.
fn now() -> OffsetDateTime {
    use barid_web::clock::Clock;
    barid_web::clock::SystemClock.now()
}

fn us(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

/// Whether B's public tracking of the item shows the event A reported.
async fn visible(b: &Node, a: CountryCode, event: &Planned) -> bool {
    match b.store.tracked_item(&event.s10).await.unwrap() {
        Some(tracked) => tracked
            .events
            .iter()
            .any(|seen| seen.reported_by == Some(a) && seen.milestone == event.milestone),
        None => false,
    }
}

/// Polls B until every planned event is visible; gives each event's visible time and how many
/// tracking reads it took.
async fn watch(
    b: &Node,
    a: CountryCode,
    plan: &[Planned],
    progress: &Progress,
    poll: Duration,
) -> (Vec<Instant>, usize) {
    let mut seen = Vec::with_capacity(plan.len());
    let mut reads = 0;
    while seen.len() < plan.len() {
        let frontier = seen.len();
        let limit = progress.recorded.load(Ordering::Acquire);
        if frontier < limit {
            reads += 1;
            if visible(b, a, &plan[frontier]).await {
                // Known visible: `good`; known not visible (or not recorded yet): `bad`.
                let mut good = frontier;
                let mut bad = limit;
                let mut step = 1;
                loop {
                    let probe = good + step;
                    if probe >= bad {
                        break;
                    }
                    reads += 1;
                    if visible(b, a, &plan[probe]).await {
                        good = probe;
                        step *= 2;
                    } else {
                        bad = probe;
                        break;
                    }
                }
                while bad - good > 1 {
                    let middle = (good + bad) / 2;
                    reads += 1;
                    if visible(b, a, &plan[middle]).await {
                        good = middle;
                    } else {
                        bad = middle;
                    }
                }
                let now = Instant::now();
                seen.resize(good + 1, now);
                continue;
            }
        }
        tokio::time::sleep(poll).await;
    }
    progress.finished.store(true, Ordering::Release);
    (seen, reads)
}

/// One pass of A's dispatcher: how long it took and what it sent.
#[derive(Debug, Clone, Copy)]
struct Pass {
    took: Duration,
    sent: Sent,
}

async fn dispatch_loop(a: &Node, progress: &Progress, tick: Duration) -> Vec<Pass> {
    let dispatcher = PartnerDispatcher::new(Duration::from_secs(60)).unwrap();
    let mut passes = Vec::new();
    let mut interval = (!tick.is_zero()).then(|| tokio::time::interval(tick));
    while !progress.finished.load(Ordering::Acquire) {
        if let Some(interval) = interval.as_mut() {
            interval.tick().await;
        }
        let started = Instant::now();
        let sent = dispatcher.deliver(a.store.as_ref(), now()).await.unwrap();
        if sent != Sent::default() {
            passes.push(Pass {
                took: started.elapsed(),
                sent,
            });
        } else if interval.is_none() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    passes
}

/// The scan producer on Palestine's node: every item found in its receptacle, then through
/// import customs, forwarding and delivery, one call per item and step.
async fn scan_producer(
    a: &Node,
    receptacles: &[(i64, Vec<S10Id>)],
    plan_len: usize,
    progress: &Progress,
) -> Recording {
    let oe = a.token(Role::OeOperator, Some("PSRMHA"), None).await;
    let delivery = a.token(Role::Delivery, Some("PS-RAMALLAH-1"), None).await;
    let customs = a.token(Role::Customs, Some("PSRMHA"), None).await;
    let mut recording = Recording {
        recorded: Vec::with_capacity(plan_len),
        calls: Vec::with_capacity(plan_len),
    };
    for (path, step, _) in SCAN_STEPS {
        for (receptacle, items) in receptacles {
            for s10 in items {
                let started = Instant::now();
                if path == "found" {
                    call_ok(
                        &a.router,
                        &oe,
                        Method::POST,
                        &format!("/api/v1/exchange/receptacles/{receptacle}/found-items"),
                        json!({ "s10": s10.to_string() }),
                    )
                    .await;
                } else {
                    let token = if path.starts_with("/api/v1/delivery") {
                        &delivery
                    } else if path.contains("import-customs") {
                        &customs
                    } else {
                        &oe
                    };
                    let mut body = json!({ "s10": s10.to_string(), "step": step });
                    if step == "delivered" {
                        body["signatory"] = json!("أحمد خليل");
                    }
                    call_ok(&a.router, token, Method::POST, path, body).await;
                }
                let done = Instant::now();
                recording.recorded.push(done);
                recording.calls.push((done - started, 1));
                progress
                    .recorded
                    .store(recording.recorded.len(), Ordering::Release);
            }
        }
    }
    recording
}

/// The transit producer on Jordan's node: each receptacle scanned on arrival (`EMJ` for its
/// items), then the dispatch sent on (`EMK` for all of them).
async fn receptacle_producer(
    a: &Node,
    receptacles: &[(String, Vec<S10Id>)],
    plan_len: usize,
    progress: &Progress,
) -> Recording {
    let oe = a.token(Role::OeOperator, Some("JOAMMA"), None).await;
    let mut recording = Recording {
        recorded: Vec::with_capacity(plan_len),
        calls: Vec::new(),
    };
    let mut dispatch = None;
    let record = |recording: &mut Recording, started: Instant, events: usize| {
        let done = Instant::now();
        recording.recorded.extend(std::iter::repeat_n(done, events));
        recording.calls.push((done - started, events));
        progress
            .recorded
            .store(recording.recorded.len(), Ordering::Release);
    };
    for (s9, items) in receptacles {
        let started = Instant::now();
        let received = call_ok(
            &a.router,
            &oe,
            Method::POST,
            "/api/v1/exchange/receptacle-arrivals",
            json!({ "s9": s9 }),
        )
        .await;
        // The S8 ID of the dispatch the receptacle belongs to, from its S9 ID.
        dispatch = received["s9"]
            .as_str()
            .map(|s9| barid_core::ReceptacleId::parse(s9).unwrap().dispatch);
        record(&mut recording, started, items.len());
    }
    let started = Instant::now();
    call_ok(
        &a.router,
        &oe,
        Method::POST,
        &format!("/api/v1/exchange/dispatches/{}/forward", dispatch.unwrap()),
        json!({}),
    )
    .await;
    let rest = plan_len - recording.recorded.len();
    record(&mut recording, started, rest);
    recording
}

/// B's events reported by A, in the order B stored them: their S10 IDs and milestones.
async fn stored_order(b: &Node, a: CountryCode) -> Vec<(String, String)> {
    use sqlx::Row;
    sqlx::query(
        "SELECT i.s10 AS s10, e.milestone AS milestone FROM item_events e \
         JOIN items i ON i.id = e.item_id WHERE e.operator = 'EG' AND e.reported_by = $1 \
         ORDER BY e.id",
    )
    .bind(a.as_str())
    .fetch_all(b.sql.reader())
    .await
    .unwrap()
    .iter()
    .map(|row| {
        (
            row.try_get::<String, _>("s10").unwrap(),
            row.try_get::<String, _>("milestone").unwrap(),
        )
    })
    .collect()
}

/// What a replay of B's receive path took.
#[derive(Debug, Clone, Copy)]
struct Replayed {
    /// `insert_inbox_all`, a batch of up to 1,000 messages in one transaction.
    stored: Duration,
    /// `inbox::apply_from` for all of them.
    applied: Duration,
    /// The process's CPU time over both (nothing else runs meanwhile).
    cpu: Duration,
}

/// B's receive path by hand, on its own database: `messages` EMSEVTs of `per_message` events
/// each from `sender`, numbered after what B has from it, stored in the inbox a batch at a time
/// (as `receive` does), then applied with `inbox::apply_from`.
async fn replay_on_b(
    b: &Node,
    sender: CountryCode,
    items: &[S10Id],
    messages: usize,
    per_message: usize,
) -> Replayed {
    let reference = ReferenceData::embedded().unwrap();
    let milestone = Milestone::HeldInwardOffice;
    let code = reference.code_for(milestone).unwrap();
    let at = now();
    let first = b
        .store
        .inbox_settled_through(cc("EG"), sender)
        .await
        .unwrap()
        + 1;
    let mut inbox = Vec::with_capacity(messages);
    let mut next = items.iter().cycle();
    for sequence in first..first + messages as i64 {
        let events = (0..per_message)
            .map(|n| TrackingEvent {
                s10: *next.next().unwrap(),
                code,
                milestone,
                at: at + time::Duration::milliseconds(n as i64),
                office: site("JOAMMA"),
                reason: None,
                next_action: None,
                signatory: None,
                note: None,
            })
            .collect();
        let message = barid_web::exchange_messages::emsevt(sender, cc("EG"), events, at)
            .unwrap()
            .remove(0);
        let body = BaridJsonV1
            .with_sequence(message.body.as_bytes(), sequence as u64)
            .unwrap();
        inbox.push(NewInboxMessage {
            message_id: message.message_id,
            recipient: cc("EG"),
            sender,
            sequence,
            message_type: message.message_type,
            version: message.version,
            body: String::from_utf8(body).unwrap(),
            received_at: at,
        });
    }
    let cpu_before = cpu_time();
    let started = Instant::now();
    for batch in inbox.chunks(barid_web::partner_exchange::MAX_BATCH_MESSAGES) {
        b.store.insert_inbox_all(batch).await.unwrap();
    }
    let stored = started.elapsed();
    let started = Instant::now();
    let outcomes = barid_web::inbox::apply_from(b.store.as_ref(), &reference, cc("EG"), sender, at)
        .await
        .unwrap();
    let applied = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu_before);
    assert_eq!(outcomes.len(), messages);
    assert!(
        outcomes
            .iter()
            .all(|(_, outcome)| *outcome == barid_web::inbox::Outcome::Applied),
        "{outcomes:?}"
    );
    Replayed {
        stored,
        applied,
        cpu,
    }
}

/// This process's CPU time so far, user and system (from `/proc/self/stat`, in the kernel's
/// 100 Hz ticks).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|field| field.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // After the name: state is field 3, utime field 14, stime field 15.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// The whole machine's busy CPU time so far, every process (from `/proc/stat`, 100 Hz
/// ticks): with [`cpu_time`] it tells what else ran meanwhile.
fn machine_busy() -> Duration {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|field| field.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal ...: all but idle and iowait.
    let busy: u64 = ticks
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != 3 && *index != 4)
        .map(|(_, ticks)| ticks)
        .sum();
    Duration::from_millis(busy * 10)
}

fn print_replay(label: &str, replayed: Replayed, messages: usize, per_message: usize) {
    let events = messages * per_message;
    let both = replayed.stored + replayed.applied;
    println!(
        "| {label} | {} | {} | {} | {:.0} | {:.2} |",
        us(replayed.stored / messages as u32),
        us(replayed.applied / events as u32),
        us(both / events as u32),
        events as f64 / both.as_secs_f64(),
        replayed.cpu.as_secs_f64() / both.as_secs_f64()
    );
}

async fn run(unit: Unit, events: usize, poll: Duration, tick: Duration) {
    let items = events.div_ceil(unit.events_per_item());
    let a_code = cc(unit.node_a());
    println!(
        "\n## unit `{}`: {items} items, {} events, A = {} → B = EG",
        unit.name(),
        items * unit.events_per_item(),
        unit.node_a()
    );
    let setup = Instant::now();
    let b = Node::start("EG").await;
    let a = Node::start(unit.node_a()).await;
    b.link_to(&a).await;
    a.link_to(&b).await;
    let dispatch = egypt_dispatches(&b, items).await;
    let receptacles: Vec<(String, Vec<S10Id>)> = dispatch["receptacles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|receptacle| {
            let s9 = receptacle["s9"].as_str().unwrap().to_owned();
            let items = receptacle["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| S10Id::parse(item["s10"].as_str().unwrap()).unwrap())
                .collect();
            (s9, items)
        })
        .collect();
    // Egypt's dispatcher sends the PREDES (and, to Palestine, the ITMATT) to node A; the
    // messages for the third post stay in Egypt's outbox, as it has no endpoint here.
    let sent = PartnerDispatcher::new(Duration::from_secs(600))
        .unwrap()
        .deliver(b.store.as_ref(), now())
        .await
        .unwrap();
    assert!(sent.delivered >= 1 && sent.failed == 0, "{sent:?}");
    let s8 = barid_core::DispatchId::parse(dispatch["s8"].as_str().unwrap()).unwrap();
    assert!(
        a.store
            .expected_dispatch(a_code, &s8)
            .await
            .unwrap()
            .is_some(),
        "{} expects the dispatch",
        unit.node_a()
    );
    let all_items: Vec<S10Id> = receptacles
        .iter()
        .flat_map(|(_, items)| items.iter().copied())
        .collect();
    let plan: Vec<Planned> = match unit {
        Unit::Scan => SCAN_STEPS
            .iter()
            .flat_map(|(_, _, milestone)| {
                all_items.iter().map(|s10| Planned {
                    s10: *s10,
                    milestone: *milestone,
                })
            })
            .collect(),
        Unit::Receptacle => [
            Milestone::ArrivedTransitOffice,
            Milestone::DepartedTransitOffice,
        ]
        .iter()
        .flat_map(|milestone| {
            all_items.iter().map(|s10| Planned {
                s10: *s10,
                milestone: *milestone,
            })
        })
        .collect(),
    };
    // Palestine's inward office scans each receptacle in on arrival (no event is reported for
    // that), so that its items can be found in them.
    let mut found_in = Vec::new();
    if unit == Unit::Scan {
        let oe = a.token(Role::OeOperator, Some("PSRMHA"), None).await;
        assert!(a.store.item(a_code, &all_items[0]).await.unwrap().is_some());
        for (s9, items) in &receptacles {
            let received = call_ok(
                &a.router,
                &oe,
                Method::POST,
                "/api/v1/exchange/receptacle-arrivals",
                json!({ "s9": s9 }),
            )
            .await;
            found_in.push((received["id"].as_i64().unwrap(), items.clone()));
        }
    }
    println!(
        "setup {:.1} s (items, {} receptacle(s), dispatch closing, PREDES/ITMATT to A over HTTP)",
        setup.elapsed().as_secs_f64(),
        receptacles.len()
    );

    let progress = Progress {
        recorded: AtomicUsize::new(0),
        finished: AtomicBool::new(false),
    };
    let load_before = load_average();
    let cpu_before = cpu_time();
    let machine_before = machine_busy();
    let started = Instant::now();
    let producer = async {
        match unit {
            Unit::Scan => scan_producer(&a, &found_in, plan.len(), &progress).await,
            Unit::Receptacle => receptacle_producer(&a, &receptacles, plan.len(), &progress).await,
        }
    };
    let ((recording, produced_at), passes, (seen, reads)) = tokio::join!(
        async {
            let recording = producer.await;
            (recording, Instant::now())
        },
        dispatch_loop(&a, &progress, tick),
        watch(&b, a_code, &plan, &progress, poll),
    );
    let cpu_window = cpu_time().saturating_sub(cpu_before);
    let machine_window = machine_busy().saturating_sub(machine_before);
    let window_wall = started.elapsed();
    let load_after = load_average();
    assert_eq!(recording.recorded.len(), plan.len());

    // Checks: B stored every event once, in recording order, and its tracking shows them.
    let order = stored_order(&b, a_code).await;
    assert_eq!(order.len(), plan.len(), "every event stored on B once");
    // Each item's events in the order A recorded them (a run settled together stores them
    // item by item, so the order across items is not kept, and need not be).
    let mut stored_per_item: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for (s10, milestone) in &order {
        stored_per_item
            .entry(s10.clone())
            .or_default()
            .push(milestone.clone());
    }
    let mut planned_per_item: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for planned in &plan {
        planned_per_item
            .entry(planned.s10.to_string())
            .or_default()
            .push(planned.milestone.as_str().to_owned());
    }
    let out_of_order = planned_per_item
        .iter()
        .filter(|(s10, planned)| stored_per_item.get(*s10) != Some(*planned))
        .count();
    for s10 in &all_items {
        let tracked = b.store.tracked_item(s10).await.unwrap().unwrap();
        let reported = tracked
            .events
            .iter()
            .filter(|event| event.reported_by == Some(a_code))
            .count();
        assert_eq!(reported, unit.events_per_item(), "{s10}");
    }
    let outbox_left = a
        .store
        .pending_outbox(a_code, cc("EG"), now(), 10)
        .await
        .unwrap()
        .len();

    let first = recording.recorded[0];
    let last_visible = *seen.last().unwrap();
    let window = last_visible - first;
    let total = plan.len();
    let rate = total as f64 / window.as_secs_f64();
    let mut latencies: Vec<Duration> = seen
        .iter()
        .zip(&recording.recorded)
        .map(|(visible, recorded)| visible.saturating_duration_since(*recorded))
        .collect();
    latencies.sort();
    // Sustained: the rate at which events became visible between the 10th and 90th
    // percentile of the run, away from its start and its tail.
    let (p10, p90) = (total / 10, total * 9 / 10);
    let sustained = (p90 - p10) as f64 / (seen[p90] - seen[p10]).as_secs_f64().max(1e-9);
    let recording_time = produced_at - started;
    let mut call_times: Vec<Duration> = recording.calls.iter().map(|(took, _)| *took).collect();
    call_times.sort();
    let call_total: Duration = call_times.iter().sum();
    let messages: usize = passes.iter().map(|pass| pass.sent.delivered).sum();
    let failed: usize = passes.iter().map(|pass| pass.sent.failed).sum();
    let pass_total: Duration = passes.iter().map(|pass| pass.took).sum();
    let largest = passes
        .iter()
        .map(|pass| pass.sent.delivered)
        .max()
        .unwrap_or(0);
    let b_requests = b.requests.took.lock().unwrap().clone();
    let b_total: Duration = b_requests.iter().sum();

    println!(
        "load average before / after: {load_before} / {load_after}; this process used {:.2} cores meanwhile ({:.1} s CPU in {:.1} s), other processes {:.2}",
        cpu_window.as_secs_f64() / window_wall.as_secs_f64(),
        cpu_window.as_secs_f64(),
        window_wall.as_secs_f64(),
        machine_window.saturating_sub(cpu_window).as_secs_f64() / window_wall.as_secs_f64()
    );
    println!(
        "**{rate:.0} events/s** end to end ({total} events from the first recorded on A to the last visible on B in {:.2} s); sustained (10th to 90th percentile of visibility) {sustained:.0} events/s",
        window.as_secs_f64()
    );
    println!(
        "recorded → visible: median {}, p90 {}, p99 {}, max {} (watcher: {reads} tracking reads, {:.0}/s, poll every {})",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 90.0)),
        ms(percentile(&latencies, 99.0)),
        ms(*latencies.last().unwrap()),
        reads as f64 / window.as_secs_f64(),
        ms(poll)
    );
    println!(
        "items whose events B stored out of recording order: {out_of_order}; outbox left on A: {outbox_left}; failed sends: {failed}"
    );
    println!(
        "| where | what | time | share of the {:.2} s |",
        window.as_secs_f64()
    );
    println!("|---|---|---|---|");
    println!(
        "| A, recording | {} calls ({:.0} events/s recorded), each p50 {} / p99 {} / max {} | {:.2} s in calls, producer done after {:.2} s | {:.0} % |",
        recording.calls.len(),
        total as f64 / recording_time.as_secs_f64(),
        ms(percentile(&call_times, 50.0)),
        ms(percentile(&call_times, 99.0)),
        ms(*call_times.last().unwrap()),
        call_total.as_secs_f64(),
        recording_time.as_secs_f64(),
        100.0 * call_total.as_secs_f64() / window.as_secs_f64()
    );
    println!(
        "| A, dispatcher | {} passes that sent, {messages} messages ({:.1} a batch on average, largest {largest}) | {:.2} s in passes | {:.0} % |",
        passes.len(),
        messages as f64 / passes.len().max(1) as f64,
        pass_total.as_secs_f64(),
        100.0 * pass_total.as_secs_f64() / window.as_secs_f64()
    );
    println!(
        "| B, `POST {PATH}` | {} requests, mean {} | {:.2} s answering | {:.0} % |",
        b_requests.len(),
        ms(b_total / b_requests.len().max(1) as u32),
        b_total.as_secs_f64(),
        100.0 * b_total.as_secs_f64() / window.as_secs_f64()
    );
    println!(
        "| A's side of a send | outbox read, numbering, HTTP on loopback, marking delivered (passes − B's answers) | {:.2} s | {:.0} % |",
        pass_total.saturating_sub(b_total).as_secs_f64(),
        100.0 * pass_total.saturating_sub(b_total).as_secs_f64() / window.as_secs_f64()
    );

    // B's answer split by hand: store in the inbox, then apply, for messages of this unit's
    // shape (one event each for scans, a receptacle's 200 for the transit office); then the
    // same with B's writer at `synchronous = NORMAL` (no fsync at each commit), to see what
    // the fsyncs cost.
    let (replay_sender, count, per_message) = match unit {
        Unit::Scan => (cc("JO"), 1000, 1),
        Unit::Receptacle => (cc("PS"), 10, RECEPTACLE_ITEMS),
    };
    println!(
        "B's receive path replayed on its database: {count} EMSEVTs of {per_message} event(s), stored with insert_inbox_all a batch at a time, then apply_from; nothing else running in the process"
    );
    println!(
        "| B's writer | insert_inbox_all, a message | apply_from an event | both, an event | events/s | cores busy |"
    );
    println!("|---|---|---|---|---|---|");
    let full = replay_on_b(&b, replay_sender, &all_items, count, per_message).await;
    print_replay(
        "`synchronous = FULL` (as shipped)",
        full,
        count,
        per_message,
    );
    sqlx::query("PRAGMA synchronous = NORMAL")
        .execute(b.sql.writer())
        .await
        .unwrap();
    let normal = replay_on_b(&b, replay_sender, &all_items, count, per_message).await;
    print_replay(
        "`synchronous = NORMAL` (experiment)",
        normal,
        count,
        per_message,
    );
    sqlx::query("PRAGMA synchronous = FULL")
        .execute(b.sql.writer())
        .await
        .unwrap();
}

fn main() {
    let events = env_number("BARID_BENCH_EVENTS", 20_000) as usize;
    let poll = Duration::from_millis(env_number("BARID_BENCH_POLL_MS", 1));
    let tick = Duration::from_millis(env_number("BARID_BENCH_TICK_MS", 0));
    let units: Vec<Unit> = std::env::var("BARID_BENCH_UNITS")
        .unwrap_or_else(|_| "scan,receptacle".to_owned())
        .split(',')
        .filter_map(|unit| match unit.trim() {
            "scan" => Some(Unit::Scan),
            "receptacle" => Some(Unit::Receptacle),
            _ => None,
        })
        .collect();
    println!(
        "# partner exchange throughput: {events} events per unit, poll {poll:?}, dispatcher tick {}; {} cores; load average {}",
        if tick.is_zero() {
            "continuous".to_owned()
        } else {
            format!("{tick:?}")
        },
        std::thread::available_parallelism()
            .map(|cores| cores.get())
            .unwrap_or(0),
        load_average()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for unit in units {
            run(unit, events, poll, tick).await;
        }
    });
}
