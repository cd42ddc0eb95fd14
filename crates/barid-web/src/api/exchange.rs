//! `/api/v1/exchange/...`: the outward office of exchange over JSON: arrival scans, export
//! customs, receptacles and dispatches. Every step goes through [`crate::exchange`], which the
//! HTML screens use too.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use barid_core::{
    DispatchId, DispatchSeries, Grams, MailCategory, MailSubclass, OfficeCode, ReasonCode,
};
use barid_store::model::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::exchange::{self, EventDetails, ExchangeOffice, ExportCustomsStep, Recorded};
use crate::extract::{ApiJson, ApiQuery, PathPair, PathParam};
use crate::state::AppState;

// --- DTOs ----------------------------------------------------------------------------------

/// An item event recorded by a scan or a decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScanDto {
    #[schema(example = "RR000000015EG")]
    pub s10: String,
    /// The item's status after the event, e.g. `at_outward_office`.
    pub status: String,
    /// The event code, e.g. `EMB`.
    pub event: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub office: String,
    /// True when the item had been scanned here already: nothing new was recorded.
    pub repeated: bool,
}

impl From<Recorded> for ScanDto {
    fn from(recorded: Recorded) -> Self {
        Self {
            s10: recorded.item.s10.to_string(),
            status: recorded.item.status.as_str().to_owned(),
            event: recorded.event.event.code.as_str().to_owned(),
            at: recorded.event.event.at,
            office: recorded.event.event.office.to_string(),
            repeated: recorded.repeated,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceptacleItemDto {
    pub s10: String,
    /// Our copy's status, when we hold the item.
    pub status: Option<String>,
    pub weight_grams: Option<u32>,
    pub advised: bool,
    pub scanned: bool,
    pub damaged: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceptacleDto {
    pub id: i64,
    pub office: String,
    #[schema(example = "EGCAIA")]
    pub origin: String,
    #[schema(example = "PSRMHA")]
    pub destination: String,
    #[schema(example = "A")]
    pub category: String,
    #[schema(example = "UR")]
    pub subclass: String,
    /// `open`, `closed`, `dispatched` (outward); `advised`, `received`, `opened`, `missing`.
    pub status: String,
    /// The 29-character S9 ID, once its dispatch closed.
    pub s9: Option<String>,
    /// The S8 ID of its dispatch, the dispatch's address (`/api/v1/exchange/dispatches/{s8}`),
    /// once it has an S9.
    #[schema(example = "EGCAIAPSRMHAAUR60001")]
    pub dispatch_s8: Option<String>,
    /// The dispatch's row number on this node: informative; routes take the S8.
    pub dispatch_id: Option<i64>,
    pub gross_weight_grams: Option<u32>,
    /// Whether it holds a registered or insured item (red CN 35 label).
    pub registered: bool,
    pub version: i64,
    pub items: Vec<ReceptacleItemDto>,
}

impl From<ReceptacleRecord> for ReceptacleDto {
    fn from(record: ReceptacleRecord) -> Self {
        let registered = record.s9.map(|s9| s9.registered).unwrap_or_else(|| {
            record.items.iter().any(|item| {
                item.item.as_ref().is_some_and(|copy| {
                    matches!(
                        copy.service,
                        barid_core::s10::S10Service::Registered
                            | barid_core::s10::S10Service::Insured
                    )
                })
            })
        });
        Self {
            id: record.id.0,
            office: record.office.to_string(),
            origin: record.series.origin.to_string(),
            destination: record.series.destination.to_string(),
            category: record.series.category.letter().to_string(),
            subclass: record.series.subclass.as_str().to_owned(),
            status: record.status.as_str().to_owned(),
            s9: record.s9.map(|s9| s9.to_string()),
            dispatch_s8: record.s9.map(|s9| s9.dispatch.to_string()),
            dispatch_id: record.dispatch.map(|dispatch| dispatch.0),
            gross_weight_grams: record.gross_weight.map(|grams| grams.get()),
            registered,
            version: record.version,
            items: record
                .items
                .into_iter()
                .map(|item| ReceptacleItemDto {
                    s10: item.s10.to_string(),
                    status: item
                        .item
                        .as_ref()
                        .map(|copy| copy.status.as_str().to_owned()),
                    weight_grams: item.item.as_ref().map(|copy| copy.weight.get()),
                    advised: item.advised,
                    scanned: item.scanned,
                    damaged: item.damaged,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DispatchDto {
    /// The row number on this node: informative; routes take the S8.
    pub id: i64,
    /// The dispatch's address: `/api/v1/exchange/dispatches/{s8}`.
    #[schema(example = "EGCAIAPSRMHAAUR60001")]
    pub s8: String,
    pub year: i32,
    /// `outward`, `transit` or `inward`.
    pub direction: String,
    pub office: String,
    /// The closed-transit office, if the dispatch goes through one.
    pub transit_office: Option<String>,
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub closed_at: OffsetDateTime,
    pub receptacle_count: usize,
    pub item_count: usize,
    pub total_weight_grams: u64,
    pub receptacles: Vec<ReceptacleDto>,
    /// On an outward dispatch, the destination's response on receipt (RESDES) once it came
    /// back: what arrived, and the discrepancies against our pre-advice.
    pub partner_response: Option<PartnerResponseDto>,
}

/// What the destination post reported on receipt of one of our dispatches (RESDES).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PartnerResponseDto {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
    /// The inward office of exchange (IMPC code).
    #[schema(example = "PSRMHA")]
    pub office: String,
    pub receptacles: Vec<ReceivedReceptacleDto>,
    /// As on the verification note (CN 43); empty when everything arrived as advised.
    /// Each has a `code` (`missing_receptacle`, `extra_receptacle`, `label_differs`,
    /// `weight_difference`, `damaged_receptacle`, `missing_item`, `extra_item`,
    /// `item_in_other_receptacle`, `damaged_item`) and the IDs and weights it concerns.
    #[schema(value_type = Vec<Object>)]
    pub discrepancies: Vec<serde_json::Value>,
}

/// One receptacle as the destination received it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceivedReceptacleDto {
    #[schema(example = "EGCAIAPSRMHAAUR60001001100012")]
    pub s9: String,
    pub measured_weight_grams: u32,
    /// `sound` or `damaged`.
    pub condition: String,
}

impl From<&barid_messages::Resdes> for PartnerResponseDto {
    fn from(resdes: &barid_messages::Resdes) -> Self {
        Self {
            received_at: resdes.received_at(),
            office: resdes.office().to_string(),
            receptacles: resdes
                .receptacles()
                .iter()
                .map(|receptacle| ReceivedReceptacleDto {
                    s9: receptacle.id.to_string(),
                    measured_weight_grams: receptacle.measured_weight.get(),
                    condition: receptacle.condition.as_str().to_owned(),
                })
                .collect(),
            discrepancies: resdes
                .discrepancies()
                .iter()
                .filter_map(|discrepancy| serde_json::to_value(discrepancy).ok())
                .collect(),
        }
    }
}

impl From<DispatchRecord> for DispatchDto {
    fn from(record: DispatchRecord) -> Self {
        let partner_response = crate::exchange_messages::partner_response(&record)
            .as_ref()
            .map(PartnerResponseDto::from);
        Self {
            partner_response,
            id: record.id.0,
            s8: record.s8.to_string(),
            year: record.year,
            direction: record.direction.as_str().to_owned(),
            office: record.office.to_string(),
            transit_office: record.transit_office.map(|office| office.to_string()),
            status: record.status.as_str().to_owned(),
            closed_at: record.closed_at,
            receptacle_count: record.receptacles.len(),
            item_count: record
                .receptacles
                .iter()
                .map(|receptacle| receptacle.items.len())
                .sum(),
            total_weight_grams: record
                .receptacles
                .iter()
                .filter_map(|receptacle| receptacle.gross_weight)
                .map(|grams| u64::from(grams.get()))
                .sum(),
            receptacles: record.receptacles.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DispatchSummaryDto {
    /// The row number on this node: informative; routes take the S8.
    pub id: i64,
    pub s8: String,
    pub direction: String,
    pub office: String,
    pub transit_office: Option<String>,
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub closed_at: OffsetDateTime,
    pub receptacle_count: u32,
    pub item_count: u32,
    pub total_weight_grams: u64,
}

impl From<DispatchSummary> for DispatchSummaryDto {
    fn from(summary: DispatchSummary) -> Self {
        Self {
            id: summary.id.0,
            s8: summary.s8.to_string(),
            direction: summary.direction.as_str().to_owned(),
            office: summary.office.to_string(),
            transit_office: summary.transit_office.map(|office| office.to_string()),
            status: summary.status.as_str().to_owned(),
            closed_at: summary.closed_at,
            receptacle_count: summary.receptacle_count,
            item_count: summary.item_count,
            total_weight_grams: summary.total_weight,
        }
    }
}

// --- requests -------------------------------------------------------------------------------

/// One scanned item at an office of exchange.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    /// The office of exchange; may be left out by someone working at one office only.
    pub office: Option<String>,
    #[schema(example = "RR000000015EG")]
    pub s10: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportCustomsRequest {
    pub office: Option<String>,
    pub s10: String,
    /// `present` (EXA), `hold` (EXB, needs `reason`) or `return` (EXC).
    #[schema(example = "hold")]
    pub step: String,
    /// A code of the reason table.
    pub reason: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesRequest {
    pub office: Option<String>,
    /// The destination office of exchange (IMPC), e.g. `PSRMHA`.
    pub destination: String,
    /// Mail category: `A` airmail, `B` S.A.L., `C` surface, `D` priority surface.
    pub category: String,
    /// Mail subclass, e.g. `UR` (letter post, registered), `CN` (parcels), `EN` (EMS).
    pub subclass: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BagRequest {
    pub s10: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseReceptacleRequest {
    /// The receptacle weighed with its contents, in grams (at least 50 g, at most 999.9 kg).
    pub gross_weight_grams: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    /// Why it is reopened; kept in the audit log.
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OfficeQuery {
    /// The office of exchange; may be left out by someone working at one office only.
    pub office: Option<String>,
    /// Receptacles: `open`, `closed`, `dispatched`...; dispatches: `closed`, `expected`...
    pub status: Option<String>,
}

// --- helpers --------------------------------------------------------------------------------

pub(crate) fn parse_series(
    office: &ExchangeOffice,
    request: &SeriesRequest,
) -> ApiResult<(OfficeCode, MailCategory, MailSubclass)> {
    let destination = OfficeCode::parse(request.destination.trim())
        .map_err(|error| ApiError::invalid_body("destination", error.to_string()))?;
    let category = MailCategory::parse(request.category.trim())
        .map_err(|error| ApiError::invalid_body("category", error.to_string()))?;
    let subclass = MailSubclass::parse(request.subclass.trim())
        .map_err(|error| ApiError::invalid_body("subclass", error.to_string()))?;
    if destination == office.impc {
        return Err(ApiError::invalid_body(
            "destination",
            "the destination is this office itself",
        ));
    }
    Ok((destination, category, subclass))
}

fn details(reason: Option<&str>, note: Option<&str>) -> ApiResult<EventDetails> {
    let reason = reason
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(|text| {
            ReasonCode::parse(text)
                .map_err(|error| ApiError::invalid_body("reason", error.to_string()))
        })
        .transpose()?;
    Ok(EventDetails {
        reason,
        next_action: None,
        signatory: None,
        collected: None,
        note: note
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned),
    })
}

/// The office of exchange of the receptacle with this number, which the principal must work at.
pub(crate) async fn receptacle_office(
    state: &AppState,
    principal: &Principal,
    id: ReceptacleRowId,
) -> ApiResult<ExchangeOffice> {
    let record = state
        .store()
        .receptacle(principal.operator, id)
        .await?
        .ok_or_else(|| ApiError::not_found("receptacle"))?;
    exchange::office_of_exchange(state, principal, Some(record.office.as_str())).await
}

// --- handlers -------------------------------------------------------------------------------

/// Scans an item's arrival at the outward office of exchange (`EMB`). A second scan of the
/// same item answers `repeated: true` and records nothing.
#[utoipa::path(post, path = "/api/v1/exchange/arrivals", tag = "exchange",
    request_body = ScanRequest,
    responses(
        (status = 201, description = "Arrival recorded (or already recorded)", body = ScanDto),
        (status = 422, description = "`refused`: `errors[0].error` is `unknown_item`, `already_bagged`, `not_outward`, or a lifecycle rule", body = crate::error::ErrorBody),
    ))]
pub async fn arrival(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<ScanRequest>,
) -> ApiResult<(StatusCode, Json<ScanDto>)> {
    let office =
        exchange::office_of_exchange(&state, &principal, request.office.as_deref()).await?;
    let s10 = exchange::parse_s10(&request.s10)?;
    let recorded = exchange::scan_arrival(&state, &principal, &office, &s10).await?;
    Ok((StatusCode::CREATED, Json(recorded.into())))
}

/// Export customs at the outward office: presented (`EXA`), held (`EXB`), returned (`EXC`).
#[utoipa::path(post, path = "/api/v1/exchange/export-customs", tag = "exchange",
    request_body = ExportCustomsRequest,
    responses(
        (status = 201, description = "Recorded", body = ScanDto),
        (status = 422, description = "`refused` (`reason_required`, `unknown_reason`, a lifecycle rule) or `invalid_body`", body = crate::error::ErrorBody),
    ))]
pub async fn export_customs(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<ExportCustomsRequest>,
) -> ApiResult<(StatusCode, Json<ScanDto>)> {
    let office =
        exchange::office_of_exchange(&state, &principal, request.office.as_deref()).await?;
    let s10 = exchange::parse_s10(&request.s10)?;
    let step = ExportCustomsStep::parse(request.step.trim()).ok_or_else(|| {
        ApiError::invalid_body("step", "the step is `present`, `hold` or `return`")
    })?;
    let details = details(request.reason.as_deref(), request.note.as_deref())?;
    let recorded =
        exchange::export_customs(&state, &principal, &office, &s10, step, details).await?;
    Ok((StatusCode::CREATED, Json(recorded.into())))
}

/// The receptacles of an office of exchange, oldest first (by default those being built).
#[utoipa::path(get, path = "/api/v1/exchange/receptacles", tag = "exchange",
    params(OfficeQuery),
    responses((status = 200, description = "Receptacles with their items", body = [ReceptacleDto])))]
pub async fn receptacles(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<OfficeQuery>,
) -> ApiResult<Json<Vec<ReceptacleDto>>> {
    let office = exchange::office_of_exchange(&state, &principal, query.office.as_deref()).await?;
    let statuses = match query.status.as_deref() {
        None => vec![ReceptacleStatus::Open, ReceptacleStatus::Closed],
        Some(text) => vec![ReceptacleStatus::parse(text.trim()).ok_or_else(|| {
            ApiError::new(
                crate::error::ErrorCode::InvalidQuery,
                format!("{text:?} is not a receptacle status"),
            )
            .with_field("status")
        })?],
    };
    let records = state
        .store()
        .receptacles(
            principal.operator,
            &ReceptacleQuery {
                office: Some(office.site().clone()),
                statuses,
                dispatch: None,
            },
        )
        .await?;
    Ok(Json(records.into_iter().map(Into::into).collect()))
}

/// Opens a receptacle for a destination office of exchange, category and subclass; the
/// agreement with the destination must route that class from this office.
#[utoipa::path(post, path = "/api/v1/exchange/receptacles", tag = "exchange",
    request_body = SeriesRequest,
    responses(
        (status = 201, description = "Opened", body = ReceptacleDto),
        (status = 422, description = "`refused` (`no_route`, `subclass_not_of_class`) or `invalid_body`", body = crate::error::ErrorBody),
    ))]
pub async fn open_receptacle(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<SeriesRequest>,
) -> ApiResult<(StatusCode, Json<ReceptacleDto>)> {
    let office =
        exchange::office_of_exchange(&state, &principal, request.office.as_deref()).await?;
    let (destination, category, subclass) = parse_series(&office, &request)?;
    let record = exchange::open_receptacle(
        &state,
        &principal,
        &office,
        &exchange::ReceptacleChoice {
            destination,
            category,
            subclass,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

#[utoipa::path(get, path = "/api/v1/exchange/receptacles/{id}", tag = "exchange",
    params(("id" = i64, Path, description = "Receptacle number")),
    responses(
        (status = 200, description = "The receptacle", body = ReceptacleDto),
        (status = 404, description = "No such receptacle for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn receptacle(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<ReceptacleRowId>,
) -> ApiResult<Json<ReceptacleDto>> {
    let office = receptacle_office(&state, &principal, id).await?;
    let record = exchange::outward_receptacle(&state, &principal, &office, id).await?;
    Ok(Json(record.into()))
}

/// Scans an item into an open receptacle.
#[utoipa::path(post, path = "/api/v1/exchange/receptacles/{id}/items", tag = "exchange",
    params(("id" = i64, Path, description = "Receptacle number")),
    request_body = BagRequest,
    responses(
        (status = 200, description = "The receptacle with the item", body = ReceptacleDto),
        (status = 409, description = "`conflict`: the receptacle changed meanwhile", body = crate::error::ErrorBody),
        (status = 422, description = "`refused`: `wrong_destination`, `wrong_mail_class`, `wrong_category`, `item_held`, `already_bagged`, `not_at_office`, `unknown_item`, `receptacle_not_open`", body = crate::error::ErrorBody),
    ))]
pub async fn bag(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<ReceptacleRowId>,
    ApiJson(request): ApiJson<BagRequest>,
) -> ApiResult<Json<ReceptacleDto>> {
    let office = receptacle_office(&state, &principal, id).await?;
    let s10 = exchange::parse_s10(&request.s10)?;
    let record = exchange::bag_item(&state, &principal, &office, id, &s10).await?;
    Ok(Json(record.into()))
}

/// Takes an item out of an open receptacle.
#[utoipa::path(delete, path = "/api/v1/exchange/receptacles/{id}/items/{s10}", tag = "exchange",
    params(("id" = i64, Path, description = "Receptacle number"), ("s10" = String, Path, description = "S10 item ID")),
    responses(
        (status = 200, description = "The receptacle without the item", body = ReceptacleDto),
        (status = 404, description = "The item is not in the receptacle", body = crate::error::ErrorBody),
    ))]
pub async fn unbag(
    State(state): State<AppState>,
    principal: Principal,
    PathPair(id, s10): PathPair<ReceptacleRowId, barid_core::S10Id>,
) -> ApiResult<Json<ReceptacleDto>> {
    let office = receptacle_office(&state, &principal, id).await?;
    let record = exchange::unbag_item(&state, &principal, &office, id, &s10).await?;
    Ok(Json(record.into()))
}

/// Closes a receptacle with its gross weight.
#[utoipa::path(post, path = "/api/v1/exchange/receptacles/{id}/close", tag = "exchange",
    params(("id" = i64, Path, description = "Receptacle number")),
    request_body = CloseReceptacleRequest,
    responses(
        (status = 200, description = "Closed", body = ReceptacleDto),
        (status = 422, description = "`refused`: `weight_zero`, `too_heavy`, `lighter_than_contents`, `receptacle_not_open`", body = crate::error::ErrorBody),
    ))]
pub async fn close_receptacle(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<ReceptacleRowId>,
    ApiJson(request): ApiJson<CloseReceptacleRequest>,
) -> ApiResult<Json<ReceptacleDto>> {
    let office = receptacle_office(&state, &principal, id).await?;
    let record = crate::exchange_messages::close_receptacle(
        &state,
        &principal,
        &office,
        id,
        Grams::new(request.gross_weight_grams),
    )
    .await?;
    Ok(Json(record.into()))
}

/// Reopens a closed receptacle whose dispatch has not closed; the reason is audited.
#[utoipa::path(post, path = "/api/v1/exchange/receptacles/{id}/reopen", tag = "exchange",
    params(("id" = i64, Path, description = "Receptacle number")),
    request_body = ReopenRequest,
    responses(
        (status = 200, description = "Open again", body = ReceptacleDto),
        (status = 422, description = "`refused`: `dispatch_closed`; `invalid_body` without a reason", body = crate::error::ErrorBody),
    ))]
pub async fn reopen_receptacle(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<ReceptacleRowId>,
    ApiJson(request): ApiJson<ReopenRequest>,
) -> ApiResult<Json<ReceptacleDto>> {
    let office = receptacle_office(&state, &principal, id).await?;
    let record =
        exchange::reopen_receptacle(&state, &principal, &office, id, &request.reason).await?;
    Ok(Json(record.into()))
}

/// Closes the dispatch of a series with every closed receptacle of the series at the office:
/// numbers it, gives each receptacle its S9 ID, records `EMC` for every item and writes the
/// pre-advice (PREDES, and ITMATT for the items' customs data) to the outbox, all at once.
#[utoipa::path(post, path = "/api/v1/exchange/dispatches", tag = "exchange",
    request_body = SeriesRequest,
    responses(
        (status = 201, description = "Closed", body = DispatchDto),
        (status = 422, description = "`refused`: `empty_dispatch`, `open_receptacle`, `no_route`, a lifecycle rule of an item (e.g. held)", body = crate::error::ErrorBody),
    ))]
pub async fn close_dispatch(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<SeriesRequest>,
) -> ApiResult<(StatusCode, Json<DispatchDto>)> {
    let office =
        exchange::office_of_exchange(&state, &principal, request.office.as_deref()).await?;
    let (destination, category, subclass) = parse_series(&office, &request)?;
    let series = DispatchSeries {
        origin: office.impc,
        destination,
        category,
        subclass,
    };
    let record =
        crate::exchange_messages::close_dispatch(&state, &principal, &office, series).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// The dispatches of an office, newest first.
#[utoipa::path(get, path = "/api/v1/exchange/dispatches", tag = "exchange",
    params(OfficeQuery),
    responses((status = 200, description = "Dispatches", body = [DispatchSummaryDto])))]
pub async fn dispatches(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<OfficeQuery>,
) -> ApiResult<Json<Vec<DispatchSummaryDto>>> {
    let office = exchange::office_of_exchange(&state, &principal, query.office.as_deref()).await?;
    let statuses = match query.status.as_deref() {
        None => Vec::new(),
        Some(text) => vec![DispatchStatus::parse(text.trim()).ok_or_else(|| {
            ApiError::new(
                crate::error::ErrorCode::InvalidQuery,
                format!("{text:?} is not a dispatch status"),
            )
            .with_field("status")
        })?],
    };
    let list = state
        .store()
        .dispatches(
            principal.operator,
            &DispatchQuery {
                office: Some(office.site().clone()),
                direction: None,
                statuses,
            },
            200,
        )
        .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// The dispatch of the caller's operator with this S8 ID (the latest of that ID), at an office
/// the caller works at.
pub(crate) async fn visible_dispatch(
    state: &AppState,
    principal: &Principal,
    s8: &DispatchId,
) -> ApiResult<DispatchRecord> {
    let record = state
        .store()
        .dispatch_by_s8(principal.operator, s8)
        .await?
        .ok_or_else(|| ApiError::not_found("dispatch"))?;
    principal.require_office(&record.office)?;
    Ok(record)
}

#[utoipa::path(get, path = "/api/v1/exchange/dispatches/{s8}", tag = "exchange",
    params(("s8" = String, Path, description = "The dispatch's S8 ID (20 characters); the latest dispatch with it")),
    responses(
        (status = 200, description = "The dispatch with its receptacles and items", body = DispatchDto),
        (status = 400, description = "`invalid_path`: not a valid S8 ID (the message says why)", body = crate::error::ErrorBody),
        (status = 404, description = "No such dispatch for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn dispatch(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s8): PathParam<DispatchId>,
) -> ApiResult<Json<DispatchDto>> {
    Ok(Json(
        visible_dispatch(&state, &principal, &s8).await?.into(),
    ))
}
