//! PREDES v1.

use barid_core::{DispatchId, Grams, OfficeCode, ReceptacleId, S10Id};
use serde::Serialize;

use super::common::{Time, optional_time, text, time};
use crate::error::CodecError;
use crate::json::read::Node;
use crate::predes::{Predes, PredesReceptacle, Transport};

#[derive(Serialize)]
pub(in crate::json) struct PredesV1<'a> {
    dispatch: DispatchId,
    #[serde(skip_serializing_if = "Option::is_none")]
    transit_office: Option<OfficeCode>,
    closed_at: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    transport: Option<TransportV1<'a>>,
    receptacles: Vec<ReceptacleV1<'a>>,
}

#[derive(Serialize)]
struct TransportV1<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    carrier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conveyance: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    departs_at: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    arrives_at: Option<Time>,
}

#[derive(Serialize)]
struct ReceptacleV1<'a> {
    id: ReceptacleId,
    gross_weight_grams: Grams,
    items: &'a [S10Id],
}

impl<'a> From<&'a Predes> for PredesV1<'a> {
    fn from(predes: &'a Predes) -> Self {
        Self {
            dispatch: predes.dispatch(),
            transit_office: predes.transit_office(),
            closed_at: time(predes.closed_at()),
            transport: predes.transport().map(|transport| TransportV1 {
                carrier: transport.carrier.as_ref().map(|text| text.as_str()),
                conveyance: transport.conveyance.as_ref().map(|text| text.as_str()),
                departs_at: optional_time(transport.departs_at),
                arrives_at: optional_time(transport.arrives_at),
            }),
            receptacles: predes
                .receptacles()
                .iter()
                .map(|receptacle| ReceptacleV1 {
                    id: receptacle.id,
                    gross_weight_grams: receptacle.gross_weight,
                    items: &receptacle.items,
                })
                .collect(),
        }
    }
}

pub(super) fn decode(node: &Node<'_>) -> Result<Predes, CodecError> {
    let object = node.object(&[
        "dispatch",
        "transit_office",
        "closed_at",
        "transport",
        "receptacles",
    ])?;
    let dispatch = object.required("dispatch")?.parse(DispatchId::parse)?;
    let transit_office =
        object.optional_with("transit_office", |node| node.parse(OfficeCode::parse))?;
    let closed_at = object.required("closed_at")?.time()?;
    let transport = object.optional_with("transport", transport)?;
    let receptacles = object.required("receptacles")?.list(receptacle)?;
    Predes::new(dispatch, transit_office, closed_at, transport, receptacles)
        .map_err(|error| error.under(node.path()).into())
}

fn transport(node: &Node<'_>) -> Result<Transport, CodecError> {
    let object = node.object(&["carrier", "conveyance", "departs_at", "arrives_at"])?;
    Ok(Transport {
        carrier: object.optional_with("carrier", text)?,
        conveyance: object.optional_with("conveyance", text)?,
        departs_at: object.optional_with("departs_at", Node::time)?,
        arrives_at: object.optional_with("arrives_at", Node::time)?,
    })
}

fn receptacle(node: &Node<'_>) -> Result<PredesReceptacle, CodecError> {
    let object = node.object(&["id", "gross_weight_grams", "items"])?;
    Ok(PredesReceptacle {
        id: object.required("id")?.parse(ReceptacleId::parse)?,
        gross_weight: object.required("gross_weight_grams")?.grams()?,
        items: object
            .required("items")?
            .list(|item| item.parse(S10Id::parse))?,
    })
}
