//! The public tracking pages: `/track` (a form taking one or up to 50 IDs, and their results)
//! and `/track/{id}`. No login; rate-limited per client address like the tracking API.
//!
//! An invalid ID is answered on the page (status 200) with the parser's reason in the reader's
//! language, e.g. the check digit it should have; a valid but unknown ID says it is not known
//! yet. Nothing about the sender or addressee is ever shown: the views are built from
//! [`crate::tracking::Timeline`], which does not hold them.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::i18n::Tr;
use super::view::{self, When};
use super::{
    ClientAddr, LangQuery, Layout, PageError, PageRequest, Section, optional_principal, render,
};
use crate::error::{ApiResult, ErrorCode};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use crate::tracking::{self, Lookup, MAX_IDS, Timeline};

/// `?ids=` and `?lang=`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackQuery {
    /// Up to 50 S10 IDs separated by spaces, commas or new lines.
    pub ids: Option<String>,
    /// `ar` or `en`.
    pub lang: Option<String>,
}

/// One event as the page shows it.
#[derive(Debug, Clone)]
pub struct EventView {
    pub code: String,
    pub text: String,
    pub reason: Option<String>,
    pub when: When,
    /// The office's name on this node, else `None` and the code is shown.
    pub office_name: Option<String>,
    pub office_code: String,
    pub city: Option<String>,
    pub country: Option<String>,
}

/// A found item as the page shows it.
#[derive(Debug, Clone)]
pub struct ItemView {
    pub s10: String,
    pub status_code: &'static str,
    pub status: String,
    pub tone: &'static str,
    pub origin: String,
    pub destination: String,
    pub events: Vec<EventView>,
}

/// One looked-up ID.
#[derive(Debug, Clone)]
pub struct ResultView {
    /// `found`, `not_found` or `invalid`.
    pub kind: &'static str,
    /// The ID as typed (invalid) or normalised (valid).
    pub id: String,
    /// For `not_found` and `invalid`: what to tell the reader.
    pub message: String,
    pub item: Option<ItemView>,
}

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    t: Tr,
    layout: Layout,
    /// The IDs asked for, one per line, to refill the several-IDs box.
    many: String,
    error: Option<PageError>,
    results: Vec<ResultView>,
    max_ids: usize,
    /// An ID as printed under a barcode, with no-break spaces so it never wraps.
    example: &'static str,
}

fn item_view(t: &Tr, state: &AppState, timeline: Timeline) -> ItemView {
    let reference = state.reference();
    ItemView {
        s10: timeline.s10.to_string(),
        status_code: timeline.status.as_str(),
        status: view::status_text(t, timeline.status),
        tone: view::status_tone(timeline.status),
        origin: t.country(&timeline.origin).to_owned(),
        destination: t.country(&timeline.destination).to_owned(),
        events: timeline
            .events
            .into_iter()
            .map(|event| EventView {
                code: event.code.as_str().to_owned(),
                text: view::event_text(t, reference, &event.code),
                reason: event
                    .reason
                    .as_ref()
                    .map(|reason| view::reason_text(t, reference, reason)),
                when: view::when(t, event.at),
                office_name: event
                    .place
                    .as_ref()
                    .map(|place| t.pick(&place.name_en, &place.name_ar).to_owned()),
                office_code: event.office.to_string(),
                city: event
                    .place
                    .as_ref()
                    .map(|place| t.pick(&place.city_en, &place.city_ar).to_owned())
                    .filter(|city| !city.is_empty()),
                country: event.country.map(|country| t.country(&country).to_owned()),
            })
            .collect(),
    }
}

fn result_view(t: &Tr, state: &AppState, lookup: Lookup) -> ResultView {
    match lookup {
        Lookup::Found(timeline) => ResultView {
            kind: "found",
            id: timeline.s10.to_string(),
            message: String::new(),
            item: Some(item_view(t, state, timeline)),
        },
        Lookup::NotFound(s10) => ResultView {
            kind: "not_found",
            id: s10.to_string(),
            message: t.tr1("track-not-known", "id", s10.to_string()),
            item: None,
        },
        Lookup::Invalid { input, error } => ResultView {
            kind: "invalid",
            message: t.tr2(
                "track-invalid",
                "id",
                input.as_str(),
                "problem",
                view::s10_problem(t, &error),
            ),
            id: input,
            item: None,
        },
    }
}

/// Answers the page for the IDs in `text` (none: just the form).
async fn answer(
    state: &AppState,
    client: ClientAddr,
    page: &PageRequest,
    text: Option<&str>,
) -> ApiResult<Response> {
    let principal = optional_principal(state, page.headers()).await;
    let (t, layout) = page.layout(state, principal.as_ref(), Section::Track).await;
    let ids = text.map(tracking::split_ids).unwrap_or_default();
    let mut page_data = TrackPage {
        t,
        layout,
        many: if ids.len() > 1 {
            ids.join("\n")
        } else {
            String::new()
        },
        error: None,
        results: Vec::new(),
        max_ids: MAX_IDS,
        example: "RR\u{a0}123\u{a0}456\u{a0}785\u{a0}EG",
    };
    let mut status = StatusCode::OK;
    let mut retry_after = None;
    if ids.len() > MAX_IDS {
        status = ErrorCode::TooManyIds.status();
        page_data.error = Some(PageError {
            code: ErrorCode::TooManyIds.as_str(),
            message: t.tr2("track-too-many", "max", MAX_IDS, "count", ids.len()),
        });
    } else if !ids.is_empty() {
        match tracking::check_rate(state, client.0) {
            Err(error) => {
                status = error.code().status();
                retry_after = error.retry_after();
                page_data.error = Some(PageError {
                    code: ErrorCode::RateLimited.as_str(),
                    message: t.tr1("track-rate-limited", "seconds", retry_after.unwrap_or(60)),
                });
            }
            Ok(()) => {
                page_data.results = tracking::lookup_all(state, &ids)
                    .await?
                    .into_iter()
                    .map(|lookup| result_view(&t, state, lookup))
                    .collect();
            }
        }
    }
    let mut response = (status, page.jar(state), render(&page_data)?).into_response();
    if let Some(secs) = retry_after
        && let Ok(value) = HeaderValue::from_str(&secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    Ok(response)
}

/// The tracking form; with `?ids=`, the results for up to 50 IDs.
#[utoipa::path(get, path = "/track", tag = "pages",
    params(TrackQuery),
    responses(
        (status = 200, description = "HTML page: the form, and a result per ID (found, not known yet, or invalid with the reason)", content_type = "text/html", body = String),
        (status = 400, description = "More than 50 IDs (`data-error=\"too_many_ids\"`)", content_type = "text/html", body = String),
        (status = 429, description = "Too many lookups from this address (`data-error=\"rate_limited\"`)", content_type = "text/html", body = String),
    ))]
pub async fn track_form(
    State(state): State<AppState>,
    client: ClientAddr,
    page: PageRequest,
    ApiQuery(query): ApiQuery<TrackQuery>,
) -> ApiResult<Response> {
    answer(&state, client, &page, query.ids.as_deref()).await
}

/// One item's tracking page.
#[utoipa::path(get, path = "/track/{id}", tag = "pages",
    params(("id" = String, Path, description = "S10 ID, e.g. RR123456785EG"), LangQuery),
    responses(
        (status = 200, description = "HTML page: the item's status and timeline, or why the ID is invalid, or that it is not known yet", content_type = "text/html", body = String),
        (status = 429, description = "Too many lookups from this address", content_type = "text/html", body = String),
    ))]
pub async fn track_one(
    State(state): State<AppState>,
    client: ClientAddr,
    page: PageRequest,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    answer(&state, client, &page, Some(&id)).await
}
