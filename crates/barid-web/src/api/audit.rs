//! `/api/v1/audit`: who changed what, when and from which office; newest first, paginated by
//! cursor.

use axum::Json;
use axum::extract::State;
use barid_store::model::AuditEntry;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::ApiQuery;
use crate::state::AppState;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// One audit entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub id: i64,
    /// A username, a token name, or `system`/`cli`.
    pub actor: String,
    pub office: Option<String>,
    /// What happened, e.g. `office.create`.
    #[schema(example = "office.create")]
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// What changed.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(entry: AuditEntry) -> Self {
        Self {
            id: entry.id.0,
            actor: entry.actor,
            office: entry.office.map(|office| office.to_string()),
            action: entry.action,
            object_type: entry.object_type,
            object_id: entry.object_id,
            details: entry.details,
            at: entry.at,
        }
    }
}

/// A page of the audit log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryDto>,
    /// Pass back as `cursor` for older entries; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// The caller's operator's audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(AuditQuery),
    responses((status = 200, description = "A page of entries", body = AuditPage)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            format!("limit must be between 1 and {MAX_LIMIT}"),
        )
        .with_field("limit"));
    }
    let before =
        match query.cursor.as_deref() {
            None | Some("") => None,
            Some(cursor) => Some(cursor.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(
                || {
                    ApiError::new(ErrorCode::InvalidQuery, "not a cursor this API gave out")
                        .with_field("cursor")
                },
            )?),
        };
    let page = state
        .store()
        .audit_log(principal.operator, before, limit)
        .await?;
    Ok(Json(AuditPage {
        items: page.items.into_iter().map(AuditEntryDto::from).collect(),
        next_cursor: page.next.map(|id| id.to_string()),
    }))
}
