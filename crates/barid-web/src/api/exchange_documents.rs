//! The printed documents of a dispatch: CN 35 receptacle labels, CN 31 letter bill, CN 33
//! special list of registered items, the delivery bill its category calls for (CN 37, 38, 41),
//! and the CN 43 verification note of an inward dispatch. Each is produced from the stored
//! dispatch on request, so a reprint is the same document; the first print of an outward
//! document comes from the closing itself, which renders all four while its transaction runs
//! (see [`crate::document_cache`]).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use barid_core::exchange::ClosedDispatch;
use barid_core::{CountryCode, DispatchId, Grams, OfficeCode, ReceptacleId, S10Id, SiteCode};
use barid_docs::{
    DeliveryBillDispatch, DeliveryBillInput, DispatchHeader, DispatchReceptacle, DocumentError,
    LetterBillInput, Office, OfficeName, ReceptacleLabelInput, RegisteredItem, SpecialListInput,
    VerificationNoteInput,
};
use barid_store::model::{DispatchDirection, DispatchRecord};
use time::OffsetDateTime;

use crate::api::acceptance::{pdf, pdf_response};
use crate::auth::Principal;
use crate::document_cache::{OutwardDocument, RenderedDocuments};
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

/// Everything the outward documents print of one dispatch, owned, so that the closing can
/// render them on another thread while its transaction runs.
pub(crate) struct Printable {
    s8: DispatchId,
    closed_at: OffsetDateTime,
    origin: Names,
    destination: Names,
    transit: Option<(OfficeCode, Names)>,
    /// In serial order.
    receptacles: Vec<PrintedReceptacle>,
}

struct PrintedReceptacle {
    id: ReceptacleId,
    gross_weight: Grams,
    items: Vec<PrintedItem>,
}

/// One item as the CN 33 lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PrintedItem {
    pub s10: S10Id,
    /// The country it was posted in.
    pub origin: CountryCode,
    /// The country it is addressed to.
    pub destination: CountryCode,
}

impl Printable {
    fn new(
        directory: &OfficeDirectory,
        s8: DispatchId,
        closed_at: OffsetDateTime,
        transit: Option<OfficeCode>,
        receptacles: Vec<PrintedReceptacle>,
    ) -> Self {
        Self {
            s8,
            closed_at,
            origin: names(directory, s8.origin),
            destination: names(directory, s8.destination),
            transit: transit.map(|code| (code, names(directory, code))),
            receptacles,
        }
    }

    /// From a stored outward dispatch (a print or a reprint).
    fn of_record(directory: &OfficeDirectory, dispatch: &DispatchRecord) -> Self {
        let receptacles = dispatch
            .receptacles
            .iter()
            .filter_map(|receptacle| {
                Some(PrintedReceptacle {
                    id: receptacle.s9?,
                    gross_weight: receptacle.gross_weight?,
                    items: receptacle
                        .items
                        .iter()
                        .map(|item| PrintedItem {
                            s10: item.s10,
                            origin: item
                                .item
                                .as_ref()
                                .map(|copy| copy.origin_country)
                                .unwrap_or(dispatch.operator),
                            destination: item
                                .item
                                .as_ref()
                                .map(|copy| copy.destination_country)
                                .unwrap_or_else(|| dispatch.s8.destination.country()),
                        })
                        .collect(),
                })
            })
            .collect();
        Self::new(
            directory,
            dispatch.s8,
            dispatch.closed_at,
            dispatch.transit_office,
            receptacles,
        )
    }

    /// From a dispatch being closed, before it is stored: the same documents [`Self::of_record`]
    /// gives once it is. `items` holds each item's countries; an item missing from it is
    /// printed as the stored dispatch would print it.
    pub(crate) fn of_closing(
        directory: &OfficeDirectory,
        operator: CountryCode,
        closed: &ClosedDispatch,
        transit: Option<OfficeCode>,
        closed_at: OffsetDateTime,
        items: &HashMap<S10Id, PrintedItem>,
    ) -> Self {
        let s8 = closed.id();
        let receptacles = closed
            .receptacles()
            .iter()
            .map(|receptacle| PrintedReceptacle {
                id: receptacle.id,
                gross_weight: receptacle.gross_weight,
                items: receptacle
                    .items
                    .iter()
                    .map(|s10| {
                        items.get(s10).copied().unwrap_or(PrintedItem {
                            s10: *s10,
                            origin: operator,
                            destination: s8.destination.country(),
                        })
                    })
                    .collect(),
            })
            .collect();
        Self::new(directory, s8, closed_at, transit, receptacles)
    }

    fn transit(&self) -> Option<Office<'_>> {
        self.transit.as_ref().map(|(code, names)| Office {
            code: *code,
            name: names.name(),
        })
    }

    fn header(&self) -> DispatchHeader<'_> {
        DispatchHeader {
            id: self.s8,
            origin: self.origin.name(),
            destination: self.destination.name(),
            transit: self.transit(),
            closed_at: self.closed_at,
        }
    }

    /// The receptacles as the bills list them.
    fn listed(&self) -> Vec<DispatchReceptacle> {
        self.receptacles
            .iter()
            .map(|receptacle| DispatchReceptacle {
                id: receptacle.id,
                gross_weight: receptacle.gross_weight,
                items: receptacle.items.len(),
                registered_items: receptacle
                    .items
                    .iter()
                    .filter(|item| registered(&item.s10))
                    .count(),
            })
            .collect()
    }

    fn file_name(&self, document: OutwardDocument) -> String {
        format!("{}-{}.pdf", self.s8, document.file_suffix())
    }

    pub(crate) fn render(&self, document: OutwardDocument) -> Result<Vec<u8>, DocumentError> {
        match document {
            OutwardDocument::ReceptacleLabels => self.receptacle_labels(),
            OutwardDocument::LetterBill => self.letter_bill(),
            OutwardDocument::SpecialList => self.special_list(),
            OutwardDocument::DeliveryBill => self.delivery_bill(),
        }
    }

    /// The four documents, as the closing keeps them for the first print.
    pub(crate) fn render_all(&self) -> Result<RenderedDocuments, DocumentError> {
        let [labels, letter_bill, special_list, delivery_bill] =
            OutwardDocument::ALL.map(|document| self.render(document));
        Ok(RenderedDocuments {
            file_stem: self.s8.to_string(),
            documents: [
                Bytes::from(labels?),
                Bytes::from(letter_bill?),
                Bytes::from(special_list?),
                Bytes::from(delivery_bill?),
            ],
        })
    }

    fn receptacle_labels(&self) -> Result<Vec<u8>, DocumentError> {
        let inputs: Vec<ReceptacleLabelInput<'_>> = self
            .receptacles
            .iter()
            .map(|receptacle| ReceptacleLabelInput {
                receptacle: receptacle.id,
                origin: self.origin.name(),
                destination: self.destination.name(),
                transit: self.transit(),
                gross_weight: receptacle.gross_weight,
                item_count: receptacle.items.len(),
                closed_at: self.closed_at,
            })
            .collect();
        barid_docs::receptacle_labels(&inputs)
    }

    fn letter_bill(&self) -> Result<Vec<u8>, DocumentError> {
        let receptacles = self.listed();
        barid_docs::letter_bill(&LetterBillInput {
            dispatch: self.header(),
            receptacles: &receptacles,
        })
    }

    fn special_list(&self) -> Result<Vec<u8>, DocumentError> {
        let items: Vec<RegisteredItem> = self
            .receptacles
            .iter()
            .flat_map(|receptacle| {
                receptacle
                    .items
                    .iter()
                    .filter(|item| registered(&item.s10))
                    .map(|item| RegisteredItem {
                        item: item.s10,
                        receptacle: receptacle.id.serial,
                        origin: item.origin,
                        destination: item.destination,
                    })
            })
            .collect();
        barid_docs::special_list(&SpecialListInput {
            dispatch: self.header(),
            items: &items,
        })
    }

    fn delivery_bill(&self) -> Result<Vec<u8>, DocumentError> {
        let receptacles = self.listed();
        let dispatches = [DeliveryBillDispatch {
            id: self.s8,
            receptacles: &receptacles,
        }];
        barid_docs::delivery_bill(&DeliveryBillInput {
            office: Office {
                code: self.s8.origin,
                name: self.origin.name(),
            },
            dispatches: &dispatches,
            transport: barid_docs::Transport::default(),
            handed_over_at: self.closed_at,
        })
    }
}

fn registered(s10: &S10Id) -> bool {
    matches!(
        s10.service(),
        barid_core::s10::S10Service::Registered | barid_core::s10::S10Service::Insured
    )
}

/// One outward document: from the closing's own rendering while it is kept, otherwise
/// rendered from the stored dispatch.
async fn outward_document(
    state: &AppState,
    principal: &Principal,
    s8: &DispatchId,
    document: OutwardDocument,
) -> ApiResult<Response> {
    if let Some(cached) = state.documents().get(principal.operator, s8, document) {
        principal.require_office(&cached.office)?;
        return pdf_response(cached.bytes, &cached.file_name);
    }
    let dispatch = crate::api::exchange::visible_dispatch(state, principal, s8).await?;
    if dispatch.direction != DispatchDirection::Outward {
        return Err(ApiError::refused(
            "not_outward",
            "dispatch",
            "labels and bills are printed by the office that closed the dispatch",
        ));
    }
    let directory = state.office_directory().await?;
    let printable = Printable::of_record(&directory, &dispatch);
    pdf(printable.render(document), &printable.file_name(document))
}

/// The CN 35 (or CN 34 for surface mail) label of every receptacle, a page each.
#[utoipa::path(get, path = "/api/v1/exchange/dispatches/{s8}/cn35.pdf", tag = "exchange",
    params(("s8" = String, Path, description = "The dispatch's S8 ID (20 characters); the latest dispatch with it")),
    responses(
        (status = 200, description = "The labels", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, description = "`invalid_path`: not a valid S8 ID (the message says why)", body = crate::error::ErrorBody),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn receptacle_labels(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s8): PathParam<DispatchId>,
) -> ApiResult<Response> {
    outward_document(&state, &principal, &s8, OutwardDocument::ReceptacleLabels).await
}

/// The CN 31 letter bill.
#[utoipa::path(get, path = "/api/v1/exchange/dispatches/{s8}/cn31.pdf", tag = "exchange",
    params(("s8" = String, Path, description = "The dispatch's S8 ID (20 characters); the latest dispatch with it")),
    responses(
        (status = 200, description = "The letter bill", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, description = "`invalid_path`: not a valid S8 ID (the message says why)", body = crate::error::ErrorBody),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn letter_bill(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s8): PathParam<DispatchId>,
) -> ApiResult<Response> {
    outward_document(&state, &principal, &s8, OutwardDocument::LetterBill).await
}

/// The CN 33 special list: one line per registered or insured item.
#[utoipa::path(get, path = "/api/v1/exchange/dispatches/{s8}/cn33.pdf", tag = "exchange",
    params(("s8" = String, Path, description = "The dispatch's S8 ID (20 characters); the latest dispatch with it")),
    responses(
        (status = 200, description = "The special list", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, description = "`invalid_path`: not a valid S8 ID (the message says why)", body = crate::error::ErrorBody),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn special_list(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s8): PathParam<DispatchId>,
) -> ApiResult<Response> {
    outward_document(&state, &principal, &s8, OutwardDocument::SpecialList).await
}

/// The delivery bill handed to the carrier: CN 38 for airmail, CN 41 for S.A.L., CN 37 for
/// surface mail.
#[utoipa::path(get, path = "/api/v1/exchange/dispatches/{s8}/delivery-bill.pdf", tag = "exchange",
    params(("s8" = String, Path, description = "The dispatch's S8 ID (20 characters); the latest dispatch with it")),
    responses(
        (status = 200, description = "The delivery bill", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, description = "`invalid_path`: not a valid S8 ID (the message says why)", body = crate::error::ErrorBody),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn delivery_bill(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s8): PathParam<DispatchId>,
) -> ApiResult<Response> {
    outward_document(&state, &principal, &s8, OutwardDocument::DeliveryBill).await
}

/// The CN 43 verification note of an inward dispatch, once verified.
#[utoipa::path(get, path = "/api/v1/exchange/dispatches/{s8}/cn43.pdf", tag = "exchange",
    params(("s8" = String, Path, description = "The dispatch's S8 ID (20 characters); the latest dispatch with it")),
    responses(
        (status = 200, description = "The verification note", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, description = "`invalid_path`: not a valid S8 ID (the message says why)", body = crate::error::ErrorBody),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
        (status = 422, description = "`refused`: `not_verified`", body = crate::error::ErrorBody),
    ))]
pub async fn verification_note(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s8): PathParam<DispatchId>,
) -> ApiResult<Response> {
    let dispatch = crate::api::exchange::visible_dispatch(&state, &principal, &s8).await?;
    let discrepancies = crate::exchange_inward::discrepancies_of(&dispatch)?;
    let received_at = dispatch.received_at.ok_or_else(|| {
        ApiError::refused(
            "not_verified",
            "dispatch",
            "the dispatch has not been received and verified yet",
        )
    })?;
    let directory = state.office_directory().await?;
    let origin = names(&directory, dispatch.s8.origin);
    let destination = names(&directory, dispatch.s8.destination);
    pdf(
        barid_docs::verification_note(&VerificationNoteInput {
            dispatch: dispatch.s8,
            origin: origin.name(),
            destination: destination.name(),
            received_at,
            discrepancies: &discrepancies,
        }),
        &format!("{}-cn43.pdf", dispatch.s8),
    )
}
