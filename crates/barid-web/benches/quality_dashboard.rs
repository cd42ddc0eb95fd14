//! The quality-of-service dashboard of one agreement over a year of traffic: Egypt's node, the
//! Egypt–Palestine demo agreement (`Agreement::demo()`), 1,000,000 items Egypt → Palestine
//! posted over the 12 calendar months before the bench's clock (fixed at the last evening of
//! the 12th month), then, timed, the figures of the last month through the real router in
//! process (SQLite on disk, the shipped connection settings):
//!
//! - `GET /api/v1/agreements/{id}/quality?month=` (the JSON a dashboard is drawn from);
//! - `GET /agreements/{id}/quality?month=` (the HTML dashboard, Arabic, with a session cookie);
//! - `GET /api/v1/quality?month=` (the network overview: every agreement of Egypt's);
//! - `GET /api/v1/agreements/{id}/quality/items?...&figure=late` (one drill-down to S10 IDs);
//!
//! each twice to warm up, then 20 rounds (`BARID_BENCH_RUNS`) of the four one after the other,
//! so that whatever else the machine does falls on all alike: min / median / p95 / max. Then
//! the store reads and the tally behind one way of the agreement's figures, each timed on its
//! own (with the SQL of the counts read split into finding the rows, packing them as JSON and
//! decoding them), to show where the time goes. Nothing is asserted about time.
//!
//! `cargo bench -p barid-web --bench quality_dashboard`. Settings, all optional:
//!
//! | variable | default | what |
//! |---|---|---|
//! | `BARID_BENCH_ITEMS` | `1000000` | items Egypt → Palestine over the 12 months |
//! | `BARID_BENCH_SAMPLE` | `2000` | items also loaded through the store's own path, to check the bulk load |
//! | `BARID_BENCH_RUNS` | `20` | timed requests of each kind, after 2 warm-ups |
//!
//! **How the year is loaded.** Recording a year of events through the store (about 10
//! million events at about 10,000 events/s) would take over a quarter of an hour, so the bench
//! writes, in bulk, the rows the store's incremental path would have written: for every item
//! its journey's events (`LifecycleEvent`s), its timeline from them (`Timeline::of`, as
//! `quality::track` builds it), the item's `item_quality` row (the timeline JSON exactly as
//! `barid-store`'s `timeline_text` writes it, the posting day, outcome and last step), and its
//! contributions (`Timeline::contributions`, whose differences are what `count_changes`
//! writes) added up per (service indicator, count key) into `quality_counts`. SQLite enforces
//! foreign keys on the store's connections, so each item also gets a minimal `items` row (its
//! S10 ID, service, status and leg from `lifecycle::replay`; no parties, customs declaration
//! or events: the dashboard reads none of them). The rows go in with one `INSERT ... SELECT
//! ... FROM json_each($1)` per 5,000 items, a transaction each, generated on one thread while
//! SQLite writes on another.
//!
//! **The cross-check.** A sample of the items (every N-th, so all months, services and
//! outcomes) is also loaded into a second fresh store through the real path: `create_items`
//! with the posting event, then `settle_inbox` with the rest of each journey, as the inbox
//! applies partners' events. Its `quality_counts` (the rows with anything in them) must equal
//! the bulk computation for the same items, and its `item_quality` rows must equal the bulk
//! rows byte for byte; otherwise the bench stops before measuring anything.
//!
//! **The journeys.** Three services by S10 prefix: `EE` (EMS, a quarter of the items, through
//! Cairo's EMS office EGCAIF), `RR` (registered, half) and `CP` (parcels, a quarter) through
//! EGCAIA; posted at Cairo counters on Egyptian working days (Sunday to Thursday) in office
//! hours; each is accepted, arrives at the outward office, leaves, passes Amman in closed
//! transit (arrival and departure), arrives at Ramallah, is presented to customs (10 % held,
//! of which 5 % never released), released, sent on and delivered (3 % refused and sent back).
//! 0.5 % stop after leaving Egypt and 1 % at Ramallah's door (stuck); events after the clock
//! have not happened yet, so the last days' items are in flight. Transit is slow in the last
//! two months, as in `barid demo`. Times are local (Egypt and Palestine in summer time from
//! late April / late March to late October, Jordan +03:00 all year). A fixed xorshift seed
//! makes every run load the same year.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod measure;
use measure::{env_number, load_average, ms, percentile};

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use barid_core::lifecycle::{self, EventSource, ItemStatus, LifecycleEvent};
use barid_core::quality::{CountKey, Timeline, WorkingCalendar, tally_of_counts};
use barid_core::{
    Agreement, AgreementTerms, Currency, Grams, Milestone, NextAction, ReasonCode, ReferenceData,
    Role, S10Id, ServiceIndicator,
};
use barid_store::Store;
use barid_store::contract::world::{self, cc, cli, site};
use barid_store::model::*;
use barid_store::sql::SqlStore;
use barid_web::auth::secret::{hash_secret, random_secret};
use barid_web::clock::FixedClock;
use barid_web::quality::{TREND_MONTHS, YearMonth};
use barid_web::{AppState, Config, build_router, new_api_token};
use serde::Serialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset, Weekday};
use tower::ServiceExt;

/// The bench's clock: 23:00 in Cairo on the last day of the 12 months.
const NOW: OffsetDateTime = datetime!(2026-11-30 21:00 UTC);
/// The 12 months of posting: December 2025 to November 2026.
const FIRST_DAY: Date = date!(2025 - 12 - 01);
const LAST_DAY: Date = date!(2026 - 11 - 30);
const MONTH: &str = "2026-11";
/// Items per bulk statement and transaction.
const CHUNK: usize = 5_000;
const WARM_UPS: usize = 2;

// --- the journeys --------------------------------------------------------------------------

/// A small, fixed pseudo-random sequence (xorshift), so every run loads the same year.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Between `low` and `high` hours, to the minute.
    fn hours(&mut self, (low, high): (i64, i64)) -> time::Duration {
        let span = u64::try_from(((high - low) * 60).max(1)).unwrap();
        time::Duration::minutes(low * 60 + i64::try_from(self.next() % span).unwrap())
    }

    /// True `per_mille` ‰ of the time.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }
}

/// How a service travels: hours for each stage, at best and at worst.
struct Kind {
    indicator: &'static str,
    outward_office: &'static str,
    weight_grams: (i64, i64),
    arrive: (i64, i64),
    depart: (i64, i64),
    /// Each of the three pieces of the closed transit through Amman.
    transit_piece: (i64, i64),
    customs: (i64, i64),
    held: (i64, i64),
    depart_inward: (i64, i64),
    deliver: (i64, i64),
}

const KINDS: [Kind; 3] = [
    Kind {
        indicator: "EE",
        outward_office: "EGCAIF",
        weight_grams: (100, 5_000),
        arrive: (1, 10),
        depart: (3, 18),
        transit_piece: (6, 20),
        customs: (2, 20),
        held: (24, 96),
        depart_inward: (2, 10),
        deliver: (8, 50),
    },
    Kind {
        indicator: "RR",
        outward_office: "EGCAIA",
        weight_grams: (20, 2_000),
        arrive: (3, 26),
        depart: (6, 40),
        transit_piece: (10, 27),
        customs: (6, 40),
        held: (24, 120),
        depart_inward: (3, 20),
        deliver: (20, 90),
    },
    Kind {
        indicator: "CP",
        outward_office: "EGCAIA",
        weight_grams: (500, 20_000),
        arrive: (4, 30),
        depart: (12, 72),
        transit_piece: (16, 40),
        customs: (12, 60),
        held: (48, 168),
        depart_inward: (6, 24),
        deliver: (24, 120),
    },
];

/// A quarter EMS, half registered, a quarter parcels.
fn kind_of(n: usize) -> &'static Kind {
    match n % 4 {
        0 => &KINDS[0],
        3 => &KINDS[2],
        _ => &KINDS[1],
    }
}

fn hours(offset: i8) -> UtcOffset {
    UtcOffset::from_hms(offset, 0, 0).unwrap()
}

/// The local time at an office: Egypt and Palestine keep summer time (UTC+3) from late
/// April and late March to late October, Jordan is UTC+3 all year.
fn local(at: OffsetDateTime, office: &str) -> OffsetDateTime {
    let utc = at.to_offset(UtcOffset::UTC);
    let summer = |from: OffsetDateTime, until: OffsetDateTime| utc >= from && utc < until;
    let offset = if office.starts_with("JO") {
        3
    } else if office.starts_with("PS") {
        if summer(
            datetime!(2026-03-27 22:00 UTC),
            datetime!(2026-10-23 22:00 UTC),
        ) {
            3
        } else {
            2
        }
    } else if summer(
        datetime!(2026-04-23 22:00 UTC),
        datetime!(2026-10-29 21:00 UTC),
    ) {
        3
    } else {
        2
    };
    utc.to_offset(hours(offset))
}

#[derive(Debug, Clone)]
struct Step {
    milestone: Milestone,
    at: OffsetDateTime,
    office: &'static str,
    next_action: Option<NextAction>,
}

struct Journey {
    steps: Vec<Step>,
}

impl Journey {
    /// Adds the step if it happened by the clock; answers whether it did.
    fn step(
        &mut self,
        milestone: Milestone,
        at: OffsetDateTime,
        office: &'static str,
        next_action: Option<NextAction>,
    ) -> bool {
        if at > NOW {
            return false;
        }
        self.steps.push(Step {
            milestone,
            at: local(at, office),
            office,
            next_action,
        });
        true
    }
}

/// Every event of one item's outbound journey up to the clock, the posting first.
fn journey(kind: &Kind, draw: &mut Draw, posted: OffsetDateTime) -> Vec<Step> {
    use Milestone as M;
    let mut journey = Journey { steps: Vec::new() };
    journey.step(M::Posted, posted, "EG-CAIRO-1", None);
    // The slow months of the Amman transit, as in `barid demo`.
    let slow = posted >= datetime!(2026-10-01 00:00 +03:00);
    let mut at = posted + draw.hours(kind.arrive);
    if !journey.step(M::ArrivedOutwardOffice, at, kind.outward_office, None) {
        return journey.steps;
    }
    at += draw.hours(kind.depart);
    if !journey.step(M::DepartedOutwardOffice, at, kind.outward_office, None) || draw.chance(5) {
        return journey.steps;
    }
    let mut transit = || {
        let piece = draw.hours(kind.transit_piece);
        if slow {
            piece + draw.hours((15, 30))
        } else {
            piece
        }
    };
    at += transit();
    if !journey.step(M::ArrivedTransitOffice, at, "JOAMMA", None) {
        return journey.steps;
    }
    at += transit();
    if !journey.step(M::DepartedTransitOffice, at, "JOAMMA", None) {
        return journey.steps;
    }
    at += transit();
    if !journey.step(M::ArrivedInwardOffice, at, "PSRMHA", None) || draw.chance(10) {
        return journey.steps;
    }
    at += draw.hours((1, 4));
    if !journey.step(M::PresentedImportCustoms, at, "PSRMHA", None) {
        return journey.steps;
    }
    if draw.chance(100) {
        at += draw.hours((2, 8));
        if !journey.step(M::HeldImportCustoms, at, "PSRMHA", None) || draw.chance(50) {
            return journey.steps;
        }
        at += draw.hours(kind.held);
    } else {
        at += draw.hours(kind.customs);
    }
    if !journey.step(M::ReleasedImportCustoms, at, "PSRMHA", None) {
        return journey.steps;
    }
    at += draw.hours(kind.depart_inward);
    if !journey.step(M::DepartedInwardOffice, at, "PSRMHA", None) {
        return journey.steps;
    }
    at += draw.hours(kind.deliver);
    if draw.chance(30) {
        journey.step(
            M::DeliveryAttemptFailed,
            at,
            "PSRMHB",
            Some(NextAction::ReturnToSender),
        );
    } else {
        journey.step(M::Delivered, at, "PSRMHB", None);
    }
    journey.steps
}

fn by_partner(step: &Step) -> bool {
    !step.office.starts_with("EG")
}

fn lifecycle_events(steps: &[Step]) -> Vec<LifecycleEvent> {
    steps
        .iter()
        .map(|step| LifecycleEvent {
            milestone: step.milestone,
            at: step.at,
            next_action: step.next_action,
            source: if by_partner(step) {
                EventSource::Partner
            } else {
                EventSource::Local
            },
        })
        .collect()
}

/// The events as the store records them (the inbox's partner events and Egypt's own).
fn new_event(reference: &ReferenceData, step: &Step) -> NewEvent {
    let partner = by_partner(step);
    NewEvent {
        code: reference.code_for(step.milestone).unwrap(),
        milestone: step.milestone,
        at: step.at,
        office: site(step.office),
        reason: step.next_action.map(|_| ReasonCode::parse("04").unwrap()),
        next_action: step.next_action,
        signatory: None,
        note: None,
        source: if partner {
            EventSource::Partner
        } else {
            EventSource::Local
        },
        reported_by: partner.then(|| cc(&step.office[..2])),
        collected: None,
    }
}

/// Egypt's working days (Sunday to Thursday) of the 12 months.
fn posting_days() -> Vec<Date> {
    let mut days = Vec::new();
    let mut day = FIRST_DAY;
    while day <= LAST_DAY {
        if !matches!(day.weekday(), Weekday::Friday | Weekday::Saturday) {
            days.push(day);
        }
        day = day.next_day().unwrap();
    }
    days
}

/// Item `n` of `total`: spread evenly over the working days, 09:00 to 16:00 in Cairo.
fn posting_time(days: &[Date], n: usize, total: usize, draw: &mut Draw) -> OffsetDateTime {
    let day = days[n * days.len() / total];
    let summer = (date!(2026 - 04 - 24)..=date!(2026 - 10 - 29)).contains(&day);
    let nine = PrimitiveDateTime::new(day, time::Time::from_hms(9, 0, 0).unwrap())
        .assume_offset(hours(if summer { 3 } else { 2 }));
    nine + draw.hours((0, 7))
}

// --- the rows the store writes ---------------------------------------------------------------

/// `item_quality.timeline` as `barid-store`'s `timeline_text` writes it (the same fields in
/// the same order; the cross-check compares the text).
#[derive(Serialize)]
struct StoredTimeline {
    firsts: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    returned_at: Option<String>,
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap()
}

fn micros(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos().div_euclid(1000)).unwrap()
}

fn day_number(date: Date) -> i64 {
    i64::from(date.to_julian_day())
}

fn timeline_text(timeline: &Timeline) -> String {
    serde_json::to_string(&StoredTimeline {
        firsts: timeline
            .firsts()
            .iter()
            .map(|(milestone, at)| (milestone.as_str().to_owned(), rfc3339(*at)))
            .collect(),
        returned_at: timeline.returned_at.map(rfc3339),
    })
    .unwrap()
}

/// `item_quality`'s columns after the item's ID, as the store's `timeline_row` fills them:
/// s10, service, posted_day, outcome, last_milestone, last_at_utc, timeline.
fn quality_row(s10: &str, indicator: &str, timeline: &Timeline) -> Vec<Value> {
    let last = timeline.last();
    vec![
        Value::from(s10),
        Value::from(indicator),
        timeline
            .first(Milestone::Posted)
            .map_or(Value::Null, |posted| Value::from(day_number(posted.date()))),
        Value::from(QualityOutcome::of(timeline).as_str()),
        last.map_or(Value::Null, |(milestone, _)| {
            Value::from(milestone.as_str())
        }),
        last.map_or(Value::Null, |(_, at)| Value::from(micros(at))),
        Value::from(timeline_text(timeline)),
    ]
}

/// Counts per (service indicator, key): items and seconds.
type Counts = HashMap<(&'static str, CountKey), (i64, i64)>;

fn add_contributions(counts: &mut Counts, indicator: &'static str, timeline: &Timeline) {
    for row in timeline.contributions() {
        let entry = counts.entry((indicator, row.key)).or_default();
        entry.0 += row.items;
        entry.1 += row.seconds;
    }
}

/// A count as the `quality_counts` columns after the route hold it: service, posted_day,
/// metric, start_day, end_day, items, seconds.
type CountColumns = (String, i64, String, i64, i64, i64, i64);

fn count_columns(counts: &Counts) -> Vec<CountColumns> {
    let mut rows: Vec<CountColumns> = counts
        .iter()
        .filter(|(_, (items, seconds))| *items != 0 || *seconds != 0)
        .map(|((indicator, key), (items, seconds))| {
            (
                (*indicator).to_owned(),
                day_number(key.posted_on),
                key.metric.as_str().to_owned(),
                day_number(key.start),
                day_number(key.end),
                *items,
                *seconds,
            )
        })
        .collect();
    rows.sort();
    rows
}

/// An item of the sample, to load again through the store's own path.
struct SampleItem {
    s10: S10Id,
    weight: i64,
    steps: Vec<Step>,
    /// Its `item_quality` row from the bulk computation (after the item ID).
    quality: Vec<Value>,
}

/// What the generator thread made besides the rows it sent.
struct Generated {
    counts: Counts,
    sample: Vec<SampleItem>,
    sample_counts: Counts,
    events: usize,
    busy: Duration,
}

/// Two packed statements' worth of rows: `items`, then `item_quality`.
struct Packed {
    items: String,
    quality: String,
    rows: usize,
}

/// Makes every item's rows, `CHUNK` items at a time, and sends them to the writer.
fn generate(
    total: usize,
    sample_every: usize,
    sender: tokio::sync::mpsc::Sender<Packed>,
) -> Generated {
    let started = Instant::now();
    let mut waited = Duration::ZERO;
    let days = posting_days();
    let mut draw = Draw(0x9E37_79B9_7F4A_7C15);
    let mut counts = Counts::new();
    let mut sample_counts = Counts::new();
    let mut sample = Vec::new();
    let mut serials = [0u32; 3];
    let mut events = 0;
    let mut items_rows = Vec::with_capacity(CHUNK);
    let mut quality_rows = Vec::with_capacity(CHUNK);
    for n in 0..total {
        let kind = kind_of(n);
        let index = KINDS
            .iter()
            .position(|known| known.indicator == kind.indicator)
            .unwrap();
        serials[index] += 1;
        let s10 = S10Id::new(
            ServiceIndicator::parse(kind.indicator).unwrap(),
            serials[index],
            cc("EG"),
        )
        .unwrap();
        let s10_text = s10.to_string();
        let posted = posting_time(&days, n, total, &mut draw);
        let weight = kind.weight_grams.0
            + i64::try_from(draw.next() % u64::try_from(kind.weight_grams.1).unwrap()).unwrap();
        let steps = journey(kind, &mut draw, posted);
        events += steps.len();
        let history = lifecycle_events(&steps);
        let timeline = Timeline::of(&history);
        add_contributions(&mut counts, kind.indicator, &timeline);
        let state = lifecycle::replay(&history).state;
        let id = i64::try_from(n).unwrap() + 1;
        let last_at = steps.last().map_or(posted, |step| step.at);
        items_rows.push(Value::Array(vec![
            Value::from(id),
            Value::from(s10_text.as_str()),
            Value::from(s10.service().as_str()),
            Value::from(weight),
            Value::from(state.status().as_str()),
            Value::from(state.leg().as_str()),
            Value::from(i64::try_from(steps.len()).unwrap()),
            Value::from(micros(posted)),
            Value::from(micros(last_at)),
        ]));
        let quality = quality_row(&s10_text, kind.indicator, &timeline);
        let mut row = vec![Value::from(id)];
        row.extend(quality.iter().cloned());
        quality_rows.push(Value::Array(row));
        if n % sample_every == 0 {
            add_contributions(&mut sample_counts, kind.indicator, &timeline);
            sample.push(SampleItem {
                s10,
                weight,
                steps,
                quality,
            });
        }
        if items_rows.len() == CHUNK || n + 1 == total {
            let packed = Packed {
                items: serde_json::to_string(&items_rows).unwrap(),
                quality: serde_json::to_string(&quality_rows).unwrap(),
                rows: items_rows.len(),
            };
            items_rows.clear();
            quality_rows.clear();
            let before = Instant::now();
            sender.blocking_send(packed).unwrap();
            waited += before.elapsed();
        }
    }
    Generated {
        counts,
        sample,
        sample_counts,
        events,
        busy: started.elapsed().saturating_sub(waited),
    }
}

const INSERT_ITEMS: &str = "INSERT INTO items (id, operator, s10, range_id, service, \
     origin_country, destination_country, office, weight_grams, contents, status, leg, \
     version, created_at_utc, updated_at_utc) \
     SELECT j.value ->> 0, 'EG', j.value ->> 1, NULL, j.value ->> 2, 'EG', 'PS', 'EG-CAIRO-1', \
     j.value ->> 3, 'bench', j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7, \
     j.value ->> 8 FROM json_each($1) AS j";

const INSERT_QUALITY: &str = "INSERT INTO item_quality (operator, item_id, s10, \
     origin_country, destination_country, service, posted_day, outcome, last_milestone, \
     last_at_utc, timeline) \
     SELECT 'EG', j.value ->> 0, j.value ->> 1, 'EG', 'PS', j.value ->> 2, j.value ->> 3, \
     j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7 FROM json_each($1) AS j";

const INSERT_COUNTS: &str = "INSERT INTO quality_counts (operator, origin_country, \
     destination_country, service, posted_day, metric, start_day, end_day, items, seconds) \
     SELECT 'EG', 'EG', 'PS', j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, \
     j.value ->> 4, j.value ->> 5, j.value ->> 6 FROM json_each($1) AS j";

struct Loaded {
    generated: Generated,
    writing: Duration,
    took: Duration,
}

/// The year's rows, written in bulk into `sql`.
async fn bulk_load(sql: &SqlStore, total: usize, sample_every: usize) -> Loaded {
    let started = Instant::now();
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Packed>(4);
    let generator = std::thread::spawn(move || generate(total, sample_every, sender));
    let mut writing = Duration::ZERO;
    let mut written = 0;
    while let Some(packed) = receiver.recv().await {
        let began = Instant::now();
        let mut tx = sql.writer().begin().await.unwrap();
        sqlx::query(INSERT_ITEMS)
            .bind(packed.items)
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query(INSERT_QUALITY)
            .bind(packed.quality)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        writing += began.elapsed();
        written += packed.rows;
        if written % 200_000 == 0 {
            println!(
                "  {written} items written, {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    let generated = generator.join().unwrap();
    let began = Instant::now();
    let counts = count_columns(&generated.counts);
    let mut tx = sql.writer().begin().await.unwrap();
    for chunk in counts.chunks(CHUNK) {
        let rows: Vec<Value> = chunk
            .iter()
            .map(|(service, posted, metric, start, end, items, seconds)| {
                serde_json::json!([service, posted, metric, start, end, items, seconds])
            })
            .collect();
        sqlx::query(INSERT_COUNTS)
            .bind(serde_json::to_string(&rows).unwrap())
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    writing += began.elapsed();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(sql.writer())
        .await
        .unwrap();
    Loaded {
        generated,
        writing,
        took: started.elapsed(),
    }
}

// --- the node ---------------------------------------------------------------------------------

/// Egypt's node: Egypt hosted, Palestine and Jordan as partners (`world`), Iraq and Libya too,
/// Cairo's EMS office, and Egypt's copies of its four demo agreements.
async fn egypt_node(store: &Arc<dyn Store>) {
    world::three_posts_on_the_node_of(store, "EG").await;
    for (code, name_en, name_ar, currency) in [
        ("IQ", "Iraq Post", "البريد العراقي", Currency::IQD),
        ("LY", "Libya Post", "بريد ليبيا", Currency::LYD),
    ] {
        store
            .create_operator(
                &cli(code),
                &NewOperator {
                    code: cc(code),
                    name_en: name_en.to_owned(),
                    name_ar: name_ar.to_owned(),
                    default_language: Language::Ar,
                    currency,
                    hosted: false,
                },
            )
            .await
            .unwrap();
    }
    store
        .create_office(
            &cli("EG"),
            &world::new_office("EG", "EGCAIF", Some("EGCAIF"), OfficeKind::Exchange),
        )
        .await
        .unwrap();
    for agreement in Agreement::demo().unwrap() {
        if agreement.operator() != cc("EG") {
            continue;
        }
        store
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
}

fn actor_now() -> Actor {
    Actor {
        operator: cc("EG"),
        user: None,
        token: None,
        name: "bench".to_owned(),
        office: None,
        at: NOW,
    }
}

/// The sample loaded through the store's own path into a fresh store: its counts and item
/// timelines must be the bulk computation's.
async fn cross_check(reference: &ReferenceData, generated: &Generated) -> Duration {
    let started = Instant::now();
    let (sql, _folder) = barid_store_sqlite::temporary().await.unwrap();
    let store: Arc<dyn Store> = Arc::new(sql.clone());
    egypt_node(&store).await;
    for chunk in generated.sample.chunks(500) {
        let entries: Vec<NewItemEntry> = chunk
            .iter()
            .map(|item| {
                let mut new = world::new_item(ItemIdSource::Given(item.s10));
                new.service = item.s10.service();
                new.weight = Grams::new(u32::try_from(item.weight).unwrap());
                NewItemEntry {
                    new,
                    first_event: new_event(reference, &item.steps[0]),
                    derived: world::derived(ItemStatus::Accepted),
                }
            })
            .collect();
        let created = store.create_items(&cli("EG"), &entries).await.unwrap();
        let mut settlement = InboxSettlement::default();
        for ((item, _), sample) in created.iter().zip(chunk) {
            let state = lifecycle::replay(&lifecycle_events(&sample.steps)).state;
            settlement.events.push(PlannedItemEvents {
                item: item.id,
                expected_version: item.version,
                events: sample.steps[1..]
                    .iter()
                    .map(|step| new_event(reference, step))
                    .collect(),
                derived: DerivedStatus {
                    status: state.status(),
                    leg: state.leg(),
                },
            });
        }
        store.settle_inbox(&actor_now(), &settlement).await.unwrap();
    }
    let stored: Vec<CountColumns> = sqlx::query_as(
        "SELECT service, posted_day, metric, start_day, end_day, items, seconds \
         FROM quality_counts WHERE operator = 'EG' AND origin_country = 'EG' \
         AND destination_country = 'PS' AND (items <> 0 OR seconds <> 0) \
         ORDER BY service, posted_day, metric, start_day, end_day",
    )
    .fetch_all(sql.reader())
    .await
    .unwrap();
    let mut stored = stored;
    stored.sort();
    let expected = count_columns(&generated.sample_counts);
    if stored != expected {
        let missing: Vec<_> = expected
            .iter()
            .filter(|row| !stored.contains(row))
            .collect();
        let extra: Vec<_> = stored
            .iter()
            .filter(|row| !expected.contains(row))
            .collect();
        panic!(
            "the store's own path counted differently: {} rows against {}; bulk only {:?}; store only {:?}",
            stored.len(),
            expected.len(),
            missing.iter().take(5).collect::<Vec<_>>(),
            extra.iter().take(5).collect::<Vec<_>>()
        );
    }
    type QualityColumns = (
        String,
        String,
        Option<i64>,
        String,
        Option<String>,
        Option<i64>,
        String,
    );
    let timelines: Vec<QualityColumns> = sqlx::query_as(
        "SELECT s10, service, posted_day, outcome, last_milestone, last_at_utc, timeline \
         FROM item_quality ORDER BY s10",
    )
    .fetch_all(sql.reader())
    .await
    .unwrap();
    let stored: BTreeMap<String, Value> = timelines
        .into_iter()
        .map(|(s10, service, posted, outcome, last, last_at, timeline)| {
            (
                s10.clone(),
                serde_json::json!([s10, service, posted, outcome, last, last_at, timeline]),
            )
        })
        .collect();
    let expected: BTreeMap<String, Value> = generated
        .sample
        .iter()
        .map(|item| (item.s10.to_string(), Value::Array(item.quality.clone())))
        .collect();
    assert_eq!(stored.len(), expected.len(), "item_quality rows");
    for (s10, row) in &expected {
        assert_eq!(stored.get(s10), Some(row), "item_quality of {s10}");
    }
    println!(
        "cross-check: {} items through create_items + settle_inbox ({} events) give the same {} quality_counts rows and the same item_quality rows as the bulk load ({:.1} s)",
        generated.sample.len(),
        generated
            .sample
            .iter()
            .map(|item| item.steps.len())
            .sum::<usize>(),
        expected_len(&generated.sample_counts),
        started.elapsed().as_secs_f64()
    );
    started.elapsed()
}

fn expected_len(counts: &Counts) -> usize {
    count_columns(counts).len()
}

// --- measuring --------------------------------------------------------------------------------

enum Caller {
    Token(String),
    /// A session cookie's secret.
    Session(String),
}

async fn get(router: &Router, caller: &Caller, path: &str) -> (StatusCode, Vec<u8>, Duration) {
    let mut builder = Request::builder().method(Method::GET).uri(path);
    builder = match caller {
        Caller::Token(secret) => builder.header(header::AUTHORIZATION, format!("Bearer {secret}")),
        Caller::Session(secret) => {
            builder.header(header::COOKIE, format!("barid_session={secret}"))
        }
    };
    let request = builder.body(Body::empty()).unwrap();
    let started = Instant::now();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, bytes.to_vec(), started.elapsed())
}

/// Min, median, p95 and max of `runs` timings.
fn summary(mut took: Vec<Duration>) -> String {
    took.sort();
    format!(
        "{} | {} | {} | {}",
        ms(took[0]),
        ms(percentile(&took, 50.0)),
        ms(percentile(&took, 95.0)),
        ms(took[took.len() - 1])
    )
}

/// One kind of request to time.
struct Timed<'a> {
    label: &'a str,
    caller: &'a Caller,
    path: String,
}

/// Each request `WARM_UPS` times, then `runs` rounds of all of them one after the other (so
/// that whatever else the machine does falls on all alike); the last answer of each.
async fn measure(router: &Router, requests: &[Timed<'_>], runs: usize) -> Vec<Vec<u8>> {
    let mut first = Vec::new();
    for request in requests {
        for warm_up in 0..WARM_UPS {
            let (status, body, took) = get(router, request.caller, &request.path).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{}: {}",
                request.path,
                String::from_utf8_lossy(&body)
            );
            if warm_up == 0 {
                first.push(took);
            }
        }
    }
    let mut took: Vec<Vec<Duration>> = requests.iter().map(|_| Vec::new()).collect();
    let mut last: Vec<Vec<u8>> = requests.iter().map(|_| Vec::new()).collect();
    for _ in 0..runs {
        for (index, request) in requests.iter().enumerate() {
            let (status, body, time) = get(router, request.caller, &request.path).await;
            assert_eq!(status, StatusCode::OK);
            took[index].push(time);
            last[index] = body;
        }
    }
    for (index, request) in requests.iter().enumerate() {
        println!(
            "| {} | {runs} | {} | {} | {} |",
            request.label,
            summary(took[index].clone()),
            ms(first[index]),
            last[index].len()
        );
    }
    last
}

/// Times `what` `runs` times; min, median, p95, max.
async fn time_each<F, T>(runs: usize, mut what: F) -> (String, T)
where
    F: AsyncFnMut() -> T,
{
    let mut took = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(what().await);
        took.push(started.elapsed());
    }
    (summary(took), last.unwrap())
}

/// The agreement's figures taken apart: the store reads and the tally, each on its own.
async fn where_the_time_goes(
    store: &Arc<dyn Store>,
    sql: &SqlStore,
    reference: &ReferenceData,
    terms: &AgreementTerms,
    runs: usize,
) {
    let month = YearMonth::parse(MONTH).unwrap();
    let first = month.back(TREND_MONTHS - 1);
    let scope = QualityScope {
        origin: cc("EG"),
        destination: cc("PS"),
        posted_from: first.first_day(),
        posted_until: month.last_day(),
    };
    println!();
    println!("Where the time of one direction (EG → PS) goes, each part alone, {runs} runs:");
    println!("| part | min | median | p95 | max | rows |");
    println!("|---|---|---|---|---|---|");
    let (figures, counts) = time_each(runs, async || {
        store.quality_counts(cc("EG"), &scope).await.unwrap()
    })
    .await;
    println!(
        "| `Store::quality_counts`, 12 months | {figures} | {} |",
        counts.len()
    );
    let counts_where = "FROM quality_counts WHERE operator = 'EG' AND origin_country = 'EG' \
         AND destination_country = 'PS' AND posted_day BETWEEN $1 AND $2 AND items <> 0";
    let packed = format!(
        "SELECT CAST(json_group_array(json_array(service, posted_day, metric, start_day, \
         end_day, items, seconds)) AS TEXT) AS packed {counts_where}"
    );
    let (figures, text) = time_each(runs, async || {
        let (text,): (String,) = sqlx::query_as(sqlx::AssertSqlSafe(packed.clone()))
            .bind(day_number(scope.posted_from))
            .bind(day_number(scope.posted_until))
            .fetch_one(sql.reader())
            .await
            .unwrap();
        text
    })
    .await;
    println!(
        "| … of which SQLite: the same rows folded into one JSON text, not decoded | {figures} | {} bytes |",
        text.len()
    );
    let summed = format!("SELECT COUNT(*), SUM(items) {counts_where}");
    let (figures, (rows, items)) = time_each(runs, async || {
        let summed: (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(summed.clone()))
            .bind(day_number(scope.posted_from))
            .bind(day_number(scope.posted_until))
            .fetch_one(sql.reader())
            .await
            .unwrap();
        summed
    })
    .await;
    println!(
        "| … of which finding the rows: `COUNT(*), SUM(items)` over them | {figures} | {rows} rows, {items} contributions |"
    );
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "EXPLAIN QUERY PLAN SELECT service {counts_where}"
    )))
    .bind(day_number(scope.posted_from))
    .bind(day_number(scope.posted_until))
    .fetch_all(sql.reader())
    .await
    .unwrap();
    let origin = WorkingCalendar::default_for(&cc("EG"));
    let destination = WorkingCalendar::default_for(&cc("PS"));
    let (figures, tallied) = time_each(runs, async || {
        let mut grouped: BTreeMap<(String, YearMonth), Vec<barid_core::quality::CountRow>> =
            BTreeMap::new();
        for count in &counts {
            grouped
                .entry((
                    count.service.clone(),
                    YearMonth::of(count.count.key.posted_on),
                ))
                .or_default()
                .push(count.count);
        }
        let mut tallied = 0u64;
        for target in terms.targets() {
            let indicators: Vec<String> = reference
                .service(&target.service)
                .map(|info| {
                    info.indicators
                        .iter()
                        .map(|indicator| indicator.as_str().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            for back in 0..TREND_MONTHS {
                let wanted = month.back(back);
                let rows = indicators
                    .iter()
                    .filter_map(|indicator| grouped.get(&(indicator.clone(), wanted)))
                    .flatten();
                let tally = tally_of_counts(rows, target, &origin, &destination, NOW);
                tallied += tally.counted() + tally.in_flight + tally.returned;
            }
            // The reported month once more, as `direction_quality` does.
            let rows = indicators
                .iter()
                .filter_map(|indicator| grouped.get(&(indicator.clone(), month)))
                .flatten();
            tally_of_counts(rows, target, &origin, &destination, NOW);
        }
        tallied
    })
    .await;
    println!(
        "| grouping and tallying them (5 targets × 13 tallies) | {figures} | {tallied} items |"
    );
    // Stuck after 5 working days of the destination with nothing new, as `stuck_quality`
    // works out the moment.
    let today = NOW.date();
    let mut since = today;
    while destination.working_days_after(since, today) < 5 {
        since = since.previous_day().unwrap();
    }
    let before = NOW - time::Duration::days((today - since).whole_days());
    let (figures, stuck) = time_each(runs, async || {
        store
            .stuck_items(cc("EG"), cc("EG"), cc("PS"), before, 200)
            .await
            .unwrap()
    })
    .await;
    println!(
        "| `Store::stuck_items` (200 listed, counted per step) | {figures} | {} stuck |",
        stuck.per_step.iter().map(|(_, items)| items).sum::<u64>()
    );
    let (figures, steps) = time_each(runs, async || {
        let steps: Vec<(String, i64)> = sqlx::query_as(
            "SELECT last_milestone, COUNT(*) AS items FROM item_quality WHERE operator = 'EG' \
             AND origin_country = 'EG' AND destination_country = 'PS' AND outcome = 'open' \
             AND last_at_utc < $1 GROUP BY last_milestone",
        )
        .bind(micros(before))
        .fetch_all(sql.reader())
        .await
        .unwrap();
        steps
    })
    .await;
    println!(
        "| … of which the count per step (every stuck item's row read) | {figures} | {} steps |",
        steps.len()
    );
    let (figures, dispatches) = time_each(runs, async || {
        store
            .dispatch_discrepancies(
                cc("EG"),
                cc("EG"),
                cc("PS"),
                month.first_day().midnight().assume_utc(),
                month.next().first_day().midnight().assume_utc(),
            )
            .await
            .unwrap()
    })
    .await;
    println!(
        "| `Store::dispatch_discrepancies` | {figures} | {} |",
        dispatches.len()
    );
    let (figures, agreements) =
        time_each(runs, async || store.agreements(cc("EG")).await.unwrap()).await;
    println!("| `Store::agreements` | {figures} | {} |", agreements.len());
    println!();
    for (_, _, _, detail) in plan {
        println!("plan of the counts query: {detail}");
    }
}

fn database_size(folder: &std::path::Path) -> u64 {
    ["barid.db", "barid.db-wal"]
        .iter()
        .filter_map(|name| std::fs::metadata(folder.join(name)).ok())
        .map(|meta| meta.len())
        .sum()
}

fn main() {
    let total = usize::try_from(env_number("BARID_BENCH_ITEMS", 1_000_000)).unwrap();
    let sample = usize::try_from(env_number("BARID_BENCH_SAMPLE", 2_000))
        .unwrap()
        .clamp(1, total);
    let runs = usize::try_from(env_number("BARID_BENCH_RUNS", 20))
        .unwrap()
        .max(1);
    println!(
        "# quality dashboard: {total} items EG → PS posted {FIRST_DAY} – {LAST_DAY}, clock {NOW}; {} cores; load average {}",
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
        let reference = ReferenceData::embedded().unwrap();
        let started = Instant::now();
        let (sql, folder) = barid_store_sqlite::temporary().await.unwrap();
        let store: Arc<dyn Store> = Arc::new(sql.clone());
        egypt_node(&store).await;
        let loaded = bulk_load(&sql, total, total / sample).await;
        let generated = &loaded.generated;
        let (count_rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM quality_counts")
            .fetch_one(sql.reader())
            .await
            .unwrap();
        println!(
            "load: {total} items ({} events) in {:.1} s: generating on one thread {:.1} s, SQLite writing {:.1} s (items, item_quality: {} rows each; quality_counts: {count_rows} rows); database {:.0} MB",
            generated.events,
            loaded.took.as_secs_f64(),
            generated.busy.as_secs_f64(),
            loaded.writing.as_secs_f64(),
            total,
            database_size(folder.path()) as f64 / 1e6
        );
        cross_check(&reference, generated).await;
        println!("set up in {:.1} s in all", started.elapsed().as_secs_f64());
        // What every `barid serve` start costs on a database whose timelines are all kept:
        // the search for items without one finds none.
        for attempt in 1..=3 {
            let began = Instant::now();
            let caught_up = store.catch_up_quality().await.unwrap();
            println!(
                "startup catch-up on the caught-up database, try {attempt}: {caught_up} items in {:.0} ms",
                began.elapsed().as_secs_f64() * 1e3
            );
        }

        let month = YearMonth::parse(MONTH).unwrap();
        let first = month.back(TREND_MONTHS - 1);
        let (read,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM quality_counts WHERE operator = 'EG' \
             AND ((origin_country = 'EG' AND destination_country = 'PS') \
             OR (origin_country = 'PS' AND destination_country = 'EG')) \
             AND posted_day BETWEEN $1 AND $2 AND items <> 0",
        )
        .bind(day_number(first.first_day()))
        .bind(day_number(month.last_day()))
        .fetch_one(sql.reader())
        .await
        .unwrap();
        let (in_month,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM item_quality WHERE operator = 'EG' AND origin_country = 'EG' \
             AND destination_country = 'PS' AND posted_day BETWEEN $1 AND $2",
        )
        .bind(day_number(month.first_day()))
        .bind(day_number(month.last_day()))
        .fetch_one(sql.reader())
        .await
        .unwrap();
        println!(
            "the agreement's 12 months ({first} – {month}, both ways) read {read} quality_counts rows; {in_month} items were posted in {month}"
        );

        let state = AppState::new(
            Arc::clone(&store),
            ReferenceData::embedded().unwrap(),
            Config::default(),
        )
            .with_clock(Arc::new(FixedClock::new(NOW)));
        let router = build_router(state);
        let (token, secret_hash) = new_api_token();
        store
            .create_api_token(
                &cli("EG"),
                &NewApiToken {
                    operator: cc("EG"),
                    name: "bench supervisor".to_owned(),
                    secret_hash,
                    role: Role::Supervisor,
                    office: None,
                    partner: None,
                },
            )
            .await
            .unwrap();
        let supervisor = store
            .create_user(
                &cli("EG"),
                &world::new_user("EG", "eg-supervisor", &[Role::Supervisor], &[]),
            )
            .await
            .unwrap();
        let secret = random_secret();
        store
            .create_session(&NewSession {
                secret_hash: hash_secret(&secret),
                user: supervisor.id,
                csrf_token: random_secret(),
                created_at: NOW - time::Duration::minutes(5),
                expires_at: NOW + time::Duration::hours(8),
            })
            .await
            .unwrap();
        let api = Caller::Token(token);
        let session = Caller::Session(secret);
        let agreement = store
            .agreements(cc("EG"))
            .await
            .unwrap()
            .into_iter()
            .find(|agreement| agreement.partner == cc("PS"))
            .unwrap();
        let id = agreement.id;

        println!();
        println!(
            "| request ({month}) | runs | min | median | p95 | max | first warm-up | bytes |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        let requests = [
            Timed {
                label: "`GET /api/v1/agreements/{id}/quality` (JSON)",
                caller: &api,
                path: format!("/api/v1/agreements/{id}/quality?month={month}"),
            },
            Timed {
                label: "`GET /agreements/{id}/quality` (HTML dashboard)",
                caller: &session,
                path: format!("/agreements/{id}/quality?month={month}"),
            },
            Timed {
                label: "`GET /api/v1/quality` (network, 4 agreements)",
                caller: &api,
                path: format!("/api/v1/quality?month={month}"),
            },
            Timed {
                label: "`GET .../quality/items?direction=EG-PS&service=ems&figure=late`",
                caller: &api,
                path: format!(
                    "/api/v1/agreements/{id}/quality/items?month={month}&direction=EG-PS&service=ems&figure=late"
                ),
            },
        ];
        let mut answers = measure(&router, &requests, runs).await.into_iter();
        let figures = answers.next().unwrap();
        let page = answers.next().unwrap();
        let network = answers.next().unwrap();
        let drilled = answers.next().unwrap();

        // What the answers say, to see that the figures are real ones.
        let figures: Value = serde_json::from_slice(&figures).unwrap();
        println!();
        for direction in figures["directions"].as_array().unwrap() {
            for service in direction["services"].as_array().unwrap() {
                if service["posted"].as_u64() == Some(0) {
                    continue;
                }
                println!(
                    "{} → {}: {} posted {}, met {}, late {}, overdue {}, in flight {}, returned {}, met ‰ {}, late legs {}, customs held {}",
                    direction["origin"].as_str().unwrap(),
                    direction["destination"].as_str().unwrap(),
                    service["service"].as_str().unwrap(),
                    service["posted"],
                    service["met"],
                    service["late"],
                    service["overdue"],
                    service["in_flight"],
                    service["returned"],
                    service["met_per_mille"],
                    service["late_legs"],
                    service["customs"]["held"]
                );
            }
            println!(
                "{} → {}: stuck {} ({} listed) as of {}: {}",
                direction["origin"].as_str().unwrap(),
                direction["destination"].as_str().unwrap(),
                direction["stuck"]["total"],
                direction["stuck"]["items"].as_array().unwrap().len(),
                figures["as_of"],
                direction["stuck"]["per_step"]
            );
        }
        let page = String::from_utf8_lossy(&page);
        assert!(page.contains("<html"), "not a page");
        let network: Value = serde_json::from_slice(&network).unwrap();
        let drilled: Value = serde_json::from_slice(&drilled).unwrap();
        println!(
            "network: {} routes; drill-down: {} items listed, more: {}",
            network["routes"].as_array().unwrap().len(),
            drilled["items"].as_array().unwrap().len(),
            drilled["more"]
        );

        let terms = AgreementTerms::from_json_value(agreement.terms.clone()).unwrap();
        where_the_time_goes(&store, &sql, &reference, &terms, runs).await;
        println!();
        println!("load average at the end {}", load_average());
    });
}
