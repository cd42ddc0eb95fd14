//! `/api/v1/agreements`: the bilateral agreements between the caller's post and its partners,
//! the one source acceptance and routing read. Administrators write them, supervisors read
//! them; every change is a new version and the old ones stay in the history.

use axum::Json;
use axum::extract::State;
use barid_core::CountryCode;
use barid_core::agreement::{AgreementDraft, AgreementTermsDraft, TermsError};
use barid_store::model::{Agreement, AgreementId, AgreementStatus, NewAgreement};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::list_dto;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorCode, ErrorDetail};
use crate::extract::{ApiJson, PathParam};
use crate::state::AppState;

/// One version of an agreement with a partner post.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgreementDto {
    pub id: i64,
    #[schema(example = "EG")]
    pub operator: String,
    #[schema(example = "PS")]
    pub partner: String,
    /// The memorandum of understanding it implements.
    #[schema(example = "MoU EG-PS 2024/07")]
    pub reference: String,
    /// `draft`, `active`, `suspended` or `ended`.
    #[schema(example = "active")]
    pub status: String,
    /// Goes up by one at each change; send it back to change the agreement.
    pub version: i64,
    /// Dates, services, routes, targets and suspensions: see `docs/agreements.md`.
    #[schema(value_type = Object)]
    pub terms: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<Agreement> for AgreementDto {
    fn from(agreement: Agreement) -> Self {
        Self {
            id: agreement.id.0,
            operator: agreement.operator.to_string(),
            partner: agreement.partner.to_string(),
            reference: agreement.reference,
            status: agreement.status.as_str().to_owned(),
            version: agreement.version,
            terms: agreement.terms,
            updated_at: agreement.updated_at,
        }
    }
}

list_dto!(
    /// Agreements, or the versions of one, oldest first.
    AgreementList,
    AgreementDto
);

/// A new agreement with a partner post.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgreementRequest {
    #[schema(example = "PS")]
    pub partner: String,
    #[schema(example = "MoU EG-PS 2024/07")]
    pub reference: String,
    #[schema(example = "draft")]
    pub status: String,
    #[schema(value_type = Object)]
    pub terms: serde_json::Value,
}

/// New terms or status for an agreement, as the next version.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementChangeRequest {
    /// The version the change was made from: a change made meanwhile by someone else is a
    /// `conflict`, and nothing is written.
    pub version: i64,
    #[schema(example = "suspended")]
    pub status: String,
    #[schema(value_type = Object)]
    pub terms: serde_json::Value,
}

/// The 422 listing every problem of an agreement, each with its path (`terms.targets[0].days`).
fn invalid_terms(errors: Vec<TermsError>) -> ApiError {
    let field = errors
        .first()
        .map(|error| error.field().to_owned())
        .unwrap_or_else(|| "terms".to_owned());
    let message = match errors.as_slice() {
        [one] => one.message().to_owned(),
        many => format!("the agreement has {} problems: see `errors`", many.len()),
    };
    ApiError::new(ErrorCode::InvalidBody, message)
        .with_field(field)
        .with_errors(
            errors
                .iter()
                .map(|error| ErrorDetail {
                    error: error.code().to_owned(),
                    message: error.message().to_owned(),
                    field: error.field().to_owned(),
                    index: None,
                })
                .collect(),
        )
}

/// Checks an agreement as acceptance and routing will read it: its parties, status, terms and
/// services (against the reference data's service catalogue).
fn checked(
    state: &AppState,
    operator: CountryCode,
    partner: &str,
    reference: &str,
    status: &str,
    terms: serde_json::Value,
) -> ApiResult<(AgreementStatus, barid_core::Agreement)> {
    let terms: AgreementTermsDraft = serde_json::from_value(terms)
        .map_err(|error| invalid_terms(vec![TermsError::json(&error).prefixed("terms")]))?;
    let agreement = AgreementDraft {
        operator: operator.to_string(),
        partner: partner.to_owned(),
        reference: reference.to_owned(),
        status: status.to_owned(),
        terms,
    }
    .validate()
    .map_err(invalid_terms)?;
    agreement
        .terms()
        .check_services(state.reference().services())
        .map_err(|errors| {
            invalid_terms(
                errors
                    .into_iter()
                    .map(|error| error.prefixed("terms"))
                    .collect(),
            )
        })?;
    let status = AgreementStatus::parse(agreement.status().as_str())
        .ok_or_else(|| ApiError::internal("an agreement status with no stored form"))?;
    Ok((status, agreement))
}

/// The operator's agreement `id`, at its current version.
pub async fn find(
    state: &AppState,
    operator: CountryCode,
    id: AgreementId,
) -> ApiResult<Agreement> {
    state
        .store()
        .agreements(operator)
        .await?
        .into_iter()
        .find(|agreement| agreement.id == id)
        .ok_or_else(|| ApiError::not_found("agreement"))
}

/// The caller's post's agreements, each at its current version.
#[utoipa::path(get, path = "/api/v1/agreements", tag = "agreements",
    responses(
        (status = 200, description = "The agreements", body = AgreementList),
        (status = 401, description = "`unauthenticated`", body = crate::error::ErrorBody),
        (status = 403, description = "`forbidden`: administrators and supervisors only", body = crate::error::ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<AgreementList>> {
    let agreements = state.store().agreements(principal.operator).await?;
    Ok(Json(
        agreements
            .into_iter()
            .map(AgreementDto::from)
            .collect::<Vec<_>>()
            .into(),
    ))
}

/// Records a new agreement with a partner post, as version 1.
#[utoipa::path(post, path = "/api/v1/agreements", tag = "agreements",
    request_body = NewAgreementRequest,
    responses(
        (status = 201, description = "The agreement", body = AgreementDto),
        (status = 403, description = "`forbidden`: administrators only", body = crate::error::ErrorBody),
        (status = 409, description = "`conflict`: the post already has an agreement with this reference", body = crate::error::ErrorBody),
        (status = 422, description = "`invalid_body`: `errors` lists every problem of the agreement with its path", body = crate::error::ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<NewAgreementRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<AgreementDto>)> {
    let (status, agreement) = checked(
        &state,
        principal.operator,
        &request.partner,
        &request.reference,
        &request.status,
        request.terms,
    )?;
    let created = state
        .store()
        .create_agreement(
            &principal.actor(state.now()),
            &NewAgreement {
                operator: principal.operator,
                partner: agreement.partner(),
                reference: agreement.reference().to_owned(),
                status,
                terms: agreement.terms().to_json_value(),
            },
        )
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(created.into())))
}

/// One agreement at its current version.
#[utoipa::path(get, path = "/api/v1/agreements/{id}", tag = "agreements",
    params(("id" = i64, Path, description = "The agreement's number")),
    responses(
        (status = 200, description = "The agreement", body = AgreementDto),
        (status = 403, description = "`forbidden`: administrators and supervisors only", body = crate::error::ErrorBody),
        (status = 404, description = "`not_found`: no such agreement of the caller's post", body = crate::error::ErrorBody),
    ))]
pub async fn read(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<AgreementId>,
) -> ApiResult<Json<AgreementDto>> {
    Ok(Json(find(&state, principal.operator, id).await?.into()))
}

/// Changes an agreement's status or terms: the next version, the previous ones kept.
#[utoipa::path(put, path = "/api/v1/agreements/{id}", tag = "agreements",
    params(("id" = i64, Path, description = "The agreement's number")),
    request_body = AgreementChangeRequest,
    responses(
        (status = 200, description = "The agreement at its new version", body = AgreementDto),
        (status = 403, description = "`forbidden`: administrators only", body = crate::error::ErrorBody),
        (status = 404, description = "`not_found`: no such agreement of the caller's post", body = crate::error::ErrorBody),
        (status = 409, description = "`conflict`: it changed since `version`; read it again", body = crate::error::ErrorBody),
        (status = 422, description = "`invalid_body`: `errors` lists every problem of the agreement with its path", body = crate::error::ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<AgreementId>,
    ApiJson(request): ApiJson<AgreementChangeRequest>,
) -> ApiResult<Json<AgreementDto>> {
    Ok(Json(change(&state, &principal, id, request).await?.into()))
}

/// Checks a change to an agreement as acceptance will read it and stores it as the next
/// version: for the API and the agreement's page alike.
pub async fn change(
    state: &AppState,
    principal: &Principal,
    id: AgreementId,
    request: AgreementChangeRequest,
) -> ApiResult<Agreement> {
    let current = find(state, principal.operator, id).await?;
    let (status, agreement) = checked(
        state,
        principal.operator,
        current.partner.as_str(),
        &current.reference,
        &request.status,
        request.terms,
    )?;
    Ok(state
        .store()
        .update_agreement(
            &principal.actor(state.now()),
            current.id,
            request.version,
            status,
            &agreement.terms().to_json_value(),
        )
        .await?)
}

/// Every version of an agreement, oldest first: who changed what is in the audit log.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/history", tag = "agreements",
    params(("id" = i64, Path, description = "The agreement's number")),
    responses(
        (status = 200, description = "Its versions, oldest first", body = AgreementList),
        (status = 403, description = "`forbidden`: administrators and supervisors only", body = crate::error::ErrorBody),
        (status = 404, description = "`not_found`: no such agreement of the caller's post", body = crate::error::ErrorBody),
    ))]
pub async fn history(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<AgreementId>,
) -> ApiResult<Json<AgreementList>> {
    let current = find(&state, principal.operator, id).await?;
    let versions = state
        .store()
        .agreement_history(principal.operator, current.id)
        .await?;
    Ok(Json(
        versions
            .into_iter()
            .map(AgreementDto::from)
            .collect::<Vec<_>>()
            .into(),
    ))
}
