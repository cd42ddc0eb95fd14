//! `/api/v1/offices`: the operator's offices (counters, offices of exchange, delivery
//! offices, head office).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use barid_core::{OfficeCode, SiteCode};
use barid_store::model::{NewOffice, Office, OfficeKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{list_dto, required_text};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, PathParam};
use crate::state::AppState;

/// What an office does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfficeKindDto {
    Counter,
    Exchange,
    Delivery,
    Headquarters,
}

impl From<OfficeKind> for OfficeKindDto {
    fn from(kind: OfficeKind) -> Self {
        match kind {
            OfficeKind::Counter => Self::Counter,
            OfficeKind::Exchange => Self::Exchange,
            OfficeKind::Delivery => Self::Delivery,
            OfficeKind::Headquarters => Self::Headquarters,
        }
    }
}

impl From<OfficeKindDto> for OfficeKind {
    fn from(kind: OfficeKindDto) -> Self {
        match kind {
            OfficeKindDto::Counter => Self::Counter,
            OfficeKindDto::Exchange => Self::Exchange,
            OfficeKindDto::Delivery => Self::Delivery,
            OfficeKindDto::Headquarters => Self::Headquarters,
        }
    }
}

/// An office.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfficeDto {
    /// The office's code; for an office of exchange, its IMPC code.
    #[schema(example = "EGCAIA")]
    pub code: String,
    pub impc: Option<String>,
    pub kind: OfficeKindDto,
    pub name_en: String,
    pub name_ar: String,
    pub city_en: String,
    pub city_ar: String,
    /// IANA time zone, e.g. `Africa/Cairo`.
    pub timezone: String,
}

impl From<Office> for OfficeDto {
    fn from(office: Office) -> Self {
        Self {
            code: office.code.to_string(),
            impc: office.impc.map(|impc| impc.to_string()),
            kind: office.kind.into(),
            name_en: office.name_en,
            name_ar: office.name_ar,
            city_en: office.city_en,
            city_ar: office.city_ar,
            timezone: office.timezone,
        }
    }
}

list_dto!(
    /// The operator's offices.
    OfficeList,
    OfficeDto
);

/// A new office of the caller's operator.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOfficeRequest {
    /// 2 to 16 characters A-Z, 0-9 and `-`; for an office of exchange, its IMPC code.
    #[schema(value_type = String, example = "EG-CAI-01")]
    pub code: SiteCode,
    /// The IMPC code (six characters); required for an office of exchange.
    #[schema(value_type = Option<String>, example = "EGCAIA")]
    #[serde(default)]
    pub impc: Option<OfficeCode>,
    pub kind: OfficeKindDto,
    pub name_en: String,
    pub name_ar: String,
    pub city_en: String,
    pub city_ar: String,
    #[schema(example = "Africa/Cairo")]
    pub timezone: String,
}

impl CreateOfficeRequest {
    fn into_new_office(self, principal: &Principal) -> ApiResult<NewOffice> {
        if let Some(impc) = &self.impc
            && impc.country() != principal.operator
        {
            return Err(ApiError::invalid_body(
                "impc",
                format!("{impc} belongs to {}, not to your operator", impc.country()),
            ));
        }
        if self.kind == OfficeKindDto::Exchange {
            match &self.impc {
                None => {
                    return Err(ApiError::invalid_body(
                        "impc",
                        "an office of exchange needs its IMPC code",
                    ));
                }
                Some(impc) if SiteCode::from(*impc) != self.code => {
                    return Err(ApiError::invalid_body(
                        "code",
                        format!("an office of exchange's code is its IMPC code, {impc}"),
                    ));
                }
                Some(_) => {}
            }
        }
        let timezone = required_text("timezone", &self.timezone, 64)?;
        if !(timezone == "UTC" || timezone.contains('/')) || timezone.contains(char::is_whitespace)
        {
            return Err(ApiError::invalid_body(
                "timezone",
                "give an IANA time zone such as Africa/Cairo",
            ));
        }
        Ok(NewOffice {
            operator: principal.operator,
            code: self.code,
            impc: self.impc,
            kind: self.kind.into(),
            name_en: required_text("name_en", &self.name_en, 200)?,
            name_ar: required_text("name_ar", &self.name_ar, 200)?,
            city_en: required_text("city_en", &self.city_en, 200)?,
            city_ar: required_text("city_ar", &self.city_ar, 200)?,
            timezone,
        })
    }
}

/// The caller's operator's offices.
#[utoipa::path(get, path = "/api/v1/offices", tag = "offices",
    responses((status = 200, description = "The offices", body = OfficeList)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<OfficeList>> {
    let offices = state.store().offices(principal.operator).await?;
    Ok(Json(
        offices
            .into_iter()
            .map(OfficeDto::from)
            .collect::<Vec<_>>()
            .into(),
    ))
}

/// Adds an office to the caller's operator.
#[utoipa::path(post, path = "/api/v1/offices", tag = "offices",
    request_body = CreateOfficeRequest,
    responses(
        (status = 201, description = "Created", body = OfficeDto),
        (status = 409, description = "The code is taken", body = crate::error::ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<CreateOfficeRequest>,
) -> ApiResult<(StatusCode, Json<OfficeDto>)> {
    let new = request.into_new_office(&principal)?;
    let office = state
        .store()
        .create_office(&principal.actor(state.now()), &new)
        .await?;
    // Public tracking names offices from a cache: let it see the new one at once.
    state.offices_changed();
    Ok((StatusCode::CREATED, Json(office.into())))
}

/// One office of the caller's operator.
#[utoipa::path(get, path = "/api/v1/offices/{code}", tag = "offices",
    params(("code" = String, Path, description = "Office code")),
    responses(
        (status = 200, description = "The office", body = OfficeDto),
        (status = 404, description = "No such office for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(code): PathParam<SiteCode>,
) -> ApiResult<Json<OfficeDto>> {
    let office = state
        .store()
        .office(principal.operator, &code)
        .await?
        .ok_or_else(|| ApiError::not_found("office"))?;
    Ok(Json(office.into()))
}
