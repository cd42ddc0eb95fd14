//! `/api/v1/tokens`: API tokens for machines (partner posts, merchants, scanners). The
//! secret is shown once, when issued; the store keeps only its SHA-256.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use barid_core::{CountryCode, Role, SiteCode};
use barid_store::model::{ApiToken, NewApiToken, TokenId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{list_dto, require_own_office, required_text};
use crate::auth::Principal;
use crate::auth::secret::new_api_token;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{ApiJson, PathParam};
use crate::state::AppState;

/// An API token, without its secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenDto {
    pub id: i64,
    pub name: String,
    #[schema(example = "partner")]
    pub role: String,
    /// For office-bound roles: the office the token acts at.
    pub office: Option<String>,
    /// For partner tokens: the partner operator holding it.
    pub partner: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl From<ApiToken> for TokenDto {
    fn from(token: ApiToken) -> Self {
        Self {
            id: token.id.0,
            name: token.name,
            role: token.role.to_string(),
            office: token.office.map(|office| office.to_string()),
            partner: token.partner.map(|partner| partner.to_string()),
            created_at: token.created_at,
            revoked_at: token.revoked_at,
        }
    }
}

list_dto!(
    /// The operator's API tokens, revoked ones included.
    TokenList,
    TokenDto
);

/// A new API token.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueTokenRequest {
    /// What the token is for, e.g. `Palestine Post node`.
    pub name: String,
    #[schema(value_type = String, example = "partner")]
    pub role: Role,
    /// Required for clerk, oe_operator, customs and delivery tokens.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    pub office: Option<SiteCode>,
    /// Required for partner tokens: the partner operator's country code.
    #[schema(value_type = Option<String>, example = "PS")]
    #[serde(default)]
    pub partner: Option<CountryCode>,
}

/// The token just issued, with its secret. The secret is never shown again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedTokenDto {
    pub token: TokenDto,
    /// Send as `Authorization: Bearer <secret>`.
    #[schema(example = "barid_3q2x...")]
    pub secret: String,
}

/// The caller's operator's API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, description = "The tokens", body = TokenList)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<TokenList>> {
    let tokens = state.store().api_tokens(principal.operator).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(TokenDto::from)
            .collect::<Vec<_>>()
            .into(),
    ))
}

/// Issues an API token; the answer holds the secret, once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens",
    request_body = IssueTokenRequest,
    responses((status = 201, description = "Issued", body = IssuedTokenDto)))]
pub async fn issue(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<IssueTokenRequest>,
) -> ApiResult<(StatusCode, Json<IssuedTokenDto>)> {
    let name = required_text("name", &request.name, 100)?;
    match (request.role, request.partner) {
        (Role::Partner, None) => {
            return Err(ApiError::invalid_body(
                "partner",
                "a partner token names its partner operator",
            ));
        }
        (Role::Partner, Some(partner)) if partner == principal.operator => {
            return Err(ApiError::invalid_body(
                "partner",
                "the partner must be another operator",
            ));
        }
        (role, Some(_)) if role != Role::Partner => {
            return Err(ApiError::invalid_body(
                "partner",
                "only partner tokens name a partner",
            ));
        }
        _ => {}
    }
    match &request.office {
        Some(office) => require_own_office(&state, &principal, "office", office).await?,
        None if request.role.works_at_offices() => {
            return Err(ApiError::invalid_body(
                "office",
                format!("a {} token acts at an office: name it", request.role),
            ));
        }
        None => {}
    }
    let (secret, secret_hash) = new_api_token();
    let new = NewApiToken {
        operator: principal.operator,
        name,
        secret_hash,
        role: request.role,
        office: request.office,
        partner: request.partner,
    };
    let token = state
        .store()
        .create_api_token(&principal.actor(state.now()), &new)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedTokenDto {
            token: token.into(),
            secret,
        }),
    ))
}

/// Revokes an API token at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such token for your operator", body = crate::error::ErrorBody),
        (status = 409, description = "Already revoked", body = crate::error::ErrorBody),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<TokenId>,
) -> ApiResult<StatusCode> {
    let token = state
        .store()
        .api_tokens(principal.operator)
        .await?
        .into_iter()
        .find(|token| token.id == id)
        .ok_or_else(|| ApiError::not_found("token"))?;
    if token.revoked_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "the token is already revoked",
        ));
    }
    state
        .store()
        .revoke_api_token(&principal.actor(state.now()), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
