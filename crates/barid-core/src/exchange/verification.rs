//! Verification at the inward office of exchange: the pre-advice against what arrived.
//!
//! The result is the list of irregularities the verification note (CN 43) records and the
//! receipt response (RESDES) carries back to the origin office. Each discrepancy has a stable
//! code, the receptacle and/or item it is about, the expected and found values and an English
//! message. The list is sorted by receptacle (dispatch, then serial; discrepancies about no
//! receptacle last), then by kind in the order of [`Discrepancy`]'s variants, then by item, so
//! the same receipt always gives the same note.
//!
//! Receptacles are matched on their dispatch and serial, the identity printed on the label;
//! the rest of the S9 ID (flags, weight) is compared, not matched on. A receptacle scanned twice
//! counts once: the first scan's weight and label, every scan's items.
//!
//! What counts once: a missing receptacle is one discrepancy, not one more per item inside it;
//! a receptacle that was not pre-advised is one discrepancy with the number of items in it,
//! not one per item (unless an item was pre-advised in another receptacle, which is reported).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::dispatch::{DispatchId, ReceptacleId, ReceptacleSerial};
use crate::money::Grams;
use crate::s10::S10Id;

/// A receptacle as the pre-advice (PREDES) announced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvisedReceptacle {
    pub id: ReceptacleId,
    /// The advised gross weight: the measured grams when the origin sent them, otherwise the
    /// S9 ID's weight ([`AdvisedReceptacle::from_label`]).
    pub weight: Grams,
    pub items: Vec<S10Id>,
}

impl AdvisedReceptacle {
    /// An advised receptacle whose weight is the one its S9 ID carries (0.1 kg precision).
    pub fn from_label(id: ReceptacleId, items: Vec<S10Id>) -> Self {
        Self {
            id,
            weight: Grams::new(id.weight.grams()),
            items,
        }
    }
}

/// The pre-advice of one dispatch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreAdvice {
    pub dispatch: DispatchId,
    pub receptacles: Vec<AdvisedReceptacle>,
}

/// A receptacle as the inward office scanned and weighed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedReceptacle {
    pub id: ReceptacleId,
    pub measured_weight: Grams,
    /// The S10 items scanned when it was opened.
    pub items: Vec<S10Id>,
    /// The receptacle itself arrived damaged (torn, wet, seal broken).
    pub damaged: bool,
}

/// What the inward office received for a dispatch.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Receipt {
    pub receptacles: Vec<ReceivedReceptacle>,
    /// Items the operator marked damaged.
    pub damaged_items: Vec<S10Id>,
}

/// How far a measured weight may be from the advised one before it is a discrepancy: a share
/// of the advised weight or a fixed minimum, whichever is greater.
///
/// The default, 5 % or 200 g, absorbs the 0.1 kg rounding of S9 weights (±50 g) and the
/// difference between two offices' scales, and still catches a missing parcel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WeightTolerance {
    per_mille: u16,
    minimum: Grams,
}

impl Default for WeightTolerance {
    fn default() -> Self {
        Self {
            per_mille: 50,
            minimum: Grams::new(200),
        }
    }
}

/// Why a weight tolerance cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToleranceError {
    #[error("a weight tolerance is 0 to 1000 per mille of the advised weight, found {found}")]
    OutOfRange { found: u16 },
}

impl ToleranceError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            ToleranceError::OutOfRange { .. } => "tolerance_out_of_range",
        }
    }
}

impl WeightTolerance {
    /// `per_mille` of the advised weight (50 is 5 %), but never less than `minimum`.
    pub fn new(per_mille: u16, minimum: Grams) -> Result<Self, ToleranceError> {
        if per_mille > 1000 {
            return Err(ToleranceError::OutOfRange { found: per_mille });
        }
        Ok(Self { per_mille, minimum })
    }

    pub fn per_mille(&self) -> u16 {
        self.per_mille
    }

    pub fn minimum(&self) -> Grams {
        self.minimum
    }

    /// The largest difference allowed for a receptacle advised at `advised`, in grams
    /// (the share rounds down, in exact integers).
    pub fn allowed(&self, advised: Grams) -> u64 {
        let share = u64::from(advised.get()) * u64::from(self.per_mille) / 1000;
        share.max(u64::from(self.minimum.get()))
    }

    /// Whether `measured` is within the tolerance of `advised` (the limit itself is fine).
    pub fn accepts(&self, advised: Grams, measured: Grams) -> bool {
        u64::from(advised.get().abs_diff(measured.get())) <= self.allowed(advised)
    }
}

/// One irregularity between the pre-advice and the receipt. The variants are listed in the
/// order they sort within a receptacle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Discrepancy {
    /// Pre-advised, not received.
    MissingReceptacle {
        receptacle: ReceptacleId,
        advised_weight: Grams,
        advised_items: usize,
    },
    /// Received, not pre-advised.
    ExtraReceptacle {
        receptacle: ReceptacleId,
        measured_weight: Grams,
        items: usize,
    },
    /// The label of a received receptacle differs from the advised S9 ID in its flags or weight.
    LabelDiffers {
        receptacle: ReceptacleId,
        found: ReceptacleId,
    },
    DamagedReceptacle {
        receptacle: ReceptacleId,
    },
    /// The measured weight differs from the advised one by more than the tolerance.
    WeightDifference {
        receptacle: ReceptacleId,
        advised: Grams,
        measured: Grams,
        /// The largest difference that would have been accepted, in grams.
        tolerance: u64,
    },
    /// Pre-advised in a received receptacle, found in none.
    MissingItem {
        receptacle: ReceptacleId,
        item: S10Id,
    },
    /// Found in a receptacle it was not pre-advised in (and not pre-advised elsewhere, or found
    /// a second time).
    ExtraItem {
        receptacle: ReceptacleId,
        item: S10Id,
    },
    /// Pre-advised in `receptacle`, found in `found_in` instead.
    ItemInOtherReceptacle {
        receptacle: ReceptacleId,
        item: S10Id,
        found_in: ReceptacleId,
    },
    /// Marked damaged; the receptacle it was found in (or advised in), if any.
    DamagedItem {
        receptacle: Option<ReceptacleId>,
        item: S10Id,
    },
}

impl Discrepancy {
    /// The stable snake_case code (also the `code` field of the serialised form).
    pub fn code(&self) -> &'static str {
        match self {
            Discrepancy::MissingReceptacle { .. } => "missing_receptacle",
            Discrepancy::ExtraReceptacle { .. } => "extra_receptacle",
            Discrepancy::LabelDiffers { .. } => "label_differs",
            Discrepancy::DamagedReceptacle { .. } => "damaged_receptacle",
            Discrepancy::WeightDifference { .. } => "weight_difference",
            Discrepancy::MissingItem { .. } => "missing_item",
            Discrepancy::ExtraItem { .. } => "extra_item",
            Discrepancy::ItemInOtherReceptacle { .. } => "item_in_other_receptacle",
            Discrepancy::DamagedItem { .. } => "damaged_item",
        }
    }

    /// The receptacle the discrepancy is about (for a misplaced item, the one it was advised in).
    pub fn receptacle(&self) -> Option<ReceptacleId> {
        match self {
            Discrepancy::MissingReceptacle { receptacle, .. }
            | Discrepancy::ExtraReceptacle { receptacle, .. }
            | Discrepancy::LabelDiffers { receptacle, .. }
            | Discrepancy::DamagedReceptacle { receptacle }
            | Discrepancy::WeightDifference { receptacle, .. }
            | Discrepancy::MissingItem { receptacle, .. }
            | Discrepancy::ExtraItem { receptacle, .. }
            | Discrepancy::ItemInOtherReceptacle { receptacle, .. } => Some(*receptacle),
            Discrepancy::DamagedItem { receptacle, .. } => *receptacle,
        }
    }

    pub fn item(&self) -> Option<S10Id> {
        match self {
            Discrepancy::MissingItem { item, .. }
            | Discrepancy::ExtraItem { item, .. }
            | Discrepancy::ItemInOtherReceptacle { item, .. }
            | Discrepancy::DamagedItem { item, .. } => Some(*item),
            _ => None,
        }
    }

    /// What the pre-advice said, as printed in the note's "expected" column.
    pub fn expected(&self) -> String {
        match self {
            Discrepancy::MissingReceptacle {
                advised_weight,
                advised_items,
                ..
            } => contents(*advised_weight, *advised_items),
            Discrepancy::ExtraReceptacle { .. } | Discrepancy::ExtraItem { .. } => {
                "not pre-advised".to_owned()
            }
            Discrepancy::LabelDiffers { receptacle, .. } => receptacle.to_string(),
            Discrepancy::DamagedReceptacle { .. } | Discrepancy::DamagedItem { .. } => {
                "intact".to_owned()
            }
            Discrepancy::WeightDifference {
                advised, tolerance, ..
            } => format!("{advised} (± {tolerance} g)"),
            Discrepancy::MissingItem { receptacle, .. }
            | Discrepancy::ItemInOtherReceptacle { receptacle, .. } => {
                format!("in {receptacle}")
            }
        }
    }

    /// What the inward office found, as printed in the note's "found" column.
    pub fn found(&self) -> String {
        match self {
            Discrepancy::MissingReceptacle { .. } => "not received".to_owned(),
            Discrepancy::ExtraReceptacle {
                measured_weight,
                items,
                ..
            } => contents(*measured_weight, *items),
            Discrepancy::LabelDiffers { found, .. } => found.to_string(),
            Discrepancy::DamagedReceptacle { .. } | Discrepancy::DamagedItem { .. } => {
                "damaged".to_owned()
            }
            Discrepancy::WeightDifference { measured, .. } => measured.to_string(),
            Discrepancy::MissingItem { .. } => "not found".to_owned(),
            Discrepancy::ExtraItem { receptacle, .. } => format!("in {receptacle}"),
            Discrepancy::ItemInOtherReceptacle { found_in, .. } => format!("in {found_in}"),
        }
    }

    /// The English sentence for the note.
    pub fn message(&self) -> String {
        self.to_string()
    }

    fn sort_key(&self) -> (bool, Option<ReceptacleKey>, u8, Option<S10Id>) {
        let rank = match self {
            Discrepancy::MissingReceptacle { .. } => 0,
            Discrepancy::ExtraReceptacle { .. } => 1,
            Discrepancy::LabelDiffers { .. } => 2,
            Discrepancy::DamagedReceptacle { .. } => 3,
            Discrepancy::WeightDifference { .. } => 4,
            Discrepancy::MissingItem { .. } => 5,
            Discrepancy::ExtraItem { .. } => 6,
            Discrepancy::ItemInOtherReceptacle { .. } => 7,
            Discrepancy::DamagedItem { .. } => 8,
        };
        let receptacle = self.receptacle().map(|id| key(&id));
        (receptacle.is_none(), receptacle, rank, self.item())
    }
}

fn contents(weight: Grams, items: usize) -> String {
    match items {
        1 => format!("{weight}, 1 item"),
        n => format!("{weight}, {n} items"),
    }
}

impl fmt::Display for Discrepancy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Discrepancy::MissingReceptacle {
                receptacle,
                advised_weight,
                advised_items,
            } => write!(
                f,
                "receptacle {receptacle} was pre-advised ({}) but not received",
                contents(*advised_weight, *advised_items)
            ),
            Discrepancy::ExtraReceptacle {
                receptacle,
                measured_weight,
                items,
            } => write!(
                f,
                "receptacle {receptacle} was received ({}) but not pre-advised",
                contents(*measured_weight, *items)
            ),
            Discrepancy::LabelDiffers { receptacle, found } => write!(
                f,
                "receptacle {receptacle} was pre-advised, but its label reads {found}"
            ),
            Discrepancy::DamagedReceptacle { receptacle } => {
                write!(f, "receptacle {receptacle} arrived damaged")
            }
            Discrepancy::WeightDifference {
                receptacle,
                advised,
                measured,
                tolerance,
            } => write!(
                f,
                "receptacle {receptacle} weighs {measured}, pre-advised {advised}: more than {tolerance} g apart"
            ),
            Discrepancy::MissingItem { receptacle, item } => write!(
                f,
                "item {item} was pre-advised in receptacle {receptacle} but not found"
            ),
            Discrepancy::ExtraItem { receptacle, item } => write!(
                f,
                "item {item} was found in receptacle {receptacle} but not pre-advised there"
            ),
            Discrepancy::ItemInOtherReceptacle {
                receptacle,
                item,
                found_in,
            } => write!(
                f,
                "item {item} was pre-advised in receptacle {receptacle} but found in {found_in}"
            ),
            Discrepancy::DamagedItem {
                receptacle: Some(receptacle),
                item,
            } => write!(f, "item {item} in receptacle {receptacle} arrived damaged"),
            Discrepancy::DamagedItem {
                receptacle: None,
                item,
            } => write!(f, "item {item} arrived damaged"),
        }
    }
}

/// The identity of a receptacle: its dispatch and serial, what the label shows.
type ReceptacleKey = (DispatchId, ReceptacleSerial);

fn key(id: &ReceptacleId) -> ReceptacleKey {
    (id.dispatch, id.serial)
}

/// A received receptacle after merging repeated scans.
struct Scanned<'a> {
    first: &'a ReceivedReceptacle,
    items: Vec<S10Id>,
    damaged: bool,
}

/// Compares `advice` with `receipt` and lists every discrepancy, in a fixed order (see the
/// module documentation). A receipt that matches the pre-advice gives an empty list.
pub fn verify(
    advice: &PreAdvice,
    receipt: &Receipt,
    tolerance: WeightTolerance,
) -> Vec<Discrepancy> {
    let mut discrepancies = Vec::new();

    let mut advised: BTreeMap<ReceptacleKey, &AdvisedReceptacle> = BTreeMap::new();
    for receptacle in &advice.receptacles {
        advised.entry(key(&receptacle.id)).or_insert(receptacle);
    }
    let mut scanned: BTreeMap<ReceptacleKey, Scanned<'_>> = BTreeMap::new();
    for receptacle in &receipt.receptacles {
        let entry = scanned.entry(key(&receptacle.id)).or_insert(Scanned {
            first: receptacle,
            items: Vec::new(),
            damaged: false,
        });
        entry.damaged |= receptacle.damaged;
        for item in &receptacle.items {
            if !entry.items.contains(item) {
                entry.items.push(*item);
            }
        }
    }

    // Receptacles.
    for (receptacle_key, expected) in &advised {
        match scanned.get(receptacle_key) {
            None => discrepancies.push(Discrepancy::MissingReceptacle {
                receptacle: expected.id,
                advised_weight: expected.weight,
                advised_items: expected.items.len(),
            }),
            Some(found) => {
                if found.first.id != expected.id {
                    discrepancies.push(Discrepancy::LabelDiffers {
                        receptacle: expected.id,
                        found: found.first.id,
                    });
                }
                if found.damaged {
                    discrepancies.push(Discrepancy::DamagedReceptacle {
                        receptacle: expected.id,
                    });
                }
                if !tolerance.accepts(expected.weight, found.first.measured_weight) {
                    discrepancies.push(Discrepancy::WeightDifference {
                        receptacle: expected.id,
                        advised: expected.weight,
                        measured: found.first.measured_weight,
                        tolerance: tolerance.allowed(expected.weight),
                    });
                }
            }
        }
    }
    for (receptacle_key, found) in &scanned {
        if !advised.contains_key(receptacle_key) {
            discrepancies.push(Discrepancy::ExtraReceptacle {
                receptacle: found.first.id,
                measured_weight: found.first.measured_weight,
                items: found.items.len(),
            });
            if found.damaged {
                discrepancies.push(Discrepancy::DamagedReceptacle {
                    receptacle: found.first.id,
                });
            }
        }
    }

    // Items: where each was advised (first mention) and every receptacle it was found in.
    let mut advised_in: BTreeMap<S10Id, ReceptacleId> = BTreeMap::new();
    for receptacle in advised.values() {
        for item in &receptacle.items {
            advised_in.entry(*item).or_insert(receptacle.id);
        }
    }
    let mut found_in: BTreeMap<S10Id, Vec<ReceptacleId>> = BTreeMap::new();
    for found in scanned.values() {
        for item in &found.items {
            found_in.entry(*item).or_default().push(found.first.id);
        }
    }
    // The advised ID of a received receptacle, so every discrepancy names it as advised.
    let advised_id = |id: &ReceptacleId| advised.get(&key(id)).map(|receptacle| receptacle.id);

    for (item, places) in &found_in {
        match advised_in.get(item) {
            Some(home) => {
                let home_key = key(home);
                let at_home = places.iter().any(|place| key(place) == home_key);
                let mut elsewhere = places.iter().filter(|place| key(place) != home_key);
                if !at_home && let Some(first) = elsewhere.next() {
                    discrepancies.push(Discrepancy::ItemInOtherReceptacle {
                        receptacle: *home,
                        item: *item,
                        found_in: advised_id(first).unwrap_or(*first),
                    });
                }
                // Any further place is a second item with the same ID.
                for place in elsewhere {
                    if let Some(receptacle) = advised_id(place) {
                        discrepancies.push(Discrepancy::ExtraItem {
                            receptacle,
                            item: *item,
                        });
                    }
                }
            }
            None => {
                // Items of a receptacle that was not pre-advised are counted in its
                // extra_receptacle discrepancy.
                for place in places {
                    if let Some(receptacle) = advised_id(place) {
                        discrepancies.push(Discrepancy::ExtraItem {
                            receptacle,
                            item: *item,
                        });
                    }
                }
            }
        }
    }
    for (item, home) in &advised_in {
        // Items of a missing receptacle are covered by its missing_receptacle discrepancy.
        if !found_in.contains_key(item) && scanned.contains_key(&key(home)) {
            discrepancies.push(Discrepancy::MissingItem {
                receptacle: *home,
                item: *item,
            });
        }
    }

    let mut damaged: Vec<S10Id> = receipt.damaged_items.clone();
    damaged.sort();
    damaged.dedup();
    for item in damaged {
        let receptacle = found_in
            .get(&item)
            .and_then(|places| places.first())
            .map(|place| advised_id(place).unwrap_or(*place))
            .or_else(|| advised_in.get(&item).copied());
        discrepancies.push(Discrepancy::DamagedItem { receptacle, item });
    }

    discrepancies.sort_by_key(Discrepancy::sort_key);
    discrepancies
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::dispatch::close_dispatch;
    use crate::exchange::numbering::SeriesYear;
    use crate::exchange::receptacle::Receptacle;
    use crate::exchange::test_support::{letter, s10, series};
    use proptest::prelude::*;
    use time::macros::date;

    /// A pre-advice built the way the outward office builds it: receptacles of `item_counts`
    /// items (100 g each), weighing `grams`.
    fn advice(receptacles: &[(usize, u32)]) -> PreAdvice {
        let mut next_serial = 1u32..;
        let mut built: Vec<Receptacle> = receptacles
            .iter()
            .map(|(count, grams)| {
                let mut receptacle = Receptacle::open(series());
                for _ in 0..*count {
                    receptacle
                        .add_item(letter(next_serial.next().unwrap(), 100))
                        .unwrap();
                }
                receptacle.close(Grams::new(*grams)).unwrap();
                receptacle
            })
            .collect();
        let id = SeriesYear::on(series(), date!(2026 - 05 - 10))
            .next_dispatch(None)
            .unwrap();
        close_dispatch(id, &mut built).unwrap().pre_advice()
    }

    fn perfect(advice: &PreAdvice) -> Receipt {
        Receipt {
            receptacles: advice
                .receptacles
                .iter()
                .map(|r| ReceivedReceptacle {
                    id: r.id,
                    measured_weight: r.weight,
                    items: r.items.clone(),
                    damaged: false,
                })
                .collect(),
            damaged_items: Vec::new(),
        }
    }

    fn codes(discrepancies: &[Discrepancy]) -> Vec<&'static str> {
        discrepancies.iter().map(Discrepancy::code).collect()
    }

    #[test]
    fn the_default_tolerance_is_five_percent_or_200_g() {
        let tolerance = WeightTolerance::default();
        assert_eq!(tolerance.allowed(Grams::new(1_000)), 200);
        assert_eq!(tolerance.allowed(Grams::new(4_000)), 200);
        assert_eq!(tolerance.allowed(Grams::new(10_000)), 500);
        assert!(tolerance.accepts(Grams::new(10_000), Grams::new(10_500)));
        assert!(tolerance.accepts(Grams::new(10_000), Grams::new(9_500)));
        assert!(!tolerance.accepts(Grams::new(10_000), Grams::new(10_501)));
        assert!(!tolerance.accepts(Grams::new(1_000), Grams::new(799)));
        assert_eq!(
            WeightTolerance::new(1001, Grams::ZERO).unwrap_err().code(),
            "tolerance_out_of_range"
        );
        let exact = WeightTolerance::new(0, Grams::ZERO).unwrap();
        assert!(!exact.accepts(Grams::new(1_000), Grams::new(1_001)));
    }

    #[test]
    fn a_perfect_receipt_has_no_discrepancy() {
        let advice = advice(&[(3, 1_200), (0, 900), (2, 5_000)]);
        assert_eq!(
            verify(&advice, &perfect(&advice), WeightTolerance::default()),
            []
        );
    }

    #[test]
    fn every_kind_of_discrepancy_is_reported_in_order() {
        let advice = advice(&[(2, 1_000), (2, 1_000), (1, 10_000)]);
        let [first, second, third] = &advice.receptacles[..] else {
            panic!()
        };
        let stranger = ReceptacleId::parse("EGCAIAPSRMHAAUN60001004100010").unwrap();
        let mut relabelled = third.id;
        relabelled.registered = false;
        let receipt = Receipt {
            receptacles: vec![
                // The first receptacle arrives torn, 300 g light, with item 1 only and item 3
                // (advised in the second receptacle) and an unknown item 99.
                ReceivedReceptacle {
                    id: first.id,
                    measured_weight: Grams::new(700),
                    items: vec![s10(1), s10(3), s10(99)],
                    damaged: true,
                },
                // The second is missing; the third's label has lost its registered flag.
                ReceivedReceptacle {
                    id: relabelled,
                    measured_weight: Grams::new(10_000),
                    items: vec![s10(5)],
                    damaged: false,
                },
                ReceivedReceptacle {
                    id: stranger,
                    measured_weight: Grams::new(1_000),
                    items: vec![s10(98)],
                    damaged: false,
                },
            ],
            damaged_items: vec![s10(5), s10(42)],
        };
        let found = verify(&advice, &receipt, WeightTolerance::default());
        let lines: Vec<String> = found.iter().map(Discrepancy::message).collect();
        assert_eq!(
            lines,
            [
                "receptacle EGCAIAPSRMHAAUN60001001010010 arrived damaged",
                "receptacle EGCAIAPSRMHAAUN60001001010010 weighs 0.700 kg, pre-advised 1.000 kg: more than 200 g apart",
                "item RR000000028EG was pre-advised in receptacle EGCAIAPSRMHAAUN60001001010010 but not found",
                "item RR000000990EG was found in receptacle EGCAIAPSRMHAAUN60001001010010 but not pre-advised there",
                "receptacle EGCAIAPSRMHAAUN60001002010010 was pre-advised (1.000 kg, 2 items) but not received",
                "item RR000000031EG was pre-advised in receptacle EGCAIAPSRMHAAUN60001002010010 but found in EGCAIAPSRMHAAUN60001001010010",
                "receptacle EGCAIAPSRMHAAUN60001003110100 was pre-advised, but its label reads EGCAIAPSRMHAAUN60001003100100",
                "item RR000000059EG in receptacle EGCAIAPSRMHAAUN60001003110100 arrived damaged",
                "receptacle EGCAIAPSRMHAAUN60001004100010 was received (1.000 kg, 1 item) but not pre-advised",
                "item RR000000425EG arrived damaged",
            ]
        );
        let missing = found.get(4).unwrap();
        assert_eq!(missing.expected(), "1.000 kg, 2 items");
        assert_eq!(missing.found(), "not received");
        assert_eq!(missing.receptacle(), Some(second.id));
        assert_eq!(missing.item(), None);
        let weight = found.get(1).unwrap();
        assert_eq!(weight.expected(), "1.000 kg (± 200 g)");
        assert_eq!(weight.found(), "0.700 kg");
        let json = serde_json::to_value(found.get(2).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "missing_item",
                "receptacle": "EGCAIAPSRMHAAUN60001001010010",
                "item": "RR000000028EG"
            })
        );
    }

    #[test]
    fn a_receptacle_scanned_twice_counts_once() {
        let advice = advice(&[(2, 1_000)]);
        let mut receipt = perfect(&advice);
        let mut first = receipt.receptacles.first().unwrap().clone();
        let second_scan = ReceivedReceptacle {
            items: first.items.split_off(1),
            ..first.clone()
        };
        receipt.receptacles = vec![first, second_scan];
        assert_eq!(verify(&advice, &receipt, WeightTolerance::default()), []);
    }

    #[test]
    fn an_item_found_twice_is_an_extra_item_the_second_time() {
        let advice = advice(&[(1, 1_000), (1, 1_000)]);
        let mut receipt = perfect(&advice);
        receipt.receptacles.get_mut(1).unwrap().items.push(s10(1));
        let found = verify(&advice, &receipt, WeightTolerance::default());
        assert_eq!(codes(&found), ["extra_item"]);
        assert_eq!(
            found.first().unwrap().receptacle(),
            Some(advice.receptacles.get(1).unwrap().id)
        );
    }

    fn advice_strategy() -> impl Strategy<Value = PreAdvice> {
        proptest::collection::vec((0usize..5, 500u32..50_000), 1..8)
            .prop_map(|receptacles| advice(&receptacles))
    }

    proptest! {
        #[test]
        fn a_perfect_receipt_within_tolerance_is_clean(
            advice in advice_strategy(),
            drift in -200i64..=200,
        ) {
            let mut receipt = perfect(&advice);
            for receptacle in &mut receipt.receptacles {
                let measured = i64::from(receptacle.measured_weight.get()) + drift;
                receptacle.measured_weight = Grams::new(u32::try_from(measured).unwrap());
            }
            prop_assert_eq!(verify(&advice, &receipt, WeightTolerance::default()), vec![]);
        }

        #[test]
        fn a_missing_receptacle_is_exactly_one_discrepancy(
            advice in advice_strategy(),
            pick in any::<proptest::sample::Index>(),
        ) {
            let mut receipt = perfect(&advice);
            let removed = receipt.receptacles.remove(pick.index(receipt.receptacles.len()));
            let found = verify(&advice, &receipt, WeightTolerance::default());
            prop_assert_eq!(found, vec![Discrepancy::MissingReceptacle {
                receptacle: removed.id,
                advised_weight: removed.measured_weight,
                advised_items: removed.items.len(),
            }]);
        }

        #[test]
        fn an_extra_receptacle_is_exactly_one_discrepancy(
            advice in advice_strategy(),
            items in 0usize..4,
        ) {
            let mut receipt = perfect(&advice);
            let mut extra = advice.receptacles.last().unwrap().id;
            extra.serial = ReceptacleSerial::new(900).unwrap();
            let unknown: Vec<S10Id> = (0..items).map(|n| s10(1_000 + u32::try_from(n).unwrap())).collect();
            receipt.receptacles.push(ReceivedReceptacle {
                id: extra,
                measured_weight: Grams::new(2_000),
                items: unknown,
                damaged: false,
            });
            let found = verify(&advice, &receipt, WeightTolerance::default());
            prop_assert_eq!(found, vec![Discrepancy::ExtraReceptacle {
                receptacle: extra,
                measured_weight: Grams::new(2_000),
                items,
            }]);
        }

        #[test]
        fn a_missing_item_is_exactly_one_discrepancy(
            advice in advice_strategy().prop_filter("needs an item", |a| a.receptacles.iter().any(|r| !r.items.is_empty())),
            pick in any::<proptest::sample::Index>(),
        ) {
            let mut receipt = perfect(&advice);
            let full: Vec<usize> = (0..receipt.receptacles.len())
                .filter(|i| !receipt.receptacles[*i].items.is_empty())
                .collect();
            let at = full[pick.index(full.len())];
            let receptacle = &mut receipt.receptacles[at];
            let item = receptacle.items.remove(pick.index(receptacle.items.len()));
            let id = receptacle.id;
            let found = verify(&advice, &receipt, WeightTolerance::default());
            prop_assert_eq!(found, vec![Discrepancy::MissingItem { receptacle: id, item }]);
        }

        #[test]
        fn an_added_item_is_exactly_one_discrepancy(
            advice in advice_strategy(),
            pick in any::<proptest::sample::Index>(),
        ) {
            let mut receipt = perfect(&advice);
            let at = pick.index(receipt.receptacles.len());
            let receptacle = &mut receipt.receptacles[at];
            receptacle.items.push(s10(5_000));
            let id = receptacle.id;
            let found = verify(&advice, &receipt, WeightTolerance::default());
            prop_assert_eq!(found, vec![Discrepancy::ExtraItem { receptacle: id, item: s10(5_000) }]);
        }

        #[test]
        fn a_moved_item_is_exactly_one_discrepancy(
            advice in advice_strategy().prop_filter("needs two receptacles and an item", |a| {
                a.receptacles.len() > 1 && a.receptacles.iter().any(|r| !r.items.is_empty())
            }),
            pick in any::<proptest::sample::Index>(),
            to in any::<proptest::sample::Index>(),
        ) {
            let mut receipt = perfect(&advice);
            let full: Vec<usize> = (0..receipt.receptacles.len())
                .filter(|i| !receipt.receptacles[*i].items.is_empty())
                .collect();
            let from = full[pick.index(full.len())];
            let others: Vec<usize> = (0..receipt.receptacles.len()).filter(|i| *i != from).collect();
            let to = others[to.index(others.len())];
            let source = &mut receipt.receptacles[from];
            let item = source.items.remove(pick.index(source.items.len()));
            let advised_in = source.id;
            receipt.receptacles[to].items.push(item);
            let found_in = receipt.receptacles[to].id;
            let found = verify(&advice, &receipt, WeightTolerance::default());
            prop_assert_eq!(found, vec![Discrepancy::ItemInOtherReceptacle {
                receptacle: advised_in,
                item,
                found_in,
            }]);
        }

        #[test]
        fn a_weight_beyond_tolerance_is_exactly_one_discrepancy(
            advice in advice_strategy(),
            pick in any::<proptest::sample::Index>(),
            heavier in any::<bool>(),
        ) {
            let mut receipt = perfect(&advice);
            let at = pick.index(receipt.receptacles.len());
            let receptacle = &mut receipt.receptacles[at];
            let advised = receptacle.measured_weight;
            let allowed = u32::try_from(WeightTolerance::default().allowed(advised)).unwrap();
            let measured = if heavier { advised.get() + allowed + 1 } else { advised.get() - allowed - 1 };
            receptacle.measured_weight = Grams::new(measured);
            let id = receptacle.id;
            let found = verify(&advice, &receipt, WeightTolerance::default());
            prop_assert_eq!(found, vec![Discrepancy::WeightDifference {
                receptacle: id,
                advised,
                measured: Grams::new(measured),
                tolerance: u64::from(allowed),
            }]);
        }

        #[test]
        fn verification_does_not_depend_on_scan_order(
            advice in advice_strategy(),
            seed in any::<u64>(),
        ) {
            let mut receipt = perfect(&advice);
            receipt.receptacles.pop();
            receipt.damaged_items.push(s10(1));
            let forward = verify(&advice, &receipt, WeightTolerance::default());
            // A deterministic shuffle: rotate by the seed.
            let len = receipt.receptacles.len();
            if len > 0 {
                receipt.receptacles.rotate_left(usize::try_from(seed % len as u64).unwrap());
            }
            receipt.damaged_items.push(s10(1));
            prop_assert_eq!(verify(&advice, &receipt, WeightTolerance::default()), forward);
        }
    }
}
