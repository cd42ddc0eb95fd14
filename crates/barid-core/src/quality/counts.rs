//! Quality figures kept as counts, so that a dashboard over a year and a million items reads a
//! few thousand rows instead of every item's events.
//!
//! What an item contributes is kept in calendar dates, never in working days or verdicts: the
//! posting date, and the two dates of each thing measured (posted and delivered, the start and
//! end of a leg, the customs hold). Working days, J+N verdicts and overdue items are worked out
//! when the figures are read, with the calendars and targets of that moment, so a holiday added
//! later or a target changed by a new version of the agreement never leaves stale figures
//! behind. The store adds an item's contributions when its events arrive and takes back the
//! ones they replace ([`count_changes`]), in the same transaction as the events.

use std::collections::BTreeMap;

use time::{Date, Duration, OffsetDateTime};

use super::{QualityLeg, Tally, Timeline, WorkingCalendar};
use crate::agreement::ServiceTarget;
use crate::event::Milestone;

/// What a count counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CountMetric {
    /// Posted on `start`, delivered on `end`.
    Delivered,
    /// Posted on `start`, sent back on `end`.
    Returned,
    /// Posted on `start` and neither delivered nor sent back yet (`end` = `start`).
    Open,
    /// A leg completed, from `start` to `end`.
    Leg(QualityLeg),
    /// Held by import customs on `start`, released on `end`; `seconds` is the hold.
    CustomsReleased,
    /// Held by import customs on `start` and not released (`end` = `start`); `seconds` is the
    /// Unix time of the hold, so the holds so far are `items × now − seconds`.
    CustomsHeld,
}

impl CountMetric {
    pub fn as_str(&self) -> &'static str {
        match self {
            CountMetric::Delivered => "delivered",
            CountMetric::Returned => "returned",
            CountMetric::Open => "open",
            CountMetric::Leg(QualityLeg::CounterToOutwardOffice) => "leg_counter_to_outward_office",
            CountMetric::Leg(QualityLeg::OutwardOfficeToDeparture) => {
                "leg_outward_office_to_departure"
            }
            CountMetric::Leg(QualityLeg::Transit) => "leg_transit",
            CountMetric::Leg(QualityLeg::InwardCustoms) => "leg_inward_customs",
            CountMetric::Leg(QualityLeg::InwardOfficeToDelivery) => "leg_inward_office_to_delivery",
            CountMetric::CustomsReleased => "customs_released",
            CountMetric::CustomsHeld => "customs_held",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            CountMetric::Delivered,
            CountMetric::Returned,
            CountMetric::Open,
            CountMetric::CustomsReleased,
            CountMetric::CustomsHeld,
        ]
        .into_iter()
        .chain(QualityLeg::ALL.map(CountMetric::Leg))
        .find(|metric| metric.as_str() == text)
    }
}

/// One count's key: items posted on `posted_on` whose `metric` ran from `start` to `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountKey {
    pub posted_on: Date,
    pub metric: CountMetric,
    pub start: Date,
    pub end: Date,
}

/// A count as stored: how many items, and the sum of their seconds (customs holds only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountRow {
    pub key: CountKey,
    pub items: i64,
    pub seconds: i64,
}

impl Timeline {
    /// What this item adds to the counts: nothing until it is posted, since its month is its
    /// posting date's.
    pub fn contributions(&self) -> Vec<CountRow> {
        let Some(posted) = self.first(Milestone::Posted) else {
            return Vec::new();
        };
        let posted_on = posted.date();
        let row = |metric, start: Date, end: Date, seconds| CountRow {
            key: CountKey {
                posted_on,
                metric,
                start,
                end,
            },
            items: 1,
            seconds,
        };
        let mut rows = Vec::new();
        rows.push(match (self.first(Milestone::Delivered), self.returned_at) {
            (Some(delivered), _) => row(CountMetric::Delivered, posted_on, delivered.date(), 0),
            (None, Some(returned)) => row(CountMetric::Returned, posted_on, returned.date(), 0),
            (None, None) => row(CountMetric::Open, posted_on, posted_on, 0),
        });
        for leg in QualityLeg::ALL {
            let (start, end) = leg.ends();
            if let (Some(start), Some(end)) = (self.first(start), self.first(end)) {
                rows.push(row(CountMetric::Leg(leg), start.date(), end.date(), 0));
            }
        }
        if let Some(held) = self.customs_held_at {
            let released = self
                .first(Milestone::ReleasedImportCustoms)
                .filter(|released| *released >= held);
            rows.push(match released {
                Some(released) => row(
                    CountMetric::CustomsReleased,
                    held.date(),
                    released.date(),
                    (released - held).whole_seconds(),
                ),
                None => row(
                    CountMetric::CustomsHeld,
                    held.date(),
                    held.date(),
                    held.unix_timestamp(),
                ),
            });
        }
        rows
    }
}

/// What changes in the counts when an item's timeline goes from `before` to `after`: its old
/// contributions taken back (negative), its new ones added, those in both left out.
pub fn count_changes(before: &Timeline, after: &Timeline) -> Vec<CountRow> {
    let mut changes: BTreeMap<CountKey, (i64, i64)> = BTreeMap::new();
    for (sign, rows) in [(-1, before.contributions()), (1, after.contributions())] {
        for row in rows {
            let entry = changes.entry(row.key).or_default();
            entry.0 += sign * row.items;
            entry.1 += sign * row.seconds;
        }
    }
    changes
        .into_iter()
        .filter(|(_, (items, seconds))| *items != 0 || *seconds != 0)
        .map(|(key, (items, seconds))| CountRow {
            key,
            items,
            seconds,
        })
        .collect()
}

/// The figures of counts (a route, a service, a month) against `target` as of `now`: the same
/// [`Tally`] as adding up [`super::measure`] of each item behind them.
pub fn tally_of_counts<'a>(
    rows: impl IntoIterator<Item = &'a CountRow>,
    target: &ServiceTarget,
    origin: &WorkingCalendar,
    destination: &WorkingCalendar,
    now: OffsetDateTime,
) -> Tally {
    let mut tally = Tally::default();
    // Deadlines repeat for every count of a posting date: worked out once each.
    let mut deadlines: BTreeMap<Date, Date> = BTreeMap::new();
    for row in rows {
        let items = u64::try_from(row.items).unwrap_or(0);
        if items == 0 {
            continue;
        }
        let CountKey {
            posted_on,
            metric,
            start,
            end,
        } = row.key;
        match metric {
            CountMetric::Delivered => {
                let days = destination.working_days_after(start, end);
                if days <= u32::from(target.days) {
                    tally.met += items;
                } else {
                    tally.late += items;
                }
                Tally::count_many(&mut tally.end_to_end, days, items);
            }
            CountMetric::Returned => tally.returned += items,
            CountMetric::Open => {
                let deadline = *deadlines
                    .entry(posted_on)
                    .or_insert_with(|| destination.nth_working_day_after(posted_on, target.days));
                if now.date() > deadline {
                    tally.overdue += items;
                } else {
                    tally.in_flight += items;
                }
            }
            CountMetric::Leg(leg) => {
                let calendar = if leg.at_origin() { origin } else { destination };
                let days = calendar.working_days_after(start, end);
                if let Some(index) = QualityLeg::ALL.iter().position(|known| *known == leg)
                    && let Some(buckets) = tally.legs.get_mut(index)
                {
                    Tally::count_many(buckets, days, items);
                }
            }
            CountMetric::CustomsReleased => {
                tally.customs_held += items;
                tally.customs_hold_total += Duration::seconds(row.seconds);
            }
            CountMetric::CustomsHeld => {
                tally.customs_held += items;
                let held_items = i64::try_from(items).unwrap_or(i64::MAX);
                tally.customs_hold_total += Duration::seconds(
                    now.unix_timestamp()
                        .saturating_mul(held_items)
                        .saturating_sub(row.seconds),
                );
            }
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::{date, datetime};
    use time::{UtcOffset, Weekday};

    use super::*;
    use crate::agreement::{LegTargets, Share};
    use crate::event::NextAction;
    use crate::lifecycle::{EventSource, LifecycleEvent};
    use crate::quality::measure;
    use crate::service::ServiceCode;

    fn target(days: u16) -> ServiceTarget {
        ServiceTarget {
            service: ServiceCode::parse("ems").unwrap(),
            days,
            share: Share::from_percent(85).unwrap(),
            legs: LegTargets::default(),
        }
    }

    const MILESTONES: [Milestone; 10] = [
        Milestone::Posted,
        Milestone::ArrivedOutwardOffice,
        Milestone::DepartedOutwardOffice,
        Milestone::ArrivedInwardOffice,
        Milestone::PresentedImportCustoms,
        Milestone::HeldImportCustoms,
        Milestone::ReleasedImportCustoms,
        Milestone::DepartedInwardOffice,
        Milestone::DeliveryAttemptFailed,
        Milestone::Delivered,
    ];

    /// A journey: milestones at hour offsets from a start, some at UTC+2 and some at UTC+3.
    fn journey() -> impl Strategy<Value = Vec<LifecycleEvent>> {
        let start = datetime!(2026-09-01 08:00 UTC);
        prop::collection::vec(
            (0..MILESTONES.len(), 0i64..(24 * 40), any::<bool>(), 0u8..12),
            0..12,
        )
        .prop_map(move |steps| {
            steps
                .into_iter()
                .map(|(milestone, hours, summer, returns)| {
                    let offset = UtcOffset::from_hms(if summer { 3 } else { 2 }, 0, 0).unwrap();
                    LifecycleEvent {
                        milestone: MILESTONES[milestone],
                        at: (start + Duration::hours(hours)).to_offset(offset),
                        next_action: (returns == 0).then_some(NextAction::ReturnToSender),
                        source: EventSource::Local,
                    }
                })
                .collect()
        })
    }

    fn add_up(counts: &mut BTreeMap<CountKey, (i64, i64)>, rows: Vec<CountRow>) {
        for row in rows {
            let entry = counts.entry(row.key).or_default();
            entry.0 += row.items;
            entry.1 += row.seconds;
        }
    }

    proptest! {
        /// Counts kept event by event, in any order, give the figures of measuring each
        /// item from all its events at once.
        #[test]
        fn counts_kept_as_events_arrive_tally_like_measuring_each_item(
            items in prop::collection::vec((journey(), any::<u64>()), 0..8),
            days in 0u16..8,
            now_hours in 0i64..(24 * 60),
        ) {
            let origin = WorkingCalendar::friday_saturday([date!(2026 - 09 - 10)]);
            let destination = WorkingCalendar::new(&[Weekday::Saturday, Weekday::Sunday], [date!(2026 - 09 - 15)]).unwrap();
            let now = datetime!(2026-09-01 08:00 UTC) + Duration::hours(now_hours);
            let target = target(days);
            let mut expected = Tally::default();
            let mut counts = BTreeMap::new();
            for (events, seed) in &items {
                expected.add(&measure(&Timeline::of(events), &target, &origin, &destination, now));
                // Arrival order: a rotation of the events chosen by the seed.
                let mut arriving = events.clone();
                if !arriving.is_empty() {
                    let turn = usize::try_from(*seed % arriving.len() as u64).unwrap();
                    arriving.rotate_left(turn);
                }
                let mut timeline = Timeline::default();
                for event in &arriving {
                    let before = timeline.clone();
                    if timeline.add(event) {
                        add_up(&mut counts, count_changes(&before, &timeline));
                    }
                }
                prop_assert_eq!(&timeline, &Timeline::of(events));
            }
            let rows: Vec<CountRow> = counts
                .into_iter()
                .filter(|(_, (items, _))| *items != 0)
                .map(|(key, (items, seconds))| CountRow { key, items, seconds })
                .collect();
            prop_assert!(rows.iter().all(|row| row.items > 0));
            let tally = tally_of_counts(&rows, &target, &origin, &destination, now);
            // Items never posted have nothing to count (they have no month).
            let posted_holds: Vec<_> = items
                .iter()
                .map(|(events, _)| Timeline::of(events))
                .filter(|timeline| timeline.first(Milestone::Posted).is_some())
                .filter_map(|timeline| {
                    measure(&timeline, &target, &origin, &destination, now).customs_hold
                })
                .collect();
            prop_assert_eq!(tally.met, expected.met);
            prop_assert_eq!(tally.late, expected.late);
            prop_assert_eq!(tally.overdue, expected.overdue);
            prop_assert_eq!(tally.in_flight, expected.in_flight);
            prop_assert_eq!(tally.returned, expected.returned);
            prop_assert_eq!(&tally.end_to_end, &expected.end_to_end);
            prop_assert_eq!(tally.customs_held, posted_holds.len() as u64);
            prop_assert_eq!(
                tally.customs_hold_total,
                posted_holds.iter().fold(Duration::ZERO, |sum, hold| sum + *hold)
            );
        }
    }

    #[test]
    fn metric_names_read_back() {
        for metric in [
            CountMetric::Delivered,
            CountMetric::Returned,
            CountMetric::Open,
            CountMetric::CustomsReleased,
            CountMetric::CustomsHeld,
        ]
        .into_iter()
        .chain(QualityLeg::ALL.map(CountMetric::Leg))
        {
            assert_eq!(CountMetric::parse(metric.as_str()), Some(metric));
        }
        assert_eq!(CountMetric::parse("leg_unknown"), None);
    }

    #[test]
    fn a_delivery_moves_an_item_from_open_to_delivered() {
        let posted = LifecycleEvent {
            milestone: Milestone::Posted,
            at: datetime!(2026-10-01 10:00 +02:00),
            next_action: None,
            source: EventSource::Local,
        };
        let mut timeline = Timeline::default();
        timeline.add(&posted);
        let before = timeline.clone();
        timeline.add(&LifecycleEvent {
            milestone: Milestone::Delivered,
            at: datetime!(2026-10-04 12:00 +02:00),
            ..posted
        });
        let changes = count_changes(&before, &timeline);
        let open = CountKey {
            posted_on: date!(2026 - 10 - 01),
            metric: CountMetric::Open,
            start: date!(2026 - 10 - 01),
            end: date!(2026 - 10 - 01),
        };
        let delivered = CountKey {
            metric: CountMetric::Delivered,
            end: date!(2026 - 10 - 04),
            ..open
        };
        assert_eq!(
            changes,
            vec![
                CountRow {
                    key: delivered,
                    items: 1,
                    seconds: 0
                },
                CountRow {
                    key: open,
                    items: -1,
                    seconds: 0
                },
            ]
        );
    }
}
