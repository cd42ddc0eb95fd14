//! Dispatch numbers: 0001 to 9999 per dispatch series and per calendar year.
//!
//! The S8 standard says numbers run per series and per year but, in the public material, not
//! when they restart. Barid's rule: a series' numbers restart at 0001 on 1 January (in the
//! operator's time zone; the caller passes the date). The store keeps the last number used
//! for each (series, year) and serialises concurrent closings; this module only computes the
//! next number from the last one.
//!
//! The S8 ID carries only the last digit of the year, so an ID repeats after ten years; that is
//! the standard's limit, not Barid's.

use time::Date;

use crate::dispatch::{DispatchId, DispatchNumber, DispatchSeries, DispatchYear};

/// Why no dispatch number can be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberingError {
    #[error(
        "dispatch series {origin}-{destination} {category}{subclass} has used every number of {year} (up to 9999)",
        origin = .series.origin,
        destination = .series.destination,
        category = .series.category,
        subclass = .series.subclass
    )]
    SeriesExhausted { series: DispatchSeries, year: i32 },
}

impl NumberingError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            NumberingError::SeriesExhausted { .. } => "series_exhausted",
        }
    }
}

/// A dispatch series in one calendar year: the scope in which dispatch numbers are unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesYear {
    pub series: DispatchSeries,
    /// The full calendar year, so the store can key numbering on it (the S8 ID keeps one digit).
    pub year: i32,
}

impl SeriesYear {
    /// The series' numbering scope on `date`, the day the dispatch closes.
    pub fn on(series: DispatchSeries, date: Date) -> Self {
        Self {
            series,
            year: date.year(),
        }
    }

    /// The number after `last_used`, the last number this series used this year: 0001 when
    /// none was used yet (so on 1 January too), and `series_exhausted` after 9999.
    pub fn next_number(
        &self,
        last_used: Option<DispatchNumber>,
    ) -> Result<DispatchNumber, NumberingError> {
        let next = match last_used {
            None => Some(DispatchNumber::FIRST),
            Some(number) => number.next(),
        };
        next.ok_or(NumberingError::SeriesExhausted {
            series: self.series,
            year: self.year,
        })
    }

    /// The S8 ID of the next dispatch, given the last number the series used this year.
    pub fn next_dispatch(
        &self,
        last_used: Option<DispatchNumber>,
    ) -> Result<DispatchId, NumberingError> {
        Ok(self.dispatch_id(self.next_number(last_used)?))
    }

    /// The S8 ID of dispatch `number` in this series and year.
    pub fn dispatch_id(&self, number: DispatchNumber) -> DispatchId {
        DispatchId {
            origin: self.series.origin,
            destination: self.series.destination,
            category: self.series.category,
            subclass: self.series.subclass,
            year: DispatchYear::from_year(self.year),
            number,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::test_support::series;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn the_first_dispatch_of_a_year_is_0001() {
        let scope = SeriesYear::on(series(), date!(2026 - 01 - 01));
        let id = scope.next_dispatch(None).unwrap();
        assert_eq!(id.to_string(), "EGCAIAPSRMHAAUN60001");
        assert_eq!(id.series(), series());
        let next = scope.next_dispatch(Some(id.number)).unwrap();
        assert_eq!(next.to_string(), "EGCAIAPSRMHAAUN60002");
    }

    #[test]
    fn numbering_restarts_with_the_year() {
        let last_of_2025 = SeriesYear::on(series(), date!(2025 - 12 - 31));
        let first_of_2026 = SeriesYear::on(series(), date!(2026 - 01 - 01));
        assert_ne!(last_of_2025, first_of_2026);
        // The store finds no number used in 2026 yet, whatever 2025 reached.
        assert_eq!(
            first_of_2026.next_dispatch(None).unwrap().number,
            DispatchNumber::FIRST
        );
        assert_eq!(last_of_2025.next_dispatch(None).unwrap().year.digit(), 5);
    }

    #[test]
    fn a_series_that_used_9999_is_exhausted() {
        let scope = SeriesYear::on(series(), date!(2026 - 06 - 30));
        let error = scope.next_dispatch(Some(DispatchNumber::LAST)).unwrap_err();
        assert_eq!(error.code(), "series_exhausted");
        assert_eq!(
            error.to_string(),
            "dispatch series EGCAIA-PSRMHA AUN has used every number of 2026 (up to 9999)"
        );
        assert_eq!(
            scope
                .next_dispatch(DispatchNumber::new(9998).ok())
                .unwrap()
                .number,
            DispatchNumber::LAST
        );
    }

    proptest! {
        #[test]
        fn numbers_never_repeat_or_skip_within_a_year(count in 1usize..=9999) {
            let scope = SeriesYear::on(series(), date!(2026 - 03 - 01));
            let mut last = None;
            for expected in 1..=count {
                let number = scope.next_number(last).unwrap();
                prop_assert_eq!(usize::from(number.get()), expected);
                last = Some(number);
            }
            // Only the 9999th number has no successor.
            prop_assert_eq!(scope.next_number(last).is_err(), count == 9999);
        }

        #[test]
        fn each_next_number_is_one_more(last in 1u16..=9999) {
            let scope = SeriesYear::on(series(), date!(2026 - 03 - 01));
            let last = DispatchNumber::new(last).unwrap();
            match scope.next_number(Some(last)) {
                Ok(next) => prop_assert_eq!(next.get(), last.get() + 1),
                Err(error) => {
                    prop_assert_eq!(last, DispatchNumber::LAST);
                    prop_assert_eq!(error.code(), "series_exhausted");
                }
            }
        }
    }
}
