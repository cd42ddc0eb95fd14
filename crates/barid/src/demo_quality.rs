//! A year of demo traffic for the quality-of-service dashboards: items accepted at Egyptian
//! counters for Palestine (via Jordan), Jordan, Iraq and Libya over the last twelve months,
//! with the journeys their posts report back (partner events on Egypt's copy), some quick,
//! some late, a few held by customs, returned or stuck. The J+N figures are then measured from
//! these events exactly as from live ones.
//!
//! The journeys are drawn from a fixed seed, so every demo shows the same figures. On the
//! Egypt–Palestine route the transit through Amman has been slow for the last two months:
//! the dashboard answers "which leg is late?" with "transit".

use anyhow::Context;
use barid_core::lifecycle::{self, EventSource, LifecycleEvent};
use barid_core::{CountryCode, Milestone, NextAction, ReasonCode, ReferenceData, SiteCode};
use barid_store::Store;
use barid_store::model::{Actor, DerivedStatus, InboxSettlement, NewEvent, PlannedItemEvents};
use time::{Duration, OffsetDateTime, UtcOffset, Weekday};

/// Items per route and month.
const PER_MONTH: usize = 24;
/// Months back from the current one.
const MONTHS: i64 = 12;

/// A small, fixed pseudo-random sequence (xorshift), so the demo is the same every time.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Hours between `low` and `high`.
    fn hours(&mut self, low: i64, high: i64) -> Duration {
        let span = u64::try_from((high - low).max(1)).unwrap_or(1);
        Duration::hours(low + i64::try_from(self.next() % span).unwrap_or(0))
    }

    /// True `percent` % of the time.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// How a route's posts work: hours for each stage, at best and at worst.
struct Route {
    partner: &'static str,
    transit: Option<&'static str>,
    inward_office: &'static str,
    delivery_office: &'static str,
    offset_hours: i8,
    transit_hours: (i64, i64),
    customs_hours: (i64, i64),
    delivery_hours: (i64, i64),
}

const ROUTES: [Route; 4] = [
    Route {
        partner: "PS",
        transit: Some("JOAMMA"),
        inward_office: "PSRMHA",
        delivery_office: "PSRMHB",
        offset_hours: 2,
        transit_hours: (30, 80),
        customs_hours: (6, 40),
        delivery_hours: (20, 90),
    },
    Route {
        partner: "JO",
        transit: None,
        inward_office: "JOAMMA",
        delivery_office: "JOAMMB",
        offset_hours: 3,
        transit_hours: (6, 20),
        customs_hours: (2, 14),
        delivery_hours: (6, 36),
    },
    Route {
        partner: "IQ",
        transit: None,
        inward_office: "IQBGWA",
        delivery_office: "IQBGWB",
        offset_hours: 3,
        transit_hours: (20, 70),
        customs_hours: (10, 60),
        delivery_hours: (24, 110),
    },
    Route {
        partner: "LY",
        transit: None,
        inward_office: "LYTIPA",
        delivery_office: "LYTIPB",
        offset_hours: 2,
        transit_hours: (30, 100),
        customs_hours: (10, 70),
        delivery_hours: (30, 140),
    },
];

fn offset(hours: i8) -> UtcOffset {
    UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC)
}

fn site(code: &str) -> anyhow::Result<SiteCode> {
    SiteCode::parse(code).with_context(|| format!("demo office {code}"))
}

/// The partner-reported journey of one item posted at `posted`, up to `now`.
fn journey(
    route: &Route,
    draw: &mut Draw,
    posted: OffsetDateTime,
    months_back: i64,
    now: OffsetDateTime,
) -> Vec<(Milestone, OffsetDateTime, &'static str, Option<NextAction>)> {
    let partner_offset = offset(route.offset_hours);
    let mut at = posted;
    let mut steps = Vec::new();
    let mut step = |milestone, at: OffsetDateTime, office: &'static str, action| {
        if at <= now {
            let local = if office.starts_with("EG") {
                offset(2)
            } else if office.starts_with("JO") {
                offset(3)
            } else {
                partner_offset
            };
            steps.push((milestone, at.to_offset(local), office, action));
        }
    };
    at += draw.hours(3, 26);
    step(Milestone::ArrivedOutwardOffice, at, "EGCAIA", None);
    at += draw.hours(6, 40);
    step(Milestone::DepartedOutwardOffice, at, "EGCAIA", None);
    // The slow months of the Amman transit.
    let slow_transit = route.transit.is_some() && months_back <= 1;
    let (low, high) = if slow_transit {
        (route.transit_hours.0 + 50, route.transit_hours.1 + 90)
    } else {
        route.transit_hours
    };
    if let Some(transit) = route.transit {
        at += draw.hours(low / 3, high / 3);
        step(Milestone::ArrivedTransitOffice, at, transit, None);
        at += draw.hours(low / 3, high / 3);
        step(Milestone::DepartedTransitOffice, at, transit, None);
        at += draw.hours(low / 3, high / 3);
    } else {
        at += draw.hours(low, high);
    }
    // Some recent items are stuck at the inward office: nothing after their arrival.
    let stuck = months_back == 0 && draw.chance(8);
    step(
        Milestone::ArrivedInwardOffice,
        at,
        route.inward_office,
        None,
    );
    if stuck {
        return steps;
    }
    at += draw.hours(1, 4);
    step(
        Milestone::PresentedImportCustoms,
        at,
        route.inward_office,
        None,
    );
    if draw.chance(12) {
        at += draw.hours(2, 8);
        step(Milestone::HeldImportCustoms, at, route.inward_office, None);
        at += draw.hours(24, 120);
    } else {
        at += draw.hours(route.customs_hours.0, route.customs_hours.1);
    }
    step(
        Milestone::ReleasedImportCustoms,
        at,
        route.inward_office,
        None,
    );
    at += draw.hours(3, 20);
    step(
        Milestone::DepartedInwardOffice,
        at,
        route.inward_office,
        None,
    );
    at += draw.hours(route.delivery_hours.0, route.delivery_hours.1);
    if draw.chance(4) {
        step(
            Milestone::DeliveryAttemptFailed,
            at,
            route.delivery_office,
            Some(NextAction::ReturnToSender),
        );
    } else {
        step(Milestone::Delivered, at, route.delivery_office, None);
    }
    steps
}

/// The posting time of item `slot` of `PER_MONTH` in the month `months_back` before `now`'s,
/// in office hours on an Egyptian working day; the current month's only up to yesterday.
fn posting_time(
    draw: &mut Draw,
    now: OffsetDateTime,
    months_back: i64,
    slot: usize,
) -> Option<OffsetDateTime> {
    let today = now.to_offset(offset(2)).date();
    let mut first = today.replace_day(1).ok()?;
    for _ in 0..months_back {
        first = first.previous_day()?.replace_day(1).ok()?;
    }
    let days = if months_back == 0 {
        i64::from(today.day()) - 1
    } else {
        i64::from(time::util::days_in_month(first.month(), first.year()))
    };
    let slot = i64::try_from(slot).ok()?;
    let per_month = i64::try_from(PER_MONTH).ok()?;
    let mut day = first + Duration::days(slot * days / per_month);
    while matches!(day.weekday(), Weekday::Friday | Weekday::Saturday) {
        day = day.next_day()?;
    }
    if day >= today || day.month() != first.month() {
        return None;
    }
    let at = time::PrimitiveDateTime::new(day, time::Time::MIDNIGHT).assume_offset(offset(2))
        + Duration::hours(9)
        + draw.hours(0, 7)
        + Duration::minutes(17);
    Some(at)
}

/// Accepts the year's items and records their journeys; answers how many items it made.
pub async fn seed_history(
    store: &dyn Store,
    reference: &ReferenceData,
    now: OffsetDateTime,
) -> anyhow::Result<usize> {
    let egypt = CountryCode::parse("EG")?;
    let mut draw = Draw(0x9E37_79B9_7F4A_7C15);
    let mut settlement = InboxSettlement::default();
    let mut made = 0;
    for (route_index, route) in ROUTES.iter().enumerate() {
        let partner = CountryCode::parse(route.partner)?;
        for months_back in (0..MONTHS).rev() {
            for slot in 0..PER_MONTH {
                let Some(posted) = posting_time(&mut draw, now, months_back, slot) else {
                    continue;
                };
                let index = route_index * 1000 + made;
                let plan = crate::demo_items::plan_to(index, route.partner)
                    .with_context(|| format!("no demo addressee in {}", route.partner))?;
                let item = crate::demo_items::accept(store, reference, &plan, posted).await?;
                made += 1;
                let mut history = vec![LifecycleEvent {
                    milestone: Milestone::Posted,
                    at: posted,
                    next_action: None,
                    source: EventSource::Local,
                }];
                let mut events = Vec::new();
                for (milestone, at, office, next_action) in
                    journey(route, &mut draw, posted, months_back, now)
                {
                    let code = reference
                        .code_for(milestone)
                        .with_context(|| format!("no event code for {milestone}"))?;
                    let by_partner = !office.starts_with("EG");
                    let source = if by_partner {
                        EventSource::Partner
                    } else {
                        EventSource::Local
                    };
                    history.push(LifecycleEvent {
                        milestone,
                        at,
                        next_action,
                        source,
                    });
                    events.push(NewEvent {
                        code,
                        milestone,
                        at,
                        office: site(office)?,
                        reason: next_action.map(|_| ReasonCode::parse("04")).transpose()?,
                        next_action,
                        signatory: None,
                        note: None,
                        source,
                        reported_by: by_partner.then(|| {
                            office
                                .get(..2)
                                .and_then(|country| CountryCode::parse(country).ok())
                                .unwrap_or(partner)
                        }),
                        collected: None,
                    });
                }
                let state = lifecycle::replay(&history).state;
                settlement.events.push(PlannedItemEvents {
                    item: item.id,
                    expected_version: item.version,
                    events,
                    derived: DerivedStatus {
                        status: state.status(),
                        leg: state.leg(),
                    },
                });
            }
        }
    }
    let actor = Actor {
        operator: egypt,
        user: None,
        token: None,
        name: "demo".to_owned(),
        office: None,
        at: now,
    };
    store
        .settle_inbox(&actor, &settlement)
        .await
        .context("recording the demo's year of journeys")?;
    Ok(made)
}
