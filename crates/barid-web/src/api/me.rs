//! `GET /api/v1/me`: who the caller is, as the server sees it.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Credentials, Principal};

/// The authenticated caller.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeDto {
    /// The operator (ISO 3166-1 country code) the caller acts for.
    #[schema(example = "EG")]
    pub operator: String,
    /// A username, or an API token's name.
    pub name: String,
    /// `user` (a session) or `token` (an API token).
    #[schema(example = "user")]
    pub kind: String,
    /// Role names, e.g. `admin`, `clerk`.
    pub roles: Vec<String>,
    /// Codes of the offices the caller is assigned to.
    pub offices: Vec<String>,
    /// The session's CSRF token, to send as `X-CSRF-Token` on state changes; absent for API
    /// tokens, which need none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

impl From<&Principal> for MeDto {
    fn from(principal: &Principal) -> Self {
        let kind = match principal.credentials {
            Credentials::Session { .. } => "user",
            Credentials::Token { .. } => "token",
            Credentials::System => "system",
        };
        Self {
            operator: principal.operator.to_string(),
            name: principal.name.clone(),
            kind: kind.to_owned(),
            roles: principal
                .roles
                .iter()
                .map(|role| role.to_string())
                .collect(),
            offices: principal
                .offices
                .iter()
                .map(|office| office.to_string())
                .collect(),
            csrf_token: principal.csrf_token().map(str::to_owned),
        }
    }
}

/// Who am I?
#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    responses((status = 200, description = "The caller", body = MeDto)))]
pub async fn me(principal: Principal) -> Json<MeDto> {
    Json(MeDto::from(&principal))
}
