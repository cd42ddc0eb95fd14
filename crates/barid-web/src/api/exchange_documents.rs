//! The printed documents of a dispatch: CN 35 receptacle labels, CN 31 letter bill, CN 33
//! special list of registered items, the delivery bill its category calls for (CN 37, 38, 41),
//! and the CN 43 verification note of an inward dispatch. Each is produced from the stored
//! dispatch on request, so a reprint is the same document.

use axum::extract::State;
use axum::response::Response;
use barid_core::{OfficeCode, S10Id, SiteCode};
use barid_docs::{
    DeliveryBillDispatch, DeliveryBillInput, DispatchHeader, DispatchReceptacle, LetterBillInput,
    Office, OfficeName, ReceptacleLabelInput, RegisteredItem, SpecialListInput,
    VerificationNoteInput,
};
use barid_store::model::{DispatchDirection, DispatchRecord, DispatchRowId, ReceptacleRecord};

use crate::api::acceptance::pdf;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::PathParam;
use crate::state::{AppState, OfficeDirectory};

/// The English and Arabic names of an office of exchange as the node knows them; a partner's
/// office the node does not hold is named by its IMPC code.
struct Names {
    en: String,
    ar: Option<String>,
}

fn names(directory: &OfficeDirectory, code: OfficeCode) -> Names {
    match SiteCode::parse(code.as_str())
        .ok()
        .and_then(|site| directory.get(&site))
    {
        Some(office) => Names {
            en: office.name_en.clone(),
            ar: Some(office.name_ar.clone()),
        },
        None => Names {
            en: code.to_string(),
            ar: None,
        },
    }
}

impl Names {
    fn name(&self) -> OfficeName<'_> {
        OfficeName::new(&self.en, self.ar.as_deref())
    }
}

/// Everything the documents print of one dispatch.
struct Printable {
    dispatch: DispatchRecord,
    origin: Names,
    destination: Names,
    transit: Option<(OfficeCode, Names)>,
}

async fn printable(
    state: &AppState,
    principal: &Principal,
    id: DispatchRowId,
) -> ApiResult<Printable> {
    let dispatch = crate::api::exchange::visible_dispatch(state, principal, id).await?;
    let directory = state.office_directory().await?;
    let origin = names(&directory, dispatch.s8.origin);
    let destination = names(&directory, dispatch.s8.destination);
    let transit = dispatch
        .transit_office
        .map(|code| (code, names(&directory, code)));
    Ok(Printable {
        dispatch,
        origin,
        destination,
        transit,
    })
}

impl Printable {
    fn transit(&self) -> Option<Office<'_>> {
        self.transit.as_ref().map(|(code, names)| Office {
            code: *code,
            name: names.name(),
        })
    }

    fn header(&self) -> DispatchHeader<'_> {
        DispatchHeader {
            id: self.dispatch.s8,
            origin: self.origin.name(),
            destination: self.destination.name(),
            transit: self.transit(),
            closed_at: self.dispatch.closed_at,
        }
    }

    /// The receptacles as the bills list them.
    fn listed(&self) -> Vec<DispatchReceptacle> {
        self.receptacles()
            .into_iter()
            .map(|(_, receptacle)| receptacle)
            .collect()
    }

    /// The dispatch's receptacles that carry an S9 ID and a weight, with their counts.
    fn receptacles(&self) -> Vec<(&ReceptacleRecord, DispatchReceptacle)> {
        self.dispatch
            .receptacles
            .iter()
            .filter_map(|receptacle| {
                let id = receptacle.s9?;
                let gross_weight = receptacle.gross_weight?;
                let registered_items = receptacle
                    .items
                    .iter()
                    .filter(|item| registered(&item.s10))
                    .count();
                Some((
                    receptacle,
                    DispatchReceptacle {
                        id,
                        gross_weight,
                        items: receptacle.items.len(),
                        registered_items,
                    },
                ))
            })
            .collect()
    }
}

fn registered(s10: &S10Id) -> bool {
    matches!(
        s10.service(),
        barid_core::s10::S10Service::Registered | barid_core::s10::S10Service::Insured
    )
}

fn outward(printable: &Printable) -> ApiResult<()> {
    if printable.dispatch.direction == DispatchDirection::Outward {
        Ok(())
    } else {
        Err(ApiError::refused(
            "not_outward",
            "dispatch",
            "labels and bills are printed by the office that closed the dispatch",
        ))
    }
}

/// The CN 35 (or CN 34 for surface mail) label of every receptacle, a page each.
#[utoipa::path(get, path = "/api/v1/exchange/dispatches/{id}/cn35.pdf", tag = "exchange",
    params(("id" = i64, Path, description = "Dispatch number")),
    responses(
        (status = 200, description = "The labels", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn receptacle_labels(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<DispatchRowId>,
) -> ApiResult<Response> {
    let printable = printable(&state, &principal, id).await?;
    outward(&printable)?;
    let inputs: Vec<ReceptacleLabelInput<'_>> = printable
        .receptacles()
        .into_iter()
        .map(|(record, receptacle)| ReceptacleLabelInput {
            receptacle: receptacle.id,
            origin: printable.origin.name(),
            destination: printable.destination.name(),
            transit: printable.transit(),
            gross_weight: receptacle.gross_weight,
            item_count: record.items.len(),
            closed_at: printable.dispatch.closed_at,
        })
        .collect();
    pdf(
        barid_docs::receptacle_labels(&inputs),
        &format!("{}-cn35.pdf", printable.dispatch.s8),
    )
}

/// The CN 31 letter bill.
#[utoipa::path(get, path = "/api/v1/exchange/dispatches/{id}/cn31.pdf", tag = "exchange",
    params(("id" = i64, Path, description = "Dispatch number")),
    responses(
        (status = 200, description = "The letter bill", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn letter_bill(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<DispatchRowId>,
) -> ApiResult<Response> {
    let printable = printable(&state, &principal, id).await?;
    outward(&printable)?;
    let receptacles = printable.listed();
    pdf(
        barid_docs::letter_bill(&LetterBillInput {
            dispatch: printable.header(),
            receptacles: &receptacles,
        }),
        &format!("{}-cn31.pdf", printable.dispatch.s8),
    )
}

/// The CN 33 special list: one line per registered or insured item.
#[utoipa::path(get, path = "/api/v1/exchange/dispatches/{id}/cn33.pdf", tag = "exchange",
    params(("id" = i64, Path, description = "Dispatch number")),
    responses(
        (status = 200, description = "The special list", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn special_list(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<DispatchRowId>,
) -> ApiResult<Response> {
    let printable = printable(&state, &principal, id).await?;
    outward(&printable)?;
    let mut items = Vec::new();
    for (record, receptacle) in printable.receptacles() {
        for item in &record.items {
            if registered(&item.s10) {
                items.push(RegisteredItem {
                    item: item.s10,
                    receptacle: receptacle.id.serial,
                    origin: item
                        .item
                        .as_ref()
                        .map(|copy| copy.origin_country)
                        .unwrap_or(printable.dispatch.operator),
                    destination: item
                        .item
                        .as_ref()
                        .map(|copy| copy.destination_country)
                        .unwrap_or_else(|| printable.dispatch.s8.destination.country()),
                });
            }
        }
    }
    pdf(
        barid_docs::special_list(&SpecialListInput {
            dispatch: printable.header(),
            items: &items,
        }),
        &format!("{}-cn33.pdf", printable.dispatch.s8),
    )
}

/// The delivery bill handed to the carrier: CN 38 for airmail, CN 41 for S.A.L., CN 37 for
/// surface mail.
#[utoipa::path(get, path = "/api/v1/exchange/dispatches/{id}/delivery-bill.pdf", tag = "exchange",
    params(("id" = i64, Path, description = "Dispatch number")),
    responses(
        (status = 200, description = "The delivery bill", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn delivery_bill(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<DispatchRowId>,
) -> ApiResult<Response> {
    let printable = printable(&state, &principal, id).await?;
    outward(&printable)?;
    let receptacles = printable.listed();
    let dispatches = [DeliveryBillDispatch {
        id: printable.dispatch.s8,
        receptacles: &receptacles,
    }];
    pdf(
        barid_docs::delivery_bill(&DeliveryBillInput {
            office: Office {
                code: printable.dispatch.s8.origin,
                name: printable.origin.name(),
            },
            dispatches: &dispatches,
            transport: barid_docs::Transport::default(),
            handed_over_at: printable.dispatch.closed_at,
        }),
        &format!("{}-delivery-bill.pdf", printable.dispatch.s8),
    )
}

/// The CN 43 verification note of an inward dispatch, once verified.
#[utoipa::path(get, path = "/api/v1/exchange/dispatches/{id}/cn43.pdf", tag = "exchange",
    params(("id" = i64, Path, description = "Dispatch number")),
    responses(
        (status = 200, description = "The verification note", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
        (status = 422, description = "`refused`: `not_verified`", body = crate::error::ErrorBody),
    ))]
pub async fn verification_note(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<DispatchRowId>,
) -> ApiResult<Response> {
    let printable = printable(&state, &principal, id).await?;
    let discrepancies = crate::exchange_inward::discrepancies_of(&printable.dispatch)?;
    let received_at = printable.dispatch.received_at.ok_or_else(|| {
        ApiError::refused(
            "not_verified",
            "dispatch",
            "the dispatch has not been received and verified yet",
        )
    })?;
    pdf(
        barid_docs::verification_note(&VerificationNoteInput {
            dispatch: printable.dispatch.s8,
            origin: printable.origin.name(),
            destination: printable.destination.name(),
            received_at,
            discrepancies: &discrepancies,
        }),
        &format!("{}-cn43.pdf", printable.dispatch.s8),
    )
}
