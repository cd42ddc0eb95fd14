//! RESDES: the inward office's response on receipt of a dispatch, back to the origin: what
//! arrived, and every discrepancy against the pre-advice (the verification note, CN 43).

use std::collections::BTreeMap;

use barid_core::{Discrepancy, DispatchId, Grams, OfficeCode, Receipt, ReceptacleId};
use time::OffsetDateTime;

use crate::error::MessageError;

/// The state a receptacle arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReceptacleCondition {
    Sound,
    /// Torn, wet, seal broken.
    Damaged,
}

impl ReceptacleCondition {
    pub const ALL: [ReceptacleCondition; 2] =
        [ReceptacleCondition::Sound, ReceptacleCondition::Damaged];

    pub fn as_str(&self) -> &'static str {
        match self {
            ReceptacleCondition::Sound => "sound",
            ReceptacleCondition::Damaged => "damaged",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|condition| condition.as_str() == text)
    }
}

/// One receptacle as the inward office received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResdesReceptacle {
    /// The S9 ID as read from the label on arrival.
    pub id: ReceptacleId,
    pub measured_weight: Grams,
    pub condition: ReceptacleCondition,
}

/// The response on receipt of one dispatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resdes {
    dispatch: DispatchId,
    received_at: OffsetDateTime,
    office: OfficeCode,
    receptacles: Vec<ResdesReceptacle>,
    discrepancies: Vec<Discrepancy>,
}

/// Receptacles are told apart by dispatch and serial, the identity printed on the label, as
/// core's verification matches them.
type ReceptacleKey = (DispatchId, u16);

fn key(id: &ReceptacleId) -> ReceptacleKey {
    (id.dispatch, id.serial.get())
}

impl Resdes {
    /// Refuses a receptacle listed twice (same dispatch and serial): a receptacle scanned
    /// twice was received once.
    pub fn new(
        dispatch: DispatchId,
        received_at: OffsetDateTime,
        office: OfficeCode,
        receptacles: Vec<ResdesReceptacle>,
        discrepancies: Vec<Discrepancy>,
    ) -> Result<Self, MessageError> {
        let mut seen: BTreeMap<ReceptacleKey, ReceptacleId> = BTreeMap::new();
        for (index, receptacle) in receptacles.iter().enumerate() {
            if let Some(first) = seen.insert(key(&receptacle.id), receptacle.id) {
                return Err(MessageError::new(
                    format!("receptacles[{index}].id"),
                    "duplicate_receptacle",
                    format!(
                        "receptacle {} is listed twice (first as {first}); list each receptacle received once",
                        receptacle.id
                    ),
                ));
            }
        }
        Ok(Self {
            dispatch,
            received_at,
            office,
            receptacles,
            discrepancies,
        })
    }

    /// The response for a verified receipt: `discrepancies` is what
    /// [`barid_core::exchange::verify`] found for `receipt`. A receptacle scanned more than
    /// once is listed once, with its first scan's label and weight, and damaged if any scan
    /// said so, as the verification counts it.
    pub fn from_verification(
        dispatch: DispatchId,
        received_at: OffsetDateTime,
        office: OfficeCode,
        receipt: &Receipt,
        discrepancies: Vec<Discrepancy>,
    ) -> Result<Self, MessageError> {
        let mut receptacles: Vec<ResdesReceptacle> = Vec::new();
        let mut position: BTreeMap<ReceptacleKey, usize> = BTreeMap::new();
        for scan in &receipt.receptacles {
            match position.get(&key(&scan.id)) {
                Some(&at) => {
                    if scan.damaged
                        && let Some(first) = receptacles.get_mut(at)
                    {
                        first.condition = ReceptacleCondition::Damaged;
                    }
                }
                None => {
                    position.insert(key(&scan.id), receptacles.len());
                    receptacles.push(ResdesReceptacle {
                        id: scan.id,
                        measured_weight: scan.measured_weight,
                        condition: if scan.damaged {
                            ReceptacleCondition::Damaged
                        } else {
                            ReceptacleCondition::Sound
                        },
                    });
                }
            }
        }
        Self::new(dispatch, received_at, office, receptacles, discrepancies)
    }

    pub fn dispatch(&self) -> DispatchId {
        self.dispatch
    }

    /// When the inward office received the dispatch, with its UTC offset.
    pub fn received_at(&self) -> OffsetDateTime {
        self.received_at
    }

    /// The office of exchange that received the dispatch.
    pub fn office(&self) -> OfficeCode {
        self.office
    }

    pub fn receptacles(&self) -> &[ResdesReceptacle] {
        &self.receptacles
    }

    /// In the order of the verification note; empty when the receipt matched the pre-advice.
    pub fn discrepancies(&self) -> &[Discrepancy] {
        &self.discrepancies
    }
}
