//! Receptacles (bags, trays) at the outward office of exchange.
//!
//! A receptacle belongs to a dispatch series (origin OE, destination OE, category, subclass)
//! from the moment it is opened. It moves through three states:
//!
//! ```text
//!   open ──close(gross weight)──► closed ──close_dispatch──► dispatched (has its S9 ID)
//!    ▲                              │
//!    └──────────reopen──────────────┘
//! ```
//!
//! Only S10-tracked items are listed: a letter-post bag may also hold ordinary mail without
//! an S10 ID, so a receptacle with no listed item may still be closed. That an item is in no
//! other receptacle is the store's check: it sees every receptacle, this type sees one.

use std::fmt;

use serde::Serialize;

use crate::country::CountryCode;
use crate::dispatch::{
    DispatchSeries, MailCategory, MailClass, PostalIdError, ReceptacleId, ReceptacleWeight,
};
use crate::money::Grams;
use crate::office::OfficeCode;
use crate::s10::S10Id;

/// What the office knows about an item when it is put into a receptacle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ItemFacts {
    pub s10: S10Id,
    /// The country the item is addressed to.
    pub destination: CountryCode,
    /// The mail class of the item's service (`U`, `C`, `E`).
    pub mail_class: MailClass,
    /// The category the agreement sets for the service (`A` airmail, `C` surface...).
    pub category: MailCategory,
    /// Registered or insured: such an item makes the receptacle's registered flag 1.
    pub registered: bool,
    /// Held by customs (or held at the office): it may not be bagged.
    pub held: bool,
    /// Goods on a route that needs export customs, not released by it yet: not bagged either.
    pub awaiting_export_customs: bool,
    pub weight: Grams,
}

/// A gross receptacle weight that fits an S9 ID: at least 0.1 kg once rounded (0000 would
/// say the receptacle weighs nothing) and at most 999.9 kg. Serialises as grams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrossWeight {
    grams: Grams,
    label: ReceptacleWeight,
}

impl GrossWeight {
    pub fn new(grams: Grams) -> Result<Self, ReceptacleError> {
        match ReceptacleWeight::from_grams(grams.get()) {
            Ok(label) if label.tenths_of_kg() == 0 => Err(ReceptacleError::WeightZero { grams }),
            Ok(label) => Ok(Self { grams, label }),
            Err(source) => Err(ReceptacleError::TooHeavy { grams, source }),
        }
    }

    /// The weight as measured.
    pub fn grams(&self) -> Grams {
        self.grams
    }

    /// The weight as the S9 ID carries it (0.1 kg units, rounded half up).
    pub fn label(&self) -> ReceptacleWeight {
        self.label
    }
}

impl Serialize for GrossWeight {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.grams.serialize(serializer)
    }
}

/// Where a receptacle stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReceptacleState {
    /// Items may be added and removed.
    Open,
    /// Weighed and sealed; may be reopened until its dispatch closes.
    Closed { gross_weight: GrossWeight },
    /// Its dispatch is closed: the S9 ID is final and the receptacle can no longer change.
    Dispatched {
        gross_weight: GrossWeight,
        id: ReceptacleId,
    },
}

impl ReceptacleState {
    /// `open`, `closed` or `dispatched`, stable in the API and the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            ReceptacleState::Open => "open",
            ReceptacleState::Closed { .. } => "closed",
            ReceptacleState::Dispatched { .. } => "dispatched",
        }
    }
}

impl fmt::Display for ReceptacleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an item cannot go into a receptacle, or why a receptacle cannot change state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceptacleError {
    #[error("{item} is addressed to {found}, but this receptacle goes to {expected} ({office})")]
    WrongDestination {
        item: S10Id,
        expected: CountryCode,
        found: CountryCode,
        office: OfficeCode,
    },
    #[error("{item} is mail class {found}, but this receptacle carries class {expected}")]
    WrongMailClass {
        item: S10Id,
        expected: MailClass,
        found: MailClass,
    },
    #[error("{item} travels in mail category {found}, but this receptacle is category {expected}")]
    WrongCategory {
        item: S10Id,
        expected: MailCategory,
        found: MailCategory,
    },
    #[error("{item} is already in this receptacle")]
    AlreadyInReceptacle { item: S10Id },
    #[error("{item} is held and may not be bagged until it is released")]
    ItemHeld { item: S10Id },
    #[error(
        "{item} carries goods and this route needs export customs: present it (EXA) and have it \
         released (EXC) before it is bagged"
    )]
    ExportCustomsRequired { item: S10Id },
    #[error("{item} is not in this receptacle")]
    NotInReceptacle { item: S10Id },
    #[error(
        "the receptacle is {state}; items can only be added or removed, and the receptacle closed, while it is open"
    )]
    NotOpen { state: ReceptacleState },
    #[error("the receptacle is {state}; only a closed receptacle can be reopened")]
    NotClosed { state: ReceptacleState },
    #[error("the receptacle's dispatch is closed ({id}); it can no longer be reopened")]
    DispatchClosed { id: ReceptacleId },
    #[error("a gross weight of {grams} rounds to 0.0 kg; weigh the receptacle with its contents")]
    WeightZero { grams: Grams },
    #[error("a gross weight of {grams} is more than an S9 ID can carry (999.9 kg)")]
    TooHeavy {
        grams: Grams,
        #[source]
        source: PostalIdError,
    },
    #[error("a gross weight of {gross} is lighter than the items listed in it ({contents})")]
    LighterThanContents { gross: Grams, contents: Grams },
    #[error("the S9 ID {id} does not match the receptacle: {reason}")]
    LabelMismatch {
        id: ReceptacleId,
        reason: &'static str,
    },
}

impl ReceptacleError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            ReceptacleError::WrongDestination { .. } => "wrong_destination",
            ReceptacleError::WrongMailClass { .. } => "wrong_mail_class",
            ReceptacleError::WrongCategory { .. } => "wrong_category",
            ReceptacleError::AlreadyInReceptacle { .. } => "already_in_receptacle",
            ReceptacleError::ItemHeld { .. } => "item_held",
            ReceptacleError::ExportCustomsRequired { .. } => "export_customs_required",
            ReceptacleError::NotInReceptacle { .. } => "not_in_receptacle",
            ReceptacleError::NotOpen { .. } => "receptacle_not_open",
            ReceptacleError::NotClosed { .. } => "receptacle_not_closed",
            ReceptacleError::DispatchClosed { .. } => "dispatch_closed",
            ReceptacleError::WeightZero { .. } => "weight_zero",
            ReceptacleError::TooHeavy { .. } => "too_heavy",
            ReceptacleError::LighterThanContents { .. } => "lighter_than_contents",
            ReceptacleError::LabelMismatch { .. } => "label_mismatch",
        }
    }
}

/// A receptacle of one dispatch series with the S10 items listed in it, in the order bagged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receptacle {
    series: DispatchSeries,
    items: Vec<ItemFacts>,
    state: ReceptacleState,
}

impl Receptacle {
    /// A new, empty, open receptacle.
    pub fn open(series: DispatchSeries) -> Self {
        Self {
            series,
            items: Vec::new(),
            state: ReceptacleState::Open,
        }
    }

    /// Rebuilds a stored receptacle, checking everything `add_item` and `close` check except
    /// the hold: an item may be held by customs after it was bagged, and the store must still
    /// be able to load the receptacle to take it out.
    pub fn restore(
        series: DispatchSeries,
        items: Vec<ItemFacts>,
        state: ReceptacleState,
    ) -> Result<Self, ReceptacleError> {
        let mut receptacle = Self::open(series);
        for item in items {
            receptacle.check_fits(&item)?;
            receptacle.items.push(item);
        }
        match state {
            ReceptacleState::Open => {}
            ReceptacleState::Closed { gross_weight } => receptacle.check_gross(gross_weight)?,
            ReceptacleState::Dispatched { gross_weight, id } => {
                receptacle.check_gross(gross_weight)?;
                let reason = if id.dispatch.series() != series {
                    Some("its dispatch series differs")
                } else if id.registered != receptacle.is_registered() {
                    Some("its registered flag differs from the contents")
                } else if id.weight != gross_weight.label() {
                    Some("its weight differs from the gross weight")
                } else {
                    None
                };
                if let Some(reason) = reason {
                    return Err(ReceptacleError::LabelMismatch { id, reason });
                }
            }
        }
        receptacle.state = state;
        Ok(receptacle)
    }

    pub fn series(&self) -> DispatchSeries {
        self.series
    }

    pub fn items(&self) -> &[ItemFacts] {
        &self.items
    }

    pub fn state(&self) -> ReceptacleState {
        self.state
    }

    pub fn contains(&self, s10: &S10Id) -> bool {
        self.items.iter().any(|item| &item.s10 == s10)
    }

    /// The S9 registered flag: 1 as soon as one registered or insured item is inside.
    pub fn is_registered(&self) -> bool {
        self.items.iter().any(|item| item.registered)
    }

    /// The sum of the listed items' weights (u64: a thousand items of 4,000 t cannot overflow).
    pub fn contents_weight(&self) -> u64 {
        self.items
            .iter()
            .map(|item| u64::from(item.weight.get()))
            .sum()
    }

    /// Puts an item into the open receptacle. The checks run in a fixed order (destination,
    /// class, category, duplicate, hold) so the same item always gets the same reason.
    pub fn add_item(&mut self, item: ItemFacts) -> Result<(), ReceptacleError> {
        self.require_open()?;
        self.check_fits(&item)?;
        if item.held {
            return Err(ReceptacleError::ItemHeld { item: item.s10 });
        }
        if item.awaiting_export_customs {
            return Err(ReceptacleError::ExportCustomsRequired { item: item.s10 });
        }
        self.items.push(item);
        Ok(())
    }

    /// Takes an item out of the open receptacle (wrongly bagged, or held after bagging).
    pub fn remove_item(&mut self, s10: &S10Id) -> Result<ItemFacts, ReceptacleError> {
        self.require_open()?;
        let position = self
            .items
            .iter()
            .position(|item| &item.s10 == s10)
            .ok_or(ReceptacleError::NotInReceptacle { item: *s10 })?;
        Ok(self.items.remove(position))
    }

    /// Weighs and seals the receptacle. The gross weight includes the receptacle itself, so it
    /// can never be below the listed items' weights.
    pub fn close(&mut self, gross: Grams) -> Result<(), ReceptacleError> {
        self.require_open()?;
        let gross_weight = GrossWeight::new(gross)?;
        self.check_gross(gross_weight)?;
        self.state = ReceptacleState::Closed { gross_weight };
        Ok(())
    }

    /// Opens a closed receptacle again, e.g. to take out an item customs now holds. Its
    /// weight is forgotten: it is weighed again when it closes.
    pub fn reopen(&mut self) -> Result<(), ReceptacleError> {
        match self.state {
            ReceptacleState::Closed { .. } => {
                self.state = ReceptacleState::Open;
                Ok(())
            }
            ReceptacleState::Dispatched { id, .. } => Err(ReceptacleError::DispatchClosed { id }),
            state @ ReceptacleState::Open => Err(ReceptacleError::NotClosed { state }),
        }
    }

    /// Called by [`super::dispatch::close_dispatch`] once every check has passed.
    pub(super) fn mark_dispatched(&mut self, id: ReceptacleId) {
        if let ReceptacleState::Closed { gross_weight } = self.state {
            self.state = ReceptacleState::Dispatched { gross_weight, id };
        }
    }

    fn require_open(&self) -> Result<(), ReceptacleError> {
        match self.state {
            ReceptacleState::Open => Ok(()),
            state => Err(ReceptacleError::NotOpen { state }),
        }
    }

    fn check_fits(&self, item: &ItemFacts) -> Result<(), ReceptacleError> {
        let office = self.series.destination;
        if item.destination != office.country() {
            return Err(ReceptacleError::WrongDestination {
                item: item.s10,
                expected: office.country(),
                found: item.destination,
                office,
            });
        }
        let class = self.series.subclass.class();
        if item.mail_class != class {
            return Err(ReceptacleError::WrongMailClass {
                item: item.s10,
                expected: class,
                found: item.mail_class,
            });
        }
        if item.category != self.series.category {
            return Err(ReceptacleError::WrongCategory {
                item: item.s10,
                expected: self.series.category,
                found: item.category,
            });
        }
        if self.contains(&item.s10) {
            return Err(ReceptacleError::AlreadyInReceptacle { item: item.s10 });
        }
        Ok(())
    }

    fn check_gross(&self, gross_weight: GrossWeight) -> Result<(), ReceptacleError> {
        let contents = self.contents_weight();
        if u64::from(gross_weight.grams().get()) < contents {
            return Err(ReceptacleError::LighterThanContents {
                gross: gross_weight.grams(),
                // Below the gross weight, which is a u32, so it fits.
                contents: Grams::new(u32::try_from(contents).unwrap_or(u32::MAX)),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::test_support::{country, letter, s10, series};
    use proptest::prelude::*;

    #[test]
    fn items_that_fit_go_in_and_set_the_registered_flag() {
        let mut receptacle = Receptacle::open(series());
        let mut ordinary = letter(1, 200);
        ordinary.registered = false;
        receptacle.add_item(ordinary).unwrap();
        assert!(!receptacle.is_registered());
        receptacle.add_item(letter(2, 300)).unwrap();
        assert!(receptacle.is_registered());
        assert_eq!(receptacle.contents_weight(), 500);
        assert_eq!(receptacle.items().len(), 2);
        assert!(receptacle.contains(&s10(2)));
    }

    #[test]
    fn items_that_do_not_fit_are_refused_with_a_reason() {
        let mut receptacle = Receptacle::open(series());
        receptacle.add_item(letter(1, 100)).unwrap();

        let mut to_jordan = letter(2, 100);
        to_jordan.destination = country("JO");
        let error = receptacle.add_item(to_jordan).unwrap_err();
        assert_eq!(error.code(), "wrong_destination");
        assert_eq!(
            error.to_string(),
            "RR000000028EG is addressed to JO, but this receptacle goes to PS (PSRMHA)"
        );

        let mut parcel = letter(3, 100);
        parcel.mail_class = MailClass::parse("C").unwrap();
        assert_eq!(
            receptacle.add_item(parcel).unwrap_err().code(),
            "wrong_mail_class"
        );

        let mut surface = letter(4, 100);
        surface.category = MailCategory::parse("C").unwrap();
        assert_eq!(
            receptacle.add_item(surface).unwrap_err().code(),
            "wrong_category"
        );

        assert_eq!(
            receptacle.add_item(letter(1, 100)).unwrap_err(),
            ReceptacleError::AlreadyInReceptacle { item: s10(1) }
        );

        let mut held = letter(5, 100);
        held.held = true;
        let error = receptacle.add_item(held).unwrap_err();
        assert_eq!(error.code(), "item_held");
        assert_eq!(
            error.to_string(),
            "RR000000059EG is held and may not be bagged until it is released"
        );
        let mut goods = letter(6, 100);
        goods.awaiting_export_customs = true;
        assert_eq!(
            receptacle.add_item(goods).unwrap_err().code(),
            "export_customs_required"
        );
        // Nothing refused went in.
        assert_eq!(receptacle.items().len(), 1);
    }

    #[test]
    fn closing_checks_the_gross_weight() {
        let mut receptacle = Receptacle::open(series());
        receptacle.add_item(letter(1, 1_000)).unwrap();
        assert_eq!(
            receptacle.close(Grams::new(49)).unwrap_err().code(),
            "weight_zero"
        );
        assert_eq!(
            receptacle.close(Grams::new(999_950)).unwrap_err().code(),
            "too_heavy"
        );
        assert_eq!(
            receptacle.close(Grams::new(999)).unwrap_err(),
            ReceptacleError::LighterThanContents {
                gross: Grams::new(999),
                contents: Grams::new(1_000)
            }
        );
        assert_eq!(receptacle.state(), ReceptacleState::Open);
        receptacle.close(Grams::new(1_000)).unwrap();
        let ReceptacleState::Closed { gross_weight } = receptacle.state() else {
            panic!("{:?}", receptacle.state());
        };
        assert_eq!(gross_weight.grams(), Grams::new(1_000));
        assert_eq!(gross_weight.label().tenths_of_kg(), 10);
        // The heaviest weight an S9 ID carries.
        assert_eq!(
            GrossWeight::new(Grams::new(999_949))
                .unwrap()
                .label()
                .tenths_of_kg(),
            9999
        );
    }

    #[test]
    fn an_empty_receptacle_may_close_because_ordinary_mail_is_not_listed() {
        let mut receptacle = Receptacle::open(series());
        receptacle.close(Grams::new(2_500)).unwrap();
        assert!(!receptacle.is_registered());
    }

    #[test]
    fn a_closed_receptacle_refuses_changes_until_reopened() {
        let mut receptacle = Receptacle::open(series());
        receptacle.add_item(letter(1, 100)).unwrap();
        assert_eq!(
            receptacle.reopen().unwrap_err().code(),
            "receptacle_not_closed"
        );
        receptacle.close(Grams::new(600)).unwrap();
        assert_eq!(
            receptacle.add_item(letter(2, 100)).unwrap_err().code(),
            "receptacle_not_open"
        );
        assert_eq!(
            receptacle.remove_item(&s10(1)).unwrap_err().code(),
            "receptacle_not_open"
        );
        assert_eq!(
            receptacle.close(Grams::new(600)).unwrap_err().code(),
            "receptacle_not_open"
        );
        receptacle.reopen().unwrap();
        assert_eq!(receptacle.state(), ReceptacleState::Open);
        assert_eq!(receptacle.remove_item(&s10(1)).unwrap(), letter(1, 100));
        assert_eq!(
            receptacle.remove_item(&s10(1)).unwrap_err().code(),
            "not_in_receptacle"
        );
    }

    #[test]
    fn restoring_checks_contents_and_label_but_not_holds() {
        let mut held = letter(1, 100);
        held.held = true;
        let gross_weight = GrossWeight::new(Grams::new(700)).unwrap();
        let restored = Receptacle::restore(
            series(),
            vec![held, letter(2, 100)],
            ReceptacleState::Closed { gross_weight },
        )
        .unwrap();
        assert_eq!(restored.state(), ReceptacleState::Closed { gross_weight });
        assert_eq!(
            Receptacle::restore(
                series(),
                vec![letter(2, 100), letter(2, 100)],
                ReceptacleState::Open
            )
            .unwrap_err()
            .code(),
            "already_in_receptacle"
        );
        let label = ReceptacleId::parse("EGCAIAPSRMHAAUN60001001110007").unwrap();
        let restored = Receptacle::restore(
            series(),
            vec![letter(2, 100)],
            ReceptacleState::Dispatched {
                gross_weight,
                id: label,
            },
        )
        .unwrap();
        assert_eq!(
            restored.clone().reopen().unwrap_err(),
            ReceptacleError::DispatchClosed { id: label }
        );
        let unregistered = ReceptacleId::parse("EGCAIAPSRMHAAUN60001001000007").unwrap();
        assert_eq!(
            Receptacle::restore(
                series(),
                vec![letter(2, 100)],
                ReceptacleState::Dispatched {
                    gross_weight,
                    id: unregistered,
                },
            )
            .unwrap_err()
            .code(),
            "label_mismatch"
        );
    }

    proptest! {
        #[test]
        fn the_registered_flag_is_any_registered_item(flags in proptest::collection::vec(any::<bool>(), 0..20)) {
            let mut receptacle = Receptacle::open(series());
            for (serial, registered) in (1u32..).zip(&flags) {
                let mut item = letter(serial, 50);
                item.registered = *registered;
                receptacle.add_item(item).unwrap();
            }
            prop_assert_eq!(receptacle.is_registered(), flags.iter().any(|f| *f));
        }

        #[test]
        fn closing_accepts_exactly_the_weights_an_s9_can_carry_above_the_contents(
            contents in 0u32..5_000,
            gross in 0u32..1_100_000,
        ) {
            let mut receptacle = Receptacle::open(series());
            receptacle.add_item(letter(1, contents)).unwrap();
            let accepted = receptacle.close(Grams::new(gross)).is_ok();
            prop_assert_eq!(accepted, (50..999_950).contains(&gross) && gross >= contents);
        }
    }
}
