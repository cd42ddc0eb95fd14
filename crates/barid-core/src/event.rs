//! Tracking event codes (UPU EMSEVT v3, standard M40) and what each one means for an item.
//!
//! The codes and their texts are reference data (`data/event_codes.csv`), so a post can rename,
//! translate or add codes without a rebuild. Each code names a [`Milestone`]: the meaning the
//! lifecycle rules in [`crate::lifecycle`] work with.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a text is not an event, reason or milestone code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("an event code is 3 letters A-Z, found {found:?}")]
    EventCode { found: String },
    #[error("a non-delivery reason code is 1 to 4 letters or digits, found {found:?}")]
    ReasonCode { found: String },
    #[error("{found:?} is not a milestone; expected one of {}", Milestone::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", "))]
    Milestone { found: String },
    #[error("{found:?} is not a next action; expected one of {}", NextAction::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", "))]
    NextAction { found: String },
}

/// A three-letter tracking event code such as `EMA` or `EMI`.
///
/// Whether the code is known, and what it means, is looked up in the reference data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventCode([u8; 3]);

impl EventCode {
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let upper = text.trim().to_ascii_uppercase();
        match upper.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => Ok(Self([*a, *b, *c])),
            _ => Err(CodeError::EventCode {
                found: text.to_owned(),
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

/// A non-delivery reason code from the operator's reason table, e.g. `03` addressee absent.
///
/// The UPU list is not public, so the codes are whatever the reason table holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReasonCode(String);

impl ReasonCode {
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let code = text.trim().to_ascii_uppercase();
        if (1..=4).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Self(code))
        } else {
            Err(CodeError::ReasonCode {
                found: text.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an event means for the item, whatever code a post uses for it.
///
/// One variant per EMSEVT v3 event, named after its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Milestone {
    Posted,
    ArrivedOutwardOffice,
    PresentedExportCustoms,
    HeldExportCustoms,
    ReturnedFromExportCustoms,
    HeldOutwardOffice,
    ExportCancelled,
    DepartedOutwardOffice,
    ArrivedTransitOffice,
    DepartedTransitOffice,
    ArrivedInwardOffice,
    HeldInwardOffice,
    PresentedImportCustoms,
    HeldImportCustoms,
    ReleasedImportCustoms,
    DepartedInwardOffice,
    IntoSortingCentre,
    OutOfSortingCentre,
    ArrivedDeliveryOffice,
    HeldDeliveryOffice,
    OutForDelivery,
    AtCollectionPoint,
    DeliveryAttemptFailed,
    Delivered,
    ImportTerminated,
}

impl Milestone {
    pub const ALL: [Milestone; 25] = [
        Milestone::Posted,
        Milestone::ArrivedOutwardOffice,
        Milestone::PresentedExportCustoms,
        Milestone::HeldExportCustoms,
        Milestone::ReturnedFromExportCustoms,
        Milestone::HeldOutwardOffice,
        Milestone::ExportCancelled,
        Milestone::DepartedOutwardOffice,
        Milestone::ArrivedTransitOffice,
        Milestone::DepartedTransitOffice,
        Milestone::ArrivedInwardOffice,
        Milestone::HeldInwardOffice,
        Milestone::PresentedImportCustoms,
        Milestone::HeldImportCustoms,
        Milestone::ReleasedImportCustoms,
        Milestone::DepartedInwardOffice,
        Milestone::IntoSortingCentre,
        Milestone::OutOfSortingCentre,
        Milestone::ArrivedDeliveryOffice,
        Milestone::HeldDeliveryOffice,
        Milestone::OutForDelivery,
        Milestone::AtCollectionPoint,
        Milestone::DeliveryAttemptFailed,
        Milestone::Delivered,
        Milestone::ImportTerminated,
    ];

    /// The snake_case name used in reference data files and the API.
    pub fn as_str(&self) -> &'static str {
        match self {
            Milestone::Posted => "posted",
            Milestone::ArrivedOutwardOffice => "arrived_outward_office",
            Milestone::PresentedExportCustoms => "presented_export_customs",
            Milestone::HeldExportCustoms => "held_export_customs",
            Milestone::ReturnedFromExportCustoms => "returned_from_export_customs",
            Milestone::HeldOutwardOffice => "held_outward_office",
            Milestone::ExportCancelled => "export_cancelled",
            Milestone::DepartedOutwardOffice => "departed_outward_office",
            Milestone::ArrivedTransitOffice => "arrived_transit_office",
            Milestone::DepartedTransitOffice => "departed_transit_office",
            Milestone::ArrivedInwardOffice => "arrived_inward_office",
            Milestone::HeldInwardOffice => "held_inward_office",
            Milestone::PresentedImportCustoms => "presented_import_customs",
            Milestone::HeldImportCustoms => "held_import_customs",
            Milestone::ReleasedImportCustoms => "released_import_customs",
            Milestone::DepartedInwardOffice => "departed_inward_office",
            Milestone::IntoSortingCentre => "into_sorting_centre",
            Milestone::OutOfSortingCentre => "out_of_sorting_centre",
            Milestone::ArrivedDeliveryOffice => "arrived_delivery_office",
            Milestone::HeldDeliveryOffice => "held_delivery_office",
            Milestone::OutForDelivery => "out_for_delivery",
            Milestone::AtCollectionPoint => "at_collection_point",
            Milestone::DeliveryAttemptFailed => "delivery_attempt_failed",
            Milestone::Delivered => "delivered",
            Milestone::ImportTerminated => "import_terminated",
        }
    }

    /// The EMSEVT v3 code the standard gives this milestone.
    pub fn standard_code(&self) -> &'static str {
        match self {
            Milestone::Posted => "EMA",
            Milestone::ArrivedOutwardOffice => "EMB",
            Milestone::PresentedExportCustoms => "EXA",
            Milestone::HeldExportCustoms => "EXB",
            Milestone::ReturnedFromExportCustoms => "EXC",
            Milestone::HeldOutwardOffice => "EXD",
            Milestone::ExportCancelled => "EXX",
            Milestone::DepartedOutwardOffice => "EMC",
            Milestone::ArrivedTransitOffice => "EMJ",
            Milestone::DepartedTransitOffice => "EMK",
            Milestone::ArrivedInwardOffice => "EMD",
            Milestone::HeldInwardOffice => "EDA",
            Milestone::PresentedImportCustoms => "EDB",
            Milestone::HeldImportCustoms => "EME",
            Milestone::ReleasedImportCustoms => "EDC",
            Milestone::DepartedInwardOffice => "EMF",
            Milestone::IntoSortingCentre => "EDD",
            Milestone::OutOfSortingCentre => "EDE",
            Milestone::ArrivedDeliveryOffice => "EMG",
            Milestone::HeldDeliveryOffice => "EDF",
            Milestone::OutForDelivery => "EDG",
            Milestone::AtCollectionPoint => "EDH",
            Milestone::DeliveryAttemptFailed => "EMH",
            Milestone::Delivered => "EMI",
            Milestone::ImportTerminated => "EDX",
        }
    }

    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let wanted = text.trim();
        Self::ALL
            .into_iter()
            .find(|milestone| milestone.as_str() == wanted)
            .ok_or_else(|| CodeError::Milestone {
                found: text.to_owned(),
            })
    }
}

impl fmt::Display for Milestone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happens next after an unsuccessful attempt or a hold.
///
/// Unlike reasons, these drive the lifecycle, so they are a closed set in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NextAction {
    /// Try to deliver again.
    Redeliver,
    /// Keep the item at the office or a collection point for the addressee to pick up.
    HoldForCollection,
    /// Send the item back to its sender: a new leg starts, with the S10 ID unchanged.
    ReturnToSender,
}

impl NextAction {
    pub const ALL: [NextAction; 3] = [
        NextAction::Redeliver,
        NextAction::HoldForCollection,
        NextAction::ReturnToSender,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            NextAction::Redeliver => "redeliver",
            NextAction::HoldForCollection => "hold_for_collection",
            NextAction::ReturnToSender => "return_to_sender",
        }
    }

    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let wanted = text.trim();
        Self::ALL
            .into_iter()
            .find(|action| action.as_str() == wanted)
            .ok_or_else(|| CodeError::NextAction {
                found: text.to_owned(),
            })
    }
}

impl fmt::Display for NextAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! string_serde {
    ($type:ty) => {
        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $type {
            type Err = CodeError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }
        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_serde!(EventCode);
string_serde!(ReasonCode);

macro_rules! name_serde {
    ($type:ty) => {
        impl FromStr for $type {
            type Err = CodeError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }
        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

name_serde!(Milestone);
name_serde!(NextAction);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_codes_are_three_letters() {
        assert_eq!(EventCode::parse(" emi ").unwrap().as_str(), "EMI");
        for bad in ["EM", "EMII", "EM1", "", "إمي"] {
            assert!(EventCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn milestone_names_round_trip_and_codes_are_distinct() {
        let mut codes = std::collections::BTreeSet::new();
        for milestone in Milestone::ALL {
            assert_eq!(Milestone::parse(milestone.as_str()), Ok(milestone));
            assert!(codes.insert(milestone.standard_code()));
        }
        assert_eq!(codes.len(), 25);
        assert!(Milestone::parse("teleported").is_err());
    }

    #[test]
    fn reason_codes_are_short_and_alphanumeric() {
        assert_eq!(ReasonCode::parse("03").unwrap().as_str(), "03");
        assert!(ReasonCode::parse("").is_err());
        assert!(ReasonCode::parse("12345").is_err());
        assert!(ReasonCode::parse("0-3").is_err());
    }
}
