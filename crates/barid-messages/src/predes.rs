//! PREDES: the pre-advice of a closed dispatch, from the origin office of exchange to the
//! destination office (and the closed transit office, if any).

use std::collections::BTreeMap;

use barid_core::exchange::{AdvisedReceptacle, GrossWeight};
use barid_core::{
    ClosedDispatch, DispatchId, Grams, MailCategory, MailClass, MailSubclass, OfficeCode,
    PreAdvice, ReceptacleId, S10Id,
};
use time::OffsetDateTime;

use crate::error::MessageError;
use crate::text::{CarrierName, Conveyance};

/// The most receptacles one dispatch can have: the S9 serial has three digits.
const MAX_RECEPTACLES: usize = 999;

/// The planned transport of a dispatch, as far as the origin knows it when closing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transport {
    /// The airline, shipping line or haulier.
    pub carrier: Option<CarrierName>,
    /// The flight, voyage or truck number.
    pub conveyance: Option<Conveyance>,
    /// Planned departure, with the UTC offset of the place of departure.
    pub departs_at: Option<OffsetDateTime>,
    /// Planned arrival, with the UTC offset of the place of arrival.
    pub arrives_at: Option<OffsetDateTime>,
}

/// One receptacle as pre-advised.
///
/// The registered and highest-receptacle flags are not fields: the S9 ID carries them, and a
/// second copy could only disagree with it. [`PredesReceptacle::is_registered`] and
/// [`PredesReceptacle::is_highest`] read them from the ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredesReceptacle {
    pub id: ReceptacleId,
    /// The gross weight measured at closing; the S9 ID carries it rounded to 0.1 kg, and the
    /// two must agree.
    pub gross_weight: Grams,
    /// The S10 items in it, in the order they were bagged.
    pub items: Vec<S10Id>,
}

impl PredesReceptacle {
    /// Whether it holds registered or insured items (red CN 35 label).
    pub fn is_registered(&self) -> bool {
        self.id.registered
    }

    /// Whether it is the last receptacle of its dispatch.
    pub fn is_highest(&self) -> bool {
        self.id.highest
    }
}

/// The pre-advice of one closed dispatch.
///
/// The origin and destination offices, the mail category, subclass and class are not fields:
/// the S8 dispatch ID is made of them, and the accessors read them from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predes {
    dispatch: DispatchId,
    transit_office: Option<OfficeCode>,
    closed_at: OffsetDateTime,
    transport: Option<Transport>,
    receptacles: Vec<PredesReceptacle>,
}

impl Predes {
    /// Checks that the receptacles are those of a closed dispatch, as [`barid_core::exchange::close_dispatch`]
    /// numbers them: one to 999 of them, all of `dispatch`, with serials 001 to n in order,
    /// the highest-receptacle flag on the last one only, each gross weight within the limits
    /// of an S9 ID and rounding to the weight its ID carries, and no item in two places.
    /// A closed transit office must be neither the origin nor the destination office, and a
    /// planned arrival cannot come before the planned departure.
    pub fn new(
        dispatch: DispatchId,
        transit_office: Option<OfficeCode>,
        closed_at: OffsetDateTime,
        transport: Option<Transport>,
        receptacles: Vec<PredesReceptacle>,
    ) -> Result<Self, MessageError> {
        check_receptacles(dispatch, &receptacles)?;
        if let Some(transit) = transit_office
            && (transit == dispatch.origin || transit == dispatch.destination)
        {
            return Err(MessageError::new(
                "transit_office",
                "transit_office",
                format!(
                    "the closed transit office {transit} must differ from the origin ({}) and destination ({}) offices",
                    dispatch.origin, dispatch.destination
                ),
            ));
        }
        if let Some(Transport {
            departs_at: Some(departs),
            arrives_at: Some(arrives),
            ..
        }) = &transport
            && arrives < departs
        {
            return Err(MessageError::new(
                "transport.arrives_at",
                "arrival_before_departure",
                format!(
                    "the planned arrival {arrives} comes before the planned departure {departs}"
                ),
            ));
        }
        Ok(Self {
            dispatch,
            transit_office,
            closed_at,
            transport,
            receptacles,
        })
    }

    /// The pre-advice of a dispatch the origin office has just closed. `transit_office` is the
    /// route's closed transit office ([`barid_core::RoutePlan::transit_office`]).
    pub fn from_closed_dispatch(
        closed: &ClosedDispatch,
        transit_office: Option<OfficeCode>,
        closed_at: OffsetDateTime,
        transport: Option<Transport>,
    ) -> Result<Self, MessageError> {
        let receptacles = closed
            .receptacles()
            .iter()
            .map(|receptacle| PredesReceptacle {
                id: receptacle.id,
                gross_weight: receptacle.gross_weight,
                items: receptacle.items.clone(),
            })
            .collect();
        Self::new(
            closed.id(),
            transit_office,
            closed_at,
            transport,
            receptacles,
        )
    }

    pub fn dispatch(&self) -> DispatchId {
        self.dispatch
    }

    pub fn origin_office(&self) -> OfficeCode {
        self.dispatch.origin
    }

    pub fn destination_office(&self) -> OfficeCode {
        self.dispatch.destination
    }

    /// The office of exchange the dispatch passes through closed, if any; it gets this
    /// pre-advice too.
    pub fn transit_office(&self) -> Option<OfficeCode> {
        self.transit_office
    }

    pub fn mail_category(&self) -> MailCategory {
        self.dispatch.category
    }

    pub fn mail_subclass(&self) -> MailSubclass {
        self.dispatch.subclass
    }

    pub fn mail_class(&self) -> MailClass {
        self.dispatch.subclass.class()
    }

    /// When the origin closed the dispatch, with the origin office's UTC offset.
    pub fn closed_at(&self) -> OffsetDateTime {
        self.closed_at
    }

    pub fn transport(&self) -> Option<&Transport> {
        self.transport.as_ref()
    }

    /// In serial order, 001 first.
    pub fn receptacles(&self) -> &[PredesReceptacle] {
        &self.receptacles
    }

    /// What the inward office verifies the receipt against ([`barid_core::exchange::verify`]).
    pub fn pre_advice(&self) -> PreAdvice {
        PreAdvice {
            dispatch: self.dispatch,
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

fn check_receptacles(
    dispatch: DispatchId,
    receptacles: &[PredesReceptacle],
) -> Result<(), MessageError> {
    let count = receptacles.len();
    if count == 0 {
        return Err(MessageError::new(
            "receptacles",
            "empty",
            format!("dispatch {dispatch} has no receptacle; a dispatch holds at least one"),
        ));
    }
    if count > MAX_RECEPTACLES {
        return Err(MessageError::new(
            "receptacles",
            "too_many",
            format!(
                "dispatch {dispatch} has {count} receptacles; the S9 serial allows at most {MAX_RECEPTACLES}"
            ),
        ));
    }
    let mut seen: BTreeMap<S10Id, ReceptacleId> = BTreeMap::new();
    for (index, receptacle) in receptacles.iter().enumerate() {
        let at = |field: &str| format!("receptacles[{index}].{field}");
        let id = receptacle.id;
        let position = index + 1;
        if id.dispatch != dispatch {
            return Err(MessageError::new(
                at("id"),
                "foreign_receptacle",
                format!(
                    "receptacle {id} belongs to dispatch {}, not {dispatch}",
                    id.dispatch
                ),
            ));
        }
        if usize::from(id.serial.get()) != position {
            return Err(MessageError::new(
                at("id"),
                "receptacle_order",
                format!(
                    "receptacle {position} of the dispatch should have serial {position:03}, found {:03}; receptacles are listed in serial order from 001",
                    id.serial.get()
                ),
            ));
        }
        let last = position == count;
        if id.highest != last {
            let message = if last {
                format!(
                    "receptacle {id} is the last of the dispatch, so its highest-receptacle flag must be 1"
                )
            } else {
                format!(
                    "receptacle {id} is not the last of the dispatch ({count} receptacles), so its highest-receptacle flag must be 0"
                )
            };
            return Err(MessageError::new(at("id"), "highest_flag", message));
        }
        let gross = GrossWeight::new(receptacle.gross_weight).map_err(|error| {
            MessageError::new(
                at("gross_weight_grams"),
                "invalid_gross_weight",
                error.to_string(),
            )
        })?;
        if gross.label() != id.weight {
            return Err(MessageError::new(
                at("gross_weight_grams"),
                "label_weight",
                format!(
                    "the gross weight {} rounds to {}, but the receptacle ID {id} carries {}",
                    receptacle.gross_weight,
                    gross.label(),
                    id.weight
                ),
            ));
        }
        for (item_index, item) in receptacle.items.iter().enumerate() {
            if let Some(first) = seen.insert(*item, id) {
                return Err(MessageError::new(
                    format!("receptacles[{index}].items[{item_index}]"),
                    "duplicate_item",
                    format!("item {item} is listed twice: already in receptacle {first}"),
                ));
            }
        }
    }
    Ok(())
}
