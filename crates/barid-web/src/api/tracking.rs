//! Public tracking in JSON: `GET /api/v1/items/{s10}/events` (one item) and
//! `GET /api/v1/tracking?ids=...` (up to 50). No login; rate-limited per client address.
//!
//! The DTOs here are the public view: status, countries and the merged timeline. They have no
//! field for a party, a note, a signatory or an internal ID, so none can leak.

use axum::Json;
use axum::extract::State;
use barid_core::S10Id;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::list_dto;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{ApiQuery, PathParam};
use crate::pages::ClientAddr;
use crate::state::AppState;
use crate::tracking::{self, Lookup, MAX_IDS, Timeline, TimelineEvent};

/// One event of the public timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicEventDto {
    /// The EMSEVT event code, e.g. `EMA`.
    #[schema(example = "EMA")]
    pub code: String,
    /// The event's name from the reference data.
    #[schema(example = "Posting / collection")]
    pub name_en: Option<String>,
    #[schema(example = "قبول الإرسالية بمكتب البريد")]
    pub name_ar: Option<String>,
    /// When it happened, with the UTC offset of the office where it happened.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, example = "2026-05-10T12:00:00+03:00")]
    pub at: OffsetDateTime,
    /// The office's code (an IMPC code for offices of exchange).
    #[schema(example = "EGCAIA")]
    pub office: String,
    /// The office's name and city, when it is an office of this node.
    pub office_name_en: Option<String>,
    pub office_name_ar: Option<String>,
    pub city_en: Option<String>,
    pub city_ar: Option<String>,
    /// The country the office is in, when known.
    #[schema(example = "EG")]
    pub country: Option<String>,
    /// For a failed delivery or a hold: the reason code and its names.
    pub reason: Option<String>,
    pub reason_en: Option<String>,
    pub reason_ar: Option<String>,
}

/// What anyone with the S10 ID may see of an item: never its sender or addressee.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicTimelineDto {
    #[schema(example = "RR123456785EG")]
    pub s10: String,
    /// Derived from all the events, e.g. `accepted`, `departed_origin`, `delivered`.
    #[schema(example = "accepted")]
    pub status: String,
    #[schema(example = "EG")]
    pub origin_country: String,
    #[schema(example = "PS")]
    pub destination_country: String,
    /// Every event known on this node, from every post that keeps the item, oldest first.
    pub events: Vec<PublicEventDto>,
}

impl PublicTimelineDto {
    pub fn new(timeline: Timeline, state: &AppState) -> Self {
        Self {
            s10: timeline.s10.to_string(),
            status: timeline.status.as_str().to_owned(),
            origin_country: timeline.origin.to_string(),
            destination_country: timeline.destination.to_string(),
            events: timeline
                .events
                .into_iter()
                .map(|event| event_dto(event, state))
                .collect(),
        }
    }
}

fn event_dto(event: TimelineEvent, state: &AppState) -> PublicEventDto {
    let info = state.reference().event(&event.code);
    let reason = event
        .reason
        .as_ref()
        .and_then(|reason| state.reference().reason(reason));
    PublicEventDto {
        code: event.code.as_str().to_owned(),
        name_en: info.map(|info| info.names.en.clone()),
        name_ar: info.map(|info| info.names.ar.clone()),
        at: event.at,
        office: event.office.to_string(),
        office_name_en: event.place.as_ref().map(|place| place.name_en.clone()),
        office_name_ar: event.place.as_ref().map(|place| place.name_ar.clone()),
        city_en: event.place.as_ref().map(|place| place.city_en.clone()),
        city_ar: event.place.as_ref().map(|place| place.city_ar.clone()),
        country: event.country.map(|country| country.to_string()),
        reason: event
            .reason
            .as_ref()
            .map(|reason| reason.as_str().to_owned()),
        reason_en: reason.map(|info| info.names.en.clone()),
        reason_ar: reason.map(|info| info.names.ar.clone()),
    }
}

/// The result for one of the IDs asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackingResultDto {
    /// The ID as given.
    #[schema(example = "rr 123 456 785 eg")]
    pub query: String,
    /// `found`, `not_found` (a valid ID this node does not know, yet) or `invalid`.
    #[schema(example = "found")]
    pub result: String,
    /// The ID normalised, when it is valid.
    #[schema(example = "RR123456785EG")]
    pub s10: Option<String>,
    /// For `invalid`: why, as a stable code (`length`, `format`, `check_digit`,
    /// `reserved_service_indicator`, `unknown_country`) ...
    #[schema(example = "check_digit")]
    pub error: Option<String>,
    /// ... and in words, e.g. `wrong check digit: it should be 5, found 4`.
    pub message: Option<String>,
    /// For `found`: the public timeline.
    pub item: Option<PublicTimelineDto>,
}

impl TrackingResultDto {
    fn new(query: String, lookup: Lookup, state: &AppState) -> Self {
        let mut dto = Self {
            query,
            result: String::new(),
            s10: None,
            error: None,
            message: None,
            item: None,
        };
        match lookup {
            Lookup::Found(timeline) => {
                dto.result = "found".to_owned();
                dto.s10 = Some(timeline.s10.to_string());
                dto.item = Some(PublicTimelineDto::new(timeline, state));
            }
            Lookup::NotFound(s10) => {
                dto.result = "not_found".to_owned();
                dto.s10 = Some(s10.to_string());
            }
            Lookup::Invalid { error, .. } => {
                dto.result = "invalid".to_owned();
                dto.error = Some(error.code().to_owned());
                dto.message = Some(error.to_string());
            }
        }
        dto
    }
}

list_dto!(
    /// One result per distinct ID asked for, in the order given.
    TrackingResults,
    TrackingResultDto
);

/// `?ids=RR123456785EG,CP123456789PS`
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrackingQuery {
    /// Up to 50 S10 IDs, separated by commas or spaces. Repeated IDs are answered once.
    pub ids: String,
}

/// An item's public timeline: status, origin and destination countries, and every event known
/// on this node (merged from each post that keeps the item), oldest first. No login; limited
/// per client address (`tracking_lookups_per_minute`).
#[utoipa::path(get, path = "/api/v1/items/{s10}/events", tag = "tracking",
    params(("s10" = String, Path, description = "S10 ID, e.g. RR123456785EG")),
    responses(
        (status = 200, description = "The public timeline", body = PublicTimelineDto),
        (status = 400, description = "`invalid_path`: not a valid S10 ID (the message says why, e.g. the check digit it should have)", body = crate::error::ErrorBody),
        (status = 404, description = "`not_found`: no post on this node knows the item (yet)", body = crate::error::ErrorBody),
        (status = 429, description = "`rate_limited`: too many lookups from this address; see `Retry-After`", body = crate::error::ErrorBody),
    ))]
pub async fn events(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    PathParam(s10): PathParam<S10Id>,
) -> ApiResult<Json<PublicTimelineDto>> {
    tracking::check_rate(&state, client)?;
    let timeline = tracking::timeline(&state, &s10)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("item {s10} not found")))?;
    Ok(Json(PublicTimelineDto::new(timeline, &state)))
}

/// Several items at once: one result per ID, whether found, unknown or invalid. No login;
/// one request counts as one lookup against the client's limit.
#[utoipa::path(get, path = "/api/v1/tracking", tag = "tracking",
    params(TrackingQuery),
    responses(
        (status = 200, description = "One result per distinct ID", body = TrackingResults),
        (status = 400, description = "`too_many_ids`: more than 50 IDs; `invalid_query`: no IDs", body = crate::error::ErrorBody),
        (status = 429, description = "`rate_limited`: too many lookups from this address; see `Retry-After`", body = crate::error::ErrorBody),
    ))]
pub async fn lookup(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiQuery(query): ApiQuery<TrackingQuery>,
) -> ApiResult<Json<TrackingResults>> {
    let ids = tracking::split_ids(&query.ids);
    if ids.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "give at least one S10 ID in `ids`, e.g. ?ids=RR123456785EG",
        )
        .with_field("ids"));
    }
    if ids.len() > MAX_IDS {
        return Err(tracking::too_many_ids(ids.len()));
    }
    tracking::check_rate(&state, client)?;
    let lookups = tracking::lookup_all(&state, &ids).await?;
    Ok(Json(
        ids.into_iter()
            .zip(lookups)
            .map(|(query, lookup)| TrackingResultDto::new(query, lookup, &state))
            .collect::<Vec<_>>()
            .into(),
    ))
}
