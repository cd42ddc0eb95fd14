//! Quality of service: each item's timeline and the counts the figures are read from, kept in
//! the transactions that record events (never by a batch that could drift), and the working
//! calendars.

use std::collections::{BTreeMap, BTreeSet};

use barid_core::lifecycle::{EventSource, LifecycleEvent};
use barid_core::quality::{
    CountKey, CountMetric, CountRow, Timeline, WorkingCalendar, weekday_name, weekday_named,
};
use barid_core::{CountryCode, DispatchId, Milestone, NextAction, S10Id};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::AnyConnection;
use time::{Date, OffsetDateTime};

use super::convert::{RowExt, from_json, json_text, micros, rfc3339};
use super::packed::{Kind, PackedRow, pack, unpack};
use super::{Dialect, SqlStore};
use crate::model::*;
use crate::{StoreError, StoreResult};

/// A timeline as stored in `item_quality.timeline`.
#[derive(Serialize, Deserialize)]
struct StoredTimeline {
    /// Milestone name and RFC 3339 time (with the office's offset) of each first.
    firsts: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    returned_at: Option<String>,
}

fn parse_time(what: &'static str, text: &str) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|error| StoreError::corrupt(what, format!("{text:?}: {error}")))
}

fn timeline_text(timeline: &Timeline) -> StoreResult<String> {
    let stored = StoredTimeline {
        firsts: timeline
            .firsts()
            .iter()
            .map(|(milestone, at)| Ok((milestone.as_str().to_owned(), rfc3339(*at)?)))
            .collect::<StoreResult<_>>()?,
        returned_at: timeline.returned_at.map(rfc3339).transpose()?,
    };
    json_text(&stored)
}

fn timeline_of_text(text: &str) -> StoreResult<Timeline> {
    let stored: StoredTimeline = from_json("item timeline", text)?;
    let firsts = stored
        .firsts
        .iter()
        .map(|(milestone, at)| {
            Ok((
                Milestone::parse(milestone)
                    .map_err(|error| StoreError::corrupt("item timeline", error))?,
                parse_time("item timeline", at)?,
            ))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let returned_at = stored
        .returned_at
        .as_deref()
        .map(|at| parse_time("item timeline", at))
        .transpose()?;
    Ok(Timeline::from_parts(firsts, returned_at))
}

fn day_number(date: Date) -> i64 {
    i64::from(date.to_julian_day())
}

fn date_of(what: &'static str, day: i64) -> StoreResult<Date> {
    i32::try_from(day)
        .ok()
        .and_then(|day| Date::from_julian_day(day).ok())
        .ok_or_else(|| StoreError::corrupt(what, format!("day {day} out of range")))
}

/// The S10 service indicator of an item: its first two letters.
fn service_of(s10: &S10Id) -> String {
    s10.to_string().chars().take(2).collect()
}

struct Tracked {
    s10: S10Id,
    origin: CountryCode,
    destination: CountryCode,
    before: Option<Timeline>,
}

/// Brings the timelines and counts of the items that `events` were just recorded on up to
/// date, in the caller's transaction. An item with no timeline yet (new, or recorded before
/// quality was measured) gets one from all its events, the new ones included.
pub(crate) async fn track(
    conn: &mut AnyConnection,
    dialect: Dialect,
    operator: CountryCode,
    events: &[(ItemId, &NewEvent)],
) -> StoreResult<()> {
    let ids: BTreeSet<ItemId> = events.iter().map(|(item, _)| *item).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let tracked = tracked_items(conn, dialect, operator, &ids).await?;
    let without: BTreeSet<ItemId> = tracked
        .iter()
        .filter(|(_, item)| item.before.is_none())
        .map(|(id, _)| *id)
        .collect();
    let mut after: BTreeMap<ItemId, Timeline> = tracked
        .iter()
        .filter_map(|(id, item)| item.before.clone().map(|timeline| (*id, timeline)))
        .collect();
    for (id, event) in all_events(conn, dialect, operator, &without).await? {
        after.entry(id).or_default().add(&event);
    }
    for (id, event) in events {
        if without.contains(id) {
            continue;
        }
        if let Some(timeline) = after.get_mut(id) {
            timeline.add(&lifecycle_event(event));
        }
    }
    settle(conn, dialect, operator, tracked, after).await
}

type CountChanges = BTreeMap<(String, String, String, CountKey), (i64, i64)>;

/// Writes the items' new timelines (`after`; an item missing there has none yet) and what
/// their change adds to and takes from the counts.
async fn settle(
    conn: &mut AnyConnection,
    dialect: Dialect,
    operator: CountryCode,
    tracked: BTreeMap<ItemId, Tracked>,
    mut after: BTreeMap<ItemId, Timeline>,
) -> StoreResult<()> {
    let mut rows = Vec::new();
    let mut changes = CountChanges::new();
    for (id, item) in tracked {
        let timeline = after.remove(&id).unwrap_or_default();
        // An item caught up with no events still gets its (empty) row, so it is not asked again.
        if item.before.as_ref() == Some(&timeline) {
            continue;
        }
        let service = service_of(&item.s10);
        let before = item.before.clone().unwrap_or_default();
        for change in barid_core::quality::count_changes(&before, &timeline) {
            let entry = changes
                .entry((
                    item.origin.as_str().to_owned(),
                    item.destination.as_str().to_owned(),
                    service.clone(),
                    change.key,
                ))
                .or_default();
            entry.0 += change.items;
            entry.1 += change.seconds;
        }
        rows.push(timeline_row(operator, id, &item, &service, &timeline)?);
    }
    write_timelines(conn, dialect, &rows).await?;
    write_counts(conn, dialect, operator, &changes).await
}

fn lifecycle_event(event: &NewEvent) -> LifecycleEvent {
    LifecycleEvent {
        milestone: event.milestone,
        at: event.at,
        next_action: event.next_action,
        source: event.source,
    }
}

fn id_rows(ids: &BTreeSet<ItemId>) -> StoreResult<String> {
    pack(
        &ids.iter()
            .map(|id| vec![Value::from(id.0)])
            .collect::<Vec<_>>(),
    )
}

async fn tracked_items(
    conn: &mut AnyConnection,
    dialect: Dialect,
    operator: CountryCode,
    ids: &BTreeSet<ItemId>,
) -> StoreResult<BTreeMap<ItemId, Tracked>> {
    // `|| ''` keeps SQLite on the primary keys instead of an operator-wide index.
    let sql = dialect.packed_select(
        "i.id AS id, i.s10 AS s10, i.origin_country AS origin_country, \
         i.destination_country AS destination_country, q.timeline AS timeline",
        &format!(
            "FROM items i LEFT JOIN item_quality q ON q.operator = i.operator AND q.item_id = i.id \
             WHERE i.operator || '' = $2 AND i.id IN (SELECT CAST(j.value ->> 0 AS BIGINT) \
             FROM {})",
            dialect.json_rows_of_first_parameter
        ),
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id_rows(ids)?)
        .bind(operator.as_str())
        .fetch_one(&mut *conn)
        .await?;
    unpack(&row)?
        .iter()
        .map(|row| {
            Ok((
                ItemId(row.int("id")?),
                Tracked {
                    s10: row.parsed("s10", S10Id::parse)?,
                    origin: row.parsed("origin_country", CountryCode::parse)?,
                    destination: row.parsed("destination_country", CountryCode::parse)?,
                    before: row
                        .opt_text("timeline")?
                        .as_deref()
                        .map(timeline_of_text)
                        .transpose()?,
                },
            ))
        })
        .collect()
}

async fn all_events(
    conn: &mut AnyConnection,
    dialect: Dialect,
    operator: CountryCode,
    ids: &BTreeSet<ItemId>,
) -> StoreResult<Vec<(ItemId, LifecycleEvent)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = dialect.packed_select(
        "item_id, milestone, at, next_action, source",
        &format!(
            "FROM item_events WHERE operator || '' = $2 AND item_id IN \
             (SELECT CAST(j.value ->> 0 AS BIGINT) FROM {})",
            dialect.json_rows_of_first_parameter
        ),
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id_rows(ids)?)
        .bind(operator.as_str())
        .fetch_one(&mut *conn)
        .await?;
    unpack(&row)?
        .iter()
        .map(|row: &PackedRow| {
            Ok((
                ItemId(row.int("item_id")?),
                LifecycleEvent {
                    milestone: row.parsed("milestone", Milestone::parse)?,
                    at: row.offset_time("at")?,
                    next_action: row.opt_parsed("next_action", NextAction::parse)?,
                    source: row.named::<EventSource>("source")?,
                },
            ))
        })
        .collect()
}

async fn write_timelines(
    conn: &mut AnyConnection,
    dialect: Dialect,
    rows: &[Vec<Value>],
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = dialect.packed_upsert(
        "item_quality",
        &[
            ("operator", Kind::Text),
            ("item_id", Kind::Int),
            ("s10", Kind::Text),
            ("origin_country", Kind::Text),
            ("destination_country", Kind::Text),
            ("service", Kind::Text),
            ("posted_day", Kind::Int),
            ("outcome", Kind::Text),
            ("last_milestone", Kind::Text),
            ("last_at_utc", Kind::Int),
            ("timeline", Kind::Text),
        ],
        "ON CONFLICT (operator, item_id) DO UPDATE SET posted_day = excluded.posted_day, \
         outcome = excluded.outcome, last_milestone = excluded.last_milestone, \
         last_at_utc = excluded.last_at_utc, timeline = excluded.timeline",
    );
    write_packed(conn, &sql, rows).await
}

async fn write_counts(
    conn: &mut AnyConnection,
    dialect: Dialect,
    operator: CountryCode,
    changes: &CountChanges,
) -> StoreResult<()> {
    // In key order, so that two transactions meeting on the same counts (PostgreSQL) lock
    // them in the same order and wait instead of deadlocking.
    let rows: Vec<Vec<Value>> = changes
        .iter()
        .filter(|(_, (items, seconds))| *items != 0 || *seconds != 0)
        .map(|((origin, destination, service, key), (items, seconds))| {
            vec![
                Value::from(operator.as_str()),
                Value::from(origin.as_str()),
                Value::from(destination.as_str()),
                Value::from(service.as_str()),
                Value::from(day_number(key.posted_on)),
                Value::from(key.metric.as_str()),
                Value::from(day_number(key.start)),
                Value::from(day_number(key.end)),
                Value::from(*items),
                Value::from(*seconds),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let sql = dialect.packed_upsert(
        "quality_counts",
        &[
            ("operator", Kind::Text),
            ("origin_country", Kind::Text),
            ("destination_country", Kind::Text),
            ("service", Kind::Text),
            ("posted_day", Kind::Int),
            ("metric", Kind::Text),
            ("start_day", Kind::Int),
            ("end_day", Kind::Int),
            ("items", Kind::Int),
            ("seconds", Kind::Int),
        ],
        "ON CONFLICT (operator, origin_country, destination_country, service, posted_day, \
         metric, start_day, end_day) DO UPDATE SET items = quality_counts.items + excluded.items, \
         seconds = quality_counts.seconds + excluded.seconds",
    );
    write_packed(conn, &sql, &rows).await
}

/// Runs a packed write over `rows`, a statement per 2,000 of them: its JSON stays near a
/// megabyte, as for events.
async fn write_packed(conn: &mut AnyConnection, sql: &str, rows: &[Vec<Value>]) -> StoreResult<()> {
    for chunk in rows.chunks(2_000) {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(pack(chunk)?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Gives a timeline to every item that has none (those recorded before quality was measured),
/// a thousand items per transaction; run when the store opens. Answers how many it did.
pub(crate) async fn catch_up(store: &SqlStore) -> StoreResult<u64> {
    // A timeline belongs to an item (a foreign key) and items are never deleted, so as many
    // timelines as items means every item has one. Counted on the reader, this spares every
    // start and every CLI command the search below, and the write lock it holds.
    let counted = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM items) AS items, \
         (SELECT COUNT(*) FROM item_quality) AS timelines",
    )
    .fetch_one(&store.reader)
    .await?;
    if counted.int("items")? == counted.int("timelines")? {
        return Ok(0);
    }
    let mut done = 0;
    loop {
        let mut tx = store.write().await?;
        let rows = sqlx::query(
            "SELECT i.operator AS operator, i.id AS id FROM items i WHERE NOT EXISTS \
             (SELECT 1 FROM item_quality q WHERE q.operator = i.operator AND q.item_id = i.id) \
             ORDER BY i.id LIMIT 1000",
        )
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(done);
        }
        let mut per_operator: BTreeMap<String, Vec<ItemId>> = BTreeMap::new();
        for row in &rows {
            per_operator
                .entry(row.text("operator")?)
                .or_default()
                .push(ItemId(row.int("id")?));
        }
        for (operator, ids) in per_operator {
            let operator = CountryCode::parse(&operator)
                .map_err(|error| StoreError::corrupt("items operator", error))?;
            let ids: BTreeSet<ItemId> = ids.into_iter().collect();
            let tracked = tracked_items(&mut tx, store.dialect, operator, &ids).await?;
            let mut timelines: BTreeMap<ItemId, Timeline> = BTreeMap::new();
            for (id, event) in all_events(&mut tx, store.dialect, operator, &ids).await? {
                timelines.entry(id).or_default().add(&event);
            }
            settle(&mut tx, store.dialect, operator, tracked, timelines).await?;
        }
        tx.commit().await?;
        done += u64::try_from(rows.len()).unwrap_or(0);
    }
}

fn timeline_row(
    operator: CountryCode,
    id: ItemId,
    item: &Tracked,
    service: &str,
    timeline: &Timeline,
) -> StoreResult<Vec<Value>> {
    let last = timeline.last();
    Ok(vec![
        Value::from(operator.as_str()),
        Value::from(id.0),
        Value::from(item.s10.to_string()),
        Value::from(item.origin.as_str()),
        Value::from(item.destination.as_str()),
        Value::from(service),
        timeline
            .first(Milestone::Posted)
            .map_or(Value::Null, |posted| Value::from(day_number(posted.date()))),
        Value::from(QualityOutcome::of(timeline).as_str()),
        last.map_or(Value::Null, |(milestone, _)| {
            Value::from(milestone.as_str())
        }),
        match last {
            Some((_, at)) => Value::from(micros(at)?),
            None => Value::Null,
        },
        Value::from(timeline_text(timeline)?),
    ])
}

// --- reading -----------------------------------------------------------------------------

pub(crate) async fn quality_counts(
    store: &SqlStore,
    operator: CountryCode,
    scope: &QualityScope,
) -> StoreResult<Vec<QualityCount>> {
    let sql = store.dialect.packed_select(
        "service, posted_day, metric, start_day, end_day, items, seconds",
        "FROM quality_counts WHERE operator = $1 AND origin_country = $2 \
         AND destination_country = $3 AND posted_day BETWEEN $4 AND $5 AND items <> 0",
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(operator.as_str())
        .bind(scope.origin.as_str())
        .bind(scope.destination.as_str())
        .bind(day_number(scope.posted_from))
        .bind(day_number(scope.posted_until))
        .fetch_one(&store.reader)
        .await?;
    unpack(&row)?
        .iter()
        .map(|row| {
            let metric = row.text("metric")?;
            Ok(QualityCount {
                service: row.text("service")?,
                count: CountRow {
                    key: CountKey {
                        posted_on: date_of("posted_day", row.int("posted_day")?)?,
                        metric: CountMetric::parse(&metric).ok_or_else(|| {
                            StoreError::corrupt("quality metric", format!("{metric:?}"))
                        })?,
                        start: date_of("start_day", row.int("start_day")?)?,
                        end: date_of("end_day", row.int("end_day")?)?,
                    },
                    items: row.int("items")?,
                    seconds: row.int("seconds")?,
                },
            })
        })
        .collect()
}

fn quality_item(row: &impl RowExt) -> StoreResult<QualityItem> {
    let outcome = row.text("outcome")?;
    Ok(QualityItem {
        item: ItemId(row.int("item_id")?),
        s10: row.parsed("s10", S10Id::parse)?,
        origin: row.parsed("origin_country", CountryCode::parse)?,
        destination: row.parsed("destination_country", CountryCode::parse)?,
        service: row.text("service")?,
        outcome: super::convert::from_serde_name("quality outcome", &outcome)?,
        timeline: timeline_of_text(&row.text("timeline")?)?,
    })
}

const ITEM_COLUMNS: &str =
    "item_id, s10, origin_country, destination_country, service, outcome, timeline";

pub(crate) async fn quality_items(
    store: &SqlStore,
    operator: CountryCode,
    scope: &QualityScope,
    after: Option<(time::Date, ItemId)>,
    limit: u32,
) -> StoreResult<Vec<QualityItem>> {
    let (after_day, after_id) = match after {
        Some((day, id)) => (day_number(day), id.0),
        None => (day_number(scope.posted_from) - 1, i64::MAX),
    };
    let sql = store.dialect.packed_select(
        ITEM_COLUMNS,
        "FROM (SELECT * FROM item_quality WHERE operator = $1 AND origin_country = $2 \
         AND destination_country = $3 AND posted_day BETWEEN $4 AND $5 \
         AND (posted_day > $6 OR (posted_day = $6 AND item_id > $7)) \
         ORDER BY posted_day, item_id LIMIT $8) page",
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(operator.as_str())
        .bind(scope.origin.as_str())
        .bind(scope.destination.as_str())
        .bind(day_number(scope.posted_from))
        .bind(day_number(scope.posted_until))
        .bind(after_day)
        .bind(if after.is_some() { after_id } else { 0 })
        .bind(i64::from(limit))
        .fetch_one(&store.reader)
        .await?;
    let mut items = unpack(&row)?
        .iter()
        .map(quality_item)
        .collect::<StoreResult<Vec<_>>>()?;
    // The aggregate does not promise the page's order.
    items.sort_by_key(|item| {
        (
            item.timeline.first(Milestone::Posted).map(|at| at.date()),
            item.item,
        )
    });
    Ok(items)
}

pub(crate) async fn stuck_items(
    store: &SqlStore,
    operator: CountryCode,
    origin: CountryCode,
    destination: CountryCode,
    before: OffsetDateTime,
    limit: u32,
) -> StoreResult<StuckItems> {
    let sql = store.dialect.packed_select(
        ITEM_COLUMNS,
        "FROM (SELECT * FROM item_quality WHERE operator = $1 AND origin_country = $2 \
         AND destination_country = $3 AND outcome = 'open' AND last_at_utc < $4 \
         ORDER BY last_at_utc, item_id LIMIT $5) page",
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(operator.as_str())
        .bind(origin.as_str())
        .bind(destination.as_str())
        .bind(micros(before)?)
        .bind(i64::from(limit))
        .fetch_one(&store.reader)
        .await?;
    let mut items = unpack(&row)?
        .iter()
        .map(quality_item)
        .collect::<StoreResult<Vec<_>>>()?;
    items.sort_by_key(|item| (item.timeline.last().map(|(_, at)| at), item.item));
    let counts = sqlx::query(
        "SELECT last_milestone, COUNT(*) AS items FROM item_quality WHERE operator = $1 \
         AND origin_country = $2 AND destination_country = $3 AND outcome = 'open' \
         AND last_at_utc < $4 GROUP BY last_milestone",
    )
    .bind(operator.as_str())
    .bind(origin.as_str())
    .bind(destination.as_str())
    .bind(micros(before)?)
    .fetch_all(&store.reader)
    .await?;
    let mut per_step = counts
        .iter()
        .map(|row| {
            Ok((
                row.parsed("last_milestone", Milestone::parse)?,
                u64::try_from(row.int("items")?).unwrap_or(0),
            ))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    per_step.sort_by_key(|(milestone, _)| Milestone::ALL.iter().position(|m| m == milestone));
    Ok(StuckItems { items, per_step })
}

pub(crate) async fn dispatch_discrepancies(
    store: &SqlStore,
    operator: CountryCode,
    origin: CountryCode,
    destination: CountryCode,
    closed_from: OffsetDateTime,
    closed_until: OffsetDateTime,
) -> StoreResult<Vec<DispatchDiscrepancies>> {
    let rows = sqlx::query(
        "SELECT id, s8, direction, closed_at, discrepancies, partner_response FROM dispatches \
         WHERE operator = $1 AND substr(origin_office, 1, 2) = $2 \
         AND substr(destination_office, 1, 2) = $3 AND closed_at_utc >= $4 \
         AND closed_at_utc < $5 AND (discrepancies IS NOT NULL OR partner_response IS NOT NULL) \
         ORDER BY closed_at_utc, id",
    )
    .bind(operator.as_str())
    .bind(origin.as_str())
    .bind(destination.as_str())
    .bind(micros(closed_from)?)
    .bind(micros(closed_until)?)
    .fetch_all(&store.reader)
    .await?;
    rows.iter()
        .map(|row| {
            let codes = match row.opt_text("discrepancies")? {
                Some(text) => from_json::<Vec<Value>>("discrepancies", &text)?
                    .iter()
                    .filter_map(|entry| entry.get("code").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect(),
                None => Vec::new(),
            };
            let direction = row.text("direction")?;
            Ok(DispatchDiscrepancies {
                dispatch: DispatchRowId(row.int("id")?),
                s8: row.parsed("s8", DispatchId::parse)?,
                direction: DispatchDirection::parse(&direction).ok_or_else(|| {
                    StoreError::corrupt("dispatch direction", format!("{direction:?}"))
                })?,
                closed_at: row.offset_time("closed_at")?,
                codes,
                partner_response: row.opt_text("partner_response")?,
            })
        })
        .collect()
}

// --- calendars -----------------------------------------------------------------------------

fn calendar_row(row: &impl RowExt) -> StoreResult<CalendarRecord> {
    let weekend = from_json::<Vec<String>>("calendar weekend", &row.text("weekend")?)?
        .iter()
        .map(|name| {
            weekday_named(name).ok_or_else(|| StoreError::corrupt("calendar weekend", name.clone()))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let holidays = from_json::<Vec<String>>("calendar holidays", &row.text("holidays")?)?
        .iter()
        .map(|text| {
            Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
                .map_err(|error| StoreError::corrupt("calendar holidays", error))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(CalendarRecord {
        country: row.parsed("country", CountryCode::parse)?,
        calendar: WorkingCalendar::new(&weekend, holidays)
            .map_err(|error| StoreError::corrupt("calendar weekend", error))?,
        updated_at: row.utc("updated_at_utc")?,
    })
}

pub(crate) async fn calendars(
    store: &SqlStore,
    operator: CountryCode,
) -> StoreResult<Vec<CalendarRecord>> {
    let rows = sqlx::query(
        "SELECT country, weekend, holidays, updated_at_utc FROM working_calendars \
         WHERE operator = $1 ORDER BY country",
    )
    .bind(operator.as_str())
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(calendar_row).collect()
}

pub(crate) async fn set_calendar(
    store: &SqlStore,
    actor: &Actor,
    country: CountryCode,
    calendar: &WorkingCalendar,
) -> StoreResult<CalendarRecord> {
    let weekend: Vec<&str> = calendar.weekend().into_iter().map(weekday_name).collect();
    let holidays: Vec<String> = calendar
        .holidays()
        .map(|day| {
            day.format(&time::format_description::well_known::Iso8601::DATE)
                .map_err(|error| StoreError::corrupt("calendar holidays", error))
        })
        .collect::<StoreResult<_>>()?;
    let mut tx = store.write().await?;
    super::people::require_operator(&mut tx, actor.operator).await?;
    sqlx::query(
        "INSERT INTO working_calendars (operator, country, weekend, holidays, updated_at_utc) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (operator, country) DO UPDATE SET \
         weekend = excluded.weekend, holidays = excluded.holidays, \
         updated_at_utc = excluded.updated_at_utc",
    )
    .bind(actor.operator.as_str())
    .bind(country.as_str())
    .bind(json_text(&weekend)?)
    .bind(json_text(&holidays)?)
    .bind(micros(actor.at)?)
    .execute(&mut *tx)
    .await?;
    super::audit::write(
        &mut tx,
        actor,
        super::audit::Audit {
            operator: actor.operator,
            action: "calendar.set",
            object_type: "calendar",
            object_id: country.as_str().to_owned(),
            details: serde_json::json!({ "weekend": weekend, "holidays": holidays }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(CalendarRecord {
        country,
        calendar: calendar.clone(),
        updated_at: super::convert::stored_instant(actor.at)?,
    })
}
