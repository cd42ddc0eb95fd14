//! `/api/v1/exchange/...` for the transit and inward offices (receiving receptacles, opening
//! them, verifying and forwarding dispatches), import customs, and `/api/v1/delivery/events`
//! for the delivery office. Every step goes through [`crate::exchange_inward`] or
//! [`crate::exchange::record_local_event`].

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use barid_core::{Currency, DispatchId, Grams, Milestone, Money, NextAction, ReasonCode, S10Id};
use barid_store::model::{DispatchRowId, Duty, OfficeKind, ReceptacleRowId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::exchange::{DispatchDto, ReceptacleDto, ScanDto, receptacle_office};
use crate::api::items::MoneyDto;
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
    /// On delivery: the duty collected from the addressee, exactly what customs assessed
    /// (`duty_not_collected`, `duty_amount_differs`, `no_duty_due` otherwise).
    pub collected: Option<MoneyInput>,
}

/// An amount as people write it, with its currency: `{"amount": "125.00", "currency": "ILS"}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    #[schema(example = "125.00")]
    pub amount: String,
    #[schema(example = "ILS")]
    pub currency: String,
}

impl MoneyInput {
    /// The money, or `invalid_body` naming `field`.
    pub fn parse(&self, field: &str) -> ApiResult<Money> {
        let currency = Currency::parse(self.currency.trim()).map_err(|error| {
            ApiError::invalid_body(format!("{field}.currency"), error.to_string())
        })?;
        Money::parse_decimal(self.amount.trim(), currency)
            .map_err(|error| ApiError::invalid_body(format!("{field}.amount"), error.to_string()))
    }
}

/// Duty assessed by import customs on an item in its hands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyRequest {
    pub office: Option<String>,
    pub s10: String,
    pub duty: MoneyInput,
    /// How it was worked out, for the delivery office and the addressee.
    pub note: Option<String>,
}

/// The duty on an item: what the delivery office collects before handing it over.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyDto {
    #[schema(example = "RR123456785EG")]
    pub s10: String,
    pub amount: MoneyDto,
    /// The amount as printed: `125.00 ILS`.
    #[schema(example = "125.00 ILS")]
    pub shown: String,
    pub office: String,
    pub note: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub assessed_at: time::OffsetDateTime,
}

impl DutyDto {
    fn new(s10: &S10Id, duty: &Duty) -> Self {
        Self {
            s10: s10.to_string(),
            amount: duty.amount.into(),
            shown: duty.amount.to_string(),
            office: duty.office.to_string(),
            note: duty.note.clone(),
            assessed_at: duty.assessed_at,
        }
    }
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
        collected: request
            .collected
            .as_ref()
            .filter(|money| !money.amount.trim().is_empty())
            .map(|money| money.parse("collected"))
            .transpose()?,
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

/// The dispatch with this S8 ID (the latest of that ID) and the office of exchange handling
/// it, which the caller must work at.
async fn dispatch_office(
    state: &AppState,
    principal: &Principal,
    s8: &DispatchId,
) -> ApiResult<(DispatchRowId, ExchangeOffice)> {
    let record = state
        .store()
        .dispatch_by_s8(principal.operator, s8)
        .await?
        .ok_or_else(|| ApiError::not_found("dispatch"))?;
    let office =
        exchange::office_of_exchange(state, principal, Some(record.office.as_str())).await?;
    Ok((record.id, office))
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
#[utoipa::path(post, path = "/api/v1/exchange/dispatches/{s8}/verify", tag = "exchange",
    params(("s8" = String, Path, description = "The dispatch's S8 ID (20 characters); the latest dispatch with it")),
    responses(
        (status = 200, description = "Verified", body = VerificationDto),
        (status = 400, description = "`invalid_path`: not a valid S8 ID (the message says why)", body = crate::error::ErrorBody),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
        (status = 422, description = "`refused`: `closed_transit`, `dispatch_not_received`", body = crate::error::ErrorBody),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s8): PathParam<DispatchId>,
) -> ApiResult<Json<VerificationDto>> {
    let (id, office) = dispatch_office(&state, &principal, &s8).await?;
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
#[utoipa::path(post, path = "/api/v1/exchange/dispatches/{s8}/forward", tag = "exchange",
    params(("s8" = String, Path, description = "The dispatch's S8 ID (20 characters); the latest dispatch with it")),
    responses(
        (status = 200, description = "Sent on; receptacles never received are marked missing", body = DispatchDto),
        (status = 400, description = "`invalid_path`: not a valid S8 ID (the message says why)", body = crate::error::ErrorBody),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
        (status = 422, description = "`refused`: `not_transit`, `dispatch_not_received`", body = crate::error::ErrorBody),
    ))]
pub async fn forward(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s8): PathParam<DispatchId>,
) -> ApiResult<Json<DispatchDto>> {
    let (id, office) = dispatch_office(&state, &principal, &s8).await?;
    let dispatch = exchange_inward::forward_dispatch(&state, &principal, &office, id).await?;
    Ok(Json(dispatch.into()))
}

/// Import customs assesses duty on an item presented to it or held by it. A new assessment
/// replaces the last; the delivery office collects it before handing the item over.
#[utoipa::path(post, path = "/api/v1/exchange/import-customs/duty", tag = "exchange",
    request_body = DutyRequest,
    responses(
        (status = 201, description = "Assessed", body = DutyDto),
        (status = 422, description = "`refused` (`not_with_customs`, `negative_duty`) or `invalid_body`", body = crate::error::ErrorBody),
    ))]
pub async fn assess_duty(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<DutyRequest>,
) -> ApiResult<(StatusCode, Json<DutyDto>)> {
    let office = exchange::our_office(
        &state,
        &principal,
        request.office.as_deref(),
        OfficeKind::Exchange,
    )
    .await?;
    let s10 = exchange::parse_s10(&request.s10)?;
    let amount = request.duty.parse("duty")?;
    let note = request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|note| !note.is_empty());
    let duty =
        exchange_inward::assess_duty(&state, &principal, &office.code, &s10, amount, note).await?;
    Ok((StatusCode::CREATED, Json(DutyDto::new(&s10, &duty))))
}

/// The duty assessed on an item, for the delivery office: 404 `not_found` when none was.
#[utoipa::path(get, path = "/api/v1/items/{s10}/duty", tag = "delivery",
    params(("s10" = String, Path, description = "S10 item ID")),
    responses(
        (status = 200, description = "The duty to collect", body = DutyDto),
        (status = 404, description = "No duty was assessed on the item, or the item is unknown", body = crate::error::ErrorBody),
    ))]
pub async fn duty(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s10): PathParam<S10Id>,
) -> ApiResult<Json<DutyDto>> {
    let item = state
        .store()
        .item(principal.operator, &s10)
        .await?
        .ok_or_else(|| ApiError::not_found("item"))?;
    let duties = state
        .store()
        .duties_of(principal.operator, &[item.id])
        .await?;
    duties
        .first()
        .map(|duty| Json(DutyDto::new(&s10, duty)))
        .ok_or_else(|| ApiError::not_found("duty"))
}
