//! RESDES v1.

use barid_core::{Discrepancy, DispatchId, Grams, OfficeCode, ReceptacleId, S10Id};
use serde::Serialize;

use super::common::{Time, time};
use crate::error::CodecError;
use crate::json::read::{Node, Object};
use crate::resdes::{ReceptacleCondition, Resdes, ResdesReceptacle};

#[derive(Serialize)]
pub(in crate::json) struct ResdesV1 {
    dispatch: DispatchId,
    received_at: Time,
    office: OfficeCode,
    receptacles: Vec<ReceptacleV1>,
    discrepancies: Vec<DiscrepancyV1>,
}

#[derive(Serialize)]
struct ReceptacleV1 {
    id: ReceptacleId,
    measured_weight_grams: Grams,
    condition: &'static str,
}

/// Core's [`Discrepancy`], variant for variant, with the same codes. Weights say their unit
/// in the field name, as everywhere else in the exchange format.
#[derive(Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
enum DiscrepancyV1 {
    MissingReceptacle {
        receptacle: ReceptacleId,
        advised_weight_grams: Grams,
        advised_items: u64,
    },
    ExtraReceptacle {
        receptacle: ReceptacleId,
        measured_weight_grams: Grams,
        items: u64,
    },
    LabelDiffers {
        receptacle: ReceptacleId,
        found: ReceptacleId,
    },
    DamagedReceptacle {
        receptacle: ReceptacleId,
    },
    WeightDifference {
        receptacle: ReceptacleId,
        advised_weight_grams: Grams,
        measured_weight_grams: Grams,
        tolerance_grams: u64,
    },
    MissingItem {
        receptacle: ReceptacleId,
        item: S10Id,
    },
    ExtraItem {
        receptacle: ReceptacleId,
        item: S10Id,
    },
    ItemInOtherReceptacle {
        receptacle: ReceptacleId,
        item: S10Id,
        found_in: ReceptacleId,
    },
    DamagedItem {
        #[serde(skip_serializing_if = "Option::is_none")]
        receptacle: Option<ReceptacleId>,
        item: S10Id,
    },
}

/// Counts are `usize` in core; no platform Barid runs on has a `usize` wider than 64 bits.
fn count(items: usize) -> u64 {
    u64::try_from(items).unwrap_or(u64::MAX)
}

impl From<&Discrepancy> for DiscrepancyV1 {
    fn from(discrepancy: &Discrepancy) -> Self {
        match discrepancy.clone() {
            Discrepancy::MissingReceptacle {
                receptacle,
                advised_weight,
                advised_items,
            } => DiscrepancyV1::MissingReceptacle {
                receptacle,
                advised_weight_grams: advised_weight,
                advised_items: count(advised_items),
            },
            Discrepancy::ExtraReceptacle {
                receptacle,
                measured_weight,
                items,
            } => DiscrepancyV1::ExtraReceptacle {
                receptacle,
                measured_weight_grams: measured_weight,
                items: count(items),
            },
            Discrepancy::LabelDiffers { receptacle, found } => {
                DiscrepancyV1::LabelDiffers { receptacle, found }
            }
            Discrepancy::DamagedReceptacle { receptacle } => {
                DiscrepancyV1::DamagedReceptacle { receptacle }
            }
            Discrepancy::WeightDifference {
                receptacle,
                advised,
                measured,
                tolerance,
            } => DiscrepancyV1::WeightDifference {
                receptacle,
                advised_weight_grams: advised,
                measured_weight_grams: measured,
                tolerance_grams: tolerance,
            },
            Discrepancy::MissingItem { receptacle, item } => {
                DiscrepancyV1::MissingItem { receptacle, item }
            }
            Discrepancy::ExtraItem { receptacle, item } => {
                DiscrepancyV1::ExtraItem { receptacle, item }
            }
            Discrepancy::ItemInOtherReceptacle {
                receptacle,
                item,
                found_in,
            } => DiscrepancyV1::ItemInOtherReceptacle {
                receptacle,
                item,
                found_in,
            },
            Discrepancy::DamagedItem { receptacle, item } => {
                DiscrepancyV1::DamagedItem { receptacle, item }
            }
        }
    }
}

impl From<&Resdes> for ResdesV1 {
    fn from(resdes: &Resdes) -> Self {
        Self {
            dispatch: resdes.dispatch(),
            received_at: time(resdes.received_at()),
            office: resdes.office(),
            receptacles: resdes
                .receptacles()
                .iter()
                .map(|receptacle| ReceptacleV1 {
                    id: receptacle.id,
                    measured_weight_grams: receptacle.measured_weight,
                    condition: receptacle.condition.as_str(),
                })
                .collect(),
            discrepancies: resdes
                .discrepancies()
                .iter()
                .map(DiscrepancyV1::from)
                .collect(),
        }
    }
}

pub(super) fn decode(node: &Node<'_>) -> Result<Resdes, CodecError> {
    let object = node.object(&[
        "dispatch",
        "received_at",
        "office",
        "receptacles",
        "discrepancies",
    ])?;
    let dispatch = object.required("dispatch")?.parse(DispatchId::parse)?;
    let received_at = object.required("received_at")?.time()?;
    let office = object.required("office")?.parse(OfficeCode::parse)?;
    let receptacles = object.required("receptacles")?.list(receptacle)?;
    let discrepancies = object.required("discrepancies")?.list(discrepancy)?;
    Resdes::new(dispatch, received_at, office, receptacles, discrepancies)
        .map_err(|error| error.under(node.path()).into())
}

fn receptacle(node: &Node<'_>) -> Result<ResdesReceptacle, CodecError> {
    let object = node.object(&["id", "measured_weight_grams", "condition"])?;
    let condition = object.required("condition")?;
    Ok(ResdesReceptacle {
        id: object.required("id")?.parse(ReceptacleId::parse)?,
        measured_weight: object.required("measured_weight_grams")?.grams()?,
        condition: condition.parse(|text| {
            ReceptacleCondition::parse(text)
                .ok_or_else(|| format!("expected sound or damaged, found {text:?}"))
        })?,
    })
}

const CODES: &str = "missing_receptacle, extra_receptacle, label_differs, damaged_receptacle, \
                     weight_difference, missing_item, extra_item, item_in_other_receptacle or \
                     damaged_item";

fn discrepancy(node: &Node<'_>) -> Result<Discrepancy, CodecError> {
    let object = node.open_object()?;
    let code_node = object.required("code")?;
    let code = code_node.str()?;
    let fields = |known: &[&str]| -> Result<(), CodecError> {
        let mut all = vec!["code"];
        all.extend_from_slice(known);
        object.check_fields(&all)
    };
    let receptacle = |key: &str| -> Result<ReceptacleId, CodecError> {
        object.required(key)?.parse(ReceptacleId::parse)
    };
    let item = || -> Result<S10Id, CodecError> { object.required("item")?.parse(S10Id::parse) };
    Ok(match code {
        "missing_receptacle" => {
            fields(&["receptacle", "advised_weight_grams", "advised_items"])?;
            Discrepancy::MissingReceptacle {
                receptacle: receptacle("receptacle")?,
                advised_weight: object.required("advised_weight_grams")?.grams()?,
                advised_items: items(&object, "advised_items")?,
            }
        }
        "extra_receptacle" => {
            fields(&["receptacle", "measured_weight_grams", "items"])?;
            Discrepancy::ExtraReceptacle {
                receptacle: receptacle("receptacle")?,
                measured_weight: object.required("measured_weight_grams")?.grams()?,
                items: items(&object, "items")?,
            }
        }
        "label_differs" => {
            fields(&["receptacle", "found"])?;
            Discrepancy::LabelDiffers {
                receptacle: receptacle("receptacle")?,
                found: receptacle("found")?,
            }
        }
        "damaged_receptacle" => {
            fields(&["receptacle"])?;
            Discrepancy::DamagedReceptacle {
                receptacle: receptacle("receptacle")?,
            }
        }
        "weight_difference" => {
            fields(&[
                "receptacle",
                "advised_weight_grams",
                "measured_weight_grams",
                "tolerance_grams",
            ])?;
            Discrepancy::WeightDifference {
                receptacle: receptacle("receptacle")?,
                advised: object.required("advised_weight_grams")?.grams()?,
                measured: object.required("measured_weight_grams")?.grams()?,
                tolerance: object.required("tolerance_grams")?.u64()?,
            }
        }
        "missing_item" => {
            fields(&["receptacle", "item"])?;
            Discrepancy::MissingItem {
                receptacle: receptacle("receptacle")?,
                item: item()?,
            }
        }
        "extra_item" => {
            fields(&["receptacle", "item"])?;
            Discrepancy::ExtraItem {
                receptacle: receptacle("receptacle")?,
                item: item()?,
            }
        }
        "item_in_other_receptacle" => {
            fields(&["receptacle", "item", "found_in"])?;
            Discrepancy::ItemInOtherReceptacle {
                receptacle: receptacle("receptacle")?,
                item: item()?,
                found_in: receptacle("found_in")?,
            }
        }
        "damaged_item" => {
            fields(&["receptacle", "item"])?;
            Discrepancy::DamagedItem {
                receptacle: object
                    .optional_with("receptacle", |node| node.parse(ReceptacleId::parse))?,
                item: item()?,
            }
        }
        other => {
            return Err(code_node.invalid(format!(
                "{other:?} is not a discrepancy code; expected {CODES}"
            )));
        }
    })
}

fn items(object: &Object<'_>, key: &str) -> Result<usize, CodecError> {
    let node = object.required(key)?;
    let count = node.u64()?;
    usize::try_from(count)
        .map_err(|_| node.invalid(format!("{count} items is more than this node can count")))
}
