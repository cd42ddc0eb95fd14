//! `/api/v1/exchange/...` for the transit and inward offices (receiving receptacles, opening
//! them, verifying and forwarding dispatches), import customs, and `/api/v1/delivery/events`
//! for the delivery office. Every step goes through [`crate::exchange_inward`] or
//! [`crate::exchange::record_local_event`].

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use barid_core::{Grams, Milestone, NextAction, ReasonCode, S10Id};
use barid_store::model::{DispatchRowId, OfficeKind, ReceptacleRowId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::exchange::{DispatchDto, ReceptacleDto, ScanDto, receptacle_office};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::exchange::{self, EventDetails, ExchangeOffice};
use crate::exchange_inward;
use crate::extract::{ApiJson, PathParam};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceptacleArrivalRequest {
    pub office: Option<String>,
    /// The S9 ID read from the receptacle's label.
    #[schema(example = "EGCAIAPSRMHAAUR60001001110023")]
    pub s9: String,
    /// The weight on our scale, when weighed on arrival.
    pub measured_weight_grams: Option<u32>,
    /// Torn, wet or with a broken seal.
    #[serde(default)]
    pub damaged: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FoundItemRequest {
    pub s10: String,
    #[serde(default)]
    pub damaged: bool,
}

/// A verified inward dispatch with its verification note (CN 43).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VerificationDto {
    pub dispatch: DispatchDto,
    /// Each discrepancy as barid-core describes it: `code` (e.g. `missing_item`), the
    /// receptacle and item concerned, and what was expected and found.
    #[schema(value_type = Vec<Object>)]
    pub discrepancies: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemStepRequest {
    /// The office where it happens; may be left out by someone working at one office only.
    pub office: Option<String>,
    pub s10: String,
    /// Import customs: `present` (EDB), `hold` (EME), `release` (EDC), `terminate` (EDX).
    /// Delivery: `arrival` (EMG), `out_for_delivery` (EDG), `attempt` (EMH), `pickup` (EDH),
    /// `delivered` (EMI). Forwarding from the inward office: `forward` (EMF).
    pub step: String,
    /// A code of the reason table (a hold, a failed attempt).
    pub reason: Option<String>,
    /// After a hold or a failed attempt: `redeliver`, `hold_for_collection`,
    /// `return_to_sender`.
    pub next_action: Option<String>,
    /// Who took delivery.
    pub signatory: Option<String>,
    pub note: Option<String>,
}

/// Import customs steps: (name, milestone, whether a reason is needed).
pub(crate) const IMPORT_CUSTOMS_STEPS: &[(&str, Milestone, bool)] = &[
    ("present", Milestone::PresentedImportCustoms, false),
    ("hold", Milestone::HeldImportCustoms, true),
    ("release", Milestone::ReleasedImportCustoms, false),
    ("terminate", Milestone::ImportTerminated, true),
];

/// Delivery office steps: (name, milestone, whether a reason is needed).
pub(crate) const DELIVERY_STEPS: &[(&str, Milestone, bool)] = &[
    ("arrival", Milestone::ArrivedDeliveryOffice, false),
    ("out_for_delivery", Milestone::OutForDelivery, false),
    ("attempt", Milestone::DeliveryAttemptFailed, true),
    ("pickup", Milestone::AtCollectionPoint, false),
    ("delivered", Milestone::Delivered, false),
];

pub(crate) fn details(request: &ItemStepRequest) -> ApiResult<EventDetails> {
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    Ok(EventDetails {
        reason: text(&request.reason)
            .map(|code| {
                ReasonCode::parse(&code)
                    .map_err(|error| ApiError::invalid_body("reason", error.to_string()))
            })
            .transpose()?,
        next_action: text(&request.next_action)
            .map(|action| {
                NextAction::parse(&action)
                    .map_err(|error| ApiError::invalid_body("next_action", error.to_string()))
            })
            .transpose()?,
        signatory: text(&request.signatory),
        note: text(&request.note),
    })
}

/// The step's milestone, and whether it needs a reason.
pub(crate) fn milestone(
    step: &str,
    steps: &[(&str, Milestone, bool)],
) -> ApiResult<(Milestone, bool)> {
    steps
        .iter()
        .find(|(name, _, _)| *name == step.trim())
        .map(|(_, milestone, needs_reason)| (*milestone, *needs_reason))
        .ok_or_else(|| {
            let names: Vec<&str> = steps.iter().map(|(name, _, _)| *name).collect();
            ApiError::invalid_body("step", format!("the step is one of {}", names.join(", ")))
        })
}

async fn item_step(
    state: &AppState,
    principal: &Principal,
    kind: OfficeKind,
    request: &ItemStepRequest,
    steps: &[(&str, Milestone, bool)],
) -> ApiResult<(StatusCode, Json<ScanDto>)> {
    let office = exchange::our_office(state, principal, request.office.as_deref(), kind).await?;
    let s10 = exchange::parse_s10(&request.s10)?;
    let (milestone, needs_reason) = milestone(&request.step, steps)?;
    let details = details(request)?;
    if needs_reason && details.reason.is_none() {
        return Err(ApiError::refused(
            "reason_required",
            "reason",
            "this step needs a reason from the reason table",
        ));
    }
    let recorded =
        exchange::record_local_event(state, principal, &s10, milestone, &office.code, details)
            .await?;
    Ok((StatusCode::CREATED, Json(recorded.into())))
}

/// Import customs at the inward office of exchange.
#[utoipa::path(post, path = "/api/v1/exchange/import-customs", tag = "exchange",
    request_body = ItemStepRequest,
    responses(
        (status = 201, description = "Recorded", body = ScanDto),
        (status = 422, description = "`refused` (`reason_required`, a lifecycle rule) or `invalid_body`", body = crate::error::ErrorBody),
    ))]
pub async fn import_customs(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<ItemStepRequest>,
) -> ApiResult<(StatusCode, Json<ScanDto>)> {
    item_step(
        &state,
        &principal,
        OfficeKind::Exchange,
        &request,
        IMPORT_CUSTOMS_STEPS,
    )
    .await
}

/// An item leaves the inward office of exchange for its delivery office (`EMF`).
#[utoipa::path(post, path = "/api/v1/exchange/forwarding", tag = "exchange",
    request_body = ItemStepRequest,
    responses(
        (status = 201, description = "Recorded", body = ScanDto),
        (status = 422, description = "`refused` (a lifecycle rule, e.g. not released by customs)", body = crate::error::ErrorBody),
    ))]
pub async fn forwarding(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<ItemStepRequest>,
) -> ApiResult<(StatusCode, Json<ScanDto>)> {
    item_step(
        &state,
        &principal,
        OfficeKind::Exchange,
        &request,
        &[("forward", Milestone::DepartedInwardOffice, false)],
    )
    .await
}

/// The delivery office: arrival, out for delivery, a failed attempt (with a reason and what
/// happens next; `return_to_sender` starts the way back), pick-up point, delivery.
#[utoipa::path(post, path = "/api/v1/delivery/events", tag = "delivery",
    request_body = ItemStepRequest,
    responses(
        (status = 201, description = "Recorded", body = ScanDto),
        (status = 422, description = "`refused` (`reason_required`, a lifecycle rule) or `invalid_body`", body = crate::error::ErrorBody),
    ))]
pub async fn delivery_event(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<ItemStepRequest>,
) -> ApiResult<(StatusCode, Json<ScanDto>)> {
    item_step(
        &state,
        &principal,
        OfficeKind::Delivery,
        &request,
        DELIVERY_STEPS,
    )
    .await
}

/// A receptacle scanned on arrival at a transit or inward office.
#[utoipa::path(post, path = "/api/v1/exchange/receptacle-arrivals", tag = "exchange",
    request_body = ReceptacleArrivalRequest,
    responses(
        (status = 201, description = "Received", body = ReceptacleDto),
        (status = 422, description = "`refused`: `invalid_s9`, `own_dispatch`, `other_office`", body = crate::error::ErrorBody),
    ))]
pub async fn receptacle_arrival(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<ReceptacleArrivalRequest>,
) -> ApiResult<(StatusCode, Json<ReceptacleDto>)> {
    let office =
        exchange::office_of_exchange(&state, &principal, request.office.as_deref()).await?;
    let s9 = exchange_inward::parse_s9(&request.s9)?;
    let record = exchange_inward::receive_receptacle(
        &state,
        &principal,
        &office,
        s9,
        request.measured_weight_grams.map(Grams::new),
        request.damaged,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

async fn dispatch_office(
    state: &AppState,
    principal: &Principal,
    id: DispatchRowId,
) -> ApiResult<ExchangeOffice> {
    let record = state
        .store()
        .dispatch(principal.operator, id)
        .await?
        .ok_or_else(|| ApiError::not_found("dispatch"))?;
    exchange::office_of_exchange(state, principal, Some(record.office.as_str())).await
}

/// An item found when an inward receptacle is opened (`EMD`), advised in it or not.
#[utoipa::path(post, path = "/api/v1/exchange/receptacles/{id}/found-items", tag = "exchange",
    params(("id" = i64, Path, description = "Receptacle number")),
    request_body = FoundItemRequest,
    responses(
        (status = 200, description = "The receptacle with the item found", body = ReceptacleDto),
        (status = 422, description = "`refused`: `closed_transit`, `receptacle_not_received`, `invalid_s10`", body = crate::error::ErrorBody),
    ))]
pub async fn found_item(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<ReceptacleRowId>,
    ApiJson(request): ApiJson<FoundItemRequest>,
) -> ApiResult<Json<ReceptacleDto>> {
    let office = receptacle_office(&state, &principal, id).await?;
    let s10: S10Id = exchange::parse_s10(&request.s10)?;
    let record =
        exchange_inward::open_item(&state, &principal, &office, id, &s10, request.damaged).await?;
    Ok(Json(record.into()))
}

/// Verifies an inward dispatch against its pre-advice; the discrepancies are its CN 43, and a
/// RESDES goes to the origin post.
#[utoipa::path(post, path = "/api/v1/exchange/dispatches/{id}/verify", tag = "exchange",
    params(("id" = i64, Path, description = "Dispatch number")),
    responses(
        (status = 200, description = "Verified", body = VerificationDto),
        (status = 422, description = "`refused`: `closed_transit`, `dispatch_not_received`", body = crate::error::ErrorBody),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<DispatchRowId>,
) -> ApiResult<Json<VerificationDto>> {
    let office = dispatch_office(&state, &principal, id).await?;
    let (dispatch, discrepancies) =
        exchange_inward::verify_dispatch(&state, &principal, &office, id).await?;
    Ok(Json(VerificationDto {
        dispatch: dispatch.into(),
        discrepancies: discrepancies
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()
            .map_err(ApiError::internal)?,
    }))
}

/// Sends a closed transit dispatch on (`EMK` for its items, reported to the origin post).
#[utoipa::path(post, path = "/api/v1/exchange/dispatches/{id}/forward", tag = "exchange",
    params(("id" = i64, Path, description = "Dispatch number")),
    responses(
        (status = 200, description = "Sent on; receptacles never received are marked missing", body = DispatchDto),
        (status = 422, description = "`refused`: `not_transit`, `dispatch_not_received`", body = crate::error::ErrorBody),
    ))]
pub async fn forward(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<DispatchRowId>,
) -> ApiResult<Json<DispatchDto>> {
    let office = dispatch_office(&state, &principal, id).await?;
    let dispatch = exchange_inward::forward_dispatch(&state, &principal, &office, id).await?;
    Ok(Json(dispatch.into()))
}
