//! Quality of service: what the item events say about the targets two posts agreed
//! ([`crate::agreement::ServiceTarget`]), counted in working days.
//!
//! The rules, where the standards leave a choice (`docs/quality.md` says the same for readers):
//!
//! - **Days are local.** An event's date is the date at the office that recorded it, in the UTC
//!   offset it was recorded with: 23:30 at UTC+2 and 00:30 the next day at UTC+3 are the same
//!   instant on two dates, and the date is the one the clerk saw.
//! - **J+N.** J is the posting date. The item meets J+N when it is delivered on or before the
//!   N-th working day after J (a delivery on J itself is J+0). Working days are those of the
//!   post that does the work: a leg at the origin (counter to outward office, outward office
//!   to departure) in the origin's calendar, every later leg and the end-to-end time in the
//!   destination's, which is where delivery is promised. Posted on a weekend, the first
//!   working day after it is J+1.
//! - **Not delivered yet.** An item still travelling is *censored*: it is neither met nor
//!   missed while it can still meet its target; once the N-th working day after J has passed
//!   without delivery it is *overdue*, and counts as missed. Shares are met items over met,
//!   late and overdue ones.
//! - **Returns.** An item sent back to its sender (a return-to-sender decision) is counted as a
//!   return, not in the J+N share: it was not delivered, but not lost either. Its outbound
//!   legs before the decision still count.
//! - **Each milestone once.** A leg runs from the first event of its start to the first event of
//!   its end on the outbound leg; an item seen twice at an office does not restart it.

use std::collections::BTreeSet;

use time::{Date, Duration, OffsetDateTime, Weekday};

use crate::agreement::ServiceTarget;
use crate::event::{Milestone, NextAction};
use crate::lifecycle::LifecycleEvent;

mod counts;
pub use counts::{CountKey, CountMetric, CountRow, count_changes, tally_of_counts};

/// `friday` for Friday: the lower-case English name calendars are stored and exchanged with.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "monday",
        Weekday::Tuesday => "tuesday",
        Weekday::Wednesday => "wednesday",
        Weekday::Thursday => "thursday",
        Weekday::Friday => "friday",
        Weekday::Saturday => "saturday",
        Weekday::Sunday => "sunday",
    }
}

/// The weekday named `name` (`friday`, `Friday`, ` FRIDAY `), if it names one.
pub fn weekday_named(name: &str) -> Option<Weekday> {
    week().find(|day| weekday_name(*day).eq_ignore_ascii_case(name.trim()))
}

/// The seven weekdays, Monday first.
pub fn week() -> impl Iterator<Item = Weekday> {
    std::iter::successors(Some(Weekday::Monday), |day| Some(day.next())).take(7)
}

/// The days a post works: its weekend and its public holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    /// Indexed by `Weekday::number_days_from_monday`.
    weekend: [bool; 7],
    holidays: BTreeSet<Date>,
}

/// A calendar with no working day would never count a day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a calendar needs at least one working day in the week")]
pub struct NoWorkingDay;

impl WorkingCalendar {
    pub fn new(
        weekend: &[Weekday],
        holidays: impl IntoIterator<Item = Date>,
    ) -> Result<Self, NoWorkingDay> {
        let mut days = [false; 7];
        for day in weekend {
            if let Some(slot) = days.get_mut(usize::from(day.number_days_from_monday())) {
                *slot = true;
            }
        }
        if days.iter().all(|weekend| *weekend) {
            return Err(NoWorkingDay);
        }
        Ok(Self {
            weekend: days,
            holidays: holidays.into_iter().collect(),
        })
    }

    /// Friday and Saturday off: Egypt, Jordan, Palestine, Iraq, Libya and most of the region.
    pub fn friday_saturday(holidays: impl IntoIterator<Item = Date>) -> Self {
        Self {
            weekend: [false, false, false, false, true, true, false],
            holidays: holidays.into_iter().collect(),
        }
    }

    /// The weekly days off for a post that has not set its calendar: Friday and Saturday in
    /// the Arab region, Saturday and Sunday elsewhere.
    pub fn default_for(country: &crate::CountryCode) -> Self {
        const FRIDAY_SATURDAY: [&str; 15] = [
            "EG", "PS", "JO", "IQ", "LY", "SA", "AE", "KW", "QA", "BH", "OM", "YE", "SY", "SD",
            "DZ",
        ];
        if FRIDAY_SATURDAY.contains(&country.as_str()) {
            Self::friday_saturday([])
        } else {
            Self {
                weekend: [false, false, false, false, false, true, true],
                holidays: BTreeSet::new(),
            }
        }
    }

    /// The weekly days off, Monday first.
    pub fn weekend(&self) -> Vec<Weekday> {
        let mut day = Weekday::Monday;
        let mut days = Vec::new();
        for off in self.weekend {
            if off {
                days.push(day);
            }
            day = day.next();
        }
        days
    }

    /// The public holidays, in order.
    pub fn holidays(&self) -> impl Iterator<Item = Date> + '_ {
        self.holidays.iter().copied()
    }

    pub fn is_weekend(&self, date: Date) -> bool {
        self.weekend
            .get(usize::from(date.weekday().number_days_from_monday()))
            .copied()
            .unwrap_or(false)
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        !self.is_weekend(date) && !self.holidays.contains(&date)
    }

    /// The working days `d` with `from < d <= to`: 0 when `to` is not after `from`. Posted on
    /// Thursday in Cairo, delivered on Sunday: 1.
    pub fn working_days_after(&self, from: Date, to: Date) -> u32 {
        if to <= from {
            return 0;
        }
        let span = (to - from).whole_days();
        let working_per_week =
            i64::try_from(self.weekend.iter().filter(|weekend| !**weekend).count()).unwrap_or(7);
        let mut count = (span / 7) * working_per_week;
        // The days left over after the whole weeks, counted one by one (fewer than 7).
        let mut day = from + Duration::days((span / 7) * 7);
        while day < to {
            day = day.next_day().unwrap_or(to);
            if !self.is_weekend(day) {
                count += 1;
            }
        }
        let holidays = self
            .holidays
            .range((
                std::ops::Bound::Excluded(from),
                std::ops::Bound::Included(to),
            ))
            .filter(|holiday| !self.is_weekend(**holiday))
            .count();
        u32::try_from(count - i64::try_from(holidays).unwrap_or(0)).unwrap_or(0)
    }

    /// The N-th working day after `from`: the last day an item posted on `from` may be
    /// delivered to meet J+N.
    pub fn nth_working_day_after(&self, from: Date, n: u16) -> Date {
        let mut day = from;
        let mut left = n;
        while left > 0 {
            match day.next_day() {
                Some(next) => day = next,
                None => return day,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

/// The legs an agreement can set targets for ([`crate::agreement::LegTargets`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QualityLeg {
    /// Posting to arrival at the outward office of exchange.
    CounterToOutwardOffice,
    /// Arrival at the outward office to the dispatch's departure.
    OutwardOfficeToDeparture,
    /// Departure to arrival at the inward office, closed transit included.
    Transit,
    /// Presentation to import customs to release.
    InwardCustoms,
    /// Departure from the inward office to delivery.
    InwardOfficeToDelivery,
}

impl QualityLeg {
    pub const ALL: [QualityLeg; 5] = [
        QualityLeg::CounterToOutwardOffice,
        QualityLeg::OutwardOfficeToDeparture,
        QualityLeg::Transit,
        QualityLeg::InwardCustoms,
        QualityLeg::InwardOfficeToDelivery,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            QualityLeg::CounterToOutwardOffice => "counter_to_outward_office",
            QualityLeg::OutwardOfficeToDeparture => "outward_office_to_departure",
            QualityLeg::Transit => "transit",
            QualityLeg::InwardCustoms => "inward_customs",
            QualityLeg::InwardOfficeToDelivery => "inward_office_to_delivery",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|leg| leg.as_str() == text)
    }

    fn ends(&self) -> (Milestone, Milestone) {
        match self {
            QualityLeg::CounterToOutwardOffice => {
                (Milestone::Posted, Milestone::ArrivedOutwardOffice)
            }
            QualityLeg::OutwardOfficeToDeparture => (
                Milestone::ArrivedOutwardOffice,
                Milestone::DepartedOutwardOffice,
            ),
            QualityLeg::Transit => (
                Milestone::DepartedOutwardOffice,
                Milestone::ArrivedInwardOffice,
            ),
            QualityLeg::InwardCustoms => (
                Milestone::PresentedImportCustoms,
                Milestone::ReleasedImportCustoms,
            ),
            QualityLeg::InwardOfficeToDelivery => {
                (Milestone::DepartedInwardOffice, Milestone::Delivered)
            }
        }
    }

    /// Done by the origin post (its calendar counts the days), or by the destination.
    fn at_origin(&self) -> bool {
        matches!(
            self,
            QualityLeg::CounterToOutwardOffice | QualityLeg::OutwardOfficeToDeparture
        )
    }

    /// The agreed target for this leg, in working days.
    pub fn target(&self, target: &ServiceTarget) -> Option<u16> {
        let legs = &target.legs;
        match self {
            QualityLeg::CounterToOutwardOffice => legs.counter_to_outward_office,
            QualityLeg::OutwardOfficeToDeparture => legs.outward_office_to_departure,
            QualityLeg::Transit => legs.transit,
            QualityLeg::InwardCustoms => legs.inward_customs,
            QualityLeg::InwardOfficeToDelivery => legs.inward_office_to_delivery,
        }
    }
}

/// The first time of each milestone on an item's outbound leg, and whether it was sent back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    firsts: Vec<(Milestone, OffsetDateTime)>,
    /// When the return-to-sender decision was recorded.
    pub returned_at: Option<OffsetDateTime>,
    /// When import customs first held it.
    pub customs_held_at: Option<OffsetDateTime>,
}

/// Whether `a` comes before `b`: the earlier instant, and of two records of the same instant
/// the one with the smaller UTC offset (the earlier local time, so the earlier local date).
/// Instants alone would leave the tie to arrival order, and with it the date an item was
/// delivered on when two posts recorded the same instant in different offsets.
fn earlier(a: OffsetDateTime, b: OffsetDateTime) -> bool {
    (a.unix_timestamp_nanos(), a.offset().whole_seconds())
        < (b.unix_timestamp_nanos(), b.offset().whole_seconds())
}

impl Timeline {
    /// From an item's events in any order; only those up to a return-to-sender decision
    /// (the outbound leg) count.
    pub fn of(events: &[LifecycleEvent]) -> Self {
        let mut timeline = Timeline::default();
        for event in events {
            timeline.add(event);
        }
        timeline
    }

    /// A timeline as stored: the first time of each milestone and the return decision.
    pub fn from_parts(
        firsts: impl IntoIterator<Item = (Milestone, OffsetDateTime)>,
        returned_at: Option<OffsetDateTime>,
    ) -> Self {
        let mut timeline = Timeline {
            firsts: Vec::new(),
            returned_at,
            customs_held_at: None,
        };
        for (milestone, at) in firsts {
            timeline.keep_first(milestone, at);
        }
        timeline.drop_after_return();
        timeline
    }

    /// The first time of each milestone reached, in no particular order.
    pub fn firsts(&self) -> &[(Milestone, OffsetDateTime)] {
        &self.firsts
    }

    /// Adds one event, in whatever order events arrive (a partner's may come days late): the
    /// result is the same as [`Timeline::of`] all of them. Answers whether anything changed.
    pub fn add(&mut self, event: &LifecycleEvent) -> bool {
        if self
            .returned_at
            .is_some_and(|returned| earlier(returned, event.at))
        {
            return false;
        }
        let mut changed = self.keep_first(event.milestone, event.at);
        if event.next_action == Some(NextAction::ReturnToSender)
            && self
                .returned_at
                .is_none_or(|returned| earlier(event.at, returned))
        {
            self.returned_at = Some(event.at);
            self.drop_after_return();
            changed = true;
        }
        changed
    }

    fn keep_first(&mut self, milestone: Milestone, at: OffsetDateTime) -> bool {
        let changed = match self.firsts.iter_mut().find(|(seen, _)| *seen == milestone) {
            Some((_, first)) if earlier(at, *first) => {
                *first = at;
                true
            }
            Some(_) => false,
            None => {
                // Kept in milestone order, so that equal timelines compare equal whatever order
                // their events arrived in.
                let position = |milestone: Milestone| {
                    Milestone::ALL.iter().position(|known| *known == milestone)
                };
                let slot = self
                    .firsts
                    .iter()
                    .position(|(seen, _)| position(*seen) > position(milestone))
                    .unwrap_or(self.firsts.len());
                self.firsts.insert(slot, (milestone, at));
                true
            }
        };
        self.customs_held_at = self.first(Milestone::HeldImportCustoms);
        changed
    }

    fn drop_after_return(&mut self) {
        if let Some(returned) = self.returned_at {
            self.firsts.retain(|(_, at)| !earlier(returned, *at));
            self.customs_held_at = self.first(Milestone::HeldImportCustoms);
        }
    }

    pub fn first(&self, milestone: Milestone) -> Option<OffsetDateTime> {
        self.firsts
            .iter()
            .find(|(seen, _)| *seen == milestone)
            .map(|(_, at)| *at)
    }

    /// The latest milestone reached, and when: where the item is "stuck" if nothing follows.
    pub fn last(&self) -> Option<(Milestone, OffsetDateTime)> {
        self.firsts.iter().max_by_key(|(_, at)| *at).copied()
    }
}

/// What an item's journey says about its service's target, as of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Delivered on or before J+N.
    Met,
    /// Delivered after J+N.
    Late,
    /// Not delivered, and J+N has passed: missed.
    Overdue,
    /// Not delivered, and it can still meet J+N: counted in neither.
    InFlight,
    /// Sent back to its sender before delivery.
    Returned,
    /// Never posted (known only from a pre-advice): nothing to measure.
    NotPosted,
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Late => "late",
            Verdict::Overdue => "overdue",
            Verdict::InFlight => "in_flight",
            Verdict::Returned => "returned",
            Verdict::NotPosted => "not_posted",
        }
    }

    /// Whether the item counts in the J+N share (met over met, late and overdue).
    pub fn is_counted(&self) -> bool {
        matches!(self, Verdict::Met | Verdict::Late | Verdict::Overdue)
    }
}

/// One item measured against its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMeasure {
    /// J, at the origin.
    pub posted_on: Option<Date>,
    /// Working days from J to delivery (the destination's calendar).
    pub end_to_end_days: Option<u32>,
    pub verdict: Verdict,
    /// Working days of each leg the item completed, in [`QualityLeg::ALL`] order.
    pub legs: [Option<u32>; 5],
    /// How long import customs held it: from the first hold to release (or to `now` while
    /// still held).
    pub customs_hold: Option<Duration>,
}

impl ItemMeasure {
    pub fn leg(&self, leg: QualityLeg) -> Option<u32> {
        QualityLeg::ALL
            .iter()
            .position(|known| *known == leg)
            .and_then(|index| self.legs.get(index).copied().flatten())
    }
}

/// Measures one item's timeline against `target` as of `now`.
pub fn measure(
    timeline: &Timeline,
    target: &ServiceTarget,
    origin: &WorkingCalendar,
    destination: &WorkingCalendar,
    now: OffsetDateTime,
) -> ItemMeasure {
    let posted = timeline.first(Milestone::Posted);
    let delivered = timeline.first(Milestone::Delivered);
    let posted_on = posted.map(|at| at.date());
    let end_to_end_days = match (posted, delivered) {
        (Some(posted), Some(delivered)) => {
            Some(destination.working_days_after(posted.date(), delivered.date()))
        }
        _ => None,
    };
    let verdict = match (posted_on, end_to_end_days) {
        (None, _) => Verdict::NotPosted,
        (Some(_), Some(days)) if days <= u32::from(target.days) => Verdict::Met,
        (Some(_), Some(_)) => Verdict::Late,
        (Some(_), None) if timeline.returned_at.is_some() => Verdict::Returned,
        // The day is the one at the destination; `now` in UTC may be a day off either way at
        // midnight, which a deadline of whole days does not notice.
        (Some(j), None) if now.date() > destination.nth_working_day_after(j, target.days) => {
            Verdict::Overdue
        }
        (Some(_), None) => Verdict::InFlight,
    };
    let mut legs = [None; 5];
    for (slot, leg) in legs.iter_mut().zip(QualityLeg::ALL) {
        let (start, end) = leg.ends();
        if let (Some(start), Some(end)) = (timeline.first(start), timeline.first(end)) {
            let calendar = if leg.at_origin() { origin } else { destination };
            *slot = Some(calendar.working_days_after(start.date(), end.date()));
        }
    }
    let customs_hold = timeline.customs_held_at.map(|held| {
        let until = timeline
            .first(Milestone::ReleasedImportCustoms)
            .filter(|released| *released >= held)
            .unwrap_or(now);
        until - held
    });
    ItemMeasure {
        posted_on,
        end_to_end_days,
        verdict,
        legs,
        customs_hold,
    }
}

/// The figures of a set of items (a route, a service, a month): what a dashboard shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub met: u64,
    pub late: u64,
    pub overdue: u64,
    pub in_flight: u64,
    pub returned: u64,
    /// Items per working days from J to delivery: `end_to_end[d]` delivered on J+d, the last
    /// bucket holding J+[`Tally::LONGEST`] and later.
    pub end_to_end: Vec<u64>,
    /// The same per leg, in [`QualityLeg::ALL`] order.
    pub legs: [Vec<u64>; 5],
    pub customs_held: u64,
    pub customs_hold_total: Duration,
}

impl Tally {
    /// The last bucket of the distributions: J+30 and later.
    pub const LONGEST: usize = 30;

    fn count(buckets: &mut Vec<u64>, days: u32) {
        Self::count_many(buckets, days, 1);
    }

    fn count_many(buckets: &mut Vec<u64>, days: u32, items: u64) {
        let bucket = usize::try_from(days)
            .unwrap_or(Self::LONGEST)
            .min(Self::LONGEST);
        if buckets.len() <= bucket {
            buckets.resize(bucket + 1, 0);
        }
        if let Some(slot) = buckets.get_mut(bucket) {
            *slot += items;
        }
    }

    pub fn add(&mut self, item: &ItemMeasure) {
        match item.verdict {
            Verdict::Met => self.met += 1,
            Verdict::Late => self.late += 1,
            Verdict::Overdue => self.overdue += 1,
            Verdict::InFlight => self.in_flight += 1,
            Verdict::Returned => self.returned += 1,
            Verdict::NotPosted => {}
        }
        if let Some(days) = item.end_to_end_days {
            Self::count(&mut self.end_to_end, days);
        }
        for (buckets, days) in self.legs.iter_mut().zip(item.legs) {
            if let Some(days) = days {
                Self::count(buckets, days);
            }
        }
        if let Some(hold) = item.customs_hold {
            self.customs_held += 1;
            self.customs_hold_total += hold;
        }
    }

    /// Items counted in the J+N share: met, late and overdue.
    pub fn counted(&self) -> u64 {
        self.met + self.late + self.overdue
    }

    /// Met over counted, in per mille; `None` with nothing counted.
    pub fn met_per_mille(&self) -> Option<u64> {
        let counted = self.counted();
        (counted > 0).then(|| self.met * 1000 / counted)
    }

    /// Whether the share met reaches the target's (`false` with nothing counted).
    pub fn meets(&self, target: &ServiceTarget) -> bool {
        self.counted() > 0 && target.share.is_met_by(self.met, self.counted())
    }

    /// Items of a distribution delivered within `days` working days.
    pub fn within(buckets: &[u64], days: u16) -> u64 {
        buckets.iter().take(usize::from(days) + 1).sum()
    }

    /// The `per_mille`-th quantile of a distribution, in working days (`None` when empty):
    /// 500 gives the median, 850 the day by which 85 % arrived.
    pub fn quantile(buckets: &[u64], per_mille: u16) -> Option<u32> {
        let total: u64 = buckets.iter().sum();
        if total == 0 {
            return None;
        }
        let wanted = (total * u64::from(per_mille)).div_ceil(1000).max(1);
        let mut seen = 0;
        for (days, count) in buckets.iter().enumerate() {
            seen += count;
            if seen >= wanted {
                return u32::try_from(days).ok();
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::{LegTargets, Share};
    use crate::lifecycle::EventSource;
    use crate::service::ServiceCode;
    use time::macros::{date, datetime};

    fn egypt() -> WorkingCalendar {
        // 2026-10-06, Armed Forces Day (a Tuesday).
        WorkingCalendar::friday_saturday([date!(2026 - 10 - 06)])
    }

    fn palestine() -> WorkingCalendar {
        WorkingCalendar::friday_saturday([])
    }

    fn target(days: u16) -> ServiceTarget {
        ServiceTarget {
            service: ServiceCode::parse("registered").unwrap(),
            days,
            share: Share::from_percent(85).unwrap(),
            legs: LegTargets {
                transit: Some(2),
                ..LegTargets::default()
            },
        }
    }

    fn event(milestone: Milestone, at: OffsetDateTime) -> LifecycleEvent {
        LifecycleEvent {
            milestone,
            at,
            next_action: None,
            source: EventSource::Local,
        }
    }

    #[test]
    fn weekdays_are_named_in_lower_case_english_and_read_back_in_any_case() {
        assert_eq!(week().count(), 7);
        assert_eq!(week().last(), Some(Weekday::Sunday));
        for day in week() {
            assert_eq!(weekday_named(weekday_name(day)), Some(day));
            assert_eq!(
                weekday_named(&format!(" {} ", weekday_name(day).to_uppercase())),
                Some(day)
            );
        }
        assert_eq!(weekday_name(Weekday::Friday), "friday");
        assert_eq!(weekday_named("fri"), None);
        assert_eq!(weekday_named(""), None);
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let calendar = egypt();
        // Thursday 2026-10-01 to Sunday 2026-10-04: Friday and Saturday are off.
        assert_eq!(
            calendar.working_days_after(date!(2026 - 10 - 01), date!(2026 - 10 - 04)),
            1
        );
        // Across the holiday on Tuesday 6 October: Sun 4, Mon 5, (Tue 6 off), Wed 7.
        assert_eq!(
            calendar.working_days_after(date!(2026 - 10 - 03), date!(2026 - 10 - 07)),
            3
        );
        assert_eq!(
            calendar.working_days_after(date!(2026 - 10 - 07), date!(2026 - 10 - 07)),
            0
        );
        assert_eq!(
            calendar.working_days_after(date!(2026 - 10 - 07), date!(2026 - 10 - 01)),
            0
        );
        // Four whole weeks less the holiday.
        assert_eq!(
            calendar.working_days_after(date!(2026 - 10 - 01), date!(2026 - 10 - 29)),
            19
        );
        // A Saturday-Sunday weekend counts the same span differently.
        let europe = WorkingCalendar::new(&[Weekday::Saturday, Weekday::Sunday], []).unwrap();
        assert_eq!(
            europe.working_days_after(date!(2026 - 10 - 01), date!(2026 - 10 - 04)),
            1
        );
        assert_eq!(
            europe.working_days_after(date!(2026 - 10 - 02), date!(2026 - 10 - 05)),
            1
        );
        let every_day = [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ];
        assert!(WorkingCalendar::new(&every_day, []).is_err());
    }

    #[test]
    fn working_days_agree_with_counting_one_by_one() {
        let calendar = egypt();
        let start = date!(2026 - 09 - 20);
        for from_offset in 0..10 {
            for span in 0..40 {
                let from = start + Duration::days(from_offset);
                let to = from + Duration::days(span);
                let mut expected = 0;
                let mut day = from;
                while day < to {
                    day = day.next_day().unwrap();
                    if calendar.is_working_day(day) {
                        expected += 1;
                    }
                }
                assert_eq!(
                    calendar.working_days_after(from, to),
                    expected,
                    "{from} {to}"
                );
                let deadline = calendar.nth_working_day_after(from, 5);
                assert_eq!(calendar.working_days_after(from, deadline), 5);
                assert!(calendar.is_working_day(deadline));
            }
        }
    }

    #[test]
    fn j_plus_n_is_met_late_overdue_or_still_in_flight() {
        // Posted Thursday 1 October in Cairo; J+5 at the destination is Thursday 8 October
        // (Sun 4, Mon 5, Tue 6, Wed 7, Thu 8: Palestine has no holiday on the 6th).
        let posted = event(Milestone::Posted, datetime!(2026-10-01 10:00 +03:00));
        let delivered = |at| Timeline::of(&[posted.clone(), event(Milestone::Delivered, at)]);
        let now = datetime!(2026-11-01 12:00 UTC);
        let on_time = measure(
            &delivered(datetime!(2026-10-08 17:00 +03:00)),
            &target(5),
            &egypt(),
            &palestine(),
            now,
        );
        assert_eq!(on_time.verdict, Verdict::Met);
        assert_eq!(on_time.end_to_end_days, Some(5));
        let late = measure(
            &delivered(datetime!(2026-10-11 09:00 +03:00)),
            &target(5),
            &egypt(),
            &palestine(),
            now,
        );
        assert_eq!(late.verdict, Verdict::Late);
        assert_eq!(late.end_to_end_days, Some(6));

        let travelling = Timeline::of(std::slice::from_ref(&posted));
        for (now, verdict) in [
            (datetime!(2026-10-08 20:00 UTC), Verdict::InFlight),
            (datetime!(2026-10-09 08:00 UTC), Verdict::Overdue),
        ] {
            let measured = measure(&travelling, &target(5), &egypt(), &palestine(), now);
            assert_eq!(measured.verdict, verdict, "{now}");
            assert!(!Verdict::InFlight.is_counted());
        }
    }

    #[test]
    fn dates_are_those_of_the_office_in_its_own_offset() {
        // Posted at 23:30 on Wednesday in Cairo (UTC+2, winter time): already Thursday at
        // UTC+3, but the counter's date is Wednesday, so a delivery on Sunday is J+2 (Thursday
        // and Sunday), not J+1.
        let posted = event(Milestone::Posted, datetime!(2026-11-04 23:30 +02:00));
        let delivered = event(Milestone::Delivered, datetime!(2026-11-08 00:30 +02:00));
        let measured = measure(
            &Timeline::of(&[posted, delivered]),
            &target(5),
            &egypt(),
            &palestine(),
            datetime!(2026-12-01 00:00 UTC),
        );
        assert_eq!(measured.posted_on, Some(date!(2026 - 11 - 04)));
        assert_eq!(measured.end_to_end_days, Some(2));
    }

    #[test]
    fn legs_count_each_milestone_once_in_the_right_calendar() {
        let events = [
            event(Milestone::Posted, datetime!(2026-10-01 09:00 +03:00)),
            event(
                Milestone::ArrivedOutwardOffice,
                datetime!(2026-10-04 08:00 +03:00),
            ),
            // Scanned in twice: the first arrival starts the next leg.
            event(
                Milestone::ArrivedOutwardOffice,
                datetime!(2026-10-05 08:00 +03:00),
            ),
            event(
                Milestone::DepartedOutwardOffice,
                datetime!(2026-10-07 18:00 +03:00),
            ),
            event(
                Milestone::ArrivedInwardOffice,
                datetime!(2026-10-08 11:00 +03:00),
            ),
            event(
                Milestone::PresentedImportCustoms,
                datetime!(2026-10-08 12:00 +03:00),
            ),
            event(
                Milestone::HeldImportCustoms,
                datetime!(2026-10-08 13:00 +03:00),
            ),
            event(
                Milestone::ReleasedImportCustoms,
                datetime!(2026-10-11 10:00 +03:00),
            ),
            event(
                Milestone::DepartedInwardOffice,
                datetime!(2026-10-11 12:00 +03:00),
            ),
            event(Milestone::Delivered, datetime!(2026-10-12 15:00 +03:00)),
        ];
        let measured = measure(
            &Timeline::of(&events),
            &target(7),
            &egypt(),
            &palestine(),
            datetime!(2026-11-01 00:00 UTC),
        );
        assert_eq!(measured.leg(QualityLeg::CounterToOutwardOffice), Some(1));
        // Sun 4 -> Wed 7 in Egypt: Mon 5, (Tue 6 holiday), Wed 7.
        assert_eq!(measured.leg(QualityLeg::OutwardOfficeToDeparture), Some(2));
        assert_eq!(measured.leg(QualityLeg::Transit), Some(1));
        assert_eq!(measured.leg(QualityLeg::InwardCustoms), Some(1));
        assert_eq!(measured.leg(QualityLeg::InwardOfficeToDelivery), Some(1));
        assert_eq!(
            measured.customs_hold,
            Some(Duration::days(2) + Duration::hours(21))
        );
        // Thu 1 -> Mon 12 in Palestine: Sun 4 ... Thu 8 (5), Sun 11, Mon 12.
        assert_eq!(measured.end_to_end_days, Some(7));
        assert_eq!(measured.verdict, Verdict::Met);
    }

    #[test]
    fn a_return_to_sender_is_a_return_and_ends_the_outbound_legs() {
        let mut refused = event(
            Milestone::DeliveryAttemptFailed,
            datetime!(2026-10-08 11:00 +03:00),
        );
        refused.next_action = Some(NextAction::ReturnToSender);
        let events = [
            event(Milestone::Posted, datetime!(2026-10-01 09:00 +03:00)),
            event(
                Milestone::DepartedInwardOffice,
                datetime!(2026-10-07 12:00 +03:00),
            ),
            refused,
            // Back in Cairo and handed to the sender: not a delivery of this item.
            event(Milestone::Delivered, datetime!(2026-10-20 10:00 +03:00)),
        ];
        let measured = measure(
            &Timeline::of(&events),
            &target(5),
            &egypt(),
            &palestine(),
            datetime!(2026-11-01 00:00 UTC),
        );
        assert_eq!(measured.verdict, Verdict::Returned);
        assert_eq!(measured.end_to_end_days, None);
        assert!(!measured.verdict.is_counted());
    }

    #[test]
    fn a_tally_gives_shares_distributions_and_quantiles() {
        let mut tally = Tally::default();
        let measured = |days: Option<u32>, verdict| ItemMeasure {
            posted_on: Some(date!(2026 - 10 - 01)),
            end_to_end_days: days,
            verdict,
            legs: [None, None, days, None, None],
            customs_hold: None,
        };
        for _ in 0..17 {
            tally.add(&measured(Some(4), Verdict::Met));
        }
        tally.add(&measured(Some(9), Verdict::Late));
        tally.add(&measured(None, Verdict::Overdue));
        tally.add(&measured(None, Verdict::InFlight));
        tally.add(&measured(None, Verdict::Returned));
        tally.add(&measured(Some(45), Verdict::Late));
        assert_eq!(tally.counted(), 20);
        assert_eq!(tally.met_per_mille(), Some(850));
        assert!(tally.meets(&target(5)));
        assert_eq!(tally.end_to_end.len(), Tally::LONGEST + 1);
        assert_eq!(tally.end_to_end[Tally::LONGEST], 1);
        assert_eq!(Tally::within(&tally.end_to_end, 5), 17);
        assert_eq!(Tally::quantile(&tally.end_to_end, 500), Some(4));
        assert_eq!(Tally::quantile(&tally.end_to_end, 1000), Some(30));
        assert_eq!(Tally::quantile(&[], 500), None);
        assert_eq!(tally.legs[2].iter().sum::<u64>(), 19);
        assert_eq!(Tally::default().met_per_mille(), None);
        assert!(!Tally::default().meets(&target(5)));
    }
}
