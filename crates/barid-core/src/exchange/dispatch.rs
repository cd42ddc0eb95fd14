//! Closing a dispatch: its closed receptacles get their serials and final S9 IDs.
//!
//! The receptacles are numbered 001 to n in the order given (the store passes them in the
//! order they were opened), and only the last one carries the highest-receptacle flag, so the
//! inward office knows from any label how many receptacles to expect. The registered flag and
//! the weight come from each receptacle's contents and gross weight.

use serde::Serialize;

use crate::dispatch::{DispatchId, DispatchSeries, ReceptacleId, ReceptacleSerial};
use crate::money::Grams;
use crate::s10::S10Id;

use super::receptacle::{Receptacle, ReceptacleState};
use super::verification::{AdvisedReceptacle, PreAdvice};

/// The most receptacles one dispatch can have: the S9 serial has three digits.
pub const MAX_RECEPTACLES: usize = 999;

/// Why a dispatch cannot be closed. Positions are 1-based, in the order the receptacles were
/// given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DispatchCloseError {
    #[error("dispatch {dispatch} has no receptacle; a dispatch holds at least one")]
    Empty { dispatch: DispatchId },
    #[error(
        "dispatch {dispatch} has {count} receptacles; the S9 serial allows at most {MAX_RECEPTACLES}"
    )]
    TooManyReceptacles { dispatch: DispatchId, count: usize },
    #[error(
        "receptacle {position} of dispatch {dispatch} is still open; close it with its weight first"
    )]
    OpenReceptacle {
        dispatch: DispatchId,
        position: usize,
    },
    #[error("receptacle {position} already belongs to the closed dispatch {closed_in}")]
    AlreadyDispatched {
        position: usize,
        closed_in: ReceptacleId,
    },
    #[error(
        "receptacle {position} belongs to series {found_origin}-{found_destination} {found_category}{found_subclass}, not to dispatch {dispatch}",
        found_origin = .found.origin,
        found_destination = .found.destination,
        found_category = .found.category,
        found_subclass = .found.subclass
    )]
    SeriesMismatch {
        dispatch: DispatchId,
        position: usize,
        found: DispatchSeries,
    },
}

impl DispatchCloseError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            DispatchCloseError::Empty { .. } => "empty_dispatch",
            DispatchCloseError::TooManyReceptacles { .. } => "too_many_receptacles",
            DispatchCloseError::OpenReceptacle { .. } => "open_receptacle",
            DispatchCloseError::AlreadyDispatched { .. } => "already_dispatched",
            DispatchCloseError::SeriesMismatch { .. } => "series_mismatch",
        }
    }
}

/// One receptacle of a closed dispatch, as labelled (CN 35) and pre-advised (PREDES).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DispatchedReceptacle {
    pub id: ReceptacleId,
    /// The weight measured at closing; the S9 ID carries it rounded to 0.1 kg.
    pub gross_weight: Grams,
    /// The S10 items listed in it, in the order bagged.
    pub items: Vec<S10Id>,
}

/// A closed dispatch: its S8 ID and its receptacles in serial order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosedDispatch {
    id: DispatchId,
    receptacles: Vec<DispatchedReceptacle>,
}

impl ClosedDispatch {
    pub fn id(&self) -> DispatchId {
        self.id
    }

    pub fn receptacles(&self) -> &[DispatchedReceptacle] {
        &self.receptacles
    }

    /// The sum of the measured gross weights, for the letter bill and delivery bill.
    pub fn total_weight(&self) -> u64 {
        self.receptacles
            .iter()
            .map(|receptacle| u64::from(receptacle.gross_weight.get()))
            .sum()
    }

    /// What the destination (and any closed transit post) is told to expect.
    pub fn pre_advice(&self) -> PreAdvice {
        PreAdvice {
            dispatch: self.id,
            receptacles: self
                .receptacles
                .iter()
                .map(|receptacle| AdvisedReceptacle {
                    id: receptacle.id,
                    weight: receptacle.gross_weight,
                    items: receptacle.items.clone(),
                })
                .collect(),
        }
    }
}

/// Closes dispatch `id` with `receptacles`, in that order. Every check runs before anything
/// changes: on success each receptacle moves to `dispatched` with its final S9 ID, on error
/// none does.
pub fn close_dispatch(
    id: DispatchId,
    receptacles: &mut [Receptacle],
) -> Result<ClosedDispatch, DispatchCloseError> {
    let count = receptacles.len();
    if count == 0 {
        return Err(DispatchCloseError::Empty { dispatch: id });
    }
    if count > MAX_RECEPTACLES {
        return Err(DispatchCloseError::TooManyReceptacles {
            dispatch: id,
            count,
        });
    }
    let mut planned = Vec::with_capacity(count);
    for (position, receptacle) in (1..).zip(receptacles.iter()) {
        if receptacle.series() != id.series() {
            return Err(DispatchCloseError::SeriesMismatch {
                dispatch: id,
                position,
                found: receptacle.series(),
            });
        }
        let gross_weight = match receptacle.state() {
            ReceptacleState::Closed { gross_weight } => gross_weight,
            ReceptacleState::Open => {
                return Err(DispatchCloseError::OpenReceptacle {
                    dispatch: id,
                    position,
                });
            }
            ReceptacleState::Dispatched { id: closed_in, .. } => {
                return Err(DispatchCloseError::AlreadyDispatched {
                    position,
                    closed_in,
                });
            }
        };
        let serial = u16::try_from(position)
            .ok()
            .and_then(|serial| ReceptacleSerial::new(serial).ok())
            .ok_or(DispatchCloseError::TooManyReceptacles {
                dispatch: id,
                count,
            })?;
        planned.push(DispatchedReceptacle {
            id: ReceptacleId {
                dispatch: id,
                serial,
                highest: position == count,
                registered: receptacle.is_registered(),
                weight: gross_weight.label(),
            },
            gross_weight: gross_weight.grams(),
            items: receptacle.items().iter().map(|item| item.s10).collect(),
        });
    }
    for (receptacle, dispatched) in receptacles.iter_mut().zip(&planned) {
        receptacle.mark_dispatched(dispatched.id);
    }
    Ok(ClosedDispatch {
        id,
        receptacles: planned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::{MailSubclass, ReceptacleWeight};
    use crate::exchange::numbering::SeriesYear;
    use crate::exchange::test_support::{letter, office, series};
    use proptest::prelude::*;
    use time::macros::date;

    fn dispatch_id() -> DispatchId {
        SeriesYear::on(series(), date!(2026 - 04 - 15))
            .next_dispatch(None)
            .unwrap()
    }

    fn closed(items: &[(u32, bool)], gross: u32) -> Receptacle {
        let mut receptacle = Receptacle::open(series());
        for (serial, registered) in items {
            let mut item = letter(*serial, 100);
            item.registered = *registered;
            receptacle.add_item(item).unwrap();
        }
        receptacle.close(Grams::new(gross)).unwrap();
        receptacle
    }

    #[test]
    fn closing_numbers_the_receptacles_and_flags_the_last() {
        let mut receptacles = vec![
            closed(&[(1, true), (2, false)], 12_345),
            closed(&[(3, false)], 800),
            closed(&[], 4_000),
        ];
        let dispatch = close_dispatch(dispatch_id(), &mut receptacles).unwrap();
        let ids: Vec<String> = dispatch
            .receptacles()
            .iter()
            .map(|r| r.id.to_string())
            .collect();
        assert_eq!(
            ids,
            [
                "EGCAIAPSRMHAAUN60001001010123",
                "EGCAIAPSRMHAAUN60001002000008",
                "EGCAIAPSRMHAAUN60001003100040",
            ]
        );
        assert_eq!(dispatch.id().to_string(), "EGCAIAPSRMHAAUN60001");
        assert_eq!(dispatch.total_weight(), 17_145);
        assert_eq!(
            dispatch.receptacles().first().unwrap().items,
            [letter(1, 0).s10, letter(2, 0).s10]
        );
        // Every receptacle is now dispatched and can no longer be reopened.
        for (receptacle, dispatched) in receptacles.iter_mut().zip(dispatch.receptacles()) {
            assert_eq!(
                receptacle.state(),
                ReceptacleState::Dispatched {
                    gross_weight: match receptacle.state() {
                        ReceptacleState::Dispatched { gross_weight, .. } => gross_weight,
                        other => panic!("{other:?}"),
                    },
                    id: dispatched.id
                }
            );
            assert_eq!(receptacle.reopen().unwrap_err().code(), "dispatch_closed");
        }
        // Closing again is refused.
        assert_eq!(
            close_dispatch(dispatch_id(), &mut receptacles)
                .unwrap_err()
                .code(),
            "already_dispatched"
        );
    }

    #[test]
    fn a_dispatch_needs_closed_receptacles_of_its_series() {
        assert_eq!(
            close_dispatch(dispatch_id(), &mut []).unwrap_err().code(),
            "empty_dispatch"
        );

        let mut receptacles = vec![closed(&[(1, true)], 500), Receptacle::open(series())];
        let error = close_dispatch(dispatch_id(), &mut receptacles).unwrap_err();
        assert_eq!(
            error,
            DispatchCloseError::OpenReceptacle {
                dispatch: dispatch_id(),
                position: 2
            }
        );
        // Nothing changed: the first receptacle can still be reopened.
        assert!(receptacles.first_mut().unwrap().reopen().is_ok());

        let mut other_series = series();
        other_series.subclass = MailSubclass::parse("UR").unwrap();
        let mut stranger = Receptacle::open(other_series);
        stranger.close(Grams::new(500)).unwrap();
        let error = close_dispatch(dispatch_id(), &mut [stranger]).unwrap_err();
        assert_eq!(error.code(), "series_mismatch");
        assert_eq!(
            error.to_string(),
            "receptacle 1 belongs to series EGCAIA-PSRMHA AUR, not to dispatch EGCAIAPSRMHAAUN60001"
        );

        let mut to_amman = series();
        to_amman.destination = office("JOAMMA");
        let mut wrong_office = Receptacle::open(to_amman);
        wrong_office.close(Grams::new(500)).unwrap();
        assert_eq!(
            close_dispatch(dispatch_id(), &mut [wrong_office])
                .unwrap_err()
                .code(),
            "series_mismatch"
        );
    }

    #[test]
    fn at_most_999_receptacles() {
        let mut receptacles = vec![closed(&[], 500); 1000];
        let error = close_dispatch(dispatch_id(), &mut receptacles).unwrap_err();
        assert_eq!(error.code(), "too_many_receptacles");
        assert_eq!(
            error.to_string(),
            "dispatch EGCAIAPSRMHAAUN60001 has 1000 receptacles; the S9 serial allows at most 999"
        );
        receptacles.truncate(999);
        let dispatch = close_dispatch(dispatch_id(), &mut receptacles).unwrap();
        let last = dispatch.receptacles().last().unwrap().id;
        assert_eq!((last.serial.get(), last.highest), (999, true));
    }

    proptest! {
        #[test]
        fn serials_run_one_to_n_and_only_the_last_is_highest(
            receptacles in proptest::collection::vec(
                (proptest::collection::vec(any::<bool>(), 0..4), 50u32..999_950),
                1..40,
            ),
        ) {
            let mut next_serial = 1u32..;
            let mut built: Vec<Receptacle> = receptacles
                .iter()
                .map(|(registered, gross)| {
                    let items: Vec<(u32, bool)> = registered
                        .iter()
                        .map(|flag| (next_serial.next().unwrap(), *flag))
                        .collect();
                    // The items weigh 100 g each; keep the gross weight above them.
                    let contents = u32::try_from(items.len()).unwrap() * 100;
                    closed(&items, (*gross).max(contents))
                })
                .collect();
            let dispatch = close_dispatch(dispatch_id(), &mut built).unwrap();
            let n = receptacles.len();
            prop_assert_eq!(dispatch.receptacles().len(), n);
            let prefix = dispatch.id().to_string();
            for (position, ((registered, _), done)) in
                (1..).zip(receptacles.iter().zip(dispatch.receptacles()))
            {
                prop_assert_eq!(usize::from(done.id.serial.get()), position);
                prop_assert_eq!(done.id.highest, position == n);
                prop_assert_eq!(done.id.registered, registered.iter().any(|r| *r));
                prop_assert_eq!(
                    done.id.weight,
                    ReceptacleWeight::from_grams(done.gross_weight.get()).unwrap()
                );
                let text = done.id.to_string();
                prop_assert!(text.starts_with(&prefix));
                prop_assert_eq!(ReceptacleId::parse(&text).unwrap(), done.id);
            }
            prop_assert_eq!(
                dispatch.receptacles().iter().filter(|r| r.id.highest).count(),
                1
            );
        }
    }
}
