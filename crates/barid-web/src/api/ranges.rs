//! `/api/v1/s10-ranges`: blocks of S10 serial numbers the operator issues item IDs from.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use barid_core::s10::S10RangeError;
use barid_core::{S10Range, ServiceIndicator};
use barid_store::model::S10RangeRecord;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::list_dto;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

/// An S10 serial range.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct S10RangeDto {
    pub id: i64,
    #[schema(example = "RR")]
    pub service_indicator: String,
    /// The service the indicator stands for, e.g. `registered`.
    pub service: String,
    #[schema(example = "EG")]
    pub country: String,
    pub first: u32,
    pub last: u32,
    /// The serial the next item takes; `null` once the range is used up.
    pub next_serial: Option<u32>,
    pub remaining: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<S10RangeRecord> for S10RangeDto {
    fn from(record: S10RangeRecord) -> Self {
        let range = record.range;
        Self {
            id: record.id.0,
            service_indicator: range.indicator().to_string(),
            service: range.indicator().service().as_str().to_owned(),
            country: range.country().to_string(),
            first: range.first(),
            last: range.last(),
            next_serial: record.next_serial,
            remaining: range.remaining(record.next_serial),
            created_at: record.created_at,
        }
    }
}

list_dto!(
    /// The operator's S10 ranges.
    S10RangeList,
    S10RangeDto
);

/// A new range for the caller's operator (the issuer country is the operator's).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateS10RangeRequest {
    /// Two letters, e.g. `RR` (registered), `EE` (EMS), `CP` (parcels).
    #[schema(example = "RR")]
    pub service_indicator: String,
    /// First serial (8 digits at most).
    pub first: u32,
    /// Last serial, inclusive.
    pub last: u32,
}

/// The caller's operator's S10 ranges.
#[utoipa::path(get, path = "/api/v1/s10-ranges", tag = "s10-ranges",
    responses((status = 200, description = "The ranges", body = S10RangeList)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<S10RangeList>> {
    let ranges = state.store().s10_ranges(principal.operator).await?;
    Ok(Json(
        ranges
            .into_iter()
            .map(S10RangeDto::from)
            .collect::<Vec<_>>()
            .into(),
    ))
}

/// Adds an S10 range.
#[utoipa::path(post, path = "/api/v1/s10-ranges", tag = "s10-ranges",
    request_body = CreateS10RangeRequest,
    responses(
        (status = 201, description = "Created", body = S10RangeDto),
        (status = 409, description = "Overlaps an existing range", body = crate::error::ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<CreateS10RangeRequest>,
) -> ApiResult<(StatusCode, Json<S10RangeDto>)> {
    let indicator = ServiceIndicator::parse(&request.service_indicator)
        .map_err(|error| ApiError::invalid_body("service_indicator", error.to_string()))?;
    let range = S10Range::new(indicator, principal.operator, request.first, request.last).map_err(
        |error| {
            let field = match &error {
                S10RangeError::SerialTooLarge { serial } if *serial == request.first => "first",
                _ => "last",
            };
            ApiError::invalid_body(field, error.to_string())
        },
    )?;
    let record = state
        .store()
        .create_s10_range(&principal.actor(state.now()), &range)
        .await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}
