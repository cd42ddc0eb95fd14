//! `/api/v1/users`: people who log in, their roles and office assignments, and passwords.

use std::collections::BTreeSet;
use std::fmt;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use barid_core::{Role, SiteCode};
use barid_store::model::{NewUser, User, Username};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{check_person_access, list_dto, required_text};
use crate::auth::Principal;
use crate::auth::password::{self, PasswordError};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, PathParam};
use crate::state::AppState;

/// A user of the caller's operator. Never carries the password hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserDto {
    #[schema(example = "amal.hassan")]
    pub username: String,
    pub display_name: String,
    /// Role names: admin, supervisor, clerk, oe_operator, customs, delivery.
    pub roles: Vec<String>,
    /// Codes of the offices the user works at.
    pub offices: Vec<String>,
    pub active: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<User> for UserDto {
    fn from(user: User) -> Self {
        Self {
            username: user.username.to_string(),
            display_name: user.display_name,
            roles: user.roles.iter().map(|role| role.to_string()).collect(),
            offices: user
                .offices
                .iter()
                .map(|office| office.to_string())
                .collect(),
            active: user.active,
            created_at: user.created_at,
        }
    }
}

list_dto!(
    /// The operator's users.
    UserList,
    UserDto
);

/// A new user of the caller's operator.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// 3 to 32 characters a-z, 0-9, `.`, `_` and `-`; unique on this node.
    #[schema(value_type = String, example = "amal.hassan")]
    pub username: Username,
    pub display_name: String,
    /// At least 12 characters.
    pub password: String,
    /// Role names for people: admin, supervisor, clerk, oe_operator, customs, delivery.
    #[schema(value_type = Vec<String>)]
    pub roles: BTreeSet<Role>,
    /// Office codes; required for clerk, oe_operator, customs and delivery.
    #[schema(value_type = Vec<String>)]
    #[serde(default)]
    pub offices: BTreeSet<SiteCode>,
}

impl fmt::Debug for CreateUserRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateUserRequest")
            .field("username", &self.username)
            .field("roles", &self.roles)
            .field("offices", &self.offices)
            .finish_non_exhaustive()
    }
}

/// Replaces a user's roles and office assignments.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAccessRequest {
    #[schema(value_type = Vec<String>)]
    pub roles: BTreeSet<Role>,
    #[schema(value_type = Vec<String>)]
    pub offices: BTreeSet<SiteCode>,
}

/// A new password for a user.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    /// At least 12 characters.
    pub password: String,
}

impl fmt::Debug for SetPasswordRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetPasswordRequest").finish_non_exhaustive()
    }
}

/// Hashes off the async workers: argon2 is deliberately slow.
async fn hash(password: String) -> ApiResult<String> {
    let hashed = tokio::task::spawn_blocking(move || password::hash_password(&password))
        .await
        .map_err(ApiError::internal)?;
    hashed.map_err(|error| match error {
        PasswordError::Hash(_) => ApiError::internal(error),
        rule => ApiError::invalid_body("password", rule.to_string()),
    })
}

async fn find(state: &AppState, principal: &Principal, username: &Username) -> ApiResult<User> {
    state
        .store()
        .user(principal.operator, username)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))
}

/// The caller's operator's users.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, description = "The users", body = UserList)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<UserList>> {
    let users = state.store().users(principal.operator).await?;
    Ok(Json(
        users
            .into_iter()
            .map(UserDto::from)
            .collect::<Vec<_>>()
            .into(),
    ))
}

/// Adds a user to the caller's operator.
#[utoipa::path(post, path = "/api/v1/users", tag = "users",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created", body = UserDto),
        (status = 409, description = "The username is taken", body = crate::error::ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, Json<UserDto>)> {
    let display_name = required_text("display_name", &request.display_name, 200)?;
    password::check_password_rules(&request.password)
        .map_err(|rule| ApiError::invalid_body("password", rule.to_string()))?;
    check_person_access(&state, &principal, &request.roles, &request.offices).await?;
    let new = NewUser {
        operator: principal.operator,
        username: request.username,
        display_name,
        password_hash: hash(request.password).await?,
        roles: request.roles,
        offices: request.offices,
    };
    let user = state
        .store()
        .create_user(&principal.actor(state.now()), &new)
        .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// One user of the caller's operator.
#[utoipa::path(get, path = "/api/v1/users/{username}", tag = "users",
    params(("username" = String, Path)),
    responses(
        (status = 200, description = "The user", body = UserDto),
        (status = 404, description = "No such user for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(username): PathParam<Username>,
) -> ApiResult<Json<UserDto>> {
    Ok(Json(find(&state, &principal, &username).await?.into()))
}

/// Replaces a user's roles and offices.
#[utoipa::path(put, path = "/api/v1/users/{username}/access", tag = "users",
    params(("username" = String, Path)),
    request_body = SetAccessRequest,
    responses(
        (status = 200, description = "The user with the new access", body = UserDto),
        (status = 404, description = "No such user for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn set_access(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(username): PathParam<Username>,
    ApiJson(request): ApiJson<SetAccessRequest>,
) -> ApiResult<Json<UserDto>> {
    let user = find(&state, &principal, &username).await?;
    check_person_access(&state, &principal, &request.roles, &request.offices).await?;
    let user = state
        .store()
        .set_user_access(
            &principal.actor(state.now()),
            user.id,
            &request.roles,
            &request.offices,
        )
        .await?;
    Ok(Json(user.into()))
}

/// Sets a user's password.
#[utoipa::path(post, path = "/api/v1/users/{username}/password", tag = "users",
    params(("username" = String, Path)),
    request_body = SetPasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 404, description = "No such user for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn set_password(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(username): PathParam<Username>,
    ApiJson(request): ApiJson<SetPasswordRequest>,
) -> ApiResult<StatusCode> {
    let user = find(&state, &principal, &username).await?;
    let password_hash = hash(request.password).await?;
    state
        .store()
        .set_password(&principal.actor(state.now()), user.id, &password_hash)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
