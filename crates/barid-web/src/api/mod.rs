//! The JSON API under `/api/v1`, and the operational endpoints (health, readiness, metrics,
//! the OpenAPI document and its reference page).
//!
//! What belongs here: thin handlers (extract, call the store, map to a DTO) grouped by
//! resource, and the DTOs each resource speaks, converted from store records with explicit
//! `From`. What does not: authorisation (the route table's policy does it before any handler
//! runs) and postal rules (barid-core).

pub mod acceptance;
pub mod agreements;
pub mod audit;
pub mod exchange;
pub mod exchange_documents;
pub mod inward;
pub mod items;
pub mod me;
pub mod meta;
pub mod offices;
pub mod partner;
pub mod partners;
pub mod quality;
pub mod ranges;
pub mod tokens;
pub mod tracking;
pub mod users;

use std::collections::BTreeSet;

use barid_core::{Role, SiteCode};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Declares a list DTO `{"items": [...], "next_cursor": null}` for one item DTO, following the
/// API's list convention even where the list is not paginated yet.
macro_rules! list_dto {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Pass back as `cursor` for the next page; `null` on the last page.
            pub next_cursor: Option<String>,
        }

        impl From<Vec<$item>> for $name {
            fn from(items: Vec<$item>) -> Self {
                Self { items, next_cursor: None }
            }
        }
    };
}
pub(crate) use list_dto;

/// `{"status": "ok"}` and similar acknowledgements.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusDto {
    #[schema(example = "ok")]
    pub status: String,
}

/// A text field that must not be blank, trimmed, at most `max` characters.
pub(crate) fn required_text(field: &str, value: &str, max: usize) -> ApiResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::invalid_body(
            field,
            format!("{field} must not be blank"),
        ));
    }
    if value.chars().count() > max {
        return Err(ApiError::invalid_body(
            field,
            format!("{field} may have at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// Checks the roles and offices to be given to a person: no machine roles, an office for
/// every office-bound role, and only offices of the principal's operator.
pub(crate) async fn check_person_access(
    state: &AppState,
    principal: &Principal,
    roles: &BTreeSet<Role>,
    offices: &BTreeSet<SiteCode>,
) -> ApiResult<()> {
    if let Some(machine) = roles.iter().find(|role| role.is_machine()) {
        return Err(ApiError::invalid_body(
            "roles",
            format!("{machine} is a role for API tokens, not for people"),
        ));
    }
    if offices.is_empty()
        && let Some(role) = roles.iter().find(|role| role.works_at_offices())
    {
        return Err(ApiError::invalid_body(
            "offices",
            format!("the {role} role works at offices: assign at least one"),
        ));
    }
    for office in offices {
        require_own_office(state, principal, "offices", office).await?;
    }
    Ok(())
}

/// A 422 naming `field` unless `office` is one of the principal's operator's offices.
pub(crate) async fn require_own_office(
    state: &AppState,
    principal: &Principal,
    field: &str,
    office: &SiteCode,
) -> ApiResult<()> {
    match state.store().office(principal.operator, office).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::invalid_body(
            field,
            format!("office {office} is not one of your operator's offices"),
        )),
    }
}
